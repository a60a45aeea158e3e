//! Sessions: held server-side in memory (the cookie carries only an encrypted random key), so
//! logout, expiry and disabling a user end a session for good. A restart logs everyone out.
//!
//! `TypedSession` is the only code that knows the session's keys: who is logged in, when they
//! logged in (absolute expiry), when they were last seen (idle expiry), a fingerprint of their
//! password hash (a password change ends other sessions) and the CSRF token.
//!
//! The store holds a session's state for [`EXPIRED_STATE_GRACE`] beyond the idle limit: an
//! idle session is still ended on its next request, but as `Expired { user_id }`, so a form it
//! was posting can be kept for that user (`crate::web::kept_forms`).

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use actix_session::{
    Session, SessionExt,
    storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError, generate_session_key},
};
use actix_web::{FromRequest, HttpRequest, cookie::time, dev::Payload};
use std::future::{Ready, ready};

use super::token;

type State = HashMap<String, String>;

struct Entry {
    state: State,
    expires: Instant,
}

/// The in-memory session store, shared by all workers.
#[derive(Clone, Default)]
pub struct MemorySessionStore {
    inner: Arc<Mutex<HashMap<String, Entry>>>,
}

impl MemorySessionStore {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Entry>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Ends every session of a user (disabled, password reset by an admin).
    pub fn end_sessions_of(&self, user_id: i32) {
        let needle = user_id.to_string();
        self.lock()
            .retain(|_, entry| entry.state.get(UID).map(String::as_str) != Some(needle.as_str()));
    }

    /// Number of sessions whose state is held: live ones and those within their
    /// [`EXPIRED_STATE_GRACE`] (tests and diagnostics).
    pub fn len(&self) -> usize {
        let now = Instant::now();
        self.lock().values().filter(|e| e.expires > now).count()
    }

    /// True when no session is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn std_duration(ttl: &time::Duration) -> Duration {
    Duration::from_secs(u64::try_from(ttl.whole_seconds()).unwrap_or(0))
}

impl SessionStore for MemorySessionStore {
    fn load(&self, key: &SessionKey) -> impl Future<Output = Result<Option<State>, LoadError>> {
        let now = Instant::now();
        let mut map = self.lock();
        let found = match map.get(key.as_ref()) {
            Some(entry) if entry.expires > now => Some(entry.state.clone()),
            Some(_) => {
                map.remove(key.as_ref());
                None
            }
            None => None,
        };
        ready(Ok(found))
    }

    fn save(
        &self,
        state: State,
        ttl: &time::Duration,
    ) -> impl Future<Output = Result<SessionKey, SaveError>> {
        let key = generate_session_key();
        let now = Instant::now();
        let mut map = self.lock();
        if map.len() > 10_000 {
            map.retain(|_, e| e.expires > now);
        }
        map.insert(
            key.as_ref().to_owned(),
            Entry {
                state,
                expires: now + std_duration(ttl),
            },
        );
        ready(Ok(key))
    }

    fn update(
        &self,
        key: SessionKey,
        state: State,
        ttl: &time::Duration,
    ) -> impl Future<Output = Result<SessionKey, UpdateError>> {
        let expires = Instant::now() + std_duration(ttl);
        let mut map = self.lock();
        // An update of a session that expired or was deleted meanwhile starts a new one rather
        // than resurrecting the old key.
        let key = if map.contains_key(key.as_ref()) {
            key
        } else {
            generate_session_key()
        };
        map.insert(key.as_ref().to_owned(), Entry { state, expires });
        ready(Ok(key))
    }

    fn update_ttl(
        &self,
        key: &SessionKey,
        ttl: &time::Duration,
    ) -> impl Future<Output = Result<(), anyhow::Error>> {
        if let Some(entry) = self.lock().get_mut(key.as_ref()) {
            entry.expires = Instant::now() + std_duration(ttl);
        }
        ready(Ok(()))
    }

    fn delete(&self, key: &SessionKey) -> impl Future<Output = Result<(), anyhow::Error>> {
        self.lock().remove(key.as_ref());
        ready(Ok(()))
    }
}

