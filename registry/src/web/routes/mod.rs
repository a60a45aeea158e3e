//! HTTP handlers: one folder per resource, one file per verb. Handlers parse their input,
//! call plain query functions inside `web::block` (diesel is synchronous), and render a template.

pub mod account;
pub mod admin;
pub mod api;
pub mod assets;
pub mod audit;
pub mod events;
pub mod exports;
pub mod follow_ups;
pub mod kept;
pub mod login;
pub mod logout;
pub mod patients;
pub mod treatments;
pub mod worklist;
