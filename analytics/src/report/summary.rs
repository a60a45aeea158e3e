//! `summary.json`: every headline number of the report, in plain serde structs. Its JSON
//! Schema is `analytics/schemas/summary.schema.json` (a test checks the required keys).
//!
//! Times are in days, as `AVAL` in `adtte.csv`, so a statistician re-running R's `survfit` on
//! that file gets these numbers; `months` fields divide by [`MONTH_DAYS`]. Undefined numbers
//! (a median never reached, a log-rank test with one group) are `null`. Nothing here depends
//! on the clock or the machine: same data, same bytes.

use serde::Serialize;

use crate::survival::ExactInterval;

/// Days per month used for landmarks and month figures (365.25 / 12).
pub const MONTH_DAYS: f64 = 30.4375;

/// Landmark months for survival rates.
pub const LANDMARK_MONTHS: [u32; 3] = [6, 12, 24];

/// Version of this document's shape.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub schema_version: u32,
    pub program: Program,
    pub cutoff: String,
    pub data_sha256: String,
    pub options: super::endpoints::EndpointOptions,
    /// The sections computed (`--only`); the others are empty.
    pub sections: Vec<&'static str>,
    pub conf_level: f64,
    pub conf_type: &'static str,
    pub month_days: f64,
    pub cohort: Cohort,
    pub follow_up: FollowUpSummary,
    pub time_to_event: Vec<TteAnalysis>,
    pub competing_risks: Vec<CompetingAnalysis>,
    pub response: Vec<ResponseAnalysis>,
    pub toxicity: Vec<ToxicitySummary>,
    pub infections: Infections,
    pub immune_recovery: ImmuneRecovery,
    pub new_malignancies: Malignancies,
    pub deaths: Deaths,
    pub data_quality: DataQuality,
}

