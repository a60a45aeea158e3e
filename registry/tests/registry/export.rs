//! CSV exports on a small seeded cohort: RFC 4180 quoting, a code and a label column for every
//! coded column of the schema, the de-identified profile, study days, site scoping, row counts,
//! deterministic output, and `registry export` on bad input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use registry::domain::all_vocabularies;
use registry::export::{
    self, DICTIONARY_FILE, Entity, ExportError, ExportOptions, Profile, PseudonymKey,
};
use registry::seed::{self, SeedOptions};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Helpers

/// A seeded 50-patient database in its own temporary directory.
struct Seeded {
    dir: TempDir,
    path: PathBuf,
}

fn seeded() -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.db");
    seed::seed(&SeedOptions {
        db: path.clone(),
        patients: 50,
        seed: 7,
        today: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        force: false,
        threads: 1,
        progress: false,
        check_constraints: true,
    })
    .unwrap();
    Seeded { dir, path }
}

/// One seeded database shared by the tests that only read it.
fn shared() -> &'static Path {
    static DB: OnceLock<Seeded> = OnceLock::new();
    &DB.get_or_init(seeded).path
}

fn connect(path: &Path) -> SqliteConnection {
    registry::db::open(path).unwrap()
}

fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    diesel::dsl::sql::<BigInt>(sql).get_result(conn).unwrap()
}

fn strings(conn: &mut SqliteConnection, sql: &str) -> Vec<String> {
    diesel::dsl::sql::<Text>(sql).load(conn).unwrap()
}

/// A parsed CSV file: the header and the records.
struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Csv {
    fn parse(bytes: &[u8]) -> Csv {
        let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        Csv { header, rows }
    }

    fn read(path: &Path) -> Csv {
        Csv::parse(&std::fs::read(path).unwrap())
    }

    fn index(&self, column: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("no column {column} in {:?}", self.header))
    }

    fn column(&self, column: &str) -> Vec<&str> {
        let i = self.index(column);
        self.rows.iter().map(|r| r[i].as_str()).collect()
    }
}

fn entity_csv(conn: &mut SqliteConnection, entity: Entity, options: &ExportOptions) -> Vec<u8> {
    let mut out = Vec::new();
    export::write_entity(conn, entity, options, &mut out).unwrap();
    out
}

fn deidentified(days: bool) -> ExportOptions {
    ExportOptions {
        profile: Profile::Deidentified(PseudonymKey::new(b"a test key of enough length").unwrap()),
        days_from_day0: days,
        sites: Vec::new(),
    }
}

