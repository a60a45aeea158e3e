//! CSV exports: RFC 4180, code and label columns, own sites with identities for coordinators,
//! de-identified (and optionally in days from Day 0) for monitors and analysts.

use crate::helpers::{days_ago, spawn_app};

#[test]
fn a_coordinator_exports_own_site_patients_with_codes_and_labels() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));

    let response = app.logged_in(&app.coordinator).get("/exports/patients.csv");

    assert_eq!(response.status, 200);
    assert!(
        response
            .header("content-type")
            .unwrap()
            .starts_with("text/csv")
    );
    let mut lines = response.body.split("\r\n");
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("patient_key,registry_id,site,sex,sex_label,birth_year"),
        "{header}"
    );
    assert!(response.body.contains("AAA-000001"));
    assert!(response.body.contains(",F,Female,"));
    assert!(!response.body.contains("BBB-000001"), "own sites only");
}

#[test]
fn an_analyst_gets_every_site_de_identified_and_days_from_day_0() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));
    let mut analyst = app.logged_in(&app.analyst);

    let response = analyst.get("/exports/patients.csv");
    let in_days = analyst.get("/exports/patients.csv?deidentified=1&days=1");

    assert_eq!(response.status, 200);
    assert!(!response.body.contains("AAA-000001") && !response.body.contains("BBB-"));
    assert!(!response.body.contains("registry_id"));
    assert_eq!(
        response.body.trim_end().split("\r\n").count(),
        3,
        "header and both sites"
    );
    assert!(in_days.body.contains("enrolment_date_day"));
    assert!(
        in_days.body.contains(",-40,"),
        "enrolled 40 days before Day 0"
    );
}

#[test]
fn a_monitor_cannot_get_identities_and_an_admin_cannot_export() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));

    let monitor = app.logged_in(&app.monitor).get("/exports/patients.csv");
    let admin = app.logged_in(&app.admin).get("/exports/patients.csv");

    assert_eq!(monitor.status, 200);
    assert!(!monitor.body.contains("AAA-000001"));
    assert_eq!(admin.status, 403);
}
