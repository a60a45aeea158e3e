//! One drawing, three files. plotters draws a chart into an SVG string; resvg rasterises that
//! same SVG to a 300 dpi PNG and svg2pdf converts it to a vector PDF. Both read the SVG through
//! one usvg tree whose font database holds only the embedded DejaVu Sans (never system fonts),
//! so text looks the same everywhere. Identical input gives identical bytes: no timestamps
//! (svg2pdf writes no dates; we check), no hash-map ordering, fixed compression settings.
//!
//! This is the only module that picks a backend; it still writes no files (the report does).

use std::sync::{Arc, OnceLock};

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use resvg::{tiny_skia, usvg};

use super::theme::{Theme, ensure_fonts, split_footer};

/// Why a chart could not be rendered. All of them are our fault, not the user's.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the embedded DejaVu font could not be registered with plotters")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("the chart's SVG could not be parsed: {0}")]
    Svg(#[from] usvg::Error),
    #[error("a {width}x{height} px canvas could not be allocated")]
    Canvas { width: u32, height: u32 },
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    #[error("PDF conversion failed: {0}")]
    Pdf(String),
}

/// The three files of one chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub svg: String,
    pub png: Vec<u8>,
    pub pdf: Vec<u8>,
}

/// The SVG backend's drawing area, as handed to chart functions.
pub type SvgArea<'a> = DrawingArea<SVGBackend<'a>, Shift>;
/// What a drawing closure returns.
pub type SvgResult = Result<(), DrawingAreaErrorKind<std::io::Error>>;

/// Draws with `draw` on a white canvas of the theme's size, stamps `footer` along the bottom
/// edge if given, and returns the SVG text. The root `<svg>` carries the physical size in mm.
pub fn render_svg<F>(theme: &Theme, footer: Option<&str>, draw: F) -> Result<String, RenderError>
where
    F: FnOnce(&SvgArea<'_>) -> SvgResult,
{
    if !ensure_fonts() {
        return Err(RenderError::Font);
    }
    let (w, h) = theme.size_px();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let area = match footer {
            Some(stamp) => split_footer(&root, theme, stamp).map_err(draw_error)?,
            None => root.clone(),
        };
        draw(&area).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    let pixels = format!(r#"<svg width="{w}" height="{h}" "#);
    let physical = format!(
        r#"<svg width="{}mm" height="{}mm" "#,
        fmt_mm(theme.width_mm),
        fmt_mm(theme.height_mm)
    );
    Ok(svg.replacen(&pixels, &physical, 1))
}

/// Rasterises an SVG made by [`render_svg`] at the theme's resolution (89 mm at 300 dpi is
/// 1051 px wide) and encodes it as PNG with a pHYs chunk saying 300 dpi.
pub fn svg_to_png(svg: &str, theme: &Theme) -> Result<Vec<u8>, RenderError> {
    let tree = parse(svg)?;
    let (w, h) = theme.size_px();
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or(RenderError::Canvas {
        width: w,
        height: h,
    })?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let size = tree.size();
    let transform = tiny_skia::Transform::from_scale(
        f32_of(f64::from(w)) / size.width(),
        f32_of(f64::from(h)) / size.height(),
    );
    resvg::render(&tree, transform, &mut pixmap.as_mut());

    // Opaque white background: every pixel has alpha 255, so the premultiplied RGBA buffer
    // is also the straight RGBA a PNG holds; no per-pixel pass.
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Default);
        let per_metre = dots_per_metre(theme.dpi);
        encoder.set_pixel_dims(Some(png::PixelDimensions {
            xppu: per_metre,
            yppu: per_metre,
            unit: png::Unit::Meter,
        }));
        let mut writer = encoder.write_header()?;
        writer.write_image_data(pixmap.data())?;
        writer.finish()?;
    }
    Ok(out)
}

