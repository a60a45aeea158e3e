//! Clinical events and measurements after CAR-T: the row types. Each event is recorded once,
//! with its own date, and linked to the follow-up that first reported it
//! (`reported_in_follow_up_id`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{
    CourseId, DeathContributingCauseId, DeathId, FollowUpId, ImmunoglobulinCourseId, InfectionId,
    InfectionSiteId, LabResultId, NewMalignancyId, PatientId, PersistenceTestId,
    ResponseAssessmentId, SubsequentTherapyId, ToxicityEventId, ToxicityTreatmentId, UserId,
};
use crate::db::schema::{
    death_contributing_causes, deaths, immunoglobulin_courses, infection_sites, infections,
    lab_results, new_malignancies, persistence_tests, response_assessments, subsequent_therapies,
    toxicity_events, toxicity_treatments,
};

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

/// An infection (a row of `infections`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = infections, check_for_backend(Sqlite))]
pub struct InfectionRow {
    pub id: InfectionId,
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub organism_class: String,
    pub organism: Option<String>,
    pub organism_other: Option<String>,
    pub severity: Option<String>,
    pub hospitalised: Option<String>,
    pub icu_admission: Option<String>,
    pub outcome: Option<String>,
    pub resolution_date: Option<NaiveDate>,
    pub resolution_date_estimated: bool,
    pub recurrence_of_infection_id: Option<InfectionId>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `infections`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = infections, check_for_backend(Sqlite))]
pub struct NewInfection {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub organism_class: String,
    pub organism: Option<String>,
    pub organism_other: Option<String>,
    pub severity: Option<String>,
    pub hospitalised: Option<String>,
    pub icu_admission: Option<String>,
    pub outcome: Option<String>,
    pub resolution_date: Option<NaiveDate>,
    pub resolution_date_estimated: bool,
    pub recurrence_of_infection_id: Option<InfectionId>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `infections`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = infections, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct InfectionChangeset {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub organism_class: String,
    pub organism: Option<String>,
    pub organism_other: Option<String>,
    pub severity: Option<String>,
    pub hospitalised: Option<String>,
    pub icu_admission: Option<String>,
    pub outcome: Option<String>,
    pub resolution_date: Option<NaiveDate>,
    pub resolution_date_estimated: bool,
    pub recurrence_of_infection_id: Option<InfectionId>,
    pub updated_by: UserId,
}

/// A body site of an infection (a row of `infection_sites`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = infection_sites, check_for_backend(Sqlite))]
pub struct InfectionSiteRow {
    pub id: InfectionSiteId,
    pub infection_id: InfectionId,
    pub site: String,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `infection_sites`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = infection_sites, check_for_backend(Sqlite))]
pub struct NewInfectionSite {
    pub infection_id: InfectionId,
    pub site: String,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `infection_sites`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = infection_sites, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct InfectionSiteChangeset {
    pub infection_id: InfectionId,
    pub site: String,
    pub updated_by: UserId,
}

/// A new (secondary) malignancy (a row of `new_malignancies`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = new_malignancies, check_for_backend(Sqlite))]
pub struct NewMalignancyRow {
    pub id: NewMalignancyId,
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub malignancy_type: String,
    pub malignancy_detail: Option<String>,
    pub t_cell_malignancy: bool,
    pub ebv_positive: Option<String>,
    pub car_transgene_tested: Option<String>,
    pub car_transgene_result: Option<String>,
    pub product_derived: Option<String>,
    pub pathology_report_attached: bool,
    pub reported_to_manufacturer_date: Option<NaiveDate>,
    pub reported_to_manufacturer_date_estimated: bool,
    pub reported_to_fda_date: Option<NaiveDate>,
    pub reported_to_fda_date_estimated: bool,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `new_malignancies`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = new_malignancies, check_for_backend(Sqlite))]
