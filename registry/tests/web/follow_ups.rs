//! The follow-up form: sections with explicit "none to report", an infection entered inline and
//! seen on the timeline, the validation table, the stale-edit refusal, lock and unlock.

use crate::helpers::{
    Arranged, PASSWORD, SECTIONS, TestApp, arrange, as_refs, days_ago, spawn_app,
};

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

    let durability = registry::db::wal_sync::of_file(&std::fs::canonicalize(&app.db_path).unwrap());
    let syncs_before = durability.syncs();

    let response = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(response.status, 303, "{}", response.body);
    assert!(
        durability.syncs() > syncs_before,
        "the save was synced to the disk before it was acknowledged"
    );
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
    assert!(
        page.body
            .contains("Viral, severity Grade 2: oral antimicrobial treatment"),
        "the reported infection is listed with labels, not codes"
    );
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
            &[
                ("death_date", &died),
                ("death_cause", "DISEASE"),
                ("death_autopsy", "N"),
            ],
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
fn a_death_keeps_its_causes_named_its_contributing_causes_and_its_autopsy() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, death_contributing_causes as dcc, deaths};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let died = days_ago(3).to_string();
    let mut dead = with(
        &valid_fields("0"),
        &[
            ("survival_status", "DEAD"),
            ("contact_date", &died),
            ("death_date", &died),
            ("death_cause", "OTHER"),
            ("death_cause_other", "  Pulmonary embolism "),
            ("death_autopsy", "Y"),
            ("death_autopsy_report_attached", "1"),
            ("death_contributing_cause_other", "Renal failure"),
        ],
    );
    for cause in ["INFECTION_VIRAL", "OTHER"] {
        dead.push(("death_contributing_causes".to_owned(), cause.to_owned()));
    }
    let before = app.change_set_count();

    let saved = coordinator.post(&form, &as_refs(&dead));

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    let death: (String, Option<String>, Option<String>, bool) = deaths::table
        .select((
            deaths::primary_cause,
            deaths::primary_cause_other,
            deaths::autopsy,
            deaths::autopsy_report_attached,
        ))
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(
        death,
        (
            "OTHER".to_owned(),
            Some("Pulmonary embolism".to_owned()),
            Some("Y".to_owned()),
            true
        )
    );
    let contributing: Vec<(String, Option<String>)> = dcc::table
        .order(dcc::id)
        .select((dcc::cause, dcc::cause_other))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        contributing,
        [
            ("INFECTION_VIRAL".to_owned(), None),
            ("OTHER".to_owned(), Some("Renal failure".to_owned())),
        ],
        "the name on the other cause's row only"
    );
    let audited: i64 = audit_log::table
        .filter(audit_log::table_name.eq("death_contributing_causes"))
        .filter(audit_log::action.eq("INSERT"))
        .filter(audit_log::field_name.eq("cause"))
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(audited, 2, "each contributing cause audited");
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline.body.contains(
            "Other: Pulmonary embolism; contributing: Infection, viral, Other: Renal failure; \
             autopsy done, report attached"
        ),
        "{}",
        timeline.body
    );
}

#[test]
fn a_death_is_refused_with_the_message_beside_each_wrong_answer_keeping_the_values() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let died = days_ago(3).to_string();
    let valid = with(
        &valid_fields("0"),
        &[
            ("survival_status", "DEAD"),
            ("contact_date", &died),
            ("death_date", &died),
            ("death_cause", "CRS"),
            ("death_autopsy", "PENDING"),
        ],
    );
    let too_long = "x".repeat(201);
    let cases: Vec<Refusal<'_>> = vec![
        (
            vec![("death_cause", "OTHER")],
            "death_cause_other",
            "Name the cause of death.",
        ),
        (
            vec![("death_cause_other", "Sepsis")],
            "death_cause_other",
            "Name a cause only with Other as the primary cause.",
        ),
        (
            vec![("death_contributing_causes", "CRS")],
            "death_contributing_causes",
            "is the primary cause: tick only the causes that contributed besides it.",
        ),
        (
            vec![("death_contributing_causes", "OTHER")],
            "death_contributing_cause_other",
            "Name the other contributing cause.",
        ),
        (
            vec![("death_contributing_cause_other", "Renal failure")],
            "death_contributing_cause_other",
            "Name a contributing cause only with Other ticked.",
        ),
        (
            vec![("death_contributing_causes", "GOUT")],
            "death_contributing_causes",
            "Tick the contributing causes from the list.",
        ),
        (
            vec![("death_autopsy_report_attached", "1")],
            "death_autopsy_report_attached",
            "An autopsy report goes with an autopsy done.",
        ),
        (
            vec![("death_autopsy", "")],
            "death_autopsy",
            "Answer whether an autopsy was done (or is pending).",
        ),
        (
            vec![("death_autopsy", "MAYBE")],
            "death_autopsy",
            "Answer whether an autopsy was done (or is pending).",
        ),
        (
            vec![("death_cause_other", &too_long)],
            "death_cause_other",
            "200",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &valid,
        &cases,
        &[
            "death_date",
            "death_cause_other",
            "death_contributing_cause_other",
        ],
    );
    // A draft may leave the autopsy unanswered.
    let draft = coordinator.post(
        &form,
        &as_refs(&with(&valid, &[("death_autopsy", ""), ("action", "draft")])),
    );
    assert_eq!(draft.status, 303, "{}", draft.body);
}

#[test]
fn a_subsequent_therapy_keeps_why_it_was_given_its_regimen_end_and_best_response() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, subsequent_therapies as t};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let (started, ended) = (days_ago(40).to_string(), days_ago(10).to_string());
    let fields = with(
        &valid_fields("0"),
        &[
            ("none_subsequent_therapies", "events"),
            ("therapy_category", "ALLO_HCT"),
            ("therapy_start_date", &started),
            ("therapy_intent", "CONSOLIDATION_MAINTENANCE"),
            ("therapy_regimen", " Flu/Mel "),
            ("therapy_end_date", &ended),
            ("therapy_best_response", "CR"),
        ],
    );
    let before = app.change_set_count();

    let saved = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    let row: (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<chrono::NaiveDate>,
    ) = t::table
        .select((
            t::category,
            t::intent,
            t::regimen,
            t::best_response,
            t::end_date,
        ))
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(
        row,
        (
            "ALLO_HCT".to_owned(),
            Some("CONSOLIDATION_MAINTENANCE".to_owned()),
            Some("Flu/Mel".to_owned()),
            Some("CR".to_owned()),
            Some(days_ago(10))
        )
    );
    let audited: Vec<String> = audit_log::table
        .filter(audit_log::table_name.eq("subsequent_therapies"))
        .select(audit_log::field_name)
        .load(&mut app.db())
        .unwrap();
    for field in ["intent", "regimen", "end_date", "best_response"] {
        assert!(audited.iter().any(|f| f == field), "{field} audited");
    }
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline.body.contains(&format!(
            "Allogeneic transplant (Flu/Mel) for consolidation / maintenance; ended {ended}; \
             best response: Complete remission"
        )),
        "{}",
        timeline.body
    );
}

#[test]
fn a_subsequent_therapy_is_refused_with_the_message_beside_each_wrong_answer_keeping_the_values() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let started = days_ago(40).to_string();
    let valid = with(
        &valid_fields("0"),
        &[
            ("none_subsequent_therapies", "events"),
            ("therapy_category", "CHEMO_IMMUNOCHEMO"),
            ("therapy_start_date", &started),
            ("therapy_intent", "RELAPSE_PROGRESSION"),
            ("therapy_regimen", "R-GemOx"),
        ],
    );
    let before_start = days_ago(41).to_string();
    let after_contact = days_ago(0).to_string();
    let too_long = "x".repeat(201);
    let cases: Vec<Refusal<'_>> = vec![
        (
            vec![("therapy_category", "OTHER"), ("therapy_regimen", "")],
            "therapy_regimen",
            "Name the therapy (its regimen): the kind chosen is Other.",
        ),
        (
            vec![("therapy_intent", "REINFUSION_B_CELL_RECOVERY")],
            "therapy_intent",
            "A re-infusion for loss of B-cell aplasia is a CAR-T of the same target",
        ),
        (
            vec![("therapy_end_date", &before_start)],
            "therapy_end_date",
            "The therapy cannot end before it started",
        ),
        (
            vec![("therapy_end_date", &after_contact)],
            "therapy_end_date",
            "This date is after this period",
        ),
        (
            vec![("therapy_intent", "")],
            "therapy_intent",
            "Choose why the therapy was given.",
        ),
        (
            vec![("therapy_intent", "BECAUSE")],
            "therapy_intent",
            "Choose why the therapy was given.",
        ),
        (
            vec![("therapy_best_response", "VGPR")],
            "therapy_best_response",
            "Choose the best response from the list.",
        ),
        (
            vec![("therapy_regimen", &too_long)],
            "therapy_regimen",
            "200",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &valid,
        &cases,
        &["therapy_start_date", "therapy_regimen", "therapy_end_date"],
    );
    // A draft may leave the reason for later.
    let draft = coordinator.post(
        &form,
        &as_refs(&with(
            &valid,
            &[("therapy_intent", ""), ("action", "draft")],
        )),
    );
    assert_eq!(draft.status, 303, "{}", draft.body);
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
    assert!(
        page.body
            .contains("Cytokine release syndrome, maximum grade 3")
    );
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
    assert!(timeline.body.contains("CR (Lugano 2014)"));
}

