//! The web server's own state kept in the database (logged-in sessions, kept forms) beside its
//! copy in memory, so that a restart of the server loses neither. Not registry data: not
//! audited. Every database step is best effort: the state lives on in memory if it fails.

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDateTime, Utc};
use diesel::SqliteConnection;

use crate::db::DbPool;

/// Runs `work` with a pooled connection on the blocking pool. A failure is logged ("could not
/// {what} in the database") and gives `None`: the caller carries on with memory alone.
pub async fn best_effort<T, F>(pool: &DbPool, what: &str, work: F) -> Option<T>
where
    T: Send + 'static,
    F: FnOnce(&mut SqliteConnection) -> anyhow::Result<T> + Send + 'static,
{
    let pool = pool.clone();
    let outcome = actix_web::web::block(move || {
        let mut conn = pool.get().context("no database connection")?;
        work(&mut conn)
    })
    .await;
    match outcome {
        Ok(Ok(value)) => Some(value),
        Ok(Err(e)) => {
            eprintln!("error: could not {what} in the database (kept in memory only): {e:#}");
            None
        }
        Err(e) => {
            eprintln!("error: could not {what} in the database (kept in memory only): {e}");
            None
        }
    }
}

/// The stored expiry of state that lives `ttl` from now.
pub fn expiry_after(ttl: Duration) -> NaiveDateTime {
    Utc::now().naive_utc() + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX)
}

/// The in-memory expiry of state read back with this stored expiry (now, if it has passed).
pub fn instant_of(expires_at: NaiveDateTime) -> Instant {
    let left = (expires_at - Utc::now().naive_utc())
        .to_std()
        .unwrap_or(Duration::ZERO);
    Instant::now() + left
}
