//! Follow-up reporting periods and their sign-off history: the row types. The section "none
//! to report" flags are `None` while unanswered; `locked_*` mirrors the current lock, and
//! every complete/verify/sign/lock/unlock act is a `FollowUpSignOffRow`. The methods that
//! detected a reported relapse are rows of their own (`RelapseDetectionMethodRow`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{CourseId, FollowUpId, FollowUpSignOffId, PatientId, UserId};
use crate::db::schema::{follow_up_sign_offs, follow_ups, relapse_detection_methods};

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

/// A method that detected the relapse a follow-up reports (a row of
/// `relapse_detection_methods`, as read back); the follow-up's `relapse_method` is the first.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = relapse_detection_methods, check_for_backend(Sqlite))]
pub struct RelapseDetectionMethodRow {
    pub id: i32,
    pub follow_up_id: FollowUpId,
    /// A `RelapseMethod` code.
    pub method: String,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// The method codes recorded for a follow-up's relapse, in entry order.
pub fn relapse_methods_of(
    conn: &mut SqliteConnection,
    follow_up: FollowUpId,
) -> QueryResult<Vec<String>> {
    relapse_detection_methods::table
        .filter(relapse_detection_methods::follow_up_id.eq(follow_up.0))
        .order(relapse_detection_methods::id)
        .select(relapse_detection_methods::method)
        .load(conn)
}

/// Makes a follow-up's relapse detection methods exactly `wanted` (codes), inside the caller's
/// transaction and change set: methods no longer wanted are deleted, new ones inserted, each
/// with its audit rows. Returns the number of audit rows written.
pub fn replace_relapse_methods(
    conn: &mut SqliteConnection,
    changes: &crate::db::audit::ChangeSet,
    follow_up: FollowUpId,
    patient: PatientId,
    wanted: &[&str],
) -> QueryResult<usize> {
    use crate::db::audit::fields_of;
    let stored: Vec<RelapseDetectionMethodRow> = relapse_detection_methods::table
        .filter(relapse_detection_methods::follow_up_id.eq(follow_up.0))
        .order(relapse_detection_methods::id)
        .select(RelapseDetectionMethodRow::as_select())
        .load(conn)?;
    let table = "relapse_detection_methods";
    let mut written = 0;
    for row in stored
        .iter()
        .filter(|r| !wanted.contains(&r.method.as_str()))
    {
        diesel::delete(relapse_detection_methods::table.find(row.id)).execute(conn)?;
        written += changes.record_delete(conn, table, row.id, Some(patient), &fields_of(row)?)?;
    }
    for method in wanted
        .iter()
        .filter(|m| !stored.iter().any(|r| r.method == **m))
    {
        let row: RelapseDetectionMethodRow = diesel::insert_into(relapse_detection_methods::table)
            .values((
                relapse_detection_methods::follow_up_id.eq(follow_up.0),
                relapse_detection_methods::method.eq(*method),
                relapse_detection_methods::created_by.eq(changes.user_id.0),
                relapse_detection_methods::updated_by.eq(changes.user_id.0),
            ))
            .returning(RelapseDetectionMethodRow::as_returning())
            .get_result(conn)?;
        written += changes.record_insert(conn, table, row.id, Some(patient), &fields_of(&row)?)?;
    }
    Ok(written)
}
