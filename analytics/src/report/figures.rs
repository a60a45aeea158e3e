//! Engine results -> the charts engineer's chart inputs ([`crate::charts`]), rendered once to
//! SVG (and, unless switched off, PNG at 300 dpi and PDF) with the stamp in the footer.
//!
//! What lives here: which figures the report has and how each is fed. What does not: drawing
//! (`charts`), statistics (`survival`).

use polars::prelude::DataFrame;

use super::analyses::{CONF_LEVEL, CONF_TYPE, native_igg, transgene_copies, tte_input};
use super::endpoints::days;
use super::labels::stratum_label;
use super::load::Registry;
use super::summary::{MONTH_DAYS, Summary};
use super::{ReportConfig, ReportError, Section};
use crate::charts::bars::{BarChart, BarLayout, BarSeries, draw_bars};
use crate::charts::cuminc::{CumIncChart, CumIncCurve, draw_cuminc};
use crate::charts::forest::{ForestChart, ForestRow, ForestRowKind, ForestScale, draw_forest};
use crate::charts::km::{
    KmChart, KmCurve, KmOptions, RiskGroup, RiskTable, draw_km, last_time_at_risk,
};
use crate::charts::render::{render, render_svg};
use crate::charts::series::{PatientSeries, Reference, SeriesChart, draw_series};
use crate::charts::swimmer::{
    SwimmerChart, SwimmerEvent, SwimmerLane, SwimmerMarker, draw_swimmer,
};
use crate::charts::theme::Theme;
use crate::survival::{
    CompetingRisksData, Groups, SurvivalData, cumulative_incidence, kaplan_meier,
};

/// One chart's files.
#[derive(Debug, Clone)]
pub struct ChartFile {
    /// File stem, e.g. `km_os_by_disease`.
    pub name: String,
    /// Caption in the HTML.
    pub caption: String,
    pub svg: String,
    pub png: Option<Vec<u8>>,
    pub pdf: Option<Vec<u8>>,
}

fn chart_err(e: impl std::fmt::Display) -> ReportError {
    ReportError::Unexpected(anyhow::anyhow!("chart rendering failed: {e}"))
}

