//! The typed load: registry SQLite -> Polars `DataFrame`s, cut at the data cut-off, with the
//! SHA-256 of what was read.
//!
//! What lives here: opening the database read-only (refusing a schema this program does not
//! know, through `registry::db`'s migration list), read transactions that see one consistent
//! state of the database ([`snapshot`]), the data cut-off (a row dated after it is dropped and
//! counted), and parsing codes into the domain's types at the edge (a response code becomes its
//! rank and responder / CR flags through `registry::domain::response::Response`). What does
//! not: any endpoint logic (see `endpoints`).
//!
//! Each table is a short declarative [`spec::TableSpec`] in [`tables`] (per column: frame name,
//! SQL expression, type, nullable); one generic reader executes them all. The tables are read
//! in parallel, in chunks of [`CHUNK_IDS`] row ids, one read-only connection per thread (at
//! most [`MAX_THREADS`]); the result does not depend on the thread count or timing.
//!
//! The loaded schema (types: `i32` Int32, `f64` Float64, `bool` Boolean, `date` Date, `str`
//! String; `?` marks a column that may be null), one frame per [`Registry`] field:
//!
//! - `patients` (`patients`): `patient_id` i32, `usubjid` str, `site` str, `ltfu_status` str, `ltfu_status_date` date?
//! - `diagnoses` (`diagnoses`): `diagnosis_id` i32, `patient_id` i32, `disease` str, `disease_group` str, `criteria` str
//! - `courses` (`treatment_courses`): `course_id` i32, `patient_id` i32, `diagnosis_id` i32, `course_number` i32, `product` str, `antigen` str
//! - `infusions` (`infusions`): `patient_id` i32, `course_id` i32, `infusion_number` i32, `infusion_date` date
//! - `follow_ups` (`follow_ups`): `patient_id` i32, `contact_date` date?, `survival_status` str?, `relapse_date` date?
//! - `responses` (`response_assessments`): `patient_id` i32, `course_id` i32, `assessment_date` date, `criteria` str, `response` str, `rank` i32, `responder` bool, `complete` bool, `progression` bool
//! - `therapies` (`subsequent_therapies`): `patient_id` i32, `category` str, `intent` str?, `start_date` date, `closes_bor_window` bool, `transplant` bool
//! - `deaths` (`deaths`): `patient_id` i32, `death_date` date, `death_cause` str
//! - `toxicities` (`toxicity_events`): `patient_id` i32, `toxicity_type` str, `grade` i32?, `onset_date` date, `resolution_date` date?
//! - `infections` (`infections`): `patient_id` i32, `diagnosis_date` date, `organism_class` str
//! - `labs` (`lab_results`): `patient_id` i32, `sample_date` date, `analyte` str, `value` f64?, `ivig_flag` bool
//! - `ig_courses` (`immunoglobulin_courses`): `patient_id` i32, `start_date` date, `stop_date` date?
//! - `persistence` (`persistence_tests`): `patient_id` i32, `sample_date` date, `detected` bool?, `pcr` bool, `copies_per_ug_dna` f64?, `below_lloq` bool
//! - `malignancies` (`new_malignancies`): `patient_id` i32, `diagnosis_date` date, `malignancy_type` str, `t_cell` bool
//!
//! Codes stay the registry's stored codes (`DLBCL_NOS`, `AXI_CEL`, `CR`); what each column
//! means at the cut-off is documented on its spec in [`tables`].
//!
//! The data hash: per table and chunk of [`CHUNK_IDS`] row ids, SHA-256 of every kept row's
//! values as SQLite returned them (after the cut-off rules, internal columns included), in id
//! order; per table, SHA-256 of its chunks' digests in id order; then SHA-256 of the cut-off
//! and, per table in the order above, its name, kept and dropped counts and digest. It does not
//! depend on the number of threads.

mod reader;
mod snapshot;
pub mod spec;
pub mod tables;

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use diesel::SqliteConnection;
use polars::prelude::*;

pub use reader::iso_day;
pub use snapshot::open_read_only;

use reader::{Feed, TableRead};
use spec::BadCode;
pub use spec::IdRange;

