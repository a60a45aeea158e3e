//! Raw command-line flags (clap derive). The doc comments here are the `--help`
//! text. Nothing is validated here beyond types; [`crate::config`] turns these
//! into a checked configuration.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// CAR-T registry analytics: survival statistics with R's numbers.
#[derive(Debug, Parser)]
#[command(
    name = "analytics",
    version,
    after_help = "The nightly report has its own flags: analytics report --help"
)]
pub struct Opts {
    #[command(subcommand)]
    pub command: Command,
}

/// The statistics subcommands. `report` (the nightly report) is dispatched before these flags
/// are parsed, because it has its own flags and exit codes.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Kaplan-Meier curves, medians and (with --group) the log-rank test, as
    /// R's survfit + survdiff.
    Survival(SurvivalArgs),
    /// Cox proportional hazards regression, as R's coxph.
    Cox(CoxArgs),
    /// Cumulative incidence with competing risks (Aalen-Johansen) and Gray's test.
    Cuminc(CumincArgs),
    /// Write a deterministic synthetic cohort for benchmarks.
    #[command(hide = true)]
    BenchData(BenchDataArgs),
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Machine-readable JSON (undefined values are null).
    #[default]
    Json,
    /// What R's print / summary would show a person.
    Table,
}

/// Confidence interval transform (R's conf.type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ConfTypeArg {
    /// exp(log S -/+ z se): R's default.
    #[default]
    Log,
    /// Complementary log-log: lifelines' and SAS's default.
    LogLog,
    /// S -/+ z S se, cut to [0, 1].
    Plain,
}

/// Tie handling for Cox regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TiesArg {
    /// R's default.
    #[default]
    Efron,
    /// SAS's and Stata's default.
    Breslow,
}

/// Columns and options shared by every analysis.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// CSV file with a header row.
    #[arg(long, value_name = "FILE")]
    pub csv: PathBuf,
    /// Column with the follow-up time (a number >= 0).
    #[arg(long, value_name = "COL")]
    pub time: String,
    /// Column with the event status. Accepted: 0/1, TRUE/FALSE, R's 1/2
    /// (1 censored, 2 event), or any coding with --event-value. Empty or NA drops the row.
    #[arg(long, value_name = "COL")]
    pub event: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct SurvivalArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Value of the event column that means "event"; all other values are censored.
    #[arg(long, value_name = "V")]
    pub event_value: Option<String>,
    /// Column with groups: one curve per group and a log-rank test.
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// Confidence interval transform.
    #[arg(long, value_enum, default_value_t = ConfTypeArg::Log)]
    pub conf_type: ConfTypeArg,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub conf_level: f64,
    /// Landmark times for survival estimates, comma-separated (summary(fit, times=)).
    #[arg(long, value_delimiter = ',', value_name = "T1,T2,...")]
    pub times: Vec<f64>,
}

#[derive(Debug, Args)]
pub struct CoxArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Value of the event column that means "event"; all other values are censored.
    #[arg(long, value_name = "V")]
    pub event_value: Option<String>,
    /// Covariate columns in model order, comma-separated.
    #[arg(long, value_delimiter = ',', required = true, value_name = "A,B,C")]
    pub covariates: Vec<String>,
    /// Treat COL as a factor (treatment coding); REF is the reference level
    /// (default: the first level, sorted as R does). Repeatable. A factor not
    /// listed in --covariates is appended to them.
    #[arg(long, value_name = "COL[:REF]")]
    pub factor: Vec<String>,
    /// Handling of tied event times.
    #[arg(long, value_enum, default_value_t = TiesArg::Efron)]
    pub ties: TiesArg,
    /// Confidence level of the hazard-ratio intervals.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub conf_level: f64,
}

#[derive(Debug, Args)]
pub struct CumincArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Value of the event column meaning censored; every other value is a cause.
    #[arg(long, value_name = "V")]
    pub censor_value: String,
    /// Column with groups: one set of curves per group and Gray's test.
    #[arg(long, value_name = "COL")]
    pub group: Option<String>,
    /// Confidence interval transform for the cumulative incidence.
    #[arg(long, value_enum, default_value_t = ConfTypeArg::Log)]
    pub conf_type: ConfTypeArg,
    /// Confidence level.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    pub conf_level: f64,
    /// Times at which to report the cumulative incidence, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "T1,T2,...")]
    pub times: Vec<f64>,
}

#[derive(Debug, Args)]
pub struct BenchDataArgs {
    /// Number of subjects.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: usize,
    /// Random seed.
    #[arg(long, default_value_t = 20_260_101)]
    pub seed: u64,
    /// Output CSV file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}
