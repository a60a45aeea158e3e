//! Disease response: the criteria (Lugano 2014, IMWG 2016, B-ALL, iwCLL 2018, CIBMTR generic),
//! the response codes of each, one [`Response`] that knows its criteria, responder and complete-
//! response rules (domain.md §6.2), a ranking for best overall response, and MRD, Deauville,
//! assessment-method and relapse-method vocabularies (§3.5, §4.3-4.5, §4.10-4.11).

use std::fmt;

use chrono::NaiveDate;

use crate::domain::vocabulary::{UnknownCode, Vocabulary};
use crate::vocabulary;

vocabulary! {
    /// The response criteria an assessment is made by (domain.md §3.5).
    pub enum ResponseCriteria: "response criteria" {
        /// Lymphoma (LBCL, FL, MCL) [G2].
        Lugano2014 = ("LUGANO2014", "Lugano 2014"),
        /// Multiple myeloma, including MRD [G3].
        Imwg2016 = ("IMWG2016", "IMWG 2016"),
        /// B-ALL [S18][G4].
        BAll = ("BALL", "B-ALL response criteria"),
        /// CLL/SLL (iwCLL 2018; codes from general knowledge, to verify).
        Iwcll2018 = ("IWCLL2018", "iwCLL 2018"),
        /// Any other disease: CIBMTR's generic best-response codes [S8].
        Other = ("OTHER", "Other (CIBMTR generic)"),
    }
}

vocabulary! {
    /// Lugano 2014 response (domain.md §4.3, [G2]); metabolic (PET) and radiologic (CT)
    /// responses share a code (CMR/CR, PMR/PR, NMR/SD, PMD/PD).
    pub enum LuganoResponse: "Lugano 2014 response" {
        Complete = ("CR", "Complete response (CMR/CR)"),
        Partial = ("PR", "Partial response (PMR/PR)"),
        Stable = ("SD", "Stable disease / no metabolic response (NMR/SD)"),
        Progressive = ("PD", "Progressive disease (PMD/PD)"),
        NotEvaluable = ("NE", "Not evaluable"),
        NotDone = ("ND", "Not done"),
    }
}

vocabulary! {
    /// IMWG 2016 response (domain.md §4.4, [G3]).
    pub enum ImwgResponse: "IMWG 2016 response" {
        StringentComplete = ("SCR", "Stringent complete response (sCR)"),
        Complete = ("CR", "Complete response"),
        VeryGoodPartial = ("VGPR", "Very good partial response"),
        Partial = ("PR", "Partial response"),
        Minimal = ("MR", "Minimal response"),
        Stable = ("SD", "Stable disease"),
        Progressive = ("PD", "Progressive disease"),
        NotEvaluable = ("NE", "Not evaluable"),
    }
}

vocabulary! {
    /// B-ALL response (domain.md §4.5, [S18][G4]).
    pub enum AllResponse: "B-ALL response" {
        /// <5% marrow blasts, no circulating blasts or extramedullary disease, count recovery.
        Complete = ("CR", "Complete remission"),
        /// CR criteria without count recovery.
        CompleteIncompleteRecovery = ("CRI", "Complete remission with incomplete count recovery (CRi)"),
        MorphologicLeukaemiaFree = ("MLFS", "Morphologic leukaemia-free state"),
        /// Phase 1/2 trials only.
        Partial = ("PR", "Partial remission"),
        NoResponse = ("NR", "No response / refractory"),
        Relapse = ("RELAPSE", "Relapse"),
        NotEvaluable = ("NE", "Not evaluable"),
    }
}

vocabulary! {
    /// iwCLL 2018 response (general knowledge, to verify against Hallek 2018).
    pub enum IwcllResponse: "iwCLL 2018 response" {
        Complete = ("CR", "Complete response"),
        CompleteIncompleteRecovery = ("CRI", "Complete response with incomplete marrow recovery (CRi)"),
        Partial = ("PR", "Partial response"),
        PartialWithLymphocytosis = ("PRL", "Partial response with lymphocytosis"),
        Stable = ("SD", "Stable disease"),
        Progressive = ("PD", "Progressive disease"),
        NotEvaluable = ("NE", "Not evaluable"),
    }
}

