//! The follow-up reporting period: how contact was made, survival status and the form's
//! workflow status (domain.md §3.4). The timepoints and their windows live in `schedule`.

use crate::vocabulary;

vocabulary! {
    /// How the contact closing a reporting period was made (domain.md §3.4, [S9]).
    pub enum ContactType: "contact type" {
        ClinicVisit = ("CLINIC", "Clinic visit"),
        OutsideRecords = ("OUTSIDE_RECORDS", "Outside physician records"),
        Phone = ("PHONE", "Telephone contact"),
        /// FDA long-term follow-up allows annual queries by questionnaire after year 5 [F2].
        Questionnaire = ("QUESTIONNAIRE", "Questionnaire"),
        /// Survival only, e.g. the CIBMTR Survival Tool [S9].
        SurvivalTool = ("SURVIVAL_TOOL", "Survival tool"),
        RegistryLinkage = ("REGISTRY_LINKAGE", "Registry linkage"),
    }
}

vocabulary! {
    /// Survival at the contact date (domain.md §3.4; CIBMTR 4100 [S3]).
    pub enum SurvivalStatus: "survival status" {
        Alive = ("ALIVE", "Alive"),
        /// A death record holds the date and causes; the death date is the last contact [S14].
        Dead = ("DEAD", "Dead"),
        /// Not known (lost to follow-up).
        Unknown = ("UNKNOWN", "Unknown (lost to follow-up)"),
    }
}

vocabulary! {
    /// The workflow state of a follow-up form (domain.md §3.4, §8.2). Overdue is computed by the
    /// schedule, never stored.
    pub enum FormStatus: "form status" {
        NotStarted = ("NOT_STARTED", "Not started"),
        InProgress = ("IN_PROGRESS", "In progress"),
        Complete = ("COMPLETE", "Complete"),
        /// Source-data verified by a monitor.
        Verified = ("VERIFIED", "Verified"),
        /// Read-only until an administrator unlocks it with a reason.
        Locked = ("LOCKED", "Locked"),
        /// Electronically signed (21 CFR 11.50: name, date/time, meaning).
        Signed = ("SIGNED", "Signed"),
    }
}

impl FormStatus {
    /// `true` once the coordinator has completed the form (complete, verified, locked, signed):
    /// the timepoint counts as done.
    pub fn is_complete(self) -> bool {
        matches!(
            self,
            Self::Complete | Self::Verified | Self::Locked | Self::Signed
        )
    }

    /// `true` if the form may be edited (not locked or signed).
    pub fn is_editable(self) -> bool {
        !matches!(self, Self::Locked | Self::Signed)
    }
}

vocabulary! {
    /// The meaning of an electronic signature on a follow-up (21 CFR 11.50: a signed record
    /// shows the printed name, date and time, and meaning; domain.md §8.2, [R11]).
    pub enum SignatureMeaning: "signature meaning" {
        Review = ("REVIEW", "Reviewed"),
        Approval = ("APPROVAL", "Approved"),
        Responsibility = ("RESPONSIBILITY", "Responsible for the data"),
        Authorship = ("AUTHORSHIP", "Author of the data"),
    }
}
