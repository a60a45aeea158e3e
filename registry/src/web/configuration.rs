//! Typed settings for the web app. Built from the command line (`registry serve`), then
//! overridden from the environment (`REGISTRY_COOKIE_SECURE`, `REGISTRY_SESSION_KEY`), before
//! anything starts. Secrets never appear in `Debug` output.

use std::{fmt, net::SocketAddr, path::PathBuf, time::Duration};

use anyhow::{Context, bail};

/// Everything `Application::build` needs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The SQLite database file; created and migrated at start if needed.
    pub database_path: PathBuf,
    /// Address to listen on; port 0 picks a free port (tests).
    pub bind: SocketAddr,
    /// Session cookie and login-throttle settings.
    pub security: SecuritySettings,
    /// HTTP worker threads; `None` means one per CPU core.
    pub workers: Option<usize>,
    /// Log one line per request on stderr (off in tests).
    pub access_log: bool,
}

/// Session, cookie, throttling and password-hashing settings.
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    /// Mark the session cookie `Secure` (on behind HTTPS; off for plain-HTTP localhost).
    pub cookie_secure: bool,
    /// Key signing and encrypting the session cookie (64 bytes). When unset, a key made on the
    /// first start and kept in the database (`web_cookie_key`) is used, so logged-in sessions
    /// (also kept there) outlive a restart: `crate::web::auth::session_store`.
    pub session_key: Option<SecretKey>,
    /// A session unused for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after login, however busy.
    pub absolute_timeout: Duration,
    /// Failed logins in a row after which an account is locked.
    pub max_failures_per_account: u32,
    /// How long a locked account stays locked.
    pub account_lock: Duration,
    /// Failed logins from one IP address within `ip_window` after which that address waits.
    pub max_failures_per_ip: u32,
    /// The sliding window for `max_failures_per_ip`.
    pub ip_window: Duration,
    /// Argon2id cost for new password hashes.
    pub password_cost: crate::web::auth::password::PasswordCost,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            cookie_secure: false,
            session_key: None,
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(12 * 60 * 60),
            max_failures_per_account: 5,
            account_lock: Duration::from_secs(15 * 60),
            max_failures_per_ip: 20,
            ip_window: Duration::from_secs(15 * 60),
            password_cost: crate::web::auth::password::PasswordCost::default(),
        }
    }
}

impl SecuritySettings {
    /// Applies `REGISTRY_COOKIE_SECURE` (true/false) and `REGISTRY_SESSION_KEY` (128 hex digits).
    pub fn with_env_overrides(mut self) -> anyhow::Result<Self> {
        if let Ok(value) = std::env::var("REGISTRY_COOKIE_SECURE") {
            self.cookie_secure = match value.as_str() {
                "1" | "true" => true,
                "0" | "false" => false,
                other => bail!("REGISTRY_COOKIE_SECURE must be true or false, not {other:?}"),
            };
        }
        if let Ok(value) = std::env::var("REGISTRY_SESSION_KEY") {
            self.session_key =
                Some(SecretKey::from_hex(&value).context("Invalid REGISTRY_SESSION_KEY")?);
        }
        Ok(self)
    }
}

/// A 64-byte secret that `Debug` does not print.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    /// Parses 128 hexadecimal digits.
    pub fn from_hex(hex: &str) -> anyhow::Result<Self> {
        let hex = hex.trim();
        if hex.len() != 128 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("expected 128 hexadecimal digits");
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .context("not hexadecimal")?;
        Ok(Self(bytes))
    }

    /// The raw key bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}
