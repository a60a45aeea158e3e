//! Journal figure theme: page sizes (89 mm single column, 183 mm double column), the Okabe-Ito
//! palette, type sizes in points and line widths, all converted to pixels at the drawing
//! resolution (300 dpi), plus the few layout helpers every chart shares (embedded font
//! registration, text styles, the footer stamp, in-panel legends, nice tick steps).
//!
//! Charts draw in pixels of the final 300 dpi raster: an 89 mm wide figure is a 1051 px wide
//! canvas, a 7 pt label is 29 px high. The SVG carries the physical size in millimetres
//! (see `render`), so the PNG is the canvas 1:1 and the PDF page is 89 mm wide.
//! What does not live here: any chart's own layout, any file or backend choice.

use std::sync::OnceLock;

use plotters::coord::ranged1d::Ranged;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

use super::DrawResult;

/// Font family written into the SVG. The first name is the embedded DejaVu Sans (used by the
/// layout, the PNG and the PDF); the rest only help browsers showing the SVG without it.
pub const FONT_FAMILY: &str = "DejaVu Sans, Arial, Helvetica, sans-serif";

/// Okabe-Ito colour-blind-safe palette, in the order curves and groups take them
/// (yellow last: too light for lines on white).
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0xF0, 0xE4, 0x42), // yellow
];

/// Dark grey for secondary text (footer, table row labels).
pub const TEXT_GREY: RGBColor = RGBColor(0x44, 0x44, 0x44);
/// Light grey for individual-patient lines and reference shading.
pub const LIGHT_GREY: RGBColor = RGBColor(0xB8, 0xB8, 0xB8);

/// Single-column width used by Blood, NEJM, Lancet and most journals.
pub const SINGLE_COLUMN_MM: f64 = 89.0;
/// Double-column (full page) width.
pub const DOUBLE_COLUMN_MM: f64 = 183.0;
const MM_PER_INCH: f64 = 25.4;
const PT_PER_INCH: f64 = 72.0;
/// plotters writes `font-size = size / 1.24` into the SVG; we speak SVG font sizes.
const PLOTTERS_FONT_FACTOR: f64 = 1.24;

/// Sizes, type and colours of one figure.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Final printed width in millimetres.
    pub width_mm: f64,
    /// Final printed height in millimetres.
    pub height_mm: f64,
    /// Resolution of the drawing canvas and of the PNG.
    pub dpi: f64,
    /// Axis labels, tick labels, legends (points at final size).
    pub font_pt: f64,
    /// Risk tables, forest columns, value labels.
    pub small_pt: f64,
    /// Panel title.
    pub title_pt: f64,
    /// Footer stamp (cut-off, data hash, version).
    pub footer_pt: f64,
    /// Curves and main lines (points).
    pub line_pt: f64,
    /// Axes, tick marks, reference lines, censor ticks (points, at least 0.5).
    pub thin_pt: f64,
    /// Series colours, taken in order.
    pub palette: Vec<RGBColor>,
}

impl Theme {
    /// A single-column (89 mm) figure of the given height.
    pub fn single_column(height_mm: f64) -> Self {
        Self::with_size(SINGLE_COLUMN_MM, height_mm)
    }

    /// A double-column (183 mm) figure of the given height.
    pub fn double_column(height_mm: f64) -> Self {
        Self::with_size(DOUBLE_COLUMN_MM, height_mm)
    }

    /// Any size, with the house type and line settings.
    pub fn with_size(width_mm: f64, height_mm: f64) -> Self {
        Self {
            width_mm,
            height_mm,
            dpi: 300.0,
            font_pt: 7.0,
            small_pt: 6.5,
            title_pt: 8.0,
            footer_pt: 6.0,
            line_pt: 1.0,
            thin_pt: 0.5,
            palette: OKABE_ITO.to_vec(),
        }
    }