#[test]
fn a_response_keeps_its_method_deauville_score_mrd_details_and_assessor() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, response_assessments as r};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let assessed = days_ago(5).to_string();
    let fields = with(
        &valid_fields("0"),
        &[
            ("none_responses", "events"),
            ("response_date", &assessed),
            ("response", "CR"),
            ("response_method", "PET_CT"),
            ("response_deauville_score", "3"),
            ("response_mrd", "NEG"),
            ("response_mrd_method", "NGS"),
            ("response_mrd_sensitivity", "E6"),
            ("response_assessor", "CENTRAL"),
        ],
    );
    let before = app.change_set_count();

    let saved = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    type Stored = (
        String,
        String,
        Option<String>,
        Option<i32>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let row: Stored = r::table
        .select((
            r::criteria,
            r::response,
            r::method,
            r::deauville_score,
            r::mrd_status,
            r::mrd_method,
            r::mrd_sensitivity,
            r::assessor,
        ))
        .get_result(&mut app.db())
        .unwrap();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        row,
        (
            "LUGANO2014".to_owned(),
            "CR".to_owned(),
            some("PET_CT"),
            Some(3),
            some("NEG"),
            some("NGS"),
            some("E6"),
            some("CENTRAL"),
        )
    );
    let audited: Vec<String> = audit_log::table
        .filter(audit_log::table_name.eq("response_assessments"))
        .select(audit_log::field_name)
        .load(&mut app.db())
        .unwrap();
    for field in [
        "method",
        "deauville_score",
        "mrd_method",
        "mrd_sensitivity",
        "assessor",
    ] {
        assert!(audited.iter().any(|f| f == field), "{field} audited");
    }
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline.body.contains(
            "CR (Lugano 2014); PET-CT, Deauville 3; MRD negative by next-generation sequencing \
             at 10⁻⁶ (0.0001%); central review"
        ),
        "{}",
        timeline.body
    );
}

#[test]
fn a_response_is_refused_with_the_message_beside_each_wrong_answer_keeping_the_values() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let assessed = days_ago(5).to_string();
    let valid = with(
        &valid_fields("0"),
        &[
            ("none_responses", "events"),
            ("response_date", &assessed),
            ("response", "CR"),
            ("response_method", "PET_CT"),
            ("response_deauville_score", "2"),
        ],
    );
    let cases: Vec<Refusal<'_>> = vec![
        (
            vec![("response_deauville_score", "4")],
            "response",
            "Deauville 4 is not a complete metabolic response: by PET-CT a CR is Deauville 1-3",
        ),
        (
            vec![("response", "PR")],
            "response",
            "Deauville 2 is a complete metabolic response: by PET-CT a PR or SD is Deauville 4-5",
        ),
        (
            vec![("response_method", "CT")],
            "response_deauville_score",
            "A Deauville score grades a PET-CT",
        ),
        (
            vec![("response_deauville_score", "6")],
            "response_deauville_score",
            "Choose the Deauville score, 1 to 5.",
        ),
        (
            vec![("response_method", "XRAY")],
            "response_method",
            "Choose the method from the list.",
        ),
        (
            vec![("response_mrd_method", "FLOW")],
            "response_mrd_method",
            "An MRD method goes with an MRD status",
        ),
        (
            vec![("response_mrd_sensitivity", "E5")],
            "response_mrd_sensitivity",
            "An MRD sensitivity goes with an MRD status",
        ),
        (
            vec![("response_mrd", "NEG"), ("response_mrd_sensitivity", "E7")],
            "response_mrd_sensitivity",
            "Choose the sensitivity of the MRD assay.",
        ),
        (
            vec![("response_assessor", "SELF")],
            "response_assessor",
            "Choose who assessed it.",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &valid,
        &cases,
        &["response_date"],
    );
    let kept = coordinator.post(
        &form,
        &as_refs(&with(&valid, &[("response_deauville_score", "4")])),
    );
    for (name, code) in [
        ("response", "CR"),
        ("response_method", "PET_CT"),
        ("response_deauville_score", "4"),
    ] {
        assert!(selected_in(&kept, name, code), "{name} keeps {code}");
    }
    let right = coordinator.post(&form, &as_refs(&valid));
    assert_eq!(right.status, 303, "{}", right.body);
}

#[test]
fn a_myeloma_response_has_no_deauville_score_and_its_mrd_negative_is_measured_at_ten_to_the_minus_five()
 {
    use diesel::prelude::*;
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    let deauville_input = "name=\"response_deauville_score\"";
    assert!(
        coordinator.get(&form).body.contains(deauville_input),
        "a lymphoma (Lugano) form asks for the Deauville score"
    );
    diesel::sql_query(format!(
        "UPDATE diagnoses SET disease = 'MM', row_version = row_version + 1 WHERE patient_id = {patient}"
    ))
    .execute(&mut app.db())
    .unwrap();
    let page = coordinator.get(&form);
    assert!(
        page.body.contains("By IMWG 2016 criteria"),
        "myeloma is graded by IMWG"
    );
    assert!(
        !page.body.contains(deauville_input),
        "a myeloma form does not ask for a Deauville score"
    );
    let assessed = days_ago(5).to_string();
    let valid = with(
        &valid_fields("0"),
        &[
            ("none_responses", "events"),
            ("response_date", &assessed),
            ("response", "VGPR"),
            ("response_method", "FLOW_MRD"),
            ("response_mrd", "NEG"),
            ("response_mrd_method", "NGF"),
            ("response_mrd_sensitivity", "E5"),
        ],
    );
    let cases: Vec<Refusal<'_>> = vec![
        (
            vec![("response_deauville_score", "2")],
            "response_deauville_score",
            "A Deauville score belongs to Lugano 2014",
        ),
        (
            vec![("response_mrd_sensitivity", "E4")],
            "response_mrd_sensitivity",
            "IMWG 2016 defines MRD negative at 10⁻⁵ or deeper",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &valid,
        &cases,
        &["response_date"],
    );
    let right = coordinator.post(&form, &as_refs(&valid));
    assert_eq!(right.status, 303, "{}", right.body);
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
            ("lab_date", &sampled),
            ("lab_value-IGG", "5.1"),
        ],
    );

    let wrong_unit = coordinator.post(
        &form,
        &as_refs(&with(&igg, &[("lab_unit-IGG", "CELLS_PER_UL")])),
    );
    let saved = coordinator.post(&form, &as_refs(&with(&igg, &[("lab_unit-IGG", "G_L")])));

    assert_eq!(wrong_unit.status, 422);
    assert!(wrong_unit.body.contains("IgG is given in mg/dL or g/L."));
    assert_eq!(
        wrong_unit.input_value("lab_value-IGG").as_deref(),
        Some("5.1")
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline
            .body
            .contains("IgG: 5.1 g/L (immunoglobulin within 30 days: not native IgG)")
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
    assert!(
        timeline
            .body
            .contains("T-cell lymphoma; CAR-transgene test pending<")
    );
}

/// A T-cell lymphoma with everything the FDA's boxed warning asks a registry to keep: the
/// CAR transgene detected and the tumour derived from the product, EBV, the pathology report,
/// and the reports to the manufacturer and to the FDA (the latter after the contact date).
fn reported_t_cell_lymphoma() -> Vec<(String, String)> {
    with(
        &valid_fields("0"),
        &[
            ("none_new_malignancies", "events"),
            ("malignancy_type", "T_CELL_LYMPHOMA"),
            ("malignancy_date", &days_ago(20).to_string()),
            ("transgene_result", "DETECTED"),
            ("malignancy_product_derived", "Y"),
            ("malignancy_ebv_positive", "N"),
            ("malignancy_pathology_report_attached", "1"),
            (
                "malignancy_reported_to_manufacturer_date",
                &days_ago(12).to_string(),
            ),
            ("malignancy_reported_to_fda_date", &days_ago(0).to_string()),
        ],
    )
}

#[test]
fn a_new_malignancy_keeps_its_transgene_origin_ebv_pathology_report_and_reports() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, new_malignancies as m};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let fields = reported_t_cell_lymphoma();
    let before = app.change_set_count();

    let saved = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    type Stored = (
        (bool, Option<String>, Option<String>),
        (Option<String>, Option<String>, bool),
        (Option<chrono::NaiveDate>, Option<chrono::NaiveDate>),
    );
    let row: Stored = m::table
        .select((
            (
                m::t_cell_malignancy,
                m::car_transgene_tested,
                m::car_transgene_result,
            ),
            (
                m::product_derived,
                m::ebv_positive,
                m::pathology_report_attached,
            ),
            (m::reported_to_manufacturer_date, m::reported_to_fda_date),
        ))
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(
        row,
        (
            (true, Some("Y".to_owned()), Some("DETECTED".to_owned())),
            (Some("Y".to_owned()), Some("N".to_owned()), true),
            (Some(days_ago(12)), Some(days_ago(0))),
        )
    );
    let audited: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::table_name.eq("new_malignancies"))
        .select((audit_log::field_name, audit_log::new_value))
        .load(&mut app.db())
        .unwrap();
    for (field, value) in [
        ("product_derived", "Y".to_owned()),
        ("ebv_positive", "N".to_owned()),
        ("pathology_report_attached", "1".to_owned()),
        ("reported_to_manufacturer_date", days_ago(12).to_string()),
        ("reported_to_fda_date", days_ago(0).to_string()),
    ] {
        assert!(
            audited
                .iter()
                .any(|(f, v)| f == field && v.as_deref() == Some(value.as_str())),
            "{field} audited as {value}: {audited:?}"
        );
    }
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline.body.contains(&format!(
            "T-cell lymphoma; CAR transgene detected (product-derived); EBV negative; \
             pathology report attached; reported to the manufacturer {}, to the FDA {}",
            days_ago(12),
            days_ago(0)
        )),
        "{}",
        timeline.body
    );
}

