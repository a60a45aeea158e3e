//! User and site accounts as administrators manage them, from the admin pages and from the
//! shell (`registry user …`, `registry site add`). Every change writes its audit rows in the
//! same transaction; the password hash itself is never written to the audit trail.

use anyhow::Context;
use chrono::Utc;
use diesel::prelude::*;

use crate::db::audit::{AuditAction, ChangeSet};
use crate::db::ids::UserId;
use crate::db::schema::{sites, user_sites, users};
use crate::domain::access::Role;
use crate::domain::vocabulary::Vocabulary;

/// The system account (id 1): the actor of changes made from the shell.
pub const SYSTEM_USER_ID: i32 = 1;

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub site_ids: Vec<i32>,
    /// The argon2id PHC string (hash before calling: it is slow).
    pub password_hash: String,
}

/// Why an account change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("The username {0:?} is taken.")]
    UsernameTaken(String),
    #[error("No site has the code {0:?}.")]
    UnknownSite(String),
    #[error("No user is called {0:?}.")]
    UnknownUser(String),
    #[error("Someone changed this user's access since it was read: nothing was saved.")]
    Stale,
    #[error(
        "This is the last active administrator: make another user an administrator first, \
         or nobody could manage users and sites."
    )]
    LastAdmin,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Checks a username: 3 to 64 of a-z, 0-9, '.', '_' or '-'.
pub fn check_username(username: &str) -> Result<(), &'static str> {
    let ok_len = (3..=64).contains(&username.len());
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err("Use 3 to 64 lower-case letters, digits, '.', '_' or '-'.")
    }
}

/// Site ids for codes, in the order given.
pub fn site_ids_for_codes(
    conn: &mut SqliteConnection,
    codes: &[String],
) -> Result<Vec<i32>, AccountError> {
    codes
        .iter()
        .map(|code| {
            sites::table
                .filter(sites::code.eq(code))
                .select(sites::id)
                .first::<i32>(conn)
                .optional()?
                .ok_or_else(|| AccountError::UnknownSite(code.clone()))
        })
        .collect()
}

/// Creates a user with their sites, and the audit rows, in one transaction.
pub fn create_account(
    conn: &mut SqliteConnection,
    actor: i32,
    account: &NewAccount,
) -> Result<i32, AccountError> {
    crate::db::write_transaction(conn, |conn| {
        let taken: i64 = users::table
            .filter(users::username.eq(&account.username))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(AccountError::UsernameTaken(account.username.clone()));
        }
        let now = Utc::now().naive_utc();
        let id: i32 = diesel::insert_into(users::table)
            .values((
                users::username.eq(&account.username),
                users::full_name.eq(&account.full_name),
                users::password_hash.eq(Some(&account.password_hash)),
                users::role.eq(account.role.code()),
                users::active.eq(true),
                users::password_changed_at.eq(Some(now)),
                users::created_by.eq(actor),
                users::updated_by.eq(actor),
            ))
            .returning(users::id)
            .get_result(conn)?;
        let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
        changes.record_insert(
            conn,
            "users",
            id,
            None,
            &[
                ("username".to_owned(), Some(account.username.clone())),
                ("full_name".to_owned(), Some(account.full_name.clone())),
                ("role".to_owned(), Some(account.role.code().to_owned())),
                ("active".to_owned(), Some("1".to_owned())),
                ("password_hash".to_owned(), Some("[set]".to_owned())),
            ],
        )?;
        for &site_id in &account.site_ids {
            add_site_membership(conn, &changes, actor, id, site_id)?;
        }
        Ok(id)
    })
}

/// Makes `user_id` a member of `site_id`, audited in `changes` (a `user_sites` row inserted,
/// keyed by the user).
fn add_site_membership(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    actor: i32,
    user_id: i32,
    site_id: i32,
) -> QueryResult<()> {
    diesel::insert_into(user_sites::table)
        .values((
            user_sites::user_id.eq(user_id),
            user_sites::site_id.eq(site_id),
            user_sites::created_by.eq(actor),
        ))
        .execute(conn)?;
    changes.record_field(
        conn,
        AuditAction::Insert,
        "user_sites",
        user_id,
        None,
        "site_id",
        None,
        Some(&site_id.to_string()),
    )
}

/// Active administrators other than `user_id` (the system account is none: it cannot sign in).
fn other_active_admins(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin.code()))
        .filter(users::active.eq(true))
        .filter(users::id.ne(user_id))
        .filter(users::id.ne(SYSTEM_USER_ID))
        .count()
        .get_result(conn)
}

