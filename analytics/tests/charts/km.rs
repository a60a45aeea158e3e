//! Kaplan-Meier (KMunicate) chart.

use analytics::charts::km::{
    KmChart, KmCurve, KmOptions, draw_km, draw_km_with, last_time_at_risk, suggested_height_mm,
};
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
        n_risk: vec![2.0, 1.0],
    };
    let beyond_axis = KmCurve {
        label: "Long".to_owned(),
        time: vec![3.0, 40.0],
        surv: vec![0.9, 0.5],
        lower: vec![],
        upper: vec![],
        censor_times: vec![50.0],
        n_risk: vec![],
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

/// A vertical tick: x, top y, bottom y.
type Tick = (f64, f64, f64);

/// The curve (stroke-width 5 = 1 pt, the curve's colour) and its censor ticks (vertical
/// two-point polylines of that colour) in an SVG.
fn curve_and_ticks(svg: &str, colour: &str) -> (Vec<(f64, f64)>, Vec<Tick>) {
    let lines: Vec<Vec<(f64, f64)>> = fixtures::elements(svg, "polyline")
        .into_iter()
        .filter(|e| e.get("stroke").map(String::as_str) == Some(colour))
        .map(|e| fixtures::points(&e))
        .collect();
    let curve = lines
        .iter()
        .filter(|p| p.len() > 2)
        .max_by_key(|p| p.len())
        .cloned()
        .unwrap_or_default();
    let ticks = lines
        .iter()
        .filter(|p| p.len() == 2 && p[0].0 == p[1].0)
        .map(|p| (p[0].0, p[0].1.min(p[1].1), p[0].1.max(p[1].1)))
        .collect();
    (curve, ticks)
}

/// The curve's pixel y at pixel x (right-continuous: the last point at or left of x).
fn curve_y(curve: &[(f64, f64)], x: f64) -> f64 {
    curve
        .iter()
        .take_while(|p| p.0 <= x)
        .last()
        .map_or(f64::NAN, |p| p.1)
}

/// One curve of `n` patients with a censoring every `n / censored` of them, its fitted rows
/// (one per distinct time, as the engine reports) and the same patients as observations.
fn many_censored(n: usize) -> (KmCurve, Vec<f64>, Vec<bool>) {
    let (time, event) = fixtures::cohort(61, n, 0.5, 8.0, 24.0);
    (fixtures::km("All", &time, &event), time, event)
}

#[test]
fn thousands_of_censor_ticks_are_thinned_and_stay_on_the_curve() {
    let (mut curve, time, event) = many_censored(20_000);
    curve.n_risk.clear();
    assert!(curve.censor_times.len() > 5_000);
    let chart = KmChart {
        x_label: "Months".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: vec![curve.clone()],
        table: RiskTable::from_observations(&[0.0, 6.0, 12.0, 18.0, 24.0], &[("", &time, &event)]),
        ..KmChart::default()
    };
    let theme = Theme::single_column(80.0);
    let svg = render_svg(&theme, None, |a| draw_km(a, &theme, &chart)).unwrap();
    let (line, ticks) = curve_and_ticks(&svg, "#0072B2");
    // 1 mm at 300 dpi is 11.8 px: neighbouring ticks are at least 12 px apart, so the
    // ~75 mm axis holds at most ~75 of them.
    assert_eq!(KmOptions::default().censor_gap_mm, 1.0);
    let gap = (1.0f64 / 25.4 * 300.0).round();
    let mut xs: Vec<f64> = ticks.iter().map(|t| t.0).collect();
    xs.sort_by(f64::total_cmp);
    assert!(xs.len() > 40, "only {} ticks", xs.len());
    assert!(xs.len() <= 80, "{} ticks: not thinned", xs.len());
    assert!(
        xs.windows(2).all(|w| w[1] - w[0] >= gap),
        "ticks closer than 1 mm"
    );
    // Each tick is centred on the curve where it is drawn.
    for (x, y0, y1) in &ticks {
        let y = curve_y(&line, *x);
        assert!(
            ((y0 + y1) / 2.0 - y).abs() <= 1.0,
            "tick at x {x} centred on {} but the curve is at {y}",
            (y0 + y1) / 2.0
        );
    }
    // A wider gap keeps fewer.
    let wide = KmOptions {
        censor_gap_mm: 3.0,
        ..KmOptions::default()
    };
    let svg = render_svg(&theme, None, |a| draw_km_with(a, &theme, &chart, &wide)).unwrap();
    assert!(curve_and_ticks(&svg, "#0072B2").1.len() <= 27);
}

#[test]
fn last_time_at_risk_is_the_last_row_with_enough_patients() {
    let time = [1.0, 2.0, 3.0, 4.0, 5.0];
    let n_risk = [14.0, 12.0, 10.0, 9.0, 2.0];
    assert_eq!(last_time_at_risk(&time, &n_risk, 10), Some(3.0));
    assert_eq!(last_time_at_risk(&time, &n_risk, 2), Some(5.0));
    assert_eq!(last_time_at_risk(&time, &n_risk, 20), Some(0.0));
    assert_eq!(last_time_at_risk(&time, &n_risk, 1), None);
    assert_eq!(last_time_at_risk(&time, &n_risk, 0), None);
    assert_eq!(last_time_at_risk(&time, &n_risk[..4], 10), None);
}

/// 36 patients, one event a month for 30 months (the rest censored later): rows of the
/// engine's shape, `n_risk` 36 at month 1 down to 10 at month 27 and 7 at month 30, and a
/// censoring between events so there are ticks past every cut.
fn dwindling() -> KmCurve {
    let mut c = KmCurve {
        label: "Dwindling".to_owned(),
        ..KmCurve::default()
    };
    let mut s = 1.0;
    for k in 0..30 {
        let n = 36.0 - f64::from(k);
        s *= 1.0 - 1.0 / n;
        c.time.push(f64::from(k + 1));
        c.surv.push(s);
        c.lower.push(s * 0.8);
        c.upper.push((s * 1.2).min(1.0));
        c.n_risk.push(n);
        c.censor_times.push(f64::from(k) + 1.5);
    }
    c
}

#[test]
fn curves_and_bands_stop_where_fewer_than_ten_are_at_risk() {
    let chart = KmChart {
        x_label: "Months".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: vec![dwindling()],
        table: RiskTable {
            ticks: vec![0.0, 6.0, 12.0, 18.0, 24.0, 30.0, 36.0],
            groups: vec![],
        },
        ..KmChart::default()
    };
    let theme = Theme::single_column(70.0);
    let x_right = |svg: &str| {
        let (line, ticks) = curve_and_ticks(svg, "#0072B2");
        let band = fixtures::elements(svg, "polygon")
            .into_iter()
            .filter(|e| e.get("fill").map(String::as_str) == Some("#0072B2"))
            .flat_map(|e| fixtures::points(&e))
            .map(|p| p.0)
            .fold(0.0, f64::max);
        let line = line.iter().map(|p| p.0).fold(0.0, f64::max);
        let tick = ticks.iter().map(|t| t.0).fold(0.0, f64::max);
        (line, band, tick)
    };
    // Axis 0-36 months: x of month m on the drawn axis, from the x tick labels' centres
    // (the lowest "0" is the x axis's; the other is the y axis's).
    let month_x = |svg: &str, m: f64| {
        let at = |label: &str| {
            fixtures::text_boxes(svg)
                .0
                .into_iter()
                .filter(|(t, _)| t == label)
                .max_by(|a, b| a.1[1].total_cmp(&b.1[1]))
                .map(|(_, b)| (b[0] + b[2]) / 2.0)
                .unwrap()
        };
        let (x0, x36) = (at("0"), at("36"));
        x0 + (x36 - x0) * m / 36.0
    };

    // Default: 10 at risk at month 27, 9 right after: drawn to month 27.
    let svg = render_svg(&theme, None, |a| draw_km(a, &theme, &chart)).unwrap();
    let (line, band, tick) = x_right(&svg);
    let cut = month_x(&svg, 27.0);
    assert!(
        (line - cut).abs() <= 3.0,
        "curve ends at {line}, cut at {cut}"
    );
    assert!(
        (band - cut).abs() <= 3.0,
        "band ends at {band}, cut at {cut}"
    );
    assert!(tick < cut, "a censor tick past the cut");

    // A stricter threshold stops earlier: 20 at risk is month 17.
    let strict = KmOptions {
        min_at_risk: 20,
        ..KmOptions::default()
    };
    let svg = render_svg(&theme, None, |a| draw_km_with(a, &theme, &chart, &strict)).unwrap();
    let (line, band, _) = x_right(&svg);
    let cut = month_x(&svg, 17.0);
    assert!((line - cut).abs() <= 3.0 && (band - cut).abs() <= 3.0);

    // 0 disables: drawn to the last censoring (month 30.5).
    let off = KmOptions {
        min_at_risk: 0,
        ..KmOptions::default()
    };
    let svg = render_svg(&theme, None, |a| draw_km_with(a, &theme, &chart, &off)).unwrap();
    let (line, _, tick) = x_right(&svg);
    let end = month_x(&svg, 30.5);
    assert!((line - end).abs() <= 3.0 && (tick - end).abs() <= 3.0);

    // Without n_risk the threshold cannot apply: drawn to the end.
    let mut unknown = chart.clone();
    unknown.curves[0].n_risk.clear();
    let svg = render_svg(&theme, None, |a| draw_km(a, &theme, &unknown)).unwrap();
    assert!((x_right(&svg).0 - month_x(&svg, 30.5)).abs() <= 3.0);
}

#[test]
fn with_n_risk_attaches_the_engine_counts() {
    let time = [1.0, 2.0, 5.0];
    let curve = KmCurve::from_rows("A", &time, &[0.9, 0.8, 0.7], &[], &[], &[0.0, 1.0, 0.0])
        .with_n_risk(&[10.0, 9.0, 7.0]);
    assert_eq!(curve.n_risk, vec![10.0, 9.0, 7.0]);
}

/// Four disease groups of 25,000 patients: five-digit counts in every column.
fn hundred_thousand(ticks: &[f64]) -> KmChart {
    let names = ["LBCL", "B-ALL", "Multiple myeloma", "Mantle cell lymphoma"];
    let cohorts: Vec<(Vec<f64>, Vec<bool>)> = (0..4)
        .map(|i| fixtures::cohort(70 + i, 25_000, 0.3, 12.0, 30.0))
        .collect();
    let input: Vec<(&str, &[f64], &[bool])> = names
        .iter()
        .zip(&cohorts)
        .map(|(n, (t, e))| (*n, t.as_slice(), e.as_slice()))
        .collect();
    KmChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: names
            .iter()
            .zip(&cohorts)
            .map(|(n, (t, e))| fixtures::km(n, t, e))
            .collect(),
        table: RiskTable::from_observations(ticks, &input),
        p_value: Some("Log-rank p < 0.001".to_owned()),
        ..KmChart::default()
    }
}

