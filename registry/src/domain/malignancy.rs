//! New (subsequent) malignancies after CAR-T, with T-cell malignancies singled out, and CAR-
//! transgene testing of the tumour (domain.md §3.11, [S7][F4]). Relapse or transformation of
//! the treated disease is never a new malignancy [S7].

use crate::vocabulary;

vocabulary! {
    /// Type of new malignancy, MDS, MPN or LPD (domain.md §3.11, [S7]).
    pub enum NewMalignancyType: "new malignancy type" {
        BasalCellCarcinoma = ("SKIN_BASAL", "Skin, basal cell carcinoma"),
        SquamousCellCarcinoma = ("SKIN_SQUAMOUS", "Skin, squamous cell carcinoma"),
        Melanoma = ("MELANOMA", "Melanoma"),
        Aml = ("AML", "Acute myeloid leukaemia"),
        Mds = ("MDS", "Myelodysplastic syndrome"),
        Mpn = ("MPN", "Myeloproliferative neoplasm"),
        /// A new ALL, different from the treated disease.
        All = ("ALL", "Acute lymphoblastic leukaemia (new)"),
        /// A new B-cell lymphoma (not the treated one) or post-transplant lymphoproliferative disorder.
        BCellLymphomaPtld = ("B_CELL_LYMPHOMA_PTLD", "B-cell lymphoma (new) / PTLD"),
        /// FDA boxed warning, January 2024 [F4].
        TCellLymphoma = ("T_CELL_LYMPHOMA", "T-cell lymphoma"),
        /// FDA boxed warning, January 2024 [F4].
        TCellLeukaemia = ("T_CELL_LEUKAEMIA", "T-cell leukaemia"),
        /// Site recorded beside it.
        Solid = ("SOLID", "Solid tumour (specify site)"),
        ClonalCytogeneticAbnormality = ("CLONAL_CYTOGENETIC", "Clonal cytogenetic abnormality"),
        Other = ("OTHER", "Other (specify)"),
    }
}

impl NewMalignancyType {
    /// T-cell malignancy: counted apart in reports and prompts for CAR-transgene testing and a
    /// report to the manufacturer (domain.md §9, [F4]).
    pub fn is_t_cell(self) -> bool {
        matches!(self, Self::TCellLymphoma | Self::TCellLeukaemia)
    }

    /// Myeloid neoplasm (AML, MDS, MPN): SOC cilta-cel reports these apart [P8].
    pub fn is_myeloid(self) -> bool {
        matches!(self, Self::Aml | Self::Mds | Self::Mpn)
    }

    /// Whether the form must prompt for CAR-transgene testing and a manufacturer report (§9:
    /// T-cell malignancy [F4]). FDA asks the manufacturer to be contacted for any new
    /// malignancy, so the form offers the fields for every type and insists only here.
    pub fn requires_transgene_testing(self) -> bool {
        self.is_t_cell()
    }
}

vocabulary! {
    /// Result of testing the new tumour for the CAR transgene (domain.md §3.11, [F4]).
    pub enum TransgeneResult: "CAR-transgene test result" {
        NotTested = ("NOT_TESTED", "Not tested"),
        Pending = ("PENDING", "Pending"),
        Detected = ("DETECTED", "CAR transgene detected"),
        NotDetected = ("NOT_DETECTED", "CAR transgene not detected"),
        Indeterminate = ("INDETERMINATE", "Indeterminate"),
    }
}
