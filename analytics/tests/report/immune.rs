//! B-cell aplasia duration (`BCAPL`) and time to loss of CAR-T persistence (`PERSLOSS`)
//! through the real load: the cut-off day counts, rows after it do not, and a patient without
//! a measurement after Day 0 has no row.

use analytics::report::endpoints::{EndpointOptions, adtte, analysable, analysis_set, cnsr};
use analytics::report::load::load;
use polars::prelude::*;

use crate::helpers::{TestDb, date};

/// (AVAL, CNSR) of one ADTTE row, `None` if the patient has no row for `code`.
fn param(t: &DataFrame, id: &str, code: &str) -> Option<(i32, i32)> {
    let df = t
        .clone()
        .lazy()
        .filter(col("USUBJID").eq(lit(id)).and(col("PARAMCD").eq(lit(code))))
        .collect()
        .unwrap();
    assert!(df.height() <= 1, "{id} {code}: one row per patient");
    (df.height() == 1).then(|| {
        (
            df.column("AVAL").unwrap().i32().unwrap().get(0).unwrap(),
            df.column("CNSR").unwrap().i32().unwrap().get(0).unwrap(),
        )
    })
}

fn adtte_at(db: &TestDb, cutoff: &str) -> DataFrame {
    let reg = load(db.path(), date(cutoff)).unwrap();
    let opts = EndpointOptions::default();
    let set = analysis_set(&reg, &opts).unwrap();
    adtte(&analysable(&set).unwrap(), &opts).unwrap()
}

#[test]
fn b_cell_recovery_on_the_cutoff_day_counts_and_later_counts_do_not() {
    let mut db = TestDb::new();
    // 1: aplastic on day 30, recovered (25/µL) on the cut-off day (day 181).
    db.patient(1, "DLBCL_NOS", "2024-01-01");
    db.contact(1, "2024-06-30", None);
    db.b_cells(1, "2024-01-31", 5.0);
    db.b_cells(1, "2024-06-30", 25.0);
    db.b_cells(1, "2024-07-15", 100.0);
    // 2: only a Day 0 count: not evaluable.
    db.patient(2, "DLBCL_NOS", "2024-01-01");
    db.contact(2, "2024-06-01", None);
    db.b_cells(2, "2024-01-01", 2.0);
    // 3: aplastic up to the cut-off; the recovery after it is not seen: censored at day 91.
    db.patient(3, "BALL", "2024-01-01");
    db.contact(3, "2024-06-01", None);
    db.b_cells(3, "2024-02-01", 1.0);
    db.b_cells(3, "2024-04-01", 12.0);
    db.b_cells(3, "2024-08-01", 80.0);
    let t = adtte_at(&db, "2024-06-30");
    assert_eq!(param(&t, "BCN-000001", "BCAPL"), Some((181, cnsr::EVENT)));
    assert_eq!(param(&t, "BCN-000002", "BCAPL"), None);
    assert_eq!(
        param(&t, "BCN-000003", "BCAPL"),
        Some((91, cnsr::LAST_MEASUREMENT))
    );
    // A day earlier, patient 1's recovery is after the cut-off: censored at the day-30 count.
    let t = adtte_at(&db, "2024-06-29");
    assert_eq!(
        param(&t, "BCN-000001", "BCAPL"),
        Some((30, cnsr::LAST_MEASUREMENT))
    );
}

