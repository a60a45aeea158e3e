//! `POST /logout`: ends the session (the CSRF middleware has checked the token).

use actix_web::HttpResponse;

use crate::web::{auth::session::TypedSession, error::see_other};

/// Ends the session and returns to the login page.
pub async fn post(session: TypedSession) -> HttpResponse {
    session.log_out();
    see_other("/login?logged_out=1")
}
