//! Administration: sites and users, and the audit trail of both (administrators only).

pub mod audit;
pub mod sites;
pub mod users;
