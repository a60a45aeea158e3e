//! `GET|POST /patients/{pid}/events/{kind}/{id}/edit`: the correction form of one event.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;

use super::{EventContext, EventForm, children_of, load_scoped, rules};
use crate::db::{
    events::{
        ColumnValue, Companion, EventKind, EventRevision, NewDeathContributingCause,
        NewInfectionSite, StoredEvent, ivig_within_30_days, refresh_ivig_flags,
        replace_death_contributing_causes, replace_infection_sites, replace_toxicity_treatments,
        revise_event,
    },
    ids::{DeathId, InfectionId, PatientId, ToxicityEventId, UserId},
    patients::set_status_within,
};
use crate::domain::{
    death::CauseOfDeath, infection::InfectionSite, lab::LabAnalyte, patient::LtfuStatus,
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::FormPairs,
    layout::Layout,
    routes::{follow_ups::treatments::TreatmentGiven, patients::what_changed},
    startup::AppState,
};

/// The page.
#[derive(Template)]
#[template(path = "events/edit.html")]
pub struct EditEventPage {
    pub layout: Layout,
    pub patient_id: i32,
    pub kind_label: &'static str,
    pub action: String,
    pub delete_href: String,
    pub form: EventForm,
    /// The reporting follow-up is locked: shown read-only.
    pub locked: bool,
    pub follow_up_label: Option<String>,
}

impl EditEventPage {
    fn new(
        layout: Layout,
        pid: i32,
        event: &StoredEvent,
        ctx: &EventContext,
        form: EventForm,
    ) -> Self {
        let base = format!("/patients/{pid}/events/{}/{}", event.kind.slug(), event.id);
        Self {
            layout,
            patient_id: pid,
            kind_label: event.kind.label(),
            action: format!("{base}/edit"),
            delete_href: format!("{base}/delete"),
            form,
            locked: ctx.locked,
            follow_up_label: ctx.follow_up_label.clone(),
        }
    }
}

/// The message of a locked event.
pub const LOCKED: &str = "The follow-up that reported this event is locked: it is read-only \
                          until an administrator unlocks that follow-up with a reason.";

/// Shows the form filled with the stored values (read-only when locked).
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, String, i32)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (pid, kind, id) = path.into_inner();
    let who = user.clone();
    let (event, ctx, children) = state
        .db(move |conn| {
            let (event, ctx) = load_scoped(conn, &who, pid, &kind, id)?;
            let children = children_of(conn, &event)?;
            Ok((event, ctx, children))
        })
        .await?;
    let mut form = EventForm::from_stored(&event).with_children(&children);
    if ctx.locked {
        form.form_error = Some(LOCKED.to_owned());
    }
    let page = EditEventPage::new(
        Layout::new(&user, &session, "patients")?,
        pid,
        &event,
        &ctx,
        form,
    );
    render(StatusCode::OK, &page)
}

/// IgG within 30 days after immunoglobulin replacement is not the patient's own (domain.md
/// §9): the flag is recomputed from the recorded courses, as at entry.
fn ivig_flag(
    conn: &mut SqliteConnection,
    pid: i32,
    columns: &[(&'static str, ColumnValue)],
) -> QueryResult<ColumnValue> {
    let analyte = columns.iter().find_map(|(c, v)| match (c, v) {
        (&"analyte", ColumnValue::Text(Some(a))) => Some(a.clone()),
        _ => None,
    });
    let date = columns.iter().find_map(|(c, v)| match (c, v) {
        (&"sample_date", ColumnValue::Date(Some(d))) => Some(*d),
        _ => None,
    });
    match (analyte, date) {
        (Some(analyte), Some(date)) if analyte == LabAnalyte::Igg.code() => Ok(ColumnValue::Text(
            Some(ivig_within_30_days(conn, PatientId(pid), date)?.to_owned()),
        )),
        _ => Ok(ColumnValue::Text(None)),
    }
}

/// A death's contributing causes become the corrected check-all, in the same change set (a
/// change to them alone still raises the death's version: see `revise_event`), and a
/// corrected death date moves the patient's "dead since" with it.
fn death_companion(
    actor: UserId,
    contributing: Vec<(CauseOfDeath, Option<String>)>,
) -> Companion<'static> {
    Box::new(move |conn, changes, after| {
        let death = DeathId(after.id);
        let rows: Vec<NewDeathContributingCause> = contributing
            .iter()
            .map(|(cause, cause_other)| NewDeathContributingCause {
                death_id: death,
                cause: cause.code().to_owned(),
                cause_other: cause_other.clone(),
                created_by: actor,
                updated_by: actor,
            })
            .collect();
        replace_death_contributing_causes(conn, changes, death, after.patient_id, &rows)?;
        let date = NaiveDate::parse_from_str(&after.text("death_date"), "%Y-%m-%d").ok();
        set_status_within(
            conn,
            changes,
            after.patient_id,
            LtfuStatus::Dead.code(),
            date,
        )?;
        Ok(None)
    })
}

/// A corrected immunoglobulin course (its start, its stop, whether it is ongoing) changes
/// which IgG results are the patient's own: their flags follow, in the same change set.
pub fn ivig_flags_companion(actor: UserId) -> Companion<'static> {
    Box::new(move |conn, changes, course| {
        refresh_ivig_flags(conn, changes, course.patient_id, actor)?;
        Ok(None)
    })
}

