//! `/`: the worklist, the home page. Follow-ups due, overdue and missed for the user's sites,
//! most urgent first, each one click from its form. The site filter is in the SQL; the
//! statuses come from the domain's schedule (`crate::domain::schedule`).

pub mod get;

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{deaths, follow_ups, infusions, patients, sites, treatment_courses};
use crate::domain::{
    follow_up::FormStatus,
    patient::LtfuStatus,
    schedule::{
        FollowUpStanding, PatientFollowUp, RecordedFollowUp, Schedule, ScheduledVisit, Timepoint,
        worklist,
    },
    vocabulary::Vocabulary,
};
use crate::web::auth::extract::SiteFilter;

/// One line of the worklist.
#[derive(Debug, Clone)]
pub struct WorkItem {
    pub patient_id: i32,
    pub registry_id: String,
    pub site_code: String,
    pub course_id: i32,
    pub course_number: i32,
    pub visit: ScheduledVisit,
}

impl WorkItem {
    /// The CSS class and label of the status.
    pub fn status_code(&self) -> &'static str {
        use crate::domain::schedule::VisitStatus as S;
        match self.visit.status {
            S::Due => "due",
            S::Overdue => "overdue",
            S::Missed => "missed",
            S::Done => "done",
            S::NotYetDue => "not-yet-due",
            S::NotApplicable => "not-applicable",
        }
    }

    /// Where the form for this timepoint is.
    pub fn form_href(&self) -> String {
        format!(
            "/patients/{}/courses/{}/follow-ups/{}",
            self.patient_id,
            self.course_id,
            self.visit.timepoint.code()
        )
    }
}

type CourseLine = (
    i32,
    String,
    String,
    String,
    Option<NaiveDate>,
    i32,
    i32,
    NaiveDate,
);

/// The worklist of the sites in `filter` on `today`, most urgent first.
pub fn load_worklist(
    conn: &mut SqliteConnection,
    filter: &SiteFilter,
    today: NaiveDate,
) -> anyhow::Result<Vec<WorkItem>> {
    use anyhow::Context;
    let mut courses_q = infusions::table
        .inner_join(patients::table.on(patients::id.eq(infusions::patient_id)))
        .inner_join(sites::table.on(sites::id.eq(patients::site_id)))
        .inner_join(treatment_courses::table.on(treatment_courses::id.eq(infusions::course_id)))
        .filter(infusions::infusion_number.eq(1))
        .select((
            patients::id,
            patients::registry_id,
            sites::code,
            patients::ltfu_status,
            patients::ltfu_status_date,
            treatment_courses::id,
            treatment_courses::course_number,
            infusions::infusion_date,
        ))
        .into_boxed();
    let mut follow_q = follow_ups::table
        .inner_join(patients::table.on(patients::id.eq(follow_ups::patient_id)))
        .select((
            follow_ups::course_id,
            follow_ups::timepoint,
            follow_ups::contact_date,
            follow_ups::form_status,
        ))
        .into_boxed();
    let mut deaths_q = deaths::table
        .inner_join(patients::table.on(patients::id.eq(deaths::patient_id)))
        .select((deaths::patient_id, deaths::death_date))
        .into_boxed();
    if let SiteFilter::Only(ids) = filter {
        courses_q = courses_q.filter(patients::site_id.eq_any(ids.clone()));
        follow_q = follow_q.filter(patients::site_id.eq_any(ids.clone()));
        deaths_q = deaths_q.filter(patients::site_id.eq_any(ids.clone()));
    }
    let courses: Vec<CourseLine> = courses_q
        .load(conn)
        .context("Failed to load the courses for the worklist")?;
    let recorded: Vec<(i32, String, Option<NaiveDate>, String)> = follow_q
        .load(conn)
        .context("Failed to load the follow-ups for the worklist")?;
    let death_dates: HashMap<i32, NaiveDate> = deaths_q
        .load::<(i32, NaiveDate)>(conn)
        .context("Failed to load the deaths for the worklist")?
        .into_iter()
        .collect();

    let mut by_course: HashMap<i32, Vec<RecordedFollowUp>> = HashMap::new();
    for (course_id, timepoint, contact_date, status) in recorded {
        let (Ok(timepoint), Ok(form_status)) =
            (Timepoint::parse(&timepoint), FormStatus::parse(&status))
        else {
            continue;
        };
        by_course
            .entry(course_id)
            .or_default()
            .push(RecordedFollowUp {
                timepoint,
                contact_date,
                form_status,
            });
    }
    // Day 0 of each patient's courses, to find the next course of each.
    let mut day0s: HashMap<i32, Vec<(i32, NaiveDate)>> = HashMap::new();
    for c in &courses {
        day0s.entry(c.0).or_default().push((c.6, c.7));
    }

    let schedule = Schedule::default();
    let mut items = Vec::new();
    for (patient_id, registry_id, site_code, ltfu, ltfu_date, course_id, course_number, day0) in
        courses
    {
        let Ok(status) = LtfuStatus::parse(&ltfu) else {
            continue;
        };
        let Ok(standing) =
            FollowUpStanding::new(status, ltfu_date, death_dates.get(&patient_id).copied())
        else {
            continue;
        };
        let next_course_day0 = day0s
            .get(&patient_id)
            .and_then(|list| {
                list.iter()
                    .filter(|(n, _)| *n > course_number)
                    .min_by_key(|(n, _)| *n)
            })
            .map(|(_, d)| *d);
        let recorded = by_course.get(&course_id).map(Vec::as_slice).unwrap_or(&[]);
        let patient = PatientFollowUp {
            infusion_date: day0,
            standing,
            follow_ups: recorded,
            next_course_day0,
        };
        for visit in worklist(&schedule, &patient, today) {
            items.push(WorkItem {
                patient_id,
                registry_id: registry_id.clone(),
                site_code: site_code.clone(),
                course_id,
                course_number,
                visit,
            });
        }
    }
    items.sort_by(|a, b| {
        a.visit
            .urgency_key()
            .cmp(&b.visit.urgency_key())
            .then_with(|| a.registry_id.cmp(&b.registry_id))
    });
    Ok(items)
}
