//! `POST …/follow-ups/{timepoint}/unlock`: an administrator unlocks a locked follow-up, giving
//! a reason. Unlocking voids the e-signature: the form goes back to complete.

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::Utc;
use diesel::prelude::*;

use super::{FollowUpForm, FollowUpPage, Rights, load_context};
use crate::db::{
    audit::{ChangeSet, fields_of},
    follow_ups::{FollowUpRow, NewFollowUpSignOff},
    ids::{FollowUpId, PatientId, UserId},
    schema::{follow_up_sign_offs, follow_ups},
};
use crate::domain::access::Permission;
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::FormPairs,
    layout::Layout,
    startup::AppState,
};

/// Unlocks with a reason; without one the form comes back with 422.
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32, String)>,
    pairs: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::UnlockFollowUp)?;
    let (pid, cid, timepoint) = path.into_inner();
    let ctx = {
        let (scope, timepoint) = (scope.clone(), timepoint.clone());
        state
            .db(move |conn| load_context(conn, &scope, pid, cid, &timepoint))
            .await?
    };
    let Some(row) = ctx.existing.clone().filter(|_| ctx.locked()) else {
        return Err(AppError::Conflict(
            "This follow-up is not locked.".to_owned(),
        ));
    };
    let reason = pairs.get("reason").trim().to_owned();
    if reason.is_empty() {
        let form = FollowUpForm::from_context(&ctx);
        let mut page = FollowUpPage::new(
            Layout::new(&user, &session, "patients")?,
            ctx,
            form,
            Rights::of(&user),
        );
        page.unlock_error = Some("Give the reason for unlocking.".to_owned());
        return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let actor = user.id;
    let printed_name = user.full_name.clone();
    state
        .db(move |conn| Ok(unlock(conn, actor, &printed_name, pid, &row, &reason)?))
        .await?;
    Ok(see_other(&format!(
        "/patients/{pid}/courses/{cid}/follow-ups/{timepoint}"
    )))
}

fn unlock(
    conn: &mut SqliteConnection,
    actor: i32,
    printed_name: &str,
    pid: i32,
    before: &FollowUpRow,
    reason: &str,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        diesel::insert_into(follow_up_sign_offs::table)
            .values(NewFollowUpSignOff {
                follow_up_id: FollowUpId(before.id.0),
                act: "UNLOCK".to_owned(),
                user_id: UserId(actor),
                printed_name: printed_name.to_owned(),
                signature_meaning: None,
                reason: Some(reason.to_owned()),
            })
            .execute(conn)?;
        let now = Utc::now().naive_utc();
        diesel::update(follow_ups::table.filter(follow_ups::id.eq(before.id.0)))
            .set((
                follow_ups::form_status.eq("COMPLETE"),
                follow_ups::locked_by.eq(None::<i32>),
                follow_ups::locked_at.eq(None::<chrono::NaiveDateTime>),
                follow_ups::updated_by.eq(actor),
                follow_ups::updated_at.eq(now),
                follow_ups::row_version.eq(follow_ups::row_version + 1),
            ))
            .execute(conn)?;
        let after: FollowUpRow = follow_ups::table
            .find(before.id.0)
            .select(FollowUpRow::as_select())
            .first(conn)?;
        let changes = ChangeSet::begin(conn, UserId(actor), None, Some(reason))?;
        changes.record_update(
            conn,
            "follow_ups",
            after.id.0,
            Some(PatientId(pid)),
            &fields_of(before)?,
            &fields_of(&after)?,
        )?;
        Ok(())
    })
}