fn draw<F>(
    config: &ReportConfig,
    theme: &Theme,
    stamp: &str,
    name: &str,
    caption: &str,
    f: F,
) -> Result<ChartFile, ReportError>
where
    F: FnOnce(&crate::charts::render::SvgArea<'_>) -> crate::charts::render::SvgResult,
{
    let (svg, png, pdf) = if config.raster {
        let r = render(theme, Some(stamp), f).map_err(chart_err)?;
        (r.svg, Some(r.png), Some(r.pdf))
    } else {
        (
            render_svg(theme, Some(stamp), f).map_err(chart_err)?,
            None,
            None,
        )
    };
    Ok(ChartFile {
        name: name.to_owned(),
        caption: caption.to_owned(),
        svg,
        png,
        pdf,
    })
}

fn ticks_months(max_days: f64) -> Vec<f64> {
    let max_m = (max_days / MONTH_DAYS).max(1.0);
    let step = if max_m <= 24.0 {
        6.0
    } else if max_m <= 60.0 {
        12.0
    } else {
        24.0
    };
    let mut t = Vec::new();
    let mut x = 0.0;
    while x < max_m + step {
        t.push(x);
        x += step;
    }
    t
}

fn p_text(label: &str, p: Option<f64>) -> Option<String> {
    p.map(|p| {
        if p < 0.001 {
            format!("{label} p < 0.001")
        } else {
            format!("{label} p = {p:.3}")
        }
    })
}

/// A KMunicate chart of `paramcd`, overall or by `by`.
fn km_chart(
    adtte: &DataFrame,
    summary: &Summary,
    paramcd: &str,
    by: Option<&str>,
    y_label: &str,
) -> Result<Option<(KmChart, usize)>, ReportError> {
    let input = tte_input(adtte, paramcd, by)?;
    if input.time.is_empty() {
        return Ok(None);
    }
    let max = input.time.iter().copied().fold(0.0, f64::max);
    let mut data = SurvivalData::new(input.time, input.event).map_err(anyhow::Error::from)?;
    if let (Some(name), Some(g)) = (by, &input.group) {
        data = data
            .with_groups(Groups::from_strings(name, g))
            .map_err(anyhow::Error::from)?;
    }
    let fit = kaplan_meier(&data, CONF_TYPE, CONF_LEVEL).map_err(anyhow::Error::from)?;
    let ticks = ticks_months(max);
    let months = |v: &[f64]| v.iter().map(|d| d / MONTH_DAYS).collect::<Vec<f64>>();
    let mut curves = Vec::new();
    let mut groups: Vec<RiskGroup> = Vec::new();
    for (i, c) in fit.strata.iter().enumerate() {
        let label = if c.stratum == "all" {
            String::new()
        } else {
            stratum_label(&c.stratum)
        };
        let t = months(&c.time);
        curves.push(
            KmCurve::from_rows(&label, &t, &c.surv, &c.lower, &c.upper, &c.n_censor)
                .with_n_risk(&c.n_risk),
        );
        let mut g = RiskGroup::from_counts(
            &label,
            Some(i),
            &ticks,
            &t,
            &c.n_risk,
            &c.n_event,
            &c.n_censor,
        );
        if label.is_empty() {
            g.colour = None;
        }
        groups.push(g);
    }
    let p = summary
        .time_to_event
        .iter()
        .chain(&summary.immune_recovery.b_cell_aplasia)
        .chain(&summary.immune_recovery.persistence_loss)
        .find(|a| a.paramcd == paramcd && a.by == by.unwrap_or("overall"))
        .and_then(|a| a.log_rank_p);
    let n = groups.len();
    Ok(Some((
        KmChart {
            x_label: "Months since CAR-T infusion".to_owned(),
            y_label: y_label.to_owned(),
            curves,
            table: RiskTable { ticks, groups },
            p_value: p_text("Log-rank", p),
            ..KmChart::default()
        },
        n,
    )))
}

/// Draws one KMunicate chart per spec (parameter, stratifier, file stem, caption, y label)
/// whose parameter has rows.
fn km_charts(
    config: &ReportConfig,
    summary: &Summary,
    adtte: &DataFrame,
    stamp: &str,
    specs: &[(&str, Option<&str>, &str, &str, &str)],
    out: &mut Vec<ChartFile>,
) -> Result<(), ReportError> {
    for (param, by, name, caption, y) in specs {
        if let Some((chart, groups)) = km_chart(adtte, summary, param, *by, y)? {
            let height =
                crate::charts::km::suggested_height_mm(&Theme::double_column(100.0), groups, 3);
            let theme = Theme::double_column(height);
            out.push(draw(config, &theme, stamp, name, caption, |area| {
                draw_km(area, &theme, &chart)
            })?);
        }
    }
    Ok(())
}

/// Which competing-risk curves a cumulative incidence chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CifPanel {
    /// Relapse (solid) and NRM (dashed), all patients.
    Both,
    /// One cause (0 = relapse, 1 = NRM), one curve per group of `by`, with Gray's p.
    ByGroup { cause: usize, by: &'static str },
}

/// A cumulative incidence chart from the `CIR` rows of ADTTE (`CRCAUSE` is the cause).
fn cif_chart(
    adtte: &DataFrame,
    summary: &Summary,
    panel: CifPanel,
) -> Result<Option<(CumIncChart, usize)>, ReportError> {
    let by = match panel {
        CifPanel::Both => None,
        CifPanel::ByGroup { by, .. } => Some(by),
    };
    let input = tte_input(adtte, "CIR", by)?;
    if input.time.is_empty() {
        return Ok(None);
    }
    let max = input.time.iter().copied().fold(0.0, f64::max);
    let mut data = CompetingRisksData::new(
        input.time,
        input.cause,
        vec!["RELAPSE".to_owned(), "NRM".to_owned()],
    )
    .map_err(anyhow::Error::from)?;
    if let (Some(name), Some(g)) = (by, &input.group) {
        data = data
            .with_groups(Groups::from_strings(name, g))
            .map_err(anyhow::Error::from)?;
    }
    let fit = cumulative_incidence(&data, CONF_TYPE, CONF_LEVEL).map_err(anyhow::Error::from)?;
    let ticks = ticks_months(max);
    let cause_name = |k: usize| {
        if k == 0 {
            "Relapse/progression"
        } else {
            "Non-relapse mortality"
        }
    };
    let mut curves = Vec::new();
    let mut groups = Vec::new();
    for (si, s) in fit.strata.iter().enumerate() {
        let t: Vec<f64> = s.time.iter().map(|d| d / MONTH_DAYS).collect();
        let label = match panel {
            CifPanel::Both => "All patients".to_owned(),
            CifPanel::ByGroup { .. } => stratum_label(&s.stratum),
        };
        for (k, c) in s.causes.iter().enumerate() {
            let (wanted, curve_label, colour, dashed) = match panel {
                CifPanel::Both => (true, cause_name(k).to_owned(), k, k == 1),
                CifPanel::ByGroup { cause, .. } => (k == cause, label.clone(), si, false),
            };
            if wanted {
                curves.push(CumIncCurve {
                    label: curve_label,
                    time: t.clone(),
                    cif: c.cif.clone(),
                    lower: c.lower.clone(),
                    upper: c.upper.clone(),
                    colour,
                    dashed,
                    end: last_time_at_risk(&t, &s.n_risk, KmOptions::default().min_at_risk),
                });
            }
        }
        let zeros = vec![0.0; t.len()];
        let colour = match panel {
            CifPanel::Both => None,
            CifPanel::ByGroup { .. } => Some(si),
        };
        let mut g = RiskGroup::from_counts(&label, colour, &ticks, &t, &s.n_risk, &zeros, &zeros);
        g.censored.clear();
        g.events.clear();
        groups.push(g);
    }
    let p_value = match panel {
        CifPanel::Both => None,
        CifPanel::ByGroup { cause, by } => {
            let a = summary.competing_risks.iter().find(|a| a.by == by);
            let p = a.and_then(|a| {
                if cause == 0 {
                    a.gray_p_relapse
                } else {
                    a.gray_p_nrm
                }
            });
            p_text("Gray's test", p)
        }
    };
    let n = groups.len();
    Ok(Some((
        CumIncChart {
            x_label: "Months since CAR-T infusion".to_owned(),
            y_label: match panel {
                CifPanel::Both => "Cumulative incidence (%)".to_owned(),
                CifPanel::ByGroup { cause, .. } => format!("{} (%)", cause_name(cause)),
            },
            curves,
            table: RiskTable { ticks, groups },
            p_value,
            ..CumIncChart::default()
        },
        n,
    )))
}

/// Every figure of the sections asked for.
pub fn draw_all(
    config: &ReportConfig,
    summary: &Summary,
    reg: &Registry,
    set: &DataFrame,
    adtte: &DataFrame,
    stamp: &str,
) -> Result<Vec<ChartFile>, ReportError> {
    let mut out = Vec::new();
    if config.wants(Section::Survival) {
        let os = "Overall survival (%)";
        let pfs = "Progression-free survival (%)";
        km_charts(
            config,
            summary,
            adtte,
            stamp,
            &[
                ("OS", None, "km_os", "Overall survival", os),
                (
                    "OS",
                    Some("DISEASE"),
                    "km_os_by_disease",
                    "Overall survival by disease",
                    os,
                ),
                (
                    "OS",
                    Some("PRODUCT"),
                    "km_os_by_product",
                    "Overall survival by product",
                    os,
                ),
                (
                    "OS",
                    Some("ANTIGEN"),
                    "km_os_by_antigen",
                    "Overall survival by target antigen",
                    os,
                ),
                (
                    "PFS",
                    Some("DISEASE"),
                    "km_pfs_by_disease",
                    "Progression-free survival by disease (lymphoma, myeloma, other)",
                    pfs,
                ),
                (
                    "PFS",
                    Some("PRODUCT"),
                    "km_pfs_by_product",
                    "Progression-free survival by product (all diseases but B-ALL)",
                    pfs,
                ),
                (
                    "PFS",
                    Some("ANTIGEN"),
                    "km_pfs_by_antigen",
                    "Progression-free survival by target antigen (all diseases but B-ALL)",
                    pfs,
                ),
                (
                    "EFS",
                    None,
                    "km_efs",
                    "Event-free survival (B-ALL)",
                    "Event-free survival (%)",
                ),
                (
                    "DOR",
                    Some("DISEASE"),
                    "km_dor_by_disease",
                    "Duration of response by disease (responders)",
                    "Duration of response (%)",
                ),
            ],
            &mut out,
        )?;
    }
    if config.wants(Section::Competing) {
        let panels = [
            (
                CifPanel::Both,
                "cuminc_relapse_nrm",
                "Cumulative incidence of relapse/progression and non-relapse mortality (Aalen-Johansen)",
            ),
            (
                CifPanel::ByGroup {
                    cause: 0,
                    by: "DISEASE",
                },
                "cuminc_relapse_by_disease",
                "Cumulative incidence of relapse/progression by disease (death without relapse as competing event; Gray's test)",
            ),
            (
                CifPanel::ByGroup {
                    cause: 1,
                    by: "DISEASE",
                },
                "cuminc_nrm_by_disease",
                "Non-relapse mortality by disease (relapse/progression as competing event; Gray's test)",
            ),
        ];
        for (panel, name, caption) in panels {
            if let Some((chart, groups)) = cif_chart(adtte, summary, panel)? {
                let height = match panel {
                    CifPanel::Both => 90.0,
                    CifPanel::ByGroup { .. } => crate::charts::km::suggested_height_mm(
                        &Theme::double_column(100.0),
                        groups,
                        1,
                    ),
                };
                let theme = Theme::double_column(height);
                out.push(draw(config, &theme, stamp, name, caption, |area| {
                    draw_cuminc(area, &theme, &chart)
                })?);
            }
        }
    }
    if config.wants(Section::Response)
        && let Some(by_product) = summary.response.iter().find(|r| r.by == "PRODUCT")
    {
        let overall = summary.response.iter().find(|r| r.by == "overall");
        let mut rows = vec![ForestRow {
            label: "Product".to_owned(),
            kind: ForestRowKind::Header,
            ..ForestRow::default()
        }];
        for r in &by_product.rows {
            rows.push(ForestRow {
                label: r.label.clone(),
                kind: ForestRowKind::Item,
                n: u32::try_from(r.n).ok(),
                events: u32::try_from(r.orr.x).ok(),
                estimate: Some(r.orr.estimate),
                lower: Some(r.orr.lower),
                upper: Some(r.orr.upper),
            });
        }
        if let Some(o) = overall.and_then(|o| o.rows.first()) {
            rows.push(ForestRow {
                label: "All patients".to_owned(),
                kind: ForestRowKind::Overall,
                n: u32::try_from(o.n).ok(),
                events: u32::try_from(o.orr.x).ok(),
                estimate: Some(o.orr.estimate),
                lower: Some(o.orr.lower),
                upper: Some(o.orr.upper),
            });
        }
        let reference = overall.and_then(|o| o.rows.first()).map(|o| o.orr.estimate);
        let chart = ForestChart {
            title: None,
            rows,
            scale: ForestScale::Percent,
            x_label: "Overall response rate (%), 95% CI (Clopper-Pearson)".to_owned(),
            ticks: Vec::new(),
            reference,
            label_header: "Subgroup".to_owned(),
            n_header: "Responders/N".to_owned(),
            value_header: "ORR % (95% CI)".to_owned(),
        };
        let theme = Theme::double_column(crate::charts::forest::suggested_height_mm(
            &Theme::double_column(100.0),
            chart.rows.len(),
        ));
        out.push(draw(
            config,
            &theme,
            stamp,
            "forest_orr_by_product",
            "Overall response rate by product",
            |area| draw_forest(area, &theme, &chart),
        )?);
    }
    if config.wants(Section::Response) && set.height() > 0 {
        let chart = swimmer(set)?;
        let theme = Theme::double_column(120.0);
        out.push(draw(
            config,
            &theme,
            stamp,
            "swimmer_responders",
            "Swimmer plot: the first 40 responders by registry id, from Day 0 to last contact",
            |area| draw_swimmer(area, &theme, &chart),
        )?);
    }
    if config.wants(Section::Infections) && !summary.infections.by_period.is_empty() {
        let periods: Vec<String> = summary
            .infections
            .by_period
            .iter()
            .map(|r| r.period.clone())
            .collect();
        let mut classes: Vec<(String, String)> = summary
            .infections
            .by_period_and_class
            .iter()
            .map(|r| (r.organism_class.clone(), r.organism_class_label.clone()))
            .collect();
        classes.sort();
        classes.dedup();
        let series = classes
            .iter()
            .map(|(c, label)| BarSeries {
                label: label.clone(),
                values: periods
                    .iter()
                    .map(|p| {
                        summary
                            .infections
                            .by_period_and_class
                            .iter()
                            .find(|r| &r.period == p && &r.organism_class == c)
                            .and_then(|r| r.per_100_patient_days)
                            .unwrap_or(0.0)
                    })
                    .collect(),
            })
            .collect();
        let chart = BarChart {
            title: None,
            periods,
            series,
            layout: BarLayout::Stacked,
            x_label: "Days since CAR-T infusion".to_owned(),
            y_label: "Infections per 100 patient-days".to_owned(),
            decimals: 2,
        };
        let theme = Theme::double_column(90.0);
        out.push(draw(
            config,
            &theme,
            stamp,
            "infection_density",
            "Infection density by period and organism class",
            |area| draw_bars(area, &theme, &chart),
        )?);
    }
    if config.wants(Section::Immune) {
        km_charts(
            config,
            summary,
            adtte,
            stamp,
            &[
                (
                    "BCAPL",
                    None,
                    "km_b_cell_aplasia",
                    "B-cell aplasia duration: probability of ongoing aplasia (no CD19+ count at or above the recovery threshold yet), Kaplan-Meier",
                    "Ongoing B-cell aplasia (%)",
                ),
                (
                    "PERSLOSS",
                    None,
                    "km_persistence",
                    "CAR-T persistence: probability of still detectable CAR-T cells among patients with a detectable test, Kaplan-Meier",
                    "CAR-T still detectable (%)",
                ),
            ],
            &mut out,
        )?;
        let igg = igg_chart(summary, reg, set)?;
        let theme = Theme::double_column(90.0);
        out.push(draw(
            config,
            &theme,
            stamp,
            "igg_over_time",
            &format!(
                "Native IgG over time: the first {IGG_LANES} patients with native IgG by registry id (grey), median at 3, 6, 12 and 24 months (closest sample within 30 days), 400 mg/dL threshold dashed"
            ),
            |area| draw_series(area, &theme, &igg),
        )?);
        let pers = persistence_chart(summary);
        out.push(draw(
            config,
            &theme,
            stamp,
            "persistence_over_time",
            &persistence_caption(summary),
            |area| draw_series(area, &theme, &pers),
        )?);
        let kinetics = kinetics_chart(summary, reg, set)?;
        if !kinetics.series.is_empty() {
            out.push(draw(
                config,
                &theme,
                stamp,
                "persistence_kinetics",
                &format!(
                    "CAR-T kinetics: the CAR transgene by qPCR or ddPCR (copies/µg genomic DNA) of the first {IGG_LANES} patients with a PCR result by registry id (grey), median of each patient's closest test within 30 days of 3, 6, 12 and 24 months; not detected or below the LLOQ on the axis floor"
                ),
                |area| draw_series(area, &theme, &kinetics),
            )?);
        }
    }
    Ok(out)
}

/// Patients drawn as grey lines in the IgG chart (by registry id, so the choice is stable).
pub const IGG_LANES: usize = 60;

/// Months on the x axis of the immune-recovery series (the timepoints reach 24 months).
const SERIES_TICKS: [f64; 5] = [0.0, 6.0, 12.0, 18.0, 24.0];

fn timepoint_months(day: i32) -> f64 {
    f64::from(day) / MONTH_DAYS
}

/// Native IgG (mg/dL) per patient up to 25 months for the first [`IGG_LANES`] patients with a
/// native sample, and the timepoint medians of `summary.json`.
fn igg_chart(
    summary: &Summary,
    reg: &Registry,
    set: &DataFrame,
) -> Result<SeriesChart, ReportError> {
    let series = lanes(native_igg(set, reg), set)?;
    let median = summary
        .immune_recovery
        .igg_median_mg_dl
        .iter()
        .filter_map(|m| m.median.map(|v| (timepoint_months(m.day), v)))
        .collect();
    Ok(SeriesChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Native IgG (mg/dL)".to_owned(),
        series,
        summary: median,
        summary_label: "Median".to_owned(),
        log_y: false,
        y_range: None,
        x_ticks: SERIES_TICKS.to_vec(),
        reference: Some(Reference {
            value: 400.0,
            label: "IgG 400 mg/dL".to_owned(),
        }),
        ..SeriesChart::default()
    })
}

