//! The survival statistics engine: validated inputs in, plain result structs out.
//!
//! What lives here: [`SurvivalData`] (times, events, optional groups, checked once),
//! [`ConfType`], [`StatsError`], and one module per method. What does not: any I/O
//! (CSV, JSON, printing) and any type of the `survival` crate, which only
//! [`backend`] may name.
//!
//! Conventions shared by every result struct:
//! * vectors of estimates use `f64` and mark R's `NA` (and the `Inf` standard error
//!   once S(t) = 0) with a non-finite value; serde_json writes those as `null`;
//! * scalars that may be undefined (a median that is never reached) are `Option<f64>`;
//! * strata are in R's factor order (sorted strings, numbers numerically) and are
//!   labelled as R prints them (`x=Maintained`), or `all` without groups.

mod backend;
pub mod competing_risks;
pub mod cox;
pub mod follow_up;
pub mod gray;
pub mod kaplan_meier;
pub mod log_rank;
pub mod proportion;
pub mod rmst;

pub use competing_risks::{
    CompetingRisksData, CumIncCause, CumIncFit, CumIncStratum, cumulative_incidence,
};
pub use cox::{CoxCovariates, CoxData, CoxFit, CoxTerm, TestStatistic, Ties, cox};
pub use follow_up::{FollowUp, median_follow_up};
pub use gray::{GrayTest, gray_test};
pub use kaplan_meier::{ConfidenceBand, KaplanMeierFit, KmCurve, Landmarks, Median, kaplan_meier};
pub use log_rank::{LogRankTest, log_rank};
pub use proportion::{ExactInterval, clopper_pearson};
pub use rmst::{Rmst, restricted_mean};

use serde::Serialize;

/// Errors of the engine. Every variant is the caller's data or arguments except
/// [`StatsError::Backend`], which means the numerical backend failed unexpectedly.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum StatsError {
    #[error("no observations")]
    Empty,
    #[error("{what}: lengths differ ({left} vs {right})")]
    LengthMismatch {
        what: &'static str,
        left: usize,
        right: usize,
    },
    #[error("time at row {row} is {value}: times must be finite and >= 0")]
    InvalidTime { row: usize, value: f64 },
    #[error("{0}")]
    InvalidArgument(String),
    #[error("only one group ({level:?}); a {test} needs at least two")]
    OneGroup { level: String, test: &'static str },
    #[error("the Cox model did not converge in {iterations} iterations")]
    CoxNotConverged { iterations: usize },
    #[error("survival backend failed: {0}")]
    Backend(String),
}

/// How a confidence interval for a survival probability is formed from the
/// standard error of the cumulative hazard (R's `conf.type`).
///
/// `Log` is R's default (`survfit`), `LogLog` is lifelines' and SAS's default.
/// All three come from the same standard error; see
/// [`kaplan_meier::KmCurve::band`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum ConfType {
    /// `S exp(-/+ z se)`, upper limit truncated at 1 (R's default).
    #[default]
    #[serde(rename = "log")]
    Log,
    /// `S^exp(+/- z se / |log S|)` (Kalbfleisch & Prentice, 2002, eq. 1.6 context).
    #[serde(rename = "log-log")]
    LogLog,
    /// `S -/+ z S se`, truncated to [0, 1] (Klein & Moeschberger, eq. 4.3.1).
    #[serde(rename = "plain")]
    Plain,
}

impl ConfType {
    /// R's spelling of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Log => "log",
            Self::LogLog => "log-log",
            Self::Plain => "plain",
        }
    }
}

/// Group membership of each row: codes `0..levels.len()` into `levels`, which are
/// already in R's factor order.
#[derive(Debug, Clone, PartialEq)]
pub struct Groups {
    name: String,
    levels: Vec<String>,
    codes: Vec<u32>,
}

impl Groups {
    /// Groups from string values; levels are the distinct values sorted by
    /// code point (R's `factor()` in the C locale).
    pub fn from_strings<S: AsRef<str>>(name: &str, values: &[S]) -> Self {
        let mut levels: Vec<String> = values.iter().map(|v| v.as_ref().to_owned()).collect();
        levels.sort_unstable();
        levels.dedup();
        let codes = values
            .iter()
            .map(|v| {
                levels
                    .binary_search_by(|l| l.as_str().cmp(v.as_ref()))
                    .unwrap_or(0) as u32
            })
            .collect();
        Self {
            name: name.to_owned(),
            levels,
            codes,
        }
    }

