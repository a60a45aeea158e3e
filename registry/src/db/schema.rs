// @generated automatically by Diesel CLI.

diesel::table! {
    api_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        token_hash -> Text,
        token_prefix -> Text,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        change_set_id -> Integer,
        changed_at -> Timestamp,
        user_id -> Integer,
        api_token_id -> Nullable<Integer>,
        action -> Text,
        table_name -> Text,
        record_id -> Integer,
        patient_id -> Nullable<Integer>,
        field_name -> Text,
        old_value -> Nullable<Text>,
        new_value -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    death_contributing_causes (id) {
        id -> Integer,
        death_id -> Integer,
        cause -> Text,
        cause_other -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    deaths (id) {
        id -> Integer,
        patient_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        death_date -> Date,
        death_date_estimated -> Bool,
        primary_cause -> Text,
        primary_cause_other -> Nullable<Text>,
        autopsy -> Nullable<Text>,
        autopsy_report_attached -> Bool,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    diagnoses (id) {
        id -> Integer,
        patient_id -> Integer,
        disease -> Text,
        disease_other -> Nullable<Text>,
        diagnosis_date -> Date,
        diagnosis_date_estimated -> Bool,
        stage -> Nullable<Text>,
        ipi_score -> Nullable<Integer>,
        riss_stage -> Nullable<Text>,
        high_risk_cytogenetics -> Nullable<Text>,
        extramedullary_disease -> Nullable<Text>,
        cns_involvement -> Nullable<Text>,
        prior_lines_count -> Nullable<Integer>,
        refractory_status -> Nullable<Text>,
        prior_hct -> Text,
        prior_hct_date -> Nullable<Date>,
        prior_hct_date_estimated -> Bool,
        prior_car_t -> Nullable<Text>,
        prior_same_target_therapy -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    follow_up_sign_offs (id) {
        id -> Integer,
        follow_up_id -> Integer,
        act -> Text,
        user_id -> Integer,
        printed_name -> Text,
        performed_at -> Timestamp,
        signature_meaning -> Nullable<Text>,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    follow_ups (id) {
        id -> Integer,
        patient_id -> Integer,
        course_id -> Integer,
        timepoint -> Text,
        contact_date -> Nullable<Date>,
        contact_date_estimated -> Bool,
        contact_type -> Nullable<Text>,
        survival_status -> Nullable<Text>,
        ecog_performance_status -> Nullable<Integer>,
        relapse_since_last -> Nullable<Text>,
        relapse_date -> Nullable<Date>,
        relapse_date_estimated -> Bool,
        relapse_method -> Nullable<Text>,
        relapse_antigen_status -> Nullable<Text>,
        form_status -> Text,
        responses_none_to_report -> Nullable<Bool>,
        toxicities_none_to_report -> Nullable<Bool>,
        infections_none_to_report -> Nullable<Bool>,
        new_malignancies_none_to_report -> Nullable<Bool>,
        subsequent_therapies_none_to_report -> Nullable<Bool>,
        persistence_tests_none_to_report -> Nullable<Bool>,
        lab_results_none_to_report -> Nullable<Bool>,
        immunoglobulin_none_to_report -> Nullable<Bool>,
        locked_by -> Nullable<Integer>,
        locked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    immunoglobulin_courses (id) {
        id -> Integer,
        patient_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        start_date -> Date,
        start_date_estimated -> Bool,
        stop_date -> Nullable<Date>,
        stop_date_estimated -> Bool,
        ongoing -> Bool,
        route -> Text,
        product_name -> Nullable<Text>,
        dose_g -> Nullable<Double>,
        dose_mg_per_kg -> Nullable<Double>,
        interval_days -> Nullable<Integer>,
        indication -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    infection_sites (id) {
        id -> Integer,
        infection_id -> Integer,
        site -> Text,
        site_other -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    infections (id) {
        id -> Integer,
        patient_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        diagnosis_date -> Date,
        diagnosis_date_estimated -> Bool,
        organism_class -> Text,
        organism -> Nullable<Text>,
        organism_other -> Nullable<Text>,
        severity -> Nullable<Text>,
        hospitalised -> Nullable<Text>,
        icu_admission -> Nullable<Text>,
        outcome -> Nullable<Text>,
        resolution_date -> Nullable<Date>,
        resolution_date_estimated -> Bool,
        recurrence_of_infection_id -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    infusions (id) {
        id -> Integer,
        course_id -> Integer,
        patient_id -> Integer,
        infusion_number -> Integer,
        lymphodepletion_regimen -> Text,
        lymphodepletion_start_date -> Nullable<Date>,
        lymphodepletion_start_date_estimated -> Bool,
        lymphodepletion_end_date -> Nullable<Date>,
        lymphodepletion_end_date_estimated -> Bool,
        infusion_date -> Date,
        infusion_date_estimated -> Bool,
        dose -> Nullable<Double>,
        dose_unit -> Nullable<Text>,
        entire_volume_infused -> Nullable<Text>,
        route -> Text,
        care_setting -> Nullable<Text>,
        admission_date -> Nullable<Date>,
        admission_date_estimated -> Bool,
        discharge_date -> Nullable<Date>,
        discharge_date_estimated -> Bool,
        ecog_pre_infusion -> Nullable<Integer>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
        intent -> Nullable<Text>,
    }
}

diesel::table! {
    kept_forms (id) {
        id -> Integer,
        token_hash -> Text,
        user_id -> Integer,
        target -> Text,
        pairs -> Text,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    lab_results (id) {
        id -> Integer,
        patient_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        sample_date -> Date,
        sample_date_estimated -> Bool,
        analyte -> Text,
        value -> Nullable<Double>,
        unit -> Nullable<Text>,
        value_missing -> Nullable<Text>,
        normalised_value -> Nullable<Double>,
        normalised_unit -> Nullable<Text>,
        ivig_within_30_days -> Nullable<Text>,
        rbc_transfusion_within_30_days -> Nullable<Text>,
        platelet_transfusion_within_7_days -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    new_malignancies (id) {
        id -> Integer,
        patient_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        diagnosis_date -> Date,
        diagnosis_date_estimated -> Bool,
        malignancy_type -> Text,
        malignancy_detail -> Nullable<Text>,
        t_cell_malignancy -> Bool,
        ebv_positive -> Nullable<Text>,
        car_transgene_tested -> Nullable<Text>,
        car_transgene_result -> Nullable<Text>,
        product_derived -> Nullable<Text>,
        pathology_report_attached -> Bool,
        reported_to_manufacturer_date -> Nullable<Date>,
        reported_to_manufacturer_date_estimated -> Bool,
        reported_to_fda_date -> Nullable<Date>,
        reported_to_fda_date_estimated -> Bool,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    patients (id) {
        id -> Integer,
        registry_id -> Text,
        site_id -> Integer,
        cibmtr_crid -> Nullable<Text>,
        ebmt_id -> Nullable<Text>,
        trial_subject_id -> Nullable<Text>,
        sex -> Text,
        birth_date -> Nullable<Date>,
        birth_date_estimated -> Bool,
        birth_year -> Integer,
        enrolment_date -> Date,
        enrolment_date_estimated -> Bool,
        consent_research -> Text,
        consent_research_date -> Nullable<Date>,
        consent_research_date_estimated -> Bool,
        consent_data_sharing -> Nullable<Text>,
        consent_data_sharing_date -> Nullable<Date>,
        consent_data_sharing_date_estimated -> Bool,
        ltfu_status -> Text,
        ltfu_status_date -> Nullable<Date>,
        ltfu_status_date_estimated -> Bool,
        ltfu_contact_attempts -> Nullable<Integer>,
        transfer_centre -> Nullable<Text>,
        referring_physician -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    persistence_tests (id) {
        id -> Integer,
        patient_id -> Integer,
        course_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        sample_date -> Date,
        sample_date_estimated -> Bool,
        specimen -> Text,
        method -> Text,
        detected -> Text,
        value -> Nullable<Double>,
        unit -> Nullable<Text>,
        below_lloq -> Bool,
        lloq -> Nullable<Double>,
        laboratory -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    relapse_detection_methods (id) {
        id -> Integer,
        follow_up_id -> Integer,
        method -> Text,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    response_assessments (id) {
        id -> Integer,
        patient_id -> Integer,
        course_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        assessment_date -> Date,
        assessment_date_estimated -> Bool,
        method -> Nullable<Text>,
        criteria -> Text,
        response -> Text,
        deauville_score -> Nullable<Integer>,
        mrd_status -> Nullable<Text>,
        mrd_method -> Nullable<Text>,
        mrd_sensitivity -> Nullable<Text>,
        assessor -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    sites (id) {
        id -> Integer,
        code -> Text,
        name -> Text,
        active -> Bool,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    subsequent_therapies (id) {
        id -> Integer,
        patient_id -> Integer,
        course_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        category -> Text,
        intent -> Nullable<Text>,
        regimen -> Nullable<Text>,
        start_date -> Date,
        start_date_estimated -> Bool,
        end_date -> Nullable<Date>,
        end_date_estimated -> Bool,
        best_response -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    toxicity_events (id) {
        id -> Integer,
        patient_id -> Integer,
        course_id -> Integer,
        reported_in_follow_up_id -> Nullable<Integer>,
        toxicity_type -> Text,
        toxicity_term -> Nullable<Text>,
        grading_system -> Text,
        max_grade -> Text,
        max_grade_date -> Nullable<Date>,
        max_grade_date_estimated -> Bool,
        onset_date -> Date,
        onset_date_estimated -> Bool,
        resolution_date -> Nullable<Date>,
        resolution_date_estimated -> Bool,
        ongoing -> Bool,
        icu_admission -> Nullable<Text>,
        crs_max_temperature_c -> Nullable<Double>,
        crs_hypotension -> Nullable<Text>,
        crs_hypoxia -> Nullable<Text>,
        icans_lowest_ice_score -> Nullable<Integer>,
        icans_highest_capd_score -> Nullable<Integer>,
        icans_consciousness -> Nullable<Text>,
        icans_seizure -> Nullable<Text>,
        icans_motor_weakness -> Nullable<Text>,
        icans_cerebral_oedema -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
        icaht_days_anc_le_500 -> Nullable<Integer>,
        icaht_days_anc_le_100 -> Nullable<Integer>,
        icaht_anc_nadir_per_ul -> Nullable<Integer>,
    }
}

diesel::table! {
    toxicity_treatments (id) {
        id -> Integer,
        toxicity_event_id -> Integer,
        agent -> Text,
        agent_detail -> Nullable<Text>,
        doses_count -> Nullable<Integer>,
        start_date -> Nullable<Date>,
        start_date_estimated -> Bool,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    treatment_courses (id) {
        id -> Integer,
        patient_id -> Integer,
        diagnosis_id -> Integer,
        course_number -> Integer,
        product -> Text,
        investigational_product_name -> Nullable<Text>,
        investigational_target -> Nullable<Text>,
        product_class -> Text,
        trial_id -> Nullable<Text>,
        batch_number -> Nullable<Text>,
        apheresis_date -> Nullable<Date>,
        apheresis_date_estimated -> Bool,
        bridging_therapy -> Nullable<Text>,
        bridging_regimen -> Nullable<Text>,
        bridging_start_date -> Nullable<Date>,
        bridging_start_date_estimated -> Bool,
        bridging_end_date -> Nullable<Date>,
        bridging_end_date_estimated -> Bool,
        not_infused_reason -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
        investigational_target_other -> Nullable<Text>,
    }
}

diesel::table! {
    user_sites (user_id, site_id) {
        user_id -> Integer,
        site_id -> Integer,
        created_at -> Timestamp,
        created_by -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        username -> Text,
        full_name -> Text,
        email -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        role -> Text,
        active -> Bool,
        failed_login_count -> Integer,
        locked_until -> Nullable<Timestamp>,
        last_login_at -> Nullable<Timestamp>,
        password_changed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by -> Integer,
        updated_at -> Timestamp,
        updated_by -> Integer,
        row_version -> Integer,
    }
}

diesel::table! {
    web_cookie_key (id) {
        id -> Integer,
        key_hex -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    web_sessions (id) {
        id -> Integer,
        key_hash -> Text,
        user_id -> Integer,
        state -> Text,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(audit_log -> api_tokens (api_token_id));
diesel::joinable!(audit_log -> users (user_id));
diesel::joinable!(death_contributing_causes -> deaths (death_id));
diesel::joinable!(deaths -> patients (patient_id));
diesel::joinable!(diagnoses -> patients (patient_id));
diesel::joinable!(follow_up_sign_offs -> follow_ups (follow_up_id));
diesel::joinable!(follow_up_sign_offs -> users (user_id));
diesel::joinable!(follow_ups -> patients (patient_id));
diesel::joinable!(immunoglobulin_courses -> patients (patient_id));
diesel::joinable!(infection_sites -> infections (infection_id));
diesel::joinable!(infections -> patients (patient_id));
diesel::joinable!(infusions -> patients (patient_id));
diesel::joinable!(kept_forms -> users (user_id));
diesel::joinable!(lab_results -> patients (patient_id));
diesel::joinable!(new_malignancies -> patients (patient_id));
diesel::joinable!(patients -> sites (site_id));
diesel::joinable!(persistence_tests -> patients (patient_id));
diesel::joinable!(relapse_detection_methods -> follow_ups (follow_up_id));
diesel::joinable!(response_assessments -> patients (patient_id));
diesel::joinable!(subsequent_therapies -> patients (patient_id));
diesel::joinable!(toxicity_events -> patients (patient_id));
diesel::joinable!(toxicity_treatments -> toxicity_events (toxicity_event_id));
diesel::joinable!(treatment_courses -> patients (patient_id));
diesel::joinable!(user_sites -> sites (site_id));
diesel::joinable!(web_sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_tokens,
    audit_log,
    death_contributing_causes,
    deaths,
    diagnoses,
    follow_up_sign_offs,
    follow_ups,
    immunoglobulin_courses,
    infection_sites,
    infections,
    infusions,
    kept_forms,
    lab_results,
    new_malignancies,
    patients,
    persistence_tests,
    relapse_detection_methods,
    response_assessments,
    sites,
    subsequent_therapies,
    toxicity_events,
    toxicity_treatments,
    treatment_courses,
    user_sites,
    users,
    web_cookie_key,
    web_sessions,
);
