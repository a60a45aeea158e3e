//! Toxicity events: their types and grading systems, the ASTCT 2019 CRS and ICANS grades with the
//! components that define them, CTCAE v5 grades, the ICE score, treatments, and the §9 grade-
//! consistency rules as pure functions returning typed findings (domain.md §3.6, §4.1-4.2, §4.6).
//! Infection severity lives in `infection`.

use std::fmt;

use crate::domain::vocabulary::Vocabulary;
use crate::vocabulary;

vocabulary! {
    /// The kind of toxicity event (domain.md §3.6).
    pub enum ToxicityType: "toxicity type" {
        Crs = ("CRS", "Cytokine release syndrome"),
        Icans = ("ICANS", "Immune effector cell-associated neurotoxicity syndrome"),
        /// HLH-like syndrome.
        IecHs = ("IEC_HS", "Immune effector cell-associated HLH-like syndrome"),
        /// Immune effector cell-associated haematotoxicity, days 0-30 [G6].
        IcahtEarly = ("ICAHT_EARLY", "Early ICAHT (haematotoxicity, day 0-30)"),
        /// After day 30 [G6].
        IcahtLate = ("ICAHT_LATE", "Late ICAHT (haematotoxicity, after day 30)"),
        Tls = ("TLS", "Tumour lysis syndrome"),
        /// Parkinsonism, cranial nerve palsy, Guillain-Barré: key for cilta-cel [P8].
        DelayedNeurotoxicity = ("DELAYED_NEURO", "Delayed / non-ICANS neurotoxicity"),
        Hypogammaglobulinaemia = ("HYPOGAMMA", "Hypogammaglobulinaemia"),
        /// Graded by CTCAE term.
        Organ = ("ORGAN", "Organ toxicity (CTCAE term)"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// The grading system a toxicity's grade is expressed in (domain.md §3.6). Legacy systems are
    /// separate code systems, never mapped onto ASTCT silently.
    pub enum GradingSystem: "grading system" {
        Astct2019 = ("ASTCT2019", "ASTCT 2019 consensus (Lee 2019)"),
        Ctcae5 = ("CTCAE5", "CTCAE v5.0"),
        /// ICAHT [G6].
        EhaEbmt2023 = ("EHA_EBMT2023", "EHA/EBMT 2023 (ICAHT)"),
        Lee2014 = ("LEE2014", "Lee 2014 (legacy CRS)"),
        Penn = ("PENN", "Penn CRS scale (legacy)"),
        Cartox = ("CARTOX", "CARTOX-10 (legacy neurotoxicity)"),
    }
}

impl ToxicityType {
    /// The grading system used by default for this type (domain.md §3.6): ASTCT 2019 for CRS and
    /// ICANS, EHA/EBMT 2023 for ICAHT, CTCAE v5 for everything else.
    pub fn default_grading_system(self) -> GradingSystem {
        match self {
            Self::Crs | Self::Icans => GradingSystem::Astct2019,
            Self::IcahtEarly | Self::IcahtLate => GradingSystem::EhaEbmt2023,
            _ => GradingSystem::Ctcae5,
        }
    }
}

impl ToxicityType {
    /// CRS and ICANS: graded by ASTCT 2019 from components recorded with them (hypotension,
    /// hypoxia, ICE score); every other type is entered with its grade alone.
    pub fn has_astct_components(self) -> bool {
        matches!(self, Self::Crs | Self::Icans)
    }

    /// Organ and other toxicities are only meaningful with their CTCAE term or a description
    /// (the schema requires one).
    pub fn needs_term(self) -> bool {
        matches!(self, Self::Organ | Self::Other)
    }

    /// The highest grade of this type's default grading system: EHA/EBMT 2023 grades ICAHT 1 to
    /// 4 by depth and duration of neutropenia, with no fatal grade [G6]; ASTCT 2019 and CTCAE v5
    /// go up to 5, death (domain.md §4.6, §4.7).
    pub fn highest_grade(self) -> u8 {
        match self.default_grading_system() {
            GradingSystem::EhaEbmt2023 => 4,
            _ => 5,
        }
    }
}

/// The last day after infusion that early ICAHT covers (day 0-30, domain.md §4.7 [G6]).
pub const EARLY_ICAHT_LAST_DAY: i64 = 30;

/// A grade or onset that a toxicity type's own rules refuse (domain.md §3.6, §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ToxicityFinding {
    /// E.g. ICAHT grade 5: EHA/EBMT 2023 stops at grade 4.
    #[error("{} grades {} from 1 to {highest}, not {given}", system.label(), kind.label())]
    GradeOutsideSystem {
        kind: ToxicityType,
        system: GradingSystem,
        given: u8,
        highest: u8,
    },
    /// Early ICAHT is the haematotoxicity of days 0-30; a later onset is late ICAHT. (The reverse
    /// is not a finding: late ICAHT is often the continuation of a neutropenia that began early.)
    #[error(
        "early ICAHT covers days 0 to {EARLY_ICAHT_LAST_DAY} after infusion: an onset on day {day} is late ICAHT"
    )]
    EarlyIcahtAfterDay30 { day: i64 },
}

