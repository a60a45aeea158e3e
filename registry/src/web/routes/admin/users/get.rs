//! `GET /admin/users`

use actix_web::{HttpResponse, http::StatusCode, web};

use super::{UserFormView, UsersPage};
use crate::web::{
    auth::{extract::AdminUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// Lists the users, with an empty add form.
pub async fn get(
    AdminUser(user): AdminUser,
    session: TypedSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let layout = Layout::new(&user, &session, "users")?;
    let page = state
        .db(move |conn| UsersPage::load(conn, layout, UserFormView::default()))
        .await?;
    render(StatusCode::OK, &page)
}
