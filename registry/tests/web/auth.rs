//! Login, logout, session cookie and expiry, login throttling, CSRF, security headers.

use std::time::Duration;

use crate::helpers::{PASSWORD, spawn_app, spawn_app_with};

#[test]
fn login_with_the_right_password_starts_a_session_with_a_strict_httponly_cookie() {
    let app = spawn_app();
    let mut browser = app.browser();

    let response = browser.login(app.coordinator.username, PASSWORD);

    response.assert_redirect_to("/");
    let cookie = response
        .headers_named("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("registry_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "Secure is off by default: {cookie}"
    );
    let home = browser.get_worklist();
    assert_eq!(home.status, 200);
    assert!(home.body.contains(app.coordinator.username));
}

#[test]
fn the_secure_flag_is_configurable() {
    let app = spawn_app_with(|s| s.cookie_secure = true);
    let response = app.browser().get_login();
    let cookie = response.header("set-cookie").expect("a session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[test]
fn a_wrong_password_is_refused_and_the_username_is_kept() {
    let app = spawn_app();
    let mut browser = app.browser();

    let response = browser.login(app.coordinator.username, "not the password at all");

    assert_eq!(response.status, 401);
    assert!(response.body.contains("Invalid username or password."));
    assert_eq!(
        response.input_value("username").as_deref(),
        Some(app.coordinator.username)
    );
    assert_eq!(
        response.input_value("password"),
        None,
        "a password is never echoed"
    );
    browser.get_worklist().assert_redirect_to("/login");
}

#[test]
fn an_unknown_user_gets_the_same_answer_as_a_wrong_password() {
    let app = spawn_app();
    let response = app.browser().login("nobody-here", PASSWORD);
    assert_eq!(response.status, 401);
    assert!(response.body.contains("Invalid username or password."));
}

#[test]
fn an_account_is_locked_after_five_failures_even_for_the_right_password() {
    let app = spawn_app();
    let mut browser = app.browser();
    for attempt in 1..=5 {
        let response = browser.login(app.coordinator.username, "wrong password here");
        assert_eq!(response.status, 401, "attempt {attempt}");
    }

    let response = browser.login(app.coordinator.username, PASSWORD);

    assert_eq!(response.status, 429);
    assert!(response.body.contains("Too many failed attempts"));
    // Other accounts are not affected.
    assert_eq!(
        app.browser().login(app.monitor.username, PASSWORD).status,
        303
    );
}

#[test]
fn an_address_is_throttled_after_too_many_failures_across_accounts() {
    let app = spawn_app_with(|s| s.max_failures_per_ip = 3);
    let mut browser = app.browser();
    for name in ["a-user", "b-user", "c-user"] {
        assert_eq!(browser.login(name, "wrong password here").status, 401);
    }

    let response = browser.login(app.admin.username, PASSWORD);

    assert_eq!(response.status, 429);
}

#[test]
fn a_disabled_user_cannot_log_in() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    admin
        .post_admin_user_active(app.monitor.id, false)
        .assert_redirect_to("/admin/users");

    let response = app.browser().login(app.monitor.username, PASSWORD);

    assert_eq!(response.status, 401);
}

#[test]
fn disabling_a_user_ends_their_open_session() {
    let app = spawn_app();
    let mut monitor = app.logged_in(&app.monitor);
    assert_eq!(monitor.get_worklist().status, 200);

    app.logged_in(&app.admin)
        .post_admin_user_active(app.monitor.id, false)
        .assert_redirect_to("/admin/users");

    monitor.get_worklist().assert_redirect_to("/login");
}

#[test]
fn logout_ends_the_session_even_for_a_copied_cookie() {
    let app = spawn_app();
    let mut browser = app.logged_in(&app.coordinator);
    let copied = browser.cookies.clone();

    browser.logout().assert_redirect_to("/login?logged_out=1");

    browser.get_worklist().assert_redirect_to("/login");
    let mut thief = app.browser();
    thief.cookies = copied;
    thief.get_worklist().assert_redirect_to("/login");
}

#[test]
fn an_idle_session_expires() {
    let app = spawn_app_with(|s| s.idle_timeout = Duration::from_secs(1));
    let mut browser = app.logged_in(&app.coordinator);

    std::thread::sleep(Duration::from_millis(2_200));

    let response = browser.get_worklist();
    assert_eq!(response.status, 303);
    assert!(response.header("location").unwrap().starts_with("/login"));
}

#[test]
fn a_session_expires_at_its_absolute_limit_even_when_busy() {
    let app = spawn_app_with(|s| s.absolute_timeout = Duration::from_secs(2));
    let mut browser = app.logged_in(&app.coordinator);
    for _ in 0..3 {
        assert_eq!(browser.get_worklist().status, 200);
        std::thread::sleep(Duration::from_millis(500));
    }
    std::thread::sleep(Duration::from_millis(1_600));

    browser
        .get_worklist()
        .assert_redirect_to("/login?expired=1");
}

#[test]
fn login_renews_the_session_key() {
    let app = spawn_app();
    let mut browser = app.browser();
    browser.get_login();
    let before = browser.cookies.get("registry_session").cloned();
    browser.login(app.coordinator.username, PASSWORD);
    let after = browser.cookies.get("registry_session").cloned();
    assert!(before.is_some() && after.is_some());
    assert_ne!(before, after);
}

#[test]
fn a_post_without_or_with_a_wrong_csrf_token_is_refused() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let before = app.change_set_count();

    let missing = admin.post_raw("/admin/sites", &[("code", "CCC"), ("name", "Gamma")]);
    let wrong = admin.post_raw(
        "/admin/sites",
        &[("csrf_token", "0000"), ("code", "CCC"), ("name", "Gamma")],
    );

    assert_eq!(missing.status, 403);
    assert_eq!(wrong.status, 403);
    assert_eq!(app.change_set_count(), before, "nothing was written");
    assert_eq!(admin.post_admin_sites("CCC", "Gamma").status, 303);
}

