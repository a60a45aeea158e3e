//! `/patients/{pid}/events/{kind}/{id}/…`: correcting and deleting events already recorded
//! (responses, toxicities, infections, immunoglobulin courses, labs, persistence tests, new
//! malignancies, subsequent therapies, the death).
//!
//! - `GET …/edit` shows the form filled with the stored values (a toxicity's treatments, an
//!   infection's sites and a death's contributing causes, the other one named, as check-alls
//!   beside the columns, written in the same change set); `POST …/edit` saves it after the
//!   same field and cross-field rules as at entry (`rules.rs`), with a required reason; 422
//!   keeps every value and puts the message by its field; a stale save is refused with 409
//!   and what changed.
//! - `GET …/delete` asks for confirmation and a reason; `POST …/delete` deletes the event and
//!   its child rows. Deleting the death gives the patient back an active status.
//! - An event whose reporting follow-up is locked is read-only (403) until an administrator
//!   unlocks that follow-up.
//!
//! Only coordinators of the patient's site write (`Permission::WritePatients`); another site's
//! patient, or an event of another patient, is a 404. Audit rows go in the same transaction
//! (`db::events::revise_event`, `db::events::delete_event`).

pub mod delete;
pub mod edit;
pub mod rules;

use std::marker::PhantomData;

use actix_web::web;
use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    events::{
        DeathContributingCauseRow, EventKind, InfectionSiteRow, StoredEvent, ToxicityTreatmentRow,
        death_contributing_causes_of, infection_sites_of, load_event, toxicity_treatments_of,
    },
    ids::{DeathId, InfectionId, ToxicityEventId},
    schema::{deaths, follow_ups, infusions},
};
use crate::domain::{
    access::Permission, death::CauseOfDeath, infection::InfectionSite, schedule::Timepoint,
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::extract::CurrentUser,
    error::AppError,
    form::{Field, FormPairs, SelectOption, check_options, ticked},
    routes::{
        follow_ups::treatments::{TreatmentGiven, TreatmentsForm},
        patients::find_patient,
    },
};

/// Registers the edit and delete routes (inside the logged-in scope).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/patients/{pid}/events/{kind}/{id}/edit")
            .route(web::get().to(edit::get))
            .route(web::post().to(edit::post)),
    )
    .service(
        web::resource("/patients/{pid}/events/{kind}/{id}/delete")
            .route(web::get().to(delete::get))
            .route(web::post().to(delete::post)),
    );
}

/// The link to correct an event (shown on the patient page's timeline).
pub fn edit_href(patient_id: i32, kind: EventKind, id: i32) -> String {
    format!("/patients/{patient_id}/events/{}/{id}/edit", kind.slug())
}

/// What the rules need to know about an event beside its own values.
#[derive(Debug, Clone)]
pub struct EventContext {
    /// Day 0 of the event's course (or the patient's first Day 0 for events not tied to a
    /// course); `None` when no infusion is recorded.
    pub day0: Option<NaiveDate>,
    /// The contact date of the follow-up that reported the event: events of a period end there.
    pub contact: Option<NaiveDate>,
    /// The recorded death date (for every kind but the death itself).
    pub death: Option<NaiveDate>,
    /// The latest follow-up contact of the patient (for the death: no visit after death).
    pub last_contact: Option<NaiveDate>,
    /// The latest date of any other recorded event (for the death: nothing after death).
    pub latest_event: Option<NaiveDate>,
    /// The reporting follow-up is locked: read-only.
    pub locked: bool,
    /// The reporting follow-up, as a person names it ("Day 90 follow-up").
    pub follow_up_label: Option<String>,
}