/// Why the registry could not be read. `Input` is the user's to fix (a path, a version); the
/// rest are ours.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("--db {}: {reason}", .path.display())]
    Input { path: PathBuf, reason: String },
    #[error("reading table {table} failed: {source}")]
    Query {
        table: &'static str,
        #[source]
        source: diesel::result::Error,
    },
    #[error("table {table}, row id {}, column {column}: {reason}", id.map_or_else(|| "unknown".to_owned(), |id| id.to_string()))]
    Value {
        table: &'static str,
        column: &'static str,
        /// The row's id, when it could be found.
        id: Option<i64>,
        reason: String,
    },
    #[error("building the {table} frame failed: {source}")]
    Frame {
        table: &'static str,
        #[source]
        source: PolarsError,
    },
    #[error("table {table} was not read")]
    NotRead { table: &'static str },
}

/// Everything the report reads, cut at the cut-off.
#[derive(Debug, Clone)]
pub struct Registry {
    pub patients: DataFrame,
    pub diagnoses: DataFrame,
    pub courses: DataFrame,
    pub infusions: DataFrame,
    pub follow_ups: DataFrame,
    pub responses: DataFrame,
    pub therapies: DataFrame,
    pub deaths: DataFrame,
    pub toxicities: DataFrame,
    pub infections: DataFrame,
    pub labs: DataFrame,
    pub ig_courses: DataFrame,
    pub persistence: DataFrame,
    pub malignancies: DataFrame,
    /// Rows read per table (kept, after the cut-off).
    pub rows: BTreeMap<&'static str, u64>,
    /// Rows dropped per table because their date is after the cut-off.
    pub dropped_after_cutoff: BTreeMap<&'static str, u64>,
    /// Codes that did not parse, as (table, row id, what).
    pub bad_codes: Vec<BadCode>,
    /// Lower-case hex SHA-256 of every kept value.
    pub sha256: String,
}

/// The [`Registry`] field of each of [`tables::ALL`], in the same order.
pub const FIELDS: [&str; 14] = [
    "patients",
    "diagnoses",
    "courses",
    "infusions",
    "follow_ups",
    "responses",
    "therapies",
    "deaths",
    "toxicities",
    "infections",
    "labs",
    "ig_courses",
    "persistence",
    "malignancies",
];

impl Registry {
    /// Total rows kept.
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }

    /// The frame of each table of [`tables::ALL`], in the same order.
    pub fn frames(&self) -> [&DataFrame; 14] {
        [
            &self.patients,
            &self.diagnoses,
            &self.courses,
            &self.infusions,
            &self.follow_ups,
            &self.responses,
            &self.therapies,
            &self.deaths,
            &self.toxicities,
            &self.infections,
            &self.labs,
            &self.ig_courses,
            &self.persistence,
            &self.malignancies,
        ]
    }
}

/// Days since 1970-01-01 of a date.
pub fn epoch_days(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}

/// The date of days since 1970-01-01.
pub fn from_epoch_days(days: i32) -> chrono::NaiveDate {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(i64::from(days))
}

/// The most connections [`load`] reads with: beyond this the largest table alone sets the time.
pub const MAX_THREADS: usize = 4;

/// Row ids per chunk: a table larger than this is read as several id ranges, so that the
/// threads share the work of the large tables (lab results are two fifths of all rows) rather
/// than one thread reading the largest table while the others idle.
pub const CHUNK_IDS: i64 = 1 << 17;

/// How [`load_with`] reads.
#[derive(Debug, Clone, Copy)]
pub struct LoadPlan {
    /// Read-only connections reading in parallel.
    pub threads: NonZeroUsize,
    /// Row ids per chunk ([`CHUNK_IDS`] by default). Part of the data hash's definition: the
    /// frames do not depend on it, the hash does.
    pub chunk_ids: i64,
}

/// Reads every table the report needs from `path`, keeping only what is dated on or before
/// `cutoff`, with one connection per core (at most [`MAX_THREADS`]).
pub fn load(path: &Path, cutoff: chrono::NaiveDate) -> Result<Registry, LoadError> {
    let cores = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);
    let threads = NonZeroUsize::new(cores.min(MAX_THREADS)).unwrap_or(NonZeroUsize::MIN);
    load_with_threads(path, cutoff, threads)
}