/// The option `code` of the select `name` is selected.
fn selected_in(response: &crate::helpers::Response, name: &str, code: &str) -> bool {
    let Some(start) = response.body.find(&format!("<select id=\"{name}\"")) else {
        return false;
    };
    let end = response.body[start..]
        .find("</select>")
        .map_or(response.body.len(), |e| start + e);
    response.body[start..end].contains(&format!("<option value=\"{code}\" selected>"))
}

#[test]
fn a_new_malignancy_is_refused_with_the_message_beside_each_wrong_answer_keeping_the_values() {
    use diesel::prelude::*;
    use registry::db::schema::new_malignancies;
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let valid = reported_t_cell_lymphoma();
    let before_diagnosis = days_ago(21).to_string();
    let future = days_ago(-2).to_string();
    let before_day0 = days_ago(96).to_string();
    let too_long = "x".repeat(201);
    let cases: Vec<Refusal<'_>> = vec![
        (
            vec![("transgene_result", ""), ("malignancy_product_derived", "")],
            "transgene_result",
            "A T-cell malignancy after CAR-T: test the tumour for the CAR transgene",
        ),
        (
            vec![("transgene_result", "PENDING")],
            "malignancy_product_derived",
            "derived from the CAR-T product only with the CAR transgene detected",
        ),
        (
            vec![("transgene_result", "NOT_DETECTED")],
            "malignancy_product_derived",
            "derived from the CAR-T product only with the CAR transgene detected",
        ),
        (
            vec![("transgene_result", "POSITIVE")],
            "transgene_result",
            "Choose the CAR-transgene test result.",
        ),
        (
            vec![("malignancy_type", "SOLID"), ("malignancy_detail", " ")],
            "malignancy_detail",
            "Name the malignancy.",
        ),
        (
            vec![("malignancy_detail", &too_long)],
            "malignancy_detail",
            "Shorten the name to 200 characters.",
        ),
        (
            vec![("malignancy_type", "")],
            "malignancy_type",
            "Choose the type of malignancy.",
        ),
        (
            vec![("malignancy_date", &before_day0)],
            "malignancy_date",
            "A new malignancy after CAR-T cannot precede Day 0.",
        ),
        (
            vec![(
                "malignancy_reported_to_manufacturer_date",
                &before_diagnosis,
            )],
            "malignancy_reported_to_manufacturer_date",
            "The report to the manufacturer cannot precede the diagnosis",
        ),
        (
            vec![("malignancy_reported_to_fda_date", &before_diagnosis)],
            "malignancy_reported_to_fda_date",
            "The report to the FDA cannot precede the diagnosis",
        ),
        (
            vec![("malignancy_reported_to_manufacturer_date", &future)],
            "malignancy_reported_to_manufacturer_date",
            "This date is in the future.",
        ),
        (
            vec![("malignancy_reported_to_fda_date", "15/03/2026")],
            "malignancy_reported_to_fda_date",
            "Use the form YYYY-MM-DD",
        ),
        (
            vec![("malignancy_ebv_positive", "MAYBE")],
            "malignancy_ebv_positive",
            "Choose yes, no or unknown.",
        ),
        (
            vec![("malignancy_product_derived", "PREV")],
            "malignancy_product_derived",
            "Choose yes, no or unknown.",
        ),
        (
            vec![("malignancy_pathology_report_attached", "yes")],
            "malignancy_pathology_report_attached",
            "Tick the box or leave it blank.",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &valid,
        &cases,
        &[
            "malignancy_date",
            "malignancy_detail",
            "malignancy_reported_to_manufacturer_date",
            "malignancy_reported_to_fda_date",
        ],
    );
    // The choices come back as made.
    let refused = coordinator.post(
        &form,
        &as_refs(&with(&valid, &[("transgene_result", "PENDING")])),
    );
    for (name, code) in [
        ("malignancy_type", "T_CELL_LYMPHOMA"),
        ("transgene_result", "PENDING"),
        ("malignancy_product_derived", "Y"),
        ("malignancy_ebv_positive", "N"),
    ] {
        assert!(selected_in(&refused, name, code), "{name} keeps {code}");
    }
    assert!(
        input_tag(&refused, "malignancy_pathology_report_attached")
            .is_some_and(|tag| tag.contains(" checked")),
        "the pathology report stays ticked"
    );
    let stored: i64 = new_malignancies::table
        .count()
        .get_result(&mut app.db())
        .unwrap();
    assert_eq!(stored, 0, "nothing saved");
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
            ("therapy_intent", "RELAPSE_PROGRESSION"),
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
    for expected in [
        "Course started (Intravenous immunoglobulin (IVIG))",
        "qPCR for the CAR transgene: detected",
        "Radiotherapy for relapse / progression",
    ] {
        assert!(
            timeline.body.contains(expected),
            "timeline lacks {expected}"
        );
    }
}

/// A case of a refusal table: the changes to a valid form, the input whose message is
/// expected, and (part of) that message.
type Refusal<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// Posts `valid` with each case's changes: a 422 with the message beside its input, and the
/// `kept` inputs showing what was typed (an input not sent shows empty).
fn assert_each_refused_beside_its_field(
    coordinator: &mut crate::helpers::Browser,
    form: &str,
    valid: &[(String, String)],
    cases: &[Refusal<'_>],
    kept: &[&str],
) {
    for (changes, field, message) in cases {
        let fields = with(valid, changes);

        let response = coordinator.post(form, &as_refs(&fields));

        assert_eq!(response.status, 422, "{changes:?}");
        assert!(response.body.contains(message), "{changes:?}: {message}");
        assert!(
            response.body.contains(&format!("id=\"{field}-error\"")),
            "{changes:?}: the message is beside {field}"
        );
        for name in kept {
            let typed = fields
                .iter()
                .find(|(k, _)| k == name)
                .map_or(String::new(), |(_, v)| v.clone());
            assert_eq!(
                response.input_value(name),
                Some(typed),
                "{changes:?}: {name} kept"
            );
        }
    }
}

#[test]
fn a_persistence_test_keeps_its_value_unit_lloq_and_laboratory_or_its_censoring_below_the_lloq() {
    use diesel::prelude::*;
    use registry::db::schema::persistence_tests as p;
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let sampled = days_ago(10).to_string();
    let test = with(
        &valid_fields("0"),
        &[
            ("none_persistence_tests", "events"),
            ("persistence_date", &sampled),
            ("persistence_specimen", "PB"),
            ("persistence_method", "QPCR_TRANSGENE"),
            ("persistence_detected", "Y"),
            ("persistence_value", "1200"),
            ("persistence_unit", "COPIES_PER_UG_GDNA"),
            ("persistence_lloq", "10"),
            ("persistence_laboratory", "Central lab"),
        ],
    );
    let refused: Vec<Refusal> = vec![
        (
            vec![("persistence_detected", "N")],
            "persistence_value",
            "The cells were not detected: leave the value blank.",
        ),
        (
            vec![("persistence_value", "lots")],
            "persistence_value",
            "Enter the value as a number of 0 or more",
        ),
        (
            vec![("persistence_value", "8")],
            "persistence_value",
            "8 is below the LLOQ (10): tick",
        ),
        (
            vec![("persistence_below_lloq", "1")],
            "persistence_value",
            "A result below the LLOQ has no value",
        ),
        (
            vec![("persistence_unit", "")],
            "persistence_unit",
            "Choose the unit of the value and the LLOQ.",
        ),
        (
            vec![("persistence_method", "FLOW_CAR")],
            "persistence_unit",
            "does not measure copies/µg genomic DNA",
        ),
        (
            vec![("persistence_lloq", "0")],
            "persistence_lloq",
            "Enter the LLOQ as a number above 0",
        ),
        (
            vec![
                ("persistence_method", "FLOW_CAR"),
                ("persistence_unit", "PCT_OF_CD3"),
                ("persistence_value", "120"),
                ("persistence_lloq", ""),
            ],
            "persistence_value",
            "A percentage of CD3+ T cells cannot be above 100.",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &test,
        &refused,
        &[
            "persistence_value",
            "persistence_lloq",
            "persistence_laboratory",
        ],
    );
    /// Value, unit, below the LLOQ, LLOQ, laboratory.
    type Stored = (
        Option<f64>,
        Option<String>,
        bool,
        Option<f64>,
        Option<String>,
    );
    let stored = |app: &TestApp| -> Vec<Stored> {
        p::table
            .order(p::id)
            .select((p::value, p::unit, p::below_lloq, p::lloq, p::laboratory))
            .load(&mut app.db())
            .unwrap()
    };
    assert!(stored(&app).is_empty(), "nothing written by a refusal");

    let saved = coordinator.post(&form, &as_refs(&test));

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        stored(&app),
        vec![(
            Some(1200.0),
            Some("COPIES_PER_UG_GDNA".to_owned()),
            false,
            Some(10.0),
            Some("Central lab".to_owned())
        )]
    );
    let audited: Vec<(String, Option<String>)> = {
        use registry::db::schema::audit_log as a;
        a::table
            .filter(a::table_name.eq("persistence_tests"))
            .order(a::field_name)
            .select((a::field_name, a::new_value))
            .load(&mut app.db())
            .unwrap()
    };
    for (name, value) in [
        ("laboratory", "Central lab"),
        ("lloq", "10.0"),
        ("unit", "COPIES_PER_UG_GDNA"),
        ("value", "1200.0"),
    ] {
        assert!(
            audited
                .iter()
                .any(|(n, v)| n == name && v.as_deref() == Some(value)),
            "audit lacks {name} = {value}: {audited:?}"
        );
    }
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline
            .body
            .contains("qPCR for the CAR transgene: detected, 1200 copies/µg genomic DNA"),
        "timeline shows the value"
    );
}

