//! `/account`: the user's own API tokens (list, create: the token is shown once, revoke) and
//! their own password (`password.rs`).

pub mod get;
pub mod password;
pub mod post;

use askama::Template;
use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::api_tokens;
use crate::web::{form::Field, layout::Layout};

/// A token as listed (never the token itself).
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: i32,
    pub name: String,
    pub prefix: String,
    pub created: String,
    pub revoked: Option<String>,
}

/// The page.
#[derive(Template)]
#[template(path = "account/tokens.html")]
pub struct AccountPage {
    pub layout: Layout,
    pub full_name: String,
    pub tokens: Vec<TokenRow>,
    pub token_name: Field,
    /// A token just created: shown once.
    pub new_token: Option<String>,
    /// The change-password form (values never echoed back, only messages).
    pub password: password::PasswordForm,
    /// The password was just changed (after the redirect).
    pub password_changed: bool,
}

/// The user's tokens, newest first.
pub fn tokens_of(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Vec<TokenRow>> {
    let rows: Vec<(i32, String, String, NaiveDateTime, Option<NaiveDateTime>)> = api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::token_prefix,
            api_tokens::created_at,
            api_tokens::revoked_at,
        ))
        .order(api_tokens::id.desc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, prefix, created, revoked)| TokenRow {
            id,
            name,
            prefix,
            created: created.format("%Y-%m-%d %H:%M UTC").to_string(),
            revoked: revoked.map(|r| r.format("%Y-%m-%d %H:%M UTC").to_string()),
        })
        .collect())
}

/// The change-password route. Registered inside the logged-in scope.
pub fn password_routes(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.route(
        "/account/password",
        actix_web::web::post().to(password::post),
    );
}
