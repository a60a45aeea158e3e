//! Forest plot: one row per subgroup with its estimate (a rate such as ORR, or a hazard ratio)
//! and confidence interval, a reference line (overall rate, or HR = 1), the subgroup labels and
//! n on the left and the numbers on the right, so the figure reads as a table too.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::DrawResult;
use super::theme::{TEXT_GREY, Theme, TickAxis, anchored, fmt_tick, round_i32, text_width};

/// What a row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForestRowKind {
    /// A bold heading ("Disease") without numbers.
    Header,
    /// A subgroup (indented under its heading), drawn as a square.
    #[default]
    Item,
    /// The overall estimate, drawn as a diamond.
    Overall,
}

/// One row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub kind: ForestRowKind,
    /// Patients in the subgroup.
    pub n: Option<u32>,
    /// Responders/events, shown as "events/n" when given.
    pub events: Option<u32>,
    pub estimate: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// Axis scale of the estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForestScale {
    /// Proportions shown in percent (0-1 in, 0-100 on the axis and in the text).
    #[default]
    Percent,
    /// Ratios on a log axis (hazard ratios), two decimals.
    LogRatio,
}

/// A forest figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForestChart {
    pub title: Option<String>,
    pub rows: Vec<ForestRow>,
    pub scale: ForestScale,
    /// Axis description, e.g. "Overall response rate (%)" or "Hazard ratio (95% CI)".
    pub x_label: String,
    /// Axis ticks in data units (proportions for `Percent`); empty picks defaults.
    pub ticks: Vec<f64>,
    /// Reference line (overall rate, or 1 for hazard ratios).
    pub reference: Option<f64>,
    /// Column headings.
    pub label_header: String,
    pub n_header: String,
    pub value_header: String,
}

impl ForestChart {
    fn to_axis(&self, v: f64) -> f64 {
        match self.scale {
            ForestScale::Percent => v,
            ForestScale::LogRatio => v.max(1e-9).ln(),
        }
    }

    fn value_text(&self, row: &ForestRow) -> String {
        let Some(est) = row.estimate else {
            return String::new();
        };
        let f = |v: f64| match self.scale {
            ForestScale::Percent => format!("{}", round_i32(v * 100.0)),
            ForestScale::LogRatio => format!("{v:.2}"),
        };
        match (row.lower, row.upper) {
            (Some(lo), Some(hi)) => format!("{} ({}\u{2013}{})", f(est), f(lo), f(hi)),
            _ => f(est),
        }
    }

    fn n_text(row: &ForestRow) -> String {
        match (row.events, row.n) {
            (Some(e), Some(n)) => format!("{e}/{n}"),
            (None, Some(n)) => n.to_string(),
            _ => String::new(),
        }
    }
}

