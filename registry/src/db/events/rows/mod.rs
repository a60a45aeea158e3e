//! The diesel row types of the clinical event tables, one module per kind of event (its
//! [`super::EventKind`]): `XRow` (read back), `NewX` (inserted) and `XChangeset` (every
//! editable column, for an update), with the child tables of toxicities (treatments),
//! infections (sites) and deaths (contributing causes) beside their parent.

pub(super) mod death;
pub(super) mod immunoglobulin;
pub(super) mod infection;
pub(super) mod lab;
pub(super) mod malignancy;
pub(super) mod persistence;
pub(super) mod response;
pub(super) mod therapy;
pub(super) mod toxicity;
