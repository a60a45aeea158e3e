//! The ADTTE parameters ([`Param`]): per endpoint, the rows it applies to, its start, analysis
//! date, censoring code and descriptions ([`params`]), with the therapy censoring rule they
//! share.

use polars::prelude::*;

use super::{
    EndpointOptions, cnsr, competing_cause, competing_date, date_null, days, dor_event, efs_event,
    pfs_event,
};

/// Analysis date of an endpoint with event date `event` (null if none): the therapy censoring
/// date when it comes strictly before the event, else the event, else end of follow-up.
fn adt_with(event: Expr, censor: Expr) -> Expr {
    when(
        censor
            .clone()
            .is_not_null()
            .and(
                event
                    .clone()
                    .is_null()
                    .or(days_of(censor.clone()).lt(days_of(event.clone()))),
            )
            .and(days_of(censor.clone()).lt_eq(days("end_fu"))),
    )
    .then(censor)
    .when(event.clone().is_not_null())
    .then(event)
    .otherwise(col("end_fu"))
}

fn cnsr_with(event: Expr, censor: Expr) -> Expr {
    when(
        censor
            .clone()
            .is_not_null()
            .and(
                event
                    .clone()
                    .is_null()
                    .or(days_of(censor.clone()).lt(days_of(event.clone()))),
            )
            .and(days_of(censor).lt_eq(days("end_fu"))),
    )
    .then(lit(cnsr::NEW_THERAPY))
    .when(event.is_not_null())
    .then(lit(cnsr::EVENT))
    .otherwise(col("lc_code"))
}

fn days_of(e: Expr) -> Expr {
    e.cast(DataType::Int32)
}
/// One time-to-event parameter as ADTTE columns: `STARTDT`, `ADT`, `CNSR`, `EVNTDESC`,
/// `CNSDTDSC`, `CRCAUSE`, computed over the analysis set.
pub struct Param {
    pub code: &'static str,
    pub label: &'static str,
    /// Rows the parameter applies to.
    pub filter: Expr,
    pub start: Expr,
    pub adt: Expr,
    pub cnsr: Expr,
    pub evntdesc: Expr,
    pub crcause: Expr,
}
/// The parameters in ADTTE order: OS, PFS (all but B-ALL), EFS (B-ALL), DOR (responders), CIR,
/// NRM, then the immune-recovery parameters BCAPL (patients with a B-cell count after Day 0)
/// and PERSLOSS (patients with a detectable persistence test after Day 0); see `immune`.
pub fn params(opts: &EndpointOptions) -> PolarsResult<Vec<Param>> {
    let tc = col("therapy_censor");
    let dor_tc = when(days("therapy_censor").gt_eq(days("first_response_date")))
        .then(col("therapy_censor"))
        .otherwise(date_null());
    let pfs = pfs_event()?;
    let efs = efs_event()?;
    let dor = dor_event(opts)?;
    let pfs_desc = when(
        col("prog_date").is_not_null().and(
            col("death_date")
                .is_null()
                .or(days("prog_date").lt_eq(days("death_date"))),
        ),
    )
    .then(lit("PROGRESSION OR RELAPSE"))
    .otherwise(lit("DEATH"));
    let efs_desc = when(col("failure_date").is_not_null())
        .then(lit("TREATMENT FAILURE (NO CR/CRI)"))
        .otherwise(pfs_desc.clone());
    let cr_date = competing_date();
    let cr_cause = competing_cause();
    let cr_adt = adt_with(cr_date.clone(), tc.clone());
    let cr_base = cnsr_with(cr_date.clone(), tc.clone());
    let cr_censored_cause = when(cr_base.clone().eq(lit(cnsr::EVENT)))
        .then(cr_cause.clone())
        .otherwise(lit(""));
    Ok(vec![
        Param {
            code: "OS",
            label: "Overall survival",
            filter: lit(true),
            start: col("day0"),
            adt: col("end_fu"),
            cnsr: when(col("death_date").is_not_null())
                .then(lit(cnsr::EVENT))
                .otherwise(col("lc_code")),
            evntdesc: lit("DEATH"),
            crcause: lit(""),
        },
        Param {
            code: "PFS",
            label: "Progression-free survival",
            filter: col("disease").neq(lit("BALL")),
            start: col("day0"),
            adt: adt_with(pfs.clone(), tc.clone()),
            cnsr: cnsr_with(pfs, tc.clone()),
            evntdesc: pfs_desc.clone(),
            crcause: lit(""),
        },
        Param {
            code: "EFS",
            label: "Event-free survival",
            filter: col("disease").eq(lit("BALL")),
            start: col("day0"),
            adt: adt_with(efs.clone(), tc.clone()),
            cnsr: cnsr_with(efs, tc.clone()),
            evntdesc: efs_desc,
            crcause: lit(""),
        },
        Param {
            code: "DOR",
            label: "Duration of response",
            filter: col("responder"),
            start: col("first_response_date"),
            adt: adt_with(dor.clone(), dor_tc.clone()),
            cnsr: cnsr_with(dor, dor_tc),
            evntdesc: pfs_desc,
            crcause: lit(""),
        },
        Param {
            code: "CIR",
            label: "Cumulative incidence of relapse/progression",
            filter: lit(true),
            start: col("day0"),
            adt: cr_adt.clone(),
            cnsr: when(cr_base.clone().eq(lit(cnsr::EVENT)))
                .then(
                    when(cr_cause.clone().eq(lit("RELAPSE")))
                        .then(lit(cnsr::EVENT))
                        .otherwise(lit(cnsr::COMPETING)),
                )
                .otherwise(cr_base.clone()),
            evntdesc: lit("PROGRESSION OR RELAPSE"),
            crcause: cr_censored_cause.clone(),
        },
        Param {
            code: "NRM",
            label: "Non-relapse mortality",
            filter: lit(true),
            start: col("day0"),
            adt: cr_adt,
            cnsr: when(cr_base.clone().eq(lit(cnsr::EVENT)))
                .then(
                    when(cr_cause.eq(lit("NRM")))
                        .then(lit(cnsr::EVENT))
                        .otherwise(lit(cnsr::COMPETING)),
                )
                .otherwise(cr_base),
            evntdesc: lit("DEATH WITHOUT PRIOR RELAPSE OR PROGRESSION"),
            crcause: cr_censored_cause,
        },
        measured_param(
            "BCAPL",
            "B-cell aplasia duration",
            "bcell_recovery_date",
            "bcell_last_date",
            "B-CELL RECOVERY (CD19+ AT OR ABOVE THRESHOLD)",
        ),
        measured_param(
            "PERSLOSS",
            "Time to loss of CAR-T persistence",
            "pers_loss_date",
            "pers_last_test",
            "FIRST UNDETECTABLE PERSISTENCE TEST",
        ),
    ])
}

/// A parameter of a longitudinal series from Day 0: the event at `event` (a date column), else
/// censored at the series' last measurement `last`; rows only where `last` exists.
fn measured_param(
    code: &'static str,
    label: &'static str,
    event: &str,
    last: &str,
    evntdesc: &'static str,
) -> Param {
    Param {
        code,
        label,
        filter: col(last).is_not_null(),
        start: col("day0"),
        adt: when(col(event).is_not_null())
            .then(col(event))
            .otherwise(col(last)),
        cnsr: when(col(event).is_not_null())
            .then(lit(cnsr::EVENT))
            .otherwise(lit(cnsr::LAST_MEASUREMENT)),
        evntdesc: lit(evntdesc),
        crcause: lit(""),
    }
}
