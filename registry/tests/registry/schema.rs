//! The schema's promises, each checked on its own temporary database file: migrations revert
//! exactly; every foreign key is indexed, RESTRICT and enforced; CHECK constraints refuse bad
//! rows; the audit log and sign-off history are append-only; stale edits and locked forms are
//! refused; the coded columns accept exactly the domain vocabularies' codes; and `registry
//! migrate` fails on bad input with one line and no file left behind.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_migrations::MigrationHarness;
use tempfile::TempDir;

use registry::db::audit::{AuditAction, ChangeSet, fields_of};
use registry::db::follow_ups::{FollowUpRow, NewFollowUp};
use registry::db::ids::{CourseId, DiagnosisId, PatientId, SiteId, UserId};
use registry::db::patients::{DiagnosisRow, NewDiagnosis, NewPatient, PatientRow};
use registry::db::schema::{diagnoses, follow_ups, infusions, patients, sites, treatment_courses};
use registry::db::treatment::{CourseRow, InfusionRow, NewCourse, NewInfusion};
use registry::db::users::{NewSite, NewUser, NewUserSite, SiteRow};
use registry::db::{self, DbError, MIGRATIONS};
use registry::domain::Vocabulary;
use registry::domain::missing::{Answer, MissingCode, YesNo};

// ---------------------------------------------------------------------------------------------
// Helpers

/// A fresh, fully migrated database in its own temporary directory.
struct TestDb {
    _dir: TempDir,
    path: PathBuf,
    conn: SqliteConnection,
}

fn migrated_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    db::create_or_upgrade(&path).unwrap();
    let conn = db::open(&path).unwrap();
    TestDb {
        _dir: dir,
        path,
        conn,
    }
}

/// Every schema object except SQLite's own and diesel's bookkeeping, as (type, name, sql).
fn schema_dump(conn: &mut SqliteConnection) -> Vec<(String, String, String)> {
    #[derive(QueryableByName)]
    struct Obj {
        #[diesel(sql_type = Text)]
        kind: String,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        sql: String,
    }
    diesel::sql_query(
        "SELECT type AS kind, name, coalesce(sql, '') AS sql FROM sqlite_master \
         WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%' ORDER BY type, name",
    )
    .load::<Obj>(conn)
    .unwrap()
    .into_iter()
    .map(|o| (o.kind, o.name, o.sql))
    .collect()
}

fn user_tables(conn: &mut SqliteConnection) -> Vec<String> {
    schema_dump(conn)
        .into_iter()
        .filter(|(kind, _, _)| kind == "table")
        .map(|(_, name, _)| name)
        .collect()
}

fn table_sql(conn: &mut SqliteConnection, table: &str) -> String {
    schema_dump(conn)
        .into_iter()
        .find(|(kind, name, _)| kind == "table" && name == table)
        .map(|(_, _, sql)| sql)
        .unwrap_or_else(|| panic!("no table {table}"))
}

fn scalar_i64(conn: &mut SqliteConnection, sql: &str) -> i64 {
    diesel::dsl::sql::<BigInt>(sql).get_result(conn).unwrap()
}

/// Inserts one row built from `base` (column, SQL literal) with `overrides` replacing or
/// adding columns; returns SQLite's error message on failure.
fn insert(
    conn: &mut SqliteConnection,
    table: &str,
    base: &[(&str, &str)],
    overrides: &[(&str, &str)],
) -> Result<(), String> {
    let mut row: Vec<(String, String)> = base
        .iter()
        .map(|(c, v)| ((*c).to_owned(), (*v).to_owned()))
        .collect();
    for (c, v) in overrides {
        match row.iter_mut().find(|(col, _)| col == c) {
            Some(slot) => slot.1 = (*v).to_owned(),
            None => row.push(((*c).to_owned(), (*v).to_owned())),
        }
    }
    let cols: Vec<&str> = row.iter().map(|(c, _)| c.as_str()).collect();
    let vals: Vec<&str> = row.iter().map(|(_, v)| v.as_str()).collect();
    let sql = format!(
        "INSERT INTO {table} ({}, created_by, updated_by) VALUES ({}, 1, 1)",
        cols.join(", "),
        vals.join(", ")
    );
    diesel::sql_query(sql)
        .execute(conn)
        .map(drop)
        .map_err(|e| e.to_string())
}

fn exec(conn: &mut SqliteConnection, sql: &str) -> Result<(), String> {
    diesel::sql_query(sql)
        .execute(conn)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// A row as (column, SQL literal) pairs.
type Row = &'static [(&'static str, &'static str)];

const SITE: &[(&str, &str)] = &[("id", "1"), ("code", "'BOS'"), ("name", "'Boston'")];
const PATIENT: &[(&str, &str)] = &[
    ("id", "1"),
    ("registry_id", "'BOS-000001'"),
    ("site_id", "1"),
    ("sex", "'F'"),
    ("birth_year", "1960"),
    ("enrolment_date", "'2020-01-10'"),
    ("consent_research", "'GIVEN'"),
];
const DIAGNOSIS: &[(&str, &str)] = &[
    ("id", "1"),
    ("patient_id", "1"),
    ("disease", "'DLBCL_NOS'"),
    ("diagnosis_date", "'2018-05-01'"),
    ("prior_hct", "'NONE'"),
];
const COURSE: &[(&str, &str)] = &[
    ("id", "1"),
    ("patient_id", "1"),
    ("diagnosis_id", "1"),
    ("course_number", "1"),
    ("product", "'AXI_CEL'"),
    ("product_class", "'COMMERCIAL'"),
    ("apheresis_date", "'2020-01-15'"),
];
const INFUSION: &[(&str, &str)] = &[
    ("id", "1"),
    ("course_id", "1"),
    ("patient_id", "1"),
    ("infusion_number", "1"),
    ("lymphodepletion_regimen", "'FLU_CY'"),
    ("lymphodepletion_start_date", "'2020-02-05'"),
    ("lymphodepletion_end_date", "'2020-02-07'"),
    ("infusion_date", "'2020-02-10'"),
    ("dose", "2000000.0"),
    ("dose_unit", "'CELLS_PER_KG'"),
];
const FOLLOW_UP: &[(&str, &str)] = &[
    ("id", "1"),
    ("patient_id", "1"),
    ("course_id", "1"),
    ("timepoint", "'D28'"),
    ("contact_date", "'2020-03-09'"),
    ("form_status", "'IN_PROGRESS'"),
];
const TOXICITY: &[(&str, &str)] = &[
    ("patient_id", "1"),
    ("course_id", "1"),
    ("reported_in_follow_up_id", "1"),
    ("toxicity_type", "'CRS'"),
    ("grading_system", "'ASTCT2019'"),
    ("max_grade", "'G2'"),
    ("onset_date", "'2020-02-12'"),
    ("resolution_date", "'2020-02-15'"),
    ("crs_hypotension", "'FLUIDS'"),
    ("crs_hypoxia", "'NONE'"),
];

/// A database holding one site, patient, diagnosis, course, infusion and follow-up.
fn db_with_patient() -> TestDb {
    let mut t = migrated_db();
    let c = &mut t.conn;
    for (table, row) in [
        ("sites", SITE),
        ("patients", PATIENT),
        ("diagnoses", DIAGNOSIS),
        ("treatment_courses", COURSE),
        ("infusions", INFUSION),
        ("follow_ups", FOLLOW_UP),
    ] {
        insert(c, table, row, &[]).unwrap_or_else(|e| panic!("{table}: {e}"));
    }
    t
}

fn registry_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_registry"))
}

// ---------------------------------------------------------------------------------------------
// Migrations

#[test]
fn migrations_up_down_up_leave_an_identical_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let mut conn = db::open(&path).unwrap();

    conn.run_pending_migrations(MIGRATIONS).unwrap();
    let first = schema_dump(&mut conn);
    assert!(user_tables(&mut conn).len() >= 20, "{first:?}");

    conn.revert_all_migrations(MIGRATIONS).unwrap();
    assert_eq!(
        schema_dump(&mut conn),
        Vec::new(),
        "down.sql files left objects behind"
    );

    conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(schema_dump(&mut conn), first);
}

/// Migrations that change data only (a backfill), so must leave the schema exactly as it was;
/// every other migration must change it.
const DATA_ONLY_MIGRATIONS: &[&str] = &[
    // Normalised lab values for rows stored without them (its test: tests/web/labs.rs).
    "000025",
];

