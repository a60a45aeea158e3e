//! Anticancer therapies after CAR-T: the row types of `subsequent_therapies`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{CourseId, FollowUpId, PatientId, SubsequentTherapyId, UserId};
use crate::db::schema::subsequent_therapies;

/// An anticancer therapy after CAR-T (a row of `subsequent_therapies`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = subsequent_therapies, check_for_backend(Sqlite))]
pub struct SubsequentTherapyRow {
    pub id: SubsequentTherapyId,
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub category: String,
    pub intent: Option<String>,
    pub regimen: Option<String>,
    pub start_date: NaiveDate,
    pub start_date_estimated: bool,
    pub end_date: Option<NaiveDate>,
    pub end_date_estimated: bool,
    pub best_response: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `subsequent_therapies`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = subsequent_therapies, check_for_backend(Sqlite))]
pub struct NewSubsequentTherapy {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub category: String,
    pub intent: Option<String>,
    pub regimen: Option<String>,
    pub start_date: NaiveDate,
    pub start_date_estimated: bool,
    pub end_date: Option<NaiveDate>,
    pub end_date_estimated: bool,
    pub best_response: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `subsequent_therapies`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = subsequent_therapies, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct SubsequentTherapyChangeset {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub category: String,
    pub intent: Option<String>,
    pub regimen: Option<String>,
    pub start_date: NaiveDate,
    pub start_date_estimated: bool,
    pub end_date: Option<NaiveDate>,
    pub end_date_estimated: bool,
    pub best_response: Option<String>,
    pub updated_by: UserId,
}
