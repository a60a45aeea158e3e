//! `GET|POST /patients/{pid}/events/{kind}/{id}/delete`: deleting a recorded event, after a
//! confirmation page that shows what will go and asks for a reason. The audit trail keeps the
//! deleted row's last values.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use diesel::prelude::*;

use super::{
    EventContext, EventForm,
    edit::{LOCKED, ivig_flags_companion},
    load_scoped,
};
use crate::db::{
    events::{Companion, EventKind, EventRevision, StoredEvent, delete_event},
    ids::UserId,
    patients::set_status_within,
    schema::follow_ups,
};
use crate::domain::{follow_up::SurvivalStatus, patient::LtfuStatus, vocabulary::Vocabulary};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::{Field, FormPairs},
    layout::Layout,
    startup::AppState,
};

/// The confirmation page.
#[derive(Template)]
#[template(path = "events/delete.html")]
pub struct DeleteEventPage {
    pub layout: Layout,
    pub patient_id: i32,
    pub kind_label: &'static str,
    pub action: String,
    /// What will be deleted: (label, stored value).
    pub summary: Vec<(&'static str, String)>,
    pub row_version: i32,
    pub reason: Field,
    pub is_death: bool,
    pub locked: bool,
    pub form_error: Option<String>,
}

impl DeleteEventPage {
    fn new(layout: Layout, pid: i32, event: &StoredEvent, ctx: &EventContext) -> Self {
        let form = EventForm::from_stored(event);
        Self {
            layout,
            patient_id: pid,
            kind_label: event.kind.label(),
            action: format!(
                "/patients/{pid}/events/{}/{}/delete",
                event.kind.slug(),
                event.id
            ),
            summary: form
                .fields
                .iter()
                .map(|f| {
                    let shown = f
                        .choices
                        .iter()
                        .find(|(code, _)| *code == f.field.value)
                        .map_or_else(|| f.field.value.clone(), |(_, label)| label.clone());
                    (f.label, shown)
                })
                .collect(),
            row_version: event.row_version,
            reason: Field::default(),
            is_death: event.kind == EventKind::Death,
            locked: ctx.locked,
            form_error: ctx.locked.then(|| LOCKED.to_owned()),
        }
    }
}

/// Asks for confirmation and a reason.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, String, i32)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (pid, kind, id) = path.into_inner();
    let who = user.clone();
    let (event, ctx) = state
        .db(move |conn| load_scoped(conn, &who, pid, &kind, id))
        .await?;
    let page = DeleteEventPage::new(Layout::new(&user, &session, "patients")?, pid, &event, &ctx);
    render(StatusCode::OK, &page)
}

/// Deleting the death gives the patient back an active status; refused while a follow-up
/// still reports the patient dead (correct that follow-up's survival status first, so the
/// record never says both).
fn undo_death() -> Companion<'static> {
    Box::new(|conn, changes, before| {
        let still_dead: Vec<String> = follow_ups::table
            .filter(follow_ups::patient_id.eq(before.patient_id.0))
            .filter(follow_ups::survival_status.eq(SurvivalStatus::Dead.code()))
            .select(follow_ups::timepoint)
            .load(conn)?;
        if !still_dead.is_empty() {
            return Ok(Some(format!(
                "A follow-up still reports the patient dead ({}): change its survival status \
                 first, then delete the death.",
                still_dead.join(", ")
            )));
        }
        set_status_within(
            conn,
            changes,
            before.patient_id,
            LtfuStatus::Active.code(),
            None,
        )?;
        Ok(None)
    })
}

/// Deletes the event (303 to the patient page), or re-renders the confirmation with 422 (no
/// reason), 409 (changed meanwhile, or refused) or 403 (locked).
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, String, i32)>,
    pairs: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (pid, kind, id) = path.into_inner();
    let who = user.clone();
    let (event, ctx) = state
        .db(move |conn| load_scoped(conn, &who, pid, &kind, id))
        .await?;
    let mut page =
        DeleteEventPage::new(Layout::new(&user, &session, "patients")?, pid, &event, &ctx);
    if ctx.locked {
        return render(StatusCode::FORBIDDEN, &page);
    }
    page.reason = Field::new(pairs.get("reason"));
    let version: i32 = pairs.get("row_version").trim().parse().unwrap_or(-1);
    let Some(reason) = page.reason.optional() else {
        page.reason
            .fail("Give the reason for deleting this record.");
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let (actor, kind) = (UserId(user.id), event.kind);
    let outcome = state
        .db(move |conn| {
            let companion = match kind {
                EventKind::Death => Some(undo_death()),
                EventKind::Immunoglobulin => Some(ivig_flags_companion(actor)),
                _ => None,
            };
            Ok(delete_event(
                conn, actor, kind, id, version, &reason, companion,
            )?)
        })
        .await?;
    match outcome {
        EventRevision::Done => Ok(see_other(&format!("/patients/{pid}"))),
        EventRevision::Missing => Err(AppError::NotFound),
        EventRevision::Refused(message) => {
            page.form_error = Some(message);
            render(StatusCode::CONFLICT, &page)
        }
        EventRevision::Stale { current, by } => {
            let now = DeleteEventPage::new(page.layout.clone(), pid, &current, &ctx);
            page.summary = now.summary;
            page.row_version = current.row_version;
            page.form_error = Some(format!(
                "{by} changed this record at {} since you opened it, so it was not deleted. \
                 Its values now are shown below: confirm again to delete it.",
                current.updated_at.format("%Y-%m-%d %H:%M UTC")
            ));
            render(StatusCode::CONFLICT, &page)
        }
    }
}