#[test]
fn every_table_number_is_inside_the_figure_at_both_widths() {
    let six: Vec<f64> = (0..=4).map(|i| f64::from(i) * 6.0).collect();
    let three: Vec<f64> = (0..=8).map(|i| f64::from(i) * 3.0).collect();
    for (theme, ticks) in [
        (Theme::single_column(0.0), &six),
        (Theme::double_column(0.0), &three),
    ] {
        let chart = hundred_thousand(ticks);
        let last = chart.table.groups[0].censored.last().copied().unwrap();
        assert!(
            last >= 10_000,
            "fixture should have five-digit counts, has {last}"
        );
        let theme = Theme {
            height_mm: suggested_height_mm(&theme, 4, 3),
            ..theme
        };
        let out = render(&theme, Some(STAMP), |a| draw_km(a, &theme, &chart)).unwrap();
        fixtures::save(&format!("km_100k_{}mm", theme.width_mm), &out).unwrap();
        fixtures::assert_texts_inside(&out.svg);
        fixtures::assert_texts_apart(&out.svg);
    }
}

/// Five groups whose curves pass through every corner of the panel.
fn five_crossing_groups() -> KmChart {
    let shapes: [(&str, &[(f64, f64)]); 5] = [
        ("Axi-cel (Yescarta)", &[(1.0, 0.3), (2.0, 0.1), (3.0, 0.05)]),
        ("Tisa-cel", &[(20.0, 0.97)]),
        (
            "Liso-cel",
            &[(4.0, 0.75), (12.0, 0.6), (20.0, 0.3), (23.0, 0.08)],
        ),
        ("Brexu-cel", &[(6.0, 0.85), (18.0, 0.5)]),
        (
            "Cilta-cel ≥ 2 lines",
            &[(2.0, 0.9), (10.0, 0.45), (16.0, 0.2)],
        ),
    ];
    KmChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: shapes
            .iter()
            .map(|(label, steps)| KmCurve {
                label: (*label).to_owned(),
                time: steps.iter().map(|s| s.0).collect(),
                surv: steps.iter().map(|s| s.1).collect(),
                censor_times: vec![24.0],
                ..KmCurve::default()
            })
            .collect(),
        table: RiskTable {
            ticks: vec![0.0, 6.0, 12.0, 18.0, 24.0],
            groups: vec![],
        },
        p_value: Some("Log-rank p = 0.012".to_owned()),
        ..KmChart::default()
    }
}

