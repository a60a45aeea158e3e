//! The follow-up form: sections with explicit "none to report", an infection entered inline and
//! seen on the timeline, the validation table, the stale-edit refusal, lock and unlock.

use crate::helpers::{PASSWORD, TestApp, days_ago, spawn_app};

const SECTIONS: [&str; 8] = [
    "responses",
    "toxicities",
    "infections",
    "immunoglobulin",
    "lab_results",
    "persistence_tests",
    "new_malignancies",
    "subsequent_therapies",
];

/// A complete, valid Day 100 form for a patient infused 95 days ago: contact today-1 (day 94).
fn valid_fields(row_version: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = vec![
        ("row_version".into(), row_version.into()),
        ("contact_date".into(), days_ago(1).to_string()),
        ("contact_type".into(), "CLINIC".into()),
        ("survival_status".into(), "ALIVE".into()),
        ("ecog".into(), "1".into()),
        ("relapse_since_last".into(), "N".into()),
        ("relapse_date".into(), "".into()),
        ("infection_date".into(), "".into()),
        ("infection_organism_class".into(), "".into()),
        ("infection_severity".into(), "".into()),
        ("action".into(), "complete".into()),
    ];
    for s in SECTIONS {
        fields.push((format!("none_{s}"), "none".into()));
    }
    fields
}

fn with(fields: &[(String, String)], changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields.to_vec();
    for (k, v) in changes {
        match out.iter_mut().find(|(name, _)| name == k) {
            Some(pair) => pair.1 = (*v).to_owned(),
            None => out.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    out
}

fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

struct Arranged {
    app: TestApp,
    patient: i32,
    form: String,
}

fn arrange() -> Arranged {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let form = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    Arranged { app, patient, form }
}

#[test]
fn a_complete_follow_up_with_an_infection_is_saved_with_one_audit_change_set_and_shown() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(coordinator.get(&form).status, 200);
    let before = app.change_set_count();
    let fields = with(
        &valid_fields("0"),
        &[
            ("none_infections", "events"),
            ("infection_date", &days_ago(20).to_string()),
            ("infection_organism_class", "VIRAL"),
            ("infection_severity", "G2"),
        ],
    );

    let response = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(response.status, 303, "{}", response.body);
    assert_eq!(
        app.change_set_count(),
        before + 1,
        "one change set for the whole save"
    );
    let sets_fu = app.audit_change_sets("follow_ups");
    let sets_inf = app.audit_change_sets("infections");
    assert_eq!(
        sets_fu.last().unwrap().0,
        sets_inf.last().unwrap().0,
        "same change set"
    );
    let page = coordinator.get(&form);
    assert!(page.body.contains("Reported in this period"));
    assert!(page.body.contains("VIRAL"));
    assert!(page.body.contains("Complete"));
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(timeline.body.contains("Infection"));
    assert!(timeline.body.contains("status-done"), "Day 100 is done");
}

#[test]
fn invalid_follow_ups_are_refused_with_422_keeping_the_values() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let base = valid_fields("0");
    let future = (crate::helpers::today() + chrono::Duration::days(2)).to_string();
    let before_day0 = days_ago(100).to_string();
    let infection_day = days_ago(10).to_string();
    // (changes, field whose message is expected, message)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("contact_date", "")],
            "contact_date",
            "Enter a date (YYYY-MM-DD).",
        ),
        (
            vec![("contact_date", &future)],
            "contact_date",
            "This date is in the future.",
        ),
        (
            vec![("contact_date", &before_day0)],
            "contact_date",
            "The contact cannot precede Day 0",
        ),
        (
            vec![("contact_type", "")],
            "contact_type",
            "Choose how contact was made.",
        ),
        (
            vec![("survival_status", "MAYBE")],
            "survival_status",
            "Choose the survival status.",
        ),
        (
            vec![("ecog", "7")],
            "ecog",
            "ECOG is a whole number from 0 to 4.",
        ),
        (
            vec![("relapse_since_last", "Y")],
            "relapse_date",
            "Enter the date of relapse or progression.",
        ),
        (
            vec![("none_toxicities", "")],
            "none_toxicities",
            "Blank is not none.",
        ),
        (
            vec![("none_infections", "events")],
            "none_infections",
            "Add the infection below",
        ),
        (
            vec![
                ("infection_date", &infection_day),
                ("infection_organism_class", "VIRAL"),
            ],
            "none_infections",
            "it cannot be nothing to report",
        ),
        (
            vec![
                ("none_infections", "events"),
                ("infection_date", &infection_day),
            ],
            "infection_organism_class",
            "Choose the kind of organism.",
        ),
    ];
    let before = app.change_set_count();
    for (changes, field, message) in &cases {
        let fields = with(&base, changes);

        let response = coordinator.post(&form, &as_refs(&fields));

        assert_eq!(response.status, 422, "{changes:?}");
        assert!(
            response.body.contains(message),
            "{changes:?}: no {message:?}"
        );
        assert!(
            response.body.contains(&format!("id=\"{field}-error\"")),
            "{changes:?}: message not beside {field}"
        );
        for name in ["contact_date", "ecog", "relapse_date", "infection_date"] {
            let typed = fields.iter().find(|(k, _)| k == name).unwrap().1.as_str();
            assert_eq!(
                response.input_value(name).as_deref(),
                Some(typed),
                "{changes:?}: {name} not kept"
            );
        }
    }
    assert_eq!(app.change_set_count(), before, "nothing was written");
}