/// Enables or disables an account (disabling also clears nothing else: history stays). The
/// last active administrator cannot be disabled ([`AccountError::LastAdmin`]).
pub fn set_active(
    conn: &mut SqliteConnection,
    actor: i32,
    user_id: i32,
    active: bool,
) -> Result<(), AccountError> {
    crate::db::write_transaction(conn, |conn| {
        let (was, role): (bool, String) = users::table
            .find(user_id)
            .select((users::active, users::role))
            .first(conn)?;
        if was == active {
            return Ok(());
        }
        if !active && role == Role::Admin.code() && other_active_admins(conn, user_id)? == 0 {
            return Err(AccountError::LastAdmin);
        }
        if !active {
            end_stored_sessions(conn, user_id)?;
        }
        diesel::update(users::table.find(user_id))
            .set((
                users::active.eq(active),
                users::failed_login_count.eq(0),
                users::locked_until.eq(None::<chrono::NaiveDateTime>),
                users::updated_at.eq(Utc::now().naive_utc()),
                users::updated_by.eq(actor),
                users::row_version.eq(users::row_version + 1),
            ))
            .execute(conn)?;
        let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
        changes.record_field(
            conn,
            AuditAction::Update,
            "users",
            user_id,
            None,
            "active",
            Some(if was { "1" } else { "0" }),
            Some(if active { "1" } else { "0" }),
        )?;
        Ok(())
    })
}

/// Sets a new password hash (and clears any lock), with an audit row that says so.
pub fn set_password(
    conn: &mut SqliteConnection,
    actor: i32,
    user_id: i32,
    password_hash: &str,
) -> Result<(), AccountError> {
    crate::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        let n = diesel::update(users::table.find(user_id))
            .set((
                users::password_hash.eq(Some(password_hash)),
                users::password_changed_at.eq(Some(now)),
                users::failed_login_count.eq(0),
                users::locked_until.eq(None::<chrono::NaiveDateTime>),
                users::updated_at.eq(now),
                users::updated_by.eq(actor),
                users::row_version.eq(users::row_version + 1),
            ))
            .execute(conn)?;
        if n == 0 {
            return Err(diesel::result::Error::NotFound.into());
        }
        end_stored_sessions(conn, user_id)?;
        let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
        changes.record_field(
            conn,
            AuditAction::Update,
            "users",
            user_id,
            None,
            "password_hash",
            Some("[set]"),
            Some("[changed]"),
        )?;
        Ok(())
    })
}

/// What a user may reach: their role and the sites they work for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub role: Role,
    pub site_ids: Vec<i32>,
}

/// A user's access as stored, with the row version an edit must name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccess {
    pub access: Access,
    pub row_version: i32,
    pub active: bool,
}

