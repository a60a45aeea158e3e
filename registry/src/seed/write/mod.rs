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

mod codes;
mod sql;

use chrono::NaiveDate;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;

use super::parameters::{self as p, Disease};
use super::simulate::{
    self as sim, Agent, Analyte as AnalyteKind, AssessmentMethod as SimMethod, FollowUpStatus,
    Hypotension as SimHypotension, Hypoxia as SimHypoxia, IgIndication as SimIg, IgRoute,
    InfectionSite as SimSite, MalignancyType, Mrd, PatientHistory,
    PersistenceMethod as SimPersistence, PriorHct, TherapyCategory, TherapyIntent, ToxicityKind,
};
use crate::domain::Vocabulary;
use crate::domain::death::Autopsy;
use crate::domain::diagnosis::PriorTransplant;
use crate::domain::follow_up::{ContactType, FormStatus, SurvivalStatus};
use crate::domain::immunoglobulin::{IgIndication, IgProduct};
use crate::domain::infection::{InfectionSeverity, InfectionSite};
use crate::domain::lab::{LabAnalyte, LabUnit};
use crate::domain::malignancy::{NewMalignancyType, TransgeneResult};
use crate::domain::missing::{MissingCode, YesNo};
use crate::domain::patient::{ConsentStatus, LtfuStatus, Sex};
use crate::domain::persistence::{PersistenceMethod, PersistenceUnit, Specimen};
use crate::domain::product::{
    BridgingTherapy, DoseUnit, InfusionIntent, InfusionRoute, InfusionSetting,
    LymphodepletionRegimen, ProductClass,
};
use crate::domain::response::{
    AssessmentMethod, Assessor, MrdMethod, MrdSensitivity, MrdStatus, RelapseAntigenStatus,
};
use crate::domain::therapy::{SubsequentTherapyCategory, TherapyIntent as DomainIntent};
use crate::domain::toxicity::{
    CerebralOedema, Consciousness, GradingSystem, Hypotension, Hypoxia, MotorFinding, Seizure,
    ToxicityTreatment, ToxicityType,
};
use codes::{
    cause_code, disease_code, grade_code, organism_codes, product_code, refractory_code,
    relapse_method, response_code, yes_no,
};
pub use sql::STATEMENT_ROWS;
use sql::Table;

/// The user every seeded row is authored by: the system account of the first migration.
const SYSTEM_USER: i64 = 1;
const SYSTEM_USER_NAME: &str = "Registry system account";

/// The tables the generator fills, parents before children (foreign-key order).
pub const TABLES: &[&str] = &[
    "sites",
    "patients",
    "diagnoses",
    "treatment_courses",
    "infusions",
    "follow_ups",
    "relapse_detection_methods",
    "follow_up_sign_offs",
    "response_assessments",
    "toxicity_events",
    "toxicity_treatments",
    "persistence_tests",
    "lab_results",
    "immunoglobulin_courses",
    "infections",
    "infection_sites",
    "new_malignancies",
    "subsequent_therapies",
    "deaths",
    "death_contributing_causes",
];

/// Writes cohorts chunk by chunk, keeping the id counters between chunks.
pub struct CohortWriter {
    stamp: String,
    tables: Vec<Table>,
    next: [i64; 20],
}

// Indexes into `CohortWriter::tables` and `next`, in `TABLES` order.
const SITES: usize = 0;
const PATIENTS: usize = 1;
const DIAGNOSES: usize = 2;
const COURSES: usize = 3;
const INFUSIONS: usize = 4;
const FOLLOW_UPS: usize = 5;
const RELAPSE_METHODS: usize = 6;
const SIGN_OFFS: usize = 7;
const RESPONSES: usize = 8;
const TOXICITIES: usize = 9;
const TOX_TREATMENTS: usize = 10;
const PERSISTENCE: usize = 11;
const LABS: usize = 12;
const IMMUNOGLOBULIN: usize = 13;
const INFECTIONS: usize = 14;
const INFECTION_SITES: usize = 15;
const MALIGNANCIES: usize = 16;
const THERAPIES: usize = 17;
const DEATHS: usize = 18;
const DEATH_CAUSES: usize = 19;

