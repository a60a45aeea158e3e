//! `POST /admin/users` (add) and `POST /admin/users/{id}/active` (enable/disable).

use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::{UserFormView, UsersPage};
use crate::web::{
    accounts::{self, AccountError, NewAccount},
    auth::{extract::AdminUser, password, session::TypedSession},
    error::{AppError, render, see_other},
    form::{Field, FormPairs},
    layout::Layout,
    startup::AppState,
};

/// Adds a user (303 to the list) or re-renders the form with 422.
pub async fn create(
    AdminUser(user): AdminUser,
    session: TypedSession,
    form: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut view = UserFormView {
        username: Field::new(form.get("username")),
        full_name: Field::new(form.get("full_name")),
        role: Field::new(form.get("role")),
        password: Field::new(form.get("password")),
        sites: Field::default(),
        site_codes: form.all("site"),
    };
    if let Some(input) = view.validate() {
        {
            let cost = state.settings.security.password_cost;
            let actor = user.id;
            let outcome = state
                .db(move |conn| {
                    let hash = password::hash_password(cost, &input.password)?;
                    let result = accounts::site_ids_for_codes(conn, &input.site_codes).and_then(
                        |site_ids| {
                            accounts::create_account(
                                conn,
                                actor,
                                &NewAccount {
                                    username: input.username,
                                    full_name: input.full_name,
                                    role: input.role,
                                    site_ids,
                                    password_hash: hash,
                                },
                            )
                        },
                    );
                    Ok(result)
                })
                .await?;
            match outcome {
                Ok(_) => return Ok(see_other("/admin/users")),
                Err(e @ AccountError::UsernameTaken(_)) => view.username.fail(e.to_string()),
                Err(e @ AccountError::UnknownSite(_)) => view.sites.fail(e.to_string()),
                Err(AccountError::UnknownUser(_)) => return Err(AppError::NotFound),
                Err(e @ (AccountError::Stale | AccountError::LastAdmin)) => {
                    return Err(AppError::Unexpected(e.into()));
                }
                Err(AccountError::Database(e)) => return Err(e.into()),
            }
            view.password.value.clear();
        }
    }
    let layout = Layout::new(&user, &session, "users")?;
    let page = state
        .db(move |conn| UsersPage::load(conn, layout, view))
        .await?;
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// The enable/disable form.
#[derive(Deserialize)]
pub struct ActiveForm {
    active: u8,
}

/// Enables or disables an account; disabling ends the user's sessions at once.
pub async fn set_active(
    AdminUser(user): AdminUser,
    path: web::Path<i32>,
    form: web::Form<ActiveForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let target = path.into_inner();
    if target == accounts::SYSTEM_USER_ID || target == user.id {
        return Err(AppError::Forbidden);
    }
    let active = form.active == 1;
    let actor = user.id;
    state
        .db(
            move |conn| match accounts::set_active(conn, actor, target, active) {
                Ok(()) => Ok(()),
                Err(AccountError::Database(e)) => Err(e.into()),
                Err(AccountError::LastAdmin) => {
                    Err(AppError::Conflict(AccountError::LastAdmin.to_string()))
                }
                Err(_) => Err(AppError::NotFound),
            },
        )
        .await?;
    if !active {
        state.sessions.end_sessions_of(target);
    }
    Ok(see_other("/admin/users"))
}
