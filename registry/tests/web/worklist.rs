//! The worklist: due, overdue and missed follow-ups of the user's own sites only, most urgent
//! first, each linked to its form.

use crate::helpers::{days_ago, spawn_app};

#[test]
fn the_worklist_shows_own_site_follow_ups_most_urgent_first() {
    let app = spawn_app();
    // Day 100 window is day 90-130 and missed from M6's opening (day 150).
    let (due_patient, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let (overdue_patient, _) = app.insert_treated_patient(app.site_a, "AAA-000002", days_ago(140));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(140));
    app.insert_treated_patient(app.site_a, "AAA-000003", days_ago(5));

    let page = app.logged_in(&app.coordinator).get_worklist();

    assert_eq!(page.status, 200);
    assert!(page.body.contains("AAA-000001"));
    assert!(page.body.contains("AAA-000002"));
    assert!(
        !page.body.contains("BBB-000001"),
        "another site's patient is never listed"
    );
    assert!(!page.body.contains("AAA-000003"), "nothing due yet");
    let overdue_at = page.body.find("AAA-000002").unwrap();
    let due_at = page.body.find("AAA-000001").unwrap();
    assert!(overdue_at < due_at, "overdue before due");
    assert!(
        page.body
            .contains(&format!("/patients/{overdue_patient}/courses/"))
    );
    assert!(
        page.body
            .contains(&format!("/patients/{due_patient}/courses/"))
    );
    assert!(page.body.contains("1 overdue"));
}

#[test]
fn the_other_sites_coordinator_sees_only_their_own_patients() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    app.insert_treated_patient(app.site_b, "BBB-000001", days_ago(95));

    let page = app.logged_in(&app.other_coordinator).get_worklist();

    assert!(page.body.contains("BBB-000001"));
    assert!(!page.body.contains("AAA-000001"));
}

#[test]
fn an_analyst_has_no_patient_worklist() {
    let app = spawn_app();
    app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));

    let page = app.logged_in(&app.analyst).get_worklist();

    assert_eq!(page.status, 200);
    assert!(!page.body.contains("AAA-000001"));
}
