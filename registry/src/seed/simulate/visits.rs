//! The registry's view at each visit: follow-ups at the schedule's timepoints and their
//! sign-off, response assessments, and what was measured (persistence, B cells, IgG, blood
//! counts) with immunoglobulin replacement.

use chrono::NaiveDate;
use rand::Rng;

use super::Truth;
use super::history::{
    Analyte, AssessmentMethod, ContactType, Criteria, FollowUp, FormStatus, IgIndication, IgRoute,
    ImmunoglobulinCourse, LabResult, Mrd, PatientHistory, PersistenceMethod, PersistenceTest,
    Response, ResponseAssessment,
};
use super::random::{chance, days, log_normal, pick, shift, standard_normal, unit};
use crate::domain::schedule::Timepoint;
use crate::seed::parameters::{self as p, Disease, Indication};

pub(super) fn draw_follow_ups<R: Rng>(
    rng: &mut R,
    truth: &Truth,
    day0: NaiveDate,
    today: NaiveDate,
) -> Vec<FollowUp> {
    let horizon = (today - day0).num_days();
    let mut visits: Vec<FollowUp> = Vec::new();
    for timepoint in Timepoint::default_schedule() {
        let Some(window) = timepoint.default_window() else {
            continue;
        };
        let (low, high) = (window.earliest.days(), window.latest.days());
        let contact = if chance(rng, 0.9) {
            days(rng, low, high)
        } else {
            // Near the window: late by up to two months.
            days(rng, high + 1, high + 60)
        };
        // Reporting periods never overlap: at least two weeks after the previous contact.
        let contact = match visits.last() {
            Some(previous) => contact.max((previous.contact_date - day0).num_days() + 14),
            None => contact,
        };
        let year = timepoint.year().map_or(0, i64::from);
        if let Some(death) = truth.death_day
            && death <= contact
        {
            let (form_status, completed_on, verified_on, locked_on) =
                sign_off(rng, shift(day0, death), today);
            visits.push(FollowUp {
                timepoint,
                contact_date: shift(day0, death),
                contact_type: if chance(rng, 0.7) {
                    ContactType::ClinicVisit
                } else {
                    ContactType::OutsideRecords
                },
                alive: false,
                ecog: None,
                form_status,
                completed_on,
                verified_on,
                locked_on,
            });
            break;
        }
        if truth.exit.is_some_and(|(day, _)| day <= contact) || contact > horizon {
            break;
        }
        // Recent visits may not be entered yet: the worklist shows them as due/overdue.
        if horizon - contact < 120 && chance(rng, p::FOLLOWUP_NOT_YET_ENTERED) {
            break;
        }
        if timepoint != Timepoint::D28 && chance(rng, p::FOLLOWUP_MISSED) {
            continue;
        }
        let contact_type = if year >= 6 {
            pick(
                rng,
                &[
                    (ContactType::Phone, 0.45),
                    (ContactType::ClinicVisit, 0.3),
                    (ContactType::OutsideRecords, 0.15),
                    (ContactType::SurvivalTool, 0.1),
                ],
            )
        } else if year >= 2 {
            pick(
                rng,
                &[
                    (ContactType::ClinicVisit, 0.7),
                    (ContactType::OutsideRecords, 0.2),
                    (ContactType::Phone, 0.1),
                ],
            )
        } else {
            pick(
                rng,
                &[
                    (ContactType::ClinicVisit, 0.93),
                    (ContactType::OutsideRecords, 0.07),
                ],
            )
        }
        .unwrap_or(ContactType::ClinicVisit);
        let relapsed = truth.relapse_day.is_some_and(|r| r <= contact);
        let ecog = if contact_type == ContactType::ClinicVisit {
            let base = if relapsed { 1 } else { 0 };
            Some(base + pick(rng, &[(0u8, 0.6), (1, 0.3), (2, 0.1)]).unwrap_or(0))
        } else {
            None
        };
        let (form_status, completed_on, verified_on, locked_on) =
            sign_off(rng, shift(day0, contact), today);
        visits.push(FollowUp {
            timepoint,
            contact_date: shift(day0, contact),
            contact_type,
            alive: true,
            ecog,
            form_status,
            completed_on,
            verified_on,
            locked_on,
        });
    }
    visits
}

