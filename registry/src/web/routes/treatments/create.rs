//! `POST /patients/{id}/treatments`: records the diagnosis (if needed), the course and its first
//! infusion with their audit rows in one transaction; 303 to the patient page, or 422 with every
//! value kept and a message beside each wrong field.

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::{
    TreatmentForm, TreatmentHistory, TreatmentInput, TreatmentPage, new::latest_diagnosis,
};
use crate::db::{
    audit::ChangeSet,
    ids::{PatientId, UserId},
    schema::{deaths, diagnoses, infusions, treatment_courses},
};
use crate::domain::{access::Permission, product::InfusionIntent, vocabulary::Vocabulary};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::Field,
    layout::Layout,
    routes::patients::find_patient,
    startup::AppState,
};

/// The fields as sent.
#[derive(Debug, Deserialize)]
pub struct TreatmentFields {
    #[serde(default)]
    disease: String,
    #[serde(default)]
    disease_other: String,
    #[serde(default)]
    diagnosis_date: String,
    #[serde(default)]
    prior_hct: String,
    #[serde(default)]
    product: String,
    #[serde(default)]
    investigational_product_name: String,
    #[serde(default)]
    investigational_target: String,
    #[serde(default)]
    investigational_target_other: String,
    #[serde(default)]
    trial_id: String,
    #[serde(default)]
    product_class: String,
    #[serde(default)]
    apheresis_date: String,
    #[serde(default)]
    lymphodepletion_regimen: String,
    #[serde(default)]
    lymphodepletion_start_date: String,
    #[serde(default)]
    infusion_date: String,
}

/// Records the treatment.
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<i32>,
    fields: web::Form<TreatmentFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let pid = path.into_inner();
    let (registry_id, diagnosis, last_infusion, death) = state
        .db(move |conn| {
            let patient = find_patient(conn, &scope, pid)?.ok_or(AppError::NotFound)?;
            let (last_infusion, death) = infusion_history(conn, pid)?;
            Ok((
                patient.registry_id,
                latest_diagnosis(conn, pid)?,
                last_infusion,
                death,
            ))
        })
        .await?;
    let f = fields.into_inner();
    let mut form = TreatmentForm {
        needs_diagnosis: diagnosis.is_none(),
        disease: Field::new(f.disease),
        disease_other: Field::new(f.disease_other),
        diagnosis_date: Field::new(f.diagnosis_date),
        prior_hct: Field::new(f.prior_hct),
        product: Field::new(f.product),
        investigational_product_name: Field::new(f.investigational_product_name),
        investigational_target: Field::new(f.investigational_target),
        investigational_target_other: Field::new(f.investigational_target_other),
        trial_id: Field::new(f.trial_id),
        product_class: Field::new(f.product_class),
        apheresis_date: Field::new(f.apheresis_date),
        lymphodepletion_regimen: Field::new(f.lymphodepletion_regimen),
        lymphodepletion_start_date: Field::new(f.lymphodepletion_start_date),
        infusion_date: Field::new(f.infusion_date),
    };
    let today = chrono::Utc::now().date_naive();
    let history = TreatmentHistory {
        existing_diagnosis: diagnosis.map(|d| d.1),
        last_infusion,
        death,
    };
    if let Some(input) = form.validate(history, today) {
        let actor = user.id;
        let existing = diagnosis.map(|d| d.0);
        state
            .db(move |conn| Ok(record(conn, actor, pid, existing, &input)?))
            .await?;
        return Ok(see_other(&format!("/patients/{pid}")));
    }
    let page = TreatmentPage::new(
        Layout::new(&user, &session, "patients")?,
        pid,
        registry_id,
        form,
    );
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The patient's latest infusion (any course) and recorded death date.
pub fn infusion_history(
    conn: &mut SqliteConnection,
    pid: i32,
) -> QueryResult<(Option<NaiveDate>, Option<NaiveDate>)> {
    let last: Option<NaiveDate> = infusions::table
        .filter(infusions::patient_id.eq(pid))
        .select(diesel::dsl::max(infusions::infusion_date))
        .first(conn)?;
    let death = deaths::table
        .filter(deaths::patient_id.eq(pid))
        .select(deaths::death_date)
        .first(conn)
        .optional()?;
    Ok((last, death))
}

