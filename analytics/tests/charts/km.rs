//! Kaplan-Meier (KMunicate) chart.

use analytics::charts::km::{KmChart, KmCurve, draw_km, suggested_height_mm};
use analytics::charts::render::{render, render_svg};
use analytics::charts::{RiskTable, Theme};

use crate::fixtures::{self, STAMP};

#[test]
fn km_by_disease_shows_table_labels_and_p_value() {
    let chart = fixtures::km_by_disease();
    let height = suggested_height_mm(&Theme::single_column(0.0), 3, 3);
    let theme = Theme::single_column(height);
    let out = render(&theme, Some(STAMP), |a| draw_km(a, &theme, &chart)).unwrap();
    fixtures::save("km_single", &out).unwrap();

    fixtures::assert_texts(
        &out.svg,
        &[
            "Log-rank p = 0.003",
            "Overall survival (%)",
            "Months since CAR-T infusion",
            "At risk",
            "Censored",
            "Events",
            "LBCL",
            "B-ALL",
            "Multiple myeloma",
            "0",
            "6",
            "24",
            "100",
            STAMP,
        ],
    );
    // Every number of the table is printed.
    let texts = fixtures::texts(&out.svg);
    for group in &chart.table.groups {
        for n in group
            .at_risk
            .iter()
            .chain(&group.censored)
            .chain(&group.events)
        {
            assert!(texts.contains(&n.to_string()), "{n} missing");
        }
    }
}

#[test]
fn km_double_column_two_groups() {
    let mut chart = fixtures::km_by_disease();
    chart.curves.truncate(2);
    chart.table.groups.truncate(2);
    chart.table.ticks = (0..=8).map(|i| f64::from(i) * 3.0).collect();
    let ticks = chart.table.ticks.clone();
    let (t0, e0) = fixtures::cohort(11, 120, 0.42, 6.0, 30.0);
    let (t1, e1) = fixtures::cohort(12, 60, 0.35, 9.0, 30.0);
    chart.table = RiskTable::from_observations(&ticks, &[("LBCL", &t0, &e0), ("B-ALL", &t1, &e1)]);
    chart.y_label = "Progression-free survival (%)".to_owned();
    chart.p_value = Some("Log-rank p = 0.21".to_owned());
    let theme = Theme::double_column(suggested_height_mm(&Theme::double_column(0.0), 2, 3));
    let out = render(&theme, Some(STAMP), |a| draw_km(a, &theme, &chart)).unwrap();
    fixtures::save("km_double", &out).unwrap();
    fixtures::assert_texts(&out.svg, &["Progression-free survival (%)", "21", "24"]);
}

#[test]
fn risk_table_counts_add_up_to_the_group() {
    let time = [1.0, 2.0, 2.0, 5.0, 7.0, 12.0];
    let event = [true, false, true, true, false, false];
    let table = RiskTable::from_observations(&[0.0, 2.0, 6.0, 12.0], &[("A", &time, &event)]);
    let g = &table.groups[0];
    assert_eq!(g.at_risk, vec![6, 5, 2, 1]);
    assert_eq!(g.events, vec![0, 1, 3, 3]);
    assert_eq!(g.censored, vec![0, 0, 1, 2]);
    for i in 0..4 {
        assert_eq!(g.at_risk[i] + g.events[i] + g.censored[i], 6);
    }
}

#[test]
fn edge_cases_do_not_panic() {
    let theme = Theme::single_column(90.0);
    let ticks = vec![0.0, 6.0, 12.0];
    let no_events = KmCurve {
        label: "No events".to_owned(),
        censor_times: vec![1.0, 4.0, 8.0],
        ..KmCurve::default()
    };
    let all_censored_at_zero = KmCurve {
        label: "Censored at Day 0".to_owned(),
        censor_times: vec![0.0, 0.0],
        ..KmCurve::default()
    };
    let everyone_dies = KmCurve {
        label: "All die".to_owned(),
        time: vec![0.5, 1.0],
        surv: vec![0.5, 0.0],
        lower: vec![0.1, f64::NAN],
        upper: vec![0.9, f64::NAN],
        censor_times: vec![],
    };
    let beyond_axis = KmCurve {
        label: "Long".to_owned(),
        time: vec![3.0, 40.0],
        surv: vec![0.9, 0.5],
        lower: vec![],
        upper: vec![],
        censor_times: vec![50.0],
    };
    let cases = vec![
        KmChart::default(),
        KmChart {
            curves: vec![no_events.clone()],
            table: RiskTable {
                ticks: ticks.clone(),
                groups: vec![],
            },
            ..KmChart::default()
        },
        KmChart {
            curves: vec![no_events, all_censored_at_zero, everyone_dies, beyond_axis],
            table: RiskTable::from_observations(&ticks, &[("Tiny", &[1.0], &[false])]),
            p_value: Some("p = 1".to_owned()),
            ..KmChart::default()
        },
    ];
    for chart in cases {
        render(&theme, None, |a| draw_km(a, &theme, &chart)).unwrap();
    }
    // A very short figure still draws.
    let tiny = Theme::single_column(20.0);
    render_svg(&tiny, Some(STAMP), |a| {
        draw_km(a, &tiny, &fixtures::km_by_disease())
    })
    .unwrap();
}

