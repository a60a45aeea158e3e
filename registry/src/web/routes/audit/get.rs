//! `GET /patients/{id}/audit`

use std::collections::HashMap;

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use diesel::prelude::*;
use serde::Deserialize;

use crate::db::{audit::trail_of_patient, ids::PatientId, schema::users};
use crate::domain::access::Permission;
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    routes::patients::find_patient,
    startup::AppState,
};

/// Narrows the trail to one record.
#[derive(Debug, Deserialize)]
pub struct RecordFilter {
    table: Option<String>,
    record: Option<i32>,
}

/// One audited field change.
#[derive(Debug, Clone)]
pub struct AuditLine {
    pub change_set: i32,
    pub at: String,
    pub who: String,
    pub action: String,
    pub table: String,
    pub record: i32,
    pub field: String,
    pub old: String,
    pub new: String,
    pub reason: String,
    /// True on the first line of a change set (the table groups them).
    pub first_of_set: bool,
}

/// The page.
#[derive(Template)]
#[template(path = "audit/trail.html")]
pub struct AuditPage {
    pub layout: Layout,
    pub patient_id: i32,
    pub registry_id: String,
    pub scope: String,
    pub lines: Vec<AuditLine>,
}

/// Shows the trail, newest change first.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<i32>,
    query: web::Query<RecordFilter>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::ReadAuditTrail)?;
    let pid = path.into_inner();
    let RecordFilter { table, record } = query.into_inner();
    let label = match (&table, record) {
        (Some(t), Some(r)) => format!("record {r} of {t}"),
        _ => "every record".to_owned(),
    };
    let (registry_id, lines) = state
        .db(move |conn| {
            let patient = find_patient(conn, &scope, pid)?.ok_or(AppError::NotFound)?;
            let rows = trail_of_patient(conn, PatientId(pid))?;
            let names: HashMap<i32, String> = users::table
                .select((users::id, users::username))
                .load::<(i32, String)>(conn)?
                .into_iter()
                .collect();
            let mut lines: Vec<AuditLine> = rows
                .into_iter()
                .filter(|r| table.as_ref().is_none_or(|t| &r.table_name == t))
                .filter(|r| record.is_none_or(|id| r.record_id == id))
                .map(|r| AuditLine {
                    change_set: r.change_set_id,
                    at: r.changed_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    who: names
                        .get(&r.user_id.0)
                        .cloned()
                        .unwrap_or_else(|| r.user_id.to_string()),
                    action: r.action,
                    table: r.table_name,
                    record: r.record_id,
                    field: r.field_name,
                    old: r.old_value.unwrap_or_default(),
                    new: r.new_value.unwrap_or_default(),
                    reason: r.reason.unwrap_or_default(),
                    first_of_set: false,
                })
                .collect();
            lines.reverse();
            let mut last = None;
            for line in &mut lines {
                line.first_of_set = last != Some(line.change_set);
                last = Some(line.change_set);
            }
            Ok((patient.registry_id, lines))
        })
        .await?;
    let page = AuditPage {
        layout: Layout::new(&user, &session, "patients")?,
        patient_id: pid,
        registry_id,
        scope: label,
        lines,
    };
    render(StatusCode::OK, &page)
}
