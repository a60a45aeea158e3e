//! `POST /kept/{token}/save`: the owner sends the kept form on to where it was going. The kept
//! copy is forgotten here, and the answer is `307 Temporary Redirect` to the original path: the
//! browser posts the same body again there (method and body unchanged, the new session's CSRF
//! token included), so the original handler, with all its checks, decides. Nothing typed is lost
//! by forgetting the copy: a refusal (422, 409) shows the form again with the values as sent,
//! and a save stores them. The same values cannot be saved twice from a stale review page.

use actix_web::{HttpResponse, http::header, web};

use super::take_owned;
use crate::web::{auth::extract::CurrentUser, error::AppError, startup::AppState};

/// Forgets the kept form and sends the browser on with its body; 404 unless it is the user's.
pub async fn post(
    user: CurrentUser,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = take_owned(&state.kept_forms, &path, user.id).await?;
    Ok(HttpResponse::TemporaryRedirect()
        .insert_header((header::LOCATION, form.target.as_str().to_owned()))
        .finish())
}
