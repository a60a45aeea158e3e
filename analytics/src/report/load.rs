//! The typed load: registry SQLite -> Polars `DataFrame`s, one function per table, each with
//! an explicit column list and dtypes (dates as `Date`), and the SHA-256 of what was read.
//!
//! What lives here: opening the database read-only (refusing a schema this program does not
//! know, through `registry::db`'s migration list), one read transaction for a consistent
//! snapshot, the data cut-off (a row dated after it is dropped and counted), and parsing codes
//! into the domain's types at the edge (a response code becomes its rank and responder / CR
//! flags through `registry::domain::response::Response`). What does not: any endpoint logic
//! (see `endpoints`).
//!
//! Speed: rows are streamed with diesel's `load_iter` into column vectors; dates are turned
//! into days since 1970-01-01 by SQLite itself (`julianday`), so no date text is parsed in
//! Rust. The hash covers every kept value in `ORDER BY id` order, so it is stable.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use diesel::connection::{DefaultLoadingMode, SimpleConnection};
use diesel::dsl::sql;
use diesel::sql_types::{Bool, Double, Integer, Nullable, Text};
use diesel::{Connection, RunQueryDsl, SqliteConnection};
use polars::prelude::*;
use registry::domain::Vocabulary;
use registry::domain::diagnosis::Disease;
use registry::domain::product::Product;
use registry::domain::response::{Response, ResponseCriteria};
use registry::domain::therapy::{SubsequentTherapyCategory, TherapyIntent};
use sha2::{Digest, Sha256};

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
    #[error("building the {table} frame failed: {source}")]
    Frame {
        table: &'static str,
        #[source]
        source: PolarsError,
    },
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
    pub bad_codes: Vec<(String, i32, String)>,
    /// Lower-case hex SHA-256 of every kept value.
    pub sha256: String,
}

impl Registry {
    /// Total rows kept.
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }
}

/// Days since 1970-01-01 of an ISO date, computed by SQLite (`NULL` stays `NULL`).
fn day_sql(column: &str) -> String {
    format!("CAST(julianday({column}) - 2440587.5 AS INTEGER)")
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

/// Opens `path` read-only and checks that its schema is exactly the one this program knows:
/// a newer schema (migrations this program lacks) or an older one (pending migrations) is
/// refused with a message naming the database.
pub fn open_read_only(path: &Path) -> Result<SqliteConnection, LoadError> {
    let input = |reason: String| LoadError::Input {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(input("no such file".to_owned()));
    }
    let text = path
        .to_str()
        .ok_or_else(|| input("the path is not valid UTF-8".to_owned()))?;
    let url = format!(
        "file:{}?mode=ro",
        text.replace('?', "%3f").replace('#', "%23")
    );
    let mut conn = SqliteConnection::establish(&url).map_err(|e| input(e.to_string()))?;
    registry::db::configure_connection(&mut conn, registry::db::DEFAULT_BUSY_TIMEOUT)
        .map_err(|e| input(e.to_string()))?;
    let known = registry::db::known_versions().map_err(|e| input(e.to_string()))?;
    let applied = registry::db::applied_versions(&mut conn)
        .map_err(|e| input(format!("not a registry database ({e})")))?;
    if applied.is_empty() {
        return Err(input(
            "not a registry database (no migrations applied)".to_owned(),
        ));
    }
    let newer: Vec<&String> = applied.iter().filter(|v| !known.contains(v)).collect();
    if !newer.is_empty() {
        let list: Vec<&str> = newer.iter().map(|s| s.as_str()).collect();
        return Err(input(format!(
            "database schema is newer than this program (unknown migrations {}); use a newer analytics binary",
            list.join(", ")
        )));
    }
    let pending: Vec<&String> = known.iter().filter(|v| !applied.contains(v)).collect();
    if !pending.is_empty() {
        let list: Vec<&str> = pending.iter().map(|s| s.as_str()).collect();
        return Err(input(format!(
            "database schema is older than this program (pending migrations {}); run `registry migrate` first",
            list.join(", ")
        )));
    }
    Ok(conn)
}

/// Feeds values into the data hash in a fixed byte layout.
struct Hasher(Sha256);

impl Hasher {
    fn table(&mut self, name: &str) {
        self.0.update(b"\x00table\x00");
        self.0.update(name.as_bytes());
    }
    fn i(&mut self, v: i32) {
        self.0.update([1u8]);
        self.0.update(v.to_le_bytes());
    }
    fn oi(&mut self, v: Option<i32>) {
        match v {
            Some(v) => self.i(v),
            None => self.0.update([0u8]),
        }
    }
    fn s(&mut self, v: &str) {
        self.0.update([2u8]);
        self.0.update((v.len() as u64).to_le_bytes());
        self.0.update(v.as_bytes());
    }
    fn os(&mut self, v: Option<&str>) {
        match v {
            Some(v) => self.s(v),
            None => self.0.update([0u8]),
        }
    }
    fn of(&mut self, v: Option<f64>) {
        match v {
            Some(v) => {
                self.0.update([3u8]);
                self.0.update(v.to_bits().to_le_bytes());
            }
            None => self.0.update([0u8]),
        }
    }
    fn b(&mut self, v: bool) {
        self.0.update([4u8, u8::from(v)]);
    }
}

fn date_col(name: &str, v: Vec<Option<i32>>) -> PolarsResult<Column> {
    Column::new(name.into(), v).cast(&DataType::Date)
}

fn req_date_col(name: &str, v: Vec<i32>) -> PolarsResult<Column> {
    Column::new(name.into(), v).cast(&DataType::Date)
}

/// State shared by the per-table readers.
struct Reader<'a> {
    conn: &'a mut SqliteConnection,
    hash: Hasher,
    cutoff: i32,
    rows: BTreeMap<&'static str, u64>,
    dropped: BTreeMap<&'static str, u64>,
    bad_codes: Vec<(String, i32, String)>,
}

