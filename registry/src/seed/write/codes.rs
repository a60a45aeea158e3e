//! The registry's codes for the simulation's values, one function per vocabulary, in the order
//! of the forms: the patient, the diagnosis, the treatment course, the follow-up, responses,
//! toxicities, persistence and labs, immunoglobulin, infections, new malignancies, subsequent
//! therapies, causes of death. Each is a plain translation; rules that combine several facts
//! (an ICANS component drawn from the grade, an infection's outcome) stay with their section.

use super::sql::Values;
use crate::domain::Vocabulary;
use crate::domain::death::CauseOfDeath;
use crate::domain::diagnosis::{Disease as DxDisease, PriorTransplant, RefractoryStatus};
use crate::domain::follow_up::{ContactType, FormStatus};
use crate::domain::immunoglobulin::{IgIndication, IgProduct};
use crate::domain::infection::{InfectionSeverity, InfectionSite, Organism, OrganismClass};
use crate::domain::lab::{LabAnalyte, LabUnit};
use crate::domain::malignancy::{NewMalignancyType, TransgeneResult};
use crate::domain::missing::YesNo;
use crate::domain::patient::{LtfuStatus, Sex};
use crate::domain::product::{BridgingTherapy, LymphodepletionRegimen, Product as DomainProduct};
use crate::domain::response::{
    AllResponse, AssessmentMethod, ImwgResponse, LuganoResponse, RelapseAntigenStatus,
    RelapseMethod, ResponseCriteria,
};
use crate::domain::therapy::{SubsequentTherapyCategory, TherapyIntent};
use crate::domain::toxicity::{
    CrsGrade, CtcaeGrade, Hypotension, Hypoxia, IcansGrade, ToxicityTreatment,
};
use crate::seed::parameters::{Lymphodepletion, Product};
use crate::seed::simulate::{
    self as sim, CauseOfDeath as SimCause, Criteria, Organism as SimOrganism,
    OrganismClass as SimClass, Refractory, RelapseMethod as SimRelapse, Response, Subtype,
    ToxicityKind,
};

pub(super) fn yes_no(value: bool) -> YesNo {
    if value { YesNo::Yes } else { YesNo::No }
}

pub(super) fn sex(sex: sim::Sex) -> Sex {
    match sex {
        sim::Sex::Male => Sex::Male,
        sim::Sex::Female => Sex::Female,
    }
}

pub(super) fn ltfu_status(status: sim::FollowUpStatus) -> LtfuStatus {
    match status {
        sim::FollowUpStatus::Active => LtfuStatus::Active,
        sim::FollowUpStatus::Lost => LtfuStatus::Lost,
        sim::FollowUpStatus::Withdrawn => LtfuStatus::Withdrawn,
        sim::FollowUpStatus::Transferred => LtfuStatus::Transferred,
        sim::FollowUpStatus::Dead => LtfuStatus::Dead,
    }
}

pub(super) fn disease_code(subtype: Subtype) -> DxDisease {
    match subtype {
        Subtype::DlbclNos => DxDisease::DlbclNos,
        Subtype::HgbclDoubleHit => DxDisease::HgbclDoubleTripleHit,
        Subtype::TransformedFl => DxDisease::TransformedFl,
        Subtype::Pmbcl => DxDisease::Pmbcl,
        Subtype::Fl => DxDisease::Fl,
        Subtype::Mcl => DxDisease::Mcl,
        Subtype::BAllPhNeg | Subtype::BAllPhPos => DxDisease::BAll,
        Subtype::MmStandardRisk | Subtype::MmHighRisk => DxDisease::Mm,
    }
}

pub(super) fn refractory_code(refractory: Refractory) -> Option<RefractoryStatus> {
    Some(match refractory {
        Refractory::PrimaryRefractory => RefractoryStatus::PrimaryRefractory,
        Refractory::RelapsedWithin12Months => RefractoryStatus::RelapsedWithin12Months,
        Refractory::RelapsedAfter12Months => RefractoryStatus::RelapsedAfter12Months,
        Refractory::RefractoryToLastLine => RefractoryStatus::RefractoryToLastLine,
        Refractory::TripleClassRefractory => RefractoryStatus::TripleClassRefractory,
        Refractory::Unknown => return None,
    })
}

