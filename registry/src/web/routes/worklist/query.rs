//! The worklist's two reads and the per-course computation. One query lists the first-infusion
//! courses of the sites in scope with what decides their schedule (Day 0, follow-up status,
//! death, the next course's Day 0); courses that cannot have anything to do today (not dead,
//! and the first window not yet open) are left out in the SQL. A second query lists those
//! courses' recorded forms, which are folded into one [`FormSummary`] per course
//! ([`CourseEntry`], what `cache` keeps between requests). The statuses then come from
//! [`DaySchedule`], on day numbers ([`items`]).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use anyhow::Context;
use chrono::NaiveDate;
use diesel::{
    prelude::*,
    sql_types::{Date, Integer, Nullable, Text},
};

use super::WorkItem;
use crate::db::cached_sql::{Bind, CachedSql};
use crate::domain::{
    follow_up::FormStatus,
    patient::LtfuStatus,
    schedule::{
        FollowUpStanding, RecordedFollowUp, Schedule, ScheduledVisit, Timepoint,
        days::{CourseSummary, DaySchedule, FormSummary},
    },
    vocabulary::Vocabulary,
};
use crate::web::auth::extract::SiteFilter;

/// The courses of the sites in scope. The binds, in order: today; the first study day on which
/// any window opens (a course younger than that, with no death, has nothing to do); the sites
/// and the patients (JSON arrays). `{sites}` is [`ONLY_SITES`] or [`ANY_SITE`], `{patients}`
/// [`ONLY_PATIENTS`] or [`ANY_PATIENT`] (every parameter must appear in the statement to be
/// bound; the "any" clauses are constant). The four texts are built once ([`courses_sql`]), so
/// they stay prepared ([`CachedSql`]).
const COURSES: &str = "\
SELECT p.id AS patient_id, p.registry_id, s.code AS site_code, p.ltfu_status,
       p.ltfu_status_date, c.id AS course_id, c.course_number, i.infusion_date, d.death_date,
       (SELECT i2.infusion_date FROM treatment_courses c2
          JOIN infusions i2 ON i2.course_id = c2.id AND i2.infusion_number = 1
         WHERE c2.patient_id = p.id AND c2.course_number > c.course_number
         ORDER BY c2.course_number LIMIT 1) AS next_course_day0
  FROM patients p
  JOIN sites s ON s.id = p.site_id
  JOIN infusions i ON i.patient_id = p.id AND i.infusion_number = 1
  JOIN treatment_courses c ON c.id = i.course_id
  LEFT JOIN deaths d ON d.patient_id = p.id
 WHERE (d.death_date IS NOT NULL OR p.ltfu_status = 'DEAD'
        OR julianday(?) - julianday(i.infusion_date) >= ?) {sites} {patients}";

/// The recorded forms of the courses bound (a JSON array of course IDs). Their order does not
/// matter: the schema allows one form per scheduled timepoint and course.
const FORMS: &str = "\
SELECT f.course_id, f.timepoint, f.contact_date, f.form_status
  FROM follow_ups f
 WHERE f.course_id IN (SELECT value FROM json_each(?))";

/// The site clause of [`COURSES`]: its bind is a JSON array of site IDs.
const ONLY_SITES: &str = "AND p.site_id IN (SELECT value FROM json_each(?))";

/// The patient clause of [`COURSES`]: its bind is a JSON array of patient IDs.
const ONLY_PATIENTS: &str = "AND p.id IN (SELECT value FROM json_each(?))";

/// No site restriction (its bind unused, bound to `[]`).
const ANY_SITE: &str = "AND ? IS NOT NULL";

/// No patient restriction (its bind unused, bound to `[]`).
const ANY_PATIENT: &str = "AND ? IS NOT NULL";