/// An event of a patient in the user's write scope, with its context. `Forbidden` for a role
/// that cannot write; `NotFound` for another site, another patient's event, an unknown kind or id.
pub fn load_scoped(
    conn: &mut SqliteConnection,
    user: &CurrentUser,
    pid: i32,
    kind: &str,
    id: i32,
) -> Result<(StoredEvent, EventContext), AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let kind = EventKind::from_slug(kind).ok_or(AppError::NotFound)?;
    find_patient(conn, &scope, pid)?.ok_or(AppError::NotFound)?;
    let event = load_event(conn, kind, id)?
        .filter(|e| e.patient_id.0 == pid)
        .ok_or(AppError::NotFound)?;
    let ctx = context_of(conn, &event)?;
    Ok((event, ctx))
}

/// What the rules need beside the event's own values: its Day 0, reporting contact, the death,
/// and whether its follow-up is locked (public so that a test can check stored rows, e.g. the
/// demo cohort's, against the correction rules).
pub fn context_of(conn: &mut SqliteConnection, event: &StoredEvent) -> QueryResult<EventContext> {
    let pid = event.patient_id.0;
    let mut day0_query = infusions::table
        .filter(infusions::patient_id.eq(pid))
        .filter(infusions::infusion_number.eq(1))
        .into_boxed();
    if let Some(course) = event.course_id {
        day0_query = day0_query.filter(infusions::course_id.eq(course.0));
    }
    let day0: Option<NaiveDate> = day0_query
        .select(infusions::infusion_date)
        .order(infusions::infusion_date)
        .first(conn)
        .optional()?;
    let reporting: Option<(Option<NaiveDate>, Option<chrono::NaiveDateTime>, String)> =
        match event.follow_up_id {
            Some(f) => follow_ups::table
                .find(f.0)
                .select((
                    follow_ups::contact_date,
                    follow_ups::locked_at,
                    follow_ups::timepoint,
                ))
                .first(conn)
                .optional()?,
            None => None,
        };
    let death: Option<NaiveDate> = if event.kind == EventKind::Death {
        None
    } else {
        deaths::table
            .filter(deaths::patient_id.eq(pid))
            .select(deaths::death_date)
            .first(conn)
            .optional()?
    };
    let last_contact: Option<NaiveDate> = follow_ups::table
        .filter(follow_ups::patient_id.eq(pid))
        .select(diesel::dsl::max(follow_ups::contact_date))
        .first(conn)?;
    let latest_event = crate::web::routes::patients::events::events_of(conn, pid)?
        .into_iter()
        .map(|e| e.date)
        .max();
    Ok(EventContext {
        day0,
        latest_event,
        contact: reporting.as_ref().and_then(|r| r.0),
        death,
        last_contact,
        locked: reporting.as_ref().is_some_and(|r| r.1.is_some()),
        follow_up_label: reporting.map(|r| {
            Timepoint::parse(&r.2).map_or(r.2.clone(), |t| format!("{} follow-up", t.label()))
        }),
    })
}

/// How a field is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Date,
    Text,
    Number,
    Select,
    /// A yes/no column (e.g. "the date is estimated"): ticked is `"1"`, unticked blank.
    Checkbox,
}

/// One field of an event form: its column, label, how it is typed, what was typed (or stored)
/// and, for a select, the allowed (code, label) pairs.
#[derive(Debug, Clone)]
pub struct EventField {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub input: Input,
    pub field: Field,
    pub choices: Vec<(String, String)>,
}

impl EventField {
    /// The `type` attribute of an `<input>`.
    pub fn input_type(&self) -> &'static str {
        match self.input {
            Input::Date => "date",
            Input::Number => "text",
            Input::Text | Input::Select => "text",
            Input::Checkbox => "checkbox",
        }
    }

    /// True for a `<select>`.
    pub fn is_select(&self) -> bool {
        self.input == Input::Select
    }

    /// True for a tick box.
    pub fn is_checkbox(&self) -> bool {
        self.input == Input::Checkbox
    }

    /// True for a ticked box.
    pub fn is_ticked(&self) -> bool {
        self.field.value.trim() == "1"
    }

    /// The options of a select, the typed value selected.
    pub fn options(&self) -> Vec<SelectOption> {
        self.choices
            .iter()
            .map(|(code, label)| SelectOption {
                selected: *code == self.field.value,
                code: code.clone(),
                label: label.clone(),
            })
            .collect()
    }
}

