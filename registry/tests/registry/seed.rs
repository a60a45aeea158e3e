//! `registry seed`: determinism, schema conformance, clinical consistency and safe file handling
//! of the demo cohort generator. Marginal rates against the published targets are unit tests in
//! `src/seed/simulate/tests.rs` (in memory, 20,000 patients).

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use registry::seed::{self, SeedError, SeedOptions, write::TABLES};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn options(db: PathBuf, patients: u64, seed: u64, threads: usize) -> SeedOptions {
    SeedOptions {
        db,
        patients,
        seed,
        today: today(),
        force: false,
        threads,
        progress: false,
        check_constraints: true,
    }
}

fn connect(path: &Path) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA foreign_keys = ON;").unwrap();
    conn
}

fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    diesel::dsl::sql::<BigInt>(sql).get_result(conn).unwrap()
}

/// Every row of every seeded table, rendered with SQLite's `quote()`, in id order.
fn dump(path: &Path) -> Vec<String> {
    let mut conn = connect(path);
    let mut lines = Vec::new();
    for table in TABLES {
        let columns: Vec<String> = diesel::dsl::sql::<Text>(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .load(&mut conn)
        .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote({c})"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows: Vec<String> =
            diesel::dsl::sql::<Text>(&format!("SELECT {row} FROM {table} ORDER BY id"))
                .load(&mut conn)
                .unwrap();
        lines.extend(rows.into_iter().map(|r| format!("{table}: {r}")));
    }
    lines
}

#[test]
fn same_seed_gives_identical_rows_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.db");
    let two = dir.path().join("two.db");
    let other = dir.path().join("other.db");

    seed::seed(&options(one.clone(), 800, 7, 1)).unwrap();
    seed::seed(&options(two.clone(), 800, 7, 2)).unwrap();
    seed::seed(&options(other.clone(), 800, 8, 2)).unwrap();

    let (a, b, c) = (dump(&one), dump(&two), dump(&other));
    assert!(a.len() > 20_000, "{} rows", a.len());
    assert!(a == b, "same seed, different rows");
    assert_ne!(a, c, "different seeds, same rows");
}

