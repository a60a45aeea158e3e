//! CSV exports: one RFC 4180 file per entity table plus a data dictionary, for data managers
//! (the full profile) and analysts (the de-identified profile). A pure library over a
//! `&mut SqliteConnection`: no actix, no files except in [`export_to_dir`]. What lives
//! elsewhere: the column specs in [`spec`] (private), the `registry export` command in [`cli`].
//!
//! **Files.** `<table>.csv` per [`Entity`], rows sorted by `id`, CRLF line ends, quoted only
//! where needed (commas, quotes, line breaks), UTF-8 without BOM, empty field = NULL. Every
//! coded column `<col>` holds the stored code and is followed by `<col>_label` (the domain
//! vocabulary's label, or the missing-data code's label for `UNK`, `NA`, ...). Booleans are
//! `1`/`0`; numbers as SQLite renders them (up to 15 significant digits, `923.0`). Every clinical date `<x>_date` is followed by its `<x>_date_estimated` flag.
//! `data_dictionary.csv` lists every column written: table, column, type, vocabulary, allowed
//! codes with labels, description (REDCap's codebook).
//!
//! **De-identified profile** ([`Profile::Deidentified`], issue 3: "analyst: de-identified
//! exports of all sites, no identities"):
//! - dropped: the registry id, external ids (CIBMTR CRID, EBMT id, trial subject id), the
//!   birth date (the birth year stays), the referring physician, the product batch number
//!   (chain of identity), every free-text column (REDCap's "remove unvalidated text fields": a
//!   comment can hold anything, names included), and the bookkeeping columns (timestamps, user
//!   ids, row versions);
//! - the patient's row id (`patients.id`, `patient_id` everywhere) becomes a pseudonym
//!   `P-` + 12 hex digits: the first 48 bits of SHA-256(key, 0, id). With the same
//!   [`PseudonymKey`] the pseudonym is stable across exports (REDCap's "hash the record id
//!   with a project salt"); [`PseudonymKey::random`] gives unlinkable exports;
//! - other row ids (`id`, `course_id`, `reported_in_follow_up_id`, ...) stay: they mean nothing
//!   outside the database and are what the files join on.
//!
//! **Study days** ([`ExportOptions::days_from_day0`]): each `<x>_date` becomes `<x>_day`, the
//! number of days from the patient's Day 0 (their first CAR-T infusion date; Day 0 = 0, the
//! day before = -1), empty when the patient has no infusion (`birth_date` becomes `birth_day`,
//! full profile only). The `_estimated` flags stay; bookkeeping timestamps do not change. With
//! the de-identified profile no calendar date is left in any file.
//!
//! **Sites**: [`ExportOptions::sites`] (site codes) restricts every file to those sites'
//! patients; empty means all sites.

pub mod cli;
mod spec;

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbError;
use crate::domain::{VocabularyInfo, all_vocabularies};
use spec::{Column, EntitySpec, Kind};

/// An exported entity: one table, one CSV file named after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Entity {
    Patients,
    Diagnoses,
    TreatmentCourses,
    Infusions,
    FollowUps,
    RelapseDetectionMethods,
    ResponseAssessments,
    ToxicityEvents,
    ToxicityTreatments,
    PersistenceTests,
    LabResults,
    ImmunoglobulinCourses,
    Infections,
    InfectionSites,
    NewMalignancies,
    SubsequentTherapies,
    Deaths,
    DeathContributingCauses,
}

impl Entity {
    /// Every entity, in export order (patients first, then the clinical timeline).
    pub const ALL: &'static [Entity] = &[
        Entity::Patients,
        Entity::Diagnoses,
        Entity::TreatmentCourses,
        Entity::Infusions,
        Entity::FollowUps,
        Entity::RelapseDetectionMethods,
        Entity::ResponseAssessments,
        Entity::ToxicityEvents,
        Entity::ToxicityTreatments,
        Entity::PersistenceTests,
        Entity::LabResults,
        Entity::ImmunoglobulinCourses,
        Entity::Infections,
        Entity::InfectionSites,
        Entity::NewMalignancies,
        Entity::SubsequentTherapies,
        Entity::Deaths,
        Entity::DeathContributingCauses,
    ];

    /// The table name, which is also the file name without `.csv`.
    pub fn table(self) -> &'static str {
        spec::spec(self).table
    }

    /// The entity with this table name.
    pub fn parse(name: &str) -> Result<Self, ExportError> {
        Self::ALL
            .iter()
            .copied()
            .find(|e| e.table() == name)
            .ok_or_else(|| ExportError::UnknownEntity {
                name: name.to_owned(),
                known: Self::ALL.iter().map(|e| e.table()).collect(),
            })
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.table())
    }
}