/// Choices of a vocabulary, for a select.
pub fn choices<T: Vocabulary>() -> Vec<(String, String)> {
    T::ALL
        .iter()
        .map(|v| (v.code().to_owned(), v.label().to_owned()))
        .collect()
}

/// The event form as typed: its fields, the version read, a reason, and the form-level message.
#[derive(Debug, Clone)]
pub struct EventForm {
    pub kind: EventKind,
    pub fields: Vec<EventField>,
    pub row_version: i32,
    pub reason: Field,
    pub form_error: Option<String>,
    /// The treatments of a toxicity (a check-all beside its columns); `None` for other kinds.
    pub treatments: Option<TreatmentsForm>,
    /// The treatments as validated, to be written with the correction.
    pub treatments_given: Option<Vec<TreatmentGiven>>,
    /// The sites of an infection (a check-all beside its columns); `None` for other kinds.
    pub sites: Option<CheckAllInput<InfectionSite>>,
    /// The sites as validated (each with the other site's name on `OTHER`), to be written
    /// with the correction.
    pub sites_given: Option<Vec<(InfectionSite, Option<String>)>>,
    /// The causes that contributed to a death besides the primary one (a check-all beside its
    /// columns); `None` for other kinds.
    pub contributing: Option<CheckAllInput<CauseOfDeath>>,
    /// The contributing causes as validated (each with the other cause's name on `OTHER`), to
    /// be written with the correction.
    pub contributing_given: Option<Vec<(CauseOfDeath, Option<String>)>>,
}

/// A vocabulary ticked as a check-all on the correction form, its "Other (specify)" value
/// named in an input of its own: an infection's sites, a death's contributing causes.
pub trait CheckAllVocabulary: Vocabulary {
    /// The check boxes' input name (one pair per ticked box).
    const INPUT: &'static str;
    /// The input naming the value ticked "Other".
    const OTHER_INPUT: &'static str;
    /// What the check-all is called in the read-only view and the stale-edit message.
    const LABEL: &'static str;
    /// The value that is named.
    const OTHER: Self;
}

impl CheckAllVocabulary for InfectionSite {
    const INPUT: &'static str = "sites";
    const OTHER_INPUT: &'static str = "site_other";
    const LABEL: &'static str = "Sites";
    const OTHER: Self = Self::Other;
}

impl CheckAllVocabulary for CauseOfDeath {
    const INPUT: &'static str = "contributing_causes";
    const OTHER_INPUT: &'static str = "contributing_cause_other";
    const LABEL: &'static str = "Contributing causes";
    const OTHER: Self = Self::Other;
}

/// A check-all of vocabulary `T` on the correction form as typed or stored: the ticked codes
/// (input `T::INPUT`, one pair per ticked box; here joined by commas) and the name of the
/// value ticked "Other" (input `T::OTHER_INPUT`).
#[derive(Debug, Clone)]
pub struct CheckAllInput<T> {
    pub ticked: Field,
    pub other: Field,
    vocabulary: PhantomData<T>,
}

impl<T> Default for CheckAllInput<T> {
    fn default() -> Self {
        Self {
            ticked: Field::default(),
            other: Field::default(),
            vocabulary: PhantomData,
        }
    }
}

