//! Infection density bars.

use analytics::charts::Theme;
use analytics::charts::bars::{BarChart, BarLayout, BarSeries, draw_bars};
use analytics::charts::render::render;

use crate::fixtures::{self, STAMP};

pub fn density(layout: BarLayout) -> BarChart {
    let s = |label: &str, v: [f64; 4]| BarSeries {
        label: label.to_owned(),
        values: v.to_vec(),
    };
    BarChart {
        periods: ["0\u{2013}28", "29\u{2013}90", "91\u{2013}365", ">365"]
            .map(str::to_owned)
            .to_vec(),
        series: vec![
            s("Bacterial", [0.62, 0.28, 0.09, 0.04]),
            s("Viral", [0.41, 0.31, 0.14, 0.06]),
            s("Fungal", [0.16, 0.08, 0.02, 0.01]),
        ],
        layout,
        x_label: "Days since CAR-T infusion".to_owned(),
        y_label: "Infections per 100 patient-days".to_owned(),
        decimals: 2,
        ..BarChart::default()
    }
}

#[test]
fn stacked_density_has_totals() {
    let chart = density(BarLayout::Stacked);
    let theme = Theme::single_column(65.0);
    let out = render(&theme, Some(STAMP), |a| draw_bars(a, &theme, &chart)).unwrap();
    fixtures::save("infections_stacked", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &["1.19", "0.67", "0\u{2013}28", ">365", "Bacterial", "Fungal"],
    );
}

#[test]
fn grouped_density_labels_every_bar() {
    let chart = density(BarLayout::Grouped);
    let theme = Theme::double_column(65.0);
    let out = render(&theme, Some(STAMP), |a| draw_bars(a, &theme, &chart)).unwrap();
    fixtures::save("infections_grouped", &out).unwrap();
    fixtures::assert_texts(&out.svg, &["0.62", "0.41", "0.16", "0.01"]);
}

#[test]
fn empty_bars_do_not_panic() {
    let theme = Theme::single_column(50.0);
    let zero = BarChart {
        periods: vec!["0\u{2013}28".to_owned()],
        series: vec![BarSeries {
            label: "None".to_owned(),
            values: vec![0.0],
        }],
        ..BarChart::default()
    };
    for chart in [BarChart::default(), zero] {
        render(&theme, None, |a| draw_bars(a, &theme, &chart)).unwrap();
    }
}