impl Reader<'_> {
    fn kept(&mut self, table: &'static str, kept: u64, dropped: u64) {
        self.rows.insert(table, kept);
        self.dropped.insert(table, dropped);
    }
}

/// `true` when `day` is after the cut-off.
fn after(cutoff: i32, day: Option<i32>) -> bool {
    day.is_some_and(|d| d > cutoff)
}

macro_rules! query {
    ($reader:expr, $table:literal, $st:ty, $rt:ty, $sql:expr) => {{
        let q = sql::<$st>(&$sql);
        q.load_iter::<$rt, DefaultLoadingMode>($reader.conn)
            .map_err(|source| LoadError::Query {
                table: $table,
                source,
            })?
    }};
}

fn frame(table: &'static str, cols: PolarsResult<Vec<Column>>) -> Result<DataFrame, LoadError> {
    cols.and_then(DataFrame::new_infer_height)
        .map_err(|source| LoadError::Frame { table, source })
}

fn row_err(table: &'static str) -> impl Fn(diesel::result::Error) -> LoadError {
    move |source| LoadError::Query { table, source }
}

/// `patients`: `patient_id` i32, `usubjid` str (the registry id), `site` str (site code),
/// `ltfu_status` str, `ltfu_status_date` date.
fn patients(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "patients";
    r.hash.table(T);
    let q = format!(
        "SELECT p.id, p.registry_id, s.code, p.ltfu_status, {} FROM patients p JOIN sites s ON s.id = p.site_id ORDER BY p.id",
        day_sql("p.ltfu_status_date")
    );
    let (mut id, mut usubjid, mut site, mut status, mut status_date) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for row in query!(
        r,
        "patients",
        (Integer, Text, Text, Text, Nullable<Integer>),
        (i32, String, String, String, Option<i32>),
        q
    ) {
        let (a, b, c, d, e) = row.map_err(row_err(T))?;
        r.hash.i(a);
        r.hash.s(&b);
        r.hash.s(&c);
        r.hash.s(&d);
        r.hash.oi(e);
        // A status dated after the cut-off was not known at the cut-off.
        let (d, e) = if after(r.cutoff, e) {
            ("ACTIVE".to_owned(), None)
        } else {
            (d, e)
        };
        id.push(a);
        usubjid.push(b);
        site.push(c);
        status.push(d);
        status_date.push(e);
    }
    r.kept(T, id.len() as u64, 0);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), id),
                Column::new("usubjid".into(), usubjid),
                Column::new("site".into(), site),
                Column::new("ltfu_status".into(), status),
                date_col("ltfu_status_date", status_date)?,
            ])
        })(),
    )
}

