//! HTTP handlers: one folder per resource, one file per verb. Handlers parse their input,
//! call plain query functions inside `web::block` (diesel is synchronous), and render a template.

pub mod admin;
pub mod assets;
pub mod login;
pub mod logout;
pub mod worklist;