/// Exports into `<dir>/<name>` and reads every file back.
fn export_dir(
    db: &Path,
    dir: &Path,
    name: &str,
    options: &ExportOptions,
) -> BTreeMap<String, Vec<u8>> {
    let out = dir.join(name);
    let mut conn = connect(db);
    export::export_to_dir(&mut conn, &out, &[], options).unwrap();
    std::fs::read_dir(&out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn registry_bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_registry"))
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------------------------
// Files, rows and quoting

#[test]
fn every_entity_has_one_row_per_table_row_sorted_by_id() {
    let db = shared();
    let dir = tempfile::tempdir().unwrap();
    let files = export_dir(db, dir.path(), "full", &ExportOptions::full());
    let mut expected: BTreeSet<String> = Entity::ALL
        .iter()
        .map(|e| format!("{}.csv", e.table()))
        .collect();
    expected.insert(DICTIONARY_FILE.to_owned());
    assert_eq!(files.keys().cloned().collect::<BTreeSet<_>>(), expected);

    let mut conn = connect(db);
    let mut total = 0;
    for entity in Entity::ALL {
        let csv = Csv::parse(&files[&format!("{}.csv", entity.table())]);
        let n = count(
            &mut conn,
            &format!("SELECT count(*) FROM {}", entity.table()),
        );
        assert_eq!(csv.rows.len() as i64, n, "{entity}");
        total += n;
        let ids: Vec<i64> = csv
            .column("id")
            .iter()
            .map(|id| id.parse().unwrap())
            .collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{entity} not by id");
        assert_eq!(csv.header, export::header(*entity, &ExportOptions::full()));
    }
    assert!(
        total > 500,
        "the seeded cohort is too small to test: {total}"
    );
}

#[test]
fn free_text_is_quoted_per_rfc_4180_and_reads_back_exactly() {
    let s = seeded();
    let mut conn = connect(&s.path);
    let nasty = "Aspergillus, \"probable\"\r\nsecond line\nthird; ünïcode";
    diesel::sql_query(
        "UPDATE infections SET organism_other = ?, row_version = row_version + 1 \
         WHERE id = (SELECT min(id) FROM infections)",
    )
    .bind::<Text, _>(nasty)
    .execute(&mut conn)
    .unwrap();

    let bytes = entity_csv(&mut conn, Entity::Infections, &ExportOptions::full());
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(
        text.contains("\"Aspergillus, \"\"probable\"\"\r\nsecond line\nthird; ünïcode\""),
        "{}",
        &text[..text.len().min(600)]
    );
    // Every record ends with CRLF, and unquoted fields carry no quotes.
    assert!(text.ends_with("\r\n"));
    let csv = Csv::parse(&bytes);
    assert_eq!(csv.column("organism_other")[0], nasty);
    let n = count(&mut conn, "SELECT count(*) FROM infections");
    assert_eq!(csv.rows.len() as i64, n);
    // A line break outside quotes is always CRLF: strip the quoted field, count bare LFs.
    let without = text.replace(&format!("\"{}\"", nasty.replace('"', "\"\"")), "");
    assert_eq!(
        without.matches('\n').count(),
        without.matches("\r\n").count()
    );
}

// ---------------------------------------------------------------------------------------------
// Codes and labels

/// The columns of `table` whose CHECK lists codes (`CHECK (col IN ('A', ...))`).
fn coded_columns_of(
    conn: &mut SqliteConnection,
    table: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    let sql = strings(
        conn,
        &format!("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
    )
    .remove(0);
    let mut found = BTreeMap::new();
    let mut rest = sql.as_str();
    while let Some(pos) = rest.find("CHECK (") {
        rest = &rest[pos + "CHECK (".len()..];
        let token: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Code lists are quoted text; `x IN (0, 1)` is a boolean.
        if let Some(list) = rest[token.len()..].strip_prefix(" IN (")
            && list.starts_with('\'')
        {
            let end = list.find(')').unwrap();
            let codes = list[..end]
                .split(',')
                .map(|c| c.trim().trim_matches('\'').to_owned())
                .collect();
            found.insert(token, codes);
        }
    }
    found
}

#[test]
fn every_coded_column_has_a_label_column_from_its_vocabulary() {
    let db = shared();
    let dir = tempfile::tempdir().unwrap();
    let files = export_dir(db, dir.path(), "full", &ExportOptions::full());
    let dictionary = Csv::parse(&files[DICTIONARY_FILE]);
    let vocabularies = all_vocabularies();
    let missing = vocabularies
        .iter()
        .find(|v| v.type_name == "MissingCode")
        .unwrap();
    let mut conn = connect(db);
    let mut checked_labels = 0;
    for entity in Entity::ALL {
        let csv = Csv::parse(&files[&format!("{}.csv", entity.table())]);
        let coded = coded_columns_of(&mut conn, entity.table());
        for (column, schema_codes) in &coded {
            let i = csv.index(column);
            assert_eq!(
                csv.header[i + 1],
                format!("{column}_label"),
                "{entity}.{column}: the label column follows the code"
            );
            // The dictionary names the vocabulary and lists every code the schema allows.
            let row = dictionary
                .rows
                .iter()
                .find(|r| r[0] == entity.table() && &r[1] == column)
                .unwrap_or_else(|| panic!("{entity}.{column} not in the dictionary"));
            assert_eq!(row[2], "code");
            let allowed: BTreeSet<String> = row[4]
                .split(" | ")
                .filter_map(|p| p.split_once('=').map(|(c, _)| c.to_owned()))
                .collect();
            assert!(
                schema_codes.is_subset(&allowed),
                "{entity}.{column}: schema {schema_codes:?} vs dictionary {allowed:?}"
            );
            let vocabulary = vocabularies
                .iter()
                .find(|v| v.name == row[3])
                .unwrap_or_else(|| panic!("{entity}.{column}: no vocabulary {:?}", row[3]));
            // Every label is the vocabulary's label of the code (or the missing code's).
            for r in &csv.rows {
                let (code, label) = (&r[i], &r[i + 1]);
                if code.is_empty() {
                    assert!(label.is_empty(), "{entity}.{column}: label without code");
                    continue;
                }
                let want = vocabulary
                    .codes
                    .iter()
                    .position(|c| c == code)
                    .map(|k| vocabulary.labels[k])
                    .or_else(|| {
                        missing
                            .codes
                            .iter()
                            .position(|c| c == code)
                            .map(|k| missing.labels[k])
                    })
                    .unwrap_or_else(|| panic!("{entity}.{column}: code {code} unknown"));
                assert_eq!(label, want, "{entity}.{column} = {code}");
                checked_labels += 1;
            }
        }
    }
    assert!(
        checked_labels > 2000,
        "only {checked_labels} labels checked"
    );

    // The response's label comes from its criteria's own list.
    let responses = Csv::parse(&files["response_assessments.csv"]);
    let (c, r, l) = (
        responses.index("criteria"),
        responses.index("response"),
        responses.index("response_label"),
    );
    for row in &responses.rows {
        let vocabulary = match row[c].as_str() {
            "LUGANO2014" => "LuganoResponse",
            "IMWG2016" => "ImwgResponse",
            "BALL" => "AllResponse",
            "IWCLL2018" => "IwcllResponse",
            _ => "GenericResponse",
        };
        let v = registry::domain::find_vocabulary(vocabulary).unwrap();
        let k = v.codes.iter().position(|x| *x == row[r]).unwrap();
        assert_eq!(row[l], v.labels[k]);
    }
    assert!(!responses.rows.is_empty());
}

// ---------------------------------------------------------------------------------------------
// De-identified profile

const IDENTIFYING: &[&str] = &[
    "registry_id",
    "cibmtr_crid",
    "ebmt_id",
    "trial_subject_id",
    "birth_date",
    "referring_physician",
    "transfer_centre",
    "batch_number",
    "disease_other",
    "bridging_regimen",
    "organism_other",
    "site_other",
    "primary_cause_other",
    "cause_other",
    "agent_detail",
    "malignancy_detail",
    "laboratory",
    "regimen",
    "toxicity_term",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "locked_by",
    "locked_at",
    "row_version",
];

fn looks_like_date(cell: &str) -> bool {
    let b = cell.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
}

#[test]
fn the_deidentified_profile_has_no_identities_and_with_study_days_no_dates() {
    let db = shared();
    let dir = tempfile::tempdir().unwrap();
    let files = export_dir(db, dir.path(), "deid", &deidentified(true));
    let mut conn = connect(db);
    let registry_ids: BTreeSet<String> = strings(&mut conn, "SELECT registry_id FROM patients")
        .into_iter()
        .collect();

    let patients = Csv::parse(&files["patients.csv"]);
    let pseudonyms: BTreeSet<&str> = patients.column("id").into_iter().collect();
    assert_eq!(pseudonyms.len(), patients.rows.len(), "pseudonyms unique");
    for p in &pseudonyms {
        assert!(
            p.len() == 14 && p.starts_with("P-") && p[2..].chars().all(|c| c.is_ascii_hexdigit()),
            "{p}"
        );
    }

    for (name, bytes) in &files {
        let csv = Csv::parse(bytes);
        for column in IDENTIFYING {
            assert!(
                !csv.header.iter().any(|h| h == column),
                "{name} has identifying column {column}"
            );
        }
        if name == DICTIONARY_FILE {
            continue;
        }
        assert!(
            !csv.header.iter().any(|h| h.ends_with("_date")),
            "{name} has a calendar date column: {:?}",
            csv.header
        );
        for row in &csv.rows {
            for cell in row {
                assert!(!looks_like_date(cell), "{name}: date {cell}");
                assert!(!registry_ids.contains(cell), "{name}: registry id {cell}");
            }
        }
        if csv.header.iter().any(|h| h == "patient_id") {
            for p in csv.column("patient_id") {
                assert!(
                    pseudonyms.contains(p),
                    "{name}: patient {p} not in patients"
                );
            }
        }
    }

    // Day 0 is each infused patient's first infusion: their smallest infusion day is 0.
    let infusions = Csv::parse(&files["infusions.csv"]);
    let mut first: BTreeMap<&str, i64> = BTreeMap::new();
    for (p, day) in infusions
        .column("patient_id")
        .into_iter()
        .zip(infusions.column("infusion_day"))
    {
        let day: i64 = day.parse().unwrap();
        let e = first.entry(p).or_insert(day);
        *e = (*e).min(day);
    }
    assert!(!first.is_empty());
    assert!(first.values().all(|d| *d == 0), "{first:?}");
    // The estimated flags stay.
    assert!(
        infusions
            .header
            .iter()
            .any(|h| h == "infusion_date_estimated")
    );
}

#[test]
fn study_days_are_days_from_the_first_infusion() {
    let db = shared();
    let mut conn = connect(db);
    let full = Csv::parse(&entity_csv(
        &mut conn,
        Entity::Infections,
        &ExportOptions::full(),
    ));
    let days = Csv::parse(&entity_csv(
        &mut conn,
        Entity::Infections,
        &ExportOptions {
            days_from_day0: true,
            ..ExportOptions::full()
        },
    ));
    assert_eq!(full.rows.len(), days.rows.len());
    assert!(!full.rows.is_empty());
    for (f, d) in full.rows.iter().zip(&days.rows) {
        let patient = &f[full.index("patient_id")];
        let day0 = strings(
            &mut conn,
            &format!("SELECT min(infusion_date) FROM infusions WHERE patient_id = {patient}"),
        )
        .remove(0);
        let day0 = NaiveDate::parse_from_str(&day0, "%Y-%m-%d").unwrap();
        let date = NaiveDate::parse_from_str(&f[full.index("diagnosis_date")], "%Y-%m-%d").unwrap();
        let day: i64 = d[days.index("diagnosis_day")].parse().unwrap();
        assert_eq!(day, (date - day0).num_days());
        assert_eq!(
            f[full.index("diagnosis_date_estimated")],
            d[days.index("diagnosis_date_estimated")]
        );
    }
}

#[test]
fn pseudonyms_are_stable_for_a_key_and_differ_between_keys() {
    let db = shared();
    let mut conn = connect(db);
    let a = entity_csv(&mut conn, Entity::Patients, &deidentified(false));
    let b = entity_csv(&mut conn, Entity::Patients, &deidentified(false));
    assert_eq!(a, b);
    let other = ExportOptions {
        profile: Profile::Deidentified(PseudonymKey::random()),
        ..deidentified(false)
    };
    let c = Csv::parse(&entity_csv(&mut conn, Entity::Patients, &other));
    let a = Csv::parse(&a);
    let ours: BTreeSet<&str> = a.column("id").into_iter().collect();
    assert!(c.column("id").iter().all(|p| !ours.contains(p)));
    // Without study days the de-identified profile keeps calendar dates (a limited data set).
    assert!(a.header.iter().any(|h| h == "enrolment_date"));
    assert!(a.header.iter().any(|h| h == "birth_year"));
    assert!(matches!(
        PseudonymKey::new(b"short\n"),
        Err(ExportError::WeakKey { len: 5, .. })
    ));
}

// ---------------------------------------------------------------------------------------------
// Sites, determinism

#[test]
fn site_scoping_exports_only_those_sites_patients() {
    let db = shared();
    let mut conn = connect(db);
    let sites = strings(
        &mut conn,
        "SELECT s.code FROM sites s WHERE EXISTS (SELECT 1 FROM patients p WHERE p.site_id = s.id) \
         ORDER BY s.code",
    );
    assert!(sites.len() >= 2, "{sites:?}");
    let wanted = vec![sites[0].clone(), sites[1].clone()];
    let options = ExportOptions {
        sites: wanted.clone(),
        ..ExportOptions::full()
    };
    let in_sites = format!(
        "(SELECT p.id FROM patients p JOIN sites s ON s.id = p.site_id WHERE s.code IN ('{}', '{}'))",
        wanted[0], wanted[1]
    );

    let patients = Csv::parse(&entity_csv(&mut conn, Entity::Patients, &options));
    assert!(
        patients
            .column("site_code")
            .iter()
            .all(|c| wanted.iter().any(|w| w == c))
    );
    assert_eq!(
        patients.rows.len() as i64,
        count(&mut conn, &format!("SELECT count(*) FROM {in_sites}"))
    );
    for (entity, sql) in [
        (
            Entity::FollowUps,
            format!("SELECT count(*) FROM follow_ups WHERE patient_id IN {in_sites}"),
        ),
        (
            Entity::InfectionSites,
            format!(
                "SELECT count(*) FROM infection_sites x JOIN infections i ON i.id = x.infection_id \
                 WHERE i.patient_id IN {in_sites}"
            ),
        ),
    ] {
        let csv = Csv::parse(&entity_csv(&mut conn, entity, &options));
        assert_eq!(csv.rows.len() as i64, count(&mut conn, &sql), "{entity}");
        let total = count(
            &mut conn,
            &format!("SELECT count(*) FROM {}", entity.table()),
        );
        assert!((csv.rows.len() as i64) < total, "{entity}: not scoped");
    }

    let err = export::write_entity(
        &mut conn,
        Entity::Patients,
        &ExportOptions {
            sites: vec!["NOPE".to_owned()],
            ..ExportOptions::full()
        },
        Vec::new(),
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::UnknownSite { .. }), "{err}");
    assert!(err.is_user_error());
    assert!(err.to_string().contains(&sites[0]), "{err}");
}

#[test]
fn the_same_database_gives_the_same_bytes() {
    let db = shared();
    let dir = tempfile::tempdir().unwrap();
    let a = export_dir(db, dir.path(), "a", &deidentified(true));
    let b = export_dir(db, dir.path(), "b", &deidentified(true));
    assert_eq!(a, b);
    let c = export_dir(db, dir.path(), "c", &ExportOptions::full());
    let d = export_dir(db, dir.path(), "d", &ExportOptions::full());
    assert_eq!(c, d);
}

// ---------------------------------------------------------------------------------------------
// `registry export`

fn run_export(args: &[&str]) -> (Option<i32>, String, String) {
    let out = registry_bin().arg("export").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn export_cli_writes_the_chosen_entities_and_a_dictionary() {
    let db = shared();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("export");
    let (code, stdout, stderr) = run_export(&[
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--entity",
        "infections",
        "--entity",
        "patients",
        "--deidentified",
        "--days-from-day0",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("exported 2 entities"), "{stdout}");
    assert_eq!(
        entries(&out),
        [DICTIONARY_FILE, "infections.csv", "patients.csv"]
    );
    let dictionary = Csv::read(&out.join(DICTIONARY_FILE));
    let tables: BTreeSet<&str> = dictionary.column("table").into_iter().collect();
    assert_eq!(tables, BTreeSet::from(["infections", "patients"]));
    // Only the export directory was created: no staging directory left beside it.
    assert_eq!(entries(dir.path()), ["export"]);
}

#[test]
fn export_cli_refuses_bad_input_with_one_line_exit_2_and_writes_nothing() {
    let db = shared();
    let dir = tempfile::tempdir().unwrap();
    let db_arg = db.to_str().unwrap().to_owned();
    let out = dir.path().join("export");
    let out_arg = out.to_str().unwrap().to_owned();
    std::fs::write(dir.path().join("plain-file"), b"x").unwrap();
    let under_file = dir.path().join("plain-file").join("export");
    let existing = dir.path().join("existing");
    std::fs::create_dir(&existing).unwrap();
    std::fs::write(existing.join("keep.txt"), b"mine").unwrap();
    std::fs::write(dir.path().join("short-key"), b"short").unwrap();

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--entity".into(), "infectoins".into()],
            "invalid value 'infectoins'",
        ),
        (vec!["--site".into(), "NOPE".into()], "unknown site code"),
        (
            vec![
                "--deidentified".into(),
                "--pseudonym-key-file".into(),
                dir.path().join("short-key").to_str().unwrap().into(),
            ],
            "pseudonym key too short",
        ),
        (
            vec!["--pseudonym-key-file".into(), "/dev/null".into()],
            "--deidentified",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec![
            "--db".to_owned(),
            db_arg.clone(),
            "--out".into(),
            out_arg.clone(),
        ];
        args.extend(extra);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, stderr) = run_export(&refs);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?}: output written");
    }

    for (target, message) in [
        (&under_file, "cannot write export"),
        (&existing, "already exists"),
    ] {
        let (code, _, stderr) = run_export(&["--db", &db_arg, "--out", target.to_str().unwrap()]);
        assert_eq!(code, Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
    }
    assert_eq!(entries(&existing), ["keep.txt"]);

    // A database that does not exist is not created.
    let missing_db = dir.path().join("missing.db");
    let (code, _, stderr) = run_export(&["--db", missing_db.to_str().unwrap(), "--out", &out_arg]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!missing_db.exists());

    assert_eq!(
        entries(dir.path()),
        ["existing", "plain-file", "short-key"],
        "something was left behind"
    );
}

#[test]
fn a_failed_export_leaves_no_staging_directory() {
    let s = seeded();
    let mut conn = connect(&s.path);
    // Break a table the export reads, after the sites are resolved.
    conn.batch_execute("DROP TABLE death_contributing_causes;")
        .unwrap();
    let out = s.dir.path().join("export");
    let err = export::export_to_dir(&mut conn, &out, &[], &ExportOptions::full()).unwrap_err();
    assert!(!err.is_user_error(), "{err}");
    assert!(!out.exists());
    assert_eq!(
        entries(s.dir.path())
            .into_iter()
            .filter(|e| !e.starts_with("registry.db"))
            .collect::<Vec<_>>(),
        Vec::<String>::new()
    );
}

#[test]
fn entities_are_named_by_their_tables() {
    for entity in Entity::ALL {
        assert_eq!(Entity::parse(entity.table()).unwrap(), *entity);
        assert_eq!(entity.to_string(), entity.table());
    }
    let err = Entity::parse("infectoins").unwrap_err();
    assert!(err.is_user_error());
    let message = err.to_string();
    assert!(
        message.starts_with("unknown entity \"infectoins\"") && message.contains("infection_sites"),
        "{message}"
    );
}

#[test]
fn every_table_column_is_exported_and_every_exported_column_is_in_the_dictionary() {
    let db = shared();
    let mut conn = connect(db);
    for options in [
        ExportOptions::full(),
        deidentified(false),
        deidentified(true),
    ] {
        let mut dictionary = Vec::new();
        export::write_dictionary(&[], &options, &mut dictionary).unwrap();
        let dictionary = Csv::parse(&dictionary);
        let listed: Vec<(String, String)> = dictionary
            .rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
        let unique: BTreeSet<&(String, String)> = listed.iter().collect();
        assert_eq!(unique.len(), listed.len(), "a column listed twice");
        let mut written = Vec::new();
        for entity in Entity::ALL {
            for column in export::header(*entity, &options) {
                written.push((entity.table().to_owned(), column));
            }
        }
        assert_eq!(written, listed, "dictionary rows = file columns, in order");
        assert!(
            dictionary.rows.iter().all(|r| !r[5].is_empty()),
            "a column without description"
        );
    }

    // A migration that adds a column must add it to the export spec too.
    for entity in Entity::ALL {
        let header = export::header(*entity, &ExportOptions::full());
        let columns = strings(
            &mut conn,
            &format!(
                "SELECT name FROM pragma_table_info('{}') ORDER BY cid",
                entity.table()
            ),
        );
        for column in columns {
            assert!(
                header.contains(&column),
                "{entity}.{column} is not exported"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Investigational products and re-infusions

/// An investigational course's named target (`investigational_target_other`) and an infusion's
/// intent (migration 000022) are exported, the intent with its label, in both profiles.
#[test]
fn the_other_target_and_the_infusion_intent_are_exported_with_labels() {
    let db = seeded();
    let mut conn = connect(&db.path);
    let course = count(
        &mut conn,
        "SELECT i.course_id FROM infusions i WHERE i.infusion_number = 1 AND NOT EXISTS \
         (SELECT 1 FROM infusions j WHERE j.course_id = i.course_id AND j.infusion_number = 2) \
         ORDER BY i.id LIMIT 1",
    );
    conn.batch_execute(&format!(
        "UPDATE treatment_courses SET product = 'INVESTIGATIONAL', \
           product_class = 'INVESTIGATIONAL', investigational_product_name = 'CAR22-01', \
           investigational_target = 'OTHER', investigational_target_other = 'CD22', \
           trial_id = 'NCT01234567', row_version = row_version + 1 WHERE id = {course};
         UPDATE infusions SET intent = 'INITIAL', row_version = row_version + 1
           WHERE course_id = {course} AND infusion_number = 1;
         INSERT INTO infusions (course_id, patient_id, infusion_number, lymphodepletion_regimen,
                                infusion_date, intent, created_by, updated_by)
           SELECT course_id, patient_id, 2, 'NONE', date(infusion_date, '+200 days'),
                  'REINFUSION_B_CELL_RECOVERY', 1, 1
           FROM infusions WHERE course_id = {course} AND infusion_number = 1;"
    ))
    .unwrap();

    let courses = Csv::parse(&entity_csv(
        &mut conn,
        Entity::TreatmentCourses,
        &ExportOptions::full(),
    ));
    let infusions_full = Csv::parse(&entity_csv(
        &mut conn,
        Entity::Infusions,
        &ExportOptions::full(),
    ));
    let infusions_deid = Csv::parse(&entity_csv(
        &mut conn,
        Entity::Infusions,
        &deidentified(true),
    ));

    let row = courses
        .rows
        .iter()
        .find(|r| r[courses.index("id")] == course.to_string())
        .unwrap();
    assert_eq!(row[courses.index("investigational_target")], "OTHER");
    assert_eq!(row[courses.index("investigational_target_other")], "CD22");
    for infusions in [&infusions_full, &infusions_deid] {
        let ours: Vec<(&str, &str, &str)> = infusions
            .rows
            .iter()
            .filter(|r| r[infusions.index("course_id")] == course.to_string())
            .map(|r| {
                (
                    r[infusions.index("infusion_number")].as_str(),
                    r[infusions.index("intent")].as_str(),
                    r[infusions.index("intent_label")].as_str(),
                )
            })
            .collect();
        assert_eq!(
            ours,
            vec![
                ("1", "INITIAL", "Initial infusion (Day 0)"),
                (
                    "2",
                    "REINFUSION_B_CELL_RECOVERY",
                    "Re-infusion for loss of B-cell aplasia"
                ),
            ]
        );
    }
}

#[test]
fn relapse_detection_methods_are_exported_with_their_patient_code_and_label() {
    let s = seeded();
    let mut conn = connect(&s.path);
    let follow_up = strings(
        &mut conn,
        "SELECT CAST(id AS TEXT) || ' ' || CAST(patient_id AS TEXT) FROM follow_ups \
         WHERE relapse_since_last = 'Y' ORDER BY id LIMIT 1",
    );
    let (id, patient) = follow_up[0].split_once(' ').unwrap();
    diesel::sql_query(format!(
        "INSERT INTO relapse_detection_methods (follow_up_id, method, created_by, updated_by) \
         VALUES ({id}, 'CYTO_FISH', 1, 1)"
    ))
    .execute(&mut conn)
    .unwrap();

    let csv = Csv::parse(&entity_csv(
        &mut conn,
        Entity::RelapseDetectionMethods,
        &ExportOptions::full(),
    ));

    assert_eq!(
        Entity::parse("relapse_detection_methods").unwrap(),
        Entity::RelapseDetectionMethods
    );
    let last = csv.rows.len() - 1;
    assert_eq!(csv.column("follow_up_id")[last], id);
    assert_eq!(csv.column("patient_id")[last], patient);
    assert_eq!(csv.column("method")[last], "CYTO_FISH");
    assert_eq!(csv.column("method_label")[last], "Cytogenetic / FISH");
}
