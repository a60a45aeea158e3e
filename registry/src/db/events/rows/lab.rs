//! Laboratory results: the row types of `lab_results`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{FollowUpId, LabResultId, PatientId, UserId};
use crate::db::schema::lab_results;

/// A laboratory result (a row of `lab_results`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = lab_results, check_for_backend(Sqlite))]
pub struct LabResultRow {
    pub id: LabResultId,
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub sample_date: NaiveDate,
    pub sample_date_estimated: bool,
    pub analyte: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub value_missing: Option<String>,
    pub normalised_value: Option<f64>,
    pub normalised_unit: Option<String>,
    pub ivig_within_30_days: Option<String>,
    pub rbc_transfusion_within_30_days: Option<String>,
    pub platelet_transfusion_within_7_days: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `lab_results`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = lab_results, check_for_backend(Sqlite))]
pub struct NewLabResult {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub sample_date: NaiveDate,
    pub sample_date_estimated: bool,
    pub analyte: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub value_missing: Option<String>,
    pub normalised_value: Option<f64>,
    pub normalised_unit: Option<String>,
    pub ivig_within_30_days: Option<String>,
    pub rbc_transfusion_within_30_days: Option<String>,
    pub platelet_transfusion_within_7_days: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `lab_results`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = lab_results, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct LabResultChangeset {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub sample_date: NaiveDate,
    pub sample_date_estimated: bool,
    pub analyte: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub value_missing: Option<String>,
    pub normalised_value: Option<f64>,
    pub normalised_unit: Option<String>,
    pub ivig_within_30_days: Option<String>,
    pub rbc_transfusion_within_30_days: Option<String>,
    pub platelet_transfusion_within_7_days: Option<String>,
    pub updated_by: UserId,
}
