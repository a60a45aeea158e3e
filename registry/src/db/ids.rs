//! One ID newtype per table (style rule 3), so a `PatientId` cannot be passed where a
//! `FollowUpId` is expected. Each is stored as an SQLite INTEGER and serialises as a number.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Integer;
use diesel::sqlite::{Sqlite, SqliteValue};

macro_rules! id_types {
    ($( $(#[$meta:meta])* $name:ident ),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            AsExpression, FromSqlRow, serde::Serialize, serde::Deserialize,
        )]
        #[diesel(sql_type = Integer)]
        #[serde(transparent)]
        pub struct $name(pub i32);

        impl ToSql<Integer, Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                out.set_value(self.0);
                Ok(IsNull::No)
            }
        }

        impl FromSql<Integer, Sqlite> for $name {
            fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                <i32 as FromSql<Integer, Sqlite>>::from_sql(value).map(Self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )+};
}

id_types! {
    /// `users.id`. [`UserId::SYSTEM`] is the account that authors what no person typed.
    UserId,
    /// `sites.id`.
    SiteId,
    /// `api_tokens.id`.
    ApiTokenId,
    /// `audit_log.id`.
    AuditLogId,
    /// `patients.id` (internal; the pseudonymous identifier people see is `registry_id`).
    PatientId,
    /// `diagnoses.id`.
    DiagnosisId,
    /// `treatment_courses.id`.
    CourseId,
    /// `infusions.id`.
    InfusionId,
    /// `follow_ups.id`.
    FollowUpId,
    /// `follow_up_sign_offs.id`.
    FollowUpSignOffId,
    /// `response_assessments.id`.
    ResponseAssessmentId,
    /// `toxicity_events.id`.
    ToxicityEventId,
    /// `toxicity_treatments.id`.
    ToxicityTreatmentId,
    /// `persistence_tests.id`.
    PersistenceTestId,
    /// `lab_results.id`.
    LabResultId,
    /// `immunoglobulin_courses.id`.
    ImmunoglobulinCourseId,
    /// `infections.id`.
    InfectionId,
    /// `infection_sites.id`.
    InfectionSiteId,
    /// `new_malignancies.id`.
    NewMalignancyId,
    /// `subsequent_therapies.id`.
    SubsequentTherapyId,
    /// `deaths.id`.
    DeathId,
    /// `death_contributing_causes.id`.
    DeathContributingCauseId,
}

impl UserId {
    /// The system account created by the first migration (`username = 'system'`, cannot sign
    /// in): the author of bootstrap rows, the demo cohort and imports.
    pub const SYSTEM: Self = Self(1);
}
