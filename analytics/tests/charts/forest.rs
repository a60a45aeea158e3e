//! Forest plot.

use analytics::charts::Theme;
use analytics::charts::forest::{
    ForestChart, ForestRow, ForestRowKind, ForestScale, draw_forest, suggested_height_mm,
};
use analytics::charts::render::render;

use crate::fixtures::{self, STAMP};

fn item(label: &str, events: u32, n: u32, lo: f64, hi: f64) -> ForestRow {
    ForestRow {
        label: label.to_owned(),
        kind: ForestRowKind::Item,
        n: Some(n),
        events: Some(events),
        estimate: Some(f64::from(events) / f64::from(n)),
        lower: Some(lo),
        upper: Some(hi),
    }
}

fn header(label: &str) -> ForestRow {
    ForestRow {
        label: label.to_owned(),
        kind: ForestRowKind::Header,
        ..ForestRow::default()
    }
}

pub fn orr() -> ForestChart {
    ForestChart {
        rows: vec![
            ForestRow {
                kind: ForestRowKind::Overall,
                ..item("All patients", 212, 260, 0.763, 0.861)
            },
            header("Disease"),
            item("LBCL", 98, 120, 0.735, 0.882),
            item("B-ALL", 52, 60, 0.754, 0.941),
            item("Multiple myeloma", 62, 80, 0.668, 0.861),
            header("Product"),
            item("Axi-cel", 70, 84, 0.736, 0.914),
            item("Tisa-cel", 60, 78, 0.660, 0.862),
            item("Cilta-cel", 47, 52, 0.789, 0.968),
            item("Ide-cel", 35, 46, 0.611, 0.873),
        ],
        scale: ForestScale::Percent,
        x_label: "Overall response rate (%)".to_owned(),
        reference: Some(212.0 / 260.0),
        label_header: "Subgroup".to_owned(),
        n_header: "Responders/n".to_owned(),
        value_header: "ORR, % (95% CI)".to_owned(),
        ..ForestChart::default()
    }
}

#[test]
fn orr_forest_has_columns_and_values() {
    let chart = orr();
    let rows = chart.rows.len();
    let theme = Theme::single_column(suggested_height_mm(&Theme::single_column(0.0), rows));
    let out = render(&theme, Some(STAMP), |a| draw_forest(a, &theme, &chart)).unwrap();
    fixtures::save("forest_orr", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &[
            "Subgroup",
            "Responders/n",
            "ORR, % (95% CI)",
            "Disease",
            "98/120",
            "82 (74\u{2013}88)",
            "Overall response rate (%)",
            "50",
        ],
    );
}

#[test]
fn hazard_ratio_forest_on_log_scale() {
    let hr = |label: &str, n: u32, e: f64, lo: f64, hi: f64| ForestRow {
        label: label.to_owned(),
        n: Some(n),
        estimate: Some(e),
        lower: Some(lo),
        upper: Some(hi),
        ..ForestRow::default()
    };
    let chart = ForestChart {
        rows: vec![
            header("Age"),
            hr("\u{2265}65 vs <65 years", 260, 1.21, 0.84, 1.74),
            header("Bridging therapy"),
            hr("Yes vs no", 260, 1.65, 1.10, 2.48),
            hr("LDH > ULN", 255, 2.10, 1.40, 3.15),
            hr("Very wide", 40, 0.9, 0.05, 9.0),
        ],
        scale: ForestScale::LogRatio,
        x_label: "Hazard ratio for death (95% CI)".to_owned(),
        reference: Some(1.0),
        label_header: "Variable".to_owned(),
        n_header: "n".to_owned(),
        value_header: "HR (95% CI)".to_owned(),
        ..ForestChart::default()
    };
    let theme = Theme::single_column(suggested_height_mm(
        &Theme::single_column(0.0),
        chart.rows.len(),
    ));
    let out = render(&theme, Some(STAMP), |a| draw_forest(a, &theme, &chart)).unwrap();
    fixtures::save("forest_hr", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &["1.65 (1.10\u{2013}2.48)", "0.25", "4", "HR (95% CI)"],
    );
}

#[test]
fn empty_forest_does_not_panic() {
    let theme = Theme::single_column(40.0);
    render(&theme, None, |a| {
        draw_forest(a, &theme, &ForestChart::default())
    })
    .unwrap();
    let missing = ForestChart {
        rows: vec![
            header("Only a header"),
            ForestRow {
                label: "n/a".to_owned(),
                ..ForestRow::default()
            },
        ],
        ..ForestChart::default()
    };
    render(&theme, None, |a| draw_forest(a, &theme, &missing)).unwrap();
}
