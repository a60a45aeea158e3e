//! The plain data of a patient's history as the simulation draws it: the patient, diagnosis,
//! CAR-T course, follow-ups and every event reported at them. No drawing here.

use chrono::NaiveDate;

use super::Cohort;
use crate::domain::{icaht::EarlyIcahtCounts, schedule::Timepoint};
use crate::seed::parameters::{self as p, Disease, Indication, Product};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowUpStatus {
    Active,
    Lost,
    Withdrawn,
    Transferred,
    Dead,
}

/// A date and whether it was estimated (domain.md §3 convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated {
    pub date: NaiveDate,
    pub estimated: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PatientHistory {
    pub number: u64,
    pub registry_id: String,
    /// Index into [`p::SITES`].
    pub site: usize,
    pub sex: Sex,
    pub birth_date: Dated,
    pub consent_date: NaiveDate,
    pub data_sharing_consent: bool,
    pub status: FollowUpStatus,
    /// The centre that took over (transferred) and tracing attempts (lost).
    pub transfer_centre: Option<&'static str>,
    pub tracing_attempts: Option<u8>,
    /// Date the status took effect (lost, withdrawn, transferred, dead).
    pub status_date: Option<NaiveDate>,
    pub diagnosis: Diagnosis,
    pub course: Course,
    pub follow_ups: Vec<FollowUp>,
    pub responses: Vec<ResponseAssessment>,
    pub relapse: Option<Relapse>,
    pub toxicities: Vec<ToxicityEvent>,
    pub persistence: Vec<PersistenceTest>,
    pub labs: Vec<LabResult>,
    pub immunoglobulin: Vec<ImmunoglobulinCourse>,
    pub infections: Vec<Infection>,
    pub malignancies: Vec<NewMalignancy>,
    pub therapies: Vec<SubsequentTherapy>,
    pub death: Option<Death>,
}

