//! The one file that names the `survival` crate (R survival's numerics, pinned
//! `=2.0.0`).
//!
//! Plain slices go in, this module's own `Raw*` structs come out; no crate type or
//! `ndarray` type leaves this file. The crate's flags and edge cases are turned into
//! [`StatsError`]s here. Callers (the method modules beside this one) own validation
//! of user input and every user-facing message; nothing here checks clinical sense.
//! To replace a method, change it here and keep the `Raw*` shapes.

use super::{ConfType, StatsError};
use ndarray::Array2;
use survival::concordance::ConcordanceFit;
use survival::regression::{CoxPHFit, CoxphData, CoxphOptions, TieMethod};
use survival::surv_analysis::{
    self as sa, SurvdiffData, SurvfitAJData, SurvfitAJOptions, SurvfitKMData, SurvfitKMOptions,
};

fn backend_err(e: impl std::fmt::Display) -> StatsError {
    StatsError::Backend(e.to_string())
}

fn crate_conf_type(c: ConfType) -> sa::ConfType {
    match c {
        ConfType::Log => sa::ConfType::Log,
        ConfType::LogLog => sa::ConfType::LogLog,
        ConfType::Plain => sa::ConfType::Plain,
    }
}

fn strata_i32(codes: Option<&[u32]>) -> Option<Vec<i32>> {
    codes.map(|c| c.iter().map(|&v| v as i32).collect())
}

fn status_i32(event: &[bool]) -> Vec<i32> {
    event.iter().map(|&e| i32::from(e)).collect()
}

/// One Kaplan-Meier curve as `survfit` stores it: a row per distinct time.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawKm {
    pub n: usize,
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    pub surv: Vec<f64>,
    /// Greenwood standard error of the cumulative hazard (`fit$std.err`), Inf at S = 0.
    pub std_err: Vec<f64>,
    pub cumhaz: Vec<f64>,
    pub std_chaz: Vec<f64>,
}

/// `survfit(Surv(time, event) ~ strata)` with R's defaults (`timefix = TRUE`,
/// Greenwood variance); one curve per stratum code, ascending.
pub(crate) fn kaplan_meier(
    time: &[f64],
    event: &[bool],
    strata: Option<&[u32]>,
) -> Result<Vec<RawKm>, StatsError> {
    let data = SurvfitKMData::try_new(
        None,
        time.to_vec(),
        status_i32(event),
        None,
        strata_i32(strata),
        None,
        None,
    )
    .map_err(backend_err)?;
    let options = SurvfitKMOptions::default();
    let fit = sa::survfitkm(&data, &options).map_err(backend_err)?;
    if !fit.logse {
        return Err(StatsError::Backend(
            "Kaplan-Meier standard error not on the log scale".into(),
        ));
    }
    let std_err = fit
        .std_err
        .clone()
        .ok_or_else(|| StatsError::Backend("Kaplan-Meier fit without std.err".into()))?;
    let std_chaz = fit
        .std_chaz
        .clone()
        .unwrap_or_else(|| vec![f64::NAN; fit.time.len()]);
    let curves = fit
        .curve_ranges()
        .into_iter()
        .enumerate()
        .map(|(k, r)| RawKm {
            n: fit.n.get(k).copied().unwrap_or(0),
            time: fit.time[r.clone()].to_vec(),
            n_risk: fit.n_risk[r.clone()].to_vec(),
            n_event: fit.n_event[r.clone()].to_vec(),
            n_censor: fit.n_censor[r.clone()].to_vec(),
            surv: fit.surv[r.clone()].to_vec(),
            std_err: std_err[r.clone()].to_vec(),
            cumhaz: fit.cumhaz[r.clone()].to_vec(),
            std_chaz: std_chaz[r].to_vec(),
        })
        .collect();
    Ok(curves)
}

/// R's `survfit_confint`: limits for `p` from its standard error `se` (of
/// `log p` when `logse`, else of `p`). NaN marks R's NA. Where `se == 0` both
/// limits equal `p` (survival >= 3.8 convention).
pub(crate) fn confint(
    p: &[f64],
    se: &[f64],
    logse: bool,
    conf_type: ConfType,
    level: f64,
) -> Result<(Vec<f64>, Vec<f64>), StatsError> {
    let bands = sa::survfit_confint(p, se, logse, crate_conf_type(conf_type), level, None, true)
        .map_err(backend_err)?;
    Ok((bands.lower, bands.upper))
}

