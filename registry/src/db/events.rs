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
