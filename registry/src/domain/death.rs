//! Death: primary and contributing causes (CIBMTR 2900 headings with EBMT's contributory list,
//! domain.md §3.13, §4.13) and autopsy. Non-relapse mortality is derived by analytics from the
//! relapse and death dates, not stored.

use crate::vocabulary;

vocabulary! {
    /// Cause of death (domain.md §4.13, [S14][E2]). If relapse precedes death, relapse is the
    /// primary cause [E2]. Codes marked (recall) were not seen in the cited forms.
    pub enum CauseOfDeath: "cause of death" {
        DiseaseRelapse = ("DISEASE", "Recurrence / persistence / progression of the treated disease"),
        Crs = ("CRS", "Cytokine release syndrome"),
        /// (recall)
        Icans = ("ICANS", "ICANS / neurotoxicity"),
        /// (recall)
        IecHs = ("IEC_HS", "IEC-HS (HLH-like syndrome)"),
        CellularTherapyOther = ("CELLULAR_THERAPY_OTHER", "Other cellular-therapy-related toxicity"),
        InfectionBacterial = ("INFECTION_BACTERIAL", "Infection, bacterial"),
        InfectionViral = ("INFECTION_VIRAL", "Infection, viral"),
        InfectionFungal = ("INFECTION_FUNGAL", "Infection, fungal"),
        InfectionParasitic = ("INFECTION_PARASITIC", "Infection, parasitic"),
        InfectionUnspecified = ("INFECTION_UNKNOWN", "Infection, organism not identified"),
        PulmonaryToxicity = ("PULMONARY", "Pulmonary toxicity"),
        CardiacToxicity = ("CARDIAC", "Cardiac toxicity"),
        OrganFailure = ("ORGAN_FAILURE", "Organ failure (not due to infection or toxicity above)"),
        Haemorrhage = ("HAEMORRHAGE", "Haemorrhage"),
        AcuteGvhd = ("AGVHD", "Acute graft-versus-host disease"),
        ChronicGvhd = ("CGVHD", "Chronic graft-versus-host disease"),
        GraftFailure = ("GRAFT_FAILURE", "Graft rejection / failure"),
        /// (recall)
        NewMalignancy = ("NEW_MALIGNANCY", "New malignancy"),
        /// (recall)
        AccidentSuicide = ("ACCIDENT_SUICIDE", "Accident / suicide"),
        Other = ("OTHER", "Other (specify)"),
    }
}

impl CauseOfDeath {
    /// Death from the treated disease.
    pub fn is_disease(self) -> bool {
        self == Self::DiseaseRelapse
    }

    /// Death from infection of any kind (the main non-relapse cause after CAR-T [P11]).
    pub fn is_infection(self) -> bool {
        matches!(
            self,
            Self::InfectionBacterial
                | Self::InfectionViral
                | Self::InfectionFungal
                | Self::InfectionParasitic
                | Self::InfectionUnspecified
        )
    }

    /// A cellular-therapy toxicity (CRS, ICANS, IEC-HS, other CT-related; domain.md §3.13).
    pub fn is_cellular_therapy_toxicity(self) -> bool {
        matches!(
            self,
            Self::Crs | Self::Icans | Self::IecHs | Self::CellularTherapyOther
        )
    }
}

vocabulary! {
    /// Whether an autopsy was done (domain.md §3.13, [S14]).
    pub enum Autopsy: "autopsy" {
        Yes = ("Y", "Autopsy done"),
        No = ("N", "No autopsy"),
        Pending = ("PENDING", "Autopsy pending"),
    }
}

/// The input a message about a death's causes or autopsy belongs beside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeathField {
    PrimaryCause,
    PrimaryCauseOther,
    ContributingCauses,
    ContributingCauseOther,
    Autopsy,
    AutopsyReportAttached,
}

impl DeathField {
    /// The column it is stored in, which names its input (prefixed on the follow-up form).
    pub fn column(self) -> &'static str {
        match self {
            Self::PrimaryCause => "primary_cause",
            Self::PrimaryCauseOther => "primary_cause_other",
            Self::ContributingCauses => "contributing_causes",
            Self::ContributingCauseOther => "contributing_cause_other",
            Self::Autopsy => "autopsy",
            Self::AutopsyReportAttached => "autopsy_report_attached",
        }
    }
}

/// What is recorded of a death besides its date (CIBMTR 2900, domain.md §3.13): the primary
/// cause (named when Other), the contributing causes (an Other one named too), and the autopsy.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct DeathDetails<'a> {
    pub primary_cause: Option<CauseOfDeath>,
    pub primary_cause_other: Option<&'a str>,
    pub contributing: &'a [CauseOfDeath],
    pub contributing_other: Option<&'a str>,
    pub autopsy: Option<Autopsy>,
    pub autopsy_report_attached: bool,
}