/// The myeloma's R-ISS stage (1 to 3) as the form writes it.
pub(super) fn riss_stage(stage: u8) -> &'static str {
    match stage {
        1 => "I",
        2 => "II",
        _ => "III",
    }
}

pub(super) fn prior_transplant(prior: sim::PriorHct) -> PriorTransplant {
    match prior {
        sim::PriorHct::None => PriorTransplant::None,
        sim::PriorHct::Autologous => PriorTransplant::Autologous,
        sim::PriorHct::Allogeneic => PriorTransplant::Allogeneic,
    }
}

pub(super) fn product_code(product: Product) -> DomainProduct {
    match product {
        Product::TisaCel => DomainProduct::TisaCel,
        Product::AxiCel => DomainProduct::AxiCel,
        Product::BrexuCel => DomainProduct::BrexuCel,
        Product::LisoCel => DomainProduct::LisoCel,
        Product::IdeCel => DomainProduct::IdeCel,
        Product::CiltaCel => DomainProduct::CiltaCel,
        Product::ObeCel => DomainProduct::ObeCel,
    }
}

pub(super) fn bridging_therapy(kind: sim::BridgingKind) -> BridgingTherapy {
    match kind {
        sim::BridgingKind::Chemotherapy => BridgingTherapy::Chemotherapy,
        sim::BridgingKind::Radiotherapy => BridgingTherapy::Radiotherapy,
        sim::BridgingKind::Steroids => BridgingTherapy::Corticosteroids,
        sim::BridgingKind::Targeted => BridgingTherapy::Targeted,
    }
}

pub(super) fn lymphodepletion_regimen(regimen: Lymphodepletion) -> LymphodepletionRegimen {
    match regimen {
        Lymphodepletion::FluCy { .. } => LymphodepletionRegimen::FluCy,
        Lymphodepletion::Bendamustine { .. } => LymphodepletionRegimen::Bendamustine,
    }
}

pub(super) fn contact_type(contact: sim::ContactType) -> ContactType {
    match contact {
        sim::ContactType::ClinicVisit => ContactType::ClinicVisit,
        sim::ContactType::OutsideRecords => ContactType::OutsideRecords,
        sim::ContactType::Phone => ContactType::Phone,
        sim::ContactType::SurvivalTool => ContactType::SurvivalTool,
    }
}

pub(super) fn form_status(status: sim::FormStatus) -> FormStatus {
    match status {
        sim::FormStatus::InProgress => FormStatus::InProgress,
        sim::FormStatus::Complete => FormStatus::Complete,
        sim::FormStatus::Verified => FormStatus::Verified,
        sim::FormStatus::Locked => FormStatus::Locked,
    }
}

pub(super) fn relapse_method(method: SimRelapse) -> RelapseMethod {
    match method {
        SimRelapse::Molecular => RelapseMethod::Molecular,
        SimRelapse::Flow => RelapseMethod::Flow,
        SimRelapse::CytogeneticFish => RelapseMethod::CytogeneticFish,
        SimRelapse::Radiological => RelapseMethod::Radiological,
        SimRelapse::ClinicalHematologic => RelapseMethod::Clinical,
    }
}

/// CD19 on the relapsed disease: negative (antigen escape) or positive.
pub(super) fn relapse_antigen_status(cd19_negative: bool) -> RelapseAntigenStatus {
    if cd19_negative {
        RelapseAntigenStatus::Negative
    } else {
        RelapseAntigenStatus::Positive
    }
}

