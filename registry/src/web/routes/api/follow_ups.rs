//! `/api/v1/patients/{pid}/follow-ups` (list) and
//! `/api/v1/patients/{pid}/courses/{cid}/follow-ups/{timepoint}` (GET one, PUT to create or
//! update). The PUT body carries the follow-up form's own field names (`contact_date`,
//! `none_infections`: `"none"`/`"events"`, `relapse_method`, …) and goes through the form's
//! validation and save: the same rules, the same audit rows (naming the token), the same
//! stale-edit refusal.
//!
//! Every method that detected a relapse is the list `relapse_methods` (codes), in the body and
//! in the stored follow-up returned; `relapse_method` is the one that detected it first.
//!
//! Versions: the body's `row_version` or an `If-Match: "<row_version>"` header (0 creates);
//! a stale version is a 409 with the stored follow-up. A locked follow-up is a 423. Invalid
//! input is a 422 with `{"errors": {field: message}}`.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header, web};
use diesel::prelude::*;
use serde::Serialize;

use super::ApiError;
use crate::db::{
    follow_ups::{FollowUpRow, relapse_methods_of},
    schema::follow_ups,
};
use crate::domain::{access::Permission, vocabulary::Vocabulary};
use crate::web::{
    auth::{api_token::ApiTokenId, extract::CurrentUser},
    error::AppError,
    form::FormPairs,
    routes::{
        follow_ups::{
            FollowUpForm, load_context, load_context_for_save,
            post::{Author, SaveOutcome, save, stale_message},
        },
        patients::find_patient,
    },
    startup::AppState,
};

/// The follow-up routes of the API scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/patients/{pid}/follow-ups", web::get().to(list))
        .service(
            web::resource("/patients/{pid}/courses/{cid}/follow-ups/{timepoint}")
                .route(web::get().to(show))
                .route(web::put().to(put)),
        );
}

/// One line of the list.
#[derive(Debug, Serialize)]
struct ListItem {
    id: i32,
    course_id: i32,
    timepoint: String,
    contact_date: Option<String>,
    form_status: String,
    locked: bool,
    row_version: i32,
}

/// The follow-ups of a patient of the token owner's sites (404 otherwise), by course and
/// contact date.
pub async fn list(
    user: CurrentUser,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = user.sites_for(Permission::ReadPatients)?;
    let pid = path.into_inner();
    let rows: Vec<FollowUpRow> = state
        .db(move |conn| {
            find_patient(conn, &scope, pid)?.ok_or(AppError::NotFound)?;
            Ok(follow_ups::table
                .filter(follow_ups::patient_id.eq(pid))
                .order((
                    follow_ups::course_id.asc(),
                    follow_ups::contact_date.asc(),
                    follow_ups::id.asc(),
                ))
                .select(FollowUpRow::as_select())
                .load(conn)?)
        })
        .await?;
    let items: Vec<ListItem> = rows
        .into_iter()
        .map(|r| ListItem {
            id: r.id.0,
            course_id: r.course_id.0,
            timepoint: r.timepoint,
            contact_date: r.contact_date.map(|d| d.to_string()),
            form_status: r.form_status,
            locked: r.locked_at.is_some(),
            row_version: r.row_version,
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}

/// The stored follow-up as JSON, with the methods that detected its relapse.
fn follow_up_json(row: &FollowUpRow, relapse_methods: &[String]) -> serde_json::Value {
    let mut value = serde_json::to_value(row).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut value {
        map.insert(
            "relapse_methods".to_owned(),
            serde_json::json!(relapse_methods),
        );
    }
    value
}

/// The stored follow-up with its version as an `ETag`.
fn with_version(status: StatusCode, row: &FollowUpRow, relapse_methods: &[String]) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, format!("\"{}\"", row.row_version)))
        .json(follow_up_json(row, relapse_methods))
}

/// One follow-up (404 when out of scope or not recorded yet).
pub async fn show(
    user: CurrentUser,
    path: web::Path<(i32, i32, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = user.sites_for(Permission::ReadPatients)?;
    let (pid, cid, timepoint) = path.into_inner();
    let ctx = state
        .db(move |conn| load_context(conn, &scope, pid, cid, &timepoint))
        .await?;
    let row = ctx.existing.as_ref().ok_or(AppError::NotFound)?;
    Ok(with_version(StatusCode::OK, row, &ctx.relapse_methods))
}

/// A JSON value as the text a form field would hold: strings as they are, numbers in
/// decimal, `true` as `1` (a ticked box), `false` and `null` blank, a list as its items
/// joined by commas (a check-all such as `relapse_methods`).
fn as_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null | serde_json::Value::Bool(false) => String::new(),
        serde_json::Value::Bool(true) => "1".to_owned(),
        serde_json::Value::Array(items) => items.iter().map(as_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The version the client read: `If-Match` wins over the body's `row_version`.
fn expected_version(
    req: &HttpRequest,
    body: &BTreeMap<String, serde_json::Value>,
) -> Option<String> {
    let from_header = req
        .headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned()
        });
    from_header.or_else(|| body.get("row_version").map(as_text))
}