/// `survdiff(Surv(time, event) ~ group, rho)`.
#[derive(Debug, Clone)]
pub(crate) struct RawSurvdiff {
    /// Group codes present, ascending.
    pub group_codes: Vec<u32>,
    pub n: Vec<usize>,
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    pub var: Vec<Vec<f64>>,
    pub chisq: f64,
    pub df: usize,
    pub p: f64,
}

pub(crate) fn survdiff(
    time: &[f64],
    event: &[bool],
    group: &[u32],
    rho: f64,
) -> Result<RawSurvdiff, StatsError> {
    let data = SurvdiffData::try_new(
        None,
        time.to_vec(),
        status_i32(event),
        group.iter().map(|&g| g as i32).collect(),
        None,
    )
    .map_err(backend_err)?;
    let fit = sa::survdiff(&data, rho, true).map_err(backend_err)?;
    Ok(RawSurvdiff {
        group_codes: fit.group_codes.iter().map(|&g| g as u32).collect(),
        n: fit.n.clone(),
        observed: fit.obs_totals(),
        expected: fit.exp_totals(),
        var: fit.var.clone(),
        chisq: fit.chisq,
        df: fit.df,
        p: fit.pvalue,
    })
}

/// Tie handling of the Cox partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RawTies {
    Efron,
    Breslow,
}

/// `coxph(Surv(time, event) ~ x, ties)`, no strata, weights or offset.
#[derive(Debug, Clone)]
pub(crate) struct RawCox {
    /// NaN marks an aliased (not estimable) coefficient.
    pub coef: Vec<f64>,
    pub var: Vec<Vec<f64>>,
    pub loglik_null: f64,
    pub loglik: f64,
    pub score_test: f64,
    pub wald_test: f64,
    pub iter: usize,
    /// The fitter reported running out of iterations.
    pub not_converged: bool,
    /// Score vector at the final coefficients (`u` in R's infinite-coefficient check).
    pub score_at_fit: Vec<f64>,
    pub means: Vec<f64>,
    pub n: usize,
    pub n_event: usize,
    pub concordance: f64,
    pub concordance_se: f64,
    pub concordant: f64,
    pub discordant: f64,
    pub tied_x: f64,
    pub tied_y: f64,
    pub tied_xy: f64,
}

/// Fits the model. `columns` holds the design matrix column by column. Times
/// closer than `sqrt(eps)` relative are merged first, as `coxph`'s default `timefix`.
pub(crate) fn coxph(
    time: &[f64],
    event: &[bool],
    columns: &[Vec<f64>],
    ties: RawTies,
) -> Result<RawCox, StatsError> {
    let n = time.len();
    let p = columns.len();
    if let Some(col) = columns.iter().find(|c| c.len() != n) {
        return Err(StatsError::LengthMismatch {
            what: "time and covariate",
            left: n,
            right: col.len(),
        });
    }
    // Rows sorted by time once here: the fit does not depend on row order, and the
    // crate's own sorts (fitter, concordance, timefix) are near-linear on sorted input.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| time[a].total_cmp(&time[b]).then(a.cmp(&b)));
    let sorted_time: Vec<f64> = order.iter().map(|&i| time[i]).collect();
    let status: Vec<i32> = order.iter().map(|&i| i32::from(event[i])).collect();
    let mut x = Array2::<f64>::zeros((n, p));
    for (j, col) in columns.iter().enumerate() {
        x.column_mut(j)
            .iter_mut()
            .zip(&order)
            .for_each(|(dst, &i)| *dst = col[i]);
    }
    // coxph(control = coxph.control(timefix = TRUE)), R's default: near-tied times merged
    let sorted_time = survival::data_prep::aeq_times(&sorted_time);
    let data =
        CoxphData::try_new(sorted_time, None, status, x, None, None, None).map_err(backend_err)?;
    data.check_fit_input().map_err(backend_err)?;
    let options = CoxphOptions {
        method: match ties {
            RawTies::Efron => TieMethod::Efron,
            RawTies::Breslow => TieMethod::Breslow,
        },
        ..CoxphOptions::default()
    };
    let iter_max = options.iter_max;
    let fit = CoxPHFit::fit(data, options).map_err(backend_err)?;
    let var: Vec<Vec<f64>> = (0..p)
        .map(|i| (0..p).map(|j| fit.var[(i, j)]).collect())
        .collect();
    let (concordance, concordance_se, counts) = concordance_parts(&fit.concordance);
    Ok(RawCox {
        coef: fit.coefficients.clone(),
        var,
        loglik_null: fit.loglik[0],
        loglik: fit.loglik[1],
        score_test: fit.score,
        wald_test: fit.wald_test,
        iter: fit.iter,
        not_converged: fit.flag == 1000 || fit.iter > iter_max,
        score_at_fit: fit.first.clone(),
        means: fit.means.clone(),
        n: fit.n,
        n_event: fit.nevent,
        concordance,
        concordance_se,
        concordant: counts[0],
        discordant: counts[1],
        tied_x: counts[2],
        tied_y: counts[3],
        tied_xy: counts[4],
    })
}