#[test]
fn a_contact_outside_the_window_warns_and_saves_once_confirmed() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    // Day 60 is before the Day 100 window (90-130).
    let early = with(
        &valid_fields("0"),
        &[("contact_date", &days_ago(35).to_string())],
    );

    let warned = coordinator.post(&form, &as_refs(&early));
    let confirmed = coordinator.post(&form, &as_refs(&with(&early, &[("confirm_window", "1")])));

    assert_eq!(warned.status, 422);
    assert!(warned.body.contains("outside the Day 100 window"));
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
}

#[test]
fn a_stale_save_is_refused_with_what_changed_and_nothing_is_overwritten() {
    let Arranged { app, form, .. } = arrange();
    let mut first = app.logged_in(&app.coordinator);
    let mut second = app.logged_in(&app.coordinator);
    first.get(&form);
    second.get(&form);
    let first_fields = with(&valid_fields("0"), &[("action", "draft"), ("ecog", "1")]);
    let second_fields = with(&valid_fields("0"), &[("action", "draft"), ("ecog", "3")]);

    assert_eq!(first.post(&form, &as_refs(&first_fields)).status, 303);
    let refused = second.post(&form, &as_refs(&second_fields));

    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("saved this form"), "{}", refused.body);
    assert!(refused.body.contains("ECOG is now 1 (you entered 3)"));
    assert_eq!(
        refused.input_value("ecog").as_deref(),
        Some("3"),
        "their value is kept"
    );
    let stored = first.get(&form);
    assert_eq!(
        stored.input_value("ecog").as_deref(),
        Some("1"),
        "nothing overwritten"
    );
    // Saving again after review goes through (the form now carries the current version).
    let row_version = refused.input_value("row_version").unwrap();
    let retry = with(&second_fields, &[("row_version", &row_version)]);
    assert_eq!(second.post(&form, &as_refs(&retry)).status, 303);
}

#[test]
fn a_monitor_locks_with_the_password_and_an_admin_unlocks_with_a_reason() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    assert_eq!(
        coordinator.post(&form, &as_refs(&valid_fields("0"))).status,
        303
    );
    let mut monitor = app.logged_in(&app.monitor);
    let page = monitor.get(&form);
    assert!(page.body.contains("Sign and lock"));
    let lock = format!("{form}/lock");

    let wrong = monitor.post(
        &lock,
        &[("meaning", "REVIEW"), ("password", "not my password")],
    );
    let no_meaning = monitor.post(&lock, &[("meaning", ""), ("password", PASSWORD)]);
    let locked = monitor.post(&lock, &[("meaning", "REVIEW"), ("password", PASSWORD)]);

    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("The password is not right"));
    assert_eq!(no_meaning.status, 422);
    assert_eq!(locked.status, 303);
    let read_only = coordinator.get(&form);
    assert!(read_only.body.contains("locked: read-only"));
    assert!(read_only.body.contains("<fieldset disabled"));
    let refused = coordinator.post(&form, &as_refs(&valid_fields("3")));
    assert_eq!(refused.status, 409, "a locked form cannot change");
    assert_eq!(
        coordinator
            .post(&format!("{form}/unlock"), &[("reason", "x")])
            .status,
        403
    );

    let mut admin = app.logged_in(&app.admin);
    admin.get(&form);
    let unlock = format!("{form}/unlock");
    let without_reason = admin.post(&unlock, &[("reason", " ")]);
    let unlocked = admin.post(&unlock, &[("reason", "Correct the contact date")]);

    assert_eq!(without_reason.status, 422);
    assert!(
        without_reason
            .body
            .contains("Give the reason for unlocking.")
    );
    assert_eq!(unlocked.status, 303);
    let page = coordinator.get(&form);
    assert!(!page.body.contains("locked: read-only"));
    let row_version = page.input_value("row_version").unwrap();
    let edit = with(&valid_fields(&row_version), &[("ecog", "2")]);
    let needs_reason = coordinator.post(&form, &as_refs(&edit));
    assert_eq!(
        needs_reason.status, 422,
        "a completed form needs a reason to change"
    );
    assert!(needs_reason.body.contains("give the reason for the change"));
    let with_reason = with(&edit, &[("reason", "ECOG re-assessed")]);
    assert_eq!(coordinator.post(&form, &as_refs(&with_reason)).status, 303);

    // The trail says who changed what from what to what, and why.
    let trail = coordinator.get(&format!("/patients/{patient}/audit?table=follow_ups"));
    assert_eq!(trail.status, 200);
    for expected in [
        "coord-a",
        "monitor-a",
        "admin",
        "ecog_performance_status",
        "ECOG re-assessed",
        "Correct the contact date",
        "E-signed: Reviewed",
    ] {
        assert!(trail.body.contains(expected), "trail lacks {expected:?}");
    }
    let other = app
        .logged_in(&app.other_coordinator)
        .get(&format!("/patients/{patient}/audit"));
    assert_eq!(other.status, 404);
}

