//! The tables the generator fills, parents before children (foreign-key order), and the
//! columns it writes in each. A section's writer fills a row's values in exactly this column
//! order; the created/updated audit columns are added by [`Table::row`].

use super::sql::Table;

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

// Indexes into the writer's tables and id counters, in `TABLES` order.
pub(super) const SITES: usize = 0;
pub(super) const PATIENTS: usize = 1;
pub(super) const DIAGNOSES: usize = 2;
pub(super) const COURSES: usize = 3;
pub(super) const INFUSIONS: usize = 4;
pub(super) const FOLLOW_UPS: usize = 5;
pub(super) const RELAPSE_METHODS: usize = 6;
pub(super) const SIGN_OFFS: usize = 7;
pub(super) const RESPONSES: usize = 8;
pub(super) const TOXICITIES: usize = 9;
pub(super) const TOX_TREATMENTS: usize = 10;
pub(super) const PERSISTENCE: usize = 11;
pub(super) const LABS: usize = 12;
pub(super) const IMMUNOGLOBULIN: usize = 13;
pub(super) const INFECTIONS: usize = 14;
pub(super) const INFECTION_SITES: usize = 15;
pub(super) const MALIGNANCIES: usize = 16;
pub(super) const THERAPIES: usize = 17;
pub(super) const DEATHS: usize = 18;
pub(super) const DEATH_CAUSES: usize = 19;

/// Every table with nothing pending, in [`TABLES`] order.
pub(super) fn empty() -> Vec<Table> {
    vec![
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
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_its_columns_in_foreign_key_order() {
        let names: Vec<&str> = empty().iter().map(|t| t.name).collect();
        assert_eq!(names, TABLES);
    }
}
