//! Every route requires login, and each role gets the expected status on each route
//! (the route x role x own/other-site matrix).

use crate::helpers::{Browser, TestApp, TestUser, days_ago, spawn_app};

/// What the matrix routes refer to: a patient of site AAA (the coordinator's own site, the
/// other coordinator's other site).
struct Fixture {
    patient: i32,
    course: i32,
}

fn arrange(app: &TestApp) -> Fixture {
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    Fixture { patient, course }
}

/// One route of the matrix: how to call it, and the expected status per role.
struct Route {
    method: &'static str,
    path: fn(&TestApp, &Fixture) -> String,
    fields: &'static [(&'static str, &'static str)],
    /// Expected status for admin, coordinator (own site), other-site coordinator, monitor,
    /// analyst.
    expected: [u16; 5],
}

fn routes() -> Vec<Route> {
    vec![
        Route {
            method: "GET",
            path: |_, _| "/".into(),
            fields: &[],
            expected: [200, 200, 200, 200, 200],
        },
        Route {
            method: "GET",
            path: |_, _| "/account".into(),
            fields: &[],
            expected: [200, 200, 200, 200, 200],
        },
        Route {
            method: "GET",
            path: |_, _| "/admin/sites".into(),
            fields: &[],
            expected: [200, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: |_, _| "/admin/sites".into(),
            fields: &[("code", ""), ("name", "")],
            expected: [422, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: |app, _| format!("/admin/sites/{}", app.site_b),
            fields: &[],
            expected: [200, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: |app, _| format!("/admin/sites/{}", app.site_b),
            fields: &[("name", "")],
            expected: [422, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: |_, _| "/admin/audit".into(),
            fields: &[],
            expected: [200, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: |_, _| "/admin/users".into(),
            fields: &[],
            expected: [200, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: |_, _| "/admin/users".into(),
            fields: &[("username", "")],
            expected: [422, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: |app, _| format!("/admin/users/{}", app.analyst.id),
            fields: &[],
            expected: [200, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: |app, _| format!("/admin/users/{}", app.analyst.id),
            fields: &[("role", "")],
            expected: [422, 403, 403, 403, 403],
        },
        Route {
            method: "POST",
            path: |app, _| format!("/admin/users/{}/active", app.analyst.id),
            fields: &[("active", "1")],
            expected: [303, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: |_, _| "/patients".into(),
            fields: &[],
            expected: [200, 200, 200, 200, 403],
        },
        Route {
            method: "GET",
            path: |_, f| format!("/patients/{}", f.patient),
            fields: &[],
            expected: [200, 200, 404, 200, 403],
        },
        Route {
            method: "GET",
            path: |_, f| format!("/patients/{}/audit", f.patient),
            fields: &[],
            expected: [200, 200, 404, 200, 403],
        },
        Route {
            method: "GET",
            path: |_, _| "/exports".into(),
            fields: &[],
            expected: [403, 200, 200, 200, 200],
        },
        Route {
            method: "GET",
            path: |_, _| "/exports/follow_ups.csv".into(),
            fields: &[],
            expected: [403, 200, 200, 200, 200],
        },
        Route {
            method: "GET",
            path: |_, f| format!("/patients/{}/treatments/new", f.patient),
            fields: &[],
            expected: [403, 200, 404, 403, 403],
        },
        Route {
            method: "POST",
            path: |_, f| format!("/patients/{}/treatments", f.patient),
            fields: &[("product", "")],
            expected: [403, 422, 404, 403, 403],
        },
        Route {
            method: "GET",
            path: |_, _| "/patients/new".into(),
            fields: &[],
            expected: [403, 200, 200, 403, 403],
        },
        Route {
            method: "POST",
            path: |_, _| "/patients".into(),
            fields: &[("site", "AAA")],
            expected: [403, 422, 422, 403, 403],
        },
        Route {
            method: "GET",
            path: |_, f| {
                format!(
                    "/patients/{}/courses/{}/follow-ups/D100",
                    f.patient, f.course
                )
            },
            fields: &[],
            expected: [200, 200, 404, 200, 403],
        },
        Route {
            method: "POST",
            path: |_, f| {
                format!(
                    "/patients/{}/courses/{}/follow-ups/D100",
                    f.patient, f.course
                )
            },
            fields: &[("row_version", "0"), ("action", "complete")],
            expected: [403, 422, 404, 403, 403],
        },
        Route {
            method: "POST",
            path: |_, f| {
                format!(
                    "/patients/{}/courses/{}/follow-ups/D100/lock",
                    f.patient, f.course
                )
            },
            fields: &[("meaning", "REVIEW"), ("password", "x")],
            expected: [403, 403, 403, 409, 403],
        },
        Route {
            method: "POST",
            path: |_, f| {
                format!(
                    "/patients/{}/courses/{}/follow-ups/D100/unlock",
                    f.patient, f.course
                )
            },
            fields: &[("reason", "x")],
            expected: [409, 403, 403, 403, 403],
        },
        Route {
            method: "GET",
            path: |_, _| format!("/kept/{}", NOBODYS_KEPT_FORM),
            fields: &[],
            expected: [404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: |_, _| format!("/kept/{}/save", NOBODYS_KEPT_FORM),
            fields: &[],
            expected: [404, 404, 404, 404, 404],
        },
        Route {
            method: "POST",
            path: |_, _| format!("/kept/{}/discard", NOBODYS_KEPT_FORM),
            fields: &[],
            expected: [404, 404, 404, 404, 404],
        },
    ]
}

/// A well-formed kept-form token that names no kept form: a kept form is its owner's alone
/// (`kept_forms.rs` shows the owner gets it and every other user 404).
const NOBODYS_KEPT_FORM: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn call(browser: &mut Browser, method: &str, path: &str, fields: &[(&str, &str)]) -> u16 {
    match method {
        "GET" => browser.get(path).status,
        _ => browser.post(path, fields).status,
    }
}

#[test]
fn every_route_sends_an_anonymous_visitor_to_the_login_page() {
    let app = spawn_app();
    let fixture = arrange(&app);
    for route in routes() {
        let path = (route.path)(&app, &fixture);
        let mut browser = app.browser();
        browser.get_login();
        let response = match route.method {
            "GET" => browser.get(&path),
            _ => browser.post(&path, route.fields),
        };
        assert_eq!(response.status, 303, "{} {path}", route.method);
        assert_eq!(
            response.header("location"),
            Some("/login"),
            "{} {path}",
            route.method
        );
    }
    // An unknown path is behind login too: nothing about the app leaks to strangers.
    app.browser()
        .get("/no/such/page")
        .assert_redirect_to("/login");
}

#[test]
fn each_role_gets_the_expected_status_on_each_route() {
    let app = spawn_app();
    let fixture = arrange(&app);
    let users: [&TestUser; 5] = [
        &app.admin,
        &app.coordinator,
        &app.other_coordinator,
        &app.monitor,
        &app.analyst,
    ];
    let mut failures = Vec::new();
    for (i, user) in users.iter().enumerate() {
        let mut browser = app.logged_in(user);
        for route in routes() {
            let path = (route.path)(&app, &fixture);
            let got = call(&mut browser, route.method, &path, route.fields);
            if got != route.expected[i] {
                failures.push(format!(
                    "{} {} {path}: expected {}, got {got}",
                    user.username, route.method, route.expected[i]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Requests no page of ours sends (an id that is not a number, a hidden field with a value it
/// cannot hold, a field sent twice, JSON that is not JSON) are answered like every other
/// refusal: an HTML page for the pages, a JSON error for the API, never actix's plain text.
#[test]
fn requests_no_page_sends_get_an_error_page_not_plain_text() {
    let app = spawn_app();
    let (patient, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let token = app.token_for(&app.coordinator);
    let before = app.change_set_count();
    let mut admin = app.logged_in(&app.admin);
    let html = |r: &crate::helpers::Response| {
        r.header("content-type")
            .is_some_and(|t| t.starts_with("text/html"))
    };

    for path in [
        "/patients/abc".to_owned(),
        "/patients/99999999999999999999".to_owned(),
        format!("/patients/{patient}/courses/x/follow-ups/M3"),
        "/admin/users/abc".to_owned(),
    ] {
        let reply = admin.get(&path);
        assert_eq!(reply.status, 404, "{path}");
        assert!(html(&reply), "{path}: {:?}", reply.headers);
        assert!(reply.body.contains("Not found"), "{path}: {}", reply.body);
    }

    let id = app.coordinator.id;
    for fields in [
        vec![("active", "maybe")],
        vec![("active", "1"), ("active", "0")],
    ] {
        let reply = admin.post(&format!("/admin/users/{id}/active"), &fields);
        assert_eq!(reply.status, 400, "{fields:?}");
        assert!(html(&reply), "{fields:?}: {:?}", reply.headers);
        assert!(
            reply.body.contains("The form could not be read"),
            "{}",
            reply.body
        );
    }
    // A value far longer than any field takes (pasted by mistake) is refused beside its field,
    // the form kept, as any other wrong value: not by an error page for the whole body.
    let pasted = "a".repeat(20_000);
    let reply = admin.post("/admin/sites", &[("code", "CCC"), ("name", &pasted)]);
    assert_eq!(
        reply.status,
        422,
        "{}",
        &reply.body[..200.min(reply.body.len())]
    );
    assert!(reply.body.contains(&pasted), "the typed value is kept");
    // Nothing was changed: the coordinator can still log in.
    assert_eq!(
        app.logged_in(&app.coordinator).get("/").status,
        200,
        "still active"
    );

    let mut client = app.browser();
    let not_an_id = client.api("GET", "/api/v1/patients/abc", &token, None);
    assert_eq!(not_an_id.status, 404);
    assert!(
        not_an_id.body.contains(r#""error":"Not found""#),
        "{}",
        not_an_id.body
    );
    let not_json = client.api("POST", "/api/v1/patients", &token, Some("{not json"));
    assert_eq!(not_json.status, 400);
    assert!(
        not_json
            .body
            .contains(r#""error":"The body could not be read as JSON"#),
        "{}",
        not_json.body
    );
    assert_eq!(app.change_set_count(), before, "nothing was written");
}