/// `diagnoses`: `diagnosis_id`, `patient_id`, `disease` (subtype code), `disease_group`,
/// `criteria` (the response criteria the disease is assessed by).
fn diagnoses(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "diagnoses";
    r.hash.table(T);
    let q = "SELECT id, patient_id, disease FROM diagnoses ORDER BY id".to_owned();
    let (mut id, mut pid, mut disease, mut group, mut criteria) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for row in query!(
        r,
        "diagnoses",
        (Integer, Integer, Text),
        (i32, i32, String),
        q
    ) {
        let (a, b, c) = row.map_err(row_err(T))?;
        r.hash.i(a);
        r.hash.i(b);
        r.hash.s(&c);
        let (g, k) = match Disease::parse(&c) {
            Ok(d) => (d.group().code(), d.response_criteria().code()),
            Err(e) => {
                r.bad_codes.push((T.to_owned(), a, e.to_string()));
                ("OTHER", "OTHER")
            }
        };
        id.push(a);
        pid.push(b);
        disease.push(c);
        group.push(g);
        criteria.push(k);
    }
    r.kept(T, id.len() as u64, 0);
    frame(
        T,
        Ok(vec![
            Column::new("diagnosis_id".into(), id),
            Column::new("patient_id".into(), pid),
            Column::new("disease".into(), disease),
            Column::new("disease_group".into(), group),
            Column::new("criteria".into(), criteria),
        ]),
    )
}

/// `treatment_courses`: `course_id`, `patient_id`, `diagnosis_id`, `course_number`, `product`
/// (code), `antigen` (the product's target antigen; an investigational product's recorded
/// target).
fn courses(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "treatment_courses";
    r.hash.table(T);
    let q = "SELECT id, patient_id, diagnosis_id, course_number, product, investigational_target FROM treatment_courses ORDER BY id".to_owned();
    let (mut id, mut pid, mut did, mut num, mut product, mut antigen) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    for row in query!(
        r,
        "treatment_courses",
        (Integer, Integer, Integer, Integer, Text, Nullable<Text>),
        (i32, i32, i32, i32, String, Option<String>),
        q
    ) {
        let (a, b, c, d, e, f) = row.map_err(row_err(T))?;
        r.hash.i(a);
        r.hash.i(b);
        r.hash.i(c);
        r.hash.i(d);
        r.hash.s(&e);
        r.hash.os(f.as_deref());
        let ag = match Product::parse(&e) {
            Ok(Product::Investigational) => f
                .as_deref()
                .map(str::to_uppercase)
                .unwrap_or_else(|| "OTHER".to_owned()),
            Ok(p) => p.target_antigen().code().to_owned(),
            Err(err) => {
                r.bad_codes.push((T.to_owned(), a, err.to_string()));
                "OTHER".to_owned()
            }
        };
        id.push(a);
        pid.push(b);
        did.push(c);
        num.push(d);
        product.push(e);
        antigen.push(ag);
    }
    r.kept(T, id.len() as u64, 0);
    frame(
        T,
        Ok(vec![
            Column::new("course_id".into(), id),
            Column::new("patient_id".into(), pid),
            Column::new("diagnosis_id".into(), did),
            Column::new("course_number".into(), num),
            Column::new("product".into(), product),
            Column::new("antigen".into(), antigen),
        ]),
    )
}

/// `infusions`: `patient_id`, `course_id`, `infusion_number`, `infusion_date`. Infusions
/// after the cut-off are dropped (their patients are then not in the analysis set).
fn infusions(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "infusions";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, course_id, infusion_number, {} FROM infusions ORDER BY id",
        day_sql("infusion_date")
    );
    let (mut pid, mut cid, mut num, mut date) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut dropped = 0;
    for row in query!(
        r,
        "infusions",
        (Integer, Integer, Integer, Integer),
        (i32, i32, i32, i32),
        q
    ) {
        let (a, b, c, d) = row.map_err(row_err(T))?;
        if d > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(a);
        r.hash.i(b);
        r.hash.i(c);
        r.hash.i(d);
        pid.push(a);
        cid.push(b);
        num.push(c);
        date.push(d);
    }
    r.kept(T, pid.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), pid),
                Column::new("course_id".into(), cid),
                Column::new("infusion_number".into(), num),
                req_date_col("infusion_date", date)?,
            ])
        })(),
    )
}

