//! Events after the infusion: infections (Poisson per period), new malignancies and subsequent
//! therapies; and the linking of every event to the first follow-up that reported it.

use chrono::NaiveDate;
use rand::Rng;

use super::Truth;
use super::history::{
    Infection, InfectionSite, MalignancyType, NewMalignancy, Organism, OrganismClass,
    PatientHistory, Response, SubsequentTherapy, TherapyCategory, TherapyIntent,
};
use super::random::{chance, dated, days, exponential, pick, poisson, shift};
use crate::seed::parameters::{self as p, Disease, Indication};

pub(super) fn draw_infections<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    truth: &Truth,
    day0: NaiveDate,
    end_day: i64,
) -> Vec<Infection> {
    let mut out = Vec::new();
    for &(start, end, density) in p::INFECTION_DENSITY {
        let last = end.min(end_day);
        if last < start {
            break;
        }
        let mut rate = density / 100.0;
        if ind.disease == Disease::BAll {
            rate *= p::INFECTION_RR_ALL;
        }
        if truth.severe_crs && start <= 90 {
            rate *= p::INFECTION_RR_SEVERE_CRS;
        }
        let count = poisson(rng, rate * (last - start + 1) as f64);
        for _ in 0..count {
            let day = days(rng, start, last);
            out.push(draw_one_infection(rng, shift(day0, day), day <= 28));
        }
    }
    out.sort_by_key(|i| i.date.date);
    out
}

pub(super) fn draw_one_infection<R: Rng>(rng: &mut R, date: NaiveDate, early: bool) -> Infection {
    let (bacterial, viral, fungal) = if early {
        p::ORGANISM_MIX_EARLY
    } else {
        p::ORGANISM_MIX_LATE
    };
    let class = pick(
        rng,
        &[
            (OrganismClass::Bacterial, bacterial),
            (OrganismClass::Viral, viral),
            (OrganismClass::Fungal, fungal),
        ],
    )
    .unwrap_or(OrganismClass::Bacterial);
    let covid_era = date >= p::date(2020, 3, 1);
    let (organism, site) = match class {
        OrganismClass::Bacterial => pick(
            rng,
            &[
                ((Organism::EColi, InfectionSite::Blood), 0.2),
                ((Organism::Klebsiella, InfectionSite::UrinaryLower), 0.1),
                ((Organism::Pseudomonas, InfectionSite::Lung), 0.1),
                ((Organism::StaphAureus, InfectionSite::Skin), 0.15),
                ((Organism::Enterococcus, InfectionSite::Blood), 0.1),
                ((Organism::CDifficile, InfectionSite::GiLower), 0.2),
                ((Organism::Unknown, InfectionSite::Lung), 0.15),
            ],
        ),
        OrganismClass::Viral => pick(
            rng,
            &[
                ((Organism::Rsv, InfectionSite::UpperRespiratory), 0.15),
                ((Organism::Influenza, InfectionSite::Lung), 0.12),
                (
                    (Organism::SarsCov2, InfectionSite::Lung),
                    if covid_era { 0.25 } else { 0.0 },
                ),
                ((Organism::Cmv, InfectionSite::Blood), 0.12),
                ((Organism::Hhv6, InfectionSite::Cns), 0.03),
                (
                    (Organism::Adenovirus, InfectionSite::UpperRespiratory),
                    0.08,
                ),
                ((Organism::Bk, InfectionSite::UrinaryLower), 0.07),
                ((Organism::Vzv, InfectionSite::Skin), 0.1),
            ],
        ),
        OrganismClass::Fungal => pick(
            rng,
            &[
                ((Organism::Aspergillus, InfectionSite::Lung), 0.45),
                ((Organism::Candida, InfectionSite::Blood), 0.3),
                ((Organism::Pjp, InfectionSite::Lung), 0.25),
            ],
        ),
    }
    .unwrap_or((Organism::Unknown, InfectionSite::Blood));
    let grade = pick(rng, &[(2u8, 0.4), (3, 0.52), (4, 0.08)]).unwrap_or(3);
    let hospitalised = grade >= 4 || (grade == 3 && chance(rng, p::INFECTION_HOSPITALISED * 2.0));
    Infection {
        date: dated(rng, date),
        class,
        organism,
        site,
        grade,
        hospitalised,
        icu: grade >= 4 && chance(rng, 0.6),
        resolution: Some(shift(date, days(rng, 5, 28))),
        follow_up: None,
    }
}

pub(super) fn draw_malignancies<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    day0: NaiveDate,
    end_day: i64,
) -> Vec<NewMalignancy> {
    let rate = if ind.disease == Disease::Mm {
        p::NEW_MALIGNANCY_PER_YEAR_MYELOMA
    } else {
        p::NEW_MALIGNANCY_PER_YEAR
    };
    let day = 60 + (exponential(rng, rate) * 365.25) as i64;
    if day > end_day {
        return Vec::new();
    }
    let kind = if chance(rng, p::NEW_MALIGNANCY_T_CELL_SHARE) {
        MalignancyType::TCellLymphoma
    } else {
        pick(
            rng,
            &[
                (MalignancyType::SkinBasal, 0.22),
                (MalignancyType::SkinSquamous, 0.18),
                (MalignancyType::Melanoma, 0.05),
                (MalignancyType::Mds, 0.15),
                (MalignancyType::Aml, 0.07),
                (MalignancyType::Solid, 0.33),
            ],
        )
        .unwrap_or(MalignancyType::Solid)
    };
    let tested = kind == MalignancyType::TCellLymphoma || chance(rng, 0.1);
    let detail = (kind == MalignancyType::Solid).then(|| {
        pick(
            rng,
            &[
                ("Lung", 0.25),
                ("Prostate", 0.2),
                ("Breast", 0.2),
                ("Colorectal", 0.2),
                ("Bladder", 0.15),
            ],
        )
        .unwrap_or("Lung")
    });
    let reported_to_manufacturer =
        (kind == MalignancyType::TCellLymphoma).then(|| shift(day0, day + days(rng, 3, 30)));
    vec![NewMalignancy {
        date: dated(rng, shift(day0, day)),
        kind,
        detail,
        reported_to_manufacturer,
        transgene_tested: tested,
        transgene_detected: tested
            .then(|| kind == MalignancyType::TCellLymphoma && chance(rng, 0.3)),
        follow_up: None,
    }]
}

