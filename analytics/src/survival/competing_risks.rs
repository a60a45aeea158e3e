//! Cumulative incidence with competing risks: the Aalen-Johansen estimator with
//! R `survfit`'s standard errors and pointwise limits.

use super::kaplan_meier::check_increasing;
use super::{ConfType, Groups, StatsError, backend, check_times, z_for_level};
use serde::Serialize;

/// Validated competing-risks data: `cause[i]` is 0 when row `i` is censored and
/// `k` (1-based) when it ended with the k-th of `causes`.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetingRisksData {
    time: Vec<f64>,
    cause: Vec<u32>,
    causes: Vec<String>,
    groups: Option<Groups>,
}

impl CompetingRisksData {
    /// Validates times (finite, >= 0), lengths and codes (`0..=causes.len()`).
    pub fn new(time: Vec<f64>, cause: Vec<u32>, causes: Vec<String>) -> Result<Self, StatsError> {
        if time.is_empty() {
            return Err(StatsError::Empty);
        }
        if time.len() != cause.len() {
            return Err(StatsError::LengthMismatch {
                what: "time and cause",
                left: time.len(),
                right: cause.len(),
            });
        }
        check_times(&time)?;
        if causes.is_empty() {
            return Err(StatsError::InvalidArgument(
                "no competing causes given".into(),
            ));
        }
        if let Some(row) = cause.iter().position(|&c| c as usize > causes.len()) {
            return Err(StatsError::InvalidArgument(format!(
                "cause code {} at row {row} is not 0 (censored) or 1..={}",
                cause[row],
                causes.len()
            )));
        }
        Ok(Self {
            time,
            cause,
            causes,
            groups: None,
        })
    }

    pub fn with_groups(mut self, groups: Groups) -> Result<Self, StatsError> {
        if groups.codes().len() != self.time.len() {
            return Err(StatsError::LengthMismatch {
                what: "time and group",
                left: self.time.len(),
                right: groups.codes().len(),
            });
        }
        self.groups = Some(groups);
        Ok(self)
    }

    pub fn time(&self) -> &[f64] {
        &self.time
    }
    pub fn cause(&self) -> &[u32] {
        &self.cause
    }
    pub fn causes(&self) -> &[String] {
        &self.causes
    }
    pub fn groups(&self) -> Option<&Groups> {
        self.groups.as_ref()
    }
}

/// Cumulative incidence curves of every cause, per stratum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumIncFit {
    pub conf_type: ConfType,
    pub conf_level: f64,
    pub strata: Vec<CumIncStratum>,
}

/// One stratum: a row per distinct observed time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumIncStratum {
    pub stratum: String,
    pub n: usize,
    pub time: Vec<f64>,
    /// Number event-free and uncensored just before t.
    pub n_risk: Vec<f64>,
    pub n_censor: Vec<f64>,
    pub causes: Vec<CumIncCause>,
}

/// The curve of one cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumIncCause {
    /// The cause as coded in the data.
    pub cause: String,
    pub n_event: Vec<f64>,
    /// Cumulative incidence `F_k(t)`.
    pub cif: Vec<f64>,
    /// R `survfit`'s (infinitesimal jackknife) standard error of `F_k(t)`.
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Values of every cause at requested times.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumIncAt {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub causes: Vec<CumIncCauseAt>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumIncCauseAt {
    pub cause: String,
    pub cif: Vec<f64>,
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Aalen-Johansen cumulative incidence of each cause.
///
/// Formula: `F_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j`, with `S` the overall
/// (all-cause) Kaplan-Meier curve, `d_kj` cause-k events at `t_j` and `n_j` at risk.
/// Variance: R `survfit`'s infinitesimal-jackknife (robust) variance of the
/// Aalen-Johansen estimate (this differs slightly from the delta-method variance of
/// cmprsk's `cuminc`). Limits for `conf_type` use `se / F` on the log scale
/// (R's `survfit_confint` with `logse = FALSE`). Where `F = 0` and `se = 0`
/// (before the first event of a cause) both limits are 0; this is survival >= 3.8
/// (survival 3.5-3 gives NA there).
///
/// Reference: Aalen & Johansen (1978), Scand J Stat 5:141; Therneau,
/// `survfitAJ.R` and the "Multi-state models and competing risks" vignette.
pub fn cumulative_incidence(
    data: &CompetingRisksData,
    conf_type: ConfType,
    conf_level: f64,
) -> Result<CumIncFit, StatsError> {
    z_for_level(conf_level)?;
    let codes = data.groups.as_ref().map(Groups::codes);
    let raw = backend::aalen_johansen(&data.time, &data.cause, data.causes.len(), codes)?;
    let labels = match &data.groups {
        Some(g) => g.labels(),
        None => vec!["all".to_owned()],
    };
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
            let causes = (0..data.causes.len())
                .map(|k| {
                    let (lower, upper) =
                        backend::confint(&r.cif[k], &r.std_err[k], false, conf_type, conf_level)?;
                    Ok(CumIncCause {
                        cause: data.causes[k].clone(),
                        n_event: r.n_event[k].clone(),
                        cif: r.cif[k].clone(),
                        std_err: r.std_err[k].clone(),
                        lower,
                        upper,
                    })
                })
                .collect::<Result<_, StatsError>>()?;
            Ok(CumIncStratum {
                stratum,
                n: r.n,
                time: r.time,
                n_risk: r.n_risk,
                n_censor: r.n_censor,
                causes,
            })
        })
        .collect::<Result<_, StatsError>>()?;
    Ok(CumIncFit {
        conf_type,
        conf_level,
        strata,
    })
}

impl CumIncStratum {
    /// The step functions at `times` (strictly increasing): the last row at or
    /// before t; 0 (se 0, limits 0) before the first time; `n_risk` is the number
    /// at risk at t (0 beyond the last time).
    pub fn at(&self, times: &[f64]) -> Result<CumIncAt, StatsError> {
        check_increasing(times)?;
        let idx: Vec<Option<usize>> = times
            .iter()
            .map(|&t| self.time.partition_point(|&x| x <= t).checked_sub(1))
            .collect();
        let pick =
            |v: &[f64]| -> Vec<f64> { idx.iter().map(|i| i.map_or(0.0, |i| v[i])).collect() };
        Ok(CumIncAt {
            time: times.to_vec(),
            n_risk: times
                .iter()
                .map(|&t| {
                    let i = self.time.partition_point(|&x| x < t);
                    self.n_risk.get(i).copied().unwrap_or(0.0)
                })
                .collect(),
            causes: self
                .causes
                .iter()
                .map(|c| CumIncCauseAt {
                    cause: c.cause.clone(),
                    cif: pick(&c.cif),
                    std_err: pick(&c.std_err),
                    lower: pick(&c.lower),
                    upper: pick(&c.upper),
                })
                .collect(),
        })
    }
}