vocabulary! {
    /// CIBMTR's generic best-response codes for malignant disease (domain.md §4.11, [S8]); used
    /// for diseases without their own criteria.
    pub enum GenericResponse: "response (CIBMTR generic)" {
        ContinuedComplete = ("CCR", "Continued complete remission"),
        Complete = ("CR", "Complete remission"),
        Partial = ("PR", "Partial response"),
        NoResponse = ("NR", "No response / stable disease"),
        Progressive = ("PD", "Disease progression"),
        NotEvaluated = ("NE", "Not evaluated"),
    }
}

/// A response under its own criteria. Stored as two columns: the criteria code and the
/// response code (`"IMWG2016"`, `"VGPR"`); build it with [`Response::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Response {
    Lugano(LuganoResponse),
    Imwg(ImwgResponse),
    All(AllResponse),
    Iwcll(IwcllResponse),
    Other(GenericResponse),
}

/// Two responses under different criteria cannot be compared (best overall response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("responses under different criteria cannot be compared: {first} and {second}")]
pub struct MixedCriteria {
    pub first: ResponseCriteria,
    pub second: ResponseCriteria,
}

impl Response {
    /// Parses a response code under the given criteria; the error names that criteria's codes.
    pub fn parse(criteria: ResponseCriteria, code: &str) -> Result<Self, UnknownCode> {
        Ok(match criteria {
            ResponseCriteria::Lugano2014 => Self::Lugano(LuganoResponse::parse(code)?),
            ResponseCriteria::Imwg2016 => Self::Imwg(ImwgResponse::parse(code)?),
            ResponseCriteria::BAll => Self::All(AllResponse::parse(code)?),
            ResponseCriteria::Iwcll2018 => Self::Iwcll(IwcllResponse::parse(code)?),
            ResponseCriteria::Other => Self::Other(GenericResponse::parse(code)?),
        })
    }

    /// The criteria this response is expressed in.
    pub fn criteria(self) -> ResponseCriteria {
        match self {
            Self::Lugano(_) => ResponseCriteria::Lugano2014,
            Self::Imwg(_) => ResponseCriteria::Imwg2016,
            Self::All(_) => ResponseCriteria::BAll,
            Self::Iwcll(_) => ResponseCriteria::Iwcll2018,
            Self::Other(_) => ResponseCriteria::Other,
        }
    }

