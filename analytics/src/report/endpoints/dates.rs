//! The analysis set's per-patient dates derived from its joined columns: last date known
//! alive, end of follow-up, the censoring code at last contact, the therapy censoring date and
//! B-ALL treatment failure.

use polars::prelude::*;

use super::{EndpointOptions, cnsr, date_null, days, earliest};

/// The last date the patient is known alive (before any death): the latest of Day 0, follow-up
/// contacts, relapse and assessments.
pub fn last_alive() -> PolarsResult<Expr> {
    Ok(polars::lazy::dsl::max_horizontal([
        col("day0"),
        col("last_fu_contact"),
        col("prog_date"),
        col("last_assessment"),
    ])?
    .alias("last_alive"))
}

/// End of follow-up: the death date for the dead, otherwise the last date known alive.
pub fn end_of_follow_up() -> Expr {
    when(col("death_date").is_not_null())
        .then(col("death_date"))
        .otherwise(col("last_alive"))
        .alias("end_fu")
}

/// The censoring code at last contact: [`cnsr::LOST`] for patients lost, withdrawn or
/// transferred, [`cnsr::LAST_CONTACT`] otherwise.
pub fn last_contact_code() -> Expr {
    when(
        col("ltfu_status")
            .eq(lit("LOST"))
            .or(col("ltfu_status").eq(lit("WITHDRAWN")))
            .or(col("ltfu_status").eq(lit("TRANSFERRED"))),
    )
    .then(lit(cnsr::LOST))
    .otherwise(lit(cnsr::LAST_CONTACT))
    .alias("lc_code")
}

/// The date follow-up for disease endpoints is censored at by the options (null if none).
pub fn therapy_censor_date(opts: &EndpointOptions) -> PolarsResult<Expr> {
    let mut parts = Vec::new();
    if opts.censor_at_new_therapy {
        parts.push(col("new_therapy_date"));
    }
    if opts.censor_at_transplant {
        parts.push(col("transplant_date"));
    }
    let e = match parts.len() {
        0 => date_null(),
        1 => parts.remove(0),
        _ => earliest(&parts)?,
    };
    Ok(e.alias("therapy_censor"))
}

/// B-ALL treatment failure (EFS): no CR/CRi by the response window and followed beyond it,
/// dated Day 0; null otherwise (and for other diseases).
pub fn treatment_failure_date(opts: &EndpointOptions) -> Expr {
    let window_end = days("day0") + lit(opts.efs_response_window_days);
    let no_cr_in_window = col("first_response_date")
        .is_null()
        .or(days("first_response_date").gt(window_end.clone()));
    when(
        col("disease")
            .eq(lit("BALL"))
            .and(no_cr_in_window)
            .and(days("end_fu").gt_eq(window_end)),
    )
    .then(col("day0"))
    .otherwise(date_null())
    .alias("failure_date")
}
