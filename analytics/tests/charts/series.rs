//! Persistence and IgG over time.

use analytics::charts::Theme;
use analytics::charts::render::render;
use analytics::charts::series::{
    PatientSeries, Reference, SeriesChart, draw_series, median_by_time,
};

use crate::fixtures::{self, Rng, STAMP};

const DAYS: [f64; 8] = [7.0, 14.0, 28.0, 90.0, 180.0, 270.0, 365.0, 540.0];

pub fn persistence() -> SeriesChart {
    let mut rng = Rng::new(51);
    let series: Vec<PatientSeries> = (0..30)
        .map(|i| {
            let peak = 10f64.powf(3.5 + rng.uniform() * 2.0);
            let decay = 0.008 + rng.uniform() * 0.02;
            let points = DAYS
                .iter()
                .map(|d| {
                    let rise = if *d <= 14.0 {
                        (d / 14.0).powf(0.7)
                    } else {
                        1.0
                    };
                    let v = peak * rise * (-decay * (d - 14.0).max(0.0)).exp();
                    (*d, if v < 5.0 { 0.0 } else { v.round() })
                })
                .collect();
            PatientSeries {
                id: format!("P{i:03}"),
                points,
            }
        })
        .collect();
    SeriesChart {
        x_label: "Days since CAR-T infusion".to_owned(),
        y_label: "CAR transgene (copies/µg gDNA)".to_owned(),
        summary: median_by_time(&series),
        summary_label: "Median".to_owned(),
        series,
        log_y: true,
        y_range: Some((1.0, 1e6)),
        x_ticks: vec![0.0, 90.0, 180.0, 270.0, 365.0, 450.0, 540.0],
        ..SeriesChart::default()
    }
}

pub fn igg() -> SeriesChart {
    let mut rng = Rng::new(52);
    let series: Vec<PatientSeries> = (0..30)
        .map(|i| {
            let base = 500.0 + rng.uniform() * 500.0;
            let nadir = 0.35 + rng.uniform() * 0.4;
            let points = [0.0, 28.0, 90.0, 180.0, 365.0, 540.0]
                .iter()
                .map(|d| {
                    let f = if *d == 0.0 {
                        1.0
                    } else {
                        nadir + (1.0 - nadir) * (d / 720.0)
                    };
                    (*d, (base * f + (rng.uniform() - 0.5) * 60.0).round())
                })
                .collect();
            PatientSeries {
                id: format!("P{i:03}"),
                points,
            }
        })
        .collect();
    SeriesChart {
        x_label: "Days since CAR-T infusion".to_owned(),
        y_label: "Serum IgG (mg/dL)".to_owned(),
        summary: median_by_time(&series),
        summary_label: "Median".to_owned(),
        series,
        log_y: false,
        y_range: Some((0.0, 1200.0)),
        x_ticks: vec![0.0, 90.0, 180.0, 270.0, 365.0, 450.0, 540.0],
        reference: Some(Reference {
            value: 400.0,
            label: "IgG 400 mg/dL".to_owned(),
        }),
        ..SeriesChart::default()
    }
}

#[test]
fn persistence_on_a_log_axis() {
    let chart = persistence();
    let theme = Theme::single_column(70.0);
    let out = render(&theme, Some(STAMP), |a| draw_series(a, &theme, &chart)).unwrap();
    fixtures::save("persistence", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &[
            "10⁰",
            "10³",
            "10⁶",
            "Median",
            "Individual patients",
            "CAR transgene (copies/µg gDNA)",
        ],
    );
}

#[test]
fn igg_with_the_400_reference() {
    let chart = igg();
    let theme = Theme::single_column(70.0);
    let out = render(&theme, Some(STAMP), |a| draw_series(a, &theme, &chart)).unwrap();
    fixtures::save("igg", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &["IgG 400 mg/dL", "Serum IgG (mg/dL)", "400", "Median"],
    );
}

#[test]
fn shares_with_their_intervals() {
    let chart = SeriesChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Detectable CAR-T, % of tested".to_owned(),
        summary: vec![(3.0, 62.4), (6.0, 44.3), (12.0, 23.9), (24.0, 8.1)],
        summary_label: "Detectable".to_owned(),
        y_range: Some((0.0, 100.0)),
        x_ticks: vec![0.0, 6.0, 12.0, 18.0, 24.0],
        intervals: vec![
            (3.0, 59.3, 65.4),
            (6.0, 41.3, 47.3),
            (12.0, 20.1, 28.1),
            (24.0, 5.2, 11.9),
        ],
        interval_label: "95% CI (Clopper-Pearson)".to_owned(),
        ..SeriesChart::default()
    };
    let theme = Theme::single_column(70.0);
    let out = render(&theme, Some(STAMP), |a| draw_series(a, &theme, &chart)).unwrap();
    fixtures::save("shares", &out).unwrap();
    fixtures::assert_texts(&out.svg, &["Detectable", "95% CI (Clopper-Pearson)"]);
    // Each interval is a bar and two caps: 12 more lines than without them.
    let bare = render(&theme, Some(STAMP), |a| {
        draw_series(
            a,
            &theme,
            &SeriesChart {
                intervals: Vec::new(),
                ..chart.clone()
            },
        )
    })
    .unwrap();
    let lines = |svg: &str| svg.matches("<polyline").count() + svg.matches("<path").count();
    assert!(
        lines(&out.svg) >= lines(&bare.svg) + 12,
        "intervals drawn: {} vs {}",
        lines(&out.svg),
        lines(&bare.svg)
    );
}

#[test]
fn empty_and_zero_series_do_not_panic() {
    let theme = Theme::single_column(60.0);
    let zeros = SeriesChart {
        series: vec![PatientSeries {
            id: "P".to_owned(),
            points: vec![(0.0, 0.0), (7.0, 0.0)],
        }],
        log_y: true,
        ..SeriesChart::default()
    };
    for chart in [
        SeriesChart::default(),
        zeros,
        SeriesChart {
            log_y: true,
            ..SeriesChart::default()
        },
    ] {
        render(&theme, None, |a| draw_series(a, &theme, &chart)).unwrap();
    }
}