#[test]
fn each_down_migration_exactly_undoes_its_up() {
    let dir = tempfile::tempdir().unwrap();
    let mut conn = db::open(&dir.path().join("r.db")).unwrap();
    let total = db::known_versions().unwrap().len();
    for step in 0..total {
        let before = schema_dump(&mut conn);
        let version = conn.run_next_migration(MIGRATIONS).unwrap().to_string();
        let after = schema_dump(&mut conn);
        if DATA_ONLY_MIGRATIONS.iter().any(|v| version.ends_with(v)) {
            assert_eq!(
                before, after,
                "data-only migration {version} changed the schema"
            );
        } else {
            assert_ne!(before, after, "migration {version} changed nothing");
        }
        conn.revert_last_migration(MIGRATIONS).unwrap();
        assert_eq!(
            schema_dump(&mut conn),
            before,
            "down.sql of {version} (step {step})"
        );
        conn.run_next_migration(MIGRATIONS).unwrap();
    }
}

#[test]
fn migrate_applies_everything_once_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    let outcome = db::create_or_upgrade(&path).unwrap();
    assert!(outcome.created);
    assert_eq!(outcome.applied, db::known_versions().unwrap());

    let again = db::create_or_upgrade(&path).unwrap();
    assert!(!again.created);
    assert!(again.applied.is_empty());

    let mut conn = db::open(&path).unwrap();
    assert_eq!(
        db::applied_versions(&mut conn).unwrap(),
        db::known_versions().unwrap()
    );
    let mode: String = diesel::dsl::sql::<Text>("SELECT journal_mode FROM pragma_journal_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mode, "wal");
    // No temporary file is left beside the database.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    assert_eq!(names, vec!["r.db".to_owned()]);
}

#[test]
fn migrate_upgrades_a_database_that_has_only_the_first_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.db");
    {
        let mut conn = db::open(&path).unwrap();
        for _ in 0..3 {
            conn.run_next_migration(MIGRATIONS).unwrap();
        }
    }
    let outcome = db::create_or_upgrade(&path).unwrap();
    assert!(!outcome.created);
    let known = db::known_versions().unwrap();
    assert_eq!(outcome.applied, known[3..].to_vec());
}

// ---------------------------------------------------------------------------------------------
// Schema invariants

#[derive(Debug, QueryableByName)]
struct ForeignKey {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    table: String,
    #[diesel(sql_type = Text)]
    from: String,
    #[diesel(sql_type = Text)]
    on_delete: String,
}

/// One foreign key: the parent table, the child's columns in order, the ON DELETE action.
type Fk = (String, Vec<String>, String);

/// Foreign keys of `table`.
fn foreign_keys(conn: &mut SqliteConnection, table: &str) -> Vec<Fk> {
    let rows: Vec<ForeignKey> = diesel::sql_query(format!(
        "SELECT id, \"table\", \"from\", on_delete FROM pragma_foreign_key_list('{table}') ORDER BY id, seq"
    ))
    .load(conn)
    .unwrap();
    // Rows come ordered by key id, then by column position within the key.
    let mut by_id: BTreeMap<i32, Fk> = BTreeMap::new();
    for r in rows {
        by_id
            .entry(r.id)
            .or_insert_with(|| (r.table.clone(), Vec::new(), r.on_delete.clone()))
            .1
            .push(r.from);
    }
    by_id.into_values().collect()
}

/// The column lists of every index on `table` (explicit, UNIQUE and primary-key indexes).
fn index_columns(conn: &mut SqliteConnection, table: &str) -> Vec<Vec<String>> {
    #[derive(QueryableByName)]
    struct Idx {
        #[diesel(sql_type = Text)]
        name: String,
    }
    #[derive(QueryableByName)]
    struct Col {
        #[diesel(sql_type = Integer)]
        seqno: i32,
        #[diesel(sql_type = Text)]
        name: String,
    }
    let indexes: Vec<Idx> =
        diesel::sql_query(format!("SELECT name FROM pragma_index_list('{table}')"))
            .load(conn)
            .unwrap();
    indexes
        .into_iter()
        .map(|idx| {
            let mut cols: Vec<Col> = diesel::sql_query(format!(
                "SELECT seqno, coalesce(name, '') AS name FROM pragma_index_info('{}')",
                idx.name
            ))
            .load(conn)
            .unwrap();
            cols.sort_by_key(|c| c.seqno);
            cols.into_iter().map(|c| c.name).collect()
        })
        .collect()
}

#[test]
fn every_foreign_key_is_indexed_and_restricts_deletes() {
    let mut t = migrated_db();
    let mut checked = 0;
    for table in user_tables(&mut t.conn) {
        let indexes = index_columns(&mut t.conn, &table);
        for (parent, cols, on_delete) in foreign_keys(&mut t.conn, &table) {
            checked += 1;
            assert!(
                indexes.iter().any(|idx| idx.starts_with(&cols)),
                "{table}({}) -> {parent} has no index starting with those columns; indexes: {indexes:?}",
                cols.join(", ")
            );
            assert_eq!(
                on_delete,
                "RESTRICT",
                "{table}({}) -> {parent}: clinical data is never deleted as a side effect",
                cols.join(", ")
            );
        }
    }
    assert!(checked > 50, "only {checked} foreign keys found");
}

#[test]
fn every_entity_table_has_the_bookkeeping_columns_and_a_row_version_trigger() {
    let mut t = migrated_db();
    // Join and append-only tables have no row_version by design, nor does the web server's own
    // state (sessions, the cookie key), which is not registry data.
    let exempt = [
        "user_sites",
        "audit_log",
        "follow_up_sign_offs",
        "web_sessions",
        "web_cookie_key",
        "kept_forms",
    ];
    let triggers: BTreeSet<String> = schema_dump(&mut t.conn)
        .into_iter()
        .filter(|(kind, _, _)| kind == "trigger")
        .map(|(_, name, _)| name)
        .collect();
    for table in user_tables(&mut t.conn) {
        if exempt.contains(&table.as_str()) {
            continue;
        }
        #[derive(QueryableByName)]
        struct Column {
            #[diesel(sql_type = Text)]
            name: String,
        }
        let cols: BTreeSet<String> =
            diesel::sql_query(format!("SELECT name FROM pragma_table_info('{table}')"))
                .load::<Column>(&mut t.conn)
                .unwrap()
                .into_iter()
                .map(|c| c.name)
                .collect();
        for needed in [
            "id",
            "created_at",
            "created_by",
            "updated_at",
            "updated_by",
            "row_version",
        ] {
            assert!(cols.contains(needed), "{table} lacks {needed}");
        }
        assert!(
            triggers.contains(&format!("{table}_row_version")),
            "{table} has no row_version trigger"
        );
        // Every clinical date can be marked estimated.
        for date in cols.iter().filter(|c| c.ends_with("_date")) {
            assert!(
                cols.contains(&format!("{date}_estimated")),
                "{table}.{date} has no {date}_estimated"
            );
        }
    }
}

#[test]
fn foreign_keys_are_enforced() {
    let mut t = db_with_patient();
    let c = &mut t.conn;
    // A patient of a site that does not exist.
    let err = insert(
        c,
        "patients",
        PATIENT,
        &[
            ("id", "2"),
            ("registry_id", "'BOS-000002'"),
            ("site_id", "99"),
        ],
    )
    .unwrap_err();
    assert!(err.contains("FOREIGN KEY"), "{err}");
    // Deleting a site that still has patients.
    let err = exec(c, "DELETE FROM sites WHERE id = 1").unwrap_err();
    assert!(err.contains("FOREIGN KEY"), "{err}");
    // An event filed under another patient's follow-up (composite key (follow-up, patient)).
    insert(
        c,
        "patients",
        PATIENT,
        &[("id", "2"), ("registry_id", "'BOS-000002'")],
    )
    .unwrap();
    let err = insert(
        c,
        "lab_results",
        &[
            ("patient_id", "2"),
            ("reported_in_follow_up_id", "1"),
            ("sample_date", "'2020-03-01'"),
            ("analyte", "'IGG'"),
            ("value", "350"),
            ("unit", "'MG_DL'"),
        ],
        &[],
    )
    .unwrap_err();
    assert!(err.contains("FOREIGN KEY"), "{err}");
    // An infusion in another patient's course.
    let err = insert(
        c,
        "infusions",
        INFUSION,
        &[("id", "2"), ("patient_id", "2"), ("infusion_number", "2")],
    )
    .unwrap_err();
    assert!(err.contains("FOREIGN KEY"), "{err}");
}

