//! One patient's clinical history, drawn from a per-patient random stream. Pure: no I/O, no
//! database, no shared state, so patients can be generated on any number of threads and the
//! cohort is the same whatever the thread count.
//!
//! The story of a patient, in the order it is drawn:
//! site and Day 0 (volume grows over the years) → the indication available on that date →
//! demographics and diagnosis → apheresis, bridging, lymphodepletion, infusion → CRS/ICANS →
//! best response and a latent "prognosis" shared (Gaussian copula) with the mixture-cure PFS
//! and OS curves of [`super::parameters`] → relapse, death, non-relapse mortality → loss to
//! follow-up → visits at the schedule's timepoints → what was measured at them (persistence,
//! B cells, IgG, response) → infections (Poisson per period), immunoglobulin replacement,
//! new malignancies, subsequent therapies → death with causes. Finally every event is linked to
//! the first follow-up that reported it; events after the last contact are not yet known to
//! the registry and are dropped.

mod events;
mod history;
mod outcome;
mod random;
mod toxicity;
mod treatment;
mod visits;

#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::parameters::{self as p, Disease, Dose, Indication, Product};
use events::{
    draw_infections, draw_malignancies, draw_one_infection, draw_therapies, link_to_follow_ups,
};
pub use history::*;
use outcome::{draw_truth, observation_end};
pub(super) use random::{chance, dated, days, pick, shift, unit};
use random::{log_normal, standard_normal, weighted};
use toxicity::draw_crs_icans;
use treatment::{draw_day0, draw_diagnosis, draw_dose, draw_indication, draw_lymphodepletion};
use visits::{draw_follow_ups, draw_measurements, draw_responses};

/// Everything a simulation needs besides the patient number.
#[derive(Debug, Clone)]
pub struct Cohort {
    pub seed: u64,
    /// The data cut: nothing happens after it; follow-ups due before it may be missing.
    pub today: NaiveDate,
    pub indications: Vec<Indication>,
}

impl Cohort {
    pub fn new(seed: u64, today: NaiveDate) -> Self {
        Self {
            seed,
            today,
            indications: p::indications(),
        }
    }

    /// The independent random stream of patient `number`: ChaCha8 keyed by the seed, one
    /// stream per patient.
    pub fn rng_for(&self, number: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(number);
        rng
    }

    /// The patient's second stream, for [`super::complications`]: the same key, a stream no
    /// patient number reaches (the top bit set). Drawing the complications apart keeps the
    /// main story's draws, and so the calibrated rates of [`super::parameters`], independent
    /// of how many complications are drawn or how.
    pub fn detail_rng_for(&self, number: u64) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(number | 1 << 63);
        rng
    }
}

/// Simulates patient `number` (1-based) of the cohort; `None` only when the cohort has no
/// indications to draw from.
pub fn simulate_patient(cohort: &Cohort, number: u64) -> Option<PatientHistory> {
    let mut rng = cohort.rng_for(number);
    let mut detail = cohort.detail_rng_for(number);
    simulate_with(cohort, number, &mut rng, &mut detail)
}

/// The patient's true course, before the registry's view (visits, reporting) is applied.
struct Truth {
    best: Response,
    /// Day the best response was first documented.
    response_day: i64,
    /// First relapse/progression day, if any before the end of time.
    relapse_day: Option<i64>,
    death_day: Option<i64>,
    death_cause: CauseOfDeath,
    /// Day the patient left follow-up (lost/withdrawn/transferred) and how.
    exit: Option<(i64, FollowUpStatus)>,
    /// Days CAR-T cells stay detectable, and B-cell aplasia lasts.
    persistence_days: f64,
    aplasia_days: f64,
    severe_crs: bool,
}

