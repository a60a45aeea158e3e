//! `GET /login`

use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::LoginPage;
use crate::web::{
    auth::session::TypedSession,
    error::{AppError, render},
    layout::Layout,
};

/// Flags that explain why the visitor is here.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    expired: Option<String>,
    logged_out: Option<String>,
}

/// Shows the login form (with a fresh CSRF token in the anonymous session).
pub async fn get(
    session: TypedSession,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, AppError> {
    let notice = if query.expired.is_some() {
        Some("Your session has expired. Log in again.")
    } else if query.logged_out.is_some() {
        Some("You have logged out.")
    } else {
        None
    };
    let page = LoginPage {
        layout: Layout::anonymous(&session)?,
        username: String::new(),
        notice,
        error: None,
    };
    render(StatusCode::OK, &page)
}
