//! `/admin/sites`: the list of sites, the form to add one, and each site's name and whether
//! it is open to enrolment (`edit`).

pub mod edit;
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
        if let Err(message) = check_site_name(&name) {
            self.name.fail(message);
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

/// Checks a site's name (trimmed): not blank, at most 200 characters.
pub fn check_site_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        Err("Enter the name of the site.")
    } else if name.chars().count() > 200 {
        Err("Use at most 200 characters.")
    } else {
        Ok(())
    }
}

/// A site as stored, with the row version an edit must name.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct StoredSite {
    pub id: i32,
    pub code: String,
    pub name: String,
    /// Open to enrolment.
    pub active: bool,
    pub row_version: i32,
}

/// The site with this id.
pub fn site_by_id(conn: &mut SqliteConnection, id: i32) -> QueryResult<Option<StoredSite>> {
    stored_sites()
        .filter(sites::id.eq(id))
        .get_result(conn)
        .optional()
}

/// The site with this code.
pub fn site_by_code(conn: &mut SqliteConnection, code: &str) -> QueryResult<Option<StoredSite>> {
    stored_sites()
        .filter(sites::code.eq(code))
        .get_result(conn)
        .optional()
}

/// Every site, as [`StoredSite`] rows.
fn stored_sites() -> diesel::dsl::Select<
    sites::table,
    (
        sites::id,
        sites::code,
        sites::name,
        sites::active,
        sites::row_version,
    ),
> {
    sites::table.select((
        sites::id,
        sites::code,
        sites::name,
        sites::active,
        sites::row_version,
    ))
}

/// Why a site's change was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeSiteError {
    #[error("Someone changed this site since it was read: nothing was saved.")]
    Stale,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Renames a site and opens or closes it to enrolment, with one audit change set (`reason` as
/// its why). A closed site keeps its patients, their follow-up and its users; only new
/// enrolments are refused. Refused as stale when `expected_row_version` is given and the site
/// changed since. Returns whether anything changed.
pub fn change_site(
    conn: &mut SqliteConnection,
    actor: i32,
    id: i32,
    expected_row_version: Option<i32>,
    name: &str,
    open: bool,
    reason: Option<&str>,
) -> Result<bool, ChangeSiteError> {
    crate::db::write_transaction(conn, |conn| {
        let before = site_by_id(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
        if expected_row_version.is_some_and(|v| v != before.row_version) {
            return Err(ChangeSiteError::Stale);
        }
        if before.name == name && before.active == open {
            return Ok(false);
        }
        diesel::update(sites::table.find(id))
            .set((
                sites::name.eq(name),
                sites::active.eq(open),
                sites::updated_at.eq(chrono::Utc::now().naive_utc()),
                sites::updated_by.eq(actor),
                sites::row_version.eq(sites::row_version + 1),
            ))
            .execute(conn)?;
        let fields = |name: &str, open: bool| {
            vec![
                ("name".to_owned(), Some(name.to_owned())),
                (
                    "active".to_owned(),
                    Some(if open { "1" } else { "0" }.to_owned()),
                ),
            ]
        };
        let changes = ChangeSet::begin(conn, UserId(actor), None, reason)?;
        changes.record_update(
            conn,
            "sites",
            id,
            None,
            &fields(&before.name, before.active),
            &fields(name, open),
        )?;
        Ok(true)
    })
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
