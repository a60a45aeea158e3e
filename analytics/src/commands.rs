//! The subcommands: read the CSV, build validated engine inputs, call the engine,
//! and write JSON or R-style text. Output shapes (the JSON contract) live here.

use crate::cli::Format;
use crate::config::{Config, CoxConfig, CumincConfig, SurvivalConfig, TermSpec};
use crate::error::CliError;
use crate::input::{self, Categories, Columns, InputError, Kind};
use crate::survival::{
    self, CompetingRisksData, ConfType, CoxCovariates, CoxData, CoxFit, GrayTest, Groups, KmCurve,
    LogRankTest, Median, SurvivalData,
};
use crate::table;
use serde::Serialize;
use std::io::Write;

/// Runs one validated configuration, writing the result to `out`.
pub fn run(config: &Config, out: &mut dyn Write) -> Result<(), CliError> {
    match config {
        Config::Survival(c) => survival_command(c, out),
        Config::Cox(c) => cox_command(c, out),
        Config::Cuminc(c) => cuminc_command(c, out),
        Config::BenchData(c) => crate::bench_data::write(c),
    }
}

fn write_json<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<(), CliError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| CliError::Unexpected(e.into()))?;
    writeln!(out).map_err(|e| CliError::Unexpected(e.into()))?;
    Ok(())
}

/// Groups from an interned column in R's factor order; at least `min_levels` levels.
fn groups_from(column: &str, cats: &Categories) -> Result<Groups, CliError> {
    let (levels, remap) = input::factor_levels(cats);
    let codes = cats.codes.iter().map(|&c| remap[c as usize]).collect();
    Ok(Groups::from_codes(column, levels, codes)?)
}

fn categories(cols: &Columns, i: usize) -> Result<&Categories, CliError> {
    cols.categories(i)
        .ok_or_else(|| CliError::Unexpected(anyhow::anyhow!("column {i} is not categorical")))
}

fn one_group_error(column: &str, groups: &Groups, test: &str) -> CliError {
    CliError::Input(InputError::BadColumn {
        column: column.to_owned(),
        reason: format!(
            "only one group ({:?}) in the rows used; {test} needs at least two",
            groups.levels().first().cloned().unwrap_or_default()
        ),
    })
}

// ---------------------------------------------------------------- survival

/// JSON of `analytics survival`.
#[derive(Debug, Serialize)]
pub struct SurvivalOutput {
    pub conf_type: ConfType,
    pub conf_level: f64,
    pub n_dropped: usize,
    pub strata: Vec<StratumOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logrank: Option<LogRankOutput>,
}

#[derive(Debug, Serialize)]
pub struct StratumOutput {
    pub stratum: String,
    pub n: usize,
    pub events: usize,
    pub median: Median,
    pub table: KmTable,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<AtOutput>,
}