/// Converts an SVG made by [`render_svg`] to a one-page vector PDF of the theme's physical size,
/// text embedded as a DejaVu subset (selectable, no system fonts).
pub fn svg_to_pdf(svg: &str) -> Result<Vec<u8>, RenderError> {
    let tree = parse(svg)?;
    let page = svg2pdf::PageOptions { dpi: USVG_DPI };
    svg2pdf::to_pdf(&tree, svg2pdf::ConversionOptions::default(), page)
        .map(canonical_pdf)
        .map_err(|e| RenderError::Pdf(e.to_string()))
}

/// svg2pdf 0.13 is not byte-deterministic: it fills each resource dictionary
/// (`/XObject << /xo0 9 0 R ... >>`, fonts, graphics states) and writes the embedded fonts
/// from `HashMap`s, so dictionary order, object order and the numbers of the font objects
/// change between runs. This sorts the entries of each dictionary, renumbers the objects in
/// the order a walk from the trailer first reaches them, writes them in that order and
/// rebuilds the cross-reference table. Stream data are copied untouched. If the file is not
/// laid out as pdf-writer lays it out, it is returned unchanged (and the determinism test
/// fails).
fn canonical_pdf(pdf: Vec<u8>) -> Vec<u8> {
    let sorted = sort_resource_entries(&pdf);
    renumber_objects(&sorted).unwrap_or(sorted)
}

/// Sorts runs of `/name N 0 R` lines outside streams. Permuting whole lines of one dictionary
/// keeps every byte offset.
fn sort_resource_entries(pdf: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(pdf.len());
    let mut pos = 0;
    while pos < pdf.len() {
        let rest = pdf.get(pos..).unwrap_or_default();
        let (text_len, stream_len) = split_stream(rest);
        out.extend(sort_reference_runs(
            rest.get(..text_len).unwrap_or_default(),
        ));
        out.extend(
            rest.get(text_len..text_len + stream_len)
                .unwrap_or_default(),
        );
        pos += text_len + stream_len;
    }
    out
}

/// Length of the text before the next stream, and of that stream (`\nstream\n` to
/// `\nendstream`), in `bytes`.
fn split_stream(bytes: &[u8]) -> (usize, usize) {
    const STREAM: &[u8] = b"\nstream\n";
    const END: &[u8] = b"\nendstream";
    match find(bytes, STREAM) {
        Some(s) => {
            let body = bytes.get(s + STREAM.len()..).unwrap_or_default();
            let e = find(body, END).map_or(body.len(), |e| e + END.len());
            (s, STREAM.len() + e)
        }
        None => (bytes.len(), 0),
    }
}

/// Positions and values of the indirect references (`12 0 R`) in PDF text.
fn references(text: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let starts = text.get(i).is_some_and(u8::is_ascii_digit)
            && (i == 0
                || text
                    .get(i - 1)
                    .is_some_and(|b| !b.is_ascii_alphanumeric() && *b != b'.'));
        if starts {
            let len = text
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let after = text.get(i + len..).unwrap_or_default();
            let boundary = after.get(4).is_none_or(|b| !b.is_ascii_alphanumeric());
            if after.starts_with(b" 0 R") && boundary {
                let value = std::str::from_utf8(text.get(i..i + len).unwrap_or_default())
                    .ok()
                    .and_then(|d| d.parse().ok());
                if let Some(value) = value {
                    out.push((i, i + len, value));
                }
            }
            i += len.max(1);
        } else {
            i += 1;
        }
    }
    out
}

/// Replaces the references in `text` through `map` (old number -> new number).
fn rewrite_references(text: &[u8], map: &[Option<usize>]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut last = 0;
    for (start, end, old) in references(text) {
        out.extend_from_slice(text.get(last..start)?);
        out.extend_from_slice(map.get(old).copied().flatten()?.to_string().as_bytes());
        last = end;
    }
    out.extend_from_slice(text.get(last..)?);
    Some(out)
}

