//! The panel that Kaplan-Meier and cumulative incidence charts share: right-continuous step
//! curves with shaded CI bands and censor ticks, x ticks that are also the columns of the
//! KMunicate risk table drawn under the axis, and the in-panel legend with the test's p-value.
//! The public inputs live in `km` and `cuminc`; this module only draws.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::DrawResult;
use super::km::RiskTable;
use super::theme::{
    Corner, LegendEntry, LegendKind, TEXT_GREY, Theme, TickAxis, anchored, best_corner,
    draw_legend, draw_legend_rows, fmt_tick, legend_rows_height, round_i32, text_width,
};

/// One right-continuous step function to draw, borrowed from the public input structs.
pub(crate) struct Step<'a> {
    pub label: &'a str,
    pub time: &'a [f64],
    pub value: &'a [f64],
    pub lower: &'a [f64],
    pub upper: &'a [f64],
    pub censor: &'a [f64],
    /// Value before the first time (1 for survival, 0 for incidence).
    pub start: f64,
    pub colour: RGBColor,
    pub dashed: bool,
    /// Explicit end of follow-up; otherwise the last step or censoring.
    pub end: Option<f64>,
}

impl Step<'_> {
    /// Value at `t` (right-continuous: the step at `t` is already taken).
    fn at(&self, t: f64) -> f64 {
        self.time
            .iter()
            .zip(self.value)
            .take_while(|(ti, _)| **ti <= t)
            .last()
            .map_or(self.start, |(_, v)| *v)
    }

    /// Last time the curve is known: its last step or last censoring.
    fn end(&self) -> f64 {
        if let Some(end) = self.end.filter(|e| e.is_finite()) {
            return end;
        }
        self.time
            .iter()
            .chain(self.censor)
            .copied()
            .filter(|t| t.is_finite())
            .fold(0.0, f64::max)
    }

    /// Staircase through `values` from t = 0 to min(end, x_max); steps after an explicit
    /// `end` are not drawn (a curve stopped where too few remain at risk).
    fn staircase(&self, values: &[f64], x_max: f64) -> Vec<(f64, f64)> {
        let stop = self.end().min(x_max);
        let mut pts = vec![(0.0, self.start)];
        let mut prev = self.start;
        for (t, v) in self.time.iter().zip(values) {
            if !t.is_finite() || *t > stop {
                break;
            }
            let v = if v.is_finite() { *v } else { prev };
            pts.push((*t, prev));
            pts.push((*t, v));
            prev = v;
        }
        let last = pts.last().map_or(0.0, |p| p.0);
        pts.push((stop.max(last), prev));
        pts
    }

    /// The censoring times drawn as ticks: those up to the curve's end and the axis end, in
    /// time order, keeping a time only if its tick is at least `gap` pixels (through `x_px`)
    /// right of the last kept one. Thousands of ticks would otherwise print as a solid bar;
    /// each kept tick still sits at its own time on the curve.
    fn thinned_censor(&self, x_max: f64, gap: i32, x_px: impl Fn(f64) -> i32) -> Vec<f64> {
        let stop = self.end().min(x_max);
        let mut times: Vec<f64> = self
            .censor
            .iter()
            .copied()
            .filter(|c| c.is_finite() && *c <= stop)
            .collect();
        times.sort_by(f64::total_cmp);
        let mut last: Option<i32> = None;
        times
            .into_iter()
            .filter(|t| {
                let x = x_px(*t);
                let keep = last.is_none_or(|l| x - l >= gap);
                if keep {
                    last = Some(x);
                }
                keep
            })
            .collect()
    }
}

/// Axis and annotation settings of a step panel.
pub(crate) struct Panel<'a> {
    pub title: Option<&'a str>,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub y_max: f64,
    pub y_ticks: Vec<f64>,
    pub legend: Corner,
    pub note: Option<&'a str>,
    pub table: &'a RiskTable,
    /// Least distance between two censor ticks at print size (mm).
    pub censor_gap_mm: f64,
    /// Confidence bands are drawn only when there are at most this many curves.
    pub max_banded_curves: usize,
}

/// Row labels of the KMunicate table, in its order.
const ROW_LABELS: [&str; 3] = ["At risk", "Censored", "Events"];