/// Draws `chart` into `area`.
pub fn draw_forest<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &ForestChart,
) -> DrawResult<(), DB> {
    let body = if let Some(title) = &chart.title {
        let h = theme.line_height(theme.title_pt) + theme.mm_i(0.5);
        let (top, rest) = area.split_vertically(u32::try_from(h).unwrap_or(0));
        top.draw_text(
            title,
            &anchored(&theme.bold(theme.title_pt), HPos::Left, VPos::Top),
            (0, 0),
        )?;
        rest
    } else {
        area.clone()
    };

    let small = theme.text(theme.small_pt);
    let bold = theme.bold(theme.small_pt);
    let indent = theme.mm_i(2.0);
    let col_gap = theme.mm_i(2.5);
    let label_w = chart
        .rows
        .iter()
        .map(|r| match r.kind {
            ForestRowKind::Header | ForestRowKind::Overall => text_width(area, &bold, &r.label),
            ForestRowKind::Item => indent + text_width(area, &small, &r.label),
        })
        .chain(std::iter::once(text_width(
            area,
            &bold,
            &chart.label_header,
        )))
        .max()
        .unwrap_or(0);
    let n_w = chart
        .rows
        .iter()
        .map(|r| text_width(area, &small, &ForestChart::n_text(r)))
        .chain(std::iter::once(text_width(area, &bold, &chart.n_header)))
        .max()
        .unwrap_or(0);
    let value_w = chart
        .rows
        .iter()
        .map(|r| text_width(area, &small, &chart.value_text(r)))
        .chain(std::iter::once(text_width(
            area,
            &bold,
            &chart.value_header,
        )))
        .max()
        .unwrap_or(0);

    let (body_w, _) = body.dim_in_pixel();
    let header_h = theme.line_height(theme.small_pt) + theme.mm_i(1.5);
    let left = label_w + col_gap + n_w + col_gap;
    let right = value_w + col_gap + theme.mm_i(0.5);
    let plot_w = i32::try_from(body_w).unwrap_or(0) - left - right;
    let narrow = plot_w < theme.mm_i(24.0);
    let ticks: Vec<f64> = if chart.ticks.is_empty() {
        match (chart.scale, narrow) {
            (ForestScale::Percent, false) => vec![0.0, 0.25, 0.5, 0.75, 1.0],
            (ForestScale::Percent, true) => vec![0.0, 0.5, 1.0],
            (ForestScale::LogRatio, false) => vec![0.25, 0.5, 1.0, 2.0, 4.0],
            (ForestScale::LogRatio, true) => vec![0.25, 1.0, 4.0],
        }
    } else {
        chart.ticks.clone()
    };
    let lo = ticks.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ticks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = (chart.to_axis(lo), chart.to_axis(hi));
    let (lo, hi) = if lo < hi { (lo, hi) } else { (lo, lo + 1.0) };
    let axis_ticks: Vec<f64> = ticks.iter().map(|t| chart.to_axis(*t)).collect();

    let n_rows = chart.rows.len().max(1);
    let n_f = f64::from(u32::try_from(n_rows).unwrap_or(1));
    let mut ctx = ChartBuilder::on(&body)
        .margin_top(header_h)
        .margin_right(right)
        .margin_left(theme.mm_i(0.5))
        .x_label_area_size(theme.line_height(theme.font_pt) * 2 + theme.mm_i(1.8))
        .y_label_area_size(left)
        .build_cartesian_2d(
            TickAxis::new(lo, hi, axis_ticks),
            TickAxis::new(0.0, n_f, Vec::new()),
        )?;
    let scale = chart.scale;
    let tick_label = move |v: &f64| match scale {
        ForestScale::Percent => format!("{}", round_i32(v * 100.0)),
        ForestScale::LogRatio => fmt_tick((v.exp() * 100.0).round() / 100.0),
    };
    ctx.configure_mesh()
        .disable_mesh()
        .disable_y_axis()
        .x_desc(chart.x_label.as_str())
        .label_style(theme.text(theme.font_pt))
        .axis_desc_style(theme.text(theme.font_pt))
        .axis_style(theme.axis_style())
        .set_all_tick_mark_size(theme.mm_i(0.9))
        .x_label_formatter(&tick_label)
        .draw()?;

    if let Some(reference) = chart.reference {
        let x = chart.to_axis(reference).clamp(lo, hi);
        ctx.draw_series(DashedLineSeries::new(
            vec![(x, 0.0), (x, n_f)],
            theme.mm_i(1.0),
            theme.mm_i(0.8),
            TEXT_GREY.stroke_width(theme.stroke(theme.thin_pt)),
        ))?;
    }

    let base = body.get_base_pixel();
    let y_of = |i: usize| -> f64 { n_f - f64::from(u32::try_from(i).unwrap_or(0)) - 0.5 };
    let header_y = ctx.backend_coord(&(lo, n_f)).1 - base.1 - header_h / 2;
    let plot_right = ctx.backend_coord(&(hi, 0.0)).0 - base.0;
    let row_py: Vec<i32> = (0..chart.rows.len())
        .map(|i| ctx.backend_coord(&(lo, y_of(i))).1 - base.1)
        .collect();
    let head_l = anchored(&bold, HPos::Left, VPos::Center);
    let head_r = anchored(&bold, HPos::Right, VPos::Center);
    let x_label = theme.mm_i(0.5);
    let x_n = x_label + label_w + col_gap + n_w;
    let x_value = plot_right + col_gap;
    body.draw_text(&chart.label_header, &head_l, (x_label, header_y))?;
    body.draw_text(&chart.n_header, &head_r, (x_n, header_y))?;
    body.draw_text(&chart.value_header, &head_l, (x_value, header_y))?;

    let box_r = theme.mm_i(0.7);
    let ci_style = BLACK.stroke_width(theme.stroke(theme.line_pt * 0.8));
    for (i, row) in chart.rows.iter().enumerate() {
        let y = y_of(i);
        let py = row_py.get(i).copied().unwrap_or(0);
        let (label_style, x) = match row.kind {
            ForestRowKind::Header => (anchored(&bold, HPos::Left, VPos::Center), x_label),
            ForestRowKind::Overall => (anchored(&bold, HPos::Left, VPos::Center), x_label),
            ForestRowKind::Item => (anchored(&small, HPos::Left, VPos::Center), x_label + indent),
        };
        body.draw_text(&row.label, &label_style, (x, py))?;
        body.draw_text(
            &ForestChart::n_text(row),
            &anchored(&small, HPos::Right, VPos::Center),
            (x_n, py),
        )?;
        body.draw_text(
            &chart.value_text(row),
            &anchored(&small, HPos::Left, VPos::Center),
            (x_value, py),
        )?;
        let Some(est) = row.estimate.filter(|e| e.is_finite()) else {
            continue;
        };
        let est = chart.to_axis(est);
        if let (Some(l), Some(u)) = (row.lower, row.upper) {
            let (l, u) = (chart.to_axis(l), chart.to_axis(u));
            let (lc, uc) = (l.clamp(lo, hi), u.clamp(lo, hi));
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(lc, y), (uc, y)],
                ci_style,
            )))?;
            // An arrowhead where the interval runs off the axis.
            let a = theme.mm_i(0.8);
            for (beyond, at, dir) in [(l < lo, lc, -1), (u > hi, uc, 1)] {
                if beyond {
                    ctx.draw_series(std::iter::once(
                        EmptyElement::at((at, y))
                            + Polygon::new(
                                vec![(dir * a, 0), (0, -a * 2 / 3), (0, a * 2 / 3)],
                                BLACK.filled(),
                            ),
                    ))?;
                }
            }
        }
        if est < lo || est > hi {
            continue;
        }
        match row.kind {
            ForestRowKind::Overall => {
                let (l, u) = (
                    row.lower.map_or(est, |v| chart.to_axis(v).clamp(lo, hi)),
                    row.upper.map_or(est, |v| chart.to_axis(v).clamp(lo, hi)),
                );
                let h = 0.32;
                ctx.draw_series(std::iter::once(Polygon::new(
                    vec![(l, y), (est, y + h), (u, y), (est, y - h)],
                    BLACK.filled(),
                )))?;
            }
            _ => {
                ctx.draw_series(std::iter::once(
                    EmptyElement::at((est, y))
                        + Rectangle::new(
                            [(-box_r, -box_r), (box_r, box_r)],
                            theme.colour(0).filled(),
                        ),
                ))?;
            }
        }
    }
    Ok(())
}

/// A figure height (mm) for `rows` rows at the theme's type size: header, rows and axis.
pub fn suggested_height_mm(theme: &Theme, rows: usize) -> f64 {
    let row_mm = theme.small_pt * 1.9 * 25.4 / 72.0;
    let rows = f64::from(u32::try_from(rows).unwrap_or(0));
    16.0 + rows * row_mm
}