impl CohortWriter {
    /// A writer whose rows are stamped as created at `today` 00:00 by the system account.
    pub fn new(today: NaiveDate) -> Self {
        let tables = vec![
            Table::new("sites", "id, code, name"),
            Table::new(
                "patients",
                "id, registry_id, site_id, sex, birth_date, birth_date_estimated, birth_year, \
                 enrolment_date, consent_research, consent_research_date, consent_data_sharing, \
                 consent_data_sharing_date, ltfu_status, ltfu_status_date, ltfu_contact_attempts, \
                 transfer_centre",
            ),
            Table::new(
                "diagnoses",
                "id, patient_id, disease, diagnosis_date, diagnosis_date_estimated, ipi_score, \
                 riss_stage, high_risk_cytogenetics, prior_lines_count, refractory_status, \
                 prior_hct, prior_hct_date, prior_car_t",
            ),
            Table::new(
                "treatment_courses",
                "id, patient_id, diagnosis_id, course_number, product, product_class, \
                 batch_number, apheresis_date, bridging_therapy, bridging_start_date, \
                 bridging_end_date, not_infused_reason",
            ),
            Table::new(
                "infusions",
                "id, course_id, patient_id, infusion_number, lymphodepletion_regimen, \
                 lymphodepletion_start_date, lymphodepletion_end_date, infusion_date, dose, \
                 dose_unit, entire_volume_infused, route, care_setting, admission_date, \
                 discharge_date, ecog_pre_infusion, intent",
            ),
            Table::new(
                "follow_ups",
                "id, patient_id, course_id, timepoint, contact_date, contact_type, \
                 survival_status, ecog_performance_status, relapse_since_last, relapse_date, \
                 relapse_date_estimated, relapse_method, relapse_antigen_status, form_status, \
                 responses_none_to_report, toxicities_none_to_report, infections_none_to_report, \
                 new_malignancies_none_to_report, subsequent_therapies_none_to_report, \
                 persistence_tests_none_to_report, lab_results_none_to_report, \
                 immunoglobulin_none_to_report, locked_by, locked_at",
            ),
            Table::new("relapse_detection_methods", "id, follow_up_id, method"),
            Table::unaudited(
                "follow_up_sign_offs",
                "id, follow_up_id, act, user_id, printed_name, performed_at",
            ),
            Table::new(
                "response_assessments",
                "id, patient_id, course_id, reported_in_follow_up_id, assessment_date, method, \
                 criteria, response, deauville_score, mrd_status, mrd_method, mrd_sensitivity, \
                 assessor",
            ),
            Table::new(
                "toxicity_events",
                "id, patient_id, course_id, reported_in_follow_up_id, toxicity_type, \
                 toxicity_term, grading_system, max_grade, max_grade_date, onset_date, \
                 onset_date_estimated, resolution_date, ongoing, icu_admission, \
                 crs_max_temperature_c, crs_hypotension, crs_hypoxia, icans_lowest_ice_score, \
                 icans_consciousness, icans_seizure, icans_motor_weakness, icans_cerebral_oedema, \
                 icaht_days_anc_le_500, icaht_days_anc_le_100",
            ),
            Table::new(
                "toxicity_treatments",
                "id, toxicity_event_id, agent, agent_detail, doses_count, start_date",
            ),
            Table::new(
                "persistence_tests",
                "id, patient_id, course_id, reported_in_follow_up_id, sample_date, specimen, \
                 method, detected, value, unit, below_lloq, lloq",
            ),
            Table::new(
                "lab_results",
                "id, patient_id, reported_in_follow_up_id, sample_date, analyte, value, unit, \
                 value_missing, normalised_value, normalised_unit, ivig_within_30_days",
            ),
            Table::new(
                "immunoglobulin_courses",
                "id, patient_id, reported_in_follow_up_id, start_date, stop_date, ongoing, \
                 route, dose_mg_per_kg, interval_days, indication",
            ),
            Table::new(
                "infections",
                "id, patient_id, reported_in_follow_up_id, diagnosis_date, \
                 diagnosis_date_estimated, organism_class, organism, severity, hospitalised, \
                 icu_admission, outcome, resolution_date",
            ),
            Table::new("infection_sites", "id, infection_id, site"),
            Table::new(
                "new_malignancies",
                "id, patient_id, reported_in_follow_up_id, diagnosis_date, \
                 diagnosis_date_estimated, malignancy_type, malignancy_detail, \
                 t_cell_malignancy, car_transgene_tested, car_transgene_result, \
                 reported_to_manufacturer_date",
            ),
            Table::new(
                "subsequent_therapies",
                "id, patient_id, course_id, reported_in_follow_up_id, category, intent, \
                 start_date",
            ),
            Table::new(
                "deaths",
                "id, patient_id, reported_in_follow_up_id, death_date, death_date_estimated, \
                 primary_cause, primary_cause_other, autopsy",
            ),
            Table::new("death_contributing_causes", "id, death_id, cause"),
        ];
        Self {
            stamp: format!("{} 00:00:00.000", today.format("%Y-%m-%d")),
            tables,
            next: [1; 20],
        }
    }