#[test]
fn legend_moves_away_from_curves_that_fall_early() {
    // Everybody's curve is below 20 % by month 2: the lower-left corner is taken.
    let falling = KmCurve {
        label: "Refractory".to_owned(),
        time: vec![0.5, 1.0, 1.5, 2.0],
        surv: vec![0.6, 0.35, 0.2, 0.1],
        censor_times: vec![20.0],
        ..KmCurve::default()
    };
    let chart = KmChart {
        curves: vec![falling],
        table: RiskTable {
            ticks: vec![0.0, 6.0, 12.0, 18.0, 24.0],
            groups: vec![],
        },
        p_value: Some("p = 0.5".to_owned()),
        ..KmChart::default()
    };
    let theme = Theme::single_column(70.0);
    let svg = render_svg(&theme, None, |a| draw_km(a, &theme, &chart)).unwrap();
    let x_of = |text: &str| -> i32 {
        let i = svg.find(&format!("\n{text}\n")).unwrap();
        let tag = &svg[svg[..i].rfind("<text").unwrap()..i];
        tag.split("x=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!(x_of("Refractory") > 1051 / 2, "legend stayed lower left");
}

#[test]
fn risk_group_from_engine_counts_matches_observations() {
    use analytics::charts::km::RiskGroup;
    // Rows per distinct time, as survfit reports them.
    let time = [1.0, 2.0, 5.0, 7.0, 12.0];
    let n_risk = [6.0, 5.0, 3.0, 2.0, 1.0];
    let n_event = [1.0, 1.0, 1.0, 0.0, 0.0];
    let n_censor = [0.0, 1.0, 0.0, 1.0, 1.0];
    let ticks = [0.0, 2.0, 6.0, 12.0, 18.0];
    let from_counts =
        RiskGroup::from_counts("A", Some(0), &ticks, &time, &n_risk, &n_event, &n_censor);
    let obs_t = [1.0, 2.0, 2.0, 5.0, 7.0, 12.0];
    let obs_e = [true, false, true, true, false, false];
    let from_obs = RiskTable::from_observations(&ticks, &[("A", &obs_t, &obs_e)]);
    assert_eq!(from_counts, from_obs.groups[0]);

    let curve = KmCurve::from_rows(
        "A",
        &time,
        &[0.83, 0.67, 0.44, 0.44, 0.44],
        &[],
        &[],
        &n_censor,
    );
    assert_eq!(curve.censor_times, vec![2.0, 7.0, 12.0]);
}

#[test]
fn single_group_with_title() {
    let (time, event) = fixtures::cohort(14, 200, 0.45, 7.0, 36.0);
    let ticks: Vec<f64> = (0..=6).map(|i| f64::from(i) * 6.0).collect();
    let chart = KmChart {
        title: Some("Overall survival, all infused patients".to_owned()),
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: vec![fixtures::km("All patients", &time, &event)],
        table: RiskTable::from_observations(&ticks, &[("All patients", &time, &event)]),
        p_value: None,
    };
    let theme = Theme::single_column(suggested_height_mm(&Theme::single_column(0.0), 1, 3) + 5.0);
    let out = render(&theme, Some(STAMP), |a| draw_km(a, &theme, &chart)).unwrap();
    fixtures::save("km_one_group", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &[
            "Overall survival, all infused patients",
            "All patients",
            "200",
            "36",
        ],
    );
}

#[test]
fn unnamed_cohort_gets_no_header_row() {
    let (time, event) = fixtures::cohort(15, 50, 0.4, 6.0, 24.0);
    let ticks = [0.0, 12.0, 24.0];
    let mut table = RiskTable::from_observations(&ticks, &[("", &time, &event)]);
    table.groups[0].colour = None;
    let chart = KmChart {
        x_label: "Months".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: vec![fixtures::km("", &time, &event)],
        table,
        p_value: None,
        title: None,
    };
    let theme = Theme::single_column(80.0);
    let svg = render_svg(&theme, None, |a| draw_km(a, &theme, &chart)).unwrap();
    let texts = fixtures::texts(&svg);
    assert!(texts.iter().all(|t| !t.is_empty()), "an empty <text>");
    assert!(texts.contains(&"At risk".to_owned()));
}