    /// Canvas size in pixels at `dpi` (89 mm at 300 dpi is 1051 px).
    pub fn size_px(&self) -> (u32, u32) {
        (
            px_u32(self.mm(self.width_mm)),
            px_u32(self.mm(self.height_mm)),
        )
    }

    /// Millimetres to canvas pixels.
    pub fn mm(&self, mm: f64) -> f64 {
        mm / MM_PER_INCH * self.dpi
    }

    /// Millimetres to whole canvas pixels (layout sizes).
    pub fn mm_i(&self, mm: f64) -> i32 {
        round_i32(self.mm(mm))
    }

    /// Points to canvas pixels.
    pub fn pt(&self, pt: f64) -> f64 {
        pt / PT_PER_INCH * self.dpi
    }

    /// A stroke width in whole pixels for a width in points, rounded up so a 0.5 pt rule is
    /// never printed thinner than 0.5 pt.
    pub fn stroke(&self, pt: f64) -> u32 {
        px_u32(self.pt(pt).ceil()).max(1)
    }

    /// Line height in pixels for a font size in points.
    pub fn line_height(&self, pt: f64) -> i32 {
        round_i32(self.pt(pt) * 1.35)
    }

    /// Regular text at `pt` points, black, anchored top-left.
    pub fn text(&self, pt: f64) -> TextStyle<'static> {
        ensure_fonts();
        (FONT_FAMILY, self.pt(pt) * PLOTTERS_FONT_FACTOR)
            .into_font()
            .color(&BLACK)
    }

    /// Bold text at `pt` points.
    pub fn bold(&self, pt: f64) -> TextStyle<'static> {
        ensure_fonts();
        (FONT_FAMILY, self.pt(pt) * PLOTTERS_FONT_FACTOR)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
    }

    /// Colour `i` of the palette (wrapping).
    pub fn colour(&self, i: usize) -> RGBColor {
        match self.palette.len() {
            0 => BLACK,
            n => self.palette.get(i % n).copied().unwrap_or(BLACK),
        }
    }

    /// Axis and tick style.
    pub fn axis_style(&self) -> ShapeStyle {
        BLACK.stroke_width(self.stroke(self.thin_pt))
    }
}

/// Registers the embedded DejaVu Sans faces with plotters once per process. plotters' ab_glyph
/// text layout needs them; without registration every text draw fails with `FontUnavailable`.
pub fn ensure_fonts() -> bool {
    static DONE: OnceLock<bool> = OnceLock::new();
    *DONE.get_or_init(|| {
        let faces = [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
            (FontStyle::Italic, dejavu::sans::oblique()),
            (FontStyle::Oblique, dejavu::sans::oblique()),
        ];
        faces
            .into_iter()
            .all(|(style, bytes)| register_font(FONT_FAMILY, style, bytes).is_ok())
    })
}

/// Anchor a text style at a point.
pub fn anchored<'a>(style: &TextStyle<'a>, h: HPos, v: VPos) -> TextStyle<'a> {
    style.pos(Pos::new(h, v))
}

/// Draws `stamp` (cut-off, data SHA-256 prefix, program version) in small grey type along the
/// bottom edge and returns the area above it, where the chart goes.
pub fn split_footer<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    stamp: &str,
) -> DrawResult<DrawingArea<DB, plotters::coord::Shift>, DB> {
    let (_, h) = area.dim_in_pixel();
    let band = theme.line_height(theme.footer_pt) + theme.mm_i(2.0);
    let (upper, lower) = area.split_vertically(px_u32(f64::from(h) - f64::from(band)));
    let style = anchored(
        &theme.text(theme.footer_pt).color(&TEXT_GREY),
        HPos::Left,
        VPos::Center,
    );
    lower.draw_text(stamp, &style, (theme.mm_i(1.0), band / 2))?;
    Ok(upper)
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct LegendEntry {
    pub label: String,
    pub colour: RGBColor,
    pub kind: LegendKind,
}

/// How a legend entry's key is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegendKind {
    /// A short line (curves).
    Line,
    /// A dashed line (reference lines).
    Dashed,
    /// A filled square (bars).
    Box,
    /// A vertical bar with caps (confidence intervals).
    Interval,
}

