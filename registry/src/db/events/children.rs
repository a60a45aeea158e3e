//! The child rows of one event (a toxicity's treatments, an infection's sites) made exactly a
//! wanted list, with their audit rows: [`ChildRows`] says how one table is read and written,
//! [`replace_children`] does the rest, the same for every such table.

use diesel::prelude::*;

use crate::db::audit::{ChangeSet, fields_of};
use crate::db::ids::PatientId;

/// A table of an event's child rows, one row per key (an agent, a site code).
pub(super) trait ChildRows {
    /// A row as read back (its audit fields are its serialised columns).
    type Row: serde::Serialize;
    /// A wanted row (its parent id is the event's, whatever it holds).
    type New;
    /// The table, as the audit trail names it.
    const TABLE: &'static str;

    /// The event's rows, by id.
    fn stored(conn: &mut SqliteConnection, event: i32) -> QueryResult<Vec<Self::Row>>;
    fn id(row: &Self::Row) -> i32;
    /// The row stands for the wanted one (same key).
    fn same_key(row: &Self::Row, wanted: &Self::New) -> bool;
    /// The row already holds every value of the wanted one.
    fn same_values(row: &Self::Row, wanted: &Self::New) -> bool;
    fn delete(conn: &mut SqliteConnection, id: i32) -> QueryResult<()>;
    fn insert(
        conn: &mut SqliteConnection,
        event: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row>;
    /// Writes the wanted values over row `id`, raising its `row_version`.
    fn update(
        conn: &mut SqliteConnection,
        event: i32,
        id: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row>;
}

/// Makes the child rows of one event exactly `wanted`, inside the caller's transaction and
/// change set: a row whose key is no longer wanted is deleted, a new key inserted, a kept key
/// whose values changed updated, each with its audit rows; a kept row with the same values is
/// not touched. Returns the number of audit rows written (0: the rows were already these).
pub(super) fn replace_children<C: ChildRows>(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    event: i32,
    patient: PatientId,
    wanted: &[C::New],
) -> QueryResult<usize> {
    let stored = C::stored(conn, event)?;
    let patient = Some(patient);
    let mut written = 0;
    for row in stored
        .iter()
        .filter(|r| !wanted.iter().any(|w| C::same_key(r, w)))
    {
        C::delete(conn, C::id(row))?;
        written += changes.record_delete(conn, C::TABLE, C::id(row), patient, &fields_of(row)?)?;
    }
    for new in wanted {
        written += match stored.iter().find(|r| C::same_key(r, new)) {
            Some(before) if C::same_values(before, new) => 0,
            Some(before) => {
                let after = C::update(conn, event, C::id(before), new)?;
                changes.record_update(
                    conn,
                    C::TABLE,
                    C::id(&after),
                    patient,
                    &fields_of(before)?,
                    &fields_of(&after)?,
                )?
            }
            None => {
                let row = C::insert(conn, event, new)?;
                changes.record_insert(conn, C::TABLE, C::id(&row), patient, &fields_of(&row)?)?
            }
        };
    }
    Ok(written)
}
