//! Cumulative incidence (relapse vs non-relapse mortality).

use analytics::charts::cuminc::{CumIncChart, CumIncCurve, draw_cuminc};
use analytics::charts::km::{RiskGroup, suggested_height_mm};
use analytics::charts::render::render;
use analytics::charts::{RiskTable, Theme};

use crate::fixtures::{self, STAMP};

pub fn relapse_vs_nrm() -> CumIncChart {
    let (time, cause) = fixtures::competing(21, 150);
    let [mut relapse, mut nrm] = fixtures::cuminc(&time, &cause);
    relapse.label = "Relapse/progression".to_owned();
    nrm.label = "Non-relapse mortality".to_owned();
    nrm.colour = 1;
    let ticks: Vec<f64> = (0..=4).map(|i| f64::from(i) * 6.0).collect();
    let events: Vec<bool> = cause.iter().map(|c| *c != 0).collect();
    let mut table = RiskTable::from_observations(&ticks, &[("All patients", &time, &events)]);
    for g in &mut table.groups {
        g.colour = None;
        g.censored.clear();
        g.events.clear();
    }
    CumIncChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Cumulative incidence (%)".to_owned(),
        curves: vec![relapse, nrm],
        table,
        p_value: None,
        ..CumIncChart::default()
    }
}

#[test]
fn relapse_and_nrm_with_numbers_at_risk() {
    let chart = relapse_vs_nrm();
    let theme = Theme::single_column(suggested_height_mm(&Theme::single_column(0.0), 1, 1));
    let out = render(&theme, Some(STAMP), |a| draw_cuminc(a, &theme, &chart)).unwrap();
    fixtures::save("cuminc_single", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &[
            "Relapse/progression",
            "Non-relapse mortality",
            "All patients",
            "At risk",
            "150",
            "Cumulative incidence (%)",
        ],
    );
    assert!(!fixtures::texts(&out.svg).iter().any(|t| t == "Censored"));
}

#[test]
fn relapse_by_group_with_grays_p() {
    let groups = [("LBCL", 31), ("B-ALL", 32)];
    let ticks: Vec<f64> = (0..=4).map(|i| f64::from(i) * 6.0).collect();
    let mut curves = Vec::new();
    let mut rows = Vec::new();
    for (i, (label, seed)) in groups.iter().enumerate() {
        let (time, cause) = fixtures::competing(*seed, 90);
        let [mut relapse, mut nrm] = fixtures::cuminc(&time, &cause);
        relapse.label = format!("Relapse, {label}");
        relapse.colour = i;
        nrm.label = format!("NRM, {label}");
        nrm.colour = i;
        nrm.dashed = true;
        curves.extend([relapse, nrm]);
        let events: Vec<bool> = cause.iter().map(|c| *c != 0).collect();
        let t = RiskTable::from_observations(&ticks, &[(label, &time, &events)]);
        rows.extend(t.groups.into_iter().map(|g| RiskGroup {
            colour: Some(i),
            censored: vec![],
            events: vec![],
            ..g
        }));
    }
    let chart = CumIncChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Cumulative incidence (%)".to_owned(),
        curves,
        table: RiskTable {
            ticks,
            groups: rows,
        },
        p_value: Some("Gray's test p = 0.04 (relapse)".to_owned()),
        y_max: Some(1.0),
        ..CumIncChart::default()
    };
    let theme = Theme::single_column(suggested_height_mm(&Theme::single_column(0.0), 2, 1));
    let out = render(&theme, Some(STAMP), |a| draw_cuminc(a, &theme, &chart)).unwrap();
    fixtures::save("cuminc_groups", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &["Gray's test p = 0.04 (relapse)", "NRM, B-ALL", "100"],
    );
}

#[test]
fn no_events_and_empty_do_not_panic() {
    let theme = Theme::single_column(80.0);
    let flat = CumIncCurve {
        label: "Relapse".to_owned(),
        end: Some(10.0),
        ..CumIncCurve::default()
    };
    for chart in [
        CumIncChart::default(),
        CumIncChart {
            curves: vec![flat],
            ..CumIncChart::default()
        },
    ] {
        render(&theme, None, |a| draw_cuminc(a, &theme, &chart)).unwrap();
    }
}

#[test]
fn an_explicit_end_stops_the_curve_and_its_band() {
    use analytics::charts::km::last_time_at_risk;
    use analytics::charts::render::render_svg;
    // Steps every month to month 20; at risk 30 down to 11, so 10 or more until month 20
    // and, with a threshold of 20, until month 11.
    let time: Vec<f64> = (1..=20).map(f64::from).collect();
    let n_risk: Vec<f64> = (0..20).map(|k| f64::from(30 - k)).collect();
    let cif: Vec<f64> = (1..=20).map(|k| f64::from(k) * 0.02).collect();
    let curve = CumIncCurve {
        label: "Relapse".to_owned(),
        time: time.clone(),
        lower: cif.iter().map(|c| c * 0.7).collect(),
        upper: cif.iter().map(|c| c * 1.3).collect(),
        cif,
        end: last_time_at_risk(&time, &n_risk, 20),
        ..CumIncCurve::default()
    };
    assert_eq!(curve.end, Some(11.0));
    let chart = CumIncChart {
        x_label: "Months".to_owned(),
        y_label: "Cumulative incidence (%)".to_owned(),
        curves: vec![curve],
        table: RiskTable {
            ticks: vec![0.0, 6.0, 12.0, 18.0, 24.0],
            groups: vec![],
        },
        y_max: Some(0.6),
        ..CumIncChart::default()
    };
    let theme = Theme::single_column(70.0);
    let svg = render_svg(&theme, None, |a| draw_cuminc(a, &theme, &chart)).unwrap();
    let right = |tag: &str| {
        fixtures::elements(&svg, tag)
            .iter()
            .filter(|e| {
                e.get("stroke").map(String::as_str) == Some("#0072B2")
                    || e.get("fill").map(String::as_str) == Some("#0072B2")
            })
            .flat_map(fixtures::points)
            .map(|p| p.0)
            .fold(0.0, f64::max)
    };
    let (line, band) = (right("polyline"), right("polygon"));
    // Month 11 of 24 on the axis: between the 6 and 12 tick labels, nearer 12.
    let x_of = |label: &str| {
        fixtures::text_boxes(&svg)
            .0
            .into_iter()
            .filter(|(t, _)| t == label)
            .max_by(|a, b| a.1[1].total_cmp(&b.1[1]))
            .map(|(_, b)| (b[0] + b[2]) / 2.0)
            .unwrap()
    };
    let (x0, x24) = (x_of("0"), x_of("24"));
    let cut = x0 + (x24 - x0) * 11.0 / 24.0;
    assert!(
        (line - cut).abs() <= 3.0,
        "line ends at {line}, cut at {cut}"
    );
    assert!(
        (band - cut).abs() <= 3.0,
        "band ends at {band}, cut at {cut}"
    );
}
