//! Publication charts for the nightly report (feature `report`).
//!
//! Each chart module takes fitted numbers in its own small input structs, a [`Theme`] and a
//! caller-supplied `DrawingArea`; it never opens a file or picks a backend (style rule 14).
//! [`render`] turns one drawing into the three files the report writes: SVG (plotters), PNG at
//! 300 dpi (resvg) and vector PDF (svg2pdf), all with the embedded DejaVu Sans font and
//! byte-identical for identical input.
//!
//! - [`km`]: Kaplan-Meier, KMunicate style, with the extended risk table ([`RiskTable`]);
//!   curves stop where fewer than [`KmOptions::min_at_risk`] remain at risk.
//! - [`cuminc`]: cumulative incidence (relapse vs non-relapse mortality), Gray's p.
//! - [`swimmer`]: one bar per patient with response, relapse and death markers (at most
//!   [`swimmer::SwimmerOptions::max_lanes`] bars).
//! - [`forest`]: rates or hazard ratios by subgroup with CIs.
//! - [`series`]: persistence and IgG over time (spaghetti + median).
//! - [`bars`]: infection density per period by organism class.
//!
//! Adapting the statistics engine's fits into these inputs happens in the report, not here
//! ([`KmCurve::from_rows`], [`KmCurve::with_n_risk`] and [`RiskGroup::from_counts`] take the
//! engine's per-time rows as plain slices). Drawing options that are not data come as
//! `*Options` structs with journal defaults (`draw_km` is `draw_km_with` the default
//! [`KmOptions`]), so callers that build the chart structs field by field keep compiling.
//!
//! ```
//! use analytics::charts::km::draw_km;
//! use analytics::charts::render::render;
//! use analytics::charts::{KmChart, KmCurve, RiskTable, Theme};
//!
//! let (time, event) = ([2.0, 5.0, 9.0, 14.0], [true, false, true, false]);
//! let chart = KmChart {
//!     x_label: "Months since CAR-T infusion".to_owned(),
//!     y_label: "Overall survival (%)".to_owned(),
//!     curves: vec![KmCurve {
//!         label: "All patients".to_owned(),
//!         time: vec![2.0, 9.0],
//!         surv: vec![0.75, 0.375],
//!         censor_times: vec![5.0, 14.0],
//!         ..KmCurve::default()
//!     }],
//!     table: RiskTable::from_observations(&[0.0, 6.0, 12.0], &[("All patients", &time, &event)]),
//!     ..KmChart::default()
//! };
//! let theme = Theme::single_column(80.0);
//! let stamp = "Cut-off 2026-11-26 · data 3f9a1c0b · analytics 0.1.0";
//! let out = render(&theme, Some(stamp), |area| draw_km(area, &theme, &chart))?;
//! assert!(out.svg.contains("At risk"));
//! assert!(out.png.starts_with(b"\x89PNG") && out.pdf.starts_with(b"%PDF"));
//! # Ok::<(), analytics::charts::RenderError>(())
//! ```

pub mod bars;
pub mod cuminc;
pub mod forest;
pub mod km;
pub mod render;
pub mod series;
mod step;
pub mod swimmer;
pub mod theme;

pub use km::{KmChart, KmCurve, KmOptions, RiskGroup, RiskTable};
pub use render::{RenderError, Rendered};
pub use theme::Theme;

/// What every chart function returns: plotters' error for the caller's backend.
pub type DrawResult<T, DB> = Result<
    T,
    plotters::drawing::DrawingAreaErrorKind<<DB as plotters::prelude::DrawingBackend>::ErrorType>,
>;