pub(crate) fn draw_step_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    panel: &Panel<'_>,
    curves: &[Step<'_>],
) -> DrawResult<(), DB> {
    let table = panel.table;
    let ticks: Vec<f64> = if table.ticks.is_empty() {
        vec![0.0, 1.0]
    } else {
        table.ticks.clone()
    };
    let x_max = ticks
        .iter()
        .copied()
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);

    let small = theme.text(theme.small_pt);
    let row_h = theme.line_height(theme.small_pt);
    let rows = table_rows(table);
    let n_rows = i32::try_from(rows.len()).unwrap_or(0);
    let table_h = if rows.is_empty() {
        0
    } else {
        n_rows * row_h + theme.mm_i(1.5)
    };

    let (_, h) = area.dim_in_pixel();
    let h = i32::try_from(h).unwrap_or(i32::MAX);
    let title_h = if panel.title.is_some() {
        theme.line_height(theme.title_pt) + theme.mm_i(0.5)
    } else {
        0
    };
    let plot_h = (h - table_h - title_h).max(h / 3);
    let (title_area, rest) = area.split_vertically(u32::try_from(title_h).unwrap_or(0));
    let (plot_area, table_area) = rest.split_vertically(u32::try_from(plot_h).unwrap_or(0));
    if let Some(title) = panel.title {
        let style = anchored(&theme.bold(theme.title_pt), HPos::Left, VPos::Top);
        title_area.draw_text(title, &style, (0, 0))?;
    }

    // The table's names start where the y-axis title does, off the figure edge.
    let pad = theme.mm_i(0.6);
    let label_indent = pad + theme.mm_i(1.5);
    let widest_row_label = ROW_LABELS
        .iter()
        .map(|l| text_width(area, &small, l))
        .max()
        .unwrap_or(0);
    let widest_in_column = |column: fn(&[u32]) -> Option<&u32>| {
        table
            .groups
            .iter()
            .flat_map(|g| [column(&g.at_risk), column(&g.censored), column(&g.events)])
            .flatten()
            .map(|v| text_width(area, &small, &v.to_string()))
            .max()
            .unwrap_or(0)
    };
    // Numbers are centred on their tick, so the first column reaches half a number left of
    // the y axis: the margin holds the row labels, that half and a gap.
    let widest_first = widest_in_column(<[u32]>::first);
    let left = if rows.is_empty() {
        theme.mm_i(11.0)
    } else {
        theme
            .mm_i(11.0)
            .max(label_indent + widest_row_label + widest_first / 2 + theme.mm_i(2.0))
    };
    // The last column is centred on the axis end: the right margin holds half its widest
    // number (and half the last tick label) so neither is clipped at the figure edge.
    let font = theme.text(theme.font_pt);
    let widest_last = widest_in_column(<[u32]>::last);
    let last_tick_w = ticks
        .last()
        .map_or(0, |t| text_width(area, &font, &fmt_tick(*t)));
    let right = theme
        .mm_i(3.5)
        .max(widest_last.max(last_tick_w) / 2 + theme.mm_i(0.8));
    let x_label_area = theme.line_height(theme.font_pt) * 2 + theme.mm_i(1.8);
    let build = |on: &DrawingArea<DB, Shift>| {
        // A hair of margin on the left keeps the rotated y-axis title off the figure edge.
        ChartBuilder::on(on)
            .margin_left(pad)
            .margin_top(theme.line_height(theme.font_pt) / 2 + theme.mm_i(0.5))
            .margin_right(right)
            .x_label_area_size(x_label_area)
            .y_label_area_size(left)
            .build_cartesian_2d(
                TickAxis::new(0.0, x_max, ticks.clone()),
                TickAxis::new(0.0, panel.y_max, panel.y_ticks.clone()),
            )
    };

    let legend: Vec<LegendEntry> = curves
        .iter()
        .filter(|c| !c.label.is_empty())
        .map(|c| LegendEntry {
            label: c.label.to_owned(),
            colour: c.colour,
            kind: if c.dashed {
                LegendKind::Dashed
            } else {
                LegendKind::Line
            },
        })
        .collect();
    // The legend goes to the preferred corner unless curves pass there; then to the corner
    // the fewest curve points cross; if every corner is crossed, into a band above the panel
    // (a legend must never hide a curve). Building a chart draws nothing, so the first build
    // only measures.
    let placement = {
        let probe = build(&plot_area)?;
        legend_placement(&probe, theme, panel, &legend, curves, x_max)
    };
    let band_h = match placement {
        Placement::Inside(_) => 0,
        Placement::Above => legend_rows_height(&plot_area, theme, &legend, panel.note),
    };
    let (band_area, chart_area) = plot_area.split_vertically(u32::try_from(band_h).unwrap_or(0));
    let mut chart = build(&chart_area)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(panel.x_label)
        .y_desc(panel.y_label)
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .axis_style(theme.axis_style())
        .set_all_tick_mark_size(theme.mm_i(0.9))
        .x_label_formatter(&|v| fmt_tick(*v))
        .y_label_formatter(&|v| format!("{}", round_i32(v * 100.0)))
        .draw()?;

    let line_w = theme.stroke(theme.line_pt);
    let band_alpha = 0.18;
    let banded = if curves.len() <= panel.max_banded_curves {
        curves
    } else {
        &[]
    };
    for curve in banded {
        let bands = curve.lower.len() == curve.time.len() && curve.upper.len() == curve.time.len();
        if bands && !curve.time.is_empty() {
            let mut poly = curve.staircase(curve.upper, x_max);
            let mut low = curve.staircase(curve.lower, x_max);
            low.reverse();
            poly.extend(low);
            chart.draw_series(std::iter::once(Polygon::new(
                poly,
                curve.colour.mix(band_alpha).filled(),
            )))?;
        }
    }
    let gap = round_i32(theme.mm(panel.censor_gap_mm)).max(1);
    for curve in curves {
        let pts = curve.staircase(curve.value, x_max);
        let style = curve.colour.stroke_width(line_w);
        if curve.dashed {
            chart.draw_series(DashedLineSeries::new(
                pts,
                theme.mm_i(1.6),
                theme.mm_i(0.9),
                style,
            ))?;
        } else {
            chart.draw_series(LineSeries::new(pts, style))?;
        }
        let tick = theme.mm_i(0.9);
        let tick_style = curve.colour.stroke_width(theme.stroke(theme.thin_pt * 1.5));
        let censor = curve.thinned_censor(x_max, gap, |t| chart.backend_coord(&(t, 0.0)).0);
        chart.draw_series(censor.into_iter().map(|c| {
            EmptyElement::at((c, curve.at(c)))
                + PathElement::new(vec![(0, -tick), (0, tick)], tick_style)
        }))?;
    }

    match placement {
        Placement::Inside(corner) => {
            let inner = chart.plotting_area().strip_coord_spec();
            draw_legend(&inner, theme, corner, &legend, panel.note)?;
        }
        Placement::Above => draw_legend_rows(&band_area, theme, &legend, panel.note)?,
    }

    // The table: x positions are the axis ticks, mapped through the chart itself.
    let base = table_area.get_base_pixel();
    let tick_x: Vec<i32> = ticks
        .iter()
        .map(|t| chart.backend_coord(&(*t, 0.0)).0 - base.0)
        .collect();
    let num_style = anchored(&small, HPos::Center, VPos::Center);
    let label_style = anchored(&small.color(&TEXT_GREY), HPos::Left, VPos::Center);
    let top = theme.mm_i(1.5);
    for (i, (g, row)) in rows.iter().enumerate() {
        let Some(group) = table.groups.get(*g) else {
            continue;
        };
        let yc = top + row_h * i32::try_from(i).unwrap_or(0) + row_h / 2;
        match row {
            None => {
                let colour = group.colour.map_or(BLACK, |c| theme.colour(c));
                let style = anchored(
                    &theme.bold(theme.small_pt).color(&colour),
                    HPos::Left,
                    VPos::Center,
                );
                table_area.draw_text(&group.label, &style, (pad, yc))?;
            }
            Some(r) => {
                let values = match r {
                    0 => &group.at_risk,
                    1 => &group.censored,
                    _ => &group.events,
                };
                let label = ROW_LABELS.get(*r).copied().unwrap_or_default();
                table_area.draw_text(label, &label_style, (label_indent, yc))?;
                for (x, v) in tick_x.iter().zip(values) {
                    table_area.draw_text(&v.to_string(), &num_style, (*x, yc))?;
                }
            }
        }
    }
    Ok(())
}