    /// Groups from numeric values; levels sorted numerically and printed as R
    /// prints a number (`1`, `2.5`). Values must be finite.
    pub fn from_numbers(name: &str, values: &[f64]) -> Result<Self, StatsError> {
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(StatsError::InvalidArgument(format!(
                "group {name}: value {bad} is not finite"
            )));
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted.dedup();
        let codes = values
            .iter()
            .map(|v| sorted.partition_point(|l| l < v) as u32)
            .collect();
        Ok(Self {
            name: name.to_owned(),
            levels: sorted.iter().map(|&v| format_r_number(v)).collect(),
            codes,
        })
    }

    /// Groups from codes and level labels already in the intended order.
    /// Levels without rows are dropped (as R does for strata).
    pub fn from_codes(
        name: &str,
        levels: Vec<String>,
        codes: Vec<u32>,
    ) -> Result<Self, StatsError> {
        if let Some(bad) = codes.iter().find(|&&c| c as usize >= levels.len()) {
            return Err(StatsError::InvalidArgument(format!(
                "group {name}: code {bad} has no level"
            )));
        }
        let mut used = vec![false; levels.len()];
        for &c in &codes {
            used[c as usize] = true;
        }
        let mut remap = vec![0u32; levels.len()];
        let mut kept = Vec::new();
        for (i, level) in levels.into_iter().enumerate() {
            if used[i] {
                remap[i] = kept.len() as u32;
                kept.push(level);
            }
        }
        let codes = codes.into_iter().map(|c| remap[c as usize]).collect();
        Ok(Self {
            name: name.to_owned(),
            levels: kept,
            codes,
        })
    }

    /// The variable name (`x` in `x=Maintained`).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Level labels in factor order.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }
    /// Code of each row (index into [`Groups::levels`]).
    pub fn codes(&self) -> &[u32] {
        &self.codes
    }
    /// R's stratum labels, `name=level`.
    pub fn labels(&self) -> Vec<String> {
        self.levels
            .iter()
            .map(|l| format!("{}={}", self.name, l))
            .collect()
    }
    fn len(&self) -> usize {
        self.codes.len()
    }
}

/// Right-censored survival data, validated: at least one row, equal lengths,
/// times finite and >= 0. Construct with [`SurvivalData::new`], then optionally
/// [`SurvivalData::with_groups`].
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalData {
    time: Vec<f64>,
    event: Vec<bool>,
    groups: Option<Groups>,
}

impl SurvivalData {
    /// Validates times (finite, >= 0) and lengths.
    pub fn new(time: Vec<f64>, event: Vec<bool>) -> Result<Self, StatsError> {
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
        Ok(Self {
            time,
            event,
            groups: None,
        })
    }

    /// Attaches groups (one code per row).
    pub fn with_groups(mut self, groups: Groups) -> Result<Self, StatsError> {
        if groups.len() != self.time.len() {
            return Err(StatsError::LengthMismatch {
                what: "time and group",
                left: self.time.len(),
                right: groups.len(),
            });
        }
        self.groups = Some(groups);
        Ok(self)
    }

    pub fn time(&self) -> &[f64] {
        &self.time
    }
    pub fn event(&self) -> &[bool] {
        &self.event
    }
    pub fn groups(&self) -> Option<&Groups> {
        self.groups.as_ref()
    }
    pub fn len(&self) -> usize {
        self.time.len()
    }
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Stratum labels in curve order (`["all"]` without groups).
    pub fn stratum_labels(&self) -> Vec<String> {
        match &self.groups {
            Some(g) => g.labels(),
            None => vec!["all".to_owned()],
        }
    }
}

pub(crate) fn check_times(time: &[f64]) -> Result<(), StatsError> {
    match time.iter().position(|t| !(t.is_finite() && *t >= 0.0)) {
        Some(row) => Err(StatsError::InvalidTime {
            row,
            value: time[row],
        }),
        None => Ok(()),
    }
}

