//! Infections and their body sites: the row types of `infections` and `infection_sites`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{FollowUpId, InfectionId, InfectionSiteId, PatientId, UserId};
use crate::db::schema::{infection_sites, infections};

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
    /// What the site is, when it is `OTHER` (NULL on an `OTHER` row stored before it was asked).
    pub site_other: Option<String>,
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
    pub site_other: Option<String>,
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
    pub site_other: Option<String>,
    pub updated_by: UserId,
}