    /// The stored response code (unique within its criteria).
    pub fn code(self) -> &'static str {
        match self {
            Self::Lugano(r) => r.code(),
            Self::Imwg(r) => r.code(),
            Self::All(r) => r.code(),
            Self::Iwcll(r) => r.code(),
            Self::Other(r) => r.code(),
        }
    }

    /// The label a person reads.
    pub fn label(self) -> &'static str {
        match self {
            Self::Lugano(r) => r.label(),
            Self::Imwg(r) => r.label(),
            Self::All(r) => r.label(),
            Self::Iwcll(r) => r.label(),
            Self::Other(r) => r.label(),
        }
    }

    /// Counts toward the overall response rate (domain.md §6.2): Lugano CR or PR; IMWG PR or
    /// better (PR, VGPR, CR, sCR); B-ALL CR or CRi (overall remission, ELIANA [P5]); iwCLL CR,
    /// CRi, PR or PR-L; generic CCR, CR or PR.
    pub fn is_responder(self) -> bool {
        use ImwgResponse as I;
        match self {
            Self::Lugano(r) => matches!(r, LuganoResponse::Complete | LuganoResponse::Partial),
            Self::Imwg(r) => {
                matches!(
                    r,
                    I::StringentComplete | I::Complete | I::VeryGoodPartial | I::Partial
                )
            }
            Self::All(r) => {
                matches!(
                    r,
                    AllResponse::Complete | AllResponse::CompleteIncompleteRecovery
                )
            }
            Self::Iwcll(r) => matches!(
                r,
                IwcllResponse::Complete
                    | IwcllResponse::CompleteIncompleteRecovery
                    | IwcllResponse::Partial
                    | IwcllResponse::PartialWithLymphocytosis
            ),
            Self::Other(r) => matches!(
                r,
                GenericResponse::ContinuedComplete
                    | GenericResponse::Complete
                    | GenericResponse::Partial
            ),
        }
    }

    /// Counts toward the complete-response rate (domain.md §6.2): Lugano CR; IMWG CR or sCR
    /// ("≥CR" [G3]); B-ALL CR only (CRi counts as a responder, not a CR: FELIX reports CR 55%
    /// and CRi 21% apart [P9]); iwCLL CR or CRi; generic CCR or CR.
    pub fn is_complete_response(self) -> bool {
        match self {
            Self::Lugano(r) => r == LuganoResponse::Complete,
            Self::Imwg(r) => matches!(r, ImwgResponse::StringentComplete | ImwgResponse::Complete),
            Self::All(r) => r == AllResponse::Complete,
            Self::Iwcll(r) => {
                matches!(
                    r,
                    IwcllResponse::Complete | IwcllResponse::CompleteIncompleteRecovery
                )
            }
            Self::Other(r) => {
                matches!(
                    r,
                    GenericResponse::ContinuedComplete | GenericResponse::Complete
                )
            }
        }
    }

    /// `false` if the assessment could not be made (not evaluable / not done): such an
    /// assessment never sets best overall response when an evaluable one exists.
    pub fn is_evaluable(self) -> bool {
        self.rank() > 0
    }

    /// Rank for best overall response within one criteria: higher is better, 0 = not
    /// evaluable or not done, 1 = progression or relapse. Ranks are comparable only within the
    /// same criteria.
    pub fn rank(self) -> u8 {
        match self {
            Self::Lugano(r) => match r {
                LuganoResponse::Complete => 4,
                LuganoResponse::Partial => 3,
                LuganoResponse::Stable => 2,
                LuganoResponse::Progressive => 1,
                LuganoResponse::NotEvaluable | LuganoResponse::NotDone => 0,
            },
            Self::Imwg(r) => match r {
                ImwgResponse::StringentComplete => 7,
                ImwgResponse::Complete => 6,
                ImwgResponse::VeryGoodPartial => 5,
                ImwgResponse::Partial => 4,
                ImwgResponse::Minimal => 3,
                ImwgResponse::Stable => 2,
                ImwgResponse::Progressive => 1,
                ImwgResponse::NotEvaluable => 0,
            },
            Self::All(r) => match r {
                AllResponse::Complete => 6,
                AllResponse::CompleteIncompleteRecovery => 5,
                AllResponse::MorphologicLeukaemiaFree => 4,
                AllResponse::Partial => 3,
                AllResponse::NoResponse => 2,
                AllResponse::Relapse => 1,
                AllResponse::NotEvaluable => 0,
            },
            Self::Iwcll(r) => match r {
                IwcllResponse::Complete => 6,
                IwcllResponse::CompleteIncompleteRecovery => 5,
                IwcllResponse::Partial => 4,
                IwcllResponse::PartialWithLymphocytosis => 3,
                IwcllResponse::Stable => 2,
                IwcllResponse::Progressive => 1,
                IwcllResponse::NotEvaluable => 0,
            },
            Self::Other(r) => match r {
                GenericResponse::ContinuedComplete | GenericResponse::Complete => 4,
                GenericResponse::Partial => 3,
                GenericResponse::NoResponse => 2,
                GenericResponse::Progressive => 1,
                GenericResponse::NotEvaluated => 0,
            },
        }
    }

    /// Every response of the given criteria, best first.
    pub fn all_for(criteria: ResponseCriteria) -> Vec<Self> {
        let mut all: Vec<Self> = match criteria {
            ResponseCriteria::Lugano2014 => LuganoResponse::ALL
                .iter()
                .map(|r| Self::Lugano(*r))
                .collect(),
            ResponseCriteria::Imwg2016 => {
                ImwgResponse::ALL.iter().map(|r| Self::Imwg(*r)).collect()
            }
            ResponseCriteria::BAll => AllResponse::ALL.iter().map(|r| Self::All(*r)).collect(),
            ResponseCriteria::Iwcll2018 => {
                IwcllResponse::ALL.iter().map(|r| Self::Iwcll(*r)).collect()
            }
            ResponseCriteria::Other => GenericResponse::ALL
                .iter()
                .map(|r| Self::Other(*r))
                .collect(),
        };
        all.sort_by_key(|r| std::cmp::Reverse(r.rank()));
        all
    }
}

