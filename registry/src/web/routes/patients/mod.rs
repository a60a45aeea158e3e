//! `/patients`: search and filter, the patient page (timeline and schedule), and enrolment.
//! Every query here takes the user's `SiteFilter` and applies it in SQL: another site's
//! patient is never loaded, so it is a 404, never a page.

pub mod create;
pub mod diagnosis;
pub mod edit;
pub mod events;
pub mod list;
pub mod new;
pub mod show;

use actix_web::web;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::patients::PatientRow;
use crate::db::schema::{diagnoses, infusions, patients, sites, treatment_courses};
use crate::domain::missing::Answer;
use crate::domain::vocabulary::Vocabulary;
use crate::web::auth::extract::SiteFilter;

/// Patients per page of the list.
pub const PAGE_SIZE: i64 = 50;

/// The list's filters, as typed in the query string.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListFilter {
    /// Part of the registry id.
    #[serde(default)]
    pub q: String,
    /// A site code.
    #[serde(default)]
    pub site: String,
    /// A disease code.
    #[serde(default)]
    pub disease: String,
    /// A product code.
    #[serde(default)]
    pub product: String,
    /// A long-term follow-up status code.
    #[serde(default)]
    pub status: String,
    /// 1-based page number.
    #[serde(default)]
    pub page: Option<i64>,
}

/// A patient as the list shows them.
#[derive(Debug, Clone)]
pub struct PatientListRow {
    pub id: i32,
    pub registry_id: String,
    pub site_code: String,
    pub sex: String,
    pub birth_year: i32,
    pub status: String,
    pub diseases: String,
    pub products: String,
    pub day0: String,
}

/// The label of a stored code of `T` or of a missing-data code; the code itself if it is
/// neither (the schema's CHECKs make that a row written outside the app).
fn label_of<T: Vocabulary>(code: &str) -> String {
    Answer::<T>::parse(code).map_or_else(|_| code.to_owned(), |a| a.label().to_owned())
}

