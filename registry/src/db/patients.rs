//! Patients and their diagnoses: the row types. Coded columns hold the stored codes of the
//! domain vocabularies (`domain::patient`, `domain::diagnosis`); parse them at the edge.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::audit::{ChangeSet, fields_of};
use crate::db::ids::{DiagnosisId, PatientId, SiteId, UserId};
use crate::db::schema::{diagnoses, patients};

/// A pseudonymous patient (a row of `patients`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = patients, check_for_backend(Sqlite))]
pub struct PatientRow {
    pub id: PatientId,
    pub registry_id: String,
    pub site_id: SiteId,
    pub cibmtr_crid: Option<String>,
    pub ebmt_id: Option<String>,
    pub trial_subject_id: Option<String>,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub birth_year: i32,
    pub enrolment_date: NaiveDate,
    pub enrolment_date_estimated: bool,
    pub consent_research: String,
    pub consent_research_date: Option<NaiveDate>,
    pub consent_research_date_estimated: bool,
    pub consent_data_sharing: Option<String>,
    pub consent_data_sharing_date: Option<NaiveDate>,
    pub consent_data_sharing_date_estimated: bool,
    pub ltfu_status: String,
    pub ltfu_status_date: Option<NaiveDate>,
    pub ltfu_status_date_estimated: bool,
    pub ltfu_contact_attempts: Option<i32>,
    pub transfer_centre: Option<String>,
    pub referring_physician: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `patients`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = patients, check_for_backend(Sqlite))]
