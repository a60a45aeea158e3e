//! Laboratory values over time, one light grey line per patient ("spaghetti") and the median
//! across patients in colour: CAR-T persistence (transgene copies/µg gDNA, log10 axis) and IgG
//! (mg/dL, with the 400 mg/dL replacement threshold as a dashed reference line).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::DrawResult;
use super::theme::{
    Corner, LIGHT_GREY, LegendEntry, LegendKind, Theme, TickAxis, anchored, draw_legend, fmt_tick,
    nice_ticks, pick_corner, round_i32,
};

/// One patient's measurements, (time, value) in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatientSeries {
    pub id: String,
    pub points: Vec<(f64, f64)>,
}

/// A horizontal reference line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reference {
    pub value: f64,
    /// e.g. "IgG 400 mg/dL".
    pub label: String,
}

/// A spaghetti figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SeriesChart {
    pub title: Option<String>,
    /// e.g. "Days since CAR-T infusion".
    pub x_label: String,
    /// e.g. "CAR transgene (copies/µg gDNA)".
    pub y_label: String,
    pub series: Vec<PatientSeries>,
    /// Median line (time, value); see [`median_by_time`].
    pub summary: Vec<(f64, f64)>,
    /// Legend text of the median line, e.g. "Median".
    pub summary_label: String,
    /// log10 y axis (persistence); values <= 0 are drawn at the axis floor.
    pub log_y: bool,
    /// y range in data units; `None` fits the data (decades on a log axis).
    pub y_range: Option<(f64, f64)>,
    /// x ticks; empty picks regular ones.
    pub x_ticks: Vec<f64>,
    pub reference: Option<Reference>,
    /// Confidence intervals of the summary points, (time, lower, upper), drawn as vertical
    /// bars with caps.
    pub intervals: Vec<(f64, f64, f64)>,
    /// Legend text of the intervals, e.g. "95% CI (Clopper-Pearson)".
    pub interval_label: String,
}

/// Median of the values measured at each distinct time (nominal visit days), by time.
pub fn median_by_time(series: &[PatientSeries]) -> Vec<(f64, f64)> {
    let mut all: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|(t, v)| t.is_finite() && v.is_finite())
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let mut out = Vec::new();
    let mut start = 0;
    while start < all.len() {
        let t = all.get(start).map_or(0.0, |p| p.0);
        let end = all
            .iter()
            .skip(start)
            .position(|p| p.0 != t)
            .map_or(all.len(), |k| start + k);
        let vals: Vec<f64> = all
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|p| p.1)
            .collect();
        let m = vals.len();
        let median = match (vals.get((m - 1) / 2), vals.get(m / 2)) {
            (Some(a), Some(b)) => (a + b) / 2.0,
            _ => f64::NAN,
        };
        out.push((t, median));
        start = end;
    }
    out
}

const SUPERSCRIPTS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

/// "10³", "10⁻¹" for a decade exponent.
fn decade_label(exp: i32) -> String {
    let digits: String = exp
        .unsigned_abs()
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10))
        .filter_map(|d| SUPERSCRIPTS.get(usize::try_from(d).unwrap_or(0)).copied())
        .collect();
    let sign = if exp < 0 { "⁻" } else { "" };
    format!("10{sign}{digits}")
}

