//! The kinds of recorded event ([`EventKind`]: URL slug, table, label, child table) and one
//! event as stored ([`StoredEvent`], read by [`load_event`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{
    DeathRow, ImmunoglobulinCourseRow, InfectionRow, LabResultRow, NewMalignancyRow,
    PersistenceTestRow, ResponseAssessmentRow, SubsequentTherapyRow, ToxicityEventRow,
};
use crate::db::ids::{CourseId, FollowUpId, PatientId, UserId};
use crate::db::schema::{
    deaths, immunoglobulin_courses, infections, lab_results, new_malignancies, persistence_tests,
    response_assessments, subsequent_therapies, toxicity_events,
};

/// The kinds of recorded event a coordinator can correct, one per event table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Response,
    Toxicity,
    Infection,
    Immunoglobulin,
    Lab,
    Persistence,
    Malignancy,
    Therapy,
    Death,
}

impl EventKind {
    /// Every kind, in the order the timeline names them.
    pub const ALL: [Self; 9] = [
        Self::Response,
        Self::Toxicity,
        Self::Infection,
        Self::Immunoglobulin,
        Self::Lab,
        Self::Persistence,
        Self::Malignancy,
        Self::Therapy,
        Self::Death,
    ];

    /// The URL segment, e.g. `/patients/1/events/toxicity/7/edit`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Response => "response",
            Self::Toxicity => "toxicity",
            Self::Infection => "infection",
            Self::Immunoglobulin => "immunoglobulin",
            Self::Lab => "lab",
            Self::Persistence => "persistence",
            Self::Malignancy => "malignancy",
            Self::Therapy => "therapy",
            Self::Death => "death",
        }
    }

    /// The kind of a URL segment.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// The table (a fixed name, never user input: it is spliced into SQL).
    pub fn table(self) -> &'static str {
        match self {
            Self::Response => "response_assessments",
            Self::Toxicity => "toxicity_events",
            Self::Infection => "infections",
            Self::Immunoglobulin => "immunoglobulin_courses",
            Self::Lab => "lab_results",
            Self::Persistence => "persistence_tests",
            Self::Malignancy => "new_malignancies",
            Self::Therapy => "subsequent_therapies",
            Self::Death => "deaths",
        }
    }

    /// What a coordinator calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Response => "Response assessment",
            Self::Toxicity => "Toxicity",
            Self::Infection => "Infection",
            Self::Immunoglobulin => "Immunoglobulin course",
            Self::Lab => "Lab result",
            Self::Persistence => "CAR-T persistence test",
            Self::Malignancy => "New malignancy",
            Self::Therapy => "Subsequent therapy",
            Self::Death => "Death",
        }
    }

    /// The child table whose rows belong to one event, and its foreign-key column: deleted
    /// (and audited) with the event, since the schema restricts deleting a parent.
    pub(super) fn children(self) -> Option<(&'static str, &'static str)> {
        match self {
            Self::Toxicity => Some(("toxicity_treatments", "toxicity_event_id")),
            Self::Infection => Some(("infection_sites", "infection_id")),
            Self::Death => Some(("death_contributing_causes", "death_id")),
            _ => None,
        }
    }
}

/// One recorded event as stored: its links, its version and every column as text (the audit
/// trail's view of a row, [`crate::db::audit::fields_of`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub kind: EventKind,
    pub id: i32,
    pub patient_id: PatientId,
    pub course_id: Option<CourseId>,
    pub follow_up_id: Option<FollowUpId>,
    pub row_version: i32,
    pub updated_by: UserId,
    pub updated_at: NaiveDateTime,
    pub fields: crate::db::audit::Fields,
}

impl StoredEvent {
    /// A column's stored text ("" for NULL or an unknown column).
    pub fn text(&self, column: &str) -> String {
        self.fields
            .iter()
            .find(|(n, _)| n == column)
            .and_then(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// Loads one event by kind and id, or `None`.
pub fn load_event(
    conn: &mut SqliteConnection,
    kind: EventKind,
    id: i32,
) -> QueryResult<Option<StoredEvent>> {
    use crate::db::audit::fields_of;
    macro_rules! load {
        ($table:ident, $row:ty, $course:expr) => {{
            let Some(row) = $table::table
                .find(id)
                .select(<$row>::as_select())
                .first(conn)
                .optional()?
            else {
                return Ok(None);
            };
            let course: fn(&$row) -> Option<CourseId> = $course;
            StoredEvent {
                kind,
                id,
                patient_id: row.patient_id,
                course_id: course(&row),
                follow_up_id: row.reported_in_follow_up_id,
                row_version: row.row_version,
                updated_by: row.updated_by,
                updated_at: row.updated_at,
                fields: fields_of(&row)?,
            }
        }};
    }
    Ok(Some(match kind {
        EventKind::Response => load!(response_assessments, ResponseAssessmentRow, |r| Some(
            r.course_id
        )),
        EventKind::Toxicity => load!(toxicity_events, ToxicityEventRow, |r| Some(r.course_id)),
        EventKind::Infection => load!(infections, InfectionRow, |_| None),
        EventKind::Immunoglobulin => {
            load!(immunoglobulin_courses, ImmunoglobulinCourseRow, |_| None)
        }
        EventKind::Lab => load!(lab_results, LabResultRow, |_| None),
        EventKind::Persistence => {
            load!(persistence_tests, PersistenceTestRow, |r| Some(r.course_id))
        }
        EventKind::Malignancy => load!(new_malignancies, NewMalignancyRow, |_| None),
        EventKind::Therapy => load!(subsequent_therapies, SubsequentTherapyRow, |r| Some(
            r.course_id
        )),
        EventKind::Death => load!(deaths, DeathRow, |_| None),
    }))
}