/// Whether the axis-parallel segment a-b passes through the box.
fn crosses(a: (f64, f64), b: (f64, f64), [x0, y0, x1, y1]: [f64; 4]) -> bool {
    let (lx, hx) = (a.0.min(b.0), a.0.max(b.0));
    let (ly, hy) = (a.1.min(b.1), a.1.max(b.1));
    lx <= x1 && hx >= x0 && ly <= y1 && hy >= y0
}

#[test]
fn legend_never_covers_a_curve_with_five_groups_at_89_mm() {
    let chart = five_crossing_groups();
    let theme = Theme::single_column(75.0);
    let out = render(&theme, Some(STAMP), |a| draw_km(a, &theme, &chart)).unwrap();
    fixtures::save("km_five_groups", &out).unwrap();
    let (boxes, _) = fixtures::text_boxes(&out.svg);
    let legend: Vec<[f64; 4]> = boxes
        .iter()
        .filter(|(t, _)| chart.curves.iter().any(|c| &c.label == t) || t.starts_with("Log-rank"))
        .map(|(_, b)| *b)
        .collect();
    assert_eq!(legend.len(), 6, "every label and the p-value drawn once");
    let curves: Vec<Vec<(f64, f64)>> = fixtures::elements(&out.svg, "polyline")
        .iter()
        .filter(|e| e.get("stroke-width").map(String::as_str) == Some("5"))
        .map(fixtures::points)
        .filter(|p| p.len() > 2)
        .collect();
    assert_eq!(curves.len(), 5);
    for b in &legend {
        for line in &curves {
            for w in line.windows(2) {
                assert!(
                    !crosses(w[0], w[1], *b),
                    "legend text at {b:?} covers a curve"
                );
            }
        }
    }
    fixtures::assert_texts_inside(&out.svg);
    fixtures::assert_texts_apart(&out.svg);
}

