//! A form posted after the session expired is kept for its user: the login page carries its
//! token, logging in again as the same user leads to `/kept/{token}`, and saving from there goes
//! through the original handler. Nobody else sees it; passwords and CSRF tokens are never kept.

use std::time::Duration;

use diesel::prelude::*;

use crate::helpers::{
    Browser, PASSWORD, Response, SECTIONS, TestApp, as_refs, days_ago, spawn_app_with,
};

/// The notice of the login page when a form is kept.
const KEPT_NOTICE: &str =
    "Your session expired. What you typed is kept: log in again to review and save it.";

/// An app whose sessions expire after one idle second, with one patient of site A infused 95
/// days ago, and the path of its Day 100 form.
fn arrange() -> (TestApp, String) {
    let app = spawn_app_with(|s| s.idle_timeout = Duration::from_secs(1));
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let form = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    (app, form)
}

/// A complete, valid Day 100 form (contact yesterday, ECOG 2, infection G2).
fn typed_follow_up() -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("row_version", "0"),
        ("contact_date", &days_ago(1).to_string()),
        ("contact_type", "CLINIC"),
        ("survival_status", "ALIVE"),
        ("ecog", "2"),
        ("relapse_since_last", "N"),
        ("relapse_date", ""),
        ("infection_date", &days_ago(20).to_string()),
        ("infection_organism_class", "VIRAL"),
        ("infection_severity", "G2"),
        ("action", "complete"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for s in SECTIONS {
        let answer = if s == "infections" { "events" } else { "none" };
        fields.push((format!("none_{s}"), answer.into()));
    }
    fields
}

/// Lets the session pass its one-second idle limit.
fn go_idle() {
    std::thread::sleep(Duration::from_millis(2_200));
}

/// The token in a `/login?expired=1&kept=…` redirect.
#[track_caller]
fn kept_token_of(response: &Response) -> String {
    assert_eq!(response.status, 303, "{response:?}");
    let location = response.header("location").unwrap();
    location
        .strip_prefix("/login?expired=1&kept=")
        .unwrap_or_else(|| panic!("not a kept-form redirect: {location}"))
        .to_owned()
}

/// Logs in from the login page a kept-form redirect points to, sending its hidden `kept` field
/// as the browser would; returns the login page and the login's response.
fn log_in_from(browser: &mut Browser, login_page: &str, username: &str) -> (Response, Response) {
    let page = browser.get(login_page);
    let kept = page.input_value("kept").unwrap_or_default();
    let response = browser.post(
        "/login",
        &[
            ("username", username),
            ("password", PASSWORD),
            ("kept", &kept),
        ],
    );
    (page, response)
}

/// Undoes askama's HTML escaping (numeric entities: `&#60;` `&#62;` `&#38;` `&#34;` `&#39;`).
fn unescape(s: &str) -> String {
    s.replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#38;", "&")
}

fn attribute(tag: &str, name: &str) -> String {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker).unwrap() + marker.len();
    let end = start + tag[start..].find('"').unwrap();
    unescape(&tag[start..end])
}

/// The `action` and hidden inputs (unescaped, in order) of the page's save form.
fn save_form(page: &Response) -> (String, Vec<(String, String)>) {
    let start = page.body.find("<form method=\"post\" action=\"").unwrap();
    let end = start + page.body[start..].find("</form>").unwrap();
    let form = &page.body[start..end];
    assert!(form.contains("Save what you typed"), "{form}");
    let action = attribute(&form[..form.find('>').unwrap()], "action");
    let inputs = form
        .split("<input ")
        .skip(1)
        .map(|tag| {
            let tag = format!(" {}", &tag[..tag.find('>').unwrap()]);
            assert!(tag.contains("type=\"hidden\""), "{tag}");
            (attribute(&tag, "name"), attribute(&tag, "value"))
        })
        .collect();
    (action, inputs)
}

fn follow_up_rows(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT COUNT(*) AS n FROM follow_ups")
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .n
}

