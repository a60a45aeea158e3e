//! `GET /admin/audit?page=N`: the audit trail of what is not a patient's (accounts, their
//! sites and API tokens, the sites themselves), newest change first, a page of change sets at a
//! time. Who gave whom access to which site, when and why (21 CFR 11.10(d) and (g): access
//! limited to authorised users, and that limit itself on record). Users and sites are shown by
//! username and code, not by id.

use std::collections::HashMap;

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::db::audit::AuditLogRow;
use crate::db::schema::{audit_log, sites, users};
use crate::web::{
    auth::{extract::AdminUser, session::TypedSession},
    error::{AppError, render},
    form::page_number,
    layout::Layout,
    startup::AppState,
};

/// Change sets per page.
pub const SETS_PER_PAGE: i64 = 50;

/// The query string: the page, from 1 (absent means the first).
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<String>,
}

/// One audited field change, as the table shows it.
#[derive(Debug, Clone)]
pub struct AdminAuditLine {
    pub at: String,
    pub who: String,
    pub action: String,
    /// The record by name: "user coord-a", "site AAA", "api_tokens 3".
    pub record: String,
    pub field: String,
    pub old: String,
    pub new: String,
    pub reason: String,
    /// True on the first line of a change set (the table groups them).
    pub first_of_set: bool,
}

/// The page.
#[derive(Template)]
#[template(path = "admin/audit.html")]
pub struct AdminAuditPage {
    pub layout: Layout,
    pub lines: Vec<AdminAuditLine>,
    pub page: i64,
    pub pages: i64,
}

/// Names for ids: users by username, sites by code.
struct Names {
    users: HashMap<i32, String>,
    sites: HashMap<i32, String>,
}

impl Names {
    fn load(conn: &mut SqliteConnection) -> QueryResult<Self> {
        Ok(Self {
            users: users::table
                .select((users::id, users::username))
                .load::<(i32, String)>(conn)?
                .into_iter()
                .collect(),
            sites: sites::table
                .select((sites::id, sites::code))
                .load::<(i32, String)>(conn)?
                .into_iter()
                .collect(),
        })
    }

    fn user(&self, id: i32) -> String {
        self.users
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    /// A site id as stored in a value ("3"), shown as its code.
    fn site_value(&self, value: Option<String>) -> String {
        let Some(value) = value else {
            return String::new();
        };
        value
            .parse::<i32>()
            .ok()
            .and_then(|id| self.sites.get(&id).cloned())
            .unwrap_or(value)
    }

    fn line(&self, row: AuditLogRow) -> AdminAuditLine {
        let record = match row.table_name.as_str() {
            "users" | "user_sites" => format!("user {}", self.user(row.record_id)),
            "sites" => format!(
                "site {}",
                self.sites
                    .get(&row.record_id)
                    .cloned()
                    .unwrap_or_else(|| row.record_id.to_string())
            ),
            other => format!("{other} {}", row.record_id),
        };
        let site_field = row.table_name == "user_sites" && row.field_name == "site_id";
        let (old, new) = if site_field {
            (
                self.site_value(row.old_value),
                self.site_value(row.new_value),
            )
        } else {
            (
                row.old_value.unwrap_or_default(),
                row.new_value.unwrap_or_default(),
            )
        };
        AdminAuditLine {
            at: row.changed_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            who: self.user(row.user_id.0),
            action: row.action,
            record,
            field: if site_field {
                "site".to_owned()
            } else {
                row.field_name
            },
            old,
            new,
            reason: row.reason.unwrap_or_default(),
            first_of_set: false,
        }
    }
}

/// The lines of page `page` (from 1; past the end shows the last) and the number of pages.
pub fn load_page(
    conn: &mut SqliteConnection,
    page: i64,
) -> QueryResult<(Vec<AdminAuditLine>, i64, i64)> {
    let sets: i64 = audit_log::table
        .filter(audit_log::patient_id.is_null())
        .select(diesel::dsl::count(audit_log::change_set_id).aggregate_distinct())
        .get_result(conn)?;
    let pages = ((sets + SETS_PER_PAGE - 1) / SETS_PER_PAGE).max(1);
    let page = page.min(pages);
    let ids: Vec<i32> = audit_log::table
        .filter(audit_log::patient_id.is_null())
        .select(audit_log::change_set_id)
        .distinct()
        .order(audit_log::change_set_id.desc())
        .limit(SETS_PER_PAGE)
        .offset((page - 1) * SETS_PER_PAGE)
        .load(conn)?;
    let rows: Vec<AuditLogRow> = audit_log::table
        .filter(audit_log::patient_id.is_null())
        .filter(audit_log::change_set_id.eq_any(&ids))
        .order((audit_log::change_set_id.desc(), audit_log::id))
        .select(AuditLogRow::as_select())
        .load(conn)?;
    let names = Names::load(conn)?;
    let mut last = None;
    let lines = rows
        .into_iter()
        .map(|row| {
            let set = row.change_set_id;
            let mut line = names.line(row);
            line.first_of_set = last != Some(set);
            last = Some(set);
            line
        })
        .collect();
    Ok((lines, page, pages))
}

/// Shows a page of the trail. A page number that is not a positive whole number is not found.
pub async fn get(
    AdminUser(user): AdminUser,
    session: TypedSession,
    query: web::Query<PageQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let requested = page_number(query.page.as_deref())
        .and_then(|n| i64::try_from(n).ok())
        .ok_or(AppError::NotFound)?;
    let (lines, page, pages) = state
        .db(move |conn| Ok(load_page(conn, requested)?))
        .await?;
    let page = AdminAuditPage {
        layout: Layout::new(&user, &session, "users")?,
        lines,
        page,
        pages,
    };
    render(StatusCode::OK, &page)
}
