//! `POST /patients/{pid}/courses/{cid}/follow-ups/{timepoint}`: saves the form as a draft or
//! marks it complete. 303 back to the form on success; 422 with every value kept and a message
//! beside each wrong field; 409 when someone else saved the form since it was opened (nothing
//! is overwritten: the form comes back with what changed).

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::Utc;
use diesel::prelude::*;

use super::{
    Context, FollowUpForm, FollowUpInput, FollowUpPage, Rights, load_context, load_context_for_save,
};
use crate::db::{
    audit::{ChangeSet, fields_of},
    events::{refresh_ivig_flags, replace_toxicity_treatments},
    follow_ups::{
        FollowUpChangeset, FollowUpRow, NewFollowUp, NewFollowUpSignOff, relapse_methods_of,
        replace_relapse_methods,
    },
    ids::{ApiTokenId, CourseId, FollowUpId, PatientId, ToxicityEventId, UserId},
    patients::PatientRow,
    schema::{follow_up_sign_offs, follow_ups, patients, toxicity_events},
};
use crate::domain::{access::Permission, response::RelapseMethod, vocabulary::Vocabulary};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::{FormPairs, ticked_codes},
    layout::Layout,
    startup::AppState,
};

/// What a save came to.
#[derive(Debug)]
pub enum SaveOutcome {
    Saved,
    /// Someone saved since the form was opened: the stored row now, and who saved it.
    Stale {
        current: Box<FollowUpRow>,
        by: String,
    },
    /// The form was locked meanwhile.
    Locked,
}

fn read_form(pairs: &FormPairs, ctx: &Context) -> FollowUpForm {
    let mut form = FollowUpForm::from_context(ctx);
    form.fill(pairs);
    form
}

/// What became of a submitted form: saved, or back to the user with this status, the form as
/// typed (with its messages) and the periods' events as stored now.
enum Submitted {
    Saved,
    Refused {
        status: StatusCode,
        form: Box<FollowUpForm>,
        fresh: Box<Context>,
    },
}

/// Saves the follow-up. The database work (the form's context, the save, and on a refusal the
/// events as stored now) runs in one trip to the blocking pool: each trip costs a thread
/// hand-off and a pooled connection, a measurable part of a save's CPU time (issue 3).
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32, String)>,
    pairs: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let (pid, cid, timepoint) = path.into_inner();
    let complete = pairs.get("action") == "complete";
    let today = Utc::now().date_naive();
    let (actor, printed_name) = (user.id, user.full_name.clone());
    let submitted = {
        let timepoint = timepoint.clone();
        state
            .db(move |conn| {
                let ctx = load_context_for_save(conn, &scope, pid, cid, &timepoint)?;
                if ctx.locked() {
                    return Err(AppError::Conflict(
                        "This follow-up is locked: an administrator must unlock it before it \
                         can change."
                            .to_owned(),
                    ));
                }
                let mut form = read_form(&pairs, &ctx);
                let mut status = StatusCode::UNPROCESSABLE_ENTITY;
                if let Some(input) = form.validate(&ctx, complete, today) {
                    let author = Author {
                        user: actor,
                        printed_name: &printed_name,
                        token: None,
                    };
                    let tp = ctx.timepoint.code();
                    match save(conn, author, pid, cid, tp, &input)? {
                        SaveOutcome::Saved => return Ok(Submitted::Saved),
                        SaveOutcome::Locked => {
                            return Err(AppError::Conflict(
                                "This follow-up was locked meanwhile; nothing was saved."
                                    .to_owned(),
                            ));
                        }
                        SaveOutcome::Stale { current, by } => {
                            status = StatusCode::CONFLICT;
                            let methods = relapse_methods_of(conn, current.id)?;
                            form.form_error = Some(stale_message(&form, &current, &methods, &by));
                            form.row_version = current.row_version;
                        }
                    }
                }
                // Re-render: events as stored now, values as typed.
                let fresh = load_context(conn, &scope, pid, cid, &timepoint)?;
                Ok(Submitted::Refused {
                    status,
                    form: Box::new(form),
                    fresh: Box::new(fresh),
                })
            })
            .await?
    };
    let (status, mut form, fresh) = match submitted {
        Submitted::Saved => {
            return Ok(see_other(&format!(
                "/patients/{pid}/courses/{cid}/follow-ups/{timepoint}?saved=1"
            )));
        }
        Submitted::Refused {
            status,
            form,
            fresh,
        } => (status, form, fresh),
    };
    form.attach_events(&fresh);
    if form.form_error.is_none() && status == StatusCode::UNPROCESSABLE_ENTITY {
        form.form_error = Some("The form was not saved: see the messages below.".to_owned());
    }
    let page = FollowUpPage::new(
        Layout::new(&user, &session, "patients")?,
        *fresh,
        *form,
        Rights::of(&user),
    );
    render(status, &page)
}