/// `follow_ups`: `patient_id`, `contact_date` (null when after the cut-off or not yet
/// contacted), `survival_status`, `relapse_date` (only when `relapse_since_last = 'Y'` and on
/// or before the cut-off). A form whose contact and relapse are both after the cut-off is
/// dropped.
fn follow_ups(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "follow_ups";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, {}, survival_status, relapse_since_last, {} FROM follow_ups ORDER BY id",
        day_sql("contact_date"),
        day_sql("relapse_date")
    );
    let (mut pid, mut contact, mut status, mut relapse) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut dropped = 0;
    for row in query!(
        r,
        "follow_ups",
        (
            Integer,
            Nullable<Integer>,
            Nullable<Text>,
            Nullable<Text>,
            Nullable<Integer>
        ),
        (
            i32,
            Option<i32>,
            Option<String>,
            Option<String>,
            Option<i32>
        ),
        q
    ) {
        let (a, b, c, d, e) = row.map_err(row_err(T))?;
        let relapse_date = if d.as_deref() == Some("Y") { e } else { None };
        let contact_date = if after(r.cutoff, b) { None } else { b };
        let relapse_date = if after(r.cutoff, relapse_date) {
            None
        } else {
            relapse_date
        };
        if contact_date.is_none() && relapse_date.is_none() {
            if b.is_some() {
                dropped += 1;
            }
            continue;
        }
        let c = if contact_date.is_none() { None } else { c };
        r.hash.i(a);
        r.hash.oi(contact_date);
        r.hash.os(c.as_deref());
        r.hash.oi(relapse_date);
        pid.push(a);
        contact.push(contact_date);
        status.push(c);
        relapse.push(relapse_date);
    }
    r.kept(T, pid.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), pid),
                date_col("contact_date", contact)?,
                Column::new("survival_status".into(), status),
                date_col("relapse_date", relapse)?,
            ])
        })(),
    )
}

/// `response_assessments`: `patient_id`, `course_id`, `assessment_date`, `criteria`,
/// `response` (codes), and from the domain: `rank` (higher is better, for best overall
/// response), `responder`, `complete`, `progression` (PD, or relapse for B-ALL).
#[expect(clippy::type_complexity, reason = "one vector per column of the table")]
fn responses(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "response_assessments";
    r.hash.table(T);
    let q = format!(
        "SELECT id, patient_id, course_id, {}, criteria, response FROM response_assessments ORDER BY id",
        day_sql("assessment_date")
    );
    let mut cols: (Vec<i32>, Vec<i32>, Vec<i32>, Vec<String>, Vec<String>) = Default::default();
    let mut flags: (Vec<i32>, Vec<bool>, Vec<bool>, Vec<bool>) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "response_assessments",
        (Integer, Integer, Integer, Integer, Text, Text),
        (i32, i32, i32, i32, String, String),
        q
    ) {
        let (id, pid, cid, date, crit, resp) = row.map_err(row_err(T))?;
        if date > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(pid);
        r.hash.i(cid);
        r.hash.i(date);
        r.hash.s(&crit);
        r.hash.s(&resp);
        let parsed = ResponseCriteria::parse(&crit).and_then(|c| Response::parse(c, &resp));
        let (rank, responder, complete, progression) = match parsed {
            Ok(x) => (
                i32::from(x.rank()),
                x.is_responder(),
                x.is_complete_response(),
                x.rank() == 1,
            ),
            Err(e) => {
                r.bad_codes.push((T.to_owned(), id, e.to_string()));
                (0, false, false, false)
            }
        };
        cols.0.push(pid);
        cols.1.push(cid);
        cols.2.push(date);
        cols.3.push(crit);
        cols.4.push(resp);
        flags.0.push(rank);
        flags.1.push(responder);
        flags.2.push(complete);
        flags.3.push(progression);
    }
    r.kept(T, cols.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), cols.0),
                Column::new("course_id".into(), cols.1),
                req_date_col("assessment_date", cols.2)?,
                Column::new("criteria".into(), cols.3),
                Column::new("response".into(), cols.4),
                Column::new("rank".into(), flags.0),
                Column::new("responder".into(), flags.1),
                Column::new("complete".into(), flags.2),
                Column::new("progression".into(), flags.3),
            ])
        })(),
    )
}