/// Checks a grade number against the highest grade of the type's grading system.
pub fn check_grade(kind: ToxicityType, given: u8) -> Option<ToxicityFinding> {
    let highest = kind.highest_grade();
    (!(1..=highest).contains(&given)).then_some(ToxicityFinding::GradeOutsideSystem {
        kind,
        system: kind.default_grading_system(),
        given,
        highest,
    })
}

/// Checks an onset (days after infusion) against the window its type is defined by.
pub fn check_onset_day(kind: ToxicityType, day: i64) -> Option<ToxicityFinding> {
    (kind == ToxicityType::IcahtEarly && day > EARLY_ICAHT_LAST_DAY)
        .then_some(ToxicityFinding::EarlyIcahtAfterDay30 { day })
}

/// `number()` / `from_number()` for the grade vocabularies whose variants are `G1`..`G5`.
macro_rules! numbered_grades {
    ($($t:ident),+) => {$(
        impl $t {
            /// The grade as a number, 1 to 5.
            pub fn number(self) -> u8 {
                match self { Self::G1 => 1, Self::G2 => 2, Self::G3 => 3, Self::G4 => 4, Self::G5 => 5 }
            }
            /// The grade with this number, if it is 1 to 5.
            pub fn from_number(n: u8) -> Option<Self> {
                match n {
                    1 => Some(Self::G1), 2 => Some(Self::G2), 3 => Some(Self::G3),
                    4 => Some(Self::G4), 5 => Some(Self::G5), _ => None,
                }
            }
            /// Grade 3 or higher (the "severe" line of every report, domain.md §6.2).
            pub fn is_severe(self) -> bool {
                self >= Self::G3
            }
        }
    )+};
}

vocabulary! {
    /// ASTCT 2019 CRS grade, the maximum in the period (domain.md §4.1, [G1]); grade 5 = death
    /// due to CRS [E2]. Ordered: `G1 < G5`.
    pub enum CrsGrade: "CRS grade (ASTCT 2019)" {
        G1 = ("G1", "Grade 1: fever, no hypotension or hypoxia"),
        G2 = ("G2", "Grade 2: hypotension without vasopressors and/or low-flow oxygen"),
        G3 = ("G3", "Grade 3: one vasopressor and/or high-flow oxygen"),
        G4 = ("G4", "Grade 4: multiple vasopressors and/or positive-pressure ventilation"),
        G5 = ("G5", "Grade 5: death due to CRS"),
    }
}

vocabulary! {
    /// ASTCT 2019 ICANS grade, the maximum in the period (domain.md §4.2, [G1]); grade 5 = death
    /// due to ICANS. Ordered: `G1 < G5`.
    pub enum IcansGrade: "ICANS grade (ASTCT 2019)" {
        G1 = ("G1", "Grade 1: ICE 7-9, awakens spontaneously"),
        G2 = ("G2", "Grade 2: ICE 3-6, awakens to voice"),
        G3 = ("G3", "Grade 3: ICE 0-2, awakens to touch, seizure resolving rapidly or focal oedema"),
        G4 = ("G4", "Grade 4: unarousable, prolonged seizure, deep focal weakness or diffuse oedema"),
        G5 = ("G5", "Grade 5: death due to ICANS"),
    }
}

vocabulary! {
    /// CTCAE v5.0 generic grade (domain.md §4.6, [G5]). Ordered: `G1 < G5`.
    pub enum CtcaeGrade: "CTCAE v5 grade" {
        G1 = ("G1", "Grade 1: mild"),
        G2 = ("G2", "Grade 2: moderate"),
        G3 = ("G3", "Grade 3: severe or medically significant"),
        G4 = ("G4", "Grade 4: life-threatening"),
        G5 = ("G5", "Grade 5: death"),
    }
}

numbered_grades!(CrsGrade, IcansGrade, CtcaeGrade);

