//! The treatments of one toxicity event, read ([`toxicity_treatments_of`]) and made exactly a
//! wanted list with their audit rows ([`replace_toxicity_treatments`]).

use diesel::prelude::*;

use super::children::{ChildRows, replace_children};
use super::{NewToxicityTreatment, ToxicityTreatmentChangeset, ToxicityTreatmentRow};
use crate::db::ids::{PatientId, ToxicityEventId};
use crate::db::schema::toxicity_treatments;

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
    replace_children::<Treatments>(conn, changes, event.0, patient, wanted)
}

/// The treatments of one toxicity event, by id.
pub fn toxicity_treatments_of(
    conn: &mut SqliteConnection,
    event: ToxicityEventId,
) -> QueryResult<Vec<ToxicityTreatmentRow>> {
    Treatments::stored(conn, event.0)
}

/// `toxicity_treatments`, one row per agent.
struct Treatments;

impl ChildRows for Treatments {
    type Row = ToxicityTreatmentRow;
    type New = NewToxicityTreatment;
    const TABLE: &'static str = "toxicity_treatments";

    fn stored(conn: &mut SqliteConnection, event: i32) -> QueryResult<Vec<Self::Row>> {
        toxicity_treatments::table
            .filter(toxicity_treatments::toxicity_event_id.eq(event))
            .select(ToxicityTreatmentRow::as_select())
            .order(toxicity_treatments::id)
            .load(conn)
    }

    fn id(row: &Self::Row) -> i32 {
        row.id.0
    }

    fn same_key(row: &Self::Row, wanted: &Self::New) -> bool {
        row.agent == wanted.agent
    }

    fn same_values(row: &Self::Row, wanted: &Self::New) -> bool {
        row.agent_detail == wanted.agent_detail
            && row.doses_count == wanted.doses_count
            && row.start_date == wanted.start_date
            && row.start_date_estimated == wanted.start_date_estimated
    }

    fn delete(conn: &mut SqliteConnection, id: i32) -> QueryResult<()> {
        diesel::delete(toxicity_treatments::table.find(id))
            .execute(conn)
            .map(drop)
    }

    fn insert(
        conn: &mut SqliteConnection,
        event: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row> {
        diesel::insert_into(toxicity_treatments::table)
            .values(NewToxicityTreatment {
                toxicity_event_id: ToxicityEventId(event),
                ..wanted.clone()
            })
            .returning(ToxicityTreatmentRow::as_returning())
            .get_result(conn)
    }

    fn update(
        conn: &mut SqliteConnection,
        event: i32,
        id: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row> {
        diesel::update(toxicity_treatments::table.find(id))
            .set((
                ToxicityTreatmentChangeset {
                    toxicity_event_id: ToxicityEventId(event),
                    agent: wanted.agent.clone(),
                    agent_detail: wanted.agent_detail.clone(),
                    doses_count: wanted.doses_count,
                    start_date: wanted.start_date,
                    start_date_estimated: wanted.start_date_estimated,
                    updated_by: wanted.updated_by,
                },
                toxicity_treatments::row_version.eq(toxicity_treatments::row_version + 1),
                toxicity_treatments::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .returning(ToxicityTreatmentRow::as_returning())
            .get_result(conn)
    }
}