/// The secret that turns patient ids into pseudonyms. `Debug` does not print it.
#[derive(Clone)]
pub struct PseudonymKey(Vec<u8>);

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PseudonymKey(..)")
    }
}

impl PseudonymKey {
    /// The shortest secret accepted, in bytes.
    pub const MIN_LEN: usize = 16;

    /// A key from a kept secret (the same secret gives the same pseudonyms). Surrounding
    /// whitespace is ignored, so a key file may end with a newline.
    pub fn new(secret: &[u8]) -> Result<Self, ExportError> {
        let trimmed = secret.trim_ascii();
        if trimmed.len() < Self::MIN_LEN {
            return Err(ExportError::WeakKey {
                len: trimmed.len(),
                min: Self::MIN_LEN,
            });
        }
        Ok(Self(trimmed.to_vec()))
    }

    /// A fresh random key (from the hash-map keys std draws from the operating system's
    /// random source): pseudonyms then link only within one export.
    pub fn random() -> Self {
        use std::hash::{BuildHasher, Hasher, RandomState};
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(32);
        for i in 0..4_u64 {
            let mut hasher = RandomState::new().build_hasher();
            hasher.write_u64(i);
            hasher.write_u128(nanos);
            bytes.extend(hasher.finish().to_le_bytes());
        }
        Self(bytes)
    }

    /// The pseudonym of a patient row id: `P-` and 12 hex digits.
    pub fn pseudonym(&self, patient_id: i64) -> String {
        let mut hasher = Sha256::new();
        hasher.update(&self.0);
        hasher.update([0]);
        hasher.update(patient_id.to_string().as_bytes());
        let digest = hasher.finalize();
        let mut out = String::from("P-");
        for b in digest.iter().take(6) {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// Who the export is for.
#[derive(Debug, Clone)]
pub enum Profile {
    /// Every column, identities included (data managers, the registry's own use).
    Full,
    /// No identities (analysts): see the module documentation for what is dropped.
    Deidentified(PseudonymKey),
}

/// What to export and how.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub profile: Profile,
    /// Dates as days from the patient's Day 0 (first infusion) instead of calendar dates.
    pub days_from_day0: bool,
    /// Site codes whose patients are exported; empty: every site.
    pub sites: Vec<String>,
}

impl ExportOptions {
    /// The full profile, calendar dates, every site.
    pub fn full() -> Self {
        Self {
            profile: Profile::Full,
            days_from_day0: false,
            sites: Vec::new(),
        }
    }

    /// The de-identified profile with study days (what an analyst gets), every site.
    pub fn deidentified(key: PseudonymKey) -> Self {
        Self {
            profile: Profile::Deidentified(key),
            days_from_day0: true,
            sites: Vec::new(),
        }
    }

    fn deidentified_key(&self) -> Option<&PseudonymKey> {
        match &self.profile {
            Profile::Full => None,
            Profile::Deidentified(key) => Some(key),
        }
    }
}

/// What one entity file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub entity: Entity,
    /// Data rows (the header not counted).
    pub rows: u64,
    pub columns: usize,
}

/// Why an export failed. The first variants are the user's to fix; [`ExportError::Db`] may be
/// either (see [`ExportError::is_user_error`]); [`ExportError::Unexpected`] is ours.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("unknown entity {name:?}; entities: {}", .known.join(", "))]
    UnknownEntity {
        name: String,
        known: Vec<&'static str>,
    },
    #[error("unknown site code {code:?}; sites: {}", .known.join(", "))]
    UnknownSite { code: String, known: Vec<String> },
    #[error("pseudonym key too short: {len} bytes, at least {min} needed")]
    WeakKey { len: usize, min: usize },
    #[error("cannot read pseudonym key {}: {reason}", .path.display())]
    KeyFile { path: PathBuf, reason: String },
    #[error("output {} already exists and is not an empty directory; choose a new one", .path.display())]
    OutputExists { path: PathBuf },
    #[error("cannot write export to {}: {reason}", .path.display())]
    NotWritable { path: PathBuf, reason: String },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<diesel::result::Error> for ExportError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Unexpected(anyhow::Error::new(e).context("An export query failed"))
    }
}

