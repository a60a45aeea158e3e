//! `GET /patients/{pid}/courses/{cid}/follow-ups/{timepoint}`

use actix_web::{HttpResponse, http::StatusCode, web};

use super::{FollowUpForm, FollowUpPage, Rights, load_context};
use crate::domain::access::Permission;
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// Shows the form (read-only when locked or for roles that do not write).
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<(i32, i32, String)>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::ReadPatients)?;
    let (pid, cid, timepoint) = path.into_inner();
    let ctx = state
        .db(move |conn| load_context(conn, &scope, pid, cid, &timepoint))
        .await?;
    let form = FollowUpForm::from_context(&ctx);
    let page = FollowUpPage::new(
        Layout::new(&user, &session, "patients")?,
        ctx,
        form,
        Rights::of(&user),
    );
    render(StatusCode::OK, &page)
}
