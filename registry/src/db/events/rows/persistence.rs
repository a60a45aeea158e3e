//! CAR-T persistence tests: the row types of `persistence_tests`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{CourseId, FollowUpId, PatientId, PersistenceTestId, UserId};
use crate::db::schema::persistence_tests;

/// A CAR-T persistence test (a row of `persistence_tests`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = persistence_tests, check_for_backend(Sqlite))]
pub struct PersistenceTestRow {
    pub id: PersistenceTestId,
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub sample_date: NaiveDate,
    pub sample_date_estimated: bool,
    pub specimen: String,
    pub method: String,
    pub detected: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub below_lloq: bool,
    pub lloq: Option<f64>,
    pub laboratory: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `persistence_tests`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = persistence_tests, check_for_backend(Sqlite))]
pub struct NewPersistenceTest {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub sample_date: NaiveDate,
    pub sample_date_estimated: bool,
    pub specimen: String,
    pub method: String,
    pub detected: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub below_lloq: bool,
    pub lloq: Option<f64>,
    pub laboratory: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `persistence_tests`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = persistence_tests, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct PersistenceTestChangeset {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub sample_date: NaiveDate,
    pub sample_date_estimated: bool,
    pub specimen: String,
    pub method: String,
    pub detected: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub below_lloq: bool,
    pub lloq: Option<f64>,
    pub laboratory: Option<String>,
    pub updated_by: UserId,
}