#[test]
fn a_persistence_test_below_the_lloq_is_stored_without_a_value() {
    use diesel::prelude::*;
    use registry::db::schema::persistence_tests as p;
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let fields = with(
        &valid_fields("0"),
        &[
            ("none_persistence_tests", "events"),
            ("persistence_date", &days_ago(10).to_string()),
            ("persistence_specimen", "BM"),
            ("persistence_method", "DDPCR"),
            ("persistence_detected", "Y"),
            ("persistence_below_lloq", "1"),
            ("persistence_unit", "COPIES_PER_UG_GDNA"),
            ("persistence_lloq", "5"),
        ],
    );

    let saved = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(saved.status, 303, "{}", saved.body);
    let row: (Option<f64>, bool, Option<f64>) = p::table
        .select((p::value, p::below_lloq, p::lloq))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(row, (None, true, Some(5.0)));
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline
            .body
            .contains("Droplet digital PCR: detected, below the LLOQ")
    );
}

#[test]
fn an_immunoglobulin_course_keeps_its_stop_dose_interval_and_indication() {
    use diesel::prelude::*;
    use registry::db::schema::immunoglobulin_courses as ig;
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let (started, stopped) = (days_ago(60).to_string(), days_ago(5).to_string());
    let course = with(
        &valid_fields("0"),
        &[
            ("none_immunoglobulin", "events"),
            ("ig_start_date", &started),
            ("ig_route", "IVIG"),
            ("ig_stop_date", &stopped),
            ("ig_dose_mg_per_kg", "400"),
            ("ig_interval_days", "28"),
            ("ig_indication", "HYPOGAMMAGLOBULINAEMIA"),
            ("ig_product_name", "Privigen"),
        ],
    );
    let before_start = days_ago(61).to_string();
    let after_contact = days_ago(0).to_string();
    let refused: Vec<Refusal> = vec![
        (
            vec![("ig_stop_date", &before_start)],
            "ig_stop_date",
            "The course cannot stop before it starts",
        ),
        (
            vec![("ig_stop_date", &after_contact)],
            "ig_stop_date",
            "after this period",
        ),
        (
            vec![("ig_dose_g", "30000")],
            "ig_dose_g",
            "check the unit (grams, not milligrams)",
        ),
        (
            vec![("ig_dose_mg_per_kg", "lots")],
            "ig_dose_mg_per_kg",
            "Enter the dose in mg/kg as a number above 0",
        ),
        (
            vec![("ig_interval_days", "0")],
            "ig_interval_days",
            "Enter the interval as whole days from 1 to 365.",
        ),
        (
            vec![("ig_interval_days", "4 weeks")],
            "ig_interval_days",
            "Enter the interval as whole days, e.g. 28.",
        ),
        (
            vec![("ig_indication", "MAYBE")],
            "ig_indication",
            "Choose the indication from the list.",
        ),
        (
            vec![("ig_route", "")],
            "ig_route",
            "Choose intravenous or subcutaneous.",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &course,
        &refused,
        &[
            "ig_stop_date",
            "ig_dose_g",
            "ig_dose_mg_per_kg",
            "ig_interval_days",
        ],
    );
    let count = |app: &TestApp| -> i64 { ig::table.count().get_result(&mut app.db()).unwrap() };
    assert_eq!(count(&app), 0, "nothing written by a refusal");

    let saved = coordinator.post(&form, &as_refs(&course));

    assert_eq!(saved.status, 303, "{}", saved.body);
    type Stored = (
        Option<String>,
        bool,
        Option<f64>,
        Option<f64>,
        Option<i32>,
        Option<String>,
        Option<String>,
    );
    let row: Stored = ig::table
        .select((
            ig::stop_date
                .nullable()
                .cast::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(),
            ig::ongoing,
            ig::dose_g,
            ig::dose_mg_per_kg,
            ig::interval_days,
            ig::indication,
            ig::product_name,
        ))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(
        row,
        (
            Some(stopped.clone()),
            false,
            None,
            Some(400.0),
            Some(28),
            Some("HYPOGAMMAGLOBULINAEMIA".to_owned()),
            Some("Privigen".to_owned())
        )
    );
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline.body.contains(&format!(
            "Course started (Intravenous immunoglobulin (IVIG)), 400 mg/kg every 28 days; stopped {stopped}"
        )),
        "the timeline shows the regimen"
    );
}

#[test]
fn an_infection_keeps_its_organism_sites_admission_and_outcome() {
    use diesel::prelude::*;
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let (diagnosed, resolved) = (days_ago(30).to_string(), days_ago(10).to_string());
    let infection = with(
        &valid_fields("0"),
        &[
            ("none_infections", "events"),
            ("infection_date", &diagnosed),
            ("infection_organism_class", "VIRAL"),
            ("infection_severity", "G3"),
            ("infection_organism", "CMV"),
            ("infection_hospitalised", "Y"),
            ("infection_icu_admission", "Y"),
            ("infection_outcome", "RESOLVED"),
            ("infection_resolution_date", &resolved),
        ],
    );
    let before_diagnosis = days_ago(31).to_string();
    let refused: Vec<Refusal> = vec![
        (
            vec![("infection_organism", "E_COLI")],
            "infection_organism",
            "is not in the kind chosen (Viral)",
        ),
        (
            vec![("infection_organism", "OTHER_VIRUS")],
            "infection_organism_other",
            "Name the organism.",
        ),
        (
            vec![("infection_hospitalised", "N")],
            "infection_icu_admission",
            "An ICU admission is a hospital admission",
        ),
        (
            vec![
                ("infection_outcome", "FATAL"),
                ("infection_resolution_date", ""),
            ],
            "infection_outcome",
            "A fatal infection is grade 5",
        ),
        (
            vec![("infection_outcome", "ONGOING")],
            "infection_resolution_date",
            "A resolution date goes with the outcome Resolved.",
        ),
        (
            vec![("infection_resolution_date", &before_diagnosis)],
            "infection_resolution_date",
            "The infection cannot resolve before its diagnosis",
        ),
        (
            vec![("infection_hospitalised", "MAYBE")],
            "infection_hospitalised",
            "Choose yes, no or unknown.",
        ),
    ];
    assert_each_refused_beside_its_field(
        &mut coordinator,
        &form,
        &infection,
        &refused,
        &[
            "infection_date",
            "infection_resolution_date",
            "infection_organism_other",
        ],
    );
    // Sites are one pair per ticked box; an unknown one is refused.
    let mut with_sites = infection.clone();
    with_sites.push(("infection_sites".to_owned(), "LUNG".to_owned()));
    with_sites.push(("infection_sites".to_owned(), "BLOOD".to_owned()));
    let mut bad_site = with_sites.clone();
    bad_site.push(("infection_sites".to_owned(), "ELBOW".to_owned()));
    let refused_site = coordinator.post(&form, &as_refs(&bad_site));
    assert_eq!(refused_site.status, 422);
    assert!(refused_site.body.contains("id=\"infection_sites-error\""));
    assert!(
        refused_site.body.contains(
            "id=\"infection_sites-LUNG\" name=\"infection_sites\" value=\"LUNG\" checked"
        ),
        "ticked sites kept"
    );
    let count = |app: &TestApp, table: &str| -> i64 {
        diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!("SELECT count(*) FROM {table}"))
            .get_result(&mut app.db())
            .unwrap()
    };
    assert_eq!(count(&app, "infections"), 0, "nothing written by a refusal");

    let saved = coordinator.post(&form, &as_refs(&with_sites));

    assert_eq!(saved.status, 303, "{}", saved.body);
    let stored: String = diesel::dsl::sql::<diesel::sql_types::Text>(
        "SELECT organism || hospitalised || icu_admission || outcome || resolution_date \
         FROM infections",
    )
    .get_result(&mut app.db())
    .unwrap();
    assert_eq!(stored, format!("CMVYYRESOLVED{resolved}"));
    assert_eq!(count(&app, "infection_sites"), 2);
    assert_eq!(
        app.audit_change_sets("infection_sites").len(),
        1,
        "the sites are audited in the save's change set"
    );
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline
            .body
            .contains("Viral: Cytomegalovirus (CMV) (lung, blood), severity"),
        "the timeline shows the organism and sites"
    );
    assert!(
        timeline
            .body
            .contains("admitted to intensive care, resolved")
    );
}

