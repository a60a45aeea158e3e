//! The complications of a simulated patient beyond CRS and ICANS: early and late ICAHT
//! (EHA/EBMT 2023), tumour lysis syndrome, hypogammaglobulinaemia recorded as a toxicity, and
//! every method that detected a relapse. Pure, like [`super::simulate`], and drawn from the
//! patient's second random stream ([`super::simulate::Cohort::detail_rng_for`]), so that the
//! main story and its calibrated rates do not move when these are tuned.
//!
//! Each event follows what the registry's entry rules accept (`web::routes::events::rules`):
//! ICAHT graded 1 to 4 with early ICAHT starting by day 30 and late ICAHT after it, TLS graded
//! 3 to 5 as CTCAE v5 has it, treatments starting on or after the onset and never after the
//! last contact. The ANC values measured while an ICAHT lasts are brought under its ceiling, so
//! the laboratory rows tell the same story.

use chrono::NaiveDate;
use rand::Rng;

use crate::domain::icaht::EarlyIcahtCounts;

use super::parameters::{self as p, Disease, Indication};
use super::simulate::{
    Agent, Analyte, IgIndication, IgRoute, PatientHistory, RelapseMethod, ToxicityEvent,
    ToxicityKind, Treatment, chance, dated, days, pick, shift, unit,
};

/// Draws the complications of `history` (already simulated up to its death, before its events
/// are linked to follow-ups) and adds them to it.
pub fn draw<R: Rng>(rng: &mut R, ind: &Indication, severe_crs: bool, history: &mut PatientHistory) {
    let Some(day0) = history.day0() else {
        return;
    };
    // Nothing is known after the last contact: a treatment starts by then.
    let last_known = history.last_contact().unwrap_or(day0);
    let early = early_icaht(rng, ind.disease, severe_crs, day0, last_known);
    let early_end = early.as_ref().map(|e| e.resolution);
    let early_severe = early.as_ref().is_some_and(|e| e.event.grade >= 3);
    let late = late_icaht(rng, early_severe, early_end.flatten(), day0, last_known);
    for icaht in [early, late].into_iter().flatten() {
        cap_anc(history, &icaht);
        history.toxicities.push(icaht.event);
    }
    if chance(rng, p::tls(ind.disease)) {
        history.toxicities.push(tls(rng, day0));
    }
    if let Some(event) = hypogammaglobulinaemia(rng, history, day0, last_known) {
        history.toxicities.push(event);
    }
    let disease = ind.disease;
    if let Some(relapse) = &mut history.relapse {
        relapse.methods = relapse_methods(rng, disease, relapse.method);
    }
    // A death ends an ongoing event: no resolution after it (as in the main story).
    if let Some(death) = history.death.as_ref().map(|d| d.date.date) {
        for event in &mut history.toxicities {
            if event.resolution.is_some_and(|r| r > death) {
                event.resolution = None;
            }
        }
    }
}

/// An ICAHT event with the ANC ceiling that holds while it lasts.
struct Icaht {
    event: ToxicityEvent,
    /// `None`: still neutropenic at the end of the story.
    resolution: Option<NaiveDate>,
    anc_ceiling: f64,
}

/// G-CSF (and for grade 4 sometimes a stem-cell boost) for an ICAHT of `grade` starting on
/// `onset`; starts after `first_start_day` days, never after `last_known`.
fn icaht_treatments<R: Rng>(
    rng: &mut R,
    grade: u8,
    onset: NaiveDate,
    first_start_day: (i64, i64),
    last_known: NaiveDate,
) -> Vec<Treatment> {
    let mut treatments = Vec::new();
    let index = usize::from(grade.clamp(1, 4) - 1);
    if chance(rng, p::ICAHT_G_CSF.get(index).copied().unwrap_or(0.0)) {
        let start = shift(onset, days(rng, first_start_day.0, first_start_day.1));
        treatments.push(Treatment {
            start: Some(start.min(last_known).max(onset)),
            ..Treatment::at_peak(Agent::GrowthFactor)
        });
    }
    if grade == 4 && chance(rng, p::ICAHT_STEM_CELL_BOOST) {
        let start = shift(onset, days(rng, 21, 40));
        treatments.push(Treatment {
            start: Some(start.min(last_known).max(onset)),
            ..Treatment::at_peak(Agent::Other("Autologous CD34+ stem-cell boost"))
        });
    }
    treatments
}

