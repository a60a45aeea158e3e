//! Kaplan-Meier curves with Greenwood standard errors, confidence bands of any
//! [`ConfType`] from one fit, medians by R's `print.survfit` rule and values at
//! landmark times (R's `summary(fit, times =, extend = TRUE)`).
//!
//! The product-limit numbers come from [`super::backend`]; this module shapes
//! them and adds what R computes in its print and summary methods.

use super::rmst::{Rmst, restricted_mean};
use super::{ConfType, StatsError, SurvivalData, backend, z_for_level};
use serde::Serialize;

/// All curves of one fit, in stratum order.
#[derive(Debug, Clone, Serialize)]
pub struct KaplanMeierFit {
    pub conf_type: ConfType,
    pub conf_level: f64,
    pub strata: Vec<KmCurve>,
}

/// One Kaplan-Meier curve: a row per distinct observed time (event or censoring),
/// exactly as R's `survfit` object.
#[derive(Debug, Clone, Serialize)]
pub struct KmCurve {
    /// R's label (`x=Maintained`) or `all`.
    pub stratum: String,
    /// Number of subjects.
    pub n: usize,
    /// Number of events.
    pub events: usize,
    pub time: Vec<f64>,
    /// Number with time >= t (censored at t still at risk).
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    /// `prod_{t_j <= t} (1 - d_j / n_j)`.
    pub surv: Vec<f64>,
    /// R's `fit$std.err`: Greenwood standard error of `-log S(t)`,
    /// `sqrt(sum_{t_j <= t} d_j / (n_j (n_j - d_j)))`; `Inf` once `S = 0`.
    pub std_err: Vec<f64>,
    /// Nelson-Aalen cumulative hazard `sum d/n` and its standard error `sqrt(sum d/n^2)`.
    pub cumhaz: Vec<f64>,
    pub std_chaz: Vec<f64>,
    /// Limits of the fit's [`ConfType`]; NaN where R gives NA.
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    #[serde(skip)]
    conf_type: ConfType,
    #[serde(skip)]
    conf_level: f64,
}

/// Pointwise confidence limits of one transform.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfidenceBand {
    pub conf_type: ConfType,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// A median survival time with its confidence limits (R's `print(fit)`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Median {
    pub estimate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// The curve evaluated at requested times (R's `summary(fit, times =, extend = TRUE)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Landmarks {
    pub time: Vec<f64>,
    /// Number with time >= t; 0 beyond the last observation.
    pub n_risk: Vec<f64>,
    /// Events and censorings in (previous requested time, t].
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    /// S(t) of the step function (1 before the first time).
    pub surv: Vec<f64>,
    /// Greenwood standard error of S(t) (`summary`'s `std.err`): `S(t) * fit std_err`.
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Fits Kaplan-Meier curves, one per group (or one overall).
///
/// Formula: `S(t) = prod_{t_j <= t} (1 - d_j/n_j)` over distinct event times `t_j`
/// with `d_j` events among `n_j` at risk. Variance (Greenwood):
/// `Var(-log S(t)) = sum_{t_j <= t} d_j / (n_j (n_j - d_j))`, reported as
/// `std_err` on the cumulative-hazard scale as R does. Limits for `conf_type`
/// at `conf_level`: see [`KmCurve::band`]. Times closer than `sqrt(eps)`
/// relative are merged first (R's `timefix`).
///
/// Reference: Kaplan & Meier (1958), JASA 53:457; Greenwood (1926);
/// Therneau, R package `survival`, `survfitKM.R`.
pub fn kaplan_meier(
    data: &SurvivalData,
    conf_type: ConfType,
    conf_level: f64,
) -> Result<KaplanMeierFit, StatsError> {
    z_for_level(conf_level)?;
    let codes = data.groups().map(|g| g.codes());
    let raw = backend::kaplan_meier(data.time(), data.event(), codes)?;
    let labels = data.stratum_labels();
    if raw.len() != labels.len() {
        return Err(StatsError::Backend(format!(
            "{} curves for {} strata",
            raw.len(),
            labels.len()
        )));
    }
    let strata = raw
        .into_iter()
        .zip(labels)
        .map(|(r, stratum)| {
            let (lower, upper) =
                backend::confint(&r.surv, &r.std_err, true, conf_type, conf_level)?;
            Ok(KmCurve {
                stratum,
                n: r.n,
                events: r.n_event.iter().sum::<f64>().round() as usize,
                time: r.time,
                n_risk: r.n_risk,
                n_event: r.n_event,
                n_censor: r.n_censor,
                surv: r.surv,
                std_err: r.std_err,
                cumhaz: r.cumhaz,
                std_chaz: r.std_chaz,
                lower,
                upper,
                conf_type,
                conf_level,
            })
        })
        .collect::<Result<_, StatsError>>()?;
    Ok(KaplanMeierFit {
        conf_type,
        conf_level,
        strata,
    })
}