impl fmt::Display for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Best overall response: the highest-ranked of the assessments given, the earliest on ties
/// (pass them in date order). The caller passes only assessments after Day 0 and before any
/// therapy for relapse or progression, which cannot upgrade it (domain.md §0.6, §9, [S8]);
/// consolidation or maintenance therapy does not stop the window. `Ok(None)` if none given;
/// an error if the criteria differ.
pub fn best_overall_response<I>(responses: I) -> Result<Option<Response>, MixedCriteria>
where
    I: IntoIterator<Item = Response>,
{
    let mut best: Option<Response> = None;
    for r in responses {
        match best {
            None => best = Some(r),
            Some(b) if b.criteria() != r.criteria() => {
                return Err(MixedCriteria {
                    first: b.criteria(),
                    second: r.criteria(),
                });
            }
            Some(b) if r.rank() > b.rank() => best = Some(r),
            Some(_) => {}
        }
    }
    Ok(best)
}

/// Best overall response of one infusion from dated assessments (domain.md §0.6, §9, [S8]):
/// only assessments after Day 0 and, if therapy for relapse or progression was started, on or
/// before its start date (an assessment that day is the pre-treatment one) are considered; the
/// best of those wins, the earliest on ties. Returns the response and the date it was first
/// seen. Consolidation or maintenance therapy does not close the window
/// ([`crate::domain::therapy::TherapyIntent::keeps_best_response_window`]).
pub fn best_overall_response_dated(
    day0: NaiveDate,
    assessments: &[(NaiveDate, Response)],
    relapse_therapy_start: Option<NaiveDate>,
) -> Result<Option<(NaiveDate, Response)>, MixedCriteria> {
    let mut eligible: Vec<(NaiveDate, Response)> = assessments
        .iter()
        .copied()
        .filter(|(d, _)| *d > day0 && relapse_therapy_start.is_none_or(|t| *d <= t))
        .collect();
    eligible.sort_by_key(|(d, _)| *d);
    let Some(best) = best_overall_response(eligible.iter().map(|(_, r)| *r))? else {
        return Ok(None);
    };
    Ok(eligible.into_iter().find(|(_, r)| r.rank() == best.rank()))
}

vocabulary! {
    /// Minimal residual disease result (domain.md §3.5).
    pub enum MrdStatus: "MRD status" {
        Negative = ("NEG", "MRD negative"),
        Positive = ("POS", "MRD positive"),
        Indeterminate = ("INDET", "Indeterminate"),
    }
}