pub struct NewNewMalignancy {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub malignancy_type: String,
    pub malignancy_detail: Option<String>,
    pub t_cell_malignancy: bool,
    pub ebv_positive: Option<String>,
    pub car_transgene_tested: Option<String>,
    pub car_transgene_result: Option<String>,
    pub product_derived: Option<String>,
    pub pathology_report_attached: bool,
    pub reported_to_manufacturer_date: Option<NaiveDate>,
    pub reported_to_manufacturer_date_estimated: bool,
    pub reported_to_fda_date: Option<NaiveDate>,
    pub reported_to_fda_date_estimated: bool,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `new_malignancies`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = new_malignancies, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct NewMalignancyChangeset {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub malignancy_type: String,
    pub malignancy_detail: Option<String>,
    pub t_cell_malignancy: bool,
    pub ebv_positive: Option<String>,
    pub car_transgene_tested: Option<String>,
    pub car_transgene_result: Option<String>,
    pub product_derived: Option<String>,
    pub pathology_report_attached: bool,
    pub reported_to_manufacturer_date: Option<NaiveDate>,
    pub reported_to_manufacturer_date_estimated: bool,
    pub reported_to_fda_date: Option<NaiveDate>,
    pub reported_to_fda_date_estimated: bool,
    pub updated_by: UserId,
}

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

/// A death (a row of `deaths`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = deaths, check_for_backend(Sqlite))]
pub struct DeathRow {
    pub id: DeathId,
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub death_date: NaiveDate,
    pub death_date_estimated: bool,
    pub primary_cause: String,
    pub primary_cause_other: Option<String>,
    pub autopsy: Option<String>,
    pub autopsy_report_attached: bool,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `deaths`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = deaths, check_for_backend(Sqlite))]
pub struct NewDeath {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub death_date: NaiveDate,
    pub death_date_estimated: bool,
    pub primary_cause: String,
    pub primary_cause_other: Option<String>,
    pub autopsy: Option<String>,
    pub autopsy_report_attached: bool,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `deaths`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = deaths, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct DeathChangeset {
    pub patient_id: PatientId,
    pub reported_in_follow_up_id: Option<FollowUpId>,
    pub death_date: NaiveDate,
    pub death_date_estimated: bool,
    pub primary_cause: String,
    pub primary_cause_other: Option<String>,
    pub autopsy: Option<String>,
    pub autopsy_report_attached: bool,
    pub updated_by: UserId,
}

/// A contributing cause of a death (a row of `death_contributing_causes`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = death_contributing_causes, check_for_backend(Sqlite))]
pub struct DeathContributingCauseRow {
    pub id: DeathContributingCauseId,
    pub death_id: DeathId,
    pub cause: String,
    pub cause_other: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `death_contributing_causes`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = death_contributing_causes, check_for_backend(Sqlite))]
