//! `POST /account/tokens` (create; the token is shown once) and
//! `POST /account/tokens/{id}/revoke`.

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::Utc;
use diesel::prelude::*;
use serde::Deserialize;

use super::{AccountPage, tokens_of};
use crate::db::{
    audit::{AuditAction, ChangeSet},
    ids::UserId,
    schema::api_tokens,
};
use crate::web::{
    auth::{api_token::create_token, extract::CurrentUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::Field,
    layout::Layout,
    startup::AppState,
};

/// The new token's name.
#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// Creates a token and shows it once (200; 422 without a name).
pub async fn create(
    user: CurrentUser,
    session: TypedSession,
    form: web::Form<TokenForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let mut name = Field::new(form.into_inner().name);
    let id = user.id;
    let mut new_token = None;
    let status = if name.is_blank() {
        name.fail("Say what the token is for, e.g. nightly import.");
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        let label = name.value.trim().to_owned();
        let (token, _) = state
            .db(move |conn| Ok(create_token(conn, id, id, &label)?))
            .await?;
        new_token = Some(token);
        name = Field::default();
        StatusCode::OK
    };
    let tokens = state.db(move |conn| Ok(tokens_of(conn, id)?)).await?;
    let page = AccountPage {
        layout: Layout::new(&user, &session, "account")?,
        full_name: user.full_name.clone(),
        tokens,
        token_name: name,
        new_token,
        password: super::password::PasswordForm::default(),
        password_changed: false,
    };
    render(status, &page)
}

/// Revokes one of the user's own tokens (another user's token is a 404).
pub async fn revoke(
    user: CurrentUser,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let token_id = path.into_inner();
    let actor = user.id;
    state
        .db(move |conn| {
            crate::db::write_transaction(conn, |conn| {
                let now = Utc::now().naive_utc();
                let n = diesel::update(
                    api_tokens::table
                        .filter(api_tokens::id.eq(token_id))
                        .filter(api_tokens::user_id.eq(actor))
                        .filter(api_tokens::revoked_at.is_null()),
                )
                .set((
                    api_tokens::revoked_at.eq(Some(now)),
                    api_tokens::revoked_by.eq(Some(actor)),
                    api_tokens::updated_at.eq(now),
                    api_tokens::updated_by.eq(actor),
                    api_tokens::row_version.eq(api_tokens::row_version + 1),
                ))
                .execute(conn)?;
                if n == 0 {
                    return Err(AppError::NotFound);
                }
                let changes = ChangeSet::begin(conn, UserId(actor), None, None)?;
                changes.record_field(
                    conn,
                    AuditAction::Update,
                    "api_tokens",
                    token_id,
                    None,
                    "revoked_at",
                    None,
                    Some(&now.to_string()),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(see_other("/account"))
}
