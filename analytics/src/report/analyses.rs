//! The report's numbers: the statistics engine ([`crate::survival`]) run on the ADaM-shaped
//! datasets (so `summary.json` equals what a statistician gets from `adtte.csv`), plus the
//! descriptive tables (cohort, toxicity, infections, immune recovery, malignancies, deaths).
//!
//! What lives here: turning frames into engine inputs and engine results into
//! [`super::summary`] structs. What does not: any statistical formula (the engine's), any
//! endpoint definition (`endpoints`).

use polars::prelude::*;

use super::endpoints::{cnsr, days};
use super::labels::{GroupVar, stratum_label};
use super::load::Registry;
use super::summary::*;
use crate::survival::{
    CompetingRisksData, ConfType, Groups, StatsError, SurvivalData, clopper_pearson,
    cumulative_incidence, gray_test, kaplan_meier, log_rank, median_follow_up,
};

/// Confidence level of every interval.
pub const CONF_LEVEL: f64 = 0.95;
/// Confidence-interval transform for survival and cumulative incidence (R's default).
pub const CONF_TYPE: ConfType = ConfType::Log;

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

fn landmark_days() -> Vec<f64> {
    LANDMARK_MONTHS
        .iter()
        .map(|m| f64::from(*m) * MONTH_DAYS)
        .collect()
}

/// Time (days) and event columns of one ADTTE parameter, with an optional grouping column.
pub struct TteInput {
    pub time: Vec<f64>,
    pub event: Vec<bool>,
    pub cause: Vec<u32>,
    pub group: Option<Vec<String>>,
}

/// Reads `AVAL`, `CNSR == 0` (and, for competing risks, `CRCAUSE` as 1 = RELAPSE, 2 = NRM) of
/// `paramcd` from ADTTE.
pub fn tte_input(adtte: &DataFrame, paramcd: &str, by: Option<&str>) -> PolarsResult<TteInput> {
    let mut exprs = vec![
        col("AVAL").cast(DataType::Float64).alias("t"),
        col("CNSR").eq(lit(cnsr::EVENT)).alias("e"),
        when(col("CRCAUSE").eq(lit("RELAPSE")))
            .then(lit(1u32))
            .when(col("CRCAUSE").eq(lit("NRM")))
            .then(lit(2u32))
            .otherwise(lit(0u32))
            .cast(DataType::UInt32)
            .alias("c"),
    ];
    if let Some(b) = by {
        exprs.push(col(b).alias("g"));
    }
    let df = adtte
        .clone()
        .lazy()
        .filter(col("PARAMCD").eq(lit(paramcd)))
        .select(exprs)
        .collect()?;
    let t = df.column("t")?.f64()?;
    let e = df.column("e")?.bool()?;
    let c = df.column("c")?.u32()?;
    let n = df.height();
    let time = (0..n).map(|i| t.get(i).unwrap_or(0.0)).collect();
    let event = (0..n).map(|i| e.get(i).unwrap_or(false)).collect();
    let cause = (0..n).map(|i| c.get(i).unwrap_or(0)).collect();
    let group = match by {
        Some(_) => {
            let g = df.column("g")?.str()?;
            Some((0..n).map(|i| g.get(i).unwrap_or("").to_owned()).collect())
        }
        None => None,
    };
    Ok(TteInput {
        time,
        event,
        cause,
        group,
    })
}

