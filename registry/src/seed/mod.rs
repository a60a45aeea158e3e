//! The demo cohort generator behind `registry seed`: a deterministic, realistic multi-site
//! CAR-T cohort.
//!
//! - [`parameters`]: every published figure the cohort is drawn from, with its source.
//! - [`simulate`]: one patient's history from that patient's own random stream (pure).
//! - [`complications`]: ICAHT, TLS, hypogammaglobulinaemia and relapse detection methods, from
//!   the patient's second stream (pure).
//! - [`write`]: bulk-loads histories into the registry's tables.
//!
//! [`seed`] ties them together: histories are simulated on worker threads in fixed chunks and
//! written in patient order by one connection, so the database is identical for the same
//! seed, patient count and data-cut date whatever the thread count. The file is built beside
//! the target under a temporary name, with bulk-load pragmas, and renamed into place only when
//! complete: a failure leaves nothing half-written. An existing non-empty database is refused
//! unless `force` is set, in which case it is replaced (atomically, by the rename).
//!
//! Speed (100,000 patients in under a minute on 2 cores) comes from: one transaction; multi-row
//! INSERTs; `journal_mode = MEMORY` and `synchronous = OFF` while the file is private (restored
//! before the rename); simulation on worker threads while one connection writes; and CHECK
//! constraints relaxed during the load unless [`SeedOptions::check_constraints`] is set (the
//! tests set it).

pub mod complications;
pub mod parameters;
pub mod simulate;
pub mod write;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::NaiveDate;
use diesel::Connection as _;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;

use crate::db;
use simulate::{Cohort, PatientHistory};
use write::CohortWriter;

/// Patients simulated and written per chunk, at most; small cohorts use smaller chunks so that
/// every worker gets some (the chunking depends only on the patient count, never on threads).
const MAX_CHUNK: u64 = 1_000;

