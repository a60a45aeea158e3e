//! `POST …/follow-ups/{timepoint}/lock`: a monitor verifies, e-signs and locks a completed
//! follow-up, re-entering their password (21 CFR 11.50 and 11.200: printed name, date and time,
//! and the meaning of the signature are recorded in `follow_up_sign_offs`).

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::Utc;
use diesel::prelude::*;

use super::{FollowUpForm, FollowUpPage, Rights, load_context};
use crate::db::{
    audit::{ChangeSet, fields_of},
    follow_ups::{FollowUpRow, NewFollowUpSignOff},
    ids::{FollowUpId, PatientId, UserId},
    schema::{follow_up_sign_offs, follow_ups, users},
};
use crate::domain::{access::Permission, follow_up::SignatureMeaning, vocabulary::Vocabulary};
use crate::web::{
    auth::{extract::CurrentUser, password::verify_password, session::TypedSession},
    error::{AppError, render, see_other},
    form::FormPairs,
    layout::Layout,
    startup::AppState,
};

/// Verifies, signs and locks the follow-up; a wrong password or missing meaning re-renders the
/// form with 422 and nothing changes.
pub async fn post(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32, String)>,
    pairs: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::LockFollowUp)?;
    let (pid, cid, timepoint) = path.into_inner();
    let ctx = {
        let (scope, timepoint) = (scope.clone(), timepoint.clone());
        state
            .db(move |conn| load_context(conn, &scope, pid, cid, &timepoint))
            .await?
    };
    let Some(row) = ctx
        .existing
        .clone()
        .filter(|_| ctx.status().is_complete() && !ctx.locked())
    else {
        return Err(AppError::Conflict(
            "Only a complete, unlocked follow-up can be locked.".to_owned(),
        ));
    };
    let meaning = SignatureMeaning::parse(&pairs.get("meaning"));
    let password = pairs.get("password");
    let actor = user.id;
    let hash: Option<String> = state
        .db(move |conn| {
            Ok(users::table
                .find(actor)
                .select(users::password_hash)
                .first(conn)?)
        })
        .await?;
    let password_ok = match hash {
        Some(hash) => web::block(move || verify_password(&hash, &password)).await??,
        None => false,
    };
    let error = match (&meaning, password_ok) {
        (Err(_), _) => Some("Choose what your signature means."),
        (_, false) => Some("The password is not right: the form was not signed."),
        _ => None,
    };
    if let (None, Ok(meaning)) = (error, meaning) {
        let printed_name = user.full_name.clone();
        state
            .db(move |conn| Ok(lock(conn, actor, &printed_name, pid, &row, meaning)?))
            .await?;
        return Ok(see_other(&format!(
            "/patients/{pid}/courses/{cid}/follow-ups/{timepoint}"
        )));
    }
    let form = FollowUpForm::from_context(&ctx);
    let mut page = FollowUpPage::new(
        Layout::new(&user, &session, "patients")?,
        ctx,
        form,
        Rights::of(&user),
    );
    page.lock_error = error.map(str::to_owned);
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

fn lock(
    conn: &mut SqliteConnection,
    actor: i32,
    printed_name: &str,
    pid: i32,
    before: &FollowUpRow,
    meaning: SignatureMeaning,
) -> QueryResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let now = Utc::now().naive_utc();
        let sign_off = |act: &str, meaning: Option<String>| NewFollowUpSignOff {
            follow_up_id: FollowUpId(before.id.0),
            act: act.to_owned(),
            user_id: UserId(actor),
            printed_name: printed_name.to_owned(),
            signature_meaning: meaning,
            reason: None,
        };
        diesel::insert_into(follow_up_sign_offs::table)
            .values(&vec![
                sign_off("VERIFY", None),
                sign_off("SIGN", Some(meaning.code().to_owned())),
                sign_off("LOCK", None),
            ])
            .execute(conn)?;
        let n = diesel::update(
            follow_ups::table
                .filter(follow_ups::id.eq(before.id.0))
                .filter(follow_ups::row_version.eq(before.row_version)),
        )
        .set((
            follow_ups::form_status.eq("SIGNED"),
            follow_ups::locked_by.eq(Some(actor)),
            follow_ups::locked_at.eq(Some(now)),
            follow_ups::updated_by.eq(actor),
            follow_ups::updated_at.eq(now),
            follow_ups::row_version.eq(follow_ups::row_version + 1),
        ))
        .execute(conn)?;
        if n == 0 {
            return Err(diesel::result::Error::RollbackTransaction);
        }
        let after: FollowUpRow = follow_ups::table
            .find(before.id.0)
            .select(FollowUpRow::as_select())
            .first(conn)?;
        let changes = ChangeSet::begin(
            conn,
            UserId(actor),
            None,
            Some(&format!("E-signed: {}", meaning.label())),
        )?;
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