#[derive(Debug, Clone, Serialize)]
pub struct Program {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Count {
    /// The stored code (or value), as in the CSVs.
    pub level: String,
    /// What a reader sees ([`super::labels`]).
    pub label: String,
    pub n: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Cohort {
    /// Patients in the registry.
    pub registered: u64,
    /// Infused on or before the cut-off.
    pub infused: u64,
    /// In the time-to-event analyses (infused minus data problems that make times impossible).
    pub analysed: u64,
    pub by_disease: Vec<Count>,
    pub by_product: Vec<Count>,
    pub by_antigen: Vec<Count>,
    pub by_site: Vec<Count>,
    pub by_infusion_year: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FollowUpSummary {
    /// Reverse Kaplan-Meier on OS (`PARAMCD = "OS"`), days.
    pub median_days: Option<f64>,
    pub lower_days: Option<f64>,
    pub upper_days: Option<f64>,
    pub median_months: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Landmark {
    pub months: u32,
    pub days: f64,
    pub n_risk: f64,
    pub surv: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TteStratum {
    /// `all`, or R's label `DISEASE=LBCL`.
    pub stratum: String,
    /// What a reader sees: "All patients", "LBCL".
    pub label: String,
    pub n: usize,
    pub events: usize,
    pub median_days: Option<f64>,
    pub median_lower_days: Option<f64>,
    pub median_upper_days: Option<f64>,
    pub landmarks: Vec<Landmark>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TteAnalysis {
    pub paramcd: String,
    /// `overall`, or the ADTTE column stratified by (`DISEASE`, `PRODUCT`, `ANTIGEN`).
    pub by: String,
    pub strata: Vec<TteStratum>,
    pub log_rank_chisq: Option<f64>,
    pub log_rank_df: Option<usize>,
    pub log_rank_p: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CifPoint {
    pub months: u32,
    pub days: f64,
    pub cif: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompetingStratum {
    pub stratum: String,
    pub label: String,
    pub n: usize,
    pub relapse_events: u64,
    pub nrm_events: u64,
    pub relapse: Vec<CifPoint>,
    pub nrm: Vec<CifPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CompetingAnalysis {
    pub by: String,
    pub strata: Vec<CompetingStratum>,
    pub gray_p_relapse: Option<f64>,
    pub gray_p_nrm: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateRow {
    pub level: String,
    pub label: String,
    pub n: u64,
    pub orr: ExactInterval,
    pub cr: ExactInterval,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResponseAnalysis {
    /// `overall`, `DISEASE` or `PRODUCT`.
    pub by: String,
    pub rows: Vec<RateRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToxicityRow {
    /// Product code, or `all`.
    pub product: String,
    pub label: String,
    pub n: u64,
    pub any_grade: ExactInterval,
    pub grade3plus: ExactInterval,
}

#[derive(Debug, Clone, Serialize)]
pub struct MedianRange {
    pub n: u64,
    pub median: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToxicitySummary {
    /// `CRS` or `ICANS`.
    pub toxicity: String,
    pub overall: ToxicityRow,
    pub by_product: Vec<ToxicityRow>,
    /// Days from Day 0 to the first onset.
    pub onset_day: MedianRange,
    /// Resolution - onset + 1, resolved events.
    pub duration_days: MedianRange,
}

#[derive(Debug, Clone, Serialize)]
pub struct DensityRow {
    pub period: String,
    pub patients_at_risk: u64,
    pub patient_days: u64,
    pub infections: u64,
    pub per_100_patient_days: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassDensityRow {
    pub period: String,
    pub organism_class: String,
    pub organism_class_label: String,
    pub infections: u64,
    pub per_100_patient_days: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Infections {
    pub by_period: Vec<DensityRow>,
    pub by_period_and_class: Vec<ClassDensityRow>,
}

/// `x` of `n` patients at a timepoint, with the exact (Clopper-Pearson) interval of the share
/// at the report's confidence level; no share and no interval when `n` is 0.
#[derive(Debug, Clone, Serialize)]
pub struct TimepointShare {
    pub timepoint: String,
    pub day: i32,
    pub n: u64,
    pub x: u64,
    pub share: Option<f64>,
    pub lower: Option<f64>,
    pub upper: Option<f64>,
}

/// The median of a measurement at a timepoint (closest sample in the window).
#[derive(Debug, Clone, Serialize)]
pub struct TimepointMedian {
    pub timepoint: String,
    pub day: i32,
    pub n: u64,
    pub median: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ImmuneRecovery {
    /// IgG < 400 mg/dL among patients with a native IgG (not within 30 days after IVIG) in the
    /// timepoint's window.
    pub igg_below_400: Vec<TimepointShare>,
    /// On immunoglobulin replacement at the timepoint, among patients followed to it.
    pub ig_replacement: Vec<TimepointShare>,
    /// CAR-T detectable among patients tested in the window.
    pub persistence_detectable: Vec<TimepointShare>,
    /// Median native IgG (mg/dL) at each timepoint, same samples as `igg_below_400`.
    pub igg_median_mg_dl: Vec<TimepointMedian>,
    /// Median CAR transgene (copies/µg genomic DNA) at each timepoint, among patients with a
    /// PCR test in the window (closest test) quantified in that unit or not quantifiable: a test
    /// that did not detect the transgene, or detected it below the LLOQ, ranks lowest (as 0).
    pub transgene_median_copies_per_ug: Vec<TimepointMedian>,
    /// CD19+ B cells per µL at or above which B cells count as recovered.
    pub b_cell_recovery_threshold_per_ul: f64,
    /// B-cell aplasia duration (ADTTE `BCAPL`): Kaplan-Meier overall and by product.
    pub b_cell_aplasia: Vec<TteAnalysis>,
    /// Time to loss of CAR-T persistence (ADTTE `PERSLOSS`): overall and by product.
    pub persistence_loss: Vec<TteAnalysis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Malignancies {
    pub patients_any: u64,
    pub patients_t_cell: u64,
    pub by_type: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deaths {
    pub total: u64,
    pub by_cause: Vec<Count>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub kind: String,
    pub description: String,
    pub count: u64,
    /// Up to 50 registry ids, sorted.
    pub patients: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DataQuality {
    pub findings: Vec<Finding>,
    pub dropped_after_cutoff: Vec<Count>,
    pub unparsed_codes: u64,
}

/// The JSON Schema of [`Summary`] (the file in `analytics/schemas/`).
pub const SCHEMA: &str = include_str!("../../schemas/summary.schema.json");