/// Renumbers objects in first-reached order from the trailer and rewrites body, xref and trailer.
fn renumber_objects(pdf: &[u8]) -> Option<Vec<u8>> {
    const STARTXREF: &[u8] = b"startxref\n";
    let sx = pdf.windows(STARTXREF.len()).rposition(|w| w == STARTXREF)?;
    let after = pdf.get(sx + STARTXREF.len()..)?;
    let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
    let xref_at: usize = std::str::from_utf8(after.get(..digits)?)
        .ok()?
        .parse()
        .ok()?;
    let tail = after.get(digits..)?;

    let xref = pdf.get(xref_at..sx)?;
    let header_end = find(xref, b"\n")? + 1;
    let subsection_end = header_end + find(xref.get(header_end..)?, b"\n")? + 1;
    let subsection = std::str::from_utf8(xref.get(header_end..subsection_end)?).ok()?;
    let mut parts = subsection.split_whitespace();
    let first: usize = parts.next()?.parse().ok()?;
    let count: usize = parts.next()?.parse().ok()?;
    if first != 0 || xref.get(..header_end)? != b"xref\n" {
        return None;
    }
    let entries = xref.get(subsection_end..subsection_end + count * 20)?;
    let trailer = xref.get(subsection_end + count * 20..)?;

    // Each object's bytes, by number, from the offsets in the xref table.
    let mut offsets: Vec<(usize, usize)> = Vec::new();
    for (num, entry) in entries.chunks(20).enumerate() {
        if entry.get(17) == Some(&b'n') {
            let offset: usize = std::str::from_utf8(entry.get(..10)?).ok()?.parse().ok()?;
            offsets.push((num, offset));
        }
    }
    offsets.sort_unstable_by_key(|o| o.1);
    let body_start = offsets.first()?.1;
    let mut objects: Vec<Option<&[u8]>> = vec![None; count];
    for (i, (num, offset)) in offsets.iter().enumerate() {
        let end = offsets.get(i + 1).map_or(xref_at, |o| o.1);
        *objects.get_mut(*num)? = Some(pdf.get(*offset..end)?);
    }
    let header_len = |obj: &[u8]| find(obj, b" 0 obj").map(|p| p + b" 0 obj".len());

    // Walk from the trailer; references in dictionary text only (streams hold none).
    let mut order: Vec<usize> = Vec::with_capacity(count);
    let mut new_num: Vec<Option<usize>> = vec![None; count];
    let mut queue: std::collections::VecDeque<usize> =
        references(trailer).into_iter().map(|r| r.2).collect();
    while let Some(old) = queue.pop_front() {
        if new_num.get(old)?.is_some() {
            continue;
        }
        let obj = (*objects.get(old)?)?;
        order.push(old);
        *new_num.get_mut(old)? = Some(order.len());
        let (text_len, _) = split_stream(obj);
        queue.extend(
            references(obj.get(header_len(obj)?..text_len)?)
                .into_iter()
                .map(|r| r.2),
        );
    }
    for (old, obj) in objects.iter().enumerate() {
        if obj.is_some() && new_num.get(old)?.is_none() {
            order.push(old);
            *new_num.get_mut(old)? = Some(order.len());
        }
    }

    let mut out = Vec::with_capacity(pdf.len());
    out.extend_from_slice(pdf.get(..body_start)?);
    let mut new_offsets = Vec::with_capacity(order.len());
    for (i, old) in order.iter().enumerate() {
        let obj = (*objects.get(*old)?)?;
        let head = header_len(obj)?;
        let (text_len, _) = split_stream(obj);
        new_offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj", i + 1).as_bytes());
        out.extend(rewrite_references(obj.get(head..text_len)?, &new_num)?);
        out.extend_from_slice(obj.get(text_len..)?);
    }
    let new_xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n", order.len() + 1).as_bytes());
    out.extend_from_slice(entries.get(..20)?);
    for offset in new_offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n\r\n").as_bytes());
    }
    let trailer = rewrite_references(trailer, &new_num)?;
    let size = format!("/Size {}", count);
    let new_size = format!("/Size {}", order.len() + 1);
    let trailer = String::from_utf8(trailer)
        .ok()?
        .replacen(&size, &new_size, 1);
    out.extend_from_slice(trailer.as_bytes());
    out.extend_from_slice(STARTXREF);
    out.extend_from_slice(new_xref.to_string().as_bytes());
    out.extend_from_slice(tail);
    Some(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Sorts runs of consecutive, equally indented `/name N 0 R` lines.
fn sort_reference_runs(text: &[u8]) -> Vec<u8> {
    let is_ref = |line: &[u8]| {
        let trimmed = line.trim_ascii_start();
        trimmed.first() == Some(&b'/') && (line.ends_with(b" 0 R") || line.ends_with(b" 0 R]"))
    };
    let indent = |line: &[u8]| line.len() - line.trim_ascii_start().len();
    let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').collect();
    let mut out: Vec<&[u8]> = Vec::with_capacity(lines.len());
    let mut run: Vec<&[u8]> = Vec::new();
    for line in lines {
        let continues = run
            .first()
            .is_some_and(|first| is_ref(line) && indent(first) == indent(line));
        if !continues {
            run.sort_unstable();
            out.append(&mut run);
        }
        if is_ref(line) {
            run.push(line);
        } else {
            out.push(line);
        }
    }
    run.sort_unstable();
    out.append(&mut run);
    out.join(&b'\n')
}

/// Draws once and returns the SVG, PNG and PDF of the same drawing.
pub fn render<F>(theme: &Theme, footer: Option<&str>, draw: F) -> Result<Rendered, RenderError>
where
    F: FnOnce(&SvgArea<'_>) -> SvgResult,
{
    let svg = render_svg(theme, footer, draw)?;
    let png = svg_to_png(&svg, theme)?;
    let pdf = svg_to_pdf(&svg)?;
    Ok(Rendered { svg, png, pdf })
}

/// CSS pixels per inch, usvg's default: mm in the SVG become px at this rate, and the PDF page
/// converts them back at the same rate, so the page is exactly the theme's size in mm.
const USVG_DPI: f32 = 96.0;

fn parse(svg: &str) -> Result<usvg::Tree, RenderError> {
    let options = usvg::Options {
        dpi: USVG_DPI,
        font_family: "DejaVu Sans".to_owned(),
        fontdb: fontdb(),
        ..usvg::Options::default()
    };
    Ok(usvg::Tree::from_str(svg, &options)?)
}

/// The font database: the embedded DejaVu Sans faces only, loaded once.
fn fontdb() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for face in [
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
            dejavu::sans::bold_oblique(),
        ] {
            db.load_font_data(face.to_vec());
        }
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> RenderError {
    RenderError::Draw(e.to_string())
}

fn fmt_mm(mm: f64) -> String {
    super::theme::fmt_tick(mm)
}

fn f32_of(v: f64) -> f32 {
    // Canvas sizes are small integers: exact in f32.
    v as f32
}

/// Pixels per metre for the PNG pHYs chunk (300 dpi is 11811).
fn dots_per_metre(dpi: f64) -> u32 {
    u32::try_from(super::theme::round_i32(dpi / 0.0254).max(0)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_found_but_not_numbers_or_headers() {
        let text = b"1 0 obj\n<<\n  /Kids [5 0 R]\n  /MediaBox [0 0 252.28 10]\n  /Info 22 0 R\n>>";
        let refs: Vec<usize> = references(text).into_iter().map(|r| r.2).collect();
        assert_eq!(refs, vec![5, 22]);
    }

    #[test]
    fn resource_runs_are_sorted_without_moving_bytes() {
        let text = b"<<\n    /xo2 13 0 R\n    /xo0 9 0 R\n    /xo1 11 0 R\n  >>\n  /gs1 10 0 R\n";
        let sorted = sort_reference_runs(text);
        assert_eq!(sorted.len(), text.len());
        assert_eq!(
            sorted,
            b"<<\n    /xo0 9 0 R\n    /xo1 11 0 R\n    /xo2 13 0 R\n  >>\n  /gs1 10 0 R\n"
        );
    }

    #[test]
    fn dots_per_metre_for_300_dpi() {
        assert_eq!(dots_per_metre(300.0), 11811);
    }
}
