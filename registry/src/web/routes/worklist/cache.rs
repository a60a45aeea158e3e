//! The worklist kept between requests, per scope of sites, and brought up to date from the
//! audit trail instead of re-read whole.
//!
//! Every data change writes its audit rows in the same transaction, numbered by change set in
//! commit order. A snapshot remembers the last change set it has seen, its courses and their
//! lines, sorted. The next request reads, in the same read transaction as any reloading, the
//! patients named by the audit rows of later change sets on the tables the worklist reads
//! (patients, courses, infusions, follow-ups, deaths, sites), reloads only their courses, and
//! merges their new lines into the kept ones (the order is total, so the merge equals a full
//! sort). The audit rows are read once for all scopes, into a feed of what each change set
//! touched, so a save is not read again by every site's next request. Anything the trail
//! cannot pin to patients (a site renamed, a row without a patient, very many patients, rows
//! added that no change set accounts for, change sets older than the feed) reloads the scope
//! whole, and so does another day: the statuses are computed on day numbers for the day of the
//! snapshot, so they follow the calendar.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::Context;
use chrono::NaiveDate;
use diesel::{
    prelude::*,
    sql_types::{Integer, Nullable, Text},
};

use super::WorkItem;
use super::query::{CourseEntry, Line, lines, load_courses};
use crate::db::cached_sql::{Bind, CachedSql};
use crate::domain::schedule::{Schedule, VisitStatus, days::DaySchedule};
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

/// What the audit rows of the change sets after the first bind up to the second touched, among the
/// tables the worklist reads. The index is named: left to itself, SQLite's planner prefers
/// `audit_log_record_idx` for the `table_name IN (...)` term and reads every audit row of
/// those tables ever written (issue 3: the worklist's cost grew with the audit trail).
const CHANGED: &str = "\
SELECT DISTINCT change_set_id, table_name, patient_id
  FROM audit_log INDEXED BY audit_log_change_set_id_idx
 WHERE change_set_id > ? AND change_set_id <= ?
   AND table_name IN ('patients', 'treatment_courses', 'infusions', 'follow_ups', 'deaths',
                      'sites')";

/// How many change sets the feed remembers; a snapshot older than that is reloaded whole.
const FEED_LENGTH: usize = 4096;

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
    #[diesel(sql_type = Integer)]
    change_set_id: i32,
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

/// The courses of one scope as of one stamp and day, and their worklist lines.
struct Snapshot {
    today: NaiveDate,
    stamp: Stamp,
    courses: Arc<Vec<CourseEntry>>,
    /// The lines of `courses` on `today`, in [`Line::urgency_order`].
    lines: Arc<Vec<Line>>,
}

/// What one change set did to the worklist's tables.
#[derive(Debug, Clone)]
enum Touched {
    /// Rows of these patients (sorted, no repeats).
    Patients(Vec<i32>),
    /// A row that no patient stands for (a site, or a row without a patient): the scopes must
    /// be read again.
    Unpinned,
}

/// The audit trail's changes, read once for every scope: per change set, what it touched.
/// Complete for the change sets after `complete_after` up to `read_to`.
#[derive(Default)]
struct Feed {
    read_to: Option<i32>,
    complete_after: i32,
    touched: BTreeMap<i32, Touched>,
}

/// The kept snapshots, one per scope (the web app has a handful of sites, so a handful of
/// scopes), and the feed of changes that brings them up to date. Shared by every worker.
#[derive(Default)]
pub struct WorklistCache {
    scopes: Mutex<HashMap<Scope, Arc<Snapshot>>>,
    feed: Mutex<Feed>,
}

/// A worklist as kept: its lines in order, most urgent first. Cheap to clone and to page
/// through (only the lines shown are turned into [`WorkItem`]s).
#[derive(Clone)]
pub struct KeptWorklist {
    lines: Arc<Vec<Line>>,
}