/// Form status and its sign-off dates: recent forms are still being entered, older ones are
/// verified by a monitor and then locked. No date falls after `today`.
fn sign_off<R: Rng>(
    rng: &mut R,
    contact: NaiveDate,
    today: NaiveDate,
) -> (
    FormStatus,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
) {
    let age_days = (today - contact).num_days();
    let status = if age_days < 60 {
        if chance(rng, 0.4) {
            FormStatus::InProgress
        } else {
            FormStatus::Complete
        }
    } else if age_days < 365 {
        pick(
            rng,
            &[
                (FormStatus::Complete, 0.6),
                (FormStatus::Verified, 0.3),
                (FormStatus::InProgress, 0.1),
            ],
        )
        .unwrap_or(FormStatus::Complete)
    } else {
        pick(
            rng,
            &[
                (FormStatus::Locked, 0.6),
                (FormStatus::Verified, 0.3),
                (FormStatus::Complete, 0.1),
            ],
        )
        .unwrap_or(FormStatus::Locked)
    };
    let completed = shift(contact, days(rng, 0, 30)).min(today);
    let verified = shift(completed, days(rng, 5, 90)).min(today);
    let locked = shift(verified, days(rng, 1, 60)).min(today);
    match status {
        FormStatus::InProgress => (status, None, None, None),
        FormStatus::Complete => (status, Some(completed), None, None),
        FormStatus::Verified => (status, Some(completed), Some(verified), None),
        FormStatus::Locked => (status, Some(completed), Some(verified), Some(locked)),
    }
}

fn criteria(disease: Disease) -> Criteria {
    match disease {
        Disease::Mm => Criteria::Imwg2016,
        Disease::BAll => Criteria::BAll,
        Disease::Lbcl | Disease::Fl | Disease::Mcl => Criteria::Lugano2014,
    }
}

pub(super) fn draw_responses<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    truth: &Truth,
    day0: NaiveDate,
    end_day: i64,
    follow_ups: &[FollowUp],
) -> Vec<ResponseAssessment> {
    let criteria = criteria(ind.disease);
    let mut out = Vec::new();
    let stop = truth.relapse_day.unwrap_or(i64::MAX).min(end_day);
    let assess = |rng: &mut R, day: i64, response: Response| {
        let method = match ind.disease {
            Disease::Mm => AssessmentMethod::Serum,
            Disease::BAll => AssessmentMethod::BoneMarrow,
            _ => {
                if chance(rng, 0.9) {
                    AssessmentMethod::PetCt
                } else {
                    AssessmentMethod::Ct
                }
            }
        };
        let responding = !matches!(
            response,
            Response::Sd | Response::Pd | Response::NoResponse | Response::NotEvaluable
        );
        let mrd = match ind.disease {
            Disease::BAll | Disease::Mm if responding => Some(if chance(rng, p::MISSING_CODE) {
                Mrd::NotDone
            } else if chance(
                rng,
                if ind.disease == Disease::BAll {
                    0.95
                } else {
                    0.6
                },
            ) {
                Mrd::Negative
            } else {
                Mrd::Positive
            }),
            Disease::BAll => Some(Mrd::Positive),
            _ => None,
        };
        let deauville = (method == AssessmentMethod::PetCt).then(|| match response {
            Response::Cr => days(rng, 1, 3) as u8,
            Response::Pr | Response::Sd => 4,
            _ => 5,
        });
        ResponseAssessment {
            date: shift(day0, day),
            criteria,
            response,
            method,
            mrd,
            deauville,
            follow_up: None,
        }
    };
    let first = truth.response_day.min(days(rng, 26, 35));
    if first > end_day {
        return out;
    }
    let responder = !matches!(
        truth.best,
        Response::Sd | Response::Pd | Response::NoResponse
    );
    if !responder {
        let response = match truth.relapse_day {
            _ if ind.disease == Disease::BAll => Response::NoResponse,
            Some(day) if day <= first => Response::Pd,
            _ => truth.best,
        };
        if response != Response::Pd {
            out.push(assess(rng, first.min(stop), response));
        }
    } else if first < stop {
        let initial = if truth.response_day > first {
            match truth.best {
                Response::StringentCr | Response::Cr => {
                    if ind.disease == Disease::Mm {
                        Response::Vgpr
                    } else {
                        Response::Pr
                    }
                }
                other => other,
            }
        } else {
            truth.best
        };
        out.push(assess(rng, first, initial));
        if truth.response_day > first && truth.response_day < stop {
            out.push(assess(rng, truth.response_day, truth.best));
        }
        // Restaging at later visits while in remission.
        for visit in follow_ups.iter().filter(|f| f.alive) {
            let day = (visit.contact_date - day0).num_days();
            if day > truth.response_day + 30 && day < stop && day <= 3 * 365 {
                out.push(assess(rng, day, truth.best));
            }
        }
    }
    // Relapse/progression documented as PD on the disease's scale.
    if let Some(day) = truth.relapse_day
        && day <= end_day
        && (responder || ind.disease != Disease::BAll)
    {
        out.push(assess(rng, day, Response::Pd));
    }
    // A patient who died before any assessment is not evaluable.
    if out.is_empty()
        && let Some(death) = truth.death_day
        && death <= first
    {
        out.push(ResponseAssessment {
            date: shift(day0, death),
            criteria,
            response: Response::NotEvaluable,
            method: AssessmentMethod::Clinical,
            mrd: None,
            deauville: None,
            follow_up: None,
        });
    }
    out.sort_by_key(|a| a.date);
    out
}

