//! Subsequent (post-infusion) anticancer therapy: category and intent (domain.md §3.12). The
//! intent decides whether it stops the best-response window [S8] and whether it starts a new
//! course [S10].

use crate::vocabulary;

vocabulary! {
    /// Category of therapy after the CAR-T infusion (domain.md §3.12).
    pub enum SubsequentTherapyCategory: "subsequent therapy category" {
        Chemotherapy = ("CHEMO_IMMUNOCHEMO", "Chemotherapy / immunochemotherapy"),
        Radiotherapy = ("RADIOTHERAPY", "Radiotherapy"),
        BispecificAntibody = ("BISPECIFIC", "Bispecific antibody"),
        CarTSameTarget = ("CAR_T_SAME_TARGET", "Second CAR-T, same target"),
        CarTDifferentTarget = ("CAR_T_OTHER_TARGET", "Second CAR-T, different target"),
        AlloHct = ("ALLO_HCT", "Allogeneic transplant"),
        AutoHct = ("AUTO_HCT", "Autologous transplant"),
        /// BTK inhibitor, BCL2 inhibitor and similar.
        Targeted = ("TARGETED", "Targeted therapy (BTKi, BCL2i, …)"),
        /// IMiD, proteasome inhibitor, anti-CD38.
        MyelomaAgents = ("IMID_PI_ANTI_CD38", "IMiD / proteasome inhibitor / anti-CD38 (myeloma)"),
        CheckpointInhibitor = ("CHECKPOINT_INHIBITOR", "Checkpoint inhibitor"),
        Dli = ("DLI", "Donor lymphocyte infusion"),
        Other = ("OTHER", "Other (specify)"),
    }
}

impl SubsequentTherapyCategory {
    /// A transplant: analyses choose to censor at, count as event, or ignore it (§6.1, [H6]).
    pub fn is_transplant(self) -> bool {
        matches!(self, Self::AlloHct | Self::AutoHct)
    }
}

vocabulary! {
    /// Why the therapy was given (domain.md §3.12).
    pub enum TherapyIntent: "therapy intent" {
        /// Response after this cannot upgrade best overall response [S8].
        RelapseProgression = ("RELAPSE_PROGRESSION", "Relapse / progression"),
        /// Counts toward best response [S8].
        ConsolidationMaintenance = ("CONSOLIDATION_MAINTENANCE", "Consolidation / maintenance"),
        /// Stays in the same course [S10].
        ReinfusionForBCellRecovery = ("REINFUSION_B_CELL_RECOVERY", "Re-infusion for loss of B-cell aplasia"),
        MrdPositive = ("MRD_POSITIVE", "MRD-positive disease"),
        Other = ("OTHER", "Other (specify)"),
    }
}

impl TherapyIntent {
    /// `true` if responses after this therapy are still attributed to the CAR-T, i.e. the best-
    /// response window stays open (consolidation/maintenance, re-infusion in the same course;
    /// domain.md §0.6, §9, [S8][S10]).
    pub fn keeps_best_response_window(self) -> bool {
        matches!(
            self,
            Self::ConsolidationMaintenance | Self::ReinfusionForBCellRecovery
        )
    }

    /// `true` if this starts a new treatment course; re-infusion for loss of B-cell aplasia does
    /// not [S10].
    pub fn starts_new_course(self) -> bool {
        self != Self::ReinfusionForBCellRecovery
    }
}