#[test]
fn every_row_satisfies_the_schema_and_the_clinical_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cohort.db");
    let summary = seed::seed(&options(path.clone(), 1_500, 11, 2)).unwrap();
    // Inserting with foreign keys on and every CHECK in force already proved most of it.
    let mut conn = connect(&path);
    for (table, rows) in &summary.rows {
        assert_eq!(
            count(&mut conn, &format!("SELECT count(*) FROM {table}")),
            *rows as i64
        );
        assert!(*rows > 0, "{table} is empty");
    }
    assert_eq!(
        count(&mut conn, "SELECT count(*) FROM pragma_foreign_key_check"),
        0
    );
    let integrity: String = diesel::dsl::sql::<Text>("PRAGMA integrity_check")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(integrity, "ok");

    let violations = [
        // No follow-up after death; the death is the last contact.
        "SELECT count(*) FROM follow_ups f JOIN deaths d USING (patient_id) \
         WHERE f.contact_date > d.death_date",
        "SELECT count(*) FROM deaths d WHERE d.death_date <> \
         (SELECT max(contact_date) FROM follow_ups f WHERE f.patient_id = d.patient_id)",
        "SELECT count(*) FROM patients p WHERE (p.ltfu_status = 'DEAD') <> \
         EXISTS (SELECT 1 FROM deaths d WHERE d.patient_id = p.id)",
        // Nothing before Day 0 but baseline labs; nothing after the last contact.
        "SELECT count(*) FROM follow_ups f JOIN infusions i USING (patient_id) \
         WHERE f.contact_date <= i.infusion_date",
        "SELECT count(*) FROM infections x WHERE x.diagnosis_date > \
         (SELECT max(contact_date) FROM follow_ups f WHERE f.patient_id = x.patient_id)",
        "SELECT count(*) FROM toxicity_events x JOIN infusions i USING (patient_id) \
         WHERE x.onset_date < i.infusion_date",
        // Each event is linked to the first follow-up on or after it.
        "SELECT count(*) FROM infections x JOIN follow_ups f ON f.id = x.reported_in_follow_up_id \
         WHERE f.contact_date < x.diagnosis_date OR EXISTS (SELECT 1 FROM follow_ups g \
         WHERE g.patient_id = x.patient_id AND g.contact_date >= x.diagnosis_date \
         AND g.contact_date < f.contact_date)",
        // Visits of a patient are in timepoint order.
        "SELECT count(*) FROM follow_ups a JOIN follow_ups b ON a.patient_id = b.patient_id \
         AND a.id < b.id WHERE a.contact_date >= b.contact_date",
        // Apheresis, lymphodepletion, Day 0 in order.
        "SELECT count(*) FROM treatment_courses c JOIN infusions i ON i.course_id = c.id \
         WHERE NOT (c.apheresis_date < i.lymphodepletion_start_date \
         AND i.lymphodepletion_end_date < i.infusion_date)",
        // A first infusion is the initial one.
        "SELECT count(*) FROM infusions WHERE infusion_number = 1 AND intent IS NOT 'INITIAL'",
        // A relapse was detected at least by its first method; methods only with a relapse.
        "SELECT count(*) FROM follow_ups f WHERE f.relapse_since_last = 'Y' AND NOT EXISTS \
         (SELECT 1 FROM relapse_detection_methods m WHERE m.follow_up_id = f.id \
         AND m.method = f.relapse_method)",
        "SELECT count(*) FROM relapse_detection_methods m JOIN follow_ups f \
         ON f.id = m.follow_up_id WHERE f.relapse_since_last <> 'Y'",
        // ICAHT: EHA/EBMT 2023, grades 1-4, early by day 30 and late after it; TLS is CTCAE
        // grade 3 or more (CTCAE v5 has no TLS grade 1 or 2).
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type LIKE 'ICAHT%' \
         AND (grading_system <> 'EHA_EBMT2023' OR max_grade NOT IN ('G1', 'G2', 'G3', 'G4'))",
        "SELECT count(*) FROM toxicity_events x JOIN infusions i USING (patient_id) \
         WHERE x.toxicity_type = 'ICAHT_EARLY' \
         AND julianday(x.onset_date) - julianday(i.infusion_date) > 30",
        "SELECT count(*) FROM toxicity_events x JOIN infusions i USING (patient_id) \
         WHERE x.toxicity_type = 'ICAHT_LATE' \
         AND julianday(x.onset_date) - julianday(i.infusion_date) <= 30",
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type IN ('TLS', 'HYPOGAMMA') \
         AND grading_system <> 'CTCAE5'",
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type = 'TLS' \
         AND max_grade NOT IN ('G3', 'G4', 'G5')",
        // The ANC measured during an early ICAHT is at most 0.5 x 10^9/L.
        "SELECT count(*) FROM lab_results l JOIN toxicity_events x USING (patient_id) \
         WHERE l.analyte = 'ANC' AND x.toxicity_type = 'ICAHT_EARLY' AND l.value > 0.5 \
         AND l.sample_date >= x.onset_date \
         AND (x.resolution_date IS NULL OR l.sample_date <= x.resolution_date)",
        // Hypogammaglobulinaemia starts with a low IgG or with its replacement.
        "SELECT count(*) FROM toxicity_events x WHERE x.toxicity_type = 'HYPOGAMMA' \
         AND NOT EXISTS (SELECT 1 FROM lab_results l WHERE l.patient_id = x.patient_id \
         AND l.analyte = 'IGG' AND l.sample_date = x.onset_date AND l.value < 400) \
         AND NOT EXISTS (SELECT 1 FROM immunoglobulin_courses c \
         WHERE c.patient_id = x.patient_id AND c.start_date = x.onset_date)",
        // Treatments: from the onset to the last contact; doses counted for tocilizumab only;
        // G-CSF for ICAHT; corticosteroids for every ICANS of grade 2 or more.
        "SELECT count(*) FROM toxicity_treatments t JOIN toxicity_events x \
         ON x.id = t.toxicity_event_id WHERE t.start_date < x.onset_date \
         OR t.start_date > (SELECT max(contact_date) FROM follow_ups f \
         WHERE f.patient_id = x.patient_id)",
        "SELECT count(*) FROM toxicity_treatments \
         WHERE agent <> 'TOCILIZUMAB' AND doses_count IS NOT NULL",
        "SELECT count(*) FROM toxicity_treatments t JOIN toxicity_events x \
         ON x.id = t.toxicity_event_id WHERE t.agent = 'G_CSF' \
         AND x.toxicity_type NOT LIKE 'ICAHT%'",
        "SELECT count(*) FROM toxicity_events x WHERE x.toxicity_type = 'ICANS' \
         AND x.max_grade <> 'G1' AND NOT EXISTS (SELECT 1 FROM toxicity_treatments t \
         WHERE t.toxicity_event_id = x.id AND t.agent = 'CORTICOSTEROIDS')",
    ];
    for sql in violations {
        assert_eq!(count(&mut conn, sql), 0, "{sql}");
    }

    // The cohort has what the nightly report needs.
    let present = [
        "SELECT count(*) FROM patients WHERE ltfu_status = 'LOST'",
        "SELECT count(*) FROM patients WHERE ltfu_status = 'WITHDRAWN'",
        "SELECT count(*) FROM patients WHERE ltfu_status = 'TRANSFERRED'",
        "SELECT count(*) FROM treatment_courses WHERE not_infused_reason IS NOT NULL",
        "SELECT count(*) FROM follow_ups WHERE relapse_since_last = 'Y'",
        "SELECT count(*) FROM lab_results WHERE value_missing = 'ND'",
        "SELECT count(*) FROM lab_results WHERE analyte = 'IGG' AND value < 400",
        "SELECT count(*) FROM persistence_tests WHERE detected = 'N'",
        "SELECT count(*) FROM deaths WHERE primary_cause = 'DISEASE'",
        "SELECT count(*) FROM deaths WHERE primary_cause LIKE 'INFECTION%'",
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type = 'CRS' AND max_grade = 'G3'",
        "SELECT count(*) FROM immunoglobulin_courses WHERE ongoing = 1",
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type = 'ICAHT_EARLY' \
         AND max_grade IN ('G3', 'G4')",
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type = 'ICAHT_LATE'",
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type = 'TLS'",
        "SELECT count(*) FROM toxicity_events WHERE toxicity_type = 'HYPOGAMMA'",
        "SELECT count(*) FROM toxicity_treatments WHERE agent = 'G_CSF'",
        "SELECT count(*) FROM toxicity_treatments WHERE agent = 'OTHER' \
         AND agent_detail IS NOT NULL",
        "SELECT count(*) FROM toxicity_treatments WHERE agent = 'ANTIEPILEPTICS'",
        // Relapses found by more than one method, and each method in use.
        "SELECT count(*) FROM (SELECT follow_up_id FROM relapse_detection_methods \
         GROUP BY follow_up_id HAVING count(*) > 1)",
        "SELECT count(*) FROM relapse_detection_methods WHERE method = 'CYTO_FISH'",
        "SELECT count(*) FROM relapse_detection_methods WHERE method = 'MOLECULAR'",
    ];
    for sql in present {
        assert!(count(&mut conn, sql) > 0, "{sql}");
    }
}

