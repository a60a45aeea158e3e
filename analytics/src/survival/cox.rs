//! Cox proportional hazards regression (R's `coxph`) with the inference R prints:
//! standard errors, Wald z and p, hazard-ratio limits, likelihood-ratio, Wald and
//! score tests, concordance. Factor covariates use treatment coding with R's term
//! names (`celltypesmallcell`).

use super::{Groups, StatsError, backend, check_times, z_for_level};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// How tied event times enter the partial likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Ties {
    /// R's default (Efron 1977).
    #[default]
    Efron,
    /// Breslow (1974), SAS's and Stata's default.
    Breslow,
}

/// The design matrix, built term by term in formula order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CoxCovariates {
    terms: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl CoxCovariates {
    pub fn new() -> Self {
        Self::default()
    }

    /// A numeric covariate entering linearly; the term is named `name`.
    pub fn numeric(mut self, name: &str, values: Vec<f64>) -> Result<Self, StatsError> {
        if let Some(row) = values.iter().position(|v| !v.is_finite()) {
            return Err(StatsError::InvalidArgument(format!(
                "covariate {name}: value {} at row {row} is not finite",
                values[row]
            )));
        }
        self.check_len(name, values.len())?;
        self.terms.push(name.to_owned());
        self.columns.push(values);
        Ok(self)
    }

    /// A factor with treatment coding against `reference` (default: the first
    /// level in factor order). One 0/1 column per other level, named
    /// `name` + level as R does (`celltype` + `smallcell`), in level order.
    pub fn factor(mut self, groups: &Groups, reference: Option<&str>) -> Result<Self, StatsError> {
        let name = groups.name();
        self.check_len(name, groups.codes().len())?;
        let levels = groups.levels();
        let ref_code = match reference {
            None => 0,
            Some(r) => levels.iter().position(|l| l == r).ok_or_else(|| {
                StatsError::InvalidArgument(format!(
                    "factor {name}: reference level {r:?} not among the levels {levels:?}"
                ))
            })?,
        };
        for (code, level) in levels.iter().enumerate() {
            if code == ref_code {
                continue;
            }
            self.terms.push(format!("{name}{level}"));
            self.columns.push(
                groups
                    .codes()
                    .iter()
                    .map(|&c| if c as usize == code { 1.0 } else { 0.0 })
                    .collect(),
            );
        }
        Ok(self)
    }

    /// Term names in column order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    fn check_len(&self, name: &str, len: usize) -> Result<(), StatsError> {
        match self.columns.first() {
            Some(c) if c.len() != len => Err(StatsError::InvalidArgument(format!(
                "covariate {name} has {len} rows, earlier covariates {}",
                c.len()
            ))),
            _ => Ok(()),
        }
    }
}

/// Validated Cox model input: times finite and >= 0, equal lengths, at least one term.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxData {
    time: Vec<f64>,
    event: Vec<bool>,
    covariates: CoxCovariates,
}

impl CoxData {
    pub fn new(
        time: Vec<f64>,
        event: Vec<bool>,
        covariates: CoxCovariates,
    ) -> Result<Self, StatsError> {
        if time.is_empty() {
            return Err(StatsError::Empty);
        }
        if time.len() != event.len() {
            return Err(StatsError::LengthMismatch {
                what: "time and event",
                left: time.len(),
                right: event.len(),
            });
        }
        check_times(&time)?;
        if covariates.terms.is_empty() {
            return Err(StatsError::InvalidArgument(
                "a Cox model needs at least one covariate".into(),
            ));
        }
        covariates.check_len("covariates", time.len())?;
        Ok(Self {
            time,
            event,
            covariates,
        })
    }
}

/// One coefficient with R's `summary(coxph)` columns; NaN where R gives NA (an
/// aliased term).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxTerm {
    pub term: String,
    pub coef: f64,
    pub hr: f64,
    pub se: f64,
    pub z: f64,
    pub p: f64,
    pub hr_lower: f64,
    pub hr_upper: f64,
}

/// A chi-square test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TestStatistic {
    pub stat: f64,
    pub df: usize,
    pub p: f64,
}

/// Harrell's concordance of the linear predictor (as `coxph` reports it).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Concordance {
    pub c: f64,
    pub se: f64,
    pub concordant: f64,
    pub discordant: f64,
    pub tied_x: f64,
    pub tied_y: f64,
    pub tied_xy: f64,
}

/// A fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxFit {
    pub n: usize,
    pub events: usize,
    pub ties: Ties,
    pub conf_level: f64,
    pub coefficients: Vec<CoxTerm>,
    /// Model-based variance of the coefficients (inverse information).
    pub var: Vec<Vec<f64>>,
    pub loglik_null: f64,
    pub loglik: f64,
    pub lr_test: TestStatistic,
    pub wald_test: TestStatistic,
    pub score_test: TestStatistic,
    pub concordance: Concordance,
    /// Column means the fit centred on (R's `fit$means`).
    pub means: Vec<f64>,
    pub iterations: usize,
    /// Problems R would warn about (a coefficient that may be infinite, an
    /// aliased term); empty when none.
    pub warnings: Vec<String>,
}

