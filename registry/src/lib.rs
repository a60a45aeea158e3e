//! The registry library: the clinical data model shared by the web app and the analytics binary.

pub mod db;
pub mod domain;