/// Early ICAHT: ANC <= 500/µL from the first days after infusion, graded by how long it lasts
/// (grade 1 under 7 days, 2 for 7-13, 3 for 14-29, 4 for 30 or more [G6]).
fn early_icaht<R: Rng>(
    rng: &mut R,
    disease: Disease,
    severe_crs: bool,
    day0: NaiveDate,
    last_known: NaiveDate,
) -> Option<Icaht> {
    if !chance(rng, p::EARLY_ICAHT_ANY) {
        return None;
    }
    let mut severe = p::early_icaht_severe(disease);
    if severe_crs {
        severe = (severe * p::EARLY_ICAHT_SEVERE_CRS_FACTOR).min(0.9);
    }
    // P(grade >= 3 | any grade) keeps the marginal rate of grade >= 3 at `severe`.
    let grade = if chance(rng, severe / p::EARLY_ICAHT_ANY) {
        if chance(rng, p::ICAHT_GRADE4_SHARE) {
            4
        } else {
            3
        }
    } else if chance(rng, p::ICAHT_GRADE2_SHARE) {
        2
    } else {
        1
    };
    let onset_day = days(rng, 0, 4);
    let duration = match grade {
        1 => days(rng, 1, 6),
        2 => days(rng, 7, 13),
        3 => days(rng, 14, 29),
        _ => days(rng, 30, 75),
    };
    let onset = dated(rng, shift(day0, onset_day));
    let mut event = ToxicityEvent::blank(ToxicityKind::EarlyIcaht, grade, onset);
    event.treatments = icaht_treatments(rng, grade, onset.date, (1, 7), last_known);
    // The counts its grade rests on: the whole duration at ANC <= 500/µL, and for grade 4
    // (ANC held under 100/µL, see `anc_ceiling`) at <= 100/µL too.
    let neutropenic = u32::try_from(duration).unwrap_or(0);
    event.early_icaht_counts =
        EarlyIcahtCounts::new(neutropenic, if grade == 4 { neutropenic } else { 0 }).ok();
    let resolution = Some(shift(onset.date, duration));
    event.resolution = resolution;
    Some(Icaht {
        event,
        resolution,
        anc_ceiling: if grade == 4 { 0.1 } else { p::EARLY_ICAHT_ANC },
    })
}

/// Late ICAHT: a neutropenia starting after day 30 (and after any early ICAHT ended), graded
/// by its nadir.
fn late_icaht<R: Rng>(
    rng: &mut R,
    early_severe: bool,
    early_end: Option<NaiveDate>,
    day0: NaiveDate,
    last_known: NaiveDate,
) -> Option<Icaht> {
    let probability = if early_severe {
        p::LATE_ICAHT_AFTER_SEVERE_EARLY
    } else {
        p::LATE_ICAHT
    };
    if !chance(rng, probability) {
        return None;
    }
    let grade = pick(
        rng,
        &[
            (1u8, p::LATE_ICAHT_GRADES[0]),
            (2, p::LATE_ICAHT_GRADES[1]),
            (3, p::LATE_ICAHT_GRADES[2]),
            (4, p::LATE_ICAHT_GRADES[3]),
        ],
    )
    .unwrap_or(1);
    let mut onset_day = 31 + days(rng, 0, 60);
    if let Some(end) = early_end {
        onset_day = onset_day.max((end - day0).num_days() + days(rng, 7, 30));
    }
    let duration = days(rng, 14, 120);
    let onset = dated(rng, shift(day0, onset_day));
    let mut event = ToxicityEvent::blank(ToxicityKind::LateIcaht, grade, onset);
    event.treatments = icaht_treatments(rng, grade, onset.date, (0, 10), last_known);
    let resolution = Some(shift(onset.date, duration));
    event.resolution = resolution;
    Some(Icaht {
        event,
        resolution,
        anc_ceiling: p::LATE_ICAHT_ANC
            .get(usize::from(grade - 1))
            .copied()
            .unwrap_or(1.5),
    })
}