vocabulary! {
    /// The worst hypotension during CRS (domain.md §3.6, §4.1).
    pub enum Hypotension: "hypotension (CRS)" {
        None = ("NONE", "No hypotension"),
        /// Treated with fluids, no vasopressor: grade 2.
        NoVasopressor = ("FLUIDS", "Hypotension not requiring vasopressors"),
        /// One vasopressor with or without vasopressin: grade 3.
        OneVasopressor = ("VASO_1", "One vasopressor (± vasopressin)"),
        /// Several vasopressors, vasopressin excluded: grade 4.
        MultipleVasopressors = ("VASO_MULTI", "Multiple vasopressors (excluding vasopressin)"),
    }
}

vocabulary! {
    /// The worst hypoxia during CRS, by the oxygen support it needed (domain.md §3.6, §4.1).
    pub enum Hypoxia: "hypoxia (CRS)" {
        None = ("NONE", "No hypoxia"),
        /// ≤6 L/min nasal cannula or blow-by: grade 2.
        LowFlow = ("LOW_FLOW", "Low-flow nasal cannula (≤6 L/min) or blow-by"),
        /// >6 L/min, facemask, non-rebreather or Venturi: grade 3.
        HighFlow = ("HIGH_FLOW", "High-flow nasal cannula (>6 L/min), facemask, non-rebreather or Venturi"),
        /// CPAP, BiPAP, intubation: grade 4.
        PositivePressure = ("POS_PRESSURE", "Positive pressure (CPAP, BiPAP, mechanical ventilation)"),
    }
}

impl Hypotension {
    /// The CRS grade this level implies on its own [G1].
    pub fn implied_crs_grade(self) -> Option<CrsGrade> {
        match self {
            Self::None => None,
            Self::NoVasopressor => Some(CrsGrade::G2),
            Self::OneVasopressor => Some(CrsGrade::G3),
            Self::MultipleVasopressors => Some(CrsGrade::G4),
        }
    }
}

impl Hypoxia {
    /// The CRS grade this level implies on its own [G1].
    pub fn implied_crs_grade(self) -> Option<CrsGrade> {
        match self {
            Self::None => None,
            Self::LowFlow => Some(CrsGrade::G2),
            Self::HighFlow => Some(CrsGrade::G3),
            Self::PositivePressure => Some(CrsGrade::G4),
        }
    }
}

vocabulary! {
    /// Depressed level of consciousness, an ICANS domain (domain.md §4.2).
    pub enum Consciousness: "level of consciousness (ICANS)" {
        Alert = ("ALERT", "Alert, not depressed"),
        AwakensSpontaneously = ("SPONTANEOUS", "Awakens spontaneously"),
        AwakensToVoice = ("VOICE", "Awakens to voice"),
        AwakensToTouch = ("TOUCH", "Awakens only to tactile stimulus"),
        /// Or needs vigorous repetitive stimuli; stupor; coma.
        Unarousable = ("UNAROUSABLE", "Unarousable, stupor or coma"),
    }
}

vocabulary! {
    /// Seizure, an ICANS domain (domain.md §4.2).
    pub enum Seizure: "seizure (ICANS)" {
        None = ("NONE", "No seizure"),
        /// Clinical seizure resolving rapidly, or non-convulsive on EEG resolving with intervention.
        RapidlyResolving = ("RESOLVING", "Seizure resolving rapidly or with intervention"),
        /// >5 minutes, or repetitive without return to baseline.
        LifeThreatening = ("PROLONGED", "Prolonged (>5 min) or repetitive seizures"),
    }
}

vocabulary! {
    /// Motor findings, an ICANS domain (domain.md §4.2).
    pub enum MotorFinding: "motor finding (ICANS)" {
        None = ("NONE", "No motor finding"),
        DeepFocalWeakness = ("DEEP_FOCAL", "Deep focal motor weakness (hemiparesis, paraparesis)"),
    }
}

vocabulary! {
    /// Raised intracranial pressure / cerebral oedema, an ICANS domain (domain.md §4.2).
    pub enum CerebralOedema: "cerebral oedema (ICANS)" {
        None = ("NONE", "No oedema"),
        Focal = ("FOCAL", "Focal / local oedema on imaging"),
        /// Or decerebrate/decorticate posturing, cranial nerve VI palsy, papilloedema, Cushing's triad.
        Diffuse = ("DIFFUSE", "Diffuse oedema or signs of raised intracranial pressure"),
    }
}

impl Consciousness {
    /// The ICANS grade this level implies on its own [G1].
    pub fn implied_icans_grade(self) -> Option<IcansGrade> {
        match self {
            Self::Alert => None,
            Self::AwakensSpontaneously => Some(IcansGrade::G1),
            Self::AwakensToVoice => Some(IcansGrade::G2),
            Self::AwakensToTouch => Some(IcansGrade::G3),
            Self::Unarousable => Some(IcansGrade::G4),
        }
    }
}

