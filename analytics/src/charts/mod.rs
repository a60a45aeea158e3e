//! Publication charts for the nightly report (feature `report`).
//!
//! Each chart module takes fitted numbers in its own small input structs, a [`Theme`] and a
//! caller-supplied `DrawingArea`; it never opens a file or picks a backend (style rule 14).
//! [`render`] turns one drawing into the three files the report writes: SVG (plotters), PNG at
//! 300 dpi (resvg) and vector PDF (svg2pdf), all with the embedded DejaVu Sans font and
//! byte-identical for identical input.
//!
//! - [`km`]: Kaplan-Meier, KMunicate style, with the extended risk table ([`RiskTable`]).
//! - [`cuminc`]: cumulative incidence (relapse vs non-relapse mortality), Gray's p.
//! - [`swimmer`]: one bar per patient with response, relapse and death markers.
//! - [`forest`]: rates or hazard ratios by subgroup with CIs.
//! - [`series`]: persistence and IgG over time (spaghetti + median).
//! - [`bars`]: infection density per period by organism class.
//!
//! Adapting the statistics engine's fits into these inputs happens in the report, not here.

pub mod bars;
pub mod cuminc;
pub mod forest;
pub mod km;
pub mod render;
pub mod series;
mod step;
pub mod swimmer;
pub mod theme;

pub use km::{KmChart, KmCurve, RiskGroup, RiskTable};
pub use render::{RenderError, Rendered};
pub use theme::Theme;

/// What every chart function returns: plotters' error for the caller's backend.
pub type DrawResult<T, DB> = Result<
    T,
    plotters::drawing::DrawingAreaErrorKind<<DB as plotters::prelude::DrawingBackend>::ErrorType>,
>;
