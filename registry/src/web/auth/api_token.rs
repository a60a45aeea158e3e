//! API tokens: `Authorization: Bearer rgt_<64 hex>`. Only a SHA-256 of the token is stored; the
//! token is shown once when created. The API scope's middleware resolves the token to the same
//! `CurrentUser` the pages use (same roles, same site scoping), and remembers which token it
//! was, so audit rows name it. No session and no cookie are involved, so no CSRF either.
//!
//! Tokens expire (`TokenLifetime`, 90 days unless chosen otherwise): an expired or revoked
//! token is a 401. `last_used_at` is refreshed on use at most once a minute, so a busy client
//! costs one write a minute, not one per request.

use std::future::{Ready, ready};

use actix_web::{
    Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError,
    body::MessageBody,
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{StatusCode, header},
    middleware::Next,
    web,
};
use chrono::{Duration, NaiveDateTime, Utc};
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

/// How long a new token stays valid: whole days, 1 to 3650 (ten years). A token that never
/// expires is not offered: a leaked token must die on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetime(u16);

/// A lifetime outside 1..=3650 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a token lives from 1 to 3650 days, not {0}")]
pub struct InvalidTokenLifetime(pub i64);

impl TokenLifetime {
    /// The lifetime when none is chosen.
    pub const DEFAULT_DAYS: u16 = 90;
    const MAX_DAYS: u16 = 3650;

    /// A lifetime of `days` whole days.
    pub fn days(days: i64) -> Result<Self, InvalidTokenLifetime> {
        u16::try_from(days)
            .ok()
            .filter(|d| (1..=Self::MAX_DAYS).contains(d))
            .map(Self)
            .ok_or(InvalidTokenLifetime(days))
    }

    /// The number of days.
    pub fn get(self) -> u16 {
        self.0
    }

    /// When a token created at `now` expires.
    pub fn expiry_from(self, now: NaiveDateTime) -> NaiveDateTime {
        now + Duration::days(i64::from(self.0))
    }
}

impl Default for TokenLifetime {
    fn default() -> Self {
        Self(Self::DEFAULT_DAYS)
    }
}

/// How often `last_used_at` is refreshed at most.
const LAST_USED_RESOLUTION: Duration = Duration::seconds(60);

/// Creates a token for a user with the default lifetime; returns the token (shown once) and
/// its id.
pub fn create_token(
    conn: &mut SqliteConnection,
    actor: i32,
    user_id: i32,
    name: &str,
) -> anyhow::Result<(String, i32)> {
    create_token_expiring(conn, actor, user_id, name, TokenLifetime::default())
}

/// Creates a token that expires after `lifetime`; returns the token (shown once) and its id.
pub fn create_token_expiring(
    conn: &mut SqliteConnection,
    actor: i32,
    user_id: i32,
    name: &str,
    lifetime: TokenLifetime,
) -> anyhow::Result<(String, i32)> {
    let secret = format!("rgt_{}", token::random_token()?);
    let hash = token::sha256_hex(&secret);
    let prefix: String = secret.chars().take(12).collect();
    let expires_at = lifetime.expiry_from(Utc::now().naive_utc());
    let id = crate::db::write_transaction(conn, |conn| -> anyhow::Result<i32> {
        let id: i32 = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::user_id.eq(user_id),
                api_tokens::name.eq(name),
                api_tokens::token_hash.eq(&hash),
                api_tokens::token_prefix.eq(&prefix),
                api_tokens::expires_at.eq(Some(expires_at)),
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
            (
                "expires_at".to_owned(),
                Some(expires_at.format("%Y-%m-%d %H:%M:%S").to_string()),
            ),
        ];
        changes.record_insert(conn, "api_tokens", id, None, &fields)?;
        Ok(id)
    })?;
    Ok((secret, id))
}

/// The columns `resolve` reads: id, user, expiry, revocation, last use.
type TokenState = (
    i32,
    i32,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// Resolves a bearer token to its user: `None` when unknown, revoked, expired, or the user is
/// disabled. Records the use (`last_used_at`) when the last recorded one is over a minute old.
pub fn resolve(
    conn: &mut SqliteConnection,
    secret: &str,
) -> anyhow::Result<Option<(CurrentUser, ApiTokenId)>> {
    let hash = token::sha256_hex(secret);
    let now = Utc::now().naive_utc();
    let found: Option<TokenState> = api_tokens::table
        .filter(api_tokens::token_hash.eq(&hash))
        .select((
            api_tokens::id,
            api_tokens::user_id,
            api_tokens::expires_at,
            api_tokens::revoked_at,
            api_tokens::last_used_at,
        ))
        .get_result(conn)
        .optional()?;
    let Some((id, user_id, expires_at, None, last_used_at)) = found else {
        return Ok(None);
    };
    if expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let Some(user) = store::load_user(conn, user_id)? else {
        return Ok(None);
    };
    if last_used_at.is_none_or(|t| now - t >= LAST_USED_RESOLUTION) {
        record_use(conn, id, now)?;
    }
    Ok(Some((user, ApiTokenId(id))))
}

/// Sets `last_used_at`. Bookkeeping, not a change of the token (no audit row, `updated_at`
/// kept); the row-version trigger still wants its increment. The condition on the old value
/// makes concurrent requests write once.
fn record_use(conn: &mut SqliteConnection, id: i32, now: NaiveDateTime) -> QueryResult<usize> {
    let cutoff = now - LAST_USED_RESOLUTION;
    diesel::update(
        api_tokens::table.filter(api_tokens::id.eq(id)).filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.le(cutoff)),
        ),
    )
    .set((
        api_tokens::last_used_at.eq(Some(now)),
        api_tokens::row_version.eq(api_tokens::row_version + 1),
    ))
    .execute(conn)
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