/// One grey line per patient for the first [`IGG_LANES`] patients (by registry id, so the
/// choice is stable) with a sample in the first 25 months, from `samples` (`patient_id`,
/// `day` since Day 0, `value`), in months.
fn lanes(
    samples: polars::prelude::LazyFrame,
    set: &DataFrame,
) -> Result<Vec<PatientSeries>, ReportError> {
    use polars::prelude::*;
    let last_day = (25.0 * MONTH_DAYS) as i32;
    let samples = samples
        .filter(col("day").gt(lit(0)).and(col("day").lt_eq(lit(last_day))))
        .join(
            set.clone()
                .lazy()
                .select([col("patient_id"), col("usubjid")]),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        );
    let chosen = samples
        .clone()
        .select([col("usubjid")])
        .unique_stable_generic(Some(vec![col("usubjid")]), UniqueKeepStrategy::First)
        .sort(["usubjid"], SortMultipleOptions::default())
        .limit(IGG_LANES as IdxSize);
    let df = samples
        .join(
            chosen,
            [col("usubjid")],
            [col("usubjid")],
            JoinArgs::new(JoinType::Inner),
        )
        .sort(["usubjid", "day"], SortMultipleOptions::default())
        .select([col("usubjid"), col("day"), col("value")])
        .collect()?;
    let ids = df.column("usubjid")?.str()?;
    let day = df.column("day")?.i32()?;
    let value = df.column("value")?.f64()?;
    let mut series: Vec<PatientSeries> = Vec::new();
    for i in 0..df.height() {
        let (Some(id), Some(d), Some(v)) = (ids.get(i), day.get(i), value.get(i)) else {
            continue;
        };
        match series.last_mut() {
            Some(s) if s.id == id => s.points.push((timepoint_months(d), v)),
            _ => series.push(PatientSeries {
                id: id.to_owned(),
                points: vec![(timepoint_months(d), v)],
            }),
        }
    }
    Ok(series)
}

