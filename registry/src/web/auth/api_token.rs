//! API tokens: `Authorization: Bearer rgt_<64 hex>`. Only a SHA-256 of the token is stored; the
//! token is shown once when created. The API scope's middleware resolves the token to the same
//! `CurrentUser` the pages use (same roles, same site scoping), and remembers which token it
//! was, so audit rows name it. No session and no cookie are involved, so no CSRF either.

use std::future::{Ready, ready};

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
    web,
};
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{extract::CurrentUser, store, token};
use crate::db::{audit::ChangeSet, ids::UserId, schema::api_tokens};
use crate::web::{error::AppError, startup::AppState};

/// The token a request came through (for audit rows).
#[derive(Debug, Clone, Copy)]
pub struct ApiTokenId(pub i32);

impl FromRequest for ApiTokenId {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<ApiTokenId>()
                .copied()
                .ok_or(AppError::Unauthenticated),
        )
    }
}

/// Creates a token for a user; returns the token (shown once) and its id.
pub fn create_token(
    conn: &mut SqliteConnection,
    actor: i32,
    user_id: i32,
    name: &str,
) -> anyhow::Result<(String, i32)> {
    let secret = format!("rgt_{}", token::random_token()?);
    let hash = token::sha256_hex(&secret);
    let prefix: String = secret.chars().take(12).collect();
    let id = conn.immediate_transaction(|conn| -> anyhow::Result<i32> {
        let id: i32 = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(user_id),
                api_tokens::name.eq(name),
                api_tokens::token_hash.eq(&hash),
                api_tokens::token_prefix.eq(&prefix),
                api_tokens::created_by.eq(actor),
                api_tokens::updated_by.eq(actor),
            ))
            .returning(api_tokens::id)
            .get_result(conn)?;
        let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
        let fields = vec![
            ("user_id".to_owned(), Some(user_id.to_string())),
            ("name".to_owned(), Some(name.to_owned())),
            ("token_prefix".to_owned(), Some(prefix.clone())),
        ];
        changes.record_insert(conn, "api_tokens", id, None, &fields)?;
        Ok(id)
    })?;
    Ok((secret, id))
}

/// Resolves a bearer token to its user: `None` when unknown, revoked, expired, or the user is
/// disabled.
pub fn resolve(
    conn: &mut SqliteConnection,
    secret: &str,
) -> anyhow::Result<Option<(CurrentUser, ApiTokenId)>> {
    let hash = token::sha256_hex(secret);
    let now = Utc::now().naive_utc();
    let found: Option<(i32, i32, Option<NaiveDateTime>, Option<NaiveDateTime>)> = api_tokens::table
        .filter(api_tokens::token_hash.eq(&hash))
        .select((
            api_tokens::id,
            api_tokens::user_id,
            api_tokens::expires_at,
            api_tokens::revoked_at,
        ))
        .first(conn)
        .optional()?;
    let Some((id, user_id, expires_at, None)) = found else {
        return Ok(None);
    };
    if expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let Some(user) = store::load_user(conn, user_id)? else {
        return Ok(None);
    };
    Ok(Some((user, ApiTokenId(id))))
}

/// A JSON error body: `{"error": "..."}`, with the status of the `AppError`.
pub fn json_error(error: &AppError) -> HttpResponse {
    let status = match error {
        AppError::Unauthenticated | AppError::SessionExpired => StatusCode::UNAUTHORIZED,
        other => other.status_code(),
    };
    let message = match error {
        AppError::Unauthenticated | AppError::SessionExpired => {
            "A valid API token is required: Authorization: Bearer <token>".to_owned()
        }
        other => other.to_string(),
    };
    HttpResponse::build(status).json(serde_json::json!({ "error": message }))
}

/// Middleware for `/api/v1`: a valid bearer token or 401.
pub async fn require_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, Error> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("AppState is not registered")))?;
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    let Some(secret) = secret else {
        let response = json_error(&AppError::Unauthenticated);
        return Ok(req.into_response(response));
    };
    let resolved = state.db(move |conn| Ok(resolve(conn, &secret)?)).await;
    match resolved {
        Ok(Some((user, token_id))) => {
            req.extensions_mut().insert(user);
            req.extensions_mut().insert(token_id);
            Ok(next.call(req).await?.map_into_boxed_body())
        }
        Ok(None) => {
            let response = json_error(&AppError::Unauthenticated);
            Ok(req.into_response(response))
        }
        Err(e) => {
            let response = json_error(&e);
            Ok(req.into_response(response))
        }
    }
}
