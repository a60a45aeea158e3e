//! Cumulative incidence chart for competing risks (Aalen-Johansen estimates from the engine):
//! relapse/progression and non-relapse mortality, by group if wanted, with CI bands, numbers
//! at risk under the axis and Gray's test p in the panel. Never 1 - Kaplan-Meier.
//!
//! Curves rise from 0, so the legend sits top left, where incidence curves are not.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::DrawResult;
use super::km::RiskTable;
use super::step::{Panel, Step, draw_step_panel};
use super::theme::{Corner, Theme, nice_ticks};

/// Bands are shaded only when the figure has at most this many curves (relapse and NRM of
/// one cohort); with more, overlapping bands hide each other (see
/// [`KmOptions::max_banded_curves`](super::km::KmOptions::max_banded_curves)).
pub const MAX_BANDED_CURVES: usize = 2;

/// One cumulative incidence function: `time[i]` is where it steps to `cif[i]`; 0 before.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CumIncCurve {
    /// Legend text, e.g. "Relapse" or "NRM, LBCL".
    pub label: String,
    pub time: Vec<f64>,
    pub cif: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Palette index (relapse and NRM of one group usually differ by colour).
    pub colour: usize,
    /// Dashed line (e.g. NRM when colours stand for groups).
    pub dashed: bool,
    /// Last time the curve is drawn to (default: its last step); steps after it are not
    /// drawn. [`last_time_at_risk`](super::km::last_time_at_risk) gives the time to stop a
    /// curve where fewer than a threshold remain at risk, as the Kaplan-Meier chart does.
    pub end: Option<f64>,
}

/// A cumulative incidence figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CumIncChart {
    pub title: Option<String>,
    pub x_label: String,
    /// e.g. "Cumulative incidence (%)".
    pub y_label: String,
    pub curves: Vec<CumIncCurve>,
    /// Ticks and numbers at risk (leave `censored`/`events` empty for at-risk rows only).
    pub table: RiskTable,
    /// e.g. "Gray's test p = 0.04".
    pub p_value: Option<String>,
    /// Upper end of the y axis as a proportion (0.5 or 1.0); `None` fits the data.
    pub y_max: Option<f64>,
}

/// Draws `chart` into `area`.
pub fn draw_cuminc<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &CumIncChart,
) -> DrawResult<(), DB> {
    let top = chart
        .curves
        .iter()
        .flat_map(|c| c.upper.iter().chain(&c.cif))
        .copied();
    // Fitted axis: the next whole tick above the highest band, with room for the legend.
    let y_max = chart.y_max.unwrap_or_else(|| {
        let max = top.filter(|v| v.is_finite()).fold(0.0, f64::max);
        let ticks = nice_ticks((max + 0.12).clamp(0.2, 1.0), 5);
        ticks.last().copied().unwrap_or(1.0).min(1.0)
    });
    let y_ticks = nice_ticks(y_max, 5)
        .into_iter()
        .filter(|t| *t <= y_max + 1e-9)
        .collect();
    let steps: Vec<Step<'_>> = chart
        .curves
        .iter()
        .map(|c| Step {
            label: &c.label,
            time: &c.time,
            value: &c.cif,
            lower: &c.lower,
            upper: &c.upper,
            censor: &[],
            start: 0.0,
            colour: theme.colour(c.colour),
            dashed: c.dashed,
            end: c.end,
        })
        .collect();
    let panel = Panel {
        title: chart.title.as_deref(),
        x_label: &chart.x_label,
        y_label: &chart.y_label,
        y_max,
        y_ticks,
        legend: Corner::TopLeft,
        note: chart.p_value.as_deref(),
        table: &chart.table,
        censor_gap_mm: super::km::KmOptions::default().censor_gap_mm,
        max_banded_curves: MAX_BANDED_CURVES,
    };
    draw_step_panel(area, theme, &panel, &steps)
}