/// The criteria and the response code on its own list.
pub(super) fn response_code(
    criteria: Criteria,
    response: Response,
) -> (ResponseCriteria, &'static str) {
    match criteria {
        Criteria::Lugano2014 => (
            ResponseCriteria::Lugano2014,
            match response {
                Response::StringentCr | Response::Cr => LuganoResponse::Complete,
                Response::CrIncompleteRecovery | Response::Vgpr | Response::Pr => {
                    LuganoResponse::Partial
                }
                Response::Sd | Response::NoResponse => LuganoResponse::Stable,
                Response::Pd => LuganoResponse::Progressive,
                Response::NotEvaluable => LuganoResponse::NotEvaluable,
            }
            .code(),
        ),
        Criteria::Imwg2016 => (
            ResponseCriteria::Imwg2016,
            match response {
                Response::StringentCr => ImwgResponse::StringentComplete,
                Response::Cr | Response::CrIncompleteRecovery => ImwgResponse::Complete,
                Response::Vgpr => ImwgResponse::VeryGoodPartial,
                Response::Pr => ImwgResponse::Partial,
                Response::Sd | Response::NoResponse => ImwgResponse::Stable,
                Response::Pd => ImwgResponse::Progressive,
                Response::NotEvaluable => ImwgResponse::NotEvaluable,
            }
            .code(),
        ),
        Criteria::BAll => (
            ResponseCriteria::BAll,
            match response {
                Response::StringentCr | Response::Cr => AllResponse::Complete,
                Response::CrIncompleteRecovery => AllResponse::CompleteIncompleteRecovery,
                Response::Vgpr | Response::Pr => AllResponse::Partial,
                Response::Sd | Response::NoResponse => AllResponse::NoResponse,
                Response::Pd => AllResponse::Relapse,
                Response::NotEvaluable => AllResponse::NotEvaluable,
            }
            .code(),
        ),
    }
}

pub(super) fn assessment_method(method: sim::AssessmentMethod) -> AssessmentMethod {
    match method {
        sim::AssessmentMethod::PetCt => AssessmentMethod::PetCt,
        sim::AssessmentMethod::Ct => AssessmentMethod::Ct,
        sim::AssessmentMethod::BoneMarrow => AssessmentMethod::BoneMarrow,
        sim::AssessmentMethod::FlowMrd => AssessmentMethod::FlowMrd,
        sim::AssessmentMethod::NgsMrd => AssessmentMethod::NgsMrd,
        sim::AssessmentMethod::Serum => AssessmentMethod::Electrophoresis,
        sim::AssessmentMethod::Clinical => AssessmentMethod::Clinical,
    }
}

/// Writes the max grade on the toxicity's own scale.
pub(super) fn grade_code(v: &mut Values<'_>, kind: ToxicityKind, grade: u8) {
    match kind {
        ToxicityKind::Crs => v.code(match grade {
            0 | 1 => CrsGrade::G1,
            2 => CrsGrade::G2,
            3 => CrsGrade::G3,
            4 => CrsGrade::G4,
            _ => CrsGrade::G5,
        }),
        ToxicityKind::Icans => v.code(match grade {
            0 | 1 => IcansGrade::G1,
            2 => IcansGrade::G2,
            3 => IcansGrade::G3,
            4 => IcansGrade::G4,
            _ => IcansGrade::G5,
        }),
        ToxicityKind::IecHs
        | ToxicityKind::DelayedNeurotoxicity
        | ToxicityKind::EarlyIcaht
        | ToxicityKind::LateIcaht
        | ToxicityKind::Tls
        | ToxicityKind::Hypogammaglobulinaemia => v.code(match grade {
            0 | 1 => CtcaeGrade::G1,
            2 => CtcaeGrade::G2,
            3 => CtcaeGrade::G3,
            4 => CtcaeGrade::G4,
            _ => CtcaeGrade::G5,
        }),
    };
}

/// The CRS hypotension component (ASTCT): what it took to hold the blood pressure.
pub(super) fn hypotension(hypotension: sim::Hypotension) -> Hypotension {
    match hypotension {
        sim::Hypotension::None => Hypotension::None,
        sim::Hypotension::Fluids => Hypotension::NoVasopressor,
        sim::Hypotension::OnePressor => Hypotension::OneVasopressor,
        sim::Hypotension::MultiplePressors => Hypotension::MultipleVasopressors,
    }
}

/// The CRS hypoxia component (ASTCT): the oxygen support needed.
pub(super) fn hypoxia(hypoxia: sim::Hypoxia) -> Hypoxia {
    match hypoxia {
        sim::Hypoxia::None => Hypoxia::None,
        sim::Hypoxia::LowFlow => Hypoxia::LowFlow,
        sim::Hypoxia::HighFlow => Hypoxia::HighFlow,
        sim::Hypoxia::PositivePressure => Hypoxia::PositivePressure,
    }
}