/// "Other site (specify)" needs its name: refused beside the name's input with every tick and
/// value kept, a name without Other refused too; the name is stored on the OTHER row only,
/// audited with it, and the timeline shows it.
#[test]
fn an_other_infection_site_is_named_stored_audited_and_shown() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, infection_sites};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let infection = with(
        &valid_fields("0"),
        &[
            ("none_infections", "events"),
            ("infection_date", &days_ago(30).to_string()),
            ("infection_organism_class", "BACTERIAL_GRAM_POSITIVE"),
            ("infection_organism", "CONS"),
        ],
    );
    let ticked = |sites: &[&str], name: &str| {
        let mut fields = infection.clone();
        for site in sites {
            fields.push(("infection_sites".to_owned(), (*site).to_owned()));
        }
        fields.push(("infection_site_other".to_owned(), name.to_owned()));
        fields
    };
    let checked = |body: &str, code: &str| {
        body.contains(&format!(
            "id=\"infection_sites-{code}\" name=\"infection_sites\" value=\"{code}\" checked"
        ))
    };

    let unnamed = coordinator.post(&form, &as_refs(&ticked(&["LUNG", "OTHER"], "  ")));
    let name_without_other = coordinator.post(&form, &as_refs(&ticked(&["LUNG"], "Port")));

    assert_eq!(unnamed.status, 422);
    assert!(unnamed.body.contains("id=\"infection_site_other-error\""));
    assert!(unnamed.body.contains("Name the other site"));
    assert!(checked(&unnamed.body, "LUNG") && checked(&unnamed.body, "OTHER"));
    assert!(
        unnamed.body.contains("<option value=\"CONS\" selected>"),
        "the organism kept"
    );
    assert_eq!(name_without_other.status, 422);
    assert!(
        name_without_other
            .body
            .contains("id=\"infection_site_other-error\"")
    );
    assert_eq!(
        name_without_other
            .input_value("infection_site_other")
            .as_deref(),
        Some("Port"),
        "the name typed is kept"
    );
    assert_eq!(
        infection_sites::table
            .count()
            .get_result::<i64>(&mut app.db())
            .unwrap(),
        0,
        "nothing written by a refusal"
    );

    let saved = coordinator.post(
        &form,
        &as_refs(&ticked(&["LUNG", "OTHER"], " Catheter exit site ")),
    );

    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut stored: Vec<(String, Option<String>)> = infection_sites::table
        .select((infection_sites::site, infection_sites::site_other))
        .load(&mut app.db())
        .unwrap();
    stored.sort();
    assert_eq!(
        stored,
        [
            ("LUNG".to_owned(), None),
            ("OTHER".to_owned(), Some("Catheter exit site".to_owned()))
        ],
        "the name, trimmed, on the OTHER row only"
    );
    let audited: Vec<Option<String>> = audit_log::table
        .filter(audit_log::table_name.eq("infection_sites"))
        .filter(audit_log::field_name.eq("site_other"))
        .select(audit_log::new_value)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(audited, [Some("Catheter exit site".to_owned())]);
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline.body.contains("(lung, other: Catheter exit site)"),
        "the timeline names the other site"
    );
}

/// Day `n` after `day0` as form text.
fn day(day0: chrono::NaiveDate, n: i64) -> String {
    (day0 + chrono::Duration::days(n)).to_string()
}

/// Makes the arranged patient's course a B-ALL treated with tisa-cel (a CD19 product).
fn make_b_all(app: &TestApp, patient: i32) {
    use diesel::prelude::*;
    let mut conn = app.db();
    for sql in [
        format!(
            "UPDATE diagnoses SET disease = 'BALL', row_version = row_version + 1 WHERE patient_id = {patient}"
        ),
        format!(
            "UPDATE treatment_courses SET product = 'TISA_CEL', row_version = row_version + 1 WHERE patient_id = {patient}"
        ),
    ] {
        diesel::sql_query(sql).execute(&mut conn).unwrap();
    }
}

#[test]
fn a_relapse_is_reported_once_in_its_period_with_method_and_antigen_then_previously_reported() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, follow_ups};
    let app = spawn_app();
    let day0 = days_ago(400);
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000009", day0);
    make_b_all(&app, patient);
    let base = format!("/patients/{patient}/courses/{course}/follow-ups");
    let mut c = app.logged_in(&app.coordinator);
    c.get(&format!("{base}/D28"));
    let d28 = with(
        &valid_fields("0"),
        &[
            ("contact_date", &day(day0, 28)),
            ("relapse_since_last", "N"),
        ],
    );
    assert_eq!(c.post(&format!("{base}/D28"), &as_refs(&d28)).status, 303);
    let relapse = |date: &str, antigen: &str| {
        with(
            &valid_fields("0"),
            &[
                ("contact_date", &day(day0, 100)),
                ("relapse_since_last", "Y"),
                ("relapse_date", date),
                ("relapse_method", "FLOW"),
                ("relapse_methods", "FLOW"),
                ("relapse_antigen_status", antigen),
            ],
        )
    };
    let d100 = format!("{base}/D100");
    let page = c.get(&d100);
    assert!(
        page.body.contains("Target antigen on the relapse"),
        "CD19 product"
    );

    let in_earlier_period = c.post(&d100, &as_refs(&relapse(&day(day0, 20), "NEG")));
    let no_antigen = c.post(&d100, &as_refs(&relapse(&day(day0, 60), "")));
    let saved = c.post(&d100, &as_refs(&relapse(&day(day0, 60), "NEG")));

    assert_eq!(in_earlier_period.status, 422);
    assert!(
        in_earlier_period
            .body
            .contains("falls in an earlier period")
    );
    assert_eq!(
        in_earlier_period.input_value("relapse_date"),
        Some(day(day0, 20)),
        "value kept"
    );
    assert_eq!(no_antigen.status, 422);
    assert!(
        no_antigen
            .body
            .contains("id=\"relapse_antigen_status-error\"")
    );
    assert!(no_antigen.body.contains("CD19 negative (antigen escape)"));
    assert_eq!(saved.status, 303, "{}", saved.body);
    let stored: (Option<String>, Option<String>, Option<String>) = follow_ups::table
        .filter(follow_ups::timepoint.eq("D100"))
        .select((
            follow_ups::relapse_since_last,
            follow_ups::relapse_method,
            follow_ups::relapse_antigen_status,
        ))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(
        stored,
        (Some("Y".into()), Some("FLOW".into()), Some("NEG".into()))
    );
    let audited: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::table_name.eq("follow_ups"))
        .select((audit_log::field_name, audit_log::new_value))
        .load(&mut app.db())
        .unwrap();
    assert!(audited.contains(&("relapse_method".into(), Some("FLOW".into()))));
    assert!(audited.contains(&("relapse_antigen_status".into(), Some("NEG".into()))));

    // The next period shows it as previously reported and takes it only as such.
    let m6 = format!("{base}/M6");
    let later = c.get(&m6);
    assert!(
        later
            .body
            .contains("Relapse or progression previously reported")
    );
    assert!(
        later
            .body
            .contains(&format!("reported at D100, {}", day(day0, 60)))
    );
    let again = with(
        &valid_fields("0"),
        &[
            ("contact_date", &day(day0, 182)),
            ("relapse_since_last", "Y"),
            ("relapse_date", &day(day0, 170)),
            ("relapse_method", "FLOW"),
            ("relapse_methods", "FLOW"),
            ("relapse_antigen_status", "NEG"),
        ],
    );
    let refused = c.post(&m6, &as_refs(&again));
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("answer Previously reported"));
    let prev = with(
        &valid_fields("0"),
        &[
            ("contact_date", &day(day0, 182)),
            ("relapse_since_last", "PREV"),
        ],
    );
    assert_eq!(c.post(&m6, &as_refs(&prev)).status, 303);
}