vocabulary! {
    /// How MRD was measured (domain.md §3.5, §4.4-4.5).
    pub enum MrdMethod: "MRD method" {
        Flow = ("FLOW", "Flow cytometry"),
        /// Next-generation flow (EuroFlow), myeloma [G3].
        NextGenerationFlow = ("NGF", "Next-generation flow"),
        /// Next-generation sequencing (e.g. clonoSEQ).
        Ngs = ("NGS", "Next-generation sequencing"),
        Pcr = ("PCR", "PCR (ASO/fusion transcript)"),
        Imaging = ("IMAGING", "Imaging (PET-CT)"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// The MRD assay's sensitivity (domain.md §3.5): myeloma MRD-negative is defined at ≥10⁻⁵
    /// [G3]; B-ALL at 10⁻⁴ by flow [G4].
    pub enum MrdSensitivity: "MRD sensitivity" {
        E4 = ("E4", "10⁻⁴ (0.01%)"),
        E5 = ("E5", "10⁻⁵ (0.001%)"),
        E6 = ("E6", "10⁻⁶ (0.0001%)"),
    }
}

vocabulary! {
    /// How a response was assessed (domain.md §3.5).
    pub enum AssessmentMethod: "response assessment method" {
        PetCt = ("PET_CT", "PET-CT"),
        Ct = ("CT", "CT"),
        Mri = ("MRI", "MRI"),
        BoneMarrow = ("BM", "Bone marrow aspirate/biopsy"),
        FlowMrd = ("FLOW_MRD", "Flow cytometry MRD"),
        NgsMrd = ("NGS_MRD", "NGS MRD"),
        Pcr = ("PCR", "PCR"),
        Electrophoresis = ("SPEP_UPEP_IFE", "Serum/urine electrophoresis and immunofixation"),
        FreeLightChains = ("SFLC", "Serum free light chains"),
        Clinical = ("CLINICAL", "Clinical assessment"),
    }
}

vocabulary! {
    /// Who assessed the response (domain.md §3.5).
    pub enum Assessor: "response assessor" {
        Investigator = ("INVESTIGATOR", "Investigator"),
        CentralReview = ("CENTRAL", "Central review"),
    }
}

vocabulary! {
    /// How relapse or progression was first detected (domain.md §4.10, [S17]).
    pub enum RelapseMethod: "relapse detection method" {
        Molecular = ("MOLECULAR", "Molecular"),
        Flow = ("FLOW", "Flow cytometry"),
        CytogeneticFish = ("CYTO_FISH", "Cytogenetic / FISH"),
        Radiological = ("RADIOLOGICAL", "Radiological"),
        Clinical = ("CLINICAL", "Clinical / haematological"),
    }
}

vocabulary! {
    /// Target-antigen expression at relapse: antigen escape (CD19-negative relapse; CIBMTR 4101,
    /// domain.md §4.5).
    pub enum RelapseAntigenStatus: "antigen status at relapse" {
        Negative = ("NEG", "Target antigen negative (antigen escape)"),
        Positive = ("POS", "Target antigen positive"),
        Dim = ("DIM", "Target antigen dim / partial"),
    }
}

/// Deauville five-point score of a PET scan, 1 to 5 (domain.md §4.3, [G2]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "u8", into = "u8")]
pub struct DeauvilleScore(u8);

/// A Deauville score outside 1-5.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{given:?} is not a Deauville score; allowed: 1, 2, 3, 4, 5")]
pub struct InvalidDeauvilleScore {
    pub given: String,
}

impl DeauvilleScore {
    /// A score from its number.
    pub fn new(score: u8) -> Result<Self, InvalidDeauvilleScore> {
        if (1..=5).contains(&score) {
            Ok(Self(score))
        } else {
            Err(InvalidDeauvilleScore {
                given: score.to_string(),
            })
        }
    }

    /// Parses `"1"`..`"5"`.
    pub fn parse(input: &str) -> Result<Self, InvalidDeauvilleScore> {
        let bad = || InvalidDeauvilleScore {
            given: input.to_owned(),
        };
        input
            .trim()
            .parse::<u8>()
            .map_err(|_| bad())
            .and_then(|n| Self::new(n).map_err(|_| bad()))
    }

    /// The score, 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Scores 1-3 are a complete metabolic response (with no new lesions or marrow disease) [G2].
    pub fn is_complete_metabolic(self) -> bool {
        self.0 <= 3
    }

    /// What the score means [G2].
    pub fn label(self) -> &'static str {
        match self.0 {
            1 => "1: no uptake",
            2 => "2: uptake ≤ mediastinum",
            3 => "3: uptake > mediastinum but ≤ liver",
            4 => "4: uptake moderately > liver",
            _ => "5: uptake markedly > liver and/or new lesions",
        }
    }
}

impl TryFrom<u8> for DeauvilleScore {
    type Error = InvalidDeauvilleScore;
    fn try_from(n: u8) -> Result<Self, Self::Error> {
        Self::new(n)
    }
}

impl From<DeauvilleScore> for u8 {
    fn from(s: DeauvilleScore) -> Self {
        s.0
    }
}

impl fmt::Display for DeauvilleScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The input a message about a response assessment belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseField {
    Response,
    Method,
    DeauvilleScore,
    MrdStatus,
    MrdMethod,
    MrdSensitivity,
    Assessor,
}

impl ResponseField {
    /// The column it is stored in, which names its input on the correction form.
    pub fn column(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Method => "method",
            Self::DeauvilleScore => "deauville_score",
            Self::MrdStatus => "mrd_status",
            Self::MrdMethod => "mrd_method",
            Self::MrdSensitivity => "mrd_sensitivity",
            Self::Assessor => "assessor",
        }
    }
}

/// A response assessment as read from a form (domain.md §3.5): the criteria of the disease, the
/// response by them, how it was assessed, the Deauville score of a PET, and the MRD result with
/// its method and the assay's sensitivity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponseDetails {
    pub criteria: ResponseCriteria,
    pub response: Option<Response>,
    pub method: Option<AssessmentMethod>,
    pub deauville_score: Option<DeauvilleScore>,
    pub mrd_status: Option<MrdStatus>,
    pub mrd_method: Option<MrdMethod>,
    pub mrd_sensitivity: Option<MrdSensitivity>,
}

