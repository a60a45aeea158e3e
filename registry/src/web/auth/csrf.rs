//! CSRF protection: the synchronizer-token pattern. Each session holds a random token; every form
//! carries it in a hidden `csrf_token` field; this middleware refuses (403) any state-changing
//! request (anything but GET/HEAD/OPTIONS) whose form token is missing or differs, before any
//! handler runs. The body is read here and handed on unchanged. The JSON API under `/api/` is
//! exempt: it authenticates with a bearer token, never with the session cookie.
//! Together with the `SameSite=Strict` cookie this is defence in depth.

use actix_session::SessionExt;
use actix_web::{
    Error,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web::Bytes,
};

use super::{session::TypedSession, token::constant_time_eq};
use crate::web::error::AppError;

/// The form field that carries the token.
pub const FIELD: &str = "csrf_token";

/// The middleware (wrap it with `from_fn`, inside the session middleware).
pub async fn verify_csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || req.path().starts_with("/api/") {
        return next.call(req).await;
    }
    let body = req.extract::<Bytes>().await?;
    let expected = TypedSession::new(req.get_session()).existing_csrf_token();
    let sent = form_urlencoded::parse(&body)
        .find(|(k, _)| k == FIELD)
        .map(|(_, v)| v.into_owned());
    match (expected, sent) {
        (Some(expected), Some(sent)) if constant_time_eq(&expected, &sent) => {
            req.set_payload(Payload::from(body));
            next.call(req).await
        }
        _ => Err(AppError::CsrfRejected.into()),
    }
}
