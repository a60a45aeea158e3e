//! The patient's true course: best response, relapse, death and its cause, leaving follow-up,
//! CAR-T persistence and B-cell aplasia; and the last day any of it can be known.

use chrono::NaiveDate;
use rand::Rng;

use super::Truth;
use super::history::{CauseOfDeath, FollowUpStatus, Response};
use super::random::{
    chance, days, exponential, log_normal, normal_cdf, pick, standard_normal, unit,
};
use crate::seed::parameters::{self as p, DAYS_PER_MONTH, Disease, Indication};

/// Correlation between the response latent and the survival latent (assumption: strong, so
/// that CR patients make up most of the cure fraction and non-responders progress early).
const RESPONSE_SURVIVAL_CORRELATION: f64 = 0.9;

pub(super) fn draw_truth<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    day0: NaiveDate,
    today: NaiveDate,
    severe_crs: bool,
) -> Truth {
    let horizon = (today - day0).num_days();
    // Gaussian copula: the response latent and the survival latent.
    let z_response = standard_normal(rng);
    let rho = RESPONSE_SURVIVAL_CORRELATION;
    let z_survival = rho * z_response + (1.0 - rho * rho).sqrt() * standard_normal(rng);
    let u_response = normal_cdf(z_response);
    let u_survival = normal_cdf(z_survival);

    let responder = u_response < ind.orr;
    let complete = u_response < ind.cr;
    let first_assessment = days(rng, 26, 35);
    let best = match (ind.disease, complete, responder) {
        (Disease::Mm, true, _) => {
            if chance(rng, 0.8) {
                Response::StringentCr
            } else {
                Response::Cr
            }
        }
        (Disease::Mm, false, true) => {
            if chance(rng, 0.6) {
                Response::Vgpr
            } else {
                Response::Pr
            }
        }
        (Disease::BAll, true, _) => Response::Cr,
        (Disease::BAll, false, true) => Response::CrIncompleteRecovery,
        (Disease::BAll, false, false) => Response::NoResponse,
        (_, true, _) => Response::Cr,
        (_, false, true) => Response::Pr,
        (Disease::Mm, false, false) | (_, false, false) => {
            if chance(rng, 0.5) {
                Response::Sd
            } else {
                Response::Pd
            }
        }
    };
    // Lymphoma CRs are often documented at the 3-month PET; myeloma deepens over months.
    let response_day = match ind.disease {
        Disease::Mm if complete => days(rng, 60, 150),
        Disease::Lbcl | Disease::Fl | Disease::Mcl if complete && chance(rng, 0.35) => {
            days(rng, 85, 100)
        }
        _ => first_assessment,
    };

    let months_to_days = |m: f64| (m * DAYS_PER_MONTH).round() as i64;
    let mut relapse_day = ind.pfs.quantile_months(u_survival).map(months_to_days);
    // Nobody dies on the day of infusion in this cohort: the earliest death is day 2.
    let mut death_day = ind
        .os
        .quantile_months(u_survival)
        .map(|m| months_to_days(m).max(2));
    if !responder {
        // Non-responders progress at (or before) the first assessment.
        relapse_day = Some(relapse_day.map_or(first_assessment, |d| d.min(first_assessment)));
    } else if let Some(day) = relapse_day {
        relapse_day = Some(day.max(response_day + days(rng, 21, 60)));
    }
    let mut cause = CauseOfDeath::Disease;
    if let Some(death) = death_day {
        let early = death < 30;
        let nrm_share = (ind.nrm / (1.0 - ind.os.plateau)).min(1.0);
        // Early deaths of responders, and a share of all deaths, are non-relapse mortality.
        let is_nrm = if responder {
            early || chance(rng, nrm_share)
        } else {
            death < 10 || (early && chance(rng, 0.3))
        };
        if is_nrm {
            relapse_day = None;
            cause = if early && severe_crs && chance(rng, 0.5) {
                CauseOfDeath::Crs
            } else if early && chance(rng, 0.1) {
                CauseOfDeath::Icans
            } else {
                pick(
                    rng,
                    &[
                        (CauseOfDeath::Infection, 0.6),
                        (CauseOfDeath::OrganFailure, 0.12),
                        (CauseOfDeath::Cardiac, 0.1),
                        (CauseOfDeath::Haemorrhage, 0.06),
                        (CauseOfDeath::Other, 0.12),
                    ],
                )
                .unwrap_or(CauseOfDeath::Infection)
            };
        } else {
            // Death from disease comes after a documented progression.
            let progression = relapse_day.unwrap_or(death).min(death);
            let latest = (death - 3).max(1);
            relapse_day = Some(progression.clamp(1, latest));
            if death <= 3 {
                death_day = Some(4);
            }
        }
    }
    // Long-term survivors: background mortality from year 2.
    if death_day.is_none() {
        let years = exponential(rng, p::BACKGROUND_MORTALITY_PER_YEAR);
        let day = 730 + (years * 365.25) as i64;
        if day <= horizon {
            death_day = Some(day);
            cause = pick(
                rng,
                &[
                    (CauseOfDeath::Cardiac, 0.35),
                    (CauseOfDeath::NewMalignancy, 0.2),
                    (CauseOfDeath::Infection, 0.2),
                    (CauseOfDeath::Other, 0.25),
                ],
            )
            .unwrap_or(CauseOfDeath::Other);
        }
    }
    if let (Some(relapse), Some(death)) = (relapse_day, death_day)
        && relapse >= death
    {
        relapse_day = None;
    }
    // Leaving follow-up after Day 100.
    let exit_rate = p::LOST_PER_YEAR + p::WITHDRAWN_PER_YEAR + p::TRANSFERRED_PER_YEAR;
    let exit_day = 100 + (exponential(rng, exit_rate) * 365.25) as i64;
    let exit_status = pick(
        rng,
        &[
            (FollowUpStatus::Lost, p::LOST_PER_YEAR),
            (FollowUpStatus::Withdrawn, p::WITHDRAWN_PER_YEAR),
            (FollowUpStatus::Transferred, p::TRANSFERRED_PER_YEAR),
        ],
    )
    .unwrap_or(FollowUpStatus::Lost);

    // The registry only ever sees up to today.
    let death_day = death_day.filter(|d| *d <= horizon);
    let relapse_day = relapse_day.filter(|d| *d <= horizon);
    let exit = (exit_day <= horizon && death_day.is_none_or(|d| exit_day < d))
        .then_some((exit_day, exit_status));
    // A patient who left follow-up is not known to have died or relapsed afterwards.
    let (death_day, relapse_day) = match exit {
        Some((day, _)) => (
            death_day.filter(|d| *d <= day),
            relapse_day.filter(|d| *d <= day),
        ),
        None => (death_day, relapse_day),
    };

    let persistence_days = log_normal(rng, ind.persistence_median_months * DAYS_PER_MONTH, 0.8);
    let aplasia_days = if ind.product.is_bcma() {
        log_normal(rng, 110.0, 0.4)
    } else {
        persistence_days * (0.9 + 0.5 * unit(rng)) + 30.0
    };
    Truth {
        best,
        response_day,
        relapse_day,
        death_day,
        death_cause: cause,
        exit,
        persistence_days,
        aplasia_days,
        severe_crs,
    }
}

/// The last day anything can be known: death, leaving follow-up, or today.
pub(super) fn observation_end(truth: &Truth, day0: NaiveDate, today: NaiveDate) -> i64 {
    let horizon = (today - day0).num_days();
    let mut end = horizon;
    if let Some(d) = truth.death_day {
        end = end.min(d);
    }
    if let Some((d, _)) = truth.exit {
        end = end.min(d);
    }
    end
}