#[derive(Debug, Serialize)]
pub struct KmTable {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    pub surv: Vec<f64>,
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

#[derive(Debug, Serialize)]
pub struct AtOutput {
    pub time: Vec<f64>,
    pub surv: Vec<f64>,
    /// Standard error of S(t) (R's summary `std.err`).
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
}

#[derive(Debug, Serialize)]
pub struct LogRankOutput {
    pub groups: Vec<String>,
    pub n: Vec<usize>,
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    pub chisq: f64,
    /// R's `print(survdiff)` degrees of freedom: groups with an expected event
    /// minus 1 (-1 when there are no events at all).
    pub df: i64,
    pub p: f64,
}

impl From<&LogRankTest> for LogRankOutput {
    fn from(t: &LogRankTest) -> Self {
        Self {
            groups: t.groups.clone(),
            n: t.n.clone(),
            observed: t.observed.clone(),
            expected: t.expected.clone(),
            chisq: t.chisq,
            df: t.expected.iter().filter(|&&e| e > 0.0).count() as i64 - 1,
            p: t.p,
        }
    }
}

/// Reads and validates the data of `analytics survival` (also used by tests).
pub fn load_survival(c: &SurvivalConfig) -> Result<(SurvivalData, usize), CliError> {
    let mut requested = vec![
        (c.source.time.as_str(), Kind::Time),
        (c.source.event.as_str(), Kind::Categorical),
    ];
    if let Some(g) = &c.group {
        requested.push((g.as_str(), Kind::Categorical));
    }
    let cols = input::read_columns(&c.source.csv, &requested)?;
    let time = cols.numbers(0).to_vec();
    let event = input::decode_events(&c.source.event, categories(&cols, 1)?, &c.event_coding)?;
    let mut data = SurvivalData::new(time, event)?;
    if let Some(g) = &c.group {
        let groups = groups_from(g, categories(&cols, 2)?)?;
        if groups.levels().len() < 2 {
            return Err(one_group_error(g, &groups, "a log-rank test"));
        }
        data = data.with_groups(groups)?;
    }
    Ok((data, cols.n_dropped))
}

fn survival_command(c: &SurvivalConfig, out: &mut dyn Write) -> Result<(), CliError> {
    let (data, n_dropped) = load_survival(c)?;
    let fit = survival::kaplan_meier(&data, c.conf_type, c.conf_level)?;
    let logrank = match data.groups() {
        Some(_) => Some(survival::log_rank(&data, 0.0)?),
        None => None,
    };
    let mut strata = Vec::with_capacity(fit.strata.len());
    for curve in &fit.strata {
        strata.push(stratum_output(curve, &c.times)?);
    }
    let output = SurvivalOutput {
        conf_type: c.conf_type,
        conf_level: c.conf_level,
        n_dropped,
        strata,
        logrank: logrank.as_ref().map(LogRankOutput::from),
    };
    match c.source.format {
        Format::Json => write_json(out, &output),
        Format::Table => table::survival(out, &output, logrank.as_ref())
            .map_err(|e| CliError::Unexpected(e.into())),
    }
}

fn stratum_output(curve: &KmCurve, times: &[f64]) -> Result<StratumOutput, CliError> {
    let at = if times.is_empty() {
        None
    } else {
        let l = curve.at(times)?;
        Some(AtOutput {
            time: l.time,
            surv: l.surv,
            std_err: l.std_err,
            lower: l.lower,
            upper: l.upper,
            n_risk: l.n_risk,
            n_event: l.n_event,
            n_censor: l.n_censor,
        })
    };
    Ok(StratumOutput {
        stratum: curve.stratum.clone(),
        n: curve.n,
        events: curve.events,
        median: curve.median(),
        table: KmTable {
            time: curve.time.clone(),
            n_risk: curve.n_risk.clone(),
            n_event: curve.n_event.clone(),
            n_censor: curve.n_censor.clone(),
            surv: curve.surv.clone(),
            std_err: curve.std_err.clone(),
            lower: curve.lower.clone(),
            upper: curve.upper.clone(),
        },
        at,
    })
}

// ---------------------------------------------------------------- cox

/// JSON of `analytics cox`.
#[derive(Debug, Serialize)]
pub struct CoxOutput {
    pub n_dropped: usize,
    #[serde(flatten)]
    pub fit: CoxFit,
}

/// Reads and validates the data of `analytics cox`.
pub fn load_cox(c: &CoxConfig) -> Result<(CoxData, usize), CliError> {
    let mut requested = vec![
        (c.source.time.as_str(), Kind::Time),
        (c.source.event.as_str(), Kind::Categorical),
    ];
    for t in &c.terms {
        let kind = match t {
            TermSpec::Numeric(_) => Kind::Numeric,
            TermSpec::Factor { .. } => Kind::Categorical,
        };
        requested.push((t.column(), kind));
    }
    let cols = input::read_columns(&c.source.csv, &requested)?;
    let time = cols.numbers(0).to_vec();
    let event = input::decode_events(&c.source.event, categories(&cols, 1)?, &c.event_coding)?;
    let mut covariates = CoxCovariates::new();
    for (k, t) in c.terms.iter().enumerate() {
        covariates = match t {
            TermSpec::Numeric(name) => covariates.numeric(name, cols.numbers(k + 2).to_vec())?,
            TermSpec::Factor { column, reference } => {
                let groups = groups_from(column, categories(&cols, k + 2)?)?;
                if groups.levels().len() < 2 {
                    return Err(one_group_error(column, &groups, "a factor"));
                }
                covariates.factor(&groups, reference.as_deref())?
            }
        };
    }
    Ok((CoxData::new(time, event, covariates)?, cols.n_dropped))
}

fn cox_command(c: &CoxConfig, out: &mut dyn Write) -> Result<(), CliError> {
    let (data, n_dropped) = load_cox(c)?;
    let fit = survival::cox(&data, c.ties, c.conf_level)?;
    let output = CoxOutput { n_dropped, fit };
    match c.source.format {
        Format::Json => write_json(out, &output),
        Format::Table => table::cox(out, &output).map_err(|e| CliError::Unexpected(e.into())),
    }
}

// ---------------------------------------------------------------- cuminc

/// JSON of `analytics cuminc`.
#[derive(Debug, Serialize)]
pub struct CumincOutput {
    pub conf_type: ConfType,
    pub conf_level: f64,
    pub n_dropped: usize,
    pub censor_value: String,
    pub strata: Vec<CumincStratumOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gray: Option<Vec<GrayTest>>,
}

#[derive(Debug, Serialize)]
pub struct CumincStratumOutput {
    pub stratum: String,
    pub n: usize,
    pub table: CumincTable,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<survival::competing_risks::CumIncAt>,
}

#[derive(Debug, Serialize)]
pub struct CumincTable {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub causes: Vec<survival::CumIncCause>,
}

/// Reads and validates the data of `analytics cuminc`.
pub fn load_cuminc(c: &CumincConfig) -> Result<(CompetingRisksData, usize), CliError> {
    let mut requested = vec![
        (c.source.time.as_str(), Kind::Time),
        (c.source.event.as_str(), Kind::Categorical),
    ];
    if let Some(g) = &c.group {
        requested.push((g.as_str(), Kind::Categorical));
    }
    let cols = input::read_columns(&c.source.csv, &requested)?;
    let ev = categories(&cols, 1)?;
    // causes: every value but the censoring one, in R's factor order
    // the censoring value as R's `status == V` sees it (`0` matches `0.0`)
    let censor = input::matches_value(ev, &c.censor_value);
    let others: Vec<usize> = (0..ev.values.len()).filter(|&k| !censor[k]).collect();
    if others.is_empty() {
        return Err(CliError::Input(InputError::BadColumn {
            column: c.source.event.clone(),
            reason: format!(
                "no value other than the censoring value {:?}: no events",
                c.censor_value
            ),
        }));
    }
    let sub = Categories {
        values: others.iter().map(|&k| ev.values[k].clone()).collect(),
        first_line: others.iter().map(|&k| ev.first_line[k]).collect(),
        codes: Vec::new(),
        r_type: ev.r_type,
        r_max: ev.r_max,
    };
    let (cause_names, remap) = input::factor_levels(&sub);
    let mut cause_of_value = vec![0u32; ev.values.len()];
    for (j, &k) in others.iter().enumerate() {
        cause_of_value[k] = remap[j] + 1;
    }
    let cause = ev
        .codes
        .iter()
        .map(|&v| cause_of_value[v as usize])
        .collect();
    let mut data = CompetingRisksData::new(cols.numbers(0).to_vec(), cause, cause_names)?;
    if let Some(g) = &c.group {
        let groups = groups_from(g, categories(&cols, 2)?)?;
        if groups.levels().len() < 2 {
            return Err(one_group_error(g, &groups, "Gray's test"));
        }
        data = data.with_groups(groups)?;
    }
    Ok((data, cols.n_dropped))
}

fn cuminc_command(c: &CumincConfig, out: &mut dyn Write) -> Result<(), CliError> {
    let (data, n_dropped) = load_cuminc(c)?;
    let fit = survival::cumulative_incidence(&data, c.conf_type, c.conf_level)?;
    let gray = match data.groups() {
        Some(_) => Some(survival::gray_test(&data, 0.0)?),
        None => None,
    };
    let mut strata = Vec::with_capacity(fit.strata.len());
    for s in fit.strata {
        let at = if c.times.is_empty() {
            None
        } else {
            Some(s.at(&c.times)?)
        };
        strata.push(CumincStratumOutput {
            stratum: s.stratum,
            n: s.n,
            table: CumincTable {
                time: s.time,
                n_risk: s.n_risk,
                causes: s.causes,
            },
            at,
        });
    }
    let output = CumincOutput {
        conf_type: c.conf_type,
        conf_level: c.conf_level,
        n_dropped,
        censor_value: c.censor_value.clone(),
        strata,
        gray,
    };
    match c.source.format {
        Format::Json => write_json(out, &output),
        Format::Table => table::cuminc(out, &output).map_err(|e| CliError::Unexpected(e.into())),
    }
}
