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

fn opt(x: Option<f64>, digits: i32) -> String {
    x.map_or_else(|| "NA".into(), |v| sig(v, digits))
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
    sig(level, 3)
}

/// `print(survfit)` (+ `summary(fit, times =)` with --times, + `print(survdiff)`).
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
            "{} observations deleted due to missingness",
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
    let rows: Vec<Vec<String>> = s
        .strata
        .iter()
        .map(|st| {
            vec![
                if s.strata.len() == 1 && st.stratum == "all" {
                    "[1,]".into()
                } else {
                    st.stratum.clone()
                },
                st.n.to_string(),
                st.events.to_string(),
                opt(st.median.estimate, 4),
                opt(st.median.lower, 4),
                opt(st.median.upper, 4),
            ]
        })
        .collect();
    grid(out, &header, &rows)?;
    let pct = format!("{}%", sig(s.conf_level * 100.0, 3));
    for st in &s.strata {
        let Some(at) = &st.at else { continue };
        writeln!(out)?;
        if st.stratum != "all" {
            writeln!(out, "                {}", st.stratum)?;
        }
        let header = strings(&["time", "n.risk", "n.event", "survival", "std.err"])
            .into_iter()
            .chain([format!("lower {pct} CI"), format!("upper {pct} CI")])
            .collect::<Vec<_>>();
        let rows: Vec<Vec<String>> = (0..at.time.len())
            .map(|i| {
                vec![
                    sig(at.time[i], 6),
                    sig(at.n_risk[i], 6),
                    sig(at.n_event[i], 6),
                    sig(at.surv[i], 3),
                    sig(at.std_err[i], 3),
                    sig(at.lower[i], 3),
                    sig(at.upper[i], 3),
                ]
            })
            .collect();
        grid(out, &header, &rows)?;
    }
    if let Some(t) = logrank {
        writeln!(out)?;
        writeln!(out, "Log-rank test (survdiff, rho = 0)")?;
        let header = strings(&["", "N", "Observed", "Expected", "(O-E)^2/E", "(O-E)^2/V"]);
        let rows: Vec<Vec<String>> = (0..t.groups.len())
            .map(|g| {
                let oe = t.observed[g] - t.expected[g];
                vec![
                    t.groups[g].clone(),
                    t.n[g].to_string(),
                    sig(t.observed[g], 4),
                    sig(t.expected[g], 4),
                    sig(oe * oe / t.expected[g], 3),
                    sig(oe * oe / t.var[g][g], 3),
                ]
            })
            .collect();
        grid(out, &header, &rows)?;
        writeln!(out)?;
        writeln!(
            out,
            " Chisq= {}  on {} degrees of freedom, p= {}",
            sig(t.chisq, 3),
            t.df,
            pval(t.p)
        )?;
    }
    Ok(())
}

/// `summary(coxph)`.
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
    let header = strings(&["", "coef", "exp(coef)", "se(coef)", "z", "Pr(>|z|)"]);
    let rows: Vec<Vec<String>> = f
        .coefficients
        .iter()
        .map(|t| {
            vec![
                t.term.clone(),
                sig(t.coef, 4),
                sig(t.hr, 4),
                sig(t.se, 4),
                sig(t.z, 3),
                pval(t.p),
            ]
        })
        .collect();
    grid(out, &header, &rows)?;
    writeln!(out)?;
    let lvl = sig(f.conf_level, 2).trim_start_matches('0').to_owned();
    let header = vec![
        String::new(),
        "exp(coef)".into(),
        "exp(-coef)".into(),
        format!("lower {lvl}"),
        format!("upper {lvl}"),
    ];
    let rows: Vec<Vec<String>> = f
        .coefficients
        .iter()
        .map(|t| {
            vec![
                t.term.clone(),
                sig(t.hr, 4),
                sig(1.0 / t.hr, 4),
                sig(t.hr_lower, 4),
                sig(t.hr_upper, 4),
            ]
        })
        .collect();
    grid(out, &header, &rows)?;
    writeln!(out)?;
    writeln!(
        out,
        "Concordance= {}  (se = {} )",
        sig(f.concordance.c, 3),
        sig(f.concordance.se, 3)
    )?;
    for (name, t) in [
        ("Likelihood ratio test", &f.lr_test),
        ("Wald test           ", &f.wald_test),
        ("Score (logrank) test", &f.score_test),
    ] {
        writeln!(
            out,
            "{name}= {}  on {} df,   p={}",
            sig(t.stat, 4),
            t.df,
            pval(t.p)
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
        let rows: Vec<Vec<String>> = gray
            .iter()
            .map(|g| {
                vec![
                    g.cause.clone(),
                    sig(g.stat, 7),
                    sig(g.p, 7),
                    g.df.to_string(),
                ]
            })
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
}