#[test]
fn the_registry_id_check_agrees_with_the_domain_parser() {
    use registry::domain::patient::RegistryId;
    let mut t = db_with_patient();
    let samples = [
        "BOS-000042",
        "AB-1234",
        "S01-12345678",
        "MUC-0001",
        "bos-000042",
        "B-0001",
        "BOS000042",
        "BOS-12",
        "BOS-12a45",
        "BOS-1234AB",
        "1BS-0001",
        "TOOLONGXX-0001",
        "BOS-123456789",
        "004512378",
        "BOS-0001-2",
        "BOS-",
        "-0001",
        "BOS 0001",
    ];
    for (i, sample) in samples.iter().enumerate() {
        let parsed = RegistryId::parse(sample).is_ok();
        let stored = insert(
            &mut t.conn,
            "patients",
            PATIENT,
            &[
                ("id", &format!("{}", 100 + i)),
                ("registry_id", &format!("'{sample}'")),
            ],
        )
        .is_ok();
        assert_eq!(
            stored, parsed,
            "{sample:?}: database {stored}, domain {parsed}"
        );
    }
}

#[test]
fn check_constraints_refuse_bad_rows() {
    let mut t = db_with_patient();
    let c = &mut t.conn;
    // (what, table, base row, override, a fragment of the expected error)
    let cases: &[(&str, &str, Row, Row, &str)] = &[
        (
            "unknown sex code",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("sex", "'female'"),
            ],
            "CHECK",
        ),
        (
            "an MRN as registry id",
            "patients",
            PATIENT,
            &[("id", "5"), ("registry_id", "'004512378'")],
            "CHECK",
        ),
        (
            "registry id without digits",
            "patients",
            PATIENT,
            &[("id", "5"), ("registry_id", "'BOS-12'")],
            "CHECK",
        ),
        (
            "impossible date",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("enrolment_date", "'2020-02-30'"),
            ],
            "CHECK",
        ),
        (
            "US date text",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("enrolment_date", "'01/10/2020'"),
            ],
            "CHECK",
        ),
        (
            "date as a number",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("enrolment_date", "2020"),
            ],
            "CHECK",
        ),
        (
            "boolean 2",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("birth_date_estimated", "2"),
            ],
            "CHECK",
        ),
        (
            "estimated flag without a date",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("birth_date_estimated", "1"),
            ],
            "patients_estimated_needs_date",
        ),
        (
            "birth year disagrees with birth date",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("birth_date", "'1961-04-02'"),
            ],
            "patients_birth_year_matches_date",
        ),
        (
            "transferred without a centre",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("ltfu_status", "'TRANSFERRED'"),
                ("ltfu_status_date", "'2022-01-01'"),
            ],
            "patients_transfer_centre_when_transferred",
        ),
        (
            "lost without a date",
            "patients",
            PATIENT,
            &[
                ("id", "5"),
                ("registry_id", "'BOS-000005'"),
                ("ltfu_status", "'LOST'"),
            ],
            "patients_ltfu_status_dated",
        ),
        (
            "unknown disease",
            "diagnoses",
            DIAGNOSIS,
            &[("id", "5"), ("disease", "'DLBCL'")],
            "CHECK",
        ),
        (
            "missing code where none allowed",
            "treatment_courses",
            COURSE,
            &[("id", "5"), ("course_number", "5"), ("product", "'UNK'")],
            "CHECK",
        ),
        (
            "lymphodepletion ends after infusion",
            "infusions",
            INFUSION,
            &[
                ("id", "5"),
                ("infusion_number", "5"),
                ("lymphodepletion_end_date", "'2020-02-11'"),
            ],
            "infusions_lymphodepletion_before_infusion",
        ),
        (
            "lymphodepletion ends before it starts",
            "infusions",
            INFUSION,
            &[
                ("id", "5"),
                ("infusion_number", "5"),
                ("lymphodepletion_start_date", "'2020-02-08'"),
            ],
            "infusions_lymphodepletion_end_after_start",
        ),
        (
            "infusion before apheresis",
            "infusions",
            INFUSION,
            &[
                ("id", "5"),
                ("infusion_number", "5"),
                ("lymphodepletion_start_date", "NULL"),
                ("lymphodepletion_end_date", "NULL"),
                ("infusion_date", "'2020-01-01'"),
            ],
            "apheresis",
        ),
        (
            "dose without unit",
            "infusions",
            INFUSION,
            &[("id", "5"), ("infusion_number", "5"), ("dose_unit", "NULL")],
            "infusions_dose_has_unit",
        ),
        (
            "negative dose",
            "infusions",
            INFUSION,
            &[("id", "5"), ("infusion_number", "5"), ("dose", "-1")],
            "CHECK",
        ),
        (
            "dose as text",
            "infusions",
            INFUSION,
            &[("id", "5"), ("infusion_number", "5"), ("dose", "'lots'")],
            "CHECK",
        ),
        (
            "second follow-up at the same timepoint",
            "follow_ups",
            FOLLOW_UP,
            &[("id", "5")],
            "UNIQUE",
        ),
        (
            "complete form with blank sections",
            "follow_ups",
            FOLLOW_UP,
            &[
                ("id", "5"),
                ("timepoint", "'D100'"),
                ("form_status", "'COMPLETE'"),
                ("contact_type", "'CLINIC'"),
                ("survival_status", "'ALIVE'"),
                ("relapse_since_last", "'N'"),
            ],
            "follow_ups_complete_form_answered",
        ),
        (
            "a lock on an unlocked status",
            "follow_ups",
            FOLLOW_UP,
            &[
                ("id", "5"),
                ("timepoint", "'D100'"),
                ("locked_by", "1"),
                ("locked_at", "'2020-04-01 10:00:00'"),
            ],
            "follow_ups_locked_status",
        ),
        (
            "resolution before onset",
            "toxicity_events",
            TOXICITY,
            &[("resolution_date", "'2020-02-11'")],
            "toxicity_events_resolution_after_onset",
        ),
        (
            "CRS grade 4 with grade-2 components",
            "toxicity_events",
            TOXICITY,
            &[("max_grade", "'G4'")],
            "toxicity_events_crs_grade_matches_components",
        ),
        (
            "ICANS grade 1 with ICE score 2",
            "toxicity_events",
            TOXICITY,
            &[
                ("toxicity_type", "'ICANS'"),
                ("crs_hypotension", "NULL"),
                ("crs_hypoxia", "NULL"),
                ("max_grade", "'G1'"),
                ("icans_lowest_ice_score", "2"),
            ],
            "toxicity_events_icans_grade_not_below_ice",
        ),
        (
            "ICE score 11",
            "toxicity_events",
            TOXICITY,
            &[
                ("toxicity_type", "'ICANS'"),
                ("crs_hypotension", "NULL"),
                ("crs_hypoxia", "NULL"),
                ("icans_lowest_ice_score", "11"),
            ],
            "CHECK",
        ),
        (
            "CRS components on an ICANS event",
            "toxicity_events",
            TOXICITY,
            &[("toxicity_type", "'ICANS'")],
            "toxicity_events_crs_components_only_for_crs",
        ),
        (
            "grade 6",
            "toxicity_events",
            TOXICITY,
            &[("max_grade", "'G6'")],
            "CHECK",
        ),
        (
            "ongoing yet resolved",
            "toxicity_events",
            TOXICITY,
            &[("ongoing", "1")],
            "toxicity_events_ongoing_not_resolved",
        ),
        (
            "lab value and missing code together",
            "lab_results",
            &[
                ("patient_id", "1"),
                ("sample_date", "'2020-03-01'"),
                ("analyte", "'IGG'"),
                ("value", "350"),
                ("unit", "'MG_DL'"),
            ],
            &[("value_missing", "'ND'")],
            "lab_results_value_or_missing_code",
        ),
        (
            "response code of other criteria",
            "response_assessments",
            &[
                ("patient_id", "1"),
                ("course_id", "1"),
                ("assessment_date", "'2020-05-10'"),
                ("criteria", "'LUGANO2014'"),
                ("response", "'VGPR'"),
            ],
            &[],
            "response_assessments_response_by_criteria",
        ),
        (
            "Deauville score 6",
            "response_assessments",
            &[
                ("patient_id", "1"),
                ("course_id", "1"),
                ("assessment_date", "'2020-05-10'"),
                ("criteria", "'LUGANO2014'"),
                ("response", "'CR'"),
            ],
            &[("deauville_score", "6")],
            "CHECK",
        ),
        (
            "T-cell lymphoma not flagged",
            "new_malignancies",
            &[
                ("patient_id", "1"),
                ("diagnosis_date", "'2023-01-01'"),
                ("malignancy_type", "'T_CELL_LYMPHOMA'"),
                ("t_cell_malignancy", "0"),
            ],
            &[],
            "new_malignancies_t_cell_types_flagged",
        ),
        (
            "fatal infection below grade 5",
            "infections",
            &[
                ("patient_id", "1"),
                ("diagnosis_date", "'2020-04-01'"),
                ("organism_class", "'VIRAL'"),
                ("severity", "'G3'"),
                ("outcome", "'FATAL'"),
            ],
            &[],
            "infections_fatal_is_grade_5",
        ),
        (
            "bad timestamp",
            "sites",
            SITE,
            &[
                ("id", "5"),
                ("code", "'NYC'"),
                ("created_at", "'yesterday'"),
            ],
            "CHECK",
        ),
        (
            "argon2 hash required",
            "users",
            &[
                ("username", "'alice'"),
                ("full_name", "'Alice'"),
                ("role", "'COORDINATOR'"),
            ],
            &[("password_hash", "'plaintext'")],
            "CHECK",
        ),
        (
            "unknown role",
            "users",
            &[
                ("username", "'alice'"),
                ("full_name", "'Alice'"),
                ("role", "'SUPERUSER'"),
            ],
            &[],
            "CHECK",
        ),
    ];
    for (what, table, base, overrides, expected) in cases {
        match insert(c, table, base, overrides) {
            Ok(()) => panic!("{what}: {table} accepted the row"),
            Err(e) => assert!(
                e.contains(expected),
                "{what}: expected {expected:?} in {e:?}"
            ),
        }
    }
    // The other infection site's name: only on the OTHER row, never blank; NULL allowed (rows
    // stored before it was asked).
    insert(
        c,
        "infections",
        &[
            ("id", "1"),
            ("patient_id", "1"),
            ("diagnosis_date", "'2020-04-01'"),
            ("organism_class", "'VIRAL'"),
        ],
        &[],
    )
    .unwrap();
    let site: Row = &[("infection_id", "1"), ("site", "'OTHER'")];
    for (what, overrides) in [
        (
            "a name on another site",
            &[("site", "'LUNG'"), ("site_other", "'Port'")][..],
        ),
        ("a blank name", &[("site_other", "'  '")][..]),
    ] {
        let e = insert(c, "infection_sites", site, overrides).unwrap_err();
        assert!(
            e.contains("infection_sites_other_named_only_on_other"),
            "{what}: {e}"
        );
    }
    insert(c, "infection_sites", site, &[]).unwrap();
    insert(
        c,
        "infection_sites",
        site,
        &[("site", "'LUNG'"), ("site_other", "NULL")],
    )
    .unwrap();
    exec(
        c,
        "UPDATE infection_sites SET site_other = 'Port', row_version = row_version + 1 \
         WHERE site = 'OTHER'",
    )
    .unwrap();
    // Moving apheresis after an existing infusion is refused from the course's side too.
    let err = exec(
        c,
        "UPDATE treatment_courses SET apheresis_date = '2020-02-08', \
         row_version = row_version + 1 WHERE id = 1",
    )
    .unwrap_err();
    assert!(err.contains("apheresis"), "{err}");
    // The baselines themselves are valid (so each case fails for its one change).
    insert(c, "toxicity_events", TOXICITY, &[]).unwrap();
    insert(
        c,
        "patients",
        PATIENT,
        &[
            ("id", "5"),
            ("registry_id", "'BOS-000005'"),
            ("birth_date", "'1960-04-02'"),
            ("birth_date_estimated", "1"),
        ],
    )
    .unwrap();
}

