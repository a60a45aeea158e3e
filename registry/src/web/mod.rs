//! The coordinators' web app (feature `web`): server-rendered pages behind login, sessions,
//! CSRF, role and site scoping, audit. HTTP lives in `routes/`, who-is-asking in `auth/`, and
//! the clinical rules in `crate::domain`.

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod configuration;
pub mod error;
pub mod form;
pub mod kept_forms;
pub mod layout;
pub mod routes;
pub mod server_state;
pub mod startup;
pub mod telemetry;
