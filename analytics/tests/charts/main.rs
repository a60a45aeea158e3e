//! Chart integration tests (feature `report`): every chart renders to an SVG string with the
//! expected text for a small fixed input, reruns are byte-identical in SVG, PNG and PDF, the
//! PNG has the 300 dpi size, and edge cases do not panic.
//! `CHARTS_OUT=/tmp/charts cargo test -p analytics --features report --test charts` also
//! writes every render there, to look at.

mod fixtures;

/// Infection density bars.
mod bars;
/// Cumulative incidence.
mod cuminc;
/// Forest plot.
mod forest;
/// Kaplan-Meier and the KMunicate risk table.
mod km;
/// SVG -> PNG/PDF: sizes, fonts, determinism.
mod render;
/// Persistence and IgG over time.
mod series;
/// Swimmer plot.
mod swimmer;
