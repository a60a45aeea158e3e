//! Endpoint derivations (domain.md §6.1): the per-patient analysis set and, over it, one named
//! `fn ... -> Expr` per analysis date, censoring code and description.
//!
//! What lives here: [`EndpointOptions`] (the choices Li et al. ask to state, with their
//! defaults), [`analysis_set`] (one row per infused patient: Day 0, grouping variables, the
//! dates every endpoint is built from, best overall response) and the endpoint expressions.
//! What does not: writing files (`adam`), statistics (`analyses`).
//!
//! Conventions, stated in the methods text:
//! - Day 0 is the patient's first CAR-T infusion on or before the cut-off; a patient infused
//!   only after it is not in the analysis set.
//! - Last contact is the latest of Day 0, any follow-up contact date, relapse date and
//!   response assessment on or before the cut-off; for a patient who died it is the death date
//!   (a contact after death is a data problem and is ignored).
//! - Progression/relapse is the earliest of a follow-up's relapse date and a response
//!   assessment of PD (relapse for B-ALL) after Day 0; one after death is ignored (and listed).
//! - A relapse and a death on the same day: the relapse is the event for CIR (not NRM) and the
//!   PFS/EFS/DOR event is that day.
//! - `AVAL = ADT - STARTDT` in days (no +1).

use polars::prelude::*;

/// Censoring codes of `CNSR` in ADTTE (0 is an event, as ADaM has it).
pub mod cnsr {
    /// The event of the parameter.
    pub const EVENT: i32 = 0;
    /// Alive (and event-free) at last contact.
    pub const LAST_CONTACT: i32 = 1;
    /// Censored at the start of a subsequent anticancer therapy or transplant (option).
    pub const NEW_THERAPY: i32 = 2;
    /// Lost to follow-up, withdrawn or transferred: censored at last contact.
    pub const LOST: i32 = 3;
    /// The competing event of a competing-risk parameter (CIR: death without relapse; NRM:
    /// relapse or progression), at its date.
    pub const COMPETING: i32 = 4;
    /// Censored at the last measurement of a longitudinal series without the event (BCAPL: the
    /// last B-cell count; PERSLOSS: the last persistence test).
    pub const LAST_MEASUREMENT: i32 = 5;
}

/// The analysis choices (Li et al.; domain.md §6.1), with their defaults.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct EndpointOptions {
    /// Censor PFS, EFS, DOR, CIR and NRM at the start of a subsequent anticancer therapy given
    /// for relapse, progression or MRD (not consolidation or re-infusion). Default: false
    /// (events after a new therapy still count, the registry convention).
    pub censor_at_new_therapy: bool,
    /// Censor the same endpoints at a subsequent allogeneic or autologous transplant, whatever
    /// its intent. Default: false.
    pub censor_at_transplant: bool,
    /// Count death as an event for DOR (not only progression). Default: true.
    pub death_is_dor_event: bool,
    /// B-ALL EFS: a patient without CR/CRi by this day who is followed beyond it (or dies
    /// later) has a treatment-failure event at Day 0 (ELIANA-style). Default: 90.
    pub efs_response_window_days: i32,
}

impl Default for EndpointOptions {
    fn default() -> Self {
        Self {
            censor_at_new_therapy: false,
            censor_at_transplant: false,
            death_is_dor_event: true,
            efs_response_window_days: 90,
        }
    }
}

fn date_null() -> Expr {
    lit(NULL).cast(DataType::Date)
}

/// Day number of a date column (days since 1970-01-01), for arithmetic.
pub fn days(name: &str) -> Expr {
    col(name).cast(DataType::Int32)
}

fn earliest(exprs: &[Expr]) -> PolarsResult<Expr> {
    polars::lazy::dsl::min_horizontal(exprs)
}

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

