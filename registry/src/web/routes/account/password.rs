//! `POST /account/password`: a user changes their own password. The current password is
//! required (a session left open on a shared ward computer must not be enough), the new one
//! follows the same length policy as an administrator's set-password, it is hashed with
//! argon2id, the change writes its audit row in the same transaction, and every other session
//! of the user ends at once. The session that made the change is renewed (new key, new CSRF
//! token) under the new password.
//!
//! Wrong current passwords count as failed logins of the address (`IpThrottle`), so a session
//! left open cannot be used to guess the password at leisure.
//!
//! Password fields are never echoed back: a refused form returns 422 with a message beside
//! each field and the fields empty.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use diesel::prelude::*;
use serde::Deserialize;

use super::{AccountPage, tokens_of};
use crate::db::schema::users;
use crate::web::{
    accounts,
    auth::{extract::CurrentUser, password, session::TypedSession},
    error::{AppError, render, see_other},
    form::Field,
    layout::Layout,
    startup::AppState,
};

/// The three fields of the form, as sent.
#[derive(Deserialize)]
pub struct PasswordFields {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

/// The form as the page shows it: messages only (values are never rendered).
#[derive(Debug, Clone, Default)]
pub struct PasswordForm {
    pub current_password: Field,
    pub new_password: Field,
    pub confirm_password: Field,
}

impl PasswordForm {
    fn has_error(&self) -> bool {
        [
            &self.current_password,
            &self.new_password,
            &self.confirm_password,
        ]
        .iter()
        .any(|f| f.error.is_some())
    }

    /// Forgets what was typed, keeping the messages.
    fn without_values(mut self) -> Self {
        self.current_password.value.clear();
        self.new_password.value.clear();
        self.confirm_password.value.clear();
        self
    }
}

/// Checks the new password's shape (no database): length policy, confirmation, difference
/// from the current one. Messages go beside the fields.
fn check_shape(form: &mut PasswordForm) {
    if form.current_password.value.is_empty() {
        form.current_password.fail("Enter your current password.");
    }
    if let Err(weak) = password::check_new_password(&form.new_password.value) {
        form.new_password.fail(weak.to_string());
    }
    if form.confirm_password.value != form.new_password.value {
        form.confirm_password
            .fail("The two new passwords are not the same.");
    }
    if !form.new_password.value.is_empty() && form.new_password.value == form.current_password.value
    {
        form.new_password
            .fail("Choose a password different from the current one.");
    }
}

/// What the database step came to.
enum Outcome {
    Changed { hash: String },
    WrongCurrentPassword,
}

/// Changes the user's own password (303 to `/account?password=changed`) or re-renders the
/// page with 422.
pub async fn post(
    req: HttpRequest,
    user: CurrentUser,
    session: TypedSession,
    fields: web::Form<PasswordFields>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let ip = req.peer_addr().map(|a| a.ip());
    if ip.is_some_and(|ip| state.ip_throttle.is_blocked(ip)) {
        return Err(AppError::TooManyAttempts);
    }
    let fields = fields.into_inner();
    let mut form = PasswordForm {
        current_password: Field::new(fields.current_password),
        new_password: Field::new(fields.new_password),
        confirm_password: Field::new(fields.confirm_password),
    };
    check_shape(&mut form);
    if !form.has_error() {
        let (id, cost) = (user.id, state.settings.security.password_cost);
        let (current, new) = (
            form.current_password.value.clone(),
            form.new_password.value.clone(),
        );
        let outcome = state
            .db(move |conn| {
                let stored: Option<String> = users::table
                    .find(id)
                    .select(users::password_hash)
                    .first(conn)?;
                let Some(stored) = stored else {
                    return Ok(Outcome::WrongCurrentPassword);
                };
                if !password::verify_password(&stored, &current)? {
                    return Ok(Outcome::WrongCurrentPassword);
                }
                let hash = password::hash_password(cost, &new)?;
                accounts::set_password(conn, id, id, &hash).map_err(|e| match e {
                    accounts::AccountError::Database(e) => AppError::from(e),
                    other => AppError::Unexpected(anyhow::Error::new(other)),
                })?;
                Ok(Outcome::Changed { hash })
            })
            .await?;
        match outcome {
            Outcome::Changed { hash } => {
                state.sessions.end_sessions_of(user.id);
                session
                    .log_in(user.id, &hash)
                    .map_err(AppError::Unexpected)?;
                return Ok(see_other("/account?password=changed"));
            }
            Outcome::WrongCurrentPassword => {
                if let Some(ip) = ip {
                    state.ip_throttle.record_failure(ip);
                }
                form.current_password
                    .fail("This is not your current password.");
            }
        }
    }
    let id = user.id;
    let tokens = state.db(move |conn| Ok(tokens_of(conn, id)?)).await?;
    let page = AccountPage {
        layout: Layout::new(&user, &session, "account")?,
        full_name: user.full_name.clone(),
        tokens,
        token_name: Field::default(),
        new_token: None,
        password: form.without_values(),
        password_changed: false,
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(current: &str, new: &str, confirm: &str) -> PasswordForm {
        PasswordForm {
            current_password: Field::new(current),
            new_password: Field::new(new),
            confirm_password: Field::new(confirm),
        }
    }

    #[test]
    fn shape_rules_put_each_message_by_its_field() {
        let cases = [
            ("", "a long new password", "a long new password", 0),
            ("old password 1", "short", "short", 1),
            (
                "old password 1",
                "a long new password",
                "a long new passwore",
                2,
            ),
            ("same password 1", "same password 1", "same password 1", 1),
        ];
        for (current, new, confirm, field) in cases {
            let mut f = form(current, new, confirm);
            check_shape(&mut f);
            let errors = [
                f.current_password.error.is_some(),
                f.new_password.error.is_some(),
                f.confirm_password.error.is_some(),
            ];
            assert!(errors[field], "{current:?}/{new:?}/{confirm:?}: {f:?}");
        }
        let mut ok = form(
            "old password 1",
            "a long new password",
            "a long new password",
        );
        check_shape(&mut ok);
        assert!(!ok.has_error());
    }
}
