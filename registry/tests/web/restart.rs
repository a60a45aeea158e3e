//! A restart of the server (an upgrade, a crash) keeps logged-in sessions: a coordinator who
//! opened a form before it saves it after, instead of being sent to the login page with what
//! they typed lost. Sessions that ended (logout, a disabled user, a new password) stay ended
//! across a restart, and the database holds no usable session key.

use diesel::prelude::*;

use crate::helpers::{TestApp, days_ago, spawn_app};

#[derive(QueryableByName)]
struct StoredSession {
    #[diesel(sql_type = diesel::sql_types::Text)]
    key_hash: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    user_id: i32,
}

fn stored_sessions(app: &TestApp) -> Vec<StoredSession> {
    diesel::sql_query("SELECT key_hash, user_id FROM web_sessions ORDER BY id")
        .load(&mut app.db())
        .unwrap()
}

fn follow_ups(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT COUNT(*) AS n FROM follow_ups")
        .get_result::<N>(&mut app.db())
        .unwrap()
        .n
}

#[test]
fn a_form_opened_before_a_restart_saves_after_it() {
    let mut app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let form = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(coordinator.get(&form).status, 200);
    let contact = days_ago(1).to_string();

    app.restart();
    coordinator.talk_to(&app);
    let saved = coordinator.post(
        &form,
        &[
            ("row_version", "0"),
            ("contact_date", &contact),
            ("none_infections", "none"),
            ("none_new_malignancies", "none"),
            ("action", "draft"),
        ],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(
        !saved.header("location").unwrap().starts_with("/login"),
        "{saved:?}"
    );
    assert_eq!(follow_ups(&app), 1, "the draft was saved");
    assert_eq!(coordinator.get("/").status, 200, "still logged in");

    // The cookie's session key is not in the database, only its SHA-256.
    let stored = stored_sessions(&app);
    assert_eq!(stored.len(), 1, "one logged-in session");
    assert_eq!(stored[0].user_id, app.coordinator.id);
    assert_eq!(stored[0].key_hash.len(), 64);
    assert!(
        coordinator
            .cookies
            .values()
            .all(|v| !v.contains(&stored[0].key_hash)),
        "the cookie does not carry the stored hash"
    );
}

#[test]
fn anonymous_visits_are_not_stored() {
    let app = spawn_app();
    let mut visitor = app.browser();
    assert_eq!(visitor.get("/login").status, 200);
    assert!(visitor.login("coord-a", "wrong password").status >= 400);
    assert!(stored_sessions(&app).is_empty());
}

#[test]
fn ended_sessions_stay_ended_across_a_restart() {
    let mut app = spawn_app();
    // Logout.
    let mut leaving = app.logged_in(&app.coordinator);
    let cookies_before_logout = leaving.cookies.clone();
    assert_eq!(leaving.logout().status, 303);
    // Disabled by an administrator.
    let mut disabled = app.logged_in(&app.monitor);
    let mut admin = app.logged_in(&app.admin);
    assert_eq!(
        admin.post_admin_user_active(app.monitor.id, false).status,
        303
    );
    // A new password (set from the shell, so no running server was told).
    let mut renamed = app.logged_in(&app.analyst);
    let hash = registry::web::auth::password::hash_password(
        registry::web::auth::password::PasswordCost::fast_for_tests(),
        "a completely new password 2026",
    )
    .unwrap();
    registry::web::accounts::set_password(
        &mut app.db(),
        registry::web::accounts::SYSTEM_USER_ID,
        app.analyst.id,
        &hash,
    )
    .unwrap();
    let users: Vec<i32> = stored_sessions(&app).iter().map(|s| s.user_id).collect();
    assert_eq!(
        users,
        vec![app.admin.id],
        "only the administrator's session is stored"
    );

    app.restart();
    leaving.cookies = cookies_before_logout;
    for browser in [&mut leaving, &mut disabled, &mut renamed] {
        browser.talk_to(&app);
        let page = browser.get("/");
        assert_eq!(page.status, 303);
        assert!(page.header("location").unwrap().starts_with("/login"));
    }
    admin.talk_to(&app);
    assert_eq!(
        admin.get("/admin/users").status,
        200,
        "the admin is still in"
    );
}

#[test]
fn a_stored_session_past_its_expiry_is_not_brought_back() {
    let mut app = spawn_app();
    let mut coordinator = app.logged_in(&app.coordinator);
    diesel::sql_query("UPDATE web_sessions SET expires_at = '2000-01-01 00:00:00'")
        .execute(&mut app.db())
        .unwrap();

    app.restart();
    coordinator.talk_to(&app);
    let page = coordinator.get("/");

    assert_eq!(page.status, 303);
    assert!(page.header("location").unwrap().starts_with("/login"));
}