/// [`load`] with `threads` read-only connections reading tables in parallel, all in read
/// transactions on one committed state of the database (see [`snapshot`]).
pub fn load_with_threads(
    path: &Path,
    cutoff: chrono::NaiveDate,
    threads: NonZeroUsize,
) -> Result<Registry, LoadError> {
    load_with(
        path,
        cutoff,
        LoadPlan {
            threads,
            chunk_ids: CHUNK_IDS,
        },
    )
}

/// [`load`] as `plan` says.
pub fn load_with(
    path: &Path,
    cutoff: chrono::NaiveDate,
    plan: LoadPlan,
) -> Result<Registry, LoadError> {
    let n = plan.threads.get();
    let mut conns = (0..n)
        .map(|_| open_read_only(path))
        .collect::<Result<Vec<_>, _>>()?;
    let result = match snapshot::begin_all(&mut conns) {
        Ok(usable) => read_tables(&mut conns[..usable], cutoff, plan.chunk_ids),
        Err(source) => Err(LoadError::Query {
            table: "BEGIN",
            source,
        }),
    };
    for conn in &mut conns {
        snapshot::end(conn);
    }
    result
}

/// [`load`] on an open connection, in one read transaction (tests use temporary databases).
pub fn read_all(
    conn: &mut SqliteConnection,
    cutoff: chrono::NaiveDate,
) -> Result<Registry, LoadError> {
    snapshot::begin(conn).map_err(|source| LoadError::Query {
        table: "BEGIN",
        source,
    })?;
    let result = read_tables(std::slice::from_mut(conn), cutoff, CHUNK_IDS);
    snapshot::end(conn);
    result
}

/// One unit of work: a chunk of a table.
struct Job {
    table: usize,
    chunk: usize,
    ids: spec::IdRange,
}

/// Reads every table of [`tables::ALL`] on `conns` (each already in its read transaction) in
/// chunks of `chunk_ids` row ids, the largest tables' chunks first, each connection taking the
/// next chunk when it is done with one; then joins each table's chunks in id order.
fn read_tables(
    conns: &mut [SqliteConnection],
    cutoff: chrono::NaiveDate,
    chunk_ids: i64,
) -> Result<Registry, LoadError> {
    // `NaiveDate` displays as `YYYY-MM-DD`: digits and dashes, safe inside an SQL literal.
    let literal = format!("'{cutoff}'");
    let Some(first) = conns.first_mut() else {
        return Err(LoadError::NotRead {
            table: tables::ALL[0].table,
        });
    };
    let max_ids: Vec<i64> = tables::ALL
        .iter()
        .map(|t| reader::max_row_id(first, t))
        .collect();
    let mut tables_by_size: Vec<usize> = (0..tables::ALL.len()).collect();
    tables_by_size.sort_by_key(|&i| std::cmp::Reverse(max_ids[i]));
    let chunks_of: Vec<Vec<spec::IdRange>> = max_ids
        .iter()
        .map(|&max_id| spec::IdRange::chunks(max_id, chunk_ids))
        .collect();
    let jobs: Vec<Job> = tables_by_size
        .iter()
        .flat_map(|&table| {
            chunks_of[table]
                .iter()
                .enumerate()
                .map(move |(chunk, &ids)| Job { table, chunk, ids })
        })
        .collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let work = |conn: &mut SqliteConnection| {
        let mut done = Vec::new();
        while !failed.load(Ordering::Relaxed) {
            let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) else {
                break;
            };
            let read = reader::read_chunk(conn, tables::ALL[job.table], &literal, job.ids);
            if read.is_err() {
                failed.store(true, Ordering::Relaxed);
            }
            done.push(((job.table, job.chunk), read));
        }
        done
    };
    let finished: Vec<((usize, usize), Result<reader::ChunkRead, LoadError>)> = match conns {
        [] => Vec::new(),
        [one] => work(one),
        many => std::thread::scope(|scope| {
            let handles: Vec<_> = many
                .iter_mut()
                .map(|conn| scope.spawn(|| work(conn)))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        }),
    };
    let mut chunks: Vec<BTreeMap<usize, reader::ChunkRead>> =
        (0..tables::ALL.len()).map(|_| BTreeMap::new()).collect();
    let mut first_error: Option<((usize, usize), LoadError)> = None;
    for (key, read) in finished {
        match read {
            Ok(read) => {
                chunks[key.0].insert(key.1, read);
            }
            // The first failing chunk in table and id order, whatever the threads' timing.
            Err(e) if first_error.as_ref().is_none_or(|(k, _)| key < *k) => {
                first_error = Some((key, e));
            }
            Err(_) => {}
        }
    }
    if let Some((_, e)) = first_error {
        return Err(e);
    }
    let mut reads = Vec::with_capacity(tables::ALL.len());
    for ((spec, table_chunks), expected) in tables::ALL.iter().zip(chunks).zip(&chunks_of) {
        if table_chunks.len() != expected.len() {
            return Err(LoadError::NotRead { table: spec.table });
        }
        reads.push(reader::finish_table(
            spec,
            table_chunks.into_values().collect(),
        )?);
    }
    assemble(cutoff, reads)
}

