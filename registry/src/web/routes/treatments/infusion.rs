//! `/patients/{id}/courses/{cid}/infusions`: a re-infusion within a course (e.g. for loss of
//! B-cell aplasia; domain.md §3.3 `infusion_number_in_course`, §9 "re-infusion stays in the same
//! course"). It gets the next infusion number; Day 0 and so the follow-up schedule stay those of
//! the course's first infusion. Dates: after the course's apheresis and its latest infusion,
//! lymphodepletion (if any) after that infusion and by the re-infusion, never after death. Its
//! intent (why it was given: relapse, loss of B-cell aplasia, MRD, consolidation) is required.

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::check_not_after_death;
use crate::db::{
    audit::ChangeSet,
    ids::{PatientId, UserId},
    schema::{deaths, infusions, treatment_courses},
};
use crate::domain::{
    access::Permission,
    product::{InfusionIntent, LymphodepletionRegimen},
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::{Field, SelectOption, chosen, options},
    layout::Layout,
    routes::patients::{find_patient, new::parse_date},
    startup::AppState,
};

/// The course a re-infusion is added to, as the form needs it.
#[derive(Debug, Clone)]
pub struct CourseState {
    pub registry_id: String,
    pub course_number: i32,
    pub apheresis: Option<NaiveDate>,
    /// The latest infusion of the course: (number, date); `None` if never infused.
    pub latest: Option<(i32, NaiveDate)>,
    pub death: Option<NaiveDate>,
}

