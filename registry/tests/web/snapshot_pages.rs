//! Snapshots (insta) of markup that users and API clients depend on: the follow-up form, empty
//! and refused with a 422, and the OpenAPI document. Dynamic parts (the CSRF token, every date,
//! which moves with today) are redacted first, so a diff is a markup change. Review changes with
//! `cargo insta review`, or rerun with `INSTA_UPDATE=always` and read the diff.

use crate::helpers::{days_ago, spawn_app};

/// Replaces the CSRF token's value and every `YYYY-MM-DD` date.
fn redact(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    let marker = "name=\"csrf_token\" value=\"";
    while let Some(at) = rest.find(marker) {
        let start = at + marker.len();
        out.push_str(&rest[..start]);
        out.push_str("[csrf]");
        let end = rest[start..].find('"').map_or(rest.len(), |e| start + e);
        rest = &rest[end..];
    }
    out.push_str(rest);
    redact_dates(&out)
}

fn redact_dates(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_date = |i: usize| {
        let pattern = b"dddd-dd-dd";
        i + pattern.len() <= bytes.len()
            && pattern.iter().enumerate().all(|(k, p)| match p {
                b'd' => bytes[i + k].is_ascii_digit(),
                other => bytes[i + k] == *other,
            })
    };
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if is_date(i) {
            out.push_str("[date]");
            i += 10;
        } else {
            let c = text[i..].chars().next().unwrap();
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// The `<main>` of a page (the layout around it has its own tests).
fn main_of(body: &str) -> &str {
    let start = body.find("<main").unwrap_or(0);
    let end = body
        .find("</main>")
        .map_or(body.len(), |e| e + "</main>".len());
    &body[start..end]
}

#[test]
fn redaction_hides_tokens_and_dates_only() {
    let page = r#"<input type="hidden" name="csrf_token" value="abc123"> Day 0 2024-03-15, day 12"#;
    assert_eq!(
        redact(page),
        r#"<input type="hidden" name="csrf_token" value="[csrf]"> Day 0 [date], day 12"#
    );
}

#[test]
fn the_follow_up_form_markup_empty_and_refused() {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let form = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    let mut c = app.logged_in(&app.coordinator);

    let empty = c.get(&form);
    let refused = c.post(
        &form,
        &[
            ("row_version", "0"),
            ("contact_date", "2020-02-30"),
            ("contact_type", "CLINIC"),
            ("survival_status", "ALIVE"),
            ("relapse_since_last", "Y"),
            ("relapse_method", "FLOW"),
            ("none_infections", "events"),
            ("action", "complete"),
        ],
    );

    assert_eq!(empty.status, 200);
    assert_eq!(refused.status, 422);
    insta::assert_snapshot!("follow_up_form_empty", redact(main_of(&empty.body)));
    insta::assert_snapshot!("follow_up_form_422", redact(main_of(&refused.body)));
}

#[test]
fn the_openapi_document() {
    let app = spawn_app();
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();

    let doc = client.api("GET", "/api/v1/openapi.json", &token, None);

    assert_eq!(doc.status, 200);
    let value: serde_json::Value = serde_json::from_str(&doc.body).unwrap();
    insta::assert_snapshot!(
        "openapi",
        redact(&serde_json::to_string_pretty(&value).unwrap())
    );
}