/// Contact date, ECOG and infections of the one follow-up.
fn stored_follow_up(app: &TestApp) -> (String, i32, i64) {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        contact_date: String,
        #[diesel(sql_type = diesel::sql_types::Integer)]
        ecog: i32,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        infections: i64,
    }
    let row = diesel::sql_query(
        "SELECT contact_date, ecog_performance_status AS ecog, \
         (SELECT COUNT(*) FROM infections) AS infections FROM follow_ups",
    )
    .get_result::<Row>(&mut app.db())
    .unwrap();
    (row.contact_date, row.ecog, row.infections)
}

#[test]
fn a_follow_up_posted_after_the_idle_limit_is_kept_and_saved_after_logging_in_again() {
    let (app, form) = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(coordinator.get(&form).status, 200);
    let typed = typed_follow_up();
    go_idle();
    let change_sets = app.change_set_count();

    let expired = coordinator.post(&form, &as_refs(&typed));

    let token = kept_token_of(&expired);
    assert_eq!(token.len(), 64);
    assert_eq!(follow_up_rows(&app), 0, "nothing was written");
    assert_eq!(app.change_set_count(), change_sets, "no change set");

    let login_page = expired.header("location").unwrap().to_owned();
    let (page, login) = log_in_from(&mut coordinator, &login_page, app.coordinator.username);
    assert_eq!(page.status, 200);
    assert!(page.body.contains(KEPT_NOTICE), "{}", page.body);
    assert_eq!(page.input_value("kept").as_deref(), Some(token.as_str()));
    login.assert_redirect_to(&format!("/kept/{token}"));

    let kept = coordinator.get(&format!("/kept/{token}"));
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert!(kept.body.contains(&form), "says where the form was going");
    assert!(
        kept.body.contains(&format!("<a href=\"{form}\"")),
        "start over"
    );
    for value in [&days_ago(1).to_string(), "CLINIC", "VIRAL", "G2"] {
        assert!(kept.body.contains(&format!("<td>{value}</td>")), "{value}");
    }
    assert!(
        !kept.body.contains("<td><code>relapse_date</code></td>"),
        "a blank field is not listed"
    );
    let (action, inputs) = save_form(&kept);
    assert_eq!(action, format!("/kept/{token}/save"));
    let (csrf, kept_pairs): (Vec<_>, Vec<_>) = inputs
        .into_iter()
        .partition(|(name, _)| name == "csrf_token");
    assert_eq!(kept_pairs, typed, "every pair as typed, in order");
    assert_eq!(csrf.len(), 1);
    assert_eq!(
        Some(&csrf[0].1),
        coordinator.csrf.as_ref(),
        "the new session's CSRF token"
    );
    assert_eq!(follow_up_rows(&app), 0, "still nothing written");

    let body = [csrf, kept_pairs].concat();
    let sent_on = coordinator.post_raw(&action, &as_refs(&body));
    // 307: the browser posts the same body to the original path, where the handler decides.
    assert_eq!(sent_on.status, 307, "{}", sent_on.body);
    assert_eq!(sent_on.header("location"), Some(form.as_str()));
    assert_eq!(
        follow_up_rows(&app),
        0,
        "the redirect itself writes nothing"
    );
    let saved = coordinator.post_raw(&form, &as_refs(&body));

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(app.change_set_count(), change_sets + 1);
    assert_eq!(stored_follow_up(&app), (days_ago(1).to_string(), 2, 1));
    // Sent on once, the kept copy is gone: a stale review page cannot save it twice.
    assert_eq!(coordinator.get(&format!("/kept/{token}")).status, 404);
    assert_eq!(coordinator.post_raw(&action, &as_refs(&body)).status, 404);
}

#[test]
fn another_user_never_gets_the_kept_form() {
    let (app, form) = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    go_idle();
    let expired = coordinator.post(&form, &as_refs(&typed_follow_up()));
    let token = kept_token_of(&expired);
    let login_page = expired.header("location").unwrap().to_owned();
    let kept_page = format!("/kept/{token}");

    let mut other = app.browser();
    let (_, login) = log_in_from(&mut other, &login_page, app.other_coordinator.username);
    let mut admin = app.browser();
    let (_, admin_login) = log_in_from(&mut admin, &login_page, app.admin.username);

    login.assert_redirect_to("/");
    admin_login.assert_redirect_to("/");
    assert_eq!(other.get(&kept_page).status, 404);
    assert_eq!(admin.get(&kept_page).status, 404);
    other.get_worklist();
    assert_eq!(
        other.post(&format!("{kept_page}/discard"), &[]).status,
        404,
        "nor discard it"
    );
    assert_eq!(
        other.post(&format!("{kept_page}/save"), &[]).status,
        404,
        "nor send it on"
    );
    app.browser().get(&kept_page).assert_redirect_to("/login");
    let (_, owner_login) = log_in_from(&mut coordinator, &login_page, app.coordinator.username);
    owner_login.assert_redirect_to(&kept_page);
    assert_eq!(coordinator.get(&kept_page).status, 200, "still kept");
}

