//! `GET /patients/{id}/treatments/new`

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::NaiveDate;
use diesel::prelude::*;

use super::{TreatmentForm, TreatmentPage};
use crate::db::schema::diagnoses;
use crate::domain::access::Permission;
use crate::web::{
    auth::{extract::CurrentUser, session::TypedSession},
    error::{AppError, render},
    layout::Layout,
    routes::patients::find_patient,
    startup::AppState,
};

/// The newest diagnosis of a patient: (id, date).
pub fn latest_diagnosis(
    conn: &mut SqliteConnection,
    pid: i32,
) -> QueryResult<Option<(i32, NaiveDate)>> {
    diagnoses::table
        .filter(diagnoses::patient_id.eq(pid))
        .select((diagnoses::id, diagnoses::diagnosis_date))
        .order(diagnoses::diagnosis_date.desc())
        .first(conn)
        .optional()
}

/// Shows the empty form (coordinators, own sites).
pub async fn get(
    user: CurrentUser,
    session: TypedSession,
    path: web::Path<i32>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let scope = user.sites_for(Permission::WritePatients)?;
    let pid = path.into_inner();
    let (registry_id, diagnosis) = state
        .db(move |conn| {
            let patient = find_patient(conn, &scope, pid)?.ok_or(AppError::NotFound)?;
            Ok((patient.registry_id, latest_diagnosis(conn, pid)?))
        })
        .await?;
    let form = TreatmentForm {
        needs_diagnosis: diagnosis.is_none(),
        ..TreatmentForm::default()
    };
    let page = TreatmentPage::new(
        Layout::new(&user, &session, "patients")?,
        pid,
        registry_id,
        form,
    );
    render(StatusCode::OK, &page)
}