/// Kaplan-Meier (overall or by `by`), medians, landmark rates and the log-rank test of one
/// parameter; `None` when the parameter has no rows.
pub fn tte_analysis(
    adtte: &DataFrame,
    paramcd: &str,
    by: Option<&str>,
) -> anyhow::Result<Option<TteAnalysis>> {
    let input = tte_input(adtte, paramcd, by)?;
    if input.time.is_empty() {
        return Ok(None);
    }
    let mut data = SurvivalData::new(input.time, input.event)?;
    if let (Some(name), Some(g)) = (by, &input.group) {
        data = data.with_groups(Groups::from_strings(name, g))?;
    }
    let fit = kaplan_meier(&data, CONF_TYPE, CONF_LEVEL)?;
    let marks = landmark_days();
    let mut strata = Vec::with_capacity(fit.strata.len());
    for curve in &fit.strata {
        let m = curve.median();
        let at = curve.at(&marks)?;
        let landmarks = LANDMARK_MONTHS
            .iter()
            .enumerate()
            .map(|(i, months)| Landmark {
                months: *months,
                days: marks[i],
                n_risk: at.n_risk[i],
                surv: finite(at.surv[i]),
                lower: finite(at.lower[i]),
                upper: finite(at.upper[i]),
            })
            .collect();
        strata.push(TteStratum {
            stratum: curve.stratum.clone(),
            label: stratum_label(&curve.stratum),
            n: curve.n,
            events: curve.events,
            median_days: m.estimate,
            median_lower_days: m.lower,
            median_upper_days: m.upper,
            landmarks,
        });
    }
    let (chisq, df, p) = if by.is_some() {
        match log_rank(&data, 0.0) {
            Ok(t) => (finite(t.chisq), Some(t.df), finite(t.p)),
            Err(StatsError::OneGroup { .. }) => (None, None, None),
            Err(e) => return Err(e.into()),
        }
    } else {
        (None, None, None)
    };
    Ok(Some(TteAnalysis {
        paramcd: paramcd.to_owned(),
        by: by.unwrap_or("overall").to_owned(),
        strata,
        log_rank_chisq: chisq,
        log_rank_df: df,
        log_rank_p: p,
    }))
}

/// Median follow-up by reverse Kaplan-Meier on OS.
pub fn follow_up(adtte: &DataFrame) -> anyhow::Result<FollowUpSummary> {
    let input = tte_input(adtte, "OS", None)?;
    if input.time.is_empty() {
        return Ok(FollowUpSummary {
            median_days: None,
            lower_days: None,
            upper_days: None,
            median_months: None,
        });
    }
    let data = SurvivalData::new(input.time, input.event)?;
    let fu = median_follow_up(&data, CONF_TYPE, CONF_LEVEL)?;
    let m = fu.first().map(|f| f.median);
    Ok(FollowUpSummary {
        median_days: m.and_then(|m| m.estimate),
        lower_days: m.and_then(|m| m.lower),
        upper_days: m.and_then(|m| m.upper),
        median_months: m.and_then(|m| m.estimate).map(|d| d / MONTH_DAYS),
    })
}

