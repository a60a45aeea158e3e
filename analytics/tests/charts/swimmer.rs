//! Swimmer plot.

use analytics::charts::Theme;
use analytics::charts::render::render;
use analytics::charts::swimmer::{
    SwimmerChart, SwimmerEvent, SwimmerLane, SwimmerMarker, draw_swimmer, sorted_lanes,
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

fn chart(n: usize) -> SwimmerChart {
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