/// The stale-edit message: who saved, and every field whose stored value differs from what the
/// user typed, the relapse detection methods included (`methods`: the codes stored now).
pub fn stale_message(
    form: &FollowUpForm,
    current: &FollowUpRow,
    methods: &[String],
    by: &str,
) -> String {
    let stored = |v: Option<String>| v.unwrap_or_default();
    let first_method = |code: &str| {
        RelapseMethod::parse(code).map_or(code.trim().to_owned(), |m| m.label().to_owned())
    };
    let typed_first = first_method(&form.relapse_method.value);
    let typed_methods = method_labels(ticked_codes(&form.relapse_methods));
    let pairs = [
        (
            "Contact date",
            &form.contact_date.value,
            stored(current.contact_date.map(|d| d.to_string())),
        ),
        (
            "Contact type",
            &form.contact_type.value,
            stored(current.contact_type.clone()),
        ),
        (
            "Survival status",
            &form.survival_status.value,
            stored(current.survival_status.clone()),
        ),
        (
            "ECOG",
            &form.ecog.value,
            stored(current.ecog_performance_status.map(|e| e.to_string())),
        ),
        (
            "Relapse",
            &form.relapse_since_last.value,
            stored(current.relapse_since_last.clone()),
        ),
        (
            "Relapse first detected by",
            &typed_first,
            first_method(current.relapse_method.as_deref().unwrap_or_default()),
        ),
        (
            "Relapse detection methods",
            &typed_methods,
            method_labels(methods.iter().map(String::as_str).collect()),
        ),
    ];
    let diffs: Vec<String> = pairs
        .iter()
        .filter(|(_, typed, now)| typed.trim() != now.as_str())
        .map(|(name, typed, now)| {
            let now = if now.is_empty() {
                "blank"
            } else {
                now.as_str()
            };
            format!(
                "{name} is now {now} (you entered {})",
                if typed.is_empty() {
                    "blank"
                } else {
                    typed.as_str()
                }
            )
        })
        .collect();
    let detail = if diffs.is_empty() {
        String::new()
    } else {
        format!(" {}.", diffs.join("; "))
    };
    format!(
        "{by} saved this form at {} since you opened it, so your changes were not saved.{detail} \
         Your values are kept below: review them and save again to replace theirs.",
        current.updated_at.format("%Y-%m-%d %H:%M UTC")
    )
}

/// Relapse detection methods as a person reads them: labels in vocabulary order (so the same
/// set always reads the same), an unknown code as typed.
fn method_labels(codes: Vec<&str>) -> String {
    let mut known: Vec<RelapseMethod> = codes
        .iter()
        .filter_map(|c| RelapseMethod::parse(c).ok())
        .collect();
    known.sort();
    known.dedup();
    let unknown = codes
        .iter()
        .filter(|c| RelapseMethod::parse(c).is_err())
        .map(|c| (*c).to_owned());
    known
        .iter()
        .map(|m| m.label().to_owned())
        .chain(unknown)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who saves: the user, the name printed on a completion, and the API token it came through.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub user: i32,
    pub printed_name: &'a str,
    pub token: Option<i32>,
}

