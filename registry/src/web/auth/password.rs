//! Argon2id password hashing and verification. Hashes are PHC strings
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so verification always uses the cost stored in the
//! hash, whatever the current `PasswordCost`.

use anyhow::{Context, anyhow};
use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

/// Minimum length of a new password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Argon2id cost parameters for new hashes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for PasswordCost {
    /// OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane), argon2's defaults.
    fn default() -> Self {
        Self {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

impl PasswordCost {
    /// A deliberately weak cost for test suites, where hundreds of logins run in a debug build.
    pub fn fast_for_tests() -> Self {
        Self {
            memory_kib: 256,
            iterations: 1,
            parallelism: 1,
        }
    }

    fn hasher(self) -> anyhow::Result<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| anyhow!("Invalid argon2 parameters: {e}"))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Why a new password is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WeakPassword {
    #[error("The password must have at least {MIN_PASSWORD_CHARS} characters.")]
    TooShort,
    #[error("The password must have at most 128 characters.")]
    TooLong,
}

/// Checks a new password against the length policy (NIST 800-63B: length, not composition).
pub fn check_new_password(password: &str) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(WeakPassword::TooShort)
    } else if chars > 128 {
        Err(WeakPassword::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes a password with a fresh random salt. CPU-heavy: call it inside `web::block`.
pub fn hash_password(cost: PasswordCost, password: &str) -> anyhow::Result<String> {
    let hash = cost
        .hasher()?
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow!("Failed to hash a password: {e}"))?;
    Ok(hash.to_string())
}

/// True when `candidate` matches the stored PHC string. CPU-heavy: call it inside `web::block`.
pub fn verify_password(stored_phc: &str, candidate: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored_phc)
        .map_err(|e| anyhow!("Stored password hash is not a PHC string: {e}"))
        .context("Failed to parse a stored password hash")?;
    match Argon2::default().verify_password(candidate.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(anyhow!("Failed to verify a password: {e}")),
    }
}

/// Spends about the same time as a real verification, so an unknown username cannot be told
/// from a wrong password by timing.
pub fn verify_against_dummy(cost: PasswordCost, candidate: &str) {
    if let Ok(dummy) = hash_password(cost, "dummy-password-never-valid") {
        let _ = verify_password(&dummy, candidate);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_nothing_else() {
        let hash = hash_password(PasswordCost::fast_for_tests(), "correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$"));
        assert!(verify_password(&hash, "correct horse battery").unwrap());
        assert!(!verify_password(&hash, "correct horse batterY").unwrap());
    }

    #[test]
    fn short_passwords_are_refused() {
        assert_eq!(check_new_password("short"), Err(WeakPassword::TooShort));
        assert_eq!(check_new_password("long enough pass"), Ok(()));
    }
}
