//! `GET /patients/{id}`: the patient page. Who the patient is, the diagnosis and CAR-T courses,
//! the schedule of each course with statuses and a link to every form, and a timeline from
//! Day 0 of everything reported. Another site's patient is a 404.
//!
//! An investigational course shows its product's name, target and trial instead of the generic
//! label; each course lists every infusion (number, date, dose, intent) with a link to record a
//! re-infusion; a relapse reported in a follow-up (date, how detected, antigen status) is on the
//! timeline.

use std::collections::HashMap;

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;

use super::{find_patient, label_of};
use crate::db::events::DeathRow;
use crate::db::patients::PatientRow;
use crate::db::schema::{
    death_contributing_causes, deaths, diagnoses, follow_ups, infusions, sites, treatment_courses,
};
use crate::domain::{
    access::Permission,
    diagnosis::Disease,
    follow_up::FormStatus,
    patient::{ConsentStatus, LtfuStatus, Sex},
    product::{DoseUnit, InfusionIntent, Product, TargetAntigen},
    response::{RelapseAntigenStatus, RelapseMethod},
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
    /// A recorded event (or the death) that can be corrected: the link to its form.
    pub edit_href: Option<String>,
}

/// One recorded diagnosis, as the page lists it.
#[derive(Debug, Clone)]
pub struct DiagnosisLine {
    pub id: i32,
    /// The disease (with its name when "Other disease") and the date.
    pub summary: String,
}

/// One infusion of a course, as the page lists it.
#[derive(Debug, Clone)]
pub struct InfusionLine {
    pub number: i32,
    pub date: NaiveDate,
    /// The dose with its unit, or "dose not recorded".
    pub dose: String,
    /// Why it was given; `None` when not recorded (infusions stored before migration 000022).
    pub intent: Option<String>,
    pub lymphodepletion: String,
}

/// One course with its schedule.
#[derive(Debug, Clone)]
pub struct CourseView {
    pub id: i32,
    pub number: i32,
    /// The product's label, or for an investigational product its name, target and trial.
    pub product: String,
    pub apheresis: String,
    pub day0: Option<NaiveDate>,
    pub infusions: Vec<InfusionLine>,
    pub schedule: Vec<ScheduledVisit>,
}

/// A course's product columns as stored.
struct ProductColumns {
    product: String,
    name: Option<String>,
    target: Option<String>,
    target_other: Option<String>,
    trial_id: Option<String>,
}

impl ProductColumns {
    /// The listed product's label; an investigational product by its own name, the antigen it
    /// targets (the named one when `OTHER`) and its trial, which the generic label hides.
    fn describe(&self) -> String {
        let listed = label_of::<Product>(&self.product);
        if !matches!(Product::parse(&self.product), Ok(Product::Investigational)) {
            return listed;
        }
        let name = self.name.as_deref().unwrap_or("unnamed");
        let target = match (&self.target_other, &self.target) {
            (Some(other), _) => other.clone(),
            (None, Some(code)) => label_of::<TargetAntigen>(code),
            (None, None) => "target not recorded".to_owned(),
        };
        let trial = self.trial_id.as_deref().map_or_else(
            || "trial id not recorded".to_owned(),
            |t| format!("trial {t}"),
        );
        format!("investigational product {name} (target {target}; {trial})")
    }
}

/// An infusion row as the page reads it.
type InfusionRead = (
    i32,
    i32,
    NaiveDate,
    String,
    Option<f64>,
    Option<String>,
    Option<String>,
);

/// A follow-up row as the page reads it: (id, course, timepoint, contact date, form status,
/// relapse date, relapse method, antigen status at relapse).
type FollowUpRead = (
    i32,
    i32,
    String,
    Option<NaiveDate>,
    String,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);