/// The access of a user (`None`: no such user, or the system account, which has none).
pub fn access_of(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<Option<StoredAccess>> {
    if user_id == SYSTEM_USER_ID {
        return Ok(None);
    }
    let Some((role, row_version, active)) = users::table
        .find(user_id)
        .select((users::role, users::row_version, users::active))
        .get_result::<(String, i32, bool)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let role = Role::parse(&role).map_err(|e| {
        diesel::result::Error::DeserializationError(format!("users.role: {e}").into())
    })?;
    let mut site_ids: Vec<i32> = user_sites::table
        .filter(user_sites::user_id.eq(user_id))
        .select(user_sites::site_id)
        .load(conn)?;
    site_ids.sort_unstable();
    Ok(Some(StoredAccess {
        access: Access { role, site_ids },
        row_version,
        active,
    }))
}

/// Changes a user's role and sites, with one audit change set (`reason` as its why): the role
/// as an update of `users.role`, each site added or removed as a `user_sites` row inserted or
/// deleted. Refused when `expected_row_version` is given and the user changed since
/// ([`AccountError::Stale`]), and when it would leave no active administrator
/// ([`AccountError::LastAdmin`]). Returns whether anything changed. The user's next request
/// already runs with the new access (it is read on every request).
pub fn set_access(
    conn: &mut SqliteConnection,
    actor: i32,
    user_id: i32,
    expected_row_version: Option<i32>,
    access: &Access,
    reason: Option<&str>,
) -> Result<bool, AccountError> {
    crate::db::write_transaction(conn, |conn| {
        let stored = access_of(conn, user_id)?.ok_or(diesel::result::Error::NotFound)?;
        if expected_row_version.is_some_and(|v| v != stored.row_version) {
            return Err(AccountError::Stale);
        }
        let before = &stored.access;
        // The sites of `a` that `b` lacks.
        let missing = |a: &[i32], b: &[i32]| -> Vec<i32> {
            a.iter().copied().filter(|id| !b.contains(id)).collect()
        };
        let added = missing(&access.site_ids, &before.site_ids);
        let removed = missing(&before.site_ids, &access.site_ids);
        let role_changes = before.role != access.role;
        if !role_changes && added.is_empty() && removed.is_empty() {
            return Ok(false);
        }
        if role_changes
            && before.role == Role::Admin
            && stored.active
            && other_active_admins(conn, user_id)? == 0
        {
            return Err(AccountError::LastAdmin);
        }
        let changes = ChangeSet::begin(conn, UserId(actor), None, reason)?;
        // The row version rises with any change of access, so an edit opened before it is
        // refused as stale.
        diesel::update(users::table.find(user_id))
            .set((
                users::role.eq(access.role.code()),
                users::updated_at.eq(Utc::now().naive_utc()),
                users::updated_by.eq(actor),
                users::row_version.eq(users::row_version + 1),
            ))
            .execute(conn)?;
        if role_changes {
            changes.record_field(
                conn,
                AuditAction::Update,
                "users",
                user_id,
                None,
                "role",
                Some(before.role.code()),
                Some(access.role.code()),
            )?;
        }
        for site_id in removed {
            diesel::delete(
                user_sites::table
                    .filter(user_sites::user_id.eq(user_id))
                    .filter(user_sites::site_id.eq(site_id)),
            )
            .execute(conn)?;
            changes.record_field(
                conn,
                AuditAction::Delete,
                "user_sites",
                user_id,
                None,
                "site_id",
                Some(&site_id.to_string()),
                None,
            )?;
        }
        for site_id in added {
            add_site_membership(conn, &changes, actor, user_id, site_id)?;
        }
        Ok(true)
    })
}

/// A user's id by username.
pub fn user_id_by_name(conn: &mut SqliteConnection, username: &str) -> Result<i32, AccountError> {
    users::table
        .filter(users::username.eq(username))
        .select(users::id)
        .first(conn)
        .optional()?
        .ok_or_else(|| AccountError::UnknownUser(username.to_owned()))
}

/// A user as the admin list and `registry user list` show them.
#[derive(Debug, Clone)]
pub struct AccountSummary {
    pub id: i32,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub active: bool,
    pub locked: bool,
    pub site_codes: Vec<String>,
}

/// Every user who can log in (the system account is left out), by username.
pub fn list_accounts(conn: &mut SqliteConnection) -> anyhow::Result<Vec<AccountSummary>> {
    let now = Utc::now().naive_utc();
    let rows: Vec<(
        i32,
        String,
        String,
        String,
        bool,
        Option<chrono::NaiveDateTime>,
    )> = users::table
        .filter(users::id.ne(SYSTEM_USER_ID))
        .select((
            users::id,
            users::username,
            users::full_name,
            users::role,
            users::active,
            users::locked_until,
        ))
        .order(users::username)
        .load(conn)
        .context("Failed to list users")?;
    let links: Vec<(i32, String)> = user_sites::table
        .inner_join(sites::table)
        .select((user_sites::user_id, sites::code))
        .order(sites::code)
        .load(conn)
        .context("Failed to list users' sites")?;
    rows.into_iter()
        .map(|(id, username, full_name, role, active, locked_until)| {
            Ok(AccountSummary {
                id,
                username,
                full_name,
                role: Role::parse(&role).context("A user has an unknown role")?,
                active,
                locked: locked_until.is_some_and(|t| t > now),
                site_codes: links
                    .iter()
                    .filter(|(uid, _)| *uid == id)
                    .map(|(_, code)| code.clone())
                    .collect(),
            })
        })
        .collect()
}

/// Deletes the stored web sessions of a user (disabled, or a new password), in the caller's
/// transaction, so that a restart of the server cannot bring them back; the running server
/// ends them in memory (`crate::web::auth::session_store::Sessions::end_sessions_of`).
fn end_stored_sessions(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<usize> {
    use crate::db::schema::web_sessions;
    diesel::delete(web_sessions::table.filter(web_sessions::user_id.eq(user_id))).execute(conn)
}
