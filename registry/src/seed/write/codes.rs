//! The registry's codes for the simulation's values: products, diseases, responses, grades,
//! organisms, causes of death.

use super::sql::Values;
use crate::domain::Vocabulary;
use crate::domain::death::CauseOfDeath;
use crate::domain::diagnosis::{Disease as DxDisease, RefractoryStatus};
use crate::domain::infection::{Organism, OrganismClass};
use crate::domain::missing::YesNo;
use crate::domain::product::Product as DomainProduct;
use crate::domain::response::{
    AllResponse, ImwgResponse, LuganoResponse, RelapseMethod, ResponseCriteria,
};
use crate::domain::toxicity::{CrsGrade, CtcaeGrade, IcansGrade};
use crate::seed::parameters::Product;
use crate::seed::simulate::{
    CauseOfDeath as SimCause, Criteria, Organism as SimOrganism, OrganismClass as SimClass,
    Refractory, RelapseMethod as SimRelapse, Response, Subtype, ToxicityKind,
};

pub(super) fn relapse_method(method: SimRelapse) -> RelapseMethod {
    match method {
        SimRelapse::Molecular => RelapseMethod::Molecular,
        SimRelapse::Flow => RelapseMethod::Flow,
        SimRelapse::CytogeneticFish => RelapseMethod::CytogeneticFish,
        SimRelapse::Radiological => RelapseMethod::Radiological,
        SimRelapse::ClinicalHematologic => RelapseMethod::Clinical,
    }
}

pub(super) fn yes_no(value: bool) -> YesNo {
    if value { YesNo::Yes } else { YesNo::No }
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