fn record(
    conn: &mut SqliteConnection,
    actor: i32,
    pid: i32,
    existing_diagnosis: Option<i32>,
    input: &TreatmentInput,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
        let patient = Some(PatientId(pid));
        let diagnosis_id = match (&input.diagnosis, existing_diagnosis) {
            (Some(d), _) => {
                let id: i32 = diesel::insert_into(diagnoses::table)
                    .values((
                        diagnoses::patient_id.eq(pid),
                        diagnoses::disease.eq(d.disease.code()),
                        diagnoses::disease_other.eq(&d.disease_other),
                        diagnoses::diagnosis_date.eq(d.date),
                        diagnoses::prior_hct.eq(d.prior_hct.code()),
                        diagnoses::created_by.eq(actor),
                        diagnoses::updated_by.eq(actor),
                    ))
                    .returning(diagnoses::id)
                    .get_result(conn)?;
                changes.record_insert(
                    conn,
                    "diagnoses",
                    id,
                    patient,
                    &[
                        ("disease".to_owned(), Some(d.disease.code().to_owned())),
                        ("disease_other".to_owned(), d.disease_other.clone()),
                        ("diagnosis_date".to_owned(), Some(d.date.to_string())),
                        ("prior_hct".to_owned(), Some(d.prior_hct.code().to_owned())),
                    ],
                )?;
                id
            }
            (None, Some(id)) => id,
            (None, None) => return Err(diesel::result::Error::NotFound),
        };
        let number: i32 = treatment_courses::table
            .filter(treatment_courses::patient_id.eq(pid))
            .select(diesel::dsl::max(treatment_courses::course_number))
            .first::<Option<i32>>(conn)?
            .unwrap_or(0)
            + 1;
        let trial = input.product.investigational();
        let name = trial.map(|t| t.name.clone());
        let target = trial.map(|t| t.target.code());
        let target_other = trial.and_then(|t| t.target.other().map(str::to_owned));
        let trial_id = trial.and_then(|t| t.trial_id.clone());
        let course_id: i32 = diesel::insert_into(treatment_courses::table)
            .values((
                treatment_courses::patient_id.eq(pid),
                treatment_courses::diagnosis_id.eq(diagnosis_id),
                treatment_courses::course_number.eq(number),
                treatment_courses::product.eq(input.product.code()),
                treatment_courses::investigational_product_name.eq(&name),
                treatment_courses::investigational_target.eq(target),
                treatment_courses::investigational_target_other.eq(&target_other),
                treatment_courses::trial_id.eq(&trial_id),
                treatment_courses::product_class.eq(input.product_class.code()),
                treatment_courses::apheresis_date.eq(Some(input.apheresis_date)),
                treatment_courses::created_by.eq(actor),
                treatment_courses::updated_by.eq(actor),
            ))
            .returning(treatment_courses::id)
            .get_result(conn)?;
        changes.record_insert(
            conn,
            "treatment_courses",
            course_id,
            patient,
            &[
                ("diagnosis_id".to_owned(), Some(diagnosis_id.to_string())),
                ("course_number".to_owned(), Some(number.to_string())),
                ("product".to_owned(), Some(input.product.code().to_owned())),
                ("investigational_product_name".to_owned(), name.clone()),
                (
                    "investigational_target".to_owned(),
                    target.map(str::to_owned),
                ),
                (
                    "investigational_target_other".to_owned(),
                    target_other.clone(),
                ),
                ("trial_id".to_owned(), trial_id.clone()),
                (
                    "product_class".to_owned(),
                    Some(input.product_class.code().to_owned()),
                ),
                (
                    "apheresis_date".to_owned(),
                    Some(input.apheresis_date.to_string()),
                ),
            ],
        )?;
        let infusion_id: i32 = diesel::insert_into(infusions::table)
            .values((
                infusions::course_id.eq(course_id),
                infusions::patient_id.eq(pid),
                infusions::infusion_number.eq(1),
                infusions::intent.eq(InfusionIntent::Initial.code()),
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
            infusion_id,
            patient,
            &[
                ("course_id".to_owned(), Some(course_id.to_string())),
                ("infusion_number".to_owned(), Some("1".to_owned())),
                (
                    "intent".to_owned(),
                    Some(InfusionIntent::Initial.code().to_owned()),
                ),
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
