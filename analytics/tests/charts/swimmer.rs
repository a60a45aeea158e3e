//! Swimmer plot.

use analytics::charts::Theme;
use analytics::charts::render::render;
use analytics::charts::render::render_svg;
use analytics::charts::swimmer::{
    SwimmerChart, SwimmerEvent, SwimmerLane, SwimmerMarker, SwimmerOptions, draw_swimmer,
    draw_swimmer_with, shown_note, sorted_lanes,
};

use crate::fixtures::{self, Rng, STAMP};

pub fn lanes(n: usize, seed: u64) -> Vec<SwimmerLane> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let group = (rng.uniform() * 3.0) as usize;
            let follow = 1.0 + rng.uniform() * 29.0;
            let mut events = Vec::new();
            let r = rng.uniform();
            if r < 0.6 {
                events.push(SwimmerEvent {
                    time: 1.0,
                    marker: SwimmerMarker::CompleteResponse,
                });
            } else if r < 0.85 {
                events.push(SwimmerEvent {
                    time: 1.0,
                    marker: SwimmerMarker::PartialResponse,
                });
                if rng.uniform() < 0.5 && follow > 3.0 {
                    events.push(SwimmerEvent {
                        time: 3.0,
                        marker: SwimmerMarker::CompleteResponse,
                    });
                }
            }
            let mut dead = false;
            if rng.uniform() < 0.4 {
                let t = (1.5 + rng.exponential(4.0)).min(follow);
                events.push(SwimmerEvent {
                    time: t,
                    marker: SwimmerMarker::Relapse,
                });
                if rng.uniform() < 0.5 {
                    events.push(SwimmerEvent {
                        time: follow,
                        marker: SwimmerMarker::Death,
                    });
                    dead = true;
                }
            }
            SwimmerLane {
                id: format!("P{:04}", 17 + i * 7),
                group,
                end: (follow * 10.0).round() / 10.0,
                ongoing: !dead && rng.uniform() < 0.8,
                events,
            }
        })
        .collect()
}

pub fn chart(n: usize) -> SwimmerChart {
    SwimmerChart {
        x_label: "Months since CAR-T infusion".to_owned(),
        groups: vec![
            "LBCL".to_owned(),
            "B-ALL".to_owned(),
            "Multiple myeloma".to_owned(),
        ],
        lanes: lanes(n, 41),
        ticks: (0..=5).map(|i| f64::from(i) * 6.0).collect(),
        max_labelled_lanes: 30,
        ..SwimmerChart::default()
    }
}

#[test]
fn swimmer_has_legend_ids_and_sorted_lanes() {
    let chart = chart(24);
    let theme = Theme::single_column(110.0);
    let out = render(&theme, Some(STAMP), |a| draw_swimmer(a, &theme, &chart)).unwrap();
    fixtures::save("swimmer_single", &out).unwrap();
    fixtures::assert_texts(
        &out.svg,
        &[
            "LBCL",
            "Multiple myeloma",
            "Complete response",
            "Relapse/progression",
            "Death",
            "Alive, in follow-up",
            "Patients",
        ],
    );
    let sorted = sorted_lanes(&chart.lanes);
    assert!(sorted.windows(2).all(|w| w[0].end >= w[1].end));
    // Ids are drawn top (longest) to bottom.
    let texts = fixtures::texts(&out.svg);
    let pos = |id: &str| texts.iter().position(|t| t == id).unwrap();
    assert!(pos(&sorted[0].id) < pos(&sorted[sorted.len() - 1].id));
}

#[test]
fn swimmer_double_column_many_patients_hides_ids() {
    let chart = chart(80);
    let theme = Theme::double_column(120.0);
    let out = render(&theme, Some(STAMP), |a| draw_swimmer(a, &theme, &chart)).unwrap();
    fixtures::save("swimmer_double", &out).unwrap();
    assert!(
        !fixtures::texts(&out.svg)
            .iter()
            .any(|t| t.starts_with("P0"))
    );
}

#[test]
fn empty_swimmer_says_so() {
    let theme = Theme::single_column(60.0);
    let empty = SwimmerChart {
        x_label: "Months".to_owned(),
        ..SwimmerChart::default()
    };
    let out = render(&theme, None, |a| draw_swimmer(a, &theme, &empty)).unwrap();
    fixtures::assert_texts(&out.svg, &["No patients to show"]);
}

