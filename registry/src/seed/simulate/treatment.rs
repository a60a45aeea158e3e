//! Who is treated, when and with what: Day 0, the indication available on that date, the
//! diagnosis and prior history, the lymphodepletion regimen and the dose infused.

use chrono::NaiveDate;
use rand::{Rng, RngExt};

use super::history::{Dated, Diagnosis, PriorHct, Refractory, Subtype};
use super::random::{chance, days, log_normal, pick, shift, unit, weighted};
use crate::seed::parameters::{self as p, Disease, Dose, Indication, Product};

pub(super) fn draw_day0<R: Rng>(rng: &mut R, today: NaiveDate) -> NaiveDate {
    let start = p::first_infusion_date();
    let span = (today - start).num_days().max(1) as f64;
    // Density ∝ a + x on [0, 1]: invert the CDF (a x + x²/2) / (a + 1/2).
    let a = p::GROWTH_INTERCEPT;
    let u = unit(rng) * (a + 0.5);
    let x = -a + (a * a + 2.0 * u).sqrt();
    let day = ((x * span) as i64).clamp(0, span as i64 - 1);
    shift(start, day)
}

pub(super) fn draw_indication<R: Rng>(
    rng: &mut R,
    indications: &[Indication],
    day0: NaiveDate,
) -> usize {
    // Uptake ramps over the first year after approval.
    let weights: Vec<f64> = indications
        .iter()
        .map(|ind| {
            let since = (day0 - ind.approved).num_days();
            if since < 0 {
                0.0
            } else {
                ind.weight * (0.25 + 0.75 * (since as f64 / 365.0).min(1.0))
            }
        })
        .collect();
    weighted(rng, &weights)
}

pub(super) fn draw_diagnosis<R: Rng>(
    rng: &mut R,
    ind: &Indication,
    day0: NaiveDate,
    age: f64,
) -> Diagnosis {
    let subtype = match ind.disease {
        Disease::Lbcl => pick(
            rng,
            &[
                (Subtype::DlbclNos, 0.65),
                (Subtype::TransformedFl, 0.2),
                (Subtype::HgbclDoubleHit, 0.1),
                (Subtype::Pmbcl, 0.05),
            ],
        ),
        Disease::Fl => Some(Subtype::Fl),
        Disease::Mcl => Some(Subtype::Mcl),
        Disease::BAll => pick(rng, &[(Subtype::BAllPhNeg, 0.8), (Subtype::BAllPhPos, 0.2)]),
        Disease::Mm => pick(
            rng,
            &[(Subtype::MmStandardRisk, 0.65), (Subtype::MmHighRisk, 0.35)],
        ),
    }
    .unwrap_or(Subtype::DlbclNos);
    let (low, high) = ind.prior_lines;
    let prior_lines = rng.random_range(low..=high);
    let years = match ind.disease {
        Disease::Mm => log_normal(rng, 5.0, 0.4),
        Disease::Fl | Disease::Mcl => log_normal(rng, 4.0, 0.5),
        Disease::BAll => log_normal(rng, 1.5, 0.6),
        Disease::Lbcl => log_normal(rng, 1.3, 0.6),
    };
    // Diagnosed at least two months before Day 0 and after the first half of life so far.
    let years = years.min(age * 0.5);
    let diagnosis_date = shift(day0, -((years * 365.25) as i64).max(60));
    let refractory = if chance(rng, p::MISSING_CODE) {
        Refractory::Unknown
    } else if ind.disease == Disease::Mm {
        if chance(rng, 0.8) {
            Refractory::TripleClassRefractory
        } else {
            Refractory::RefractoryToLastLine
        }
    } else {
        pick(
            rng,
            &[
                (Refractory::PrimaryRefractory, 0.3),
                (Refractory::RelapsedWithin12Months, 0.35),
                (Refractory::RelapsedAfter12Months, 0.15),
                (Refractory::RefractoryToLastLine, 0.2),
            ],
        )
        .unwrap_or(Refractory::Unknown)
    };
    let prior_hct = match ind.disease {
        Disease::Mm => {
            if chance(rng, 0.85) {
                PriorHct::Autologous
            } else {
                PriorHct::None
            }
        }
        Disease::BAll => {
            if chance(rng, 0.35) {
                PriorHct::Allogeneic
            } else {
                PriorHct::None
            }
        }
        _ => {
            if chance(rng, 0.25) {
                PriorHct::Autologous
            } else {
                PriorHct::None
            }
        }
    };
    let prior_hct_date = (prior_hct != PriorHct::None).then(|| {
        let span = (day0 - diagnosis_date).num_days();
        shift(
            diagnosis_date,
            days(rng, span / 4, (span * 3 / 4).max(span / 4)),
        )
    });
    let lymphoma = matches!(ind.disease, Disease::Lbcl | Disease::Fl | Disease::Mcl);
    let ipi = lymphoma.then(|| days(rng, 0, 5) as u8);
    let riss = (ind.disease == Disease::Mm).then(|| days(rng, 1, 3) as u8);
    let high_risk_cytogenetics =
        (ind.disease == Disease::Mm).then_some(subtype == Subtype::MmHighRisk);
    Diagnosis {
        disease: ind.disease,
        subtype,
        date: Dated {
            date: diagnosis_date,
            estimated: chance(rng, 0.05),
        },
        prior_lines,
        refractory,
        prior_hct,
        prior_hct_date,
        ipi,
        riss,
        high_risk_cytogenetics,
    }
}

pub(super) fn draw_lymphodepletion<R: Rng>(rng: &mut R, product: Product) -> p::Lymphodepletion {
    use p::Lymphodepletion::{Bendamustine, FluCy};
    match product {
        // Brexu-cel: flu 30 + cy 500 days -5..-3 [P7].
        Product::BrexuCel => FluCy {
            flu: 30,
            cy: 500,
            days: 3,
            start: -5,
        },
        // JULIET: flu 25 + cy 250 x3 or bendamustine 90 x2 [P3c].
        Product::TisaCel => {
            if chance(rng, 0.1) {
                Bendamustine {
                    dose: 90,
                    days: 2,
                    start: -4,
                }
            } else {
                FluCy {
                    flu: 25,
                    cy: 250,
                    days: 3,
                    start: -6,
                }
            }
        }
        // Axi-cel ZUMA-1: flu 30 + cy 500 x3 (recall); others flu 30 + cy 300 x3 [P3c][P6].
        Product::AxiCel => FluCy {
            flu: 30,
            cy: 500,
            days: 3,
            start: -5,
        },
        Product::LisoCel | Product::IdeCel | Product::CiltaCel | Product::ObeCel => FluCy {
            flu: 30,
            cy: 300,
            days: 3,
            start: -5,
        },
    }
}

pub(super) fn draw_dose<R: Rng>(rng: &mut R, dose: Dose) -> f64 {
    let (target, low, high) = match dose {
        Dose::PerKg(t, l, h) | Dose::Flat(t, l, h) => (t, l, h),
    };
    let value = if chance(rng, 0.7) {
        target * (0.97 + 0.06 * unit(rng))
    } else {
        low + (high - low) * unit(rng)
    };
    (value.clamp(low, high) * 100.0).round() / 100.0
}