impl<T: CheckAllVocabulary> CheckAllInput<T> {
    /// The stored rows, as (code, name of the other value), ticked with the other's name.
    pub fn from_rows<'a>(rows: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Self {
        let rows: Vec<_> = rows.into_iter().collect();
        let codes: Vec<&str> = rows.iter().map(|(code, _)| *code).collect();
        Self {
            ticked: Field::new(codes.join(",")),
            other: Field::new(rows.iter().find_map(|(_, name)| *name).unwrap_or_default()),
            vocabulary: PhantomData,
        }
    }

    /// The check-all as sent.
    pub fn from_sent(pairs: &FormPairs) -> Self {
        Self {
            ticked: Field::new(pairs.all(T::INPUT).join(",")),
            other: Field::new(pairs.get(T::OTHER_INPUT)),
            vocabulary: PhantomData,
        }
    }

    /// The check boxes' input name.
    pub fn name(&self) -> &'static str {
        T::INPUT
    }

    /// The other value's name input.
    pub fn other_name(&self) -> &'static str {
        T::OTHER_INPUT
    }

    /// What the check-all is called.
    pub fn label(&self) -> &'static str {
        T::LABEL
    }

    /// One check box per value of the vocabulary, the ticked ones checked.
    pub fn options(&self) -> Vec<SelectOption> {
        check_options::<T>(&self.ticked)
    }

    /// The ticked values, each once in the order sent, and whether a code not in the
    /// vocabulary was sent.
    pub fn values(&self) -> (Vec<T>, bool) {
        ticked::<T>(&self.ticked)
    }

    /// The ticked values as a person reads them, in the vocabulary's order, the other one by
    /// its name ("Lung, Other site (specify): catheter exit site"), for the read-only view
    /// and the stale-edit message.
    pub fn summary(&self) -> String {
        let (values, _) = self.values();
        let name = self.other.value.trim();
        T::ALL
            .iter()
            .filter(|v| values.contains(v))
            .map(|v| {
                if *v == T::OTHER && !name.is_empty() {
                    format!("{}: {name}", v.label())
                } else {
                    v.label().to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The field named `name` (the check boxes or the other's name), if it is one of these.
    fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        match name {
            n if n == T::INPUT => Some(&mut self.ticked),
            n if n == T::OTHER_INPUT => Some(&mut self.other),
            _ => None,
        }
    }

    fn has_error(&self) -> bool {
        self.ticked.error.is_some() || self.other.error.is_some()
    }
}

/// What the correction form shows beside an event's columns: a toxicity's treatments, an
/// infection's sites, a death's contributing causes (none for other kinds).
#[derive(Debug, Clone, Default)]
pub struct Children {
    pub treatments: Vec<ToxicityTreatmentRow>,
    pub sites: Vec<InfectionSiteRow>,
    pub causes: Vec<DeathContributingCauseRow>,
}

/// The child rows of `event` the correction form shows.
pub fn children_of(conn: &mut SqliteConnection, event: &StoredEvent) -> QueryResult<Children> {
    let mut children = Children::default();
    match event.kind {
        EventKind::Toxicity => {
            children.treatments = toxicity_treatments_of(conn, ToxicityEventId(event.id))?;
        }
        EventKind::Infection => children.sites = infection_sites_of(conn, InfectionId(event.id))?,
        EventKind::Death => {
            children.causes = death_contributing_causes_of(conn, DeathId(event.id))?;
        }
        _ => {}
    }
    Ok(children)
}

/// The input-name prefix of a toxicity's treatments on the correction form.
pub const TREATMENT_PREFIX: &str = "treatment_";

impl EventForm {
    /// The field named `name`, if the kind has it (an infection's sites and a death's
    /// contributing causes included).
    pub fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        let Self {
            fields,
            sites,
            contributing,
            ..
        } = self;
        sites
            .as_mut()
            .and_then(|s| s.field_mut(name))
            .or_else(|| contributing.as_mut().and_then(|c| c.field_mut(name)))
            .or_else(|| {
                fields
                    .iter_mut()
                    .find(|f| f.name == name)
                    .map(|f| &mut f.field)
            })
    }

    /// Attaches a message to the field `name` (to the form when the kind has no such field).
    pub fn fail(&mut self, name: &str, message: impl Into<String>) {
        match self.field_mut(name) {
            Some(field) => field.fail(message),
            None => {
                self.form_error.get_or_insert_with(|| message.into());
            }
        }
    }

    /// The value typed in `name` ("" if absent).
    pub fn value(&self, name: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.field.value.clone())
            .unwrap_or_default()
    }

    /// True when any field, the reason or the form carries a message.
    pub fn has_error(&self) -> bool {
        self.form_error.is_some()
            || self.reason.error.is_some()
            || self.fields.iter().any(|f| f.field.error.is_some())
            || self
                .treatments
                .as_ref()
                .is_some_and(TreatmentsForm::has_error)
            || self.sites.as_ref().is_some_and(CheckAllInput::has_error)
            || self
                .contributing
                .as_ref()
                .is_some_and(CheckAllInput::has_error)
    }

    /// The child rows as a person reads them, as (label, summary): each treatment agent of a
    /// toxicity, an infection's sites, a death's contributing causes (for the stale-edit
    /// message, typed against stored).
    pub fn child_summaries(&self) -> Vec<(String, String)> {
        let mut summaries = self
            .treatments
            .as_ref()
            .map(TreatmentsForm::summaries)
            .unwrap_or_default();
        if let Some(sites) = &self.sites {
            summaries.push((sites.label().to_owned(), sites.summary()));
        }
        if let Some(causes) = &self.contributing {
            summaries.push((causes.label().to_owned(), causes.summary()));
        }
        summaries
    }

    /// The form filled from the stored event.
    pub fn from_stored(event: &StoredEvent) -> Self {
        let mut fields = rules::spec(event.kind, event);
        for f in &mut fields {
            let stored = event.text(f.name);
            f.field = Field::new(match f.input {
                // Booleans are stored 1/0: a tick box shows 1 ticked, anything else not.
                Input::Checkbox if stored != "1" => String::new(),
                _ => stored,
            });
        }
        Self {
            kind: event.kind,
            fields,
            row_version: event.row_version,
            reason: Field::default(),
            form_error: None,
            treatments: (event.kind == EventKind::Toxicity)
                .then(|| TreatmentsForm::blank(TREATMENT_PREFIX)),
            treatments_given: None,
            sites: (event.kind == EventKind::Infection).then(CheckAllInput::default),
            sites_given: None,
            contributing: (event.kind == EventKind::Death).then(CheckAllInput::default),
            contributing_given: None,
        }
    }

    /// The form with the event's stored child rows ticked: a toxicity's treatments, an
    /// infection's sites, a death's contributing causes.
    pub fn with_children(mut self, children: &Children) -> Self {
        if self.treatments.is_some() {
            self.treatments = Some(TreatmentsForm::from_rows(
                TREATMENT_PREFIX,
                &children.treatments,
            ));
        }
        if self.sites.is_some() {
            self.sites = Some(CheckAllInput::from_rows(
                children
                    .sites
                    .iter()
                    .map(|r| (r.site.as_str(), r.site_other.as_deref())),
            ));
        }
        if self.contributing.is_some() {
            self.contributing = Some(CheckAllInput::from_rows(
                children
                    .causes
                    .iter()
                    .map(|r| (r.cause.as_str(), r.cause_other.as_deref())),
            ));
        }
        self
    }

    /// The form as sent (`pairs`: the url-encoded body).
    pub fn from_sent(event: &StoredEvent, pairs: &FormPairs) -> Self {
        let mut fields = rules::spec(event.kind, event);
        for f in &mut fields {
            f.field = Field::new(pairs.get(f.name));
        }
        Self {
            kind: event.kind,
            fields,
            row_version: pairs.get("row_version").trim().parse().unwrap_or(-1),
            reason: Field::new(pairs.get("reason")),
            form_error: None,
            treatments: (event.kind == EventKind::Toxicity).then(|| {
                let mut t = TreatmentsForm::blank(TREATMENT_PREFIX);
                t.fill(pairs);
                t
            }),
            treatments_given: None,
            sites: (event.kind == EventKind::Infection).then(|| CheckAllInput::from_sent(pairs)),
            sites_given: None,
            contributing: (event.kind == EventKind::Death).then(|| CheckAllInput::from_sent(pairs)),
            contributing_given: None,
        }
    }
}
