//! The worklist's courses kept between requests, per scope of sites, and brought up to date
//! from the audit trail instead of re-read whole.
//!
//! Every data change writes its audit rows in the same transaction, numbered by change set in
//! commit order. A snapshot remembers the last change set it has seen; the next request reads,
//! in the same read transaction as any reloading, the patients named by the audit rows of later
//! change sets on the tables the worklist reads (patients, courses, infusions, follow-ups,
//! deaths, sites), and reloads only their courses. Anything the trail cannot pin to patients
//! (a site renamed, a row without a patient, very many patients, another day, rows added that
//! no change set accounts for) reloads the scope whole. The statuses themselves are computed
//! per request from the snapshot, on day numbers, so they follow the calendar.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use chrono::NaiveDate;
use diesel::{
    prelude::*,
    sql_query,
    sql_types::{Integer, Nullable, Text},
};

use super::WorkItem;
use super::query::{CourseEntry, items, load_courses};
use crate::domain::schedule::{Schedule, days::DaySchedule};
use crate::web::auth::extract::SiteFilter;

/// More changed patients than this since the last request: reload the scope whole.
const MAX_PATIENTS_TO_PATCH: usize = 500;

/// The newest change set and the newest row of each table the worklist reads: a change to any
/// of them moves the stamp.
const STAMP: &str = "\
SELECT (SELECT max(change_set_id) FROM audit_log) AS change_set,
       (SELECT max(id) FROM patients) AS patients,
       (SELECT max(id) FROM treatment_courses) AS courses,
       (SELECT max(id) FROM infusions) AS infusions,
       (SELECT max(id) FROM follow_ups) AS follow_ups,
       (SELECT max(id) FROM deaths) AS deaths,
       (SELECT max(id) FROM sites) AS sites";

/// What the audit rows after change set `?1` touched, among the tables the worklist reads.
const CHANGED: &str = "\
SELECT DISTINCT table_name, patient_id FROM audit_log
 WHERE change_set_id > ?1
   AND table_name IN ('patients', 'treatment_courses', 'infusions', 'follow_ups', 'deaths',
                      'sites')";

#[derive(QueryableByName, Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    #[diesel(sql_type = Nullable<Integer>)]
    change_set: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    patients: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    courses: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    infusions: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    follow_ups: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    deaths: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    sites: Option<i32>,
}

#[derive(QueryableByName)]
struct Changed {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Nullable<Integer>)]
    patient_id: Option<i32>,
}

/// The scope a snapshot is for: every site, or these sites (sorted).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Scope {
    All,
    Only(Vec<i32>),
}

impl Scope {
    fn of(filter: &SiteFilter) -> Self {
        match filter {
            SiteFilter::All => Self::All,
            SiteFilter::Only(ids) => {
                let mut ids = ids.clone();
                ids.sort_unstable();
                ids.dedup();
                Self::Only(ids)
            }
        }
    }
}

/// The courses of one scope as of one stamp and day.
struct Snapshot {
    today: NaiveDate,
    stamp: Stamp,
    courses: Arc<Vec<CourseEntry>>,
}

/// The kept snapshots, one per scope (the web app has a handful of sites, so a handful of
/// scopes). Shared by every worker.
#[derive(Default)]
pub struct WorklistCache {
    scopes: Mutex<HashMap<Scope, Arc<Snapshot>>>,
}

impl WorklistCache {
    /// The worklist of the sites in `filter` on `today`: the same lines as
    /// [`super::load_worklist`], from the kept snapshot when the audit trail allows.
    pub fn worklist(
        &self,
        conn: &mut SqliteConnection,
        filter: &SiteFilter,
        today: NaiveDate,
    ) -> anyhow::Result<Vec<WorkItem>> {
        let schedule = Schedule::default();
        let scope = Scope::of(filter);
        let kept = self
            .scopes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&scope)
            .cloned();
        // One read transaction: the stamp, the changes and the reloads see the same data.
        let courses = conn.transaction(|conn| -> anyhow::Result<Arc<Vec<CourseEntry>>> {
            let stamp: Stamp = sql_query(STAMP)
                .get_result(conn)
                .context("Failed to read the data stamp")?;
            let courses = match kept {
                Some(kept) if kept.today == today && kept.stamp == stamp => {
                    return Ok(kept.courses.clone());
                }
                Some(kept) if kept.today == today => {
                    match changed_patients(conn, kept.stamp, stamp)? {
                        Some(patients) => {
                            let fresh =
                                load_courses(conn, filter, today, &schedule, Some(&patients))?;
                            let mut courses: Vec<CourseEntry> = kept
                                .courses
                                .iter()
                                .filter(|c| patients.binary_search(&c.patient_id).is_err())
                                .cloned()
                                .collect();
                            courses.extend(fresh);
                            courses
                        }
                        None => load_courses(conn, filter, today, &schedule, None)?,
                    }
                }
                _ => load_courses(conn, filter, today, &schedule, None)?,
            };
            let courses = Arc::new(courses);
            self.scopes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    scope,
                    Arc::new(Snapshot {
                        today,
                        stamp,
                        courses: courses.clone(),
                    }),
                );
            Ok(courses)
        })?;
        Ok(items(&courses, &DaySchedule::new(&schedule), today))
    }
}

/// The patients (sorted) whose courses may have changed between two stamps, or `None` when
/// the change cannot be pinned to patients and the scope must be reloaded whole: rows added
/// without a change set, a change without a patient (a site renamed), or too many patients.
fn changed_patients(
    conn: &mut SqliteConnection,
    was: Stamp,
    now: Stamp,
) -> anyhow::Result<Option<Vec<i32>>> {
    if now.change_set <= was.change_set {
        return Ok(None);
    }
    let rows: Vec<Changed> = sql_query(CHANGED)
        .bind::<Integer, _>(was.change_set.unwrap_or(0))
        .load(conn)
        .context("Failed to read the audit trail for the worklist")?;
    let mut patients = BTreeSet::new();
    for row in rows {
        match row.patient_id {
            Some(id) if row.table_name != "sites" => {
                patients.insert(id);
            }
            _ => return Ok(None),
        }
    }
    if patients.len() > MAX_PATIENTS_TO_PATCH {
        return Ok(None);
    }
    Ok(Some(patients.into_iter().collect()))
}