/// Brings every ANC measured while the ICAHT lasts under its ceiling (keeping the values'
/// order: a value `x` becomes `ceiling * x / (x + 1)`, rounded to 0.01). A single low ANC
/// outside an ICAHT is left alone: ICAHT is a duration, not one value.
fn cap_anc(history: &mut PatientHistory, icaht: &Icaht) {
    let onset = icaht.event.onset.date;
    for lab in history.labs.iter_mut().filter(|l| {
        l.analyte == Analyte::Anc && l.date >= onset && icaht.resolution.is_none_or(|r| l.date <= r)
    }) {
        if let Some(value) = lab.value.filter(|v| *v > icaht.anc_ceiling) {
            let capped = icaht.anc_ceiling * value / (value + 1.0);
            lab.value = Some((capped * 100.0).floor() / 100.0);
        }
    }
}

/// Tumour lysis syndrome in the first days after infusion: CTCAE v5 grade 3 (or 4), treated
/// with rasburicase.
fn tls<R: Rng>(rng: &mut R, day0: NaiveDate) -> ToxicityEvent {
    let grade = if chance(rng, p::TLS_GRADE4_SHARE) {
        4
    } else {
        3
    };
    let onset_day = days(rng, 0, 5);
    let onset = dated(rng, shift(day0, onset_day));
    let mut event = ToxicityEvent::blank(ToxicityKind::Tls, grade, onset);
    event.resolution = Some(shift(onset.date, days(rng, 2, 7)));
    event.icu = grade >= 4;
    if chance(rng, p::TLS_RASBURICASE) {
        event.treatments = vec![Treatment {
            start: Some(onset.date),
            ..Treatment::at_peak(Agent::Other("Rasburicase"))
        }];
    }
    event
}

/// Hypogammaglobulinaemia recorded as a toxicity, for a share of the patients whose native IgG
/// fell under the replacement threshold after Day 0: onset at the first such value (or the
/// start of replacement when no low value was measured), resolved at the first native value
/// back over the threshold; grade 1 without replacement, 2 with it, 3 when replacement followed
/// serious infection. The replacement is its treatment.
fn hypogammaglobulinaemia<R: Rng>(
    rng: &mut R,
    history: &PatientHistory,
    day0: NaiveDate,
    last_known: NaiveDate,
) -> Option<ToxicityEvent> {
    let native_igg = || {
        history
            .labs
            .iter()
            .filter(|l| l.analyte == Analyte::IgG && l.date > day0 && !l.ivig_within_30d)
            .filter_map(|l| l.value.map(|v| (l.date, v)))
    };
    let first_low = native_igg()
        .filter(|(_, v)| *v < p::IGG_REPLACEMENT_THRESHOLD)
        .map(|(d, _)| d)
        .min();
    let replacement = history
        .immunoglobulin
        .first()
        .filter(|c| c.start <= last_known);
    let onset = match (first_low, replacement) {
        (Some(low), _) => low,
        (None, Some(course)) => course.start,
        (None, None) => return None,
    };
    if !chance(rng, p::HYPOGAMMA_RECORDED) {
        return None;
    }
    let replacement = replacement.filter(|c| c.start >= onset);
    let grade = match replacement.map(|c| c.indication) {
        None => 1,
        Some(IgIndication::Hypogammaglobulinaemia) => 2,
        Some(IgIndication::RecurrentInfection) => 3,
    };
    let mut event = ToxicityEvent::blank(
        ToxicityKind::Hypogammaglobulinaemia,
        grade,
        dated(rng, onset),
    );
    event.resolution = native_igg()
        .filter(|(d, v)| *d > onset && *v >= p::IGG_REPLACEMENT_THRESHOLD)
        .map(|(d, _)| d)
        .min();
    if let Some(course) = replacement {
        event.treatments = vec![Treatment {
            start: Some(course.start),
            ..Treatment::at_peak(Agent::Other(match course.route {
                IgRoute::Ivig => "Immunoglobulin replacement (IVIG)",
                IgRoute::Scig => "Immunoglobulin replacement (SCIG)",
            }))
        }];
    }
    Some(event)
}