/// Fits `Surv(time, event) ~ covariates` by Newton-Raphson on the partial likelihood.
///
/// Inference, from the fitted variance `V` (inverse information at beta-hat):
/// `se_j = sqrt(V_jj)`, `z_j = beta_j / se_j`, `p_j = 2 Phi(-|z_j|)`,
/// HR limits `exp(beta_j -/+ z_{1-a/2} se_j)`; likelihood-ratio test
/// `2 (l(beta-hat) - l(0))`, Wald test `beta' V^-1 beta`, score test
/// `U(0)' I(0)^-1 U(0)`, each chi-square on the number of estimable terms.
/// Concordance: `(concordant + tied_x/2) / (concordant + discordant + tied_x)`
/// over comparable pairs, with its infinitesimal-jackknife standard error.
///
/// Errors: [`StatsError::CoxNotConverged`] when the iterations run out;
/// [`StatsError::InvalidArgument`] without any event. A
/// coefficient R would flag as possibly infinite (`|U V| > eps` and
/// `> sqrt(eps) |beta|`, eps = 1e-9), or an aliased one, is reported in
/// [`CoxFit::warnings`].
///
/// Reference: Cox (1972), JRSS B 34:187; Efron (1977), JASA 72:557;
/// Therneau & Grambsch (2000), ch. 3; R `coxph`, `summary.coxph`.
pub fn cox(data: &CoxData, ties: Ties, conf_level: f64) -> Result<CoxFit, StatsError> {
    let z_crit = z_for_level(conf_level)?;
    if !data.event.iter().any(|&e| e) {
        return Err(StatsError::InvalidArgument(
            "no events: a Cox model needs at least one event".into(),
        ));
    }
    let raw = backend::coxph(
        &data.time,
        &data.event,
        &data.covariates.columns,
        match ties {
            Ties::Efron => backend::RawTies::Efron,
            Ties::Breslow => backend::RawTies::Breslow,
        },
    )?;
    if raw.not_converged {
        return Err(StatsError::CoxNotConverged {
            iterations: raw.iter,
        });
    }
    let normal = Normal::standard();
    let terms = &data.covariates.terms;
    let mut warnings = Vec::new();
    let mut coefficients = Vec::with_capacity(terms.len());
    for (j, term) in terms.iter().enumerate() {
        let coef = raw.coef[j];
        let se = raw.var[j][j].sqrt();
        let z = coef / se;
        if coef.is_nan() {
            warnings.push(format!(
                "{term}: not estimable (collinear with other terms); coefficient is NA"
            ));
        }
        coefficients.push(CoxTerm {
            term: term.clone(),
            coef,
            hr: coef.exp(),
            se,
            z,
            p: 2.0 * normal.cdf(-z.abs()),
            hr_lower: (coef - z_crit * se).exp(),
            hr_upper: (coef + z_crit * se).exp(),
        });
    }
    // R's coxph.fit check for infinite coefficients: |u' V| against eps and toler.inf
    let eps: f64 = 1e-9;
    let toler_inf = eps.sqrt();
    for (j, term) in terms.iter().enumerate() {
        let infs: f64 = (0..terms.len())
            .map(|k| raw.score_at_fit[k] * raw.var[k][j])
            .sum::<f64>()
            .abs();
        if infs > eps && infs > toler_inf * raw.coef[j].abs() {
            warnings.push(format!(
                "{term}: log-likelihood converged before the coefficient did; it may be infinite"
            ));
        }
    }
    let df = raw.coef.iter().filter(|c| !c.is_nan()).count();
    let chisq = |stat: f64| TestStatistic {
        stat,
        df,
        p: chisq_upper(stat, df),
    };
    Ok(CoxFit {
        n: raw.n,
        events: raw.n_event,
        ties,
        conf_level,
        coefficients,
        var: raw.var,
        loglik_null: raw.loglik_null,
        loglik: raw.loglik,
        lr_test: chisq(2.0 * (raw.loglik - raw.loglik_null)),
        wald_test: chisq(raw.wald_test),
        score_test: chisq(raw.score_test),
        concordance: Concordance {
            c: raw.concordance,
            se: raw.concordance_se,
            concordant: raw.concordant,
            discordant: raw.discordant,
            tied_x: raw.tied_x,
            tied_y: raw.tied_y,
            tied_xy: raw.tied_xy,
        },
        means: raw.means,
        iterations: raw.iter,
        warnings,
    })
}

/// Upper tail of the chi-square distribution (`pchisq(x, df, lower.tail = FALSE)`).
pub(crate) fn chisq_upper(x: f64, df: usize) -> f64 {
    if df == 0 || x.is_nan() {
        return f64::NAN;
    }
    match ChiSquared::new(df as f64) {
        Ok(d) => d.sf(x.max(0.0)),
        Err(_) => f64::NAN,
    }
}