/// CAR-T kinetics: the transgene by PCR per patient ([`lanes`] of [`transgene_copies`]) on a
/// log axis, with the timepoint medians of `summary.json`; a test that did not detect it or
/// found it below the LLOQ sits on the axis floor, as does a median that is not quantifiable.
fn kinetics_chart(
    summary: &Summary,
    reg: &Registry,
    set: &DataFrame,
) -> Result<SeriesChart, ReportError> {
    let series = lanes(transgene_copies(set, reg), set)?;
    let median = summary
        .immune_recovery
        .transgene_median_copies_per_ug
        .iter()
        .filter_map(|m| m.median.map(|v| (timepoint_months(m.day), v)))
        .collect();
    Ok(SeriesChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "CAR transgene (copies/µg genomic DNA)".to_owned(),
        series,
        summary: median,
        summary_label: "Median".to_owned(),
        log_y: true,
        y_range: None,
        x_ticks: SERIES_TICKS.to_vec(),
        ..SeriesChart::default()
    })
}

/// The share with detectable CAR-T at each timepoint, in percent, with its exact 95% interval
/// (no per-patient lines: a test is detected or not; quantities use several units).
fn persistence_chart(summary: &Summary) -> SeriesChart {
    let shares = &summary.immune_recovery.persistence_detectable;
    let points = shares
        .iter()
        .filter_map(|t| t.share.map(|v| (timepoint_months(t.day), 100.0 * v)))
        .collect();
    let intervals = shares
        .iter()
        .filter_map(|t| {
            let (lower, upper) = (t.lower?, t.upper?);
            Some((timepoint_months(t.day), 100.0 * lower, 100.0 * upper))
        })
        .collect();
    SeriesChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Detectable CAR-T, % of tested".to_owned(),
        series: Vec::new(),
        summary: points,
        summary_label: "Detectable".to_owned(),
        log_y: false,
        y_range: Some((0.0, 100.0)),
        x_ticks: SERIES_TICKS.to_vec(),
        reference: None,
        intervals,
        interval_label: "95% CI (Clopper-Pearson)".to_owned(),
        ..SeriesChart::default()
    }
}