fn unprocessable(errors: Vec<(String, String)>) -> HttpResponse {
    let map: BTreeMap<String, String> = errors.into_iter().collect();
    HttpResponse::UnprocessableEntity().json(serde_json::json!({ "errors": map }))
}

fn locked() -> HttpResponse {
    HttpResponse::build(StatusCode::LOCKED).json(serde_json::json!({
        "error": "This follow-up is locked: an administrator must unlock it before it can change."
    }))
}

/// Creates or updates the follow-up of a timepoint: 201 (created) or 200 with the stored
/// follow-up and its `ETag`; 422, 409 (stale), 423 (locked), 404 (out of scope), 403 (role).
pub async fn put(
    user: CurrentUser,
    token: ApiTokenId,
    req: HttpRequest,
    path: web::Path<(i32, i32, String)>,
    body: web::Json<BTreeMap<String, serde_json::Value>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let (pid, cid, timepoint) = path.into_inner();
    let body = body.into_inner();
    let Some(version) = expected_version(&req, &body) else {
        return Ok(unprocessable(vec![(
            "row_version".to_owned(),
            "Send the row_version you read (0 to create), or an If-Match header.".to_owned(),
        )]));
    };
    let ctx = {
        let timepoint = timepoint.clone();
        state
            .db(move |conn| load_context_for_save(conn, &scope, pid, cid, &timepoint))
            .await?
    };
    if ctx.locked() {
        return Ok(locked());
    }
    let mut pairs: Vec<(String, String)> = body
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "row_version" | "complete"))
        .map(|(k, v)| (k.clone(), as_text(v)))
        .collect();
    pairs.push(("row_version".to_owned(), version));
    let complete = body
        .get("complete")
        .is_some_and(|v| matches!(v, serde_json::Value::Bool(true)));
    let mut form = FollowUpForm::from_context(&ctx);
    // A misspelt key would otherwise be a blank field: name it instead.
    let known: Vec<String> = form.fields_mut().into_iter().map(|(n, _)| n).collect();
    let unknown: Vec<(String, String)> = body
        .keys()
        .filter(|k| !known.contains(k))
        .filter(|k| !matches!(k.as_str(), "row_version" | "complete" | "confirm_window"))
        .map(|k| (k.clone(), "Not a field of the follow-up form.".to_owned()))
        .collect();
    if !unknown.is_empty() {
        return Ok(unprocessable(unknown));
    }
    form.fill(&FormPairs(pairs));
    if form.row_version < 0 {
        return Ok(unprocessable(vec![(
            "row_version".to_owned(),
            "row_version is a whole number (0 to create).".to_owned(),
        )]));
    }
    let today = chrono::Utc::now().date_naive();
    let Some(input) = form.validate(&ctx, complete, today) else {
        return Ok(unprocessable(form.errors()));
    };
    let created = ctx.existing.is_none();
    let actor = user.id;
    let printed_name = user.full_name.clone();
    let tp = ctx.timepoint;
    let outcome = state
        .db(move |conn| {
            let outcome = save(
                conn,
                Author {
                    user: actor,
                    printed_name: &printed_name,
                    token: Some(token.0),
                },
                pid,
                cid,
                tp.code(),
                &input,
            )?;
            let row: Option<FollowUpRow> = follow_ups::table
                .filter(follow_ups::course_id.eq(cid))
                .filter(follow_ups::timepoint.eq(tp.code()))
                .select(FollowUpRow::as_select())
                .first(conn)
                .optional()?;
            let methods = match &row {
                Some(r) => relapse_methods_of(conn, r.id)?,
                None => Vec::new(),
            };
            Ok((outcome, row, methods))
        })
        .await;
    match outcome {
        Ok((SaveOutcome::Saved, Some(row), methods)) => Ok(with_version(
            if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            },
            &row,
            &methods,
        )),
        Ok((SaveOutcome::Saved, None, _)) => Err(AppError::NotFound.into()),
        Ok((SaveOutcome::Locked, _, _)) => Ok(locked()),
        Ok((SaveOutcome::Stale { current, by }, _, methods)) => {
            Ok(HttpResponse::Conflict().json(serde_json::json!({
                "error": stale_message(&form, &current, &methods, &by),
                "current": follow_up_json(&current, &methods),
            })))
        }
        // A version for a follow-up that does not exist yet.
        Err(AppError::NotFound) => Ok(HttpResponse::Conflict().json(serde_json::json!({
            "error": "This follow-up does not exist yet: create it with row_version 0."
        }))),
        Err(e) => Err(e.into()),
    }
}