    /// Rows written so far per table, in [`TABLES`] order.
    pub fn row_counts(&self) -> Vec<(&'static str, u64)> {
        self.tables.iter().map(|t| (t.name, t.total)).collect()
    }

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

    fn table(&mut self, table: usize) -> &mut Table {
        // `tables` and the index constants are built together in `new`.
        &mut self.tables[table]
    }

    /// Inserts the sites of [`p::SITES`] with ids 1..=6.
    pub fn write_sites(&mut self, conn: &mut SqliteConnection) -> diesel::QueryResult<()> {
        let stamp = self.stamp.clone();
        for (index, (code, name, _)) in p::SITES.iter().enumerate() {
            let id = self.id(SITES);
            debug_assert_eq!(id, index as i64 + 1);
            self.table(SITES).row(&stamp, |v| {
                v.int(id).text(code).text(name);
            });
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
    pub fn add(&mut self, cohort: &sim::Cohort, h: &PatientHistory) {
        let stamp = self.stamp.clone();
        let patient_id = h.number as i64;
        let (site_code, _, _) = p::SITES.get(h.site).copied().unwrap_or(("SITE", "", 0.0));
        let site_id = h.site as i64 + 1;

        // Patient.
        let status = match h.status {
            FollowUpStatus::Active => LtfuStatus::Active,
            FollowUpStatus::Lost => LtfuStatus::Lost,
            FollowUpStatus::Withdrawn => LtfuStatus::Withdrawn,
            FollowUpStatus::Transferred => LtfuStatus::Transferred,
            FollowUpStatus::Dead => LtfuStatus::Dead,
        };
        let registry_id = format!("{site_code}-{:06}", h.number);
        self.table(PATIENTS).row(&stamp, |v| {
            v.int(patient_id)
                .text(&registry_id)
                .int(site_id)
                .code(match h.sex {
                    sim::Sex::Male => Sex::Male,
                    sim::Sex::Female => Sex::Female,
                })
                .date(h.birth_date.date)
                .flag(h.birth_date.estimated)
                .int(i64::from(chrono::Datelike::year(&h.birth_date.date)))
                .date(h.consent_date)
                .code(ConsentStatus::Given)
                .date(h.consent_date)
                .code(if h.data_sharing_consent {
                    ConsentStatus::Given
                } else {
                    ConsentStatus::Declined
                })
                .date(h.consent_date)
                .code(status)
                .opt_date(h.status_date)
                .opt_int(h.tracing_attempts.map(i64::from))
                .opt_text(h.transfer_centre);
        });

        // Diagnosis.
        let diagnosis_id = self.id(DIAGNOSES);
        let dx = &h.diagnosis;
        self.table(DIAGNOSES).row(&stamp, |v| {
            v.int(diagnosis_id)
                .int(patient_id)
                .code(disease_code(dx.subtype))
                .date(dx.date.date)
                .flag(dx.date.estimated)
                .opt_int(dx.ipi.map(i64::from))
                .opt_text(dx.riss.map(|r| match r {
                    1 => "I",
                    2 => "II",
                    _ => "III",
                }))
                .opt_code(dx.high_risk_cytogenetics.map(yes_no))
                .int(i64::from(dx.prior_lines));
            match refractory_code(dx.refractory) {
                Some(code) => v.code(code),
                None => v.code(MissingCode::Unknown),
            };
            v.code(match dx.prior_hct {
                PriorHct::None => PriorTransplant::None,
                PriorHct::Autologous => PriorTransplant::Autologous,
                PriorHct::Allogeneic => PriorTransplant::Allogeneic,
            })
            .opt_date(dx.prior_hct_date)
            .code(YesNo::No);
        });

        // Course and infusion.
        let course_id = self.id(COURSES);
        let c = &h.course;
        let infusion = c.infusion.as_ref();
        self.table(COURSES).row(&stamp, |v| {
            v.int(course_id)
                .int(patient_id)
                .int(diagnosis_id)
                .int(1)
                .code(product_code(c.product))
                .code(if infusion.is_some_and(|i| i.out_of_specification) {
                    ProductClass::OutOfSpecification
                } else {
                    ProductClass::Commercial
                })
                .text(&format!(
                    "{}-{:07}",
                    product_code(c.product).code(),
                    h.number
                ))
                .date(c.apheresis_date);
            match &c.bridging {
                Some(b) => v
                    .code(match b.kind {
                        sim::BridgingKind::Chemotherapy => BridgingTherapy::Chemotherapy,
                        sim::BridgingKind::Radiotherapy => BridgingTherapy::Radiotherapy,
                        sim::BridgingKind::Steroids => BridgingTherapy::Corticosteroids,
                        sim::BridgingKind::Targeted => BridgingTherapy::Targeted,
                    })
                    .date(b.start)
                    .date(b.end),
                None => v.code(BridgingTherapy::None).null().null(),
            };
            v.opt_text(infusion.is_none().then_some("MANUFACTURING_FAILURE"));
        });
        if let Some(inf) = infusion {
            let infusion_id = self.id(INFUSIONS);
            let ld = c.lymphodepletion.as_ref();
            self.table(INFUSIONS).row(&stamp, |v| {
                v.int(infusion_id).int(course_id).int(patient_id).int(1);
                match ld {
                    Some(ld) => v
                        .code(match ld.regimen {
                            p::Lymphodepletion::FluCy { .. } => LymphodepletionRegimen::FluCy,
                            p::Lymphodepletion::Bendamustine { .. } => {
                                LymphodepletionRegimen::Bendamustine
                            }
                        })
                        .date(ld.start)
                        .date(ld.end),
                    None => v.code(LymphodepletionRegimen::None).null().null(),
                };
                v.date(inf.date)
                    .real(inf.dose * 1e6)
                    .code(if inf.per_kg {
                        DoseUnit::CarTCellsPerKg
                    } else {
                        DoseUnit::CarTCellsTotal
                    })
                    .code(YesNo::Yes)
                    .code(InfusionRoute::Intravenous)
                    .code(if inf.outpatient {
                        InfusionSetting::Outpatient
                    } else {
                        InfusionSetting::Inpatient
                    })
                    .date(inf.admission)
                    .date(inf.discharge)
                    .int(i64::from(inf.ecog))
                    // The course's only infusion, Day 0: the initial one.
                    .code(InfusionIntent::Initial);
            });
        }

        // Follow-ups: ids first, so events can point at them.
        let follow_up_ids: Vec<i64> = h.follow_ups.iter().map(|_| self.id(FOLLOW_UPS)).collect();
        let fu_id = |index: Option<usize>| index.and_then(|i| follow_up_ids.get(i).copied());
        let relapse_visit = h.relapse.as_ref().and_then(|r| r.follow_up);
        let disease = cohort
            .indications
            .get(c.indication)
            .map_or(Disease::Lbcl, |i| i.disease);
        let links = Links::of(h);
        for (index, f) in h.follow_ups.iter().enumerate() {
            let id = follow_up_ids.get(index).copied().unwrap_or(0);
            let reported = |mut items: std::slice::Iter<'_, Option<usize>>| {
                !items.any(|fu| *fu == Some(index))
            };
            let none_responses = reported(links.responses.iter());
            let none_toxicities = reported(links.toxicities.iter());
            let none_infections = reported(links.infections.iter());
            let none_malignancies = reported(links.malignancies.iter());
            let none_therapies = reported(links.therapies.iter());
            let none_persistence = reported(links.persistence.iter());
            let none_labs = reported(links.labs.iter());
            let none_ig = reported(links.immunoglobulin.iter());
            let relapse_here = relapse_visit == Some(index);
            let relapse_before = relapse_visit.is_some_and(|r| r < index);
            let locked_by = f.locked_on.map(|_| SYSTEM_USER);
            self.table(FOLLOW_UPS).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .int(course_id)
                    .code(f.timepoint)
                    .date(f.contact_date)
                    .code(match f.contact_type {
                        sim::ContactType::ClinicVisit => ContactType::ClinicVisit,
                        sim::ContactType::OutsideRecords => ContactType::OutsideRecords,
                        sim::ContactType::Phone => ContactType::Phone,
                        sim::ContactType::SurvivalTool => ContactType::SurvivalTool,
                    })
                    .code(if f.alive {
                        SurvivalStatus::Alive
                    } else {
                        SurvivalStatus::Dead
                    })
                    .opt_int(f.ecog.map(i64::from));
                match (&h.relapse, relapse_here, relapse_before) {
                    (Some(r), true, _) => v
                        .code(YesNo::Yes)
                        .date(r.date.date)
                        .flag(r.date.estimated)
                        .code(relapse_method(r.method))
                        .opt_code(r.cd19_negative.map(|neg| {
                            if neg {
                                RelapseAntigenStatus::Negative
                            } else {
                                RelapseAntigenStatus::Positive
                            }
                        })),
                    (_, _, true) => v
                        .code(MissingCode::PreviouslyReported)
                        .null()
                        .flag(false)
                        .null()
                        .null(),
                    _ => v.code(YesNo::No).null().flag(false).null().null(),
                };
                v.code(match f.form_status {
                    sim::FormStatus::InProgress => FormStatus::InProgress,
                    sim::FormStatus::Complete => FormStatus::Complete,
                    sim::FormStatus::Verified => FormStatus::Verified,
                    sim::FormStatus::Locked => FormStatus::Locked,
                })
                .flag(none_responses)
                .flag(none_toxicities)
                .flag(none_infections)
                .flag(none_malignancies)
                .flag(none_therapies)
                .flag(none_persistence)
                .flag(none_labs)
                .flag(none_ig)
                .opt_int(locked_by)
                .opt_noon(f.locked_on);
            });
            let acts = [
                ("COMPLETE", f.completed_on),
                ("VERIFY", f.verified_on),
                ("LOCK", f.locked_on),
            ];
            if let (Some(r), true) = (&h.relapse, relapse_here) {
                // The first method is always among them (as the web app keeps it).
                let mut methods = r.methods.clone();
                if !methods.contains(&r.method) {
                    methods.push(r.method);
                    methods.sort();
                }
                for method in &methods {
                    let method_id = self.id(RELAPSE_METHODS);
                    self.table(RELAPSE_METHODS).row(&stamp, |v| {
                        v.int(method_id).int(id).code(relapse_method(*method));
                    });
                }
            }
            for (act, on) in acts {
                let Some(on) = on else { continue };
                let sign_off_id = self.id(SIGN_OFFS);
                self.table(SIGN_OFFS).row(&stamp, |v| {
                    v.int(sign_off_id)
                        .int(id)
                        .text(act)
                        .int(SYSTEM_USER)
                        .text(SYSTEM_USER_NAME)
                        .opt_noon(Some(on));
                });
            }
        }