/// One page of the patients in scope that match the filter, by registry id, and the total.
pub fn list_patients(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
    filter: &ListFilter,
) -> QueryResult<(Vec<PatientListRow>, i64)> {
    use crate::domain::{diagnosis::Disease, patient::LtfuStatus, patient::Sex, product::Product};
    let build = || {
        let mut q = patients::table
            .inner_join(sites::table.on(sites::id.eq(patients::site_id)))
            .into_boxed();
        if let SiteFilter::Only(ids) = scope {
            q = q.filter(patients::site_id.eq_any(ids.clone()));
        }
        let text = filter.q.trim().to_uppercase();
        if !text.is_empty() {
            q = q.filter(
                patients::registry_id
                    .like(format!("%{}%", escape_like(&text)))
                    .escape('\\'),
            );
        }
        if !filter.site.is_empty() {
            q = q.filter(sites::code.eq(filter.site.clone()));
        }
        if !filter.status.is_empty() {
            q = q.filter(patients::ltfu_status.eq(filter.status.clone()));
        }
        if !filter.disease.is_empty() {
            q = q.filter(diesel::dsl::exists(
                diagnoses::table
                    .filter(diagnoses::patient_id.eq(patients::id))
                    .filter(diagnoses::disease.eq(filter.disease.clone())),
            ));
        }
        if !filter.product.is_empty() {
            q = q.filter(diesel::dsl::exists(
                treatment_courses::table
                    .filter(treatment_courses::patient_id.eq(patients::id))
                    .filter(treatment_courses::product.eq(filter.product.clone())),
            ));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let page = filter.page.unwrap_or(1).max(1);
    let rows: Vec<(i32, String, String, String, i32, String)> = build()
        .select((
            patients::id,
            patients::registry_id,
            sites::code,
            patients::sex,
            patients::birth_year,
            patients::ltfu_status,
        ))
        .order(patients::registry_id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.0).collect();
    let diseases: Vec<(i32, String)> = diagnoses::table
        .filter(diagnoses::patient_id.eq_any(&ids))
        .select((diagnoses::patient_id, diagnoses::disease))
        .order(diagnoses::id)
        .load(conn)?;
    let courses: Vec<(i32, String)> = treatment_courses::table
        .filter(treatment_courses::patient_id.eq_any(&ids))
        .select((treatment_courses::patient_id, treatment_courses::product))
        .order(treatment_courses::course_number)
        .load(conn)?;
    let day0s: Vec<(i32, NaiveDate)> = infusions::table
        .filter(infusions::patient_id.eq_any(&ids))
        .filter(infusions::infusion_number.eq(1))
        .select((infusions::patient_id, infusions::infusion_date))
        .order(infusions::infusion_date)
        .load(conn)?;
    let join = |pairs: &[(i32, String)], id: i32, label: fn(&str) -> String| {
        pairs
            .iter()
            .filter(|(p, _)| *p == id)
            .map(|(_, c)| label(c))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let out = rows
        .into_iter()
        .map(
            |(id, registry_id, site_code, sex, birth_year, status)| PatientListRow {
                diseases: join(&diseases, id, label_of::<Disease>),
                products: join(&courses, id, label_of::<Product>),
                day0: day0s
                    .iter()
                    .find(|(p, _)| *p == id)
                    .map(|(_, d)| d.to_string())
                    .unwrap_or_default(),
                id,
                registry_id,
                site_code,
                sex: label_of::<Sex>(&sex),
                birth_year,
                status: label_of::<LtfuStatus>(&status),
            },
        )
        .collect();
    Ok((out, total))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The patient with this id if it is in scope; `None` otherwise (the caller answers 404).
///
/// The scope is applied in SQL, as everywhere here. The two common scopes (every site, one
/// site) use fixed statements, so diesel keeps them prepared: the patient page and every save
/// call this, and a boxed query with `site_id IN (...)` is parsed and planned again on every
/// request. A user of several sites gets that boxed query.
pub fn find_patient(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
    id: i32,
) -> QueryResult<Option<PatientRow>> {
    let by_id = patients::table
        .filter(patients::id.eq(id))
        .select(PatientRow::as_select());
    match scope {
        SiteFilter::All => by_id.get_result(conn),
        SiteFilter::Only(sites) => match sites.as_slice() {
            [site] => by_id.filter(patients::site_id.eq(*site)).get_result(conn),
            many => by_id
                .filter(patients::site_id.eq_any(many))
                .get_result(conn),
        },
    }
    .optional()
}

/// (id, code, name) of the sites in scope, by code.
pub fn sites_in_scope(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
) -> QueryResult<Vec<(i32, String, String)>> {
    sites_of(conn, scope, false)
}

/// The sites in scope that are open to enrolment (an administrator may close a site: its
/// patients stay, new ones go elsewhere), by code: (id, code, name).
pub fn sites_open_for_enrolment(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
) -> QueryResult<Vec<(i32, String, String)>> {
    sites_of(conn, scope, true)
}

fn sites_of(
    conn: &mut SqliteConnection,
    scope: &SiteFilter,
    open_only: bool,
) -> QueryResult<Vec<(i32, String, String)>> {
    let mut q = sites::table
        .select((sites::id, sites::code, sites::name))
        .order(sites::code)
        .into_boxed();
    if let SiteFilter::Only(ids) = scope {
        q = q.filter(sites::id.eq_any(ids.clone()));
    }
    if open_only {
        q = q.filter(sites::active.eq(true));
    }
    q.load(conn)
}

/// The routes that correct what was recorded: the patient record (demographics, follow-up
/// status) and the events. Registered inside the logged-in scope.
pub fn correction_routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/patients/{id}/edit")
            .route(web::get().to(edit::get))
            .route(web::post().to(edit::post_demographics)),
    )
    .route("/patients/{id}/status", web::post().to(edit::post_status))
    .service(
        web::resource("/patients/{id}/diagnoses/{did}/edit")
            .route(web::get().to(diagnosis::get))
            .route(web::post().to(diagnosis::post)),
    )
    .configure(crate::web::routes::events::routes);
}

/// The stale-edit message: who saved and when, and every field whose stored value now differs
/// from what the user typed, as (label, typed, stored).
pub fn what_changed(by: &str, at: NaiveDateTime, fields: &[(&str, &String, &String)]) -> String {
    let shown = |v: &str| {
        if v.trim().is_empty() {
            "blank".to_owned()
        } else {
            v.trim().to_owned()
        }
    };
    let diffs: Vec<String> = fields
        .iter()
        .filter(|(_, typed, stored)| typed.trim() != stored.trim())
        .map(|(label, typed, stored)| {
            format!(
                "{label} is now {} (you entered {})",
                shown(stored),
                shown(typed)
            )
        })
        .collect();
    let detail = if diffs.is_empty() {
        String::new()
    } else {
        format!(" {}.", diffs.join("; "))
    };
    format!(
        "{by} saved this record at {} since you opened it, so your changes were not saved.{detail} \
         Your values are kept below: review them and save again to replace theirs.",
        at.format("%Y-%m-%d %H:%M UTC")
    )
}
