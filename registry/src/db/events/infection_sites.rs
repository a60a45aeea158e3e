//! The sites of one infection, read ([`infection_sites_of`]) and made exactly a wanted list
//! with their audit rows ([`replace_infection_sites`]).

use diesel::prelude::*;

use super::children::{ChildRows, replace_children};
use super::{InfectionSiteChangeset, InfectionSiteRow, NewInfectionSite};
use crate::db::ids::{InfectionId, PatientId};
use crate::db::schema::infection_sites;

/// Makes the sites of one infection exactly `wanted` (one row per site), inside the caller's
/// transaction and change set: a site no longer wanted is deleted and a new one inserted, each
/// with its audit rows; a kept site is not touched, unless it is the other site and its name
/// changed (then updated, its `row_version` raised, and audited). Returns the number of audit
/// rows written (0: the sites were already these).
pub fn replace_infection_sites(
    conn: &mut SqliteConnection,
    changes: &crate::db::audit::ChangeSet,
    infection: InfectionId,
    patient: PatientId,
    wanted: &[NewInfectionSite],
) -> QueryResult<usize> {
    replace_children::<Sites>(conn, changes, infection.0, patient, wanted)
}

/// The sites of one infection, by id.
pub fn infection_sites_of(
    conn: &mut SqliteConnection,
    infection: InfectionId,
) -> QueryResult<Vec<InfectionSiteRow>> {
    Sites::stored(conn, infection.0)
}

/// `infection_sites`, one row per site.
struct Sites;

impl ChildRows for Sites {
    type Row = InfectionSiteRow;
    type New = NewInfectionSite;
    const TABLE: &'static str = "infection_sites";

    fn stored(conn: &mut SqliteConnection, infection: i32) -> QueryResult<Vec<Self::Row>> {
        infection_sites::table
            .filter(infection_sites::infection_id.eq(infection))
            .select(InfectionSiteRow::as_select())
            .order(infection_sites::id)
            .load(conn)
    }

    fn id(row: &Self::Row) -> i32 {
        row.id.0
    }

    fn same_key(row: &Self::Row, wanted: &Self::New) -> bool {
        row.site == wanted.site
    }

    fn same_values(row: &Self::Row, wanted: &Self::New) -> bool {
        row.site_other == wanted.site_other
    }

    fn delete(conn: &mut SqliteConnection, id: i32) -> QueryResult<()> {
        diesel::delete(infection_sites::table.find(id))
            .execute(conn)
            .map(drop)
    }

    fn insert(
        conn: &mut SqliteConnection,
        infection: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row> {
        diesel::insert_into(infection_sites::table)
            .values(NewInfectionSite {
                infection_id: InfectionId(infection),
                ..wanted.clone()
            })
            .returning(InfectionSiteRow::as_returning())
            .get_result(conn)
    }

    fn update(
        conn: &mut SqliteConnection,
        infection: i32,
        id: i32,
        wanted: &Self::New,
    ) -> QueryResult<Self::Row> {
        diesel::update(infection_sites::table.find(id))
            .set((
                InfectionSiteChangeset {
                    infection_id: InfectionId(infection),
                    site: wanted.site.clone(),
                    site_other: wanted.site_other.clone(),
                    updated_by: wanted.updated_by,
                },
                infection_sites::row_version.eq(infection_sites::row_version + 1),
                infection_sites::updated_at.eq(chrono::Utc::now().naive_utc()),
            ))
            .returning(InfectionSiteRow::as_returning())
            .get_result(conn)
    }
}