impl KaplanMeierFit {
    /// Every curve at the requested times; see [`KmCurve::at`].
    pub fn at(&self, times: &[f64]) -> Result<Vec<Landmarks>, StatsError> {
        self.strata.iter().map(|c| c.at(times)).collect()
    }
}

impl KmCurve {
    /// The fit's confidence type.
    pub fn conf_type(&self) -> ConfType {
        self.conf_type
    }
    /// The fit's confidence level.
    pub fn conf_level(&self) -> f64 {
        self.conf_level
    }

    /// Pointwise limits of another transform from the same standard error
    /// (no refit). With `z` the normal quantile and `se` = [`KmCurve::std_err`]:
    /// * `Log`: `S exp(-/+ z se)`, upper capped at 1;
    /// * `LogLog`: `exp(-exp(log(-log S) -/+ z se / log S))`;
    /// * `Plain`: `S -/+ z S se` cut to [0, 1].
    ///
    /// Undefined cases: at `S = 0` every limit is NaN (R's NA). Where `se = 0`
    /// (rows before the first event) both limits are `S`; this is survival >= 3.8
    /// (survival 3.5-3 gives NA for log-log at S = 1). Reference: R `survfit_confint`.
    pub fn band(&self, conf_type: ConfType) -> Result<ConfidenceBand, StatsError> {
        let (lower, upper) =
            backend::confint(&self.surv, &self.std_err, true, conf_type, self.conf_level)?;
        Ok(ConfidenceBand {
            conf_type,
            lower,
            upper,
        })
    }

    /// Median survival with limits of the fit's confidence type (R's `print(fit)`).
    pub fn median(&self) -> Median {
        Median {
            estimate: print_rule_crossing(&self.surv, &self.time),
            lower: print_rule_crossing(&self.lower, &self.time),
            upper: print_rule_crossing(&self.upper, &self.time),
        }
    }

    /// Median with the limits of another confidence type.
    pub fn median_with(&self, conf_type: ConfType) -> Result<Median, StatsError> {
        let band = self.band(conf_type)?;
        Ok(Median {
            estimate: print_rule_crossing(&self.surv, &self.time),
            lower: print_rule_crossing(&band.lower, &self.time),
            upper: print_rule_crossing(&band.upper, &self.time),
        })
    }

    /// Values at `times` (strictly increasing, finite). Before the first observed
    /// time S = 1, se = 0 and both limits are 1; after the last, the last values
    /// carry on with `n_risk = 0`.
    pub fn at(&self, times: &[f64]) -> Result<Landmarks, StatsError> {
        check_increasing(times)?;
        let mut out = Landmarks {
            time: times.to_vec(),
            n_risk: Vec::with_capacity(times.len()),
            n_event: Vec::with_capacity(times.len()),
            n_censor: Vec::with_capacity(times.len()),
            surv: Vec::with_capacity(times.len()),
            std_err: Vec::with_capacity(times.len()),
            lower: Vec::with_capacity(times.len()),
            upper: Vec::with_capacity(times.len()),
        };
        let mut counted = 0; // rows already summed into earlier landmarks
        for &t in times {
            // rows with time <= t
            let upto = self.time.partition_point(|&x| x <= t);
            let first_ge = self.time.partition_point(|&x| x < t);
            out.n_risk
                .push(self.n_risk.get(first_ge).copied().unwrap_or(0.0));
            out.n_event.push(
                self.n_event[counted.min(upto)..upto]
                    .iter()
                    .fold(0.0, |a, b| a + b),
            );
            out.n_censor.push(
                self.n_censor[counted.min(upto)..upto]
                    .iter()
                    .fold(0.0, |a, b| a + b),
            );
            counted = counted.max(upto);
            if upto == 0 {
                out.surv.push(1.0);
                out.std_err.push(0.0);
                out.lower.push(1.0);
                out.upper.push(1.0);
            } else {
                let i = upto - 1;
                out.surv.push(self.surv[i]);
                out.std_err.push(self.surv[i] * self.std_err[i]);
                out.lower.push(self.lower[i]);
                out.upper.push(self.upper[i]);
            }
        }
        Ok(out)
    }

