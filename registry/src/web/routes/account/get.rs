//! `GET /account`

use actix_web::{HttpResponse, http::StatusCode, web};

use super::{AccountPage, tokens_of};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    form::Field,
    layout::Layout,
    startup::AppState,
};

/// The page's query: `?password=changed` after a password change.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    password: String,
}

/// Lists the user's API tokens, with the change-password form.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    query: web::Query<AccountQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = user.id;
    let tokens = state.db(move |conn| Ok(tokens_of(conn, id)?)).await?;
    let page = AccountPage {
        layout: Layout::new(&user, &session, "account")?,
        full_name: user.full_name.clone(),
        tokens,
        token_name: Field::default(),
        new_token: None,
        password: super::password::PasswordForm::default(),
        password_changed: query.password == "changed",
    };
    render(StatusCode::OK, &page)
}
