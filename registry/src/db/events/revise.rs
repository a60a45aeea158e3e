//! Correcting and deleting a recorded event: [`revise_event`] and [`delete_event`] in one
//! transaction each, with the audit trail, the stale-version refusal, the refusal of an
//! infection that another one recurs from, and the [`Companion`] work (which may refuse).

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use super::{
    EventKind, StoredEvent, death_contributing_causes_of, infection_sites_of, load_event,
    toxicity_treatments_of,
};
use crate::db::ids::{DeathId, InfectionId, ToxicityEventId, UserId};
use crate::db::schema::infections;

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
                EventKind::Toxicity => {
                    audit_fields(toxicity_treatments_of(conn, ToxicityEventId(id))?, |r| {
                        r.id.0
                    })?
                }
                EventKind::Infection => {
                    audit_fields(infection_sites_of(conn, InfectionId(id))?, |r| r.id.0)?
                }
                EventKind::Death => {
                    audit_fields(death_contributing_causes_of(conn, DeathId(id))?, |r| r.id.0)?
                }
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