/// `subsequent_therapies`: `patient_id`, `category`, `intent`, `start_date`, and
/// `closes_bor_window` (every intent but consolidation/maintenance and re-infusion for
/// B-cell recovery; a missing intent closes it), `transplant` (allo or auto HCT).
#[expect(clippy::type_complexity, reason = "one vector per column of the table")]
fn therapies(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "subsequent_therapies";
    r.hash.table(T);
    let q = format!(
        "SELECT id, patient_id, category, intent, {} FROM subsequent_therapies ORDER BY id",
        day_sql("start_date")
    );
    let mut c: (
        Vec<i32>,
        Vec<String>,
        Vec<Option<String>>,
        Vec<i32>,
        Vec<bool>,
        Vec<bool>,
    ) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "subsequent_therapies",
        (Integer, Integer, Text, Nullable<Text>, Integer),
        (i32, i32, String, Option<String>, i32),
        q
    ) {
        let (id, pid, cat, intent, start) = row.map_err(row_err(T))?;
        if start > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(pid);
        r.hash.s(&cat);
        r.hash.os(intent.as_deref());
        r.hash.i(start);
        let closes = intent
            .as_deref()
            .and_then(|i| TherapyIntent::parse(i).ok())
            .is_none_or(|i| !i.keeps_best_response_window());
        let transplant = match SubsequentTherapyCategory::parse(&cat) {
            Ok(k) => matches!(
                k,
                SubsequentTherapyCategory::AlloHct | SubsequentTherapyCategory::AutoHct
            ),
            Err(e) => {
                r.bad_codes.push((T.to_owned(), id, e.to_string()));
                false
            }
        };
        c.0.push(pid);
        c.1.push(cat);
        c.2.push(intent);
        c.3.push(start);
        c.4.push(closes);
        c.5.push(transplant);
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                Column::new("category".into(), c.1),
                Column::new("intent".into(), c.2),
                req_date_col("start_date", c.3)?,
                Column::new("closes_bor_window".into(), c.4),
                Column::new("transplant".into(), c.5),
            ])
        })(),
    )
}

/// `deaths`: `patient_id`, `death_date`, `death_cause` (CIBMTR code). A death after the
/// cut-off is dropped: the patient was alive at the cut-off.
fn deaths(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "deaths";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, {}, primary_cause FROM deaths ORDER BY id",
        day_sql("death_date")
    );
    let mut c: (Vec<i32>, Vec<i32>, Vec<String>) = Default::default();
    let mut dropped = 0;
    for row in query!(r, "deaths", (Integer, Integer, Text), (i32, i32, String), q) {
        let (pid, date, cause) = row.map_err(row_err(T))?;
        if date > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(pid);
        r.hash.i(date);
        r.hash.s(&cause);
        c.0.push(pid);
        c.1.push(date);
        c.2.push(cause);
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                req_date_col("death_date", c.1)?,
                Column::new("death_cause".into(), c.2),
            ])
        })(),
    )
}

/// `toxicity_events`: `patient_id`, `toxicity_type`, `grade` (1-5 from `G1`..`G5`; null if
/// not graded that way), `onset_date`, `resolution_date` (null when after the cut-off).
#[expect(clippy::type_complexity, reason = "one vector per column of the table")]
fn toxicities(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "toxicity_events";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, toxicity_type, max_grade, {}, {} FROM toxicity_events ORDER BY id",
        day_sql("onset_date"),
        day_sql("resolution_date")
    );
    let mut c: (
        Vec<i32>,
        Vec<String>,
        Vec<Option<i32>>,
        Vec<i32>,
        Vec<Option<i32>>,
    ) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "toxicity_events",
        (Integer, Text, Text, Integer, Nullable<Integer>),
        (i32, String, String, i32, Option<i32>),
        q
    ) {
        let (pid, kind, grade, onset, resolved) = row.map_err(row_err(T))?;
        if onset > r.cutoff {
            dropped += 1;
            continue;
        }
        let resolved = if after(r.cutoff, resolved) {
            None
        } else {
            resolved
        };
        r.hash.i(pid);
        r.hash.s(&kind);
        r.hash.s(&grade);
        r.hash.i(onset);
        r.hash.oi(resolved);
        let g = grade.strip_prefix('G').and_then(|g| g.parse::<i32>().ok());
        c.0.push(pid);
        c.1.push(kind);
        c.2.push(g);
        c.3.push(onset);
        c.4.push(resolved);
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                Column::new("toxicity_type".into(), c.1),
                Column::new("grade".into(), c.2),
                req_date_col("onset_date", c.3)?,
                date_col("resolution_date", c.4)?,
            ])
        })(),
    )
}

