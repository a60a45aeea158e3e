//! Administration: sites and users (administrators only).

pub mod sites;
pub mod users;
