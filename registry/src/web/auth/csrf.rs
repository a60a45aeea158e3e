//! CSRF protection: the synchronizer-token pattern. Each session holds a random token; every form
//! carries it in a hidden `csrf_token` field; this middleware refuses (403) any state-changing
//! request (anything but GET/HEAD/OPTIONS) whose form token is missing or differs, before any
//! handler runs. The body is read here and handed on unchanged. The JSON API under `/api/` is
//! exempt: it authenticates with a bearer token, never with the session cookie. A login form
//! whose token no longer matches is shown again instead (`/login?retry=1`), and a page's form
//! sent with the token of an earlier session of the same user is kept for them to review
//! (`crate::web::kept_forms`), never saved as it came.
//! Together with the `SameSite=Strict` cookie this is defence in depth.

use actix_session::SessionExt;
use actix_web::{
    Error,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web::{self, Bytes},
};

use super::{
    extract::keep_posted_form,
    session::{SessionStatus, TypedSession},
    token::constant_time_eq,
};
use crate::web::{
    error::{AppError, see_other},
    startup::AppState,
};

/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";

/// The middleware (wrap it with `from_fn`, inside the session middleware).
pub async fn verify_csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.path().starts_with("/api/") {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let body = req.extract::<Bytes>().await?;
    let expected = TypedSession::new(req.get_session()).existing_csrf_token();
    let sent = form_urlencoded::parse(&body)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    match (expected, sent) {
        (Some(expected), Some(sent)) if constant_time_eq(&expected, &sent) => {
            req.set_payload(Payload::from(body));
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        }
        // The login page outlived its anonymous session (left open for hours, or opened before a
        // restart of the server): show it again with a word of why, rather than an error page.
        // Nobody is logged in by this; a form kept at expiry stays with the page.
        _ if req.path() == "/login" => {
            let kept = form_urlencoded::parse(&body)
                .find(|(k, _)| k == "kept")
                .map(|(_, v)| v.into_owned())
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphanumeric()));
            let location = match kept {
                Some(token) => format!("/login?retry=1&kept={token}"),
                None => "/login?retry=1".to_owned(),
            };
            Ok(req
                .into_response(see_other(&location))
                .map_into_right_body())
        }
        // A page opened before its user logged in again (in another tab, say) carries the old
        // session's token: refused all the same, but what they typed is kept for them (the
        // cookie is their own: `SameSite=Strict`), to review and save by their own click, never
        // saved as it came (`crate::web::kept_forms`). A form without a token is not kept.
        (_, Some(_)) => match kept_for_the_user(&req, &body).await? {
            Some(Kept::LoggedIn(review)) => Err(AppError::StalePage { review }.into()),
            Some(Kept::Expired(login)) => {
                Ok(req.into_response(see_other(&login)).map_into_right_body())
            }
            None => Err(AppError::CsrfRejected.into()),
        },
        _ => Err(AppError::CsrfRejected.into()),
    }
}

/// Where a kept form waits: its review page for a logged-in user, the login page (which brings
/// it back) when their session has expired.
enum Kept {
    LoggedIn(String),
    Expired(String),
}

/// Keeps a form refused for its token for the session's user, if the session has one and the
/// form is worth keeping.
async fn kept_for_the_user(req: &ServiceRequest, body: &[u8]) -> Result<Option<Kept>, Error> {
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return Ok(None);
    };
    let security = &state.settings.security;
    let status = TypedSession::new(req.get_session())
        .status(security.idle_timeout, security.absolute_timeout)
        .map_err(AppError::Unexpected)?;
    let (user_id, logged_in) = match status {
        SessionStatus::Active { user_id, .. } => (user_id, true),
        SessionStatus::Expired { user_id } => (user_id, false),
        SessionStatus::Anonymous => return Ok(None),
    };
    let Some(token) = keep_posted_form(req, body, &state.kept_forms, user_id).await? else {
        return Ok(None);
    };
    Ok(Some(if logged_in {
        Kept::LoggedIn(format!("{}?why=page", token.review_path()))
    } else {
        Kept::Expired(token.login_path())
    }))
}