/// Loads the course within the user's scope; `NotFound` when out of scope or not the patient's.
fn load_course(
    conn: &mut SqliteConnection,
    scope: &crate::web::auth::extract::SiteFilter,
    pid: i32,
    cid: i32,
) -> Result<CourseState, AppError> {
    let patient = find_patient(conn, scope, pid)?.ok_or(AppError::NotFound)?;
    let (course_number, apheresis): (i32, Option<NaiveDate>) = treatment_courses::table
        .filter(treatment_courses::id.eq(cid))
        .filter(treatment_courses::patient_id.eq(pid))
        .select((
            treatment_courses::course_number,
            treatment_courses::apheresis_date,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let latest = infusions::table
        .filter(infusions::course_id.eq(cid))
        .order(infusions::infusion_number.desc())
        .select((infusions::infusion_number, infusions::infusion_date))
        .first(conn)
        .optional()?;
    let death = deaths::table
        .filter(deaths::patient_id.eq(pid))
        .select(deaths::death_date)
        .first(conn)
        .optional()?;
    Ok(CourseState {
        registry_id: patient.registry_id,
        course_number,
        apheresis,
        latest,
        death,
    })
}

/// The re-infusion form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InfusionFields {
    #[serde(default)]
    intent: String,
    #[serde(default)]
    lymphodepletion_regimen: String,
    #[serde(default)]
    lymphodepletion_start_date: String,
    #[serde(default)]
    infusion_date: String,
}

/// The form with its messages.
#[derive(Debug, Clone, Default)]
pub struct InfusionForm {
    pub intent: Field,
    pub lymphodepletion_regimen: Field,
    pub lymphodepletion_start_date: Field,
    pub infusion_date: Field,
}

/// A validated re-infusion.
#[derive(Debug, Clone, Copy)]
pub struct NewReinfusion {
    pub number: i32,
    /// Always a re-infusion intent (never `Initial`).
    pub intent: InfusionIntent,
    pub lymphodepletion: LymphodepletionRegimen,
    pub lymphodepletion_start: Option<NaiveDate>,
    pub infusion_date: NaiveDate,
}

impl InfusionForm {
    fn from_fields(f: InfusionFields) -> Self {
        Self {
            intent: Field::new(f.intent),
            lymphodepletion_regimen: Field::new(f.lymphodepletion_regimen),
            lymphodepletion_start_date: Field::new(f.lymphodepletion_start_date),
            infusion_date: Field::new(f.infusion_date),
        }
    }

    /// Validates the fields and the date order against the course.
    pub fn validate(&mut self, course: &CourseState, today: NaiveDate) -> Option<NewReinfusion> {
        let intent = InfusionIntent::parse(&self.intent.value)
            .ok()
            .filter(|i| i.is_reinfusion());
        if intent.is_none() {
            self.intent.fail("Choose why the re-infusion was given.");
        }
        let regimen = chosen::<LymphodepletionRegimen>(
            &mut self.lymphodepletion_regimen,
            true,
            "Choose the lymphodepletion regimen (or none).",
        );
        let ld_start = parse_date(&mut self.lymphodepletion_start_date, false, today);
        if regimen == Some(LymphodepletionRegimen::None) && ld_start.is_some() {
            self.lymphodepletion_start_date
                .fail("No lymphodepletion was given: leave its date blank.");
        }
        let infusion = parse_date(&mut self.infusion_date, true, today);
        let floor = course.latest.map(|l| l.1);
        if floor.is_none() {
            // Only infusion 1 is the initial one (schema CHECK on `infusions.intent`).
            self.infusion_date.fail(
                "This course has no infusion yet: its first infusion is recorded with the treatment, not as a re-infusion.",
            );
        }
        if let (Some(previous), Some(d)) = (floor, infusion)
            && d <= previous
        {
            self.infusion_date.fail(format!(
                "A re-infusion follows the course's latest infusion ({previous})."
            ));
        }
        if let (Some(previous), Some(l)) = (floor, ld_start)
            && l <= previous
        {
            self.lymphodepletion_start_date.fail(format!(
                "Lymphodepletion for a re-infusion starts after the latest infusion ({previous})."
            ));
        }
        if let (Some(a), Some(d)) = (course.apheresis, infusion)
            && d < a
        {
            self.infusion_date
                .fail(format!("The infusion cannot precede apheresis ({a})."));
        }
        if let (Some(l), Some(d)) = (ld_start, infusion)
            && d < l
        {
            self.infusion_date
                .fail("The infusion cannot precede the start of lymphodepletion.");
        }
        check_not_after_death(&mut self.infusion_date, infusion, course.death);
        if [
            &self.intent,
            &self.lymphodepletion_regimen,
            &self.lymphodepletion_start_date,
            &self.infusion_date,
        ]
        .iter()
        .any(|f| f.error.is_some())
        {
            return None;
        }
        Some(NewReinfusion {
            number: course.latest.map_or(1, |l| l.0 + 1),
            intent: intent?,
            lymphodepletion: regimen?,
            lymphodepletion_start: ld_start,
            infusion_date: infusion?,
        })
    }
}

/// The page.
#[derive(askama::Template)]
#[template(path = "treatments/infusion.html")]
pub struct InfusionPage {
    pub layout: Layout,
    pub patient_id: i32,
    pub course_id: i32,
    pub course: CourseState,
    pub form: InfusionForm,
    pub intents: Vec<SelectOption>,
    pub regimens: Vec<SelectOption>,
}

impl InfusionPage {
    fn new(
        layout: Layout,
        patient_id: i32,
        course_id: i32,
        course: CourseState,
        form: InfusionForm,
    ) -> Self {
        Self {
            intents: options(
                InfusionIntent::ALL
                    .iter()
                    .filter(|i| i.is_reinfusion())
                    .map(|i| (i.code(), i.label())),
                &form.intent.value,
            ),
            regimens: options(
                LymphodepletionRegimen::ALL
                    .iter()
                    .map(|r| (r.code(), r.label())),
                &form.lymphodepletion_regimen.value,
            ),
            layout,
            patient_id,
            course_id,
            course,
            form,
        }
    }
}

/// `GET /patients/{id}/courses/{cid}/infusions/new` (coordinators, own sites).
pub async fn new(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let (pid, cid) = path.into_inner();
    let course = state
        .db(move |conn| load_course(conn, &scope, pid, cid))
        .await?;
    let page = InfusionPage::new(
        Layout::new(&user, &session, "patients")?,
        pid,
        cid,
        course,
        InfusionForm::default(),
    );
    render(StatusCode::OK, &page)
}

/// `POST /patients/{id}/courses/{cid}/infusions`: 303 to the patient page, or 422 with the
/// values kept.
pub async fn create(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32)>,
    fields: web::Form<InfusionFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let (pid, cid) = path.into_inner();
    let course = state
        .db(move |conn| load_course(conn, &scope, pid, cid))
        .await?;
    let mut form = InfusionForm::from_fields(fields.into_inner());
    let today = chrono::Utc::now().date_naive();
    if let Some(input) = form.validate(&course, today) {
        let actor = user.id;
        state
            .db(move |conn| Ok(record(conn, actor, pid, cid, input)?))
            .await?;
        return Ok(see_other(&format!("/patients/{pid}")));
    }
    let page = InfusionPage::new(
        Layout::new(&user, &session, "patients")?,
        pid,
        cid,
        course,
        form,
    );
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Inserts the infusion and its audit rows in one transaction. A concurrent re-infusion with the
/// same number is refused by the unique (course, number) index, so none is silently merged.
fn record(
    conn: &mut SqliteConnection,
    actor: i32,
    pid: i32,
    cid: i32,
    input: NewReinfusion,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
        let id: i32 = diesel::insert_into(infusions::table)
            .values((
                infusions::course_id.eq(cid),
                infusions::patient_id.eq(pid),
                infusions::infusion_number.eq(input.number),
                infusions::intent.eq(input.intent.code()),
                infusions::lymphodepletion_regimen.eq(input.lymphodepletion.code()),
                infusions::lymphodepletion_start_date.eq(input.lymphodepletion_start),
                infusions::infusion_date.eq(input.infusion_date),
                infusions::created_by.eq(actor),
                infusions::updated_by.eq(actor),
            ))
            .returning(infusions::id)
            .get_result(conn)?;
        changes.record_insert(
            conn,
            "infusions",
            id,
            Some(PatientId(pid)),
            &[
                ("course_id".to_owned(), Some(cid.to_string())),
                ("infusion_number".to_owned(), Some(input.number.to_string())),
                ("intent".to_owned(), Some(input.intent.code().to_owned())),
                (
                    "lymphodepletion_regimen".to_owned(),
                    Some(input.lymphodepletion.code().to_owned()),
                ),
                (
                    "lymphodepletion_start_date".to_owned(),
                    input.lymphodepletion_start.map(|d| d.to_string()),
                ),
                (
                    "infusion_date".to_owned(),
                    Some(input.infusion_date.to_string()),
                ),
            ],
        )?;
        Ok(())
    })
}