#[test]
fn a_death_is_reported_once_on_the_contact_date_and_ends_the_schedule() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let died = days_ago(3).to_string();
    let dead = with(
        &valid_fields("0"),
        &[("survival_status", "DEAD"), ("contact_date", &died)],
    );

    let no_date = coordinator.post(&form, &as_refs(&dead));
    let wrong_contact = coordinator.post(
        &form,
        &as_refs(&with(
            &dead,
            &[
                ("death_date", &days_ago(5).to_string()),
                ("death_cause", "DISEASE"),
            ],
        )),
    );
    let saved = coordinator.post(
        &form,
        &as_refs(&with(
            &dead,
            &[("death_date", &died), ("death_cause", "DISEASE")],
        )),
    );

    assert_eq!(no_date.status, 422);
    assert!(no_date.body.contains("id=\"death_date-error\""));
    assert!(no_date.body.contains("id=\"death_cause-error\""));
    assert_eq!(wrong_contact.status, 422);
    assert!(wrong_contact.body.contains("ends on the death date"));
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = coordinator.get(&format!("/patients/{patient}"));
    assert!(page.body.contains("Dead since"));
    assert!(page.body.contains("Death"), "on the timeline");
    assert!(
        page.body.contains("status-not-applicable"),
        "no visits after death"
    );
    assert!(
        coordinator
            .get(&form)
            .body
            .contains("Death previously reported")
    );
}

#[test]
fn crs_and_icans_grades_must_match_their_components() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let onset = days_ago(90).to_string();
    let crs = with(
        &valid_fields("0"),
        &[
            ("none_toxicities", "events"),
            ("toxicity_kind", "CRS"),
            ("toxicity_onset_date", &onset),
            ("toxicity_hypotension", "VASO_1"),
            ("toxicity_hypoxia", "NONE"),
        ],
    );
    let icans = with(
        &valid_fields("0"),
        &[
            ("none_toxicities", "events"),
            ("toxicity_kind", "ICANS"),
            ("toxicity_onset_date", &onset),
            ("toxicity_max_grade", "G1"),
            ("toxicity_ice_score", "2"),
        ],
    );

    let wrong_crs = coordinator.post(
        &form,
        &as_refs(&with(&crs, &[("toxicity_max_grade", "G2")])),
    );
    let wrong_icans = coordinator.post(&form, &as_refs(&icans));
    let said_none = coordinator.post(
        &form,
        &as_refs(&with(
            &crs,
            &[("toxicity_max_grade", "G3"), ("none_toxicities", "none")],
        )),
    );
    let right = coordinator.post(
        &form,
        &as_refs(&with(&crs, &[("toxicity_max_grade", "G3")])),
    );

    assert_eq!(wrong_crs.status, 422);
    assert!(wrong_crs.body.contains("make CRS grade 3, not 2"));
    assert!(wrong_crs.body.contains("id=\"toxicity_max_grade-error\""));
    assert_eq!(wrong_icans.status, 422);
    assert!(wrong_icans.body.contains("ICANS grade 3 at least"));
    assert_eq!(said_none.status, 422);
    assert_eq!(right.status, 303, "{}", right.body);
    let page = coordinator.get(&format!("/patients/{patient}"));
    assert!(page.body.contains("CRS, maximum grade G3"));
}