#[test]
fn relapse_answers_are_validated_with_422_keeping_the_values() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let day0 = days_ago(95);
    let before_day0 = day(day0, -3);
    let after_contact = days_ago(0).to_string();
    let in_period = day(day0, 50);
    // (changes, field, message)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("relapse_since_last", "Y"),
                ("relapse_method", "FLOW"),
                ("relapse_methods", "FLOW"),
            ],
            "relapse_date",
            "Enter the date of relapse or progression.",
        ),
        (
            vec![
                ("relapse_since_last", "Y"),
                ("relapse_date", &before_day0),
                ("relapse_method", "FLOW"),
                ("relapse_methods", "FLOW"),
            ],
            "relapse_date",
            "cannot precede Day 0",
        ),
        (
            vec![
                ("relapse_since_last", "Y"),
                ("relapse_date", &after_contact),
                ("relapse_method", "FLOW"),
                ("relapse_methods", "FLOW"),
            ],
            "relapse_date",
            "after this period&#x27;s contact date",
        ),
        (
            vec![("relapse_since_last", "Y"), ("relapse_date", &in_period)],
            "relapse_method",
            "Choose how the relapse was detected.",
        ),
        (
            vec![("relapse_since_last", "N"), ("relapse_method", "FLOW")],
            "relapse_method",
            "Only with a relapse reported in this period",
        ),
        (
            vec![("relapse_since_last", "N"), ("relapse_date", &in_period)],
            "relapse_date",
            "Only with a relapse reported in this period",
        ),
        (
            vec![("relapse_since_last", "PREV")],
            "relapse_since_last",
            "No earlier period of this course reported a relapse",
        ),
        (
            vec![
                ("relapse_since_last", "Y"),
                ("relapse_date", &in_period),
                ("relapse_method", "SMELL"),
            ],
            "relapse_method",
            "Choose how the relapse was detected.",
        ),
        (
            vec![
                ("relapse_since_last", "Y"),
                ("relapse_date", &in_period),
                ("relapse_method", "FLOW"),
            ],
            "relapse_methods",
            "Tick every method that detected the relapse (at least one).",
        ),
        (
            vec![
                ("relapse_since_last", "Y"),
                ("relapse_date", &in_period),
                ("relapse_method", "FLOW"),
                ("relapse_methods", "MOLECULAR"),
            ],
            "relapse_method",
            "Flow cytometry detected the relapse first: tick it among the methods too.",
        ),
        (
            vec![("relapse_since_last", "N"), ("relapse_methods", "FLOW")],
            "relapse_methods",
            "Only with a relapse reported in this period",
        ),
        (
            vec![
                ("relapse_since_last", "Y"),
                ("relapse_date", &in_period),
                ("relapse_methods", "SMELL"),
            ],
            "relapse_methods",
            "Tick the methods from the list.",
        ),
    ];
    for (changes, field, message) in &cases {
        let fields = with(&valid_fields("0"), changes);

        let response = coordinator.post(&form, &as_refs(&fields));

        assert_eq!(response.status, 422, "{changes:?}");
        let normalised = response.body.replace("&#39;", "&#x27;");
        assert!(normalised.contains(message), "{changes:?}: {message}");
        assert!(
            response.body.contains(&format!("id=\"{field}-error\"")),
            "{changes:?}: {field}"
        );
        for (name, typed) in changes {
            if *name == "relapse_methods" {
                assert!(
                    typed == &"SMELL"
                        || response.body.contains(&format!(
                            "name=\"relapse_methods\" value=\"{typed}\" checked"
                        )),
                    "{changes:?}: {typed} kept ticked"
                );
            } else if *name != "relapse_since_last" && *name != "relapse_method" {
                assert_eq!(response.input_value(name).as_deref(), Some(*typed), "kept");
            }
        }
    }
    // A relapse after death: the death ends the last period.
    {
        use diesel::prelude::*;
        diesel::sql_query(format!(
            "INSERT INTO deaths (patient_id, death_date, primary_cause, created_by, updated_by) \
             VALUES ({patient}, '{}', 'INFECTION_BACTERIAL', 1, 1)",
            days_ago(10)
        ))
        .execute(&mut app.db())
        .unwrap();
    }
    let after_death = with(
        &valid_fields("0"),
        &[
            ("contact_date", &days_ago(10).to_string()),
            ("survival_status", "DEAD"),
            ("relapse_since_last", "Y"),
            ("relapse_date", &days_ago(5).to_string()),
            ("relapse_method", "CLINICAL"),
            ("relapse_methods", "CLINICAL"),
        ],
    );
    let response = coordinator.post(&form, &as_refs(&after_death));
    assert_eq!(response.status, 422);
    assert!(response.body.contains("A relapse cannot follow the death."));
    assert_eq!(
        app.audit_change_sets("follow_ups").len(),
        0,
        "nothing saved"
    );
}

/// The option `code` is selected, or `name`'s input holds `typed` (a blank needs no check); a
/// tick box must come back ticked.
fn kept(response: &crate::helpers::Response, name: &str, typed: &str) -> bool {
    if let Some(tag) = input_tag(response, name)
        && tag.contains("type=\"checkbox\"")
    {
        return typed.is_empty() || tag.contains(" checked");
    }
    typed.is_empty()
        || response.input_value(name).as_deref() == Some(typed)
        || response
            .body
            .contains(&format!("<option value=\"{typed}\" selected>"))
}

/// The `<input …>` tag named `name`, if the page has one.
fn input_tag<'a>(response: &'a crate::helpers::Response, name: &str) -> Option<&'a str> {
    let start = response.body.find(&format!("name=\"{name}\""))?;
    let tag_start = response.body[..start].rfind('<')?;
    let tag_end = start + response.body[start..].find('>')?;
    Some(&response.body[tag_start..tag_end])
}

#[test]
fn other_toxicities_are_refused_with_422_a_message_by_the_field_and_the_values_kept() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let before = app.change_set_count();
    // Day 0 is 95 days ago; the contact is yesterday (day 94).
    let onset = days_ago(80).to_string();
    let day35 = days_ago(60).to_string();
    let day40 = days_ago(55).to_string();
    let earlier = days_ago(85).to_string();
    let today = days_ago(0).to_string();
    let before_day0 = days_ago(96).to_string();
    let iec_hs = [
        ("none_toxicities", "events"),
        ("toxicity_kind", "IEC_HS"),
        ("toxicity_onset_date", onset.as_str()),
        ("toxicity_max_grade", "G2"),
    ];
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("toxicity_kind", "")],
            "toxicity_kind",
            "Choose the kind of toxicity.",
        ),
        (
            vec![("toxicity_max_grade", "")],
            "toxicity_max_grade",
            "Choose the maximum grade.",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_LATE"),
                ("toxicity_max_grade", "G5"),
            ],
            "toxicity_max_grade",
            "from 1 to 4, not 5",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_EARLY"),
                ("toxicity_onset_date", day35.as_str()),
            ],
            "toxicity_onset_date",
            "an onset on day 35 is late ICAHT",
        ),
        (
            vec![("toxicity_onset_date", "")],
            "toxicity_onset_date",
            "Enter a date (YYYY-MM-DD).",
        ),
        (
            vec![("toxicity_onset_date", before_day0.as_str())],
            "toxicity_onset_date",
            "A toxicity of CAR-T cannot precede Day 0.",
        ),
        (
            vec![("toxicity_kind", "ORGAN"), ("toxicity_term", "")],
            "toxicity_term",
            "Give the CTCAE term or a description of this toxicity.",
        ),
        (
            vec![
                ("toxicity_kind", "TLS"),
                ("toxicity_resolution_date", earlier.as_str()),
            ],
            "toxicity_resolution_date",
            "The resolution cannot precede the onset.",
        ),
        (
            vec![
                ("toxicity_kind", "HYPOGAMMA"),
                ("toxicity_resolution_date", today.as_str()),
            ],
            "toxicity_resolution_date",
            "contact date: leave it blank (ongoing).",
        ),
        (
            vec![("toxicity_hypotension", "VASO_1")],
            "toxicity_hypotension",
            "Hypotension and hypoxia belong to CRS.",
        ),
        (
            vec![
                ("toxicity_kind", "DELAYED_NEURO"),
                ("toxicity_ice_score", "5"),
            ],
            "toxicity_ice_score",
            "The ICE score belongs to ICANS.",
        ),
        (
            vec![("toxicity_icaht_days_anc_le_500", "3")],
            "toxicity_icaht_days_anc_le_500",
            "belong to early ICAHT: leave them blank.",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_EARLY"),
                ("toxicity_icaht_anc_nadir", "800"),
            ],
            "toxicity_icaht_anc_nadir",
            "The ANC nadir belongs to late ICAHT: leave it blank.",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_EARLY"),
                ("toxicity_icaht_days_anc_le_500", "14"),
                ("toxicity_icaht_days_anc_le_100", "0"),
            ],
            "toxicity_max_grade",
            "By EHA",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_EARLY"),
                ("toxicity_icaht_days_anc_le_500", "13"),
                ("toxicity_icaht_days_anc_le_100", "7"),
            ],
            "toxicity_max_grade",
            "make early ICAHT grade 4, not 2.",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_EARLY"),
                ("toxicity_icaht_days_anc_le_500", "6"),
                ("toxicity_icaht_days_anc_le_100", "7"),
            ],
            "toxicity_icaht_days_anc_le_100",
            "cannot exceed the days with ANC",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_EARLY"),
                ("toxicity_icaht_days_anc_le_500", "9"),
            ],
            "toxicity_icaht_days_anc_le_100",
            "Give both counts of days for early ICAHT, or neither",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_EARLY"),
                ("toxicity_icaht_days_anc_le_500", "2.5"),
                ("toxicity_icaht_days_anc_le_100", "0"),
            ],
            "toxicity_icaht_days_anc_le_500",
            "are a whole number from 0 to 365.",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_LATE"),
                ("toxicity_max_grade", "G1"),
                ("toxicity_icaht_anc_nadir", "1501"),
            ],
            "toxicity_max_grade",
            "these neutrophil counts are no late ICAHT",
        ),
        (
            vec![
                ("toxicity_kind", "ICAHT_LATE"),
                ("toxicity_icaht_anc_nadir", "-5"),
            ],
            "toxicity_icaht_anc_nadir",
            "The ANC nadir is a whole number",
        ),
        (
            vec![
                ("toxicity_kind", "CRS"),
                ("toxicity_max_grade", "G1"),
                ("toxicity_hypotension", "NONE"),
                ("toxicity_hypoxia", "NONE"),
                ("toxicity_term", "fever"),
            ],
            "toxicity_term",
            "CRS and ICANS are named by their type: leave the term blank.",
        ),
        (
            vec![("none_toxicities", "none")],
            "none_toxicities",
            "it cannot be nothing to report",
        ),
        (
            vec![("toxicity_max_grade_date", earlier.as_str())],
            "toxicity_max_grade_date",
            "The maximum grade cannot precede the onset.",
        ),
        (
            vec![
                ("toxicity_resolution_date", day35.as_str()),
                ("toxicity_max_grade_date", day40.as_str()),
            ],
            "toxicity_max_grade_date",
            "The maximum grade cannot follow the resolution",
        ),
        (
            vec![("toxicity_max_grade_date", today.as_str())],
            "toxicity_max_grade_date",
            "The maximum grade is after this period",
        ),
        (
            vec![("toxicity_max_grade_date_estimated", "1")],
            "toxicity_max_grade_date_estimated",
            "Only a date can be estimated",
        ),
        (
            vec![("toxicity_treatment_OTHER", "1")],
            "toxicity_treatment_OTHER_detail",
            "Name the other agent given.",
        ),
        (
            vec![
                ("toxicity_treatment_TOCILIZUMAB", "1"),
                ("toxicity_treatment_TOCILIZUMAB_doses", "0"),
            ],
            "toxicity_treatment_TOCILIZUMAB_doses",
            "The number of doses is a whole number from 1 to 20.",
        ),
        (
            vec![("toxicity_treatment_TOCILIZUMAB_doses", "2")],
            "toxicity_treatment_TOCILIZUMAB_doses",
            "Tick Tocilizumab to record this, or clear it.",
        ),
        (
            vec![
                ("toxicity_treatment_ANAKINRA", "1"),
                ("toxicity_treatment_ANAKINRA_start_date", earlier.as_str()),
            ],
            "toxicity_treatment_ANAKINRA_start_date",
            "A treatment of this toxicity cannot start before its onset",
        ),
        (
            vec![
                ("toxicity_treatment_CORTICOSTEROIDS", "1"),
                ("toxicity_treatment_CORTICOSTEROIDS_detail", "dexamethasone"),
                (
                    "toxicity_treatment_CORTICOSTEROIDS_start_date",
                    today.as_str(),
                ),
            ],
            "toxicity_treatment_CORTICOSTEROIDS_start_date",
            "The start is after this period",
        ),
    ];
    for (changes, field, message) in &cases {
        let fields = with(&with(&valid_fields("0"), &iec_hs), changes);

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
        for (name, typed) in fields.iter().filter(|(k, _)| k.starts_with("toxicity_")) {
            assert!(
                kept(&response, name, typed),
                "{changes:?}: {name}={typed} not kept"
            );
        }
    }
    assert_eq!(app.change_set_count(), before, "nothing was written");
}

