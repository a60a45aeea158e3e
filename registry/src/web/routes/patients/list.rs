//! `GET /patients`

use actix_web::{HttpResponse, http::StatusCode, web};
use askama::Template;

use super::{ListFilter, PAGE_SIZE, PatientListRow, list_patients, sites_in_scope};
use crate::domain::{
    access::Permission, diagnosis::Disease, patient::LtfuStatus, product::Product,
    vocabulary::Vocabulary,
};
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    form::{SelectOption, options},
    layout::Layout,
    startup::AppState,
};

/// The page.
#[derive(Template)]
#[template(path = "patients/list.html")]
pub struct PatientsPage {
    pub layout: Layout,
    pub filter: ListFilter,
    pub patients: Vec<PatientListRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub sites: Vec<SelectOption>,
    pub diseases: Vec<SelectOption>,
    pub products: Vec<SelectOption>,
    pub statuses: Vec<SelectOption>,
    pub can_enrol: bool,
    pub query_without_page: String,
}

fn vocab_options<T: Vocabulary>(selected: &str) -> Vec<SelectOption> {
    options(T::ALL.iter().map(|v| (v.code(), v.label())), selected)
}

/// Lists the patients of the user's sites, filtered.
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    query: web::Query<ListFilter>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::ReadPatients)?;
    let filter = query.into_inner();
    let (list_filter, site_scope) = (filter.clone(), scope.clone());
    let ((patients, total), site_list) = state
        .db(move |conn| {
            Ok((
                list_patients(conn, &scope, &list_filter)?,
                sites_in_scope(conn, &site_scope)?,
            ))
        })
        .await?;
    let sites = site_list
        .into_iter()
        .map(|(_, code, name)| SelectOption {
            selected: code == filter.site,
            label: format!("{code}: {name}"),
            code,
        })
        .collect();
    let page = filter.page.unwrap_or(1).max(1);
    let query_without_page = serde_urlencoded_query(&filter);
    let page = PatientsPage {
        layout: Layout::new(&user, &session, "patients")?,
        diseases: vocab_options::<Disease>(&filter.disease),
        products: vocab_options::<Product>(&filter.product),
        statuses: vocab_options::<LtfuStatus>(&filter.status),
        patients,
        total,
        page,
        pages: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        sites,
        can_enrol: user.can(Permission::WritePatients),
        filter,
        query_without_page,
    };
    render(StatusCode::OK, &page)
}

fn serde_urlencoded_query(filter: &ListFilter) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("q", &filter.q)
        .append_pair("site", &filter.site)
        .append_pair("disease", &filter.disease)
        .append_pair("product", &filter.product)
        .append_pair("status", &filter.status)
        .finish()
}
