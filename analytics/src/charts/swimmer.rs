//! Swimmer plot: one horizontal bar per patient from Day 0 to last contact, coloured by group
//! (disease or product), with markers for response, relapse/progression and death and an arrow
//! when the patient is alive and still followed. Longest follow-up on top; ties by id, so the
//! order is deterministic. The legend sits above the panel, never on the bars. At most 40
//! lanes by default ([`SwimmerOptions::max_lanes`], the caller's first ones), with "n of N
//! patients shown" in the legend when some are left out.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::DrawResult;
use super::theme::{
    TEXT_GREY, Theme, TickAxis, anchored, fmt_tick, nice_ticks, round_i32, text_width,
};

/// Relapse triangles are Okabe-Ito yellow with a black outline: no group colour uses it, so
/// they stand out on every bar.
const RELAPSE_FILL: RGBColor = RGBColor(0xF0, 0xE4, 0x42);

/// What happened on a patient's bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SwimmerMarker {
    /// Complete response (first documented).
    CompleteResponse,
    /// Partial response.
    PartialResponse,
    /// Relapse or progression.
    Relapse,
    /// Death (ends the bar).
    Death,
}

impl SwimmerMarker {
    /// All markers in legend order.
    pub const ALL: [Self; 4] = [
        Self::CompleteResponse,
        Self::PartialResponse,
        Self::Relapse,
        Self::Death,
    ];

    /// Legend text.
    pub fn label(self) -> &'static str {
        match self {
            Self::CompleteResponse => "Complete response",
            Self::PartialResponse => "Partial response",
            Self::Relapse => "Relapse/progression",
            Self::Death => "Death",
        }
    }
}

/// One event on a bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SwimmerEvent {
    /// Time since Day 0 (same unit as the axis, usually months).
    pub time: f64,
    pub marker: SwimmerMarker,
}

/// One patient's bar.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SwimmerLane {
    /// Pseudonymous registry id (shown when there are few lanes).
    pub id: String,
    /// Index into [`SwimmerChart::groups`] and the palette.
    pub group: usize,
    /// Last contact (or death).
    pub end: f64,
    /// Alive and in follow-up at the cut-off: an arrow after the bar.
    pub ongoing: bool,
    pub events: Vec<SwimmerEvent>,
}

/// A swimmer figure.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SwimmerChart {
    pub title: Option<String>,
    pub x_label: String,
    /// Group names (bar colours), e.g. diseases or products.
    pub groups: Vec<String>,
    pub lanes: Vec<SwimmerLane>,
    /// x ticks; empty picks regular ones.
    pub ticks: Vec<f64>,
    /// Show patient ids on the y axis when there are at most this many lanes.
    pub max_labelled_lanes: usize,
}

/// How a swimmer figure is drawn, apart from its data. [`draw_swimmer`] uses the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwimmerOptions {
    /// At most this many lanes are drawn: the first `max_lanes` of [`SwimmerChart::lanes`] in
    /// the caller's order (so the caller decides which patients, deterministically), then
    /// sorted longest first. When lanes are left out the figure says "n of N patients shown".
    /// 0 draws every lane. Default 40: about the most that stay legible (2 mm a lane) in a
    /// single-column figure.
    pub max_lanes: usize,
}

impl Default for SwimmerOptions {
    fn default() -> Self {
        Self { max_lanes: 40 }
    }
}

/// The lanes drawn under `options`, in drawing order.
pub fn shown_lanes<'c>(chart: &'c SwimmerChart, options: &SwimmerOptions) -> Vec<&'c SwimmerLane> {
    let cap = if options.max_lanes == 0 {
        chart.lanes.len()
    } else {
        options.max_lanes
    };
    sorted_lanes(
        chart
            .lanes
            .get(..cap.min(chart.lanes.len()))
            .unwrap_or_default(),
    )
}

/// The note saying how many lanes are drawn, when some are left out: "40 of 1,234 patients
/// shown".
pub fn shown_note(shown: usize, total: usize) -> Option<String> {
    (shown < total).then(|| {
        format!(
            "{} of {} patients shown",
            thousands(shown),
            thousands(total)
        )
    })
}