/// Corner of the panel a legend sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// Pixel rectangle `(x0, y0, x1, y1)` a legend of `entries` (+ `note`) takes at `corner` of a
/// panel of `dims` pixels.
pub fn legend_box<DB: DrawingBackend>(
    panel: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    corner: Corner,
    entries: &[LegendEntry],
    note: Option<&str>,
) -> (i32, i32, i32, i32) {
    let (w, h) = panel.dim_in_pixel();
    let (w, h) = (
        i32::try_from(w).unwrap_or(i32::MAX),
        i32::try_from(h).unwrap_or(i32::MAX),
    );
    let line_h = theme.line_height(theme.font_pt);
    let pad = theme.mm_i(2.0);
    let text = theme.text(theme.font_pt);
    let rows = entries.len() + usize::from(note.is_some());
    let block_h = line_h * i32::try_from(rows).unwrap_or(0);
    let widest = entries
        .iter()
        .map(|e| legend_key_w(theme) + text_width(panel, &text, &e.label))
        .chain(note.map(|n| text_width(panel, &text, n)))
        .max()
        .unwrap_or(0);
    let x0 = match corner {
        Corner::TopLeft | Corner::BottomLeft => pad,
        Corner::TopRight | Corner::BottomRight => w - pad - widest,
    };
    let y0 = match corner {
        Corner::TopLeft | Corner::TopRight => pad,
        Corner::BottomLeft | Corner::BottomRight => h - pad - block_h,
    };
    (x0, y0, x0 + widest, y0 + block_h)
}

/// The corner for a legend: `preferred` unless data pass under it, else the corner the
/// fewest of `points` (data positions in the panel's pixels) fall in. Ties keep the earlier
/// candidate (preferred, then lower left, upper right, upper left, lower right).
pub fn pick_corner<DB: DrawingBackend>(
    panel: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    preferred: Corner,
    entries: &[LegendEntry],
    note: Option<&str>,
    points: &[(i32, i32)],
) -> Corner {
    best_corner(panel, theme, preferred, entries, note, points).0
}

/// [`pick_corner`] with the number of `points` under the chosen legend (0: nothing hidden).
pub fn best_corner<DB: DrawingBackend>(
    panel: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    preferred: Corner,
    entries: &[LegendEntry],
    note: Option<&str>,
    points: &[(i32, i32)],
) -> (Corner, usize) {
    let margin = theme.mm_i(1.0);
    std::iter::once(preferred)
        .chain(
            [
                Corner::BottomLeft,
                Corner::TopRight,
                Corner::TopLeft,
                Corner::BottomRight,
            ]
            .into_iter()
            .filter(|c| *c != preferred),
        )
        .map(|corner| {
            let (x0, y0, x1, y1) = legend_box(panel, theme, corner, entries, note);
            let hits = points
                .iter()
                .filter(|(x, y)| {
                    (x0 - margin..=x1 + margin).contains(x)
                        && (y0 - margin..=y1 + margin).contains(y)
                })
                .count();
            (corner, hits)
        })
        .reduce(|best, next| if next.1 < best.1 { next } else { best })
        .unwrap_or((preferred, 0))
}

/// Width of a legend key plus the gap before its label.
fn legend_key_w(theme: &Theme) -> i32 {
    theme.mm_i(4.0) + theme.mm_i(1.2)
}

