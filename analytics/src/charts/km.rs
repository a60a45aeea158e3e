//! Kaplan-Meier chart in the KMunicate style (Morris et al., BMJ Open 2019;9:e030215): step
//! curves, shaded confidence bands, censor ticks, y axis 0-100 %, x axis in months with regular
//! ticks, and under the axis the extended table (at risk, censored, events, cumulative) at each
//! tick per group, group names coloured like their curves; the log-rank p in the panel.
//!
//! For the methods text ([`KmOptions`], defaults): each curve and its band stop at the last
//! time at which at least 10 patients are at risk; censor ticks of a curve are at least 1 mm
//! apart at print size (the earliest of closer ones is drawn, on the curve); confidence
//! bands are shaded when the figure has one or two curves. The legend sits in a corner no
//! curve crosses, else above the panel.
//!
//! The inputs are plain numbers the statistics engine already produced; nothing is estimated
//! here except [`RiskTable::from_observations`], a counting helper for callers and tests.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::DrawResult;
use super::step::{Panel, Step, draw_step_panel};
use super::theme::{Corner, Theme};

/// One fitted survival curve. `time[i]` is where the estimate steps to `surv[i]` (and its
/// confidence limits to `lower[i]`/`upper[i]`); before `time[0]` the curve is 1. Leave `lower`
/// and `upper` empty for no band; non-finite limits are drawn at the estimate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KmCurve {
    /// Group name for the legend ("" for none), drawn exactly as given.
    pub label: String,
    pub time: Vec<f64>,
    pub surv: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Times of censored observations (drawn as ticks on the curve, thinned to one per
    /// [`KmOptions::censor_gap_mm`]).
    pub censor_times: Vec<f64>,
    /// Number at risk at each `time[i]` (the engine's `n_risk`); the curve stops where it
    /// falls below [`KmOptions::min_at_risk`]. Empty: unknown, the curve is drawn to its end.
    pub n_risk: Vec<f64>,
}

/// How a Kaplan-Meier figure is drawn, apart from its data. [`draw_km`] uses the default.
#[derive(Debug, Clone, PartialEq)]
pub struct KmOptions {
    /// Each curve and its confidence band stop at the last time at which at least this many
    /// patients are at risk ([`KmCurve::n_risk`]), as KMunicate and most journals ask: the
    /// tail estimated from one or two patients is not drawn. A group that starts with fewer
    /// has no curve (its legend entry and table rows stay). 0 or 1 draws every curve to its
    /// end. Default 10.
    pub min_at_risk: u32,
    /// Least horizontal distance between two censor ticks of one curve, in mm at print
    /// size: of ticks closer than this only the earliest is drawn, so thousands of
    /// censorings do not merge into a bar. Every tick drawn sits on the curve at its own
    /// time. Default 1 mm: a tick is 0.75 pt (0.34 mm with the rounding to whole pixels)
    /// wide, so at 0.5 mm two thirds of a dense stretch would be ink, at 1 mm a third.
    pub censor_gap_mm: f64,
    /// Confidence bands are shaded only when the figure has at most this many curves: three
    /// or more overlapping translucent bands print as one muddy area in which no band can
    /// be followed (the intervals belong in the results table then). Default 2.
    pub max_banded_curves: usize,
}

impl Default for KmOptions {
    fn default() -> Self {
        Self {
            min_at_risk: 10,
            censor_gap_mm: 1.0,
            max_banded_curves: 2,
        }
    }
}

/// The time up to which a curve with per-time numbers at risk is drawn under a threshold of
/// `min_at_risk`: the last `time[i]` with `n_risk[i] >= min_at_risk` (the estimate there still
/// rests on enough patients; right after it fewer remain), `Some(0.0)` when even the first
/// row has fewer, `None` (no limit) when `min_at_risk <= 1` or the lengths differ. Also the
/// value to pass as [`CumIncCurve::end`](super::cuminc::CumIncCurve::end) to stop a
/// cumulative incidence curve the same way.
pub fn last_time_at_risk(time: &[f64], n_risk: &[f64], min_at_risk: u32) -> Option<f64> {
    if min_at_risk <= 1 || time.len() != n_risk.len() || time.is_empty() {
        return None;
    }
    let min = f64::from(min_at_risk);
    Some(
        time.iter()
            .zip(n_risk)
            .take_while(|(_, n)| **n >= min)
            .last()
            .map_or(0.0, |(t, _)| *t),
    )
}