/// What `registry seed` was asked to do, validated.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// The database file to create.
    pub db: PathBuf,
    /// Number of patients, at least 1.
    pub patients: u64,
    /// The random seed: same seed, patients and `today` give the same database.
    pub seed: u64,
    /// The data cut: enrolment runs from 2017 to this date and nothing happens after it.
    pub today: NaiveDate,
    /// Replace an existing non-empty database.
    pub force: bool,
    /// Threads simulating patients (the writer is one more); at least 1.
    pub threads: usize,
    /// Show a progress bar (the CLI sets it when stderr is a terminal).
    pub progress: bool,
    /// Enforce the schema's CHECK constraints while loading. Foreign keys, NOT NULL and UNIQUE
    /// are always enforced; CHECKs triple the load time (SQLite re-evaluates every code list
    /// per row), so the bulk load skips them unless asked, and the test suite seeds with them
    /// on to prove the generator's rows satisfy every one.
    pub check_constraints: bool,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct SeedSummary {
    pub rows: Vec<(&'static str, u64)>,
    pub elapsed: Duration,
    pub bytes: u64,
}

/// Why seeding failed: the first three are the user's to fix.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{} already holds a database; pass --force to replace it", .0.display())]
    AlreadyExists(PathBuf),
    #[error("invalid seed option: {0}")]
    InvalidOption(String),
    #[error("cannot write {}: {reason}", .path.display())]
    NotWritable { path: PathBuf, reason: String },
    #[error(transparent)]
    Db(#[from] db::DbError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Builds the demo cohort into `options.db`.
pub fn seed(options: &SeedOptions) -> Result<SeedSummary, SeedError> {
    let started = Instant::now();
    if options.patients == 0 {
        return Err(SeedError::InvalidOption(
            "--patients must be at least 1".to_owned(),
        ));
    }
    if options.today < parameters::first_infusion_date() {
        return Err(SeedError::InvalidOption(format!(
            "the data cut {} is before the first CAR-T approval ({})",
            options.today,
            parameters::first_infusion_date()
        )));
    }
    let target = &options.db;
    let not_writable = |reason: String| SeedError::NotWritable {
        path: target.clone(),
        reason,
    };
    if target.is_dir() {
        return Err(not_writable("it is a directory".to_owned()));
    }
    let exists_non_empty = std::fs::metadata(target).is_ok_and(|m| m.len() > 0);
    if exists_non_empty && !options.force {
        return Err(SeedError::AlreadyExists(target.clone()));
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(not_writable(format!(
            "the directory {} does not exist",
            dir.display()
        )));
    }
    let file_name = target
        .file_name()
        .ok_or_else(|| not_writable("the path names no file".to_owned()))?;
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{}.", file_name.to_string_lossy()))
        .suffix(".seeding")
        .tempfile_in(&dir)
        .map_err(|e| not_writable(e.to_string()))?;

    let rows = build(temp.path(), options)?;

    // An empty file (e.g. just created by `touch`) holds nothing to protect.
    if options.force || target.exists() {
        // Stale WAL side files of the replaced database would be replayed into the new one.
        for suffix in ["-wal", "-shm"] {
            let mut side = target.clone().into_os_string();
            side.push(suffix);
            let side = PathBuf::from(side);
            if side.exists() {
                std::fs::remove_file(&side).map_err(|e| not_writable(e.to_string()))?;
            }
        }
        temp.persist(target)
            .map_err(|e| not_writable(e.error.to_string()))?;
    } else {
        temp.persist_noclobber(target)
            .map_err(|e| not_writable(e.error.to_string()))?;
    }
    // The finished file is switched to WAL like every registry database.
    drop(db::open(target)?);
    let bytes = std::fs::metadata(target).map(|m| m.len()).unwrap_or(0);
    Ok(SeedSummary {
        rows,
        elapsed: started.elapsed(),
        bytes,
    })
}

/// Migrates the file at `path` and fills it; returns the rows written per table.
fn build(path: &Path, options: &SeedOptions) -> Result<Vec<(&'static str, u64)>, SeedError> {
    let url = path.to_str().ok_or_else(|| SeedError::NotWritable {
        path: path.to_owned(),
        reason: "the path is not valid UTF-8".to_owned(),
    })?;
    let mut conn = SqliteConnection::establish(url).map_err(|e| SeedError::NotWritable {
        path: options.db.clone(),
        reason: e.to_string(),
    })?;
    db::configure_connection(&mut conn, db::DEFAULT_BUSY_TIMEOUT)
        .context("Failed to configure the seeding connection")?;
    db::migrate(&mut conn)?;
    // Bulk load: the file is private until renamed, so durability can wait for the end.
    conn.batch_execute(
        "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; \
         PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;",
    )
    .context("Failed to set the bulk-load pragmas")?;
    if !options.check_constraints {
        conn.batch_execute("PRAGMA ignore_check_constraints = ON;")
            .context("Failed to relax CHECK constraints for the bulk load")?;
    }

    let cohort = Cohort::new(options.seed, options.today);
    let mut writer = CohortWriter::new(options.today);
    let progress = progress_bar(options);
    let result = conn.transaction::<_, anyhow::Error, _>(|conn| {
        writer
            .write_sites(conn)
            .context("Failed to insert the sites")?;
        generate(&cohort, options, |chunk| {
            for history in &chunk {
                writer.add(&cohort, history);
            }
            writer
                .flush(conn)
                .context("Failed to insert a chunk of patients")?;
            if let Some(bar) = &progress {
                bar.inc(chunk.len() as u64);
            }
            Ok(())
        })
    });
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    result?;
    conn.batch_execute(
        "PRAGMA ignore_check_constraints = OFF; PRAGMA journal_mode = DELETE; \
         PRAGMA synchronous = FULL; PRAGMA optimize;",
    )
    .context("Failed to restore the pragmas after the bulk load")?;
    Ok(writer.row_counts())
}

fn progress_bar(options: &SeedOptions) -> Option<indicatif::ProgressBar> {
    if !options.progress || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(options.patients);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "seeding {bar:40} {pos}/{len} patients ({per_sec}, eta {eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Simulates patients 1..=N in chunks on `options.threads` workers and hands the chunks to
/// `consume` in patient order. Worker `w` simulates chunks `w, w + T, w + 2T, …`; the consumer
/// takes them round-robin, so the order never depends on timing.
fn generate(
    cohort: &Cohort,
    options: &SeedOptions,
    mut consume: impl FnMut(Vec<PatientHistory>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let threads = options.threads.max(1);
    let chunk_size = (options.patients / 16).clamp(64, MAX_CHUNK);
    let chunks = options.patients.div_ceil(chunk_size);
    std::thread::scope(|scope| {
        let mut receivers = Vec::with_capacity(threads);
        for worker in 0..threads {
            let (sender, receiver) = mpsc::sync_channel::<Vec<PatientHistory>>(2);
            receivers.push(receiver);
            let patients = options.patients;
            scope.spawn(move || {
                let mut chunk = worker as u64;
                while chunk < chunks {
                    let first = chunk * chunk_size + 1;
                    let last = ((chunk + 1) * chunk_size).min(patients);
                    let histories: Vec<PatientHistory> = (first..=last)
                        .filter_map(|n| simulate::simulate_patient(cohort, n))
                        .collect();
                    if sender.send(histories).is_err() {
                        // The consumer stopped (an error): nothing more to do.
                        return;
                    }
                    chunk += threads as u64;
                }
            });
        }
        for chunk in 0..chunks {
            let receiver = receivers
                .get((chunk % threads as u64) as usize)
                .context("worker channel missing")?;
            let histories = receiver
                .recv()
                .context("a simulation worker stopped unexpectedly")?;
            consume(histories)?;
        }
        Ok(())
    })
}
