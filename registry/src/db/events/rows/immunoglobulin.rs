//! Immunoglobulin replacement courses: the row types of `immunoglobulin_courses`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{FollowUpId, ImmunoglobulinCourseId, PatientId, UserId};
use crate::db::schema::immunoglobulin_courses;

/// A course of immunoglobulin replacement (a row of `immunoglobulin_courses`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = immunoglobulin_courses, check_for_backend(Sqlite))]
pub struct ImmunoglobulinCourseRow {
    pub id: ImmunoglobulinCourseId,
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub start_date: NaiveDate,
    pub start_date_estimated: bool,
    pub stop_date: Option<NaiveDate>,
    pub stop_date_estimated: bool,
    pub ongoing: bool,
    pub route: String,
    pub product_name: Option<String>,
    pub dose_g: Option<f64>,
    pub dose_mg_per_kg: Option<f64>,
    pub interval_days: Option<i32>,
    pub indication: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `immunoglobulin_courses`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = immunoglobulin_courses, check_for_backend(Sqlite))]
pub struct NewImmunoglobulinCourse {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub start_date: NaiveDate,
    pub start_date_estimated: bool,
    pub stop_date: Option<NaiveDate>,
    pub stop_date_estimated: bool,
    pub ongoing: bool,
    pub route: String,
    pub product_name: Option<String>,
    pub dose_g: Option<f64>,
    pub dose_mg_per_kg: Option<f64>,
    pub interval_days: Option<i32>,
    pub indication: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `immunoglobulin_courses`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = immunoglobulin_courses, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct ImmunoglobulinCourseChangeset {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub start_date: NaiveDate,
    pub start_date_estimated: bool,
    pub stop_date: Option<NaiveDate>,
    pub stop_date_estimated: bool,
    pub ongoing: bool,
    pub route: String,
    pub product_name: Option<String>,
    pub dose_g: Option<f64>,
    pub dose_mg_per_kg: Option<f64>,
    pub interval_days: Option<i32>,
    pub indication: Option<String>,
    pub updated_by: UserId,
}