/// R's `as.character()` of a double, for factor labels: 15 significant digits,
/// trailing zeros dropped (`0.1 + 0.2` gives `0.3`), in fixed notation unless
/// scientific is narrower (R's `scipen = 0` rule, ties fixed): `100000` gives
/// `1e+05`, `123456` gives `123456`, `1e-4` gives `1e-04`, `0.001` gives `0.001`.
/// (An R *integer* column prints every value in fixed notation; see
/// `input::factor_levels`.)
pub fn format_r_number(v: f64) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "NaN".into()
        } else if v > 0.0 {
            "Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if v == 0.0 {
        return "0".into();
    }
    // 15 significant digits: mantissa digits and decimal exponent
    let sci = format!("{:.14e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nsig = digits.len() as i32;
    let sign = if v < 0.0 { "-" } else { "" };
    let neg = i32::from(v < 0.0);
    // widths as R's formatReal compares them
    let fixed_width = if exp >= 0 {
        neg + exp
            + 1
            + if nsig > exp + 1 {
                1 + nsig - exp - 1
            } else {
                0
            }
    } else {
        neg + 2 + (-exp - 1) + nsig
    };
    let exp_digits = if exp.abs() >= 100 { 3 } else { 2 };
    let sci_width = neg + nsig + i32::from(nsig > 1) + 2 + exp_digits;
    if fixed_width <= sci_width {
        if exp >= 0 {
            let int_len = (exp + 1) as usize;
            let mut int_part: String = digits.chars().take(int_len).collect();
            while int_part.len() < int_len {
                int_part.push('0');
            }
            let frac: String = digits.chars().skip(int_len).collect();
            if frac.is_empty() {
                format!("{sign}{int_part}")
            } else {
                format!("{sign}{int_part}.{frac}")
            }
        } else {
            let zeros = "0".repeat((-exp - 1) as usize);
            format!("{sign}0.{zeros}{digits}")
        }
    } else {
        let (first, rest) = digits.split_at(1);
        let mant = if rest.is_empty() {
            first.to_owned()
        } else {
            format!("{first}.{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!(
            "{sign}{mant}e{esign}{:0width$}",
            exp.abs(),
            width = exp_digits as usize
        )
    }
}

/// Two-sided standard normal quantile `z` for a confidence level.
pub(crate) fn z_for_level(level: f64) -> Result<f64, StatsError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(StatsError::InvalidArgument(format!(
            "confidence level must be in (0, 1), got {level}"
        )));
    }
    let normal = statrs::distribution::Normal::standard();
    Ok(statrs::distribution::ContinuousCDF::inverse_cdf(
        &normal,
        1.0 - (1.0 - level) / 2.0,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_r_as_character() {
        let cases = [
            (100000.0, "1e+05"),
            (123456.0, "123456"),
            (1e6, "1e+06"),
            (1234567.0, "1234567"),
            (0.1 + 0.2, "0.3"),
            (1.0 / 3.0, "0.333333333333333"),
            (1e-4, "1e-04"),
            (0.001, "0.001"),
            (-0.25, "-0.25"),
            (1.5, "1.5"),
            (2.0, "2"),
            (0.0, "0"),
            (-1.0, "-1"),
            (1e15, "1e+15"),
            (1e100, "1e+100"),
            (123456789.0, "123456789"),
            (120000.0, "120000"),
            (1.5e-8, "1.5e-08"),
        ];
        for (v, want) in cases {
            assert_eq!(format_r_number(v), want, "{v}");
        }
    }

    #[test]
    fn groups_follow_r_factor_order_and_labels() {
        let g = Groups::from_numbers("trt", &[2.0, 10.0, 1.0, 2.0]).unwrap();
        assert_eq!(g.labels(), ["trt=1", "trt=2", "trt=10"]);
        assert_eq!(g.codes(), [1, 2, 0, 1]);
        let s = Groups::from_strings("x", &["b", "a", "b"]);
        assert_eq!(s.labels(), ["x=a", "x=b"]);
        assert_eq!(s.codes(), [1, 0, 1]);
        let c =
            Groups::from_codes("g", vec!["u".into(), "v".into(), "w".into()], vec![2, 0]).unwrap();
        assert_eq!(c.levels(), ["u", "w"]);
        assert_eq!(c.codes(), [1, 0]);
        assert!(Groups::from_numbers("g", &[f64::NAN]).is_err());
    }

    #[test]
    fn r_number_labels() {
        assert_eq!(format_r_number(1.0), "1");
        assert_eq!(format_r_number(2.5), "2.5");
        assert_eq!(format_r_number(-3.0), "-3");
        assert_eq!(format_r_number(0.1 + 0.2), "0.3");
    }
}
