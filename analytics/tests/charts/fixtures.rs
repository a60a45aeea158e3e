//! Small deterministic cohorts for the chart tests: a seeded generator, a naive Kaplan-Meier
//! (log-log CI) and Aalen-Johansen, just enough to give the charts realistic shapes. The
//! statistics engine, not this file, is what the report uses.

use analytics::charts::cuminc::CumIncCurve;
use analytics::charts::{KmCurve, RiskTable};

/// xorshift64*: a seeded, portable generator (no dependency).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    /// Uniform in (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let v = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        (v as f64 + 0.5) / (1u64 << 53) as f64
    }

    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }
}

/// One simulated group: months of follow-up and event flags (cure fraction + exponential).
pub fn cohort(seed: u64, n: usize, cure: f64, mean: f64, follow_up: f64) -> (Vec<f64>, Vec<bool>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let censor = 3.0 + rng.uniform() * (follow_up - 3.0);
            let event_time = if rng.uniform() < cure {
                f64::INFINITY
            } else {
                rng.exponential(mean)
            };
            let t = event_time.min(censor);
            ((t * 100.0).round() / 100.0, event_time <= censor)
        })
        .unzip()
}

/// Naive Kaplan-Meier with Greenwood variance and the log(-log) CI.
pub fn km(label: &str, time: &[f64], event: &[bool]) -> KmCurve {
    let mut obs: Vec<(f64, bool)> = time.iter().copied().zip(event.iter().copied()).collect();
    obs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut curve = KmCurve {
        label: label.to_owned(),
        ..KmCurve::default()
    };
    let (mut s, mut var_sum) = (1.0, 0.0);
    let mut at_risk = obs.len() as f64;
    let mut i = 0;
    while i < obs.len() {
        let t = obs[i].0;
        let (mut d, mut c) = (0.0, 0.0);
        while i < obs.len() && obs[i].0 == t {
            if obs[i].1 {
                d += 1.0
            } else {
                c += 1.0;
                curve.censor_times.push(t)
            }
            i += 1;
        }
        if d > 0.0 {
            s *= 1.0 - d / at_risk;
            if at_risk > d {
                var_sum += d / (at_risk * (at_risk - d));
            }
            let (lo, hi) = if s > 0.0 && s < 1.0 {
                let se = var_sum.sqrt() / s.ln().abs();
                let ll = (-s.ln()).ln();
                (
                    (-(ll + 1.96 * se).exp()).exp(),
                    (-(ll - 1.96 * se).exp()).exp(),
                )
            } else {
                (f64::NAN, f64::NAN)
            };
            curve.time.push(t);
            curve.n_risk.push(at_risk);
            curve.surv.push(s);
            curve.lower.push(lo);
            curve.upper.push(hi);
        }
        at_risk -= d + c;
    }
    curve
}

/// Naive Aalen-Johansen for two causes (1 = relapse, 2 = NRM, 0 = censored) with a crude
/// delta-method band (good enough for pictures).
pub fn cuminc(time: &[f64], cause: &[u8]) -> [CumIncCurve; 2] {
    let mut obs: Vec<(f64, u8)> = time.iter().copied().zip(cause.iter().copied()).collect();
    obs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = [CumIncCurve::default(), CumIncCurve::default()];
    let (mut s, mut cif) = (1.0, [0.0, 0.0]);
    let mut at_risk = obs.len() as f64;
    let n = at_risk;
    let mut i = 0;
    while i < obs.len() {
        let t = obs[i].0;
        let mut d = [0.0, 0.0];
        let mut c = 0.0;
        while i < obs.len() && obs[i].0 == t {
            match obs[i].1 {
                1 => d[0] += 1.0,
                2 => d[1] += 1.0,
                _ => c += 1.0,
            }
            i += 1;
        }
        for k in 0..2 {
            if d[k] > 0.0 {
                cif[k] += s * d[k] / at_risk;
                let se = (cif[k] * (1.0 - cif[k]) / n).sqrt() * 1.3;
                out[k].time.push(t);
                out[k].cif.push(cif[k]);
                out[k].lower.push((cif[k] - 1.96 * se).max(0.0));
                out[k].upper.push((cif[k] + 1.96 * se).min(1.0));
            }
        }
        s *= 1.0 - (d[0] + d[1]) / at_risk;
        at_risk -= d[0] + d[1] + c;
    }
    let end = obs.last().map(|o| o.0);
    for c in &mut out {
        c.end = end;
    }
    out
}