#[test]
fn an_icaht_is_saved_in_its_own_grading_system_with_audit_rows_and_shown_as_previously_reported() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, toxicity_events};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let before = app.change_set_count();
    let onset = days_ago(90);
    let resolved = days_ago(70);
    let fields = with(
        &valid_fields("0"),
        &[
            ("none_toxicities", "events"),
            ("toxicity_kind", "ICAHT_EARLY"),
            ("toxicity_onset_date", &onset.to_string()),
            ("toxicity_resolution_date", &resolved.to_string()),
            ("toxicity_max_grade", "G3"),
        ],
    );

    let response = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(response.status, 303, "{}", response.body);
    let stored: (
        String,
        String,
        String,
        chrono::NaiveDate,
        Option<chrono::NaiveDate>,
    ) = toxicity_events::table
        .filter(toxicity_events::patient_id.eq(patient))
        .select((
            toxicity_events::toxicity_type,
            toxicity_events::grading_system,
            toxicity_events::max_grade,
            toxicity_events::onset_date,
            toxicity_events::resolution_date,
        ))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(
        stored,
        (
            "ICAHT_EARLY".into(),
            "EHA_EBMT2023".into(),
            "G3".into(),
            onset,
            Some(resolved)
        )
    );
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    let sets_fu = app.audit_change_sets("follow_ups");
    let sets_tox = app.audit_change_sets("toxicity_events");
    assert_eq!(sets_fu.last().unwrap().0, sets_tox.last().unwrap().0);
    let audited: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::table_name.eq("toxicity_events"))
        .select((audit_log::field_name, audit_log::new_value))
        .load(&mut app.db())
        .unwrap();
    assert!(audited.contains(&("grading_system".into(), Some("EHA_EBMT2023".into()))));
    assert!(audited.contains(&("resolution_date".into(), Some(resolved.to_string()))));
    assert!(audited.contains(&("toxicity_type".into(), Some("ICAHT_EARLY".into()))));

    // The next period lists it as previously reported, not as this period's.
    let m6 = coordinator.get(&form.replace("/D100", "/M6"));
    assert!(m6.body.contains("Previously reported (not re-entered)"));
    assert!(
        m6.body
            .contains("Early ICAHT (haematotoxicity, day 0-30), maximum grade 3")
    );
    assert!(!m6.body.contains("Reported in this period"));
}

#[test]
fn a_toxicity_with_its_treatments_and_max_grade_date_is_saved_audited_and_shown() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, toxicity_events, toxicity_treatments};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    let empty = coordinator.get(&form);
    assert!(
        empty
            .body
            .contains("<label for=\"toxicity_treatment_TOCILIZUMAB\">Tocilizumab</label>"),
        "each agent is a labelled tick box"
    );
    let before = app.change_set_count();
    let (onset, peak, start, resolved) = (days_ago(90), days_ago(88), days_ago(89), days_ago(80));
    let fields = with(
        &valid_fields("0"),
        &[
            ("none_toxicities", "events"),
            ("toxicity_kind", "CRS"),
            ("toxicity_onset_date", &onset.to_string()),
            ("toxicity_resolution_date", &resolved.to_string()),
            ("toxicity_max_grade", "G2"),
            ("toxicity_hypotension", "FLUIDS"),
            ("toxicity_hypoxia", "NONE"),
            ("toxicity_max_grade_date", &peak.to_string()),
            ("toxicity_max_grade_date_estimated", "1"),
            ("toxicity_treatment_TOCILIZUMAB", "1"),
            ("toxicity_treatment_TOCILIZUMAB_doses", "2"),
            (
                "toxicity_treatment_TOCILIZUMAB_start_date",
                &start.to_string(),
            ),
            ("toxicity_treatment_CORTICOSTEROIDS", "1"),
            ("toxicity_treatment_CORTICOSTEROIDS_detail", "dexamethasone"),
            ("toxicity_treatment_OTHER", "1"),
            ("toxicity_treatment_OTHER_detail", "ruxolitinib"),
        ],
    );

    let response = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(response.status, 303, "{}", response.body);
    let mut conn = app.db();
    let (id, stored_peak, estimated): (i32, Option<chrono::NaiveDate>, bool) =
        toxicity_events::table
            .filter(toxicity_events::patient_id.eq(patient))
            .select((
                toxicity_events::id,
                toxicity_events::max_grade_date,
                toxicity_events::max_grade_date_estimated,
            ))
            .first(&mut conn)
            .unwrap();
    assert_eq!((stored_peak, estimated), (Some(peak), true));
    type Treatment = (
        String,
        Option<String>,
        Option<i32>,
        Option<chrono::NaiveDate>,
    );
    let treatments: Vec<Treatment> = toxicity_treatments::table
        .filter(toxicity_treatments::toxicity_event_id.eq(id))
        .order(toxicity_treatments::id)
        .select((
            toxicity_treatments::agent,
            toxicity_treatments::agent_detail,
            toxicity_treatments::doses_count,
            toxicity_treatments::start_date,
        ))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        treatments,
        vec![
            ("TOCILIZUMAB".into(), None, Some(2), Some(start)),
            (
                "CORTICOSTEROIDS".into(),
                Some("dexamethasone".into()),
                None,
                None
            ),
            ("OTHER".into(), Some("ruxolitinib".into()), None, None),
        ]
    );
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    let sets_fu = app.audit_change_sets("follow_ups");
    let sets_treatments = app.audit_change_sets("toxicity_treatments");
    assert_eq!(sets_fu.last().unwrap().0, sets_treatments.last().unwrap().0);
    let audited: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::table_name.eq_any(["toxicity_events", "toxicity_treatments"]))
        .select((audit_log::field_name, audit_log::new_value))
        .load(&mut conn)
        .unwrap();
    for expected in [
        ("max_grade_date", Some(peak.to_string())),
        ("max_grade_date_estimated", Some("1".to_owned())),
        ("agent", Some("TOCILIZUMAB".to_owned())),
        ("doses_count", Some("2".to_owned())),
        ("agent_detail", Some("dexamethasone".to_owned())),
        ("agent", Some("OTHER".to_owned())),
    ] {
        assert!(
            audited.contains(&(expected.0.to_owned(), expected.1.clone())),
            "{expected:?} not audited"
        );
    }

    let page = coordinator.get(&format!("/patients/{patient}"));
    let line = format!(
        "Cytokine release syndrome, maximum grade 2 on {peak} (estimated); treated with \
         Tocilizumab, 2 doses from {start}, Corticosteroids (dexamethasone), ruxolitinib"
    );
    assert!(page.body.contains(&line), "{line} not on the patient page");
}

