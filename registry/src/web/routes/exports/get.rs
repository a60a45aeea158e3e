//! `GET /exports` (the list) and `GET /exports/{entity}.csv`.

use actix_web::{HttpResponse, http::StatusCode, http::header, web};
use askama::Template;
use serde::Deserialize;

use super::{ENTITIES, ExportProfile, export, to_csv};
use crate::domain::access::Permission;
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// The page listing the exports.
#[derive(Template)]
#[template(path = "exports/list.html")]
pub struct ExportsPage {
    pub layout: Layout,
    pub entities: Vec<(&'static str, &'static str)>,
    pub identified: bool,
}

/// Lists what the user may export.
pub async fn list(user: CurrentUser, session: TypedSession) -> Result<HttpResponse, AppError> {
    user.require(Permission::ExportDeidentified)?;
    let page = ExportsPage {
        layout: Layout::new(&user, &session, "exports")?,
        entities: ENTITIES.to_vec(),
        identified: user.can(Permission::ExportIdentified),
    };
    render(StatusCode::OK, &page)
}

/// How to export.
#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// "1": de-identified (forced for roles without identified exports).
    #[serde(default)]
    deidentified: Option<String>,
    /// "1": dates as days from Day 0.
    #[serde(default)]
    days: Option<String>,
}

/// One entity as CSV.
pub async fn csv(
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let wants_deidentified = query.deidentified.as_deref() == Some("1");
    let (scope, deidentified) = if !wants_deidentified && user.can(Permission::ExportIdentified) {
        (user.sites_for(Permission::ExportIdentified)?, false)
    } else {
        (user.sites_for(Permission::ExportDeidentified)?, true)
    };
    let profile = ExportProfile {
        deidentified,
        relative_days: query.days.as_deref() == Some("1"),
    };
    let file = path.into_inner();
    let entity = file
        .strip_suffix(".csv")
        .ok_or(AppError::NotFound)?
        .to_owned();
    let name = entity.clone();
    let table = state
        .db(move |conn| export(conn, &entity, &scope, profile)?.ok_or(AppError::NotFound))
        .await?;
    let body = to_csv(&table)?;
    let suffix = if deidentified { "-deidentified" } else { "" };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}{suffix}.csv\""),
        ))
        .body(body))
}
