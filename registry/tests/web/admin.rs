//! Administration pages: adding sites and users, with validation that keeps the typed values
//! and exactly one audit change set per change.

use crate::helpers::{PASSWORD, days_ago, spawn_app};

#[test]
fn an_admin_adds_a_site_with_one_audit_change_set() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let before = app.audit_change_sets("sites").len();

    admin
        .post_admin_sites("CCC", "Gamma hospital")
        .assert_redirect_to("/admin/sites");

    let page = admin.get_admin_sites();
    assert!(page.body.contains("Gamma hospital"));
    let sets = app.audit_change_sets("sites");
    assert_eq!(sets.len(), before + 1, "exactly one new change set");
    assert_eq!(sets.last().unwrap().1, 3, "code, name, active");
}

#[test]
fn an_invalid_site_is_refused_with_422_keeping_values_and_messages() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let cases = [
        ("", "Gamma", "code", "Enter a site code."),
        ("c", "Gamma", "code", "Use 2 to 8 capital letters or digits"),
        (
            "1AB",
            "Gamma",
            "code",
            "Use 2 to 8 capital letters or digits",
        ),
        (
            "GAMMA_1",
            "Gamma",
            "code",
            "Use 2 to 8 capital letters or digits",
        ),
        (
            "ABCDEFGHI",
            "Gamma",
            "code",
            "Use 2 to 8 capital letters or digits",
        ),
        (
            "AAA",
            "Duplicate",
            "code",
            "A site with this code already exists.",
        ),
        ("DDD", "  ", "name", "Enter the name of the site."),
    ];
    // The hint states the rule the check applies.
    assert!(admin.get_admin_sites().body.contains(
        "id=\"code-hint\">2 to 8 capital letters or digits, starting with a letter, e.g. BCN<"
    ));
    let before = app.change_set_count();
    for (code, name, field, message) in cases {
        let response = admin.post_admin_sites(code, name);
        assert_eq!(response.status, 422, "{code:?}/{name:?}");
        assert!(
            response.body.contains(message),
            "{code:?}/{name:?}: no message {message:?}"
        );
        assert!(
            response.body.contains(&format!("id=\"{field}-error\"")),
            "{code:?}/{name:?}: message not beside {field}"
        );
        assert_eq!(response.input_value("code").as_deref(), Some(code));
        assert_eq!(response.input_value("name").as_deref(), Some(name));
    }
    assert_eq!(app.change_set_count(), before, "nothing was written");
}

#[test]
fn an_admin_adds_a_user_who_can_then_log_in() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let before = app.change_set_count();

    let response = admin.post_admin_users(&[
        ("username", "new.coord"),
        ("full_name", "New Coordinator"),
        ("role", "COORDINATOR"),
        ("site", "AAA"),
        ("site", "BBB"),
        ("password", "a long enough password"),
    ]);

    response.assert_redirect_to("/admin/users");
    assert_eq!(app.change_set_count(), before + 1);
    let page = admin.get_admin_users();
    assert!(page.body.contains("new.coord"));
    assert!(page.body.contains("AAA, BBB"));
    assert_eq!(
        app.browser()
            .login("new.coord", "a long enough password")
            .status,
        303
    );
    let audit: i64 = {
        use diesel::prelude::*;
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT COUNT(*) AS n FROM audit_log WHERE new_value LIKE '%argon2%' OR old_value LIKE '%argon2%'",
        )
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .n
    };
    assert_eq!(audit, 0, "password hashes never reach the audit trail");
}

