//! SVG -> PNG (300 dpi) and PDF: sizes, embedded fonts, byte-identical reruns.

use analytics::charts::Theme;
use analytics::charts::km::draw_km;
use analytics::charts::render::{render, render_svg, svg_to_pdf, svg_to_png};

use crate::fixtures::{self, STAMP};

fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn same_input_gives_identical_svg_png_pdf() {
    let chart = fixtures::km_by_disease();
    let theme = Theme::single_column(100.0);
    let a = render(&theme, Some(STAMP), |d| draw_km(d, &theme, &chart)).unwrap();
    let b = render(&theme, Some(STAMP), |d| draw_km(d, &theme, &chart.clone())).unwrap();
    assert_eq!(a.svg, b.svg);
    assert!(a.png == b.png, "PNG differs between runs");
    if a.pdf != b.pdf {
        if let Some(dir) = fixtures::out_dir() {
            std::fs::write(dir.join("nondeterministic_a.pdf"), &a.pdf).unwrap();
            std::fs::write(dir.join("nondeterministic_b.pdf"), &b.pdf).unwrap();
        }
        panic!("PDF differs between runs");
    }
    // The PNG and PDF depend only on the SVG.
    assert!(svg_to_png(&a.svg, &theme).unwrap() == a.png);
    for _ in 0..3 {
        let again = svg_to_pdf(&a.svg).unwrap();
        if again != a.pdf {
            if let Some(dir) = fixtures::out_dir() {
                std::fs::write(dir.join("nondeterministic_a.pdf"), &a.pdf).unwrap();
                std::fs::write(dir.join("nondeterministic_b.pdf"), &again).unwrap();
            }
            panic!("PDF differs between conversions");
        }
    }
}

#[test]
fn png_is_300_dpi_at_journal_width() {
    let chart = fixtures::km_by_disease();
    for (theme, width) in [
        (Theme::single_column(100.0), 1051),
        (Theme::double_column(100.0), 2161),
    ] {
        let out = render(&theme, None, |d| draw_km(d, &theme, &chart)).unwrap();
        assert_eq!(png_size(&out.png), (width, 1181));
        // pHYs: 11811 px per metre = 300 dpi, both axes, unit metre.
        let i = out.png.windows(4).position(|w| w == b"pHYs").unwrap();
        assert_eq!(
            &out.png[i + 4..i + 13],
            &[0, 0, 0x2e, 0x23, 0, 0, 0x2e, 0x23, 1]
        );
    }
}

