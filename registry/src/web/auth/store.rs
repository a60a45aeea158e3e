//! The queries behind authentication: find a user to log in, keep the per-account failure
//! counter and lock (`users.failed_login_count`, `users.locked_until`), and load the user of a
//! session with their sites. Plain functions on a connection, testable without HTTP.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::schema::{user_sites, users};
use crate::domain::access::Role;
use crate::domain::vocabulary::Vocabulary;

use super::{extract::CurrentUser, password, session::password_fingerprint};

/// What a login attempt came to.
#[derive(Debug)]
pub enum LoginOutcome {
    /// Right password, active account: start a session.
    Success { user_id: i32, password_hash: String },
    /// Unknown user, wrong password or disabled account (not told apart).
    Invalid,
    /// The account is locked after repeated failures.
    Locked,
}

/// Limits applied by `attempt_login`.
#[derive(Debug, Clone, Copy)]
pub struct AccountLockPolicy {
    pub max_failures: u32,
    pub lock_for: std::time::Duration,
    pub dummy_cost: password::PasswordCost,
}

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// Checks a username and password, and keeps the account's failure counter and lock.
/// The password is verified outside any transaction; the counters change in single atomic
/// statements, so concurrent attempts cannot undercount.
pub fn attempt_login(
    conn: &mut SqliteConnection,
    username: &str,
    candidate: &str,
    policy: AccountLockPolicy,
) -> anyhow::Result<LoginOutcome> {
    use anyhow::Context;
    let found: Option<(i32, Option<String>, bool, Option<NaiveDateTime>)> = users::table
        .filter(users::username.eq(username))
        .select((
            users::id,
            users::password_hash,
            users::active,
            users::locked_until,
        ))
        .get_result(conn)
        .optional()
        .context("Failed to look up a user for login")?;
    let Some((user_id, Some(hash), active, locked_until)) = found else {
        password::verify_against_dummy(policy.dummy_cost, candidate);
        return Ok(LoginOutcome::Invalid);
    };
    let now = now();
    if locked_until.is_some_and(|until| until > now) {
        return Ok(LoginOutcome::Locked);
    }
    let matches = password::verify_password(&hash, candidate)?;
    if matches && active {
        diesel::update(users::table.find(user_id))
            .set((
                users::failed_login_count.eq(0),
                users::locked_until.eq(None::<NaiveDateTime>),
                users::last_login_at.eq(now),
                users::row_version.eq(users::row_version + 1),
            ))
            .execute(conn)
            .context("Failed to record a successful login")?;
        return Ok(LoginOutcome::Success {
            user_id,
            password_hash: hash,
        });
    }
    if active {
        record_failure(conn, user_id, policy, now)?;
    }
    Ok(LoginOutcome::Invalid)
}

fn record_failure(
    conn: &mut SqliteConnection,
    user_id: i32,
    policy: AccountLockPolicy,
    now: NaiveDateTime,
) -> anyhow::Result<()> {
    use anyhow::Context;
    let max = i32::try_from(policy.max_failures).unwrap_or(i32::MAX);
    let lock_for = chrono::Duration::from_std(policy.lock_for).unwrap_or(chrono::Duration::MAX);
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        let count: i32 = diesel::update(users::table.find(user_id))
            .set((
                users::failed_login_count.eq(users::failed_login_count + 1),
                users::row_version.eq(users::row_version + 1),
            ))
            .returning(users::failed_login_count)
            .get_result(conn)?;
        if count >= max {
            diesel::update(users::table.find(user_id))
                .set((
                    users::failed_login_count.eq(0),
                    users::locked_until.eq(Some(now + lock_for)),
                    users::row_version.eq(users::row_version + 1),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
    .context("Failed to record a failed login")
}

/// Loads the user of a session: `None` when the account is gone, disabled, or its password
/// changed since the session began.
pub fn load_session_user(
    conn: &mut SqliteConnection,
    user_id: i32,
    fingerprint: &str,
) -> anyhow::Result<Option<CurrentUser>> {
    load_user_checked(conn, user_id, Some(fingerprint))
}

/// Loads an active user with their sites (API tokens: no password fingerprint to check).
pub fn load_user(conn: &mut SqliteConnection, user_id: i32) -> anyhow::Result<Option<CurrentUser>> {
    load_user_checked(conn, user_id, None)
}

fn load_user_checked(
    conn: &mut SqliteConnection,
    user_id: i32,
    fingerprint: Option<&str>,
) -> anyhow::Result<Option<CurrentUser>> {
    use anyhow::Context;
    let found: Option<(String, String, String, Option<String>, bool)> = users::table
        .find(user_id)
        .select((
            users::username,
            users::full_name,
            users::role,
            users::password_hash,
            users::active,
        ))
        .get_result(conn)
        .optional()
        .context("Failed to load the session's user")?;
    let Some((username, full_name, role, hash, true)) = found else {
        return Ok(None);
    };
    if let Some(fingerprint) = fingerprint
        && hash.as_deref().map(password_fingerprint).as_deref() != Some(fingerprint)
    {
        return Ok(None);
    }
    let role = Role::parse(&role).context("A user has an unknown role")?;
    let site_ids = user_sites::table
        .filter(user_sites::user_id.eq(user_id))
        .select(user_sites::site_id)
        .order(user_sites::site_id)
        .load(conn)
        .context("Failed to load the user's sites")?;
    Ok(Some(CurrentUser {
        id: user_id,
        username,
        full_name,
        role,
        site_ids,
    }))
}