#[test]
fn lanes_are_capped_in_the_callers_order_and_the_figure_says_so() {
    let mut chart = chart(250);
    chart.max_labelled_lanes = 40;
    let theme = Theme::single_column(120.0);
    let out = render(&theme, Some(STAMP), |a| draw_swimmer(a, &theme, &chart)).unwrap();
    fixtures::save("swimmer_capped", &out).unwrap();
    fixtures::assert_texts(&out.svg, &["40 of 250 patients shown"]);
    // The ids drawn are exactly the caller's first 40, longest on top.
    let texts = fixtures::texts(&out.svg);
    let drawn: Vec<&String> = texts
        .iter()
        .filter(|t| t.starts_with('P') && t.len() == 5)
        .collect();
    let first: Vec<&SwimmerLane> = sorted_lanes(&chart.lanes[..40]);
    assert_eq!(
        drawn,
        first.iter().map(|l| &l.id).collect::<Vec<_>>(),
        "lanes other than the caller's first 40"
    );
    // 0 draws all, with no note.
    let all = SwimmerOptions { max_lanes: 0 };
    let svg = render_svg(&theme, None, |a| draw_swimmer_with(a, &theme, &chart, &all)).unwrap();
    assert!(!svg.contains("patients shown"));
    assert_eq!(
        shown_note(40, 1234).as_deref(),
        Some("40 of 1,234 patients shown")
    );
    assert_eq!(shown_note(40, 40), None);
}

#[test]
fn markers_and_arrows_stay_within_their_lane_at_print_size() {
    let chart = chart(40);
    let theme = Theme::single_column(100.0);
    let svg = render_svg(&theme, Some(STAMP), |a| draw_swimmer(a, &theme, &chart)).unwrap();
    // Bars are 64 % of the lane pitch; the legend's keys are above the first bar.
    let bars: Vec<(f64, f64)> = fixtures::elements(&svg, "rect")
        .iter()
        .filter(|e| e.get("opacity").map(String::as_str) == Some("0.85"))
        .filter_map(|e| Some((e.get("y")?.parse().ok()?, e.get("height")?.parse().ok()?)))
        .collect();
    let bar_h = bars.iter().map(|b| b.1).fold(f64::MAX, f64::min);
    let pitch = bar_h / 0.64;
    let top = bars
        .iter()
        .filter(|b| b.1 == bar_h || b.1 == bar_h + 1.0)
        .map(|b| b.0)
        .fold(f64::MAX, f64::min)
        - pitch / 2.0;
    let in_lanes = |e: &std::collections::BTreeMap<String, String>| {
        e.get("cy")
            .and_then(|y| y.parse::<f64>().ok())
            .is_some_and(|y| y > top)
            || fixtures::points(e).iter().any(|p| p.1 > top)
    };
    let radii: Vec<f64> = fixtures::elements(&svg, "circle")
        .iter()
        .filter(|e| in_lanes(e))
        .filter_map(|e| e.get("r")?.parse().ok())
        .collect();
    assert!(!radii.is_empty());
    for r in radii {
        assert!(
            2.0 * r < pitch,
            "marker {r} px in radius on a {pitch:.1} px lane"
        );
    }
    // Relapse triangles and follow-up arrows (filled polygons) no taller than a lane.
    for e in fixtures::elements(&svg, "polygon")
        .iter()
        .filter(|e| in_lanes(e))
    {
        let pts = fixtures::points(e);
        let (lo, hi) = pts.iter().fold((f64::MAX, f64::MIN), |(lo, hi), p| {
            (lo.min(p.1), hi.max(p.1))
        });
        assert!(
            hi - lo < pitch,
            "a {:.1} px marker on a {pitch:.1} px lane",
            hi - lo
        );
    }
    // Still legible: markers at least 0.5 mm across.
    let min_r = fixtures::elements(&svg, "circle")
        .iter()
        .filter(|e| in_lanes(e))
        .filter_map(|e| e.get("r")?.parse::<f64>().ok())
        .fold(f64::MAX, f64::min);
    assert!(2.0 * min_r >= 0.5 / 25.4 * 300.0);
}