#[test]
fn an_invalid_user_is_refused_with_422_keeping_values_but_not_the_password() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: [Case; 4] = [
        (
            &[
                ("username", "Bad Name"),
                ("full_name", "X"),
                ("role", "ANALYST"),
                ("password", PASSWORD),
            ],
            "username",
            "Use 3 to 64 lower-case letters",
        ),
        (
            &[
                ("username", "coord-a"),
                ("full_name", "X"),
                ("role", "ANALYST"),
                ("password", PASSWORD),
            ],
            "username",
            "is taken",
        ),
        (
            &[
                ("username", "shorty"),
                ("full_name", "X"),
                ("role", "ANALYST"),
                ("password", "short"),
            ],
            "password",
            "at least 12 characters",
        ),
        (
            &[
                ("username", "nosite"),
                ("full_name", "X"),
                ("role", "MONITOR"),
                ("password", PASSWORD),
            ],
            "sites",
            "need at least one site",
        ),
    ];
    for (fields, field, message) in cases {
        let response = admin.post_admin_users(fields);
        assert_eq!(response.status, 422, "{fields:?}");
        assert!(response.body.contains(message), "{fields:?}: {message}");
        assert!(
            response.body.contains(&format!("id=\"{field}-error\"")),
            "{fields:?}"
        );
        assert_eq!(
            response.input_value("username").as_deref(),
            Some(fields[0].1),
            "username kept"
        );
        assert_eq!(
            response.input_value("password").as_deref(),
            Some(""),
            "password not echoed"
        );
    }
}

/// One audit row as these tests compare it: (table, field, old, new, reason).
type AuditLine = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The audit rows of the newest change set.
fn last_change_set(app: &crate::helpers::TestApp) -> Vec<AuditLine> {
    use diesel::prelude::*;
    use registry::db::schema::audit_log;
    let mut conn = app.db();
    let last: i32 = audit_log::table
        .select(diesel::dsl::max(audit_log::change_set_id))
        .get_result::<Option<i32>>(&mut conn)
        .unwrap()
        .unwrap();
    audit_log::table
        .filter(audit_log::change_set_id.eq(last))
        .order(audit_log::id)
        .select((
            audit_log::table_name,
            audit_log::field_name,
            audit_log::old_value,
            audit_log::new_value,
            audit_log::reason,
        ))
        .load(&mut conn)
        .unwrap()
}

#[test]
fn an_admin_moves_a_coordinator_to_another_site_which_applies_at_once_with_its_audit() {
    let app = spawn_app();
    let (own, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let (other, _) = app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(coordinator.get(&format!("/patients/{own}")).status, 200);
    assert_eq!(coordinator.get(&format!("/patients/{other}")).status, 404);
    let mut admin = app.logged_in(&app.admin);
    let path = format!("/admin/users/{}", app.coordinator.id);
    let form = admin.get(&path);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("Access of coord-a"));
    assert!(
        form.body
            .contains("id=\"site-AAA\" name=\"site\" value=\"AAA\" checked")
    );
    assert!(!form.body.contains("value=\"BBB\" checked"));
    let version = form.input_value("row_version").unwrap();
    assert!(
        admin
            .get_admin_users()
            .body
            .contains(&format!("href=\"{path}\""))
    );
    let before = app.change_set_count();

    admin
        .post(
            &path,
            &[
                ("row_version", &version),
                ("role", "COORDINATOR"),
                ("site", "BBB"),
                ("reason", "moved to Beta hospital"),
            ],
        )
        .assert_redirect_to("/admin/users");

    assert_eq!(app.change_set_count(), before + 1, "one change set");
    let reason = Some("moved to Beta hospital".to_owned());
    assert_eq!(
        last_change_set(&app),
        vec![
            (
                "user_sites".into(),
                "site_id".into(),
                Some(app.site_a.to_string()),
                None,
                reason.clone()
            ),
            (
                "user_sites".into(),
                "site_id".into(),
                None,
                Some(app.site_b.to_string()),
                reason
            ),
        ]
    );
    // The coordinator's session is the same; their next page already has the new access.
    assert_eq!(coordinator.get(&format!("/patients/{own}")).status, 404);
    assert_eq!(coordinator.get(&format!("/patients/{other}")).status, 200);

    // A role change alone is one audit row.
    let version = admin.get(&path).input_value("row_version").unwrap();
    admin
        .post(
            &path,
            &[
                ("row_version", &version),
                ("role", "MONITOR"),
                ("site", "BBB"),
            ],
        )
        .assert_redirect_to("/admin/users");
    assert_eq!(
        last_change_set(&app),
        vec![(
            "users".into(),
            "role".into(),
            Some("COORDINATOR".into()),
            Some("MONITOR".into()),
            None
        )]
    );
    assert_eq!(
        coordinator
            .get(&format!("/patients/{other}/treatments/new"))
            .status,
        403,
        "a monitor does not enrol or treat"
    );
}