/// How long the server keeps a session's state after its idle limit. The state of an idle
/// session is not usable (`TypedSession::status` ends it), but it still says whose session it
/// was, so a form posted just after the limit is kept for that user instead of being lost.
pub const EXPIRED_STATE_GRACE: Duration = Duration::from_secs(2 * 60 * 60);

/// How long the store holds a session's state after its last request: the idle limit plus
/// [`EXPIRED_STATE_GRACE`].
pub fn state_ttl(idle: Duration) -> Duration {
    idle.saturating_add(EXPIRED_STATE_GRACE)
}

const UID: &str = "uid";
const ISSUED: &str = "issued";
const SEEN: &str = "seen";
const PWD: &str = "pwd";
const CSRF: &str = "csrf";

/// The session, with typed accessors. Extract it in handlers like any other extractor.
pub struct TypedSession(Session);

/// Where a session stands on this request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStatus {
    /// Nobody is logged in.
    Anonymous,
    /// The idle or absolute limit passed; the session was ended. Whose it was is known while
    /// the server still holds its state ([`EXPIRED_STATE_GRACE`]), so what they were sending
    /// can be kept for them (`crate::web::kept_forms`).
    Expired { user_id: i32 },
    /// Logged in as this user (id, password fingerprint).
    Active {
        user_id: i32,
        password_fingerprint: String,
    },
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

impl TypedSession {
    /// Wraps the session of a request.
    pub fn of(req: &HttpRequest) -> Self {
        Self(req.get_session())
    }

    /// Wraps a session.
    pub fn new(session: Session) -> Self {
        Self(session)
    }

    /// Starts an authenticated session: a new session key (no fixation), a new CSRF token.
    pub fn log_in(&self, user_id: i32, password_hash: &str) -> anyhow::Result<()> {
        self.0.renew();
        self.0.clear();
        let now = unix_now();
        self.0.insert(UID, user_id)?;
        self.0.insert(ISSUED, now)?;
        self.0.insert(SEEN, now)?;
        self.0.insert(PWD, password_fingerprint(password_hash))?;
        self.0.insert(CSRF, token::random_token()?)?;
        Ok(())
    }

    /// Ends the session: the server forgets it and the cookie is removed.
    pub fn log_out(&self) {
        self.0.purge();
    }

    /// Checks the idle and absolute limits, ends an expired session, and records this request as
    /// the last activity of a live one.
    pub fn status(&self, idle: Duration, absolute: Duration) -> anyhow::Result<SessionStatus> {
        let Some(user_id) = self.0.get::<i32>(UID)? else {
            return Ok(SessionStatus::Anonymous);
        };
        let issued = self.0.get::<i64>(ISSUED)?.unwrap_or(0);
        let seen = self.0.get::<i64>(SEEN)?.unwrap_or(0);
        let now = unix_now();
        let secs = |d: Duration| i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
        if now - issued > secs(absolute) || now - seen > secs(idle) {
            self.0.purge();
            return Ok(SessionStatus::Expired { user_id });
        }
        if now != seen {
            self.0.insert(SEEN, now)?;
        }
        Ok(SessionStatus::Active {
            user_id,
            password_fingerprint: self.0.get::<String>(PWD)?.unwrap_or_default(),
        })
    }

    /// The session's CSRF token, created on first use (anonymous sessions get one too, for the
    /// login form).
    pub fn csrf_token(&self) -> anyhow::Result<String> {
        if let Some(token) = self.0.get::<String>(CSRF)? {
            return Ok(token);
        }
        let token = token::random_token()?;
        self.0.insert(CSRF, &token)?;
        Ok(token)
    }

    /// The session's CSRF token if it has one; never creates one.
    pub fn existing_csrf_token(&self) -> Option<String> {
        self.0.get::<String>(CSRF).ok().flatten()
    }
}

/// A short fingerprint of a password hash: a session whose fingerprint no longer matches the
/// user's current hash (the password changed) is ended.
pub fn password_fingerprint(password_hash: &str) -> String {
    token::sha256_hex(password_hash)[..16].to_owned()
}

impl FromRequest for TypedSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.get_session())))
    }
}