impl PatientHistory {
    pub fn indication<'a>(&self, cohort: &'a Cohort) -> Option<&'a Indication> {
        cohort.indications.get(self.course.indication)
    }

    pub fn day0(&self) -> Option<NaiveDate> {
        self.course.infusion.as_ref().map(|i| i.date)
    }

    /// The last date the patient was known alive (or the death date).
    pub fn last_contact(&self) -> Option<NaiveDate> {
        self.follow_ups.iter().map(|f| f.contact_date).max()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diagnosis {
    pub disease: Disease,
    pub subtype: Subtype,
    pub date: Dated,
    pub prior_lines: u32,
    pub refractory: Refractory,
    pub prior_hct: PriorHct,
    pub prior_hct_date: Option<NaiveDate>,
    /// Lymphoma IPI 0-5; myeloma R-ISS 1-3 and high-risk cytogenetics.
    pub ipi: Option<u8>,
    pub riss: Option<u8>,
    pub high_risk_cytogenetics: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subtype {
    DlbclNos,
    HgbclDoubleHit,
    TransformedFl,
    Pmbcl,
    Fl,
    Mcl,
    BAllPhNeg,
    BAllPhPos,
    MmStandardRisk,
    MmHighRisk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refractory {
    PrimaryRefractory,
    RelapsedWithin12Months,
    RelapsedAfter12Months,
    RefractoryToLastLine,
    TripleClassRefractory,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorHct {
    None,
    Autologous,
    Allogeneic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    /// Index into [`Cohort::indications`].
    pub indication: usize,
    pub product: Product,
    pub apheresis_date: NaiveDate,
    pub bridging: Option<Bridging>,
    pub lymphodepletion: Option<LymphodepletionGiven>,
    /// `None` when manufacturing failed: apheresed, never infused.
    pub infusion: Option<Infusion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BridgingKind {
    Chemotherapy,
    Radiotherapy,
    Steroids,
    Targeted,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bridging {
    pub kind: BridgingKind,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LymphodepletionGiven {
    pub regimen: p::Lymphodepletion,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Infusion {
    pub date: NaiveDate,
    /// Dose value in 10^6 CAR+ T cells (per kg when `per_kg`).
    pub dose: f64,
    pub per_kg: bool,
    pub admission: NaiveDate,
    pub discharge: NaiveDate,
    pub outpatient: bool,
    pub icu: bool,
    pub ecog: u8,
    pub out_of_specification: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactType {
    ClinicVisit,
    OutsideRecords,
    Phone,
    SurvivalTool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormStatus {
    InProgress,
    Complete,
    Verified,
    Locked,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    pub timepoint: Timepoint,
    pub contact_date: NaiveDate,
    pub contact_type: ContactType,
    pub alive: bool,
    pub ecog: Option<u8>,
    pub form_status: FormStatus,
    /// Sign-off dates: completed (entered), verified by a monitor, locked.
    pub completed_on: Option<NaiveDate>,
    pub verified_on: Option<NaiveDate>,
    pub locked_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criteria {
    Lugano2014,
    Imwg2016,
    BAll,
}

/// A response on the disease's own scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    // Lugano 2014 and B-ALL share CR; IMWG adds sCR, VGPR, MR.
    StringentCr,
    Cr,
    CrIncompleteRecovery,
    Vgpr,
    Pr,
    Sd,
    NoResponse,
    Pd,
    NotEvaluable,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssessmentMethod {
    PetCt,
    Ct,
    BoneMarrow,
    FlowMrd,
    NgsMrd,
    Serum,
    Clinical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mrd {
    Negative,
    Positive,
    NotDone,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ResponseAssessment {
    pub date: NaiveDate,
    pub criteria: Criteria,
    pub response: Response,
    pub method: AssessmentMethod,
    pub mrd: Option<Mrd>,
    pub deauville: Option<u8>,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RelapseMethod {
    Molecular,
    Flow,
    CytogeneticFish,
    Radiological,
    ClinicalHematologic,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Relapse {
    pub date: Dated,
    /// The method that detected the relapse first.
    pub method: RelapseMethod,
    /// Every method that showed it (check all that apply), the first among them, each once.
    pub methods: Vec<RelapseMethod>,
    /// B-ALL: antigen escape (CD19-negative relapse).
    pub cd19_negative: Option<bool>,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToxicityKind {
    Crs,
    Icans,
    IecHs,
    DelayedNeurotoxicity,
    /// Immune effector cell-associated haematotoxicity with onset by day 30 (EHA/EBMT 2023).
    EarlyIcaht,
    /// ICAHT with onset after day 30 (EHA/EBMT 2023).
    LateIcaht,
    /// Tumour lysis syndrome (CTCAE v5: grade 3 to 5 only).
    Tls,
    Hypogammaglobulinaemia,
}

/// An agent given for a toxicity (the registry's `ToxicityTreatment` list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agent {
    Tocilizumab,
    Corticosteroids,
    Anakinra,
    Vasopressors,
    AntiEpileptics,
    GrowthFactor,
    /// An agent not on the list, named.
    Other(&'static str),
}

/// One treatment of a toxicity.
#[derive(Debug, Clone, PartialEq)]
pub struct Treatment {
    pub agent: Agent,
    /// Tocilizumab only.
    pub doses: Option<u8>,
    /// `None`: started the day the maximum grade was reached.
    pub start: Option<NaiveDate>,
}

impl Treatment {
    /// An agent started the day the maximum grade was reached.
    pub fn at_peak(agent: Agent) -> Self {
        Self {
            agent,
            doses: None,
            start: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hypotension {
    None,
    Fluids,
    OnePressor,
    MultiplePressors,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hypoxia {
    None,
    LowFlow,
    HighFlow,
    PositivePressure,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToxicityEvent {
    pub kind: ToxicityKind,
    /// ASTCT grade 1-5 for CRS and ICANS, EHA/EBMT 2023 1-4 for ICAHT, CTCAE v5 otherwise.
    pub grade: u8,
    pub onset: Dated,
    pub resolution: Option<NaiveDate>,
    pub fatal: bool,
    /// CRS components.
    pub max_temperature_c: Option<f64>,
    pub hypotension: Option<Hypotension>,
    pub hypoxia: Option<Hypoxia>,
    /// ICANS components.
    pub lowest_ice: Option<u8>,
    pub seizure: bool,
    pub cerebral_oedema: bool,
    pub treatments: Vec<Treatment>,
    pub icu: bool,
    pub follow_up: Option<usize>,
    /// Early ICAHT: the days with ANC <= 500/µL and <= 100/µL its grade rests on.
    pub early_icaht_counts: Option<EarlyIcahtCounts>,
}

impl ToxicityEvent {
    /// An event of `kind` and `grade` from `onset`: unresolved, not fatal, no components, no
    /// treatment, no ICU; the callers set what their kind has.
    pub fn blank(kind: ToxicityKind, grade: u8, onset: Dated) -> Self {
        Self {
            kind,
            grade,
            onset,
            resolution: None,
            fatal: false,
            max_temperature_c: None,
            hypotension: None,
            hypoxia: None,
            lowest_ice: None,
            seizure: false,
            cerebral_oedema: false,
            treatments: Vec::new(),
            icu: false,
            follow_up: None,
            early_icaht_counts: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersistenceMethod {
    Qpcr,
    Flow,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PersistenceTest {
    pub date: NaiveDate,
    pub method: PersistenceMethod,
    /// `None`: not done at this visit (missing-data code ND).
    pub detected: Option<bool>,
    /// copies/µg gDNA (qPCR) or % of CD3+ (flow); `None` below the limit or not done.
    pub value: Option<f64>,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyte {
    IgG,
    Cd19BCells,
    Anc,
    Platelets,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LabResult {
    pub date: NaiveDate,
    pub analyte: Analyte,
    /// IgG mg/dL, CD19 cells/µL, ANC 10^9/L, platelets 10^9/L; `None` = not done (ND).
    pub value: Option<f64>,
    pub ivig_within_30d: bool,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgRoute {
    Ivig,
    Scig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgIndication {
    Hypogammaglobulinaemia,
    RecurrentInfection,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImmunoglobulinCourse {
    pub start: NaiveDate,
    /// `None` = ongoing at the last contact.
    pub stop: Option<NaiveDate>,
    pub route: IgRoute,
    pub dose_g_per_kg: f64,
    pub interval_days: u32,
    pub indication: IgIndication,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganismClass {
    Bacterial,
    Viral,
    Fungal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Infection {
    pub date: Dated,
    pub class: OrganismClass,
    pub organism: Organism,
    pub site: InfectionSite,
    /// CTCAE grade 2-5.
    pub grade: u8,
    pub hospitalised: bool,
    pub icu: bool,
    pub resolution: Option<NaiveDate>,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Organism {
    EColi,
    Klebsiella,
    Pseudomonas,
    StaphAureus,
    Enterococcus,
    CDifficile,
    Cmv,
    Rsv,
    Influenza,
    SarsCov2,
    Hhv6,
    Adenovirus,
    Bk,
    Vzv,
    Aspergillus,
    Candida,
    Pjp,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfectionSite {
    Blood,
    Lung,
    UpperRespiratory,
    GiLower,
    UrinaryLower,
    Skin,
    Cns,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MalignancyType {
    SkinBasal,
    SkinSquamous,
    Melanoma,
    Mds,
    Aml,
    TCellLymphoma,
    Solid,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewMalignancy {
    pub date: Dated,
    pub kind: MalignancyType,
    /// Site of a solid tumour.
    pub detail: Option<&'static str>,
    pub reported_to_manufacturer: Option<NaiveDate>,
    pub transgene_tested: bool,
    pub transgene_detected: Option<bool>,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TherapyCategory {
    Chemoimmunotherapy,
    Radiotherapy,
    Bispecific,
    AlloHct,
    Btki,
    MyelomaAgents,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TherapyIntent {
    Relapse,
    Consolidation,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubsequentTherapy {
    pub start: NaiveDate,
    pub category: TherapyCategory,
    pub intent: TherapyIntent,
    pub follow_up: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CauseOfDeath {
    Disease,
    Infection,
    Crs,
    Icans,
    OrganFailure,
    Cardiac,
    Haemorrhage,
    NewMalignancy,
    Other,
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Death {
    pub date: Dated,
    pub primary: CauseOfDeath,
    /// What an `Other` primary cause was.
    pub other: Option<&'static str>,
    pub contributing: Vec<CauseOfDeath>,
    pub autopsy: bool,
    pub follow_up: Option<usize>,
}