/// A toxicity's treatments become the corrected check-all, in the same change set (a change
/// to them alone still raises the toxicity's version: see `revise_event`).
fn treatments_companion(actor: UserId, given: Vec<TreatmentGiven>) -> Companion<'static> {
    Box::new(move |conn, changes, after| {
        let event = ToxicityEventId(after.id);
        let rows: Vec<_> = given.iter().map(|g| g.to_row(event, actor)).collect();
        replace_toxicity_treatments(conn, changes, event, after.patient_id, &rows)?;
        Ok(None)
    })
}

/// An infection's sites become the corrected check-all, in the same change set (a change to
/// them alone still raises the infection's version: see `revise_event`).
fn sites_companion(
    actor: UserId,
    given: Vec<(InfectionSite, Option<String>)>,
) -> Companion<'static> {
    Box::new(move |conn, changes, after| {
        let infection = InfectionId(after.id);
        let rows: Vec<NewInfectionSite> = given
            .iter()
            .map(|(site, site_other)| NewInfectionSite {
                infection_id: infection,
                site: site.code().to_owned(),
                site_other: site_other.clone(),
                created_by: actor,
                updated_by: actor,
            })
            .collect();
        replace_infection_sites(conn, changes, infection, after.patient_id, &rows)?;
        Ok(None)
    })
}

/// Saves the correction (303 to the patient page), or 422 / 409 / 403 with the values kept.
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, String, i32)>,
    pairs: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let (pid, kind, id) = path.into_inner();
    let who = user.clone();
    let (event, ctx, children) = state
        .db(move |conn| {
            let (event, ctx) = load_scoped(conn, &who, pid, &kind, id)?;
            let children = children_of(conn, &event)?;
            Ok((event, ctx, children))
        })
        .await?;
    let mut form = EventForm::from_sent(&event, &pairs);
    let layout = Layout::new(&user, &session, "patients")?;
    if ctx.locked {
        let mut stored = EventForm::from_stored(&event).with_children(&children);
        stored.form_error = Some(LOCKED.to_owned());
        let page = EditEventPage::new(layout, pid, &event, &ctx, stored);
        return render(StatusCode::FORBIDDEN, &page);
    }
    let today = chrono::Utc::now().date_naive();
    let columns = rules::validate(&mut form, &event, &ctx, today);
    let reason = form.reason.optional();
    if reason.is_none() {
        form.reason.fail("Give the reason for the correction.");
    }
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (Some(mut columns), Some(reason)) = (columns, reason) {
        let (actor, kind, version) = (UserId(user.id), event.kind, form.row_version);
        let (given, sites, contributing) = (
            form.treatments_given.clone(),
            form.sites_given.clone(),
            form.contributing_given.clone(),
        );
        let outcome = state
            .db(move |conn| {
                if kind == EventKind::Lab {
                    let flag = ivig_flag(conn, pid, &columns)?;
                    columns.push(("ivig_within_30_days", flag));
                }
                let companion = match (kind, given, sites, contributing) {
                    (EventKind::Death, .., Some(contributing)) => {
                        Some(death_companion(actor, contributing))
                    }
                    (EventKind::Toxicity, Some(given), ..) => {
                        Some(treatments_companion(actor, given))
                    }
                    (EventKind::Infection, _, Some(sites), _) => {
                        Some(sites_companion(actor, sites))
                    }
                    (EventKind::Immunoglobulin, ..) => Some(ivig_flags_companion(actor)),
                    _ => None,
                };
                Ok(revise_event(
                    conn, actor, kind, id, version, &reason, &columns, companion,
                )?)
            })
            .await?;
        match outcome {
            EventRevision::Done => return Ok(see_other(&format!("/patients/{pid}"))),
            EventRevision::Missing => return Err(AppError::NotFound),
            EventRevision::Refused(message) => {
                status = StatusCode::CONFLICT;
                form.form_error = Some(message);
            }
            EventRevision::Stale { current, by } => {
                status = StatusCode::CONFLICT;
                let mut stored: Vec<(String, String, String)> = form
                    .fields
                    .iter()
                    .map(|f| {
                        let shown = |code: String| {
                            f.choices
                                .iter()
                                .find(|(c, _)| *c == code.trim())
                                .map_or(code.clone(), |(_, label)| label.clone())
                        };
                        (
                            f.label.to_owned(),
                            shown(f.field.value.clone()),
                            shown(current.text(f.name)),
                        )
                    })
                    .collect();
                // A toxicity's treatments, an infection's sites and a death's contributing
                // causes are compared too: each agent, the sites, the causes, as typed and as
                // stored.
                let now = (*current).clone();
                let saved = state.db(move |conn| Ok(children_of(conn, &now)?)).await?;
                let saved = EventForm::from_stored(&current).with_children(&saved);
                for ((label, typed), (_, saved)) in form
                    .child_summaries()
                    .into_iter()
                    .zip(saved.child_summaries())
                {
                    stored.push((label, typed, saved));
                }
                let triples: Vec<(&str, &String, &String)> =
                    stored.iter().map(|(l, t, s)| (l.as_str(), t, s)).collect();
                form.form_error = Some(what_changed(&by, current.updated_at, &triples));
                form.row_version = current.row_version;
            }
        }
    }
    if form.form_error.is_none() {
        form.form_error = Some("The correction was not saved: see the messages below.".to_owned());
    }
    let page = EditEventPage::new(layout, pid, &event, &ctx, form);
    render(status, &page)
}
