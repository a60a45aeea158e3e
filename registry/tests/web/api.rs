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

/// A complete Day 100 follow-up body for a patient infused 95 days ago.
fn follow_up_body(row_version: i64, changes: &[(&str, serde_json::Value)]) -> String {
    let mut body = serde_json::json!({
        "row_version": row_version,
        "complete": true,
        "contact_date": days_ago(1).to_string(),
        "contact_type": "CLINIC",
        "survival_status": "ALIVE",
        "ecog": 1,
        "relapse_since_last": "N",
        "none_responses": "none",
        "none_toxicities": "none",
        "none_infections": "none",
        "none_immunoglobulin": "none",
        "none_lab_results": "none",
        "none_persistence_tests": "none",
        "none_new_malignancies": "none",
        "none_subsequent_therapies": "none",
    });
    for (k, v) in changes {
        body[*k] = v.clone();
    }
    body.to_string()
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap()
}

/// PUT with an `If-Match` header.
fn put_if_match(
    client: &mut crate::helpers::Browser,
    path: &str,
    token: &str,
    version: &str,
    body: &str,
) -> crate::helpers::Response {
    let auth = format!("Bearer {token}");
    let etag = format!("\"{version}\"");
    client.request_with(
        "PUT",
        path,
        Some(body.to_owned()),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
            ("If-Match", &etag),
        ],
    )
}

#[test]
fn a_follow_up_is_created_read_listed_and_updated_through_the_api_with_its_audit() {
    use diesel::prelude::*;
    use registry::db::schema::audit_log;
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");
    assert_eq!(
        client.api("GET", &path, &token, None).status,
        404,
        "none yet"
    );

    let created = client.api("PUT", &path, &token, Some(&follow_up_body(0, &[])));

    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("etag"), Some("\"1\""));
    let row = json(&created.body);
    assert_eq!(row["form_status"], "COMPLETE");
    assert_eq!(row["relapse_since_last"], "N");
    let tokened: i64 = audit_log::table
        .filter(audit_log::table_name.eq("follow_ups"))
        .filter(audit_log::api_token_id.is_not_null())
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert!(tokened > 0, "the audit rows name the token");
    assert_eq!(app.audit_change_sets("follow_ups").len(), 1);

    let read = client.api("GET", &path, &token, None);
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag"), Some("\"1\""));
    let list = client.api(
        "GET",
        &format!("/api/v1/patients/{patient}/follow-ups"),
        &token,
        None,
    );
    assert_eq!(list.status, 200);
    let items = json(&list.body);
    assert_eq!(items[0]["timepoint"], "D100");
    assert_eq!(items[0]["row_version"], 1);

    // An update of a complete form needs a reason, like the page; If-Match carries the version.
    let no_reason = put_if_match(
        &mut client,
        &path,
        &token,
        "1",
        &follow_up_body(99, &[("ecog", 2.into())]),
    );
    assert_eq!(no_reason.status, 422);
    assert!(json(&no_reason.body)["errors"]["reason"].is_string());
    let updated = put_if_match(
        &mut client,
        &path,
        &token,
        "1",
        &follow_up_body(
            99,
            &[
                ("ecog", 2.into()),
                ("reason", "ECOG corrected from notes".into()),
            ],
        ),
    );
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(json(&updated.body)["ecog_performance_status"], 2);
    assert_eq!(updated.header("etag"), Some("\"2\""));
    assert_eq!(app.audit_change_sets("follow_ups").len(), 2);
}