impl Seizure {
    /// The ICANS grade this finding implies on its own [G1].
    pub fn implied_icans_grade(self) -> Option<IcansGrade> {
        match self {
            Self::None => None,
            Self::RapidlyResolving => Some(IcansGrade::G3),
            Self::LifeThreatening => Some(IcansGrade::G4),
        }
    }
}

impl MotorFinding {
    /// The ICANS grade this finding implies on its own [G1].
    pub fn implied_icans_grade(self) -> Option<IcansGrade> {
        match self {
            Self::None => None,
            Self::DeepFocalWeakness => Some(IcansGrade::G4),
        }
    }
}

impl CerebralOedema {
    /// The ICANS grade this finding implies on its own [G1].
    pub fn implied_icans_grade(self) -> Option<IcansGrade> {
        match self {
            Self::None => None,
            Self::Focal => Some(IcansGrade::G3),
            Self::Diffuse => Some(IcansGrade::G4),
        }
    }
}

/// Immune effector cell encephalopathy (ICE) score, 0 to 10 (domain.md §4.2, [G1]): orientation
/// (4), naming 3 objects (3), following commands (1), writing (1), attention (1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct IceScore(u8);

/// An ICE score outside 0-10.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not an ICE score; allowed: a whole number from 0 to 10")]
pub struct InvalidIceScore {
    pub given: String,
}

impl IceScore {
    /// A score from its number.
    pub fn new(score: u8) -> Result<Self, InvalidIceScore> {
        if score <= 10 {
            Ok(Self(score))
        } else {
            Err(InvalidIceScore {
                given: score.to_string(),
            })
        }
    }

    /// Parses `"0"`..`"10"`.
    pub fn parse(input: &str) -> Result<Self, InvalidIceScore> {
        let bad = || InvalidIceScore {
            given: input.to_owned(),
        };
        input
            .trim()
            .parse::<u8>()
            .map_err(|_| bad())
            .and_then(|n| Self::new(n).map_err(|_| bad()))
    }

    /// The score, 0 to 10.
    pub fn get(self) -> u8 {
        self.0
    }

    /// The ICANS grade the score implies on its own [G1]: 10 none, 7-9 grade 1, 3-6 grade 2,
    /// 0-2 grade 3. (Grade 4 needs an unarousable patient, recorded as consciousness.)
    pub fn implied_icans_grade(self) -> Option<IcansGrade> {
        match self.0 {
            10.. => None,
            7..=9 => Some(IcansGrade::G1),
            3..=6 => Some(IcansGrade::G2),
            _ => Some(IcansGrade::G3),
        }
    }
}

impl TryFrom<u8> for IceScore {
    type Error = InvalidIceScore;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<IceScore> for u8 {
    fn from(s: IceScore) -> Self {
        s.0
    }
}

impl fmt::Display for IceScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

vocabulary! {
    /// Treatment given for a toxicity (check all that apply; domain.md §3.6, [S5]).
    pub enum ToxicityTreatment: "toxicity treatment" {
        Tocilizumab = ("TOCILIZUMAB", "Tocilizumab"),
        Corticosteroids = ("CORTICOSTEROIDS", "Corticosteroids"),
        Siltuximab = ("SILTUXIMAB", "Siltuximab"),
        Anakinra = ("ANAKINRA", "Anakinra"),
        Vasopressors = ("VASOPRESSORS", "Vasopressors"),
        AntiEpileptics = ("ANTIEPILEPTICS", "Anti-epileptics"),
        /// IEC-HS (general knowledge).
        Etoposide = ("ETOPOSIDE", "Etoposide"),
        /// ICAHT (general knowledge).
        GrowthFactor = ("G_CSF", "G-CSF"),
        Other = ("OTHER", "Other (specify)"),
    }
}

impl ToxicityTreatment {
    /// Tocilizumab is counted in doses (domain.md §3.6 "tocilizumab (doses)"); the other agents
    /// are recorded as given or not.
    pub fn counts_doses(self) -> bool {
        self == Self::Tocilizumab
    }

    /// What the agent's free-text detail holds, for the agents that have one: the corticosteroid
    /// used (domain.md §3.6 "corticosteroids (agent, …)"), or the name of an agent not listed.
    pub fn detail_label(self) -> Option<&'static str> {
        match self {
            Self::Corticosteroids => Some("agent used (optional)"),
            Self::Other => Some("name of the agent"),
            _ => None,
        }
    }

