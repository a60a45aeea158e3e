//! Immune-recovery endpoint dates (domain.md §6.4, §6.5), one row per patient, joined into the
//! analysis set and turned into the ADTTE parameters `BCAPL` and `PERSLOSS` by `endpoints`.
//!
//! - **B-cell aplasia duration** (`BCAPL`): from Day 0 to B-cell recovery, the first CD19+ B-cell
//!   count after Day 0 at or above [`B_CELL_RECOVERY_PER_UL`] (aplasia is a count below it,
//!   domain.md §3.8). Patients with no count after Day 0 are not evaluable (no row); the others
//!   without recovery are censored at their last count.
//! - **Time to loss of CAR-T persistence** (`PERSLOSS`): among patients with a detectable test
//!   after Day 0, from Day 0 to the first test date after the first detectable one on which no
//!   test detects the cells; otherwise censored at the last test. Tests on the same day count as
//!   one result, detectable if any detects (two methods on one sample).
//!
//! Only samples after Day 0 count, and for a patient who died only those on or before the death
//! (a sample after death is a data problem); rows after the cut-off never reach here (`load`).
//! A persistence test without a result (not done, unknown: a null `detected`) is no result.
//! What does not live here: the timepoint shares (`analyses::immune`), statistics.

use polars::prelude::*;

use super::endpoints::days;

/// CD19+ B cells per µL at or above which B cells count as recovered: the aplasia threshold of
/// the registry's domain (below 20 cells/µL is aplasia).
pub const B_CELL_RECOVERY_PER_UL: f64 = registry::domain::lab::B_CELL_APLASIA_CD19_PER_UL;

/// The lab analyte code of the absolute CD19+ B-cell count.
pub const CD19_ANALYTE: &str = "CD19_ABS";

/// A sample inside the patient's follow-up: after Day 0 and not after a recorded death.
pub fn in_follow_up() -> Expr {
    days("sample_date").gt(days("day0")).and(
        col("death_date")
            .is_null()
            .or(days("sample_date").lt_eq(days("death_date"))),
    )
}

/// A B-cell count showing recovery (not aplasia).
pub fn b_cell_recovered() -> Expr {
    col("value").gt_eq(lit(B_CELL_RECOVERY_PER_UL))
}

/// Per patient with a CD19+ count in follow-up: `bcell_last_date` (the last count) and
/// `bcell_recovery_date` (the first count at or above the threshold; null if none).
///
/// `labs`: the loaded `lab_results`; `followed`: `patient_id`, `day0`, `death_date`.
pub fn b_cell_dates(labs: LazyFrame, followed: LazyFrame) -> LazyFrame {
    labs.filter(
        col("analyte")
            .eq(lit(CD19_ANALYTE))
            .and(col("value").is_not_null()),
    )
    .join(
        followed,
        [col("patient_id")],
        [col("patient_id")],
        JoinArgs::new(JoinType::Inner),
    )
    .filter(in_follow_up())
    .group_by([col("patient_id")])
    .agg([
        col("sample_date").max().alias("bcell_last_date"),
        col("sample_date")
            .filter(b_cell_recovered())
            .min()
            .alias("bcell_recovery_date"),
    ])
}

/// Per patient with a detectable persistence test in follow-up: `pers_first_detected`,
/// `pers_loss_date` (the first test day after it with no detectable test; null if none) and
/// `pers_last_test` (the last test day with a result).
///
/// `tests`: the loaded `persistence_tests`; `followed`: `patient_id`, `day0`, `death_date`.
pub fn persistence_dates(tests: LazyFrame, followed: LazyFrame) -> LazyFrame {
    let by_day = tests
        .filter(col("detected").is_not_null())
        .join(
            followed,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(in_follow_up())
        .group_by([col("patient_id"), col("sample_date")])
        .agg([col("detected")
            .cast(DataType::UInt32)
            .max()
            .gt(lit(0u32))
            .alias("detected_any")]);
    let first = by_day
        .clone()
        .filter(col("detected_any"))
        .group_by([col("patient_id")])
        .agg([col("sample_date").min().alias("pers_first_detected")]);
    by_day
        .join(
            first,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col("patient_id")])
        .agg([
            col("pers_first_detected").first(),
            col("sample_date")
                .filter(
                    col("detected_any")
                        .not()
                        .and(days("sample_date").gt(days("pers_first_detected"))),
                )
                .min()
                .alias("pers_loss_date"),
            col("sample_date").max().alias("pers_last_test"),
        ])
}

/// The analysis set with the immune dates joined on (null where a patient has none).
pub fn with_immune_dates(
    set: LazyFrame,
    labs: &DataFrame,
    tests: &DataFrame,
) -> PolarsResult<LazyFrame> {
    let followed = set
        .clone()
        .select([col("patient_id"), col("day0"), col("death_date")]);
    Ok(set
        .join(
            b_cell_dates(labs.clone().lazy(), followed.clone()),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            persistence_dates(tests.clone().lazy(), followed),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        ))
}
