//! The nightly report (feature `report`): registry SQLite -> Polars -> endpoint datasets ->
//! statistics engine -> `index.html`, `summary.json`, ADaM-shaped CSVs and charts.
//!
//! - [`cli`]: `analytics report` flags and exit codes (0 ok, 2 bad input, 1 ours).
//! - [`load`]: typed, read-only load of the registry tables, cut at the cut-off, hashed.
//! - [`endpoints`]: the per-patient analysis set and the endpoint expressions; [`immune`]: the
//!   B-cell recovery and persistence-loss dates they use.
//! - [`adam`]: `adtte.csv` and `adrs.csv`.
//! - [`analyses`]: the engine on those datasets, and the descriptive tables.
//! - [`summary`]: `summary.json` (schema in `analytics/schemas/summary.schema.json`).
//! - [`quality`]: data-quality findings; [`methods`]: the methods text; [`html`]: `index.html`;
//!   [`figures`]: engine results -> the charts engineer's chart inputs; [`labels`]: the human
//!   label of every code a table or chart shows.
//!
//! [`run`] writes everything into `DIR/.<cutoff>.partial`, then renames it to `DIR/<cutoff>`
//! and points `DIR/latest` at it, so a failed run never leaves a half-written report where the
//! last good one was. Nothing written depends on the clock, the machine or the thread count:
//! the same database and cut-off give byte-identical files.

pub mod adam;
pub mod analyses;
pub mod cli;
pub mod endpoints;
pub mod figures;
pub mod html;
pub mod immune;
pub mod labels;
pub mod load;
pub mod methods;
pub mod quality;
pub mod summary;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use endpoints::EndpointOptions;
use summary::Summary;

/// The report's sections, selectable with `--only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Cohort,
    Survival,
    Competing,
    Response,
    Toxicity,
    Infections,
    Immune,
    Malignancies,
    Deaths,
    Quality,
}

impl Section {
    pub const ALL: [Section; 10] = [
        Self::Cohort,
        Self::Survival,
        Self::Competing,
        Self::Response,
        Self::Toxicity,
        Self::Infections,
        Self::Immune,
        Self::Malignancies,
        Self::Deaths,
        Self::Quality,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Cohort => "cohort",
            Self::Survival => "survival",
            Self::Competing => "competing",
            Self::Response => "response",
            Self::Toxicity => "toxicity",
            Self::Infections => "infections",
            Self::Immune => "immune",
            Self::Malignancies => "malignancies",
            Self::Deaths => "deaths",
            Self::Quality => "quality",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// A validated report run.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    pub db: PathBuf,
    pub out: PathBuf,
    pub cutoff: NaiveDate,
    /// Sections to produce (all by default).
    pub sections: Vec<Section>,
    pub options: EndpointOptions,
    /// Show a progress bar (only honoured when stderr is a terminal).
    pub progress: bool,
    /// Render PNG and PDF next to each SVG (the tests switch this off for speed).
    pub raster: bool,
}

impl ReportConfig {
    fn wants(&self, s: Section) -> bool {
        self.sections.contains(&s)
    }
}

/// Why a report failed: [`ReportError::Input`] is the user's (exit 2), the rest ours (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl ReportError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) => 2,
            Self::Unexpected(_) => 1,
        }
    }
}

impl From<polars::prelude::PolarsError> for ReportError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        Self::Unexpected(e.into())
    }
}

impl From<std::io::Error> for ReportError {
    fn from(e: std::io::Error) -> Self {
        Self::Unexpected(e.into())
    }
}

/// What a run did: where it wrote, and how long each stage took (never written into the
/// report, which must not depend on the clock).
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub dir: PathBuf,
    pub rows_read: u64,
    pub stages: Vec<(&'static str, Duration)>,
    pub summary: Summary,
}

