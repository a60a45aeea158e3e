//! Deaths and their contributing causes: the row types of `deaths` and
//! `death_contributing_causes`.
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{DeathContributingCauseId, DeathId, FollowUpId, PatientId, UserId};
use crate::db::schema::{death_contributing_causes, deaths};

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