pub(super) fn draw_therapies<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    truth: &Truth,
    day0: NaiveDate,
    end_day: i64,
) -> Vec<SubsequentTherapy> {
    let mut out = Vec::new();
    if let Some(relapse) = truth.relapse_day
        && chance(rng, 0.8)
    {
        let day = relapse + days(rng, 7, 45);
        let bispecific_era = shift(day0, day) >= p::date(2022, 10, 1);
        let category = match ind.disease {
            Disease::Mm => pick(
                rng,
                &[
                    (TherapyCategory::MyelomaAgents, 0.6),
                    (
                        TherapyCategory::Bispecific,
                        if bispecific_era { 0.4 } else { 0.05 },
                    ),
                ],
            ),
            Disease::BAll => pick(
                rng,
                &[
                    (TherapyCategory::AlloHct, 0.35),
                    (TherapyCategory::Chemoimmunotherapy, 0.45),
                    (TherapyCategory::Other, 0.2),
                ],
            ),
            Disease::Mcl => pick(
                rng,
                &[
                    (TherapyCategory::Btki, 0.5),
                    (TherapyCategory::Chemoimmunotherapy, 0.3),
                    (TherapyCategory::AlloHct, 0.1),
                    (TherapyCategory::Radiotherapy, 0.1),
                ],
            ),
            Disease::Lbcl | Disease::Fl => pick(
                rng,
                &[
                    (
                        TherapyCategory::Bispecific,
                        if bispecific_era { 0.45 } else { 0.05 },
                    ),
                    (TherapyCategory::Chemoimmunotherapy, 0.3),
                    (TherapyCategory::Radiotherapy, 0.15),
                    (TherapyCategory::AlloHct, 0.08),
                    (TherapyCategory::Other, 0.1),
                ],
            ),
        }
        .unwrap_or(TherapyCategory::Other);
        if day <= end_day {
            out.push(SubsequentTherapy {
                start: shift(day0, day),
                category,
                intent: TherapyIntent::Relapse,
                follow_up: None,
            });
        }
    }
    // B-ALL: consolidative allo-HCT in a share of responders.
    if ind.disease == Disease::BAll
        && matches!(truth.best, Response::Cr | Response::CrIncompleteRecovery)
        && chance(rng, 0.2)
    {
        let day = days(rng, 60, 120);
        if day <= end_day && truth.relapse_day.is_none_or(|r| r > day) {
            out.push(SubsequentTherapy {
                start: shift(day0, day),
                category: TherapyCategory::AlloHct,
                intent: TherapyIntent::Consolidation,
                follow_up: None,
            });
        }
    }
    out
}

/// Links each event to the first follow-up whose contact date is on or after its onset, and
/// drops the events no follow-up has reported yet.
pub(super) fn link_to_follow_ups(history: &mut PatientHistory) {
    let contacts: Vec<NaiveDate> = history.follow_ups.iter().map(|f| f.contact_date).collect();
    let first_on_or_after = |date: NaiveDate| contacts.iter().position(|c| *c >= date);

    history.responses.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.date);
        e.follow_up.is_some()
    });
    if let Some(relapse) = &mut history.relapse {
        relapse.follow_up = first_on_or_after(relapse.date.date);
        if relapse.follow_up.is_none() {
            history.relapse = None;
        }
    }
    let last_contact = contacts.last().copied();
    history.toxicities.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.onset.date);
        // A resolution after the last contact is not known yet: the event is ongoing.
        if e.resolution
            .is_some_and(|r| last_contact.is_none_or(|l| r > l))
        {
            e.resolution = None;
        }
        e.follow_up.is_some()
    });
    history.persistence.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.date);
        e.follow_up.is_some()
    });
    history.labs.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.date);
        e.follow_up.is_some()
    });
    history.immunoglobulin.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.start);
        e.follow_up.is_some()
    });
    let known = |date: Option<NaiveDate>| date.filter(|d| last_contact.is_some_and(|l| *d <= l));
    history.infections.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.date.date);
        e.resolution = known(e.resolution);
        e.follow_up.is_some()
    });
    history.malignancies.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.date.date);
        e.reported_to_manufacturer = known(e.reported_to_manufacturer);
        e.follow_up.is_some()
    });
    history.therapies.retain_mut(|e| {
        e.follow_up = first_on_or_after(e.start);
        e.follow_up.is_some()
    });
    if let Some(death) = &mut history.death {
        death.follow_up = history.follow_ups.iter().position(|f| !f.alive);
    }
}