impl DeathDetails<'_> {
    /// What is wrong across the details, each message with the input it belongs beside; empty
    /// when they may be stored.
    pub fn problems(&self) -> Vec<(DeathField, String)> {
        use DeathField as F;
        let mut problems = Vec::new();
        let primary_other = self.primary_cause == Some(CauseOfDeath::Other);
        match (primary_other, self.primary_cause_other) {
            (true, None) => {
                problems.push((F::PrimaryCauseOther, "Name the cause of death.".to_owned()));
            }
            (false, Some(_)) => problems.push((
                F::PrimaryCauseOther,
                "Name a cause only with Other as the primary cause.".to_owned(),
            )),
            _ => {}
        }
        // Two different "other" causes may be primary and contributing; the same one may not.
        let same_other = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
            _ => true,
        };
        if let Some(primary) = self.primary_cause
            && self.contributing.contains(&primary)
            && (primary != CauseOfDeath::Other
                || same_other(self.primary_cause_other, self.contributing_other))
        {
            problems.push((
                F::ContributingCauses,
                format!(
                    "{primary} is the primary cause: tick only the causes that contributed \
                     besides it."
                ),
            ));
        }
        let contributing_other = self.contributing.contains(&CauseOfDeath::Other);
        match (contributing_other, self.contributing_other) {
            (true, None) => problems.push((
                F::ContributingCauseOther,
                "Name the other contributing cause.".to_owned(),
            )),
            (false, Some(_)) => problems.push((
                F::ContributingCauseOther,
                "Name a contributing cause only with Other ticked.".to_owned(),
            )),
            _ => {}
        }
        if self.autopsy_report_attached && self.autopsy != Some(Autopsy::Yes) {
            problems.push((
                F::AutopsyReportAttached,
                "An autopsy report goes with an autopsy done.".to_owned(),
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DeathField as F;

    fn fields(details: DeathDetails<'_>) -> Vec<DeathField> {
        details.problems().into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn a_listed_primary_cause_alone_is_enough() {
        let details = DeathDetails {
            primary_cause: Some(CauseOfDeath::Crs),
            ..Default::default()
        };
        assert!(details.problems().is_empty());
    }

    #[test]
    fn an_other_primary_cause_is_named_and_only_then() {
        let unnamed = DeathDetails {
            primary_cause: Some(CauseOfDeath::Other),
            ..Default::default()
        };
        assert_eq!(fields(unnamed), [F::PrimaryCauseOther]);
        let named = DeathDetails {
            primary_cause_other: Some("Pulmonary embolism"),
            ..unnamed
        };
        assert!(named.problems().is_empty());
        let name_without_other = DeathDetails {
            primary_cause: Some(CauseOfDeath::CardiacToxicity),
            ..named
        };
        assert_eq!(fields(name_without_other), [F::PrimaryCauseOther]);
    }

    #[test]
    fn the_primary_cause_is_not_also_contributing() {
        let both = [CauseOfDeath::InfectionViral, CauseOfDeath::DiseaseRelapse];
        let details = DeathDetails {
            primary_cause: Some(CauseOfDeath::DiseaseRelapse),
            contributing: &both,
            ..Default::default()
        };
        assert_eq!(fields(details), [F::ContributingCauses]);
    }

    #[test]
    fn two_different_other_causes_may_be_primary_and_contributing() {
        let other = [CauseOfDeath::Other];
        let different = DeathDetails {
            primary_cause: Some(CauseOfDeath::Other),
            primary_cause_other: Some("Pulmonary embolism"),
            contributing: &other,
            contributing_other: Some("Renal failure"),
            ..Default::default()
        };
        assert!(different.problems().is_empty());
        let same = DeathDetails {
            contributing_other: Some(" pulmonary EMBOLISM"),
            ..different
        };
        assert_eq!(fields(same), [F::ContributingCauses]);
    }

    #[test]
    fn an_other_contributing_cause_is_named_and_only_then() {
        let other = [CauseOfDeath::Other];
        let unnamed = DeathDetails {
            primary_cause: Some(CauseOfDeath::DiseaseRelapse),
            contributing: &other,
            ..Default::default()
        };
        assert_eq!(fields(unnamed), [F::ContributingCauseOther]);
        let named = DeathDetails {
            contributing_other: Some("Renal failure"),
            ..unnamed
        };
        assert!(named.problems().is_empty());
        let name_without_tick = DeathDetails {
            contributing: &[],
            ..named
        };
        assert_eq!(fields(name_without_tick), [F::ContributingCauseOther]);
    }

    #[test]
    fn an_autopsy_report_goes_with_an_autopsy_done() {
        for autopsy in [None, Some(Autopsy::No), Some(Autopsy::Pending)] {
            let details = DeathDetails {
                primary_cause: Some(CauseOfDeath::Crs),
                autopsy,
                autopsy_report_attached: true,
                ..Default::default()
            };
            assert_eq!(fields(details), [F::AutopsyReportAttached], "{autopsy:?}");
        }
        let done = DeathDetails {
            primary_cause: Some(CauseOfDeath::Crs),
            autopsy: Some(Autopsy::Yes),
            autopsy_report_attached: true,
            ..Default::default()
        };
        assert!(done.problems().is_empty());
    }
}