/// Every method that showed the relapse: the first, plus each other method with its disease's
/// chance, in vocabulary order.
fn relapse_methods<R: Rng>(
    rng: &mut R,
    disease: Disease,
    first: RelapseMethod,
) -> Vec<RelapseMethod> {
    let all = [
        RelapseMethod::Molecular,
        RelapseMethod::Flow,
        RelapseMethod::CytogeneticFish,
        RelapseMethod::Radiological,
        RelapseMethod::ClinicalHematologic,
    ];
    let chances = p::relapse_other_methods(disease);
    all.iter()
        .zip(chances)
        .filter(|(method, probability)| **method == first || unit(rng) < *probability)
        .map(|(method, _)| *method)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::simulate::{Cohort, simulate_patient};

    fn share(hits: usize, of: usize) -> f64 {
        hits as f64 / of.max(1) as f64
    }

    /// On 20,000 patients (those infused a year or more before the data cut): grade >= 3
    /// early ICAHT in a fifth to a third [G6]; ICAHT in its windows and grades; tocilizumab for
    /// most CRS of grade >= 2 and corticosteroids for every ICANS of grade >= 2; TLS rare;
    /// relapses detected by their first method and often by more.
    #[test]
    fn complications_land_near_their_targets_and_follow_their_rules() {
        let cohort = Cohort::new(42, p::date(2026, 11, 27));
        let all: Vec<PatientHistory> = (1..=20_000)
            .filter_map(|n| simulate_patient(&cohort, n))
            .collect();
        let infused: Vec<&PatientHistory> = all
            .iter()
            .filter(|h| {
                h.day0()
                    .is_some_and(|d| (cohort.today - d).num_days() >= 365)
            })
            .collect();
        let with = |f: &dyn Fn(&ToxicityEvent) -> bool| {
            infused
                .iter()
                .filter(|h| h.toxicities.iter().any(f))
                .count()
        };
        let early_severe = share(
            with(&|t| t.kind == ToxicityKind::EarlyIcaht && t.grade >= 3),
            infused.len(),
        );
        assert!(
            (0.2..=0.34).contains(&early_severe),
            "grade >= 3 early ICAHT in {early_severe:.3}"
        );
        let tls = share(with(&|t| t.kind == ToxicityKind::Tls), infused.len());
        assert!((0.005..=0.03).contains(&tls), "TLS in {tls:.3}");
        let late = share(with(&|t| t.kind == ToxicityKind::LateIcaht), infused.len());
        assert!((0.1..=0.35).contains(&late), "late ICAHT in {late:.3}");
        assert!(with(&|t| t.kind == ToxicityKind::Hypogammaglobulinaemia) > 0);

        let given = |t: &ToxicityEvent, agent: Agent| t.treatments.iter().any(|x| x.agent == agent);
        let (mut crs2, mut toci) = (0, 0);
        for h in &all {
            let day0 = h.day0().unwrap_or(cohort.today);
            for t in &h.toxicities {
                let day = (t.onset.date - day0).num_days();
                match t.kind {
                    ToxicityKind::EarlyIcaht => assert!((0..=30).contains(&day) && t.grade <= 4),
                    ToxicityKind::LateIcaht => assert!(day > 30 && t.grade <= 4),
                    ToxicityKind::Tls => assert!(t.grade >= 3),
                    ToxicityKind::Icans if t.grade >= 2 => {
                        assert!(given(t, Agent::Corticosteroids));
                    }
                    ToxicityKind::Crs if t.grade >= 2 => {
                        crs2 += 1;
                        toci += usize::from(given(t, Agent::Tocilizumab));
                    }
                    _ => {}
                }
                for x in &t.treatments {
                    assert!(x.start.is_none_or(|s| s >= t.onset.date), "{t:?}");
                    assert!(x.doses.is_none() || x.agent == Agent::Tocilizumab);
                }
                if !matches!(t.kind, ToxicityKind::EarlyIcaht | ToxicityKind::LateIcaht) {
                    assert!(!given(t, Agent::GrowthFactor), "{t:?}");
                }
            }
        }
        eprintln!(
            "early ICAHT >= 3 {early_severe:.3}, late ICAHT {late:.3}, TLS {tls:.3}, \
             tocilizumab for CRS >= 2 {:.3}",
            share(toci, crs2)
        );
        assert!(share(toci, crs2) >= 0.8, "tocilizumab for {toci} of {crs2}");

        let relapses: Vec<_> = all.iter().filter_map(|h| h.relapse.as_ref()).collect();
        assert!(relapses.len() > 1_000);
        for r in &relapses {
            assert!(r.methods.contains(&r.method), "{r:?}");
            assert!(r.methods.windows(2).all(|w| w[0] < w[1]), "{r:?}");
        }
        let several = share(
            relapses.iter().filter(|r| r.methods.len() > 1).count(),
            relapses.len(),
        );
        eprintln!("relapses found by more than one method: {several:.3}");
        assert!((0.3..=0.8).contains(&several), "{several:.3}");
    }
}
