//! `GET /api/v1/worklist?status=S&site=CODE`: the same list as the worklist page, with the
//! same filters (one status: overdue, due or missed; one site), read through the shared
//! worklist cache (`state.worklist`) so a polling client does not re-read the whole site on
//! every call. A filter value that cannot be one is a 422 naming the parameter.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::domain::{access::Permission, vocabulary::Vocabulary};
use crate::web::{auth::extract::CurrentUser, routes::worklist::get::Filters, startup::AppState};

/// The query string's filters (absent or blank means all).
#[derive(Deserialize)]
pub struct FilterQuery {
    status: Option<String>,
    site: Option<String>,
}

#[derive(Serialize)]
struct Item {
    patient_id: i32,
    registry_id: String,
    site: String,
    course_id: i32,
    timepoint: &'static str,
    status: &'static str,
    window_start: String,
    window_end: String,
    missed_from: String,
}

/// The worklist of the token owner's sites, most urgent first, only the lines the filters
/// keep.
pub async fn get(
    user: CurrentUser,
    query: web::Query<FilterQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let filters = match Filters::parse(query.status.as_deref(), query.site.as_deref()) {
        Ok(filters) => filters,
        Err((name, message)) => {
            let errors = BTreeMap::from([(name, message)]);
            return Ok(
                HttpResponse::UnprocessableEntity().json(serde_json::json!({ "errors": errors }))
            );
        }
    };
    let scope = user.sites_for(Permission::ReadPatients)?;
    let today = chrono::Utc::now().date_naive();
    let shared = state.clone();
    let items = state
        .db(move |conn| Ok(shared.worklist.worklist(conn, &scope, today)?))
        .await?;
    let out: Vec<Item> = items
        .into_iter()
        .filter(|i| filters.keeps(i.visit.status, &i.site_code))
        .map(|i| Item {
            patient_id: i.patient_id,
            registry_id: i.registry_id,
            site: i.site_code,
            course_id: i.course_id,
            timepoint: i.visit.timepoint.code(),
            status: i.visit.status.label(),
            window_start: i.visit.window.earliest.to_string(),
            window_end: i.visit.window.latest.to_string(),
            missed_from: i.visit.missed_from.to_string(),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}
