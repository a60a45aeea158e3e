//! `GET /kept/{token}`: what the user typed before their session expired (or on a page from an
//! earlier session of theirs), and one form that
//! sends it, with the new session's CSRF token, on to where it was going (through `save`).

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use super::owned;
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    kept_forms::KeptToken,
    layout::Layout,
    startup::AppState,
};

/// The review-and-save page.
#[derive(Template)]
#[template(path = "kept/review.html")]
pub struct KeptPage {
    pub layout: Layout,
    pub token: KeptToken,
    /// Where the form was going (path and query of the original POST).
    pub action: String,
    /// The form's page, to start over.
    pub page: String,
    /// Every kept field, in form order: the hidden inputs of the resubmission.
    pub pairs: Vec<(String, String)>,
    /// The fields with something typed in them, for the table.
    pub typed: Vec<(String, String)>,
    /// Why it was kept: the page was from an earlier session of this user (logged in again
    /// meanwhile), rather than its session expired.
    pub stale_page: bool,
}

/// `?why=page`: kept because the page was from an earlier session (`crate::web::auth::csrf`).
#[derive(Debug, serde::Deserialize)]
pub struct WhyKept {
    why: Option<String>,
}

/// Shows the kept form to its owner; 404 to anyone else.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<String>,
    query: web::Query<WhyKept>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (token, form) = owned(&state.kept_forms, &path, user.id).await?;
    let typed = form
        .pairs
        .iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .cloned()
        .collect();
    let page = KeptPage {
        layout: Layout::new(&user, &session, "")?,
        token,
        action: form.target.as_str().to_owned(),
        page: form.target.page().to_owned(),
        pairs: form.pairs,
        typed,
        stale_page: query.why.as_deref() == Some("page"),
    };
    render(StatusCode::OK, &page)
}