/// Cumulative incidence of relapse and NRM (Aalen-Johansen, from the `CIR` rows: `CRCAUSE`
/// carries the cause) overall or by `by`, with Gray's test.
pub fn competing(adtte: &DataFrame, by: Option<&str>) -> anyhow::Result<Option<CompetingAnalysis>> {
    let input = tte_input(adtte, "CIR", by)?;
    if input.time.is_empty() {
        return Ok(None);
    }
    let mut data = CompetingRisksData::new(
        input.time,
        input.cause.clone(),
        vec!["RELAPSE".to_owned(), "NRM".to_owned()],
    )?;
    if let (Some(name), Some(g)) = (by, &input.group) {
        data = data.with_groups(Groups::from_strings(name, g))?;
    }
    let fit = cumulative_incidence(&data, CONF_TYPE, CONF_LEVEL)?;
    let marks = landmark_days();
    let codes: Option<Vec<u32>> = data.groups().map(|g| g.codes().to_vec());
    let mut strata = Vec::new();
    for (si, s) in fit.strata.iter().enumerate() {
        let at = s.at(&marks)?;
        let point = |k: usize| -> Vec<CifPoint> {
            at.causes
                .get(k)
                .map(|c| {
                    LANDMARK_MONTHS
                        .iter()
                        .enumerate()
                        .map(|(i, months)| CifPoint {
                            months: *months,
                            days: marks[i],
                            cif: finite(c.cif[i]),
                            lower: finite(c.lower[i]),
                            upper: finite(c.upper[i]),
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let in_stratum = |row: usize| codes.as_ref().is_none_or(|c| c[row] as usize == si);
        let count = |k: u32| {
            input
                .cause
                .iter()
                .enumerate()
                .filter(|(row, c)| **c == k && in_stratum(*row))
                .count() as u64
        };
        strata.push(CompetingStratum {
            stratum: s.stratum.clone(),
            label: stratum_label(&s.stratum),
            n: s.n,
            relapse_events: count(1),
            nrm_events: count(2),
            relapse: point(0),
            nrm: point(1),
        });
    }
    let (p_rel, p_nrm) = if by.is_some() {
        match gray_test(&data, 0.0) {
            Ok(tests) => (
                tests.first().and_then(|t| finite(t.p)),
                tests.get(1).and_then(|t| finite(t.p)),
            ),
            Err(StatsError::OneGroup { .. }) => (None, None),
            Err(e) => return Err(e.into()),
        }
    } else {
        (None, None)
    };
    Ok(Some(CompetingAnalysis {
        by: by.unwrap_or("overall").to_owned(),
        strata,
        gray_p_relapse: p_rel,
        gray_p_nrm: p_nrm,
    }))
}

/// ORR and CR rate with Clopper-Pearson intervals from ADRS, overall or by `by`.
pub fn response(adrs: &DataFrame, by: Option<&str>) -> anyhow::Result<ResponseAnalysis> {
    let key = match by {
        Some(b) => col(b),
        None => lit("all"),
    };
    let df = adrs
        .clone()
        .lazy()
        .group_by([key.alias("level")])
        .agg([
            len().alias("n"),
            col("RSPFL").cast(DataType::UInt32).sum().alias("x_orr"),
            col("CRFL").cast(DataType::UInt32).sum().alias("x_cr"),
        ])
        .sort(["level"], SortMultipleOptions::default())
        .collect()?;
    let mut rows = Vec::new();
    let var = by.map_or(GroupVar::Verbatim, GroupVar::of_column);
    let levels = df.column("level")?.str()?;
    let n = df.column("n")?.cast(&DataType::UInt64)?;
    let n = n.u64()?;
    let xo = df.column("x_orr")?.cast(&DataType::UInt64)?;
    let xo = xo.u64()?;
    let xc = df.column("x_cr")?.cast(&DataType::UInt64)?;
    let xc = xc.u64()?;
    for i in 0..df.height() {
        let ni = n.get(i).unwrap_or(0);
        if ni == 0 {
            continue;
        }
        let level = levels.get(i).unwrap_or("");
        rows.push(RateRow {
            label: if by.is_some() {
                var.label(level)
            } else {
                "All patients".to_owned()
            },
            level: level.to_owned(),
            n: ni,
            orr: clopper_pearson(xo.get(i).unwrap_or(0), ni, CONF_LEVEL)?,
            cr: clopper_pearson(xc.get(i).unwrap_or(0), ni, CONF_LEVEL)?,
        });
    }
    Ok(ResponseAnalysis {
        by: by.unwrap_or("overall").to_owned(),
        rows,
    })
}

/// Counts of `column` in `df`, sorted by level.
pub fn counts(df: &DataFrame, column: &str) -> PolarsResult<Vec<Count>> {
    let out = df
        .clone()
        .lazy()
        .group_by([col(column).cast(DataType::String).alias("level")])
        .agg([len().alias("n")])
        .sort(["level"], SortMultipleOptions::default())
        .collect()?;
    let levels = out.column("level")?.str()?;
    let n = out.column("n")?.cast(&DataType::UInt64)?;
    let n = n.u64()?;
    let var = GroupVar::of_column(column);
    Ok((0..out.height())
        .map(|i| Count {
            level: levels.get(i).unwrap_or("").to_owned(),
            label: var.label(levels.get(i).unwrap_or("")),
            n: n.get(i).unwrap_or(0),
        })
        .collect())
}

fn median_range(mut v: Vec<f64>) -> MedianRange {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / 2.0),
    };
    MedianRange {
        n: n as u64,
        median,
        min: v.first().copied(),
        max: v.last().copied(),
    }
}

/// CRS or ICANS: any grade and grade >= 3 (maximum per patient) by product, onset and duration.
pub fn toxicity(set: &DataFrame, reg: &Registry, kind: &str) -> anyhow::Result<ToxicitySummary> {
    let events = reg
        .toxicities
        .clone()
        .lazy()
        .filter(col("toxicity_type").eq(lit(kind)))
        .join(
            set.clone().lazy().select([col("patient_id"), col("day0")]),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(days("onset_date").gt_eq(days("day0")))
        .collect()?;
    let per_patient = events.clone().lazy().group_by([col("patient_id")]).agg([
        col("grade").max().alias("max_grade"),
        (days("onset_date") - days("day0")).min().alias("onset_day"),
    ]);
    let joined = set
        .clone()
        .lazy()
        .select([col("patient_id"), col("product")])
        .join(
            per_patient,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("max_grade")
                .gt_eq(lit(1))
                .fill_null(lit(false))
                .alias("any"),
            col("max_grade")
                .gt_eq(lit(3))
                .fill_null(lit(false))
                .alias("g3"),
        ]);
    let rows = |by: Expr| -> anyhow::Result<Vec<ToxicityRow>> {
        let df = joined
            .clone()
            .group_by([by.alias("level")])
            .agg([
                len().cast(DataType::UInt64).alias("n"),
                col("any").cast(DataType::UInt64).sum().alias("x_any"),
                col("g3").cast(DataType::UInt64).sum().alias("x_g3"),
            ])
            .sort(["level"], SortMultipleOptions::default())
            .collect()?;
        let levels = df.column("level")?.str()?;
        let n = df.column("n")?.u64()?;
        let xa = df.column("x_any")?.u64()?;
        let xg = df.column("x_g3")?.u64()?;
        let mut out = Vec::new();
        for i in 0..df.height() {
            let ni = n.get(i).unwrap_or(0);
            if ni == 0 {
                continue;
            }
            let level = levels.get(i).unwrap_or("");
            out.push(ToxicityRow {
                label: if level == "all" {
                    "All patients".to_owned()
                } else {
                    GroupVar::Product.label(level)
                },
                product: level.to_owned(),
                n: ni,
                any_grade: clopper_pearson(xa.get(i).unwrap_or(0), ni, CONF_LEVEL)?,
                grade3plus: clopper_pearson(xg.get(i).unwrap_or(0), ni, CONF_LEVEL)?,
            });
        }
        Ok(out)
    };
    let overall = rows(lit("all"))?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no infused patients for the {kind} table"))?;
    let by_product = rows(col("product"))?;
    let onset: Vec<f64> = joined
        .clone()
        .filter(col("onset_day").is_not_null())
        .select([col("onset_day").cast(DataType::Float64)])
        .collect()?
        .column("onset_day")?
        .f64()?
        .iter()
        .flatten()
        .collect();
    let duration: Vec<f64> = events
        .lazy()
        .filter(col("resolution_date").is_not_null())
        .select([(days("resolution_date") - days("onset_date") + lit(1))
            .cast(DataType::Float64)
            .alias("d")])
        .collect()?
        .column("d")?
        .f64()?
        .iter()
        .flatten()
        .collect();
    Ok(ToxicitySummary {
        toxicity: kind.to_owned(),
        overall,
        by_product,
        onset_day: median_range(onset),
        duration_days: median_range(duration),
    })
}

/// Infection periods in days after Day 0 (inclusive bounds; the last is open).
pub const PERIODS: [(&str, i32, i32); 4] = [
    ("0-28", 0, 28),
    ("29-90", 29, 90),
    ("91-365", 91, 365),
    (">365", 366, i32::MAX),
];

fn period_of(day: Expr) -> Expr {
    when(day.clone().lt_eq(lit(28)))
        .then(lit("0-28"))
        .when(day.clone().lt_eq(lit(90)))
        .then(lit("29-90"))
        .when(day.lt_eq(lit(365)))
        .then(lit("91-365"))
        .otherwise(lit(">365"))
}

/// Infection density per 100 patient-days at risk by period (Hill et al. 2018): days at risk in
/// `[a, b]` are `min(b, T) - a + 1` for a patient followed to day `T` (end of follow-up), 0 if
/// `T < a`; infections dated in the period and on or before `T` count.
pub fn infections(set: &DataFrame, reg: &Registry) -> anyhow::Result<Infections> {
    let t_end = (days("end_fu") - days("day0")).alias("t_end");
    let follow = set
        .clone()
        .lazy()
        .select([col("patient_id"), col("day0"), t_end]);
    let mut risk = Vec::new();
    for (name, a, b) in PERIODS {
        let df = follow
            .clone()
            .filter(col("t_end").gt_eq(lit(a)))
            .select([
                len().cast(DataType::UInt64).alias("n"),
                ((when(col("t_end").gt(lit(b)))
                    .then(lit(b))
                    .otherwise(col("t_end"))
                    - lit(a)
                    + lit(1))
                .cast(DataType::Int64))
                .sum()
                .alias("d"),
            ])
            .collect()?;
        let n = df.column("n")?.u64()?.get(0).unwrap_or(0);
        let d = df.column("d")?.i64()?.get(0).unwrap_or(0);
        risk.push((name, n, u64::try_from(d).unwrap_or(0)));
    }
    let inf = reg
        .infections
        .clone()
        .lazy()
        .join(
            follow,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column((days("diagnosis_date") - days("day0")).alias("day"))
        .filter(col("day").gt_eq(lit(0)).and(col("day").lt_eq(col("t_end"))))
        .with_column(period_of(col("day")).alias("period"));
    let by_class = inf
        .clone()
        .group_by([col("period"), col("organism_class")])
        .agg([len().cast(DataType::UInt64).alias("k")])
        .sort(["period", "organism_class"], SortMultipleOptions::default())
        .collect()?;
    let by_period = inf
        .group_by([col("period")])
        .agg([len().cast(DataType::UInt64).alias("k")])
        .collect()?;
    let count_in = |p: &str| -> anyhow::Result<u64> {
        let periods = by_period.column("period")?.str()?;
        let k = by_period.column("k")?.u64()?;
        Ok((0..by_period.height())
            .find(|&i| periods.get(i) == Some(p))
            .and_then(|i| k.get(i))
            .unwrap_or(0))
    };
    let density = |k: u64, d: u64| (d > 0).then(|| 100.0 * k as f64 / d as f64);
    let mut rows = Vec::new();
    for (name, n, d) in &risk {
        let k = count_in(name)?;
        rows.push(DensityRow {
            period: (*name).to_owned(),
            patients_at_risk: *n,
            patient_days: *d,
            infections: k,
            per_100_patient_days: density(k, *d),
        });
    }
    let mut class_rows = Vec::new();
    let periods = by_class.column("period")?.str()?;
    let classes = by_class.column("organism_class")?.str()?;
    let k = by_class.column("k")?.u64()?;
    for (name, _, d) in &risk {
        for i in 0..by_class.height() {
            if periods.get(i) == Some(name) {
                let ki = k.get(i).unwrap_or(0);
                let class = classes.get(i).unwrap_or("");
                class_rows.push(ClassDensityRow {
                    period: (*name).to_owned(),
                    organism_class: class.to_owned(),
                    organism_class_label: GroupVar::OrganismClass.label(class),
                    infections: ki,
                    per_100_patient_days: density(ki, *d),
                });
            }
        }
    }
    Ok(Infections {
        by_period: rows,
        by_period_and_class: class_rows,
    })
}

/// Timepoints of the immune-recovery tables: (label, target day); a sample counts for a
/// timepoint when it is within [`WINDOW_DAYS`] of the target (the closest, earlier on ties).
pub const TIMEPOINTS: [(&str, i32); 4] = [("M3", 91), ("M6", 183), ("M12", 365), ("M24", 730)];
/// Half-width of a timepoint's window, days.
pub const WINDOW_DAYS: i32 = 30;

/// The sample closest to `target` (earlier on ties) of each patient with one within
/// [`WINDOW_DAYS`] of it; `samples` has `patient_id` and `day`.
fn closest_sample(samples: LazyFrame, target: i32) -> LazyFrame {
    samples
        .filter(
            col("day")
                .gt_eq(lit(target - WINDOW_DAYS))
                .and(col("day").lt_eq(lit(target + WINDOW_DAYS))),
        )
        .with_column(
            when(col("day").gt_eq(lit(target)))
                .then(col("day") - lit(target))
                .otherwise(lit(target) - col("day"))
                .alias("dist"),
        )
        .sort_by_exprs(
            [col("patient_id"), col("dist"), col("day")],
            SortMultipleOptions::default(),
        )
        .unique_stable_generic(Some(vec![col("patient_id")]), UniqueKeepStrategy::First)
}

/// Per timepoint: among patients with a sample (from `samples`: `patient_id`, `day`, `flag`) in
/// the window, how many have `flag` on the closest sample.
fn share_at(samples: LazyFrame) -> anyhow::Result<Vec<TimepointShare>> {
    let mut out = Vec::new();
    for (label, target) in TIMEPOINTS {
        let df = closest_sample(samples.clone(), target)
            .select([
                len().cast(DataType::UInt64).alias("n"),
                col("flag").cast(DataType::UInt64).sum().alias("x"),
            ])
            .collect()?;
        let n = df.column("n")?.u64()?.get(0).unwrap_or(0);
        let x = df.column("x")?.u64()?.get(0).unwrap_or(0);
        out.push(timepoint_share(label, target, x, n)?);
    }
    Ok(out)
}

/// `x` of `n` at the timepoint `label` (day `target`), with its Clopper-Pearson interval at
/// [`CONF_LEVEL`] (none when `n` is 0).
fn timepoint_share(label: &str, target: i32, x: u64, n: u64) -> anyhow::Result<TimepointShare> {
    let interval = if n > 0 {
        Some(clopper_pearson(x, n, CONF_LEVEL)?)
    } else {
        None
    };
    Ok(TimepointShare {
        timepoint: label.to_owned(),
        day: target,
        n,
        x,
        share: interval.map(|i| i.estimate),
        lower: interval.map(|i| i.lower),
        upper: interval.map(|i| i.upper),
    })
}

/// Per timepoint: the median `value` of the patients' closest samples.
fn median_at(samples: LazyFrame) -> anyhow::Result<Vec<TimepointMedian>> {
    let mut out = Vec::new();
    for (label, target) in TIMEPOINTS {
        let values: Vec<f64> = closest_sample(samples.clone(), target)
            .select([col("value").cast(DataType::Float64)])
            .collect()?
            .column("value")?
            .f64()?
            .iter()
            .flatten()
            .collect();
        let m = median_range(values);
        out.push(TimepointMedian {
            timepoint: label.to_owned(),
            day: target,
            n: m.n,
            median: m.median,
        });
    }
    Ok(out)
}

/// Native IgG samples after Day 0 of the analysis set: `patient_id`, `day` (since Day 0),
/// `value` (mg/dL) and `flag` (below 400 mg/dL). Not native, so left out: a sample flagged as
/// within 30 days after IVIG, or one during an immunoglobulin course or within 30 days after
/// its stop (an ongoing course is open-ended).
pub fn native_igg(set: &DataFrame, reg: &Registry) -> LazyFrame {
    let cutoff_guard = lit(i32::MAX);
    let igg = reg
        .labs
        .clone()
        .lazy()
        .filter(
            col("analyte")
                .eq(lit("IGG"))
                .and(col("value").is_not_null()),
        )
        .with_row_index("sample_id", None);
    let affected =
        igg.clone()
            .join(
                reg.ig_courses.clone().lazy(),
                [col("patient_id")],
                [col("patient_id")],
                JoinArgs::new(JoinType::Inner),
            )
            .filter(days("sample_date").gt_eq(days("start_date")).and(
                days("sample_date").lt_eq((days("stop_date") + lit(30)).fill_null(cutoff_guard)),
            ))
            .select([col("sample_id"), lit(true).alias("during_ig")])
            .unique_stable_generic(Some(vec![col("sample_id")]), UniqueKeepStrategy::First);
    let native = igg
        .join(
            affected,
            [col("sample_id")],
            [col("sample_id")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(col("ivig_flag").not().and(col("during_ig").is_null()));
    sample_days(native, set).select([
        col("patient_id"),
        col("day"),
        col("value"),
        col("value").lt(lit(400.0)).alias("flag"),
    ])
}

/// `samples` (`patient_id`, `sample_date`) of the analysis set's patients only, with `day`:
/// the days from the patient's Day 0 to the sample.
fn sample_days(samples: LazyFrame, set: &DataFrame) -> LazyFrame {
    samples
        .join(
            set.clone().lazy().select([col("patient_id"), col("day0")]),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .with_column((days("sample_date") - days("day0")).alias("day"))
}

/// The CAR transgene by PCR (qPCR, ddPCR) after Day 0 of the analysis set: `patient_id`, `day`
/// (since Day 0) and `value` in copies/µg genomic DNA, 0 for a test that did not detect it or
/// detected it below the LLOQ (not quantifiable: below every quantified value). Tests without
/// a result, and quantities in other units, are left out.
pub fn transgene_copies(set: &DataFrame, reg: &Registry) -> LazyFrame {
    let tests = reg
        .persistence
        .clone()
        .lazy()
        .filter(col("pcr").and(col("detected").is_not_null()))
        .with_column(
            when(col("detected").not().or(col("below_lloq")))
                .then(lit(0.0))
                .otherwise(col("copies_per_ug_dna"))
                .alias("value"),
        )
        .filter(col("value").is_not_null());
    sample_days(tests, set).select([col("patient_id"), col("day"), col("value")])
}

/// IgG < 400 mg/dL among native samples ([`native_igg`]) and their median, immunoglobulin
/// replacement at each timepoint among patients followed to it, CAR-T persistence (share
/// detectable), and the B-cell aplasia and persistence-loss Kaplan-Meier analyses of ADTTE
/// (`BCAPL`, `PERSLOSS`; overall and by product).
pub fn immune(
    set: &DataFrame,
    reg: &Registry,
    adtte: &DataFrame,
) -> anyhow::Result<ImmuneRecovery> {
    let day0 = set
        .clone()
        .lazy()
        .select([col("patient_id"), col("day0"), col("end_fu")]);
    // Collected once: eight timepoint queries read it.
    let native = native_igg(set, reg).collect()?.lazy();
    let igg_median_mg_dl = median_at(native.clone())?;
    let igg_below_400 = share_at(native)?;

    let mut ig_replacement = Vec::new();
    for (label, target) in TIMEPOINTS {
        let followed = day0
            .clone()
            .filter((days("end_fu") - days("day0")).gt_eq(lit(target)));
        let n = followed
            .clone()
            .select([len().cast(DataType::UInt64).alias("n")])
            .collect()?
            .column("n")?
            .u64()?
            .get(0)
            .unwrap_or(0);
        let x = followed
            .join(
                reg.ig_courses.clone().lazy(),
                [col("patient_id")],
                [col("patient_id")],
                JoinArgs::new(JoinType::Inner),
            )
            .with_column((days("day0") + lit(target)).alias("tday"))
            .filter(
                days("start_date")
                    .lt_eq(col("tday"))
                    .and(days("stop_date").gt_eq(col("tday")).fill_null(lit(true))),
            )
            .select([col("patient_id")
                .n_unique()
                .cast(DataType::UInt64)
                .alias("x")])
            .collect()?
            .column("x")?
            .u64()?
            .get(0)
            .unwrap_or(0);
        ig_replacement.push(timepoint_share(label, target, x, n)?);
    }

    let tested = reg
        .persistence
        .clone()
        .lazy()
        .filter(col("detected").is_not_null());
    let pers = sample_days(tested, set).select([
        col("patient_id"),
        col("day"),
        col("detected").alias("flag"),
    ]);
    let persistence_detectable = share_at(pers)?;
    let transgene_median_copies_per_ug = median_at(transgene_copies(set, reg))?;
    let mut b_cell_aplasia = Vec::new();
    let mut persistence_loss = Vec::new();
    for by in [None, Some("PRODUCT")] {
        b_cell_aplasia.extend(tte_analysis(adtte, "BCAPL", by)?);
        persistence_loss.extend(tte_analysis(adtte, "PERSLOSS", by)?);
    }
    Ok(ImmuneRecovery {
        igg_below_400,
        ig_replacement,
        persistence_detectable,
        igg_median_mg_dl,
        transgene_median_copies_per_ug,
        b_cell_recovery_threshold_per_ul: super::immune::B_CELL_RECOVERY_PER_UL,
        b_cell_aplasia,
        persistence_loss,
    })
}

/// New malignancies after Day 0 (patients with any; T-cell malignancies apart) and by type.
pub fn malignancies(set: &DataFrame, reg: &Registry) -> anyhow::Result<Malignancies> {
    let m = reg
        .malignancies
        .clone()
        .lazy()
        .join(
            set.clone().lazy().select([col("patient_id"), col("day0")]),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(days("diagnosis_date").gt_eq(days("day0")))
        .collect()?;
    let agg = m
        .clone()
        .lazy()
        .select([
            col("patient_id")
                .n_unique()
                .cast(DataType::UInt64)
                .alias("any"),
            col("patient_id")
                .filter(col("t_cell"))
                .n_unique()
                .cast(DataType::UInt64)
                .alias("t"),
        ])
        .collect()?;
    Ok(Malignancies {
        patients_any: agg.column("any")?.u64()?.get(0).unwrap_or(0),
        patients_t_cell: agg.column("t")?.u64()?.get(0).unwrap_or(0),
        by_type: counts(&m, "malignancy_type")?,
    })
}

/// Deaths among analysed patients, by primary cause.
pub fn deaths(set: &DataFrame) -> anyhow::Result<Deaths> {
    let dead = set
        .clone()
        .lazy()
        .filter(col("death_date").is_not_null())
        .collect()?;
    Ok(Deaths {
        total: dead.height() as u64,
        by_cause: counts(&dead, "death_cause")?,
    })
}
