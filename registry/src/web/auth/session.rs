//! Sessions: held server-side (the cookie carries only an encrypted random key), so logout,
//! expiry and disabling a user end a session for good. Where the state is held, and how a
//! logged-in session outlives a restart of the server: [`super::session_store`].
//!
//! `TypedSession` is the only code that knows the session's keys: who is logged in, when they
//! logged in (absolute expiry), when they were last seen (idle expiry), a fingerprint of their
//! password hash (a password change ends other sessions) and the CSRF token.
//!
//! The store holds a session's state for [`EXPIRED_STATE_GRACE`] beyond the idle limit: an
//! idle session is still ended on its next request, but as `Expired { user_id }`, so a form it
//! was posting can be kept for that user (`crate::web::kept_forms`).

use std::time::Duration;

use actix_session::{Session, SessionExt};
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use std::future::{Ready, ready};

use super::token;

/// How long the server keeps a session's state after its idle limit. The state of an idle
/// session is not usable (`TypedSession::status` ends it), but it still says whose session it
/// was, so a form posted just after the limit is kept for that user instead of being lost.
pub const EXPIRED_STATE_GRACE: Duration = Duration::from_secs(2 * 60 * 60);

/// How long the store holds a session's state after its last request: the idle limit plus
/// [`EXPIRED_STATE_GRACE`].
pub fn state_ttl(idle: Duration) -> Duration {
    idle.saturating_add(EXPIRED_STATE_GRACE)
}

pub(crate) const UID: &str = "uid";
pub(crate) const ISSUED: &str = "issued";
pub(crate) const SEEN: &str = "seen";
pub(crate) const PWD: &str = "pwd";
pub(crate) const CSRF: &str = "csrf";

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