#[test]
fn api_follow_ups_refuse_invalid_stale_locked_and_out_of_scope_writes() {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let (other, other_course) = app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let monitor = app.token_for(&app.monitor);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");

    let invalid = client.api(
        "PUT",
        &path,
        &token,
        Some(&follow_up_body(
            0,
            &[
                ("contact_date", "2020-02-30".into()),
                ("relapse_since_last", "Y".into()),
                ("relapse_date", days_ago(50).to_string().into()),
            ],
        )),
    );
    assert_eq!(invalid.status, 422);
    let errors = &json(&invalid.body)["errors"];
    assert_eq!(
        errors["contact_date"],
        "Use the form YYYY-MM-DD, e.g. 2024-03-15."
    );
    assert_eq!(
        errors["relapse_method"],
        "Choose how the relapse was detected."
    );
    let no_version = client.api(
        "PUT",
        &path,
        &token,
        Some(r#"{"contact_date": "2024-01-01"}"#),
    );
    assert_eq!(no_version.status, 422);
    assert!(json(&no_version.body)["errors"]["row_version"].is_string());
    let misspelt = client.api(
        "PUT",
        &path,
        &token,
        Some(&follow_up_body(0, &[("relapse_metod", "FLOW".into())])),
    );
    assert_eq!(misspelt.status, 422);
    assert_eq!(
        json(&misspelt.body)["errors"]["relapse_metod"],
        "Not a field of the follow-up form."
    );
    assert_eq!(
        app.audit_change_sets("follow_ups").len(),
        0,
        "nothing written"
    );

    assert_eq!(
        client
            .api("PUT", &path, &token, Some(&follow_up_body(0, &[])))
            .status,
        201
    );
    let stale = client.api(
        "PUT",
        &path,
        &token,
        Some(&follow_up_body(
            0,
            &[("ecog", 3.into()), ("reason", "late edit".into())],
        )),
    );
    assert_eq!(stale.status, 409);
    let stale = json(&stale.body);
    assert!(
        stale["error"]
            .as_str()
            .unwrap()
            .contains("ECOG is now 1 (you entered 3)")
    );
    assert_eq!(stale["current"]["row_version"], 1);

    let foreign = format!("/api/v1/patients/{other}/courses/{other_course}/follow-ups/D100");
    assert_eq!(
        client
            .api("PUT", &foreign, &token, Some(&follow_up_body(0, &[])))
            .status,
        404
    );
    assert_eq!(client.api("GET", &foreign, &token, None).status, 404);
    assert_eq!(
        client
            .api(
                "GET",
                &format!("/api/v1/patients/{other}/follow-ups"),
                &token,
                None
            )
            .status,
        404
    );
    assert_eq!(
        client
            .api("PUT", &path, &monitor, Some(&follow_up_body(1, &[])))
            .status,
        403,
        "a monitor reads but does not write"
    );
    assert_eq!(client.api("GET", &path, &monitor, None).status, 200);

    // Locked by the monitor: the API refuses with 423 and changes nothing.
    let form = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    let mut browser = app.logged_in(&app.monitor);
    browser.get(&form);
    browser
        .post(
            &format!("{form}/lock"),
            &[
                ("meaning", "REVIEW"),
                ("password", crate::helpers::PASSWORD),
            ],
        )
        .assert_redirect_to(&form);
    let sets = app.audit_change_sets("follow_ups").len();
    let locked = client.api(
        "PUT",
        &path,
        &token,
        Some(&follow_up_body(
            2,
            &[("ecog", 3.into()), ("reason", "after lock".into())],
        )),
    );
    assert_eq!(locked.status, 423, "{}", locked.body);
    assert!(
        json(&locked.body)["error"]
            .as_str()
            .unwrap()
            .contains("locked")
    );
    assert_eq!(app.audit_change_sets("follow_ups").len(), sets);
}

#[test]
fn tokens_expire_record_their_last_use_and_are_listed() {
    use diesel::prelude::*;
    use registry::db::schema::api_tokens;
    use registry::db::users::{TokenStatus, list_api_tokens};
    use registry::web::auth::api_token::{TokenLifetime, create_token_expiring};
    let app = spawn_app();
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let (expires, used): (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>) =
        api_tokens::table
            .select((api_tokens::expires_at, api_tokens::last_used_at))
            .first(&mut app.db())
            .unwrap();
    let days = (expires.unwrap() - chrono::Utc::now().naive_utc()).num_days();
    assert!((89..=90).contains(&days), "90 days by default, not {days}");
    assert_eq!(used, None);

    assert_eq!(
        client.api("GET", "/api/v1/patients", &token, None).status,
        200
    );
    let first_use: Option<chrono::NaiveDateTime> = api_tokens::table
        .select(api_tokens::last_used_at)
        .first(&mut app.db())
        .unwrap();
    assert!(first_use.is_some(), "last use recorded");
    let version: i32 = api_tokens::table
        .select(api_tokens::row_version)
        .first(&mut app.db())
        .unwrap();
    assert_eq!(
        client.api("GET", "/api/v1/patients", &token, None).status,
        200
    );
    let (second_use, version_after): (Option<chrono::NaiveDateTime>, i32) = api_tokens::table
        .select((api_tokens::last_used_at, api_tokens::row_version))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(second_use, first_use, "at most one write a minute");
    assert_eq!(version_after, version);

    // Expired: a 401, and listed as expired.
    diesel::sql_query(
        "UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00', row_version = row_version + 1",
    )
    .execute(&mut app.db())
    .unwrap();
    assert_eq!(
        client.api("GET", "/api/v1/patients", &token, None).status,
        401
    );
    let now = chrono::Utc::now().naive_utc();
    let listed = list_api_tokens(&mut app.db(), None).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].username, app.coordinator.username);
    assert_eq!(listed[0].status(now), TokenStatus::Expired);

    // A chosen lifetime; out-of-range lifetimes are refused.
    let (_, id) = create_token_expiring(
        &mut app.db(),
        1,
        app.monitor.id,
        "one week",
        TokenLifetime::days(7).unwrap(),
    )
    .unwrap();
    let expires: Option<chrono::NaiveDateTime> = api_tokens::table
        .find(id)
        .select(api_tokens::expires_at)
        .first(&mut app.db())
        .unwrap();
    assert_eq!((expires.unwrap() - now).num_days(), 7);
    assert!(TokenLifetime::days(0).is_err());
    assert!(TokenLifetime::days(3651).is_err());
    let mine = list_api_tokens(
        &mut app.db(),
        Some(registry::db::ids::UserId(app.monitor.id)),
    )
    .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status(now), TokenStatus::Active);
}