pub struct NewDeathContributingCause {
    pub death_id: DeathId,
    pub cause: String,
    pub cause_other: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `death_contributing_causes`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = death_contributing_causes, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct DeathContributingCauseChangeset {
    pub death_id: DeathId,
    pub cause: String,
    pub cause_other: Option<String>,
    pub updated_by: UserId,
}

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
    fn children(self) -> Option<(&'static str, &'static str)> {
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

/// A validated value for one column of an event table.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValue {
    Text(Option<String>),
    Integer(Option<i32>),
    Real(Option<f64>),
    Bool(bool),
    Date(Option<NaiveDate>),
}

/// What a correction or a deletion came to.
#[derive(Debug, Clone, PartialEq)]
pub enum EventRevision {
    /// Written with its audit rows (or nothing to change).
    Done,
    /// Someone saved the event since it was read: nothing was written. The event as stored
    /// now, and the username of who saved it last.
    Stale {
        current: Box<StoredEvent>,
        by: String,
    },
    /// The event is gone (deleted meanwhile).
    Missing,
    /// The database state forbids it (e.g. a recurrence points at this infection): nothing
    /// was written; the message says why.
    Refused(String),
}

/// The work a correction does beside the event row, inside the same transaction and change
/// set (e.g. the patient's status when a death changes). `Some(message)` refuses the whole
/// change (rolled back) with that message.
pub type Companion<'a> = Box<
    dyn FnOnce(
            &mut SqliteConnection,
            &crate::db::audit::ChangeSet,
            &StoredEvent,
        ) -> QueryResult<Option<String>>
        + 'a,
>;

/// Why a companion refused: rolls the transaction back, carrying the message out.
#[derive(Debug)]
struct RefusedByCompanion(String);

impl std::fmt::Display for RefusedByCompanion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RefusedByCompanion {}

fn refused_or(e: diesel::result::Error) -> QueryResult<EventRevision> {
    if let diesel::result::Error::QueryBuilderError(inner) = &e
        && let Some(r) = inner.downcast_ref::<RefusedByCompanion>()
    {
        return Ok(EventRevision::Refused(r.0.clone()));
    }
    Err(e)
}

fn stale(conn: &mut SqliteConnection, current: StoredEvent) -> QueryResult<EventRevision> {
    let by = crate::db::users::username_of(conn, current.updated_by)?;
    Ok(EventRevision::Stale {
        current: Box::new(current),
        by,
    })
}

/// Corrects the columns of one event in one transaction: refuses a stale `expected_version`,
/// writes the columns, bumps `row_version`, runs the companion, and writes one audit row per
/// changed column (the event's and the companion's) under one change set with `reason`.
/// Nothing changed: nothing is written. The caller has checked the user's scope.
#[expect(
    clippy::too_many_arguments,
    reason = "one correction has this many parts"
)]
pub fn revise_event(
    conn: &mut SqliteConnection,
    actor: UserId,
    kind: EventKind,
    id: i32,
    expected_version: i32,
    reason: &str,
    columns: &[(&'static str, ColumnValue)],
    companion: Option<Companion<'_>>,
) -> QueryResult<EventRevision> {
    use crate::db::audit::ChangeSet;
    use diesel::sql_types::{Bool, Date, Double, Integer, Nullable, Text, Timestamp};
    let outcome = crate::db::write_transaction(conn, |conn| {
        let Some(before) = load_event(conn, kind, id)? else {
            return Ok(EventRevision::Missing);
        };
        if before.row_version != expected_version {
            return stale(conn, before);
        }
        let sets: Vec<String> = columns.iter().map(|(c, _)| format!("{c} = ?")).collect();
        let sql = format!(
            "UPDATE {} SET {}, row_version = row_version + 1, updated_at = ?, updated_by = ? \
             WHERE id = ? AND row_version = ?",
            kind.table(),
            sets.join(", ")
        );
        let mut query = diesel::sql_query(sql).into_boxed::<Sqlite>();
        for (_, value) in columns {
            query = match value.clone() {
                ColumnValue::Text(v) => query.bind::<Nullable<Text>, _>(v),
                ColumnValue::Integer(v) => query.bind::<Nullable<Integer>, _>(v),
                ColumnValue::Real(v) => query.bind::<Nullable<Double>, _>(v),
                ColumnValue::Bool(v) => query.bind::<Bool, _>(v),
                ColumnValue::Date(v) => query.bind::<Nullable<Date>, _>(v),
            };
        }
        let n = query
            .bind::<Timestamp, _>(chrono::Utc::now().naive_utc())
            .bind::<Integer, _>(actor.0)
            .bind::<Integer, _>(id)
            .bind::<Integer, _>(expected_version)
            .execute(conn)?;
        if n == 0 {
            return stale(conn, before);
        }
        let Some(after) = load_event(conn, kind, id)? else {
            return Ok(EventRevision::Missing);
        };
        let changes = ChangeSet::begin(conn, actor, None, Some(reason))?;
        changes.record_update(
            conn,
            kind.table(),
            id,
            Some(before.patient_id),
            &before.fields,
            &after.fields,
        )?;
        if let Some(companion) = companion
            && let Some(message) = companion(conn, &changes, &after)?
        {
            return Err(diesel::result::Error::QueryBuilderError(Box::new(
                RefusedByCompanion(message),
            )));
        }
        // The event's columns and the companion's rows (e.g. a toxicity's treatments) count
        // alike: a change to the child rows alone still raises the event's version, so a
        // concurrent edit of them is refused as stale.
        let written: i64 = crate::db::schema::audit_log::table
            .filter(crate::db::schema::audit_log::change_set_id.eq(changes.id))
            .count()
            .get_result(conn)?;
        if written == 0 {
            // The same values again: undo the version bump, leave no trace.
            return Err(diesel::result::Error::RollbackTransaction);
        }
        Ok(EventRevision::Done)
    });
    match outcome {
        Err(diesel::result::Error::RollbackTransaction) => Ok(EventRevision::Done),
        Err(e) => refused_or(e),
        ok => ok,
    }
}

/// Deletes one event (and its child rows) in one transaction: refuses a stale
/// `expected_version`, records every deleted row's last values in the audit trail under one
/// change set with `reason`, and runs the companion (which may refuse).
pub fn delete_event(
    conn: &mut SqliteConnection,
    actor: UserId,
    kind: EventKind,
    id: i32,
    expected_version: i32,
    reason: &str,
    companion: Option<Companion<'_>>,
) -> QueryResult<EventRevision> {
    use crate::db::audit::ChangeSet;
    use diesel::sql_types::Integer;
    let outcome = crate::db::write_transaction(conn, |conn| {
        let Some(before) = load_event(conn, kind, id)? else {
            return Ok(EventRevision::Missing);
        };
        if before.row_version != expected_version {
            return stale(conn, before);
        }
        if kind == EventKind::Infection {
            let recurrences: i64 = infections::table
                .filter(infections::recurrence_of_infection_id.eq(id))
                .count()
                .get_result(conn)?;
            if recurrences > 0 {
                return Ok(EventRevision::Refused(
                    "Another infection is recorded as a recurrence of this one: correct or delete \
                     that one first."
                        .to_owned(),
                ));
            }
        }
        let changes = ChangeSet::begin(conn, actor, None, Some(reason))?;
        let patient = Some(before.patient_id);
        if let Some((table, fk)) = kind.children() {
            let children: Vec<(i32, crate::db::audit::Fields)> = match kind {
                EventKind::Toxicity => audit_fields(
                    toxicity_treatments::table
                        .filter(toxicity_treatments::toxicity_event_id.eq(id))
                        .select(ToxicityTreatmentRow::as_select())
                        .load(conn)?,
                    |r| r.id.0,
                )?,
                EventKind::Infection => audit_fields(
                    infection_sites::table
                        .filter(infection_sites::infection_id.eq(id))
                        .select(InfectionSiteRow::as_select())
                        .load(conn)?,
                    |r| r.id.0,
                )?,
                EventKind::Death => audit_fields(
                    death_contributing_causes::table
                        .filter(death_contributing_causes::death_id.eq(id))
                        .select(DeathContributingCauseRow::as_select())
                        .load(conn)?,
                    |r| r.id.0,
                )?,
                _ => Vec::new(),
            };
            for (child_id, fields) in &children {
                changes.record_delete(conn, table, *child_id, patient, fields)?;
            }
            diesel::sql_query(format!("DELETE FROM {table} WHERE {fk} = ?"))
                .bind::<Integer, _>(id)
                .execute(conn)?;
        }
        let n = diesel::sql_query(format!(
            "DELETE FROM {} WHERE id = ? AND row_version = ?",
            kind.table()
        ))
        .bind::<Integer, _>(id)
        .bind::<Integer, _>(expected_version)
        .execute(conn)?;
        if n == 0 {
            return Err(diesel::result::Error::NotFound);
        }
        changes.record_delete(conn, kind.table(), id, patient, &before.fields)?;
        if let Some(companion) = companion
            && let Some(message) = companion(conn, &changes, &before)?
        {
            return Err(diesel::result::Error::QueryBuilderError(Box::new(
                RefusedByCompanion(message),
            )));
        }
        Ok(EventRevision::Done)
    });
    outcome.or_else(refused_or)
}

/// Each row's id and its audit fields (what a delete records of it).
fn audit_fields<R: serde::Serialize>(
    rows: Vec<R>,
    id: impl Fn(&R) -> i32,
) -> QueryResult<Vec<(i32, crate::db::audit::Fields)>> {
    rows.iter()
        .map(|r| Ok((id(r), crate::db::audit::fields_of(r)?)))
        .collect()
}

/// Makes the treatments of one toxicity event exactly `wanted` (one row per agent), inside the
/// caller's transaction and change set: a row whose agent is no longer wanted is deleted, a new
/// agent is inserted, a kept agent whose dose count, detail or start date changed is updated
/// (its `row_version` raised), each with its audit rows. Returns the number of audit rows
/// written (0: the treatments were already these).
pub fn replace_toxicity_treatments(
    conn: &mut SqliteConnection,
    changes: &crate::db::audit::ChangeSet,
    event: ToxicityEventId,
    patient: PatientId,
    wanted: &[NewToxicityTreatment],
) -> QueryResult<usize> {
    use crate::db::audit::fields_of;
    let stored: Vec<ToxicityTreatmentRow> = toxicity_treatments::table
        .filter(toxicity_treatments::toxicity_event_id.eq(event.0))
        .select(ToxicityTreatmentRow::as_select())
        .order(toxicity_treatments::id)
        .load(conn)?;
    let table = "toxicity_treatments";
    let mut written = 0;
    for row in &stored {
        if !wanted.iter().any(|w| w.agent == row.agent) {
            diesel::delete(toxicity_treatments::table.find(row.id.0)).execute(conn)?;
            written +=
                changes.record_delete(conn, table, row.id.0, Some(patient), &fields_of(row)?)?;
        }
    }
    for new in wanted {
        match stored.iter().find(|r| r.agent == new.agent) {
            Some(before) => {
                let same = before.agent_detail == new.agent_detail
                    && before.doses_count == new.doses_count
                    && before.start_date == new.start_date
                    && before.start_date_estimated == new.start_date_estimated;
                if same {
                    continue;
                }
                diesel::update(toxicity_treatments::table.find(before.id.0))
                    .set((
                        ToxicityTreatmentChangeset {
                            toxicity_event_id: event,
                            agent: new.agent.clone(),
                            agent_detail: new.agent_detail.clone(),
                            doses_count: new.doses_count,
                            start_date: new.start_date,
                            start_date_estimated: new.start_date_estimated,
                            updated_by: new.updated_by,
                        },
                        toxicity_treatments::row_version.eq(toxicity_treatments::row_version + 1),
                        toxicity_treatments::updated_at.eq(chrono::Utc::now().naive_utc()),
                    ))
                    .execute(conn)?;
                let after: ToxicityTreatmentRow = toxicity_treatments::table
                    .find(before.id.0)
                    .select(ToxicityTreatmentRow::as_select())
                    .first(conn)?;
                written += changes.record_update(
                    conn,
                    table,
                    after.id.0,
                    Some(patient),
                    &fields_of(before)?,
                    &fields_of(&after)?,
                )?;
            }
            None => {
                let row: ToxicityTreatmentRow = diesel::insert_into(toxicity_treatments::table)
                    .values(NewToxicityTreatment {
                        toxicity_event_id: event,
                        ..new.clone()
                    })
                    .returning(ToxicityTreatmentRow::as_returning())
                    .get_result(conn)?;
                written += changes.record_insert(
                    conn,
                    table,
                    row.id.0,
                    Some(patient),
                    &fields_of(&row)?,
                )?;
            }
        }
    }
    Ok(written)
}
