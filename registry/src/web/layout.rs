//! What every page's frame needs: who is logged in (for the navigation) and the CSRF token
//! (for the logout form and any other form on the page).

use super::auth::{extract::CurrentUser, session::TypedSession};
use super::error::AppError;
use crate::domain::vocabulary::Vocabulary;

/// The logged-in user as the navigation shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    pub username: String,
    pub role: &'static str,
    pub is_admin: bool,
    pub can_export: bool,
}

/// The frame of a page: navigation, current section, CSRF token.
#[derive(Debug, Clone)]
pub struct Layout {
    pub user: Option<NavUser>,
    pub csrf: String,
    /// Which navigation entry is current: "worklist", "patients", "users", "sites".
    pub section: &'static str,
}

impl Layout {
    /// The frame for a logged-in user.
    pub fn new(
        user: &CurrentUser,
        session: &TypedSession,
        section: &'static str,
    ) -> Result<Self, AppError> {
        Ok(Self {
            user: Some(NavUser {
                username: user.username.clone(),
                role: user.role.label(),
                is_admin: user.is_admin(),
                can_export: user.can(crate::domain::access::Permission::ExportDeidentified),
            }),
            csrf: session.csrf_token()?,
            section,
        })
    }

    /// The frame for an anonymous visitor (the login page).
    pub fn anonymous(session: &TypedSession) -> Result<Self, AppError> {
        Ok(Self {
            user: None,
            csrf: session.csrf_token()?,
            section: "",
        })
    }
}
