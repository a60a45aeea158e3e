//! `/patients/{pid}/courses/{cid}/follow-ups/{timepoint}`: the follow-up form of one timepoint
//! of one course. Contact, survival, relapse, and one section per kind of event, each with an
//! explicit "nothing to report" (blank is not "none"); events reported in earlier periods are
//! listed as previously reported, not re-entered. Infections are entered inline.
//!
//! Saves are refused when stale (`row_version`), write their audit rows in the same
//! transaction, and ask for a reason when a completed form changes. A monitor locks a form
//! with an e-signature (password re-entered); an administrator unlocks it with a reason.

pub mod get;
pub mod lock;
pub mod post;
pub mod unlock;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    follow_ups::FollowUpRow,
    patients::PatientRow,
    schema::{deaths, follow_ups, infusions, treatment_courses},
};
use crate::domain::{
    follow_up::{ContactType, FormStatus, SignatureMeaning, SurvivalStatus},
    infection::{InfectionSeverity, OrganismClass},
    schedule::{Schedule, Timepoint, WindowCheck},
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::extract::SiteFilter,
    error::AppError,
    form::{Field, SelectOption, options},
    layout::Layout,
    routes::patients::{
        events::{EventLine, SECTIONS, events_of},
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
    pub existing: Option<FollowUpRow>,
    pub events: Vec<EventLine>,
}

impl Context {
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
    let timepoint = Timepoint::parse(timepoint).map_err(|_| AppError::NotFound)?;
    let patient = find_patient(conn, scope, pid)?.ok_or(AppError::NotFound)?;
    let course_number: i32 = treatment_courses::table
        .filter(treatment_courses::id.eq(cid))
        .filter(treatment_courses::patient_id.eq(pid))
        .select(treatment_courses::course_number)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let day0: NaiveDate = infusions::table
        .filter(infusions::course_id.eq(cid))
        .filter(infusions::infusion_number.eq(1))
        .select(infusions::infusion_date)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let existing = follow_ups::table
        .filter(follow_ups::course_id.eq(cid))
        .filter(follow_ups::timepoint.eq(timepoint.code()))
        .select(FollowUpRow::as_select())
        .first(conn)
        .optional()?;
    let death_date = deaths::table
        .filter(deaths::patient_id.eq(pid))
        .select(deaths::death_date)
        .first(conn)
        .optional()?;
    let events = events_of(conn, pid)?;
    Ok(Context {
        patient,
        course_id: cid,
        course_number,
        day0,
        death_date,
        timepoint,
        existing,
        events,
    })
}

/// One event section of the form as typed: "none" (nothing to report), "events", or "" (not
/// answered yet).
#[derive(Debug, Clone)]
pub struct SectionField {
    pub key: &'static str,
    pub label: &'static str,
    pub answer: Field,
    /// Reported in earlier periods (shown, not re-entered).
    pub previous: Vec<EventLine>,
    /// Reported in this period.
    pub current: Vec<EventLine>,
}

/// An infection added in this period (all blank: none added).
#[derive(Debug, Clone, Default)]
pub struct NewInfectionForm {
    pub date: Field,
    pub organism_class: Field,
    pub severity: Field,
}

/// The follow-up form as typed.
#[derive(Debug, Clone)]
pub struct FollowUpForm {
    pub row_version: i32,
    pub contact_date: Field,
    pub contact_type: Field,
    pub survival_status: Field,
    pub ecog: Field,
    pub relapse_since_last: Field,
    pub relapse_date: Field,
    pub sections: Vec<SectionField>,
    pub infection: NewInfectionForm,
    pub reason: Field,
    /// The user confirmed a contact outside its window (a soft rule).
    pub confirm_window: bool,
    /// Shown when the contact is outside the window and not yet confirmed.
    pub window_warning: Option<String>,
    /// Shown above the form: a stale edit, or the form-level outcome.
    pub form_error: Option<String>,
}

/// A validated save.
#[derive(Debug, Clone)]
pub struct FollowUpInput {
    pub expected_row_version: i32,
    pub complete: bool,
    pub contact_date: Option<NaiveDate>,
    pub contact_type: Option<ContactType>,
    pub survival_status: Option<SurvivalStatus>,
    pub ecog: Option<i32>,
    pub relapse_since_last: Option<String>,
    pub relapse_date: Option<NaiveDate>,
    /// Per section key: Some(true) none to report, Some(false) events, None unanswered.
    pub none_to_report: Vec<(&'static str, Option<bool>)>,
    pub infection: Option<(NaiveDate, OrganismClass, Option<InfectionSeverity>)>,
    pub reason: Option<String>,
}

fn answer_code(v: Option<bool>) -> &'static str {
    match v {
        Some(true) => "none",
        Some(false) => "events",
        None => "",
    }
}

impl FollowUpForm {
    /// The form filled from the stored follow-up (or blank).
    pub fn from_context(ctx: &Context) -> Self {
        let row = ctx.existing.as_ref();
        let text = |v: Option<String>| Field::new(v.unwrap_or_default());
        let flag = |key: &str| -> Option<bool> {
            let r = row?;
            match key {
                "responses" => r.responses_none_to_report,
                "toxicities" => r.toxicities_none_to_report,
                "infections" => r.infections_none_to_report,
                "immunoglobulin" => r.immunoglobulin_none_to_report,
                "lab_results" => r.lab_results_none_to_report,
                "persistence_tests" => r.persistence_tests_none_to_report,
                "new_malignancies" => r.new_malignancies_none_to_report,
                "subsequent_therapies" => r.subsequent_therapies_none_to_report,
                _ => None,
            }
        };
        let mut form = Self {
            row_version: row.map_or(0, |r| r.row_version),
            contact_date: text(row.and_then(|r| r.contact_date.map(|d| d.to_string()))),
            contact_type: text(row.and_then(|r| r.contact_type.clone())),
            survival_status: text(row.and_then(|r| r.survival_status.clone())),
            ecog: text(row.and_then(|r| r.ecog_performance_status.map(|e| e.to_string()))),
            relapse_since_last: text(row.and_then(|r| r.relapse_since_last.clone())),
            relapse_date: text(row.and_then(|r| r.relapse_date.map(|d| d.to_string()))),
            sections: Vec::new(),
            infection: NewInfectionForm::default(),
            reason: Field::default(),
            confirm_window: false,
            window_warning: None,
            form_error: None,
        };
        form.sections = SECTIONS
            .iter()
            .map(|(key, label)| SectionField {
                key,
                label,
                answer: Field::new(answer_code(flag(key))),
                previous: Vec::new(),
                current: Vec::new(),
            })
            .collect();
        form.attach_events(ctx);
        form
    }

    /// Lists each section's events: this period's, and earlier ones as previously reported.
    pub fn attach_events(&mut self, ctx: &Context) {
        let this = ctx.existing.as_ref().map(|r| r.id.0);
        for section in &mut self.sections {
            let of_section = ctx.events.iter().filter(|e| e.section == section.key);
            let (current, previous): (Vec<EventLine>, Vec<EventLine>) = of_section
                .cloned()
                .partition(|e| this.is_some() && e.reported_in == this);
            section.current = current;
            section.previous = previous;
        }
    }

    /// Validates the form for a save (`complete`: mark it complete). `None` when something is
    /// wrong, with messages beside the fields.
    pub fn validate(
        &mut self,
        ctx: &Context,
        complete: bool,
        today: NaiveDate,
    ) -> Option<FollowUpInput> {
        use crate::web::routes::patients::new::parse_date;
        let contact_date = parse_date(&mut self.contact_date, complete, today);
        if let Some(date) = contact_date {
            if date < ctx.day0 {
                self.contact_date
                    .fail(format!("The contact cannot precede Day 0 ({}).", ctx.day0));
            } else if ctx.death_date.is_some_and(|death| date > death) {
                self.contact_date
                    .fail("No contact after death: the death date is the last contact.");
            }
        }
        let pick = |field: &mut Field, message: &str| -> Option<String> {
            if field.is_blank() {
                if complete {
                    field.fail(message);
                }
                return None;
            }
            Some(field.value.trim().to_owned())
        };
        let contact_type =
            pick(&mut self.contact_type, "Choose how contact was made.").and_then(|c| {
                match ContactType::parse(&c) {
                    Ok(v) => Some(v),
                    Err(_) => {
                        self.contact_type.fail("Choose how contact was made.");
                        None
                    }
                }
            });
        let survival_status = pick(&mut self.survival_status, "Choose the survival status.")
            .and_then(|c| match SurvivalStatus::parse(&c) {
                Ok(v) => Some(v),
                Err(_) => {
                    self.survival_status.fail("Choose the survival status.");
                    None
                }
            });
        let ecog = if self.ecog.is_blank() {
            None
        } else {
            match self.ecog.value.trim().parse::<i32>() {
                Ok(e) if (0..=4).contains(&e) => Some(e),
                _ => {
                    self.ecog.fail("ECOG is a whole number from 0 to 4.");
                    None
                }
            }
        };
        let relapse_since_last = pick(
            &mut self.relapse_since_last,
            "Answer whether the disease relapsed or progressed.",
        );
        if relapse_since_last
            .as_deref()
            .is_some_and(|r| !["Y", "N", "PREV", "UNK"].contains(&r))
        {
            self.relapse_since_last
                .fail("Answer whether the disease relapsed or progressed.");
        }
        let relapse_date = parse_date(&mut self.relapse_date, false, today);
        match (relapse_since_last.as_deref(), relapse_date) {
            (Some("Y"), None) if self.relapse_date.error.is_none() && complete => {
                self.relapse_date
                    .fail("Enter the date of relapse or progression.");
            }
            (Some(r), Some(_)) if r != "Y" => {
                self.relapse_date
                    .fail("A relapse date goes with a relapse: answer Yes or clear the date.");
            }
            (_, Some(d)) if d < ctx.day0 => {
                self.relapse_date
                    .fail("A relapse after CAR-T cannot precede Day 0.");
            }
            _ => {}
        }

        // The inline infection: all blank means none added.
        let inf = &mut self.infection;
        let adding =
            !(inf.date.is_blank() && inf.organism_class.is_blank() && inf.severity.is_blank());
        let mut infection = None;
        if adding {
            let date = parse_date(&mut inf.date, true, today);
            if let Some(d) = date {
                if d < ctx.day0 {
                    inf.date
                        .fail("An infection after CAR-T cannot precede Day 0.");
                } else if contact_date.is_some_and(|c| d > c) {
                    inf.date
                        .fail("The infection is after this period's contact date.");
                }
            }
            let class = match OrganismClass::parse(&inf.organism_class.value) {
                Ok(c) => Some(c),
                Err(_) => {
                    inf.organism_class.fail("Choose the kind of organism.");
                    None
                }
            };
            let severity = if inf.severity.is_blank() {
                None
            } else {
                match InfectionSeverity::parse(&inf.severity.value) {
                    Ok(s) => Some(s),
                    Err(_) => {
                        inf.severity.fail("Choose the severity.");
                        None
                    }
                }
            };
            if let (Some(d), Some(c)) = (date, class)
                && inf.date.error.is_none()
            {
                infection = Some((d, c, severity));
            }
        }

        let mut none_to_report = Vec::new();
        for section in &mut self.sections {
            let answer = match section.answer.value.as_str() {
                "none" => Some(true),
                "events" => Some(false),
                _ => None,
            };
            let has_events = !section.current.is_empty() || (section.key == "infections" && adding);
            match answer {
                None if complete => section
                    .answer
                    .fail("Answer this section: nothing to report, or the events. Blank is not none."),
                Some(true) if has_events => section
                    .answer
                    .fail("Events are reported in this period: it cannot be nothing to report."),
                Some(false) if !has_events && section.key == "infections" => section
                    .answer
                    .fail("Add the infection below, or choose nothing to report."),
                Some(false) if !has_events => section.answer.fail(
                    "No event of this kind is recorded for this period yet; choose nothing to report.",
                ),
                _ => {}
            }
            none_to_report.push((section.key, answer));
        }

        // A soft rule: a contact outside the timepoint's window warns; the user confirms.
        self.window_warning = None;
        if let (Some(date), Some(window)) =
            (contact_date, Schedule::default().window(ctx.timepoint))
        {
            let day = crate::domain::dates::StudyDay::between(ctx.day0, date);
            if !matches!(window.check(day), WindowCheck::InWindow) && !self.confirm_window {
                self.window_warning = Some(format!(
                    "The contact is on day {} after infusion, outside the {} window. Tick the box to confirm.",
                    day.days(),
                    ctx.timepoint
                ));
            }
        }

        let was_complete = ctx.status().is_complete();
        let reason = self.reason.optional();
        if was_complete && reason.is_none() {
            self.reason
                .fail("This form was complete: give the reason for the change.");
        }

        let failed = [
            &self.contact_date,
            &self.contact_type,
            &self.survival_status,
            &self.ecog,
            &self.relapse_since_last,
            &self.relapse_date,
            &self.infection.date,
            &self.infection.organism_class,
            &self.infection.severity,
            &self.reason,
        ]
        .iter()
        .any(|f| f.error.is_some())
            || self.sections.iter().any(|s| s.answer.error.is_some())
            || self.window_warning.is_some();
        if failed {
            return None;
        }
        Some(FollowUpInput {
            expected_row_version: self.row_version,
            complete,
            contact_date,
            contact_type,
            survival_status,
            ecog,
            relapse_since_last,
            relapse_date,
            none_to_report,
            infection,
            reason,
        })
    }
}

/// The page.
#[derive(askama::Template)]
#[template(path = "follow_ups/form.html")]
pub struct FollowUpPage {
    pub layout: Layout,
    pub ctx: Context,
    pub form: FollowUpForm,
    pub action: String,
    pub editable: bool,
    pub can_lock: bool,
    pub can_unlock: bool,
    pub status_label: &'static str,
    pub contact_types: Vec<SelectOption>,
    pub survival_statuses: Vec<SelectOption>,
    pub relapse_answers: Vec<SelectOption>,
    pub organism_classes: Vec<SelectOption>,
    pub severities: Vec<SelectOption>,
    pub meanings: Vec<SelectOption>,
    pub lock_error: Option<String>,
    pub unlock_error: Option<String>,
    pub window: String,
}

fn vocab<T: Vocabulary>(selected: &str) -> Vec<SelectOption> {
    options(T::ALL.iter().map(|v| (v.code(), v.label())), selected)
}

impl FollowUpPage {
    /// The page for a user with these rights.
    pub fn new(layout: Layout, ctx: Context, form: FollowUpForm, rights: Rights) -> Self {
        let status = ctx.status();
        let locked = ctx.locked();
        let window = Schedule::default()
            .window(ctx.timepoint)
            .and_then(|w| w.dates(ctx.day0))
            .map(|w| format!("{} to {} (target {})", w.earliest, w.latest, w.target))
            .unwrap_or_default();
        Self {
            action: format!(
                "/patients/{}/courses/{}/follow-ups/{}",
                ctx.patient.id.0,
                ctx.course_id,
                ctx.timepoint.code()
            ),
            editable: rights.write && !locked,
            can_lock: rights.lock && !locked && status.is_complete(),
            can_unlock: rights.unlock && locked,
            status_label: status.label(),
            contact_types: vocab::<ContactType>(&form.contact_type.value),
            survival_statuses: vocab::<SurvivalStatus>(&form.survival_status.value),
            relapse_answers: options(
                [
                    ("N", "No"),
                    ("Y", "Yes"),
                    ("PREV", "Previously reported"),
                    ("UNK", "Unknown"),
                ],
                &form.relapse_since_last.value,
            ),
            organism_classes: vocab::<OrganismClass>(&form.infection.organism_class.value),
            severities: vocab::<InfectionSeverity>(&form.infection.severity.value),
            meanings: vocab::<SignatureMeaning>(""),
            lock_error: None,
            unlock_error: None,
            window,
            layout,
            ctx,
            form,
        }
    }
}

/// What the user may do on this form.
#[derive(Debug, Clone, Copy)]
pub struct Rights {
    pub write: bool,
    pub lock: bool,
    pub unlock: bool,
}

impl Rights {
    /// From the user's permissions (the scope was checked when loading the context).
    pub fn of(user: &crate::web::auth::extract::CurrentUser) -> Self {
        use crate::domain::access::Permission as P;
        Self {
            write: user.can(P::WritePatients),
            lock: user.can(P::LockFollowUp),
            unlock: user.can(P::UnlockFollowUp),
        }
    }
}
