//! CAR-T treatment courses and their infusions: the row types. Product, lymphodepletion, dose
//! unit and route columns hold `domain::product` codes. `NewCourse` predates
//! `investigational_target_other` (migration 000018) and leaves it NULL; the treatment form
//! inserts it by column. `NewInfusion` likewise predates `infusions.intent` (migration 000022):
//! the treatment and re-infusion forms insert it by column.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sqlite::Sqlite;

use crate::db::ids::{CourseId, DiagnosisId, InfusionId, PatientId, UserId};
use crate::db::schema::{infusions, treatment_courses};

/// A CAR-T treatment course (a row of `treatment_courses`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = treatment_courses, check_for_backend(Sqlite))]
pub struct CourseRow {
    pub id: CourseId,
    pub patient_id: PatientId,
    pub diagnosis_id: DiagnosisId,
    pub course_number: i32,
    pub product: String,
    pub investigational_product_name: Option<String>,
    pub investigational_target: Option<String>,
    pub product_class: String,
    pub trial_id: Option<String>,
    pub batch_number: Option<String>,
    pub apheresis_date: Option<NaiveDate>,
    pub apheresis_date_estimated: bool,
    pub bridging_therapy: Option<String>,
    pub bridging_regimen: Option<String>,
    pub bridging_start_date: Option<NaiveDate>,
    pub bridging_start_date_estimated: bool,
    pub bridging_end_date: Option<NaiveDate>,
    pub bridging_end_date_estimated: bool,
    pub not_infused_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
    /// The target of an investigational product when it is `OTHER` (migration 000018).
    pub investigational_target_other: Option<String>,
}

/// A new row of `treatment_courses`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = treatment_courses, check_for_backend(Sqlite))]
pub struct NewCourse {
    pub patient_id: PatientId,
    pub diagnosis_id: DiagnosisId,
    pub course_number: i32,
    pub product: String,
    pub investigational_product_name: Option<String>,
    pub investigational_target: Option<String>,
    pub product_class: String,
    pub trial_id: Option<String>,
    pub batch_number: Option<String>,
    pub apheresis_date: Option<NaiveDate>,
    pub apheresis_date_estimated: bool,
    pub bridging_therapy: Option<String>,
    pub bridging_regimen: Option<String>,
    pub bridging_start_date: Option<NaiveDate>,
    pub bridging_start_date_estimated: bool,
    pub bridging_end_date: Option<NaiveDate>,
    pub bridging_end_date_estimated: bool,
    pub not_infused_reason: Option<String>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `treatment_courses`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = treatment_courses, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct CourseChangeset {
    pub patient_id: PatientId,
    pub diagnosis_id: DiagnosisId,
    pub course_number: i32,
    pub product: String,
    pub investigational_product_name: Option<String>,
    pub investigational_target: Option<String>,
    pub product_class: String,
    pub trial_id: Option<String>,
    pub batch_number: Option<String>,
    pub apheresis_date: Option<NaiveDate>,
    pub apheresis_date_estimated: bool,
    pub bridging_therapy: Option<String>,
    pub bridging_regimen: Option<String>,
    pub bridging_start_date: Option<NaiveDate>,
    pub bridging_start_date_estimated: bool,
    pub bridging_end_date: Option<NaiveDate>,
    pub bridging_end_date_estimated: bool,
    pub not_infused_reason: Option<String>,
    pub investigational_target_other: Option<String>,
    pub updated_by: UserId,
}

/// A CAR-T infusion; the first of a course is Day 0 (a row of `infusions`, as read back).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize, Identifiable)]
#[diesel(table_name = infusions, check_for_backend(Sqlite))]
pub struct InfusionRow {
    pub id: InfusionId,
    pub course_id: CourseId,
    pub patient_id: PatientId,
    pub infusion_number: i32,
    pub lymphodepletion_regimen: String,
    pub lymphodepletion_start_date: Option<NaiveDate>,
    pub lymphodepletion_start_date_estimated: bool,
    pub lymphodepletion_end_date: Option<NaiveDate>,
    pub lymphodepletion_end_date_estimated: bool,
    pub infusion_date: NaiveDate,
    pub infusion_date_estimated: bool,
    pub dose: Option<f64>,
    pub dose_unit: Option<String>,
    pub entire_volume_infused: Option<String>,
    pub route: String,
    pub care_setting: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub admission_date_estimated: bool,
    pub discharge_date: Option<NaiveDate>,
    pub discharge_date_estimated: bool,
    pub ecog_pre_infusion: Option<i32>,
    pub created_at: NaiveDateTime,
    pub created_by: UserId,
    pub updated_at: NaiveDateTime,
    pub updated_by: UserId,
    pub row_version: i32,
    /// Why it was given: an `InfusionIntent` code; NULL when not recorded (migration 000022).
    pub intent: Option<String>,
}

/// A new row of `infusions`; the database fills `id`, the timestamps and `row_version`.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = infusions, check_for_backend(Sqlite))]
pub struct NewInfusion {
    pub course_id: CourseId,
    pub patient_id: PatientId,
    pub infusion_number: i32,
    pub lymphodepletion_regimen: String,
    pub lymphodepletion_start_date: Option<NaiveDate>,
    pub lymphodepletion_start_date_estimated: bool,
    pub lymphodepletion_end_date: Option<NaiveDate>,
    pub lymphodepletion_end_date_estimated: bool,
    pub infusion_date: NaiveDate,
    pub infusion_date_estimated: bool,
    pub dose: Option<f64>,
    pub dose_unit: Option<String>,
    pub entire_volume_infused: Option<String>,
    pub route: String,
    pub care_setting: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub admission_date_estimated: bool,
    pub discharge_date: Option<NaiveDate>,
    pub discharge_date_estimated: bool,
    pub ecog_pre_infusion: Option<i32>,
    pub created_by: UserId,
    pub updated_by: UserId,
}

/// Every editable column of `infusions`, for an update (a `None` clears the column). Set it
/// together with `row_version = row_version + 1` (the database refuses an update without
/// it) and `updated_at`, filtering on the `row_version` that was read: a stale edit then
/// updates no row.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = infusions, check_for_backend(Sqlite), treat_none_as_null = true)]
pub struct InfusionChangeset {
    pub course_id: CourseId,
    pub patient_id: PatientId,
    pub infusion_number: i32,
    pub lymphodepletion_regimen: String,
    pub lymphodepletion_start_date: Option<NaiveDate>,
    pub lymphodepletion_start_date_estimated: bool,
    pub lymphodepletion_end_date: Option<NaiveDate>,
    pub lymphodepletion_end_date_estimated: bool,
    pub infusion_date: NaiveDate,
    pub infusion_date_estimated: bool,
    pub dose: Option<f64>,
    pub dose_unit: Option<String>,
    pub entire_volume_infused: Option<String>,
    pub route: String,
    pub care_setting: Option<String>,
    pub admission_date: Option<NaiveDate>,
    pub admission_date_estimated: bool,
    pub discharge_date: Option<NaiveDate>,
    pub discharge_date_estimated: bool,
    pub ecog_pre_infusion: Option<i32>,
    pub intent: Option<String>,
    pub updated_by: UserId,
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use diesel_migrations::MigrationHarness;