fn concordance_parts(c: &ConcordanceFit) -> (f64, f64, [f64; 5]) {
    let value = c.concordance.first().copied().unwrap_or(f64::NAN);
    let se = c
        .var
        .as_ref()
        .and_then(|v| v.first().and_then(|row| row.first()))
        .map_or(f64::NAN, |v| v.sqrt());
    let counts = c.count.first().map_or([f64::NAN; 5], |k| {
        [k.concordant, k.discordant, k.tied_x, k.tied_y, k.tied_xy]
    });
    (value, se, counts)
}

/// One stratum of an Aalen-Johansen fit with competing causes `1..=k`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawAj {
    pub n: usize,
    pub time: Vec<f64>,
    /// Number at risk (in the initial state) at each time.
    pub n_risk: Vec<f64>,
    /// Events of each cause at each time: `n_event[cause][row]`.
    pub n_event: Vec<Vec<f64>>,
    pub n_censor: Vec<f64>,
    /// `cif[cause][row]`.
    pub cif: Vec<Vec<f64>>,
    /// Infinitesimal-jackknife standard error of each CIF (R's `survfit` multi-state).
    pub std_err: Vec<Vec<f64>>,
}

/// `survfit(Surv(time, factor(cause)) ~ strata)`: `cause[i]` is 0 for censored,
/// `k` for the k-th of `n_causes` competing events.
pub(crate) fn aalen_johansen(
    time: &[f64],
    cause: &[u32],
    n_causes: usize,
    strata: Option<&[u32]>,
) -> Result<Vec<RawAj>, StatsError> {
    let states: Vec<String> = (1..=n_causes).map(|k| format!("cause{k}")).collect();
    let data = SurvfitAJData::try_new(
        None,
        time.to_vec(),
        cause.iter().map(|&c| c as i32).collect(),
        states,
        None,
        strata_i32(strata),
        None,
        None,
        None,
        None,
    )
    .map_err(backend_err)?;
    let fit = sa::survfitaj(&data, &SurvfitAJOptions::default()).map_err(backend_err)?;
    // states are ["(s0)", cause1, ..., causek]
    let column = |name: &str| fit.states.iter().position(|s| s == name);
    let s0 = column("(s0)").ok_or_else(|| StatsError::Backend("no initial state".into()))?;
    let cause_cols: Vec<usize> = (1..=n_causes)
        .map(|k| {
            column(&format!("cause{k}"))
                .ok_or_else(|| StatsError::Backend(format!("cause {k} missing from fit")))
        })
        .collect::<Result<_, _>>()?;
    let std_err = fit
        .std_err
        .as_ref()
        .ok_or_else(|| StatsError::Backend("Aalen-Johansen fit without std.err".into()))?;
    let out = fit
        .curve_ranges()
        .into_iter()
        .enumerate()
        .map(|(k, r)| {
            let rows = r.clone();
            RawAj {
                n: fit.n.get(k).copied().unwrap_or(0),
                time: fit.time[r.clone()].to_vec(),
                n_risk: rows.clone().map(|i| fit.n_risk[i][s0]).collect(),
                n_event: cause_cols
                    .iter()
                    .map(|&c| rows.clone().map(|i| fit.n_event[i][c]).collect())
                    .collect(),
                n_censor: rows.clone().map(|i| fit.n_censor[i][s0]).collect(),
                cif: cause_cols
                    .iter()
                    .map(|&c| rows.clone().map(|i| fit.pstate[i][c]).collect())
                    .collect(),
                std_err: cause_cols
                    .iter()
                    .map(|&c| rows.clone().map(|i| std_err[i][c]).collect())
                    .collect(),
            }
        })
        .collect();
    Ok(out)
}
