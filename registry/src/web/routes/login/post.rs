//! `POST /login`: checks the password (argon2id), throttles per address and per account, and
//! starts a fresh session; then goes back to the user's form kept at expiry, if any.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::{LoginPage, kept_token};
use crate::web::{
    auth::{
        session::TypedSession,
        store::{self, AccountLockPolicy, LoginOutcome},
    },
    error::{AppError, render, see_other},
    layout::Layout,
    startup::AppState,
};

/// The login form's fields (the CSRF token was checked by the middleware).
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    /// The token of a form kept when the session expired, from the login page.
    #[serde(default)]
    kept: Option<String>,
}

/// Logs in, or re-renders the form with the username kept: 401 for bad credentials, 429 when
/// the address or the account is throttled.
pub async fn post(
    req: HttpRequest,
    form: web::Form<LoginForm>,
    session: TypedSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let LoginForm {
        username,
        password,
        kept,
    } = form.into_inner();
    let kept = kept_token(kept.as_deref(), &state.kept_forms).await;
    let username = username.trim().to_lowercase();
    let ip = req.peer_addr().map(|a| a.ip());
    let security = &state.settings.security;
    let fail = |status: StatusCode, message: &str| -> Result<HttpResponse, AppError> {
        let page = LoginPage {
            layout: Layout::anonymous(&session)?,
            username: username.clone(),
            notice: None,
            error: Some(message.to_owned()),
            kept: kept.clone(),
        };
        render(status, &page)
    };
    const THROTTLED: &str =
        "Too many failed attempts. Wait 15 minutes, or ask an administrator to unlock the account.";
    if ip.is_some_and(|ip| state.ip_throttle.is_blocked(ip)) {
        return fail(StatusCode::TOO_MANY_REQUESTS, THROTTLED);
    }
    let policy = AccountLockPolicy {
        max_failures: security.max_failures_per_account,
        lock_for: security.account_lock,
        dummy_cost: security.password_cost,
    };
    let pool = state.pool.clone();
    let name = username.clone();
    let outcome = web::block(move || -> anyhow::Result<LoginOutcome> {
        let mut conn = pool.get()?;
        store::attempt_login(&mut conn, &name, &password, policy)
    })
    .await??;
    match outcome {
        LoginOutcome::Success {
            user_id,
            password_hash,
        } => {
            if let Some(ip) = ip {
                state.ip_throttle.record_success(ip);
            }
            session.log_in(user_id, &password_hash)?;
            // Back to the form kept at expiry, but only for the user who typed it: anyone else
            // logging in with its token lands on the home page as usual.
            match kept.filter(|token| state.kept_forms.get(token, user_id).is_some()) {
                Some(token) => Ok(see_other(&token.review_path())),
                None => Ok(see_other("/")),
            }
        }
        LoginOutcome::Invalid => {
            if let Some(ip) = ip {
                state.ip_throttle.record_failure(ip);
            }
            fail(StatusCode::UNAUTHORIZED, "Invalid username or password.")
        }
        LoginOutcome::Locked => {
            if let Some(ip) = ip {
                state.ip_throttle.record_failure(ip);
            }
            fail(StatusCode::TOO_MANY_REQUESTS, THROTTLED)
        }
    }
}