impl ResponseDetails {
    /// Details with only the criteria known.
    pub fn by(criteria: ResponseCriteria) -> Self {
        Self {
            criteria,
            response: None,
            method: None,
            deauville_score: None,
            mrd_status: None,
            mrd_method: None,
            mrd_sensitivity: None,
        }
    }

    /// What is wrong across the details, each message with the input it belongs beside; empty
    /// when they may be stored.
    ///
    /// - A Deauville score grades a PET under Lugano 2014 only (§3.5, §4.3; the schema's
    ///   `response_assessments_deauville_is_lugano`), so with a method it is PET-CT.
    /// - By PET-CT under Lugano 2014 (§4.3 [G2]), a complete metabolic response is Deauville 1-3;
    ///   a partial response or stable disease is Deauville 4-5 (reduced or unchanged uptake).
    /// - The MRD method and the assay's sensitivity describe an MRD result, so need its status
    ///   (§3.5; the schema's `response_assessments_mrd_details_need_status`).
    /// - IMWG 2016 defines MRD negativity at 10⁻⁵ or deeper (§4.4 [G3]): a 10⁻⁴ assay cannot
    ///   report myeloma MRD negative.
    pub fn problems(&self) -> Vec<(ResponseField, String)> {
        use ResponseField as F;
        let mut problems = Vec::new();
        if let Some(score) = self.deauville_score {
            if self.criteria != ResponseCriteria::Lugano2014 {
                problems.push((
                    F::DeauvilleScore,
                    format!(
                        "A Deauville score belongs to Lugano 2014 (lymphoma PET); this disease is \
                         assessed by {}: leave it blank.",
                        self.criteria.label()
                    ),
                ));
            } else if self.method.is_some_and(|m| m != AssessmentMethod::PetCt) {
                problems.push((
                    F::DeauvilleScore,
                    "A Deauville score grades a PET-CT: choose that method, or leave the score \
                     blank."
                        .to_owned(),
                ));
            } else if let Some(message) = self.deauville_mismatch(score) {
                problems.push((F::Response, message));
            }
        }
        if self.mrd_status.is_none() {
            if self.mrd_method.is_some() {
                problems.push((
                    F::MrdMethod,
                    "An MRD method goes with an MRD status: give the status, or leave the method \
                     blank."
                        .to_owned(),
                ));
            }
            if self.mrd_sensitivity.is_some() {
                problems.push((
                    F::MrdSensitivity,
                    "An MRD sensitivity goes with an MRD status: give the status, or leave the \
                     sensitivity blank."
                        .to_owned(),
                ));
            }
        } else if self.criteria == ResponseCriteria::Imwg2016
            && self.mrd_status == Some(MrdStatus::Negative)
            && self.mrd_sensitivity == Some(MrdSensitivity::E4)
        {
            problems.push((
                F::MrdSensitivity,
                "IMWG 2016 defines MRD negative at 10⁻⁵ or deeper: a 10⁻⁴ assay cannot report \
                 myeloma MRD negative."
                    .to_owned(),
            ));
        }
        problems
    }

