//! `/admin/sites`: the list of sites and the form to add one.

pub mod get;
pub mod post;

use askama::Template;
use diesel::prelude::*;

use crate::db::schema::sites;
use crate::db::{audit::ChangeSet, ids::UserId};
use crate::domain::patient::SiteCode;
use crate::web::{form::Field, layout::Layout};

/// A site as the list shows it.
#[derive(Debug, Clone, Queryable)]
pub struct SiteListRow {
    pub id: i32,
    pub code: String,
    pub name: String,
    pub active: bool,
}

/// The add-a-site form as typed.
#[derive(Debug, Clone, Default)]
pub struct SiteFormView {
    pub code: Field,
    pub name: Field,
}

/// A validated new site.
#[derive(Debug, Clone)]
pub struct NewSiteInput {
    pub code: String,
    pub name: String,
}

/// The page.
#[derive(Template)]
#[template(path = "admin/sites.html")]
pub struct SitesPage {
    pub layout: Layout,
    pub sites: Vec<SiteListRow>,
    pub form: SiteFormView,
}

impl SiteFormView {
    /// Validates: `None` when a field is wrong, with its message attached here (the typed
    /// values stay for the re-rendered form).
    pub fn validate(&mut self) -> Option<NewSiteInput> {
        let code = self.code.value.trim().to_owned();
        if code.is_empty() {
            self.code.fail("Enter a site code.");
        } else if SiteCode::parse(&code).is_err() {
            // The same rule as the site part of a registry id (`SITE-NNNNNN`).
            self.code
                .fail("Use 2 to 8 capital letters or digits, starting with a letter.");
        }
        let name = self.name.value.trim().to_owned();
        if name.is_empty() {
            self.name.fail("Enter the name of the site.");
        } else if name.chars().count() > 200 {
            self.name.fail("Use at most 200 characters.");
        }
        if self.code.error.is_some() || self.name.error.is_some() {
            return None;
        }
        Some(NewSiteInput { code, name })
    }
}

/// Every site, by code.
pub fn list_sites(conn: &mut SqliteConnection) -> QueryResult<Vec<SiteListRow>> {
    sites::table
        .select((sites::id, sites::code, sites::name, sites::active))
        .order(sites::code)
        .load(conn)
}

/// Why a site could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AddSiteError {
    #[error("A site with this code already exists.")]
    DuplicateCode,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Inserts a site and its audit rows in one transaction.
pub fn add_site(
    conn: &mut SqliteConnection,
    actor: i32,
    input: &NewSiteInput,
) -> Result<i32, AddSiteError> {
    crate::db::write_transaction(conn, |conn| {
        let exists: i64 = sites::table
            .filter(sites::code.eq(&input.code))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            return Err(AddSiteError::DuplicateCode);
        }
        let id: i32 = diesel::insert_into(sites::table)
            .values((
                sites::code.eq(&input.code),
                sites::name.eq(&input.name),
                sites::created_by.eq(actor),
                sites::updated_by.eq(actor),
            ))
            .returning(sites::id)
            .get_result(conn)?;
        let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
        changes.record_insert(
            conn,
            "sites",
            id,
            None,
            &[
                ("code".to_owned(), Some(input.code.clone())),
                ("name".to_owned(), Some(input.name.clone())),
                ("active".to_owned(), Some("1".to_owned())),
            ],
        )?;
        Ok(id)
    })
}