/// The numbers under the axis: one column per tick.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskTable {
    /// x-axis ticks (months); also the table's columns. The last tick is the axis end.
    pub ticks: Vec<f64>,
    /// One block per group, in curve order. Empty for no table.
    pub groups: Vec<RiskGroup>,
}

/// One group's block of the risk table. An empty row is left out (cumulative incidence charts
/// show only the numbers at risk).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RiskGroup {
    /// Name in the table's left margin.
    pub label: String,
    /// Palette index of the name's colour (its curve's); `None` for black.
    pub colour: Option<usize>,
    /// Number at risk at each tick.
    pub at_risk: Vec<u32>,
    /// Cumulative number censored before each tick.
    pub censored: Vec<u32>,
    /// Cumulative number of events before each tick.
    pub events: Vec<u32>,
}

impl RiskTable {
    /// Counts the table from individual observations. For each tick `t`: at risk = times >= t,
    /// censored and events = observations strictly before t, so the three add up to the
    /// group's size (KMunicate's convention).
    pub fn from_observations(ticks: &[f64], groups: &[(&str, &[f64], &[bool])]) -> Self {
        let groups = groups
            .iter()
            .enumerate()
            .map(|(i, (label, time, event))| {
                let count = |f: &dyn Fn(f64, bool) -> bool| -> Vec<u32> {
                    ticks
                        .iter()
                        .map(|t| {
                            let n = time
                                .iter()
                                .zip(event.iter())
                                .filter(|(ti, ei)| f(**ti - *t, **ei))
                                .count();
                            u32::try_from(n).unwrap_or(u32::MAX)
                        })
                        .collect()
                };
                RiskGroup {
                    label: (*label).to_owned(),
                    colour: Some(i),
                    at_risk: count(&|d, _| d >= 0.0),
                    censored: count(&|d, e| d < 0.0 && !e),
                    events: count(&|d, e| d < 0.0 && e),
                }
            })
            .collect();
        Self {
            ticks: ticks.to_vec(),
            groups,
        }
    }
}

impl RiskGroup {
    /// The KMunicate block from a fitted curve's per-time counts (the engine's `time`,
    /// `n_risk`, `n_event`, `n_censor`, one row per distinct observed time). At each tick `t`:
    /// at risk = `n_risk` at the first time >= t (0 past the last), events and censored =
    /// sums over times strictly before t, as in [`RiskTable::from_observations`].
    pub fn from_counts(
        label: &str,
        colour: Option<usize>,
        ticks: &[f64],
        time: &[f64],
        n_risk: &[f64],
        n_event: &[f64],
        n_censor: &[f64],
    ) -> Self {
        let count = |v: f64| u32::try_from(super::theme::round_i32(v).max(0)).unwrap_or(0);
        let before = |t: f64, n: &[f64]| -> u32 {
            count(
                time.iter()
                    .zip(n)
                    .filter(|(ti, _)| **ti < t)
                    .map(|(_, v)| *v)
                    .sum(),
            )
        };
        Self {
            label: label.to_owned(),
            colour,
            at_risk: ticks
                .iter()
                .map(|t| {
                    time.iter()
                        .zip(n_risk)
                        .find(|(ti, _)| **ti >= *t)
                        .map_or(0, |(_, n)| count(*n))
                })
                .collect(),
            censored: ticks.iter().map(|t| before(*t, n_censor)).collect(),
            events: ticks.iter().map(|t| before(*t, n_event)).collect(),
        }
    }
}

