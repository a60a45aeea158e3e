//! `analytics report`: the flags (clap derive; the doc comments are the `--help` text), their
//! validation into a [`ReportConfig`], and the exit code (0 ok, 2 bad input, 1 ours).
//!
//! `main.rs` hands `analytics report ...` here before the other subcommands are parsed.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use super::endpoints::EndpointOptions;
use super::{ReportConfig, ReportError, Section};

/// The nightly report: endpoints, ADaM-shaped tables, summary.json, charts and index.html.
#[derive(Debug, Parser)]
#[command(name = "analytics report", version)]
pub struct ReportArgs {
    /// The registry database (SQLite), opened read-only.
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,
    /// Output directory: the report goes to DIR/<cutoff>/ and DIR/latest points at it.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Data cut-off (YYYY-MM-DD); nothing dated after it is used. Default: today (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub cutoff: Option<String>,
    /// Only these sections, comma-separated: cohort, survival, competing, response, toxicity,
    /// infections, immune, malignancies, deaths, quality.
    #[arg(long, value_delimiter = ',', value_name = "SECTION,...")]
    pub only: Vec<String>,
    /// No progress bar and no timing lines.
    #[arg(long)]
    pub quiet: bool,
    /// Censor PFS/EFS/DOR/CIR/NRM at the start of a new anticancer therapy (default: no).
    #[arg(long)]
    pub censor_at_new_therapy: bool,
    /// Censor PFS/EFS/DOR/CIR/NRM at a subsequent transplant (default: no).
    #[arg(long)]
    pub censor_at_transplant: bool,
    /// Write only SVG charts (no PNG/PDF).
    #[arg(long, hide = true)]
    pub svg_only: bool,
    /// Print the time of each stage to stderr (also without a terminal).
    #[arg(long, hide = true)]
    pub timings: bool,
}

impl TryFrom<ReportArgs> for ReportConfig {
    type Error = ReportError;

    fn try_from(a: ReportArgs) -> Result<Self, ReportError> {
        let cutoff = match &a.cutoff {
            Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| {
                ReportError::Input(format!("--cutoff {s:?}: not a YYYY-MM-DD date ({e})"))
            })?,
            None => chrono::Utc::now().date_naive(),
        };
        let sections = if a.only.is_empty() {
            Section::ALL.to_vec()
        } else {
            let mut v = Vec::new();
            for s in &a.only {
                let sec = Section::parse(s.trim()).ok_or_else(|| {
                    ReportError::Input(format!(
                        "--only {s:?}: unknown section (one of {})",
                        Section::ALL.map(Section::name).join(", ")
                    ))
                })?;
                v.push(sec);
            }
            v.sort();
            v.dedup();
            v
        };
        if a.out.is_file() {
            return Err(ReportError::Input(format!(
                "--out {}: is a file, not a directory",
                a.out.display()
            )));
        }
        Ok(ReportConfig {
            db: a.db,
            out: a.out,
            cutoff,
            sections,
            options: EndpointOptions {
                censor_at_new_therapy: a.censor_at_new_therapy,
                censor_at_transplant: a.censor_at_transplant,
                ..EndpointOptions::default()
            },
            progress: !a.quiet,
            raster: !a.svg_only,
        })
    }
}

/// Parses `analytics report ...` (argv without the program name's subcommand handled by clap),
/// runs it and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    // argv: analytics report <flags>; clap sees "analytics report" as the program name.
    let args: Vec<std::ffi::OsString> = std::env::args_os()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, a)| a)
        .collect();
    let parsed = match ReportArgs::try_parse_from(args) {
        Ok(p) => p,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let quiet = parsed.quiet;
    let timings = parsed.timings;
    let result = ReportConfig::try_from(parsed).and_then(|c| super::run(&c));
    match result {
        Ok(outcome) => {
            if timings || (!quiet && std::io::IsTerminal::is_terminal(&std::io::stderr())) {
                let total: f64 = outcome.stages.iter().map(|(_, d)| d.as_secs_f64()).sum();
                eprintln!(
                    "report written to {} ({} rows read, {:.2} s)",
                    outcome.dir.display(),
                    outcome.rows_read,
                    total
                );
                for (name, d) in &outcome.stages {
                    eprintln!("  {name:<10} {:>8.3} s", d.as_secs_f64());
                }
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
