//! `GET /api/v1/patients`, `GET /api/v1/patients/{id}`, `POST /api/v1/patients`.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, http::header, web};
use serde::Serialize;

use super::ApiError;
use crate::db::patients::PatientRow;
use crate::domain::access::Permission;
use crate::web::{
    auth::{api_token::ApiTokenId, extract::CurrentUser},
    error::AppError,
    form::Field,
    routes::patients::{
        ListFilter,
        create::{EnrolError, enrol},
        find_patient, list_patients,
        new::{EnrolForm, enrol_scope},
        sites_open_for_enrolment,
    },
    startup::AppState,
};

#[derive(Serialize)]
struct ListItem {
    id: i32,
    registry_id: String,
    site: String,
    sex: String,
    birth_year: i32,
    status: String,
    diseases: String,
    products: String,
    day0: String,
}

#[derive(Serialize)]
struct Page {
    total: i64,
    page: i64,
    patients: Vec<ListItem>,
}

/// The patients of the token owner's sites, filtered like the page (`q`, `site`, `disease`,
/// `product`, `status`, `page`).
pub async fn list(
    user: CurrentUser,
    query: web::Query<ListFilter>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = user.sites_for(Permission::ReadPatients)?;
    let filter = query.into_inner();
    let page = filter.page.unwrap_or(1).max(1);
    let (rows, total) = state
        .db(move |conn| Ok(list_patients(conn, &scope, &filter)?))
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        total,
        page,
        patients: rows
            .into_iter()
            .map(|r| ListItem {
                id: r.id,
                registry_id: r.registry_id,
                site: r.site_code,
                sex: r.sex,
                birth_year: r.birth_year,
                status: r.status,
                diseases: r.diseases,
                products: r.products,
                day0: r.day0,
            })
            .collect(),
    }))
}

/// One patient of the token owner's sites (404 otherwise).
pub async fn show(
    user: CurrentUser,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = user.sites_for(Permission::ReadPatients)?;
    let id = path.into_inner();
    let patient: PatientRow = state
        .db(move |conn| find_patient(conn, &scope, id)?.ok_or(AppError::NotFound))
        .await?;
    Ok(HttpResponse::Ok().json(patient))
}

/// Enrols a patient: the same fields, validation and audit as the form (the audit rows name the
/// token). 201 with the new id; 422 with `{"errors": {field: message}}`.
pub async fn create(
    user: CurrentUser,
    token: ApiTokenId,
    body: web::Json<BTreeMap<String, serde_json::Value>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = enrol_scope(&user)?;
    let sites = state
        .db(move |conn| Ok(sites_open_for_enrolment(conn, &scope)?))
        .await?;
    let codes: Vec<String> = sites.into_iter().map(|(_, c, _)| c).collect();
    let text = |name: &str| {
        Field::new(match body.get(name) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        })
    };
    let mut form = EnrolForm {
        site: text("site"),
        registry_id: text("registry_id"),
        sex: text("sex"),
        birth_year: text("birth_year"),
        birth_date: text("birth_date"),
        enrolment_date: text("enrolment_date"),
        consent_research: text("consent_research"),
        consent_research_date: text("consent_research_date"),
        trial_subject_id: text("trial_subject_id"),
    };
    let today = chrono::Utc::now().date_naive();
    let Some(input) = form.validate(&codes, today) else {
        return Ok(unprocessable(form.errors()));
    };
    let actor = user.id;
    let outcome = state
        .db(move |conn| Ok(enrol(conn, actor, Some(token.0), &input)))
        .await?;
    match outcome {
        Ok((id, registry_id)) => Ok(HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/api/v1/patients/{id}")))
            .json(serde_json::json!({ "id": id, "registry_id": registry_id }))),
        Err(e @ EnrolError::DuplicateRegistryId) => {
            Ok(unprocessable(vec![("registry_id", e.to_string())]))
        }
        Err(EnrolError::Database(e)) => Err(e.into()),
    }
}

fn unprocessable(errors: Vec<(&'static str, String)>) -> HttpResponse {
    let map: BTreeMap<&str, String> = errors.into_iter().collect();
    HttpResponse::UnprocessableEntity().json(serde_json::json!({ "errors": map }))
}
