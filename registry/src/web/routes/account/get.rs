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

/// Lists the user's API tokens.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
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
    };
    render(StatusCode::OK, &page)
}
