//! The login page and the login attempt.

pub mod get;
pub mod post;

use askama::Template;

use crate::web::{
    kept_forms::{KeptForms, KeptToken},
    layout::Layout,
};

/// The login form, re-rendered with the username kept after a failure.
#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub username: String,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    /// The token of a form kept when the session expired (`crate::web::kept_forms`), carried
    /// through the login so the same user is taken back to it.
    pub kept: Option<KeptToken>,
}

/// What the login page says when a form was kept for after the login.
pub const KEPT_NOTICE: &str =
    "Your session expired. What you typed is kept: log in again to review and save it.";

/// The kept-form token sent to the login page, if it names a form still kept (brought back
/// from the database if a restart came in between).
pub async fn kept_token(raw: Option<&str>, kept_forms: &KeptForms) -> Option<KeptToken> {
    let token = raw.and_then(KeptToken::parse)?;
    kept_forms.recall(&token).await;
    kept_forms.exists(&token).then_some(token)
}
