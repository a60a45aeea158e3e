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
