//! Clinical events and measurements after CAR-T: the row types. Each event is recorded once,
//! with its own date, and linked to the follow-up that first reported it
//! (`reported_in_follow_up_id`).
//!
//! - `rows`: the diesel row types, one module per kind of event (`rows/response.rs`,
//!   `rows/toxicity.rs`, ...); every type is re-exported here.
//! - `kind`: [`EventKind`] (one per event table), [`StoredEvent`] and [`load_event`].
//! - `revise`: correcting ([`revise_event`]) and deleting ([`delete_event`]) one event in
//!   one audited transaction, refused when stale.
//! - `toxicity_treatments`, `infection_sites`, `death_causes`: an event's child rows, read
//!   ([`toxicity_treatments_of`], [`infection_sites_of`], [`death_contributing_causes_of`])
//!   and replaced by a correction ([`replace_toxicity_treatments`],
//!   [`replace_infection_sites`], [`replace_death_contributing_causes`]), all through
//!   `children` (one way to make an event's child rows a wanted list, with their audit rows).
//! - `ivig_flags`: whether an IgG result follows immunoglobulin replacement by 30 days or
//!   less, kept in step with the recorded courses ([`refresh_ivig_flags`]).

mod children;
mod death_causes;
mod infection_sites;
mod ivig_flags;
mod kind;
mod revise;
mod rows;
mod toxicity_treatments;

pub use death_causes::{death_contributing_causes_of, replace_death_contributing_causes};
pub use infection_sites::{infection_sites_of, replace_infection_sites};
pub use ivig_flags::{ivig_within_30_days, refresh_ivig_flags};
pub use kind::{EventKind, StoredEvent, load_event};
pub use revise::{ColumnValue, Companion, EventRevision, delete_event, revise_event};
pub use rows::death::{
    DeathChangeset, DeathContributingCauseChangeset, DeathContributingCauseRow, DeathRow, NewDeath,
    NewDeathContributingCause,
};
pub use rows::immunoglobulin::{
    ImmunoglobulinCourseChangeset, ImmunoglobulinCourseRow, NewImmunoglobulinCourse,
};
pub use rows::infection::{
    InfectionChangeset, InfectionRow, InfectionSiteChangeset, InfectionSiteRow, NewInfection,
    NewInfectionSite,
};
pub use rows::lab::{LabResultChangeset, LabResultRow, NewLabResult};
pub use rows::malignancy::{NewMalignancyChangeset, NewMalignancyRow, NewNewMalignancy};
pub use rows::persistence::{NewPersistenceTest, PersistenceTestChangeset, PersistenceTestRow};
pub use rows::response::{
    NewResponseAssessment, ResponseAssessmentChangeset, ResponseAssessmentRow,
};
pub use rows::therapy::{NewSubsequentTherapy, SubsequentTherapyChangeset, SubsequentTherapyRow};
pub use rows::toxicity::{
    NewToxicityEvent, NewToxicityTreatment, ToxicityEventChangeset, ToxicityEventRow,
    ToxicityTreatmentChangeset, ToxicityTreatmentRow,
};
pub use toxicity_treatments::{replace_toxicity_treatments, toxicity_treatments_of};
