//! `index.html`: one self-contained page (inline CSS, charts as inline SVG, no scripts, no
//! external links) built from [`Summary`]. Every text value goes through [`esc`]; the stamp is
//! in the header and footer of the page and in each chart's footer.

use std::fmt::Write as _;

use super::figures::ChartFile;
use super::summary::*;
use super::{ReportConfig, Section};

/// HTML-escapes text.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn pct(v: f64) -> String {
    format!("{:.1}", v * 100.0)
}

fn opt_pct(v: Option<f64>) -> String {
    v.map_or_else(|| "NR".to_owned(), pct)
}

fn months(v: Option<f64>) -> String {
    v.map_or_else(|| "NR".to_owned(), |d| format!("{:.1}", d / MONTH_DAYS))
}

fn p(v: Option<f64>) -> String {
    match v {
        None => "–".to_owned(),
        Some(p) if p < 0.001 => "&lt;0.001".to_owned(),
        Some(p) => format!("{p:.3}"),
    }
}

fn table(out: &mut String, head: &[&str], rows: &[Vec<String>]) {
    out.push_str("<table><thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str("<tr>");
        for c in r {
            // Cells are pre-escaped by the callers (numbers, or esc()'d text).
            let _ = write!(out, "<td>{c}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

fn counts(out: &mut String, title: &str, c: &[Count]) {
    let _ = write!(out, "<h3>{}</h3>", esc(title));
    let rows: Vec<Vec<String>> = c
        .iter()
        .map(|x| vec![esc(&x.label), x.n.to_string()])
        .collect();
    table(out, &["", "N"], &rows);
}

fn figure(out: &mut String, charts: &[ChartFile], name: &str) {
    if let Some(c) = charts.iter().find(|c| c.name == name) {
        let svg = c.svg.find("<svg").map_or(c.svg.as_str(), |i| &c.svg[i..]);
        let _ = writeln!(
            out,
            "<figure>{svg}<figcaption>{} (charts/{}.svg, .png, .pdf)</figcaption></figure>",
            esc(&c.caption),
            esc(&c.name)
        );
    }
}

/// The heading of a stratifier: `DISEASE` -> "By disease".
fn by_title(by: &str) -> &'static str {
    match by {
        "DISEASE" => "By disease",
        "PRODUCT" => "By product",
        "ANTIGEN" => "By target antigen",
        "SITE" => "By site",
        _ => "All patients",
    }
}

/// The name of an ADTTE parameter in headings.
fn param_title(paramcd: &str) -> &str {
    match paramcd {
        "OS" => "Overall survival",
        "PFS" => "Progression-free survival",
        "EFS" => "Event-free survival (B-ALL)",
        "DOR" => "Duration of response",
        "BCAPL" => "B-cell aplasia duration",
        "PERSLOSS" => "Time to loss of CAR-T persistence",
        other => other,
    }
}

/// One Kaplan-Meier analysis: median and landmark rates per stratum, and the log-rank p.
fn tte_table(o: &mut String, a: &TteAnalysis) {
    let _ = write!(
        o,
        "<h3>{} ({}): {}</h3>",
        esc(param_title(&a.paramcd)),
        esc(&a.paramcd),
        esc(by_title(&a.by))
    );
    let rows: Vec<Vec<String>> = a
        .strata
        .iter()
        .map(|st| {
            let mut r = vec![
                esc(&st.label),
                st.n.to_string(),
                st.events.to_string(),
                format!(
                    "{} ({}–{})",
                    months(st.median_days),
                    months(st.median_lower_days),
                    months(st.median_upper_days)
                ),
            ];
            for l in &st.landmarks {
                r.push(format!(
                    "{} ({}–{})",
                    opt_pct(l.surv),
                    opt_pct(l.lower),
                    opt_pct(l.upper)
                ));
            }
            r
        })
        .collect();
    table(
        o,
        &[
            "Stratum",
            "N",
            "Events",
            "Median, months (95% CI)",
            "6 mo %",
            "12 mo %",
            "24 mo %",
        ],
        &rows,
    );
    if a.by != "overall" {
        let _ = writeln!(o, "<p>Log-rank p = {}</p>", p(a.log_rank_p));
    }
}

/// The whole page.
pub fn page(
    config: &ReportConfig,
    s: &Summary,
    methods: &[String],
    charts: &[ChartFile],
    stamp: &str,
) -> String {
    let mut o = String::with_capacity(1 << 20);
    let _ = writeln!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>CAR-T registry report, cut-off {}</title>\n<style>body{{font-family:'DejaVu Sans',Arial,sans-serif;max-width:190mm;margin:auto;font-size:10pt}}table{{border-collapse:collapse;margin:0.5em 0}}td,th{{border:1px solid #bbb;padding:2px 6px;text-align:right}}td:first-child,th:first-child{{text-align:left}}figure{{margin:1em 0}}figure svg{{width:100%;height:auto}}.stamp{{color:#555;font-size:8pt}}</style></head><body>",
        esc(&s.cutoff)
    );
    let _ = writeln!(
        o,
        "<p class=\"stamp\">{}</p>\n<h1>CAR-T long-term follow-up: nightly report</h1>",
        esc(stamp)
    );
    let c = &s.cohort;
    let _ = writeln!(
        o,
        "<p>{} patients registered, {} infused on or before the cut-off, {} analysed. Median follow-up (reverse Kaplan-Meier): {} months.</p>",
        c.registered,
        c.infused,
        c.analysed,
        months(s.follow_up.median_days)
    );
    if config.wants(Section::Cohort) {
        o.push_str("<h2>Cohort</h2>\n");
        counts(&mut o, "By disease", &c.by_disease);
        counts(&mut o, "By product", &c.by_product);
        counts(&mut o, "By target antigen", &c.by_antigen);
        counts(&mut o, "By site", &c.by_site);
        counts(&mut o, "By year of infusion", &c.by_infusion_year);
    }
    if config.wants(Section::Survival) {
        o.push_str("<h2>Time-to-event endpoints</h2>\n");
        for a in &s.time_to_event {
            tte_table(&mut o, a);
        }
        for name in [
            "km_os",
            "km_os_by_disease",
            "km_os_by_product",
            "km_os_by_antigen",
            "km_pfs_by_disease",
            "km_pfs_by_product",
            "km_pfs_by_antigen",
            "km_efs",
            "km_dor_by_disease",
        ] {
            figure(&mut o, charts, name);
        }
    }
    if config.wants(Section::Competing) {
        o.push_str("<h2>Relapse and non-relapse mortality (competing risks)</h2>\n");
        for a in &s.competing_risks {
            let _ = write!(o, "<h3>{}</h3>", esc(by_title(&a.by)));
            let rows: Vec<Vec<String>> = a
                .strata
                .iter()
                .map(|st| {
                    let mut r = vec![
                        esc(&st.label),
                        st.n.to_string(),
                        st.relapse_events.to_string(),
                        st.nrm_events.to_string(),
                    ];
                    for (x, y) in st.relapse.iter().zip(&st.nrm) {
                        r.push(format!("{} / {}", opt_pct(x.cif), opt_pct(y.cif)));
                    }
                    r
                })
                .collect();
            table(
                &mut o,
                &[
                    "Stratum",
                    "N",
                    "Relapses",
                    "NRM deaths",
                    "6 mo CIR/NRM %",
                    "12 mo",
                    "24 mo",
                ],
                &rows,
            );
            if a.by != "overall" {
                let _ = writeln!(
                    o,
                    "<p>Gray's test p: relapse {}, NRM {}</p>",
                    p(a.gray_p_relapse),
                    p(a.gray_p_nrm)
                );
            }
        }
        for name in [
            "cuminc_relapse_nrm",
            "cuminc_relapse_by_disease",
            "cuminc_nrm_by_disease",
        ] {
            figure(&mut o, charts, name);
        }
    }
    if config.wants(Section::Response) {
        o.push_str("<h2>Best overall response</h2>\n");
        for a in &s.response {
            let _ = write!(o, "<h3>{}</h3>", esc(by_title(&a.by)));
            let rows: Vec<Vec<String>> = a
                .rows
                .iter()
                .map(|r| {
                    vec![
                        esc(&r.label),
                        r.n.to_string(),
                        format!(
                            "{} ({}–{})",
                            pct(r.orr.estimate),
                            pct(r.orr.lower),
                            pct(r.orr.upper)
                        ),
                        format!(
                            "{} ({}–{})",
                            pct(r.cr.estimate),
                            pct(r.cr.lower),
                            pct(r.cr.upper)
                        ),
                    ]
                })
                .collect();
            table(&mut o, &["", "N", "ORR % (95% CI)", "CR % (95% CI)"], &rows);
        }
        figure(&mut o, charts, "forest_orr_by_product");
        figure(&mut o, charts, "swimmer_responders");
    }
    if config.wants(Section::Toxicity) {
        o.push_str("<h2>CRS and ICANS</h2>\n");
        for t in &s.toxicity {
            let _ = write!(
                o,
                "<h3>{}</h3><p>Onset day median {} (range {}–{}); duration median {} days (range {}–{}).</p>",
                esc(&t.toxicity),
                t.onset_day.median.map_or("–".into(), |v| format!("{v}")),
                t.onset_day.min.map_or("–".into(), |v| format!("{v}")),
                t.onset_day.max.map_or("–".into(), |v| format!("{v}")),
                t.duration_days
                    .median
                    .map_or("–".into(), |v| format!("{v}")),
                t.duration_days.min.map_or("–".into(), |v| format!("{v}")),
                t.duration_days.max.map_or("–".into(), |v| format!("{v}")),
            );
            let rows: Vec<Vec<String>> = std::iter::once(&t.overall)
                .chain(&t.by_product)
                .map(|r| {
                    vec![
                        esc(&r.label),
                        r.n.to_string(),
                        format!(
                            "{} ({}–{})",
                            pct(r.any_grade.estimate),
                            pct(r.any_grade.lower),
                            pct(r.any_grade.upper)
                        ),
                        format!(
                            "{} ({}–{})",
                            pct(r.grade3plus.estimate),
                            pct(r.grade3plus.lower),
                            pct(r.grade3plus.upper)
                        ),
                    ]
                })
                .collect();
            table(
                &mut o,
                &[
                    "Product",
                    "N",
                    "Any grade % (95% CI)",
                    "Grade ≥3 % (95% CI)",
                ],
                &rows,
            );
        }
    }
    if config.wants(Section::Infections) {
        o.push_str("<h2>Infections</h2>\n");
        let rows: Vec<Vec<String>> = s
            .infections
            .by_period
            .iter()
            .map(|r| {
                vec![
                    esc(&r.period),
                    r.patients_at_risk.to_string(),
                    r.patient_days.to_string(),
                    r.infections.to_string(),
                    r.per_100_patient_days
                        .map_or("–".into(), |v| format!("{v:.3}")),
                ]
            })
            .collect();
        table(
            &mut o,
            &[
                "Days",
                "Patients at risk",
                "Patient-days",
                "Infections",
                "Per 100 patient-days",
            ],
            &rows,
        );
        figure(&mut o, charts, "infection_density");
    }
    if config.wants(Section::Immune) {
        o.push_str("<h2>Immune recovery and CAR-T persistence</h2>\n");
        let ir = &s.immune_recovery;
        for (title, v) in [
            ("IgG below 400 mg/dL (native IgG)", &ir.igg_below_400),
            ("On immunoglobulin replacement", &ir.ig_replacement),
            ("CAR-T detectable", &ir.persistence_detectable),
        ] {
            let _ = write!(o, "<h3>{}</h3>", esc(title));
            let rows: Vec<Vec<String>> = v
                .iter()
                .map(|r| {
                    vec![
                        esc(&r.timepoint),
                        r.x.to_string(),
                        r.n.to_string(),
                        match (r.share, r.lower, r.upper) {
                            (Some(share), Some(lower), Some(upper)) => {
                                format!("{} ({}–{})", pct(share), pct(lower), pct(upper))
                            }
                            _ => "–".to_owned(),
                        },
                    ]
                })
                .collect();
            table(&mut o, &["Timepoint", "x", "N", "% (95% CI)"], &rows);
        }
        o.push_str("<h3>Median native IgG (mg/dL)</h3>");
        let rows: Vec<Vec<String>> = ir
            .igg_median_mg_dl
            .iter()
            .map(|m| {
                vec![
                    esc(&m.timepoint),
                    m.n.to_string(),
                    m.median.map_or("–".into(), |v| format!("{v:.0}")),
                ]
            })
            .collect();
        table(&mut o, &["Timepoint", "N", "Median"], &rows);
        o.push_str(
            "<h3>Median CAR transgene (copies/µg genomic DNA; not detected or below the LLOQ \
             ranked lowest)</h3>",
        );
        let rows: Vec<Vec<String>> = ir
            .transgene_median_copies_per_ug
            .iter()
            .map(|m| {
                vec![
                    esc(&m.timepoint),
                    m.n.to_string(),
                    m.median.map_or("–".into(), |v| {
                        if v > 0.0 {
                            format!("{v:.0}")
                        } else {
                            "not quantifiable".into()
                        }
                    }),
                ]
            })
            .collect();
        table(&mut o, &["Timepoint", "N", "Median"], &rows);
        figure(&mut o, charts, "igg_over_time");
        figure(&mut o, charts, "persistence_over_time");
        figure(&mut o, charts, "persistence_kinetics");
        let _ = writeln!(
            o,
            "<p>B-cell aplasia lasts from Day 0 to the first CD19+ B-cell count at or above {} cells/µL (Kaplan-Meier; censored at the last count). Loss of persistence is the first test after a detectable one on which no test detects CAR-T cells (censored at the last test).</p>",
            ir.b_cell_recovery_threshold_per_ul
        );
        for a in ir.b_cell_aplasia.iter().chain(&ir.persistence_loss) {
            tte_table(&mut o, a);
        }
        figure(&mut o, charts, "km_b_cell_aplasia");
        figure(&mut o, charts, "km_persistence");
    }
    if config.wants(Section::Malignancies) {
        o.push_str("<h2>New malignancies</h2>\n");
        let _ = write!(
            o,
            "<p>{} patients with a new malignancy after infusion; {} with a T-cell malignancy.</p>",
            s.new_malignancies.patients_any, s.new_malignancies.patients_t_cell
        );
        counts(&mut o, "By type", &s.new_malignancies.by_type);
    }
    if config.wants(Section::Deaths) {
        o.push_str("<h2>Causes of death</h2>\n");
        let _ = write!(o, "<p>{} deaths.</p>", s.deaths.total);
        counts(&mut o, "Primary cause", &s.deaths.by_cause);
    }
    if config.wants(Section::Quality) {
        o.push_str("<h2>Data quality</h2>\n");
        let rows: Vec<Vec<String>> = s
            .data_quality
            .findings
            .iter()
            .map(|f| {
                vec![
                    esc(&f.description),
                    f.count.to_string(),
                    esc(&f.patients.join(", ")),
                ]
            })
            .collect();
        table(
            &mut o,
            &["Finding", "Patients", "Registry ids (first 50)"],
            &rows,
        );
        counts(
            &mut o,
            "Rows dated after the cut-off (not used)",
            &s.data_quality.dropped_after_cutoff,
        );
        let _ = write!(
            o,
            "<p>Codes that did not parse: {}.</p>",
            s.data_quality.unparsed_codes
        );
    }
    o.push_str("<h2>Methods</h2>\n");
    for m in methods {
        let _ = writeln!(o, "<p>{}</p>", esc(m));
    }
    let _ = writeln!(o, "<p class=\"stamp\">{}</p>\n</body></html>", esc(stamp));
    o
}