#[test]
fn access_changes_are_refused_when_invalid_stale_or_leaving_no_admin() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let path = format!("/admin/users/{}", app.coordinator.id);
    let version = admin.get(&path).input_value("row_version").unwrap();
    let before = app.change_set_count();

    let no_role = admin.post(
        &path,
        &[("row_version", &version), ("role", ""), ("site", "BBB")],
    );
    assert_eq!(no_role.status, 422);
    assert!(no_role.body.contains("id=\"role-error\">Choose a role."));
    assert!(
        no_role.body.contains("value=\"BBB\" checked"),
        "ticked sites kept"
    );
    let no_site = admin.post(
        &path,
        &[
            ("row_version", &version),
            ("role", "MONITOR"),
            ("reason", "why not"),
        ],
    );
    assert_eq!(no_site.status, 422);
    assert!(
        no_site
            .body
            .contains("id=\"sites-error\">Coordinators and monitors need at least one site.")
    );
    assert_eq!(no_site.input_value("reason").as_deref(), Some("why not"));
    let unknown_site = admin.post(
        &path,
        &[
            ("row_version", &version),
            ("role", "MONITOR"),
            ("site", "ZZZ"),
        ],
    );
    assert_eq!(unknown_site.status, 422);
    assert!(
        unknown_site
            .body
            .contains("No site has the code &#34;ZZZ&#34;.")
    );
    let no_version = admin.post(&path, &[("role", "MONITOR"), ("site", "AAA")]);
    assert_eq!(no_version.status, 422);
    assert!(no_version.body.contains("This page is out of date"));
    assert_eq!(app.change_set_count(), before, "nothing was written");

    // Someone else saves first: the page opened before is stale.
    admin
        .post(
            &path,
            &[
                ("row_version", &version),
                ("role", "COORDINATOR"),
                ("site", "AAA"),
                ("site", "BBB"),
            ],
        )
        .assert_redirect_to("/admin/users");
    let stale = admin.post(&path, &[("row_version", &version), ("role", "ANALYST")]);
    assert_eq!(stale.status, 409);
    assert!(
        stale
            .body
            .contains("It is now: role Research coordinator, sites AAA, BBB."),
        "{}",
        stale.body
    );
    assert!(
        stale.body.contains("<option value=\"ANALYST\" selected>"),
        "the choice is kept"
    );
    let newer = stale.input_value("row_version").unwrap();
    assert_ne!(newer, version);
    // Saved again from the refused page: it replaces the access.
    admin
        .post(&path, &[("row_version", &newer), ("role", "ANALYST")])
        .assert_redirect_to("/admin/users");
    assert!(admin.get_admin_users().body.contains("Analyst"));

    // The only administrator cannot stop being one; the system account is nobody's page.
    let own = format!("/admin/users/{}", app.admin.id);
    let version = admin.get(&own).input_value("row_version").unwrap();
    let before = app.change_set_count();
    let demoted = admin.post(&own, &[("row_version", &version), ("role", "ANALYST")]);
    assert_eq!(demoted.status, 409);
    assert!(
        demoted
            .body
            .contains("This is the last active administrator")
    );
    assert_eq!(app.change_set_count(), before);
    assert_eq!(
        admin.get("/admin/users").status,
        200,
        "still an administrator"
    );
    assert_eq!(admin.get("/admin/users/1").status, 404);
    assert_eq!(
        admin
            .post(
                "/admin/users/1",
                &[("row_version", "1"), ("role", "ANALYST")]
            )
            .status,
        404
    );
    assert_eq!(admin.get("/admin/users/9999").status, 404);
}

