//! The registry library: the clinical data model shared by the web app and the analytics binary.

pub mod cli;
pub mod db;
pub mod domain;
pub mod export;
pub mod seed;
#[cfg(feature = "web")]
pub mod web;