#[test]
fn a_response_is_recorded_by_the_diseases_own_criteria() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    let page = coordinator.get(&form);
    assert!(
        page.body.contains("By Lugano 2014 criteria"),
        "DLBCL is graded by Lugano"
    );
    let assessed = days_ago(5).to_string();
    let fields = with(
        &valid_fields("0"),
        &[("none_responses", "events"), ("response_date", &assessed)],
    );

    let imwg_code = coordinator.post(&form, &as_refs(&with(&fields, &[("response", "VGPR")])));
    let lugano = coordinator.post(&form, &as_refs(&with(&fields, &[("response", "CR")])));

    assert_eq!(imwg_code.status, 422, "VGPR is a myeloma response");
    assert!(
        imwg_code
            .body
            .contains("Choose the response by Lugano 2014 criteria.")
    );
    assert_eq!(lugano.status, 303, "{}", lugano.body);
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(timeline.body.contains("CR (LUGANO2014)"));
}

#[test]
fn igg_within_30_days_of_immunoglobulin_is_flagged_not_native() {
    let Arranged { app, patient, form } = arrange();
    {
        use diesel::prelude::*;
        diesel::sql_query(format!(
            "INSERT INTO immunoglobulin_courses (patient_id, start_date, stop_date, route, \
             created_by, updated_by) VALUES ({patient}, '{}', '{}', 'IVIG', 1, 1)",
            days_ago(20),
            days_ago(20)
        ))
        .execute(&mut app.db())
        .unwrap();
    }
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let sampled = days_ago(4).to_string();
    let igg = with(
        &valid_fields("0"),
        &[
            ("none_lab_results", "events"),
            ("lab_analyte", "IGG"),
            ("lab_date", &sampled),
            ("lab_value", "5.1"),
        ],
    );

    let wrong_unit = coordinator.post(
        &form,
        &as_refs(&with(&igg, &[("lab_unit", "CELLS_PER_UL")])),
    );
    let saved = coordinator.post(&form, &as_refs(&with(&igg, &[("lab_unit", "G_L")])));

    assert_eq!(wrong_unit.status, 422);
    assert!(wrong_unit.body.contains("IgG is given in mg/dL or g/L."));
    assert_eq!(wrong_unit.input_value("lab_value").as_deref(), Some("5.1"));
    assert_eq!(saved.status, 303, "{}", saved.body);
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline
            .body
            .contains("IGG: 5.1 G_L (immunoglobulin within 30 days: not native IgG)")
    );
}

#[test]
fn a_t_cell_malignancy_needs_its_car_transgene_test() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let diagnosed = days_ago(6).to_string();
    let malignancy = with(
        &valid_fields("0"),
        &[
            ("none_new_malignancies", "events"),
            ("malignancy_type", "T_CELL_LYMPHOMA"),
            ("malignancy_date", &diagnosed),
        ],
    );

    let untested = coordinator.post(&form, &as_refs(&malignancy));
    let pending = coordinator.post(
        &form,
        &as_refs(&with(&malignancy, &[("transgene_result", "PENDING")])),
    );

    assert_eq!(untested.status, 422);
    assert!(
        untested
            .body
            .contains("test the tumour for the CAR transgene")
    );
    assert!(untested.body.contains("id=\"transgene_result-error\""));
    assert_eq!(pending.status, 303, "{}", pending.body);
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(timeline.body.contains("T_CELL_LYMPHOMA"));
}

#[test]
fn immunoglobulin_persistence_and_subsequent_therapy_are_entered_in_one_save() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let before = app.change_set_count();
    let fields = with(
        &valid_fields("0"),
        &[
            ("none_immunoglobulin", "events"),
            ("ig_start_date", &days_ago(30).to_string()),
            ("ig_route", "IVIG"),
            ("none_persistence_tests", "events"),
            ("persistence_date", &days_ago(10).to_string()),
            ("persistence_specimen", "PB"),
            ("persistence_method", "QPCR_TRANSGENE"),
            ("persistence_detected", "Y"),
            ("none_subsequent_therapies", "events"),
            ("therapy_category", "RADIOTHERAPY"),
            ("therapy_start_date", &days_ago(2).to_string()),
        ],
    );

    let missing_route = coordinator.post(&form, &as_refs(&with(&fields, &[("ig_route", "")])));
    let saved = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(missing_route.status, 422);
    assert!(
        missing_route
            .body
            .contains("Choose intravenous or subcutaneous.")
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        app.change_set_count(),
        before + 1,
        "one change set for the whole save"
    );
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    for expected in ["Course started (IVIG)", "QPCR_TRANSGENE: Y", "RADIOTHERAPY"] {
        assert!(
            timeline.body.contains(expected),
            "timeline lacks {expected}"
        );
    }
}
