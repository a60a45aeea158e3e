//! `GET /admin/users/{id}` and `POST /admin/users/{id}`: an administrator changes a user's
//! role and sites (a coordinator who moves to another centre, a monitor given a second site).
//! The change is audited as one change set with its optional reason; a stale page (the user's
//! access changed since it was opened) is refused with 409, and the last active administrator
//! cannot be made anything else. The system account is not a user here (404).

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;
use diesel::prelude::*;

use super::{role_options, site_choices};
use crate::db::schema::users;
use crate::domain::access::Role;
use crate::domain::vocabulary::Vocabulary;
use crate::web::{
    accounts::{self, Access, AccountError, StoredAccess},
    auth::{extract::AdminUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::{Field, FormPairs, SelectOption},
    layout::Layout,
    routes::admin::sites::{SiteListRow, list_sites},
    startup::AppState,
};

/// The access form as shown or typed.
#[derive(Debug, Clone, Default)]
pub struct AccessFormView {
    pub role: Field,
    pub sites: Field,
    /// The ticked site codes.
    pub site_codes: Vec<String>,
    pub reason: Field,
    /// The user's row version when the page was opened.
    pub row_version: i32,
    pub form_error: Option<String>,
}

impl AccessFormView {
    /// The form filled with the access as stored.
    fn of(stored: &StoredAccess, sites: &[SiteListRow]) -> Self {
        Self {
            role: Field::new(stored.access.role.code()),
            site_codes: sites
                .iter()
                .filter(|s| stored.access.site_ids.contains(&s.id))
                .map(|s| s.code.clone())
                .collect(),
            row_version: stored.row_version,
            ..Self::default()
        }
    }

    /// The form as posted.
    fn typed(pairs: &FormPairs) -> Self {
        Self {
            role: Field::new(pairs.get("role")),
            site_codes: pairs.all("site"),
            reason: Field::new(pairs.get("reason")),
            row_version: pairs.get("row_version").trim().parse().unwrap_or(-1),
            ..Self::default()
        }
    }

    /// The role and sites, or `None` with a message beside each wrong field (the same rules
    /// as when the user was added).
    fn validate(&mut self) -> Option<Role> {
        let role = Role::parse(&self.role.value);
        if role.is_err() {
            self.role.fail("Choose a role.");
        }
        if matches!(role, Ok(Role::Coordinator | Role::Monitor)) && self.site_codes.is_empty() {
            self.sites
                .fail("Coordinators and monitors need at least one site.");
        }
        if self.row_version < 1 {
            self.form_error = Some("This page is out of date: open it again.".to_owned());
        }
        match role {
            Ok(role) if self.sites.error.is_none() && self.form_error.is_none() => Some(role),
            _ => None,
        }
    }
}

/// The page.
#[derive(Template)]
#[template(path = "admin/user_access.html")]
pub struct AccessPage {
    pub layout: Layout,
    pub user_id: i32,
    pub username: String,
    pub full_name: String,
    pub active: bool,
    pub form: AccessFormView,
    pub roles: Vec<SelectOption>,
    pub site_choices: Vec<SelectOption>,
}

impl AccessPage {
    /// The page of `user_id` around `form` (`None`: the access as stored); not found for an
    /// unknown user or the system account.
    fn load(
        conn: &mut SqliteConnection,
        layout: Layout,
        user_id: i32,
        form: Option<AccessFormView>,
    ) -> Result<Self, AppError> {
        let stored = accounts::access_of(conn, user_id)?.ok_or(AppError::NotFound)?;
        let (username, full_name): (String, String) = users::table
            .find(user_id)
            .select((users::username, users::full_name))
            .get_result(conn)?;
        let sites = list_sites(conn)?;
        let form = form.unwrap_or_else(|| AccessFormView::of(&stored, &sites));
        let site_choices = site_choices(sites, &form.site_codes);
        let roles = role_options(&form.role.value);
        Ok(Self {
            layout,
            user_id,
            username,
            full_name,
            active: stored.active,
            form,
            roles,
            site_choices,
        })
    }
}

/// Why a stale save was refused, and the access as it is now.
fn stale_message(conn: &mut SqliteConnection, stored: &StoredAccess) -> Result<String, AppError> {
    let codes: Vec<String> = list_sites(conn)?
        .into_iter()
        .filter(|s| stored.access.site_ids.contains(&s.id))
        .map(|s| s.code)
        .collect();
    let sites = if codes.is_empty() {
        "none".to_owned()
    } else {
        codes.join(", ")
    };
    Ok(format!(
        "Someone changed this user's access since you opened this page, so nothing was saved. \
         It is now: role {}, sites {sites}. Your choices are kept below: save again to \
         replace it.",
        stored.access.role.label()
    ))
}

/// The form with the user's access as stored.
pub async fn get(
    AdminUser(user): AdminUser,
    session: TypedSession,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let target = path.into_inner();
    let layout = Layout::new(&user, &session, "users")?;
    let page = state
        .db(move |conn| AccessPage::load(conn, layout, target, None))
        .await?;
    render(StatusCode::OK, &page)
}

/// Saves the access (303 to the users list), or shows the form again with what was typed:
/// 422 for a wrong field, 409 when the user's access changed meanwhile or the last
/// administrator would lose the role.
pub async fn post(
    AdminUser(user): AdminUser,
    session: TypedSession,
    path: web::Path<i32>,
    pairs: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let target = path.into_inner();
    let layout = Layout::new(&user, &session, "users")?;
    let actor = user.id;
    let mut form = AccessFormView::typed(&pairs);
    let (status, page) = state
        .db(move |conn| {
            let mut status = StatusCode::UNPROCESSABLE_ENTITY;
            if let Some(role) = form.validate() {
                let saved =
                    accounts::site_ids_for_codes(conn, &form.site_codes).and_then(|site_ids| {
                        let access = Access { role, site_ids };
                        let reason = form.reason.optional();
                        accounts::set_access(
                            conn,
                            actor,
                            target,
                            Some(form.row_version),
                            &access,
                            reason.as_deref(),
                        )
                    });
                match saved {
                    Ok(_) => return Ok((StatusCode::SEE_OTHER, None)),
                    Err(e @ AccountError::UnknownSite(_)) => form.sites.fail(e.to_string()),
                    Err(AccountError::LastAdmin) => {
                        status = StatusCode::CONFLICT;
                        form.form_error = Some(AccountError::LastAdmin.to_string());
                    }
                    Err(AccountError::Stale) => {
                        status = StatusCode::CONFLICT;
                        let stored =
                            accounts::access_of(conn, target)?.ok_or(AppError::NotFound)?;
                        form.form_error = Some(stale_message(conn, &stored)?);
                        form.row_version = stored.row_version;
                    }
                    Err(AccountError::Database(e)) => return Err(e.into()),
                    Err(e @ (AccountError::UsernameTaken(_) | AccountError::UnknownUser(_))) => {
                        return Err(AppError::Unexpected(e.into()));
                    }
                }
            }
            let page = AccessPage::load(conn, layout, target, Some(form))?;
            Ok((status, Some(page)))
        })
        .await?;
    match page {
        None => Ok(see_other("/admin/users")),
        Some(page) => render(status, &page),
    }
}