impl KmCurve {
    /// A curve from the engine's per-time rows: censor ticks where `n_censor > 0`.
    pub fn from_rows(
        label: &str,
        time: &[f64],
        surv: &[f64],
        lower: &[f64],
        upper: &[f64],
        n_censor: &[f64],
    ) -> Self {
        Self {
            label: label.to_owned(),
            time: time.to_vec(),
            surv: surv.to_vec(),
            lower: lower.to_vec(),
            upper: upper.to_vec(),
            censor_times: time
                .iter()
                .zip(n_censor)
                .filter(|(_, c)| **c > 0.0)
                .map(|(t, _)| *t)
                .collect(),
            n_risk: Vec::new(),
        }
    }

    /// The curve with its numbers at risk (the engine's `n_risk`, one per `time`), so that
    /// [`KmOptions::min_at_risk`] can stop it: `KmCurve::from_rows(..).with_n_risk(&n_risk)`.
    #[must_use]
    pub fn with_n_risk(mut self, n_risk: &[f64]) -> Self {
        self.n_risk = n_risk.to_vec();
        self
    }
}

/// A Kaplan-Meier figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KmChart {
    /// Optional panel title (journals usually want none: the legend is in the caption).
    pub title: Option<String>,
    /// e.g. "Months since CAR-T infusion".
    pub x_label: String,
    /// e.g. "Overall survival (%)".
    pub y_label: String,
    /// Curves in palette order (curve i takes colour i).
    pub curves: Vec<KmCurve>,
    /// Ticks and the extended risk table.
    pub table: RiskTable,
    /// Test result shown in the panel, e.g. "Log-rank p = 0.012".
    pub p_value: Option<String>,
}

/// Draws `chart` into `area` with the default [`KmOptions`]: panel above, risk table below.
/// Curves stop where fewer than 10 patients are at risk (when their `n_risk` is given);
/// censor ticks are at least 1 mm apart; confidence bands are shaded for one or two curves.
pub fn draw_km<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &KmChart,
) -> DrawResult<(), DB> {
    draw_km_with(area, theme, chart, &KmOptions::default())
}

/// Draws `chart` into `area` with `options`. The legend sits in a corner of the panel no
/// curve crosses, else in a band above the panel; the table's last column is kept inside
/// the figure however wide its numbers.
pub fn draw_km_with<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &KmChart,
    options: &KmOptions,
) -> DrawResult<(), DB> {
    let steps: Vec<Step<'_>> = chart
        .curves
        .iter()
        .enumerate()
        .map(|(i, c)| Step {
            label: &c.label,
            time: &c.time,
            value: &c.surv,
            lower: &c.lower,
            upper: &c.upper,
            censor: &c.censor_times,
            start: 1.0,
            colour: theme.colour(i),
            dashed: false,
            end: last_time_at_risk(&c.time, &c.n_risk, options.min_at_risk),
        })
        .collect();
    let panel = Panel {
        title: chart.title.as_deref(),
        x_label: &chart.x_label,
        y_label: &chart.y_label,
        y_max: 1.0,
        y_ticks: vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        legend: Corner::BottomLeft,
        note: chart.p_value.as_deref(),
        table: &chart.table,
        censor_gap_mm: options.censor_gap_mm,
        max_banded_curves: options.max_banded_curves,
    };
    draw_step_panel(area, theme, &panel, &steps)
}

/// A figure height (mm) that leaves the panel about 55 mm for a table of `groups` blocks of
/// `rows_per_group` rows (3 for Kaplan-Meier, 1 for cumulative incidence).
pub fn suggested_height_mm(theme: &Theme, groups: usize, rows_per_group: usize) -> f64 {
    let rows = groups * (rows_per_group + 1);
    let row_mm = theme.small_pt * 1.35 * 25.4 / 72.0;
    let rows = f64::from(u32::try_from(rows).unwrap_or(0));
    62.0 + rows * row_mm + 1.5
}
