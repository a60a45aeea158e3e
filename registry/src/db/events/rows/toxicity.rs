//! Toxicity events (CRS, ICANS, ICAHT, ...) and the treatments given for them: the row types of
//! `toxicity_events` and `toxicity_treatments`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{
    CourseId, FollowUpId, PatientId, ToxicityEventId, ToxicityTreatmentId, UserId,
};
use crate::db::schema::{toxicity_events, toxicity_treatments};

/// A toxicity event (CRS, ICANS, ...) (a row of `toxicity_events`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = toxicity_events, check_for_backend(Sqlite))]
pub struct ToxicityEventRow {
    pub id: ToxicityEventId,
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub toxicity_type: String,
    pub toxicity_term: Option<String>,
    pub grading_system: String,
    pub max_grade: String,
    pub max_grade_date: Option<NaiveDate>,
    pub max_grade_date_estimated: bool,
    pub onset_date: NaiveDate,
    pub onset_date_estimated: bool,
    pub resolution_date: Option<NaiveDate>,
    pub resolution_date_estimated: bool,
    pub ongoing: bool,
    pub icu_admission: Option<String>,
    pub crs_max_temperature_c: Option<f64>,
    pub crs_hypotension: Option<String>,
    pub crs_hypoxia: Option<String>,
    pub icans_lowest_ice_score: Option<i32>,
    pub icans_highest_capd_score: Option<i32>,
    pub icans_consciousness: Option<String>,
    pub icans_seizure: Option<String>,
    pub icans_motor_weakness: Option<String>,
    pub icans_cerebral_oedema: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
    /// Early ICAHT: days with ANC <= 500/µL and days with ANC <= 100/µL (EHA/EBMT 2023).
    pub icaht_days_anc_le_500: Option<i32>,
    pub icaht_days_anc_le_100: Option<i32>,
    /// Late ICAHT: the ANC nadir, cells/µL.
    pub icaht_anc_nadir_per_ul: Option<i32>,
}

/// A new row of `toxicity_events`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = toxicity_events, check_for_backend(Sqlite))]
pub struct NewToxicityEvent {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub toxicity_type: String,
    pub toxicity_term: Option<String>,
    pub grading_system: String,
    pub max_grade: String,
    pub max_grade_date: Option<NaiveDate>,
    pub max_grade_date_estimated: bool,
    pub onset_date: NaiveDate,
    pub onset_date_estimated: bool,
    pub resolution_date: Option<NaiveDate>,
    pub resolution_date_estimated: bool,
    pub ongoing: bool,
    pub icu_admission: Option<String>,
    pub crs_max_temperature_c: Option<f64>,
    pub crs_hypotension: Option<String>,
    pub crs_hypoxia: Option<String>,
    pub icans_lowest_ice_score: Option<i32>,
    pub icans_highest_capd_score: Option<i32>,
    pub icans_consciousness: Option<String>,
    pub icans_seizure: Option<String>,
    pub icans_motor_weakness: Option<String>,
    pub icans_cerebral_oedema: Option<String>,
    /// Early ICAHT: days with ANC <= 500/µL and days with ANC <= 100/µL (EHA/EBMT 2023).
    pub icaht_days_anc_le_500: Option<i32>,
    pub icaht_days_anc_le_100: Option<i32>,
    /// Late ICAHT: the ANC nadir, cells/µL.
    pub icaht_anc_nadir_per_ul: Option<i32>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `toxicity_events`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = toxicity_events, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct ToxicityEventChangeset {
    pub patient_id: PatientId,
    pub course_id: CourseId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub toxicity_type: String,
    pub toxicity_term: Option<String>,
    pub grading_system: String,
    pub max_grade: String,
    pub max_grade_date: Option<NaiveDate>,
    pub max_grade_date_estimated: bool,
    pub onset_date: NaiveDate,
    pub onset_date_estimated: bool,
    pub resolution_date: Option<NaiveDate>,
    pub resolution_date_estimated: bool,
    pub ongoing: bool,
    pub icu_admission: Option<String>,
    pub crs_max_temperature_c: Option<f64>,
    pub crs_hypotension: Option<String>,
    pub crs_hypoxia: Option<String>,
    pub icans_lowest_ice_score: Option<i32>,
    pub icans_highest_capd_score: Option<i32>,
    pub icans_consciousness: Option<String>,
    pub icans_seizure: Option<String>,
    pub icans_motor_weakness: Option<String>,
    pub icans_cerebral_oedema: Option<String>,
    /// Early ICAHT: days with ANC <= 500/µL and days with ANC <= 100/µL (EHA/EBMT 2023).
    pub icaht_days_anc_le_500: Option<i32>,
    pub icaht_days_anc_le_100: Option<i32>,
    /// Late ICAHT: the ANC nadir, cells/µL.
    pub icaht_anc_nadir_per_ul: Option<i32>,
    pub updated_by: UserId,
}

/// A treatment given for a toxicity event (a row of `toxicity_treatments`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = toxicity_treatments, check_for_backend(Sqlite))]
pub struct ToxicityTreatmentRow {
    pub id: ToxicityTreatmentId,
    pub toxicity_event_id: ToxicityEventId,
    pub agent: String,
    pub agent_detail: Option<String>,
    pub doses_count: Option<i32>,
    pub start_date: Option<NaiveDate>,
    pub start_date_estimated: bool,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `toxicity_treatments`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = toxicity_treatments, check_for_backend(Sqlite))]
pub struct NewToxicityTreatment {
    pub toxicity_event_id: ToxicityEventId,
    pub agent: String,
    pub agent_detail: Option<String>,
    pub doses_count: Option<i32>,
    pub start_date: Option<NaiveDate>,
    pub start_date_estimated: bool,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `toxicity_treatments`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = toxicity_treatments, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct ToxicityTreatmentChangeset {
    pub toxicity_event_id: ToxicityEventId,
    pub agent: String,
    pub agent_detail: Option<String>,
    pub doses_count: Option<i32>,
    pub start_date: Option<NaiveDate>,
    pub start_date_estimated: bool,
    pub updated_by: UserId,
}
