//! CSV exports through HTTP, written by the export library (`registry::export`): who gets which
//! profile and which sites, de-identification for analysts (stable pseudonyms across
//! downloads), days from Day 0, RFC 4180 output, and the data dictionary.

use crate::helpers::{days_ago, spawn_app};

/// A CSV body read back with an RFC 4180 reader: (header, records).
fn parse(body: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// The values of one column.
fn column(body: &str, name: &str) -> Vec<String> {
    let (header, rows) = parse(body);
    let i = header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"));
    rows.into_iter().map(|r| r[i].clone()).collect()
}

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
    assert!(
        response
            .header("content-disposition")
            .unwrap()
            .contains("filename=\"patients.csv\"")
    );
    assert_eq!(column(&response.body, "registry_id"), ["AAA-000001"]);
    assert_eq!(column(&response.body, "sex"), ["F"]);
    assert_eq!(column(&response.body, "sex_label"), ["Female"]);
    assert!(!response.body.contains("BBB-000001"), "own sites only");
}

#[test]
fn free_text_comes_back_exactly_per_rfc_4180() {
    let app = spawn_app();
    let (patient, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let nasty = "Centre \"Nord\", Lyon\r\nsecond line";
    diesel::RunQueryDsl::execute(
        diesel::sql_query(
            "UPDATE patients SET transfer_centre = ?, row_version = row_version + 1 WHERE id = ?",
        )
        .bind::<diesel::sql_types::Text, _>(nasty)
        .bind::<diesel::sql_types::Integer, _>(patient),
        &mut app.db(),
    )
    .unwrap();

    let response = app.logged_in(&app.coordinator).get("/exports/patients.csv");

    assert_eq!(response.status, 200);
    assert!(
        response
            .body
            .contains("\"Centre \"\"Nord\"\", Lyon\r\nsecond line\""),
        "{}",
        response.body
    );
    assert!(response.body.ends_with("\r\n"), "records end with CRLF");
    assert_eq!(column(&response.body, "transfer_centre"), [nasty]);
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
    let (header, rows) = parse(&response.body);
    assert!(
        !header
            .iter()
            .any(|h| h == "registry_id" || h == "birth_date")
    );
    assert_eq!(rows.len(), 2, "both sites");
    assert!(
        column(&response.body, "id")
            .iter()
            .all(|p| p.starts_with("P-") && p.len() == 14),
        "pseudonyms, not row ids: {}",
        response.body
    );
    assert_eq!(
        column(&in_days.body, "enrolment_day"),
        ["-40", "-40"],
        "enrolled 40 days before Day 0"
    );
    assert!(!in_days.body.contains(&days_ago(95).to_string()));
}

#[test]
fn an_analysts_repeated_downloads_join_on_the_same_pseudonyms() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let mut analyst = app.logged_in(&app.analyst);

    let patients = analyst.get("/exports/patients.csv");
    let again = analyst.get("/exports/patients.csv");
    let courses = analyst.get("/exports/treatment_courses.csv");

    let pseudonyms = column(&patients.body, "id");
    assert_eq!(pseudonyms.len(), 1);
    assert_eq!(column(&again.body, "id"), pseudonyms);
    assert_eq!(column(&courses.body, "patient_id"), pseudonyms);
}

#[test]
fn a_monitor_cannot_get_identities_and_an_admin_cannot_export() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));

    let monitor = app.logged_in(&app.monitor).get("/exports/patients.csv");
    let admin = app.logged_in(&app.admin).get("/exports/patients.csv");

    assert_eq!(monitor.status, 200);
    assert!(!monitor.body.contains("AAA-000001"));
    assert_eq!(parse(&monitor.body).1.len(), 1, "own site only");
    assert_eq!(admin.status, 403);
}

#[test]
fn every_entity_and_the_dictionary_are_offered_and_download() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let mut coordinator = app.logged_in(&app.coordinator);

    let page = coordinator.get("/exports");

    assert_eq!(page.status, 200);
    for entity in registry::export::Entity::ALL {
        let href = format!("/exports/{}.csv", entity.table());
        assert!(page.body.contains(&href), "{href} not offered");
        assert_eq!(coordinator.get(&href).status, 200, "{href}");
    }
    assert!(page.body.contains("/exports/data_dictionary.csv"));
    let dictionary = coordinator.get("/exports/data_dictionary.csv?deidentified=1&days=1");
    assert_eq!(dictionary.status, 200);
    assert!(dictionary.body.starts_with("table,column,type,vocabulary"));
    assert!(!column(&dictionary.body, "column").contains(&"registry_id".to_owned()));
    assert_eq!(coordinator.get("/exports/nothing.csv").status, 404);
}

#[test]
fn infection_sites_export_the_other_sites_name_except_de_identified() {
    use diesel::prelude::*;
    let app = spawn_app();
    let (patient, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    for sql in [
        format!(
            "INSERT INTO infections (id, patient_id, diagnosis_date, organism_class, created_by, \
             updated_by) VALUES (1, {patient}, '{}', 'VIRAL', 1, 1)",
            days_ago(20)
        ),
        "INSERT INTO infection_sites (infection_id, site, site_other, created_by, updated_by) \
         VALUES (1, 'LUNG', NULL, 1, 1), (1, 'OTHER', 'Catheter exit site', 1, 1)"
            .to_owned(),
    ] {
        diesel::sql_query(sql).execute(&mut app.db()).unwrap();
    }

    let named = app
        .logged_in(&app.coordinator)
        .get("/exports/infection_sites.csv");
    let deidentified = app
        .logged_in(&app.analyst)
        .get("/exports/infection_sites.csv?deidentified=1");

    assert_eq!(named.status, 200);
    assert_eq!(column(&named.body, "site"), ["LUNG", "OTHER"]);
    assert_eq!(
        column(&named.body, "site_other"),
        ["", "Catheter exit site"]
    );
    assert_eq!(deidentified.status, 200);
    assert_eq!(parse(&deidentified.body).1.len(), 2);
    assert!(
        !parse(&deidentified.body)
            .0
            .contains(&"site_other".to_owned()),
        "free text is dropped from the de-identified profile"
    );
}