pub struct NewPatient {
    pub registry_id: String,
    pub site_id: SiteId,
    pub cibmtr_crid: Option<String>,
    pub ebmt_id: Option<String>,
    pub trial_subject_id: Option<String>,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub birth_year: i32,
    pub enrolment_date: NaiveDate,
    pub enrolment_date_estimated: bool,
    pub consent_research: String,
    pub consent_research_date: Option<NaiveDate>,
    pub consent_research_date_estimated: bool,
    pub consent_data_sharing: Option<String>,
    pub consent_data_sharing_date: Option<NaiveDate>,
    pub consent_data_sharing_date_estimated: bool,
    pub ltfu_status: String,
    pub ltfu_status_date: Option<NaiveDate>,
    pub ltfu_status_date_estimated: bool,
    pub ltfu_contact_attempts: Option<i32>,
    pub transfer_centre: Option<String>,
    pub referring_physician: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `patients`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = patients, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct PatientChangeset {
    pub registry_id: String,
    pub site_id: SiteId,
    pub cibmtr_crid: Option<String>,
    pub ebmt_id: Option<String>,
    pub trial_subject_id: Option<String>,
    pub sex: String,
    pub birth_date: Option<NaiveDate>,
    pub birth_date_estimated: bool,
    pub birth_year: i32,
    pub enrolment_date: NaiveDate,
    pub enrolment_date_estimated: bool,
    pub consent_research: String,
    pub consent_research_date: Option<NaiveDate>,
    pub consent_research_date_estimated: bool,
    pub consent_data_sharing: Option<String>,
    pub consent_data_sharing_date: Option<NaiveDate>,
    pub consent_data_sharing_date_estimated: bool,
    pub ltfu_status: String,
    pub ltfu_status_date: Option<NaiveDate>,
    pub ltfu_status_date_estimated: bool,
    pub ltfu_contact_attempts: Option<i32>,
    pub transfer_centre: Option<String>,
    pub referring_physician: Option<String>,
    pub updated_by: UserId,
}

/// The indication for CAR-T (a row of `diagnoses`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = diagnoses, check_for_backend(Sqlite))]
pub struct DiagnosisRow {
    pub id: DiagnosisId,
    pub patient_id: PatientId,
    pub disease: String,
    pub disease_other: Option<String>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub stage: Option<String>,
    pub ipi_score: Option<i32>,
    pub riss_stage: Option<String>,
    pub high_risk_cytogenetics: Option<String>,
    pub extramedullary_disease: Option<String>,
    pub cns_involvement: Option<String>,
    pub prior_lines_count: Option<i32>,
    pub refractory_status: Option<String>,
    pub prior_hct: String,
    pub prior_hct_date: Option<NaiveDate>,
    pub prior_hct_date_estimated: bool,
    pub prior_car_t: Option<String>,
    pub prior_same_target_therapy: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
}

/// A new row of `diagnoses`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = diagnoses, check_for_backend(Sqlite))]
pub struct NewDiagnosis {
    pub patient_id: PatientId,
    pub disease: String,
    pub disease_other: Option<String>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub stage: Option<String>,
    pub ipi_score: Option<i32>,
    pub riss_stage: Option<String>,
    pub high_risk_cytogenetics: Option<String>,
    pub extramedullary_disease: Option<String>,
    pub cns_involvement: Option<String>,
    pub prior_lines_count: Option<i32>,
    pub refractory_status: Option<String>,
    pub prior_hct: String,
    pub prior_hct_date: Option<NaiveDate>,
    pub prior_hct_date_estimated: bool,
    pub prior_car_t: Option<String>,
    pub prior_same_target_therapy: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `diagnoses`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = diagnoses, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct DiagnosisChangeset {
    pub patient_id: PatientId,
    pub disease: String,
    pub disease_other: Option<String>,
    pub diagnosis_date: NaiveDate,
    pub diagnosis_date_estimated: bool,
    pub stage: Option<String>,
    pub ipi_score: Option<i32>,
    pub riss_stage: Option<String>,
    pub high_risk_cytogenetics: Option<String>,
    pub extramedullary_disease: Option<String>,
    pub cns_involvement: Option<String>,
    pub prior_lines_count: Option<i32>,
    pub refractory_status: Option<String>,
    pub prior_hct: String,
    pub prior_hct_date: Option<NaiveDate>,
    pub prior_hct_date_estimated: bool,
    pub prior_car_t: Option<String>,
    pub prior_same_target_therapy: Option<String>,
    pub updated_by: UserId,
}

impl PatientChangeset {
    /// The changeset that rewrites a row as it is (a correction then changes only the fields
    /// it means to), stamped with who makes the change.
    pub fn from_row(row: &PatientRow, updated_by: UserId) -> Self {
        Self {
            registry_id: row.registry_id.clone(),
            site_id: row.site_id,
            cibmtr_crid: row.cibmtr_crid.clone(),
            ebmt_id: row.ebmt_id.clone(),
            trial_subject_id: row.trial_subject_id.clone(),
            sex: row.sex.clone(),
            birth_date: row.birth_date,
            birth_date_estimated: row.birth_date_estimated,
            birth_year: row.birth_year,
            enrolment_date: row.enrolment_date,
            enrolment_date_estimated: row.enrolment_date_estimated,
            consent_research: row.consent_research.clone(),
            consent_research_date: row.consent_research_date,
            consent_research_date_estimated: row.consent_research_date_estimated,
            consent_data_sharing: row.consent_data_sharing.clone(),
            consent_data_sharing_date: row.consent_data_sharing_date,
            consent_data_sharing_date_estimated: row.consent_data_sharing_date_estimated,
            ltfu_status: row.ltfu_status.clone(),
            ltfu_status_date: row.ltfu_status_date,
            ltfu_status_date_estimated: row.ltfu_status_date_estimated,
            ltfu_contact_attempts: row.ltfu_contact_attempts,
            transfer_centre: row.transfer_centre.clone(),
            referring_physician: row.referring_physician.clone(),
            updated_by,
        }
    }
}

/// What a correction of a patient row came to.
#[derive(Debug, Clone, PartialEq)]
pub enum PatientRevision {
    /// Written, with its audit rows.
    Saved(Box<PatientRow>),
    /// Someone saved the row since it was read: nothing was written. The row as stored now,
    /// and the username of who saved it last.
    Stale {
        current: Box<PatientRow>,
        by: String,
    },
}

/// Corrects a patient row in one transaction: refuses a stale `expected_version` (someone
/// saved since the form was opened), applies `change` to the stored row, bumps `row_version`
/// and writes one audit row per changed column under one change set with `reason`. The row is
/// found by id only: the caller has already checked the user's site scope.
pub fn revise_patient(
    conn: &mut SqliteConnection,
    actor: UserId,
    patient_id: PatientId,
    expected_version: i32,
    reason: &str,
    change: impl FnOnce(&mut PatientChangeset),
) -> QueryResult<PatientRevision> {
    crate::db::write_transaction(conn, |conn| {
        let before: PatientRow = patients::table
            .find(patient_id.0)
            .select(PatientRow::as_select())
            .first(conn)?;
        if before.row_version != expected_version {
            let by = crate::db::users::username_of(conn, before.updated_by)?;
            return Ok(PatientRevision::Stale {
                current: Box::new(before),
                by,
            });
        }
        let mut set = PatientChangeset::from_row(&before, actor);
        change(&mut set);
        if set == PatientChangeset::from_row(&before, actor) {
            // Nothing to correct: no write, no audit rows, the version stays.
            return Ok(PatientRevision::Saved(Box::new(before)));
        }
        diesel::update(
            patients::table
                .find(patient_id.0)
                .filter(patients::row_version.eq(expected_version)),
        )
        .set((
            &set,
            patients::row_version.eq(patients::row_version + 1),
            patients::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(conn)?;
        let after: PatientRow = patients::table
            .find(patient_id.0)
            .select(PatientRow::as_select())
            .first(conn)?;
        let changes = ChangeSet::begin(conn, actor, None, Some(reason))?;
        changes.record_update(
            conn,
            "patients",
            patient_id.0,
            Some(patient_id),
            &fields_of(&before)?,
            &fields_of(&after)?,
        )?;
        Ok(PatientRevision::Saved(Box::new(after)))
    })
}

/// Sets a patient's long-term follow-up status and its date inside the caller's transaction,
/// recording the change in the caller's change set (a death recorded, corrected or deleted
/// moves the status with it). No change: nothing written.
pub fn set_status_within(
    conn: &mut SqliteConnection,
    changes: &ChangeSet,
    patient_id: PatientId,
    status: &str,
    date: Option<NaiveDate>,
) -> QueryResult<()> {
    let before: PatientRow = patients::table
        .find(patient_id.0)
        .select(PatientRow::as_select())
        .first(conn)?;
    if before.ltfu_status == status && before.ltfu_status_date == date {
        return Ok(());
    }
    let mut set = PatientChangeset::from_row(&before, changes.user_id);
    set.ltfu_status = status.to_owned();
    set.ltfu_status_date = date;
    set.ltfu_status_date_estimated = false;
    if status != "TRANSFERRED" {
        set.transfer_centre = None;
    }
    diesel::update(patients::table.find(patient_id.0))
        .set((
            &set,
            patients::row_version.eq(patients::row_version + 1),
            patients::updated_at.eq(chrono::Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    let after: PatientRow = patients::table
        .find(patient_id.0)
        .select(PatientRow::as_select())
        .first(conn)?;
    changes.record_update(
        conn,
        "patients",
        patient_id.0,
        Some(patient_id),
        &fields_of(&before)?,
        &fields_of(&after)?,
    )?;
    Ok(())
}

/// A correction of a diagnosis: the disease, its name when `OTHER`, and the date.
#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosisCorrection {
    pub disease: String,
    pub disease_other: Option<String>,
    pub diagnosis_date: NaiveDate,
}

/// What a correction of a diagnosis came to.
#[derive(Debug, Clone, PartialEq)]
pub enum DiagnosisRevision {
    /// Written with its audit rows (or nothing to change).
    Saved,
    /// Someone saved the row since it was read: nothing was written.
    Stale {
        current: Box<DiagnosisRow>,
        by: String,
    },
}

/// Corrects a diagnosis in one transaction: refuses a stale `expected_version`, writes the
/// columns, bumps `row_version` and records one audit row per changed column under one change
/// set with `reason`. The caller has checked the user's scope and the rules.
pub fn revise_diagnosis(
    conn: &mut SqliteConnection,
    actor: UserId,
    diagnosis_id: DiagnosisId,
    expected_version: i32,
    reason: &str,
    correction: &DiagnosisCorrection,
) -> QueryResult<DiagnosisRevision> {
    crate::db::write_transaction(conn, |conn| {
        let before: DiagnosisRow = diagnoses::table
            .find(diagnosis_id.0)
            .select(DiagnosisRow::as_select())
            .first(conn)?;
        if before.row_version != expected_version {
            let by = crate::db::users::username_of(conn, before.updated_by)?;
            return Ok(DiagnosisRevision::Stale {
                current: Box::new(before),
                by,
            });
        }
        if before.disease == correction.disease
            && before.disease_other == correction.disease_other
            && before.diagnosis_date == correction.diagnosis_date
        {
            return Ok(DiagnosisRevision::Saved);
        }
        diesel::update(
            diagnoses::table
                .find(diagnosis_id.0)
                .filter(diagnoses::row_version.eq(expected_version)),
        )
        .set((
            diagnoses::disease.eq(&correction.disease),
            diagnoses::disease_other.eq(&correction.disease_other),
            diagnoses::diagnosis_date.eq(correction.diagnosis_date),
            diagnoses::updated_by.eq(actor),
            diagnoses::updated_at.eq(chrono::Utc::now().naive_utc()),
            diagnoses::row_version.eq(diagnoses::row_version + 1),
        ))
        .execute(conn)?;
        let after: DiagnosisRow = diagnoses::table
            .find(diagnosis_id.0)
            .select(DiagnosisRow::as_select())
            .first(conn)?;
        let changes = ChangeSet::begin(conn, actor, None, Some(reason))?;
        changes.record_update(
            conn,
            "diagnoses",
            diagnosis_id.0,
            Some(after.patient_id),
            &fields_of(&before)?,
            &fields_of(&after)?,
        )?;
        Ok(DiagnosisRevision::Saved)
    })
}
