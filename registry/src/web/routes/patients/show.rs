//! `GET /patients/{id}`: the patient page. Who the patient is, the diagnosis and CAR-T courses,
//! the schedule of each course with statuses and a link to every form, and a timeline from
//! Day 0 of everything reported. Another site's patient is a 404.

use std::collections::HashMap;

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;

use super::{find_patient, label_of};
use crate::db::patients::PatientRow;
use crate::db::schema::{deaths, diagnoses, follow_ups, infusions, sites, treatment_courses};
use crate::domain::{
    access::Permission,
    diagnosis::Disease,
    follow_up::FormStatus,
    patient::{ConsentStatus, LtfuStatus, Sex},
    product::Product,
    schedule::{
        FollowUpStanding, PatientFollowUp, RecordedFollowUp, Schedule, ScheduledVisit, Timepoint,
        visit_schedule,
    },
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// One event on the timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    /// Days from the first Day 0 (negative before it).
    pub day: Option<i64>,
    pub kind: &'static str,
    pub summary: String,
}

/// One course with its schedule.
#[derive(Debug, Clone)]
pub struct CourseView {
    pub id: i32,
    pub number: i32,
    pub product: String,
    pub apheresis: String,
    pub day0: Option<NaiveDate>,
    pub infusions: Vec<String>,
    pub schedule: Vec<ScheduledVisit>,
}

/// The page.
#[derive(Template)]
#[template(path = "patients/show.html")]
pub struct PatientPage {
    pub layout: Layout,
    pub patient: PatientRow,
    pub site: String,
    pub sex: String,
    pub consent: String,
    pub status: String,
    pub diagnoses: Vec<String>,
    pub courses: Vec<CourseView>,
    pub timeline: Vec<TimelineEntry>,
    /// The user may record treatments and follow-ups.
    pub can_write: bool,
}

impl PatientPage {
    /// The CSS class of a visit status.
    pub fn status_class(&self, visit: &ScheduledVisit) -> &'static str {
        use crate::domain::schedule::VisitStatus as S;
        match visit.status {
            S::Due => "due",
            S::Overdue => "overdue",
            S::Missed => "missed",
            S::Done => "done",
            S::NotYetDue => "not-yet-due",
            S::NotApplicable => "not-applicable",
        }
    }
}

struct Loaded {
    patient: PatientRow,
    site: String,
    diagnoses: Vec<String>,
    courses: Vec<CourseView>,
    timeline: Vec<TimelineEntry>,
}

/// Shows a patient of the user's sites.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::ReadPatients)?;
    let id = path.into_inner();
    let today = chrono::Utc::now().date_naive();
    let loaded = state
        .db(move |conn| {
            let patient = find_patient(conn, &scope, id)?.ok_or(AppError::NotFound)?;
            Ok(load(conn, patient, today)?)
        })
        .await?;
    let page = PatientPage {
        layout: Layout::new(&user, &session, "patients")?,
        sex: label_of::<Sex>(&loaded.patient.sex),
        consent: label_of::<ConsentStatus>(&loaded.patient.consent_research),
        status: label_of::<LtfuStatus>(&loaded.patient.ltfu_status),
        patient: loaded.patient,
        site: loaded.site,
        diagnoses: loaded.diagnoses,
        courses: loaded.courses,
        timeline: loaded.timeline,
        can_write: user.can(Permission::WritePatients),
    };
    render(StatusCode::OK, &page)
}