/// 1234567 as "1,234,567".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The lanes in drawing order: longest first, ties by id.
pub fn sorted_lanes(lanes: &[SwimmerLane]) -> Vec<&SwimmerLane> {
    let mut out: Vec<&SwimmerLane> = lanes.iter().collect();
    out.sort_by(|a, b| b.end.total_cmp(&a.end).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Draws `chart` into `area` with the default [`SwimmerOptions`] (at most 40 lanes).
pub fn draw_swimmer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &SwimmerChart,
) -> DrawResult<(), DB> {
    draw_swimmer_with(area, theme, chart, &SwimmerOptions::default())
}

/// Draws `chart` into `area` with `options`. Markers and the follow-up arrow are sized to the
/// lane pitch, so they never reach into the neighbouring lanes.
pub fn draw_swimmer_with<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &SwimmerChart,
    options: &SwimmerOptions,
) -> DrawResult<(), DB> {
    let lanes = shown_lanes(chart, options);
    let n = lanes.len();
    let note = shown_note(n, chart.lanes.len());
    let x_max_data = lanes
        .iter()
        .map(|l| l.end)
        .chain(lanes.iter().flat_map(|l| l.events.iter().map(|e| e.time)))
        .filter(|t| t.is_finite())
        .fold(0.0, f64::max);
    let ticks = if chart.ticks.is_empty() {
        nice_ticks(x_max_data.max(1.0), 6)
    } else {
        chart.ticks.clone()
    };
    let x_max = ticks.iter().copied().fold(x_max_data, f64::max).max(1.0);

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
    let legend_h = draw_top_legend(&body, theme, chart, &lanes, note.as_deref())?;
    let (_, plot) = body.split_vertically(u32::try_from(legend_h).unwrap_or(0));

    let labelled = n > 0 && n <= chart.max_labelled_lanes;
    let small = theme.text(theme.small_pt);
    let id_w = if labelled {
        lanes
            .iter()
            .map(|l| text_width(area, &small, &l.id))
            .max()
            .unwrap_or(0)
    } else {
        0
    };
    let font = theme.text(theme.font_pt);
    let n_f = f64::from(u32::try_from(n.max(1)).unwrap_or(1));
    let lane_ticks: Vec<f64> = if labelled {
        (0..n)
            .map(|i| n_f - f64::from(u32::try_from(i).unwrap_or(0)) - 0.5)
            .collect()
    } else {
        Vec::new()
    };
    let mut ctx = ChartBuilder::on(&plot)
        // Keeps the rotated y-axis title off the figure edge.
        .margin_left(theme.mm_i(0.6))
        .margin_top(theme.mm_i(1.0))
        .margin_right(theme.mm_i(4.0))
        .x_label_area_size(theme.line_height(theme.font_pt) * 2 + theme.mm_i(1.8))
        .y_label_area_size(id_w + theme.line_height(theme.font_pt) + theme.mm_i(3.0))
        .build_cartesian_2d(
            TickAxis::new(0.0, x_max, ticks),
            TickAxis::new(0.0, n_f, lane_ticks),
        )?;
    let ids: Vec<&str> = lanes.iter().map(|l| l.id.as_str()).collect();
    let lane_label = |v: &f64| -> String {
        let i = n_f - 0.5 - v;
        let i = usize::try_from(super::theme::round_i32(i).max(0)).unwrap_or(0);
        ids.get(i).map(|s| (*s).to_owned()).unwrap_or_default()
    };
    ctx.configure_mesh()
        .disable_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc("Patients")
        .label_style(font.clone())
        .y_label_style(small.clone())
        .axis_desc_style(font.clone())
        .axis_style(theme.axis_style())
        .set_all_tick_mark_size(theme.mm_i(0.9))
        .x_label_formatter(&|v| fmt_tick(*v))
        .y_label_formatter(&lane_label)
        .draw()?;

    if n == 0 {
        let inner = ctx.plotting_area().strip_coord_spec();
        let (w, h) = inner.dim_in_pixel();
        let style = anchored(&font.color(&TEXT_GREY), HPos::Center, VPos::Center);
        let c = (
            i32::try_from(w / 2).unwrap_or(0),
            i32::try_from(h / 2).unwrap_or(0),
        );
        inner.draw_text("No patients to show", &style, c)?;
        return Ok(());
    }

    let half = 0.32;
    // Markers 1 mm in radius, less when lanes are narrow: at most 42 % of the lane pitch,
    // so a marker stays within its lane with a sliver of white to the next.
    let (_, panel_h) = ctx.plotting_area().dim_in_pixel();
    let pitch = f64::from(panel_h) / n_f;
    let marker_px = theme.mm_i(1.0).min(round_i32(pitch * 0.42)).max(2);
    for (i, lane) in lanes.iter().enumerate() {
        let y = n_f - f64::from(u32::try_from(i).unwrap_or(0)) - 0.5;
        let end = lane.end.clamp(0.0, x_max);
        let colour = theme.colour(lane.group);
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(0.0, y - half), (end, y + half)],
            colour.mix(0.85).filled(),
        )))?;
        if lane.ongoing {
            let w = theme.mm_i(1.6);
            let h = marker_px;
            let gap = theme.mm_i(0.4);
            ctx.draw_series(std::iter::once(
                EmptyElement::at((end, y))
                    + Polygon::new(vec![(gap, -h), (gap + w, 0), (gap, h)], BLACK.filled()),
            ))?;
        }
        let mut events = lane.events.clone();
        events.sort_by(|a, b| a.time.total_cmp(&b.time).then(a.marker.cmp(&b.marker)));
        for event in events.iter().filter(|e| e.time.is_finite()) {
            let at = (event.time.clamp(0.0, x_max), y);
            draw_marker(&mut ctx, theme, event.marker, at, marker_px)?;
        }
    }
    Ok(())
}

