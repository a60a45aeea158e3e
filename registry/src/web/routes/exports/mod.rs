//! `/exports`: the web front of the export library (`crate::export`). This module only decides
//! *who gets what*; the CSV itself (RFC 4180, code and label columns, pseudonyms, days from
//! Day 0, the data dictionary) is written by `export::write_entity` / `write_dictionary`, the
//! same engine as `registry export`, so the files are identical whichever door they come from.
//!
//! **Who gets what.**
//! - coordinators: the full profile (identities included), their own sites; they may ask for the
//!   de-identified profile instead (for sharing);
//! - monitors: the de-identified profile, their own sites;
//! - analysts: the de-identified profile, every site;
//! - anyone else (administrators): 403.
//!
//! Site scoping is resolved from the user's site ids to site codes and handed to the library,
//! which applies it in the SQL; the lookup and the export read one transaction, so one file is
//! one consistent snapshot. A user with no site at all gets 403, never "every site" (the
//! library reads an empty site list as "all").
//!
//! **Pseudonym key.** De-identified files replace the patient id with `P-` + 12 hex digits keyed
//! by a secret, and that secret must be stable for the database so an analyst's repeated
//! downloads join on the pseudonym. It comes from `REGISTRY_PSEUDONYM_KEY` when set (at least
//! 16 bytes; for deployments that keep secrets in the environment). Otherwise it is the file
//! `<database>.pseudonym-key` beside the database, created once (32 random bytes from the
//! operating system, hex, mode 0600, `create_new` so two first requests cannot race to two
//! keys) and read on every de-identified export. A file rather than a row: the key must not
//! travel with a copy of the database (a copied `.db` alone cannot re-identify pseudonyms), and
//! the same file can be passed to `registry export --pseudonym-key-file` so CLI and web exports
//! join too. Losing the file only breaks linkage with earlier downloads, never the data.

pub mod get;

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::prelude::*;

use crate::db::schema::sites;
use crate::domain::access::Permission;
use crate::export::{self, Entity, ExportOptions, Profile, PseudonymKey};
use crate::web::{
    auth::extract::{CurrentUser, SiteFilter},
    error::AppError,
};

/// The environment variable that, when set, is the pseudonym secret.
pub const PSEUDONYM_KEY_ENV: &str = "REGISTRY_PSEUDONYM_KEY";

/// What one download is: an entity table or the data dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFile {
    Entity(Entity),
    Dictionary,
}

impl ExportFile {
    /// Every file offered on the exports page: the entities, then the dictionary.
    pub fn all() -> Vec<Self> {
        Entity::ALL
            .iter()
            .copied()
            .map(Self::Entity)
            .chain([Self::Dictionary])
            .collect()
    }

    /// Parses a file name from the URL (`patients.csv`, `data_dictionary.csv`).
    pub fn parse(file: &str) -> Option<Self> {
        let name = file.strip_suffix(".csv")?;
        if file == export::DICTIONARY_FILE {
            return Some(Self::Dictionary);
        }
        Entity::parse(name).ok().map(Self::Entity)
    }

    /// The file name without `.csv`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Entity(entity) => entity.table(),
            Self::Dictionary => export::DICTIONARY_FILE
                .strip_suffix(".csv")
                .unwrap_or(export::DICTIONARY_FILE),
        }
    }
}

/// What the user asked for on the page (the role may override it, never widen it).
#[derive(Debug, Clone, Copy, Default)]
pub struct Request {
    /// Asked for the de-identified profile (forced for roles without identified exports).
    pub deidentified: bool,
    /// Dates as days from Day 0.
    pub days_from_day0: bool,
}

/// The profile and scope a user gets for a request: `(deidentified, sites)`.
pub fn grant(user: &CurrentUser, request: Request) -> Result<(bool, SiteFilter), AppError> {
    if !request.deidentified && user.can(Permission::ExportIdentified) {
        Ok((false, user.sites_for(Permission::ExportIdentified)?))
    } else {
        Ok((true, user.sites_for(Permission::ExportDeidentified)?))
    }
}

/// Writes `file` for a user's grant into `out`, reading one transaction.
pub fn write(
    conn: &mut SqliteConnection,
    file: ExportFile,
    scope: &SiteFilter,
    profile: Profile,
    days_from_day0: bool,
    out: impl Write,
) -> Result<(), AppError> {
    conn.transaction(|conn| {
        let sites = match scope {
            SiteFilter::All => Vec::new(),
            SiteFilter::Only(ids) if ids.is_empty() => return Err(AppError::Forbidden),
            SiteFilter::Only(ids) => sites::table
                .filter(sites::id.eq_any(ids))
                .select(sites::code)
                .order(sites::code)
                .load::<String>(conn)?,
        };
        let options = ExportOptions {
            profile,
            days_from_day0,
            sites,
        };
        match file {
            ExportFile::Entity(entity) => {
                export::write_entity(conn, entity, &options, out)
                    .with_context(|| format!("Failed to export {entity}"))?;
            }
            ExportFile::Dictionary => {
                export::write_dictionary(Entity::ALL, &options, out)
                    .context("Failed to write the data dictionary")?;
            }
        }
        Ok(())
    })
}

/// The pseudonym key of the database at `database`: `REGISTRY_PSEUDONYM_KEY` when set, else the
/// key file beside the database, created on first use (see the module documentation).
pub fn pseudonym_key(database: &Path) -> anyhow::Result<PseudonymKey> {
    if let Ok(secret) = std::env::var(PSEUDONYM_KEY_ENV) {
        return PseudonymKey::new(secret.as_bytes())
            .with_context(|| format!("Invalid {PSEUDONYM_KEY_ENV}"));
    }
    let path = key_file(database);
    match std::fs::read(&path) {
        Ok(secret) => PseudonymKey::new(&secret)
            .with_context(|| format!("Invalid pseudonym key file {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path),
        Err(e) => Err(e).with_context(|| format!("Failed to read {}", path.display())),
    }
}

/// `<database>.pseudonym-key`.
fn key_file(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".pseudonym-key");
    PathBuf::from(name)
}

/// Creates the key file with a fresh secret; if another request created it first, reads theirs.
fn create_key_file(path: &Path) -> anyhow::Result<PseudonymKey> {
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("The system random source failed: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(hex.as_bytes())
                .and_then(|()| file.write_all(b"\n"))
                .and_then(|()| file.sync_all())
                .with_context(|| format!("Failed to write {}", path.display()))?;
            Ok(PseudonymKey::new(hex.as_bytes())?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let secret = std::fs::read(path)
                .with_context(|| format!("Failed to read {}", path.display()))?;
            Ok(PseudonymKey::new(&secret)?)
        }
        Err(e) => Err(e).with_context(|| format!("Failed to create {}", path.display())),
    }
}
