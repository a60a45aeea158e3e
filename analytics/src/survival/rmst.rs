//! Restricted mean survival time (RMST): the area under a Kaplan-Meier step
//! function up to a truncation time, with R's standard error.

use super::StatsError;
use serde::Serialize;

/// RMST at one truncation time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rmst {
    pub tau: f64,
    pub rmean: f64,
    pub se: f64,
}

/// Restricted mean `int_0^tau S(u) du` of a Kaplan-Meier curve given by its rows
/// (`time` increasing, all rows including censorings).
///
/// Variance (Miller 1981, pp. 195-196; R's `survmean` in `print.survfit.R`):
/// `sum_{t_j <= tau} A_j^2 d_j / (n_j (n_j - d_j))` where `A_j` is the area under
/// the curve from `t_j` to `tau`; a term is 0 when `n_j = d_j`; no `n/(n-1)`
/// correction. The area starts at 0 (times are >= 0). `tau` beyond the last time
/// extends the last value of S.
pub fn restricted_mean(
    time: &[f64],
    surv: &[f64],
    n_risk: &[f64],
    n_event: &[f64],
    tau: f64,
) -> Result<Rmst, StatsError> {
    if !tau.is_finite() || tau < 0.0 {
        return Err(StatsError::InvalidArgument(format!(
            "RMST truncation time must be finite and >= 0, got {tau}"
        )));
    }
    let keep = time.partition_point(|&t| t <= tau);
    // rectangle i (0..=keep): from the previous time (0 for the first) to time[i]
    // (tau for the last), height S just before
    let mut rect = Vec::with_capacity(keep + 1);
    let mut prev_t = 0.0;
    let mut height = 1.0;
    for i in 0..=keep {
        let t = if i == keep { tau } else { time[i] };
        rect.push((t - prev_t) * height);
        if i < keep {
            prev_t = t;
            height = surv[i];
        }
    }
    let rmean = rect.iter().sum();
    let mut var = 0.0;
    let mut tail = 0.0;
    for i in (0..keep).rev() {
        tail += rect[i + 1];
        let at_risk_left = n_risk[i] - n_event[i];
        if at_risk_left != 0.0 {
            var += tail * tail * n_event[i] / (n_risk[i] * at_risk_left);
        }
    }
    Ok(Rmst {
        tau,
        rmean,
        se: var.sqrt(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand computation: events at 1 and 3 (n = 4, then 2), censoring at 2 and 4.
    #[test]
    fn small_case_by_hand() {
        let time = [1.0, 2.0, 3.0, 4.0];
        let surv = [0.75, 0.75, 0.375, 0.375];
        let n_risk = [4.0, 3.0, 2.0, 1.0];
        let n_event = [1.0, 0.0, 1.0, 0.0];
        let r = restricted_mean(&time, &surv, &n_risk, &n_event, 5.0).unwrap();
        // 1*1 + 0.75*2 + 0.375*2
        assert!((r.rmean - 3.25).abs() < 1e-15);
        // A(1) = area 1..5 = 2.25, A(3) = 0.75; terms 2.25^2 * 1/(4*3) + 0.75^2 * 1/(2*1)
        let var: f64 = 2.25f64.powi(2) / 12.0 + 0.75f64.powi(2) / 2.0;
        assert!((r.se - var.sqrt()).abs() < 1e-15);
        assert!(restricted_mean(&time, &surv, &n_risk, &n_event, -1.0).is_err());
    }
}
