//! The event date of each endpoint (OS, PFS, EFS, DOR) and the competing-risk cause and date
//! (CIR/NRM), as expressions over the analysis set.

use polars::prelude::*;

use super::{EndpointOptions, date_null, days, earliest};

/// OS event date: death.
pub fn os_event() -> Expr {
    col("death_date")
}

/// PFS (and DOR) event date: the earlier of progression/relapse and death.
pub fn pfs_event() -> PolarsResult<Expr> {
    earliest(&[col("prog_date"), col("death_date")])
}

/// EFS event date (B-ALL): the earliest of treatment failure, relapse and death.
pub fn efs_event() -> PolarsResult<Expr> {
    earliest(&[col("failure_date"), col("prog_date"), col("death_date")])
}

/// DOR event date: progression after the first response, or (option) death.
pub fn dor_event(opts: &EndpointOptions) -> PolarsResult<Expr> {
    let prog = when(days("prog_date").gt_eq(days("first_response_date")))
        .then(col("prog_date"))
        .otherwise(date_null());
    if opts.death_is_dor_event {
        earliest(&[prog, col("death_date")])
    } else {
        Ok(prog)
    }
}

/// The competing-risk cause at the first of relapse and death: `RELAPSE` (a relapse on the day
/// of death counts as relapse), `NRM` (death without prior relapse) or null.
pub fn competing_cause() -> Expr {
    when(col("prog_date").is_not_null())
        .then(lit("RELAPSE"))
        .when(col("death_date").is_not_null())
        .then(lit("NRM"))
        .otherwise(lit(NULL).cast(DataType::String))
}

/// Date of the first competing-risk event (relapse, else death).
pub fn competing_date() -> Expr {
    when(col("prog_date").is_not_null())
        .then(col("prog_date"))
        .otherwise(col("death_date"))
}
