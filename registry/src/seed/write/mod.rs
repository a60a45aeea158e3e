//! Bulk-loads simulated histories into the registry's tables.
//!
//! Rows go in as multi-row `INSERT … VALUES (…), (…)` statements of up to [`STATEMENT_ROWS`]
//! rows, one SQL batch per chunk of patients, all inside the caller's transaction. Values are
//! rendered as SQL literals: every one of them is produced here (numbers, ISO dates, vocabulary
//! codes, a few fixed labels), never typed by a user, and text is quoted by
//! [`sql::Values::text`]. Coded columns are written through the domain vocabularies' `code()`
//! ([`codes`] maps the simulation's values to them), so the database holds exactly the codes the
//! rest of the registry parses.
//!
//! Ids are dense and assigned in patient order, so the same cohort always gets the same ids.
//! Every row is authored by the system account (user 1) at one fixed timestamp: the data cut.
//!
//! [`CohortWriter::add`] writes a patient section by section, one file per section of the
//! registry's forms:
//!
//! - [`patient`]: the patient (registration, consent, follow-up status) and the diagnosis;
//! - [`treatment`]: the treatment course (product, bridging) and its infusion;
//! - [`follow_up`]: each follow-up form, its relapse report and sign-offs;
//! - [`response`]: response assessments, with MRD;
//! - [`toxicity`]: toxicity events (CRS, ICANS, ICAHT, …) and their treatments;
//! - [`immune`]: CAR-T persistence tests, lab results and immunoglobulin replacement;
//! - [`infection`], [`malignancy`], [`therapy`], [`death`]: later events.
//!
//! Beside them: [`tables`] (each table's columns), [`sql`] (rendering rows as SQL) and
//! [`codes`] (the registry's code for each simulated value).

mod codes;
mod death;
mod follow_up;
mod immune;
mod infection;
mod malignancy;
mod patient;
mod response;
mod sql;
mod tables;
mod therapy;
mod toxicity;
mod treatment;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;

use super::parameters as p;
use super::simulate::{Cohort, PatientHistory};
pub use sql::STATEMENT_ROWS;
use sql::{Table, Values};
pub use tables::TABLES;

/// The user every seeded row is authored by: the system account of the first migration.
const SYSTEM_USER: i64 = 1;
const SYSTEM_USER_NAME: &str = "Registry system account";

/// Writes cohorts chunk by chunk, keeping the id counters between chunks.
pub struct CohortWriter {
    stamp: String,
    /// Pending rows per table, in [`TABLES`] order.
    tables: Vec<Table>,
    /// The next id per table, in [`TABLES`] order.
    next: [i64; TABLES.len()],
}

/// The ids a patient's clinical rows point at.
struct PatientIds {
    patient: i64,
    course: i64,
    /// The patient's follow-up forms, in visit order.
    follow_ups: Vec<i64>,
}

impl PatientIds {
    /// The id of the follow-up form that reported an event (by its index among the visits).
    fn reported_in(&self, follow_up: Option<usize>) -> Option<i64> {
        follow_up.and_then(|i| self.follow_ups.get(i).copied())
    }
}

impl CohortWriter {
    /// A writer whose rows are stamped as created at `today` 00:00 by the system account.
    pub fn new(today: NaiveDate) -> Self {
        Self {
            stamp: format!("{} 00:00:00.000", today.format("%Y-%m-%d")),
            tables: tables::empty(),
            next: [1; TABLES.len()],
        }
    }

    /// Rows written so far per table, in [`TABLES`] order.
    pub fn row_counts(&self) -> Vec<(&'static str, u64)> {
        self.tables.iter().map(|t| (t.name, t.total)).collect()
    }

    /// Inserts the sites of [`p::SITES`] with ids 1..=6.
    pub fn write_sites(&mut self, conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
        for (index, (code, name, _)) in p::SITES.iter().enumerate() {
            let id = self.insert(tables::SITES, |v| {
                v.text(code).text(name);
            });
            debug_assert_eq!(id, index as i64 + 1);
        }
        self.flush(conn)
    }

    /// Renders every table's pending rows and executes them as one batch.
    pub fn flush(&mut self, conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
        let mut sql = String::new();
        for table in &mut self.tables {
            table.drain_into(&mut sql);
        }
        if sql.is_empty() {
            Ok(())
        } else {
            conn.batch_execute(&sql)
        }
    }

    /// Adds one patient's rows to the pending batch.
    pub fn add(&mut self, cohort: &Cohort, h: &PatientHistory) {
        let patient = self.write_patient(h);
        let diagnosis = self.write_diagnosis(patient, &h.diagnosis);
        let course = self.write_course(patient, diagnosis, h);
        if let Some(infusion) = &h.course.infusion {
            self.write_infusion(patient, course, &h.course, infusion);
        }
        let ids = PatientIds {
            patient,
            course,
            follow_ups: self.follow_up_ids(h.follow_ups.len()),
        };
        self.write_follow_ups(&ids, h);
        self.write_responses(&ids, cohort, h);
        self.write_toxicities(&ids, h);
        self.write_persistence_tests(&ids, &h.persistence);
        self.write_lab_results(&ids, &h.labs);
        self.write_immunoglobulin(&ids, &h.immunoglobulin);
        self.write_infections(&ids, &h.infections);
        self.write_malignancies(&ids, &h.malignancies);
        self.write_therapies(&ids, &h.therapies);
        if let Some(death) = &h.death {
            self.write_death(&ids, death, &h.infections);
        }
    }

    /// Takes the next id of `table`.
    fn id(&mut self, table: usize) -> i64 {
        let slot = self.next.get_mut(table);
        match slot {
            Some(next) => {
                let id = *next;
                *next += 1;
                id
            }
            None => 0,
        }
    }

    /// Appends a row to `table`; `fill` writes all its values, the id first, in column order.
    fn row(&mut self, table: usize, fill: impl FnOnce(&mut Values<'_>)) {
        // The index constants and `tables::empty` are declared together, in one order.
        self.tables[table].row(&self.stamp, fill);
    }

    /// Appends a row to `table` under the table's next id, which is written as the first value
    /// (the `id` column); `fill` writes the other values in column order. Returns the id.
    fn insert(&mut self, table: usize, fill: impl FnOnce(&mut Values<'_>)) -> i64 {
        let id = self.id(table);
        self.row(table, |v| {
            v.int(id);
            fill(v);
        });
        id
    }
}
