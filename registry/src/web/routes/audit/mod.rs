//! `/patients/{id}/audit`: the audit trail of a patient, or of one of its records
//! (`?table=follow_ups&record=12`): who, when, what changed from what to what, and why.

pub mod get;
