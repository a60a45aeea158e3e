//! The early toxicities of the infusion: CRS and ICANS with their components and treatments,
//! IEC-HS and cilta-cel's delayed neurotoxicity.

use chrono::NaiveDate;
use rand::Rng;

use super::history::{Agent, Hypotension, Hypoxia, ToxicityEvent, ToxicityKind, Treatment};
use super::random::{chance, dated, days, log_normal, pick, shift, unit};
use crate::seed::parameters::{self as p, Indication, Product};

pub(super) fn draw_crs_icans<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    day0: NaiveDate,
) -> Vec<ToxicityEvent> {
    let mut events = Vec::new();
    let crs_grade = draw_grade(rng, ind.crs.any, ind.crs.grade3_plus / ind.crs.any);
    // ICANS concentrates in CRS patients while keeping its marginal rate:
    // P(ICANS | no CRS) = ratio * any, P(ICANS | CRS) solves the total probability.
    let icans_any = ind.icans.any;
    let without_crs = p::ICANS_WITHOUT_CRS_RATIO * icans_any;
    let icans_probability = if crs_grade > 0 {
        ((icans_any - (1.0 - ind.crs.any) * without_crs) / ind.crs.any).min(1.0)
    } else {
        without_crs
    };
    let icans_grade = draw_grade(rng, icans_probability, ind.icans.grade3_plus / icans_any);
    let mut crs_onset = 0;
    if crs_grade > 0 {
        crs_onset = log_normal(rng, ind.crs.onset_median_day, 0.6)
            .round()
            .clamp(0.0, 21.0) as i64;
        let duration = log_normal(rng, ind.crs.duration_median_days, 0.5)
            .round()
            .clamp(1.0, 40.0) as i64;
        let (hypotension, hypoxia) = match crs_grade {
            1 => (Hypotension::None, Hypoxia::None),
            2 => pick(
                rng,
                &[
                    ((Hypotension::Fluids, Hypoxia::None), 0.5),
                    ((Hypotension::None, Hypoxia::LowFlow), 0.3),
                    ((Hypotension::Fluids, Hypoxia::LowFlow), 0.2),
                ],
            )
            .unwrap_or((Hypotension::Fluids, Hypoxia::None)),
            3 => pick(
                rng,
                &[
                    ((Hypotension::OnePressor, Hypoxia::None), 0.4),
                    ((Hypotension::Fluids, Hypoxia::HighFlow), 0.3),
                    ((Hypotension::OnePressor, Hypoxia::HighFlow), 0.3),
                ],
            )
            .unwrap_or((Hypotension::OnePressor, Hypoxia::None)),
            _ => pick(
                rng,
                &[
                    ((Hypotension::MultiplePressors, Hypoxia::HighFlow), 0.5),
                    ((Hypotension::OnePressor, Hypoxia::PositivePressure), 0.3),
                    (
                        (Hypotension::MultiplePressors, Hypoxia::PositivePressure),
                        0.2,
                    ),
                ],
            )
            .unwrap_or((Hypotension::MultiplePressors, Hypoxia::PositivePressure)),
        };
        let tocilizumab = match crs_grade {
            1 => u8::from(chance(rng, 0.2)),
            2 => days(rng, 1, 2) as u8,
            _ => days(rng, 1, 4) as u8,
        };
        // Drawn in this order since the first release: the cohort stays the same.
        let onset = dated(rng, shift(day0, crs_onset));
        let max_temperature_c = Some(((38.2 + 1.6 * unit(rng)) * 10.0).round() / 10.0);
        let corticosteroids = crs_grade >= 3 || chance(rng, 0.15);
        let anakinra = crs_grade >= 3 && chance(rng, 0.15);
        let mut treatments = Vec::new();
        if tocilizumab > 0 {
            treatments.push(Treatment {
                doses: Some(tocilizumab),
                ..Treatment::at_peak(Agent::Tocilizumab)
            });
        }
        for (given, agent) in [
            (corticosteroids, Agent::Corticosteroids),
            (anakinra, Agent::Anakinra),
            (
                matches!(
                    hypotension,
                    Hypotension::OnePressor | Hypotension::MultiplePressors
                ),
                Agent::Vasopressors,
            ),
        ] {
            if given {
                treatments.push(Treatment::at_peak(agent));
            }
        }
        events.push(ToxicityEvent {
            kind: ToxicityKind::Crs,
            grade: crs_grade,
            onset,
            resolution: Some(shift(day0, crs_onset + duration)),
            fatal: false,
            max_temperature_c,
            hypotension: Some(hypotension),
            hypoxia: Some(hypoxia),
            lowest_ice: None,
            seizure: false,
            cerebral_oedema: false,
            treatments,
            icu: crs_grade >= 3,
            follow_up: None,
            early_icaht_counts: None,
        });
    }
    if icans_grade > 0 {
        let onset_day = if crs_grade > 0 {
            crs_onset + days(rng, 1, 5)
        } else {
            log_normal(rng, ind.icans.onset_median_day, 0.5)
                .round()
                .clamp(1.0, 28.0) as i64
        };
        let duration = log_normal(rng, ind.icans.duration_median_days, 0.6)
            .round()
            .clamp(1.0, 60.0) as i64;
        let ice = match icans_grade {
            1 => days(rng, 7, 9),
            2 => days(rng, 3, 6),
            3 => days(rng, 0, 2),
            _ => 0,
        } as u8;
        let onset = dated(rng, shift(day0, onset_day));
        let seizure = icans_grade >= 3 && chance(rng, 0.2);
        let cerebral_oedema = icans_grade >= 4 && chance(rng, 0.3);
        let anakinra = icans_grade >= 3 && chance(rng, 0.2);
        // Corticosteroids for ICANS grade >= 2, anti-epileptics after a seizure [G1] (recall).
        let treatments = [
            (icans_grade >= 2, Agent::Corticosteroids),
            (anakinra, Agent::Anakinra),
            (seizure, Agent::AntiEpileptics),
        ]
        .into_iter()
        .filter(|(given, _)| *given)
        .map(|(_, agent)| Treatment::at_peak(agent))
        .collect();
        events.push(ToxicityEvent {
            kind: ToxicityKind::Icans,
            grade: icans_grade,
            onset,
            resolution: Some(shift(day0, onset_day + duration)),
            fatal: false,
            max_temperature_c: None,
            hypotension: None,
            hypoxia: None,
            lowest_ice: Some(ice),
            seizure,
            cerebral_oedema,
            treatments,
            icu: icans_grade >= 3,
            follow_up: None,
            early_icaht_counts: None,
        });
    }
    if chance(rng, p::IEC_HS) {
        let onset = days(rng, 7, 21);
        let grade = days(rng, 3, 4) as u8;
        let duration = days(rng, 7, 30);
        events.push(simple_toxicity(
            rng,
            ToxicityKind::IecHs,
            day0,
            onset,
            grade,
            duration,
        ));
    }
    if ind.product == Product::CiltaCel && chance(rng, p::CILTA_DELAYED_NEUROTOX) {
        let onset = days(rng, 14, 100);
        let grade = days(rng, 1, 3) as u8;
        let duration = days(rng, 30, 200);
        events.push(simple_toxicity(
            rng,
            ToxicityKind::DelayedNeurotoxicity,
            day0,
            onset,
            grade,
            duration,
        ));
    }
    events
}