#[test]
fn the_login_form_itself_needs_its_csrf_token() {
    let app = spawn_app();
    let mut browser = app.browser();
    browser.get_login();
    let response = browser.post_raw(
        "/login",
        &[("username", app.admin.username), ("password", PASSWORD)],
    );
    assert_eq!(response.status, 303);
    response.assert_redirect_to("/login?retry=1");
    assert_eq!(browser.get("/").status, 303, "nobody was logged in");
}

/// A login page left open past its anonymous session (or opened before a restart of the
/// server) is shown again with why, not an error page; a kept form's token stays with it.
#[test]
fn a_login_page_older_than_its_session_is_shown_again() {
    let app = spawn_app();
    let mut browser = app.browser();
    browser.get_login();
    browser.cookies.clear();
    let response = browser.post(
        "/login",
        &[
            ("username", app.admin.username),
            ("password", PASSWORD),
            ("kept", "abc123"),
        ],
    );
    response.assert_redirect_to("/login?retry=1&kept=abc123");
    let page = browser.get("/login?retry=1");
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("The login page had expired. Enter your username and password again."),
        "{}",
        page.body
    );
    assert_eq!(browser.login(app.admin.username, PASSWORD).status, 303);
}

#[test]
fn a_csrf_token_from_another_session_is_refused() {
    let app = spawn_app();
    let mut admin = app.logged_in(&app.admin);
    let mut other = app.logged_in(&app.coordinator);
    other.get_worklist();
    let foreign = other.csrf.clone().unwrap();

    let response = admin.post_raw(
        "/admin/sites",
        &[("csrf_token", &foreign), ("code", "CCC"), ("name", "Gamma")],
    );

    assert_eq!(response.status, 403);
}

#[test]
fn every_response_carries_the_security_headers() {
    let app = spawn_app();
    let mut browser = app.browser();
    for response in [browser.get_login(), browser.get("/static/app.css")] {
        let csp = response.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert_eq!(response.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(response.header("x-content-type-options"), Some("nosniff"));
    }
    let page = browser.get_login();
    assert_eq!(page.header("cache-control"), Some("no-store"));
    // Scripts only from our own files, never inline: the one there is asks before unsaved
    // typing is left behind.
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe"),
        "{csp}"
    );
    assert!(
        page.body
            .contains("<script src=\"/static/guard.js\" defer></script>")
    );
    assert!(!page.body.contains("<script>"));
    let script = browser.get("/static/guard.js");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.body.contains("beforeunload"));
}
