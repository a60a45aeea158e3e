//! `registry export`: its arguments ([`ExportArgs`], the `--help` text) and [`run`], which
//! turns them into [`ExportOptions`] and calls [`export_to_dir`]. The exporting itself lives in
//! the parent module.

use std::path::PathBuf;

use clap::Args;

use super::{Entity, ExportError, ExportOptions, Profile, PseudonymKey, export_to_dir};
use crate::cli::CliError;
use crate::db::DbError;

/// Arguments of `registry export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The registry database (its data is only read).
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,
    /// The directory to create with one CSV per entity and data_dictionary.csv (must not exist,
    /// or be empty).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Export only this entity (repeatable); default: every entity.
    #[arg(long = "entity", value_name = "NAME")]
    pub entities: Vec<Entity>,
    /// Analysts' profile: no registry or external ids, birth date, names, free text or
    /// bookkeeping; patient ids replaced by pseudonyms.
    #[arg(long)]
    pub deidentified: bool,
    /// Dates as days from the patient's Day 0 (first CAR-T infusion = day 0).
    #[arg(long = "days-from-day0")]
    pub days_from_day0: bool,
    /// Export only this site's patients (repeatable, by site code); default: every site.
    #[arg(long = "site", value_name = "CODE")]
    pub sites: Vec<String>,
    /// A file holding the secret (at least 16 bytes) that makes pseudonyms stable across
    /// exports; without it each de-identified export gets fresh, unlinkable pseudonyms.
    #[arg(long, value_name = "PATH", requires = "deidentified")]
    pub pseudonym_key_file: Option<PathBuf>,
}

/// Carries out `registry export`, printing a one-line summary.
pub fn run(args: &ExportArgs) -> Result<(), CliError> {
    export(args).map_err(into_cli_error)
}

fn export(args: &ExportArgs) -> Result<(), ExportError> {
    let profile = if args.deidentified {
        let key = match &args.pseudonym_key_file {
            Some(path) => {
                let secret = std::fs::read(path).map_err(|e| ExportError::KeyFile {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
                PseudonymKey::new(&secret)?
            }
            None => PseudonymKey::random(),
        };
        Profile::Deidentified(key)
    } else {
        Profile::Full
    };
    let options = ExportOptions {
        profile,
        days_from_day0: args.days_from_day0,
        sites: args.sites.clone(),
    };
    let pool = crate::db::pool(&args.db, 1)?;
    let mut conn = pool.get().map_err(|e| {
        DbError::Unexpected(anyhow::anyhow!("Failed to open {}: {e}", args.db.display()))
    })?;
    let summaries = export_to_dir(&mut conn, &args.out, &args.entities, &options)?;
    let rows: u64 = summaries.iter().map(|s| s.rows).sum();
    println!(
        "exported {} entities ({rows} rows) and {} to {}",
        summaries.len(),
        super::DICTIONARY_FILE,
        args.out.display()
    );
    Ok(())
}

fn into_cli_error(e: ExportError) -> CliError {
    match e {
        ExportError::Db(e) => CliError::Db(e),
        ExportError::Unexpected(e) => CliError::Unexpected(e),
        e => CliError::Input(e.to_string()),
    }
}