struct Progress {
    bar: Option<indicatif::ProgressBar>,
    stages: Vec<(&'static str, Duration)>,
    started: Instant,
}

impl Progress {
    fn new(show: bool, steps: u64) -> Self {
        use std::io::IsTerminal;
        let bar = (show && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(steps);
            if let Ok(style) =
                indicatif::ProgressStyle::with_template("report {bar:30} {pos}/{len} {msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            stages: Vec::new(),
            started: Instant::now(),
        }
    }
    fn stage(&mut self, name: &'static str) {
        let now = Instant::now();
        self.stages.push((name, now - self.started));
        self.started = now;
        if let Some(b) = &self.bar {
            b.set_message(name);
            b.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// The version stamped on every page and chart.
pub const PROGRAM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The stamp: cut-off, data hash, program version.
pub fn stamp(cutoff: NaiveDate, sha: &str) -> String {
    format!(
        "Data cut-off {cutoff} · data SHA-256 {} · analytics {PROGRAM_VERSION}",
        sha.get(..16).unwrap_or(sha)
    )
}

/// Runs the whole report.
pub fn run(config: &ReportConfig) -> Result<RunOutcome, ReportError> {
    let mut progress = Progress::new(config.progress, 7);
    std::fs::create_dir_all(&config.out).map_err(|e| {
        ReportError::Input(format!(
            "--out {}: cannot create: {e}",
            config.out.display()
        ))
    })?;
    let reg = load::load(&config.db, config.cutoff).map_err(|e| match e {
        load::LoadError::Input { .. } => ReportError::Input(e.to_string()),
        other => ReportError::Unexpected(other.into()),
    })?;
    progress.stage("load");

    let full = endpoints::analysis_set(&reg, &config.options)?;
    let set = endpoints::analysable(&full)?;
    let adtte = endpoints::adtte(&set, &config.options)?;
    let adrs = adam::adrs(&set)?;
    progress.stage("endpoints");

    let final_dir = config.out.join(config.cutoff.to_string());
    let work = config.out.join(format!(".{}.partial", config.cutoff));
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(work.join("tables"))?;
    std::fs::create_dir_all(work.join("charts"))?;
    adam::write_csv(&adtte, &work.join("tables/adtte.csv"))?;
    adam::write_csv(&adrs, &work.join("tables/adrs.csv"))?;
    progress.stage("tables");

    let summary = build_summary(config, &reg, &full, &set, &adtte, &adrs)?;
    progress.stage("analyses");

    let stamp_text = stamp(config.cutoff, &reg.sha256);
    let charts = figures::draw_all(config, &summary, &reg, &set, &adtte, &stamp_text)?;
    for chart in &charts {
        std::fs::write(
            work.join("charts").join(format!("{}.svg", chart.name)),
            &chart.svg,
        )?;
        if let Some(png) = &chart.png {
            std::fs::write(work.join("charts").join(format!("{}.png", chart.name)), png)?;
        }
        if let Some(pdf) = &chart.pdf {
            std::fs::write(work.join("charts").join(format!("{}.pdf", chart.name)), pdf)?;
        }
    }
    progress.stage("charts");

    let methods = methods::text(config, &summary);
    let page = html::page(config, &summary, &methods, &charts, &stamp_text);
    std::fs::write(work.join("index.html"), page)?;
    let json = serde_json::to_string_pretty(&summary).map_err(anyhow::Error::from)?;
    std::fs::write(work.join("summary.json"), format!("{json}\n"))?;
    progress.stage("html");

    if final_dir.exists() {
        std::fs::remove_dir_all(&final_dir)?;
    }
    std::fs::rename(&work, &final_dir)?;
    update_latest(&config.out, &config.cutoff.to_string())?;
    progress.stage("publish");
    progress.finish();
    Ok(RunOutcome {
        dir: final_dir,
        rows_read: reg.total_rows(),
        stages: progress.stages,
        summary,
    })
}

/// Points `DIR/latest` at `name` (a relative symlink, swapped in atomically by a rename).
fn update_latest(out: &Path, name: &str) -> std::io::Result<()> {
    let latest = out.join("latest");
    let temp = out.join(".latest.partial");
    let _ = std::fs::remove_file(&temp);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(name, &temp)?;
        std::fs::rename(&temp, &latest)
    }
    #[cfg(not(unix))]
    {
        std::fs::write(&temp, name)?;
        std::fs::rename(&temp, &latest)
    }
}

fn build_summary(
    config: &ReportConfig,
    reg: &load::Registry,
    full: &polars::prelude::DataFrame,
    set: &polars::prelude::DataFrame,
    adtte: &polars::prelude::DataFrame,
    adrs: &polars::prelude::DataFrame,
) -> Result<Summary, ReportError> {
    use summary::*;
    let cohort = Cohort {
        registered: reg.patients.height() as u64,
        infused: full.height() as u64,
        analysed: set.height() as u64,
        by_disease: analyses::counts(set, "disease")?,
        by_product: analyses::counts(set, "product")?,
        by_antigen: analyses::counts(set, "antigen")?,
        by_site: analyses::counts(set, "site")?,
        by_infusion_year: analyses::counts(set, "infusion_year")?,
    };
    let mut tte = Vec::new();
    if config.wants(Section::Survival) {
        for param in ["OS", "PFS", "EFS", "DOR"] {
            for by in [None, Some("DISEASE"), Some("PRODUCT"), Some("ANTIGEN")] {
                if let Some(a) = analyses::tte_analysis(adtte, param, by)? {
                    tte.push(a);
                }
            }
        }
    }
    let mut competing = Vec::new();
    if config.wants(Section::Competing) {
        for by in [None, Some("DISEASE"), Some("PRODUCT"), Some("ANTIGEN")] {
            if let Some(a) = analyses::competing(adtte, by)? {
                competing.push(a);
            }
        }
    }
    let mut response = Vec::new();
    if config.wants(Section::Response) && adrs.height() > 0 {
        for by in [None, Some("DISEASE"), Some("PRODUCT")] {
            response.push(analyses::response(adrs, by)?);
        }
    }
    let mut toxicity = Vec::new();
    if config.wants(Section::Toxicity) && set.height() > 0 {
        toxicity.push(analyses::toxicity(set, reg, "CRS")?);
        toxicity.push(analyses::toxicity(set, reg, "ICANS")?);
    }
    let infections = if config.wants(Section::Infections) {
        analyses::infections(set, reg)?
    } else {
        Infections {
            by_period: Vec::new(),
            by_period_and_class: Vec::new(),
        }
    };
    let immune_recovery = if config.wants(Section::Immune) {
        analyses::immune(set, reg, adtte)?
    } else {
        ImmuneRecovery {
            igg_below_400: Vec::new(),
            ig_replacement: Vec::new(),
            persistence_detectable: Vec::new(),
            igg_median_mg_dl: Vec::new(),
            transgene_median_copies_per_ug: Vec::new(),
            b_cell_recovery_threshold_per_ul: immune::B_CELL_RECOVERY_PER_UL,
            b_cell_aplasia: Vec::new(),
            persistence_loss: Vec::new(),
        }
    };
    let new_malignancies = if config.wants(Section::Malignancies) {
        analyses::malignancies(set, reg)?
    } else {
        Malignancies {
            patients_any: 0,
            patients_t_cell: 0,
            by_type: Vec::new(),
        }
    };
    let deaths = if config.wants(Section::Deaths) {
        analyses::deaths(set)?
    } else {
        Deaths {
            total: 0,
            by_cause: Vec::new(),
        }
    };
    Ok(Summary {
        schema_version: SCHEMA_VERSION,
        program: Program {
            name: "analytics",
            version: PROGRAM_VERSION,
        },
        cutoff: config.cutoff.to_string(),
        data_sha256: reg.sha256.clone(),
        options: config.options,
        sections: config.sections.iter().map(|s| s.name()).collect(),
        conf_level: analyses::CONF_LEVEL,
        conf_type: analyses::CONF_TYPE.as_str(),
        month_days: MONTH_DAYS,
        cohort,
        follow_up: analyses::follow_up(adtte)?,
        time_to_event: tte,
        competing_risks: competing,
        response,
        toxicity,
        infections,
        immune_recovery,
        new_malignancies,
        deaths,
        data_quality: quality::findings(full, reg)?,
    })
}