/// The [`Registry`] of the tables read, in [`tables::ALL`] order, and the data hash over them.
fn assemble(cutoff: chrono::NaiveDate, reads: Vec<TableRead>) -> Result<Registry, LoadError> {
    let mut feed = Feed::new();
    feed.bytes(format!("cutoff={cutoff}").as_bytes());
    let mut rows = BTreeMap::new();
    let mut dropped_after_cutoff = BTreeMap::new();
    let mut bad_codes = Vec::new();
    let mut frames = Vec::with_capacity(reads.len());
    for (spec, read) in tables::ALL.iter().zip(reads) {
        feed.bytes(spec.table.as_bytes());
        feed.int(i64::try_from(read.kept).unwrap_or(i64::MAX));
        feed.int(i64::try_from(read.dropped).unwrap_or(i64::MAX));
        feed.bytes(&read.digest);
        rows.insert(spec.table, read.kept);
        dropped_after_cutoff.insert(spec.table, read.dropped);
        bad_codes.extend(read.bad_codes);
        frames.push(read.frame);
    }
    let sha256 = feed.finish().iter().map(|b| format!("{b:02x}")).collect();
    let missing = LoadError::NotRead {
        table: tables::ALL[frames.len().min(tables::ALL.len() - 1)].table,
    };
    let [
        patients,
        diagnoses,
        courses,
        infusions,
        follow_ups,
        responses,
        therapies,
        deaths,
        toxicities,
        infections,
        labs,
        ig_courses,
        persistence,
        malignancies,
    ] = <[DataFrame; 14]>::try_from(frames).map_err(|_| missing)?;
    Ok(Registry {
        patients,
        diagnoses,
        courses,
        infusions,
        follow_ups,
        responses,
        therapies,
        deaths,
        toxicities,
        infections,
        labs,
        ig_courses,
        persistence,
        malignancies,
        rows,
        dropped_after_cutoff,
        bad_codes,
        sha256,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schema in the module documentation is the one the specs load, line for line.
    #[test]
    fn the_module_doc_lists_the_loaded_schema() {
        let source = include_str!("load.rs");
        for (field, spec) in FIELDS.iter().zip(tables::ALL) {
            let line = spec.doc_line(field);
            assert!(
                source.lines().any(|l| l == line),
                "the module doc lacks (or has a stale)\n{line}"
            );
        }
    }

    #[test]
    fn iso_days_are_days_since_1970_and_anything_else_is_refused() {
        assert_eq!(iso_day("1970-01-01"), Some(0));
        assert_eq!(iso_day("1969-12-31"), Some(-1));
        let leap = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(iso_day("2024-02-29"), Some(epoch_days(leap)));
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "2024-01-1 ",
            "2024/01/01",
            "+024-01-01",
            "2024-01-01T00",
            "",
        ] {
            assert_eq!(iso_day(bad), None, "{bad:?}");
        }
    }
}