/// The treatment's code, and the agent's name when it is "other".
pub(super) fn toxicity_treatment(agent: sim::Agent) -> (ToxicityTreatment, Option<&'static str>) {
    match agent {
        sim::Agent::Tocilizumab => (ToxicityTreatment::Tocilizumab, None),
        sim::Agent::Corticosteroids => (ToxicityTreatment::Corticosteroids, None),
        sim::Agent::Anakinra => (ToxicityTreatment::Anakinra, None),
        sim::Agent::Vasopressors => (ToxicityTreatment::Vasopressors, None),
        sim::Agent::AntiEpileptics => (ToxicityTreatment::AntiEpileptics, None),
        sim::Agent::GrowthFactor => (ToxicityTreatment::GrowthFactor, None),
        sim::Agent::Other(name) => (ToxicityTreatment::Other, Some(name)),
    }
}

/// The analyte and the unit its values are simulated in (the analyte's normalised unit).
pub(super) fn lab_analyte(analyte: sim::Analyte) -> (LabAnalyte, LabUnit) {
    match analyte {
        sim::Analyte::IgG => (LabAnalyte::Igg, LabUnit::MgPerDl),
        sim::Analyte::Cd19BCells => (LabAnalyte::Cd19Absolute, LabUnit::CellsPerUl),
        sim::Analyte::Anc => (LabAnalyte::Anc, LabUnit::GigaPerL),
        sim::Analyte::Platelets => (LabAnalyte::Platelets, LabUnit::GigaPerL),
    }
}

pub(super) fn ig_product(route: sim::IgRoute) -> IgProduct {
    match route {
        sim::IgRoute::Ivig => IgProduct::Ivig,
        sim::IgRoute::Scig => IgProduct::Scig,
    }
}

pub(super) fn ig_indication(indication: sim::IgIndication) -> IgIndication {
    match indication {
        sim::IgIndication::Hypogammaglobulinaemia => IgIndication::Hypogammaglobulinaemia,
        sim::IgIndication::RecurrentInfection => IgIndication::Infection,
    }
}

pub(super) fn organism_codes(class: SimClass, organism: SimOrganism) -> (OrganismClass, Organism) {
    match organism {
        SimOrganism::EColi => (OrganismClass::GramNegative, Organism::EscherichiaColi),
        SimOrganism::Klebsiella => (OrganismClass::GramNegative, Organism::Klebsiella),
        SimOrganism::Pseudomonas => (OrganismClass::GramNegative, Organism::Pseudomonas),
        SimOrganism::StaphAureus => (OrganismClass::GramPositive, Organism::StaphylococcusAureus),
        SimOrganism::Enterococcus => (OrganismClass::GramPositive, Organism::Enterococcus),
        SimOrganism::CDifficile => (
            OrganismClass::GramPositive,
            Organism::ClostridioidesDifficile,
        ),
        SimOrganism::Cmv => (OrganismClass::Viral, Organism::Cmv),
        SimOrganism::Rsv => (OrganismClass::Viral, Organism::Rsv),
        SimOrganism::Influenza => (OrganismClass::Viral, Organism::Influenza),
        SimOrganism::SarsCov2 => (OrganismClass::Viral, Organism::SarsCov2),
        SimOrganism::Hhv6 => (OrganismClass::Viral, Organism::Hhv6),
        SimOrganism::Adenovirus => (OrganismClass::Viral, Organism::Adenovirus),
        SimOrganism::Bk => (OrganismClass::Viral, Organism::BkVirus),
        SimOrganism::Vzv => (OrganismClass::Viral, Organism::Vzv),
        SimOrganism::Aspergillus => (OrganismClass::Mould, Organism::Aspergillus),
        SimOrganism::Candida => (OrganismClass::Yeast, Organism::Candida),
        SimOrganism::Pjp => (OrganismClass::FungalOther, Organism::Pneumocystis),
        SimOrganism::Unknown => match class {
            SimClass::Bacterial | SimClass::Viral | SimClass::Fungal => {
                (OrganismClass::NoOrganism, Organism::None)
            }
        },
    }
}