#[test]
fn a_password_is_never_kept() {
    let (app, form) = arrange();
    let mut monitor = app.logged_in(&app.monitor);
    monitor.get(&form);
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get("/account");
    go_idle();

    let lock = monitor.post(
        &format!("{form}/lock"),
        &[
            ("meaning", "REVIEW"),
            ("password", PASSWORD),
            ("note", "<b>\"x\" & y</b>"),
        ],
    );
    let account = coordinator.post(
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a brand new passphrase"),
            ("confirm_password", "a brand new passphrase"),
        ],
    );

    let token = kept_token_of(&lock);
    monitor.login(app.monitor.username, PASSWORD);
    let kept = monitor.get(&format!("/kept/{token}"));
    assert_eq!(kept.status, 200);
    assert!(kept.body.contains("<td>REVIEW</td>"));
    assert!(!kept.body.contains(PASSWORD), "no password on the page");
    assert!(!kept.body.contains("name=\"password\""));
    assert!(
        kept.body
            .contains("<td>&#60;b&#62;&#34;x&#34; &#38; y&#60;/b&#62;</td>"),
        "values are shown escaped"
    );
    let (_, inputs) = save_form(&kept);
    assert!(inputs.contains(&("note".into(), "<b>\"x\" & y</b>".into())));
    account.assert_redirect_to("/login?expired=1");
}

#[test]
fn an_unknown_token_is_not_found_and_not_announced() {
    let (app, form) = arrange();
    let unknown = "0".repeat(64);
    let mut coordinator = app.logged_in(&app.coordinator);

    for path in [
        format!("/kept/{unknown}"),
        "/kept/abc".to_owned(),
        format!("/kept/{}", "A".repeat(64)),
    ] {
        assert_eq!(coordinator.get(&path).status, 404, "{path}");
    }
    let login = app
        .browser()
        .get(&format!("/login?expired=1&kept={unknown}"));
    assert!(!login.body.contains(KEPT_NOTICE));
    assert!(
        login
            .body
            .contains("Your session has expired. Log in again.")
    );
    assert_eq!(login.input_value("kept"), None);
    let (_, login) = log_in_from(
        &mut app.browser(),
        &format!("/login?expired=1&kept={unknown}"),
        app.coordinator.username,
    );
    login.assert_redirect_to("/");
    assert_eq!(coordinator.get(&form).status, 200);
}

#[test]
fn a_discarded_form_is_gone() {
    let (app, form) = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    go_idle();
    let token = kept_token_of(&coordinator.post(&form, &as_refs(&typed_follow_up())));
    coordinator.login(app.coordinator.username, PASSWORD);
    let kept_page = format!("/kept/{token}");
    coordinator.get(&kept_page);

    let missing_csrf = coordinator.post_raw(&format!("{kept_page}/discard"), &[]);
    let discarded = coordinator.post(&format!("{kept_page}/discard"), &[]);

    assert_eq!(missing_csrf.status, 403);
    discarded.assert_redirect_to(&form);
    assert_eq!(coordinator.get(&kept_page).status, 404);
    assert_eq!(follow_up_rows(&app), 0);
    assert_eq!(kept_rows(&app), 0, "its stored copy is gone too");
}

#[test]
fn nothing_is_kept_without_an_expired_session_or_a_typed_form() {
    let (app, form) = arrange();
    let typed = typed_follow_up();

    let mut anonymous = app.browser();
    anonymous.get_login();
    let anonymous_post = anonymous.post(&form, &as_refs(&typed));
    let mut stranger = app.browser();
    let no_session = stranger.post_raw(&form, &as_refs(&typed));

    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    go_idle();
    let expired_get = coordinator.get(&form);

    anonymous_post.assert_redirect_to("/login");
    assert_eq!(no_session.status, 403, "no session: no CSRF token to match");
    expired_get.assert_redirect_to("/login?expired=1");
    assert_eq!(follow_up_rows(&app), 0);
}

