//! The typed load on its own: every frame has the schema its table spec declares, reading in
//! parallel gives exactly what one connection gives (frames, counts, data hash), and the
//! cut-off rules written in the specs' SQL do what the module documentation says.

use std::num::NonZeroUsize;

use analytics::report::load::{
    CHUNK_IDS, LoadPlan, Registry, load, load_with, load_with_threads, read_all, tables,
};
use polars::prelude::*;

use crate::helpers::{TestDb, date};

fn threads(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

/// Everything `a` and `b` hold is equal, frame by frame (nulls compare equal).
fn assert_same(a: &Registry, b: &Registry, what: &str) {
    for ((x, y), field) in a
        .frames()
        .iter()
        .zip(b.frames())
        .zip(analytics::report::load::FIELDS)
    {
        assert!(x.equals_missing(y), "{what}: {field} differs\n{x}\n{y}");
    }
    assert_eq!(a.rows, b.rows, "{what}");
    assert_eq!(a.dropped_after_cutoff, b.dropped_after_cutoff, "{what}");
    assert_eq!(a.bad_codes, b.bad_codes, "{what}");
    assert_eq!(a.sha256, b.sha256, "{what}");
}

#[test]
fn reading_in_parallel_gives_what_one_connection_gives() {
    let db = crate::report::seeded();
    let cutoff = date("2025-03-31");
    let mut conn = analytics::report::load::open_read_only(db.path()).unwrap();
    let one = read_all(&mut conn, cutoff).unwrap();
    assert!(one.total_rows() > 1000, "the seeded registry is not empty");
    assert!(
        one.dropped_after_cutoff.values().sum::<u64>() > 0,
        "the cut-off drops something, so its rules are exercised"
    );
    for n in [1, 2, 3, 4] {
        let parallel = load_with_threads(db.path(), cutoff, threads(n)).unwrap();
        assert_same(&one, &parallel, &format!("{n} threads"));
    }
    // Rows are in id order, whatever the thread that read them.
    let ids = one.patients.column("patient_id").unwrap().i32().unwrap();
    assert!(ids.into_no_null_iter().is_sorted());
}

#[test]
fn reading_in_chunks_of_any_size_gives_the_same_frames() {
    let db = crate::report::seeded();
    let cutoff = date("2025-03-31");
    let mut conn = analytics::report::load::open_read_only(db.path()).unwrap();
    let whole = read_all(&mut conn, cutoff).unwrap();
    // Chunks of 7 ids split every table of the seeded registry into many chunks, read in
    // parallel on 3 connections in whatever order the threads take them.
    for (chunk_ids, n) in [(7, 3), (7, 1), (1000, 2), (CHUNK_IDS, 2)] {
        let plan = LoadPlan {
            threads: threads(n),
            chunk_ids,
        };
        let chunked = load_with(db.path(), cutoff, plan).unwrap();
        for ((x, y), field) in whole
            .frames()
            .iter()
            .zip(chunked.frames())
            .zip(analytics::report::load::FIELDS)
        {
            assert!(
                x.equals_missing(y),
                "{chunk_ids}-id chunks: {field} differs"
            );
        }
        assert_eq!(whole.rows, chunked.rows);
        assert_eq!(whole.dropped_after_cutoff, chunked.dropped_after_cutoff);
        assert_eq!(whole.bad_codes, chunked.bad_codes);
        // The hash is defined on the default chunks: equal there, different on others.
        assert_eq!(
            whole.sha256 == chunked.sha256,
            chunk_ids == CHUNK_IDS,
            "{chunk_ids}-id chunks"
        );
    }
    // Seven-id chunks on one thread and on three give the same hash.
    let a = load_with(
        db.path(),
        cutoff,
        LoadPlan {
            threads: threads(1),
            chunk_ids: 7,
        },
    )
    .unwrap();
    let b = load_with(
        db.path(),
        cutoff,
        LoadPlan {
            threads: threads(3),
            chunk_ids: 7,
        },
    )
    .unwrap();
    assert_eq!(a.sha256, b.sha256);
}

#[test]
fn every_frame_has_the_schema_its_spec_declares() {
    let db = crate::report::seeded();
    let reg = load(db.path(), date("2025-06-30")).unwrap();
    for (frame, spec) in reg.frames().into_iter().zip(tables::ALL) {
        let got: Vec<(String, DataType)> = frame
            .columns()
            .iter()
            .map(|c| (c.name().to_string(), c.dtype().clone()))
            .collect();
        let want: Vec<(String, DataType)> = spec
            .frame_columns()
            .map(|c| (c.name.to_owned(), c.ty.dtype()))
            .collect();
        assert_eq!(got, want, "{}", spec.table);
        for column in spec.frame_columns().filter(|c| !c.nullable) {
            assert_eq!(
                frame.column(column.name).unwrap().null_count(),
                0,
                "{}.{} is declared not null",
                spec.table,
                column.name
            );
        }
        assert_eq!(
            reg.rows.get(spec.table).copied(),
            Some(frame.height() as u64),
            "{}: the kept count is the frame's height",
            spec.table
        );
    }
}

/// One patient (id 1, infused 2024-01-01) with something on each side of a 2024-06-30 cut-off
/// in every table whose spec has a cut-off rule inside the row.
fn edge_cases() -> TestDb {
    let mut db = TestDb::new();
    db.patient(1, "DLBCL_NOS", "2024-01-01");
    db.patient(2, "DLBCL_NOS", "2024-01-01");
    db.exec(
        "UPDATE patients SET ltfu_status = 'LOST', ltfu_status_date = '2024-08-01', row_version = row_version + 1 WHERE id = 1;
         UPDATE patients SET ltfu_status = 'LOST', ltfu_status_date = '2024-05-01', row_version = row_version + 1 WHERE id = 2;
         INSERT INTO follow_ups (patient_id, course_id, timepoint, contact_date, survival_status, relapse_since_last, relapse_date, created_by, updated_by) VALUES
           (1, 1, 'D28', '2024-01-29', 'ALIVE', 'N', NULL, 1, 1),
           (1, 1, 'D100', '2024-07-10', 'ALIVE', 'Y', '2024-06-01', 1, 1),
           (1, 1, 'M6', '2024-07-20', 'ALIVE', 'N', NULL, 1, 1),
           (1, 1, 'Y1', NULL, NULL, NULL, NULL, 1, 1);
         INSERT INTO toxicity_events (patient_id, course_id, toxicity_type, grading_system, max_grade, onset_date, resolution_date, created_by, updated_by) VALUES
           (1, 1, 'CRS', 'ASTCT2019', 'G2', '2024-01-03', '2024-01-08', 1, 1),
           (1, 1, 'ICAHT_LATE', 'EHA_EBMT2023', 'UNK', '2024-06-20', '2024-07-05', 1, 1),
           (1, 1, 'ICANS', 'ASTCT2019', 'G1', '2024-07-02', NULL, 1, 1);
         INSERT INTO immunoglobulin_courses (patient_id, start_date, stop_date, route, created_by, updated_by) VALUES
           (1, '2024-03-01', '2024-05-01', 'IVIG', 1, 1),
           (1, '2024-06-01', '2024-08-01', 'IVIG', 1, 1);
         INSERT INTO lab_results (patient_id, sample_date, analyte, value, unit, normalised_value, normalised_unit, ivig_within_30_days, created_by, updated_by) VALUES
           (1, '2024-02-01', 'IGG', 5.5, 'G_L', 5.5, 'G_L', 'Y', 1, 1),
           (1, '2024-02-01', 'CD19_ABS', 0.02, 'X10E9_PER_L', 0.02, 'X10E9_PER_L', NULL, 1, 1),
           (1, '2024-02-01', 'CD4_ABS', 200, 'CELLS_PER_UL', 200, 'CELLS_PER_UL', NULL, 1, 1),
           (1, '2024-07-01', 'IGG', 700, 'MG_DL', 700, 'MG_DL', 'N', 1, 1);",
    );
    db.persistence(1, "2024-02-01", "Y");
    db.persistence(1, "2024-03-01", "N");
    db.persistence(1, "2024-04-01", "ND");
    db.persistence(1, "2024-07-01", "Y");
    db
}

fn strs(df: &DataFrame, name: &str) -> Vec<Option<String>> {
    let c = df.column(name).unwrap().str().unwrap();
    c.iter().map(|v| v.map(str::to_owned)).collect()
}

fn days(df: &DataFrame, name: &str) -> Vec<Option<i32>> {
    let c = df.column(name).unwrap().cast(&DataType::Int32).unwrap();
    c.i32().unwrap().iter().collect()
}

fn day(s: &str) -> Option<i32> {
    Some(analytics::report::load::epoch_days(date(s)))
}

#[test]
fn the_cutoff_rules_in_the_specs_apply_at_the_edge() {
    let db = edge_cases();
    let reg = load(db.path(), date("2024-06-30")).unwrap();

    // A status dated after the cut-off was not known then.
    assert_eq!(
        strs(&reg.patients, "ltfu_status"),
        [Some("ACTIVE".into()), Some("LOST".into())]
    );
    assert_eq!(
        days(&reg.patients, "ltfu_status_date"),
        [None, day("2024-05-01")]
    );

    // D28 kept; D100's contact is after the cut-off but its relapse is not: kept without the
    // contact; M6 dropped and counted; the planned Y1 left out without counting.
    assert_eq!(
        days(&reg.follow_ups, "contact_date"),
        [day("2024-01-29"), None]
    );
    assert_eq!(
        strs(&reg.follow_ups, "survival_status"),
        [Some("ALIVE".into()), None]
    );
    assert_eq!(
        days(&reg.follow_ups, "relapse_date"),
        [None, day("2024-06-01")]
    );
    assert_eq!(reg.dropped_after_cutoff.get("follow_ups"), Some(&1));

    // The ICANS starting after the cut-off is dropped; a resolution after it is not known yet.
    assert_eq!(reg.dropped_after_cutoff.get("toxicity_events"), Some(&1));
    assert_eq!(
        days(&reg.toxicities, "resolution_date"),
        [day("2024-01-08"), None]
    );
    let grade = reg.toxicities.column("grade").unwrap().i32().unwrap();
    assert_eq!(grade.iter().collect::<Vec<_>>(), [Some(2), None]);

    // A course stopping after the cut-off is still running at it.
    assert_eq!(
        days(&reg.ig_courses, "stop_date"),
        [day("2024-05-01"), None]
    );

    // IgG in g/L -> mg/dL, B cells in 10^9/L -> cells/µL; other analytes are not read.
    assert_eq!(
        strs(&reg.labs, "analyte"),
        [Some("IGG".into()), Some("CD19_ABS".into())]
    );
    let value = reg.labs.column("value").unwrap().f64().unwrap();
    assert_eq!(value.iter().collect::<Vec<_>>(), [Some(550.0), Some(20.0)]);
    let ivig = reg.labs.column("ivig_flag").unwrap().bool().unwrap();
    assert_eq!(ivig.iter().collect::<Vec<_>>(), [Some(true), Some(false)]);
    assert_eq!(reg.dropped_after_cutoff.get("lab_results"), Some(&1));

    // Y detected, N not, a test not done is no result.
    let detected = reg.persistence.column("detected").unwrap().bool().unwrap();
    assert_eq!(
        detected.iter().collect::<Vec<_>>(),
        [Some(true), Some(false), None]
    );
    assert_eq!(reg.dropped_after_cutoff.get("persistence_tests"), Some(&1));
}

#[test]
fn the_data_hash_follows_every_value_read_and_only_those() {
    let mut db = edge_cases();
    let cutoff = date("2024-06-30");
    let before = load(db.path(), cutoff).unwrap().sha256;
    // A column the load does not read does not change the hash.
    db.exec("UPDATE lab_results SET platelet_transfusion_within_7_days = 'N', row_version = row_version + 1 WHERE id = 1;");
    assert_eq!(load(db.path(), cutoff).unwrap().sha256, before);
    // A value it reads does.
    db.exec("UPDATE lab_results SET normalised_value = 5.6, row_version = row_version + 1 WHERE id = 1;");
    let changed = load(db.path(), cutoff).unwrap().sha256;
    assert_ne!(changed, before);
    // So does a row after the cut-off becoming one before it.
    db.exec("UPDATE lab_results SET sample_date = '2024-06-30', row_version = row_version + 1 WHERE id = 4;");
    assert_ne!(load(db.path(), cutoff).unwrap().sha256, changed);
}

#[test]
fn a_value_that_cannot_be_read_names_its_table_row_id_and_column() {
    let mut db = crate::helpers::TestDb::new();
    for id in 1..=30 {
        db.patient(id, "DLBCL_NOS", "2024-01-10");
        db.b_cells(id, "2024-02-01", 5.0);
    }
    // A stored date the schema's CHECK would refuse, written around it (a damaged file, a
    // hand edit): the load stops with the row's id, whichever chunk and thread read it.
    db.exec(
        "PRAGMA ignore_check_constraints = ON;
         UPDATE lab_results SET sample_date = '2024-02-30', row_version = row_version + 1 WHERE id = 17;
         PRAGMA ignore_check_constraints = OFF;",
    );
    for (n, chunk_ids) in [(1, CHUNK_IDS), (3, 4)] {
        let plan = LoadPlan {
            threads: threads(n),
            chunk_ids,
        };
        let err = load_with(db.path(), date("2024-12-31"), plan)
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "table lab_results, row id 17, column sample_date: \"2024-02-30\" is not an ISO date",
            "{n} threads, {chunk_ids}-id chunks"
        );
    }
}
