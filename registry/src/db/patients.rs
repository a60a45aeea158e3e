//! Patients and their diagnoses: the row types. Coded columns hold the stored codes of the
//! domain vocabularies (`domain::patient`, `domain::diagnosis`); parse them at the edge.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{DiagnosisId, PatientId, SiteId, UserId};
use crate::db::schema::{diagnoses, patients};

/// A pseudonymous patient (a row of `patients`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = patients, check_for_backend(Sqlite))]
pub struct PatientRow {
    pub id: PatientId,
    pub registry_id: String,
    pub site_id: SiteId,
    pub cibmtr_crid: Option<String>,
    pub ebmt_id: Option<String>,
    pub trial_subject_id: Option<String>,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub birth_year: i32,
    pub enrolment_date: NaiveDate,
    pub enrolment_date_estimated: bool,
    pub consent_research: String,
    pub consent_research_date: Option<NaiveDate>,
    pub consent_research_date_estimated: bool,
    pub consent_data_sharing: Option<String>,
    pub consent_data_sharing_date: Option<NaiveDate>,
    pub consent_data_sharing_date_estimated: bool,
    pub ltfu_status: String,
    pub ltfu_status_date: Option<NaiveDate>,
    pub ltfu_status_date_estimated: bool,
    pub ltfu_contact_attempts: Option<i32>,
    pub transfer_centre: Option<String>,
    pub referring_physician: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `patients`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = patients, check_for_backend(Sqlite))]
pub struct NewPatient {
    pub registry_id: String,
    pub site_id: SiteId,
    pub cibmtr_crid: Option<String>,
    pub ebmt_id: Option<String>,
    pub trial_subject_id: Option<String>,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub birth_year: i32,
    pub enrolment_date: NaiveDate,
    pub enrolment_date_estimated: bool,
    pub consent_research: String,
    pub consent_research_date: Option<NaiveDate>,
    pub consent_research_date_estimated: bool,
    pub consent_data_sharing: Option<String>,
    pub consent_data_sharing_date: Option<NaiveDate>,
    pub consent_data_sharing_date_estimated: bool,
    pub ltfu_status: String,
    pub ltfu_status_date: Option<NaiveDate>,
    pub ltfu_status_date_estimated: bool,
    pub ltfu_contact_attempts: Option<i32>,
    pub transfer_centre: Option<String>,
    pub referring_physician: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `patients`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = patients, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct PatientChangeset {
    pub registry_id: String,
    pub site_id: SiteId,
    pub cibmtr_crid: Option<String>,
    pub ebmt_id: Option<String>,
    pub trial_subject_id: Option<String>,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub birth_year: i32,
    pub enrolment_date: NaiveDate,
    pub enrolment_date_estimated: bool,
    pub consent_research: String,
    pub consent_research_date: Option<NaiveDate>,
    pub consent_research_date_estimated: bool,
    pub consent_data_sharing: Option<String>,
    pub consent_data_sharing_date: Option<NaiveDate>,
    pub consent_data_sharing_date_estimated: bool,
    pub ltfu_status: String,
    pub ltfu_status_date: Option<NaiveDate>,
    pub ltfu_status_date_estimated: bool,
    pub ltfu_contact_attempts: Option<i32>,
    pub transfer_centre: Option<String>,
    pub referring_physician: Option<String>,
    pub updated_by: UserId,
}

/// The indication for CAR-T (a row of `diagnoses`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = diagnoses, check_for_backend(Sqlite))]
pub struct DiagnosisRow {
    pub id: DiagnosisId,
    pub patient_id: PatientId,
    pub disease: String,
    pub disease_other: Option<String>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub stage: Option<String>,
    pub ipi_score: Option<i32>,
    pub riss_stage: Option<String>,
    pub high_risk_cytogenetics: Option<String>,
    pub extramedullary_disease: Option<String>,
    pub cns_involvement: Option<String>,
    pub prior_lines_count: Option<i32>,
    pub refractory_status: Option<String>,
    pub prior_hct: String,
    pub prior_hct_date: Option<NaiveDate>,
    pub prior_hct_date_estimated: bool,
    pub prior_car_t: Option<String>,
    pub prior_same_target_therapy: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `diagnoses`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = diagnoses, check_for_backend(Sqlite))]
pub struct NewDiagnosis {
    pub patient_id: PatientId,
    pub disease: String,
    pub disease_other: Option<String>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub stage: Option<String>,
    pub ipi_score: Option<i32>,
    pub riss_stage: Option<String>,
    pub high_risk_cytogenetics: Option<String>,
    pub extramedullary_disease: Option<String>,
    pub cns_involvement: Option<String>,
    pub prior_lines_count: Option<i32>,
    pub refractory_status: Option<String>,
    pub prior_hct: String,
    pub prior_hct_date: Option<NaiveDate>,
    pub prior_hct_date_estimated: bool,
    pub prior_car_t: Option<String>,
    pub prior_same_target_therapy: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `diagnoses`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = diagnoses, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct DiagnosisChangeset {
    pub patient_id: PatientId,
    pub disease: String,
    pub disease_other: Option<String>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub stage: Option<String>,
    pub ipi_score: Option<i32>,
    pub riss_stage: Option<String>,
    pub high_risk_cytogenetics: Option<String>,
    pub extramedullary_disease: Option<String>,
    pub cns_involvement: Option<String>,
    pub prior_lines_count: Option<i32>,
    pub refractory_status: Option<String>,
    pub prior_hct: String,
    pub prior_hct_date: Option<NaiveDate>,
    pub prior_hct_date_estimated: bool,
    pub prior_car_t: Option<String>,
    pub prior_same_target_therapy: Option<String>,
    pub updated_by: UserId,
}