fn censor_text() -> Expr {
    when(
        col("CNSR")
            .eq(lit(cnsr::LAST_MEASUREMENT))
            .and(col("PARAMCD").eq(lit("BCAPL"))),
    )
    .then(lit("LAST B-CELL COUNT"))
    .when(col("CNSR").eq(lit(cnsr::LAST_MEASUREMENT)))
    .then(lit("LAST PERSISTENCE TEST"))
    .when(col("CNSR").eq(lit(cnsr::NEW_THERAPY)))
    .then(lit("START OF SUBSEQUENT THERAPY"))
    .when(col("CNSR").eq(lit(cnsr::LOST)))
    .then(lit("LAST CONTACT BEFORE LOSS TO FOLLOW-UP"))
    .when(col("CNSR").eq(lit(cnsr::LAST_CONTACT)))
    .then(lit("LAST CONTACT"))
    .otherwise(lit(""))
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

/// ADTTE rows of one parameter from the analysis set (not yet sorted).
pub fn param_rows(set: LazyFrame, p: Param) -> LazyFrame {
    set.filter(p.filter)
        .select([
            col("usubjid").alias("USUBJID"),
            lit(p.code).alias("PARAMCD"),
            lit(p.label).alias("PARAM"),
            p.start.alias("STARTDT"),
            p.adt.alias("ADT"),
            p.cnsr.alias("CNSR"),
            p.evntdesc.alias("EVNTDESC_RAW"),
            p.crcause.alias("CRCAUSE"),
            col("disease").alias("DISEASE"),
            col("product").alias("PRODUCT"),
            col("antigen").alias("ANTIGEN"),
            col("site").alias("SITE"),
        ])
        .with_columns([
            (days("ADT") - days("STARTDT")).alias("AVAL"),
            lit("DAYS").alias("AVALU"),
            when(col("CNSR").eq(lit(cnsr::EVENT)))
                .then(col("EVNTDESC_RAW"))
                .when(col("CNSR").eq(lit(cnsr::COMPETING)))
                .then(lit("COMPETING EVENT"))
                .otherwise(lit(""))
                .alias("EVNTDESC"),
            censor_text().alias("CNSDTDSC"),
        ])
        .select([
            col("USUBJID"),
            col("PARAMCD"),
            col("PARAM"),
            col("STARTDT"),
            col("ADT"),
            col("AVAL"),
            col("AVALU"),
            col("CNSR"),
            col("EVNTDESC"),
            col("CNSDTDSC"),
            col("CRCAUSE"),
            col("DISEASE"),
            col("PRODUCT"),
            col("ANTIGEN"),
            col("SITE"),
        ])
}

/// All ADTTE rows, sorted by `USUBJID` then parameter order.
pub fn adtte(set: &DataFrame, opts: &EndpointOptions) -> PolarsResult<DataFrame> {
    let params = params(opts)?;
    let mut frames = Vec::with_capacity(params.len());
    for (i, p) in params.into_iter().enumerate() {
        let order = i32::try_from(i).unwrap_or(0);
        frames.push(param_rows(set.clone().lazy(), p).with_column(lit(order).alias("_order")));
    }
    concat(frames, UnionArgs::default())?
        // Impossible by construction (dates after death are dropped first); a guard so the
        // engine never sees a negative time.
        .filter(col("AVAL").gt_eq(lit(0)))
        .sort_by_exprs(
            [col("USUBJID"), col("_order")],
            SortMultipleOptions::default(),
        )
        .drop(cols(["_order"]))
        .collect()
}

/// The inputs of [`analysis_set`]: the loaded tables.
pub use super::load::Registry;

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
    super::immune::with_immune_dates(set.lazy(), &reg.labs, &reg.persistence)?
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::load::{Registry, epoch_days};
    use registry::domain::Vocabulary;
    use registry::domain::response::{Response, ResponseCriteria};
    use std::collections::BTreeMap;

    fn d(s: &str) -> i32 {
        epoch_days(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
    }

    fn date(name: &str, v: Vec<Option<i32>>) -> Column {
        Column::new(name.into(), v).cast(&DataType::Date).unwrap()
    }

    /// A hand-built cohort: one LBCL (or B-ALL) patient per id, axi-cel, site BCN.
    #[derive(Default)]
    struct Fixture {
        /// (id, disease subtype code, infusion date)
        patients: Vec<(i32, &'static str, &'static str)>,
        lost: Vec<i32>,
        deaths: Vec<(i32, &'static str)>,
        contacts: Vec<(i32, &'static str)>,
        relapses: Vec<(i32, &'static str)>,
        responses: Vec<(i32, &'static str, &'static str)>,
        /// (id, start, intent, category)
        therapies: Vec<(i32, &'static str, &'static str, &'static str)>,
        /// (id, sample date, CD19+ B cells per µL)
        b_cells: Vec<(i32, &'static str, f64)>,
        /// (id, sample date, detected; `None` = no result)
        persistence: Vec<(i32, &'static str, Option<bool>)>,
    }

    impl Fixture {
        fn registry(&self) -> Registry {
            let ids: Vec<i32> = self.patients.iter().map(|p| p.0).collect();
            let usubjid: Vec<String> = ids.iter().map(|i| format!("BCN-{i:06}")).collect();
            let status: Vec<&str> = ids
                .iter()
                .map(|i| {
                    if self.lost.contains(i) {
                        "LOST"
                    } else {
                        "ACTIVE"
                    }
                })
                .collect();
            let mut patients = df![
                "patient_id" => ids.clone(),
                "usubjid" => usubjid,
                "site" => vec!["BCN"; ids.len()],
                "ltfu_status" => status,
            ]
            .unwrap();
            patients
                .with_column(date("ltfu_status_date", vec![None; ids.len()]))
                .unwrap();
            let disease: Vec<&str> = self.patients.iter().map(|p| p.1).collect();
            let group: Vec<&str> = disease
                .iter()
                .map(|x| if *x == "BALL" { "BALL" } else { "LBCL" })
                .collect();
            let criteria: Vec<&str> = disease
                .iter()
                .map(|x| if *x == "BALL" { "BALL" } else { "LUGANO2014" })
                .collect();
            let diagnoses = df![
                "diagnosis_id" => ids.clone(),
                "patient_id" => ids.clone(),
                "disease" => disease,
                "disease_group" => group,
                "criteria" => criteria.clone(),
            ]
            .unwrap();
            let courses = df![
                "course_id" => ids.clone(),
                "patient_id" => ids.clone(),
                "diagnosis_id" => ids.clone(),
                "course_number" => vec![1; ids.len()],
                "product" => vec!["AXI_CEL"; ids.len()],
                "antigen" => vec!["CD19"; ids.len()],
            ]
            .unwrap();
            let mut infusions = df![
                "patient_id" => ids.clone(),
                "course_id" => ids.clone(),
                "infusion_number" => vec![1; ids.len()],
            ]
            .unwrap();
            infusions
                .with_column(date(
                    "infusion_date",
                    self.patients.iter().map(|p| Some(d(p.2))).collect(),
                ))
                .unwrap();
            let mut fu_pid = Vec::new();
            let mut fu_contact = Vec::new();
            let mut fu_relapse = Vec::new();
            for (p, c) in &self.contacts {
                fu_pid.push(*p);
                fu_contact.push(Some(d(c)));
                fu_relapse.push(None);
            }
            for (p, r) in &self.relapses {
                fu_pid.push(*p);
                fu_contact.push(Some(d(r)));
                fu_relapse.push(Some(d(r)));
            }
            let n = fu_pid.len();
            let mut follow_ups = df![
                "patient_id" => fu_pid,
                "survival_status" => vec![Some("ALIVE"); n],
            ]
            .unwrap();
            follow_ups
                .with_column(date("contact_date", fu_contact))
                .unwrap();
            follow_ups
                .with_column(date("relapse_date", fu_relapse))
                .unwrap();
            let mut deaths = df![
                "patient_id" => self.deaths.iter().map(|x| x.0).collect::<Vec<_>>(),
                "death_cause" => vec!["DISEASE"; self.deaths.len()],
            ]
            .unwrap();
            deaths
                .with_column(date(
                    "death_date",
                    self.deaths.iter().map(|x| Some(d(x.1))).collect(),
                ))
                .unwrap();
            let crit_of = |pid: i32| {
                self.patients
                    .iter()
                    .find(|p| p.0 == pid)
                    .map(|p| if p.1 == "BALL" { "BALL" } else { "LUGANO2014" })
                    .unwrap()
            };
            let parsed: Vec<Response> = self
                .responses
                .iter()
                .map(|(p, _, code)| {
                    Response::parse(ResponseCriteria::parse(crit_of(*p)).unwrap(), code).unwrap()
                })
                .collect();
            let mut responses = df![
                "patient_id" => self.responses.iter().map(|x| x.0).collect::<Vec<_>>(),
                "course_id" => self.responses.iter().map(|x| x.0).collect::<Vec<_>>(),
                "criteria" => self.responses.iter().map(|x| crit_of(x.0)).collect::<Vec<_>>(),
                "response" => self.responses.iter().map(|x| x.2).collect::<Vec<_>>(),
                "rank" => parsed.iter().map(|r| i32::from(r.rank())).collect::<Vec<_>>(),
                "responder" => parsed.iter().map(|r| r.is_responder()).collect::<Vec<_>>(),
                "complete" => parsed.iter().map(|r| r.is_complete_response()).collect::<Vec<_>>(),
                "progression" => parsed.iter().map(|r| r.rank() == 1).collect::<Vec<_>>(),
            ]
            .unwrap();
            responses
                .with_column(date(
                    "assessment_date",
                    self.responses.iter().map(|x| Some(d(x.1))).collect(),
                ))
                .unwrap();
            let mut therapies = df![
                "patient_id" => self.therapies.iter().map(|x| x.0).collect::<Vec<_>>(),
                "category" => self.therapies.iter().map(|x| x.3).collect::<Vec<_>>(),
                "intent" => self.therapies.iter().map(|x| Some(x.2)).collect::<Vec<_>>(),
                "closes_bor_window" => self.therapies.iter().map(|x| x.2 != "CONSOLIDATION_MAINTENANCE").collect::<Vec<_>>(),
                "transplant" => self.therapies.iter().map(|x| x.3.ends_with("_HCT")).collect::<Vec<_>>(),
            ]
            .unwrap();
            therapies
                .with_column(date(
                    "start_date",
                    self.therapies.iter().map(|x| Some(d(x.1))).collect(),
                ))
                .unwrap();
            let mut labs = df![
                "patient_id" => self.b_cells.iter().map(|x| x.0).collect::<Vec<_>>(),
                "analyte" => vec!["CD19_ABS"; self.b_cells.len()],
                "value" => self.b_cells.iter().map(|x| Some(x.2)).collect::<Vec<_>>(),
                "ivig_flag" => vec![false; self.b_cells.len()],
            ]
            .unwrap();
            labs.with_column(date(
                "sample_date",
                self.b_cells.iter().map(|x| Some(d(x.1))).collect(),
            ))
            .unwrap();
            let mut persistence = df![
                "patient_id" => self.persistence.iter().map(|x| x.0).collect::<Vec<_>>(),
                "detected" => self.persistence.iter().map(|x| x.2).collect::<Vec<_>>(),
            ]
            .unwrap();
            persistence
                .with_column(date(
                    "sample_date",
                    self.persistence.iter().map(|x| Some(d(x.1))).collect(),
                ))
                .unwrap();
            Registry {
                patients,
                diagnoses,
                courses,
                infusions,
                follow_ups,
                responses,
                therapies,
                deaths,
                toxicities: DataFrame::empty(),
                infections: DataFrame::empty(),
                labs,
                ig_courses: DataFrame::empty(),
                persistence,
                malignancies: DataFrame::empty(),
                rows: BTreeMap::new(),
                dropped_after_cutoff: BTreeMap::new(),
                bad_codes: Vec::new(),
                sha256: String::new(),
            }
        }
    }

    /// (ADT as ISO, AVAL, CNSR, CRCAUSE) of one ADTTE row.
    fn row(adtte: &DataFrame, usubjid: &str, paramcd: &str) -> Option<(i32, i32, String)> {
        let df = adtte
            .clone()
            .lazy()
            .filter(
                col("USUBJID")
                    .eq(lit(usubjid))
                    .and(col("PARAMCD").eq(lit(paramcd))),
            )
            .collect()
            .unwrap();
        if df.height() == 0 {
            return None;
        }
        let aval = df.column("AVAL").unwrap().i32().unwrap().get(0).unwrap();
        let cnsr = df.column("CNSR").unwrap().i32().unwrap().get(0).unwrap();
        let cause = df
            .column("CRCAUSE")
            .unwrap()
            .str()
            .unwrap()
            .get(0)
            .unwrap()
            .to_owned();
        Some((aval, cnsr, cause))
    }

    fn run(f: &Fixture, opts: &EndpointOptions) -> (DataFrame, DataFrame) {
        let set = analysis_set(&f.registry(), opts).unwrap();
        let ok = analysable(&set).unwrap();
        let adtte = adtte(&ok, opts).unwrap();
        (set, adtte)
    }

    #[test]
    fn relapse_and_death_on_the_same_day_is_a_relapse_for_cir_and_a_pfs_event() {
        let f = Fixture {
            patients: vec![(1, "DLBCL_NOS", "2024-01-01")],
            relapses: vec![(1, "2024-03-01")],
            deaths: vec![(1, "2024-03-01")],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(row(&t, "BCN-000001", "OS"), Some((60, 0, String::new())));
        assert_eq!(row(&t, "BCN-000001", "PFS"), Some((60, 0, String::new())));
        assert_eq!(
            row(&t, "BCN-000001", "CIR"),
            Some((60, cnsr::EVENT, "RELAPSE".into()))
        );
        assert_eq!(
            row(&t, "BCN-000001", "NRM"),
            Some((60, cnsr::COMPETING, "RELAPSE".into()))
        );
        assert_eq!(row(&t, "BCN-000001", "EFS"), None);
    }

    #[test]
    fn death_without_relapse_is_nrm_and_competing_for_cir() {
        let f = Fixture {
            patients: vec![(2, "DLBCL_NOS", "2024-01-01")],
            contacts: vec![(2, "2024-01-20")],
            deaths: vec![(2, "2024-02-01")],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(
            row(&t, "BCN-000002", "CIR"),
            Some((31, cnsr::COMPETING, "NRM".into()))
        );
        assert_eq!(
            row(&t, "BCN-000002", "NRM"),
            Some((31, cnsr::EVENT, "NRM".into()))
        );
    }

    #[test]
    fn no_follow_up_after_day_0_is_censored_at_time_0() {
        let f = Fixture {
            patients: vec![(3, "DLBCL_NOS", "2024-01-01")],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(
            row(&t, "BCN-000003", "OS"),
            Some((0, cnsr::LAST_CONTACT, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000003", "PFS"),
            Some((0, cnsr::LAST_CONTACT, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000003", "CIR"),
            Some((0, cnsr::LAST_CONTACT, String::new()))
        );
        assert_eq!(row(&t, "BCN-000003", "DOR"), None);
    }

    #[test]
    fn lost_patients_carry_their_own_censoring_code() {
        let f = Fixture {
            patients: vec![(4, "DLBCL_NOS", "2024-01-01")],
            lost: vec![4],
            contacts: vec![(4, "2024-04-10")],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(
            row(&t, "BCN-000004", "OS"),
            Some((100, cnsr::LOST, String::new()))
        );
    }

    #[test]
    fn data_problems_are_flagged_not_fatal() {
        let f = Fixture {
            patients: vec![
                (5, "DLBCL_NOS", "2024-01-01"),
                (6, "DLBCL_NOS", "2024-01-01"),
            ],
            // 5: death before infusion; 6: a contact after death.
            deaths: vec![(5, "2023-12-01"), (6, "2024-02-01")],
            contacts: vec![(6, "2024-05-01")],
            ..Fixture::default()
        };
        let (set, t) = run(&f, &EndpointOptions::default());
        let flags = set.column("death_before_day0").unwrap().bool().unwrap();
        assert_eq!(flags.get(0), Some(true));
        let after = set.column("contact_after_death").unwrap().u32().unwrap();
        assert_eq!(after.get(1), Some(1));
        assert_eq!(
            row(&t, "BCN-000005", "OS"),
            None,
            "excluded from time-to-event"
        );
        assert_eq!(
            row(&t, "BCN-000006", "OS"),
            Some((31, cnsr::EVENT, String::new()))
        );
    }

    #[test]
    fn best_response_ignores_assessments_after_therapy_for_relapse() {
        let f = Fixture {
            patients: vec![(7, "DLBCL_NOS", "2024-01-01")],
            responses: vec![
                (7, "2024-02-01", "PR"),
                (7, "2024-04-01", "PD"),
                (7, "2024-06-01", "CR"),
            ],
            therapies: vec![(7, "2024-05-01", "RELAPSE_PROGRESSION", "BISPECIFIC")],
            ..Fixture::default()
        };
        let (set, t) = run(&f, &EndpointOptions::default());
        assert_eq!(set.column("bor").unwrap().str().unwrap().get(0), Some("PR"));
        // DOR from the PR (day 31) to the PD (day 91): 60 days, an event.
        assert_eq!(
            row(&t, "BCN-000007", "DOR"),
            Some((60, cnsr::EVENT, String::new()))
        );
        // Last contact is the last assessment (day 152).
        assert_eq!(
            row(&t, "BCN-000007", "OS"),
            Some((152, cnsr::LAST_CONTACT, String::new()))
        );
    }

    #[test]
    fn censoring_at_new_therapy_is_an_option() {
        let f = Fixture {
            patients: vec![(8, "DLBCL_NOS", "2024-01-01")],
            therapies: vec![(8, "2024-03-01", "MRD_POSITIVE", "BISPECIFIC")],
            relapses: vec![(8, "2024-05-01")],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(
            row(&t, "BCN-000008", "PFS"),
            Some((121, cnsr::EVENT, String::new()))
        );
        let opts = EndpointOptions {
            censor_at_new_therapy: true,
            ..EndpointOptions::default()
        };
        let (_, t) = run(&f, &opts);
        assert_eq!(
            row(&t, "BCN-000008", "PFS"),
            Some((60, cnsr::NEW_THERAPY, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000008", "CIR"),
            Some((60, cnsr::NEW_THERAPY, String::new()))
        );
        // OS is never censored at therapy.
        assert_eq!(
            row(&t, "BCN-000008", "OS"),
            Some((121, cnsr::LAST_CONTACT, String::new()))
        );
    }

    #[test]
    fn ball_without_remission_by_the_window_fails_at_day_0() {
        let f = Fixture {
            patients: vec![(9, "BALL", "2024-01-01"), (10, "BALL", "2024-01-01")],
            responses: vec![(9, "2024-01-29", "NR"), (10, "2024-01-29", "CR")],
            contacts: vec![(9, "2024-06-01"), (10, "2024-06-01")],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(
            row(&t, "BCN-000009", "EFS"),
            Some((0, cnsr::EVENT, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000010", "EFS"),
            Some((152, cnsr::LAST_CONTACT, String::new()))
        );
        assert_eq!(row(&t, "BCN-000009", "PFS"), None);
    }
    #[test]
    fn b_cell_aplasia_ends_at_the_first_count_at_or_above_the_threshold() {
        let f = Fixture {
            patients: vec![
                (11, "DLBCL_NOS", "2024-01-01"),
                (12, "DLBCL_NOS", "2024-01-01"),
                (13, "DLBCL_NOS", "2024-01-01"),
                (14, "DLBCL_NOS", "2024-01-01"),
            ],
            contacts: vec![(11, "2024-12-01"), (12, "2024-12-01"), (14, "2024-12-01")],
            deaths: vec![(13, "2024-03-01")],
            b_cells: vec![
                // 11: aplastic at day 0 (baseline, ignored) and day 30; 20/µL on day 91 is
                // recovery; a later low count does not undo it.
                (11, "2024-01-01", 150.0),
                (11, "2024-01-31", 3.0),
                (11, "2024-04-01", 20.0),
                (11, "2024-06-01", 5.0),
                // 12: aplastic at every count: censored at the last (day 152).
                (12, "2024-02-01", 0.0),
                (12, "2024-06-01", 19.9),
                // 13: a count after death is ignored: censored at day 30.
                (13, "2024-01-31", 2.0),
                (13, "2024-05-01", 300.0),
                // 14: only a Day 0 count: not evaluable.
                (14, "2024-01-01", 1.0),
            ],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(
            row(&t, "BCN-000011", "BCAPL"),
            Some((91, cnsr::EVENT, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000012", "BCAPL"),
            Some((152, cnsr::LAST_MEASUREMENT, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000013", "BCAPL"),
            Some((30, cnsr::LAST_MEASUREMENT, String::new()))
        );
        assert_eq!(row(&t, "BCN-000014", "BCAPL"), None);
    }

    #[test]
    fn persistence_is_lost_at_the_first_undetectable_day_after_a_detectable_one() {
        let f = Fixture {
            patients: vec![
                (21, "DLBCL_NOS", "2024-01-01"),
                (22, "DLBCL_NOS", "2024-01-01"),
                (23, "DLBCL_NOS", "2024-01-01"),
                (24, "DLBCL_NOS", "2024-01-01"),
            ],
            contacts: vec![
                (21, "2024-12-01"),
                (22, "2024-12-01"),
                (23, "2024-12-01"),
                (24, "2024-12-01"),
            ],
            persistence: vec![
                // 21: negative before the first detection (day 14) does not count; lost day 91.
                (21, "2024-01-08", Some(false)),
                (21, "2024-01-15", Some(true)),
                (21, "2024-04-01", Some(false)),
                (21, "2024-06-01", Some(true)),
                // 22: a test without a result is no loss; censored at the last result (day 152).
                (22, "2024-01-15", Some(true)),
                (22, "2024-03-01", None),
                (22, "2024-06-01", Some(true)),
                // 23: two methods on one day, one detects: still detectable; lost on day 182.
                (23, "2024-01-15", Some(true)),
                (23, "2024-04-01", Some(false)),
                (23, "2024-04-01", Some(true)),
                (23, "2024-07-01", Some(false)),
                // 24: never detected: not in the parameter.
                (24, "2024-01-15", Some(false)),
            ],
            ..Fixture::default()
        };
        let (_, t) = run(&f, &EndpointOptions::default());
        assert_eq!(
            row(&t, "BCN-000021", "PERSLOSS"),
            Some((91, cnsr::EVENT, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000022", "PERSLOSS"),
            Some((152, cnsr::LAST_MEASUREMENT, String::new()))
        );
        assert_eq!(
            row(&t, "BCN-000023", "PERSLOSS"),
            Some((182, cnsr::EVENT, String::new()))
        );
        assert_eq!(row(&t, "BCN-000024", "PERSLOSS"), None);
    }
}