/// The persistence figure's caption, with the number tested at each timepoint.
fn persistence_caption(summary: &Summary) -> String {
    let tested: Vec<String> = summary
        .immune_recovery
        .persistence_detectable
        .iter()
        .map(|t| format!("{} {}", t.timepoint, t.n))
        .collect();
    format!(
        "CAR-T persistence: patients with detectable CAR-T cells among those tested (closest \
         test within 30 days of 3, 6, 12 and 24 months), with exact 95% confidence intervals; \
         patients tested: {}",
        tested.join(", ")
    )
}

/// Lanes for the first [`SWIMMER_LANES`] responders (by registry id, so the choice is stable).
pub const SWIMMER_LANES: usize = 40;

fn swimmer(set: &DataFrame) -> Result<SwimmerChart, ReportError> {
    use polars::prelude::*;
    let df = set
        .clone()
        .lazy()
        .filter(col("responder"))
        .sort(["usubjid"], SortMultipleOptions::default())
        .limit(SWIMMER_LANES as IdxSize)
        .select([
            col("usubjid"),
            col("disease"),
            (days("end_fu") - days("day0")).alias("end"),
            (days("first_cr_date") - days("day0")).alias("cr"),
            (days("first_response_date") - days("day0")).alias("resp"),
            (days("prog_date") - days("day0")).alias("prog"),
            (days("death_date") - days("day0")).alias("death"),
            col("ltfu_status").eq(lit("ACTIVE")).alias("active"),
        ])
        .collect()?;
    let mut groups: Vec<String> = Vec::new();
    let ids = df.column("usubjid")?.str()?;
    let dis = df.column("disease")?.str()?;
    let end = df.column("end")?.i32()?;
    let cr = df.column("cr")?.i32()?;
    let resp = df.column("resp")?.i32()?;
    let prog = df.column("prog")?.i32()?;
    let death = df.column("death")?.i32()?;
    let active = df.column("active")?.bool()?;
    let m = |d: i32| f64::from(d) / MONTH_DAYS;
    let mut lanes = Vec::new();
    for i in 0..df.height() {
        let g = super::labels::GroupVar::Disease.label(dis.get(i).unwrap_or(""));
        let gi = match groups.iter().position(|x| *x == g) {
            Some(k) => k,
            None => {
                groups.push(g);
                groups.len() - 1
            }
        };
        let mut events = Vec::new();
        match (resp.get(i), cr.get(i)) {
            (Some(r), Some(c)) if r < c => {
                events.push(SwimmerEvent {
                    time: m(r),
                    marker: SwimmerMarker::PartialResponse,
                });
                events.push(SwimmerEvent {
                    time: m(c),
                    marker: SwimmerMarker::CompleteResponse,
                });
            }
            (_, Some(c)) => events.push(SwimmerEvent {
                time: m(c),
                marker: SwimmerMarker::CompleteResponse,
            }),
            (Some(r), None) => events.push(SwimmerEvent {
                time: m(r),
                marker: SwimmerMarker::PartialResponse,
            }),
            _ => {}
        }
        if let Some(p) = prog.get(i) {
            events.push(SwimmerEvent {
                time: m(p),
                marker: SwimmerMarker::Relapse,
            });
        }
        if let Some(d) = death.get(i) {
            events.push(SwimmerEvent {
                time: m(d),
                marker: SwimmerMarker::Death,
            });
        }
        lanes.push(SwimmerLane {
            id: ids.get(i).unwrap_or("").to_owned(),
            group: gi,
            end: m(end.get(i).unwrap_or(0)),
            ongoing: death.get(i).is_none() && active.get(i).unwrap_or(false),
            events,
        });
    }
    Ok(SwimmerChart {
        title: None,
        x_label: "Months since CAR-T infusion".to_owned(),
        groups,
        lanes,
        ticks: Vec::new(),
        max_labelled_lanes: SWIMMER_LANES,
    })
}
