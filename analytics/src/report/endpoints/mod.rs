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
//!
//! The steps, one module each: `set` builds the analysis set from the loaded tables, `dates`
//! derives its per-patient dates (last contact, end of follow-up, censoring, treatment
//! failure), `events` names each endpoint's event date, `params` defines the ADTTE parameters
//! and `adtte` turns them into rows. The tests (`tests.rs`) run the steps end to end on
//! hand-built cohorts.

mod adtte;
mod dates;
mod events;
mod params;
mod set;

pub use adtte::{adtte, param_rows};
pub use dates::{
    end_of_follow_up, last_alive, last_contact_code, therapy_censor_date, treatment_failure_date,
};
pub use events::{competing_cause, competing_date, dor_event, efs_event, os_event, pfs_event};
pub use params::{Param, params};
pub use set::{Registry, analysable, analysis_set};

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

#[cfg(test)]
mod tests;