/// `infections`: `patient_id`, `diagnosis_date`, `organism_class`.
fn infections(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "infections";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, {}, organism_class FROM infections ORDER BY id",
        day_sql("diagnosis_date")
    );
    let mut c: (Vec<i32>, Vec<i32>, Vec<String>) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "infections",
        (Integer, Integer, Text),
        (i32, i32, String),
        q
    ) {
        let (pid, date, class) = row.map_err(row_err(T))?;
        if date > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(pid);
        r.hash.i(date);
        r.hash.s(&class);
        c.0.push(pid);
        c.1.push(date);
        c.2.push(class);
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                req_date_col("diagnosis_date", c.1)?,
                Column::new("organism_class".into(), c.2),
            ])
        })(),
    )
}

/// `lab_results` (IgG and CD19+ B cells only): `patient_id`, `sample_date`, `analyte`,
/// `value` (IgG in mg/dL, B cells in cells/µL), `ivig_flag` (`ivig_within_30_days = 'Y'`).
#[expect(clippy::type_complexity, reason = "one vector per column of the table")]
fn labs(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "lab_results";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, {}, analyte, normalised_value, normalised_unit, ivig_within_30_days FROM lab_results WHERE analyte IN ('IGG', 'CD19_ABS') ORDER BY id",
        day_sql("sample_date")
    );
    let mut c: (Vec<i32>, Vec<i32>, Vec<String>, Vec<Option<f64>>, Vec<bool>) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "lab_results",
        (
            Integer,
            Integer,
            Text,
            Nullable<Double>,
            Nullable<Text>,
            Nullable<Text>
        ),
        (
            i32,
            i32,
            String,
            Option<f64>,
            Option<String>,
            Option<String>
        ),
        q
    ) {
        let (pid, date, analyte, value, unit, ivig) = row.map_err(row_err(T))?;
        if date > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(pid);
        r.hash.i(date);
        r.hash.s(&analyte);
        r.hash.of(value);
        r.hash.os(unit.as_deref());
        r.hash.os(ivig.as_deref());
        let factor = match unit.as_deref() {
            Some("G_L") => 100.0,
            Some("G_DL") => 1000.0,
            Some("X10E9_PER_L") => 1000.0,
            _ => 1.0,
        };
        c.0.push(pid);
        c.1.push(date);
        c.2.push(analyte);
        c.3.push(value.map(|v| v * factor));
        c.4.push(ivig.as_deref() == Some("Y"));
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                req_date_col("sample_date", c.1)?,
                Column::new("analyte".into(), c.2),
                Column::new("value".into(), c.3),
                Column::new("ivig_flag".into(), c.4),
            ])
        })(),
    )
}

/// `immunoglobulin_courses`: `patient_id`, `start_date`, `stop_date` (null while ongoing or
/// when after the cut-off).
fn ig_courses(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "immunoglobulin_courses";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, {}, {} FROM immunoglobulin_courses ORDER BY id",
        day_sql("start_date"),
        day_sql("stop_date")
    );
    let mut c: (Vec<i32>, Vec<i32>, Vec<Option<i32>>) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "immunoglobulin_courses",
        (Integer, Integer, Nullable<Integer>),
        (i32, i32, Option<i32>),
        q
    ) {
        let (pid, start, stop) = row.map_err(row_err(T))?;
        if start > r.cutoff {
            dropped += 1;
            continue;
        }
        let stop = if after(r.cutoff, stop) { None } else { stop };
        r.hash.i(pid);
        r.hash.i(start);
        r.hash.oi(stop);
        c.0.push(pid);
        c.1.push(start);
        c.2.push(stop);
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                req_date_col("start_date", c.1)?,
                date_col("stop_date", c.2)?,
            ])
        })(),
    )
}

