//! The contributing causes of one death, read ([`death_contributing_causes_of`]) and made
//! exactly a wanted list with their audit rows ([`replace_death_contributing_causes`]).

use diesel::prelude::*;

use super::children::{ChildRows, replace_children};
use super::{
    DeathContributingCauseChangeset, DeathContributingCauseRow, NewDeathContributingCause,
};
use crate::db::ids::{DeathId, PatientId};
use crate::db::schema::death_contributing_causes;

/// Makes the contributing causes of one death exactly `wanted` (one row per cause), inside the
/// caller's transaction and change set: a cause no longer wanted is deleted and a new one
/// inserted, each with its audit rows; a kept cause is not touched, unless it is the other
/// cause and its name changed (then updated, its `row_version` raised, and audited). Returns
/// the number of audit rows written (0: the causes were already these).
pub fn replace_death_contributing_causes(
    conn: &mut SqliteConnection,
    changes: &crate::db::audit::ChangeSet,
    death: DeathId,
    patient: PatientId,
    wanted: &[NewDeathContributingCause],
) -> QueryResult<usize> {
    replace_children::<Causes>(conn, changes, death.0, patient, wanted)
}

/// The contributing causes of one death, by id.
pub fn death_contributing_causes_of(
    conn: &mut SqliteConnection,
    death: DeathId,
) -> QueryResult<Vec<DeathContributingCauseRow>> {
    Causes::stored(conn, death.0)
}

/// `death_contributing_causes`, one row per cause.
struct Causes;

impl ChildRows for Causes {
    type Row = DeathContributingCauseRow;
    type New = NewDeathContributingCause;
    const TABLE: &'static str = "death_contributing_causes";

    fn stored(conn: &mut SqliteConnection, death: i32) -> QueryResult<Vec<Self::Row>> {
        death_contributing_causes::table
            .filter(death_contributing_causes::death_id.eq(death))
            .select(DeathContributingCauseRow::as_select())
            .order(death_contributing_causes::id)
            .load(conn)
    }

    fn id(row: &Self::Row) -> i32 {
        row.id.0
    }

    fn same_key(row: &Self::Row, wanted: &Self::New) -> bool {
        row.cause == wanted.cause
    }

    fn same_values(row: &Self::Row, wanted: &Self::New) -> bool {
        row.cause_other == wanted.cause_other
    }

    fn delete(conn: &mut SqliteConnection, id: i32) -> QueryResult<()> {
        diesel::delete(death_contributing_causes::table.find(id))
            .execute(conn)
            .map(drop)
    }

    fn insert(
        conn: &mut SqliteConnection,
        death: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row> {
        diesel::insert_into(death_contributing_causes::table)
            .values(NewDeathContributingCause {
                death_id: DeathId(death),
                ..wanted.clone()
            })
            .returning(DeathContributingCauseRow::as_returning())
            .get_result(conn)
    }

    fn update(
        conn: &mut SqliteConnection,
        death: i32,
        id: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row> {
        diesel::update(death_contributing_causes::table.find(id))
            .set((
                DeathContributingCauseChangeset {
                    death_id: DeathId(death),
                    cause: wanted.cause.clone(),
                    cause_other: wanted.cause_other.clone(),
                    updated_by: wanted.updated_by,
                },
                death_contributing_causes::row_version
                    .eq(death_contributing_causes::row_version + 1),
                death_contributing_causes::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .returning(DeathContributingCauseRow::as_returning())
            .get_result(conn)
    }
}
