//! CAR-T registry analytics: the survival statistics engine ([`survival`]) and
//! the `analytics` command line ([`cli`], [`config`], [`input`], [`commands`]).
pub mod bench_data;
#[cfg(feature = "report")]
pub mod charts;
pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod input;
#[cfg(feature = "report")]
pub mod report;
pub mod survival;
pub mod table;
