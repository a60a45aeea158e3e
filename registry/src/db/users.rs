//! Users, sites, the sites each user works for, and API tokens: the row types of the access
//! tables. Roles are `domain::access::Role` codes; password hashes are argon2id PHC strings.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{ApiTokenId, SiteId, UserId};
use crate::db::schema::{api_tokens, sites, user_sites, users};

/// A person who signs in, or the system account (a row of `users`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = users, check_for_backend(Sqlite))]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: String,
    pub active: bool,
    pub failed_login_count: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub last_login_at: Option<NaiveDateTime>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `users`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = users, check_for_backend(Sqlite))]
pub struct NewUser {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: String,
    pub active: bool,
    pub failed_login_count: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub last_login_at: Option<NaiveDateTime>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `users`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = users, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct UserChangeset {
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: String,
    pub active: bool,
    pub failed_login_count: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub last_login_at: Option<NaiveDateTime>,
    pub password_changed_at: Option<NaiveDateTime>,
    pub updated_by: UserId,
}

/// A centre (a row of `sites`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = sites, check_for_backend(Sqlite))]
pub struct SiteRow {
    pub id: SiteId,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `sites`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = sites, check_for_backend(Sqlite))]
pub struct NewSite {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `sites`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = sites, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct SiteChangeset {
    pub code: String,
    pub name: String,
    pub active: bool,
    pub updated_by: UserId,
}

/// A user linked to a site (a row of `user_sites`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = user_sites, check_for_backend(Sqlite), primary_key(user_id, site_id))]
pub struct UserSiteRow {
    pub user_id: UserId,
    pub site_id: SiteId,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
}

/// A new row of `user_sites`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = user_sites, check_for_backend(Sqlite))]
pub struct NewUserSite {
    pub user_id: UserId,
    pub site_id: SiteId,
    pub created_by: UserId,
}

/// A JSON API token (only its SHA-256 is stored) (a row of `api_tokens`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = api_tokens, check_for_backend(Sqlite))]
pub struct ApiTokenRow {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub name: String,
    pub token_hash: String,
    pub token_prefix: String,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<UserId>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `api_tokens`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = api_tokens, check_for_backend(Sqlite))]
pub struct NewApiToken {
    pub user_id: UserId,
    pub name: String,
    pub token_hash: String,
    pub token_prefix: String,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<UserId>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `api_tokens`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = api_tokens, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct ApiTokenChangeset {
    pub user_id: UserId,
    pub name: String,
    pub token_hash: String,
    pub token_prefix: String,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<UserId>,
    pub updated_by: UserId,
}

/// Whether an API token still opens the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    Active,
    Expired,
    Revoked,
}

impl TokenStatus {
    /// The word printed for it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// One API token as an administrator lists it: never the hash.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct TokenListing {
    pub id: ApiTokenId,
    pub username: String,
    pub name: String,
    pub token_prefix: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl TokenListing {
    /// Revoked wins over expired: it was a decision.
    pub fn status(&self, now: NaiveDateTime) -> TokenStatus {
        if self.revoked_at.is_some() {
            TokenStatus::Revoked
        } else if self.expires_at.is_some_and(|e| e <= now) {
            TokenStatus::Expired
        } else {
            TokenStatus::Active
        }
    }
}

/// Every API token, or one user's, oldest first.
pub fn list_api_tokens(
    conn: &mut SqliteConnection,
    user: Option<UserId>,
) -> QueryResult<Vec<TokenListing>> {
    let mut query = api_tokens::table
        .inner_join(users::table.on(users::id.eq(api_tokens::user_id)))
        .select((
            api_tokens::id,
            users::username,
            api_tokens::name,
            api_tokens::token_prefix,
            api_tokens::created_at,
            api_tokens::expires_at,
            api_tokens::last_used_at,
            api_tokens::revoked_at,
        ))
        .order(api_tokens::id.asc())
        .into_boxed();
    if let Some(UserId(id)) = user {
        query = query.filter(api_tokens::user_id.eq(id));
    }
    query.load(conn)
}

/// The username of a user: who made the change a stale edit is refused for. A fixed statement
/// without `LIMIT ?`, so diesel keeps it prepared (see `db::cached_sql`).
pub fn username_of(conn: &mut SqliteConnection, user: UserId) -> QueryResult<String> {
    users::table
        .find(user.0)
        .select(users::username)
        .get_result(conn)
}
