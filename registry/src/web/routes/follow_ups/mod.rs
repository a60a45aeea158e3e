//! `/patients/{pid}/courses/{cid}/follow-ups/{timepoint}`: the follow-up form of one timepoint
//! of one course. Contact, survival, relapse, and one section per kind of event, each with an
//! explicit "nothing to report" (blank is not "none"); events reported in earlier periods are
//! listed as previously reported, not re-entered. Infections are entered inline; lab results
//! as a panel of one sample (`labs`).
//!
//! Saves are refused when stale (`row_version`), write their audit rows in the same
//! transaction, and ask for a reason when a completed form changes. A monitor locks a form
//! with an e-signature (password re-entered); an administrator unlocks it with a reason.

pub mod get;
pub mod icaht;
pub mod labs;
pub mod lock;
pub mod persistence;
pub mod post;
pub mod relapse;
pub mod toxicity;
pub mod treatments;
pub mod unlock;

pub use toxicity::{NewToxicity, NewToxicityForm};

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::{
    follow_ups::{FollowUpRow, relapse_methods_of},
    patients::PatientRow,
    schema::{deaths, diagnoses, follow_ups, infusions, treatment_courses},
};
use crate::domain::{
    death::CauseOfDeath,
    diagnosis::{Disease, DiseaseGroup},
    follow_up::{ContactType, FormStatus, SignatureMeaning, SurvivalStatus},
    infection::{InfectionSeverity, OrganismClass},
    malignancy::{NewMalignancyType, TransgeneResult},
    persistence::{PersistenceMethod, Specimen},
    product::{Product, TargetAntigen},
    response::{MrdStatus, RelapseAntigenStatus, RelapseMethod, Response, ResponseCriteria},
    schedule::{Schedule, Timepoint, WindowCheck},
    therapy::SubsequentTherapyCategory,
    toxicity::{CrsGrade, Hypotension, Hypoxia, ToxicityType},
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

/// One event section of the form as typed: "none" (nothing to report), "events", or "" (not
/// answered yet).
#[derive(Debug, Clone)]
pub struct SectionField {
    pub key: &'static str,
    pub label: &'static str,
    pub answer: Field,
    /// Reported in earlier periods (shown, not re-entered).
    pub previous: Vec<EventLine>,
    /// Reported in later periods (dated after this period's contact).
    pub later: Vec<EventLine>,
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
    pub relapse_method: Field,
    /// Every method that detected the relapse: the ticked codes, comma-separated.
    pub relapse_methods: Field,
    pub relapse_antigen_status: Field,
    pub sections: Vec<SectionField>,
    pub infection: NewInfectionForm,
    pub toxicity: NewToxicityForm,
    /// An immunoglobulin course started in this period.
    pub ig_start_date: Field,
    pub ig_route: Field,
    /// A CAR-T persistence test of this period.
    pub persistence: persistence::NewPersistenceForm,
    /// A subsequent therapy started in this period.
    pub therapy_category: Field,
    pub therapy_start_date: Field,
    /// A new malignancy added in this period.
    pub malignancy_type: Field,
    pub malignancy_date: Field,
    pub malignancy_detail: Field,
    pub transgene_result: Field,
    /// A lab panel of this period: one sample, a row per analyte.
    pub lab: labs::LabPanelForm,
    /// A response assessment added in this period (by the disease's own criteria).
    pub response_date: Field,
    pub response: Field,
    pub response_mrd: Field,
    /// The death, when this period reports it (survival status dead).
    pub death_date: Field,
    pub death_cause: Field,
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
    /// The relapse answer; `None` when not answered (a draft).
    pub relapse: Option<relapse::RelapseAnswer>,
    /// Every method that detected a relapse reported here (empty otherwise).
    pub relapse_methods: Vec<RelapseMethod>,
    /// Per section key: Some(true) none to report, Some(false) events, None unanswered.
    pub none_to_report: Vec<(&'static str, Option<bool>)>,
    pub infection: Option<(NaiveDate, OrganismClass, Option<InfectionSeverity>)>,
    pub toxicity: Option<NewToxicity>,
    /// An immunoglobulin course: start date, route (IVIG or SCIG).
    pub immunoglobulin: Option<(NaiveDate, &'static str)>,
    /// A persistence test, with what it measured.
    pub persistence: Option<persistence::NewPersistence>,
    /// A subsequent therapy: category, start date.
    pub therapy: Option<(SubsequentTherapyCategory, NaiveDate)>,
    /// A new malignancy: type, diagnosis date, detail, CAR-transgene result.
    pub malignancy: Option<(
        NewMalignancyType,
        NaiveDate,
        Option<String>,
        Option<TransgeneResult>,
    )>,
    /// A lab panel: one sample and its results.
    pub lab: Option<labs::LabPanel>,
    /// A response assessment: date, response, MRD status.
    pub response: Option<(NaiveDate, Response, Option<MrdStatus>)>,
    /// A death reported in this period.
    pub death: Option<(NaiveDate, CauseOfDeath)>,
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
            relapse_method: text(row.and_then(|r| r.relapse_method.clone())),
            relapse_methods: Field::new(ctx.relapse_methods.join(",")),
            relapse_antigen_status: text(row.and_then(|r| r.relapse_antigen_status.clone())),
            sections: Vec::new(),
            infection: NewInfectionForm::default(),
            toxicity: NewToxicityForm::default(),
            ig_start_date: Field::default(),
            ig_route: Field::default(),
            persistence: persistence::NewPersistenceForm::default(),
            therapy_category: Field::default(),
            therapy_start_date: Field::default(),
            malignancy_type: Field::default(),
            malignancy_date: Field::default(),
            malignancy_detail: Field::default(),
            transgene_result: Field::default(),
            lab: labs::LabPanelForm::default(),
            response_date: Field::default(),
            response: Field::default(),
            response_mrd: Field::default(),
            death_date: Field::default(),
            death_cause: Field::default(),
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
                later: Vec::new(),
                current: Vec::new(),
            })
            .collect();
        form.attach_events(ctx);
        form
    }

    /// Every text field with its input name (the form's `name=` and the API's JSON key), in
    /// page order: what a POST or an API body fills and what an error list reports.
    pub fn fields_mut(&mut self) -> Vec<(String, &mut Field)> {
        let mut out: Vec<(String, &mut Field)> = vec![
            ("contact_date".into(), &mut self.contact_date),
            ("contact_type".into(), &mut self.contact_type),
            ("survival_status".into(), &mut self.survival_status),
            ("ecog".into(), &mut self.ecog),
            ("relapse_since_last".into(), &mut self.relapse_since_last),
            ("relapse_date".into(), &mut self.relapse_date),
            ("relapse_method".into(), &mut self.relapse_method),
            ("relapse_methods".into(), &mut self.relapse_methods),
            (
                "relapse_antigen_status".into(),
                &mut self.relapse_antigen_status,
            ),
            ("death_date".into(), &mut self.death_date),
            ("death_cause".into(), &mut self.death_cause),
        ];
        for section in &mut self.sections {
            out.push((format!("none_{}", section.key), &mut section.answer));
        }
        out.extend([
            ("infection_date".into(), &mut self.infection.date),
            (
                "infection_organism_class".into(),
                &mut self.infection.organism_class,
            ),
            ("infection_severity".into(), &mut self.infection.severity),
            ("toxicity_kind".into(), &mut self.toxicity.kind),
            ("toxicity_term".into(), &mut self.toxicity.term),
            ("toxicity_onset_date".into(), &mut self.toxicity.onset_date),
            (
                "toxicity_resolution_date".into(),
                &mut self.toxicity.resolution_date,
            ),
            ("toxicity_max_grade".into(), &mut self.toxicity.max_grade),
            (
                "toxicity_max_grade_date".into(),
                &mut self.toxicity.max_grade_date,
            ),
            (
                "toxicity_max_grade_date_estimated".into(),
                &mut self.toxicity.max_grade_date_estimated,
            ),
            (
                "toxicity_hypotension".into(),
                &mut self.toxicity.hypotension,
            ),
            ("toxicity_hypoxia".into(), &mut self.toxicity.hypoxia),
            ("toxicity_ice_score".into(), &mut self.toxicity.ice_score),
            (
                "toxicity_icaht_days_anc_le_500".into(),
                &mut self.toxicity.icaht_days_anc_le_500,
            ),
            (
                "toxicity_icaht_days_anc_le_100".into(),
                &mut self.toxicity.icaht_days_anc_le_100,
            ),
            (
                "toxicity_icaht_anc_nadir".into(),
                &mut self.toxicity.icaht_anc_nadir,
            ),
        ]);
        out.extend(self.toxicity.treatments.fields_mut());
        out.extend(
            self.persistence
                .fields_mut()
                .map(|(name, field)| (name.to_owned(), field)),
        );
        out.extend([
            ("ig_start_date".into(), &mut self.ig_start_date),
            ("ig_route".into(), &mut self.ig_route),
            ("therapy_category".into(), &mut self.therapy_category),
            ("therapy_start_date".into(), &mut self.therapy_start_date),
            ("malignancy_type".into(), &mut self.malignancy_type),
            ("malignancy_date".into(), &mut self.malignancy_date),
            ("malignancy_detail".into(), &mut self.malignancy_detail),
            ("transgene_result".into(), &mut self.transgene_result),
        ]);
        out.extend(self.lab.fields_mut());
        out.extend([
            ("response_date".into(), &mut self.response_date),
            ("response".into(), &mut self.response),
            ("response_mrd".into(), &mut self.response_mrd),
            ("reason".into(), &mut self.reason),
        ]);
        out
    }

    /// Fills the fields from name/value pairs (a POST body, or an API body as text), over the
    /// stored values: a name not sent is blank, as in a submitted HTML form.
    pub fn fill(&mut self, pairs: &crate::web::form::FormPairs) {
        self.row_version = pairs.get("row_version").trim().parse().unwrap_or(-1);
        for (name, field) in self.fields_mut() {
            *field = Field::new(pairs.get(&name));
        }
        // A check-all sends one pair per ticked box.
        self.relapse_methods = Field::new(pairs.all("relapse_methods").join(","));
        self.confirm_window = pairs.get("confirm_window") == "1";
    }

    /// The messages of a failed validation, by input name (the window warning under
    /// `contact_date` when no other message is there).
    pub fn errors(&mut self) -> Vec<(String, String)> {
        let warning = self.window_warning.clone();
        let mut out: Vec<(String, String)> = self
            .fields_mut()
            .into_iter()
            .filter_map(|(name, f)| f.error.clone().map(|e| (name, e)))
            .collect();
        if let Some(w) = warning
            && !out.iter().any(|(n, _)| n == "contact_date")
        {
            out.push(("contact_date".to_owned(), w));
        }
        out
    }

    /// Lists each section's events: this period's; those of other periods dated up to this
    /// period's contact as previously reported; and those dated after it as reported later
    /// (a form reopened after later visits were entered). Without a contact date yet, every
    /// other event counts as previously reported.
    pub fn attach_events(&mut self, ctx: &Context) {
        let this = ctx.existing.as_ref().map(|r| r.id.0);
        let end = ctx.existing.as_ref().and_then(|r| r.contact_date);
        for section in &mut self.sections {
            let (mut current, mut previous, mut later) = (Vec::new(), Vec::new(), Vec::new());
            for e in ctx.events.iter().filter(|e| e.section == section.key) {
                if this.is_some() && e.reported_in == this {
                    current.push(e.clone());
                } else if end.is_some_and(|end| e.date > end) {
                    later.push(e.clone());
                } else {
                    previous.push(e.clone());
                }
            }
            section.current = current;
            section.previous = previous;
            section.later = later;
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
        let (relapse, relapse_methods) = relapse::validate(
            relapse::RelapseFields {
                since_last: &mut self.relapse_since_last,
                date: &mut self.relapse_date,
                method: &mut self.relapse_method,
                methods: &mut self.relapse_methods,
                antigen: &mut self.relapse_antigen_status,
            },
            ctx,
            contact_date.filter(|_| self.contact_date.error.is_none()),
            complete,
            today,
        )
        .map_or((None, Vec::new()), |(answer, methods)| {
            (Some(answer), methods)
        });

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

        // The death: reported once, in the period it fell in; the death date is the last contact.
        let mut death = None;
        let reports_death =
            survival_status == Some(SurvivalStatus::Dead) && ctx.death_date.is_none();
        if reports_death {
            let date = parse_date(&mut self.death_date, true, today);
            if let Some(d) = date {
                if d < ctx.day0 {
                    self.death_date
                        .fail("A death after CAR-T cannot precede Day 0.");
                } else if contact_date.is_some_and(|c| c != d) {
                    self.contact_date
                        .fail("The period that reports the death ends on the death date: use it as the contact date.");
                }
            }
            let cause = match CauseOfDeath::parse(&self.death_cause.value) {
                Ok(CauseOfDeath::Other) => {
                    self.death_cause
                        .fail("Other causes are not recorded from this form yet; choose the closest listed cause.");
                    None
                }
                Ok(c) => Some(c),
                Err(_) => {
                    self.death_cause.fail("Choose the primary cause of death.");
                    None
                }
            };
            if let (Some(d), Some(c)) = (date, cause)
                && self.death_date.error.is_none()
            {
                death = Some((d, c));
            }
        } else if !self.death_date.is_blank() || !self.death_cause.is_blank() {
            self.death_date
                .fail("A death is recorded with survival status Dead (and only once).");
        }

        // The dates an event of this period lies between (toxicities, lab samples).
        let bounds = toxicity::PeriodBounds {
            day0: ctx.day0,
            contact: contact_date,
            death: ctx.death_date.or(death.map(|(d, _)| d)),
            today,
        };
        let adding_toxicity = !self.toxicity.is_blank();
        let toxicity = if adding_toxicity {
            self.toxicity.validate(bounds)
        } else {
            None
        };

        let adding_response = !(self.response_date.is_blank()
            && self.response.is_blank()
            && self.response_mrd.is_blank());
        let mut response = None;
        if adding_response {
            let date = parse_date(&mut self.response_date, true, today);
            if let Some(d) = date {
                if d < ctx.day0 {
                    self.response_date
                        .fail("A response to CAR-T cannot be assessed before Day 0.");
                } else if contact_date.is_some_and(|c| d > c) {
                    self.response_date
                        .fail("The assessment is after this period's contact date.");
                }
            }
            let value = match Response::parse(ctx.criteria, &self.response.value) {
                Ok(r) => Some(r),
                Err(_) => {
                    self.response.fail(format!(
                        "Choose the response by {} criteria.",
                        ctx.criteria.label()
                    ));
                    None
                }
            };
            let mrd = if self.response_mrd.is_blank() {
                None
            } else {
                match MrdStatus::parse(&self.response_mrd.value) {
                    Ok(m) => Some(m),
                    Err(_) => {
                        self.response_mrd.fail("Choose the MRD status.");
                        None
                    }
                }
            };
            if let (Some(d), Some(v)) = (date, value)
                && self.response_date.error.is_none()
                && self.response_mrd.error.is_none()
            {
                response = Some((d, v, mrd));
            }
        }

        let adding_lab = !self.lab.is_blank();
        let lab = if adding_lab {
            self.lab.validate(bounds)
        } else {
            None
        };

        let adding_malignancy = !(self.malignancy_type.is_blank()
            && self.malignancy_date.is_blank()
            && self.malignancy_detail.is_blank()
            && self.transgene_result.is_blank());
        let mut malignancy = None;
        if adding_malignancy {
            let kind = match NewMalignancyType::parse(&self.malignancy_type.value) {
                Ok(k) => Some(k),
                Err(_) => {
                    self.malignancy_type.fail("Choose the type of malignancy.");
                    None
                }
            };
            let date = parse_date(&mut self.malignancy_date, true, today);
            if let Some(d) = date
                && d < ctx.day0
            {
                self.malignancy_date
                    .fail("A new malignancy after CAR-T cannot precede Day 0.");
            }
            let detail = self.malignancy_detail.optional();
            if matches!(
                kind,
                Some(NewMalignancyType::Solid | NewMalignancyType::Other)
            ) && detail.is_none()
            {
                self.malignancy_detail.fail("Name the malignancy.");
            }
            let transgene = if self.transgene_result.is_blank() {
                None
            } else {
                match TransgeneResult::parse(&self.transgene_result.value) {
                    Ok(t) => Some(t),
                    Err(_) => {
                        self.transgene_result
                            .fail("Choose the CAR-transgene test result.");
                        None
                    }
                }
            };
            if kind.is_some_and(NewMalignancyType::requires_transgene_testing)
                && transgene.is_none()
                && self.transgene_result.error.is_none()
            {
                self.transgene_result.fail(
                    "A T-cell malignancy after CAR-T: test the tumour for the CAR transgene \
                     (record Pending if sent) and report it to the manufacturer.",
                );
            }
            if let (Some(k), Some(d)) = (kind, date)
                && [
                    &self.malignancy_date,
                    &self.malignancy_detail,
                    &self.transgene_result,
                ]
                .iter()
                .all(|f| f.error.is_none())
            {
                malignancy = Some((k, d, detail, transgene));
            }
        }

        // A dated event after Day 0 and by this period's contact, with a message otherwise.
        let dated = |field: &mut Field| -> Option<NaiveDate> {
            let date = parse_date(field, true, today)?;
            if date < ctx.day0 {
                field.fail("This date cannot precede Day 0.");
                return None;
            }
            if contact_date.is_some_and(|c| date > c) {
                field.fail("This date is after this period's contact date.");
                return None;
            }
            Some(date)
        };
        let blank = |fields: &[&Field]| fields.iter().all(|f| f.is_blank());

        let adding_ig = !blank(&[&self.ig_start_date, &self.ig_route]);
        let mut immunoglobulin = None;
        if adding_ig {
            let date = dated(&mut self.ig_start_date);
            let route = match self.ig_route.value.as_str() {
                "IVIG" => Some("IVIG"),
                "SCIG" => Some("SCIG"),
                _ => {
                    self.ig_route.fail("Choose intravenous or subcutaneous.");
                    None
                }
            };
            if let (Some(d), Some(r)) = (date, route) {
                immunoglobulin = Some((d, r));
            }
        }

        let adding_persistence = !self.persistence.is_blank();
        let mut persistence = None;
        if adding_persistence {
            let date = dated(&mut self.persistence.date);
            persistence = self.persistence.validate(date);
        }

        let adding_therapy = !blank(&[&self.therapy_category, &self.therapy_start_date]);
        let mut therapy = None;
        if adding_therapy {
            let date = dated(&mut self.therapy_start_date);
            let category = SubsequentTherapyCategory::parse(&self.therapy_category.value).ok();
            if category.is_none() {
                self.therapy_category.fail("Choose the kind of therapy.");
            }
            if let (Some(c), Some(d)) = (category, date) {
                therapy = Some((c, d));
            }
        }

        let mut none_to_report = Vec::new();
        for section in &mut self.sections {
            let answer = match section.answer.value.as_str() {
                "none" => Some(true),
                "events" => Some(false),
                _ => None,
            };
            let has_events = !section.current.is_empty()
                || (section.key == "infections" && adding)
                || (section.key == "toxicities" && adding_toxicity)
                || (section.key == "responses" && adding_response)
                || (section.key == "lab_results" && adding_lab)
                || (section.key == "new_malignancies" && adding_malignancy)
                || (section.key == "immunoglobulin" && adding_ig)
                || (section.key == "persistence_tests" && adding_persistence)
                || (section.key == "subsequent_therapies" && adding_therapy);
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
                Some(false)
                    if !has_events
                        && ["immunoglobulin", "persistence_tests", "subsequent_therapies"]
                            .contains(&section.key) =>
                {
                    section
                        .answer
                        .fail("Add it below, or choose nothing to report.")
                }
                Some(false) if !has_events && section.key == "new_malignancies" => section
                    .answer
                    .fail("Add the malignancy below, or choose nothing to report."),
                Some(false) if !has_events && section.key == "lab_results" => section
                    .answer
                    .fail("Add the result below, or choose nothing to report."),
                Some(false) if !has_events && section.key == "responses" => section
                    .answer
                    .fail("Add the assessment below, or choose nothing to report."),
                Some(false) if !has_events && section.key == "toxicities" => section
                    .answer
                    .fail("Add the toxicity below, or choose nothing to report."),
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
            &self.relapse_method,
            &self.relapse_methods,
            &self.relapse_antigen_status,
            &self.infection.date,
            &self.infection.organism_class,
            &self.infection.severity,
            &self.death_date,
            &self.death_cause,
            &self.ig_start_date,
            &self.ig_route,
            &self.therapy_category,
            &self.therapy_start_date,
            &self.malignancy_type,
            &self.malignancy_date,
            &self.malignancy_detail,
            &self.transgene_result,
            &self.response_date,
            &self.response,
            &self.response_mrd,
            &self.reason,
        ]
        .iter()
        .any(|f| f.error.is_some())
            || self.sections.iter().any(|s| s.answer.error.is_some())
            || self.toxicity.has_error()
            || self.lab.has_error()
            || self.persistence.has_error()
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
            relapse,
            relapse_methods,
            none_to_report,
            infection,
            toxicity,
            immunoglobulin,
            persistence,
            therapy,
            malignancy,
            lab,
            response,
            death,
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
    pub relapse_methods: Vec<SelectOption>,
    /// The check-all of every method that detected the relapse (selected: ticked).
    pub relapse_method_checks: Vec<SelectOption>,
    pub relapse_antigens: Vec<SelectOption>,
    /// The antigen status at relapse applies to this course's product (CD19 or BCMA).
    pub antigen_applies: bool,
    pub organism_classes: Vec<SelectOption>,
    pub severities: Vec<SelectOption>,
    pub meanings: Vec<SelectOption>,
    pub causes: Vec<SelectOption>,
    pub toxicity_kinds: Vec<SelectOption>,
    pub responses: Vec<SelectOption>,
    pub malignancy_types: Vec<SelectOption>,
    pub ig_routes: Vec<SelectOption>,
    pub specimens: Vec<SelectOption>,
    pub persistence_methods: Vec<SelectOption>,
    pub detected_answers: Vec<SelectOption>,
    pub persistence_units: Vec<SelectOption>,
    pub therapy_categories: Vec<SelectOption>,
    pub transgene_results: Vec<SelectOption>,
    pub mrd_statuses: Vec<SelectOption>,
    pub grades: Vec<SelectOption>,
    pub hypotensions: Vec<SelectOption>,
    pub hypoxias: Vec<SelectOption>,
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
            relapse_methods: vocab::<RelapseMethod>(&form.relapse_method.value),
            relapse_method_checks: {
                let ticked = relapse::ticked_codes(&form.relapse_methods);
                RelapseMethod::ALL
                    .iter()
                    .map(|m| SelectOption {
                        code: m.code().to_owned(),
                        label: m.label().to_owned(),
                        selected: ticked.contains(&m.code()),
                    })
                    .collect()
            },
            relapse_antigens: vocab::<RelapseAntigenStatus>(&form.relapse_antigen_status.value),
            antigen_applies: relapse::antigen_applies(ctx.target),
            organism_classes: vocab::<OrganismClass>(&form.infection.organism_class.value),
            severities: vocab::<InfectionSeverity>(&form.infection.severity.value),
            meanings: vocab::<SignatureMeaning>(""),
            causes: vocab::<CauseOfDeath>(&form.death_cause.value),
            toxicity_kinds: vocab::<ToxicityType>(&form.toxicity.kind.value),
            grades: vocab::<CrsGrade>(&form.toxicity.max_grade.value)
                .into_iter()
                .map(|mut o| {
                    o.label = o.code.replace('G', "Grade ");
                    o
                })
                .collect(),
            hypotensions: vocab::<Hypotension>(&form.toxicity.hypotension.value),
            responses: Response::all_for(ctx.criteria)
                .into_iter()
                .map(|r| SelectOption {
                    code: r.code().to_owned(),
                    label: r.label().to_owned(),
                    selected: r.code() == form.response.value,
                })
                .collect(),
            mrd_statuses: vocab::<MrdStatus>(&form.response_mrd.value),
            malignancy_types: vocab::<NewMalignancyType>(&form.malignancy_type.value),
            ig_routes: options(
                [
                    ("IVIG", "Intravenous (IVIG)"),
                    ("SCIG", "Subcutaneous (SCIG)"),
                ],
                &form.ig_route.value,
            ),
            specimens: vocab::<Specimen>(&form.persistence.specimen.value),
            persistence_methods: vocab::<PersistenceMethod>(&form.persistence.method.value),
            detected_answers: options(
                [("Y", "Detected"), ("N", "Not detected")],
                &form.persistence.detected.value,
            ),
            persistence_units: form.persistence.unit_options(),
            therapy_categories: vocab::<SubsequentTherapyCategory>(&form.therapy_category.value),
            transgene_results: vocab::<TransgeneResult>(&form.transgene_result.value),
            hypoxias: vocab::<Hypoxia>(&form.toxicity.hypoxia.value),
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
