//! `/kept/{token}`: a form that was posted just after its session expired (or from a page of an
//! earlier session of the same user), shown to that user after they logged in again, to review and save it through the original handler
//! (`save`: forgotten, then posted on by a 307) or discard it (`crate::web::kept_forms` says how
//! it was kept). Only its owner sees it; anyone else gets
//! 404, as for a record they may not know exists.

pub mod discard;
pub mod get;
pub mod save;

use actix_web::web;

use crate::web::{
    error::AppError,
    kept_forms::{KeptForm, KeptForms, KeptToken},
};

/// The kept-form routes. Registered inside the logged-in scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/kept/{token}", web::get().to(get::get))
        .route("/kept/{token}/save", web::post().to(save::post))
        .route("/kept/{token}/discard", web::post().to(discard::post));
}

/// The kept form named in the URL if it belongs to this user; `NotFound` otherwise (unknown,
/// expired, discarded, or someone else's).
async fn owned(
    kept_forms: &KeptForms,
    raw_token: &str,
    user_id: i32,
) -> Result<(KeptToken, KeptForm), AppError> {
    let token = KeptToken::parse(raw_token).ok_or(AppError::NotFound)?;
    kept_forms.recall(&token).await;
    let form = kept_forms.get(&token, user_id).ok_or(AppError::NotFound)?;
    Ok((token, form))
}

/// Like [`owned`], and forgets it: what `save` and `discard` do first.
async fn take_owned(
    kept_forms: &KeptForms,
    raw_token: &str,
    user_id: i32,
) -> Result<KeptForm, AppError> {
    let (token, form) = owned(kept_forms, raw_token, user_id).await?;
    kept_forms.forget(&token, user_id).await;
    Ok(form)
}