#[test]
fn svg_has_physical_size_and_pdf_page_matches() {
    let theme = Theme::single_column(100.0);
    let out = render(&theme, None, |d| {
        draw_km(d, &theme, &fixtures::km_by_disease())
    })
    .unwrap();
    assert!(
        out.svg
            .contains(r#"<svg width="89mm" height="100mm" viewBox="0 0 1051 1181""#)
    );
    let pdf = String::from_utf8_lossy(&out.pdf);
    // 89 mm = 252.283 pt, 100 mm = 283.465 pt.
    assert!(
        pdf.contains("/MediaBox [0 0 252.28"),
        "{}",
        &pdf[..400.min(pdf.len())]
    );
    assert!(pdf.contains("283.46"));
}

#[test]
fn pdf_embeds_dejavu_and_has_no_dates() {
    let theme = Theme::single_column(100.0);
    let out = render(&theme, Some(STAMP), |d| {
        draw_km(d, &theme, &fixtures::km_by_disease())
    })
    .unwrap();
    let pdf = String::from_utf8_lossy(&out.pdf);
    assert!(pdf.starts_with("%PDF-"));
    assert!(pdf.contains("DejaVuSans"));
    assert!(pdf.contains("DejaVuSans-Bold"));
    assert!(!pdf.contains("CreationDate"));
    assert!(!pdf.contains("ModDate"));
    assert!(
        !pdf.contains("/ID ["),
        "a document ID would differ between runs"
    );
}

#[test]
fn svg_uses_only_the_embedded_font_family() {
    let theme = Theme::single_column(100.0);
    let out = render(&theme, Some(STAMP), |d| {
        draw_km(d, &theme, &fixtures::km_by_disease())
    })
    .unwrap();
    let families: std::collections::BTreeSet<&str> = out
        .svg
        .split("font-family=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(
        families.into_iter().collect::<Vec<_>>(),
        vec![analytics::charts::theme::FONT_FAMILY]
    );
}

/// Every attribute value `name="..."` in an SVG, parsed as a number.
fn numeric_attrs(svg: &str, name: &str) -> Vec<f64> {
    svg.split(&format!(" {name}=\""))
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

#[test]
fn type_and_rules_are_legible_at_print_size() {
    use analytics::charts::bars::{BarLayout, draw_bars};
    use analytics::charts::cuminc::draw_cuminc;
    use analytics::charts::forest::draw_forest;
    use analytics::charts::series::draw_series;
    use analytics::charts::swimmer::{SwimmerChart, draw_swimmer};

    let theme = Theme::single_column(100.0);
    let px_per_pt = theme.dpi / 72.0;
    let swimmer = SwimmerChart {
        groups: vec!["A".to_owned(), "B".to_owned(), "C".to_owned()],
        lanes: crate::swimmer::lanes(20, 3),
        max_labelled_lanes: 30,
        ..SwimmerChart::default()
    };
    let svgs = [
        render_svg(&theme, Some(STAMP), |a| {
            draw_km(a, &theme, &fixtures::km_by_disease())
        }),
        render_svg(&theme, Some(STAMP), |a| {
            draw_cuminc(a, &theme, &crate::cuminc::relapse_vs_nrm())
        }),
        render_svg(&theme, Some(STAMP), |a| draw_swimmer(a, &theme, &swimmer)),
        render_svg(&theme, Some(STAMP), |a| {
            draw_forest(a, &theme, &crate::forest::orr())
        }),
        render_svg(&theme, Some(STAMP), |a| {
            draw_series(a, &theme, &crate::series::persistence())
        }),
        render_svg(&theme, Some(STAMP), |a| {
            draw_series(a, &theme, &crate::series::igg())
        }),
        render_svg(&theme, Some(STAMP), |a| {
            draw_bars(a, &theme, &crate::bars::density(BarLayout::Stacked))
        }),
    ];
    for svg in svgs {
        let svg = svg.unwrap();
        // plotters writes the SVG font-size in canvas pixels: at least 6 pt.
        let smallest = numeric_attrs(&svg, "font-size")
            .into_iter()
            .fold(f64::MAX, f64::min);
        assert!(
            smallest / px_per_pt >= 5.99,
            "font of {} pt",
            smallest / px_per_pt
        );
        // Every stroked line at least 0.5 pt.
        let stroked: String = svg
            .split('<')
            .filter(|tag| !tag.contains("stroke=\"none\""))
            .collect::<Vec<_>>()
            .join("<");
        let thinnest = numeric_attrs(&stroked, "stroke-width")
            .into_iter()
            .fold(f64::MAX, f64::min);
        assert!(
            thinnest / px_per_pt >= 0.5,
            "line of {} pt",
            thinnest / px_per_pt
        );
    }
}

#[test]
#[ignore = "timing, run by hand with --ignored --nocapture (use --release for real numbers)"]
fn render_timings() {
    let chart = fixtures::km_by_disease();
    let theme = Theme::double_column(120.0);
    let t = std::time::Instant::now();
    let svg = render_svg(&theme, Some(STAMP), |a| draw_km(a, &theme, &chart)).unwrap();
    let t_svg = t.elapsed();
    let t = std::time::Instant::now();
    let png = svg_to_png(&svg, &theme).unwrap();
    let t_png = t.elapsed();
    let t = std::time::Instant::now();
    let pdf = svg_to_pdf(&svg).unwrap();
    let t_pdf = t.elapsed();
    println!(
        "183x120 mm KM: svg {t_svg:?} ({} kB), png {t_png:?} ({} kB), pdf {t_pdf:?} ({} kB)",
        svg.len() / 1024,
        png.len() / 1024,
        pdf.len() / 1024
    );
}

#[test]
fn every_chart_keeps_its_text_inside_the_figure_and_apart_at_both_widths() {
    use analytics::charts::bars::{BarLayout, draw_bars};
    use analytics::charts::cuminc::draw_cuminc;
    use analytics::charts::forest::draw_forest;
    use analytics::charts::series::draw_series;
    use analytics::charts::swimmer::draw_swimmer;

    for theme in [Theme::single_column(100.0), Theme::double_column(100.0)] {
        let svgs = [
            render_svg(&theme, Some(STAMP), |a| {
                draw_km(a, &theme, &fixtures::km_by_disease())
            }),
            render_svg(&theme, Some(STAMP), |a| {
                draw_cuminc(a, &theme, &crate::cuminc::relapse_vs_nrm())
            }),
            render_svg(&theme, Some(STAMP), |a| {
                draw_swimmer(a, &theme, &crate::swimmer::chart(24))
            }),
            render_svg(&theme, Some(STAMP), |a| {
                draw_swimmer(a, &theme, &crate::swimmer::chart(120))
            }),
            render_svg(&theme, Some(STAMP), |a| {
                draw_forest(a, &theme, &crate::forest::orr())
            }),
            render_svg(&theme, Some(STAMP), |a| {
                draw_series(a, &theme, &crate::series::persistence())
            }),
            render_svg(&theme, Some(STAMP), |a| {
                draw_series(a, &theme, &crate::series::igg())
            }),
            render_svg(&theme, Some(STAMP), |a| {
                draw_bars(a, &theme, &crate::bars::density(BarLayout::Stacked))
            }),
        ];
        for svg in svgs {
            let svg = svg.unwrap();
            fixtures::assert_texts_inside(&svg);
            fixtures::assert_texts_apart(&svg);
        }
    }
}