    /// An agent not listed must be named (the schema refuses OTHER without its detail).
    pub fn needs_detail(self) -> bool {
        self == Self::Other
    }
}

/// What was recorded about a CRS episode's defining features: the worst of each in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrsComponents {
    /// Fever ≥38 °C not attributable to another cause (no longer required once antipyretics or
    /// anti-cytokine therapy were given [G1]).
    pub fever: bool,
    pub hypotension: Hypotension,
    pub hypoxia: Hypoxia,
    /// The patient died of CRS.
    pub fatal: bool,
}

/// The ASTCT 2019 CRS grade the components imply [G1]: death due to CRS is grade 5; otherwise
/// the more severe of hypotension and hypoxia; fever alone is grade 1; nothing is no CRS.
pub fn implied_crs_grade(c: &CrsComponents) -> Option<CrsGrade> {
    if c.fatal {
        return Some(CrsGrade::G5);
    }
    c.hypotension
        .implied_crs_grade()
        .max(c.hypoxia.implied_crs_grade())
        .or(c.fever.then_some(CrsGrade::G1))
}

/// A CRS grade that disagrees with its recorded components (domain.md §9, [G1][E2]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CrsFinding {
    /// E.g. grade 3 without a vasopressor or high-flow oxygen.
    #[error(
        "CRS grade {} is higher than the components support ({}): {}",
        recorded.number(),
        implied.map_or("no fever, hypotension or hypoxia".to_owned(), |g| format!("grade {}", g.number())),
        requirement(*recorded)
    )]
    GradeAboveComponents {
        recorded: CrsGrade,
        implied: Option<CrsGrade>,
    },
    /// ASTCT grade is the most severe feature, so the grade cannot be below it.
    #[error(
        "CRS grade {} is lower than the components recorded imply (grade {})",
        recorded.number(),
        implied.number()
    )]
    GradeBelowComponents {
        recorded: CrsGrade,
        implied: CrsGrade,
    },
    #[error("grade 5 CRS means death due to CRS, but the episode is not marked fatal")]
    Grade5NotFatal,
    #[error("a death due to CRS is grade 5 CRS (EBMT), but grade {} was recorded", recorded.number())]
    FatalNotGrade5 { recorded: CrsGrade },
}

fn requirement(g: CrsGrade) -> &'static str {
    match g {
        CrsGrade::G1 => "grade 1 needs fever",
        CrsGrade::G2 => "grade 2 needs hypotension or low-flow oxygen",
        CrsGrade::G3 => "grade 3 needs a vasopressor or high-flow oxygen",
        CrsGrade::G4 => "grade 4 needs two or more vasopressors or positive pressure",
        CrsGrade::G5 => "grade 5 needs death due to CRS",
    }
}

/// Checks a recorded CRS grade against its components (domain.md §9: grade 3 needs a vasopressor
/// or high-flow oxygen, grade 4 two or more vasopressors or positive pressure [G1]; fatal CRS is
/// grade 5 [E2]). Empty when consistent.
pub fn check_crs_grade(recorded: CrsGrade, c: &CrsComponents) -> Vec<CrsFinding> {
    let mut findings = Vec::new();
    if recorded == CrsGrade::G5 && !c.fatal {
        findings.push(CrsFinding::Grade5NotFatal);
    }
    if c.fatal && recorded != CrsGrade::G5 {
        findings.push(CrsFinding::FatalNotGrade5 { recorded });
    }
    if recorded != CrsGrade::G5 {
        let implied = implied_crs_grade(&CrsComponents { fatal: false, ..*c });
        match implied {
            Some(i) if recorded < i => {
                findings.push(CrsFinding::GradeBelowComponents {
                    recorded,
                    implied: i,
                });
            }
            Some(i) if recorded == i => {}
            _ if !c.fatal => findings.push(CrsFinding::GradeAboveComponents { recorded, implied }),
            _ => {}
        }
    }
    findings
}

/// What was recorded about an ICANS episode's domains: the worst of each in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcansComponents {
    /// Lowest ICE score; `None` if not done (e.g. a child ≤12 years assessed by CAPD [G1], whose
    /// score is not modelled here: then a grade above the other domains is not a finding).
    pub lowest_ice: Option<IceScore>,
    pub consciousness: Consciousness,
    pub seizure: Seizure,
    pub motor: MotorFinding,
    pub oedema: CerebralOedema,
    /// The patient died of ICANS.
    pub fatal: bool,
}

/// An ICANS domain, for naming the one a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcansDomain {
    IceScore,
    Consciousness,
    Seizure,
    Motor,
    CerebralOedema,
}

