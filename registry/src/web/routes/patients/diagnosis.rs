//! `GET|POST /patients/{id}/diagnoses/{did}/edit`: correcting a recorded diagnosis (the
//! disease, its name when it is "Other disease (specify)", and the date), with a reason,
//! one audit change set and stale-edit protection.
//!
//! [`parse_disease`] is the one rule for a disease and its "specify" text, for any form that
//! records a diagnosis: `OTHER` needs the name of the disease; any other disease must leave it
//! blank (the schema's `diagnoses_other_disease_named` CHECK says the same).

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::Deserialize;

use super::new::parse_date;
use super::{find_patient, what_changed};
use crate::db::{
    ids::{DiagnosisId, UserId},
    patients::{DiagnosisCorrection, DiagnosisRevision, DiagnosisRow, revise_diagnosis},
    schema::{diagnoses, infusions, response_assessments, treatment_courses},
};
use crate::domain::{access::Permission, diagnosis::Disease, vocabulary::Vocabulary};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::{Field, SelectOption, options},
    layout::Layout,
    startup::AppState,
};

/// Longest "specify" text kept.
pub const DISEASE_OTHER_MAX_CHARS: usize = 200;

/// Parses a disease and its "specify" text: `OTHER` requires a name (at most
/// [`DISEASE_OTHER_MAX_CHARS`] characters); another disease requires the name blank.
pub fn parse_disease(disease: &mut Field, other: &mut Field) -> Option<(Disease, Option<String>)> {
    let parsed = match Disease::parse(&disease.value) {
        Ok(d) => Some(d),
        Err(_) => {
            disease.fail("Choose the disease.");
            None
        }
    };
    let named = other.optional();
    match (parsed, &named) {
        (Some(Disease::Other), None) => other.fail("Name the disease (Other disease: specify)."),
        (Some(Disease::Other), Some(n)) if n.chars().count() > DISEASE_OTHER_MAX_CHARS => {
            other.fail(format!("Use at most {DISEASE_OTHER_MAX_CHARS} characters."))
        }
        (Some(d), Some(_)) if d != Disease::Other => {
            other.fail("Only for another disease: clear it or choose Other disease.")
        }
        _ => {}
    }
    if other.error.is_some() {
        return None;
    }
    Some((parsed?, named))
}

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub struct DiagnosisForm {
    pub disease: Field,
    pub disease_other: Field,
    pub diagnosis_date: Field,
    pub row_version: i32,
    pub reason: Field,
    pub form_error: Option<String>,
}

impl DiagnosisForm {
    fn from_row(row: &DiagnosisRow) -> Self {
        Self {
            disease: Field::new(row.disease.clone()),
            disease_other: Field::new(row.disease_other.clone().unwrap_or_default()),
            diagnosis_date: Field::new(row.diagnosis_date.to_string()),
            row_version: row.row_version,
            reason: Field::default(),
            form_error: None,
        }
    }
}

/// What the rules need beside the form.
#[derive(Debug, Clone)]
pub struct DiagnosisContext {
    pub birth_year: i32,
    /// The earliest apheresis or infusion of the courses treating this diagnosis.
    pub first_treatment: Option<NaiveDate>,
    /// The response criteria of the responses already recorded for those courses.
    pub recorded_criteria: Vec<String>,
}

impl DiagnosisForm {
    /// Validates the correction (domain.md §9, date order from diagnosis to apheresis).
    pub fn validate(
        &mut self,
        ctx: &DiagnosisContext,
        today: NaiveDate,
    ) -> Option<(DiagnosisCorrection, String)> {
        let disease = parse_disease(&mut self.disease, &mut self.disease_other);
        if let Some((d, _)) = &disease {
            let criteria = d.response_criteria().code();
            if let Some(other) = ctx
                .recorded_criteria
                .iter()
                .find(|c| c.as_str() != criteria)
            {
                self.disease.fail(format!(
                    "Responses of this diagnosis are recorded by {other} criteria: correct or \
                     delete them before changing to a disease assessed by other criteria."
                ));
            }
        }
        let date = parse_date(&mut self.diagnosis_date, true, today);
        if let Some(d) = date {
            if d.year() < ctx.birth_year {
                self.diagnosis_date.fail(format!(
                    "The diagnosis cannot precede the year of birth ({}).",
                    ctx.birth_year
                ));
            } else if let Some(first) = ctx.first_treatment.filter(|t| d > *t) {
                self.diagnosis_date.fail(format!(
                    "CAR-T treatment of this diagnosis began on {first}: the diagnosis cannot follow it."
                ));
            }
        }
        let reason = self.reason.optional();
        if reason.is_none() {
            self.reason.fail("Give the reason for the correction.");
        }
        let failed = [
            &self.disease,
            &self.disease_other,
            &self.diagnosis_date,
            &self.reason,
        ]
        .iter()
        .any(|f| f.error.is_some());
        if failed {
            return None;
        }
        let (disease, disease_other) = disease?;
        Some((
            DiagnosisCorrection {
                disease: disease.code().to_owned(),
                disease_other,
                diagnosis_date: date?,
            },
            reason?,
        ))
    }
}

/// The page.
#[derive(Template)]
#[template(path = "patients/diagnosis.html")]
pub struct DiagnosisPage {
    pub layout: Layout,
    pub patient_id: i32,
    pub registry_id: String,
    pub action: String,
    pub form: DiagnosisForm,
    pub diseases: Vec<SelectOption>,
}

impl DiagnosisPage {
    fn new(layout: Layout, pid: i32, registry_id: String, did: i32, form: DiagnosisForm) -> Self {
        Self {
            diseases: options(
                Disease::ALL.iter().map(|d| (d.code(), d.label())),
                &form.disease.value,
            ),
            layout,
            patient_id: pid,
            registry_id,
            action: format!("/patients/{pid}/diagnoses/{did}/edit"),
            form,
        }
    }
}

