//! What a follow-up form is about, loaded within the user's scope: the patient, the course
//! and its Day 0, the timepoint and its saved form, and the events of every period.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::relapse;
use crate::db::{
    follow_ups::{FollowUpRow, relapse_methods_of},
    patients::PatientRow,
    schema::{deaths, diagnoses, follow_ups, infusions, treatment_courses},
};
use crate::domain::{
    diagnosis::{Disease, DiseaseGroup},
    follow_up::FormStatus,
    product::{Product, TargetAntigen},
    response::{RelapseAntigenStatus, RelapseMethod, ResponseCriteria},
    schedule::Timepoint,
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::extract::SiteFilter,
    error::AppError,
    routes::patients::{
        events::{EventLine, events_of},
        find_patient,
    },
};

/// Everything the form is about, loaded within the user's scope.
#[derive(Debug, Clone)]
pub struct Context {
    pub patient: PatientRow,
    pub course_id: i32,
    pub course_number: i32,
    pub day0: NaiveDate,
    pub death_date: Option<NaiveDate>,
    pub timepoint: Timepoint,
    /// The response criteria of the course's disease (Lugano, IMWG, B-ALL, iwCLL, generic).
    pub criteria: ResponseCriteria,
    pub existing: Option<FollowUpRow>,
    pub events: Vec<EventLine>,
    /// The antigen the course's product targets (an investigational product's recorded one).
    pub target: TargetAntigen,
    /// The group of the course's disease.
    pub disease_group: Option<DiseaseGroup>,
    /// Contact dates of the course's other follow-ups: the previous one starts this period.
    pub other_contacts: Vec<NaiveDate>,
    /// The relapse an earlier period of the course reported, if any.
    pub earlier_relapse: Option<relapse::EarlierRelapse>,
    /// The codes of every method that detected the relapse this follow-up reports (a stored
    /// relapse without rows shows its first method).
    pub relapse_methods: Vec<String>,
}

impl Context {
    /// The start of the period that ends on `contact` (exclusive): the latest other contact of
    /// the course before it; `None` for the first period (it starts at Day 0).
    pub fn period_start(&self, contact: NaiveDate) -> Option<NaiveDate> {
        self.other_contacts
            .iter()
            .copied()
            .filter(|c| *c < contact)
            .max()
    }

    /// The form status now.
    pub fn status(&self) -> FormStatus {
        self.existing
            .as_ref()
            .and_then(|r| FormStatus::parse(&r.form_status).ok())
            .unwrap_or(FormStatus::NotStarted)
    }

    /// True when the form is locked (read-only until an administrator unlocks it).
    pub fn locked(&self) -> bool {
        self.existing
            .as_ref()
            .is_some_and(|r| r.locked_at.is_some())
    }
}

/// Loads the context, or `NotFound` when the patient is out of scope, the course is not theirs,
/// the course has no infusion, or the timepoint is unknown.
pub fn load_context(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
    pid: i32,
    cid: i32,
    timepoint: &str,
) -> Result<Context, AppError> {
    load_context_with(conn, scope, pid, cid, timepoint, Events::EveryPeriod)
}

/// The context a save is checked against: as [`load_context`], except that a form not saved
/// before gets no events. Its checks look only at the events reported in this period, and a
/// new form has none; the other periods' events are for showing (a refused save re-renders from
/// a full [`load_context`]).
pub fn load_context_for_save(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
    pid: i32,
    cid: i32,
    timepoint: &str,
) -> Result<Context, AppError> {
    load_context_with(conn, scope, pid, cid, timepoint, Events::ThisPeriod)
}

/// Which events a context carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Events {
    /// Every period's: for showing the form.
    EveryPeriod,
    /// Enough for checking a save: none when the form is new.
    ThisPeriod,
}

fn load_context_with(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
    pid: i32,
    cid: i32,
    timepoint: &str,
    wanted: Events,
) -> Result<Context, AppError> {
    let timepoint = Timepoint::parse(timepoint).map_err(|_| AppError::NotFound)?;
    let patient = find_patient(conn, scope, pid)?.ok_or(AppError::NotFound)?;
    let (course_number, disease, product, investigational_target): (
        i32,
        String,
        String,
        Option<String>,
    ) = treatment_courses::table
        .inner_join(diagnoses::table.on(diagnoses::id.eq(treatment_courses::diagnosis_id)))
        .filter(treatment_courses::id.eq(cid))
        .filter(treatment_courses::patient_id.eq(pid))
        .select((
            treatment_courses::course_number,
            diagnoses::disease,
            treatment_courses::product,
            treatment_courses::investigational_target,
        ))
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let disease = Disease::parse(&disease).ok();
    let criteria = disease
        .map(Disease::response_criteria)
        .unwrap_or(ResponseCriteria::Other);
    let target = match Product::parse(&product) {
        Ok(Product::Investigational) | Err(_) => investigational_target
            .as_deref()
            .and_then(|t| TargetAntigen::parse(t).ok())
            .unwrap_or(TargetAntigen::Other),
        Ok(listed) => listed.target_antigen(),
    };
    let day0: NaiveDate = infusions::table
        .filter(infusions::course_id.eq(cid))
        .filter(infusions::infusion_number.eq(1))
        .select(infusions::infusion_date)
        .get_result(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    // Every follow-up of the course, split here into this timepoint's and the others: one
    // statement, and no `timepoint <> ?`, which SQLite re-plans on every run (it checks the
    // bound value against the partial unique index's `timepoint <> 'UNSCHEDULED'`).
    let (this, others): (Vec<FollowUpRow>, Vec<FollowUpRow>) = follow_ups::table
        .filter(follow_ups::course_id.eq(cid))
        .select(FollowUpRow::as_select())
        .order(follow_ups::id)
        .load(conn)?
        .into_iter()
        .partition(|r| r.timepoint == timepoint.code());
    let existing = this.into_iter().next();
    let death_date = deaths::table
        .filter(deaths::patient_id.eq(pid))
        .select(deaths::death_date)
        .get_result(conn)
        .optional()?;
    let events = if wanted == Events::ThisPeriod && existing.is_none() {
        Vec::new()
    } else {
        events_of(conn, pid)?
    };
    let mut relapse_methods = match &existing {
        Some(row) => relapse_methods_of(conn, row.id)?,
        None => Vec::new(),
    };
    if relapse_methods.is_empty()
        && let Some(first) = existing.as_ref().and_then(|r| r.relapse_method.clone())
    {
        relapse_methods.push(first);
    }
    let other_contacts = others.iter().filter_map(|r| r.contact_date).collect();
    let this_contact = existing.as_ref().and_then(|r| r.contact_date);
    let earlier_relapse = others
        .iter()
        .filter(|r| r.relapse_since_last.as_deref() == Some("Y"))
        .filter(|r| match (r.contact_date, this_contact) {
            (Some(theirs), Some(ours)) => theirs < ours,
            _ => true,
        })
        .min_by_key(|r| r.relapse_date)
        .map(|r| relapse::EarlierRelapse {
            timepoint: r.timepoint.clone(),
            date: r.relapse_date,
            method: r
                .relapse_method
                .as_deref()
                .and_then(|m| RelapseMethod::parse(m).ok()),
            antigen: r
                .relapse_antigen_status
                .as_deref()
                .and_then(|a| RelapseAntigenStatus::parse(a).ok()),
        });
    Ok(Context {
        patient,
        course_id: cid,
        course_number,
        day0,
        death_date,
        timepoint,
        criteria,
        existing,
        events,
        target,
        disease_group: disease.map(Disease::group),
        other_contacts,
        earlier_relapse,
        relapse_methods,
    })
}