/// [`COURSES`] with its clauses filled in: by [every site or some, every patient or some].
static COURSES_TEXTS: LazyLock<[[String; 2]; 2]> = LazyLock::new(|| {
    let text = |sites: &str, patients: &str| {
        COURSES
            .replace("{sites}", sites)
            .replace("{patients}", patients)
    };
    [
        [text(ANY_SITE, ANY_PATIENT), text(ANY_SITE, ONLY_PATIENTS)],
        [
            text(ONLY_SITES, ANY_PATIENT),
            text(ONLY_SITES, ONLY_PATIENTS),
        ],
    ]
});

/// The text of [`COURSES`] for a site filter and an optional list of patients.
fn courses_sql(filter: &SiteFilter, patients: Option<&[i32]>) -> &'static str {
    let sites = usize::from(matches!(filter, SiteFilter::Only(_)));
    let some = usize::from(patients.is_some());
    COURSES_TEXTS[sites][some].as_str()
}

#[derive(QueryableByName)]
struct CourseRow {
    #[diesel(sql_type = Integer)]
    patient_id: i32,
    #[diesel(sql_type = Text)]
    registry_id: String,
    #[diesel(sql_type = Text)]
    site_code: String,
    #[diesel(sql_type = Text)]
    ltfu_status: String,
    #[diesel(sql_type = Nullable<Date>)]
    ltfu_status_date: Option<NaiveDate>,
    #[diesel(sql_type = Integer)]
    course_id: i32,
    #[diesel(sql_type = Integer)]
    course_number: i32,
    #[diesel(sql_type = Date)]
    infusion_date: NaiveDate,
    #[diesel(sql_type = Nullable<Date>)]
    death_date: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    next_course_day0: Option<NaiveDate>,
}

#[derive(QueryableByName)]
struct FormRow {
    #[diesel(sql_type = Integer)]
    course_id: i32,
    #[diesel(sql_type = Text)]
    timepoint: String,
    #[diesel(sql_type = Nullable<Date>)]
    contact_date: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    form_status: String,
}

/// One course as the worklist needs it: who, where, and its schedule facts summarised.
#[derive(Debug, Clone)]
pub struct CourseEntry {
    pub patient_id: i32,
    pub registry_id: Arc<str>,
    pub site_code: Arc<str>,
    pub course_id: i32,
    pub course_number: i32,
    pub summary: CourseSummary,
}

/// The worklist of the sites in `filter` on `today` under `schedule`, read afresh.
pub fn load(
    conn: &mut SqliteConnection,
    filter: &SiteFilter,
    today: NaiveDate,
    schedule: &Schedule,
) -> anyhow::Result<Vec<WorkItem>> {
    let courses = load_courses(conn, filter, today, schedule, None)?;
    Ok(items(&courses, &DaySchedule::new(schedule), today))
}

