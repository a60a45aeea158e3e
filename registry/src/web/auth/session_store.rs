//! Where the server holds sessions' state: in memory, where every request reads it, and for a
//! logged-in session also in the database (`web_sessions`), so that a restart of the server (an
//! upgrade, a crash) neither logs every coordinator out nor loses the form they were about to
//! save: its CSRF token is in the session, and a form whose session is unknown is refused.
//!
//! - A request finds its session in memory. After a restart, the first request of a session
//!   finds it in the database and brings it back into memory.
//! - The database is written when a logged-in session starts, when its state changes (a new
//!   CSRF token, a new password fingerprint), when it ends, and at most once a minute for its
//!   last-seen time ([`SEEN_WRITE_INTERVAL`]): not on every request. A session restored after
//!   a restart may therefore look up to a minute less recently used than it was, which brings
//!   its idle expiry at most that much earlier.
//! - Anonymous sessions (the login form's CSRF token) stay in memory only: a restart costs a
//!   reload of the login page, and nobody can fill the table by fetching it.
//! - The cookie carries the session key; the table stores only its SHA-256, so reading the
//!   database gives no usable session. Without `REGISTRY_SESSION_KEY`, the key that encrypts
//!   the cookie is made once and kept in `web_cookie_key` ([`cookie_key`]), so cookies stay
//!   readable across restarts.
//! - Writing the database is best effort: if it fails, the session still works from memory
//!   (and is lost on restart, as before), and the failure is logged.
//!
//! Ending every session of a user (disabled, password changed) is done in the database by the
//! account change itself (`crate::web::accounts`), in its transaction, and in memory by
//! [`Sessions::end_sessions_of`].

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use actix_session::storage::{
    LoadError, SaveError, SessionKey, SessionStore, UpdateError, generate_session_key,
};
use actix_web::cookie::{Key, time};
use anyhow::Context;
use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{session, token};
use crate::db::{DbPool, schema::web_cookie_key, schema::web_sessions};
use crate::web::server_state;

type State = HashMap<String, String>;

/// A session unchanged but for its last-seen time is written to the database at most this often.
pub const SEEN_WRITE_INTERVAL: Duration = Duration::from_secs(60);

/// More sessions than this in memory and the expired ones are dropped when a new one starts.
const MEMORY_SWEEP_ABOVE: usize = 10_000;

struct Entry {
    state: State,
    expires: Instant,
    /// The state as the database holds it, if it holds this session.
    stored: Option<State>,
}

/// The sessions' state, shared by all workers: memory, and the database.
#[derive(Clone)]
pub struct Sessions {
    memory: Arc<Mutex<HashMap<String, Entry>>>,
    pool: DbPool,
}