    /// The Lugano 2014 PET-CT rule (domain.md §4.3 [G2]): CR is Deauville 1-3; PR and SD are
    /// 4-5. Other responses (progression, not evaluable) are not bound to a score here.
    fn deauville_mismatch(&self, score: DeauvilleScore) -> Option<String> {
        let Some(Response::Lugano(response)) = self.response else {
            return None;
        };
        match response {
            LuganoResponse::Complete if !score.is_complete_metabolic() => Some(format!(
                "Deauville {score} is not a complete metabolic response: by PET-CT a CR is \
                 Deauville 1-3 (Lugano 2014)."
            )),
            LuganoResponse::Partial | LuganoResponse::Stable if score.is_complete_metabolic() => {
                Some(format!(
                    "Deauville {score} is a complete metabolic response: by PET-CT a PR or SD is \
                     Deauville 4-5 (Lugano 2014)."
                ))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lugano(code: &str) -> Response {
        Response::parse(ResponseCriteria::Lugano2014, code).unwrap()
    }

    #[test]
    fn responder_and_cr_rules_follow_section_6_2() {
        assert!(lugano("PR").is_responder());
        assert!(!lugano("PR").is_complete_response());
        assert!(!lugano("SD").is_responder());
        let imwg = |c| Response::parse(ResponseCriteria::Imwg2016, c).unwrap();
        assert!(imwg("PR").is_responder());
        assert!(imwg("VGPR").is_responder());
        assert!(!imwg("MR").is_responder());
        assert!(imwg("SCR").is_complete_response());
        assert!(imwg("CR").is_complete_response());
        assert!(!imwg("VGPR").is_complete_response());
        let all = |c| Response::parse(ResponseCriteria::BAll, c).unwrap();
        assert!(all("CRI").is_responder());
        assert!(!all("CRI").is_complete_response());
        assert!(!all("MLFS").is_responder());
    }

    #[test]
    fn every_complete_response_is_a_responder_and_ranks_above_every_non_responder() {
        for c in ResponseCriteria::ALL {
            let all = Response::all_for(*c);
            for r in &all {
                assert_eq!(r.criteria(), *c);
                assert_eq!(Response::parse(*c, r.code()), Ok(*r));
                if r.is_complete_response() {
                    assert!(r.is_responder(), "{r:?}");
                }
                for other in &all {
                    if r.is_responder() && !other.is_responder() {
                        assert!(r.rank() > other.rank(), "{r:?} vs {other:?}");
                    }
                    if r.is_complete_response() && !other.is_complete_response() {
                        assert!(r.rank() > other.rank(), "{r:?} vs {other:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn best_overall_response_takes_the_best_and_refuses_mixed_criteria() {
        let seq = ["NE", "PR", "SD", "CR", "PD"].map(lugano);
        assert_eq!(best_overall_response(seq), Ok(Some(lugano("CR"))));
        assert_eq!(
            best_overall_response(["ND", "PD"].map(lugano)),
            Ok(Some(lugano("PD")))
        );
        assert_eq!(best_overall_response([]), Ok(None));
        let mm = Response::parse(ResponseCriteria::Imwg2016, "CR").unwrap();
        assert!(best_overall_response([lugano("PR"), mm]).is_err());
    }

    #[test]
    fn dated_best_response_ignores_baseline_and_post_relapse_therapy() {
        let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
        let day0 = d(1, 10);
        let assessments = [
            (d(1, 3), lugano("CR")), // before Day 0: baseline, ignored
            (d(2, 7), lugano("PR")),
            (d(4, 10), lugano("PD")),
            (d(7, 1), lugano("CR")), // after therapy for progression, ignored
            (d(5, 2), lugano("PR")), // the day therapy started: still counts
        ];
        assert_eq!(
            best_overall_response_dated(day0, &assessments, Some(d(5, 2))),
            Ok(Some((d(2, 7), lugano("PR"))))
        );
        assert_eq!(
            best_overall_response_dated(day0, &assessments, None),
            Ok(Some((d(7, 1), lugano("CR"))))
        );
        assert_eq!(
            best_overall_response_dated(day0, &assessments[..1], None),
            Ok(None)
        );
    }

    #[test]
    fn response_parse_names_the_criteria_codes() {
        let err = Response::parse(ResponseCriteria::Imwg2016, "CRi")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("IMWG") && err.contains("VGPR") && err.contains("SCR"),
            "{err}"
        );
    }

    #[test]
    fn deauville_scores_are_one_to_five() {
        assert!(DeauvilleScore::new(0).is_err());
        assert!(DeauvilleScore::new(6).is_err());
        assert!(
            DeauvilleScore::parse("x")
                .unwrap_err()
                .to_string()
                .contains("1, 2, 3, 4, 5")
        );
        assert!(DeauvilleScore::parse(" 3").unwrap().is_complete_metabolic());
        assert!(!DeauvilleScore::new(4).unwrap().is_complete_metabolic());
        for n in 1..=5 {
            assert!(
                DeauvilleScore::new(n)
                    .unwrap()
                    .label()
                    .starts_with(&n.to_string())
            );
        }
    }

    fn details(criteria: ResponseCriteria) -> ResponseDetails {
        ResponseDetails::by(criteria)
    }

    fn fields(d: ResponseDetails) -> Vec<ResponseField> {
        d.problems().into_iter().map(|(f, _)| f).collect()
    }

    fn score(n: u8) -> Option<DeauvilleScore> {
        Some(DeauvilleScore::new(n).unwrap())
    }

    #[test]
    fn a_response_with_every_detail_consistent_is_enough() {
        let d = ResponseDetails {
            response: Some(lugano("CR")),
            method: Some(AssessmentMethod::PetCt),
            deauville_score: score(3),
            mrd_status: Some(MrdStatus::Negative),
            mrd_method: Some(MrdMethod::Ngs),
            mrd_sensitivity: Some(MrdSensitivity::E6),
            ..details(ResponseCriteria::Lugano2014)
        };
        assert!(d.problems().is_empty(), "{:?}", d.problems());
        assert!(details(ResponseCriteria::Other).problems().is_empty());
    }

    #[test]
    fn a_deauville_score_belongs_to_lugano_and_a_pet_ct() {
        for c in ResponseCriteria::ALL {
            let d = ResponseDetails {
                deauville_score: score(4),
                ..details(*c)
            };
            let expected: &[ResponseField] = if *c == ResponseCriteria::Lugano2014 {
                &[]
            } else {
                &[ResponseField::DeauvilleScore]
            };
            assert_eq!(fields(d), expected, "{c:?}");
        }
        let lugano_scored = ResponseDetails {
            deauville_score: score(2),
            ..details(ResponseCriteria::Lugano2014)
        };
        for m in AssessmentMethod::ALL {
            let d = ResponseDetails {
                method: Some(*m),
                ..lugano_scored
            };
            let ok = *m == AssessmentMethod::PetCt;
            assert_eq!(d.problems().is_empty(), ok, "{m:?}");
        }
    }

    #[test]
    fn by_pet_ct_a_lugano_cr_is_deauville_1_to_3_and_a_pr_or_sd_4_to_5() {
        for (code, n, ok) in [
            ("CR", 1, true),
            ("CR", 3, true),
            ("CR", 4, false),
            ("CR", 5, false),
            ("PR", 3, false),
            ("PR", 4, true),
            ("SD", 2, false),
            ("SD", 5, true),
            ("PD", 2, true),
            ("NE", 5, true),
        ] {
            let d = ResponseDetails {
                response: Some(lugano(code)),
                method: Some(AssessmentMethod::PetCt),
                deauville_score: score(n),
                ..details(ResponseCriteria::Lugano2014)
            };
            let expected: &[ResponseField] = if ok { &[] } else { &[ResponseField::Response] };
            assert_eq!(fields(d), expected, "{code} with Deauville {n}");
        }
    }

    #[test]
    fn mrd_method_and_sensitivity_need_an_mrd_status() {
        let d = ResponseDetails {
            mrd_method: Some(MrdMethod::Flow),
            mrd_sensitivity: Some(MrdSensitivity::E5),
            ..details(ResponseCriteria::BAll)
        };
        assert_eq!(
            fields(d),
            [ResponseField::MrdMethod, ResponseField::MrdSensitivity]
        );
        let with_status = ResponseDetails {
            mrd_status: Some(MrdStatus::Positive),
            ..d
        };
        assert!(with_status.problems().is_empty());
    }

    #[test]
    fn myeloma_mrd_negative_is_measured_at_ten_to_the_minus_five_or_deeper() {
        let negative = |criteria, sensitivity| ResponseDetails {
            mrd_status: Some(MrdStatus::Negative),
            mrd_sensitivity: Some(sensitivity),
            ..details(criteria)
        };
        assert_eq!(
            fields(negative(ResponseCriteria::Imwg2016, MrdSensitivity::E4)),
            [ResponseField::MrdSensitivity]
        );
        assert!(
            negative(ResponseCriteria::Imwg2016, MrdSensitivity::E5)
                .problems()
                .is_empty()
        );
        // B-ALL MRD negative is defined at 10⁻⁴ by flow (§4.5).
        assert!(
            negative(ResponseCriteria::BAll, MrdSensitivity::E4)
                .problems()
                .is_empty()
        );
        let positive = ResponseDetails {
            mrd_status: Some(MrdStatus::Positive),
            ..negative(ResponseCriteria::Imwg2016, MrdSensitivity::E4)
        };
        assert!(positive.problems().is_empty());
    }
}
