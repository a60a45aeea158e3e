//! `GET /login`

use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::{KEPT_NOTICE, LoginPage, kept_token};
use crate::web::{
    auth::session::TypedSession,
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// Flags that explain why the visitor is here.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
    logged_out: Option<String>,
    /// The login form sent was older than its session (`crate::web::auth::csrf`).
    retry: Option<String>,
    /// A form kept when the session expired (`crate::web::kept_forms`).
    kept: Option<String>,
}

/// Shows the login form (with a fresh CSRF token in the anonymous session), and carries the
/// token of a form kept at expiry into it.
pub async fn get(
    session: TypedSession,
    query: web::Query<LoginQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let kept = kept_token(query.kept.as_deref(), &state.kept_forms).await;
    let notice = if kept.is_some() {
        Some(KEPT_NOTICE)
    } else if query.expired.is_some() {
        Some("Your session has expired. Log in again.")
    } else if query.logged_out.is_some() {
        Some("You have logged out.")
    } else if query.retry.is_some() {
        Some("The login page had expired. Enter your username and password again.")
    } else {
        None
    };
    let page = LoginPage {
        layout: Layout::anonymous(&session)?,
        username: String::new(),
        notice,
        error: None,
        kept,
    };
    render(StatusCode::OK, &page)
}