impl ExportError {
    /// True when the user can fix it (an argument, a path, a database version).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, Self::Unexpected(_) | Self::Db(DbError::Unexpected(_)))
    }
}

// ---------------------------------------------------------------------------------------------
// The output columns of an entity under given options

/// How a cell is rendered from the SQL value.
#[derive(Debug, Clone, Copy)]
enum Render {
    /// As SQLite gives it (empty for NULL).
    Raw,
    /// A patient id, as its pseudonym.
    Pseudonym,
    /// The label of a code.
    Label {
        vocabulary: &'static str,
        missing: bool,
    },
    /// The label of `criteria|response`.
    ResponseLabel,
}

/// One output column.
struct OutColumn {
    header: String,
    /// SQL over the row alias `t` (and `day0.d`, the patient's Day 0).
    expr: String,
    render: Render,
    /// The dictionary's type.
    ty: &'static str,
    /// For code and label columns: the vocabulary's type name (`"Response"` for the response).
    vocabulary: Option<(&'static str, bool)>,
    description: String,
}

/// The response vocabulary of each response criteria code.
const RESPONSE_VOCABULARIES: &[(&str, &str)] = &[
    ("LUGANO2014", "LuganoResponse"),
    ("IMWG2016", "ImwgResponse"),
    ("BALL", "AllResponse"),
    ("IWCLL2018", "IwcllResponse"),
    ("OTHER", "GenericResponse"),
];

fn kept(column: &Column, deidentified: bool) -> bool {
    !deidentified
        || !(column.identifying
            || matches!(
                column.kind,
                Kind::FreeText | Kind::Timestamp | Kind::User | Kind::Version
            ))
}

fn out_columns(spec: &EntitySpec, options: &ExportOptions) -> Vec<OutColumn> {
    let deidentified = options.deidentified_key().is_some();
    let days = options.days_from_day0;
    let mut out = Vec::new();
    for column in spec.columns().filter(|c| kept(c, deidentified)) {
        let expr = column
            .expr
            .map_or_else(|| format!("t.{}", column.name), str::to_owned);
        let name = column.name.to_owned();
        let description = column.description.to_owned();
        let plain = |ty: &'static str| OutColumn {
            header: name.clone(),
            expr: expr.clone(),
            render: Render::Raw,
            ty,
            vocabulary: None,
            description: description.clone(),
        };
        match column.kind {
            Kind::RowId | Kind::Ref | Kind::User => out.push(plain("integer (row id)")),
            Kind::Integer | Kind::Version => out.push(plain("integer")),
            Kind::Number => out.push(plain("number")),
            Kind::Boolean => out.push(plain("boolean (1/0)")),
            Kind::Text | Kind::FreeText => out.push(plain("text")),
            Kind::Timestamp => out.push(plain("timestamp (UTC, YYYY-MM-DD HH:MM:SS)")),
            Kind::Patient if deidentified => out.push(OutColumn {
                render: Render::Pseudonym,
                description: format!("{description} (pseudonym)"),
                ..plain("pseudonym")
            }),
            Kind::Patient => out.push(plain("integer (row id)")),
            Kind::Code {
                vocabulary,
                missing,
            } => {
                out.push(OutColumn {
                    vocabulary: Some((vocabulary, missing)),
                    ..plain("code")
                });
                out.push(OutColumn {
                    header: format!("{name}_label"),
                    render: Render::Label {
                        vocabulary,
                        missing,
                    },
                    vocabulary: Some((vocabulary, missing)),
                    description: format!("Label of {name}"),
                    ..plain("label")
                });
            }
            Kind::Response => {
                out.push(OutColumn {
                    vocabulary: Some(("Response", true)),
                    ..plain("code")
                });
                out.push(OutColumn {
                    header: format!("{name}_label"),
                    expr: "t.criteria || '|' || t.response".to_owned(),
                    render: Render::ResponseLabel,
                    vocabulary: Some(("Response", true)),
                    description: format!("Label of {name}"),
                    ..plain("label")
                });
            }
            Kind::Date => {
                if days {
                    let stem = name.strip_suffix("_date").unwrap_or(&name);
                    out.push(OutColumn {
                        header: format!("{stem}_day"),
                        expr: format!("CAST(julianday({expr}) - julianday(day0.d) AS INTEGER)"),
                        description: format!(
                            "{description}: days from the patient's Day 0 (first infusion = 0)"
                        ),
                        ..plain("study day (integer)")
                    });
                } else {
                    out.push(plain("date (YYYY-MM-DD)"));
                }
                out.push(OutColumn {
                    header: format!("{name}_estimated"),
                    expr: format!("{expr}_estimated"),
                    description: format!("1: {name} is estimated (day or month unknown)"),
                    ..plain("boolean (1/0)")
                });
            }
        }
    }
    out
}