#[test]
fn labels_are_drawn_exactly_as_given_and_escaped() {
    let labels = [
        "B-ALL",
        "Axi-cel (Yescarta)",
        "Age ≥ 65 y",
        "LBCL & <2 lines> \"R/R\"",
    ];
    let chart = KmChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: labels
            .iter()
            .enumerate()
            .map(|(i, l)| KmCurve {
                label: (*l).to_owned(),
                time: vec![3.0 + f64::from(u8::try_from(i).unwrap())],
                surv: vec![0.9 - 0.1 * f64::from(u8::try_from(i).unwrap())],
                ..KmCurve::default()
            })
            .collect(),
        table: RiskTable::from_observations(
            &[0.0, 6.0, 12.0],
            &labels
                .iter()
                .map(|l| (*l, &[3.0, 9.0][..], &[true, false][..]))
                .collect::<Vec<_>>(),
        ),
        ..KmChart::default()
    };
    let theme = Theme::single_column(suggested_height_mm(&Theme::single_column(0.0), 4, 3));
    let out = render(&theme, Some(STAMP), |a| draw_km(a, &theme, &chart)).unwrap();
    assert!(out.svg.contains("LBCL &amp; &lt;2 lines&gt;"));
    // Parsed back (resvg parses it, so it is well-formed XML), each label appears exactly as
    // given: once in the legend, once as its table header.
    let (boxes, _) = fixtures::text_boxes(&out.svg);
    for l in labels {
        assert_eq!(boxes.iter().filter(|(t, _)| t == l).count(), 2, "{l:?}");
    }
}

/// Number of shaded bands (filled polygons at the bands' 18 % opacity) in an SVG.
fn bands(svg: &str) -> usize {
    fixtures::elements(svg, "polygon")
        .iter()
        .filter(|e| e.get("opacity").map(String::as_str) == Some("0.18"))
        .count()
}

#[test]
fn bands_are_shaded_for_two_curves_not_for_three() {
    let theme = Theme::single_column(90.0);
    let three = fixtures::km_by_disease();
    let svg = render_svg(&theme, None, |a| draw_km(a, &theme, &three)).unwrap();
    assert_eq!(bands(&svg), 0, "three overlapping bands");
    let mut two = three.clone();
    two.curves.truncate(2);
    let svg = render_svg(&theme, None, |a| draw_km(a, &theme, &two)).unwrap();
    assert_eq!(bands(&svg), 2);
    let all = KmOptions {
        max_banded_curves: 3,
        ..KmOptions::default()
    };
    let svg = render_svg(&theme, None, |a| draw_km_with(a, &theme, &three, &all)).unwrap();
    assert_eq!(bands(&svg), 3);
}