fn load(conn: &mut SqliteConnection, patient: PatientRow, today: NaiveDate) -> QueryResult<Loaded> {
    let pid = patient.id.0;
    let site: String = sites::table
        .filter(sites::id.eq(patient.site_id.0))
        .select(sites::code)
        .first(conn)?;
    let diagnoses: Vec<String> = diagnoses::table
        .filter(diagnoses::patient_id.eq(pid))
        .select((diagnoses::disease, diagnoses::diagnosis_date))
        .order(diagnoses::diagnosis_date)
        .load::<(String, NaiveDate)>(conn)?
        .into_iter()
        .map(|(d, date)| format!("{}, diagnosed {date}", label_of::<Disease>(&d)))
        .collect();
    let course_rows: Vec<(i32, i32, String, Option<NaiveDate>)> = treatment_courses::table
        .filter(treatment_courses::patient_id.eq(pid))
        .select((
            treatment_courses::id,
            treatment_courses::course_number,
            treatment_courses::product,
            treatment_courses::apheresis_date,
        ))
        .order(treatment_courses::course_number)
        .load(conn)?;
    let infusion_rows: Vec<(i32, i32, NaiveDate, String)> = infusions::table
        .filter(infusions::patient_id.eq(pid))
        .select((
            infusions::course_id,
            infusions::infusion_number,
            infusions::infusion_date,
            infusions::lymphodepletion_regimen,
        ))
        .order((infusions::course_id, infusions::infusion_number))
        .load(conn)?;
    let recorded: Vec<(i32, i32, String, Option<NaiveDate>, String)> = follow_ups::table
        .filter(follow_ups::patient_id.eq(pid))
        .select((
            follow_ups::id,
            follow_ups::course_id,
            follow_ups::timepoint,
            follow_ups::contact_date,
            follow_ups::form_status,
        ))
        .load(conn)?;
    let death: Option<(NaiveDate, String)> = deaths::table
        .filter(deaths::patient_id.eq(pid))
        .select((deaths::death_date, deaths::primary_cause))
        .first(conn)
        .optional()?;

    let status = LtfuStatus::parse(&patient.ltfu_status).unwrap_or(LtfuStatus::Active);
    let standing = FollowUpStanding::new(
        status,
        patient.ltfu_status_date,
        death.as_ref().map(|d| d.0),
    )
    .unwrap_or(FollowUpStanding::Active);
    let schedule = Schedule::default();
    let mut by_course: HashMap<i32, Vec<RecordedFollowUp>> = HashMap::new();
    for (_, course_id, tp, contact, status) in &recorded {
        if let (Ok(timepoint), Ok(form_status)) = (Timepoint::parse(tp), FormStatus::parse(status))
        {
            by_course
                .entry(*course_id)
                .or_default()
                .push(RecordedFollowUp {
                    timepoint,
                    contact_date: *contact,
                    form_status,
                });
        }
    }
    let day0_of = |course: i32| {
        infusion_rows
            .iter()
            .find(|(c, n, _, _)| *c == course && *n == 1)
            .map(|(_, _, d, _)| *d)
    };
    let mut courses = Vec::new();
    for (i, (id, number, product, apheresis)) in course_rows.iter().enumerate() {
        let day0 = day0_of(*id);
        let next_course_day0 = course_rows.get(i + 1).and_then(|(next, ..)| day0_of(*next));
        let schedule_rows = match day0 {
            Some(day0) => visit_schedule(
                &schedule,
                &PatientFollowUp {
                    infusion_date: day0,
                    standing,
                    follow_ups: by_course.get(id).map(Vec::as_slice).unwrap_or(&[]),
                    next_course_day0,
                },
                today,
            ),
            None => Vec::new(),
        };
        courses.push(CourseView {
            id: *id,
            number: *number,
            product: label_of::<Product>(product),
            apheresis: apheresis
                .map(|d| d.to_string())
                .unwrap_or_else(|| "not recorded".to_owned()),
            day0,
            infusions: infusion_rows
                .iter()
                .filter(|(c, ..)| c == id)
                .map(|(_, n, d, ld)| format!("Infusion {n} on {d} (lymphodepletion {ld})"))
                .collect(),
            schedule: schedule_rows,
        });
    }
    let first_day0 = courses.iter().find_map(|c| c.day0);
    let timeline = timeline(
        conn,
        pid,
        first_day0,
        &infusion_rows,
        &recorded,
        death.as_ref(),
    )?;
    Ok(Loaded {
        patient,
        site,
        diagnoses,
        courses,
        timeline,
    })
}

fn timeline(
    conn: &mut SqliteConnection,
    pid: i32,
    day0: Option<NaiveDate>,
    infusion_rows: &[(i32, i32, NaiveDate, String)],
    recorded: &[(i32, i32, String, Option<NaiveDate>, String)],
    death: Option<&(NaiveDate, String)>,
) -> QueryResult<Vec<TimelineEntry>> {
    let mut out: Vec<(NaiveDate, &'static str, String)> = Vec::new();
    for (_, n, date, _) in infusion_rows {
        out.push((*date, "CAR-T infusion", format!("Infusion {n}")));
    }
    for (_, _, tp, contact, status) in recorded {
        if let Some(date) = contact {
            out.push((
                *date,
                "Follow-up visit",
                format!(
                    "{} ({})",
                    label_of::<Timepoint>(tp),
                    label_of::<FormStatus>(status)
                ),
            ));
        }
    }
    for event in super::events::events_of(conn, pid)? {
        out.push((
            event.date,
            super::events::section_kind(event.section),
            event.summary,
        ));
    }
    if let Some((date, cause)) = death {
        out.push((*date, "Death", cause.clone()));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    Ok(out
        .into_iter()
        .map(|(date, kind, summary)| TimelineEntry {
            date,
            day: day0.map(|d| (date - d).num_days()),
            kind,
            summary,
        })
        .collect())
}