impl KeptWorklist {
    /// The number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// True when nothing is due.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// How many lines have this status.
    pub fn count(&self, status: VisitStatus) -> usize {
        self.lines
            .iter()
            .filter(|l| l.visit.status == status)
            .count()
    }

    /// The lines that `keep` accepts, in the same order.
    pub fn only(&self, keep: impl Fn(VisitStatus, &str) -> bool) -> Self {
        Self {
            lines: Arc::new(
                self.lines
                    .iter()
                    .filter(|l| keep(l.visit.status, &l.site_code))
                    .cloned()
                    .collect(),
            ),
        }
    }

    /// The sites of the lines, each once, in code order.
    pub fn site_codes(&self) -> Vec<String> {
        let codes: std::collections::BTreeSet<&str> =
            self.lines.iter().map(|l| &*l.site_code).collect();
        codes.into_iter().map(str::to_owned).collect()
    }

    /// `take` lines from position `skip` (from 0).
    pub fn items(&self, skip: usize, take: usize) -> Vec<WorkItem> {
        self.lines
            .iter()
            .skip(skip)
            .take(take)
            .map(Line::to_item)
            .collect()
    }
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
        let kept = self.kept(conn, filter, today)?;
        Ok(kept.items(0, kept.len()))
    }

    /// The worklist of the sites in `filter` on `today`, as kept: [`Self::worklist`] without
    /// copying the lines that are not shown.
    pub fn kept(
        &self,
        conn: &mut SqliteConnection,
        filter: &SiteFilter,
        today: NaiveDate,
    ) -> anyhow::Result<KeptWorklist> {
        let schedule = Schedule::default();
        let days = DaySchedule::new(&schedule);
        let scope = Scope::of(filter);
        let kept = self
            .scopes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&scope)
            .cloned();
        // One read transaction: the stamp, the changes and the reloads see the same data.
        let lines = conn.transaction(|conn| -> anyhow::Result<Arc<Vec<Line>>> {
            let stamp: Stamp = CachedSql::new(STAMP)
                .get_result(conn)
                .context("Failed to read the data stamp")?;
            let (courses, lines) = match kept {
                Some(kept) if kept.today == today && kept.stamp == stamp => {
                    return Ok(kept.lines.clone());
                }
                Some(kept) if kept.today == today => {
                    match self.changed_patients(conn, kept.stamp, stamp)? {
                        Some(patients) => {
                            let changed = |id: i32| patients.binary_search(&id).is_ok();
                            let fresh =
                                load_courses(conn, filter, today, &schedule, Some(&patients))?;
                            let fresh_lines = lines(&fresh, &days, today);
                            let mut courses: Vec<CourseEntry> = kept
                                .courses
                                .iter()
                                .filter(|c| !changed(c.patient_id))
                                .cloned()
                                .collect();
                            courses.extend(fresh);
                            let unchanged = kept.lines.iter().filter(|l| !changed(l.patient_id));
                            (courses, merge(unchanged, fresh_lines))
                        }
                        None => {
                            let courses = load_courses(conn, filter, today, &schedule, None)?;
                            let lines = lines(&courses, &days, today);
                            (courses, lines)
                        }
                    }
                }
                _ => {
                    let courses = load_courses(conn, filter, today, &schedule, None)?;
                    let lines = lines(&courses, &days, today);
                    (courses, lines)
                }
            };
            let lines = Arc::new(lines);
            self.scopes
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(
                    scope,
                    Arc::new(Snapshot {
                        today,
                        stamp,
                        courses: Arc::new(courses),
                        lines: lines.clone(),
                    }),
                );
            Ok(lines)
        })?;
        Ok(KeptWorklist { lines })
    }

    /// The patients (sorted) whose courses may have changed between two stamps, or `None`
    /// when the change cannot be pinned to patients and the scope must be reloaded whole:
    /// rows added without a change set, a change without a patient (a site renamed), too many
    /// patients, or change sets older than the feed remembers.
    fn changed_patients(
        &self,
        conn: &mut SqliteConnection,
        was: Stamp,
        now: Stamp,
    ) -> anyhow::Result<Option<Vec<i32>>> {
        if now.change_set <= was.change_set {
            return Ok(None);
        }
        let (from, to) = (was.change_set.unwrap_or(0), now.change_set.unwrap_or(0));
        self.read_feed(conn, from, to)?;
        let feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
        if from < feed.complete_after || feed.read_to.is_none_or(|read| read < to) {
            return Ok(None);
        }
        let mut patients = BTreeSet::new();
        for touched in feed.touched.range(from + 1..=to).map(|(_, t)| t) {
            match touched {
                Touched::Patients(ids) => patients.extend(ids.iter().copied()),
                Touched::Unpinned => return Ok(None),
            }
            if patients.len() > MAX_PATIENTS_TO_PATCH {
                return Ok(None);
            }
        }
        Ok(Some(patients.into_iter().collect()))
    }

    /// Brings the feed up to change set `to` (visible in this transaction), reading only the
    /// audit rows no request has read yet. A new feed starts at `from`.
    fn read_feed(&self, conn: &mut SqliteConnection, from: i32, to: i32) -> anyhow::Result<()> {
        let start = {
            let mut feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
            match feed.read_to {
                Some(read) => read,
                None => {
                    feed.read_to = Some(from);
                    feed.complete_after = from;
                    from
                }
            }
        };
        if start >= to {
            return Ok(());
        }
        let rows: Vec<Changed> = CachedSql::new(CHANGED)
            .bind(Bind::Integer(start))
            .bind(Bind::Integer(to))
            .load(conn)
            .context("Failed to read the audit trail for the worklist")?;
        let mut read: BTreeMap<i32, Touched> = BTreeMap::new();
        for row in rows {
            let entry = read
                .entry(row.change_set_id)
                .or_insert_with(|| Touched::Patients(Vec::new()));
            match (row.patient_id, &mut *entry) {
                (Some(id), Touched::Patients(ids)) if row.table_name != "sites" => ids.push(id),
                (_, Touched::Unpinned) => {}
                _ => *entry = Touched::Unpinned,
            }
        }
        let mut feed = self.feed.lock().unwrap_or_else(PoisonError::into_inner);
        for (change_set, mut touched) in read {
            if let Touched::Patients(ids) = &mut touched {
                ids.sort_unstable();
                ids.dedup();
            }
            feed.touched.insert(change_set, touched);
        }
        feed.read_to = feed.read_to.max(Some(to));
        while feed.touched.len() > FEED_LENGTH {
            if let Some((oldest, _)) = feed.touched.pop_first() {
                feed.complete_after = feed.complete_after.max(oldest);
            }
        }
        Ok(())
    }
}

