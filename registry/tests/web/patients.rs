//! Patients: the list with search and filters, the patient page (schedule and timeline), and
//! enrolment with its validation table and audit rows.

use crate::helpers::{days_ago, spawn_app, today};

#[test]
fn the_list_shows_own_sites_only_and_filters() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    app.insert_treated_patient(app.site_a, "AAA-000002", days_ago(400));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));
    let mut coordinator = app.logged_in(&app.coordinator);

    let all = coordinator.get("/patients");
    let searched = coordinator.get("/patients?q=0002");
    let by_product = coordinator.get("/patients?product=TISA_CEL");
    let other_site = coordinator.get("/patients?site=BBB");

    assert_eq!(all.status, 200);
    assert!(all.body.contains("AAA-000001") && all.body.contains("AAA-000002"));
    assert!(!all.body.contains("BBB-000001"));
    assert!(searched.body.contains("AAA-000002") && !searched.body.contains("AAA-000001"));
    assert!(
        !by_product.body.contains("AAA-0000"),
        "no tisa-cel patients"
    );
    assert!(
        !other_site.body.contains("BBB-000001"),
        "filtering cannot widen the scope"
    );
    let admin = app.logged_in(&app.admin).get("/patients");
    assert!(admin.body.contains("BBB-000001") && admin.body.contains("AAA-000001"));
}

#[test]
fn the_patient_page_shows_schedule_with_form_links_and_timeline() {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));

    let page = app
        .logged_in(&app.coordinator)
        .get(&format!("/patients/{patient}"));

    assert_eq!(page.status, 200);
    assert!(page.body.contains("Patient AAA-000001"));
    assert!(page.body.contains(&format!(
        "/patients/{patient}/courses/{course}/follow-ups/D100"
    )));
    assert!(page.body.contains("status-due"), "Day 100 is due");
    assert!(
        page.body.contains("CAR-T infusion"),
        "timeline starts at Day 0"
    );
}

#[test]
fn another_sites_patient_is_not_found() {
    let app = spawn_app();
    let (patient, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));

    let response = app
        .logged_in(&app.other_coordinator)
        .get(&format!("/patients/{patient}"));

    assert_eq!(response.status, 404);
    assert!(!response.body.contains("AAA-000001"));
    let missing = app.logged_in(&app.coordinator).get("/patients/999999");
    assert_eq!(missing.status, 404);
}

#[test]
fn a_coordinator_enrols_a_patient_with_one_audit_change_set() {
    let app = spawn_app();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get("/patients/new");
    let before = app.audit_change_sets("patients").len();
    let enrolled = days_ago(3).to_string();

    let response = coordinator.post(
        "/patients",
        &[
            ("site", "AAA"),
            ("registry_id", ""),
            ("sex", "F"),
            ("birth_year", "1961"),
            ("birth_date", ""),
            ("enrolment_date", &enrolled),
            ("consent_research", "GIVEN"),
            ("consent_research_date", &enrolled),
            ("trial_subject_id", ""),
        ],
    );

    assert_eq!(response.status, 303, "{}", response.body);
    let location = response.header("location").unwrap().to_owned();
    assert!(location.starts_with("/patients/"));
    let page = coordinator.get(&location);
    assert!(
        page.body.contains("Patient AAA-000001"),
        "numbered automatically"
    );
    let sets = app.audit_change_sets("patients");
    assert_eq!(sets.len(), before + 1, "exactly one change set");
    assert!(sets.last().unwrap().1 >= 6, "one row per recorded field");
}