/// The infection's CTCAE grade; a simulated grade below 2 is written as grade 2.
pub(super) fn infection_severity(grade: u8) -> InfectionSeverity {
    match grade {
        0..=2 => InfectionSeverity::G2,
        3 => InfectionSeverity::G3,
        4 => InfectionSeverity::G4,
        _ => InfectionSeverity::G5,
    }
}

pub(super) fn infection_site(site: sim::InfectionSite) -> InfectionSite {
    match site {
        sim::InfectionSite::Blood => InfectionSite::Blood,
        sim::InfectionSite::Lung => InfectionSite::Lung,
        sim::InfectionSite::UpperRespiratory => InfectionSite::SinusUpperRespiratory,
        sim::InfectionSite::GiLower => InfectionSite::GiLower,
        sim::InfectionSite::UrinaryLower => InfectionSite::UrinaryLower,
        sim::InfectionSite::Skin => InfectionSite::SkinCellulitis,
        sim::InfectionSite::Cns => InfectionSite::CentralNervousSystem,
    }
}

pub(super) fn malignancy_type(kind: sim::MalignancyType) -> NewMalignancyType {
    match kind {
        sim::MalignancyType::SkinBasal => NewMalignancyType::BasalCellCarcinoma,
        sim::MalignancyType::SkinSquamous => NewMalignancyType::SquamousCellCarcinoma,
        sim::MalignancyType::Melanoma => NewMalignancyType::Melanoma,
        sim::MalignancyType::Mds => NewMalignancyType::Mds,
        sim::MalignancyType::Aml => NewMalignancyType::Aml,
        sim::MalignancyType::TCellLymphoma => NewMalignancyType::TCellLymphoma,
        sim::MalignancyType::Solid => NewMalignancyType::Solid,
    }
}

/// Whether the CAR transgene was found in the new malignancy.
pub(super) fn transgene_result(detected: bool) -> TransgeneResult {
    if detected {
        TransgeneResult::Detected
    } else {
        TransgeneResult::NotDetected
    }
}

pub(super) fn therapy_category(category: sim::TherapyCategory) -> SubsequentTherapyCategory {
    match category {
        sim::TherapyCategory::Chemoimmunotherapy => SubsequentTherapyCategory::Chemotherapy,
        sim::TherapyCategory::Radiotherapy => SubsequentTherapyCategory::Radiotherapy,
        sim::TherapyCategory::Bispecific => SubsequentTherapyCategory::BispecificAntibody,
        sim::TherapyCategory::AlloHct => SubsequentTherapyCategory::AlloHct,
        sim::TherapyCategory::Btki => SubsequentTherapyCategory::Targeted,
        sim::TherapyCategory::MyelomaAgents => SubsequentTherapyCategory::MyelomaAgents,
        sim::TherapyCategory::Other => SubsequentTherapyCategory::Other,
    }
}

pub(super) fn therapy_intent(intent: sim::TherapyIntent) -> TherapyIntent {
    match intent {
        sim::TherapyIntent::Relapse => TherapyIntent::RelapseProgression,
        sim::TherapyIntent::Consolidation => TherapyIntent::ConsolidationMaintenance,
    }
}

/// The registry's cause of death; `None` for a cause recorded as unknown.
pub(super) fn cause_code(
    cause: SimCause,
    fatal_infection: Option<SimClass>,
) -> Option<CauseOfDeath> {
    Some(match cause {
        SimCause::Disease => CauseOfDeath::DiseaseRelapse,
        SimCause::Infection => match fatal_infection {
            Some(SimClass::Bacterial) => CauseOfDeath::InfectionBacterial,
            Some(SimClass::Viral) => CauseOfDeath::InfectionViral,
            Some(SimClass::Fungal) => CauseOfDeath::InfectionFungal,
            None => CauseOfDeath::InfectionUnspecified,
        },
        SimCause::Crs => CauseOfDeath::Crs,
        SimCause::Icans => CauseOfDeath::Icans,
        SimCause::OrganFailure => CauseOfDeath::OrganFailure,
        SimCause::Cardiac => CauseOfDeath::CardiacToxicity,
        SimCause::Haemorrhage => CauseOfDeath::Haemorrhage,
        SimCause::NewMalignancy => CauseOfDeath::NewMalignancy,
        SimCause::Other => CauseOfDeath::Other,
        SimCause::Unknown => return None,
    })
}