/// Draws `chart` into `area`.
pub fn draw_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &SeriesChart,
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
    let values = || {
        chart
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .chain(chart.summary.iter().map(|p| p.1))
            .chain(chart.intervals.iter().flat_map(|i| [i.1, i.2]))
            .chain(chart.reference.iter().map(|r| r.value))
            .filter(|v| v.is_finite())
    };
    let t_max = chart
        .series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .chain(chart.summary.iter().map(|p| p.0))
        .filter(|t| t.is_finite())
        .fold(0.0, f64::max);
    let x_ticks = if chart.x_ticks.is_empty() {
        nice_ticks(t_max.max(1.0), 6)
    } else {
        chart.x_ticks.clone()
    };
    let x_max = x_ticks.iter().copied().fold(t_max, f64::max).max(1.0);
    // Room for the caps of an interval at the last time.
    let cap = x_max * 0.008;
    let x_max = if chart.intervals.is_empty() {
        x_max
    } else {
        x_max.max(t_max + 2.0 * cap)
    };

    // y in axis units: log10 of the value on a log axis.
    let (y_lo, y_hi, y_ticks) = if chart.log_y {
        let (lo, hi) = chart.y_range.unwrap_or_else(|| {
            let pos = values().filter(|v| *v > 0.0);
            let lo = pos.clone().fold(f64::INFINITY, f64::min);
            let hi = pos.fold(0.0, f64::max);
            if lo.is_finite() && hi > 0.0 {
                (lo, hi)
            } else {
                (1.0, 10.0)
            }
        });
        let lo = lo.max(f64::MIN_POSITIVE).log10().floor();
        let hi = hi.max(f64::MIN_POSITIVE).log10().ceil().max(lo + 1.0);
        let ticks = (round_i32(lo)..=round_i32(hi)).map(f64::from).collect();
        (lo, hi, ticks)
    } else {
        let (lo, hi) = chart
            .y_range
            .unwrap_or_else(|| (0.0, values().fold(0.0, f64::max) * 1.1));
        let ticks = nice_ticks(hi, 6);
        let hi = ticks.last().copied().unwrap_or(hi).max(hi);
        (lo, hi, ticks.into_iter().filter(|t| *t >= lo).collect())
    };
    let to_y = |v: f64| -> f64 {
        if chart.log_y {
            if v > 0.0 { v.log10().max(y_lo) } else { y_lo }
        } else {
            v
        }
    };

    let font = theme.text(theme.font_pt);
    let log_y = chart.log_y;
    let y_fmt = move |v: &f64| {
        if log_y {
            decade_label(round_i32(*v))
        } else {
            fmt_tick(*v)
        }
    };
    let mut ctx = ChartBuilder::on(&body)
        // Keeps the rotated y-axis title off the figure edge.
        .margin_left(theme.mm_i(0.6))
        .margin_top(theme.line_height(theme.font_pt) / 2 + theme.mm_i(0.5))
        .margin_right(theme.mm_i(4.0))
        .x_label_area_size(theme.line_height(theme.font_pt) * 2 + theme.mm_i(1.8))
        .y_label_area_size(theme.mm_i(14.0))
        .build_cartesian_2d(
            TickAxis::new(0.0, x_max, x_ticks),
            TickAxis::new(y_lo, y_hi, y_ticks),
        )?;
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(chart.y_label.as_str())
        .label_style(font.clone())
        .axis_desc_style(font.clone())
        .axis_style(theme.axis_style())
        .set_all_tick_mark_size(theme.mm_i(0.9))
        .x_label_formatter(&|v| fmt_tick(*v))
        .y_label_formatter(&y_fmt)
        .draw()?;

    let thin = LIGHT_GREY.stroke_width(theme.stroke(theme.thin_pt));
    for s in &chart.series {
        let pts: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter(|(t, v)| t.is_finite() && v.is_finite())
            .map(|(t, v)| (*t, to_y(*v)))
            .collect();
        ctx.draw_series(LineSeries::new(pts, thin))?;
    }

    let mut legend = Vec::new();
    if let Some(r) = &chart.reference {
        let y = to_y(r.value);
        let colour = theme.colour(1);
        ctx.draw_series(DashedLineSeries::new(
            vec![(0.0, y), (x_max, y)],
            theme.mm_i(1.2),
            theme.mm_i(0.8),
            colour.stroke_width(theme.stroke(theme.line_pt * 0.8)),
        ))?;
        legend.push(LegendEntry {
            label: r.label.clone(),
            colour,
            kind: LegendKind::Dashed,
        });
    }
    let colour = theme.colour(0);
    let summary: Vec<(f64, f64)> = chart
        .summary
        .iter()
        .filter(|(t, v)| t.is_finite() && v.is_finite())
        .map(|(t, v)| (*t, to_y(*v)))
        .collect();
    ctx.draw_series(LineSeries::new(
        summary.clone(),
        colour.stroke_width(theme.stroke(theme.line_pt * 1.5)),
    ))?;
    ctx.draw_series(
        summary
            .iter()
            .map(|p| Circle::new(*p, theme.mm_i(0.6), colour.filled())),
    )?;
    let intervals: Vec<(f64, f64, f64)> = chart
        .intervals
        .iter()
        .filter(|(t, lo, hi)| t.is_finite() && lo.is_finite() && hi.is_finite())
        .map(|(t, lo, hi)| (*t, to_y(*lo), to_y(*hi)))
        .collect();
    let whisker = colour.stroke_width(theme.stroke(theme.line_pt));
    for (t, lo, hi) in &intervals {
        ctx.draw_series(LineSeries::new([(*t, *lo), (*t, *hi)], whisker))?;
        for y in [*lo, *hi] {
            ctx.draw_series(LineSeries::new([(t - cap, y), (t + cap, y)], whisker))?;
        }
    }
    if !chart.series.is_empty() {
        legend.insert(
            0,
            LegendEntry {
                label: "Individual patients".to_owned(),
                colour: LIGHT_GREY,
                kind: LegendKind::Line,
            },
        );
    }
    if !summary.is_empty() {
        legend.insert(
            usize::from(!chart.series.is_empty()),
            LegendEntry {
                label: chart.summary_label.clone(),
                colour,
                kind: LegendKind::Line,
            },
        );
    }
    if !intervals.is_empty() {
        legend.push(LegendEntry {
            label: chart.interval_label.clone(),
            colour,
            kind: LegendKind::Interval,
        });
    }
    let inner = ctx.plotting_area().strip_coord_spec();
    let origin = inner.get_base_pixel();
    let lines = chart
        .series
        .iter()
        .map(|s| {
            s.points
                .iter()
                .filter(|(t, v)| t.is_finite() && v.is_finite())
                .map(|(t, v)| (*t, to_y(*v)))
                .collect::<Vec<_>>()
        })
        .chain(std::iter::once(summary))
        .chain(
            intervals
                .iter()
                .map(|(t, lo, hi)| vec![(*t, *lo), (*t, *hi)]),
        );
    let mut samples = Vec::new();
    for line in lines {
        for pair in line.windows(2) {
            if let [(t0, y0), (t1, y1)] = pair {
                for k in 0..=20 {
                    let f = f64::from(k) / 20.0;
                    let (x, y) = ctx.backend_coord(&(t0 + (t1 - t0) * f, y0 + (y1 - y0) * f));
                    samples.push((x - origin.0, y - origin.1));
                }
            }
        }
    }
    let corner = pick_corner(&inner, theme, Corner::TopRight, &legend, None, &samples);
    draw_legend(&inner, theme, corner, &legend, None)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_by_time_takes_the_middle_of_each_visit() {
        let s = |p: &[(f64, f64)]| PatientSeries {
            id: String::new(),
            points: p.to_vec(),
        };
        let series = [
            s(&[(7.0, 1.0), (28.0, 4.0)]),
            s(&[(7.0, 3.0)]),
            s(&[(7.0, 2.0), (28.0, 6.0)]),
        ];
        assert_eq!(median_by_time(&series), vec![(7.0, 2.0), (28.0, 5.0)]);
    }

    #[test]
    fn decades_use_superscripts() {
        assert_eq!(decade_label(3), "10³");
        assert_eq!(decade_label(-1), "10⁻¹");
        assert_eq!(decade_label(10), "10¹⁰");
    }
}