#[test]
fn schema_rs_mirrors_the_migrated_database() {
    // `schema.rs` is generated by `diesel print-schema`; this fails when a migration changed
    // and the mirror was not regenerated.
    #[derive(QueryableByName)]
    struct Column {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Text)]
        declared: String,
        #[diesel(sql_type = Integer)]
        notnull: i32,
    }
    let generated = include_str!("../../src/db/schema.rs");
    let mut mirrored: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in generated.lines() {
        let line = line.trim();
        if let Some((name, rest)) = line.split_once(" (")
            && rest.ends_with(") {")
            && !name.contains(' ')
        {
            current = Some(name.to_owned());
            mirrored.entry(name.to_owned()).or_default();
            continue;
        }
        if line == "}" {
            current = None;
        } else if let (Some(table), Some((col, ty))) = (&current, line.split_once(" -> ")) {
            mirrored
                .get_mut(table)
                .unwrap()
                .push(format!("{col}: {}", ty.trim_end_matches(',')));
        }
    }
    let mut t = migrated_db();
    let mut actual: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for table in user_tables(&mut t.conn) {
        let cols: Vec<Column> = diesel::sql_query(format!(
            "SELECT name, type AS declared, \"notnull\" FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .load(&mut t.conn)
        .unwrap();
        let cols = cols
            .into_iter()
            .map(|c| {
                let base = match c.declared.as_str() {
                    "INTEGER" => "Integer",
                    "TEXT" => "Text",
                    "DATE" => "Date",
                    "TIMESTAMP" => "Timestamp",
                    "BOOLEAN" => "Bool",
                    "DOUBLE" => "Double",
                    other => panic!("{table}.{}: unexpected declared type {other}", c.name),
                };
                let is_pk_id = c.name == "id";
                if c.notnull == 1 || is_pk_id {
                    format!("{}: {base}", c.name)
                } else {
                    format!("{}: Nullable<{base}>", c.name)
                }
            })
            .collect();
        actual.insert(table, cols);
    }
    assert_eq!(
        mirrored, actual,
        "regenerate registry/src/db/schema.rs with diesel print-schema"
    );
}

// ---------------------------------------------------------------------------------------------
// Append-only history, optimistic concurrency, locking

#[test]
fn audit_log_refuses_update_and_delete() {
    let mut t = db_with_patient();
    let c = &mut t.conn;
    c.transaction::<_, diesel::result::Error, _>(|c| {
        let set = ChangeSet::begin(c, UserId::SYSTEM, None, Some("enrolment"))?;
        set.record_field(
            c,
            AuditAction::Insert,
            "patients",
            1,
            Some(PatientId(1)),
            "sex",
            None,
            Some("F"),
        )?;
        Ok(())
    })
    .unwrap();
    assert_eq!(scalar_i64(c, "SELECT count(*) FROM audit_log"), 1);

    let err = exec(c, "UPDATE audit_log SET new_value = 'M'").unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    let err = exec(c, "DELETE FROM audit_log").unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    let value: String = diesel::dsl::sql::<Text>("SELECT new_value FROM audit_log")
        .get_result(c)
        .unwrap();
    assert_eq!(value, "F");
    assert_eq!(scalar_i64(c, "SELECT count(*) FROM audit_log"), 1);
}

#[test]
fn audit_rows_are_written_only_inside_a_transaction_and_grouped_by_change_set() {
    let mut t = db_with_patient();
    let c = &mut t.conn;
    let outside = ChangeSet::begin(c, UserId::SYSTEM, None, None);
    assert!(
        outside.is_err(),
        "a change set outside a transaction was allowed"
    );

    let before = fields_of(&(("sex", "F"), ())).ok(); // not a struct: refused
    assert!(before.is_none());

    #[derive(serde::Serialize)]
    struct Row {
        id: i32,
        sex: &'static str,
        birth_year: i32,
        birth_date: Option<NaiveDate>,
        birth_date_estimated: bool,
        row_version: i32,
    }
    let old = Row {
        id: 1,
        sex: "F",
        birth_year: 1960,
        birth_date: None,
        birth_date_estimated: false,
        row_version: 1,
    };
    let new = Row {
        id: 1,
        sex: "F",
        birth_year: 1961,
        birth_date: NaiveDate::from_ymd_opt(1961, 3, 2),
        birth_date_estimated: true,
        row_version: 2,
    };
    let (first, second) = c
        .transaction::<_, diesel::result::Error, _>(|c| {
            let a = ChangeSet::begin(c, UserId::SYSTEM, None, None)?;
            let n = a.record_insert(c, "patients", 1, Some(PatientId(1)), &fields_of(&old)?)?;
            assert_eq!(
                n, 3,
                "id and row_version are bookkeeping, NULLs are skipped"
            );
            Ok(a)
        })
        .and_then(|a| {
            c.transaction(|c| {
                let b = ChangeSet::begin(c, UserId::SYSTEM, None, Some("typo in birth year"))?;
                let n = b.record_update(
                    c,
                    "patients",
                    1,
                    Some(PatientId(1)),
                    &fields_of(&old)?,
                    &fields_of(&new)?,
                )?;
                assert_eq!(n, 3, "only changed fields are recorded");
                Ok((a, b))
            })
        })
        .unwrap();
    assert_eq!(second.id, first.id + 1);
    let trail = registry::db::audit::trail_of_patient(c, PatientId(1)).unwrap();
    assert_eq!(trail.len(), 6);
    let updates: Vec<_> = trail
        .iter()
        .filter(|r| r.change_set_id == second.id)
        .collect();
    assert!(
        updates
            .iter()
            .all(|r| r.action == "UPDATE" && r.reason.as_deref() == Some("typo in birth year"))
    );
    let year = updates
        .iter()
        .find(|r| r.field_name == "birth_year")
        .unwrap();
    assert_eq!(
        (year.old_value.as_deref(), year.new_value.as_deref()),
        (Some("1960"), Some("1961"))
    );
    let flag = updates
        .iter()
        .find(|r| r.field_name == "birth_date_estimated")
        .unwrap();
    assert_eq!(flag.new_value.as_deref(), Some("1"));
}

#[test]
fn an_update_must_raise_row_version_by_one() {
    let mut t = db_with_patient();
    let c = &mut t.conn;
    let err = exec(c, "UPDATE patients SET sex = 'M' WHERE id = 1").unwrap_err();
    assert!(err.contains("row_version"), "{err}");
    let err = exec(
        c,
        "UPDATE patients SET sex = 'M', row_version = 5 WHERE id = 1",
    )
    .unwrap_err();
    assert!(err.contains("row_version"), "{err}");
    exec(
        c,
        "UPDATE patients SET sex = 'M', row_version = row_version + 1 WHERE id = 1",
    )
    .unwrap();

    // The stale-edit pattern: an update filtered on the version read matches no row.
    let stale = diesel::update(patients::table.find(PatientId(1)))
        .filter(patients::row_version.eq(1))
        .set((
            patients::sex.eq("F"),
            patients::row_version.eq(patients::row_version + 1),
        ))
        .execute(c)
        .unwrap();
    assert_eq!(stale, 0);
    assert_eq!(
        scalar_i64(c, "SELECT row_version FROM patients WHERE id = 1"),
        2
    );
}

#[test]
fn a_locked_follow_up_changes_only_through_an_unlock_with_a_reason() {
    let mut t = db_with_patient();
    let c = &mut t.conn;
    exec(
        c,
        "UPDATE follow_ups SET form_status = 'LOCKED', locked_by = 1, \
             locked_at = '2020-04-01 10:00:00.000', contact_type = 'CLINIC', \
             survival_status = 'ALIVE', relapse_since_last = 'N', responses_none_to_report = 1, \
             toxicities_none_to_report = 1, infections_none_to_report = 1, \
             new_malignancies_none_to_report = 1, subsequent_therapies_none_to_report = 1, \
             persistence_tests_none_to_report = 1, lab_results_none_to_report = 1, \
             immunoglobulin_none_to_report = 1, row_version = row_version + 1 WHERE id = 1",
    )
    .unwrap();
    let err = exec(c, "UPDATE follow_ups SET contact_date = '2020-03-10', row_version = row_version + 1 WHERE id = 1")
        .unwrap_err();
    assert!(err.contains("locked"), "{err}");
    let err = exec(c, "DELETE FROM follow_ups WHERE id = 1").unwrap_err();
    assert!(err.contains("locked"), "{err}");
    // Unlocking without a recorded UNLOCK sign-off is refused, and so is an UNLOCK without reason.
    let unlock = "UPDATE follow_ups SET form_status = 'VERIFIED', locked_by = NULL, locked_at = NULL, \
                  row_version = row_version + 1 WHERE id = 1";
    assert!(exec(c, unlock).unwrap_err().contains("locked"));
    let err = exec(
        c,
        "INSERT INTO follow_up_sign_offs (follow_up_id, act, user_id, printed_name) \
                       VALUES (1, 'UNLOCK', 1, 'Registry system account')",
    )
    .unwrap_err();
    assert!(
        err.contains("follow_up_sign_offs_unlock_has_reason"),
        "{err}"
    );
    exec(
        c,
        "INSERT INTO follow_up_sign_offs (follow_up_id, act, user_id, printed_name, reason) \
             VALUES (1, 'UNLOCK', 1, 'Registry system account', 'Wrong contact date')",
    )
    .unwrap();
    exec(c, unlock).unwrap();
    exec(c, "UPDATE follow_ups SET contact_date = '2020-03-10', row_version = row_version + 1 WHERE id = 1")
        .unwrap();
    // The sign-off history is append-only too.
    assert!(
        exec(c, "DELETE FROM follow_up_sign_offs")
            .unwrap_err()
            .contains("append-only")
    );
    assert!(
        exec(c, "UPDATE follow_up_sign_offs SET reason = 'x'")
            .unwrap_err()
            .contains("append-only")
    );
    // A signature must carry its meaning.
    let err = exec(
        c,
        "INSERT INTO follow_up_sign_offs (follow_up_id, act, user_id, printed_name) \
                       VALUES (1, 'SIGN', 1, 'Registry system account')",
    )
    .unwrap_err();
    assert!(
        err.contains("follow_up_sign_offs_signature_has_meaning"),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Row types

#[test]
fn row_types_round_trip_through_diesel() {
    let mut t = migrated_db();
    let c = &mut t.conn;
    let system = UserId::SYSTEM;
    let site_id: SiteId = diesel::insert_into(sites::table)
        .values(NewSite {
            code: "MUC".into(),
            name: "Munich".into(),
            active: true,
            created_by: system,
            updated_by: system,
        })
        .returning(sites::id)
        .get_result(c)
        .unwrap();
    let user_id: UserId = diesel::insert_into(registry::db::schema::users::table)
        .values(NewUser {
            username: "coord.muc".into(),
            full_name: "A Coordinator".into(),
            email: None,
            password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
            role: "COORDINATOR".into(),
            active: true,
            failed_login_count: 0,
            locked_until: None,
            last_login_at: None,
            password_changed_at: None,
            created_by: system,
            updated_by: system,
        })
        .returning(registry::db::schema::users::id)
        .get_result(c)
        .unwrap();
    diesel::insert_into(registry::db::schema::user_sites::table)
        .values(NewUserSite {
            user_id,
            site_id,
            created_by: system,
        })
        .execute(c)
        .unwrap();
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let patient: PatientRow = diesel::insert_into(patients::table)
        .values(NewPatient {
            registry_id: "MUC-000001".into(),
            site_id,
            cibmtr_crid: None,
            ebmt_id: None,
            trial_subject_id: None,
            sex: "M".into(),
            birth_date: Some(d(1955, 6, 1)),
            birth_date_estimated: true,
            birth_year: 1955,
            enrolment_date: d(2021, 1, 4),
            enrolment_date_estimated: false,
            consent_research: "GIVEN".into(),
            consent_research_date: Some(d(2021, 1, 4)),
            consent_research_date_estimated: false,
            consent_data_sharing: None,
            consent_data_sharing_date: None,
            consent_data_sharing_date_estimated: false,
            ltfu_status: "ACTIVE".into(),
            ltfu_status_date: None,
            ltfu_status_date_estimated: false,
            ltfu_contact_attempts: None,
            transfer_centre: None,
            referring_physician: None,
            created_by: user_id,
            updated_by: user_id,
        })
        .returning(PatientRow::as_returning())
        .get_result(c)
        .unwrap();
    assert_eq!(patient.birth_date, Some(d(1955, 6, 1)));
    assert!(patient.birth_date_estimated);
    assert_eq!(patient.row_version, 1);
    let diagnosis: DiagnosisRow = diesel::insert_into(diagnoses::table)
        .values(NewDiagnosis {
            patient_id: patient.id,
            disease: "MM".into(),
            disease_other: None,
            diagnosis_date: d(2016, 3, 1),
            diagnosis_date_estimated: false,
            stage: None,
            ipi_score: None,
            riss_stage: Some("II".into()),
            high_risk_cytogenetics: Some("UNK".into()),
            extramedullary_disease: None,
            cns_involvement: None,
            prior_lines_count: Some(5),
            refractory_status: Some("TRIPLE_CLASS".into()),
            prior_hct: "AUTO".into(),
            prior_hct_date: Some(d(2017, 1, 10)),
            prior_hct_date_estimated: true,
            prior_car_t: Some("N".into()),
            prior_same_target_therapy: Some("N".into()),
            created_by: user_id,
            updated_by: user_id,
        })
        .returning(DiagnosisRow::as_returning())
        .get_result(c)
        .unwrap();
    let course: CourseRow = diesel::insert_into(treatment_courses::table)
        .values(NewCourse {
            patient_id: patient.id,
            diagnosis_id: diagnosis.id,
            course_number: 1,
            product: "CILTA_CEL".into(),
            investigational_product_name: None,
            investigational_target: None,
            product_class: "COMMERCIAL".into(),
            trial_id: None,
            batch_number: Some("B-123".into()),
            apheresis_date: Some(d(2021, 1, 20)),
            apheresis_date_estimated: false,
            bridging_therapy: Some("CHEMO".into()),
            bridging_regimen: Some("DPd".into()),
            bridging_start_date: Some(d(2021, 1, 25)),
            bridging_start_date_estimated: false,
            bridging_end_date: Some(d(2021, 2, 10)),
            bridging_end_date_estimated: false,
            not_infused_reason: None,
            created_by: user_id,
            updated_by: user_id,
        })
        .returning(CourseRow::as_returning())
        .get_result(c)
        .unwrap();
    let infusion: InfusionRow = diesel::insert_into(infusions::table)
        .values(NewInfusion {
            course_id: course.id,
            patient_id: patient.id,
            infusion_number: 1,
            lymphodepletion_regimen: "FLU_CY".into(),
            lymphodepletion_start_date: Some(d(2021, 2, 22)),
            lymphodepletion_start_date_estimated: false,
            lymphodepletion_end_date: Some(d(2021, 2, 24)),
            lymphodepletion_end_date_estimated: false,
            infusion_date: d(2021, 2, 27),
            infusion_date_estimated: false,
            dose: Some(0.75e6),
            dose_unit: Some("CELLS_PER_KG".into()),
            entire_volume_infused: Some("Y".into()),
            route: "IV".into(),
            care_setting: Some("INPATIENT".into()),
            admission_date: Some(d(2021, 2, 21)),
            admission_date_estimated: false,
            discharge_date: Some(d(2021, 3, 12)),
            discharge_date_estimated: false,
            ecog_pre_infusion: Some(1),
            created_by: user_id,
            updated_by: user_id,
        })
        .returning(InfusionRow::as_returning())
        .get_result(c)
        .unwrap();
    assert_eq!(infusion.dose, Some(0.75e6));
    let follow_up: FollowUpRow = diesel::insert_into(follow_ups::table)
        .values(NewFollowUp {
            patient_id: patient.id,
            course_id: course.id,
            timepoint: "D100".into(),
            contact_date: Some(d(2021, 6, 7)),
            contact_date_estimated: false,
            contact_type: Some("CLINIC".into()),
            survival_status: Some("ALIVE".into()),
            ecog_performance_status: Some(0),
            relapse_since_last: Some("N".into()),
            relapse_date: None,
            relapse_date_estimated: false,
            relapse_method: None,
            relapse_antigen_status: None,
            form_status: "COMPLETE".into(),
            responses_none_to_report: Some(false),
            toxicities_none_to_report: Some(true),
            infections_none_to_report: Some(true),
            new_malignancies_none_to_report: Some(true),
            subsequent_therapies_none_to_report: Some(true),
            persistence_tests_none_to_report: Some(true),
            lab_results_none_to_report: Some(false),
            immunoglobulin_none_to_report: Some(true),
            locked_by: None,
            locked_at: None,
            created_by: user_id,
            updated_by: user_id,
        })
        .returning(FollowUpRow::as_returning())
        .get_result(c)
        .unwrap();
    assert_eq!(follow_up.toxicities_none_to_report, Some(true));
    let site: SiteRow = sites::table
        .find(site_id)
        .select(SiteRow::as_select())
        .first(c)
        .unwrap();
    assert_eq!(site.code, "MUC");
    let _: (CourseId, DiagnosisId) = (course.id, diagnosis.id);
}

#[test]
fn the_pool_refuses_a_missing_or_unmigrated_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.db");
    assert!(matches!(
        db::pool(&missing, 1),
        Err(DbError::NotWritable { .. })
    ));
    assert!(!missing.exists(), "the pool created a file");

    let partial = dir.path().join("partial.db");
    {
        let mut conn = db::open(&partial).unwrap();
        conn.run_next_migration(MIGRATIONS).unwrap();
    }
    match db::pool(&partial, 1) {
        Err(e @ DbError::SchemaOlder { .. }) => {
            assert!(e.to_string().contains("registry migrate"), "{e}");
        }
        other => panic!("expected SchemaOlder, got {other:?}"),
    }
}

#[test]
fn pooled_connections_enforce_foreign_keys_wait_when_busy_and_writes_sync_the_wal() {
    let t = migrated_db();
    let pool = db::pool(&t.path, 2).unwrap();
    let mut conn = pool.get().unwrap();
    assert_eq!(
        scalar_i64(&mut conn, "SELECT foreign_keys FROM pragma_foreign_keys"),
        1
    );
    assert_eq!(
        scalar_i64(&mut conn, "SELECT timeout FROM pragma_busy_timeout"),
        5000
    );
    // COMMIT does not sync (1 = NORMAL): `write_transaction` syncs the WAL after it, for
    // pooled and directly opened connections alike.
    assert_eq!(
        scalar_i64(&mut conn, "SELECT synchronous FROM pragma_synchronous"),
        1
    );
    let mut direct = db::open(&t.path).unwrap();
    assert_eq!(
        scalar_i64(&mut direct, "SELECT synchronous FROM pragma_synchronous"),
        1
    );
    let durability = db::wal_sync::of_file(&std::fs::canonicalize(&t.path).unwrap());
    let before = durability.syncs();
    db::write_transaction(&mut direct, |conn| {
        conn.batch_execute("INSERT INTO sites (code, name, created_by, updated_by) VALUES ('SYNC1', 'Synced', 1, 1)")
    })
    .unwrap();
    assert!(
        durability.syncs() > before,
        "an acknowledged write transaction synced the WAL"
    );
    conn.batch_execute("SELECT 1").unwrap();
}

// ---------------------------------------------------------------------------------------------
// Vocabularies: every coded column accepts exactly its domain vocabulary

/// The codes listed by `CHECK (<column> IN (...))` in the table's SQL.
fn check_codes(sql: &str, column: &str) -> BTreeSet<String> {
    let needle = format!("CHECK ({column} IN (");
    let start = sql
        .find(&needle)
        .unwrap_or_else(|| panic!("no `{needle}` in {sql}"))
        + needle.len();
    let end = start + sql[start..].find(')').unwrap();
    sql[start..end]
        .split(',')
        .map(|c| c.trim().trim_matches('\'').to_owned())
        .collect()
}

fn codes<T: Vocabulary>() -> BTreeSet<String> {
    T::codes().into_iter().map(str::to_owned).collect()
}

fn answer_codes<T: Vocabulary>() -> BTreeSet<String> {
    Answer::<T>::allowed_codes()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// Every coded column and the codes its CHECK must list: a plain vocabulary, or an answer
/// that may also be a missing-data code.
fn coded_columns() -> Vec<(&'static str, &'static str, BTreeSet<String>)> {
    use registry::domain::access::Role;
    use registry::domain::death::{Autopsy, CauseOfDeath};
    use registry::domain::diagnosis::{Disease, PriorTransplant, RefractoryStatus};
    use registry::domain::follow_up::{ContactType, FormStatus, SurvivalStatus};
    use registry::domain::immunoglobulin::{IgIndication, IgProduct};
    use registry::domain::infection::{
        InfectionOutcome, InfectionSeverity, InfectionSite, Organism, OrganismClass,
    };
    use registry::domain::lab::{LabAnalyte, LabUnit};
    use registry::domain::malignancy::{NewMalignancyType, TransgeneResult};
    use registry::domain::patient::{ConsentStatus, LtfuStatus, Sex};
    use registry::domain::persistence::{PersistenceMethod, PersistenceUnit, Specimen};
    use registry::domain::product::{
        BridgingTherapy, DoseUnit, InfusionIntent, InfusionRoute, InfusionSetting,
        LymphodepletionRegimen, Product, ProductClass, TargetAntigen,
    };
    use registry::domain::response::{
        AssessmentMethod, Assessor, GenericResponse, MrdMethod, MrdSensitivity, MrdStatus,
        RelapseAntigenStatus, RelapseMethod, ResponseCriteria,
    };
    use registry::domain::schedule::Timepoint;
    use registry::domain::therapy::{SubsequentTherapyCategory, TherapyIntent};
    use registry::domain::toxicity::{
        CerebralOedema, Consciousness, CtcaeGrade, GradingSystem, Hypotension, Hypoxia,
        MotorFinding, Seizure, ToxicityTreatment, ToxicityType,
    };

    vec![
        ("users", "role", codes::<Role>()),
        ("patients", "sex", codes::<Sex>()),
        ("patients", "consent_research", codes::<ConsentStatus>()),
        ("patients", "consent_data_sharing", codes::<ConsentStatus>()),
        ("patients", "ltfu_status", codes::<LtfuStatus>()),
        ("diagnoses", "disease", codes::<Disease>()),
        (
            "diagnoses",
            "high_risk_cytogenetics",
            answer_codes::<YesNo>(),
        ),
        (
            "diagnoses",
            "extramedullary_disease",
            answer_codes::<YesNo>(),
        ),
        ("diagnoses", "cns_involvement", answer_codes::<YesNo>()),
        (
            "diagnoses",
            "refractory_status",
            answer_codes::<RefractoryStatus>(),
        ),
        ("diagnoses", "prior_hct", answer_codes::<PriorTransplant>()),
        ("diagnoses", "prior_car_t", answer_codes::<YesNo>()),
        (
            "diagnoses",
            "prior_same_target_therapy",
            answer_codes::<YesNo>(),
        ),
        ("treatment_courses", "product", codes::<Product>()),
        (
            "treatment_courses",
            "investigational_target",
            codes::<TargetAntigen>(),
        ),
        (
            "treatment_courses",
            "product_class",
            codes::<ProductClass>(),
        ),
        (
            "treatment_courses",
            "bridging_therapy",
            answer_codes::<BridgingTherapy>(),
        ),
        (
            "infusions",
            "lymphodepletion_regimen",
            answer_codes::<LymphodepletionRegimen>(),
        ),
        ("infusions", "dose_unit", codes::<DoseUnit>()),
        (
            "infusions",
            "entire_volume_infused",
            answer_codes::<YesNo>(),
        ),
        ("infusions", "route", codes::<InfusionRoute>()),
        ("infusions", "intent", codes::<InfusionIntent>()),
        ("infusions", "care_setting", codes::<InfusionSetting>()),
        ("follow_ups", "timepoint", codes::<Timepoint>()),
        ("follow_ups", "contact_type", codes::<ContactType>()),
        ("follow_ups", "survival_status", codes::<SurvivalStatus>()),
        ("follow_ups", "relapse_since_last", answer_codes::<YesNo>()),
        (
            "follow_ups",
            "relapse_method",
            answer_codes::<RelapseMethod>(),
        ),
        (
            "follow_ups",
            "relapse_antigen_status",
            answer_codes::<RelapseAntigenStatus>(),
        ),
        (
            "relapse_detection_methods",
            "method",
            codes::<RelapseMethod>(),
        ),
        ("follow_ups", "form_status", codes::<FormStatus>()),
        (
            "response_assessments",
            "method",
            codes::<AssessmentMethod>(),
        ),
        (
            "response_assessments",
            "criteria",
            codes::<ResponseCriteria>(),
        ),
        (
            "response_assessments",
            "mrd_status",
            answer_codes::<MrdStatus>(),
        ),
        ("response_assessments", "mrd_method", codes::<MrdMethod>()),
        (
            "response_assessments",
            "mrd_sensitivity",
            codes::<MrdSensitivity>(),
        ),
        ("response_assessments", "assessor", codes::<Assessor>()),
        ("toxicity_events", "toxicity_type", codes::<ToxicityType>()),
        (
            "toxicity_events",
            "grading_system",
            codes::<GradingSystem>(),
        ),
        ("toxicity_events", "max_grade", answer_codes::<CtcaeGrade>()),
        ("toxicity_events", "icu_admission", answer_codes::<YesNo>()),
        (
            "toxicity_events",
            "crs_hypotension",
            answer_codes::<Hypotension>(),
        ),
        ("toxicity_events", "crs_hypoxia", answer_codes::<Hypoxia>()),
        (
            "toxicity_events",
            "icans_consciousness",
            answer_codes::<Consciousness>(),
        ),
        (
            "toxicity_events",
            "icans_seizure",
            answer_codes::<Seizure>(),
        ),
        (
            "toxicity_events",
            "icans_motor_weakness",
            answer_codes::<MotorFinding>(),
        ),
        (
            "toxicity_events",
            "icans_cerebral_oedema",
            answer_codes::<CerebralOedema>(),
        ),
        ("toxicity_treatments", "agent", codes::<ToxicityTreatment>()),
        ("persistence_tests", "specimen", codes::<Specimen>()),
        ("persistence_tests", "method", codes::<PersistenceMethod>()),
        ("persistence_tests", "detected", answer_codes::<YesNo>()),
        ("persistence_tests", "unit", codes::<PersistenceUnit>()),
        ("lab_results", "analyte", codes::<LabAnalyte>()),
        ("lab_results", "unit", codes::<LabUnit>()),
        ("lab_results", "normalised_unit", codes::<LabUnit>()),
        ("lab_results", "value_missing", codes::<MissingCode>()),
        (
            "lab_results",
            "ivig_within_30_days",
            answer_codes::<YesNo>(),
        ),
        (
            "lab_results",
            "rbc_transfusion_within_30_days",
            answer_codes::<YesNo>(),
        ),
        (
            "lab_results",
            "platelet_transfusion_within_7_days",
            answer_codes::<YesNo>(),
        ),
        ("immunoglobulin_courses", "route", codes::<IgProduct>()),
        (
            "immunoglobulin_courses",
            "indication",
            answer_codes::<IgIndication>(),
        ),
        (
            "infections",
            "organism_class",
            answer_codes::<OrganismClass>(),
        ),
        ("infections", "organism", answer_codes::<Organism>()),
        (
            "infections",
            "severity",
            answer_codes::<InfectionSeverity>(),
        ),
        ("infections", "hospitalised", answer_codes::<YesNo>()),
        ("infections", "icu_admission", answer_codes::<YesNo>()),
        ("infections", "outcome", answer_codes::<InfectionOutcome>()),
        ("infection_sites", "site", codes::<InfectionSite>()),
        (
            "new_malignancies",
            "malignancy_type",
            codes::<NewMalignancyType>(),
        ),
        ("new_malignancies", "ebv_positive", answer_codes::<YesNo>()),
        (
            "new_malignancies",
            "car_transgene_tested",
            answer_codes::<YesNo>(),
        ),
        (
            "new_malignancies",
            "car_transgene_result",
            codes::<TransgeneResult>(),
        ),
        (
            "new_malignancies",
            "product_derived",
            answer_codes::<YesNo>(),
        ),
        (
            "subsequent_therapies",
            "category",
            codes::<SubsequentTherapyCategory>(),
        ),
        (
            "subsequent_therapies",
            "intent",
            answer_codes::<TherapyIntent>(),
        ),
        (
            "subsequent_therapies",
            "best_response",
            answer_codes::<GenericResponse>(),
        ),
        ("deaths", "primary_cause", answer_codes::<CauseOfDeath>()),
        ("deaths", "autopsy", answer_codes::<Autopsy>()),
        (
            "death_contributing_causes",
            "cause",
            codes::<CauseOfDeath>(),
        ),
    ]
}

#[test]
fn coded_columns_accept_exactly_the_domain_vocabularies() {
    let mut t = migrated_db();
    let expected = coded_columns();
    let mut mismatches = Vec::new();
    for (table, column, want) in &expected {
        let sql = table_sql(&mut t.conn, table);
        let got = check_codes(&sql, column);
        if &got != want {
            mismatches.push(format!(
                "{table}.{column}: only in schema {:?}, only in domain {:?}",
                got.difference(want).collect::<Vec<_>>(),
                want.difference(&got).collect::<Vec<_>>()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));

    // The response column is checked per criteria: each criteria's list is its vocabulary's.
    use registry::domain::response::{
        AllResponse, GenericResponse, ImwgResponse, IwcllResponse, LuganoResponse,
    };
    let sql = table_sql(&mut t.conn, "response_assessments");
    for (criteria, want) in [
        ("LUGANO2014", codes::<LuganoResponse>()),
        ("IMWG2016", codes::<ImwgResponse>()),
        ("BALL", codes::<AllResponse>()),
        ("IWCLL2018", codes::<IwcllResponse>()),
        ("OTHER", codes::<GenericResponse>()),
    ] {
        let needle = format!("criteria = '{criteria}' AND response IN (");
        let start = sql.find(&needle).unwrap_or_else(|| panic!("no {needle}")) + needle.len();
        let end = start + sql[start..].find(')').unwrap();
        let got: BTreeSet<String> = sql[start..end]
            .split(',')
            .map(|c| c.trim().trim_matches('\'').to_owned())
            .collect();
        assert_eq!(got, want, "responses under {criteria}");
    }
}

#[test]
fn every_coded_text_column_is_covered_by_the_vocabulary_test() {
    // A new `CHECK (x IN ('A', ...))` column must be added to coded_columns(): this lists the
    // ones that are deliberately local to the schema (no domain vocabulary).
    let local: BTreeSet<(&str, &str)> = [
        ("audit_log", "action"),
        ("diagnoses", "riss_stage"),
        ("treatment_courses", "not_infused_reason"),
        ("follow_up_sign_offs", "act"),
        ("follow_up_sign_offs", "signature_meaning"),
    ]
    .into_iter()
    .collect();
    let mut t = migrated_db();
    let columns = coded_columns();
    let tested: BTreeSet<(&str, &str)> = columns.iter().map(|(t, c, _)| (*t, *c)).collect();
    let mut found = BTreeSet::new();
    for (kind, table, sql) in schema_dump(&mut t.conn) {
        if kind != "table" {
            continue;
        }
        let mut rest = sql.as_str();
        while let Some(pos) = rest.find("CHECK (") {
            rest = &rest[pos + "CHECK (".len()..];
            let token: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if rest[token.len()..].starts_with(" IN ('") {
                found.insert((table.clone(), token));
            }
        }
    }
    let covered = found.len();
    assert!(covered > 70, "only {covered} coded columns found");
    for (table, column) in &found {
        if local.contains(&(table.as_str(), column.as_str())) {
            continue;
        }
        assert!(
            tested.contains(&(table.as_str(), column.as_str())),
            "{table}.{column} has a code CHECK but no row in coded_columns()"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Newer schemas and bad input

#[test]
fn a_database_from_a_newer_program_is_refused_unchanged() {
    let t = migrated_db();
    let path = t.path.clone();
    drop(t.conn);
    {
        let mut conn = db::open(&path).unwrap();
        conn.batch_execute(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('29990101000000')",
        )
        .unwrap();
        let err = db::migrate(&mut conn).unwrap_err();
        assert!(matches!(err, DbError::SchemaNewer { .. }), "{err:?}");
        assert!(
            err.to_string()
                .contains("database schema is newer than this program"),
            "{err}"
        );
        assert!(err.to_string().contains("29990101000000"), "{err}");
    }
    let err = db::create_or_upgrade(&path).unwrap_err();
    assert!(matches!(err, DbError::SchemaNewer { .. }), "{err:?}");
    assert!(
        db::pool(&path, 1).is_err(),
        "the web pool must refuse it too"
    );

    let out = registry_bin()
        .args(["migrate", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("database schema is newer than this program"),
        "{stderr}"
    );
    assert!(stderr.contains("29990101000000"), "{stderr}");
}

/// Runs `registry migrate --db <path>` and returns (exit code, stderr).
fn run_migrate(path: &Path) -> (Option<i32>, String) {
    let out = registry_bin()
        .args(["migrate", "--db"])
        .arg(path)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn migrate_cli_creates_then_reports_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let out = registry_bin()
        .args(["migrate", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("created"));
    let out = registry_bin()
        .args(["migrate", "--db"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("up to date"));
}

#[test]
fn migrate_cli_fails_on_an_unwritable_path_with_one_line_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    // A directory that does not exist.
    let missing = dir.path().join("no-such-dir").join("r.db");
    let (code, stderr) = run_migrate(&missing);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("cannot write database") && stderr.contains("does not exist"),
        "{stderr}"
    );

    // A "directory" that is a file.
    std::fs::write(dir.path().join("plain-file"), b"x").unwrap();
    let under_file = dir.path().join("plain-file").join("r.db");
    let (code, stderr) = run_migrate(&under_file);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a directory"), "{stderr}");

    // A path that is a directory.
    let (code, stderr) = run_migrate(dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    assert_eq!(
        entries(dir.path()),
        vec!["plain-file".to_owned()],
        "something was left behind"
    );
}

#[test]
fn migrate_cli_refuses_a_file_that_is_not_a_database_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.db");
    std::fs::write(&path, "not a database, just some notes\n".repeat(200)).unwrap();
    let (code, stderr) = run_migrate(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("not a registry database"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "not a database, just some notes\n".repeat(200)
    );
    assert_eq!(entries(dir.path()), vec!["notes.db".to_owned()]);
}

#[test]
fn migrate_refuses_another_programs_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        conn.batch_execute("CREATE TABLE notes (body TEXT)")
            .unwrap();
    }
    let err = db::create_or_upgrade(&path).unwrap_err();
    assert!(matches!(err, DbError::NotADatabase { .. }), "{err:?}");
    let (code, stderr) = run_migrate(&path);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a registry database"), "{stderr}");
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    assert_eq!(
        scalar_i64(&mut conn, "SELECT count(*) FROM sqlite_master"),
        1,
        "the other database was changed"
    );
}

#[test]
fn migrate_cli_rejects_bad_arguments_with_one_line() {
    for args in [
        &["migrate"][..],
        &["migrate", "--db"],
        &["migrate", "--db", "x.db", "--bogus"],
        &["frobnicate"],
    ] {
        let out = registry_bin().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("registry: "), "{stderr}");
    }
    let out = registry_bin().arg("--help").output().unwrap();
    assert!(out.status.success());
}

#[test]
fn site_codes_follow_the_registry_id_rule_in_the_schema() {
    let mut t = migrated_db();
    for (code, ok) in [
        ("'AB'", true),
        ("'ABCDEFGH'", true),
        ("'S01'", true),
        ("'ABCDEFGHI'", false),
        ("'BOS_2'", false),
        ("'bos'", false),
        ("'1BS'", false),
    ] {
        let result = insert(
            &mut t.conn,
            "sites",
            &[("name", "'Site'")],
            &[("code", code)],
        );
        assert_eq!(result.is_ok(), ok, "{code}: {result:?}");
    }
    let renamed = exec(
        &mut t.conn,
        "UPDATE sites SET code = 'LONGCODE9', row_version = row_version + 1 WHERE code = 'AB'",
    );
    assert!(
        renamed.is_err_and(|e| e.contains("2 to 8 capital letters")),
        "an update must follow the rule too"
    );
}