/// Merges two runs sorted in [`Line::urgency_order`] into one.
fn merge<'a>(kept: impl Iterator<Item = &'a Line>, fresh: Vec<Line>) -> Vec<Line> {
    let mut out = Vec::with_capacity(fresh.len());
    let mut fresh = fresh.into_iter().peekable();
    for line in kept {
        while let Some(next) = fresh.next_if(|f| f.urgency_order(line) == Ordering::Less) {
            out.push(next);
        }
        out.push(line.clone());
    }
    out.extend(fresh);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::sql_query;

    use crate::db::{
        audit::{AuditAction, ChangeSet},
        ids::{PatientId, UserId},
    };
    use crate::web::accounts::SYSTEM_USER_ID;

    /// A seeded cohort on its data cut, and its sites.
    fn cohort(dir: &std::path::Path) -> (SqliteConnection, NaiveDate, Vec<i32>) {
        let db = dir.join("cohort.sqlite");
        let cut = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        crate::seed::seed(&crate::seed::SeedOptions {
            db: db.clone(),
            patients: 300,
            seed: 11,
            today: cut,
            force: false,
            threads: 1,
            progress: false,
            check_constraints: false,
        })
        .unwrap();
        let mut conn = crate::db::open(&db).unwrap();
        let sites = crate::db::schema::sites::table
            .select(crate::db::schema::sites::id)
            .order(crate::db::schema::sites::id)
            .load(&mut conn)
            .unwrap();
        (conn, cut, sites)
    }

    fn keys(items: &[WorkItem]) -> Vec<(i32, i32, String)> {
        items
            .iter()
            .map(|i| (i.patient_id, i.course_id, format!("{:?}", i.visit)))
            .collect()
    }

    /// Merging the kept lines of unchanged patients with the fresh lines of changed ones gives
    /// exactly the fully sorted list, whichever patients changed.
    #[test]
    fn merged_lines_equal_a_full_sort() {
        let dir = tempfile::tempdir().unwrap();
        let (mut conn, cut, _) = cohort(dir.path());
        let schedule = Schedule::default();
        let days = DaySchedule::new(&schedule);
        let courses = load_courses(&mut conn, &SiteFilter::All, cut, &schedule, None).unwrap();
        let all = lines(&courses, &days, cut);
        assert!(all.len() > 100, "the cohort has a worklist: {}", all.len());
        for every in [2, 3, 7] {
            let changed = |id: i32| id % every == 0;
            let fresh: Vec<CourseEntry> = courses
                .iter()
                .filter(|c| changed(c.patient_id))
                .cloned()
                .collect();
            let kept = all.iter().filter(|l| !changed(l.patient_id));
            let merged = merge(kept, lines(&fresh, &days, cut));
            let order = |ls: &[Line]| -> Vec<(i32, i32, String)> {
                ls.iter()
                    .map(|l| (l.patient_id, l.course_id, format!("{:?}", l.visit)))
                    .collect()
            };
            assert_eq!(
                order(&merged),
                order(&all),
                "every {every}th patient changed"
            );
        }
    }

    /// One scope's request reads a change set into the feed; another scope's kept worklist
    /// still follows it (from the feed, without reading the audit trail again), and both
    /// equal a fresh read.
    #[test]
    fn every_scope_follows_a_change_read_by_another() {
        let dir = tempfile::tempdir().unwrap();
        let (mut conn, cut, sites) = cohort(dir.path());
        let cache = WorklistCache::default();
        let (a, b) = (
            SiteFilter::Only(vec![sites[0]]),
            SiteFilter::Only(vec![sites[1]]),
        );
        let before_b = cache.worklist(&mut conn, &b, cut).unwrap();
        cache.worklist(&mut conn, &a, cut).unwrap();
        let withdrawn = before_b[0].patient_id;
        conn.immediate_transaction(|conn| -> QueryResult<()> {
            let changes = ChangeSet::begin(conn, UserId(SYSTEM_USER_ID), None, Some("test"))?;
            sql_query(format!(
                "UPDATE patients SET ltfu_status = 'WITHDRAWN', ltfu_status_date = '2017-01-01', \
                 row_version = row_version + 1 WHERE id = {withdrawn}"
            ))
            .execute(conn)?;
            changes.record_field(
                conn,
                AuditAction::Update,
                "patients",
                withdrawn,
                Some(PatientId(withdrawn)),
                "ltfu_status",
                Some("ACTIVE"),
                Some("WITHDRAWN"),
            )
        })
        .unwrap();
        // Site A's request reads the change set into the feed; site B's then uses it.
        let now_a = cache.worklist(&mut conn, &a, cut).unwrap();
        let read_to = cache.feed.lock().unwrap().read_to;
        let now_b = cache.worklist(&mut conn, &b, cut).unwrap();
        assert_eq!(cache.feed.lock().unwrap().read_to, read_to);
        assert_eq!(
            keys(&now_a),
            keys(&super::super::load_worklist(&mut conn, &a, cut).unwrap())
        );
        assert_eq!(
            keys(&now_b),
            keys(&super::super::load_worklist(&mut conn, &b, cut).unwrap())
        );
        assert!(now_b.iter().all(|i| i.patient_id != withdrawn));
        assert!(now_b.len() < before_b.len());
    }
}
