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
        Other = ("OTHER", "Other"),
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

/// The input a message about a subsequent therapy belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TherapyField {
    Intent,
    Regimen,
    EndDate,
}

impl TherapyField {
    /// The column it is stored in, which names its input (prefixed on the follow-up form).
    pub fn column(self) -> &'static str {
        match self {
            Self::Intent => "intent",
            Self::Regimen => "regimen",
            Self::EndDate => "end_date",
        }
    }
}

/// A subsequent therapy as read from a form (domain.md §3.12): its kind, why it was given, the
/// regimen (naming an "other" therapy), and its dates.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TherapyDetails<'a> {
    pub category: Option<SubsequentTherapyCategory>,
    pub intent: Option<TherapyIntent>,
    pub regimen: Option<&'a str>,
    pub start_date: Option<chrono::NaiveDate>,
    pub end_date: Option<chrono::NaiveDate>,
}

impl TherapyDetails<'_> {
    /// What is wrong across the details, each message with the input it belongs beside; empty
    /// when they may be stored.
    pub fn problems(&self) -> Vec<(TherapyField, String)> {
        use TherapyField as F;
        let mut problems = Vec::new();
        if self.category == Some(SubsequentTherapyCategory::Other) && self.regimen.is_none() {
            problems.push((
                F::Regimen,
                "Name the therapy (its regimen): the kind chosen is Other.".to_owned(),
            ));
        }
        if self.intent == Some(TherapyIntent::ReinfusionForBCellRecovery)
            && self.category != Some(SubsequentTherapyCategory::CarTSameTarget)
        {
            problems.push((
                F::Intent,
                "A re-infusion for loss of B-cell aplasia is a CAR-T of the same target: choose \
                 that kind, or another reason."
                    .to_owned(),
            ));
        }
        if let (Some(start), Some(end)) = (self.start_date, self.end_date)
            && end < start
        {
            problems.push((
                F::EndDate,
                format!("The therapy cannot end before it started ({start})."),
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubsequentTherapyCategory as C;
    use TherapyField as F;

    fn fields(details: TherapyDetails<'_>) -> Vec<TherapyField> {
        details.problems().into_iter().map(|(f, _)| f).collect()
    }

    fn day(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_listed_therapy_with_its_reason_is_enough() {
        let details = TherapyDetails {
            category: Some(C::AlloHct),
            intent: Some(TherapyIntent::ConsolidationMaintenance),
            ..Default::default()
        };
        assert!(details.problems().is_empty());
    }

    #[test]
    fn an_other_therapy_is_named_by_its_regimen() {
        let unnamed = TherapyDetails {
            category: Some(C::Other),
            ..Default::default()
        };
        assert_eq!(fields(unnamed), [F::Regimen]);
        let named = TherapyDetails {
            regimen: Some("Venetoclax + azacitidine"),
            ..unnamed
        };
        assert!(named.problems().is_empty());
    }

    #[test]
    fn a_reinfusion_for_b_cell_recovery_is_a_car_t_of_the_same_target() {
        for (category, ok) in [
            (C::CarTSameTarget, true),
            (C::CarTDifferentTarget, false),
            (C::Chemotherapy, false),
        ] {
            let details = TherapyDetails {
                category: Some(category),
                intent: Some(TherapyIntent::ReinfusionForBCellRecovery),
                ..Default::default()
            };
            assert_eq!(details.problems().is_empty(), ok, "{category:?}");
        }
    }

    #[test]
    fn a_therapy_ends_on_or_after_its_start() {
        let same_day = TherapyDetails {
            category: Some(C::Radiotherapy),
            start_date: Some(day("2026-03-01")),
            end_date: Some(day("2026-03-01")),
            ..Default::default()
        };
        assert!(same_day.problems().is_empty());
        let before = TherapyDetails {
            end_date: Some(day("2026-02-28")),
            ..same_day
        };
        assert_eq!(fields(before), [F::EndDate]);
    }
}
