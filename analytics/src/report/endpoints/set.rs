//! The analysis set: one row per infused patient, built from the loaded registry tables
//! ([`analysis_set`]), and the patients whose data allow time-to-event ([`analysable`]).

use polars::prelude::*;

use super::{
    EndpointOptions, date_null, days, earliest, end_of_follow_up, last_alive, last_contact_code,
    therapy_censor_date, treatment_failure_date,
};

/// The inputs of [`analysis_set`]: the loaded tables.
pub use crate::report::load::Registry;

/// One row per patient infused on or before the cut-off, with every date the endpoints need.
///
/// Columns: `patient_id`, `usubjid`, `site`, `ltfu_status`, `disease` (group code),
/// `disease_subtype`, `criteria` (the disease's response criteria), `product`, `antigen`,
/// `course_id`, `day0`, `infusion_year`, `death_date`, `death_cause`, `last_fu_contact`,
/// `contact_after_death`, `assessment_after_death` (counts), `relapse_fu`, `prog_assessment`, `prog_date`,
/// `new_therapy_date`, `transplant_date`, `bor_window_end`, `bor` (code, `NE` if none),
/// `bor_rank`, `responder`, `complete`, `first_response_date`, `first_cr_date`,
/// `last_assessment`, `last_alive`, `end_fu`, `lc_code`, `therapy_censor`, `failure_date`,
/// `death_before_day0`, `relapse_before_day0`, `relapse_after_death`, and from `immune`:
/// `bcell_last_date`, `bcell_recovery_date`, `pers_first_detected`, `pers_loss_date`,
/// `pers_last_test`.
pub fn analysis_set(reg: &Registry, opts: &EndpointOptions) -> PolarsResult<DataFrame> {
    // Index infusion: the earliest infusion (then course and infusion number) per patient.
    let index = reg
        .infusions
        .clone()
        .lazy()
        .join(
            reg.courses.clone().lazy(),
            [col("course_id")],
            [col("course_id")],
            JoinArgs::new(JoinType::Inner).with_suffix(Some("_c".into())),
        )
        .join(
            reg.diagnoses.clone().lazy(),
            [col("diagnosis_id")],
            [col("diagnosis_id")],
            JoinArgs::new(JoinType::Left).with_suffix(Some("_d".into())),
        )
        .sort_by_exprs(
            [
                col("patient_id"),
                col("infusion_date"),
                col("course_number"),
                col("infusion_number"),
            ],
            SortMultipleOptions::default(),
        )
        .unique_stable_generic(Some(vec![col("patient_id")]), UniqueKeepStrategy::First)
        .select([
            col("patient_id"),
            col("course_id"),
            col("infusion_date").alias("day0"),
            col("product"),
            col("antigen"),
            col("disease_group")
                .fill_null(lit("OTHER"))
                .alias("disease"),
            col("disease")
                .fill_null(lit("OTHER"))
                .alias("disease_subtype"),
            col("criteria").fill_null(lit("OTHER")),
        ]);
    let base = reg
        .patients
        .clone()
        .lazy()
        .join(
            index,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .left_join(
            reg.deaths.clone().lazy(),
            col("patient_id"),
            col("patient_id"),
        );
    let day0 = base
        .clone()
        .select([col("patient_id"), col("day0"), col("death_date")]);

    // Follow-up: last contact, contacts after death, first relapse after Day 0.
    let fu = reg
        .follow_ups
        .clone()
        .lazy()
        .join(
            day0.clone(),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .group_by([col("patient_id")])
        .agg([
            col("contact_date").max().alias("last_fu_contact"),
            col("contact_date")
                .filter(days("contact_date").gt(days("death_date")))
                .count()
                .alias("contact_after_death"),
            col("relapse_date")
                .filter(days("relapse_date").gt_eq(days("day0")))
                .min()
                .alias("relapse_fu"),
            col("relapse_date")
                .filter(days("relapse_date").lt(days("day0")))
                .count()
                .alias("relapse_before_day0"),
        ]);

    // Subsequent therapies on or after Day 0.
    let th = reg
        .therapies
        .clone()
        .lazy()
        .join(
            day0.clone(),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(days("start_date").gt_eq(days("day0")))
        .group_by([col("patient_id")])
        .agg([
            col("start_date")
                .filter(col("closes_bor_window"))
                .min()
                .alias("new_therapy_date"),
            col("start_date")
                .filter(col("transplant"))
                .min()
                .alias("transplant_date"),
        ]);

    // Assessments after Day 0 under the disease's criteria.
    let assessed = reg
        .responses
        .clone()
        .lazy()
        .join(
            base.clone().select([
                col("patient_id"),
                col("day0"),
                col("death_date"),
                col("criteria").alias("crit_expected"),
            ]),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(days("assessment_date").gt(days("day0")))
        .filter(col("criteria").eq(col("crit_expected")));
    // An assessment after death is a data problem: counted, then ignored.
    let after_death = assessed
        .clone()
        .filter(days("assessment_date").gt(days("death_date")))
        .group_by([col("patient_id")])
        .agg([len().alias("assessment_after_death")]);
    let assessed = assessed.filter(
        col("death_date")
            .is_null()
            .or(days("assessment_date").lt_eq(days("death_date"))),
    );
    let prog = assessed.clone().group_by([col("patient_id")]).agg([
        col("assessment_date")
            .filter(col("progression"))
            .min()
            .alias("prog_assessment"),
        col("assessment_date").max().alias("last_assessment"),
    ]);
    // Best overall response: assessments up to (and on) the start of a therapy that closes the
    // window; the best rank, the earliest on ties.
    let bor = assessed
        .join(
            th.clone()
                .select([col("patient_id"), col("new_therapy_date")]),
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(
            col("new_therapy_date")
                .is_null()
                .or(days("assessment_date").lt_eq(days("new_therapy_date"))),
        )
        .sort_by_exprs(
            [col("patient_id"), col("rank"), col("assessment_date")],
            SortMultipleOptions::default().with_order_descending_multi([false, true, false]),
        )
        .group_by([col("patient_id")])
        .agg([
            col("response").first().alias("bor"),
            col("assessment_date").first().alias("bor_date"),
            col("rank").first().alias("bor_rank"),
            col("responder").first().alias("responder"),
            col("complete").first().alias("complete"),
            col("assessment_date")
                .filter(col("responder"))
                .min()
                .alias("first_response_date"),
            col("assessment_date")
                .filter(col("complete"))
                .min()
                .alias("first_cr_date"),
        ]);

    let set = base
        .join(
            fu,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            th,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            prog,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            bor,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            after_death,
            [col("patient_id")],
            [col("patient_id")],
            JoinArgs::new(JoinType::Left),
        )
        .with_columns([
            col("day0").dt().year().alias("infusion_year"),
            col("bor").fill_null(lit("NE")),
            col("bor_rank").fill_null(lit(0)),
            col("responder").fill_null(lit(false)),
            col("complete").fill_null(lit(false)),
            col("contact_after_death").fill_null(lit(0)),
            col("assessment_after_death").fill_null(lit(0)),
            col("relapse_before_day0").fill_null(lit(0)),
            days("death_date")
                .lt(days("day0"))
                .fill_null(lit(false))
                .alias("death_before_day0"),
            earliest(&[col("relapse_fu"), col("prog_assessment")])?.alias("prog_any"),
        ])
        .with_columns([
            // A relapse after death is a data problem: ignored.
            days("prog_any")
                .gt(days("death_date"))
                .fill_null(lit(false))
                .alias("relapse_after_death"),
        ])
        .with_columns([when(col("relapse_after_death"))
            .then(date_null())
            .otherwise(col("prog_any"))
            .alias("prog_date")])
        .with_columns([last_alive()?])
        .with_columns([
            end_of_follow_up(),
            last_contact_code(),
            therapy_censor_date(opts)?,
        ])
        .with_columns([treatment_failure_date(opts)])
        .collect()?;
    crate::report::immune::with_immune_dates(set.lazy(), &reg.labs, &reg.persistence)?
        .sort(["patient_id"], SortMultipleOptions::default())
        .collect()
}

/// The analysis set without patients whose data make time-to-event impossible (a death before
/// Day 0); those are listed by the data-quality section.
pub fn analysable(set: &DataFrame) -> PolarsResult<DataFrame> {
    set.clone()
        .lazy()
        .filter(col("death_before_day0").not())
        .collect()
}
