//! `--format table`: plain-text output shaped like R's `print(fit)`,
//! `summary(fit, times =)`, `print(survdiff)`, `summary(coxph)` and cmprsk's
//! `print(cuminc)`, for a person reading a terminal. Numbers are rounded for
//! reading; use JSON for full precision.

use crate::commands::{CoxOutput, CumincOutput, SurvivalOutput};
use crate::survival::LogRankTest;
use std::io::{self, Write};

/// `x` to `digits` significant digits as R's `signif` + `format` would show it;
/// `NA` for non-finite values.
pub fn sig(x: f64, digits: i32) -> String {
    if !x.is_finite() {
        return "NA".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if magnitude >= digits.max(6) || magnitude < -4 {
        let s = format!("{:.*e}", (digits - 1).max(0) as usize, x);
        // R writes 7.31e-12, Rust 7.31e-12 too; trim zeros in the mantissa
        return match s.split_once('e') {
            Some((m, e)) => {
                let m = if m.contains('.') {
                    m.trim_end_matches('0').trim_end_matches('.')
                } else {
                    m
                };
                let exp: i32 = e.parse().unwrap_or(0);
                format!("{m}e{}{:02}", if exp < 0 { "-" } else { "+" }, exp.abs())
            }
            None => s,
        };
    }
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// R's `formatReal`: a vector formatted together, as `format(x, digits =)` and
/// the columns of a printed matrix. Each finite value needs at most `digits`
/// significant digits; all share the largest number of decimals needed, in fixed
/// notation unless scientific is narrower (`scipen = 0`). `NA` for NaN/Inf.
pub fn format_real(values: &[f64], digits: usize) -> Vec<String> {
    let digits = digits.clamp(1, 15);
    // per value: (negative, exponent kp, significant digits needed)
    let parts: Vec<Option<(bool, i32, usize)>> = values
        .iter()
        .map(|&x| {
            if !x.is_finite() {
                return None;
            }
            if x == 0.0 {
                return Some((false, 0, 1));
            }
            let s = format!("{:.*e}", digits - 1, x.abs());
            let (m, e) = s.split_once('e')?;
            let kp: i32 = e.parse().ok()?;
            let sig = m.replace('.', "");
            let nsig = sig.trim_end_matches('0').len().max(1);
            Some((x < 0.0, kp, nsig))
        })
        .collect();
    let finite: Vec<(bool, i32, usize)> = parts.iter().flatten().copied().collect();
    if finite.is_empty() {
        return values.iter().map(|_| "NA".to_owned()).collect();
    }
    let neg = usize::from(finite.iter().any(|p| p.0));
    let rgt = finite
        .iter()
        .map(|&(_, kp, nsig)| (nsig as i32 - kp - 1).max(0))
        .max()
        .unwrap_or(0) as usize;
    let left = finite
        .iter()
        .map(|&(_, kp, _)| (kp + 1).max(1))
        .max()
        .unwrap_or(1) as usize;
    let fixed_width = neg + left + if rgt > 0 { rgt + 1 } else { 0 };
    let mxns = finite.iter().map(|p| p.2).max().unwrap_or(1);
    let exp_width = if finite.iter().any(|p| p.1.abs() >= 100) {
        3
    } else {
        2
    };
    let sci_width = neg + mxns + usize::from(mxns > 1) + 2 + exp_width;
    values
        .iter()
        .zip(&parts)
        .map(|(&x, p)| match p {
            None => "NA".to_owned(),
            // + 0.0 turns -0 into 0 as R prints it
            Some(_) if fixed_width <= sci_width => format!("{:.rgt$}", x + 0.0),
            Some(_) => {
                let s = format!("{:.*e}", mxns - 1, x);
                match s.split_once('e') {
                    Some((m, e)) => {
                        let e: i32 = e.parse().unwrap_or(0);
                        format!(
                            "{m}e{}{:0w$}",
                            if e < 0 { '-' } else { '+' },
                            e.abs(),
                            w = exp_width
                        )
                    }
                    None => s,
                }
            }
        })
        .collect()
}

/// R's `round(x, d)` for display.
fn round_to(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (x * f).round() / f
}

/// R's `format.pval(pv, digits)`: below machine epsilon `<2e-16` (at this
/// `digits`); values >= 1e-3 formatted together in fixed, smaller ones together.
pub fn format_pval(pv: &[f64], digits: usize) -> Vec<String> {
    let eps = f64::EPSILON;
    let fix: Vec<usize> = (0..pv.len())
        .filter(|&i| {
            pv[i].is_finite() && pv[i] >= eps && (pv[i] == 0.0 || pv[i].log10().floor() >= -3.0)
        })
        .collect();
    let small: Vec<usize> = (0..pv.len())
        .filter(|&i| pv[i].is_finite() && pv[i] >= eps && !fix.contains(&i))
        .collect();
    let mut out: Vec<String> = pv
        .iter()
        .map(|&p| {
            if p.is_finite() {
                format!("<{}", format_real(&[eps], digits)[0])
            } else {
                "NA".to_owned()
            }
        })
        .collect();
    for group in [fix, small] {
        let vals: Vec<f64> = group.iter().map(|&i| pv[i]).collect();
        for (i, s) in group.iter().zip(format_real(&vals, digits)) {
            out[*i] = s;
        }
    }
    out
}

/// R's `format.pval` at 2 digits: values below machine epsilon print as `<2e-16`.
pub fn pval(p: f64) -> String {
    if p.is_finite() && p < 2.220446e-16 {
        "<2e-16".into()
    } else {
        sig(p, 2)
    }
}

/// Right-aligned columns; the first column left-aligned (row names).
fn grid(out: &mut dyn Write, header: &[String], rows: &[Vec<String>]) -> io::Result<()> {
    let ncol = header.len();
    let mut width = vec![0usize; ncol];
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let mut line = String::new();
        for (k, cell) in row.iter().enumerate() {
            if k == 0 {
                line.push_str(&format!("{cell:<w$}", w = width[0]));
            } else {
                line.push_str(&format!(" {cell:>w$}", w = width[k]));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

fn level_label(level: f64) -> String {
    // as.character(conf.int), as survmean's "0.95LCL"
    crate::survival::format_r_number(level)
}

/// Formats each column of a numeric matrix as R's `print` does (`format_real`
/// per column at `digits`); `nan_as` replaces the text of NaN cells in column k
/// when `Some` (R prints `NaN` where it computed 0 * Inf, `NA` for missing).
fn matrix_columns(columns: &[(&[f64], Option<&str>)], digits: usize) -> Vec<Vec<String>> {
    let formatted: Vec<Vec<String>> = columns
        .iter()
        .map(|(v, nan_as)| {
            let mut f = format_real(v, digits);
            if let Some(t) = nan_as {
                for (cell, x) in f.iter_mut().zip(v.iter()) {
                    if x.is_nan() {
                        *cell = (*t).to_owned();
                    }
                }
            }
            f
        })
        .collect();
    let nrow = columns.first().map_or(0, |c| c.0.len());
    (0..nrow)
        .map(|i| formatted.iter().map(|c| c[i].clone()).collect())
        .collect()
}

/// `print(survfit)` (+ `summary(fit, times =)` with --times, + `print(survdiff)`),
/// numbers formatted as R prints them (`digits = 3`, column by column).
pub fn survival(
    out: &mut dyn Write,
    s: &SurvivalOutput,
    logrank: Option<&LogRankTest>,
) -> io::Result<()> {
    writeln!(
        out,
        "Kaplan-Meier estimate, conf.type = \"{}\", conf.int = {}",
        s.conf_type.as_str(),
        level_label(s.conf_level)
    )?;
    if s.n_dropped > 0 {
        writeln!(
            out,
            "   {} observations deleted due to missingness",
            s.n_dropped
        )?;
    }
    writeln!(out)?;
    let lvl = level_label(s.conf_level);
    let header = vec![
        String::new(),
        "n".into(),
        "events".into(),
        "median".into(),
        format!("{lvl}LCL"),
        format!("{lvl}UCL"),
    ];
    let na = |x: Option<f64>| x.unwrap_or(f64::NAN);
    let n: Vec<f64> = s.strata.iter().map(|st| st.n as f64).collect();
    let events: Vec<f64> = s.strata.iter().map(|st| st.events as f64).collect();
    let median: Vec<f64> = s.strata.iter().map(|st| na(st.median.estimate)).collect();
    let lcl: Vec<f64> = s.strata.iter().map(|st| na(st.median.lower)).collect();
    let ucl: Vec<f64> = s.strata.iter().map(|st| na(st.median.upper)).collect();
    let cells = matrix_columns(
        &[
            (&n, None),
            (&events, None),
            (&median, None),
            (&lcl, None),
            (&ucl, None),
        ],
        3,
    );
    let rows: Vec<Vec<String>> = s
        .strata
        .iter()
        .zip(cells)
        .map(|(st, cells)| {
            let name = if s.strata.len() == 1 && st.stratum == "all" {
                "[1,]".to_owned()
            } else {
                st.stratum.clone()
            };
            std::iter::once(name).chain(cells).collect()
        })
        .collect();
    grid(out, &header, &rows)?;
    // print.summary.survfit: paste("lower ", conf.int * 100, "% CI")
    let pct = format!(
        "{}%",
        crate::survival::format_r_number(s.conf_level * 100.0)
    );
    for st in &s.strata {
        let Some(at) = &st.at else { continue };
        writeln!(out)?;
        if st.stratum != "all" {
            writeln!(out, "                {}", st.stratum)?;
        }
        // R's summary matrix has empty row names: a leading empty column
        let header = strings(&["", "time", "n.risk", "n.event", "survival", "std.err"])
            .into_iter()
            .chain([format!("lower {pct} CI"), format!("upper {pct} CI")])
            .collect::<Vec<_>>();
        let cells = matrix_columns(
            &[
                (&at.time, None),
                (&at.n_risk, None),
                (&at.n_event, None),
                (&at.surv, None),
                (&at.std_err, Some("NaN")),
                (&at.lower, None),
                (&at.upper, None),
            ],
            3,
        );
        let rows: Vec<Vec<String>> = cells
            .into_iter()
            .map(|c| std::iter::once(String::new()).chain(c).collect())
            .collect();
        grid(out, &header, &rows)?;
    }
    if let Some(t) = logrank {
        writeln!(out)?;
        writeln!(out, "Log-rank test (survdiff, rho = 0)")?;
        let header = strings(&["", "N", "Observed", "Expected", "(O-E)^2/E", "(O-E)^2/V"]);
        let n: Vec<f64> = t.n.iter().map(|&v| v as f64).collect();
        let oe = |g: usize| t.observed[g] - t.expected[g];
        let chi_e: Vec<f64> = (0..t.groups.len())
            .map(|g| oe(g) * oe(g) / t.expected[g])
            .collect();
        let chi_v: Vec<f64> = (0..t.groups.len())
            .map(|g| oe(g) * oe(g) / t.var[g][g])
            .collect();
        let cells = matrix_columns(
            &[
                (&n, None),
                (&t.observed, None),
                (&t.expected, None),
                (&chi_e, Some("NaN")),
                (&chi_v, Some("NaN")),
            ],
            3,
        );
        let rows: Vec<Vec<String>> = t
            .groups
            .iter()
            .zip(cells)
            .map(|(g, c)| std::iter::once(g.clone()).chain(c).collect())
            .collect();
        grid(out, &header, &rows)?;
        writeln!(out)?;
        // print.survdiff: format(round(chisq, 1)) and format.pval(p) at digits 3 - 2
        writeln!(
            out,
            " Chisq= {}  on {} degrees of freedom, p= {}",
            format_real(&[round_to(t.chisq, 1)], 3)[0],
            s.logrank.as_ref().map_or(t.df as i64, |l| l.df),
            format_pval(&[t.p], 1)[0]
        )?;
    }
    Ok(())
}

/// `summary(coxph)`: `printCoefmat` (digits 4, significance stars), the
/// hazard-ratio limits, concordance and the three tests, formatted as R does.
pub fn cox(out: &mut dyn Write, c: &CoxOutput) -> io::Result<()> {
    let f = &c.fit;
    writeln!(
        out,
        "Cox proportional hazards model, ties = \"{}\"",
        match f.ties {
            crate::survival::Ties::Efron => "efron",
            crate::survival::Ties::Breslow => "breslow",
        }
    )?;
    writeln!(out, "  n= {}, number of events= {}", f.n, f.events)?;
    if c.n_dropped > 0 {
        writeln!(
            out,
            "   ({} observations deleted due to missingness)",
            c.n_dropped
        )?;
    }
    writeln!(out)?;
    let digits = 4usize;
    let terms = &f.coefficients;
    let k = terms.len();
    // printCoefmat: coef, exp(coef), se(coef) rounded together, then formatted together
    let coef_se: Vec<f64> = (0..3)
        .flat_map(|col| {
            terms.iter().map(move |t| match col {
                0 => t.coef,
                1 => t.hr,
                _ => t.se,
            })
        })
        .collect();
    let nonzero: Vec<f64> = coef_se
        .iter()
        .map(|x| x.abs())
        .filter(|x| x.is_finite() && *x != 0.0)
        .collect();
    let cs = if nonzero.is_empty() {
        format_real(&coef_se, digits)
    } else {
        let min = nonzero.iter().copied().fold(f64::INFINITY, f64::min);
        let digmin = 1 + min.log10().floor() as i32;
        let decimals = (digits as i32 - digmin).max(1);
        let rounded: Vec<f64> = coef_se.iter().map(|&x| round_to(x, decimals)).collect();
        format_real(&rounded, digits)
    };
    // format() of the three columns together pads them to one common width
    let width = cs.iter().map(|c| c.chars().count()).max().unwrap_or(0);
    let cs: Vec<String> = cs.iter().map(|c| format!("{c:>width$}")).collect();
    let dig_tst = (digits - 1).clamp(1, 5);
    let z: Vec<f64> = terms
        .iter()
        .map(|t| round_to(t.z, dig_tst as i32))
        .collect();
    let z = format_real(&z, digits);
    let p: Vec<f64> = terms.iter().map(|t| t.p).collect();
    let pf = format_pval(&p, dig_tst);
    let stars: Vec<&str> = p
        .iter()
        .map(|&p| match p {
            p if p.is_nan() => "",
            p if p <= 0.001 => "***",
            p if p <= 0.01 => "**",
            p if p <= 0.05 => "*",
            p if p <= 0.1 => ".",
            _ => " ",
        })
        .collect();
    let header = strings(&["", "coef", "exp(coef)", "se(coef)", "z", "Pr(>|z|)", ""]);
    let rows: Vec<Vec<String>> = (0..k)
        .map(|j| {
            vec![
                terms[j].term.clone(),
                cs[j].clone(),
                cs[k + j].clone(),
                cs[2 * k + j].clone(),
                z[j].clone(),
                pf[j].clone(),
                format!("{:<3}", stars[j]),
            ]
        })
        .collect();
    grid(out, &header, &rows)?;
    writeln!(out, "---")?;
    writeln!(
        out,
        "Signif. codes:  0 \u{2018}***\u{2019} 0.001 \u{2018}**\u{2019} 0.01 \u{2018}*\u{2019} 0.05 \u{2018}.\u{2019} 0.1 \u{2018} \u{2019} 1"
    )?;
    writeln!(out)?;
    // summary.coxph: paste("lower .", round(100 * conf.int, 2))
    let lvl = crate::survival::format_r_number(round_to(100.0 * f.conf_level, 2));
    let header = vec![
        String::new(),
        "exp(coef)".into(),
        "exp(-coef)".into(),
        format!("lower .{lvl}"),
        format!("upper .{lvl}"),
    ];
    let hr: Vec<f64> = terms.iter().map(|t| t.hr).collect();
    let inv: Vec<f64> = terms.iter().map(|t| 1.0 / t.hr).collect();
    let lo: Vec<f64> = terms.iter().map(|t| t.hr_lower).collect();
    let hi: Vec<f64> = terms.iter().map(|t| t.hr_upper).collect();
    let cells = matrix_columns(
        &[(&hr, None), (&inv, None), (&lo, None), (&hi, None)],
        digits,
    );
    let rows: Vec<Vec<String>> = terms
        .iter()
        .zip(cells)
        .map(|(t, c)| std::iter::once(t.term.clone()).chain(c).collect())
        .collect();
    grid(out, &header, &rows)?;
    writeln!(out)?;
    writeln!(
        out,
        "Concordance= {}  (se = {} )",
        format_real(&[round_to(f.concordance.c, 3)], digits)[0],
        format_real(&[round_to(f.concordance.se, 3)], digits)[0]
    )?;
    for (name, t) in [
        ("Likelihood ratio test", &f.lr_test),
        ("Wald test            ", &f.wald_test),
        ("Score (logrank) test ", &f.score_test),
    ] {
        writeln!(
            out,
            "{name}= {}  on {} df,   p={}",
            format_real(&[round_to(t.stat, 2)], digits)[0],
            t.df,
            format_pval(&[t.p], 1)[0]
        )?;
    }
    for w in &f.warnings {
        writeln!(out, "Warning: {w}")?;
    }
    Ok(())
}

/// cmprsk-style `print(cuminc)`: Gray's tests, then estimates and standard errors.
pub fn cuminc(out: &mut dyn Write, c: &CumincOutput) -> io::Result<()> {
    if c.n_dropped > 0 {
        writeln!(out, "{} cases omitted due to missing values", c.n_dropped)?;
    }
    if let Some(gray) = &c.gray {
        writeln!(out, "Tests:")?;
        let header = strings(&["", "stat", "pv", "df"]);
        // print(x$Tests): a numeric matrix, each column at R's default 7 digits
        let stat: Vec<f64> = gray.iter().map(|g| g.stat).collect();
        let p: Vec<f64> = gray.iter().map(|g| g.p).collect();
        let df: Vec<f64> = gray.iter().map(|g| g.df as f64).collect();
        let cells = matrix_columns(&[(&stat, None), (&p, None), (&df, None)], 7);
        let rows: Vec<Vec<String>> = gray
            .iter()
            .zip(cells)
            .map(|(g, c)| std::iter::once(g.cause.clone()).chain(c).collect())
            .collect();
        grid(out, &header, &rows)?;
        writeln!(out)?;
    }
    writeln!(out, "Estimates and standard errors (Aalen-Johansen):")?;
    for s in &c.strata {
        let (times, rows): (Vec<f64>, Vec<Vec<String>>) = match &s.at {
            Some(at) => (
                at.time.clone(),
                at.causes
                    .iter()
                    .flat_map(|k| {
                        [
                            std::iter::once(format!("{} {} est", s.stratum, k.cause))
                                .chain(k.cif.iter().map(|v| sig(*v, 4)))
                                .collect(),
                            std::iter::once(format!("{} {} se", s.stratum, k.cause))
                                .chain(k.std_err.iter().map(|v| sig(*v, 4)))
                                .collect(),
                        ]
                    })
                    .collect(),
            ),
            None => {
                // last value of each curve
                let last = s.table.time.len().saturating_sub(1);
                (
                    vec![s.table.time.get(last).copied().unwrap_or(f64::NAN)],
                    s_rows_last(s, last),
                )
            }
        };
        let header = std::iter::once(String::new())
            .chain(times.iter().map(|t| sig(*t, 6)))
            .collect::<Vec<_>>();
        grid(out, &header, &rows)?;
    }
    Ok(())
}

fn s_rows_last(s: &crate::commands::CumincStratumOutput, last: usize) -> Vec<Vec<String>> {
    s.table
        .causes
        .iter()
        .flat_map(|k| {
            [
                vec![
                    format!("{} {} est", s.stratum, k.cause),
                    sig(k.cif.get(last).copied().unwrap_or(f64::NAN), 4),
                ],
                vec![
                    format!("{} {} se", s.stratum, k.cause),
                    sig(k.std_err.get(last).copied().unwrap_or(f64::NAN), 4),
                ],
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn significant_digits_like_r() {
        assert_eq!(sig(31.0, 4), "31");
        assert_eq!(sig(0.90909, 3), "0.909");
        assert_eq!(sig(7.306694e-12, 4), "7.307e-12");
        assert_eq!(sig(f64::NAN, 3), "NA");
        assert_eq!(pval(1e-20), "<2e-16");
    }

    #[test]
    fn columns_format_as_r() {
        // summary(fit, times =) std.err column of aml by x (Maintained)
        assert_eq!(
            format_real(&[0.0, 0.08667, 0.15258, 0.15352], 3),
            ["0.0000", "0.0867", "0.1526", "0.1535"]
        );
        assert_eq!(format_real(&[10.6875, 7.3125], 3), ["10.69", "7.31"]);
        assert_eq!(
            format_real(&[1.0, 0.909, 0.614], 3),
            ["1.000", "0.909", "0.614"]
        );
        assert_eq!(format_real(&[31.0, 23.0, f64::NAN], 3), ["31", "23", "NA"]);
        assert_eq!(
            format_real(&[0.5678316, 9.187082e-16], 7),
            ["5.678316e-01", "9.187082e-16"]
        );
        assert_eq!(
            format_real(&[1.131861, 69.24713], 7),
            ["1.131861", "69.247130"]
        );
        assert_eq!(format_pval(&[0.0653], 1), ["0.07"]);
        assert_eq!(format_pval(&[7.3e-12], 1), ["7e-12"]);
        assert_eq!(format_pval(&[1e-20], 1), ["<2e-16"]);
        assert_eq!(
            format_pval(&[0.1929, 1.41e-9, 0.01099, 9.18e-5], 3),
            ["0.193", "1.41e-09", "0.011", "9.18e-05"]
        );
    }
}