/// An enrolment at site AAA as the coordinator types it.
fn enrol_at_aaa(browser: &mut crate::helpers::Browser) -> crate::helpers::Response {
    let enrolled = days_ago(3).to_string();
    browser.post(
        "/patients",
        &[
            ("site", "AAA"),
            ("sex", "F"),
            ("birth_year", "1961"),
            ("enrolment_date", &enrolled),
            ("consent_research", "GIVEN"),
            ("consent_research_date", &enrolled),
        ],
    )
}

#[test]
fn an_admin_renames_and_closes_a_site_which_stops_enrolment_only() {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let mut admin = app.logged_in(&app.admin);
    let mut coordinator = app.logged_in(&app.coordinator);
    let path = format!("/admin/sites/{}", app.site_a);
    assert!(
        admin
            .get_admin_sites()
            .body
            .contains(&format!("href=\"{path}\""))
    );
    let form = admin.get(&path);
    assert_eq!(form.status, 200);
    assert_eq!(form.input_value("name").as_deref(), Some("Alpha hospital"));
    assert!(
        form.body
            .contains("id=\"open\" name=\"open\" value=\"1\" checked")
    );
    let version = form.input_value("row_version").unwrap();
    let before = app.change_set_count();

    // Renamed and closed: the box unticked sends nothing.
    admin
        .post(
            &path,
            &[
                ("row_version", &version),
                ("name", "Alpha clinic"),
                ("reason", "merged"),
            ],
        )
        .assert_redirect_to("/admin/sites");

    assert_eq!(app.change_set_count(), before + 1);
    let merged = Some("merged".to_owned());
    assert_eq!(
        last_change_set(&app),
        vec![
            (
                "sites".into(),
                "name".into(),
                Some("Alpha hospital".into()),
                Some("Alpha clinic".into()),
                merged.clone()
            ),
            (
                "sites".into(),
                "active".into(),
                Some("1".into()),
                Some("0".into()),
                merged
            ),
        ]
    );
    assert!(
        admin
            .get_admin_sites()
            .body
            .contains("<td>Alpha clinic</td><td>closed</td>")
    );
    // Enrolment no longer offers it, on the page and through the API, and refuses it ...
    assert!(
        !coordinator
            .get("/patients/new")
            .body
            .contains("value=\"AAA\"")
    );
    let refused = enrol_at_aaa(&mut coordinator);
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("You cannot enrol patients at this site.")
    );
    let token = app.token_for(&app.coordinator);
    let api = app.browser().api(
        "POST",
        "/api/v1/patients",
        &token,
        Some(&format!(
            r#"{{"site": "AAA", "sex": "M", "birth_year": 1970, "enrolment_date": "{0}", "consent_research": "GIVEN", "consent_research_date": "{0}"}}"#,
            days_ago(2)
        )),
    );
    assert_eq!(api.status, 422, "{}", api.body);
    // ... while its patients and their follow-up stay as they were.
    assert_eq!(coordinator.get(&format!("/patients/{patient}")).status, 200);
    let follow_up = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    assert_eq!(coordinator.get(&follow_up).status, 200);

    // Reopened: enrolment goes through again.
    let version = admin.get(&path).input_value("row_version").unwrap();
    admin
        .post(
            &path,
            &[
                ("row_version", &version),
                ("name", "Alpha clinic"),
                ("open", "1"),
            ],
        )
        .assert_redirect_to("/admin/sites");
    assert_eq!(enrol_at_aaa(&mut coordinator).status, 303);
}