/// `persistence_tests`: `patient_id`, `sample_date`, `detected` (`detected = 'Y'`).
fn persistence(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "persistence_tests";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, {}, detected FROM persistence_tests ORDER BY id",
        day_sql("sample_date")
    );
    let mut c: (Vec<i32>, Vec<i32>, Vec<bool>) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "persistence_tests",
        (Integer, Integer, Text),
        (i32, i32, String),
        q
    ) {
        let (pid, date, detected) = row.map_err(row_err(T))?;
        if date > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(pid);
        r.hash.i(date);
        r.hash.s(&detected);
        c.0.push(pid);
        c.1.push(date);
        c.2.push(detected == "Y");
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                req_date_col("sample_date", c.1)?,
                Column::new("detected".into(), c.2),
            ])
        })(),
    )
}

/// `new_malignancies`: `patient_id`, `diagnosis_date`, `malignancy_type`, `t_cell`.
fn malignancies(r: &mut Reader<'_>) -> Result<DataFrame, LoadError> {
    const T: &str = "new_malignancies";
    r.hash.table(T);
    let q = format!(
        "SELECT patient_id, {}, malignancy_type, t_cell_malignancy FROM new_malignancies ORDER BY id",
        day_sql("diagnosis_date")
    );
    let mut c: (Vec<i32>, Vec<i32>, Vec<String>, Vec<bool>) = Default::default();
    let mut dropped = 0;
    for row in query!(
        r,
        "new_malignancies",
        (Integer, Integer, Text, Bool),
        (i32, i32, String, bool),
        q
    ) {
        let (pid, date, kind, t_cell) = row.map_err(row_err(T))?;
        if date > r.cutoff {
            dropped += 1;
            continue;
        }
        r.hash.i(pid);
        r.hash.i(date);
        r.hash.s(&kind);
        r.hash.b(t_cell);
        c.0.push(pid);
        c.1.push(date);
        c.2.push(kind);
        c.3.push(t_cell);
    }
    r.kept(T, c.0.len() as u64, dropped);
    frame(
        T,
        (|| {
            Ok(vec![
                Column::new("patient_id".into(), c.0),
                req_date_col("diagnosis_date", c.1)?,
                Column::new("malignancy_type".into(), c.2),
                Column::new("t_cell".into(), c.3),
            ])
        })(),
    )
}

/// Reads every table the report needs from `path`, in one read transaction, keeping only
/// what is dated on or before `cutoff`.
pub fn load(path: &Path, cutoff: chrono::NaiveDate) -> Result<Registry, LoadError> {
    let mut conn = open_read_only(path)?;
    read_all(&mut conn, cutoff)
}

/// [`load`] on an open connection (tests use in-memory or temporary databases).
pub fn read_all(
    conn: &mut SqliteConnection,
    cutoff: chrono::NaiveDate,
) -> Result<Registry, LoadError> {
    conn.batch_execute("BEGIN")
        .map_err(|source| LoadError::Query {
            table: "BEGIN",
            source,
        })?;
    let result = read_tables(conn, cutoff);
    // A read transaction: nothing to commit, only the snapshot to release.
    let _ = conn.batch_execute("ROLLBACK");
    result
}

fn read_tables(
    conn: &mut SqliteConnection,
    cutoff: chrono::NaiveDate,
) -> Result<Registry, LoadError> {
    let mut r = Reader {
        conn,
        hash: Hasher(Sha256::new()),
        cutoff: epoch_days(cutoff),
        rows: BTreeMap::new(),
        dropped: BTreeMap::new(),
        bad_codes: Vec::new(),
    };
    r.hash.s(&format!("cutoff={cutoff}"));
    let patients = patients(&mut r)?;
    let diagnoses = diagnoses(&mut r)?;
    let courses = courses(&mut r)?;
    let infusions = infusions(&mut r)?;
    let follow_ups = follow_ups(&mut r)?;
    let responses = responses(&mut r)?;
    let therapies = therapies(&mut r)?;
    let deaths = deaths(&mut r)?;
    let toxicities = toxicities(&mut r)?;
    let infections = infections(&mut r)?;
    let labs = labs(&mut r)?;
    let ig_courses = ig_courses(&mut r)?;
    let persistence = persistence(&mut r)?;
    let malignancies = malignancies(&mut r)?;
    let digest = r.hash.0.finalize();
    let sha256 = digest.iter().map(|b| format!("{b:02x}")).collect();
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
        rows: r.rows,
        dropped_after_cutoff: r.dropped,
        bad_codes: r.bad_codes,
        sha256,
    })
}
