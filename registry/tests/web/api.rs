//! The JSON API: bearer tokens, the same scoping, validation and audit as the pages.

use crate::helpers::{days_ago, spawn_app};

#[test]
fn every_api_call_needs_a_valid_token() {
    let app = spawn_app();
    let mut client = app.browser();
    for path in [
        "/api/v1/patients",
        "/api/v1/worklist",
        "/api/v1/openapi.json",
        "/api/v1/patients/1",
    ] {
        let missing = client.get(path);
        let wrong = client.api("GET", path, "rgt_not-a-token", None);
        assert_eq!(missing.status, 401, "{path}");
        assert_eq!(wrong.status, 401, "{path}");
        assert!(missing.body.contains("\"error\""), "JSON error body");
    }
    // A logged-in browser session is not an API credential.
    let mut browser = app.logged_in(&app.coordinator);
    assert_eq!(browser.get("/api/v1/patients").status, 401);
}

#[test]
fn the_api_scopes_patients_to_the_token_owners_sites() {
    let app = spawn_app();
    let (own, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let (other, _) = app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();

    let list = client.api("GET", "/api/v1/patients", &token, None);
    let mine = client.api("GET", &format!("/api/v1/patients/{own}"), &token, None);
    let theirs = client.api("GET", &format!("/api/v1/patients/{other}"), &token, None);
    let worklist = client.api("GET", "/api/v1/worklist", &token, None);
    let doc = client.api("GET", "/api/v1/openapi.json", &token, None);

    assert_eq!(list.status, 200);
    assert!(list.body.contains("AAA-000001") && !list.body.contains("BBB-000001"));
    assert_eq!(mine.status, 200);
    assert_eq!(theirs.status, 404);
    assert!(worklist.body.contains("\"timepoint\":\"D100\""));
    assert!(doc.body.contains("\"openapi\":\"3.1.0\""));
    let analyst = app.token_for(&app.analyst);
    assert_eq!(
        client.api("GET", "/api/v1/patients", &analyst, None).status,
        403
    );
}

#[test]
fn enrolling_through_the_api_validates_like_the_form_and_audits_the_token() {
    let app = spawn_app();
    let token = app.token_for(&app.coordinator);
    let monitor = app.token_for(&app.monitor);
    let mut client = app.browser();
    let enrolled = days_ago(2).to_string();
    let before = app.change_set_count();

    let invalid = client.api(
        "POST",
        "/api/v1/patients",
        &token,
        Some(r#"{"site": "BBB", "sex": "M", "birth_year": 1850}"#),
    );
    let valid = client.api(
        "POST",
        "/api/v1/patients",
        &token,
        Some(&format!(
            r#"{{"site": "AAA", "sex": "M", "birth_year": 1970, "enrolment_date": "{enrolled}", "consent_research": "GIVEN", "consent_research_date": "{enrolled}"}}"#
        )),
    );
    let forbidden = client.api("POST", "/api/v1/patients", &monitor, Some("{}"));

    assert_eq!(invalid.status, 422);
    assert!(
        invalid
            .body
            .contains("You cannot enrol patients at this site.")
    );
    assert!(invalid.body.contains("\"birth_year\""));
    assert!(invalid.body.contains("\"enrolment_date\""));
    assert_eq!(valid.status, 201, "{}", valid.body);
    assert!(valid.body.contains("AAA-000001"));
    assert_eq!(forbidden.status, 403);
    assert_eq!(app.change_set_count(), before + 1);
    let tokened: i64 = {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'patients' AND api_token_id IS NOT NULL",
        )
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .n
    };
    assert!(tokened > 0, "the audit rows name the token");
}

#[test]
fn a_user_creates_a_token_shown_once_uses_it_and_revokes_it() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let mut browser = app.logged_in(&app.coordinator);
    browser.get("/account");

    let created = browser.post("/account/tokens", &[("name", "nightly import")]);
    let blank = browser.post("/account/tokens", &[("name", " ")]);

    assert_eq!(created.status, 200);
    assert_eq!(blank.status, 422);
    let token = created.input_value("new-token").or_else(|| {
        let at = created.body.find("rgt_")?;
        Some(created.body[at..at + 68].to_owned())
    });
    let token = token.unwrap();
    assert!(token.starts_with("rgt_"));
    assert!(!browser.get("/account").body.contains(&token), "shown once");
    let mut client = app.browser();
    assert_eq!(
        client.api("GET", "/api/v1/patients", &token, None).status,
        200
    );
    let page = browser.get("/account");
    let at = page.body.find("/account/tokens/").unwrap();
    let path: String = page.body[at..].chars().take_while(|c| *c != '"').collect();
    browser.post(&path, &[]).assert_redirect_to("/account");
    assert_eq!(
        client.api("GET", "/api/v1/patients", &token, None).status,
        401
    );
}
