//! `POST /patients`: enrols a patient (303 to the patient page) or re-renders the form with 422,
//! every typed value kept and a message beside each wrong field. The patient and its audit rows
//! are written in one transaction.

use actix_web::{HttpResponse, http::StatusCode, web};
use diesel::prelude::*;
use serde::Deserialize;

use super::new::{EnrolForm, EnrolInput, EnrolPage, enrol_scope};
use super::sites_open_for_enrolment;
use crate::db::{
    audit::{ChangeSet, fields_of},
    ids::{ApiTokenId, PatientId, SiteId, UserId},
    patients::{NewPatient, PatientRow},
    schema::{patients, sites},
};
use crate::domain::vocabulary::Vocabulary;
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::Field,
    layout::Layout,
    startup::AppState,
};

/// The form's fields as sent.
#[derive(Debug, Deserialize)]
pub struct EnrolFields {
    #[serde(default)]
    site: String,
    #[serde(default)]
    registry_id: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_year: String,
    #[serde(default)]
    birth_date: String,
    #[serde(default)]
    enrolment_date: String,
    #[serde(default)]
    consent_research: String,
    #[serde(default)]
    consent_research_date: String,
    #[serde(default)]
    trial_subject_id: String,
}

impl From<EnrolFields> for EnrolForm {
    fn from(f: EnrolFields) -> Self {
        Self {
            site: Field::new(f.site),
            registry_id: Field::new(f.registry_id),
            sex: Field::new(f.sex),
            birth_year: Field::new(f.birth_year),
            birth_date: Field::new(f.birth_date),
            enrolment_date: Field::new(f.enrolment_date),
            consent_research: Field::new(f.consent_research),
            consent_research_date: Field::new(f.consent_research_date),
            trial_subject_id: Field::new(f.trial_subject_id),
        }
    }
}

/// Why an enrolment was refused by the database state.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error("This registry id is already in use.")]
    DuplicateRegistryId,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Enrols a patient.
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    form: web::Form<EnrolFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = enrol_scope(&user)?;
    let sites = {
        let scope = scope.clone();
        state
            .db(move |conn| Ok(sites_open_for_enrolment(conn, &scope)?))
            .await?
    };
    let codes: Vec<String> = sites.iter().map(|(_, c, _)| c.clone()).collect();
    let mut view = EnrolForm::from(form.into_inner());
    let today = chrono::Utc::now().date_naive();
    if let Some(input) = view.validate(&codes, today) {
        let actor = user.id;
        let outcome = state
            .db(move |conn| Ok(enrol(conn, actor, None, &input)))
            .await?;
        match outcome {
            Ok((id, _)) => return Ok(see_other(&format!("/patients/{id}"))),
            Err(e @ EnrolError::DuplicateRegistryId) => view.registry_id.fail(e.to_string()),
            Err(EnrolError::Database(e)) => return Err(e.into()),
        }
    }
    let page = EnrolPage::new(Layout::new(&user, &session, "patients")?, view, sites);
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Inserts the patient (numbering it if no registry id was given) and its audit rows.
pub fn enrol(
    conn: &mut SqliteConnection,
    actor: i32,
    api_token: Option<i32>,
    input: &EnrolInput,
) -> Result<(i32, String), EnrolError> {
    crate::db::write_transaction(conn, |conn| {
        let site_id: i32 = sites::table
            .filter(sites::code.eq(&input.site_code))
            .select(sites::id)
            .first(conn)?;
        let registry_id = match &input.registry_id {
            Some(id) => id.as_str().to_owned(),
            None => next_registry_id(conn, &input.site_code)?,
        };
        let taken: i64 = patients::table
            .filter(patients::registry_id.eq(&registry_id))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(EnrolError::DuplicateRegistryId);
        }
        let new = NewPatient {
            registry_id,
            site_id: SiteId(site_id),
            cibmtr_crid: None,
            ebmt_id: None,
            trial_subject_id: input.trial_subject_id.clone(),
            sex: input.sex.code().to_owned(),
            birth_date: input.birth_date,
            birth_date_estimated: false,
            birth_year: input.birth_year,
            enrolment_date: input.enrolment_date,
            enrolment_date_estimated: false,
            consent_research: input.consent_research.code().to_owned(),
            consent_research_date: input.consent_research_date,
            consent_research_date_estimated: false,
            consent_data_sharing: None,
            consent_data_sharing_date: None,
            consent_data_sharing_date_estimated: false,
            ltfu_status: "ACTIVE".to_owned(),
            ltfu_status_date: None,
            ltfu_status_date_estimated: false,
            ltfu_contact_attempts: None,
            transfer_centre: None,
            referring_physician: None,
            created_by: UserId(actor),
            updated_by: UserId(actor),
        };
        let row: PatientRow = diesel::insert_into(patients::table)
            .values(&new)
            .returning(PatientRow::as_returning())
            .get_result(conn)?;
        let changes = ChangeSet::begin(conn, UserId(actor), api_token.map(ApiTokenId), None)?;
        changes.record_insert(
            conn,
            "patients",
            row.id.0,
            Some(PatientId(row.id.0)),
            &fields_of(&row)?,
        )?;
        Ok((row.id.0, row.registry_id))
    })
}

/// The next free `SITE-NNNNNN` of a site.
fn next_registry_id(conn: &mut SqliteConnection, site_code: &str) -> QueryResult<String> {
    let prefix = format!("{site_code}-");
    let existing: Vec<String> = patients::table
        .filter(patients::registry_id.like(format!("{prefix}%")))
        .select(patients::registry_id)
        .load(conn)?;
    let next = existing
        .iter()
        .filter_map(|id| id.strip_prefix(&prefix)?.parse::<u32>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    Ok(format!("{prefix}{next:06}"))
}