/// Persistence, B cells, IgG (and blood counts early) at each visit, plus immunoglobulin
/// replacement when IgG falls below the threshold.
pub(super) fn draw_measurements<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    truth: &Truth,
    day0: NaiveDate,
    history: &mut PatientHistory,
) {
    let (mean, sd) = if ind.disease == Disease::Mm {
        p::IGG_BASELINE_MYELOMA
    } else {
        p::IGG_BASELINE
    };
    let baseline_igg = (mean + sd * standard_normal(rng)).clamp(150.0, 1500.0);
    let peak = if ind.product.is_cd28() {
        log_normal(rng, 30_000.0, 0.8)
    } else {
        log_normal(rng, 12_000.0, 0.8)
    };
    let lloq = 10.0;
    let persistence = truth.persistence_days.max(20.0);
    let decay = (peak / lloq).max(1.0).ln() / (persistence - 14.0).max(1.0);

    // Baseline labs before lymphodepletion, reported with the first follow-up.
    let baseline_day = -days(rng, 7, 14);
    history.labs.push(LabResult {
        date: shift(day0, baseline_day),
        analyte: Analyte::IgG,
        value: Some(baseline_igg.round()),
        ivig_within_30d: false,
        follow_up: None,
    });

    let mut igrt: Option<ImmunoglobulinCourse> = None;
    let mut had_infection_risk = truth.severe_crs;
    for visit in history.follow_ups.iter().filter(|f| f.alive) {
        let day = (visit.contact_date - day0).num_days();
        let date = visit.contact_date;
        let relapsed = truth.relapse_day.is_some_and(|r| r <= day);
        if day <= 3 * 366 || chance(rng, 0.3) {
            let not_done = chance(rng, p::MISSING_CODE * 2.0);
            let detected = (day as f64) < persistence && !relapsed;
            let method = if chance(rng, 0.85) {
                PersistenceMethod::Qpcr
            } else {
                PersistenceMethod::Flow
            };
            let value = if not_done || !detected {
                None
            } else if method == PersistenceMethod::Qpcr {
                let v = peak
                    * (-decay * (day as f64 - 14.0).max(0.0)).exp()
                    * log_normal(rng, 1.0, 0.3);
                Some(v.max(lloq).round())
            } else {
                Some(
                    (log_normal(rng, 2.0, 0.6) * (-(day as f64) / persistence).exp() * 100.0)
                        .round()
                        / 100.0,
                )
            };
            history.persistence.push(PersistenceTest {
                date,
                method,
                detected: (!not_done).then_some(detected),
                value,
                follow_up: None,
            });
        }
        // B cells: aplasia (CD19+ < 20/µL) until recovery, then a slow rise.
        let aplastic = (day as f64) < truth.aplasia_days;
        let b_cells = if aplastic {
            days(rng, 0, 15) as f64
        } else {
            let since = day as f64 - truth.aplasia_days;
            (20.0 + 250.0 * (1.0 - (-since / 180.0).exp())) * log_normal(rng, 1.0, 0.3)
        };
        history.labs.push(LabResult {
            date,
            analyte: Analyte::Cd19BCells,
            value: (!chance(rng, p::MISSING_CODE)).then_some(b_cells.round()),
            ivig_within_30d: false,
            follow_up: None,
        });
        // Native IgG falls towards a nadir during aplasia and recovers over months after it.
        let depth = 1.0 - (1.0 - p::IGG_APLASIA_FACTOR) * (1.0 - (-(day as f64) / 60.0).exp());
        let native = if aplastic {
            baseline_igg * depth
        } else {
            let since = day as f64 - truth.aplasia_days;
            let floor = baseline_igg * p::IGG_APLASIA_FACTOR;
            floor + (baseline_igg - floor) * (1.0 - (-since / 240.0).exp())
        } * log_normal(rng, 1.0, 0.12);
        let on_igrt = igrt
            .as_ref()
            .is_some_and(|c| c.stop.is_none_or(|s| s >= date));
        let measured = if on_igrt {
            native.max(650.0 + 250.0 * unit(rng))
        } else {
            native
        };
        history.labs.push(LabResult {
            date,
            analyte: Analyte::IgG,
            value: (!chance(rng, p::MISSING_CODE)).then_some(measured.round()),
            ivig_within_30d: on_igrt,
            follow_up: None,
        });
        if day <= 100 {
            let anc = log_normal(rng, if day <= 30 { 1.1 } else { 2.2 }, 0.6);
            let platelets = log_normal(rng, if day <= 30 { 70.0 } else { 140.0 }, 0.5);
            for (analyte, value) in [
                (Analyte::Anc, (anc * 100.0).round() / 100.0),
                (Analyte::Platelets, platelets.round()),
            ] {
                history.labs.push(LabResult {
                    date,
                    analyte,
                    value: Some(value),
                    ivig_within_30d: false,
                    follow_up: None,
                });
            }
        }
        had_infection_risk |= history
            .infections
            .iter()
            .any(|i| i.date.date <= date && i.grade >= 3);
        // Start replacement for low native IgG in a subset.
        if igrt.is_none() && native < p::IGG_REPLACEMENT_THRESHOLD {
            let uptake = if had_infection_risk {
                p::IGRT_UPTAKE + 0.2
            } else {
                p::IGRT_UPTAKE
            };
            if chance(rng, uptake) {
                let start = shift(date, days(rng, 0, 14));
                let route = if chance(rng, p::IGRT_SCIG_SHARE) {
                    IgRoute::Scig
                } else {
                    IgRoute::Ivig
                };
                // Stop a few months after B-cell recovery (or never, if aplasia persists).
                let stop_day = truth.aplasia_days as i64 + days(rng, 60, 240);
                igrt = Some(ImmunoglobulinCourse {
                    start,
                    stop: Some(shift(day0, stop_day)).filter(|s| *s > start),
                    route,
                    dose_g_per_kg: if route == IgRoute::Ivig { 0.4 } else { 0.1 },
                    interval_days: if route == IgRoute::Ivig { 28 } else { 7 },
                    indication: if had_infection_risk {
                        IgIndication::RecurrentInfection
                    } else {
                        IgIndication::Hypogammaglobulinaemia
                    },
                    follow_up: None,
                });
            }
        }
    }
    if let Some(mut course) = igrt {
        // Only a stop the registry could know about: on or before the last contact.
        let last = history.last_contact();
        if course.stop.is_some_and(|s| last.is_none_or(|l| s > l)) {
            course.stop = None;
        }
        history.immunoglobulin.push(course);
    }
}
