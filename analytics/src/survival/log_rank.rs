//! The G-rho family of k-sample tests (R's `survdiff`): log-rank (rho = 0) and
//! the Peto & Peto modification of the Gehan-Wilcoxon test (rho = 1).

use super::{StatsError, SurvivalData, backend};
use serde::Serialize;

/// Result of a k-sample test, groups in factor order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRankTest {
    pub rho: f64,
    /// R's labels (`x=Maintained`).
    pub groups: Vec<String>,
    pub n: Vec<usize>,
    /// Observed and expected events per group; weighted sums when `rho != 0`.
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    /// Variance matrix of `observed - expected`.
    pub var: Vec<Vec<f64>>,
    pub chisq: f64,
    pub df: usize,
    pub p: f64,
}

/// Tests equality of survival across the groups of `data`.
///
/// At each distinct event time with `d` events among `n` at risk (`n_g`, `d_g` in
/// group g) and weight `w = S(t-)^rho` (pooled Kaplan-Meier, left-continuous):
/// `O_g - E_g = sum w (d_g - d n_g / n)`, and
/// `V_gh = sum w^2 d (n - d)/(n - 1) (n_g/n) (delta_gh - n_h/n)`.
/// `chisq = (O - E)' V^- (O - E)` over all but one group, `df` = number of
/// groups with `E > 0` minus 1, `p` = upper chi-square tail, as `print(survdiff)`
/// computes it: with no events at all (df -1 there) `p` is NaN (R's NA); when
/// only one group has an expected event (df 0) `p` is R's
/// `pchisq(chisq, 0, lower.tail = FALSE)`, 1 for `chisq = 0` and 0 above.
///
/// Reference: Harrington & Fleming (1982), Biometrika 69:553; Peto & Peto (1972);
/// R `survdiff`.
///
/// Errors: [`StatsError::OneGroup`] without groups or with a single group.
pub fn log_rank(data: &SurvivalData, rho: f64) -> Result<LogRankTest, StatsError> {
    if !rho.is_finite() {
        return Err(StatsError::InvalidArgument(format!(
            "rho must be finite, got {rho}"
        )));
    }
    let groups = data.groups().ok_or(StatsError::OneGroup {
        level: "all".into(),
        test: "log-rank test",
    })?;
    if groups.levels().len() < 2 {
        return Err(StatsError::OneGroup {
            level: groups.levels().first().cloned().unwrap_or_default(),
            test: "log-rank test",
        });
    }
    let raw = backend::survdiff(data.time(), data.event(), groups.codes(), rho)?;
    let labels = groups.labels();
    let p = match raw.expected.iter().filter(|&&e| e > 0.0).count() {
        0 => f64::NAN,
        1 if raw.chisq > 0.0 => 0.0,
        1 => 1.0,
        _ => raw.p,
    };
    Ok(LogRankTest {
        rho,
        groups: raw
            .group_codes
            .iter()
            .map(|&c| labels[c as usize].clone())
            .collect(),
        n: raw.n,
        observed: raw.observed,
        expected: raw.expected,
        var: raw.var,
        chisq: raw.chisq,
        df: raw.df,
        p,
    })
}
