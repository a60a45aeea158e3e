//! The treatments of one toxicity event made exactly a wanted list, with their audit rows
//! ([`replace_toxicity_treatments`]).

use diesel::prelude::*;

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
    use crate::db::audit::fields_of;
    let stored: Vec<ToxicityTreatmentRow> = toxicity_treatments::table
        .filter(toxicity_treatments::toxicity_event_id.eq(event.0))
        .select(ToxicityTreatmentRow::as_select())
        .order(toxicity_treatments::id)
        .load(conn)?;
    let table = "toxicity_treatments";
    let mut written = 0;
    for row in &stored {
        if !wanted.iter().any(|w| w.agent == row.agent) {
            diesel::delete(toxicity_treatments::table.find(row.id.0)).execute(conn)?;
            written +=
                changes.record_delete(conn, table, row.id.0, Some(patient), &fields_of(row)?)?;
        }
    }
    for new in wanted {
        match stored.iter().find(|r| r.agent == new.agent) {
            Some(before) => {
                let same = before.agent_detail == new.agent_detail
                    && before.doses_count == new.doses_count
                    && before.start_date == new.start_date
                    && before.start_date_estimated == new.start_date_estimated;
                if same {
                    continue;
                }
                diesel::update(toxicity_treatments::table.find(before.id.0))
                    .set((
                        ToxicityTreatmentChangeset {
                            toxicity_event_id: event,
                            agent: new.agent.clone(),
                            agent_detail: new.agent_detail.clone(),
                            doses_count: new.doses_count,
                            start_date: new.start_date,
                            start_date_estimated: new.start_date_estimated,
                            updated_by: new.updated_by,
                        },
                        toxicity_treatments::row_version.eq(toxicity_treatments::row_version + 1),
                        toxicity_treatments::updated_at.eq(chrono::Utc::now().naive_utc()),
                    ))
                    .execute(conn)?;
                let after: ToxicityTreatmentRow = toxicity_treatments::table
                    .find(before.id.0)
                    .select(ToxicityTreatmentRow::as_select())
                    .first(conn)?;
                written += changes.record_update(
                    conn,
                    table,
                    after.id.0,
                    Some(patient),
                    &fields_of(before)?,
                    &fields_of(&after)?,
                )?;
            }
            None => {
                let row: ToxicityTreatmentRow = diesel::insert_into(toxicity_treatments::table)
                    .values(NewToxicityTreatment {
                        toxicity_event_id: event,
                        ..new.clone()
                    })
                    .returning(ToxicityTreatmentRow::as_returning())
                    .get_result(conn)?;
                written += changes.record_insert(
                    conn,
                    table,
                    row.id.0,
                    Some(patient),
                    &fields_of(&row)?,
                )?;
            }
        }
    }
    Ok(written)
}
