//! CAR-T products and what is known about each (target antigen, costimulatory domain, vector,
//! approved indications: domain.md §5), plus the vocabularies of the treatment course:
//! product class, lymphodepletion, bridging, dose unit, route and setting, and why an infusion
//! was given (§3.3).

use crate::domain::diagnosis::{Disease, DiseaseGroup};
use crate::vocabulary;

vocabulary! {
    /// The antigen the product's receptor targets (domain.md §5).
    pub enum TargetAntigen: "target antigen" {
        Cd19 = ("CD19", "CD19"),
        Bcma = ("BCMA", "BCMA"),
        /// MAGE-A4, targeted by a T-cell receptor product (afami-cel), not a CAR.
        MageA4 = ("MAGEA4", "MAGE-A4"),
        Other = ("OTHER", "Other antigen (specify)"),
    }
}

vocabulary! {
    /// The costimulatory domain of the CAR construct (domain.md §5).
    pub enum CostimulatoryDomain: "costimulatory domain" {
        Cd28 = ("CD28", "CD28"),
        FourOneBb = ("41BB", "4-1BB"),
        /// TCR products have no CAR costimulatory domain.
        None = ("NONE", "None (not a CAR)"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// The gene-transfer vector (domain.md §5). All approved CAR-T use an integrating vector,
    /// hence the 15-year follow-up track [S2][F2].
    pub enum VectorType: "vector" {
        Lentiviral = ("LENTIVIRAL", "Lentiviral"),
        Gammaretroviral = ("GAMMARETROVIRAL", "Gammaretroviral"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// Cellular therapy product (domain.md §5). Investigational products carry their name,
    /// target and trial id in their own columns.
    pub enum Product: "CAR-T product" {
        /// Kymriah (Novartis).
        TisaCel = ("TISA_CEL", "Tisagenlecleucel (Kymriah)"),
        /// Yescarta (Kite).
        AxiCel = ("AXI_CEL", "Axicabtagene ciloleucel (Yescarta)"),
        /// Tecartus (Kite).
        BrexuCel = ("BREXU_CEL", "Brexucabtagene autoleucel (Tecartus)"),
        /// Breyanzi (Juno/BMS).
        LisoCel = ("LISO_CEL", "Lisocabtagene maraleucel (Breyanzi)"),
        /// Abecma (BMS/2seventy).
        IdeCel = ("IDE_CEL", "Idecabtagene vicleucel (Abecma)"),
        /// Carvykti (J&J/Legend).
        CiltaCel = ("CILTA_CEL", "Ciltacabtagene autoleucel (Carvykti)"),
        /// Aucatzyl (Autolus).
        ObeCel = ("OBE_CEL", "Obecabtagene autoleucel (Aucatzyl)"),
        /// Tecelra (Adaptimmune): a MAGE-A4 TCR product, not a CAR.
        AfamiCel = ("AFAMI_CEL", "Afamitresgene autoleucel (Tecelra)"),
        /// Spain (AEMPS 2021), academic.
        Ari0001 = ("ARI_0001", "Varnimcabtagene autoleucel (ARI-0001)"),
        /// China (NMPA 2021).
        RelmaCel = ("RELMA_CEL", "Relmacabtagene autoleucel"),
        Investigational = ("INVESTIGATIONAL", "Investigational product (specify)"),
    }
}

impl Product {
    /// The antigen targeted (domain.md §5); `Other` for investigational products, whose target
    /// is recorded with the course.
    pub fn target_antigen(self) -> TargetAntigen {
        match self {
            Self::TisaCel
            | Self::AxiCel
            | Self::BrexuCel
            | Self::LisoCel
            | Self::ObeCel
            | Self::Ari0001
            | Self::RelmaCel => TargetAntigen::Cd19,
            Self::IdeCel | Self::CiltaCel => TargetAntigen::Bcma,
            Self::AfamiCel => TargetAntigen::MageA4,
            Self::Investigational => TargetAntigen::Other,
        }
    }

    /// The costimulatory domain (domain.md §5).
    pub fn costimulatory_domain(self) -> CostimulatoryDomain {
        match self {
            Self::AxiCel | Self::BrexuCel => CostimulatoryDomain::Cd28,
            Self::TisaCel
            | Self::LisoCel
            | Self::IdeCel
            | Self::CiltaCel
            | Self::ObeCel
            | Self::Ari0001
            | Self::RelmaCel => CostimulatoryDomain::FourOneBb,
            Self::AfamiCel => CostimulatoryDomain::None,
            Self::Investigational => CostimulatoryDomain::Other,
        }
    }

    /// The vector (domain.md §5; obe-cel lentiviral is marked "recall" there; ARI-0001,
    /// relma-cel and afami-cel are lentiviral from general knowledge, to verify).
    pub fn vector(self) -> VectorType {
        match self {
            Self::AxiCel | Self::BrexuCel => VectorType::Gammaretroviral,
            Self::TisaCel
            | Self::LisoCel
            | Self::IdeCel
            | Self::CiltaCel
            | Self::ObeCel
            | Self::AfamiCel
            | Self::Ari0001
            | Self::RelmaCel => VectorType::Lentiviral,
            Self::Investigational => VectorType::Other,
        }
    }

    /// `true` for chimeric antigen receptor products (afami-cel is a TCR product).
    pub fn is_car(self) -> bool {
        !matches!(self, Self::AfamiCel)
    }

    /// The disease groups the product is approved for (US labels unless noted; domain.md §5).
    /// Tisa-cel B-ALL is limited to patients up to 25 years, which this list does not encode.
    /// Liso-cel CLL and MCL, ARI-0001 (adult B-ALL, Spain) and relma-cel (LBCL, China) are
    /// "recall" in domain.md: verify before relying on them. Investigational: none.
    pub fn approved_for(self) -> &'static [DiseaseGroup] {
        use DiseaseGroup as G;
        match self {
            Self::TisaCel => &[G::BAll, G::Lbcl, G::Fl],
            Self::AxiCel => &[G::Lbcl, G::Fl],
            Self::BrexuCel => &[G::Mcl, G::BAll],
            Self::LisoCel => &[G::Lbcl, G::Fl, G::Cll, G::Mcl],
            Self::IdeCel | Self::CiltaCel => &[G::Mm],
            Self::ObeCel => &[G::BAll],
            Self::AfamiCel => &[G::Other],
            Self::Ari0001 => &[G::BAll],
            Self::RelmaCel => &[G::Lbcl],
            Self::Investigational => &[],
        }
    }

    /// `true` if the product is approved for the disease's group (a form warns otherwise; off-
    /// label and trial use are real, so this is never a hard rule).
    pub fn is_approved_for(self, disease: Disease) -> bool {
        self.approved_for().contains(&disease.group())
    }
}

vocabulary! {
    /// Commercial, commercial out-of-specification, or investigational supply (§3.3, [P12]).
    pub enum ProductClass: "product class" {
        Commercial = ("COMMERCIAL", "Commercial"),
        /// Released outside specification (e.g. viability below 80%) [P12].
        OutOfSpecification = ("OOS", "Commercial, out of specification"),
        Investigational = ("INVESTIGATIONAL", "Investigational (clinical trial)"),
    }
}

vocabulary! {
    /// Lymphodepleting chemotherapy before infusion (domain.md §3.3, §5). Doses in mg/m² and
    /// dates are stored beside it.
    pub enum LymphodepletionRegimen: "lymphodepletion regimen" {
        FluCy = ("FLU_CY", "Fludarabine + cyclophosphamide"),
        Bendamustine = ("BENDA", "Bendamustine"),
        CyOnly = ("CY", "Cyclophosphamide alone"),
        Other = ("OTHER", "Other regimen (specify)"),
        None = ("NONE", "No lymphodepletion"),
    }
}

vocabulary! {
    /// Bridging therapy between apheresis and lymphodepletion (domain.md §3.3).
    pub enum BridgingTherapy: "bridging therapy" {
        None = ("NONE", "No bridging therapy"),
        Chemotherapy = ("CHEMO", "Chemotherapy / immunochemotherapy"),
        Radiotherapy = ("RT", "Radiotherapy"),
        Corticosteroids = ("STEROIDS", "Corticosteroids only"),
        Targeted = ("TARGETED", "Targeted therapy"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// How the dose is expressed (domain.md §3.3, §5): trial doses are per kg (axi-cel
    /// 2×10⁶/kg) or flat (liso-cel 100×10⁶). The value is stored as a plain cell count.
    pub enum DoseUnit: "dose unit" {
        CarTCellsPerKg = ("CELLS_PER_KG", "CAR-positive viable T cells per kg"),
        CarTCellsTotal = ("CELLS_TOTAL", "CAR-positive viable T cells (total)"),
    }
}

vocabulary! {
    /// Route of administration (domain.md §3.3).
    pub enum InfusionRoute: "infusion route" {
        Intravenous = ("IV", "Intravenous"),
        Intrathecal = ("IT", "Intrathecal"),
        Other = ("OTHER", "Other (specify)"),
    }
}

vocabulary! {
    /// Why an infusion was given (domain.md §3.3 `infusion_number_in_course`, §3.12 intent,
    /// [S10]): the course's first infusion, or a re-infusion of the same product within the
    /// course. The re-infusion codes are those of the subsequent-therapy intent
    /// (`therapy::TherapyIntent`) so both read alike in an export.
    pub enum InfusionIntent: "infusion intent" {
        /// The course's first infusion (Day 0); only infusion number 1.
        Initial = ("INITIAL", "Initial infusion (Day 0)"),
        RelapseProgression = ("RELAPSE_PROGRESSION", "Re-infusion for relapse / progression"),
        /// Loss of B-cell aplasia: CAR-T persistence lost [S10].
        BCellRecovery = ("REINFUSION_B_CELL_RECOVERY", "Re-infusion for loss of B-cell aplasia"),
        MrdPositive = ("MRD_POSITIVE", "Re-infusion for MRD-positive disease"),
        /// Counts toward best response [S8].
        Consolidation = ("CONSOLIDATION_MAINTENANCE", "Re-infusion as consolidation / maintenance"),
    }
}

impl InfusionIntent {
    /// `true` for the intents of a re-infusion (infusion number 2 onwards).
    pub fn is_reinfusion(self) -> bool {
        self != Self::Initial
    }
}

vocabulary! {
    /// Where the infusion was given (domain.md §3.3).
    pub enum InfusionSetting: "infusion setting" {
        Inpatient = ("INPATIENT", "Inpatient"),
        Outpatient = ("OUTPATIENT", "Outpatient"),
    }
}

vocabulary! {
    /// Why an apheresed patient was never infused (domain.md §0.1: manufacturing failure is a
    /// real outcome; the intention-to-treat denominator counts these patients).
    pub enum NotInfusedReason: "reason not infused" {
        ManufacturingFailure = ("MANUFACTURING_FAILURE", "Manufacturing failure"),
        Death = ("DEATH", "Died before infusion"),
        Progression = ("PROGRESSION", "Disease progression"),
        PatientDecision = ("PATIENT_DECISION", "Patient decision"),
        Other = ("OTHER", "Other (specify)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::vocabulary::Vocabulary;

    #[test]
    fn product_table_matches_domain_section_5() {
        assert_eq!(Product::AxiCel.target_antigen(), TargetAntigen::Cd19);
        assert_eq!(
            Product::AxiCel.costimulatory_domain(),
            CostimulatoryDomain::Cd28
        );
        assert_eq!(Product::AxiCel.vector(), VectorType::Gammaretroviral);
        assert_eq!(Product::CiltaCel.target_antigen(), TargetAntigen::Bcma);
        assert_eq!(
            Product::IdeCel.costimulatory_domain(),
            CostimulatoryDomain::FourOneBb
        );
        assert!(Product::TisaCel.is_approved_for(Disease::BAll));
        assert!(Product::BrexuCel.is_approved_for(Disease::Mcl));
        assert!(Product::AxiCel.is_approved_for(Disease::Fl3b));
        assert!(!Product::AxiCel.is_approved_for(Disease::Mm));
        assert!(!Product::AfamiCel.is_car());
        // Every commercial CAR targets CD19 or BCMA and has a costimulatory domain.
        for p in Product::ALL
            .iter()
            .filter(|p| p.is_car() && **p != Product::Investigational)
        {
            assert!(matches!(
                p.target_antigen(),
                TargetAntigen::Cd19 | TargetAntigen::Bcma
            ));
            assert_ne!(p.costimulatory_domain(), CostimulatoryDomain::None);
            assert!(!p.approved_for().is_empty());
        }
    }

    #[test]
    fn only_the_first_infusion_is_initial_and_reinfusion_codes_match_therapy_intent() {
        use crate::domain::therapy::TherapyIntent;
        let reinfusions: Vec<_> = InfusionIntent::ALL
            .iter()
            .filter(|i| i.is_reinfusion())
            .collect();
        assert_eq!(reinfusions.len(), InfusionIntent::ALL.len() - 1);
        assert!(!InfusionIntent::Initial.is_reinfusion());
        for intent in reinfusions {
            assert!(
                TherapyIntent::parse(intent.code()).is_ok(),
                "{} is a subsequent-therapy intent code",
                intent.code()
            );
        }
    }
}
