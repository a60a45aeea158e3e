//! `GET /admin/sites/{id}` and `POST /admin/sites/{id}`: an administrator renames a site or
//! opens or closes it to enrolment. A closed site keeps its patients, their follow-up and its
//! users: only enrolment, on the page and through the API, stops offering it. One audited
//! change set with its optional reason; a stale page is refused with 409. The code never
//! changes: it is the prefix of every registry id of the site.

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{ChangeSiteError, StoredSite, change_site, check_site_name, site_by_id};
use crate::web::{
    auth::{extract::AdminUser, session::TypedSession},
    error::{AppError, render, see_other},
    form::{Field, FormPairs},
    layout::Layout,
    startup::AppState,
};

/// The form as shown or typed.
#[derive(Debug, Clone, Default)]
pub struct SiteEditForm {
    pub name: Field,
    /// `"1"` when the box "open to enrolment" is ticked.
    pub open: Field,
    pub reason: Field,
    pub row_version: i32,
    pub form_error: Option<String>,
}

impl SiteEditForm {
    fn of(site: &StoredSite) -> Self {
        Self {
            name: Field::new(site.name.clone()),
            open: Field::new(if site.active { "1" } else { "" }),
            row_version: site.row_version,
            ..Self::default()
        }
    }

    fn typed(pairs: &FormPairs) -> Self {
        Self {
            name: Field::new(pairs.get("name")),
            open: Field::new(pairs.get("open")),
            reason: Field::new(pairs.get("reason")),
            row_version: pairs.get("row_version").trim().parse().unwrap_or(-1),
            ..Self::default()
        }
    }

    /// The trimmed name, or `None` with the message beside the field.
    fn validate(&mut self) -> Option<String> {
        let name = self.name.value.trim().to_owned();
        if let Err(message) = check_site_name(&name) {
            self.name.fail(message);
        }
        if self.row_version < 1 {
            self.form_error = Some("This page is out of date: open it again.".to_owned());
        }
        (self.name.error.is_none() && self.form_error.is_none()).then_some(name)
    }

    fn is_open(&self) -> bool {
        self.open.value == "1"
    }
}

/// The page.
#[derive(Template)]
#[template(path = "admin/site_edit.html")]
pub struct SiteEditPage {
    pub layout: Layout,
    pub site_id: i32,
    pub code: String,
    pub form: SiteEditForm,
}

/// The form with the site as stored.
pub async fn get(
    AdminUser(user): AdminUser,
    session: TypedSession,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let site = state
        .db(move |conn| site_by_id(conn, id)?.ok_or(AppError::NotFound))
        .await?;
    let page = SiteEditPage {
        layout: Layout::new(&user, &session, "sites")?,
        site_id: site.id,
        form: SiteEditForm::of(&site),
        code: site.code,
    };
    render(StatusCode::OK, &page)
}

/// Saves (303 to the list), or shows the form again with what was typed: 422 for a wrong
/// field, 409 when the site changed since the page was opened.
pub async fn post(
    AdminUser(user): AdminUser,
    session: TypedSession,
    path: web::Path<i32>,
    pairs: FormPairs,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let actor = user.id;
    let mut form = SiteEditForm::typed(&pairs);
    let (status, code, form) = state
        .db(move |conn| {
            let site = site_by_id(conn, id)?.ok_or(AppError::NotFound)?;
            let mut status = StatusCode::UNPROCESSABLE_ENTITY;
            if let Some(name) = form.validate() {
                let reason = form.reason.optional();
                let open = form.is_open();
                match change_site(
                    conn,
                    actor,
                    id,
                    Some(form.row_version),
                    &name,
                    open,
                    reason.as_deref(),
                ) {
                    Ok(_) => return Ok((StatusCode::SEE_OTHER, site.code, form)),
                    Err(ChangeSiteError::Stale) => {
                        status = StatusCode::CONFLICT;
                        form.form_error = Some(format!(
                            "Someone changed this site since you opened this page, so nothing \
                             was saved. It is now: {}, {}. Your changes are kept below: save \
                             again to replace it.",
                            site.name,
                            if site.active {
                                "open to enrolment"
                            } else {
                                "closed to enrolment"
                            }
                        ));
                        form.row_version = site.row_version;
                    }
                    Err(ChangeSiteError::Database(e)) => return Err(e.into()),
                }
            }
            Ok((status, site.code, form))
        })
        .await?;
    if status == StatusCode::SEE_OTHER {
        return Ok(see_other("/admin/sites"));
    }
    let page = SiteEditPage {
        layout: Layout::new(&user, &session, "sites")?,
        site_id: id,
        code,
        form,
    };
    render(status, &page)
}
