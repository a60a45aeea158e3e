//! Administration pages: adding sites and users, with validation that keeps the typed values
//! and exactly one audit change set per change.

use crate::helpers::{PASSWORD, spawn_app};

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
