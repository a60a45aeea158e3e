use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

/// A registry database in a temporary directory, migrated, with one site (`BCN`, id 1).
pub struct TestDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
    conn: SqliteConnection,
}

impl TestDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.db");
        registry::db::create_or_upgrade(&path).unwrap();
        let mut conn = registry::db::open(&path).unwrap();
        conn.batch_execute(
            "INSERT INTO sites (id, code, name, created_by, updated_by) VALUES (1, 'BCN', 'Barcelona', 1, 1);",
        )
        .unwrap();
        Self { dir, path, conn }
    }

    pub fn exec(&mut self, sql: &str) {
        self.conn.batch_execute(sql).unwrap();
    }

    /// Patient `id` (`BCN-00000id`) with an LBCL diagnosis (or `disease`) and one axi-cel
    /// infusion on `infusion` (course and diagnosis ids = patient id).
    pub fn patient(&mut self, id: i32, disease: &str, infusion: &str) {
        let product = if disease == "MM" {
            "CILTA_CEL"
        } else if disease == "BALL" {
            "TISA_CEL"
        } else {
            "AXI_CEL"
        };
        self.exec(&format!(
            "INSERT INTO patients (id, registry_id, site_id, sex, birth_year, enrolment_date, consent_research, created_by, updated_by)
               VALUES ({id}, 'BCN-{id:06}', 1, 'F', 1960, '2019-01-01', 'GIVEN', 1, 1);
             INSERT INTO diagnoses (id, patient_id, disease, diagnosis_date, prior_hct, created_by, updated_by)
               VALUES ({id}, {id}, '{disease}', '2018-06-01', 'NONE', 1, 1);
             INSERT INTO treatment_courses (id, patient_id, diagnosis_id, course_number, product, product_class, created_by, updated_by)
               VALUES ({id}, {id}, {id}, 1, '{product}', 'COMMERCIAL', 1, 1);
             INSERT INTO infusions (course_id, patient_id, infusion_number, lymphodepletion_regimen, infusion_date, created_by, updated_by)
               VALUES ({id}, {id}, 1, 'FLU_CY', '{infusion}', 1, 1);"
        ));
    }

    /// A follow-up contact, alive, optionally reporting a relapse.
    pub fn contact(&mut self, id: i32, date: &str, relapse: Option<&str>) {
        let (flag, rdate) = match relapse {
            Some(r) => ("'Y'".to_owned(), format!("'{r}'")),
            None => ("'N'".to_owned(), "NULL".to_owned()),
        };
        self.exec(&format!(
            "INSERT INTO follow_ups (patient_id, course_id, timepoint, contact_date, survival_status, relapse_since_last, relapse_date, created_by, updated_by)
               VALUES ({id}, {id}, 'UNSCHEDULED', '{date}', 'ALIVE', {flag}, {rdate}, 1, 1);"
        ));
    }

    pub fn death(&mut self, id: i32, date: &str) {
        self.exec(&format!(
            "INSERT INTO deaths (patient_id, death_date, primary_cause, created_by, updated_by)
               VALUES ({id}, '{date}', 'DISEASE', 1, 1);"
        ));
    }

    pub fn response(&mut self, id: i32, date: &str, criteria: &str, code: &str) {
        self.exec(&format!(
            "INSERT INTO response_assessments (patient_id, course_id, assessment_date, criteria, response, created_by, updated_by)
               VALUES ({id}, {id}, '{date}', '{criteria}', '{code}', 1, 1);"
        ));
    }

    /// A CD19+ B-cell count in cells/µL.
    pub fn b_cells(&mut self, id: i32, date: &str, per_ul: f64) {
        self.exec(&format!(
            "INSERT INTO lab_results (patient_id, sample_date, analyte, value, unit, normalised_value, normalised_unit, created_by, updated_by)
               VALUES ({id}, '{date}', 'CD19_ABS', {per_ul}, 'CELLS_PER_UL', {per_ul}, 'CELLS_PER_UL', 1, 1);"
        ));
    }

    /// A peripheral-blood qPCR persistence test; `detected` is the stored code (`Y`, `N`, `ND`).
    pub fn persistence(&mut self, id: i32, date: &str, detected: &str) {
        self.exec(&format!(
            "INSERT INTO persistence_tests (patient_id, course_id, sample_date, specimen, method, detected, created_by, updated_by)
               VALUES ({id}, {id}, '{date}', 'PB', 'QPCR_TRANSGENE', '{detected}', 1, 1);"
        ));
    }

    /// A detected persistence test with what it measured: `method` (`QPCR_TRANSGENE`,
    /// `FLOW_CAR`, ...), `value` in `unit`, or below the LLOQ (no value).
    pub fn persistence_measured(
        &mut self,
        id: i32,
        date: &str,
        method: &str,
        value: Option<f64>,
        unit: &str,
    ) {
        let (value, below) = match value {
            Some(v) => (v.to_string(), 0),
            None => ("NULL".to_owned(), 1),
        };
        self.exec(&format!(
            "INSERT INTO persistence_tests (patient_id, course_id, sample_date, specimen, method, detected, value, unit, below_lloq, lloq, created_by, updated_by)
               VALUES ({id}, {id}, '{date}', 'PB', '{method}', 'Y', {value}, '{unit}', {below}, 10, 1, 1);"
        ));
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

pub fn date(s: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A small hand-made cohort of several diseases with events, responses and censoring.
pub fn small_cohort() -> TestDb {
    let mut db = TestDb::new();
    let diseases = ["DLBCL_NOS", "MM", "BALL", "FL"];
    for id in 1..=40 {
        let disease = diseases[(id as usize) % diseases.len()];
        let month = 1 + (id % 12);
        let infusion = format!("2022-{month:02}-10");
        db.patient(id, disease, &infusion);
        let criteria = match disease {
            "MM" => "IMWG2016",
            "BALL" => "BALL",
            _ => "LUGANO2014",
        };
        let good = match disease {
            "BALL" => "CR",
            _ => {
                if id % 3 == 0 {
                    "PR"
                } else {
                    "CR"
                }
            }
        };
        let bad = match disease {
            "BALL" => "NR",
            _ => "SD",
        };
        let resp = if id % 4 == 1 { bad } else { good };
        db.response(id, &format!("2022-{month:02}-28"), criteria, resp);
        match id % 5 {
            0 => {
                db.contact(
                    id,
                    &format!("2023-{month:02}-01"),
                    Some(&format!("2023-{month:02}-01")),
                );
                db.death(id, &format!("2023-{month:02}-20"));
            }
            1 => db.death(id, &format!("2022-{month:02}-25")),
            2 => db.contact(id, &format!("2024-{month:02}-15"), None),
            3 => db.contact(
                id,
                &format!("2023-{month:02}-15"),
                Some(&format!("2023-{month:02}-10")),
            ),
            _ => db.contact(id, &format!("2025-{month:02}-15"), None),
        }
    }
    db
}
