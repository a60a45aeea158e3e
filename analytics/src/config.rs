//! Validated configuration: [`crate::cli::Opts`] checked and converted once,
//! before any file is read. Everything downstream trusts these values.

use crate::cli::{Command, ConfTypeArg, Format, Opts, TiesArg};
use crate::error::CliError;
use crate::input::EventCoding;
use crate::survival::{ConfType, Ties};
use std::path::PathBuf;

/// One validated run.
#[derive(Debug, Clone, PartialEq)]
pub enum Config {
    Survival(SurvivalConfig),
    Cox(CoxConfig),
    Cuminc(CumincConfig),
    BenchData(BenchDataConfig),
}

/// Where the data are and how the outcome is coded.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// The CSV file.
    pub csv: PathBuf,
    /// Time column.
    pub time: String,
    /// Event column.
    pub event: String,
    /// Output format.
    pub format: Format,
}

/// `analytics survival`.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalConfig {
    pub source: Source,
    /// How the event column is decoded.
    pub event_coding: EventCoding,
    /// Group column, if any (curves per group + log-rank).
    pub group: Option<String>,
    pub conf_type: ConfType,
    /// In (0, 1).
    pub conf_level: f64,
    /// Landmark times, sorted, distinct, finite.
    pub times: Vec<f64>,
}

/// One model term as requested.
#[derive(Debug, Clone, PartialEq)]
pub enum TermSpec {
    Numeric(String),
    Factor {
        column: String,
        reference: Option<String>,
    },
}

impl TermSpec {
    pub fn column(&self) -> &str {
        match self {
            Self::Numeric(c) | Self::Factor { column: c, .. } => c,
        }
    }
}

/// `analytics cox`.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxConfig {
    pub source: Source,
    pub event_coding: EventCoding,
    /// Terms in model order, columns distinct.
    pub terms: Vec<TermSpec>,
    pub ties: Ties,
    pub conf_level: f64,
}

/// `analytics cuminc`.
#[derive(Debug, Clone, PartialEq)]
pub struct CumincConfig {
    pub source: Source,
    /// Value of the event column meaning censored.
    pub censor_value: String,
    pub group: Option<String>,
    pub conf_type: ConfType,
    pub conf_level: f64,
    pub times: Vec<f64>,
}

/// `analytics bench-data`.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchDataConfig {
    pub rows: usize,
    pub seed: u64,
    pub out: PathBuf,
}

fn conf_type(c: ConfTypeArg) -> ConfType {
    match c {
        ConfTypeArg::Log => ConfType::Log,
        ConfTypeArg::LogLog => ConfType::LogLog,
        ConfTypeArg::Plain => ConfType::Plain,
    }
}

fn conf_level(level: f64) -> Result<f64, CliError> {
    if level > 0.0 && level < 1.0 {
        Ok(level)
    } else {
        Err(CliError::Usage(format!(
            "--conf-level must be between 0 and 1 (exclusive), got {level}"
        )))
    }
}

fn times(mut t: Vec<f64>) -> Result<Vec<f64>, CliError> {
    if let Some(bad) = t.iter().find(|x| !x.is_finite()) {
        return Err(CliError::Usage(format!(
            "--times: {bad} is not a finite number"
        )));
    }
    t.sort_by(f64::total_cmp);
    t.dedup();
    Ok(t)
}

fn event_coding(v: Option<String>) -> EventCoding {
    v.map_or(EventCoding::Auto, EventCoding::Value)
}

impl TryFrom<Opts> for Config {
    type Error = CliError;

    fn try_from(opts: Opts) -> Result<Self, CliError> {
        Ok(match opts.command {
            Command::Survival(a) => Config::Survival(SurvivalConfig {
                source: Source {
                    csv: a.common.csv,
                    time: a.common.time,
                    event: a.common.event,
                    format: a.common.format,
                },
                event_coding: event_coding(a.event_value),
                group: a.group,
                conf_type: conf_type(a.conf_type),
                conf_level: conf_level(a.conf_level)?,
                times: times(a.times)?,
            }),
            Command::Cox(a) => {
                let mut terms: Vec<TermSpec> = Vec::new();
                for c in &a.covariates {
                    let c = c.trim();
                    if c.is_empty() {
                        return Err(CliError::Usage("--covariates: empty column name".into()));
                    }
                    if terms.iter().any(|t| t.column() == c) {
                        return Err(CliError::Usage(format!("--covariates: {c} listed twice")));
                    }
                    terms.push(TermSpec::Numeric(c.to_owned()));
                }
                for f in &a.factor {
                    let (column, reference) = match f.split_once(':') {
                        Some((c, r)) => (c.trim().to_owned(), Some(r.to_owned())),
                        None => (f.trim().to_owned(), None),
                    };
                    if column.is_empty() {
                        return Err(CliError::Usage(format!(
                            "--factor {f:?}: empty column name"
                        )));
                    }
                    let spec = TermSpec::Factor {
                        column: column.clone(),
                        reference,
                    };
                    match terms.iter_mut().find(|t| t.column() == column) {
                        Some(TermSpec::Factor { .. }) => {
                            return Err(CliError::Usage(format!("--factor {column} given twice")));
                        }
                        Some(t) => *t = spec,
                        None => terms.push(spec),
                    }
                }
                Config::Cox(CoxConfig {
                    source: Source {
                        csv: a.common.csv,
                        time: a.common.time,
                        event: a.common.event,
                        format: a.common.format,
                    },
                    event_coding: event_coding(a.event_value),
                    terms,
                    ties: match a.ties {
                        TiesArg::Efron => Ties::Efron,
                        TiesArg::Breslow => Ties::Breslow,
                    },
                    conf_level: conf_level(a.conf_level)?,
                })
            }
            Command::Cuminc(a) => Config::Cuminc(CumincConfig {
                source: Source {
                    csv: a.common.csv,
                    time: a.common.time,
                    event: a.common.event,
                    format: a.common.format,
                },
                censor_value: a.censor_value,
                group: a.group,
                conf_type: conf_type(a.conf_type),
                conf_level: conf_level(a.conf_level)?,
                times: times(a.times)?,
            }),
            Command::BenchData(a) => {
                if a.rows == 0 {
                    return Err(CliError::Usage("--rows must be at least 1".into()));
                }
                Config::BenchData(BenchDataConfig {
                    rows: a.rows,
                    seed: a.seed,
                    out: a.out,
                })
            }
        })
    }
}