/// Inserts or updates the follow-up (refusing a stale `row_version`), adds the inline
/// infection, and writes every audit row, all in one transaction.
pub fn save(
    conn: &mut SqliteConnection,
    author: Author<'_>,
    pid: i32,
    cid: i32,
    timepoint: &str,
    input: &FollowUpInput,
) -> QueryResult<SaveOutcome> {
    let (actor, printed_name) = (author.user, author.printed_name);
    crate::db::write_transaction(conn, |conn| {
        let current = follow_ups::table
            .filter(follow_ups::course_id.eq(cid))
            .filter(follow_ups::timepoint.eq(timepoint))
            .select(FollowUpRow::as_select())
            .get_result(conn)
            .optional()?;
        let stale = |conn: &mut SqliteConnection, row: FollowUpRow| -> QueryResult<SaveOutcome> {
            let by = crate::db::users::username_of(conn, row.updated_by)?;
            Ok(SaveOutcome::Stale {
                current: Box::new(row),
                by,
            })
        };
        let flag = |key: &str| {
            input
                .none_to_report
                .iter()
                .find(|(k, _)| *k == key)
                .and_then(|(_, v)| *v)
        };
        let status = if input.complete {
            "COMPLETE"
        } else {
            "IN_PROGRESS"
        };
        let (relapse_date, relapse_method, relapse_antigen) =
            input.relapse.map_or((None, None, None), |r| r.details());
        let changes = ChangeSet::begin(
            conn,
            UserId(actor),
            author.token.map(ApiTokenId),
            input.reason.as_deref(),
        )?;
        let row = match current {
            Some(row) if row.locked_at.is_some() => return Ok(SaveOutcome::Locked),
            Some(row) if row.row_version != input.expected_row_version => {
                return stale(conn, row);
            }
            None if input.expected_row_version != 0 => {
                return Err(diesel::result::Error::NotFound);
            }
            Some(before) => {
                let set = FollowUpChangeset {
                    patient_id: PatientId(pid),
                    course_id: CourseId(cid),
                    timepoint: timepoint.to_owned(),
                    contact_date: input.contact_date,
                    contact_date_estimated: false,
                    contact_type: input.contact_type.map(|c| c.code().to_owned()),
                    survival_status: input.survival_status.map(|s| s.code().to_owned()),
                    ecog_performance_status: input.ecog,
                    relapse_since_last: input.relapse.map(|r| r.code().to_owned()),
                    relapse_date,
                    relapse_date_estimated: false,
                    relapse_method: relapse_method.map(|m| m.code().to_owned()),
                    relapse_antigen_status: relapse_antigen.map(|a| a.code().to_owned()),
                    form_status: status.to_owned(),
                    responses_none_to_report: flag("responses"),
                    toxicities_none_to_report: flag("toxicities"),
                    infections_none_to_report: flag("infections"),
                    new_malignancies_none_to_report: flag("new_malignancies"),
                    subsequent_therapies_none_to_report: flag("subsequent_therapies"),
                    persistence_tests_none_to_report: flag("persistence_tests"),
                    lab_results_none_to_report: flag("lab_results"),
                    immunoglobulin_none_to_report: flag("immunoglobulin"),
                    locked_by: None,
                    locked_at: None,
                    updated_by: UserId(actor),
                };
                let n = diesel::update(
                    follow_ups::table
                        .filter(follow_ups::id.eq(before.id.0))
                        .filter(follow_ups::row_version.eq(before.row_version)),
                )
                .set((
                    &set,
                    follow_ups::row_version.eq(follow_ups::row_version + 1),
                    follow_ups::updated_at.eq(Utc::now().naive_utc()),
                ))
                .execute(conn)?;
                if n == 0 {
                    return stale(conn, before);
                }
                let after: FollowUpRow = follow_ups::table
                    .find(before.id.0)
                    .select(FollowUpRow::as_select())
                    .get_result(conn)?;
                changes.record_update(
                    conn,
                    "follow_ups",
                    after.id.0,
                    Some(PatientId(pid)),
                    &fields_of(&before)?,
                    &fields_of(&after)?,
                )?;
                after
            }
            None => {
                let new = NewFollowUp {
                    patient_id: PatientId(pid),
                    course_id: CourseId(cid),
                    timepoint: timepoint.to_owned(),
                    contact_date: input.contact_date,
                    contact_date_estimated: false,
                    contact_type: input.contact_type.map(|c| c.code().to_owned()),
                    survival_status: input.survival_status.map(|s| s.code().to_owned()),
                    ecog_performance_status: input.ecog,
                    relapse_since_last: input.relapse.map(|r| r.code().to_owned()),
                    relapse_date,
                    relapse_date_estimated: false,
                    relapse_method: relapse_method.map(|m| m.code().to_owned()),
                    relapse_antigen_status: relapse_antigen.map(|a| a.code().to_owned()),
                    form_status: status.to_owned(),
                    responses_none_to_report: flag("responses"),
                    toxicities_none_to_report: flag("toxicities"),
                    infections_none_to_report: flag("infections"),
                    new_malignancies_none_to_report: flag("new_malignancies"),
                    subsequent_therapies_none_to_report: flag("subsequent_therapies"),
                    persistence_tests_none_to_report: flag("persistence_tests"),
                    lab_results_none_to_report: flag("lab_results"),
                    immunoglobulin_none_to_report: flag("immunoglobulin"),
                    locked_by: None,
                    locked_at: None,
                    created_by: UserId(actor),
                    updated_by: UserId(actor),
                };
                let row: FollowUpRow = diesel::insert_into(follow_ups::table)
                    .values(&new)
                    .returning(FollowUpRow::as_returning())
                    .get_result(conn)?;
                changes.record_insert(
                    conn,
                    "follow_ups",
                    row.id.0,
                    Some(PatientId(pid)),
                    &fields_of(&row)?,
                )?;
                row
            }
        };
        let methods: Vec<&str> = input.relapse_methods.iter().map(|m| m.code()).collect();
        replace_relapse_methods(conn, &changes, row.id, PatientId(pid), &methods)?;
        if let Some(entry) = &input.infection {
            super::infection::insert(conn, &changes, pid, row.id.0, actor, entry)?;
        }
        if let Some(course) = &input.immunoglobulin {
            super::immunoglobulin::insert(conn, &changes, pid, row.id.0, actor, course)?;
            // A course may start before IgG results already recorded: they follow it.
            refresh_ivig_flags(conn, &changes, PatientId(pid), UserId(actor))?;
        }
        if let Some(test) = &input.persistence {
            super::persistence::insert(conn, &changes, (pid, cid), row.id.0, actor, test)?;
        }
        if let Some(entry) = &input.therapy {
            super::therapy::insert(conn, &changes, (pid, cid), row.id.0, actor, entry)?;
        }
        if let Some(entry) = &input.malignancy {
            super::malignancy::insert(conn, &changes, pid, row.id.0, actor, entry)?;
        }
        if let Some(panel) = &input.lab {
            super::labs::insert_panel(conn, &changes, pid, row.id.0, actor, panel)?;
        }
        if let Some(entry) = &input.response {
            super::response::insert(conn, &changes, (pid, cid), row.id.0, actor, entry)?;
        }
        if let Some(t) = &input.toxicity {
            let id: i32 = diesel::insert_into(toxicity_events::table)
                .values((
                    toxicity_events::patient_id.eq(pid),
                    toxicity_events::course_id.eq(cid),
                    toxicity_events::reported_in_follow_up_id.eq(Some(row.id.0)),
                    toxicity_events::toxicity_type.eq(t.kind.code()),
                    toxicity_events::toxicity_term.eq(t.term.as_deref()),
                    toxicity_events::grading_system.eq(t.grading_system.code()),
                    toxicity_events::max_grade.eq(&t.grade),
                    toxicity_events::max_grade_date.eq(t.max_grade_date),
                    toxicity_events::max_grade_date_estimated.eq(t.max_grade_date_estimated),
                    toxicity_events::onset_date.eq(t.onset),
                    toxicity_events::resolution_date.eq(t.resolution),
                    toxicity_events::crs_hypotension.eq(t.hypotension.map(|h| h.code())),
                    toxicity_events::crs_hypoxia.eq(t.hypoxia.map(|h| h.code())),
                    toxicity_events::icans_lowest_ice_score.eq(t.ice_score.map(i32::from)),
                    toxicity_events::icaht_days_anc_le_500.eq(t.icaht.days_anc_le_500),
                    toxicity_events::icaht_days_anc_le_100.eq(t.icaht.days_anc_le_100),
                    toxicity_events::icaht_anc_nadir_per_ul.eq(t.icaht.anc_nadir_per_ul),
                    toxicity_events::created_by.eq(actor),
                    toxicity_events::updated_by.eq(actor),
                ))
                .returning(toxicity_events::id)
                .get_result(conn)?;
            changes.record_insert(
                conn,
                "toxicity_events",
                id,
                Some(PatientId(pid)),
                &[
                    (
                        "reported_in_follow_up_id".to_owned(),
                        Some(row.id.0.to_string()),
                    ),
                    ("toxicity_type".to_owned(), Some(t.kind.code().to_owned())),
                    ("toxicity_term".to_owned(), t.term.clone()),
                    (
                        "grading_system".to_owned(),
                        Some(t.grading_system.code().to_owned()),
                    ),
                    ("max_grade".to_owned(), Some(t.grade.clone())),
                    (
                        "max_grade_date".to_owned(),
                        t.max_grade_date.map(|d| d.to_string()),
                    ),
                    (
                        "max_grade_date_estimated".to_owned(),
                        Some(if t.max_grade_date_estimated { "1" } else { "0" }.to_owned()),
                    ),
                    ("onset_date".to_owned(), Some(t.onset.to_string())),
                    (
                        "resolution_date".to_owned(),
                        t.resolution.map(|d| d.to_string()),
                    ),
                    (
                        "crs_hypotension".to_owned(),
                        t.hypotension.map(|h| h.code().to_owned()),
                    ),
                    (
                        "crs_hypoxia".to_owned(),
                        t.hypoxia.map(|h| h.code().to_owned()),
                    ),
                    (
                        "icans_lowest_ice_score".to_owned(),
                        t.ice_score.map(|s| s.to_string()),
                    ),
                    (
                        "icaht_days_anc_le_500".to_owned(),
                        t.icaht.days_anc_le_500.map(|d| d.to_string()),
                    ),
                    (
                        "icaht_days_anc_le_100".to_owned(),
                        t.icaht.days_anc_le_100.map(|d| d.to_string()),
                    ),
                    (
                        "icaht_anc_nadir_per_ul".to_owned(),
                        t.icaht.anc_nadir_per_ul.map(|n| n.to_string()),
                    ),
                ],
            )?;
            let event = ToxicityEventId(id);
            let rows: Vec<_> = t
                .treatments
                .iter()
                .map(|g| g.to_row(event, UserId(actor)))
                .collect();
            replace_toxicity_treatments(conn, &changes, event, PatientId(pid), &rows)?;
        }
        if let Some(entry) = &input.death {
            let date = &entry.date;
            super::death::insert(conn, &changes, pid, row.id.0, actor, entry)?;
            let before: PatientRow = patients::table
                .find(pid)
                .select(PatientRow::as_select())
                .first(conn)?;
            diesel::update(patients::table.find(pid))
                .set((
                    patients::ltfu_status.eq("DEAD"),
                    patients::ltfu_status_date.eq(Some(*date)),
                    patients::updated_by.eq(actor),
                    patients::updated_at.eq(Utc::now().naive_utc()),
                    patients::row_version.eq(patients::row_version + 1),
                ))
                .execute(conn)?;
            let after: PatientRow = patients::table
                .find(pid)
                .select(PatientRow::as_select())
                .first(conn)?;
            changes.record_update(
                conn,
                "patients",
                pid,
                Some(PatientId(pid)),
                &fields_of(&before)?,
                &fields_of(&after)?,
            )?;
        }
        if input.complete {
            diesel::insert_into(follow_up_sign_offs::table)
                .values(NewFollowUpSignOff {
                    follow_up_id: FollowUpId(row.id.0),
                    act: "COMPLETE".to_owned(),
                    user_id: UserId(actor),
                    printed_name: printed_name.to_owned(),
                    signature_meaning: None,
                    reason: input.reason.clone(),
                })
                .execute(conn)?;
        }
        Ok(SaveOutcome::Saved)
    })
}