/// Draws a legend inside `panel` (the plotting area, pixel coordinates) at `corner`, with an
/// optional note line (a p-value) after the entries. No frame and no fill: the caller puts it
/// where the data are not (see `legend_box` to test a corner).
pub fn draw_legend<DB: DrawingBackend>(
    panel: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    corner: Corner,
    entries: &[LegendEntry],
    note: Option<&str>,
) -> DrawResult<(), DB> {
    let (x0, y0, _, _) = legend_box(panel, theme, corner, entries, note);
    let line_h = theme.line_height(theme.font_pt);
    let key_w = theme.mm_i(4.0);
    let text = theme.text(theme.font_pt);
    let label_style = anchored(&text, HPos::Left, VPos::Center);
    for (i, entry) in entries.iter().enumerate() {
        let yc = y0 + line_h * i32::try_from(i).unwrap_or(0) + line_h / 2;
        draw_key(panel, theme, entry, x0, yc, key_w)?;
        panel.draw_text(&entry.label, &label_style, (x0 + legend_key_w(theme), yc))?;
    }
    if let Some(note) = note {
        let yc = y0 + line_h * i32::try_from(entries.len()).unwrap_or(0) + line_h / 2;
        panel.draw_text(note, &label_style, (x0, yc))?;
    }
    Ok(())
}

/// Draws one legend key (line, dashed line, box or interval) with its left edge at `x0`, centred on `yc`.
fn draw_key<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    entry: &LegendEntry,
    x0: i32,
    yc: i32,
    key_w: i32,
) -> DrawResult<(), DB> {
    let stroke = entry.colour.stroke_width(theme.stroke(theme.line_pt * 1.2));
    match entry.kind {
        LegendKind::Line => {
            area.draw(&PathElement::new(vec![(x0, yc), (x0 + key_w, yc)], stroke))?;
        }
        LegendKind::Dashed => {
            let dash = key_w / 4;
            for k in [0, 2] {
                let a = x0 + k * dash;
                area.draw(&PathElement::new(vec![(a, yc), (a + dash, yc)], stroke))?;
            }
        }
        LegendKind::Box => {
            let half = theme.line_height(theme.font_pt) * 3 / 10;
            area.draw(&Rectangle::new(
                [(x0, yc - half), (x0 + key_w * 2 / 3, yc + half)],
                entry.colour.filled(),
            ))?;
        }
        LegendKind::Interval => {
            let half = theme.line_height(theme.font_pt) * 3 / 10;
            let (xc, cap) = (x0 + key_w / 3, key_w / 8);
            let thin = entry.colour.stroke_width(theme.stroke(theme.line_pt));
            area.draw(&PathElement::new(
                vec![(xc, yc - half), (xc, yc + half)],
                thin,
            ))?;
            for y in [yc - half, yc + half] {
                area.draw(&PathElement::new(vec![(xc - cap, y), (xc + cap, y)], thin))?;
            }
        }
    }
    Ok(())
}

/// Positions (key left edge, row centre) of a legend laid out in rows across `area`, entries
/// then the note, wrapping before an item that would pass the right edge; and the height.
fn legend_rows_layout<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    entries: &[LegendEntry],
    note: Option<&str>,
) -> (Vec<(i32, i32)>, i32) {
    let (w, _) = area.dim_in_pixel();
    let width = i32::try_from(w).unwrap_or(i32::MAX);
    let text = theme.text(theme.font_pt);
    let line_h = theme.line_height(theme.font_pt);
    let spacing = theme.mm_i(3.0);
    let left = theme.mm_i(1.0);
    let widths = entries
        .iter()
        .map(|e| legend_key_w(theme) + text_width(area, &text, &e.label))
        .chain(note.map(|n| text_width(area, &text, n)));
    // Half a millimetre above the first row keeps its ascenders inside the figure.
    let (mut x, mut y) = (left, theme.mm_i(0.5) + line_h / 2);
    let mut at = Vec::new();
    for item_w in widths {
        if x > left && x + item_w > width - left {
            x = left;
            y += line_h;
        }
        at.push((x, y));
        x += item_w + spacing;
    }
    let height = if at.is_empty() {
        0
    } else {
        y + line_h / 2 + theme.mm_i(1.0)
    };
    (at, height)
}

/// Height in pixels of the legend [`draw_legend_rows`] draws in `area`.
pub fn legend_rows_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    entries: &[LegendEntry],
    note: Option<&str>,
) -> i32 {
    legend_rows_layout(area, theme, entries, note).1
}