#[test]
fn an_existing_database_is_kept_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cohort.db");
    seed::seed(&options(path.clone(), 50, 1, 1)).unwrap();
    let before = dump(&path);

    let refused = seed::seed(&options(path.clone(), 60, 2, 1)).unwrap_err();
    assert!(matches!(refused, SeedError::AlreadyExists(_)), "{refused}");
    assert!(refused.to_string().contains("--force"), "{refused}");
    assert_eq!(dump(&path), before);

    let mut forced = options(path.clone(), 60, 2, 1);
    forced.force = true;
    seed::seed(&forced).unwrap();
    let mut conn = connect(&path);
    assert_eq!(count(&mut conn, "SELECT count(*) FROM patients"), 60);
    // Only the database (and its WAL side files) remain: no temporary file.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("cohort.db"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn bad_input_fails_with_one_clear_message_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing_dir = dir.path().join("no/such/dir/cohort.db");
    let err = seed::seed(&options(missing_dir.clone(), 10, 1, 1)).unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(!missing_dir.exists());

    let zero = seed::seed(&options(dir.path().join("zero.db"), 0, 1, 1)).unwrap_err();
    assert!(zero.to_string().contains("--patients"), "{zero}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Migration 000028 makes `persistence_tests` again with new constraints: up keeps every row
/// as it is; down keeps every row but the LLOQ and unit of a result without a value (a result
/// censored below the LLOQ), which its constraints no longer allow.
#[test]
fn migration_000028_keeps_every_persistence_test_and_down_only_drops_a_censored_lloq() {
    use diesel_migrations::MigrationHarness;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seeded.db");
    seed::seed(&options(path.clone(), 400, 5, 1)).unwrap();
    let mut conn = registry::db::open(&path).unwrap();
    // Every column; with `censored_dropped`, as down.sql leaves a row without a value.
    let rows = |conn: &mut SqliteConnection, censored_dropped: bool| -> Vec<String> {
        let (unit, lloq) = if censored_dropped {
            (
                "CASE WHEN value IS NULL THEN NULL ELSE unit END",
                "CASE WHEN value IS NULL THEN NULL ELSE lloq END",
            )
        } else {
            ("unit", "lloq")
        };
        diesel::dsl::sql::<Text>(&format!(
            "SELECT quote(id) || quote(patient_id) || quote(course_id) \
             || quote(reported_in_follow_up_id) || quote(sample_date) \
             || quote(sample_date_estimated) || quote(specimen) || quote(method) \
             || quote(detected) || quote(value) || quote({unit}) || quote(below_lloq) \
             || quote({lloq}) || quote(laboratory) || quote(created_at) || quote(created_by) \
             || quote(updated_at) || quote(updated_by) || quote(row_version) \
             FROM persistence_tests ORDER BY id"
        ))
        .load(conn)
        .unwrap()
    };
    let before = rows(&mut conn, false);
    let censored_with_lloq: i64 = diesel::dsl::sql::<BigInt>(
        "SELECT count(*) FROM persistence_tests WHERE below_lloq AND lloq IS NOT NULL",
    )
    .get_result(&mut conn)
    .unwrap();
    assert!(before.len() > 100, "the seed wrote persistence tests");
    assert!(
        censored_with_lloq > 0,
        "the seed wrote censored results with their LLOQ"
    );
    let expected_down = rows(&mut conn, true);

    let mut reverted = Vec::new();
    while !reverted.iter().any(|v: &String| v.ends_with("000028")) {
        reverted.push(
            conn.revert_last_migration(registry::db::MIGRATIONS)
                .unwrap()
                .to_string(),
        );
    }
    let down = rows(&mut conn, false);
    conn.run_pending_migrations(registry::db::MIGRATIONS)
        .unwrap();
    let up_again = rows(&mut conn, false);

    assert_eq!(
        down, expected_down,
        "down.sql drops only a censored result's LLOQ"
    );
    assert_eq!(up_again, down, "up.sql keeps every row as it finds it");
}

/// Migration 000029 makes `infection_sites` again with `site_other`: up keeps every row as it
/// is (an OTHER site stored before the name was asked stays, unnamed); down keeps every row
/// and drops only the column with the names.
#[test]
fn migration_000029_keeps_every_infection_site_and_down_only_drops_the_names() {
    use diesel_migrations::MigrationHarness;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seeded.db");
    seed::seed(&options(path.clone(), 400, 5, 1)).unwrap();
    let mut conn = registry::db::open(&path).unwrap();
    let revert_000029 = |conn: &mut SqliteConnection| {
        let mut reverted = Vec::new();
        while !reverted.iter().any(|v: &String| v.ends_with("000029")) {
            reverted.push(
                conn.revert_last_migration(registry::db::MIGRATIONS)
                    .unwrap()
                    .to_string(),
            );
        }
    };
    // Every column the table had before 000029.
    let rows = |conn: &mut SqliteConnection| -> Vec<String> {
        diesel::dsl::sql::<Text>(
            "SELECT quote(id) || quote(infection_id) || quote(site) || quote(created_at) \
             || quote(created_by) || quote(updated_at) || quote(updated_by) \
             || quote(row_version) FROM infection_sites ORDER BY id",
        )
        .load(conn)
        .unwrap()
    };
    let count = |conn: &mut SqliteConnection, sql: &str| -> i64 {
        diesel::dsl::sql::<BigInt>(sql).get_result(conn).unwrap()
    };
    revert_000029(&mut conn);
    // An OTHER site as stored before 000029: no name.
    diesel::sql_query(
        "INSERT INTO infection_sites (infection_id, site, created_by, updated_by) \
         SELECT min(id), 'OTHER', 1, 1 FROM infections",
    )
    .execute(&mut conn)
    .unwrap();
    let before = rows(&mut conn);
    assert!(before.len() > 100, "the seed wrote infection sites");

    conn.run_pending_migrations(registry::db::MIGRATIONS)
        .unwrap();
    let up = rows(&mut conn);
    let named_after_up = count(
        &mut conn,
        "SELECT count(*) FROM infection_sites WHERE site_other IS NOT NULL",
    );
    diesel::sql_query(
        "UPDATE infection_sites SET site_other = 'Catheter exit site', \
         row_version = row_version + 1 WHERE site = 'OTHER'",
    )
    .execute(&mut conn)
    .unwrap();
    let named = rows(&mut conn);
    revert_000029(&mut conn);
    let down = rows(&mut conn);
    let name_column = count(
        &mut conn,
        "SELECT count(*) FROM pragma_table_info('infection_sites') WHERE name = 'site_other'",
    );

    assert_eq!(up, before, "up.sql keeps every row as it finds it");
    assert_eq!(
        named_after_up, 0,
        "the OTHER site stored before stays unnamed"
    );
    assert_eq!(down, named, "down.sql keeps every row");
    assert_eq!(name_column, 0, "down.sql drops the names");
}