/// Footer stamp used by the tests.
pub const STAMP: &str = "Data cut-off 2026-11-26 · data SHA-256 3f9a1c0b2e7d · analytics 0.1.0";

/// Three disease groups, 24 months, the way the report will call the chart.
pub fn km_by_disease() -> analytics::charts::KmChart {
    let groups = [
        ("LBCL", cohort(11, 120, 0.42, 6.0, 30.0)),
        ("B-ALL", cohort(12, 60, 0.35, 9.0, 30.0)),
        ("Multiple myeloma", cohort(13, 80, 0.10, 20.0, 30.0)),
    ];
    let ticks: Vec<f64> = (0..=4).map(|i| f64::from(i) * 6.0).collect();
    let table_input: Vec<(&str, &[f64], &[bool])> = groups
        .iter()
        .map(|(l, (t, e))| (*l, t.as_slice(), e.as_slice()))
        .collect();
    analytics::charts::KmChart {
        title: None,
        x_label: "Months since CAR-T infusion".to_owned(),
        y_label: "Overall survival (%)".to_owned(),
        curves: groups.iter().map(|(l, (t, e))| km(l, t, e)).collect(),
        table: RiskTable::from_observations(&ticks, &table_input),
        p_value: Some("Log-rank p = 0.003".to_owned()),
    }
}

/// Where to write renders for a human to look at (`CHARTS_OUT=/tmp/charts`), if anywhere.
pub fn out_dir() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(std::env::var_os("CHARTS_OUT")?);
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

/// Writes the three files under `CHARTS_OUT` when set.
pub fn save(name: &str, r: &analytics::charts::Rendered) -> std::io::Result<()> {
    if let Some(dir) = out_dir() {
        std::fs::write(dir.join(format!("{name}.svg")), &r.svg)?;
        std::fs::write(dir.join(format!("{name}.png")), &r.png)?;
        std::fs::write(dir.join(format!("{name}.pdf")), &r.pdf)?;
    }
    Ok(())
}

/// The text content of every `<text>` element of an SVG, trimmed, in document order.
pub fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let body = chunk.split_once('>')?.1;
            let inner = body.split_once("</text>")?.0;
            let text = inner.trim();
            Some(
                text.replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&apos;", "'")
                    .replace("&amp;", "&"),
            )
        })
        .collect()
}

/// Asserts each of `expected` is the content of some `<text>` element.
pub fn assert_texts(svg: &str, expected: &[&str]) {
    let found = texts(svg);
    for e in expected {
        assert!(found.iter().any(|t| t == e), "no <text> {e:?} in {found:?}");
    }
}

/// Relapse (1), non-relapse death (2) or censoring (0), 24-30 months of follow-up.
pub fn competing(seed: u64, n: usize) -> (Vec<f64>, Vec<u8>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let censor = 3.0 + rng.uniform() * 27.0;
            let relapse = if rng.uniform() < 0.45 {
                rng.exponential(5.0)
            } else {
                f64::INFINITY
            };
            let nrm = if rng.uniform() < 0.12 {
                rng.exponential(6.0)
            } else {
                f64::INFINITY
            };
            let t = censor.min(relapse).min(nrm);
            let cause = if t == relapse {
                1
            } else if t == nrm {
                2
            } else {
                0
            };
            ((t * 100.0).round() / 100.0, cause)
        })
        .unzip()
}