/// Draws a legend in rows across the top of `area` (a band above a panel whose corners all
/// hold data), entries first and the note (a p-value) last.
pub fn draw_legend_rows<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    theme: &Theme,
    entries: &[LegendEntry],
    note: Option<&str>,
) -> DrawResult<(), DB> {
    let (at, _) = legend_rows_layout(area, theme, entries, note);
    let style = anchored(&theme.text(theme.font_pt), HPos::Left, VPos::Center);
    let key_w = theme.mm_i(4.0);
    for (entry, (x, yc)) in entries.iter().zip(&at) {
        draw_key(area, theme, entry, *x, *yc, key_w)?;
        area.draw_text(&entry.label, &style, (x + legend_key_w(theme), *yc))?;
    }
    if let (Some(note), Some((x, yc))) = (note, at.get(entries.len())) {
        area.draw_text(note, &style, (*x, *yc))?;
    }
    Ok(())
}

/// Estimated width of `text` in pixels (0 if the font cannot lay it out), with 6 % to spare:
/// plotters' ab_glyph estimate runs a little short of the rendered width of bold text.
pub fn text_width<DB: DrawingBackend, CT: plotters::coord::CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    style: &TextStyle<'_>,
    text: &str,
) -> i32 {
    area.estimate_text_size(text, style)
        .map(|(w, _)| round_i32(f64::from(w) * 1.06))
        .unwrap_or(0)
}

/// A linear f64 axis whose ticks are exactly the given values (months 0, 6, 12, ...; decades of
/// a log10 axis), so the risk table's columns and the tick labels line up. plotters'
/// `with_key_points` gives the same ticks but no mesh formatting for f64 ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl TickAxis {
    /// The axis from `lo` to `hi` with labelled ticks at `ticks`.
    pub fn new(lo: f64, hi: f64, ticks: Vec<f64>) -> Self {
        Self { lo, hi, ticks }
    }
}

impl Ranged for TickAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span == 0.0 || !span.is_finite() {
            return (limit.0 + limit.1) / 2;
        }
        let frac = ((value - self.lo) / span).clamp(-10.0, 10.0);
        let frac = if frac.is_nan() { 0.0 } else { frac };
        limit.0 + round_i32(f64::from(limit.1 - limit.0) * frac)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// Tick positions 0, step, 2·step, ... covering `max` with about `target` intervals, where the step
/// is 1, 2, 2.5 or 5 times a power of ten.
pub fn nice_ticks(max: f64, target: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let raw = max / f64::from(u32::try_from(target.max(1)).unwrap_or(1));
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let n = (max / step - 1e-9).ceil().max(1.0);
    (0..=u32_from_f64(n)).map(|i| f64::from(i) * step).collect()
}

/// Formats a tick value without trailing zeros (6, 0.5, 2.5).
pub fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round())
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

pub(crate) fn px_u32(v: f64) -> u32 {
    u32_from_f64(v.round())
}

pub(crate) fn round_i32(v: f64) -> i32 {
    let v = v.round();
    if v.is_nan() {
        0
    } else if v >= f64::from(i32::MAX) {
        i32::MAX
    } else if v <= f64::from(i32::MIN) {
        i32::MIN
    } else {
        // In range and integral: the cast is exact.
        v as i32
    }
}

fn u32_from_f64(v: f64) -> u32 {
    u32::try_from(round_i32(v).max(0)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_column_is_1051_px_at_300_dpi() {
        assert_eq!(Theme::single_column(80.0).size_px().0, 1051);
        assert_eq!(Theme::double_column(80.0).size_px().0, 2161);
    }

    #[test]
    fn nice_ticks_cover_the_maximum() {
        assert_eq!(nice_ticks(24.0, 4), vec![0.0, 10.0, 20.0, 30.0]);
        assert_eq!(nice_ticks(1.9, 4), vec![0.0, 0.5, 1.0, 1.5, 2.0]);
        assert_eq!(nice_ticks(0.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }
}