impl fmt::Display for IcansDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::IceScore => "ICE score",
            Self::Consciousness => "level of consciousness",
            Self::Seizure => "seizure",
            Self::Motor => "motor finding",
            Self::CerebralOedema => "cerebral oedema",
        })
    }
}

impl IcansComponents {
    /// Each domain with the grade it implies on its own.
    pub fn domain_grades(&self) -> [(IcansDomain, Option<IcansGrade>); 5] {
        [
            (
                IcansDomain::IceScore,
                self.lowest_ice.and_then(IceScore::implied_icans_grade),
            ),
            (
                IcansDomain::Consciousness,
                self.consciousness.implied_icans_grade(),
            ),
            (IcansDomain::Seizure, self.seizure.implied_icans_grade()),
            (IcansDomain::Motor, self.motor.implied_icans_grade()),
            (
                IcansDomain::CerebralOedema,
                self.oedema.implied_icans_grade(),
            ),
        ]
    }
}

/// The ASTCT 2019 ICANS grade the domains imply [G1]: death due to ICANS is grade 5, otherwise
/// the most severe domain; no abnormal domain is no ICANS.
pub fn implied_icans_grade(c: &IcansComponents) -> Option<IcansGrade> {
    if c.fatal {
        return Some(IcansGrade::G5);
    }
    c.domain_grades().iter().filter_map(|(_, g)| *g).max()
}

/// An ICANS grade that disagrees with its recorded domains (domain.md §9, [G1]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IcansFinding {
    /// The §9 rule: the grade is at least the grade implied by the lowest ICE score.
    #[error(
        "ICANS grade {} is lower than the lowest ICE score {ice} implies (grade {})",
        recorded.number(),
        implied.number()
    )]
    BelowIceScore {
        recorded: IcansGrade,
        ice: IceScore,
        implied: IcansGrade,
    },
    /// The grade is the most severe domain, so it cannot be below any domain.
    #[error(
        "ICANS grade {} is lower than the {domain} recorded implies (grade {})",
        recorded.number(),
        implied.number()
    )]
    BelowDomain {
        recorded: IcansGrade,
        domain: IcansDomain,
        implied: IcansGrade,
    },
    /// No recorded domain reaches the grade (only checked when an ICE score is recorded).
    #[error(
        "ICANS grade {} is higher than any domain recorded supports ({})",
        recorded.number(),
        implied.map_or("no abnormal domain".to_owned(), |g| format!("grade {}", g.number()))
    )]
    AboveDomains {
        recorded: IcansGrade,
        implied: Option<IcansGrade>,
    },
    #[error("grade 5 ICANS means death due to ICANS, but the episode is not marked fatal")]
    Grade5NotFatal,
    #[error("a death due to ICANS is grade 5 ICANS, but grade {} was recorded", recorded.number())]
    FatalNotGrade5 { recorded: IcansGrade },
}