type Loaded = (String, DiagnosisRow, DiagnosisContext);

fn load(
    conn: &mut SqliteConnection,
    user: &CurrentUser,
    pid: i32,
    did: i32,
) -> Result<Loaded, AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let patient = find_patient(conn, &scope, pid)?.ok_or(AppError::NotFound)?;
    let row: DiagnosisRow = diagnoses::table
        .find(did)
        .filter(diagnoses::patient_id.eq(pid))
        .select(DiagnosisRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let courses: Vec<(i32, Option<NaiveDate>)> = treatment_courses::table
        .filter(treatment_courses::diagnosis_id.eq(did))
        .select((treatment_courses::id, treatment_courses::apheresis_date))
        .load(conn)?;
    let ids: Vec<i32> = courses.iter().map(|c| c.0).collect();
    let first_infusion: Option<NaiveDate> = infusions::table
        .filter(infusions::course_id.eq_any(&ids))
        .select(diesel::dsl::min(infusions::infusion_date))
        .first(conn)?;
    let first_treatment = courses
        .iter()
        .filter_map(|c| c.1)
        .chain(first_infusion)
        .min();
    let recorded_criteria: Vec<String> = response_assessments::table
        .filter(response_assessments::course_id.eq_any(&ids))
        .select(response_assessments::criteria)
        .distinct()
        .load(conn)?;
    Ok((
        patient.registry_id,
        row,
        DiagnosisContext {
            birth_year: patient.birth_year,
            first_treatment,
            recorded_criteria,
        },
    ))
}

/// Shows the form filled from the stored diagnosis.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (pid, did) = path.into_inner();
    let who = user.clone();
    let (registry_id, row, _) = state.db(move |conn| load(conn, &who, pid, did)).await?;
    let page = DiagnosisPage::new(
        Layout::new(&user, &session, "patients")?,
        pid,
        registry_id,
        did,
        DiagnosisForm::from_row(&row),
    );
    render(StatusCode::OK, &page)
}

/// The form as sent.
#[derive(Debug, Deserialize)]
pub struct DiagnosisFields {
    #[serde(default)]
    disease: String,
    #[serde(default)]
    disease_other: String,
    #[serde(default)]
    diagnosis_date: String,
    #[serde(default)]
    row_version: String,
    #[serde(default)]
    reason: String,
}

/// Saves the correction (303 to the patient page), or 422 / 409 with the values kept.
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32)>,
    fields: web::Form<DiagnosisFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (pid, did) = path.into_inner();
    let who = user.clone();
    let (registry_id, _, ctx) = state.db(move |conn| load(conn, &who, pid, did)).await?;
    let f = fields.into_inner();
    let mut form = DiagnosisForm {
        disease: Field::new(f.disease),
        disease_other: Field::new(f.disease_other),
        diagnosis_date: Field::new(f.diagnosis_date),
        row_version: f.row_version.trim().parse().unwrap_or(-1),
        reason: Field::new(f.reason),
        form_error: None,
    };
    let today = chrono::Utc::now().date_naive();
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some((correction, reason)) = form.validate(&ctx, today) {
        let (actor, version) = (UserId(user.id), form.row_version);
        let outcome = state
            .db(move |conn| {
                Ok(revise_diagnosis(
                    conn,
                    actor,
                    DiagnosisId(did),
                    version,
                    &reason,
                    &correction,
                )?)
            })
            .await?;
        match outcome {
            DiagnosisRevision::Saved => return Ok(see_other(&format!("/patients/{pid}"))),
            DiagnosisRevision::Stale { current, by } => {
                status = StatusCode::CONFLICT;
                let stored = DiagnosisForm::from_row(&current);
                form.form_error = Some(what_changed(
                    &by,
                    current.updated_at,
                    &[
                        ("Disease", &form.disease.value, &stored.disease.value),
                        (
                            "Other disease",
                            &form.disease_other.value,
                            &stored.disease_other.value,
                        ),
                        (
                            "Diagnosis date",
                            &form.diagnosis_date.value,
                            &stored.diagnosis_date.value,
                        ),
                    ],
                ));
                form.row_version = current.row_version;
            }
        }
    }
    if form.form_error.is_none() {
        form.form_error = Some("The diagnosis was not saved: see the messages below.".to_owned());
    }
    let page = DiagnosisPage::new(
        Layout::new(&user, &session, "patients")?,
        pid,
        registry_id,
        did,
        form,
    );
    render(status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_disease_needs_its_name_and_only_other_takes_one() {
        let cases = [
            ("OTHER", "", false),
            ("OTHER", "   ", false),
            (
                "OTHER",
                "Blastic plasmacytoid dendritic cell neoplasm",
                true,
            ),
            ("DLBCL_NOS", "Something", false),
            ("DLBCL_NOS", "", true),
            ("NOT_A_DISEASE", "", false),
        ];
        for (code, name, ok) in cases {
            let (mut d, mut o) = (Field::new(code), Field::new(name));
            assert_eq!(
                parse_disease(&mut d, &mut o).is_some(),
                ok,
                "{code} {name:?}"
            );
        }
        let (mut d, mut o) = (Field::new("OTHER"), Field::new("x".repeat(201)));
        assert!(parse_disease(&mut d, &mut o).is_none());
        assert!(o.error.is_some());
        let (mut d, mut o) = (Field::new("OTHER"), Field::new("  BPDCN  "));
        assert_eq!(
            parse_disease(&mut d, &mut o),
            Some((Disease::Other, Some("BPDCN".to_owned())))
        );
    }
}
