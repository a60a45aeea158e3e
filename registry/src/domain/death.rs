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
