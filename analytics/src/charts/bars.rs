//! Bar chart of a rate per period, by category: infection density (infections per 100
//! patient-days at risk) for days 0-28, 29-90, 91-365 and after 365, by organism class
//! (bacterial, viral, fungal, ...), stacked or side by side, each bar labelled with its value.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::DrawResult;
use super::theme::{
    Corner, LegendEntry, LegendKind, Theme, TickAxis, anchored, draw_legend, fmt_tick, nice_ticks,
    pick_corner, round_i32,
};

/// Stacked (one bar per period, segments per class, total on top) or grouped (side by side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarLayout {
    #[default]
    Stacked,
    Grouped,
}

/// One category's values, one per period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarSeries {
    /// e.g. "Bacterial".
    pub label: String,
    pub values: Vec<f64>,
}

/// A bar figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarChart {
    pub title: Option<String>,
    /// Period names on the x axis, e.g. "0–28", "29–90".
    pub periods: Vec<String>,
    pub series: Vec<BarSeries>,
    pub layout: BarLayout,
    /// e.g. "Days since CAR-T infusion".
    pub x_label: String,
    /// e.g. "Infections per 100 patient-days".
    pub y_label: String,
    /// Decimals of the value labels.
    pub decimals: usize,
}

/// Draws `chart` into `area`.
pub fn draw_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &BarChart,
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
    let n_periods = chart.periods.len();
    let value = |s: &BarSeries, p: usize| -> f64 {
        s.values
            .get(p)
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(0.0)
    };
    let totals: Vec<f64> = (0..n_periods)
        .map(|p| chart.series.iter().map(|s| value(s, p)).sum())
        .collect();
    let top = match chart.layout {
        BarLayout::Stacked => totals.iter().copied().fold(0.0, f64::max),
        BarLayout::Grouped => chart
            .series
            .iter()
            .flat_map(|s| (0..n_periods).map(|p| value(s, p)))
            .fold(0.0, f64::max),
    };
    // Head room for the value labels and the legend.
    let y_ticks = nice_ticks(top * 1.3, 5);
    let y_max = y_ticks.last().copied().unwrap_or(1.0);
    let n_f = f64::from(u32::try_from(n_periods.max(1)).unwrap_or(1));
    let x_ticks: Vec<f64> = (0..n_periods)
        .map(|i| f64::from(u32::try_from(i).unwrap_or(0)) + 0.5)
        .collect();
    let names = chart.periods.clone();
    let period_label = move |v: &f64| -> String {
        let i = usize::try_from(round_i32(v - 0.5).max(0)).unwrap_or(0);
        names.get(i).cloned().unwrap_or_default()
    };
    let font = theme.text(theme.font_pt);
    let mut ctx = ChartBuilder::on(&body)
        // Keeps the rotated y-axis title off the figure edge.
        .margin_left(theme.mm_i(0.6))
        .margin_top(theme.line_height(theme.font_pt) / 2 + theme.mm_i(0.5))
        .margin_right(theme.mm_i(2.0))
        .x_label_area_size(theme.line_height(theme.font_pt) * 2 + theme.mm_i(1.8))
        .y_label_area_size(theme.mm_i(12.0))
        .build_cartesian_2d(
            TickAxis::new(0.0, n_f, x_ticks),
            TickAxis::new(0.0, y_max, y_ticks),
        )?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .axis_style(theme.axis_style())
        .set_all_tick_mark_size(theme.mm_i(0.9))
        .x_label_formatter(&period_label)
        .y_label_formatter(&|v| fmt_tick(*v))
        .draw()?;

    let small = theme.text(theme.small_pt);
    let above = anchored(&small, HPos::Center, VPos::Bottom);
    let inside = anchored(&small.color(&WHITE), HPos::Center, VPos::Center);
    let fmt = |v: f64| format!("{v:.*}", chart.decimals);
    let gap = theme.mm_i(0.6);
    let k = chart.series.len().max(1);
    let k_f = f64::from(u32::try_from(k).unwrap_or(1));
    let seg_min_px = theme.line_height(theme.small_pt);
    let px_per_unit = {
        let a = ctx.backend_coord(&(0.0, 0.0)).1;
        let b = ctx.backend_coord(&(0.0, y_max)).1;
        f64::from(a - b) / y_max
    };
    // Bars and their value labels, for placing the legend clear of them.
    let mut occupied: Vec<[(f64, f64); 2]> = Vec::new();
    let label_units = f64::from(seg_min_px + gap) / px_per_unit.max(f64::MIN_POSITIVE);
    for p in 0..n_periods {
        let x0 = f64::from(u32::try_from(p).unwrap_or(0));
        match chart.layout {
            BarLayout::Stacked => {
                let (l, r) = (x0 + 0.2, x0 + 0.8);
                let mut base = 0.0;
                for (i, s) in chart.series.iter().enumerate() {
                    let v = value(s, p);
                    if v <= 0.0 {
                        continue;
                    }
                    ctx.draw_series(std::iter::once(Rectangle::new(
                        [(l, base), (r, base + v)],
                        theme.colour(i).filled(),
                    )))?;
                    if v * px_per_unit >= f64::from(seg_min_px) && chart.series.len() > 1 {
                        ctx.draw_series(std::iter::once(Text::new(
                            fmt(v),
                            (x0 + 0.5, base + v / 2.0),
                            inside.clone(),
                        )))?;
                    }
                    base += v;
                }
                let total = totals.get(p).copied().unwrap_or(0.0);
                occupied.push([(l, 0.0), (r, total + label_units)]);
                ctx.draw_series(std::iter::once(
                    EmptyElement::at((x0 + 0.5, total))
                        + Text::new(fmt(total), (0, -gap), above.clone()),
                ))?;
            }
            BarLayout::Grouped => {
                let width = 0.8 / k_f;
                for (i, s) in chart.series.iter().enumerate() {
                    let v = value(s, p);
                    let l = x0 + 0.1 + width * f64::from(u32::try_from(i).unwrap_or(0));
                    occupied.push([(l, 0.0), (l + width, v + label_units)]);
                    ctx.draw_series(std::iter::once(Rectangle::new(
                        [(l + width * 0.06, 0.0), (l + width * 0.94, v)],
                        theme.colour(i).filled(),
                    )))?;
                    ctx.draw_series(std::iter::once(
                        EmptyElement::at((l + width / 2.0, v))
                            + Text::new(fmt(v), (0, -gap), above.clone()),
                    ))?;
                }
            }
        }
    }
    let legend: Vec<LegendEntry> = chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| LegendEntry {
            label: s.label.clone(),
            colour: theme.colour(i),
            kind: LegendKind::Box,
        })
        .collect();
    let inner = ctx.plotting_area().strip_coord_spec();
    let origin = inner.get_base_pixel();
    let mut samples = Vec::new();
    for [(x0, y0), (x1, y1)] in occupied {
        for i in 0..=8 {
            for j in 0..=8 {
                let x = x0 + (x1 - x0) * f64::from(i) / 8.0;
                let y = y0 + (y1 - y0) * f64::from(j) / 8.0;
                let (px, py) = ctx.backend_coord(&(x, y));
                samples.push((px - origin.0, py - origin.1));
            }
        }
    }
    let corner = pick_corner(&inner, theme, Corner::TopRight, &legend, None, &samples);
    draw_legend(&inner, theme, corner, &legend, None)?;
    Ok(())
}