/// Draws patient `number` from `rng`, and the complications of [`super::complications`] from
/// `detail`. Days are counted from Day 0.
fn simulate_with<R: Rng>(
    cohort: &Cohort,
    number: u64,
    rng: &mut R,
    detail: &mut R,
) -> Option<PatientHistory> {
    let today = cohort.today;

    let site = weighted(rng, &p::SITES.iter().map(|s| s.2).collect::<Vec<_>>());
    let day0 = draw_day0(rng, today);
    let indication_index = draw_indication(rng, &cohort.indications, day0);
    let ind = cohort.indications.get(indication_index)?;

    // Demographics.
    let (mean, sd, low, high) = ind.age;
    let age = (mean + sd * standard_normal(rng)).clamp(low, high);
    let sex = if chance(
        rng,
        if ind.disease == Disease::BAll {
            0.55
        } else {
            0.62
        },
    ) {
        Sex::Male
    } else {
        Sex::Female
    };
    let birth = shift(day0, -((age * 365.25) as i64) - days(rng, 0, 364));
    let birth_date = Dated {
        date: birth,
        estimated: chance(rng, 0.03),
    };

    let diagnosis = draw_diagnosis(rng, ind, day0, age);

    // Apheresis → bridging → lymphodepletion → Day 0.
    let v2v = log_normal(rng, ind.vein_to_vein_days, 0.25)
        .round()
        .clamp(14.0, 120.0) as i64;
    let apheresis_date = shift(day0, -v2v);
    let consent_date = shift(apheresis_date, -days(rng, 1, 21));
    let ld_regimen = draw_lymphodepletion(rng, ind.product);
    let (ld_start_day, ld_days) = match ld_regimen {
        p::Lymphodepletion::FluCy { days, start, .. }
        | p::Lymphodepletion::Bendamustine { days, start, .. } => (start, days),
    };
    let bridging = if chance(rng, p::BRIDGING) && v2v > 14 {
        let start = days(rng, -v2v + 1, -v2v + 7);
        let end = days(rng, start + 1, ld_start_day - 4);
        let kind = pick(
            rng,
            &[
                (BridgingKind::Chemotherapy, 0.5),
                (BridgingKind::Radiotherapy, 0.2),
                (BridgingKind::Steroids, 0.2),
                (BridgingKind::Targeted, 0.1),
            ],
        )
        .unwrap_or(BridgingKind::Chemotherapy);
        Some(Bridging {
            kind,
            start: shift(day0, start),
            end: shift(day0, end.max(start)),
        })
    } else {
        None
    };
    let manufacturing_failed = chance(rng, p::MANUFACTURING_FAILURE);
    let mut course = Course {
        indication: indication_index,
        product: ind.product,
        apheresis_date,
        bridging,
        lymphodepletion: None,
        infusion: None,
    };

    let mut history = PatientHistory {
        number,
        registry_id: format!("DEMO-{number:06}"),
        site,
        sex,
        birth_date,
        consent_date,
        data_sharing_consent: chance(rng, 0.8),
        status: FollowUpStatus::Active,
        transfer_centre: None,
        tracing_attempts: None,
        status_date: None,
        diagnosis,
        course: course.clone(),
        follow_ups: Vec::new(),
        responses: Vec::new(),
        relapse: None,
        toxicities: Vec::new(),
        persistence: Vec::new(),
        labs: Vec::new(),
        immunoglobulin: Vec::new(),
        infections: Vec::new(),
        malignancies: Vec::new(),
        therapies: Vec::new(),
        death: None,
    };
    if manufacturing_failed {
        history.status = FollowUpStatus::Withdrawn;
        history.status_date = Some(shift(day0, 7).min(today));
        return Some(history);
    }

    course.lymphodepletion = Some(LymphodepletionGiven {
        regimen: ld_regimen,
        start: shift(day0, ld_start_day),
        end: shift(day0, ld_start_day + ld_days - 1),
    });

    // Toxicities in the first weeks.
    let mut toxicities = draw_crs_icans(rng, ind, day0);
    let severe_crs = toxicities
        .iter()
        .any(|t| t.kind == ToxicityKind::Crs && t.grade >= 3);

    let outpatient = matches!(ind.product, Product::LisoCel | Product::TisaCel)
        && ind.disease != Disease::BAll
        && chance(rng, 0.15);
    let icu = toxicities.iter().any(|t| t.icu);
    let stay = if severe_crs || icu {
        days(rng, 14, 40)
    } else {
        days(rng, 9, 21)
    };
    course.infusion = Some(Infusion {
        date: day0,
        dose: draw_dose(rng, ind.dose),
        per_kg: matches!(ind.dose, Dose::PerKg(..)),
        admission: if outpatient { day0 } else { shift(day0, -1) },
        discharge: if outpatient && !severe_crs {
            day0
        } else {
            shift(day0, stay)
        },
        outpatient,
        icu,
        ecog: pick(rng, &[(0u8, 0.45), (1, 0.48), (2, 0.07)]).unwrap_or(1),
        out_of_specification: chance(rng, 0.03),
    });

    let mut truth = draw_truth(rng, ind, day0, today, severe_crs);

    // Fatal early toxicity: the CRS/ICANS event becomes grade 5.
    if let Some(death_day) = truth.death_day {
        let fatal_kind = match truth.death_cause {
            CauseOfDeath::Crs => Some(ToxicityKind::Crs),
            CauseOfDeath::Icans => Some(ToxicityKind::Icans),
            _ => None,
        };
        if let Some(kind) = fatal_kind
            && let Some(event) = toxicities.iter_mut().find(|t| t.kind == kind)
        {
            event.grade = 5;
            event.fatal = true;
            // A fatal CRS or ICANS was treated as a severe one: corticosteroids for both (and
            // tocilizumab for CRS) if its first grade had not called for them.
            let mut needed = vec![Treatment::at_peak(Agent::Corticosteroids)];
            if kind == ToxicityKind::Crs {
                needed.push(Treatment {
                    doses: Some(1),
                    ..Treatment::at_peak(Agent::Tocilizumab)
                });
            }
            for treatment in needed {
                if !event.treatments.iter().any(|t| t.agent == treatment.agent) {
                    event.treatments.push(treatment);
                }
            }
            event.resolution = None;
            event.onset.date = event.onset.date.min(shift(day0, death_day));
        }
    }
    // Toxicities never outlast the patient.
    for event in &mut toxicities {
        if let (Some(death_day), Some(resolution)) = (truth.death_day, event.resolution)
            && resolution > shift(day0, death_day)
        {
            event.resolution = None;
        }
    }

    history.course = course;
    history.toxicities = toxicities;
    let end_day = observation_end(&truth, day0, today);
    history.follow_ups = draw_follow_ups(rng, &truth, day0, today);
    history.responses = draw_responses(rng, ind, &truth, day0, end_day, &history.follow_ups);
    history.relapse = truth.relapse_day.map(|day| Relapse {
        date: dated(rng, shift(day0, day)),
        method: match ind.disease {
            Disease::BAll => {
                if chance(rng, 0.6) {
                    RelapseMethod::Flow
                } else {
                    RelapseMethod::Molecular
                }
            }
            Disease::Mm => RelapseMethod::ClinicalHematologic,
            _ => {
                if chance(rng, 0.85) {
                    RelapseMethod::Radiological
                } else {
                    RelapseMethod::ClinicalHematologic
                }
            }
        },
        methods: Vec::new(),
        cd19_negative: (ind.disease == Disease::BAll).then(|| chance(rng, 0.3)),
        follow_up: None,
    });
    history.infections = draw_infections(rng, ind, &truth, day0, end_day);
    draw_measurements(rng, ind, &truth, day0, &mut history);
    history.malignancies = draw_malignancies(rng, ind, day0, end_day);
    history.therapies = draw_therapies(rng, ind, &truth, day0, end_day);
    // A death from a new malignancy needs the malignancy on record.
    if truth.death_cause == CauseOfDeath::NewMalignancy && history.malignancies.is_empty() {
        truth.death_cause = CauseOfDeath::Cardiac;
    }
    history.death = truth.death_day.map(|day| {
        let mut contributing = Vec::new();
        if truth.death_cause == CauseOfDeath::Disease && chance(rng, 0.3) {
            contributing.push(CauseOfDeath::Infection);
        }
        if matches!(truth.death_cause, CauseOfDeath::Infection) && chance(rng, 0.2) {
            contributing.push(CauseOfDeath::OrganFailure);
        }
        let primary = if chance(rng, p::MISSING_CODE) {
            CauseOfDeath::Unknown
        } else {
            truth.death_cause
        };
        Death {
            date: Dated {
                date: shift(day0, day),
                estimated: chance(rng, p::DATE_ESTIMATED),
            },
            primary,
            other: (primary == CauseOfDeath::Other).then(|| {
                pick(
                    rng,
                    &[
                        ("Sudden death, cause not established", 0.4),
                        ("Thromboembolism", 0.3),
                        ("Renal failure", 0.3),
                    ],
                )
                .unwrap_or("Not established")
            }),
            contributing,
            autopsy: chance(rng, 0.08),
            follow_up: None,
        }
    });
    // A fatal infection is on record shortly before an infectious death.
    if let (Some(death), CauseOfDeath::Infection) = (&history.death, truth.death_cause) {
        let onset = shift(death.date.date, -days(rng, 2, 14)).max(day0);
        let mut infection = draw_one_infection(rng, onset, true);
        infection.grade = 5;
        infection.hospitalised = true;
        infection.resolution = None;
        history.infections.push(infection);
    }

    match (truth.death_day, truth.exit) {
        (Some(day), _) => {
            history.status = FollowUpStatus::Dead;
            history.status_date = Some(shift(day0, day));
        }
        (None, Some((day, status))) => {
            history.status = status;
            history.status_date = Some(shift(day0, day));
            match status {
                FollowUpStatus::Transferred => {
                    history.transfer_centre = pick(
                        rng,
                        &[
                            ("Vienna General Hospital", 0.4),
                            ("Zurich University Hospital", 0.3),
                            ("Brussels Saint-Luc", 0.3),
                        ],
                    );
                }
                FollowUpStatus::Lost => history.tracing_attempts = Some(days(rng, 2, 5) as u8),
                _ => {}
            }
        }
        (None, None) => {}
    }
    // Dead patients are dead in the registry only if a follow-up reported it.
    if history.death.is_some() && !history.follow_ups.iter().any(|f| !f.alive) {
        history.death = None;
        history.status = FollowUpStatus::Active;
        history.status_date = None;
    }
    super::complications::draw(detail, ind, severe_crs, &mut history);
    link_to_follow_ups(&mut history);
    Some(history)
}