/// The courses of the sites in `filter` (and of `patients` only, if given) that may have
/// something to do on `today`. A course whose stored follow-up status cannot be read (a
/// status that needs a date without one, which the schema does not allow) is left out.
pub fn load_courses(
    conn: &mut SqliteConnection,
    filter: &SiteFilter,
    today: NaiveDate,
    schedule: &Schedule,
    patients: Option<&[i32]>,
) -> anyhow::Result<Vec<CourseEntry>> {
    let first_opening = schedule
        .timepoints()
        .filter_map(|t| schedule.window(t))
        .map(|w| w.earliest.days())
        .min()
        .unwrap_or(0);
    let site_ids = match filter {
        SiteFilter::All => Vec::new(),
        SiteFilter::Only(ids) => ids.clone(),
    };
    let rows: Vec<CourseRow> = CachedSql::new(courses_sql(filter, patients))
        .bind(Bind::Date(today))
        .bind(Bind::BigInt(first_opening))
        .bind(Bind::Text(serde_json::to_string(&site_ids)?))
        .bind(Bind::Text(serde_json::to_string(&patients.unwrap_or(&[]))?))
        .load(conn)
        .context("Failed to load the courses for the worklist")?;

    let mut courses: Vec<CourseEntry> = Vec::with_capacity(rows.len());
    let mut index: HashMap<i32, usize> = HashMap::with_capacity(rows.len());
    let mut sites: HashMap<String, Arc<str>> = HashMap::new();
    for row in rows {
        let Ok(status) = LtfuStatus::parse(&row.ltfu_status) else {
            continue;
        };
        let Ok(standing) = FollowUpStanding::new(status, row.ltfu_status_date, row.death_date)
        else {
            continue;
        };
        let site_code = sites
            .entry(row.site_code)
            .or_insert_with_key(|code| Arc::from(code.as_str()))
            .clone();
        index.insert(row.course_id, courses.len());
        courses.push(CourseEntry {
            patient_id: row.patient_id,
            registry_id: Arc::from(row.registry_id),
            site_code,
            course_id: row.course_id,
            course_number: row.course_number,
            summary: CourseSummary {
                infusion_date: row.infusion_date,
                standing,
                forms: FormSummary::default(),
                next_course_day0: row.next_course_day0,
            },
        });
    }

    let ids: Vec<i32> = courses.iter().map(|c| c.course_id).collect();
    let forms: Vec<FormRow> = CachedSql::new(FORMS)
        .bind(Bind::Text(serde_json::to_string(&ids)?))
        .load(conn)
        .context("Failed to load the follow-ups for the worklist")?;
    for form in forms {
        let (Some(course), Ok(timepoint), Ok(form_status)) = (
            index.get(&form.course_id).and_then(|i| courses.get_mut(*i)),
            Timepoint::parse(&form.timepoint),
            FormStatus::parse(&form.form_status),
        ) else {
            continue;
        };
        let death = course.summary.standing.death_date();
        course.summary.forms.add(
            &RecordedFollowUp {
                timepoint,
                contact_date: form.contact_date,
                form_status,
            },
            death,
        );
    }
    Ok(courses)
}

/// One line of the worklist as kept between requests: a [`WorkItem`] whose strings are shared
/// with its course (cloning a line copies no text).
#[derive(Debug, Clone)]
pub struct Line {
    pub patient_id: i32,
    pub registry_id: Arc<str>,
    pub site_code: Arc<str>,
    pub course_id: i32,
    pub course_number: i32,
    pub visit: ScheduledVisit,
}

impl Line {
    /// The line as the page and the API show it.
    pub fn to_item(&self) -> WorkItem {
        WorkItem {
            patient_id: self.patient_id,
            registry_id: self.registry_id.to_string(),
            site_code: self.site_code.to_string(),
            course_id: self.course_id,
            course_number: self.course_number,
            visit: self.visit,
        }
    }

    /// The worklist order: most urgent first, ties by registry ID, course and timepoint. A
    /// total order (a patient has one course of each number, a course one line per
    /// timepoint), so pages never overlap and sorted lists can be merged.
    pub fn urgency_order(&self, other: &Self) -> Ordering {
        self.visit
            .urgency_key()
            .cmp(&other.visit.urgency_key())
            .then_with(|| self.registry_id.cmp(&other.registry_id))
            .then_with(|| self.course_number.cmp(&other.course_number))
            .then_with(|| self.visit.timepoint.cmp(&other.visit.timepoint))
    }
}

/// The worklist of `courses` on `today`, in [`Line::urgency_order`].
pub fn lines(courses: &[CourseEntry], days: &DaySchedule, today: NaiveDate) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut visits = Vec::new();
    for course in courses {
        visits.clear();
        days.worklist_into(&course.summary, today, &mut visits);
        lines.extend(visits.iter().map(|visit| Line {
            patient_id: course.patient_id,
            registry_id: course.registry_id.clone(),
            site_code: course.site_code.clone(),
            course_id: course.course_id,
            course_number: course.course_number,
            visit: *visit,
        }));
    }
    lines.sort_by(Line::urgency_order);
    lines
}

/// The worklist of `courses` on `today`, most urgent first (ties by registry ID, course,
/// timepoint: a total order, so pages never overlap).
pub fn items(courses: &[CourseEntry], days: &DaySchedule, today: NaiveDate) -> Vec<WorkItem> {
    lines(courses, days, today)
        .iter()
        .map(Line::to_item)
        .collect()
}