#[test]
fn an_invalid_enrolment_is_refused_with_422_keeping_every_value() {
    let app = spawn_app();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get("/patients/new");
    app.insert_treated_patient(app.site_a, "AAA-000007", days_ago(95));
    let future = (today() + chrono::Duration::days(3)).to_string();
    let valid: [(&str, &str); 9] = [
        ("site", "AAA"),
        ("registry_id", ""),
        ("sex", "M"),
        ("birth_year", "1970"),
        ("birth_date", ""),
        ("enrolment_date", "2024-01-10"),
        ("consent_research", "GIVEN"),
        ("consent_research_date", "2024-01-10"),
        ("trial_subject_id", ""),
    ];
    // (field, bad value, message shown beside it)
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "site",
            "BBB".into(),
            "You cannot enrol patients at this site.",
        ),
        ("site", "".into(), "Choose the site."),
        (
            "registry_id",
            "12345678".into(),
            "looks like a medical record number",
        ),
        (
            "registry_id",
            "BBB-000001".into(),
            "A registry id of this site starts with AAA-.",
        ),
        (
            "registry_id",
            "AAA-000007".into(),
            "This registry id is already in use.",
        ),
        ("sex", "".into(), "Choose the sex."),
        ("birth_year", "".into(), "Enter the year of birth."),
        ("birth_year", "19x0".into(), "Enter the year as four digits"),
        ("birth_year", "1850".into(), "Enter a year between 1900"),
        (
            "birth_date",
            "1971-05-02".into(),
            "The date of birth is not in the year of birth.",
        ),
        ("birth_date", "02/05/1970".into(), "Use the form YYYY-MM-DD"),
        ("enrolment_date", "".into(), "Enter a date (YYYY-MM-DD)."),
        (
            "enrolment_date",
            future.clone(),
            "This date is in the future.",
        ),
        (
            "consent_research",
            "MAYBE".into(),
            "Choose the consent status.",
        ),
        (
            "consent_research_date",
            "".into(),
            "Enter the date consent was given or withdrawn.",
        ),
    ];
    let before = app.change_set_count();
    for (field, bad, message) in &cases {
        let fields: Vec<(&str, &str)> = valid
            .iter()
            .map(|(k, v)| {
                if k == field {
                    (*k, bad.as_str())
                } else {
                    (*k, *v)
                }
            })
            .collect();

        let response = coordinator.post("/patients", &fields);

        assert_eq!(response.status, 422, "{field}={bad:?}");
        assert!(
            response.body.contains(message),
            "{field}={bad:?}: no message {message:?}"
        );
        let beside = format!("id=\"{field}-error\"");
        assert!(
            response.body.contains(&beside),
            "{field}={bad:?}: not beside the field"
        );
        for (name, value) in &fields {
            if ["site", "sex", "consent_research"].contains(name) {
                continue; // selects: checked below
            }
            assert_eq!(
                response.input_value(name).as_deref(),
                Some(*value),
                "{field}={bad:?}: {name} not kept"
            );
        }
        if *field != "sex" {
            assert!(
                response.body.contains("value=\"M\" selected"),
                "{field}: sex kept"
            );
        }
    }
    assert_eq!(app.change_set_count(), before, "nothing was written");
}

/// The patient page names an investigational product (name, the named target, trial) instead
/// of the generic label, lists every infusion of the course with its dose and intent and a
/// link to record a re-infusion (for writers only), and puts a reported relapse on the
/// timeline with how it was detected and the antigen status.
#[test]
fn the_patient_page_shows_the_investigational_product_every_infusion_and_the_relapse() {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    let relapse = days_ago(30);
    {
        use diesel::connection::SimpleConnection;
        app.db()
            .batch_execute(&format!(
                "UPDATE treatment_courses SET product = 'INVESTIGATIONAL', \
                   product_class = 'INVESTIGATIONAL', investigational_product_name = 'CAR22-01', \
                   investigational_target = 'OTHER', investigational_target_other = 'CD22', \
                   trial_id = 'NCT01234567', row_version = row_version + 1 WHERE id = {course};
                 UPDATE infusions SET dose = 2000000, dose_unit = 'CELLS_PER_KG', \
                   intent = 'INITIAL', row_version = row_version + 1 WHERE course_id = {course};
                 INSERT INTO infusions (course_id, patient_id, infusion_number, \
                   lymphodepletion_regimen, infusion_date, intent, created_by, updated_by) \
                   VALUES ({course}, {patient}, 2, 'NONE', '{}', 'MRD_POSITIVE', 1, 1);
                 INSERT INTO follow_ups (patient_id, course_id, timepoint, contact_date, \
                   relapse_since_last, relapse_date, relapse_method, relapse_antigen_status, \
                   form_status, created_by, updated_by) \
                   VALUES ({patient}, {course}, 'M6', '{}', 'Y', '{relapse}', 'FLOW', 'NEG', \
                   'IN_PROGRESS', 1, 1);",
                days_ago(60),
                days_ago(20),
            ))
            .unwrap();
    }
    let path = format!("/patients/{patient}");

    let page = app.logged_in(&app.coordinator).get(&path);
    let read_only = app.logged_in(&app.monitor).get(&path);

    assert_eq!(page.status, 200);
    let body = &page.body;
    assert!(
        body.contains("investigational product CAR22-01 (target CD22; trial NCT01234567)"),
        "{body}"
    );
    assert!(!body.contains("Investigational product (specify)"));
    for row in [
        format!(
            "<tr><td>1</td><td>{}</td><td>2.00 × 10^6 CAR-positive viable T cells per kg</td>\
             <td>Initial infusion (Day 0)</td>",
            days_ago(200)
        ),
        format!(
            "<tr><td>2</td><td>{}</td><td>dose not recorded</td>\
             <td>Re-infusion for MRD-positive disease</td>",
            days_ago(60)
        ),
    ] {
        assert!(body.contains(&row), "{row} in {body}");
    }
    let reinfusion = format!("/patients/{patient}/courses/{course}/infusions/new");
    assert!(body.contains(&reinfusion) && body.contains("Record a re-infusion"));
    assert!(read_only.body.contains("CAR22-01"));
    assert!(
        !read_only.body.contains(&reinfusion),
        "monitors cannot write"
    );
    assert!(body.contains(&format!(
        "<td class=\"date\">{relapse}</td><td>{}</td><td>Relapse / progression</td>\
         <td>Detected by: Flow cytometry; antigen status: Target antigen negative (antigen escape)",
        (relapse - days_ago(200)).num_days()
    )));
    assert!(body.contains("Infusion 2: Re-infusion for MRD-positive disease"));
}
