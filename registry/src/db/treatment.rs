//! CAR-T treatment courses and their infusions: the row types. Product, lymphodepletion, dose
//! unit and route columns hold `domain::product` codes.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{CourseId, DiagnosisId, InfusionId, PatientId, UserId};
use crate::db::schema::{infusions, treatment_courses};

/// A CAR-T treatment course (a row of `treatment_courses`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = treatment_courses, check_for_backend(Sqlite))]
pub struct CourseRow {
    pub id: CourseId,
    pub patient_id: PatientId,
    pub diagnosis_id: DiagnosisId,
    pub course_number: i32,
    pub product: String,
    pub investigational_product_name: Option<String>,
    pub investigational_target: Option<String>,
    pub product_class: String,
    pub trial_id: Option<String>,
    pub batch_number: Option<String>,
    pub apheresis_date: Option<NaiveDate>,
    pub apheresis_date_estimated: bool,
    pub bridging_therapy: Option<String>,
    pub bridging_regimen: Option<String>,
    pub bridging_start_date: Option<NaiveDate>,
    pub bridging_start_date_estimated: bool,
    pub bridging_end_date: Option<NaiveDate>,
    pub bridging_end_date_estimated: bool,
    pub not_infused_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `treatment_courses`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = treatment_courses, check_for_backend(Sqlite))]
pub struct NewCourse {
    pub patient_id: PatientId,
    pub diagnosis_id: DiagnosisId,
    pub course_number: i32,
    pub product: String,
    pub investigational_product_name: Option<String>,
    pub investigational_target: Option<String>,
    pub product_class: String,
    pub trial_id: Option<String>,
    pub batch_number: Option<String>,
    pub apheresis_date: Option<NaiveDate>,
    pub apheresis_date_estimated: bool,
    pub bridging_therapy: Option<String>,
    pub bridging_regimen: Option<String>,
    pub bridging_start_date: Option<NaiveDate>,
    pub bridging_start_date_estimated: bool,
    pub bridging_end_date: Option<NaiveDate>,
    pub bridging_end_date_estimated: bool,
    pub not_infused_reason: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `treatment_courses`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = treatment_courses, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct CourseChangeset {
    pub patient_id: PatientId,
    pub diagnosis_id: DiagnosisId,
    pub course_number: i32,
    pub product: String,
    pub investigational_product_name: Option<String>,
    pub investigational_target: Option<String>,
    pub product_class: String,
    pub trial_id: Option<String>,
    pub batch_number: Option<String>,
    pub apheresis_date: Option<NaiveDate>,
    pub apheresis_date_estimated: bool,
    pub bridging_therapy: Option<String>,
    pub bridging_regimen: Option<String>,
    pub bridging_start_date: Option<NaiveDate>,
    pub bridging_start_date_estimated: bool,
    pub bridging_end_date: Option<NaiveDate>,
    pub bridging_end_date_estimated: bool,
    pub not_infused_reason: Option<String>,
    pub updated_by: UserId,
}

/// A CAR-T infusion; the first of a course is Day 0 (a row of `infusions`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = infusions, check_for_backend(Sqlite))]
pub struct InfusionRow {
    pub id: InfusionId,
    pub course_id: CourseId,
    pub patient_id: PatientId,
    pub infusion_number: i32,
    pub lymphodepletion_regimen: String,
    pub lymphodepletion_start_date: Option<NaiveDate>,
    pub lymphodepletion_start_date_estimated: bool,
    pub lymphodepletion_end_date: Option<NaiveDate>,
    pub lymphodepletion_end_date_estimated: bool,
    pub infusion_date: NaiveDate,
    pub infusion_date_estimated: bool,
    pub dose: Option<f64>,
    pub dose_unit: Option<String>,
    pub entire_volume_infused: Option<String>,
    pub route: String,
    pub care_setting: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub admission_date_estimated: bool,
    pub discharge_date: Option<NaiveDate>,
    pub discharge_date_estimated: bool,
    pub ecog_pre_infusion: Option<i32>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `infusions`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = infusions, check_for_backend(Sqlite))]
pub struct NewInfusion {
    pub course_id: CourseId,
    pub patient_id: PatientId,
    pub infusion_number: i32,
    pub lymphodepletion_regimen: String,
    pub lymphodepletion_start_date: Option<NaiveDate>,
    pub lymphodepletion_start_date_estimated: bool,
    pub lymphodepletion_end_date: Option<NaiveDate>,
    pub lymphodepletion_end_date_estimated: bool,
    pub infusion_date: NaiveDate,
    pub infusion_date_estimated: bool,
    pub dose: Option<f64>,
    pub dose_unit: Option<String>,
    pub entire_volume_infused: Option<String>,
    pub route: String,
    pub care_setting: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub admission_date_estimated: bool,
    pub discharge_date: Option<NaiveDate>,
    pub discharge_date_estimated: bool,
    pub ecog_pre_infusion: Option<i32>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `infusions`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = infusions, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct InfusionChangeset {
    pub course_id: CourseId,
    pub patient_id: PatientId,
    pub infusion_number: i32,
    pub lymphodepletion_regimen: String,
    pub lymphodepletion_start_date: Option<NaiveDate>,
    pub lymphodepletion_start_date_estimated: bool,
    pub lymphodepletion_end_date: Option<NaiveDate>,
    pub lymphodepletion_end_date_estimated: bool,
    pub infusion_date: NaiveDate,
    pub infusion_date_estimated: bool,
    pub dose: Option<f64>,
    pub dose_unit: Option<String>,
    pub entire_volume_infused: Option<String>,
    pub route: String,
    pub care_setting: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub admission_date_estimated: bool,
    pub discharge_date: Option<NaiveDate>,
    pub discharge_date_estimated: bool,
    pub ecog_pre_infusion: Option<i32>,
    pub updated_by: UserId,
}