#[test]
fn api_follow_ups_take_and_return_every_relapse_detection_method() {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");
    let relapse = |methods: serde_json::Value| {
        follow_up_body(
            0,
            &[
                ("relapse_since_last", "Y".into()),
                ("relapse_date", days_ago(40).to_string().into()),
                ("relapse_method", "CYTO_FISH".into()),
                ("relapse_methods", methods),
            ],
        )
    };

    let refused = client.api(
        "PUT",
        &path,
        &token,
        Some(&relapse(serde_json::json!(["FLOW"]))),
    );
    let unknown = client.api(
        "PUT",
        &path,
        &token,
        Some(&relapse(serde_json::json!(["PET"]))),
    );
    let created = client.api(
        "PUT",
        &path,
        &token,
        Some(&relapse(serde_json::json!(["CYTO_FISH", "FLOW"]))),
    );

    assert_eq!(refused.status, 422);
    assert_eq!(
        json(&refused.body)["errors"]["relapse_method"],
        "Cytogenetic / FISH detected the relapse first: tick it among the methods too."
    );
    assert_eq!(unknown.status, 422);
    assert_eq!(
        json(&unknown.body)["errors"]["relapse_methods"],
        "Tick the methods from the list."
    );
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        json(&created.body)["relapse_methods"],
        serde_json::json!(["FLOW", "CYTO_FISH"]),
        "in the vocabulary's order"
    );
    let shown = client.api("GET", &path, &token, None);
    assert_eq!(
        json(&shown.body)["relapse_methods"],
        serde_json::json!(["FLOW", "CYTO_FISH"])
    );
    assert_eq!(app.audit_change_sets("relapse_detection_methods").len(), 1);
}

