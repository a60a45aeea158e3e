//! `GET /exports` (the list) and `GET /exports/{file}.csv` (one entity, or the data dictionary).

use actix_web::{HttpResponse, http::StatusCode, http::header, web};
use askama::Template;
use serde::Deserialize;

use super::{ExportFile, Request, grant, pseudonym_key, write};
use crate::domain::access::Permission;
use crate::export::Profile;
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
    /// (file name without `.csv`, is the data dictionary).
    pub files: Vec<(&'static str, bool)>,
    pub identified: bool,
}

/// Lists what the user may export.
pub async fn list(user: CurrentUser, session: TypedSession) -> Result<HttpResponse, AppError> {
    user.require(Permission::ExportDeidentified)?;
    let page = ExportsPage {
        layout: Layout::new(&user, &session, "exports")?,
        files: ExportFile::all()
            .into_iter()
            .map(|f| (f.name(), f == ExportFile::Dictionary))
            .collect(),
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

/// One entity (or the data dictionary) as CSV, in the profile and scope the user's role grants.
pub async fn csv(
    user: CurrentUser,
    path: web::Path<String>,
    query: web::Query<ExportQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let request = Request {
        deidentified: query.deidentified.as_deref() == Some("1"),
        days_from_day0: query.days.as_deref() == Some("1"),
    };
    let (deidentified, scope) = grant(&user, request)?;
    let file = ExportFile::parse(&path).ok_or(AppError::NotFound)?;
    let profile = if deidentified {
        Profile::Deidentified(pseudonym_key(&state.settings.database_path)?)
    } else {
        Profile::Full
    };
    let days = request.days_from_day0;
    let body = state
        .db(move |conn| {
            let mut body = Vec::new();
            write(conn, file, &scope, profile, days, &mut body)?;
            Ok(body)
        })
        .await?;
    let suffix = match (deidentified, days) {
        (false, false) => "",
        (false, true) => "-days",
        (true, false) => "-deidentified",
        (true, true) => "-deidentified-days",
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}{suffix}.csv\"", file.name()),
        ))
        .body(body))
}