    /// Restricted mean survival time up to `tau`; see [`restricted_mean`].
    pub fn rmst(&self, tau: f64) -> Result<Rmst, StatsError> {
        restricted_mean(&self.time, &self.surv, &self.n_risk, &self.n_event, tau)
    }
}

pub(crate) fn check_increasing(times: &[f64]) -> Result<(), StatsError> {
    if times.iter().any(|t| !t.is_finite()) || times.windows(2).any(|w| w[1] <= w[0]) {
        return Err(StatsError::InvalidArgument(
            "requested times must be finite and strictly increasing".into(),
        ));
    }
    Ok(())
}

/// R's `minmin` (`print.survfit.R`): the first time the curve `y` is below
/// `0.5 + sqrt(eps)`; if it equals 0.5 there (within `sqrt(eps)`), the midpoint of
/// that time and the next time the kept curve drops below that value. NA values
/// are skipped; `None` if the curve never gets there.
pub(crate) fn print_rule_crossing(y: &[f64], x: &[f64]) -> Option<f64> {
    let tol = f64::EPSILON.sqrt();
    let kept: Vec<(f64, f64)> = y
        .iter()
        .zip(x)
        .filter(|(v, _)| !v.is_nan() && **v < 0.5 + tol)
        .map(|(&v, &t)| (v, t))
        .collect();
    let &(y0, x0) = kept.first()?;
    if (y0 - 0.5).abs() < tol
        && let Some(&(_, x1)) = kept.iter().find(|(v, _)| *v < y0)
    {
        return Some((x0 + x1) / 2.0);
    }
    Some(x0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_takes_the_midpoint_when_the_curve_sits_at_one_half() {
        // S = 0.75, 0.5 (flat), then 0.25: median is (t at 0.5 + next drop) / 2
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [0.75, 0.5, 0.5, 0.25];
        assert_eq!(print_rule_crossing(&y, &x), Some((2.0 + 4.0) / 2.0));
        // first time below one half otherwise
        assert_eq!(
            print_rule_crossing(&[0.8, 0.4, 0.2], &[1.0, 2.0, 3.0]),
            Some(2.0)
        );
        // NA skipped; never reached gives None
        assert_eq!(
            print_rule_crossing(&[f64::NAN, 0.3], &[1.0, 2.0]),
            Some(2.0)
        );
        assert_eq!(print_rule_crossing(&[0.9, 0.6], &[1.0, 2.0]), None);
    }

    #[test]
    fn landmarks_before_first_time_are_one_and_after_last_carry_on() {
        let data = SurvivalData::new(vec![2.0, 4.0, 6.0], vec![true, false, true]).unwrap();
        let fit = kaplan_meier(&data, ConfType::LogLog, 0.95).unwrap();
        let at = fit.strata[0].at(&[1.0, 4.0, 10.0]).unwrap();
        assert_eq!(at.surv, [1.0, 2.0 / 3.0, 0.0]);
        assert_eq!((at.lower[0], at.upper[0], at.std_err[0]), (1.0, 1.0, 0.0));
        assert_eq!(at.n_risk, [3.0, 2.0, 0.0]);
        assert_eq!(at.n_event, [0.0, 1.0, 1.0]);
        // an empty interval counts +0, not the -0 of an empty float sum
        assert!(at.n_event[0].is_sign_positive() && at.n_censor[0].is_sign_positive());
        assert_eq!(at.n_censor, [0.0, 1.0, 0.0]);
        assert!(fit.strata[0].at(&[3.0, 1.0]).is_err());
    }
}