type SwimCtx<'a, DB> = ChartContext<'a, DB, Cartesian2d<TickAxis, TickAxis>>;

fn draw_marker<DB: DrawingBackend>(
    ctx: &mut SwimCtx<'_, DB>,
    theme: &Theme,
    marker: SwimmerMarker,
    at: (f64, f64),
    r: i32,
) -> DrawResult<(), DB> {
    let outline = WHITE.stroke_width(theme.stroke(0.5));
    let r_u = u32::try_from(r).unwrap_or(1);
    match marker {
        SwimmerMarker::CompleteResponse => {
            ctx.draw_series(std::iter::once(
                EmptyElement::at(at) + Circle::new((0, 0), r_u, BLACK.filled()),
            ))?;
            ctx.draw_series(std::iter::once(
                EmptyElement::at(at) + Circle::new((0, 0), r_u, outline),
            ))?;
        }
        SwimmerMarker::PartialResponse => {
            ctx.draw_series(std::iter::once(
                EmptyElement::at(at) + Circle::new((0, 0), r_u, WHITE.filled()),
            ))?;
            ctx.draw_series(std::iter::once(
                EmptyElement::at(at)
                    + Circle::new((0, 0), r_u, BLACK.stroke_width(theme.stroke(0.6))),
            ))?;
        }
        SwimmerMarker::Relapse => {
            let s = r + r / 3;
            let tri = vec![(0, -s), (s, s * 3 / 4), (-s, s * 3 / 4)];
            ctx.draw_series(std::iter::once(
                EmptyElement::at(at) + Polygon::new(tri.clone(), RELAPSE_FILL.filled()),
            ))?;
            let mut closed = tri;
            closed.push((0, -s));
            ctx.draw_series(std::iter::once(
                EmptyElement::at(at)
                    + PathElement::new(closed, BLACK.stroke_width(theme.stroke(0.5))),
            ))?;
        }
        SwimmerMarker::Death => {
            let s = r;
            let style = BLACK.stroke_width(theme.stroke(0.9));
            ctx.draw_series(std::iter::once(
                EmptyElement::at(at)
                    + PathElement::new(vec![(-s, -s), (s, s)], style)
                    + PathElement::new(vec![(-s, s), (s, -s)], style),
            ))?;
        }
    }
    Ok(())
}

