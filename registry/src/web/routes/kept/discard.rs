//! `POST /kept/{token}/discard`: the owner throws a kept form away (CSRF-checked like every
//! POST); it would otherwise expire on its own.

use actix_web::{HttpResponse, web};

use super::take_owned;
use crate::web::{
    auth::extract::CurrentUser,
    error::{AppError, see_other},
    startup::AppState,
};

/// Forgets the kept form and goes to the form's page; 404 unless it is the user's.
pub async fn post(
    user: CurrentUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = take_owned(&state.kept_forms, &path, user.id).await?;
    Ok(see_other(form.target.page()))
}
