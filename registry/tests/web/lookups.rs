//! The request path's lookups, called directly: `find_patient`'s site scope (checked on the
//! row read by id) and `load_context`'s split of the course's follow-ups into this timepoint's
//! and the others (one query for both).

use diesel::prelude::*;
use registry::web::auth::extract::SiteFilter;
use registry::web::routes::follow_ups::load_context;
use registry::web::routes::patients::find_patient;

use crate::helpers::{days_ago, spawn_app};

#[test]
fn find_patient_returns_a_patient_only_within_the_scope() {
    let app = spawn_app();
    let (patient, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let mut conn = app.db();
    let found = |conn: &mut SqliteConnection, scope: &SiteFilter, id: i32| {
        find_patient(conn, scope, id).unwrap().map(|p| p.id.0)
    };
    assert_eq!(found(&mut conn, &SiteFilter::All, patient), Some(patient));
    assert_eq!(
        found(&mut conn, &SiteFilter::Only(vec![app.site_a]), patient),
        Some(patient)
    );
    assert_eq!(
        found(
            &mut conn,
            &SiteFilter::Only(vec![app.site_b, app.site_a]),
            patient
        ),
        Some(patient)
    );
    assert_eq!(
        found(&mut conn, &SiteFilter::Only(vec![app.site_b]), patient),
        None
    );
    assert_eq!(found(&mut conn, &SiteFilter::Only(vec![]), patient), None);
    assert_eq!(found(&mut conn, &SiteFilter::All, patient + 1000), None);
}

#[test]
fn load_context_finds_this_timepoints_follow_up_and_the_others_contacts() {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(400));
    let mut conn = app.db();
    // Another course's follow-up at the same timepoint must not be mistaken for this one.
    let (other_patient, other_course) =
        app.insert_treated_patient(app.site_a, "AAA-000002", days_ago(400));
    let insert = |conn: &mut SqliteConnection, pid: i32, cid: i32, tp: &str, contact: i64| {
        diesel::sql_query(format!(
            "INSERT INTO follow_ups (patient_id, course_id, timepoint, contact_date, form_status, \
             created_by, updated_by) VALUES ({pid}, {cid}, '{tp}', '{}', 'IN_PROGRESS', 1, 1)",
            days_ago(contact)
        ))
        .execute(conn)
        .unwrap();
    };
    insert(&mut conn, patient, course, "D28", 370);
    insert(&mut conn, patient, course, "D100", 300);
    insert(&mut conn, patient, course, "M6", 220);
    insert(&mut conn, other_patient, other_course, "Y1", 30);
    let scope = SiteFilter::Only(vec![app.site_a]);

    let d100 = load_context(&mut conn, &scope, patient, course, "D100").unwrap();
    let existing = d100.existing.as_ref().unwrap();
    assert_eq!(existing.timepoint, "D100");
    assert_eq!(existing.contact_date, Some(days_ago(300)));
    let mut others = d100.other_contacts.clone();
    others.sort();
    assert_eq!(others, vec![days_ago(370), days_ago(220)]);
    assert_eq!(d100.period_start(days_ago(300)), Some(days_ago(370)));

    let y1 = load_context(&mut conn, &scope, patient, course, "Y1").unwrap();
    assert!(y1.existing.is_none());
    let mut all = y1.other_contacts.clone();
    all.sort();
    assert_eq!(all, vec![days_ago(370), days_ago(300), days_ago(220)]);

    let out_of_scope = load_context(
        &mut conn,
        &SiteFilter::Only(vec![app.site_b]),
        patient,
        course,
        "D100",
    );
    assert!(out_of_scope.is_err());
}