#[test]
fn persistence_loss_on_the_cutoff_day_counts_and_later_tests_do_not() {
    let mut db = TestDb::new();
    // 4: detectable on day 14, undetectable on the cut-off day (day 181): lost.
    db.patient(4, "DLBCL_NOS", "2024-01-01");
    db.contact(4, "2024-06-30", None);
    db.persistence(4, "2024-01-15", "Y");
    db.persistence(4, "2024-06-30", "N");
    // 5: the undetectable test is after the cut-off: censored at the last test (day 60).
    db.patient(5, "DLBCL_NOS", "2024-01-01");
    db.contact(5, "2024-06-01", None);
    db.persistence(5, "2024-01-15", "Y");
    db.persistence(5, "2024-03-01", "Y");
    db.persistence(5, "2024-08-01", "N");
    // 6: never detectable: not in PERSLOSS.
    db.patient(6, "DLBCL_NOS", "2024-01-01");
    db.contact(6, "2024-06-01", None);
    db.persistence(6, "2024-01-15", "N");
    // 7: no test after Day 0 at all.
    db.patient(7, "DLBCL_NOS", "2024-01-01");
    db.persistence(7, "2024-01-01", "Y");
    let t = adtte_at(&db, "2024-06-30");
    assert_eq!(
        param(&t, "BCN-000004", "PERSLOSS"),
        Some((181, cnsr::EVENT))
    );
    assert_eq!(
        param(&t, "BCN-000005", "PERSLOSS"),
        Some((60, cnsr::LAST_MEASUREMENT))
    );
    assert_eq!(param(&t, "BCN-000006", "PERSLOSS"), None);
    assert_eq!(param(&t, "BCN-000007", "PERSLOSS"), None);
}

#[test]
fn a_persistence_test_without_a_result_is_not_a_loss() {
    let mut db = TestDb::new();
    db.patient(8, "DLBCL_NOS", "2024-01-01");
    db.contact(8, "2024-06-01", None);
    db.persistence(8, "2024-01-15", "Y");
    db.persistence(8, "2024-03-01", "ND");
    db.persistence(8, "2024-05-01", "Y");
    let t = adtte_at(&db, "2024-06-30");
    assert_eq!(
        param(&t, "BCN-000008", "PERSLOSS"),
        Some((121, cnsr::LAST_MEASUREMENT))
    );
}

/// The transgene medians: each patient's closest PCR test to the timepoint, a test that did
/// not detect the transgene or found it below the LLOQ ranked lowest (0); flow cytometry and
/// quantities in another unit left out.
#[test]
fn transgene_medians_rank_unquantifiable_tests_lowest_and_leave_other_units_out() {
    use analytics::report::analyses::immune;
    let mut db = TestDb::new();
    for id in 1..=6 {
        db.patient(id, "DLBCL_NOS", "2024-01-01");
        db.contact(id, "2024-12-01", None);
    }
    // Month 3 (day 91) and its window (61 to 121).
    db.persistence_measured(
        1,
        "2024-04-01",
        "QPCR_TRANSGENE",
        Some(5000.0),
        "COPIES_PER_UG_GDNA",
    );
    db.persistence_measured(2, "2024-03-30", "DDPCR", Some(300.0), "COPIES_PER_UG_GDNA");
    db.persistence_measured(
        3,
        "2024-04-02",
        "QPCR_TRANSGENE",
        None,
        "COPIES_PER_UG_GDNA",
    );
    // 4: not detected at the timepoint; its detected test 40 days earlier is outside the window.
    db.persistence(4, "2024-04-01", "N");
    db.persistence_measured(
        4,
        "2024-02-20",
        "QPCR_TRANSGENE",
        Some(9e5),
        "COPIES_PER_UG_GDNA",
    );
    // 5 and 6: not transgene copies per µg DNA.
    db.persistence_measured(5, "2024-04-01", "FLOW_CAR", Some(2.5), "PCT_OF_CD3");
    db.persistence_measured(
        6,
        "2024-04-01",
        "QPCR_TRANSGENE",
        Some(80.0),
        "COPIES_PER_UL_BLOOD",
    );
    let reg = load(db.path(), date("2024-12-01")).unwrap();
    let opts = EndpointOptions::default();
    let set = analysis_set(&reg, &opts).unwrap();
    let t = adtte(&analysable(&set).unwrap(), &opts).unwrap();

    let ir = immune(&set, &reg, &t).unwrap();

    let m3 = &ir.transgene_median_copies_per_ug[0];
    assert_eq!((m3.timepoint.as_str(), m3.n), ("M3", 4));
    // Sorted: 0 (below the LLOQ), 0 (not detected), 300, 5000: the middle two average 150.
    assert_eq!(m3.median, Some(150.0));
    assert_eq!(
        ir.transgene_median_copies_per_ug[3].n, 0,
        "nothing at month 24"
    );
}
