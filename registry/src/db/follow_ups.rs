//! Follow-up reporting periods and their sign-off history: the row types. The section "none
//! to report" flags are `None` while unanswered; `locked_*` mirrors the current lock, and
//! every complete/verify/sign/lock/unlock act is a `FollowUpSignOffRow`.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{CourseId, FollowUpId, FollowUpSignOffId, PatientId, UserId};
use crate::db::schema::{follow_up_sign_offs, follow_ups};

/// A follow-up reporting period (a row of `follow_ups`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = follow_ups, check_for_backend(Sqlite))]
pub struct FollowUpRow {
    pub id: FollowUpId,
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub timepoint: String,
    pub contact_date: Option<NaiveDate>,
    pub contact_date_estimated: bool,
    pub contact_type: Option<String>,
    pub survival_status: Option<String>,
    pub ecog_performance_status: Option<i32>,
    pub relapse_since_last: Option<String>,
    pub relapse_date: Option<NaiveDate>,
    pub relapse_date_estimated: bool,
    pub relapse_method: Option<String>,
    pub relapse_antigen_status: Option<String>,
    pub form_status: String,
    pub responses_none_to_report: Option<bool>,
    pub toxicities_none_to_report: Option<bool>,
    pub infections_none_to_report: Option<bool>,
    pub new_malignancies_none_to_report: Option<bool>,
    pub subsequent_therapies_none_to_report: Option<bool>,
    pub persistence_tests_none_to_report: Option<bool>,
    pub lab_results_none_to_report: Option<bool>,
    pub immunoglobulin_none_to_report: Option<bool>,
    pub locked_by: Option<UserId>,
    pub locked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `follow_ups`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = follow_ups, check_for_backend(Sqlite))]
pub struct NewFollowUp {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub timepoint: String,
    pub contact_date: Option<NaiveDate>,
    pub contact_date_estimated: bool,
    pub contact_type: Option<String>,
    pub survival_status: Option<String>,
    pub ecog_performance_status: Option<i32>,
    pub relapse_since_last: Option<String>,
    pub relapse_date: Option<NaiveDate>,
    pub relapse_date_estimated: bool,
    pub relapse_method: Option<String>,
    pub relapse_antigen_status: Option<String>,
    pub form_status: String,
    pub responses_none_to_report: Option<bool>,
    pub toxicities_none_to_report: Option<bool>,
    pub infections_none_to_report: Option<bool>,
    pub new_malignancies_none_to_report: Option<bool>,
    pub subsequent_therapies_none_to_report: Option<bool>,
    pub persistence_tests_none_to_report: Option<bool>,
    pub lab_results_none_to_report: Option<bool>,
    pub immunoglobulin_none_to_report: Option<bool>,
    pub locked_by: Option<UserId>,
    pub locked_at: Option<NaiveDateTime>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `follow_ups`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = follow_ups, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct FollowUpChangeset {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub timepoint: String,
    pub contact_date: Option<NaiveDate>,
    pub contact_date_estimated: bool,
    pub contact_type: Option<String>,
    pub survival_status: Option<String>,
    pub ecog_performance_status: Option<i32>,
    pub relapse_since_last: Option<String>,
    pub relapse_date: Option<NaiveDate>,
    pub relapse_date_estimated: bool,
    pub relapse_method: Option<String>,
    pub relapse_antigen_status: Option<String>,
    pub form_status: String,
    pub responses_none_to_report: Option<bool>,
    pub toxicities_none_to_report: Option<bool>,
    pub infections_none_to_report: Option<bool>,
    pub new_malignancies_none_to_report: Option<bool>,
    pub subsequent_therapies_none_to_report: Option<bool>,
    pub persistence_tests_none_to_report: Option<bool>,
    pub lab_results_none_to_report: Option<bool>,
    pub immunoglobulin_none_to_report: Option<bool>,
    pub locked_by: Option<UserId>,
    pub locked_at: Option<NaiveDateTime>,
    pub updated_by: UserId,
}

/// A sign-off act on a follow-up (append-only) (a row of `follow_up_sign_offs`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = follow_up_sign_offs, check_for_backend(Sqlite))]
pub struct FollowUpSignOffRow {
    pub id: FollowUpSignOffId,
    pub follow_up_id: FollowUpId,
    pub act: String,
    pub user_id: UserId,
    pub printed_name: String,
    pub performed_at: NaiveDateTime,
    pub signature_meaning: Option<String>,
    pub reason: Option<String>,
}

/// A new row of `follow_up_sign_offs`; the database fills `id` and `performed_at` (now, UTC).
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = follow_up_sign_offs, check_for_backend(Sqlite))]
pub struct NewFollowUpSignOff {
    pub follow_up_id: FollowUpId,
    pub act: String,
    pub user_id: UserId,
    pub printed_name: String,
    pub signature_meaning: Option<String>,
    pub reason: Option<String>,
}
