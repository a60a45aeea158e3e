//! Disease response assessments: the row types of `response_assessments`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{CourseId, FollowUpId, PatientId, ResponseAssessmentId, UserId};
use crate::db::schema::response_assessments;

/// A disease response assessment (a row of `response_assessments`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = response_assessments, check_for_backend(Sqlite))]
pub struct ResponseAssessmentRow {
    pub id: ResponseAssessmentId,
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub assessment_date: NaiveDate,
    pub assessment_date_estimated: bool,
    pub method: Option<String>,
    pub criteria: String,
    pub response: String,
    pub deauville_score: Option<i32>,
    pub mrd_status: Option<String>,
    pub mrd_method: Option<String>,
    pub mrd_sensitivity: Option<String>,
    pub assessor: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `response_assessments`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = response_assessments, check_for_backend(Sqlite))]
pub struct NewResponseAssessment {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub assessment_date: NaiveDate,
    pub assessment_date_estimated: bool,
    pub method: Option<String>,
    pub criteria: String,
    pub response: String,
    pub deauville_score: Option<i32>,
    pub mrd_status: Option<String>,
    pub mrd_method: Option<String>,
    pub mrd_sensitivity: Option<String>,
    pub assessor: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `response_assessments`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = response_assessments, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct ResponseAssessmentChangeset {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub assessment_date: NaiveDate,
    pub assessment_date_estimated: bool,
    pub method: Option<String>,
    pub criteria: String,
    pub response: String,
    pub deauville_score: Option<i32>,
    pub mrd_status: Option<String>,
    pub mrd_method: Option<String>,
    pub mrd_sensitivity: Option<String>,
    pub assessor: Option<String>,
    pub updated_by: UserId,
}