#[test]
fn the_api_worklist_filters_like_the_page_and_names_a_bad_filter() {
    let app = spawn_app();
    // Infused 140 days ago: Day 100 overdue and Day 28 missed; 95 days ago: Day 100 due.
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(140));
    app.insert_treated_patient(app.site_a, "AAA-000002", days_ago(95));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(140));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let lines = |client: &mut crate::helpers::Browser, query: &str| -> Vec<serde_json::Value> {
        let reply = client.api("GET", &format!("/api/v1/worklist{query}"), &token, None);
        assert_eq!(reply.status, 200, "{query}: {}", reply.body);
        serde_json::from_str(&reply.body).unwrap()
    };
    let field = |line: &serde_json::Value, name: &str| line[name].as_str().unwrap().to_owned();

    let all = lines(&mut client, "");
    assert!(all.len() >= 3);
    assert!(all.iter().all(|l| field(l, "site") == "AAA"), "scoped");
    let overdue = lines(&mut client, "?status=overdue");
    assert!(!overdue.is_empty());
    assert!(overdue.iter().all(|l| field(l, "status") == "Overdue"));
    assert_eq!(
        overdue.len(),
        all.iter()
            .filter(|l| field(l, "status") == "Overdue")
            .count()
    );
    let due = lines(&mut client, "?status=due&site=AAA");
    assert_eq!(due.len(), 1);
    assert_eq!(field(&due[0], "registry_id"), "AAA-000002");
    assert_eq!(field(&due[0], "timepoint"), "D100");
    // Another site's code shows nothing of it; blank means all.
    assert!(lines(&mut client, "?site=BBB").is_empty());
    assert_eq!(lines(&mut client, "?status=&site=").len(), all.len());

    let bad_status = client.api("GET", "/api/v1/worklist?status=soon", &token, None);
    assert_eq!(bad_status.status, 422);
    assert!(
        bad_status
            .body
            .contains(r#""status":"One of overdue, due, missed.""#),
        "{}",
        bad_status.body
    );
    let bad_site = client.api("GET", "/api/v1/worklist?site=b%20b", &token, None);
    assert_eq!(bad_site.status, 422);
    assert!(bad_site.body.contains(r#""site":"#), "{}", bad_site.body);
}

/// An infection through the API: its sites are a JSON list, one stored row each; an unknown
/// site is a 422 naming the field.
#[test]
fn an_infection_put_through_the_api_keeps_its_list_of_sites() {
    use diesel::prelude::*;
    use registry::db::schema::infection_sites;
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");
    let infection = |sites: serde_json::Value| {
        follow_up_body(
            0,
            &[
                ("none_infections", "events".into()),
                ("infection_date", days_ago(20).to_string().into()),
                ("infection_organism_class", "VIRAL".into()),
                ("infection_organism", "CMV".into()),
                ("infection_sites", sites),
            ],
        )
    };

    let refused = client.api(
        "PUT",
        &path,
        &token,
        Some(&infection(serde_json::json!(["LUNG", "ELBOW"]))),
    );
    let created = client.api(
        "PUT",
        &path,
        &token,
        Some(&infection(serde_json::json!(["LUNG", "BLOOD"]))),
    );

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(json(&refused.body)["errors"]["infection_sites"].is_string());
    assert_eq!(created.status, 201, "{}", created.body);
    let mut sites: Vec<String> = infection_sites::table
        .select(infection_sites::site)
        .load(&mut app.db())
        .unwrap();
    sites.sort();
    assert_eq!(sites, ["BLOOD", "LUNG"]);
}

/// The other site's name through the API: `infection_site_other` is required with `OTHER`
/// among the sites (a 422 naming it) and stored on the OTHER row.
#[test]
fn an_infection_put_through_the_api_names_its_other_site() {
    use diesel::prelude::*;
    use registry::db::schema::infection_sites;
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");
    let infection = |name: serde_json::Value| {
        follow_up_body(
            0,
            &[
                ("none_infections", "events".into()),
                ("infection_date", days_ago(20).to_string().into()),
                ("infection_organism_class", "BACTERIAL_GRAM_POSITIVE".into()),
                ("infection_sites", serde_json::json!(["BLOOD", "OTHER"])),
                ("infection_site_other", name),
            ],
        )
    };

    let unnamed = client.api(
        "PUT",
        &path,
        &token,
        Some(&infection(serde_json::Value::Null)),
    );
    let created = client.api(
        "PUT",
        &path,
        &token,
        Some(&infection("Tunnelled line exit site".into())),
    );

    assert_eq!(unnamed.status, 422, "{}", unnamed.body);
    assert!(
        json(&unnamed.body)["errors"]["infection_site_other"]
            .as_str()
            .is_some_and(|m| m.contains("Name the other site")),
        "{}",
        unnamed.body
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let mut sites: Vec<(String, Option<String>)> = infection_sites::table
        .select((infection_sites::site, infection_sites::site_other))
        .load(&mut app.db())
        .unwrap();
    sites.sort();
    assert_eq!(
        sites,
        [
            ("BLOOD".to_owned(), None),
            (
                "OTHER".to_owned(),
                Some("Tunnelled line exit site".to_owned())
            )
        ]
    );
    let doc = json(&client.api("GET", "/api/v1/openapi.json", &token, None).body);
    assert!(
        doc["components"]["schemas"]["FollowUpInput"]["properties"]["infection_site_other"]
            .is_object(),
        "the OpenAPI document lists infection_site_other"
    );
}

/// A death through the API: its contributing causes are a JSON list, the autopsy report a
/// boolean; a missing autopsy answer on a complete form is a 422 naming the field.
#[test]
fn a_death_put_through_the_api_keeps_its_contributing_causes_and_autopsy() {
    use diesel::prelude::*;
    use registry::db::schema::{death_contributing_causes, deaths};
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");
    let died = days_ago(3).to_string();
    let death = |autopsy: serde_json::Value| {
        follow_up_body(
            0,
            &[
                ("survival_status", "DEAD".into()),
                ("contact_date", died.clone().into()),
                ("death_date", died.clone().into()),
                ("death_cause", "INFECTION_FUNGAL".into()),
                (
                    "death_contributing_causes",
                    serde_json::json!(["DISEASE", "ORGAN_FAILURE"]),
                ),
                ("death_autopsy", autopsy),
                ("death_autopsy_report_attached", true.into()),
            ],
        )
    };

    let refused = client.api("PUT", &path, &token, Some(&death(serde_json::Value::Null)));
    let created = client.api("PUT", &path, &token, Some(&death("Y".into())));

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(json(&refused.body)["errors"]["death_autopsy"].is_string());
    assert_eq!(created.status, 201, "{}", created.body);
    let stored: (String, Option<String>, bool) = deaths::table
        .select((
            deaths::primary_cause,
            deaths::autopsy,
            deaths::autopsy_report_attached,
        ))
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(stored, ("INFECTION_FUNGAL".into(), Some("Y".into()), true));
    let mut causes: Vec<String> = death_contributing_causes::table
        .select(death_contributing_causes::cause)
        .load(&mut app.db())
        .unwrap();
    causes.sort();
    assert_eq!(causes, ["DISEASE", "ORGAN_FAILURE"]);
}

/// A new malignancy through the API: the pathology report a boolean, the report dates after
/// the contact date; "product-derived" without the transgene detected is a 422 naming the
/// field; the OpenAPI document lists every input with its codes.
#[test]
fn a_new_malignancy_put_through_the_api_keeps_its_origin_and_reports() {
    use diesel::prelude::*;
    use registry::db::schema::new_malignancies as m;
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");
    let malignancy = |transgene: &str| {
        follow_up_body(
            0,
            &[
                ("none_new_malignancies", "events".into()),
                ("malignancy_type", "T_CELL_LEUKAEMIA".into()),
                ("malignancy_date", days_ago(30).to_string().into()),
                ("transgene_result", transgene.into()),
                ("malignancy_product_derived", "Y".into()),
                ("malignancy_ebv_positive", "UNK".into()),
                ("malignancy_pathology_report_attached", true.into()),
                (
                    "malignancy_reported_to_manufacturer_date",
                    days_ago(25).to_string().into(),
                ),
                (
                    "malignancy_reported_to_fda_date",
                    days_ago(0).to_string().into(),
                ),
            ],
        )
    };

    let refused = client.api("PUT", &path, &token, Some(&malignancy("PENDING")));
    let created = client.api("PUT", &path, &token, Some(&malignancy("DETECTED")));

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        json(&refused.body)["errors"]["malignancy_product_derived"]
            .as_str()
            .is_some_and(|e| e.contains("CAR transgene detected")),
        "{}",
        refused.body
    );
    assert_eq!(created.status, 201, "{}", created.body);
    type Stored = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        bool,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
    );
    let stored: Stored = m::table
        .select((
            m::malignancy_type,
            m::car_transgene_result,
            m::product_derived,
            m::ebv_positive,
            m::pathology_report_attached,
            m::reported_to_manufacturer_date,
            m::reported_to_fda_date,
        ))
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(
        stored,
        (
            "T_CELL_LEUKAEMIA".into(),
            Some("DETECTED".into()),
            Some("Y".into()),
            Some("UNK".into()),
            true,
            Some(days_ago(25)),
            Some(days_ago(0)),
        )
    );
    let doc = json(&client.api("GET", "/api/v1/openapi.json", &token, None).body);
    let inputs = &doc["components"]["schemas"]["FollowUpInput"]["properties"];
    assert_eq!(
        inputs["malignancy_product_derived"]["enum"],
        serde_json::json!(["Y", "N", "UNK"])
    );
    for name in [
        "malignancy_type",
        "transgene_result",
        "malignancy_ebv_positive",
        "malignancy_pathology_report_attached",
        "malignancy_reported_to_manufacturer_date",
        "malignancy_reported_to_fda_date",
    ] {
        assert!(
            inputs[name].is_object(),
            "the OpenAPI document lists {name}"
        );
    }
}
