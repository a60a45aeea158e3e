//! The login page and the login attempt.

pub mod get;
pub mod post;

use askama::Template;

use crate::web::layout::Layout;

/// The login form, re-rendered with the username kept after a failure.
#[derive(Template)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    pub layout: Layout,
    pub username: String,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
}