/// Draws the legend (group colours, then the markers and arrow used on the drawn `lanes`,
/// then `note`) in rows across the top of `area` and returns its height in pixels.
fn draw_top_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    theme: &Theme,
    chart: &SwimmerChart,
    lanes: &[&SwimmerLane],
    note: Option<&str>,
) -> DrawResult<i32, DB> {
    let (w, _) = area.dim_in_pixel();
    let width = i32::try_from(w).unwrap_or(i32::MAX);
    let small = theme.text(theme.small_pt);
    let style = anchored(&small, HPos::Left, VPos::Center);
    let line_h = theme.line_height(theme.small_pt);
    let key = theme.mm_i(2.6);
    let gap = theme.mm_i(1.0);
    let spacing = theme.mm_i(3.0);
    let r = theme.mm_i(1.0);

    enum Key<'s> {
        Group(usize, &'s str),
        Marker(SwimmerMarker),
        Arrow,
        Note(&'s str),
    }
    let mut keys: Vec<Key<'_>> = chart
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| Key::Group(i, g.as_str()))
        .collect();
    let used: std::collections::BTreeSet<SwimmerMarker> = lanes
        .iter()
        .flat_map(|l| l.events.iter().map(|e| e.marker))
        .collect();
    keys.extend(
        SwimmerMarker::ALL
            .into_iter()
            .filter(|m| used.contains(m))
            .map(Key::Marker),
    );
    if lanes.iter().any(|l| l.ongoing) {
        keys.push(Key::Arrow);
    }
    keys.extend(note.map(Key::Note));

    // Half a millimetre above the first row keeps its ascenders inside the figure.
    let (mut x, mut y) = (0, theme.mm_i(0.5) + line_h / 2);
    let left = theme.mm_i(1.0);
    x += left;
    for k in &keys {
        let label = match k {
            Key::Group(_, g) => *g,
            Key::Marker(m) => m.label(),
            Key::Arrow => "Alive, in follow-up",
            Key::Note(n) => *n,
        };
        // A note has no key: its text starts where a key would.
        let (key, gap) = if matches!(k, Key::Note(_)) {
            (0, 0)
        } else {
            (key, gap)
        };
        let item_w = key + gap + text_width(area, &small, label);
        if x > left && x + item_w > width - left {
            x = left;
            y += line_h;
        }
        let cx = x + key / 2;
        match k {
            Key::Group(i, _) => {
                area.draw(&Rectangle::new(
                    [(x, y - line_h * 3 / 10), (x + key, y + line_h * 3 / 10)],
                    theme.colour(*i).mix(0.85).filled(),
                ))?;
            }
            Key::Marker(m) => match m {
                SwimmerMarker::CompleteResponse => {
                    area.draw(&Circle::new((cx, y), r, BLACK.filled()))?;
                }
                SwimmerMarker::PartialResponse => {
                    area.draw(&Circle::new(
                        (cx, y),
                        r,
                        BLACK.stroke_width(theme.stroke(0.6)),
                    ))?;
                }
                SwimmerMarker::Relapse => {
                    let s = r + r / 3;
                    area.draw(&Polygon::new(
                        vec![
                            (cx, y - s),
                            (cx + s, y + s * 3 / 4),
                            (cx - s, y + s * 3 / 4),
                        ],
                        RELAPSE_FILL.filled(),
                    ))?;
                    area.draw(&PathElement::new(
                        vec![
                            (cx, y - s),
                            (cx + s, y + s * 3 / 4),
                            (cx - s, y + s * 3 / 4),
                            (cx, y - s),
                        ],
                        BLACK.stroke_width(theme.stroke(0.5)),
                    ))?;
                }
                SwimmerMarker::Death => {
                    let st = BLACK.stroke_width(theme.stroke(0.9));
                    area.draw(&PathElement::new(
                        vec![(cx - r, y - r), (cx + r, y + r)],
                        st,
                    ))?;
                    area.draw(&PathElement::new(
                        vec![(cx - r, y + r), (cx + r, y - r)],
                        st,
                    ))?;
                }
            },
            Key::Arrow => {
                let aw = theme.mm_i(1.6);
                area.draw(&Polygon::new(
                    vec![(cx - aw / 2, y - r), (cx + aw / 2, y), (cx - aw / 2, y + r)],
                    BLACK.filled(),
                ))?;
            }
            Key::Note(_) => {}
        }
        area.draw_text(label, &style, (x + key + gap, y))?;
        x += item_w + spacing;
    }
    Ok(if keys.is_empty() {
        0
    } else {
        y + line_h / 2 + theme.mm_i(1.0)
    })
}