impl Sessions {
    /// Sessions held in memory and, when logged in, in this database.
    pub fn new(pool: DbPool) -> Self {
        Self {
            memory: Arc::default(),
            pool,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.memory
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Ends every session of a user held in memory (disabled, password changed); the account
    /// change has deleted its rows in the database.
    pub fn end_sessions_of(&self, user_id: i32) {
        self.lock()
            .retain(|_, entry| user_of(&entry.state) != Some(user_id));
    }

    /// Keeps `state` under `key` in memory, and writes it to the database if it is a logged-in
    /// session whose stored copy is missing or out of date.
    async fn keep(&self, key: &str, state: State, ttl: Duration) {
        let expires = Instant::now() + ttl;
        let to_store = {
            let mut map = self.lock();
            let stored = map.remove(key).and_then(|e| e.stored);
            let write = needs_write(stored.as_ref(), &state);
            // Only a write needs a copy (this runs on every request that changes the state).
            let to_store = write.then(|| state.clone());
            map.insert(
                key.to_owned(),
                Entry {
                    state,
                    expires,
                    stored: if write { None } else { stored },
                },
            );
            to_store
        };
        let Some(state) = to_store else {
            return;
        };
        let Some(user_id) = user_of(&state) else {
            return;
        };
        let row = (token::sha256_hex(key), user_id, state.clone(), ttl);
        let stored = server_state::best_effort(&self.pool, "keep a session", move |conn| {
            store_row(conn, row)
        })
        .await;
        if stored.is_none() {
            return;
        }
        let forgotten = match self.lock().get_mut(key) {
            Some(entry) => {
                entry.stored = Some(state);
                false
            }
            None => true,
        };
        // Ended (logout) while the row was being written: delete it again.
        if forgotten {
            self.delete_row(key).await;
        }
    }

    /// Forgets a session in memory and in the database.
    async fn forget(&self, key: &str) {
        let held = self.lock().remove(key);
        // An anonymous session was never stored (the login page's, ended by every login).
        if held.is_some_and(|entry| user_of(&entry.state).is_none()) {
            return;
        }
        self.delete_row(key).await;
    }

    /// Deletes a session's row, if the database holds one.
    async fn delete_row(&self, key: &str) {
        let hash = token::sha256_hex(key);
        server_state::best_effort(&self.pool, "end a session", move |conn| {
            crate::db::write_transaction(conn, |conn| {
                diesel::delete(web_sessions::table.filter(web_sessions::key_hash.eq(&hash)))
                    .execute(conn)
            })?;
            Ok(())
        })
        .await;
    }

    /// The state of a session found in the database (after a restart), brought back into
    /// memory; `None` when there is none, it has expired, or the database cannot say.
    async fn restore(&self, key: &str) -> Option<State> {
        let hash = token::sha256_hex(key);
        let (state, expires_at) =
            server_state::best_effort(&self.pool, "read a session", move |conn| {
                let row: Option<(String, NaiveDateTime)> = web_sessions::table
                    .filter(web_sessions::key_hash.eq(&hash))
                    .filter(web_sessions::expires_at.gt(Utc::now().naive_utc()))
                    .select((web_sessions::state, web_sessions::expires_at))
                    .first(conn)
                    .optional()?;
                row.map(|(json, expires_at)| {
                    Ok((serde_json::from_str::<State>(&json)?, expires_at))
                })
                .transpose()
            })
            .await
            .flatten()?;
        let mut map = self.lock();
        // Another request of the same session may have restored it meanwhile: keep its copy.
        let entry = map.entry(key.to_owned()).or_insert(Entry {
            state: state.clone(),
            expires: server_state::instant_of(expires_at),
            stored: Some(state),
        });
        Some(entry.state.clone())
    }
}

/// The user a session's state belongs to, if it is logged in.
fn user_of(state: &State) -> Option<i32> {
    state.get(session::UID)?.parse().ok()
}

/// Whether a logged-in session's state must be written: the database does not hold it, or
/// holds other values, or a last-seen time [`SEEN_WRITE_INTERVAL`] or more older.
fn needs_write(stored: Option<&State>, state: &State) -> bool {
    if user_of(state).is_none() {
        return false;
    }
    let Some(stored) = stored else {
        return true;
    };
    let seen = |s: &State| -> i64 {
        s.get(session::SEEN)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let others_differ = stored.len() != state.len()
        || state
            .iter()
            .any(|(k, v)| k != session::SEEN && stored.get(k) != Some(v));
    let interval = i64::try_from(SEEN_WRITE_INTERVAL.as_secs()).unwrap_or(i64::MAX);
    others_differ || seen(state) - seen(stored) >= interval
}

/// Inserts or replaces a session's row; on a new row, also deletes the rows that have expired.
fn store_row(
    conn: &mut SqliteConnection,
    (hash, user_id, state, ttl): (String, i32, State, Duration),
) -> anyhow::Result<()> {
    let json = serde_json::to_string(&state)?;
    let now = Utc::now().naive_utc();
    let expires_at = server_state::expiry_after(ttl);
    crate::db::write_transaction(conn, |conn| -> QueryResult<()> {
        let updated = diesel::update(web_sessions::table.filter(web_sessions::key_hash.eq(&hash)))
            .set((
                web_sessions::state.eq(&json),
                web_sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        if updated == 0 {
            diesel::delete(web_sessions::table.filter(web_sessions::expires_at.le(now)))
                .execute(conn)?;
            diesel::insert_into(web_sessions::table)
                .values((
                    web_sessions::key_hash.eq(&hash),
                    web_sessions::user_id.eq(user_id),
                    web_sessions::state.eq(&json),
                    web_sessions::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
        }
        Ok(())
    })?;
    Ok(())
}

fn std_duration(ttl: &time::Duration) -> Duration {
    Duration::from_secs(u64::try_from(ttl.whole_seconds()).unwrap_or(0))
}

impl SessionStore for Sessions {
    async fn load(&self, key: &SessionKey) -> Result<Option<State>, LoadError> {
        let now = Instant::now();
        {
            let mut map = self.lock();
            match map.get(key.as_ref()) {
                Some(entry) if entry.expires > now => return Ok(Some(entry.state.clone())),
                Some(_) => {
                    // Expired: its database row (if any) has expired too.
                    map.remove(key.as_ref());
                    return Ok(None);
                }
                None => {}
            }
        }
        Ok(self.restore(key.as_ref()).await)
    }

    async fn save(&self, state: State, ttl: &time::Duration) -> Result<SessionKey, SaveError> {
        let key = generate_session_key();
        {
            let now = Instant::now();
            let mut map = self.lock();
            if map.len() > MEMORY_SWEEP_ABOVE {
                map.retain(|_, e| e.expires > now);
            }
        }
        self.keep(key.as_ref(), state, std_duration(ttl)).await;
        Ok(key)
    }

    async fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &time::Duration,
    ) -> Result<SessionKey, UpdateError> {
        // An update of a session that expired or was deleted meanwhile starts a new one rather
        // than resurrecting the old key.
        let known = self.lock().contains_key(key.as_ref());
        let key = if known { key } else { generate_session_key() };
        self.keep(key.as_ref(), state, std_duration(ttl)).await;
        Ok(key)
    }

    async fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &time::Duration,
    ) -> Result<(), anyhow::Error> {
        if let Some(entry) = self.lock().get_mut(key.as_ref()) {
            entry.expires = Instant::now() + std_duration(ttl);
        }
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        self.forget(key.as_ref()).await;
        Ok(())
    }
}

/// The key that encrypts session cookies when none is configured: the one in `web_cookie_key`,
/// made (64 random bytes) on the first start.
pub fn cookie_key(pool: &DbPool) -> anyhow::Result<Key> {
    let mut conn = pool.get().context("no database connection")?;
    let made = format!("{}{}", token::random_token()?, token::random_token()?);
    let key_hex: String = crate::db::write_transaction(&mut conn, |conn| {
        diesel::insert_into(web_cookie_key::table)
            .values((web_cookie_key::id.eq(1), web_cookie_key::key_hex.eq(&made)))
            .on_conflict_do_nothing()
            .execute(conn)?;
        web_cookie_key::table
            .find(1)
            .select(web_cookie_key::key_hex)
            .first(conn)
    })
    .context("Failed to read the session cookie key")?;
    let secret = crate::web::configuration::SecretKey::from_hex(&key_hex)
        .context("The stored session cookie key is not valid")?;
    Key::try_from(secret.expose()).context("The stored session cookie key is not valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pairs: &[(&str, &str)]) -> State {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn only_logged_in_sessions_with_news_are_written() {
        let anonymous = state(&[(session::CSRF, "\"t\"")]);
        assert!(!needs_write(None, &anonymous), "anonymous: memory only");
        let logged_in = state(&[
            (session::UID, "7"),
            (session::SEEN, "1000"),
            (session::CSRF, "\"t\""),
        ]);
        assert!(needs_write(None, &logged_in), "not yet stored");
        assert!(!needs_write(Some(&logged_in), &logged_in), "unchanged");
        let seen_soon = state(&[
            (session::UID, "7"),
            (session::SEEN, "1059"),
            (session::CSRF, "\"t\""),
        ]);
        assert!(
            !needs_write(Some(&logged_in), &seen_soon),
            "seen within the interval"
        );
        let seen_later = state(&[
            (session::UID, "7"),
            (session::SEEN, "1060"),
            (session::CSRF, "\"t\""),
        ]);
        assert!(
            needs_write(Some(&logged_in), &seen_later),
            "seen a minute later"
        );
        let new_token = state(&[
            (session::UID, "7"),
            (session::SEEN, "1000"),
            (session::CSRF, "\"u\""),
        ]);
        assert!(needs_write(Some(&logged_in), &new_token), "another value");
        let fewer = state(&[(session::UID, "7"), (session::SEEN, "1000")]);
        assert!(needs_write(Some(&logged_in), &fewer), "a value removed");
    }
}