/// The header of `entity`'s file under `options` (what [`write_entity`] writes first).
pub fn header(entity: Entity, options: &ExportOptions) -> Vec<String> {
    out_columns(&spec::spec(entity), options)
        .into_iter()
        .map(|c| c.header)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Labels

/// Every label by vocabulary type name and code.
struct Labels {
    by_vocabulary: HashMap<&'static str, HashMap<&'static str, &'static str>>,
}

impl Labels {
    fn new() -> Self {
        let by_vocabulary = all_vocabularies()
            .into_iter()
            .map(|v| {
                let labels = v.codes.iter().copied().zip(v.labels.iter().copied());
                (v.type_name, labels.collect())
            })
            .collect();
        Self { by_vocabulary }
    }

    fn label(&self, vocabulary: &str, missing: bool, code: &str) -> Option<&'static str> {
        let own = self
            .by_vocabulary
            .get(vocabulary)
            .and_then(|l| l.get(code).copied());
        if own.is_some() || !missing {
            return own;
        }
        self.by_vocabulary
            .get("MissingCode")
            .and_then(|l| l.get(code).copied())
    }

    fn response_label(&self, criteria_and_response: &str) -> Option<&'static str> {
        let (criteria, response) = criteria_and_response.split_once('|')?;
        let vocabulary = RESPONSE_VOCABULARIES
            .iter()
            .find(|(c, _)| *c == criteria)?
            .1;
        self.label(vocabulary, true, response)
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

#[derive(diesel::QueryableByName)]
struct Cells {
    #[diesel(sql_type = diesel::sql_types::Text)]
    cells: String,
}

/// The site ids of the given codes (all sites' codes when one is unknown, for the message).
fn site_ids(conn: &mut SqliteConnection, codes: &[String]) -> Result<Vec<i32>, ExportError> {
    use crate::db::schema::sites;
    let all: Vec<(String, i32)> = sites::table
        .select((sites::code, sites::id))
        .order(sites::code)
        .load(conn)?;
    codes
        .iter()
        .map(|code| {
            all.iter()
                .find(|(c, _)| c == code)
                .map(|(_, id)| *id)
                .ok_or_else(|| ExportError::UnknownSite {
                    code: code.clone(),
                    known: all.iter().map(|(c, _)| c.clone()).collect(),
                })
        })
        .collect()
}

fn select_sql(spec: &EntitySpec, columns: &[OutColumn], site_ids: Option<&[i32]>) -> String {
    let cells: Vec<&str> = columns.iter().map(|c| c.expr.as_str()).collect();
    let mut sql = format!(
        "SELECT json_array({}) AS cells FROM {} t",
        cells.join(", "),
        spec.table
    );
    if columns.iter().any(|c| c.expr.contains("day0.d")) {
        sql.push_str(&format!(
            " LEFT JOIN (SELECT patient_id AS pid, min(infusion_date) AS d FROM infusions \
             GROUP BY patient_id) day0 ON day0.pid = {}",
            spec.patient
        ));
    }
    if let Some(ids) = site_ids {
        let list: Vec<String> = ids.iter().map(i32::to_string).collect();
        sql.push_str(&format!(
            " WHERE {} IN (SELECT p.id FROM patients p WHERE p.site_id IN ({}))",
            spec.patient,
            list.join(", ")
        ));
    }
    sql.push_str(" ORDER BY t.id");
    sql
}

fn render(
    value: &serde_json::Value,
    how: Render,
    labels: &Labels,
    key: Option<&PseudonymKey>,
) -> Result<String, String> {
    use serde_json::Value;
    let text = match value {
        Value::Null => return Ok(String::new()),
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => u8::from(*b).to_string(),
        other => return Err(format!("unexpected value {other}")),
    };
    match how {
        Render::Raw => Ok(text),
        Render::Pseudonym => match (value.as_i64(), key) {
            (Some(id), Some(key)) => Ok(key.pseudonym(id)),
            _ => Err(format!("patient id {text} is not an integer")),
        },
        Render::Label {
            vocabulary,
            missing,
        } => labels
            .label(vocabulary, missing, &text)
            .map(str::to_owned)
            .ok_or_else(|| format!("code {text:?} is not in {vocabulary}")),
        Render::ResponseLabel => labels
            .response_label(&text)
            .map(str::to_owned)
            .ok_or_else(|| format!("response {text:?} is not in its criteria's list")),
    }
}

/// Writes `entity` as CSV (header, then one row per record sorted by id) to `out`, streaming
/// row by row. `out` is not buffered here: pass a `BufWriter` for a file or socket.
pub fn write_entity<W: Write>(
    conn: &mut SqliteConnection,
    entity: Entity,
    options: &ExportOptions,
    out: W,
) -> Result<ExportSummary, ExportError> {
    let sites = if options.sites.is_empty() {
        None
    } else {
        Some(site_ids(conn, &options.sites)?)
    };
    write_entity_resolved(conn, entity, options, sites.as_deref(), &Labels::new(), out)
}

fn write_entity_resolved<W: Write>(
    conn: &mut SqliteConnection,
    entity: Entity,
    options: &ExportOptions,
    sites: Option<&[i32]>,
    labels: &Labels,
    out: W,
) -> Result<ExportSummary, ExportError> {
    let spec = spec::spec(entity);
    let columns = out_columns(&spec, options);
    let key = options.deidentified_key();
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer
        .write_record(columns.iter().map(|c| c.header.as_str()))
        .with_context(|| format!("Failed to write the {entity} header"))?;
    let sql = select_sql(&spec, &columns, sites);
    let mut rows = 0_u64;
    let mut record = Vec::with_capacity(columns.len());
    let iter = diesel::sql_query(&sql)
        .load_iter::<Cells, diesel::connection::DefaultLoadingMode>(conn)
        .with_context(|| format!("Failed to query {entity}: {sql}"))?;
    for row in iter {
        let row = row.with_context(|| format!("Failed to read a {entity} row"))?;
        let values: Vec<serde_json::Value> = serde_json::from_str(&row.cells)
            .with_context(|| format!("Failed to decode a {entity} row: {}", row.cells))?;
        record.clear();
        for (value, column) in values.iter().zip(&columns) {
            let cell = render(value, column.render, labels, key).map_err(|e| {
                anyhow::anyhow!("{entity}.{} in row {}: {e}", column.header, row.cells)
            })?;
            record.push(cell);
        }
        writer
            .write_record(&record)
            .with_context(|| format!("Failed to write a {entity} row"))?;
        rows += 1;
    }
    writer
        .flush()
        .with_context(|| format!("Failed to write {entity}"))?;
    Ok(ExportSummary {
        entity,
        rows,
        columns: columns.len(),
    })
}

/// The dictionary's `allowed_codes` cell: `CODE=Label` joined by ` | `.
fn allowed_codes(vocabulary: &VocabularyInfo, missing: Option<&VocabularyInfo>) -> String {
    let mut pairs: Vec<String> = vocabulary
        .codes
        .iter()
        .zip(&vocabulary.labels)
        .map(|(c, l)| format!("{c}={l}"))
        .collect();
    if let Some(missing) = missing {
        pairs.extend(
            missing
                .codes
                .iter()
                .zip(&missing.labels)
                .filter(|(c, _)| !vocabulary.codes.contains(c))
                .map(|(c, l)| format!("{c}={l}")),
        );
    }
    pairs.join(" | ")
}

/// Writes the data dictionary of `entities` (all when empty) under `options`: one row per
/// column written, with its table, column, type, vocabulary, allowed codes and description.
/// Returns the number of rows.
pub fn write_dictionary<W: Write>(
    entities: &[Entity],
    options: &ExportOptions,
    out: W,
) -> Result<u64, ExportError> {
    let vocabularies = all_vocabularies();
    let find = |name: &str| vocabularies.iter().find(|v| v.type_name == name);
    let missing = find("MissingCode");
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer
        .write_record([
            "table",
            "column",
            "type",
            "vocabulary",
            "allowed_codes",
            "description",
        ])
        .context("Failed to write the dictionary header")?;
    let entities = if entities.is_empty() {
        Entity::ALL
    } else {
        entities
    };
    let mut rows = 0;
    for &entity in entities {
        for column in out_columns(&spec::spec(entity), options) {
            let (vocabulary, allowed) = match column.vocabulary {
                None => (String::new(), String::new()),
                Some(("Response", _)) => {
                    let mut names = Vec::new();
                    let mut lists = Vec::new();
                    for (criteria, name) in RESPONSE_VOCABULARIES {
                        if let Some(v) = find(name) {
                            names.push(format!("{criteria}: {}", v.name));
                            lists.push(format!("{criteria}: {}", allowed_codes(v, None)));
                        }
                    }
                    (names.join("; "), lists.join("; "))
                }
                Some((name, answer)) => match find(name) {
                    Some(v) => (
                        v.name.to_owned(),
                        allowed_codes(v, if answer { missing } else { None }),
                    ),
                    None => (name.to_owned(), String::new()),
                },
            };
            writer
                .write_record([
                    entity.table(),
                    &column.header,
                    column.ty,
                    &vocabulary,
                    &allowed,
                    &column.description,
                ])
                .context("Failed to write a dictionary row")?;
            rows += 1;
        }
    }
    writer.flush().context("Failed to write the dictionary")?;
    Ok(rows)
}

/// The dictionary's file name in an export directory.
pub const DICTIONARY_FILE: &str = "data_dictionary.csv";

/// Writes `<table>.csv` for each of `entities` (all when empty) and `data_dictionary.csv` into
/// a new directory `out`, reading one consistent snapshot of the database. The files are
/// written into a temporary directory beside `out` and renamed into place when all are
/// complete, so a failure leaves nothing behind. `out` must not exist or be an empty directory.
pub fn export_to_dir(
    conn: &mut SqliteConnection,
    out: &Path,
    entities: &[Entity],
    options: &ExportOptions,
) -> Result<Vec<ExportSummary>, ExportError> {
    let entities = if entities.is_empty() {
        Entity::ALL
    } else {
        entities
    };
    if out.exists() {
        let empty_dir = out.is_dir()
            && std::fs::read_dir(out)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
        if !empty_dir {
            return Err(ExportError::OutputExists {
                path: out.to_owned(),
            });
        }
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let not_writable = |e: std::io::Error| ExportError::NotWritable {
        path: out.to_owned(),
        reason: e.to_string(),
    };
    // Resolve the sites before creating anything, so a bad code leaves no trace.
    let sites = if options.sites.is_empty() {
        None
    } else {
        Some(site_ids(conn, &options.sites)?)
    };
    let staging = tempfile::Builder::new()
        .prefix(".export-")
        .tempdir_in(&parent)
        .map_err(not_writable)?;
    let labels = Labels::new();
    let summaries = conn.transaction(|conn| {
        let mut summaries = Vec::new();
        for &entity in entities {
            let path = staging.path().join(format!("{}.csv", entity.table()));
            let file = std::fs::File::create(&path).map_err(not_writable)?;
            let summary = write_entity_resolved(
                conn,
                entity,
                options,
                sites.as_deref(),
                &labels,
                std::io::BufWriter::new(file),
            )?;
            summaries.push(summary);
        }
        Ok::<_, ExportError>(summaries)
    })?;
    let file = std::fs::File::create(staging.path().join(DICTIONARY_FILE)).map_err(not_writable)?;
    write_dictionary(entities, options, std::io::BufWriter::new(file))?;
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, out) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(not_writable(e));
    }
    Ok(summaries)
}