/// A treatment's start date may be ticked as estimated, like every estimated date: refused
/// without a date (422, the box kept ticked, a message by it, nothing written), stored and
/// audited with one, shown ticked again in the toxicity's correction form.
#[test]
fn a_treatment_start_date_may_be_estimated_but_only_with_a_date() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, toxicity_events, toxicity_treatments};
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let (onset, start) = (days_ago(90), days_ago(89).to_string());
    let base = with(
        &valid_fields("0"),
        &[
            ("none_toxicities", "events"),
            ("toxicity_kind", "ICAHT_EARLY"),
            ("toxicity_onset_date", &onset.to_string()),
            ("toxicity_max_grade", "G3"),
            ("toxicity_treatment_G_CSF", "1"),
            ("toxicity_treatment_G_CSF_start_date_estimated", "1"),
        ],
    );
    let box_name = "toxicity_treatment_G_CSF_start_date_estimated";
    let before = app.change_set_count();

    let refused = coordinator.post(&form, &as_refs(&base));

    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(&format!("id=\"{box_name}-error\"")),
        "the message is by the box"
    );
    assert!(refused.body.contains("Only a date can be estimated"));
    assert!(
        refused
            .body
            .contains(&format!("name=\"{box_name}\" value=\"1\" checked")),
        "the box stays ticked"
    );
    assert_eq!(app.change_set_count(), before, "nothing written");

    let dated = with(
        &base,
        &[("toxicity_treatment_G_CSF_start_date", start.as_str())],
    );
    let saved = coordinator.post(&form, &as_refs(&dated));

    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut conn = app.db();
    let (id, stored): (i32, (Option<chrono::NaiveDate>, bool)) = toxicity_events::table
        .inner_join(toxicity_treatments::table)
        .filter(toxicity_events::patient_id.eq(patient))
        .select((
            toxicity_events::id,
            (
                toxicity_treatments::start_date,
                toxicity_treatments::start_date_estimated,
            ),
        ))
        .first(&mut conn)
        .unwrap();
    assert_eq!(stored, (Some(days_ago(89)), true));
    let audited: Vec<Option<String>> = audit_log::table
        .filter(audit_log::table_name.eq("toxicity_treatments"))
        .filter(audit_log::field_name.eq("start_date_estimated"))
        .select(audit_log::new_value)
        .load(&mut conn)
        .unwrap();
    assert_eq!(audited, vec![Some("1".to_owned())]);
    let edit = coordinator.get(&format!("/patients/{patient}/events/toxicity/{id}/edit"));
    assert!(
        edit.body
            .contains("name=\"treatment_G_CSF_start_date_estimated\" value=\"1\" checked"),
        "shown ticked in the correction form"
    );
    let page = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        page.body
            .contains(&format!("G-CSF from {start} (estimated)")),
        "the timeline says the start date is estimated"
    );
}

#[test]
fn every_method_that_detected_a_relapse_is_ticked_saved_audited_and_edited() {
    use diesel::prelude::*;
    use registry::db::schema::relapse_detection_methods;
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    let empty = coordinator.get(&form);
    assert!(
        empty
            .body
            .contains("<label for=\"relapse_methods-CYTO_FISH\">Cytogenetic / FISH</label>"),
        "each method is a labelled tick box"
    );
    let relapse_date = days_ago(30).to_string();
    let mut fields = with(
        &valid_fields("0"),
        &[
            ("relapse_since_last", "Y"),
            ("relapse_date", &relapse_date),
            ("relapse_method", "MOLECULAR"),
        ],
    );
    fields.push(("relapse_methods".into(), "MOLECULAR".into()));
    fields.push(("relapse_methods".into(), "RADIOLOGICAL".into()));
    let methods = |app: &TestApp| -> Vec<String> {
        relapse_detection_methods::table
            .order(relapse_detection_methods::method)
            .select(relapse_detection_methods::method)
            .load(&mut app.db())
            .unwrap()
    };

    let saved = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(methods(&app), vec!["MOLECULAR", "RADIOLOGICAL"]);
    let sets = app.audit_change_sets("relapse_detection_methods");
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(
        sets[0].0,
        app.audit_change_sets("follow_ups")[0].0,
        "one change set"
    );
    let page = coordinator.get(&form);
    for code in ["MOLECULAR", "RADIOLOGICAL"] {
        assert!(
            page.body.contains(&format!(
                "name=\"relapse_methods\" value=\"{code}\" checked"
            )),
            "{code} shown ticked"
        );
    }
    assert!(!page.body.contains("value=\"FLOW\" checked"));

    // Radiological untick, flow cytometry added: one row deleted, one inserted, both audited.
    let mut edited = with(
        &valid_fields("1"),
        &[
            ("relapse_since_last", "Y"),
            ("relapse_date", &relapse_date),
            ("relapse_method", "MOLECULAR"),
            ("reason", "Flow report found"),
        ],
    );
    edited.push(("relapse_methods".into(), "MOLECULAR".into()));
    edited.push(("relapse_methods".into(), "FLOW".into()));
    let again = coordinator.post(&form, &as_refs(&edited));
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(methods(&app), vec!["FLOW", "MOLECULAR"]);
    let actions: Vec<(String, Option<String>, Option<String>)> = {
        use registry::db::schema::audit_log;
        audit_log::table
            .filter(audit_log::table_name.eq("relapse_detection_methods"))
            .filter(audit_log::field_name.eq("method"))
            .filter(audit_log::reason.eq("Flow report found"))
            .order(audit_log::id)
            .select((
                audit_log::action,
                audit_log::old_value,
                audit_log::new_value,
            ))
            .load(&mut app.db())
            .unwrap()
    };
    assert_eq!(
        actions,
        vec![
            ("DELETE".into(), Some("RADIOLOGICAL".into()), None),
            ("INSERT".into(), None, Some("FLOW".into())),
        ]
    );

    // Saved from a form opened before that edit: refused, and the message names the methods.
    let mut stale = with(
        &valid_fields("1"),
        &[
            ("relapse_since_last", "Y"),
            ("relapse_date", &relapse_date),
            ("relapse_method", "RADIOLOGICAL"),
            ("reason", "Imaging report"),
        ],
    );
    stale.push(("relapse_methods".into(), "MOLECULAR".into()));
    stale.push(("relapse_methods".into(), "RADIOLOGICAL".into()));
    let refused = coordinator.post(&form, &as_refs(&stale));
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body.contains(
            "Relapse detection methods is now Molecular, Flow cytometry \
             (you entered Molecular, Radiological)"
        ),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("Relapse first detected by is now Molecular (you entered Radiological)")
    );
    assert_eq!(
        methods(&app),
        vec!["FLOW", "MOLECULAR"],
        "nothing overwritten"
    );
}

/// An ICAHT saved with the neutrophil counts its grade rests on (EHA/EBMT 2023): the counts are
/// stored on their own type, audited in the same change set and shown on the timeline; a grade
/// they do not imply is refused by the grade with the implied one named.
#[test]
fn an_icaht_is_saved_with_the_counts_its_grade_rests_on() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    // Day 0 is 95 days ago: onset on day 5.
    let onset = days_ago(90).to_string();
    let early = with(
        &valid_fields("0"),
        &[
            ("none_toxicities", "events"),
            ("toxicity_kind", "ICAHT_EARLY"),
            ("toxicity_onset_date", &onset),
            ("toxicity_max_grade", "G3"),
            ("toxicity_icaht_days_anc_le_500", "20"),
            ("toxicity_icaht_days_anc_le_100", "7"),
        ],
    );
    let before = app.change_set_count();

    let wrong = coordinator.post(&form, &as_refs(&early));
    let right = coordinator.post(
        &form,
        &as_refs(&with(&early, &[("toxicity_max_grade", "G4")])),
    );

    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .body
            .contains("these neutrophil counts make early ICAHT grade 4, not 3."),
        "{}",
        wrong.body
    );
    assert!(wrong.body.contains("id=\"toxicity_max_grade-error\""));
    assert_eq!(
        wrong
            .input_value("toxicity_icaht_days_anc_le_500")
            .as_deref(),
        Some("20"),
        "values kept"
    );
    assert_eq!(right.status, 303, "{}", right.body);
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    let stored = icaht_text(
        &app,
        "SELECT toxicity_type || ' ' || max_grade || ' ' || icaht_days_anc_le_500 || ' ' || \
         icaht_days_anc_le_100 || ' ' || coalesce(icaht_anc_nadir_per_ul, '-') AS v \
         FROM toxicity_events",
    );
    assert_eq!(stored, "ICAHT_EARLY G4 20 7 -");
    let audited = icaht_text(
        &app,
        "SELECT group_concat(field_name || '=' || new_value, ',') AS v FROM \
         (SELECT field_name, new_value FROM audit_log WHERE table_name = 'toxicity_events' \
          AND field_name LIKE 'icaht_%' ORDER BY field_name)",
    );
    assert_eq!(audited, "icaht_days_anc_le_100=7,icaht_days_anc_le_500=20");
    let page = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        page.body
            .contains("maximum grade 4; ANC ≤ 500/µL for 20 days (≤ 100/µL for 7)"),
        "on the timeline"
    );
}

/// One text value (column `v`) of a query on the test database.
fn icaht_text(app: &crate::helpers::TestApp, sql: &str) -> String {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    diesel::sql_query(sql)
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .v
}

#[test]
fn a_form_reopened_after_a_later_visit_lists_that_visits_events_as_reported_later() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    let day28 = form.replace("/D100", "/D28");
    let day28_fields = with(
        &valid_fields("0"),
        &[("contact_date", &days_ago(95 - 28).to_string())],
    );
    assert_eq!(
        coordinator.post(&day28, &as_refs(&day28_fields)).status,
        303
    );
    let day100_fields = with(
        &valid_fields("0"),
        &[
            ("none_infections", "events"),
            ("infection_date", &days_ago(20).to_string()),
            ("infection_organism_class", "VIRAL"),
            ("infection_severity", "G2"),
        ],
    );
    let saved = coordinator.post(&form, &as_refs(&day100_fields));
    assert_eq!(saved.status, 303, "{}", saved.body);

    let earlier = coordinator.get(&day28);
    let later_at = earlier
        .body
        .find("Reported in later periods (after this contact; not re-entered)")
        .expect("the Day 28 form lists the Day 100 infection as reported later");
    let infection = earlier
        .body
        .find("Viral, severity Grade 2: oral antimicrobial treatment")
        .unwrap();
    assert!(infection > later_at);
    assert!(
        !earlier
            .body
            .contains("Previously reported (not re-entered)")
    );

    // A period after Day 100 lists it as previously reported.
    let month6 = coordinator.get(&form.replace("/D100", "/M6"));
    assert!(month6.body.contains("Previously reported (not re-entered)"));
    assert!(!month6.body.contains("Reported in later periods"));
}