    use crate::db::{MIGRATIONS, known_versions, open, schema::infusions};

    /// Migration 000022 marks the infusions already stored as first infusions `INITIAL` and
    /// leaves re-infusions NULL (their reason was never asked); the CHECK then keeps `INITIAL`
    /// for infusion number 1 only.
    #[test]
    fn migration_000022_marks_stored_first_infusions_initial_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = open(&dir.path().join("r.db")).unwrap();
        let known = known_versions().unwrap();
        let before = known.iter().position(|v| v.ends_with("000022")).unwrap();
        for _ in 0..before {
            conn.run_next_migration(MIGRATIONS).unwrap();
        }
        conn.batch_execute(
            "INSERT INTO sites (code, name, created_by, updated_by) VALUES ('AAA', 'A', 1, 1);
             INSERT INTO patients (registry_id, site_id, sex, birth_year, enrolment_date,
                 consent_research, created_by, updated_by)
               VALUES ('AAA-000001', (SELECT id FROM sites WHERE code = 'AAA'), 'F', 1960,
                 '2024-01-01', 'GIVEN', 1, 1);
             INSERT INTO diagnoses (patient_id, disease, diagnosis_date, prior_hct, created_by,
                 updated_by) VALUES (1, 'DLBCL_NOS', '2023-01-01', 'NONE', 1, 1);
             INSERT INTO treatment_courses (patient_id, diagnosis_id, course_number, product,
                 product_class, apheresis_date, created_by, updated_by)
               VALUES (1, 1, 1, 'AXI_CEL', 'COMMERCIAL', '2024-01-10', 1, 1);
             INSERT INTO infusions (course_id, patient_id, infusion_number,
                 lymphodepletion_regimen, infusion_date, created_by, updated_by)
               VALUES (1, 1, 1, 'FLU_CY', '2024-02-01', 1, 1),
                      (1, 1, 2, 'NONE', '2024-08-01', 1, 1);",
        )
        .unwrap();

        conn.run_next_migration(MIGRATIONS).unwrap();

        let intents: Vec<(i32, Option<String>)> = infusions::table
            .order(infusions::infusion_number)
            .select((infusions::infusion_number, infusions::intent))
            .load(&mut conn)
            .unwrap();
        assert_eq!(intents, vec![(1, Some("INITIAL".to_owned())), (2, None)]);
        let initial_reinfusion = conn.batch_execute(
            "UPDATE infusions SET intent = 'INITIAL', row_version = row_version + 1
             WHERE infusion_number = 2",
        );
        let reason_on_first = conn.batch_execute(
            "UPDATE infusions SET intent = 'MRD_POSITIVE', row_version = row_version + 1
             WHERE infusion_number = 1",
        );
        assert!(initial_reinfusion.is_err(), "only infusion 1 is initial");
        assert!(reason_on_first.is_err(), "infusion 1 is always initial");
    }
}