/// The attributes of every `<tag ...>` element of an SVG, in document order.
pub fn elements(svg: &str, tag: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    svg.split(&format!("<{tag} "))
        .skip(1)
        .map(|chunk| {
            let head = chunk.split('>').next().unwrap_or_default();
            head.split("\" ")
                .chain(std::iter::once(""))
                .filter_map(|kv| {
                    let (k, v) = kv.trim().split_once("=\"")?;
                    Some((k.to_owned(), v.trim_end_matches(['"', '/']).to_owned()))
                })
                .collect()
        })
        .collect()
}

/// The points of a `<polyline>`/`<polygon>` element.
pub fn points(element: &std::collections::BTreeMap<String, String>) -> Vec<(f64, f64)> {
    element
        .get("points")
        .map(|p| {
            p.split_whitespace()
                .filter_map(|xy| {
                    let (x, y) = xy.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A text's content and its box `(x0, y0, x1, y1)`.
pub type TextBox = (String, [f64; 4]);

/// Each `<text>`'s content and its layout box `(x0, y0, x1, y1)` in the SVG's own pixels
/// (the viewBox), as resvg lays it out with the embedded DejaVu Sans, plus the viewBox size.
/// The box is the advance-width by ascent-descent box, so a glyph inside it is fully drawn.
pub fn text_boxes(svg: &str) -> (Vec<TextBox>, (f64, f64)) {
    use resvg::usvg;
    let mut db = usvg::fontdb::Database::new();
    for face in [
        dejavu::sans::regular(),
        dejavu::sans::bold(),
        dejavu::sans::oblique(),
    ] {
        db.load_font_data(face.to_vec());
    }
    db.set_sans_serif_family("DejaVu Sans");
    let options = usvg::Options {
        font_family: "DejaVu Sans".to_owned(),
        fontdb: std::sync::Arc::new(db),
        ..usvg::Options::default()
    };
    let tree = match usvg::Tree::from_str(svg, &options) {
        Ok(tree) => tree,
        Err(e) => panic!("the SVG does not parse: {e}"),
    };
    let view: Vec<f64> = svg
        .split("viewBox=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|v| {
            v.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let (vw, vh) = (view[2], view[3]);
    let scale = vw / f64::from(tree.size().width());
    fn walk(group: &usvg::Group, scale: f64, out: &mut Vec<TextBox>) {
        for node in group.children() {
            match node {
                usvg::Node::Group(g) => walk(g, scale, out),
                usvg::Node::Text(t) => {
                    let b = t.abs_bounding_box();
                    let text: String = t.chunks().iter().map(|c| c.text()).collect();
                    out.push((
                        text.trim().to_owned(),
                        [
                            f64::from(b.left()) * scale,
                            f64::from(b.top()) * scale,
                            f64::from(b.right()) * scale,
                            f64::from(b.bottom()) * scale,
                        ],
                    ));
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(tree.root(), scale, &mut out);
    (out, (vw, vh))
}

/// Asserts every text of an SVG is laid out fully inside its viewBox.
pub fn assert_texts_inside(svg: &str) {
    let (boxes, (w, h)) = text_boxes(svg);
    assert!(!boxes.is_empty());
    for (text, [x0, y0, x1, y1]) in boxes {
        assert!(
            x0 >= 0.0 && y0 >= 0.0 && x1 <= w && y1 <= h,
            "{text:?} at [{x0:.1}, {y0:.1}, {x1:.1}, {y1:.1}] leaves the {w}x{h} figure"
        );
    }
}

/// Asserts no two texts of an SVG overlap (their layout boxes, shrunk by 1 px so that
/// neighbouring lines that merely touch pass).
pub fn assert_texts_apart(svg: &str) {
    let (boxes, _) = text_boxes(svg);
    for (i, (a, [ax0, ay0, ax1, ay1])) in boxes.iter().enumerate() {
        for (b, [bx0, by0, bx1, by1]) in boxes.iter().skip(i + 1) {
            let overlap =
                ax0 + 1.0 < *bx1 && *bx0 + 1.0 < *ax1 && ay0 + 1.0 < *by1 && *by0 + 1.0 < *ay1;
            assert!(!overlap, "{a:?} overlaps {b:?}");
        }
    }
}