/// Checks a recorded ICANS grade against its domains. Empty when consistent.
pub fn check_icans_grade(recorded: IcansGrade, c: &IcansComponents) -> Vec<IcansFinding> {
    let mut findings = Vec::new();
    if recorded == IcansGrade::G5 && !c.fatal {
        findings.push(IcansFinding::Grade5NotFatal);
    }
    if c.fatal && recorded != IcansGrade::G5 {
        findings.push(IcansFinding::FatalNotGrade5 { recorded });
    }
    for (domain, implied) in c.domain_grades() {
        let Some(implied) = implied else { continue };
        if recorded < implied {
            findings.push(match (domain, c.lowest_ice) {
                (IcansDomain::IceScore, Some(ice)) => IcansFinding::BelowIceScore {
                    recorded,
                    ice,
                    implied,
                },
                _ => IcansFinding::BelowDomain {
                    recorded,
                    domain,
                    implied,
                },
            });
        }
    }
    if recorded != IcansGrade::G5 {
        let implied = implied_icans_grade(&IcansComponents { fatal: false, ..*c });
        // Without an ICE score (a child graded by CAPD [G1]) the grade may rest on a domain
        // not recorded here, so only a grade below the recorded domains is a finding.
        if c.lowest_ice.is_some() && implied.is_none_or(|i| recorded > i) && !c.fatal {
            findings.push(IcansFinding::AboveDomains { recorded, implied });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crs(fever: bool, hypotension: Hypotension, hypoxia: Hypoxia) -> CrsComponents {
        CrsComponents {
            fever,
            hypotension,
            hypoxia,
            fatal: false,
        }
    }

    #[test]
    fn crs_grade_is_the_worst_component() {
        use Hypotension as T;
        use Hypoxia as X;
        let table = [
            (crs(false, T::None, X::None), None),
            (crs(true, T::None, X::None), Some(CrsGrade::G1)),
            (crs(true, T::NoVasopressor, X::None), Some(CrsGrade::G2)),
            (crs(true, T::None, X::LowFlow), Some(CrsGrade::G2)),
            (crs(true, T::NoVasopressor, X::HighFlow), Some(CrsGrade::G3)),
            (crs(true, T::OneVasopressor, X::LowFlow), Some(CrsGrade::G3)),
            (
                crs(false, T::MultipleVasopressors, X::None),
                Some(CrsGrade::G4),
            ),
            (
                crs(true, T::OneVasopressor, X::PositivePressure),
                Some(CrsGrade::G4),
            ),
        ];
        for (c, want) in table {
            assert_eq!(implied_crs_grade(&c), want, "{c:?}");
            if let Some(g) = want {
                assert!(check_crs_grade(g, &c).is_empty(), "{c:?}");
            }
        }
        let dead = CrsComponents {
            fatal: true,
            ..crs(true, T::MultipleVasopressors, X::PositivePressure)
        };
        assert_eq!(implied_crs_grade(&dead), Some(CrsGrade::G5));
        assert!(check_crs_grade(CrsGrade::G5, &dead).is_empty());
    }

    #[test]
    fn crs_grade_3_without_pressor_or_high_flow_is_a_finding() {
        let c = crs(true, Hypotension::NoVasopressor, Hypoxia::LowFlow);
        let f = check_crs_grade(CrsGrade::G3, &c);
        assert_eq!(
            f,
            vec![CrsFinding::GradeAboveComponents {
                recorded: CrsGrade::G3,
                implied: Some(CrsGrade::G2)
            }]
        );
        assert!(
            f[0].to_string().contains("vasopressor or high-flow oxygen"),
            "{}",
            f[0]
        );
        let c4 = crs(true, Hypotension::OneVasopressor, Hypoxia::HighFlow);
        let f4 = check_crs_grade(CrsGrade::G4, &c4);
        assert!(f4[0].to_string().contains("positive pressure"), "{}", f4[0]);
        assert_eq!(
            check_crs_grade(CrsGrade::G1, &c4),
            vec![CrsFinding::GradeBelowComponents {
                recorded: CrsGrade::G1,
                implied: CrsGrade::G3
            }]
        );
        assert_eq!(
            check_crs_grade(CrsGrade::G5, &c4),
            vec![CrsFinding::Grade5NotFatal]
        );
        let fatal = CrsComponents { fatal: true, ..c4 };
        assert_eq!(
            check_crs_grade(CrsGrade::G3, &fatal),
            vec![CrsFinding::FatalNotGrade5 {
                recorded: CrsGrade::G3
            }]
        );
        assert_eq!(
            check_crs_grade(CrsGrade::G1, &crs(false, Hypotension::None, Hypoxia::None)),
            vec![CrsFinding::GradeAboveComponents {
                recorded: CrsGrade::G1,
                implied: None
            }]
        );
    }

    fn icans(ice: u8) -> IcansComponents {
        IcansComponents {
            lowest_ice: Some(IceScore::new(ice).unwrap()),
            consciousness: Consciousness::Alert,
            seizure: Seizure::None,
            motor: MotorFinding::None,
            oedema: CerebralOedema::None,
            fatal: false,
        }
    }

    #[test]
    fn ice_score_bands() {
        let want = |n: u8| match n {
            10 => None,
            7..=9 => Some(IcansGrade::G1),
            3..=6 => Some(IcansGrade::G2),
            _ => Some(IcansGrade::G3),
        };
        for n in 0..=10 {
            assert_eq!(
                IceScore::new(n).unwrap().implied_icans_grade(),
                want(n),
                "{n}"
            );
        }
        assert!(IceScore::new(11).is_err());
        assert!(
            IceScore::parse("-1")
                .unwrap_err()
                .to_string()
                .contains("0 to 10")
        );
        assert_eq!(IceScore::parse(" 7 ").unwrap().get(), 7);
    }

    #[test]
    fn icans_grade_at_least_the_lowest_ice_score() {
        let c = icans(2);
        assert!(check_icans_grade(IcansGrade::G3, &c).is_empty());
        let f = check_icans_grade(IcansGrade::G2, &c);
        assert_eq!(
            f,
            vec![IcansFinding::BelowIceScore {
                recorded: IcansGrade::G2,
                ice: IceScore::new(2).unwrap(),
                implied: IcansGrade::G3
            }]
        );
        assert!(f[0].to_string().contains("ICE score 2"), "{}", f[0]);
        // ICE 8 with a rapidly resolving seizure is grade 3.
        let seizure = IcansComponents {
            seizure: Seizure::RapidlyResolving,
            ..icans(8)
        };
        assert_eq!(implied_icans_grade(&seizure), Some(IcansGrade::G3));
        assert_eq!(
            check_icans_grade(IcansGrade::G1, &seizure),
            vec![IcansFinding::BelowDomain {
                recorded: IcansGrade::G1,
                domain: IcansDomain::Seizure,
                implied: IcansGrade::G3
            }]
        );
        // Grade 4 needs a grade-4 domain.
        assert_eq!(
            check_icans_grade(IcansGrade::G4, &icans(0)),
            vec![IcansFinding::AboveDomains {
                recorded: IcansGrade::G4,
                implied: Some(IcansGrade::G3)
            }]
        );
        let coma = IcansComponents {
            lowest_ice: None,
            consciousness: Consciousness::Unarousable,
            ..icans(0)
        };
        assert!(check_icans_grade(IcansGrade::G4, &coma).is_empty());
        // A child graded by CAPD: no ICE score, so grade 2 on CAPD alone is not a finding.
        let capd = IcansComponents {
            lowest_ice: None,
            ..icans(10)
        };
        assert!(check_icans_grade(IcansGrade::G2, &capd).is_empty());
        let fatal = IcansComponents {
            fatal: true,
            ..coma
        };
        assert!(check_icans_grade(IcansGrade::G5, &fatal).is_empty());
        assert_eq!(
            check_icans_grade(IcansGrade::G4, &fatal),
            vec![IcansFinding::FatalNotGrade5 {
                recorded: IcansGrade::G4
            }]
        );
    }

    #[test]
    fn grades_number_and_order() {
        for n in 1..=5 {
            assert_eq!(CrsGrade::from_number(n).unwrap().number(), n);
            assert_eq!(IcansGrade::from_number(n).unwrap().number(), n);
            assert_eq!(CtcaeGrade::from_number(n).unwrap().number(), n);
        }
        assert_eq!(CrsGrade::from_number(0), None);
        assert!(CrsGrade::G3.is_severe() && !CrsGrade::G2.is_severe());
        assert!(CrsGrade::G1 < CrsGrade::G5);
        assert_eq!(
            ToxicityType::Crs.default_grading_system(),
            GradingSystem::Astct2019
        );
    }

    #[test]
    fn other_types_have_their_own_grade_range_and_window() {
        assert_eq!(check_grade(ToxicityType::IecHs, 5), None);
        assert_eq!(check_grade(ToxicityType::Tls, 1), None);
        assert_eq!(check_grade(ToxicityType::IcahtLate, 4), None);
        let f = check_grade(ToxicityType::IcahtEarly, 5).unwrap();
        assert_eq!(
            f,
            ToxicityFinding::GradeOutsideSystem {
                kind: ToxicityType::IcahtEarly,
                system: GradingSystem::EhaEbmt2023,
                given: 5,
                highest: 4
            }
        );
        assert!(f.to_string().contains("from 1 to 4, not 5"), "{f}");
        assert!(check_grade(ToxicityType::Organ, 0).is_some());
        assert_eq!(check_onset_day(ToxicityType::IcahtEarly, 30), None);
        assert_eq!(
            check_onset_day(ToxicityType::IcahtEarly, 31),
            Some(ToxicityFinding::EarlyIcahtAfterDay30 { day: 31 })
        );
        assert_eq!(check_onset_day(ToxicityType::IcahtLate, 12), None);
        assert!(ToxicityType::Other.needs_term() && !ToxicityType::IecHs.needs_term());
        assert!(ToxicityType::Icans.has_astct_components());
        assert!(!ToxicityType::IcahtLate.has_astct_components());
    }

    /// The treatment form asks doses of tocilizumab alone and a name of every OTHER agent
    /// (the schema's `toxicity_treatments_other_named`).
    #[test]
    fn treatments_count_doses_of_tocilizumab_and_name_other_agents() {
        let counted: Vec<ToxicityTreatment> = ToxicityTreatment::ALL
            .iter()
            .copied()
            .filter(|t| t.counts_doses())
            .collect();
        assert_eq!(counted, vec![ToxicityTreatment::Tocilizumab]);
        for t in ToxicityTreatment::ALL {
            assert!(!t.needs_detail() || t.detail_label().is_some(), "{t:?}");
        }
        assert!(ToxicityTreatment::Other.needs_detail());
        assert!(!ToxicityTreatment::Corticosteroids.needs_detail());
    }
}