fn simple_toxicity<R: Rng>(
    rng: &mut R,
    kind: ToxicityKind,
    day0: NaiveDate,
    onset: i64,
    grade: u8,
    duration: i64,
) -> ToxicityEvent {
    let onset_date = dated(rng, shift(day0, onset));
    ToxicityEvent {
        resolution: Some(shift(day0, onset + duration)),
        treatments: if kind == ToxicityKind::IecHs {
            vec![
                Treatment::at_peak(Agent::Corticosteroids),
                Treatment::at_peak(Agent::Anakinra),
            ]
        } else {
            vec![Treatment::at_peak(Agent::Corticosteroids)]
        },
        icu: grade >= 3,
        ..ToxicityEvent::blank(kind, grade, onset_date)
    }
}

/// 0 = none; 1-4 ASTCT: any grade with probability `any`, then grade >= 3 with probability
/// `severe_share`.
fn draw_grade<R: Rng>(rng: &mut R, any: f64, severe_share: f64) -> u8 {
    if !chance(rng, any) {
        0
    } else if chance(rng, severe_share) {
        if chance(rng, p::SEVERE_TOX_GRADE4_SHARE) {
            4
        } else {
            3
        }
    } else if chance(rng, p::MILD_TOX_GRADE2_SHARE) {
        2
    } else {
        1
    }
}