#[test]
fn site_changes_are_refused_when_invalid_or_stale() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let path = format!("/admin/sites/{}", app.site_b);
    let version = admin.get(&path).input_value("row_version").unwrap();
    let before = app.change_set_count();

    let blank = admin.post(
        &path,
        &[("row_version", &version), ("name", "  "), ("open", "1")],
    );
    assert_eq!(blank.status, 422);
    assert!(
        blank
            .body
            .contains("id=\"name-error\">Enter the name of the site.")
    );
    assert!(
        blank
            .body
            .contains("id=\"open\" name=\"open\" value=\"1\" checked")
    );
    assert_eq!(app.change_set_count(), before, "nothing was written");

    admin
        .post(
            &path,
            &[
                ("row_version", &version),
                ("name", "Beta one"),
                ("open", "1"),
            ],
        )
        .assert_redirect_to("/admin/sites");
    let stale = admin.post(&path, &[("row_version", &version), ("name", "Beta two")]);
    assert_eq!(stale.status, 409);
    assert!(
        stale
            .body
            .contains("It is now: Beta one, open to enrolment."),
        "{}",
        stale.body
    );
    assert_eq!(
        stale.input_value("name").as_deref(),
        Some("Beta two"),
        "kept"
    );
    assert_eq!(admin.get("/admin/sites/9999").status, 404);
    assert_eq!(
        admin
            .post("/admin/sites/9999", &[("row_version", "1"), ("name", "X")])
            .status,
        404
    );
}

#[test]
fn the_admin_audit_trail_names_who_changed_which_access_and_site_newest_first() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let path = format!("/admin/users/{}", app.coordinator.id);
    let version = admin.get(&path).input_value("row_version").unwrap();
    admin
        .post(
            &path,
            &[
                ("row_version", &version),
                ("role", "COORDINATOR"),
                ("site", "BBB"),
                ("reason", "moved to Beta"),
            ],
        )
        .assert_redirect_to("/admin/users");
    let site = format!("/admin/sites/{}", app.site_b);
    let version = admin.get(&site).input_value("row_version").unwrap();
    admin
        .post(
            &site,
            &[
                ("row_version", &version),
                ("name", "Beta clinic"),
                ("open", "1"),
            ],
        )
        .assert_redirect_to("/admin/sites");

    let trail = admin.get("/admin/audit");
    assert_eq!(trail.status, 200);
    assert!(
        admin
            .get_admin_users()
            .body
            .contains("href=\"/admin/audit\"")
    );
    let body = &trail.body;
    let renamed = body
        .find("<td>site BBB</td><td>name</td><td>Beta hospital</td><td>Beta clinic</td>")
        .expect("the rename, by site code");
    let removed = body
        .find("<td>DELETE</td><td>user coord-a</td><td>site</td><td>AAA</td><td></td><td>moved to Beta</td>")
        .expect("the site taken away, by username and code, with the reason");
    let added = body
        .find("<td>INSERT</td><td>user coord-a</td><td>site</td><td></td><td>BBB</td><td>moved to Beta</td>")
        .expect("the site given");
    assert!(
        renamed < removed && removed < added,
        "newest change set first"
    );
    assert!(body.contains("<td>admin</td>"), "who");
    assert!(!body.contains("AAA-"), "no patient's changes");

    // A page holds 50 change sets; nonsense pages are not found.
    {
        let mut conn = app.db();
        for n in 0..50 {
            registry::web::routes::admin::sites::change_site(
                &mut conn,
                app.admin.id,
                app.site_b,
                None,
                &format!("Beta {n}"),
                true,
                None,
            )
            .unwrap();
        }
    }
    let first = admin.get("/admin/audit");
    assert!(first.body.contains("page 1 of 2"));
    assert!(first.body.contains("<td>Beta 48</td><td>Beta 49</td>"));
    assert!(
        first
            .body
            .contains("href=\"/admin/audit?page=2\" rel=\"next\"")
    );
    let second = admin.get("/admin/audit?page=2");
    assert!(second.body.contains("page 2 of 2"));
    assert!(
        second
            .body
            .contains("<td>Beta hospital</td><td>Beta clinic</td>")
    );
    assert_eq!(admin.get("/admin/audit?page=0").status, 404);
    assert_eq!(admin.get("/admin/audit?page=x").status, 404);
}
