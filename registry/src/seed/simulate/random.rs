//! Random helpers: tiny, explicit, and identical on every platform we build for (uniform,
//! normal, log-normal, exponential, Poisson, weighted picks), and the date shifts they feed.

use chrono::{NaiveDate, TimeDelta};
use rand::{Rng, RngExt};

use super::history::Dated;
use crate::seed::parameters as p;

pub(in crate::seed) fn unit<R: Rng>(rng: &mut R) -> f64 {
    rng.random::<f64>()
}

pub(in crate::seed) fn chance<R: Rng>(rng: &mut R, probability: f64) -> bool {
    unit(rng) < probability
}

pub(super) fn standard_normal<R: Rng>(rng: &mut R) -> f64 {
    let u1 = 1.0 - unit(rng);
    let u2 = unit(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Log-normal with the given median and log-scale sd.
pub(super) fn log_normal<R: Rng>(rng: &mut R, median: f64, sigma: f64) -> f64 {
    median * (sigma * standard_normal(rng)).exp()
}

pub(super) fn exponential<R: Rng>(rng: &mut R, rate: f64) -> f64 {
    -(1.0 - unit(rng)).ln() / rate
}

pub(super) fn poisson<R: Rng>(rng: &mut R, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 30.0 {
        return (mean + mean.sqrt() * standard_normal(rng)).round().max(0.0) as u32;
    }
    let limit = (-mean).exp();
    let mut product = unit(rng);
    let mut count = 0;
    while product > limit {
        product *= unit(rng);
        count += 1;
    }
    count
}

pub(in crate::seed) fn days<R: Rng>(rng: &mut R, low: i64, high: i64) -> i64 {
    if high <= low {
        low
    } else {
        rng.random_range(low..=high)
    }
}

pub(super) fn weighted<R: Rng>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut target = unit(rng) * total;
    for (index, weight) in weights.iter().enumerate() {
        if target < *weight {
            return index;
        }
        target -= weight;
    }
    weights.len().saturating_sub(1)
}

pub(in crate::seed) fn pick<R: Rng, T: Copy>(rng: &mut R, choices: &[(T, f64)]) -> Option<T> {
    let weights: Vec<f64> = choices.iter().map(|c| c.1).collect();
    choices.get(weighted(rng, &weights)).map(|c| c.0)
}

/// Standard normal CDF (Numerical Recipes erfc, |error| < 1.2e-7).
pub(super) fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    if x >= 0.0 {
        1.0 - 0.5 * erfc
    } else {
        0.5 * erfc
    }
}

pub(in crate::seed) fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    date.checked_add_signed(TimeDelta::days(days))
        .unwrap_or(date)
}

pub(in crate::seed) fn dated<R: Rng>(rng: &mut R, date: NaiveDate) -> Dated {
    Dated {
        date,
        estimated: chance(rng, p::DATE_ESTIMATED),
    }
}