/// A cell count written as `m × 10^e` (doses are 10⁵ to 10⁹ cells) with its unit.
fn dose_text(dose: Option<f64>, unit: Option<&str>) -> String {
    let Some(dose) = dose else {
        return "dose not recorded".to_owned();
    };
    let unit = unit.map_or_else(String::new, |u| format!(" {}", label_of::<DoseUnit>(u)));
    let exponent = dose.log10().floor();
    if dose >= 1000.0 && exponent.is_finite() {
        let mantissa = dose / 10f64.powf(exponent);
        format!("{mantissa:.2} × 10^{exponent}{unit}")
    } else {
        format!("{dose}{unit}")
    }
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
    pub diagnoses: Vec<DiagnosisLine>,
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
    diagnoses: Vec<DiagnosisLine>,
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
    // One read transaction: the page shows one state of the record, and under concurrent
    // saves SQLite resets the connection's page cache once, not before each of the queries.
    let loaded = state
        .db(move |conn| {
            conn.transaction(|conn| {
                let patient = find_patient(conn, &scope, id)?.ok_or(AppError::NotFound)?;
                Ok(load(conn, patient, today)?)
            })
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
        .get_result(conn)?;
    let diagnoses: Vec<DiagnosisLine> = diagnoses::table
        .filter(diagnoses::patient_id.eq(pid))
        .select((
            diagnoses::id,
            diagnoses::disease,
            diagnoses::disease_other,
            diagnoses::diagnosis_date,
        ))
        .order(diagnoses::diagnosis_date)
        .load::<(i32, String, Option<String>, NaiveDate)>(conn)?
        .into_iter()
        .map(|(id, d, other, date)| {
            let disease = match other {
                Some(name) => format!("{}: {name}", label_of::<Disease>(&d)),
                None => label_of::<Disease>(&d),
            };
            DiagnosisLine {
                id,
                summary: format!("{disease}, diagnosed {date}"),
            }
        })
        .collect();
    type CourseRead = (
        i32,
        i32,
        Option<NaiveDate>,
        (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        ),
    );
    let course_rows: Vec<(i32, i32, Option<NaiveDate>, ProductColumns)> = treatment_courses::table
        .filter(treatment_courses::patient_id.eq(pid))
        .select((
            treatment_courses::id,
            treatment_courses::course_number,
            treatment_courses::apheresis_date,
            (
                treatment_courses::product,
                treatment_courses::investigational_product_name,
                treatment_courses::investigational_target,
                treatment_courses::investigational_target_other,
                treatment_courses::trial_id,
            ),
        ))
        .order(treatment_courses::course_number)
        .load::<CourseRead>(conn)?
        .into_iter()
        .map(
            |(id, number, apheresis, (product, name, target, target_other, trial_id))| {
                (
                    id,
                    number,
                    apheresis,
                    ProductColumns {
                        product,
                        name,
                        target,
                        target_other,
                        trial_id,
                    },
                )
            },
        )
        .collect();
    let infusion_rows: Vec<InfusionRead> = infusions::table
        .filter(infusions::patient_id.eq(pid))
        .select((
            infusions::course_id,
            infusions::infusion_number,
            infusions::infusion_date,
            infusions::lymphodepletion_regimen,
            infusions::dose,
            infusions::dose_unit,
            infusions::intent,
        ))
        .order((infusions::course_id, infusions::infusion_number))
        .load(conn)?;
    let recorded: Vec<FollowUpRead> = follow_ups::table
        .filter(follow_ups::patient_id.eq(pid))
        .select((
            follow_ups::id,
            follow_ups::course_id,
            follow_ups::timepoint,
            follow_ups::contact_date,
            follow_ups::form_status,
            follow_ups::relapse_date,
            follow_ups::relapse_method,
            follow_ups::relapse_antigen_status,
        ))
        .load(conn)?;
    let death: Option<DeathRow> = deaths::table
        .filter(deaths::patient_id.eq(pid))
        .select(DeathRow::as_select())
        .get_result(conn)
        .optional()?;

    let status = LtfuStatus::parse(&patient.ltfu_status).unwrap_or(LtfuStatus::Active);
    let standing = FollowUpStanding::new(
        status,
        patient.ltfu_status_date,
        death.as_ref().map(|d| d.death_date),
    )
    .unwrap_or(FollowUpStanding::Active);
    let schedule = Schedule::default();
    let mut by_course: HashMap<i32, Vec<RecordedFollowUp>> = HashMap::new();
    for (_, course_id, tp, contact, status, ..) in &recorded {
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
            .find(|(c, n, ..)| *c == course && *n == 1)
            .map(|(_, _, d, ..)| *d)
    };
    let mut courses = Vec::new();
    for (i, (id, number, apheresis, product)) in course_rows.iter().enumerate() {
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
            product: product.describe(),
            apheresis: apheresis
                .map(|d| d.to_string())
                .unwrap_or_else(|| "not recorded".to_owned()),
            day0,
            infusions: infusion_rows
                .iter()
                .filter(|(c, ..)| c == id)
                .map(|(_, n, d, ld, dose, unit, intent)| InfusionLine {
                    number: *n,
                    date: *d,
                    dose: dose_text(*dose, unit.as_deref()),
                    intent: intent.as_deref().map(label_of::<InfusionIntent>),
                    lymphodepletion: label_of::<crate::domain::product::LymphodepletionRegimen>(ld),
                })
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

/// The death as the timeline says it: the primary cause (named when other), the causes that
/// contributed besides it, and the autopsy.
fn death_summary(conn: &mut SqliteConnection, death: &DeathRow) -> QueryResult<String> {
    use crate::domain::death::{Autopsy, CauseOfDeath};
    let named = |code: &str, other: Option<&str>| match other {
        Some(name) if code == CauseOfDeath::Other.code() => format!("Other: {name}"),
        _ => label_of::<CauseOfDeath>(code),
    };
    let mut summary = named(&death.primary_cause, death.primary_cause_other.as_deref());
    let contributing: Vec<(String, Option<String>)> = death_contributing_causes::table
        .filter(death_contributing_causes::death_id.eq(death.id.0))
        .select((
            death_contributing_causes::cause,
            death_contributing_causes::cause_other,
        ))
        .order(death_contributing_causes::id)
        .load(conn)?;
    if !contributing.is_empty() {
        let causes: Vec<String> = contributing
            .iter()
            .map(|(code, other)| named(code, other.as_deref()))
            .collect();
        summary.push_str(&format!("; contributing: {}", causes.join(", ")));
    }
    if let Some(autopsy) = death.autopsy.as_deref() {
        summary.push_str(&format!(
            "; {}",
            label_of::<Autopsy>(autopsy).to_lowercase()
        ));
        if death.autopsy_report_attached {
            summary.push_str(", report attached");
        }
    }
    Ok(summary)
}

fn timeline(
    conn: &mut SqliteConnection,
    pid: i32,
    day0: Option<NaiveDate>,
    infusion_rows: &[InfusionRead],
    recorded: &[FollowUpRead],
    death: Option<&DeathRow>,
) -> QueryResult<Vec<TimelineEntry>> {
    use crate::db::events::EventKind;
    use crate::web::routes::events::edit_href;
    let mut out: Vec<(NaiveDate, &'static str, String, Option<String>)> = Vec::new();
    for (_, n, date, _, _, _, intent) in infusion_rows {
        let summary = match intent
            .as_deref()
            .and_then(|i| InfusionIntent::parse(i).ok())
        {
            Some(i) if i.is_reinfusion() => format!("Infusion {n}: {}", i.label()),
            _ => format!("Infusion {n}"),
        };
        out.push((*date, "CAR-T infusion", summary, None));
    }
    for (_, _, tp, _, _, relapse, method, antigen) in recorded {
        if let Some(date) = relapse {
            let method = method.as_deref().map_or_else(
                || "detection method not recorded".to_owned(),
                label_of::<RelapseMethod>,
            );
            let antigen = antigen.as_deref().map_or_else(
                || "antigen status not recorded".to_owned(),
                label_of::<RelapseAntigenStatus>,
            );
            out.push((
                *date,
                "Relapse / progression",
                format!(
                    "Detected by: {method}; antigen status: {antigen} (reported at {})",
                    label_of::<Timepoint>(tp)
                ),
                None,
            ));
        }
    }
    for (_, _, tp, contact, status, ..) in recorded {
        if let Some(date) = contact {
            out.push((
                *date,
                "Follow-up visit",
                format!(
                    "{} ({})",
                    label_of::<Timepoint>(tp),
                    label_of::<FormStatus>(status)
                ),
                None,
            ));
        }
    }
    for event in super::events::events_of(conn, pid)? {
        out.push((
            event.date,
            super::events::section_kind(event.section),
            event.summary,
            Some(edit_href(pid, event.kind, event.id)),
        ));
    }
    if let Some(death) = death {
        out.push((
            death.death_date,
            "Death",
            death_summary(conn, death)?,
            Some(edit_href(pid, EventKind::Death, death.id.0)),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    Ok(out
        .into_iter()
        .map(|(date, kind, summary, edit_href)| TimelineEntry {
            date,
            day: day0.map(|d| (date - d).num_days()),
            kind,
            summary,
            edit_href,
        })
        .collect())
}
