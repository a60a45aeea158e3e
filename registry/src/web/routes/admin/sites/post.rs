//! `POST /admin/sites`

use actix_web::{HttpResponse, http::StatusCode, web};
use serde::Deserialize;

use super::{AddSiteError, SiteFormView, SitesPage, add_site, list_sites};
use crate::web::{
    auth::{extract::AdminUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::Field,
    layout::Layout,
    startup::AppState,
};

/// The form's fields.
#[derive(Deserialize)]
pub struct SiteForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// Adds a site (303 back to the list), or re-renders the form with 422.
pub async fn post(
    AdminUser(user): AdminUser,
    session: TypedSession,
    form: web::Form<SiteForm>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let mut view = SiteFormView {
        code: Field::new(form.code),
        name: Field::new(form.name),
    };
    if let Some(input) = view.validate() {
        {
            let actor = user.id;
            let outcome = state
                .db(move |conn| Ok(add_site(conn, actor, &input)))
                .await?;
            match outcome {
                Ok(_) => return Ok(see_other("/admin/sites")),
                Err(AddSiteError::DuplicateCode) => {
                    view.code.fail(AddSiteError::DuplicateCode.to_string());
                }
                Err(AddSiteError::Database(e)) => return Err(e.into()),
            }
        }
    }
    let sites = state.db(|conn| Ok(list_sites(conn)?)).await?;
    let page = SitesPage {
        layout: Layout::new(&user, &session, "sites")?,
        sites,
        form: view,
    };
    render(StatusCode::UNPROCESSABLE_ENTITY, &page)
}
