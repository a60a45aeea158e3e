//! The indication for CAR-T: disease (with subtype), refractory status and prior transplant
//! (domain.md §3.2). Which response criteria a disease uses is decided here; the responses
//! themselves live in `response`.

use crate::domain::response::ResponseCriteria;
use crate::vocabulary;

vocabulary! {
    /// The disease family used for grouping in reports and for product approvals (§3.2, §5).
    pub enum DiseaseGroup: "disease group" {
        Lbcl = ("LBCL", "Large B-cell lymphoma"),
        Fl = ("FL", "Follicular lymphoma"),
        Mcl = ("MCL", "Mantle cell lymphoma"),
        BAll = ("BALL", "B-cell acute lymphoblastic leukaemia"),
        Cll = ("CLL", "Chronic lymphocytic leukaemia / small lymphocytic lymphoma"),
        Mm = ("MM", "Multiple myeloma"),
        Other = ("OTHER", "Other disease"),
    }
}

vocabulary! {
    /// The indication at subtype level (domain.md §3.2; CIBMTR 2402 WHO-based lists). Each
    /// subtype belongs to one [`DiseaseGroup`]; FL grade 3B is treated as large B-cell lymphoma.
    pub enum Disease: "disease" {
        DlbclNos = ("DLBCL_NOS", "Diffuse large B-cell lymphoma, NOS"),
        HgbclDoubleTripleHit = ("HGBCL_DH_TH", "High-grade B-cell lymphoma, double/triple hit"),
        TransformedFl = ("TFL", "Transformed follicular lymphoma"),
        Pmbcl = ("PMBCL", "Primary mediastinal large B-cell lymphoma"),
        Fl3b = ("FL3B", "Follicular lymphoma grade 3B"),
        Thrlbcl = ("THRLBCL", "T-cell/histiocyte-rich large B-cell lymphoma"),
        LbclOther = ("LBCL_OTHER", "Large B-cell lymphoma, other subtype"),
        Fl = ("FL", "Follicular lymphoma (grade 1-3A)"),
        Mcl = ("MCL", "Mantle cell lymphoma"),
        BAll = ("BALL", "B-cell acute lymphoblastic leukaemia"),
        CllSll = ("CLL_SLL", "Chronic lymphocytic leukaemia / small lymphocytic lymphoma"),
        Mm = ("MM", "Multiple myeloma"),
        Other = ("OTHER", "Other disease (specify)"),
    }
}

impl Disease {
    /// The family this subtype belongs to.
    pub fn group(self) -> DiseaseGroup {
        match self {
            Self::DlbclNos
            | Self::HgbclDoubleTripleHit
            | Self::TransformedFl
            | Self::Pmbcl
            | Self::Fl3b
            | Self::Thrlbcl
            | Self::LbclOther => DiseaseGroup::Lbcl,
            Self::Fl => DiseaseGroup::Fl,
            Self::Mcl => DiseaseGroup::Mcl,
            Self::BAll => DiseaseGroup::BAll,
            Self::CllSll => DiseaseGroup::Cll,
            Self::Mm => DiseaseGroup::Mm,
            Self::Other => DiseaseGroup::Other,
        }
    }

    /// The response criteria the disease is assessed by (domain.md §3.5, §4.3-4.5).
    pub fn response_criteria(self) -> ResponseCriteria {
        self.group().response_criteria()
    }
}

impl DiseaseGroup {
    /// The response criteria of the family: Lugano 2014 for lymphoma, IMWG 2016 for myeloma,
    /// the B-ALL criteria for B-ALL, iwCLL 2018 for CLL/SLL, CIBMTR's generic codes otherwise.
    pub fn response_criteria(self) -> ResponseCriteria {
        match self {
            Self::Lbcl | Self::Fl | Self::Mcl => ResponseCriteria::Lugano2014,
            Self::Mm => ResponseCriteria::Imwg2016,
            Self::BAll => ResponseCriteria::BAll,
            Self::Cll => ResponseCriteria::Iwcll2018,
            Self::Other => ResponseCriteria::Other,
        }
    }

    /// The subtypes in this family, in form order.
    pub fn subtypes(self) -> Vec<Disease> {
        use crate::domain::vocabulary::Vocabulary;
        Disease::ALL
            .iter()
            .copied()
            .filter(|d| d.group() == self)
            .collect()
    }
}

vocabulary! {
    /// Refractoriness before CAR-T (domain.md §3.2); the myeloma codes are drug-class based.
    pub enum RefractoryStatus: "refractory status" {
        PrimaryRefractory = ("PRIMARY_REFRACTORY", "Primary refractory"),
        RelapsedWithin12Months = ("RELAPSED_LE12M", "Relapsed within 12 months"),
        RelapsedAfter12Months = ("RELAPSED_GT12M", "Relapsed after more than 12 months"),
        RefractoryToLastLine = ("REFRACTORY_LAST", "Refractory to last line"),
        /// Myeloma: refractory to an IMiD, a proteasome inhibitor and an anti-CD38 antibody.
        TripleClassRefractory = ("TRIPLE_CLASS", "Triple-class refractory (myeloma)"),
        /// Myeloma: refractory to two IMiDs, two PIs and an anti-CD38 antibody.
        PentaDrugRefractory = ("PENTA_DRUG", "Penta-drug refractory (myeloma)"),
    }
}

vocabulary! {
    /// Haematopoietic cell transplant before CAR-T (domain.md §3.2; CIBMTR 4000 Q15-29).
    pub enum PriorTransplant: "prior transplant" {
        None = ("NONE", "No prior transplant"),
        Autologous = ("AUTO", "Prior autologous transplant"),
        Allogeneic = ("ALLO", "Prior allogeneic transplant"),
        Both = ("AUTO_ALLO", "Prior autologous and allogeneic transplant"),
    }
}

vocabulary! {
    /// Revised International Staging System for myeloma (R-ISS; domain.md §3.2).
    pub enum RissStage: "R-ISS stage" {
        I = ("I", "R-ISS stage I"),
        II = ("II", "R-ISS stage II"),
        III = ("III", "R-ISS stage III"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::Vocabulary;

    #[test]
    fn every_group_has_a_subtype_and_every_subtype_a_group() {
        for g in DiseaseGroup::ALL {
            assert!(!g.subtypes().is_empty(), "{g:?}");
        }
        assert_eq!(Disease::Fl3b.group(), DiseaseGroup::Lbcl);
        assert_eq!(Disease::Mm.response_criteria(), ResponseCriteria::Imwg2016);
        assert_eq!(Disease::BAll.response_criteria(), ResponseCriteria::BAll);
        assert_eq!(
            Disease::Mcl.response_criteria(),
            ResponseCriteria::Lugano2014
        );
    }
}
