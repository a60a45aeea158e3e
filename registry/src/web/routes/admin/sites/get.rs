//! `GET /admin/sites`

use actix_web::{HttpResponse, http::StatusCode, web};

use super::{SiteFormView, SitesPage, list_sites};
use crate::web::{
    auth::{extract::AdminUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    startup::AppState,
};

/// Lists the sites, with an empty add form.
pub async fn get(
    AdminUser(user): AdminUser,
    session: TypedSession,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let sites = state.db(|conn| Ok(list_sites(conn)?)).await?;
    let page = SitesPage {
        layout: Layout::new(&user, &session, "sites")?,
        sites,
        form: SiteFormView::default(),
    };
    render(StatusCode::OK, &page)
}