/// The table's rows in drawing order: (group, None) for a group's name, (group, Some(row))
/// for its at risk / censored / events rows that have numbers.
fn table_rows(table: &RiskTable) -> Vec<(usize, Option<usize>)> {
    table
        .groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            let present = [
                !group.at_risk.is_empty(),
                !group.censored.is_empty(),
                !group.events.is_empty(),
            ];
            // A group without a name (the whole cohort) gets no header row.
            (!group.label.is_empty())
                .then_some((g, None))
                .into_iter()
                .chain(
                    (0..3)
                        .filter(move |r| present.get(*r).copied().unwrap_or(false))
                        .map(move |r| (g, Some(r))),
                )
        })
        .collect()
}

/// Where the legend of a step panel goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// In a corner of the plotting area no curve crosses.
    Inside(Corner),
    /// In rows above the panel: every corner is crossed.
    Above,
}

/// Where the legend (and note) of `chart` goes: the first corner, preferred one first, that
/// no curve passes through, else above the panel.
fn legend_placement<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<TickAxis, TickAxis>>,
    theme: &Theme,
    panel: &Panel<'_>,
    legend: &[LegendEntry],
    curves: &[Step<'_>],
    x_max: f64,
) -> Placement {
    if legend.is_empty() && panel.note.is_none() {
        return Placement::Inside(panel.legend);
    }
    let inner = chart.plotting_area().strip_coord_spec();
    let origin = inner.get_base_pixel();
    // Sampled densely enough (every 0.25 % of the axis) that no horizontal run is missed,
    // plus both ends of every vertical step.
    let samples: Vec<(i32, i32)> = curves
        .iter()
        .flat_map(|c| {
            let end = c.end().min(x_max);
            let grid = (0..=400).filter_map(move |k| {
                let t = x_max * f64::from(k) / 400.0;
                (t <= end).then(|| (t, c.at(t)))
            });
            let steps = c.staircase(c.value, x_max);
            grid.chain(steps)
        })
        .map(|p| {
            let (x, y) = chart.backend_coord(&p);
            (x - origin.0, y - origin.1)
        })
        .collect();
    let (corner, hits) = best_corner(&inner, theme, panel.legend, legend, panel.note, &samples);
    if hits == 0 {
        Placement::Inside(corner)
    } else {
        Placement::Above
    }
}