        for r in &h.responses {
            let id = self.id(RESPONSES);
            let (criteria, response) = response_code(r.criteria, r.response);
            let mrd = r.mrd;
            let mrd_measured = matches!(mrd, Some(Mrd::Negative | Mrd::Positive));
            self.table(RESPONSES).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .int(course_id)
                    .opt_int(fu_id(r.follow_up))
                    .date(r.date)
                    .code(match r.method {
                        SimMethod::PetCt => AssessmentMethod::PetCt,
                        SimMethod::Ct => AssessmentMethod::Ct,
                        SimMethod::BoneMarrow => AssessmentMethod::BoneMarrow,
                        SimMethod::FlowMrd => AssessmentMethod::FlowMrd,
                        SimMethod::NgsMrd => AssessmentMethod::NgsMrd,
                        SimMethod::Serum => AssessmentMethod::Electrophoresis,
                        SimMethod::Clinical => AssessmentMethod::Clinical,
                    })
                    .code(criteria)
                    .text(response)
                    .opt_int(r.deauville.map(i64::from));
                match mrd {
                    Some(Mrd::Negative) => v.code(MrdStatus::Negative),
                    Some(Mrd::Positive) => v.code(MrdStatus::Positive),
                    Some(Mrd::NotDone) => v.code(MissingCode::NotDone),
                    None => v.null(),
                };
                let (method, sensitivity) = if disease == Disease::Mm {
                    (MrdMethod::Ngs, MrdSensitivity::E5)
                } else {
                    (MrdMethod::Flow, MrdSensitivity::E4)
                };
                v.opt_code(mrd_measured.then_some(method))
                    .opt_code(mrd_measured.then_some(sensitivity))
                    .code(Assessor::Investigator);
            });
        }

        for t in &h.toxicities {
            let id = self.id(TOXICITIES);
            let (kind, system, term) = match t.kind {
                ToxicityKind::Crs => (ToxicityType::Crs, GradingSystem::Astct2019, None),
                ToxicityKind::Icans => (ToxicityType::Icans, GradingSystem::Astct2019, None),
                ToxicityKind::IecHs => (ToxicityType::IecHs, GradingSystem::Ctcae5, None),
                ToxicityKind::EarlyIcaht => {
                    (ToxicityType::IcahtEarly, GradingSystem::EhaEbmt2023, None)
                }
                ToxicityKind::LateIcaht => {
                    (ToxicityType::IcahtLate, GradingSystem::EhaEbmt2023, None)
                }
                ToxicityKind::Tls => (ToxicityType::Tls, GradingSystem::Ctcae5, None),
                ToxicityKind::Hypogammaglobulinaemia => (
                    ToxicityType::Hypogammaglobulinaemia,
                    GradingSystem::Ctcae5,
                    None,
                ),
                ToxicityKind::DelayedNeurotoxicity => (
                    ToxicityType::DelayedNeurotoxicity,
                    GradingSystem::Ctcae5,
                    Some(if t.grade >= 2 {
                        "Parkinsonism"
                    } else {
                        "Cranial nerve palsy"
                    }),
                ),
            };
            let onset = t.onset.date;
            // The day after the onset, but within the event, by its reporting contact and
            // never after death (the entry rules' bounds).
            let reported_by = t
                .follow_up
                .and_then(|i| h.follow_ups.get(i))
                .map(|f| f.contact_date);
            let died = h.death.as_ref().map(|d| d.date.date);
            let max_grade_date = [t.resolution, reported_by, died]
                .into_iter()
                .flatten()
                .fold(onset + chrono::Days::new(1), NaiveDate::min)
                .max(onset);
            let is_icans = t.kind == ToxicityKind::Icans;
            self.table(TOXICITIES).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .int(course_id)
                    .opt_int(fu_id(t.follow_up))
                    .code(kind)
                    .opt_text(term)
                    .code(system);
                grade_code(v, t.kind, t.grade);
                v.date(max_grade_date)
                    .date(onset)
                    .flag(t.onset.estimated)
                    .opt_date(t.resolution)
                    .flag(t.resolution.is_none() && !t.fatal)
                    .code(yes_no(t.icu))
                    .opt_real(t.max_temperature_c)
                    .opt_code(t.hypotension.map(|h| match h {
                        SimHypotension::None => Hypotension::None,
                        SimHypotension::Fluids => Hypotension::NoVasopressor,
                        SimHypotension::OnePressor => Hypotension::OneVasopressor,
                        SimHypotension::MultiplePressors => Hypotension::MultipleVasopressors,
                    }))
                    .opt_code(t.hypoxia.map(|h| match h {
                        SimHypoxia::None => Hypoxia::None,
                        SimHypoxia::LowFlow => Hypoxia::LowFlow,
                        SimHypoxia::HighFlow => Hypoxia::HighFlow,
                        SimHypoxia::PositivePressure => Hypoxia::PositivePressure,
                    }))
                    .opt_int(t.lowest_ice.map(i64::from))
                    .opt_code(is_icans.then_some(match t.grade {
                        1 => Consciousness::AwakensSpontaneously,
                        2 => Consciousness::AwakensToVoice,
                        3 => Consciousness::AwakensToTouch,
                        _ => Consciousness::Unarousable,
                    }))
                    .opt_code(is_icans.then_some(if t.seizure {
                        if t.grade >= 4 {
                            Seizure::LifeThreatening
                        } else {
                            Seizure::RapidlyResolving
                        }
                    } else {
                        Seizure::None
                    }))
                    .opt_code(is_icans.then_some(MotorFinding::None))
                    .opt_code(is_icans.then_some(if t.cerebral_oedema {
                        if t.grade >= 4 {
                            CerebralOedema::Diffuse
                        } else {
                            CerebralOedema::Focal
                        }
                    } else {
                        CerebralOedema::None
                    }))
                    .opt_int(t.early_icaht_counts.map(|c| i64::from(c.days_le_500())))
                    .opt_int(t.early_icaht_counts.map(|c| i64::from(c.days_le_100())));
            });
            for treatment in &t.treatments {
                let (agent, detail) = match treatment.agent {
                    Agent::Tocilizumab => (ToxicityTreatment::Tocilizumab, None),
                    Agent::Corticosteroids => (ToxicityTreatment::Corticosteroids, None),
                    Agent::Anakinra => (ToxicityTreatment::Anakinra, None),
                    Agent::Vasopressors => (ToxicityTreatment::Vasopressors, None),
                    Agent::AntiEpileptics => (ToxicityTreatment::AntiEpileptics, None),
                    Agent::GrowthFactor => (ToxicityTreatment::GrowthFactor, None),
                    Agent::Other(name) => (ToxicityTreatment::Other, Some(name)),
                };
                // Doses are counted for tocilizumab only (the form asks for no other count).
                let doses = treatment.doses.filter(|_| agent.counts_doses());
                let start = treatment.start.unwrap_or(max_grade_date);
                let treatment_id = self.id(TOX_TREATMENTS);
                self.table(TOX_TREATMENTS).row(&stamp, |v| {
                    v.int(treatment_id)
                        .int(id)
                        .code(agent)
                        .opt_text(detail)
                        .opt_int(doses.map(i64::from))
                        .date(start);
                });
            }
        }

        for t in &h.persistence {
            let id = self.id(PERSISTENCE);
            let qpcr = t.method == SimPersistence::Qpcr;
            let lloq = 10.0;
            let below_lloq = qpcr && t.detected == Some(true) && t.value.is_none_or(|x| x <= lloq);
            let value = if below_lloq { None } else { t.value };
            let unit = if qpcr {
                PersistenceUnit::CopiesPerUgDna
            } else {
                PersistenceUnit::PercentOfCd3
            };
            self.table(PERSISTENCE).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .int(course_id)
                    .opt_int(fu_id(t.follow_up))
                    .date(t.date)
                    .code(Specimen::PeripheralBlood)
                    .code(if qpcr {
                        PersistenceMethod::QpcrTransgene
                    } else {
                        PersistenceMethod::FlowCar
                    });
                match t.detected {
                    Some(d) => v.code(yes_no(d)),
                    None => v.code(MissingCode::NotDone),
                };
                // The assay's LLOQ with every qPCR quantity, and with a result censored below
                // it; the unit with a value or an LLOQ.
                let lloq = (qpcr && (value.is_some() || below_lloq)).then_some(lloq);
                v.opt_real(value)
                    .opt_code((value.is_some() || lloq.is_some()).then_some(unit))
                    .flag(below_lloq)
                    .opt_real(lloq);
            });
        }

        for l in &h.labs {
            let id = self.id(LABS);
            let (analyte, unit) = match l.analyte {
                AnalyteKind::IgG => (LabAnalyte::Igg, LabUnit::MgPerDl),
                AnalyteKind::Cd19BCells => (LabAnalyte::Cd19Absolute, LabUnit::CellsPerUl),
                AnalyteKind::Anc => (LabAnalyte::Anc, LabUnit::GigaPerL),
                AnalyteKind::Platelets => (LabAnalyte::Platelets, LabUnit::GigaPerL),
            };
            let is_igg = l.analyte == AnalyteKind::IgG;
            self.table(LABS).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .opt_int(fu_id(l.follow_up))
                    .date(l.date)
                    .code(analyte)
                    .opt_real(l.value)
                    .opt_code(l.value.map(|_| unit))
                    .opt_code(l.value.is_none().then_some(MissingCode::NotDone))
                    .opt_real(l.value)
                    .opt_code(l.value.map(|_| unit))
                    .opt_code(is_igg.then_some(yes_no(l.ivig_within_30d)));
            });
        }

        for g in &h.immunoglobulin {
            let id = self.id(IMMUNOGLOBULIN);
            self.table(IMMUNOGLOBULIN).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .opt_int(fu_id(g.follow_up))
                    .date(g.start)
                    .opt_date(g.stop)
                    .flag(g.stop.is_none())
                    .code(match g.route {
                        IgRoute::Ivig => IgProduct::Ivig,
                        IgRoute::Scig => IgProduct::Scig,
                    })
                    .real(g.dose_g_per_kg * 1000.0)
                    .int(i64::from(g.interval_days))
                    .code(match g.indication {
                        SimIg::Hypogammaglobulinaemia => IgIndication::Hypogammaglobulinaemia,
                        SimIg::RecurrentInfection => IgIndication::Infection,
                    });
            });
        }

        for i in &h.infections {
            let id = self.id(INFECTIONS);
            let (class, organism) = organism_codes(i.class, i.organism);
            let outcome = if i.grade >= 5 {
                "FATAL"
            } else if i.resolution.is_some() {
                "RESOLVED"
            } else {
                "ONGOING"
            };
            self.table(INFECTIONS).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .opt_int(fu_id(i.follow_up))
                    .date(i.date.date)
                    .flag(i.date.estimated)
                    .code(class)
                    .code(organism)
                    .code(match i.grade {
                        0..=2 => InfectionSeverity::G2,
                        3 => InfectionSeverity::G3,
                        4 => InfectionSeverity::G4,
                        _ => InfectionSeverity::G5,
                    })
                    .code(yes_no(i.hospitalised))
                    .code(yes_no(i.icu && i.hospitalised))
                    .text(outcome)
                    .opt_date(i.resolution);
            });
            let site_id = self.id(INFECTION_SITES);
            self.table(INFECTION_SITES).row(&stamp, |v| {
                v.int(site_id).int(id).code(match i.site {
                    SimSite::Blood => InfectionSite::Blood,
                    SimSite::Lung => InfectionSite::Lung,
                    SimSite::UpperRespiratory => InfectionSite::SinusUpperRespiratory,
                    SimSite::GiLower => InfectionSite::GiLower,
                    SimSite::UrinaryLower => InfectionSite::UrinaryLower,
                    SimSite::Skin => InfectionSite::SkinCellulitis,
                    SimSite::Cns => InfectionSite::CentralNervousSystem,
                });
            });
        }

        for m in &h.malignancies {
            let id = self.id(MALIGNANCIES);
            let t_cell = m.kind == MalignancyType::TCellLymphoma;
            self.table(MALIGNANCIES).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .opt_int(fu_id(m.follow_up))
                    .date(m.date.date)
                    .flag(m.date.estimated)
                    .code(match m.kind {
                        MalignancyType::SkinBasal => NewMalignancyType::BasalCellCarcinoma,
                        MalignancyType::SkinSquamous => NewMalignancyType::SquamousCellCarcinoma,
                        MalignancyType::Melanoma => NewMalignancyType::Melanoma,
                        MalignancyType::Mds => NewMalignancyType::Mds,
                        MalignancyType::Aml => NewMalignancyType::Aml,
                        MalignancyType::TCellLymphoma => NewMalignancyType::TCellLymphoma,
                        MalignancyType::Solid => NewMalignancyType::Solid,
                    })
                    .opt_text(m.detail)
                    .flag(t_cell)
                    .code(yes_no(m.transgene_tested))
                    .opt_code(m.transgene_detected.map(|d| {
                        if d {
                            TransgeneResult::Detected
                        } else {
                            TransgeneResult::NotDetected
                        }
                    }))
                    .opt_date(m.reported_to_manufacturer);
            });
        }

        for t in &h.therapies {
            let id = self.id(THERAPIES);
            self.table(THERAPIES).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .int(course_id)
                    .opt_int(fu_id(t.follow_up))
                    .code(match t.category {
                        TherapyCategory::Chemoimmunotherapy => {
                            SubsequentTherapyCategory::Chemotherapy
                        }
                        TherapyCategory::Radiotherapy => SubsequentTherapyCategory::Radiotherapy,
                        TherapyCategory::Bispecific => {
                            SubsequentTherapyCategory::BispecificAntibody
                        }
                        TherapyCategory::AlloHct => SubsequentTherapyCategory::AlloHct,
                        TherapyCategory::Btki => SubsequentTherapyCategory::Targeted,
                        TherapyCategory::MyelomaAgents => SubsequentTherapyCategory::MyelomaAgents,
                        TherapyCategory::Other => SubsequentTherapyCategory::Other,
                    })
                    .code(match t.intent {
                        TherapyIntent::Relapse => DomainIntent::RelapseProgression,
                        TherapyIntent::Consolidation => DomainIntent::ConsolidationMaintenance,
                    })
                    .date(t.start);
            });
        }

        if let Some(d) = &h.death {
            let id = self.id(DEATHS);
            let fatal_infection = h.infections.iter().find(|i| i.grade >= 5).map(|i| i.class);
            let primary = cause_code(d.primary, fatal_infection);
            self.table(DEATHS).row(&stamp, |v| {
                v.int(id)
                    .int(patient_id)
                    .opt_int(fu_id(d.follow_up))
                    .date(d.date.date)
                    .flag(d.date.estimated);
                match primary {
                    Some(cause) => v.code(cause),
                    None => v.code(MissingCode::Unknown),
                };
                v.opt_text(d.other)
                    .code(if d.autopsy { Autopsy::Yes } else { Autopsy::No });
            });
            for cause in &d.contributing {
                let Some(code) = cause_code(*cause, fatal_infection) else {
                    continue;
                };
                let cause_id = self.id(DEATH_CAUSES);
                self.table(DEATH_CAUSES).row(&stamp, |v| {
                    v.int(cause_id).int(id).code(code);
                });
            }
        }
    }
}

/// Which follow-up reported each event, per section (for the "nothing to report" flags).
struct Links {
    responses: Vec<Option<usize>>,
    toxicities: Vec<Option<usize>>,
    infections: Vec<Option<usize>>,
    malignancies: Vec<Option<usize>>,
    therapies: Vec<Option<usize>>,
    persistence: Vec<Option<usize>>,
    labs: Vec<Option<usize>>,
    immunoglobulin: Vec<Option<usize>>,
}

impl Links {
    fn of(h: &PatientHistory) -> Self {
        Self {
            responses: h.responses.iter().map(|e| e.follow_up).collect(),
            toxicities: h.toxicities.iter().map(|e| e.follow_up).collect(),
            infections: h.infections.iter().map(|e| e.follow_up).collect(),
            malignancies: h.malignancies.iter().map(|e| e.follow_up).collect(),
            therapies: h.therapies.iter().map(|e| e.follow_up).collect(),
            persistence: h.persistence.iter().map(|e| e.follow_up).collect(),
            labs: h.labs.iter().map(|e| e.follow_up).collect(),
            immunoglobulin: h.immunoglobulin.iter().map(|e| e.follow_up).collect(),
        }
    }
}
