use analytics::report::endpoints::{EndpointOptions, adtte, analysable, analysis_set, cnsr};
use analytics::report::load::load;
use polars::prelude::*;

use crate::helpers::{TestDb, date};

fn param(adtte: &DataFrame, id: &str, code: &str) -> Option<(i32, i32)> {
    let df = adtte
        .clone()
        .lazy()
        .filter(col("USUBJID").eq(lit(id)).and(col("PARAMCD").eq(lit(code))))
        .collect()
        .unwrap();
    (df.height() == 1).then(|| {
        (
            df.column("AVAL").unwrap().i32().unwrap().get(0).unwrap(),
            df.column("CNSR").unwrap().i32().unwrap().get(0).unwrap(),
        )
    })
}

#[test]
fn death_on_the_cutoff_day_counts_and_later_events_do_not() {
    let mut db = TestDb::new();
    // 1: dies on the cut-off day.
    db.patient(1, "DLBCL_NOS", "2024-01-01");
    db.contact(1, "2024-03-01", None);
    db.death(1, "2024-06-30");
    // 2: relapse and death after the cut-off: alive, event-free at last contact before it.
    db.patient(2, "DLBCL_NOS", "2024-01-01");
    db.contact(2, "2024-05-01", None);
    db.contact(2, "2024-08-01", Some("2024-07-15"));
    db.death(2, "2024-09-01");
    // 3: infused after the cut-off: not in the analysis set.
    db.patient(3, "DLBCL_NOS", "2024-07-01");
    let cutoff = date("2024-06-30");
    let reg = load(db.path(), cutoff).unwrap();
    assert_eq!(reg.dropped_after_cutoff.get("deaths"), Some(&1));
    assert_eq!(reg.dropped_after_cutoff.get("infusions"), Some(&1));
    let opts = EndpointOptions::default();
    let set = analysis_set(&reg, &opts).unwrap();
    assert_eq!(
        set.height(),
        2,
        "the patient infused after the cut-off is left out"
    );
    let t = adtte(&analysable(&set).unwrap(), &opts).unwrap();
    assert_eq!(param(&t, "BCN-000001", "OS"), Some((181, cnsr::EVENT)));
    assert_eq!(
        param(&t, "BCN-000002", "OS"),
        Some((121, cnsr::LAST_CONTACT))
    );
    assert_eq!(
        param(&t, "BCN-000002", "PFS"),
        Some((121, cnsr::LAST_CONTACT))
    );
    assert_eq!(
        param(&t, "BCN-000002", "CIR"),
        Some((121, cnsr::LAST_CONTACT))
    );
}

#[test]
fn the_data_hash_is_stable_and_depends_on_the_cutoff() {
    let db = crate::helpers::small_cohort();
    let a = load(db.path(), date("2024-06-30")).unwrap();
    let b = load(db.path(), date("2024-06-30")).unwrap();
    let c = load(db.path(), date("2023-06-30")).unwrap();
    assert_eq!(a.sha256, b.sha256);
    assert_ne!(a.sha256, c.sha256);
    assert_eq!(a.sha256.len(), 64);
}

#[test]
fn a_missing_database_is_the_users_fault() {
    let err = load(
        std::path::Path::new("/nonexistent/registry.db"),
        date("2024-01-01"),
    )
    .unwrap_err();
    assert!(
        matches!(err, analytics::report::load::LoadError::Input { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/nonexistent/registry.db"));
}