/// A page opened before its user logged in again (in another tab, say) carries the earlier
/// session's CSRF token: the save is refused (403, nothing written), but what was typed is kept
/// for that user, one link away, and saves from there through the form's usual checks. A post
/// without any token is refused with nothing kept.
#[test]
fn a_form_from_before_logging_in_again_is_refused_and_kept() {
    let app = crate::helpers::spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let form = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(coordinator.get(&form).status, 200);
    let earlier_token = coordinator.csrf.clone().unwrap();
    // Logged in again elsewhere: a new session, a new token.
    assert_eq!(
        coordinator.login(app.coordinator.username, PASSWORD).status,
        303
    );
    assert_ne!(coordinator.csrf.as_ref(), Some(&earlier_token));
    let typed = typed_follow_up();
    let change_sets = app.change_set_count();

    let sent = [
        vec![("csrf_token".to_owned(), earlier_token)],
        typed.clone(),
    ]
    .concat();
    let refused = coordinator.post_raw(&form, &as_refs(&sent));

    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("This page was opened before you logged in again"),
        "{}",
        refused.body
    );
    assert_eq!(follow_up_rows(&app), 0, "nothing was written");
    assert_eq!(app.change_set_count(), change_sets);
    let start = refused.body.find("href=\"/kept/").unwrap() + "href=\"".len();
    let review = unescape(&refused.body[start..start + refused.body[start..].find('"').unwrap()]);
    assert!(review.ends_with("?why=page"), "{review}");

    let kept = coordinator.get(&review);
    assert_eq!(kept.status, 200, "{}", kept.body);
    assert!(
        kept.body
            .contains("What you typed on a page from before you logged in again")
    );
    assert!(kept.body.contains(&format!("<td>{}</td>", days_ago(1))));
    let (action, inputs) = save_form(&kept);
    let sent_on = coordinator.post_raw(&action, &as_refs(&inputs));
    assert_eq!(sent_on.status, 307, "{}", sent_on.body);
    let saved = coordinator.post_raw(&form, &as_refs(&inputs));
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(stored_follow_up(&app), (days_ago(1).to_string(), 2, 1));

    // No token at all: refused, nothing kept, no link.
    let bare = coordinator.post_raw(&form, &as_refs(&typed));
    assert_eq!(bare.status, 403);
    assert!(!bare.body.contains("/kept/"), "{}", bare.body);
}

/// A kept form outlives a restart of the server: it is in the database as well as in memory
/// (its token only as a hash), comes back on the login page and saves; once sent on, its row
/// is gone.
#[test]
fn a_kept_form_outlives_a_restart_of_the_server() {
    let (mut app, form) = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let typed = typed_follow_up();
    go_idle();
    let expired = coordinator.post(&form, &as_refs(&typed));
    let token = kept_token_of(&expired);
    let login_page = expired.header("location").unwrap().to_owned();
    assert_eq!(kept_rows(&app), 1);

    app.restart();
    coordinator.talk_to(&app);
    let (page, login) = log_in_from(&mut coordinator, &login_page, app.coordinator.username);
    assert!(page.body.contains(KEPT_NOTICE), "{}", page.body);
    login.assert_redirect_to(&format!("/kept/{token}"));
    let kept = coordinator.get(&format!("/kept/{token}"));
    assert_eq!(kept.status, 200, "{}", kept.body);
    let (action, inputs) = save_form(&kept);
    assert_eq!(coordinator.post_raw(&action, &as_refs(&inputs)).status, 307);
    assert_eq!(kept_rows(&app), 0, "sent on, the stored copy is gone");
    let saved = coordinator.post_raw(&form, &as_refs(&inputs));
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(stored_follow_up(&app), (days_ago(1).to_string(), 2, 1));
}

/// Rows of the `kept_forms` table; none holds the token itself.
fn kept_rows(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT COUNT(*) AS n FROM kept_forms")
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .n
}
