//! New (secondary) malignancies: the row types of `new_malignancies`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{FollowUpId, NewMalignancyId, PatientId, UserId};
use crate::db::schema::new_malignancies;

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
