//! Corrections of what was recorded (issue 3, "Rules that protect the data"): editing and
//! deleting recorded events, the patient's demographics and follow-up status. Each change
//! writes exactly one audit change set with its reason; a rejected form keeps the values; a
//! stale save is refused with 409; a locked follow-up's events are read-only; another site's
//! patient is a 404; only coordinators write; every form needs its CSRF token.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::helpers::{Response, TestApp, days_ago, spawn_app};

fn exec(app: &TestApp, sql: String) {
    diesel::sql_query(sql).execute(&mut app.db()).unwrap();
}

fn last_id(app: &TestApp, table: &str) -> i32 {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    diesel::sql_query(format!("SELECT MAX(id) AS id FROM {table}"))
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .id
}

fn text(app: &TestApp, sql: &str) -> Option<String> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        v: Option<String>,
    }
    diesel::sql_query(sql)
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .v
}

fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql)
        .get_result::<Row>(&mut app.db())
        .unwrap()
        .n
}

/// A follow-up of the course (complete and locked, or in progress); returns its id.
fn insert_follow_up(app: &TestApp, pid: i32, cid: i32, contact: NaiveDate, locked: bool) -> i32 {
    let (status, by, at) = if locked {
        (
            "LOCKED",
            app.monitor.id.to_string(),
            "'2025-01-01 10:00:00'",
        )
    } else {
        ("IN_PROGRESS", "NULL".to_owned(), "NULL")
    };
    exec(
        app,
        format!(
            "INSERT INTO follow_ups (patient_id, course_id, timepoint, contact_date, contact_type, \
             survival_status, relapse_since_last, form_status, responses_none_to_report, \
             toxicities_none_to_report, infections_none_to_report, new_malignancies_none_to_report, \
             subsequent_therapies_none_to_report, persistence_tests_none_to_report, \
             lab_results_none_to_report, immunoglobulin_none_to_report, locked_by, locked_at, \
             created_by, updated_by) VALUES ({pid}, {cid}, 'D100', '{contact}', 'CLINIC', 'ALIVE', \
             'N', '{status}', 1, 0, 0, 1, 1, 1, 0, 1, {by}, {at}, 1, 1)"
        ),
    );
    last_id(app, "follow_ups")
}

/// Change sets touching the patient's records.
fn patient_change_sets(app: &TestApp, pid: i32) -> i64 {
    count(
        app,
        &format!(
            "SELECT COUNT(DISTINCT change_set_id) AS n FROM audit_log WHERE patient_id = {pid}"
        ),
    )
}

fn insert_infection(app: &TestApp, pid: i32, fu: i32, date: NaiveDate) -> i32 {
    exec(
        app,
        format!(
            "INSERT INTO infections (patient_id, reported_in_follow_up_id, diagnosis_date, \
             organism_class, severity, created_by, updated_by) \
             VALUES ({pid}, {fu}, '{date}', 'VIRAL', 'G2', 1, 1)"
        ),
    );
    last_id(app, "infections")
}

/// A patient of site A treated 200 days ago, a Day 100 follow-up (contact 100 days ago) and
/// an infection 150 days ago reported in it: (patient, course, follow-up, infection).
fn patient_with_infection(app: &TestApp, locked: bool) -> (i32, i32, i32, i32) {
    let (pid, cid) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    let fu = insert_follow_up(app, pid, cid, days_ago(100), locked);
    let infection = insert_infection(app, pid, fu, days_ago(150));
    (pid, cid, fu, infection)
}

fn selected(response: &Response, code: &str) -> bool {
    response
        .body
        .contains(&format!("<option value=\"{code}\" selected>"))
}

fn message_by(response: &Response, field: &str) -> bool {
    response.body.contains(&format!("id=\"{field}-error\""))
}

// ---------------------------------------------------------------- events

#[test]
fn the_timeline_links_to_each_event_and_the_form_is_prefilled() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    let mut coordinator = app.logged_in(&app.coordinator);

    let page = coordinator.get(&format!("/patients/{pid}"));
    let href = format!("/patients/{pid}/events/infection/{infection}/edit");
    assert!(page.body.contains(&href), "edit link on the timeline");

    let form = coordinator.get(&href);
    assert_eq!(form.status, 200);
    assert_eq!(
        form.input_value("diagnosis_date").as_deref(),
        Some(days_ago(150).to_string().as_str())
    );
    assert!(selected(&form, "VIRAL") && selected(&form, "G2"));
    assert_eq!(form.input_value("row_version").as_deref(), Some("1"));
}

#[test]
fn an_infection_correction_records_its_organism_admission_outcome_and_resolution() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/events/infection/{infection}/edit");
    coordinator.get(&href);
    let (diagnosed, resolved) = (days_ago(140).to_string(), days_ago(100).to_string());

    let response = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("diagnosis_date", &diagnosed),
            ("organism_class", "VIRAL"),
            ("severity", "G3"),
            ("organism", "CMV"),
            ("hospitalised", "Y"),
            ("icu_admission", "N"),
            ("outcome", "RESOLVED"),
            ("resolution_date", &resolved),
            ("reason", "Discharge letter received"),
        ],
    );

    response.assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT organism || hospitalised || icu_admission || outcome || resolution_date \
                 AS v FROM infections WHERE id = {infection}"
            )
        ),
        Some(format!("CMVYNRESOLVED{resolved}"))
    );
    let timeline = coordinator.get(&format!("/patients/{pid}"));
    assert!(
        timeline.body.contains(
            "Viral: Cytomegalovirus (CMV), severity Grade 3: IV antimicrobials or \
             radiologic/operative intervention, admitted to hospital, resolved"
        ),
        "the timeline shows the details"
    );
}

#[test]
fn a_correction_saves_with_exactly_one_audit_change_set_and_its_reason() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/events/infection/{infection}/edit");
    coordinator.get(&href);
    let new_date = days_ago(140).to_string();

    let response = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("diagnosis_date", &new_date),
            ("organism_class", "FUNGAL_MOULD"),
            ("severity", "G2"),
            ("reason", "Culture result corrected"),
        ],
    );

    response.assert_redirect_to(&format!("/patients/{pid}"));
    let sets = app.audit_change_sets("infections");
    assert_eq!(sets.len(), 1, "one change set: {sets:?}");
    assert_eq!(
        sets[0].1, 2,
        "one row per changed field (date and organism)"
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT organism_class AS v FROM infections WHERE id = {infection}")
        )
        .as_deref(),
        Some("FUNGAL_MOULD")
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'infections' \
             AND action = 'UPDATE' AND reason = 'Culture result corrected'"
        ),
        2
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT row_version AS n FROM infections WHERE id = {infection}")
        ),
        2
    );
    // The same values again: nothing to audit, nothing written.
    let again = coordinator.post(
        &href,
        &[
            ("row_version", "2"),
            ("diagnosis_date", &new_date),
            ("organism_class", "FUNGAL_MOULD"),
            ("severity", "G2"),
            ("reason", "No change"),
        ],
    );
    assert_eq!(again.status, 303);
    assert_eq!(app.audit_change_sets("infections").len(), 1);
}

/// The audit rows of one change set: (action, table, record, field, old, new, reason), sorted.
type AuditRow = (
    String,
    String,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A maker of the audit rows expected of `table` under `reason`: (action, record, field, old,
/// new) to an [`AuditRow`].
fn audit_row<'a>(
    table: &'a str,
    reason: &'a str,
) -> impl Fn(&str, i32, &str, Option<&str>, Option<&str>) -> AuditRow + 'a {
    move |action, id, field, old, new| {
        (
            action.to_owned(),
            table.to_owned(),
            id,
            field.to_owned(),
            old.map(str::to_owned),
            new.map(str::to_owned),
            Some(reason.to_owned()),
        )
    }
}

fn audit_rows_of(app: &TestApp, change_set: i64) -> Vec<AuditRow> {
    use registry::db::schema::audit_log as a;
    let mut rows: Vec<AuditRow> = a::table
        .filter(a::change_set_id.eq(i32::try_from(change_set).unwrap()))
        .select((
            a::action,
            a::table_name,
            a::record_id,
            a::field_name,
            a::old_value,
            a::new_value,
            a::reason,
        ))
        .load(&mut app.db())
        .unwrap();
    rows.sort();
    rows
}

/// An infection's sites as stored: (id, site, name, row_version), by id.
fn sites_of(app: &TestApp, infection: i32) -> Vec<(i32, String, Option<String>, i32)> {
    use registry::db::schema::infection_sites as s;
    s::table
        .filter(s::infection_id.eq(infection))
        .select((s::id, s::site, s::site_other, s::row_version))
        .order(s::id)
        .load(&mut app.db())
        .unwrap()
}

#[test]
fn an_infection_correction_adds_and_removes_sites_with_exactly_their_audit_rows() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    for site in ["LUNG", "BLOOD"] {
        exec(
            &app,
            format!(
                "INSERT INTO infection_sites (infection_id, site, created_by, updated_by) \
                 VALUES ({infection}, '{site}', 1, 1)"
            ),
        );
    }
    let [(lung, ..), (blood, ..)] = sites_of(&app, infection)[..] else {
        panic!("two sites arranged")
    };
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/events/infection/{infection}/edit");
    let checked = |r: &Response, code: &str| {
        r.body.contains(&format!(
            "id=\"sites-{code}\" name=\"sites\" value=\"{code}\" checked"
        ))
    };
    let stored = coordinator.get(&href);
    assert!(checked(&stored, "LUNG") && checked(&stored, "BLOOD") && !checked(&stored, "OTHER"));
    let diagnosed = days_ago(150).to_string();
    let correction = |version: &'static str, sites: &[&'static str], name: &'static str| {
        let mut fields = vec![
            ("row_version", version),
            ("diagnosis_date", diagnosed.as_str()),
            ("organism_class", "VIRAL"),
            ("severity", "G2"),
            ("site_other", name),
            ("reason", "Imaging report"),
        ];
        fields.extend(sites.iter().map(|s| ("sites", *s)));
        fields
    };

    let unnamed = coordinator.post(&href, &correction("1", &["BLOOD", "OTHER"], ""));
    let saved = coordinator.post(
        &href,
        &correction("1", &["BLOOD", "OTHER"], "Catheter exit site"),
    );

    assert_eq!(unnamed.status, 422);
    assert!(message_by(&unnamed, "site_other"));
    assert!(unnamed.body.contains("Name the other site"));
    assert!(checked(&unnamed, "BLOOD") && checked(&unnamed, "OTHER") && !checked(&unnamed, "LUNG"));
    saved.assert_redirect_to(&format!("/patients/{pid}"));
    let after = sites_of(&app, infection);
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(
        after[0],
        (blood, "BLOOD".to_owned(), None, 1),
        "the kept site is not rewritten"
    );
    let other = after[1].0;
    assert_eq!(
        after[1],
        (
            other,
            "OTHER".to_owned(),
            Some("Catheter exit site".to_owned()),
            1
        )
    );
    let sets = app.audit_change_sets("infection_sites");
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(
        app.audit_change_sets("infections").len(),
        0,
        "the infection's own columns did not change"
    );
    let row = audit_row("infection_sites", "Imaging report");
    let id = infection.to_string();
    let mut expected = vec![
        row("DELETE", lung, "infection_id", Some(&id), None),
        row("DELETE", lung, "site", Some("LUNG"), None),
        row("INSERT", other, "infection_id", None, Some(&id)),
        row("INSERT", other, "site", None, Some("OTHER")),
        row(
            "INSERT",
            other,
            "site_other",
            None,
            Some("Catheter exit site"),
        ),
    ];
    expected.sort();
    assert_eq!(audit_rows_of(&app, sets[0].0), expected);
    assert_eq!(
        count(
            &app,
            &format!("SELECT row_version AS n FROM infections WHERE id = {infection}")
        ),
        2,
        "a change to the sites alone raises the infection's version"
    );
    let timeline = coordinator.get(&format!("/patients/{pid}"));
    assert!(
        timeline.body.contains("(blood, other: Catheter exit site)"),
        "the timeline shows the corrected sites"
    );

    // The other site renamed: its row updated in place, one audit row.
    let renamed = coordinator.post(&href, &correction("2", &["BLOOD", "OTHER"], "Port pocket"));
    // The same again: nothing to write. An edit from the version before: refused as stale.
    let again = coordinator.post(&href, &correction("3", &["BLOOD", "OTHER"], "Port pocket"));
    let stale = coordinator.post(&href, &correction("2", &["OTHER"], "Port pocket"));

    renamed.assert_redirect_to(&format!("/patients/{pid}"));
    let sets = app.audit_change_sets("infection_sites");
    assert_eq!(sets.len(), 2, "{sets:?}");
    assert_eq!(
        audit_rows_of(&app, sets[1].0),
        [row(
            "UPDATE",
            other,
            "site_other",
            Some("Catheter exit site"),
            Some("Port pocket")
        )]
    );
    assert_eq!(
        sites_of(&app, infection)[1],
        (other, "OTHER".to_owned(), Some("Port pocket".to_owned()), 2)
    );
    assert_eq!(again.status, 303);
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("Sites is now"), "{}", stale.body);
    assert_eq!(app.audit_change_sets("infection_sites").len(), 2);
    assert_eq!(
        sites_of(&app, infection).len(),
        2,
        "the stale edit wrote nothing"
    );
}

/// (form, fields, the field with the message, the message)
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);

#[test]
fn invalid_corrections_return_422_with_the_values_kept_and_a_message_by_the_field() {
    let app = spawn_app();
    let (pid, cid, fu, infection) = patient_with_infection(&app, false);
    exec(
        &app,
        format!(
            "INSERT INTO toxicity_events (patient_id, course_id, reported_in_follow_up_id, \
             toxicity_type, grading_system, max_grade, onset_date, crs_hypotension, crs_hypoxia, \
             created_by, updated_by) VALUES ({pid}, {cid}, {fu}, 'CRS', 'ASTCT2019', 'G2', '{}', \
             'FLUIDS', 'NONE', 1, 1)",
            days_ago(198)
        ),
    );
    let toxicity = last_id(&app, "toxicity_events");
    exec(
        &app,
        format!(
            "INSERT INTO lab_results (patient_id, reported_in_follow_up_id, sample_date, analyte, \
             value, unit, created_by, updated_by) VALUES ({pid}, {fu}, '{}', 'IGG', 5.1, 'G_L', 1, 1)",
            days_ago(120)
        ),
    );
    let lab = last_id(&app, "lab_results");
    let mut coordinator = app.logged_in(&app.coordinator);
    let infection_href = format!("/patients/{pid}/events/infection/{infection}/edit");
    let toxicity_href = format!("/patients/{pid}/events/toxicity/{toxicity}/edit");
    let lab_href = format!("/patients/{pid}/events/lab/{lab}/edit");
    coordinator.get(&infection_href);
    let before_day0 = days_ago(201).to_string();
    let after_contact = days_ago(90).to_string();
    let future = days_ago(-3).to_string();
    let onset = days_ago(198).to_string();
    let before_onset = days_ago(199).to_string();
    let sample = days_ago(120).to_string();
    // (form, fields, field with the message, message)
    let cases: Vec<Case> = vec![
        (
            &infection_href,
            vec![
                ("diagnosis_date", &sample),
                ("organism_class", "VIRAL"),
                ("organism", "E_COLI"),
                ("reason", "x"),
            ],
            "organism",
            "is not in the kind chosen (Viral)",
        ),
        (
            &infection_href,
            vec![
                ("diagnosis_date", &sample),
                ("organism_class", "VIRAL"),
                ("outcome", "ONGOING"),
                ("resolution_date", &sample),
                ("reason", "x"),
            ],
            "resolution_date",
            "A resolution date goes with the outcome Resolved.",
        ),
        (
            &infection_href,
            vec![
                ("diagnosis_date", &before_day0),
                ("organism_class", "VIRAL"),
                ("reason", "x"),
            ],
            "diagnosis_date",
            "This date cannot precede Day 0",
        ),
        (
            &infection_href,
            vec![
                ("diagnosis_date", &after_contact),
                ("organism_class", "VIRAL"),
                ("reason", "x"),
            ],
            "diagnosis_date",
            "after the contact date",
        ),
        (
            &infection_href,
            vec![
                ("diagnosis_date", &future),
                ("organism_class", "VIRAL"),
                ("reason", "x"),
            ],
            "diagnosis_date",
            "This date is in the future.",
        ),
        (
            &infection_href,
            vec![
                ("diagnosis_date", "15/03/2024"),
                ("organism_class", "VIRAL"),
                ("reason", "x"),
            ],
            "diagnosis_date",
            "Use the form YYYY-MM-DD",
        ),
        (
            &infection_href,
            vec![
                ("diagnosis_date", &sample),
                ("organism_class", "VIRAL"),
                ("reason", ""),
            ],
            "reason",
            "Give the reason for the correction.",
        ),
        (
            &toxicity_href,
            vec![
                ("toxicity_type", "CRS"),
                ("onset_date", &onset),
                ("max_grade", "G1"),
                ("crs_hypotension", "VASO_1"),
                ("crs_hypoxia", "NONE"),
                ("reason", "x"),
            ],
            "max_grade",
            "make CRS grade 3, not 1",
        ),
        (
            &toxicity_href,
            vec![
                ("toxicity_type", "CRS"),
                ("onset_date", &onset),
                ("max_grade", "G2"),
                ("crs_hypotension", "FLUIDS"),
                ("crs_hypoxia", "NONE"),
                ("icans_lowest_ice_score", "4"),
                ("reason", "x"),
            ],
            "icans_lowest_ice_score",
            "The ICE score belongs to ICANS.",
        ),
        (
            &toxicity_href,
            vec![
                ("toxicity_type", "CRS"),
                ("onset_date", &onset),
                ("max_grade", "G2"),
                ("crs_hypotension", "FLUIDS"),
                ("crs_hypoxia", "NONE"),
                ("max_grade_date", &before_onset),
                ("reason", "x"),
            ],
            "max_grade_date",
            "The maximum grade cannot precede the onset.",
        ),
        (
            &toxicity_href,
            vec![
                ("toxicity_type", "CRS"),
                ("onset_date", &onset),
                ("max_grade", "G2"),
                ("crs_hypotension", "FLUIDS"),
                ("crs_hypoxia", "NONE"),
                ("treatment_OTHER", "1"),
                ("reason", "x"),
            ],
            "treatment_OTHER_detail",
            "Name the other agent given.",
        ),
        (
            &toxicity_href,
            vec![
                ("toxicity_type", "CRS"),
                ("onset_date", &onset),
                ("max_grade", "G2"),
                ("crs_hypotension", "FLUIDS"),
                ("crs_hypoxia", "NONE"),
                ("treatment_ANAKINRA", "1"),
                ("treatment_ANAKINRA_start_date", &before_onset),
                ("reason", "x"),
            ],
            "treatment_ANAKINRA_start_date",
            "cannot start before its onset",
        ),
        (
            &lab_href,
            vec![
                ("analyte", "IGG"),
                ("sample_date", &sample),
                ("value", "5.1"),
                ("unit", "PCT"),
                ("reason", "x"),
            ],
            "unit",
            "IgG is given in",
        ),
        (
            &lab_href,
            vec![
                ("analyte", "IGG"),
                ("sample_date", &sample),
                ("value", "five"),
                ("unit", "G_L"),
                ("reason", "x"),
            ],
            "value",
            "Enter the value as a number",
        ),
        (
            &lab_href,
            vec![
                ("analyte", "IGG"),
                ("sample_date", &sample),
                ("value", "510"),
                ("unit", "G_L"),
                ("reason", "x"),
            ],
            "value",
            "IgG cannot be 510 g/L: the highest value accepted is 20000 mg/dL",
        ),
    ];
    for (href, fields, field, message) in &cases {
        let mut all = vec![("row_version", "1")];
        all.extend(fields.iter().copied());

        let response = coordinator.post(href, &all);

        assert_eq!(response.status, 422, "{fields:?}");
        assert!(
            response.body.contains(message),
            "{fields:?}: expected {message:?}"
        );
        assert!(
            message_by(&response, field),
            "{fields:?}: message by {field}"
        );
        for (name, typed) in fields {
            let kept = response.input_value(name).as_deref() == Some(*typed)
                || selected(&response, typed)
                || typed.is_empty();
            assert!(kept, "{fields:?}: {name}={typed} kept");
        }
    }
    assert_eq!(patient_change_sets(&app, pid), 0, "nothing saved");
}

#[test]
fn a_stale_correction_is_refused_with_409_and_what_changed() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    let href = format!("/patients/{pid}/events/infection/{infection}/edit");
    let date = days_ago(150).to_string();
    let mut first = app.logged_in(&app.coordinator);
    let mut second = app.logged_in(&app.coordinator);
    first.get(&href);
    second.get(&href);
    let fields = |organism: &'static str, reason: &'static str| {
        vec![
            ("row_version", "1"),
            ("diagnosis_date", date.as_str()),
            ("organism_class", organism),
            ("severity", "G2"),
            ("reason", reason),
        ]
    };

    let saved = first.post(&href, &fields("FUNGAL_YEAST", "first"));
    let refused = second.post(&href, &fields("PARASITIC", "second"));

    assert_eq!(saved.status, 303);
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .body
            .contains("Organism is now Fungal, yeast (you entered Parasitic)"),
        "{}",
        refused.body
    );
    assert!(selected(&refused, "PARASITIC"), "the typed value is kept");
    assert_eq!(refused.input_value("row_version").as_deref(), Some("2"));
    assert_eq!(
        text(
            &app,
            &format!("SELECT organism_class AS v FROM infections WHERE id = {infection}")
        )
        .as_deref(),
        Some("FUNGAL_YEAST"),
        "nothing overwritten"
    );
    assert_eq!(app.audit_change_sets("infections").len(), 1);
}

#[test]
fn events_of_a_locked_follow_up_are_read_only() {
    let app = spawn_app();
    let (pid, _, fu, infection) = patient_with_infection(&app, true);
    let mut coordinator = app.logged_in(&app.coordinator);
    let edit = format!("/patients/{pid}/events/infection/{infection}/edit");
    let delete = format!("/patients/{pid}/events/infection/{infection}/delete");

    let page = coordinator.get(&edit);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("is locked"));
    assert!(!page.body.contains("Save correction"), "no save button");
    let save = coordinator.post(
        &edit,
        &[
            ("row_version", "1"),
            ("diagnosis_date", &days_ago(150).to_string()),
            ("organism_class", "PARASITIC"),
            ("reason", "x"),
        ],
    );
    let remove = coordinator.post(&delete, &[("row_version", "1"), ("reason", "x")]);

    assert_eq!(save.status, 403);
    assert_eq!(remove.status, 403);
    assert!(remove.body.contains("is locked"));
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM infections WHERE id = {infection} AND organism_class = 'VIRAL'"
            )
        ),
        1
    );
    assert_eq!(app.audit_change_sets("infections").len(), 0);

    // A death reported in the locked follow-up: its contributing causes listed, read-only.
    let death = record_death(&app, pid, fu, days_ago(100));
    add_contributing_cause(&app, death, "CARDIAC", None);
    add_contributing_cause(&app, death, "OTHER", Some("Renal failure"));
    let page = coordinator.get(&format!("/patients/{pid}/events/death/{death}/edit"));
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("name=\"contributing_causes\""),
        "no check boxes"
    );
    assert!(
        page.body.contains(
            "<dt>Contributing causes</dt><dd>Cardiac toxicity, Other (specify): Renal failure</dd>"
        ),
        "{}",
        page.body
    );
}

#[test]
fn other_sites_get_404_and_roles_that_cannot_write_get_403() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    let (other_pid, _) = app.insert_treated_patient(app.site_a, "AAA-000002", days_ago(200));
    let edit = format!("/patients/{pid}/events/infection/{infection}/edit");
    let delete = format!("/patients/{pid}/events/infection/{infection}/delete");
    let fields = [
        ("row_version", "1"),
        ("diagnosis_date", "2020-01-01"),
        ("organism_class", "PARASITIC"),
        ("reason", "x"),
    ];

    let mut other_site = app.logged_in(&app.other_coordinator);
    assert_eq!(other_site.get(&edit).status, 404);
    assert_eq!(other_site.post(&edit, &fields).status, 404);
    assert_eq!(other_site.post(&delete, &fields).status, 404);
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(
        coordinator
            .get(&format!(
                "/patients/{other_pid}/events/infection/{infection}/edit"
            ))
            .status,
        404,
        "an event under another patient's URL"
    );
    assert_eq!(
        coordinator
            .get(&format!("/patients/{pid}/events/nonsense/{infection}/edit"))
            .status,
        404
    );
    for user in [&app.monitor, &app.analyst, &app.admin] {
        let mut browser = app.logged_in(user);
        assert_eq!(browser.get(&edit).status, 403, "{}", user.username);
        assert_eq!(
            browser.post(&edit, &fields).status,
            403,
            "{}",
            user.username
        );
        assert_eq!(
            browser.post(&delete, &fields).status,
            403,
            "{}",
            user.username
        );
    }
    let page = app.logged_in(&app.monitor).get(&format!("/patients/{pid}"));
    assert!(!page.body.contains(&edit), "no edit link for a monitor");
    assert_eq!(app.audit_change_sets("infections").len(), 0);
}

#[test]
fn correction_and_delete_forms_need_their_csrf_token() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    let mut coordinator = app.logged_in(&app.coordinator);
    let edit = format!("/patients/{pid}/events/infection/{infection}/edit");
    let delete = format!("/patients/{pid}/events/infection/{infection}/delete");

    let save = coordinator.post_raw(
        &edit,
        &[
            ("row_version", "1"),
            ("diagnosis_date", &days_ago(150).to_string()),
            ("organism_class", "PARASITIC"),
            ("reason", "x"),
        ],
    );
    let remove = coordinator.post_raw(&delete, &[("row_version", "1"), ("reason", "x")]);
    let demographics = coordinator.post_raw(
        &format!("/patients/{pid}/edit"),
        &[("row_version", "1"), ("sex", "M"), ("reason", "x")],
    );

    assert_eq!(save.status, 403);
    assert_eq!(remove.status, 403);
    assert_eq!(demographics.status, 403);
    assert_eq!(patient_change_sets(&app, pid), 0);
}

#[test]
fn deleting_an_event_asks_for_a_reason_and_keeps_its_last_values_in_the_audit() {
    let app = spawn_app();
    let (pid, _, _, infection) = patient_with_infection(&app, false);
    let mut coordinator = app.logged_in(&app.coordinator);
    let delete = format!("/patients/{pid}/events/infection/{infection}/delete");

    let confirm = coordinator.get(&delete);
    assert_eq!(confirm.status, 200);
    assert!(confirm.body.contains("Viral"), "shows what will go");
    let no_reason = coordinator.post(&delete, &[("row_version", "1"), ("reason", " ")]);
    assert_eq!(no_reason.status, 422);
    assert!(message_by(&no_reason, "reason"));
    let stale = coordinator.post(&delete, &[("row_version", "0"), ("reason", "duplicate")]);
    assert_eq!(stale.status, 409);
    assert_eq!(app.audit_change_sets("infections").len(), 0);

    let done = coordinator.post(
        &delete,
        &[("row_version", "1"), ("reason", "Entered twice")],
    );

    done.assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) AS n FROM infections WHERE id = {infection}")
        ),
        0
    );
    let sets = app.audit_change_sets("infections");
    assert_eq!(sets.len(), 1);
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'infections' \
                 AND record_id = {infection} AND action = 'DELETE' AND reason = 'Entered twice' \
                 AND field_name = 'organism_class' AND old_value = 'VIRAL'"
            )
        ),
        1
    );
    assert_eq!(coordinator.get(&delete).status, 404, "gone");
}

/// A death recorded for the patient (reported in `fu`), with the patient's status Dead.
fn record_death(app: &TestApp, pid: i32, fu: i32, date: NaiveDate) -> i32 {
    exec(
        app,
        format!(
            "INSERT INTO deaths (patient_id, reported_in_follow_up_id, death_date, primary_cause, \
             created_by, updated_by) VALUES ({pid}, {fu}, '{date}', 'INFECTION_VIRAL', 1, 1)"
        ),
    );
    exec(
        app,
        format!(
            "UPDATE patients SET ltfu_status = 'DEAD', ltfu_status_date = '{date}', \
             row_version = row_version + 1 WHERE id = {pid}"
        ),
    );
    last_id(app, "deaths")
}

/// A contributing cause of the death (with its name when Other).
fn add_contributing_cause(app: &TestApp, death: i32, cause: &str, name: Option<&str>) {
    let name = name.map_or_else(|| "NULL".to_owned(), |n| format!("'{n}'"));
    exec(
        app,
        format!(
            "INSERT INTO death_contributing_causes (death_id, cause, cause_other, created_by, \
             updated_by) VALUES ({death}, '{cause}', {name}, 1, 1)"
        ),
    );
}

/// A death's contributing causes as stored: (id, cause, name, row_version), by id.
fn causes_of(app: &TestApp, death: i32) -> Vec<(i32, String, Option<String>, i32)> {
    use registry::db::schema::death_contributing_causes as c;
    c::table
        .filter(c::death_id.eq(death))
        .select((c::id, c::cause, c::cause_other, c::row_version))
        .order(c::id)
        .load(&mut app.db())
        .unwrap()
}

#[test]
fn deleting_the_death_gives_the_patient_back_an_active_status_in_the_same_change_set() {
    let app = spawn_app();
    let (pid, _, fu, _) = patient_with_infection(&app, false);
    exec(
        &app,
        format!(
            "UPDATE follow_ups SET survival_status = 'DEAD', row_version = row_version + 1 \
             WHERE id = {fu}"
        ),
    );
    let death = record_death(&app, pid, fu, days_ago(100));
    add_contributing_cause(&app, death, "CARDIAC", None);
    let mut coordinator = app.logged_in(&app.coordinator);
    let delete = format!("/patients/{pid}/events/death/{death}/delete");
    assert!(
        coordinator
            .get(&format!("/patients/{pid}"))
            .body
            .contains(&format!("/patients/{pid}/events/death/{death}/edit"))
    );

    let refused = coordinator.post(
        &delete,
        &[("row_version", "1"), ("reason", "Wrong patient")],
    );
    assert_eq!(refused.status, 409);
    assert!(refused.body.contains("still reports the patient dead"));
    assert_eq!(patient_change_sets(&app, pid), 0, "rolled back");
    exec(
        &app,
        format!(
            "UPDATE follow_ups SET survival_status = 'ALIVE', row_version = row_version + 1 \
             WHERE id = {fu}"
        ),
    );

    let done = coordinator.post(
        &delete,
        &[("row_version", "1"), ("reason", "Wrong patient")],
    );

    done.assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        text(
            &app,
            &format!("SELECT ltfu_status AS v FROM patients WHERE id = {pid}")
        )
        .as_deref(),
        Some("ACTIVE")
    );
    let deaths = app.audit_change_sets("deaths");
    let patients = app.audit_change_sets("patients");
    assert_eq!(deaths.len(), 1);
    assert_eq!(
        patients.last().map(|s| s.0),
        Some(deaths[0].0),
        "the status change shares the death's change set"
    );
    assert!(
        causes_of(&app, death).is_empty(),
        "its contributing causes go"
    );
    assert_eq!(
        app.audit_change_sets("death_contributing_causes"),
        [(deaths[0].0, 2)],
        "their last values kept in the death's change set (death_id, cause)"
    );
}

#[test]
fn a_corrected_death_names_its_other_cause_and_records_the_autopsy() {
    let app = spawn_app();
    let (pid, _, fu, _) = patient_with_infection(&app, false);
    let death = record_death(&app, pid, fu, days_ago(100));
    diesel::sql_query(format!(
        "INSERT INTO death_contributing_causes (death_id, cause, created_by, updated_by) \
         VALUES ({death}, 'CARDIAC', 1, 1)"
    ))
    .execute(&mut app.db())
    .unwrap();
    let mut coordinator = app.logged_in(&app.coordinator);
    let edit = format!("/patients/{pid}/events/death/{death}/edit");
    let page = coordinator.get(&edit);
    assert!(
        page.body.contains("<option value=\"OTHER\""),
        "Other may be chosen"
    );
    let died = days_ago(100).to_string();
    let post = |coordinator: &mut crate::helpers::Browser, changes: &[(&str, &str)]| {
        let mut fields = vec![
            ("row_version", "1"),
            ("death_date", died.as_str()),
            ("primary_cause", "OTHER"),
            ("primary_cause_other", "Pulmonary embolism"),
            ("autopsy", "Y"),
            ("autopsy_report_attached", "1"),
            ("contributing_causes", "CARDIAC"),
            ("reason", "Autopsy report received"),
        ];
        for (k, v) in changes {
            match fields.iter_mut().find(|(name, _)| name == k) {
                Some(pair) => pair.1 = v,
                None => fields.push((k, v)),
            }
        }
        coordinator.post(&edit, &fields)
    };

    let unnamed = post(&mut coordinator, &[("primary_cause_other", "")]);
    let no_autopsy = post(&mut coordinator, &[("autopsy", "PENDING")]);
    let contributing = post(
        &mut coordinator,
        &[("primary_cause", "CARDIAC"), ("primary_cause_other", "")],
    );
    let saved = post(&mut coordinator, &[]);

    assert_eq!(unnamed.status, 422);
    assert!(unnamed.body.contains("id=\"primary_cause_other-error\""));
    assert_eq!(no_autopsy.status, 422);
    assert!(
        no_autopsy
            .body
            .contains("An autopsy report goes with an autopsy done.")
    );
    assert_eq!(
        no_autopsy.input_value("primary_cause_other").as_deref(),
        Some("Pulmonary embolism"),
        "values kept"
    );
    assert_eq!(contributing.status, 422, "{}", contributing.body);
    assert!(message_by(&contributing, "contributing_causes"));
    assert!(contributing.body.contains("is the primary cause"));
    assert!(selected(&contributing, "CARDIAC"), "values kept");
    assert!(
        contributing.body.contains(
            "id=\"contributing_causes-CARDIAC\" name=\"contributing_causes\" value=\"CARDIAC\" checked"
        ),
        "ticks kept"
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT primary_cause || ':' || primary_cause_other || ':' || autopsy || ':' \
                 || autopsy_report_attached AS v FROM deaths WHERE id = {death}"
            )
        ),
        Some("OTHER:Pulmonary embolism:Y:1".to_owned())
    );
    let timeline = coordinator.get(&format!("/patients/{pid}"));
    assert!(
        timeline.body.contains(
            "Other: Pulmonary embolism; contributing: Cardiac toxicity; autopsy done, report \
             attached"
        ),
        "{}",
        timeline.body
    );
}

#[test]
fn a_death_correction_keeps_removes_and_adds_contributing_causes_with_exactly_their_audit_rows() {
    let app = spawn_app();
    let (pid, _, fu, _) = patient_with_infection(&app, false);
    let death = record_death(&app, pid, fu, days_ago(100));
    for cause in ["CARDIAC", "HAEMORRHAGE"] {
        add_contributing_cause(&app, death, cause, None);
    }
    let [(cardiac, ..), (haemorrhage, ..)] = causes_of(&app, death)[..] else {
        panic!("two contributing causes arranged")
    };
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/events/death/{death}/edit");
    let checked = |r: &Response, code: &str| {
        r.body.contains(&format!(
            "id=\"contributing_causes-{code}\" name=\"contributing_causes\" value=\"{code}\" checked"
        ))
    };
    let stored = coordinator.get(&href);
    assert!(
        checked(&stored, "CARDIAC")
            && checked(&stored, "HAEMORRHAGE")
            && !checked(&stored, "OTHER"),
        "the stored causes ticked"
    );
    let died = days_ago(100).to_string();
    let correction = |version: &'static str, causes: &[&'static str], name: &'static str| {
        let mut fields = vec![
            ("row_version", version),
            ("death_date", died.as_str()),
            ("primary_cause", "INFECTION_VIRAL"),
            ("contributing_cause_other", name),
            ("reason", "Death certificate received"),
        ];
        fields.extend(causes.iter().map(|c| ("contributing_causes", *c)));
        fields
    };

    let unnamed = coordinator.post(&href, &correction("1", &["CARDIAC", "OTHER"], ""));
    let primary_ticked = coordinator.post(
        &href,
        &correction("1", &["INFECTION_VIRAL", "OTHER"], "Renal failure"),
    );
    let saved = coordinator.post(
        &href,
        &correction("1", &["CARDIAC", "OTHER"], "Renal failure"),
    );

    assert_eq!(unnamed.status, 422);
    assert!(message_by(&unnamed, "contributing_cause_other"));
    assert!(!message_by(&unnamed, "contributing_causes"));
    assert!(unnamed.body.contains("Name the other contributing cause."));
    assert!(
        checked(&unnamed, "CARDIAC")
            && checked(&unnamed, "OTHER")
            && !checked(&unnamed, "HAEMORRHAGE"),
        "ticks kept"
    );
    assert_eq!(primary_ticked.status, 422);
    assert!(message_by(&primary_ticked, "contributing_causes"));
    assert!(!message_by(&primary_ticked, "contributing_cause_other"));
    assert!(
        primary_ticked.body.contains(
            "Infection, viral is the primary cause: tick only the causes that contributed"
        )
    );
    assert!(checked(&primary_ticked, "INFECTION_VIRAL") && checked(&primary_ticked, "OTHER"));
    assert_eq!(
        primary_ticked
            .input_value("contributing_cause_other")
            .as_deref(),
        Some("Renal failure"),
        "the name kept"
    );
    saved.assert_redirect_to(&format!("/patients/{pid}"));
    let after = causes_of(&app, death);
    assert_eq!(after.len(), 2, "{after:?}");
    assert_eq!(
        after[0],
        (cardiac, "CARDIAC".to_owned(), None, 1),
        "the kept cause is not rewritten"
    );
    let other = after[1].0;
    assert_eq!(
        after[1],
        (
            other,
            "OTHER".to_owned(),
            Some("Renal failure".to_owned()),
            1
        )
    );
    let sets = app.audit_change_sets("death_contributing_causes");
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(
        app.audit_change_sets("deaths").len(),
        0,
        "the death's own columns did not change"
    );
    let row = audit_row("death_contributing_causes", "Death certificate received");
    let id = death.to_string();
    let mut expected = vec![
        row("DELETE", haemorrhage, "death_id", Some(&id), None),
        row("DELETE", haemorrhage, "cause", Some("HAEMORRHAGE"), None),
        row("INSERT", other, "death_id", None, Some(&id)),
        row("INSERT", other, "cause", None, Some("OTHER")),
        row("INSERT", other, "cause_other", None, Some("Renal failure")),
    ];
    expected.sort();
    assert_eq!(audit_rows_of(&app, sets[0].0), expected);
    assert_eq!(
        count(
            &app,
            &format!("SELECT row_version AS n FROM deaths WHERE id = {death}")
        ),
        2,
        "a change to the contributing causes alone raises the death's version"
    );
    let timeline = coordinator.get(&format!("/patients/{pid}"));
    assert!(
        timeline
            .body
            .contains("Infection, viral; contributing: Cardiac toxicity, Other: Renal failure"),
        "the timeline shows the corrected causes"
    );

    // The other cause renamed: its row updated in place, one audit row.
    let renamed = coordinator.post(
        &href,
        &correction("2", &["CARDIAC", "OTHER"], "Acute kidney injury"),
    );
    // The same again: nothing to write. An edit from the version before: refused as stale.
    let again = coordinator.post(
        &href,
        &correction("3", &["CARDIAC", "OTHER"], "Acute kidney injury"),
    );
    let stale = coordinator.post(&href, &correction("2", &["OTHER"], "Acute kidney injury"));

    renamed.assert_redirect_to(&format!("/patients/{pid}"));
    let sets = app.audit_change_sets("death_contributing_causes");
    assert_eq!(sets.len(), 2, "{sets:?}");
    assert_eq!(
        audit_rows_of(&app, sets[1].0),
        [row(
            "UPDATE",
            other,
            "cause_other",
            Some("Renal failure"),
            Some("Acute kidney injury")
        )]
    );
    assert_eq!(
        causes_of(&app, death)[1],
        (
            other,
            "OTHER".to_owned(),
            Some("Acute kidney injury".to_owned()),
            2
        )
    );
    assert_eq!(again.status, 303);
    assert_eq!(
        count(
            &app,
            &format!("SELECT row_version AS n FROM deaths WHERE id = {death}")
        ),
        3,
        "the same values again leave the version as it was"
    );
    assert_eq!(stale.status, 409);
    assert!(
        stale.body.contains(
            "Contributing causes is now Cardiac toxicity, Other (specify): Acute kidney injury \
             (you entered Other (specify): Acute kidney injury)"
        ),
        "{}",
        stale.body
    );
    assert!(
        checked(&stale, "OTHER") && !checked(&stale, "CARDIAC"),
        "ticks kept"
    );
    assert_eq!(app.audit_change_sets("death_contributing_causes").len(), 2);
    assert_eq!(
        causes_of(&app, death).len(),
        2,
        "the stale edit wrote nothing"
    );
}

#[test]
fn a_corrected_death_date_moves_dead_since_and_cannot_precede_a_visit() {
    let app = spawn_app();
    let (pid, _, fu, _) = patient_with_infection(&app, false);
    let death = record_death(&app, pid, fu, days_ago(100));
    let mut coordinator = app.logged_in(&app.coordinator);
    let edit = format!("/patients/{pid}/events/death/{death}/edit");
    coordinator.get(&edit);
    let before_visit = days_ago(101).to_string();
    let later = days_ago(95).to_string();

    let refused = coordinator.post(
        &edit,
        &[
            ("row_version", "1"),
            ("death_date", &before_visit),
            ("primary_cause", "INFECTION_VIRAL"),
            ("reason", "x"),
        ],
    );
    let saved = coordinator.post(
        &edit,
        &[
            ("row_version", "1"),
            ("death_date", &later),
            ("primary_cause", "INFECTION_VIRAL"),
            ("reason", "Death certificate received"),
        ],
    );

    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("no visit can follow death"));
    assert_eq!(
        refused.input_value("death_date").as_deref(),
        Some(before_visit.as_str())
    );
    assert_eq!(saved.status, 303);
    assert_eq!(
        text(
            &app,
            &format!("SELECT ltfu_status_date AS v FROM patients WHERE id = {pid}")
        ),
        Some(later.clone())
    );
    let deaths = app.audit_change_sets("deaths");
    assert_eq!(deaths.len(), 1);
    assert_eq!(
        app.audit_change_sets("patients").last().map(|s| s.0),
        Some(deaths[0].0)
    );
}

// ---------------------------------------------------------------- demographics and status

fn demographics(
    version: &str,
    sex: &str,
    birth_year: &str,
    reason: &str,
) -> Vec<(&'static str, String)> {
    vec![
        ("row_version", version.to_owned()),
        ("sex", sex.to_owned()),
        ("birth_year", birth_year.to_owned()),
        ("birth_date", String::new()),
        ("enrolment_date", days_ago(240).to_string()),
        ("consent_research", "GIVEN".to_owned()),
        ("consent_research_date", days_ago(240).to_string()),
        ("trial_subject_id", String::new()),
        ("reason", reason.to_owned()),
    ]
}

fn refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn demographics_are_corrected_with_a_reason_and_one_audit_change_set() {
    let app = spawn_app();
    let (pid, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    exec(
        &app,
        format!(
            "UPDATE patients SET consent_research_date = '{}', row_version = row_version + 1 \
             WHERE id = {pid}",
            days_ago(240)
        ),
    );
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/edit");
    assert!(
        coordinator
            .get(&format!("/patients/{pid}"))
            .body
            .contains(&href)
    );
    let form = coordinator.get(&href);
    assert_eq!(form.status, 200);
    assert_eq!(form.input_value("birth_year").as_deref(), Some("1960"));
    assert!(selected(&form, "F"));

    let saved = coordinator.post(
        &href,
        &refs(&demographics("2", "M", "1961", "Source document checked")),
    );

    saved.assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        text(
            &app,
            &format!("SELECT sex || birth_year AS v FROM patients WHERE id = {pid}")
        )
        .as_deref(),
        Some("M1961")
    );
    let sets = app.audit_change_sets("patients");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].1, 2, "sex and birth year");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'patients' \
             AND reason = 'Source document checked'"
        ),
        2
    );
}

#[test]
fn invalid_demographics_return_422_with_values_kept() {
    let app = spawn_app();
    let (pid, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/edit");
    coordinator.get(&href);
    let cases: [(&str, &str, &str, &str, &str); 4] = [
        ("F", "1850", "x", "birth_year", "Enter a year between 1900"),
        ("F", "nineteen", "x", "birth_year", "four digits"),
        ("Q", "1960", "x", "sex", "Choose the sex."),
        (
            "F",
            "1960",
            "",
            "reason",
            "Give the reason for the correction.",
        ),
    ];
    for (sex, year, reason, field, message) in cases {
        let response = coordinator.post(&href, &refs(&demographics("1", sex, year, reason)));

        assert_eq!(response.status, 422, "{field}");
        assert!(response.body.contains(message), "{field}: {message}");
        assert!(message_by(&response, field), "{field}");
        assert_eq!(response.input_value("birth_year").as_deref(), Some(year));
    }
    assert_eq!(app.audit_change_sets("patients").len(), 0);
}

#[test]
fn a_stale_demographics_save_is_refused_with_409() {
    let app = spawn_app();
    let (pid, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/edit");
    coordinator.get(&href);

    let first = coordinator.post(&href, &refs(&demographics("1", "M", "1960", "first")));
    let second = coordinator.post(&href, &refs(&demographics("1", "X", "1962", "second")));

    assert_eq!(first.status, 303);
    assert_eq!(second.status, 409);
    assert!(
        second.body.contains("Sex is now M (you entered X)"),
        "{}",
        second.body
    );
    assert_eq!(second.input_value("birth_year").as_deref(), Some("1962"));
    assert_eq!(
        text(
            &app,
            &format!("SELECT sex AS v FROM patients WHERE id = {pid}")
        )
        .as_deref(),
        Some("M")
    );
    assert_eq!(app.audit_change_sets("patients").len(), 1);
}

#[test]
fn the_follow_up_status_is_set_by_hand_with_its_rules() {
    let app = spawn_app();
    let (pid, cid) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    insert_follow_up(&app, pid, cid, days_ago(100), false);
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/status");
    coordinator.get(&format!("/patients/{pid}/edit"));
    let before_contact = days_ago(120).to_string();
    let after_contact = days_ago(50).to_string();
    let cases: [(&str, &str, &str, &str, &str); 4] = [
        (
            "DEAD",
            &after_contact,
            "",
            "status",
            "Dead is recorded with the death",
        ),
        (
            "TRANSFERRED",
            &after_contact,
            "",
            "transfer_centre",
            "Name the centre",
        ),
        ("WITHDRAWN", "", "", "status_date", "Enter a date"),
        (
            "LOST",
            &before_contact,
            "",
            "status_date",
            "the status cannot take effect before it",
        ),
    ];
    for (status, date, centre, field, message) in cases {
        let response = coordinator.post(
            &href,
            &[
                ("row_version", "1"),
                ("status", status),
                ("status_date", date),
                ("transfer_centre", centre),
                ("status_reason", "Letter from the patient"),
            ],
        );
        assert_eq!(response.status, 422, "{status}");
        assert!(response.body.contains(message), "{status}: {message}");
        assert!(message_by(&response, field), "{status}: {field}");
        assert!(
            response.body.contains(&format!("value=\"{date}\"")),
            "date kept"
        );
    }
    assert_eq!(app.audit_change_sets("patients").len(), 0);

    let saved = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("status", "TRANSFERRED"),
            ("status_date", &after_contact),
            ("transfer_centre", "Gamma hospital"),
            ("status_reason", "Moved abroad"),
        ],
    );
    let stale = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("status", "WITHDRAWN"),
            ("status_date", &after_contact),
            ("status_reason", "Letter"),
        ],
    );

    saved.assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT ltfu_status || ' ' || transfer_centre AS v FROM patients WHERE id = {pid}"
            )
        )
        .as_deref(),
        Some("TRANSFERRED Gamma hospital")
    );
    assert_eq!(stale.status, 409);
    assert!(
        stale
            .body
            .contains("Status is now TRANSFERRED (you entered WITHDRAWN)")
    );
    let sets = app.audit_change_sets("patients");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].1, 3, "status, date and centre");
    // The schedule treats a transferred patient's later visits as not applicable.
    let page = coordinator.get(&format!("/patients/{pid}"));
    assert!(page.body.contains("Transferred to another centre"));
}

#[test]
fn patient_corrections_are_scoped_and_for_coordinators_only() {
    let app = spawn_app();
    let (pid, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    let edit = format!("/patients/{pid}/edit");
    let status = format!("/patients/{pid}/status");
    let typed = demographics("1", "M", "1960", "x");
    let fields = refs(&typed);

    let mut other = app.logged_in(&app.other_coordinator);
    assert_eq!(other.get(&edit).status, 404);
    assert_eq!(other.post(&edit, &fields).status, 404);
    assert_eq!(other.post(&status, &[("status", "LOST")]).status, 404);
    for user in [&app.monitor, &app.analyst, &app.admin] {
        let mut browser = app.logged_in(user);
        assert_eq!(browser.get(&edit).status, 403, "{}", user.username);
        assert_eq!(
            browser.post(&edit, &fields).status,
            403,
            "{}",
            user.username
        );
        assert_eq!(browser.post(&status, &[("status", "LOST")]).status, 403);
    }
    assert_eq!(app.audit_change_sets("patients").len(), 0);
}

// ---------------------------------------------------------------- own password

#[test]
fn a_user_changes_their_password_and_every_other_session_ends() {
    let app = spawn_app();
    let mut here = app.logged_in(&app.coordinator);
    let mut elsewhere = app.logged_in(&app.coordinator);
    here.get("/account");
    let new = "a brand new passphrase";

    let changed = here.post(
        "/account/password",
        &[
            ("current_password", crate::helpers::PASSWORD),
            ("new_password", new),
            ("confirm_password", new),
        ],
    );

    changed.assert_redirect_to("/account?password=changed");
    let page = here.get("/account?password=changed");
    assert_eq!(page.status, 200, "this session goes on");
    assert!(page.body.contains("Your password was changed"));
    elsewhere.get("/").assert_redirect_to("/login");
    assert_eq!(
        app.browser()
            .login(app.coordinator.username, crate::helpers::PASSWORD)
            .status,
        401,
        "the old password no longer works"
    );
    assert_eq!(
        app.browser().login(app.coordinator.username, new).status,
        303
    );
    let hash = text(
        &app,
        &format!(
            "SELECT password_hash AS v FROM users WHERE id = {}",
            app.coordinator.id
        ),
    )
    .unwrap();
    assert!(hash.starts_with("$argon2id$"));
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'users' \
                 AND record_id = {0} AND user_id = {0} AND field_name = 'password_hash' \
                 AND new_value NOT LIKE '$argon2%'",
                app.coordinator.id
            )
        ),
        1,
        "one audit row, never the hash"
    );
}

#[test]
fn a_refused_password_change_says_why_by_the_field_and_echoes_nothing() {
    let app = spawn_app();
    let mut browser = app.logged_in(&app.coordinator);
    browser.get("/account");
    let baseline = app.audit_change_sets("users").len();
    let good = "a brand new passphrase";
    let cases = [
        (
            "wrong current password",
            good,
            good,
            "current_password",
            "This is not your current password.",
        ),
        (
            crate::helpers::PASSWORD,
            "short",
            "short",
            "new_password",
            "at least 12 characters",
        ),
        (
            crate::helpers::PASSWORD,
            good,
            "another passphrase",
            "confirm_password",
            "not the same",
        ),
        (
            crate::helpers::PASSWORD,
            crate::helpers::PASSWORD,
            crate::helpers::PASSWORD,
            "new_password",
            "different from the current one",
        ),
    ];
    for (current, new, confirm, field, message) in cases {
        let response = browser.post(
            "/account/password",
            &[
                ("current_password", current),
                ("new_password", new),
                ("confirm_password", confirm),
            ],
        );
        assert_eq!(response.status, 422, "{field}");
        assert!(response.body.contains(message), "{field}: {message}");
        assert!(message_by(&response, field), "{field}");
        assert!(!response.body.contains(new), "the password is not echoed");
    }
    let refused = browser.post_raw(
        "/account/password",
        &[
            ("current_password", crate::helpers::PASSWORD),
            ("new_password", good),
            ("confirm_password", good),
        ],
    );
    assert_eq!(refused.status, 403, "CSRF");
    assert_eq!(
        app.audit_change_sets("users").len(),
        baseline,
        "nothing written"
    );
    assert_eq!(
        app.browser()
            .login(app.coordinator.username, crate::helpers::PASSWORD)
            .status,
        303
    );
}

// ---------------------------------------------------------------- diagnosis, "Other disease"

fn diagnosis_of(app: &TestApp, pid: i32) -> i32 {
    count(
        app,
        &format!("SELECT id AS n FROM diagnoses WHERE patient_id = {pid}"),
    ) as i32
}

#[test]
fn other_disease_is_named_stored_and_shown() {
    let app = spawn_app();
    let (pid, _) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    let did = diagnosis_of(&app, pid);
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/diagnoses/{did}/edit");
    assert!(
        coordinator
            .get(&format!("/patients/{pid}"))
            .body
            .contains(&href)
    );
    let form = coordinator.get(&href);
    assert!(selected(&form, "DLBCL_NOS"));
    let date = days_ago(600).to_string();
    let after_apheresis = days_ago(100).to_string();
    let cases: [(&str, &str, &str, &str, &str); 4] = [
        ("OTHER", "", &date, "disease_other", "Name the disease"),
        (
            "DLBCL_NOS",
            "BPDCN",
            &date,
            "disease_other",
            "Only for another disease",
        ),
        (
            "OTHER",
            "BPDCN",
            &after_apheresis,
            "diagnosis_date",
            "the diagnosis cannot follow it",
        ),
        ("", "", &date, "disease", "Choose the disease."),
    ];
    for (disease, other, when, field, message) in cases {
        let response = coordinator.post(
            &href,
            &[
                ("row_version", "1"),
                ("disease", disease),
                ("disease_other", other),
                ("diagnosis_date", when),
                ("reason", "Pathology review"),
            ],
        );
        assert_eq!(response.status, 422, "{field}");
        assert!(response.body.contains(message), "{field}: {message}");
        assert!(message_by(&response, field), "{field}");
        assert_eq!(
            response.input_value("disease_other").as_deref(),
            Some(other)
        );
        assert_eq!(
            response.input_value("diagnosis_date").as_deref(),
            Some(when)
        );
    }
    assert_eq!(app.audit_change_sets("diagnoses").len(), 0);

    let saved = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("disease", "OTHER"),
            (
                "disease_other",
                "  Blastic plasmacytoid dendritic cell neoplasm ",
            ),
            ("diagnosis_date", &date),
            ("reason", "Pathology review"),
        ],
    );
    let stale = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("disease", "DLBCL_NOS"),
            ("disease_other", ""),
            ("diagnosis_date", &date),
            ("reason", "again"),
        ],
    );

    saved.assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        text(
            &app,
            &format!("SELECT disease || ':' || disease_other AS v FROM diagnoses WHERE id = {did}")
        )
        .as_deref(),
        Some("OTHER:Blastic plasmacytoid dendritic cell neoplasm")
    );
    assert!(
        coordinator
            .get(&format!("/patients/{pid}"))
            .body
            .contains("Blastic plasmacytoid dendritic cell neoplasm")
    );
    assert_eq!(stale.status, 409);
    assert!(
        stale
            .body
            .contains("Disease is now OTHER (you entered DLBCL_NOS)")
    );
    let sets = app.audit_change_sets("diagnoses");
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].1, 2, "disease and its name (the date is unchanged)");

    let mut other = app.logged_in(&app.other_coordinator);
    assert_eq!(other.get(&href).status, 404);
    let mut monitor = app.logged_in(&app.monitor);
    assert_eq!(monitor.get(&href).status, 403);
    assert_eq!(
        coordinator
            .post_raw(&href, &[("row_version", "2"), ("disease", "DLBCL_NOS")])
            .status,
        403,
        "CSRF"
    );
}

#[test]
fn a_disease_change_that_would_change_the_response_criteria_is_refused() {
    let app = spawn_app();
    let (pid, cid) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(200));
    exec(
        &app,
        format!(
            "INSERT INTO response_assessments (patient_id, course_id, assessment_date, criteria, \
             response, created_by, updated_by) VALUES ({pid}, {cid}, '{}', 'LUGANO2014', 'CR', 1, 1)",
            days_ago(110)
        ),
    );
    let did = diagnosis_of(&app, pid);
    let mut coordinator = app.logged_in(&app.coordinator);
    let href = format!("/patients/{pid}/diagnoses/{did}/edit");
    coordinator.get(&href);

    let response = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("disease", "MM"),
            ("diagnosis_date", &days_ago(600).to_string()),
            ("reason", "x"),
        ],
    );

    assert_eq!(response.status, 422);
    assert!(response.body.contains("recorded by LUGANO2014 criteria"));
    assert!(message_by(&response, "disease"));
}

/// (kind, table, insert columns, insert values, posted fields, (check SQL, expected prefix))
type KindCase = (
    &'static str,
    &'static str,
    &'static str,
    String,
    Vec<(&'static str, String)>,
    (&'static str, &'static str),
);

/// Every kind of event: the form comes back filled, a correction is written with the column
/// types the schema wants (dates, reals, integers, booleans) and exactly one audit change set.
#[test]
fn every_kind_of_event_can_be_corrected() {
    let app = spawn_app();
    let (pid, cid, fu, _) = patient_with_infection(&app, false);
    let d = |n: i64| days_ago(n).to_string();
    let cases: Vec<KindCase> = vec![
        (
            "response",
            "response_assessments",
            "patient_id, course_id, reported_in_follow_up_id, assessment_date, criteria, response",
            format!("{pid}, {cid}, {fu}, '{}', 'LUGANO2014', 'PR'", d(110)),
            vec![
                ("assessment_date", d(112)),
                ("response", "CR".into()),
                ("method", "PET_CT".into()),
                ("deauville_score", "3".into()),
                ("mrd_status", "NEG".into()),
                ("mrd_method", "FLOW".into()),
                ("mrd_sensitivity", "E5".into()),
                ("assessor", "INVESTIGATOR".into()),
            ],
            (
                "response || method || typeof(deauville_score) || deauville_score || mrd_status \
                 || mrd_method || mrd_sensitivity || assessor || assessment_date",
                "CRPET_CTinteger3NEGFLOWE5INVESTIGATOR",
            ),
        ),
        (
            "toxicity",
            "toxicity_events",
            "patient_id, course_id, reported_in_follow_up_id, toxicity_type, grading_system, \
             max_grade, onset_date, crs_hypotension, crs_hypoxia",
            format!(
                "{pid}, {cid}, {fu}, 'CRS', 'ASTCT2019', 'G2', '{}', 'FLUIDS', 'NONE'",
                d(198)
            ),
            vec![
                ("toxicity_type", "ICANS".into()),
                ("onset_date", d(197)),
                ("max_grade", "G2".into()),
                ("crs_hypotension", String::new()),
                ("crs_hypoxia", String::new()),
                ("icans_lowest_ice_score", "5".into()),
            ],
            (
                "toxicity_type || typeof(icans_lowest_ice_score) || icans_lowest_ice_score \
                 || coalesce(crs_hypotension, '-')",
                "ICANSinteger5-",
            ),
        ),
        (
            "immunoglobulin",
            "immunoglobulin_courses",
            "patient_id, reported_in_follow_up_id, start_date, ongoing, route",
            format!("{pid}, {fu}, '{}', 1, 'IVIG'", d(160)),
            vec![
                ("start_date", d(161)),
                ("route", "SCIG".into()),
                ("stop_date", d(140)),
                ("dose_mg_per_kg", "400".into()),
                ("interval_days", "28".into()),
                ("indication", "HYPOGAMMAGLOBULINAEMIA".into()),
                ("product_name", "Hizentra".into()),
            ],
            (
                "route || ongoing || dose_mg_per_kg || interval_days || indication \
                 || product_name || (stop_date = start_date)",
                "SCIG0400.028HYPOGAMMAGLOBULINAEMIAHizentra0",
            ),
        ),
        (
            "lab",
            "lab_results",
            "patient_id, reported_in_follow_up_id, sample_date, analyte, value, unit",
            format!("{pid}, {fu}, '{}', 'IGG', 5.1, 'G_L'", d(120)),
            vec![
                ("analyte", "IGG".into()),
                ("sample_date", d(120)),
                ("value", "6,3".into()),
                ("unit", "G_L".into()),
            ],
            ("typeof(value) || value || ivig_within_30_days", "real6.3Y"),
        ),
        (
            "persistence",
            "persistence_tests",
            "patient_id, course_id, reported_in_follow_up_id, sample_date, specimen, method, detected",
            format!("{pid}, {cid}, {fu}, '{}', 'PB', 'FLOW_CAR', 'Y'", d(130)),
            vec![
                ("sample_date", d(130)),
                ("specimen", "BM".into()),
                ("method", "DDPCR".into()),
                ("detected", "Y".into()),
                ("value", "250".into()),
                ("unit", "COPIES_PER_UG_GDNA".into()),
                ("lloq", "10".into()),
                ("laboratory", "Central lab".into()),
            ],
            (
                "specimen || method || detected || value || unit || lloq || below_lloq \
                 || laboratory",
                "BMDDPCRY250.0COPIES_PER_UG_GDNA10.00Central lab",
            ),
        ),
        (
            "malignancy",
            "new_malignancies",
            "patient_id, reported_in_follow_up_id, diagnosis_date, malignancy_type, \
             malignancy_detail, t_cell_malignancy",
            format!("{pid}, {fu}, '{}', 'SOLID', 'Lung', 0", d(105)),
            vec![
                ("malignancy_type", "T_CELL_LYMPHOMA".into()),
                ("diagnosis_date", d(105)),
                ("malignancy_detail", String::new()),
                ("car_transgene_result", "DETECTED".into()),
                ("product_derived", "Y".into()),
                ("ebv_positive", "UNK".into()),
                ("pathology_report_attached", "1".into()),
                // After the reporting contact (100 days ago): a report often is.
                ("reported_to_manufacturer_date", d(95)),
                ("reported_to_fda_date", d(90)),
            ],
            (
                "malignancy_type || t_cell_malignancy || car_transgene_tested \
                 || car_transgene_result || coalesce(malignancy_detail, '-') || product_derived \
                 || ebv_positive || pathology_report_attached \
                 || (reported_to_manufacturer_date = date(diagnosis_date, '+10 days')) \
                 || (reported_to_fda_date = date(diagnosis_date, '+15 days'))",
                "T_CELL_LYMPHOMA1YDETECTED-YUNK111",
            ),
        ),
        (
            "therapy",
            "subsequent_therapies",
            "patient_id, course_id, reported_in_follow_up_id, category, start_date",
            format!("{pid}, {cid}, {fu}, 'RADIOTHERAPY', '{}'", d(102)),
            vec![
                ("category", "BISPECIFIC".into()),
                ("start_date", d(101)),
                ("intent", "RELAPSE_PROGRESSION".into()),
                ("regimen", "Glofitamab".into()),
                ("end_date", d(101)),
                ("best_response", "PR".into()),
            ],
            (
                "category || intent || regimen || (end_date = start_date) || best_response",
                "BISPECIFICRELAPSE_PROGRESSIONGlofitamab1PR",
            ),
        ),
    ];
    let mut coordinator = app.logged_in(&app.coordinator);
    for (kind, table, columns, values, fields, (check, expected)) in &cases {
        exec(
            &app,
            format!(
                "INSERT INTO {table} ({columns}, created_by, updated_by) VALUES ({values}, 1, 1)"
            ),
        );
        let id = last_id(&app, table);
        let href = format!("/patients/{pid}/events/{kind}/{id}/edit");
        let page = coordinator.get(&href);
        assert_eq!(page.status, 200, "{kind}");
        assert_eq!(
            page.input_value("row_version").as_deref(),
            Some("1"),
            "{kind}"
        );
        let mut all: Vec<(&str, &str)> = vec![("row_version", "1"), ("reason", "Source check")];
        all.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));

        let response = coordinator.post(&href, &all);

        assert_eq!(response.status, 303, "{kind}: {}", response.body);
        let got = text(
            &app,
            &format!("SELECT {check} AS v FROM {table} WHERE id = {id}"),
        )
        .unwrap_or_default();
        assert!(got.starts_with(expected), "{kind}: {got} vs {expected}");
        assert_eq!(app.audit_change_sets(table).len(), 1, "{kind}");
    }
}

/// A refused correction: the changes to a valid one, the field with the message, and (part of)
/// that message.
type Refusal<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);

/// Posts `valid` with each case's changes: a 422 with the message by its field, and every
/// value typed kept (a code not among a select's options cannot come back selected).
fn assert_each_correction_refused(
    coordinator: &mut crate::helpers::Browser,
    href: &str,
    valid: &[(&str, &str)],
    cases: &[Refusal<'_>],
) {
    for (changes, field, message) in cases {
        let mut fields = valid.to_vec();
        for (name, value) in changes {
            match fields.iter_mut().find(|(n, _)| n == name) {
                Some(pair) => pair.1 = value,
                None => fields.push((name, value)),
            }
        }

        let response = coordinator.post(href, &fields);

        assert_eq!(response.status, 422, "{changes:?}: {}", response.body);
        assert!(response.body.contains(message), "{changes:?}: {message}");
        assert!(
            message_by(&response, field),
            "{changes:?}: message by {field}"
        );
        for (name, typed) in &fields {
            let kept = response.input_value(name).as_deref() == Some(*typed)
                || selected(&response, typed)
                || typed.is_empty()
                || *name == "pathology_report_attached"
                // A code not among a select's options cannot come back selected.
                || (response.body.contains(&format!("<select id=\"{name}\""))
                    && !response.body.contains(&format!("<option value=\"{typed}\"")));
            assert!(kept, "{changes:?}: {name}={typed} kept");
        }
    }
}

/// A response correction reads its details as the follow-up form does: the Deauville score of
/// a Lugano PET-CT consistent with the response (domain.md §4.3), MRD details with a status.
#[test]
fn a_response_correction_checks_its_deauville_score_and_mrd_details_beside_each_field() {
    let app = spawn_app();
    let (pid, cid, fu, _) = patient_with_infection(&app, false);
    let assessed = days_ago(110).to_string();
    exec(
        &app,
        format!(
            "INSERT INTO response_assessments (patient_id, course_id, reported_in_follow_up_id, \
             assessment_date, criteria, response, created_by, updated_by) \
             VALUES ({pid}, {cid}, {fu}, '{assessed}', 'LUGANO2014', 'PR', 1, 1)"
        ),
    );
    let id = last_id(&app, "response_assessments");
    let href = format!("/patients/{pid}/events/response/{id}/edit");
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(coordinator.get(&href).status, 200);
    let valid: Vec<(&str, &str)> = vec![
        ("row_version", "1"),
        ("reason", "Central review"),
        ("assessment_date", &assessed),
        ("response", "PR"),
        ("method", "PET_CT"),
        ("deauville_score", "4"),
        ("assessor", "CENTRAL"),
    ];
    let cases: Vec<Refusal<'_>> = vec![
        (
            vec![("response", "CR")],
            "response",
            "Deauville 4 is not a complete metabolic response",
        ),
        (
            vec![("method", "MRI")],
            "deauville_score",
            "A Deauville score grades a PET-CT",
        ),
        (
            vec![("mrd_sensitivity", "E6")],
            "mrd_sensitivity",
            "An MRD sensitivity goes with an MRD status",
        ),
    ];
    assert_each_correction_refused(&mut coordinator, &href, &valid, &cases);
    assert_eq!(patient_change_sets(&app, pid), 0, "nothing saved");

    let saved = coordinator.post(&href, &valid);

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT method || deauville_score || assessor AS v FROM response_assessments \
                 WHERE id = {id}"
            ),
        )
        .as_deref(),
        Some("PET_CT4CENTRAL")
    );
}

/// A new malignancy's correction takes the CAR-transgene test, product origin, EBV, the
/// pathology report and the reports to the manufacturer and the FDA, by the rules of the
/// follow-up form: each refusal a 422 with its message by the field and the values kept.
#[test]
fn a_malignancy_correction_checks_its_origin_and_reports_beside_each_field() {
    let app = spawn_app();
    let (pid, _, fu, _) = patient_with_infection(&app, false);
    let diagnosed = days_ago(105).to_string();
    exec(
        &app,
        format!(
            "INSERT INTO new_malignancies (patient_id, reported_in_follow_up_id, diagnosis_date, \
             malignancy_type, t_cell_malignancy, car_transgene_tested, car_transgene_result, \
             reported_to_manufacturer_date, created_by, updated_by) \
             VALUES ({pid}, {fu}, '{diagnosed}', 'T_CELL_LYMPHOMA', 1, 'Y', 'PENDING', '{}', 1, 1)",
            days_ago(95)
        ),
    );
    let id = last_id(&app, "new_malignancies");
    let href = format!("/patients/{pid}/events/malignancy/{id}/edit");
    let mut coordinator = app.logged_in(&app.coordinator);
    let page = coordinator.get(&href);
    assert_eq!(
        page.input_value("reported_to_manufacturer_date"),
        Some(days_ago(95).to_string()),
        "the stored report date fills the form"
    );
    let before_diagnosis = days_ago(106).to_string();
    let future = days_ago(-1).to_string();
    let valid: Vec<(&str, &str)> = vec![
        ("row_version", "1"),
        ("reason", "Pathology review"),
        ("malignancy_type", "T_CELL_LYMPHOMA"),
        ("diagnosis_date", &diagnosed),
        ("car_transgene_result", "DETECTED"),
        ("product_derived", "Y"),
        ("ebv_positive", "N"),
        ("pathology_report_attached", "1"),
    ];
    let cases: Vec<Refusal<'_>> = vec![
        (
            vec![("car_transgene_result", "PENDING")],
            "product_derived",
            "derived from the CAR-T product only with the CAR transgene detected",
        ),
        (
            vec![("car_transgene_result", ""), ("product_derived", "")],
            "car_transgene_result",
            "test the tumour for the CAR transgene",
        ),
        (
            vec![("reported_to_manufacturer_date", &before_diagnosis)],
            "reported_to_manufacturer_date",
            "The report to the manufacturer cannot precede the diagnosis",
        ),
        (
            vec![("reported_to_fda_date", &before_diagnosis)],
            "reported_to_fda_date",
            "The report to the FDA cannot precede the diagnosis",
        ),
        (
            vec![("reported_to_fda_date", &future)],
            "reported_to_fda_date",
            "This date is in the future.",
        ),
        (
            vec![("ebv_positive", "POS")],
            "ebv_positive",
            "Choose yes, no or unknown.",
        ),
        (
            vec![("pathology_report_attached", "2")],
            "pathology_report_attached",
            "Tick the box or leave it blank.",
        ),
    ];
    assert_each_correction_refused(&mut coordinator, &href, &valid, &cases);
    assert_eq!(patient_change_sets(&app, pid), 0, "nothing saved");

    let saved = coordinator.post(&href, &valid);

    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT car_transgene_result || product_derived || ebv_positive \
                 || pathology_report_attached || coalesce(reported_to_manufacturer_date, '-') \
                 || reported_to_manufacturer_date_estimated AS v \
                 FROM new_malignancies WHERE id = {id}"
            )
        )
        .as_deref(),
        Some("DETECTEDYN1-0"),
        "a report date left blank is cleared"
    );
    let timeline = coordinator.get(&format!("/patients/{pid}"));
    assert!(
        timeline
            .body
            .contains("T-cell lymphoma; CAR transgene detected (product-derived); EBV negative; pathology report attached<"),
        "{}",
        timeline.body
    );
}

#[test]
fn guessing_the_current_password_is_throttled_like_a_login() {
    let app = crate::helpers::spawn_app_with(|s| s.max_failures_per_ip = 2);
    let mut browser = app.logged_in(&app.coordinator);
    browser.get("/account");
    let guess = |browser: &mut crate::helpers::Browser| {
        browser
            .post(
                "/account/password",
                &[
                    ("current_password", "a wrong guess"),
                    ("new_password", "a brand new passphrase"),
                    ("confirm_password", "a brand new passphrase"),
                ],
            )
            .status
    };

    assert_eq!(guess(&mut browser), 422);
    assert_eq!(guess(&mut browser), 422);
    assert_eq!(guess(&mut browser), 429);
}

/// An ongoing early ICAHT (EHA/EBMT 2023 grade 2, onset 195 days ago) reported in the Day 100
/// follow-up of [`patient_with_infection`].
struct EarlyIcaht {
    pid: i32,
    /// The follow-up that reported it.
    fu: i32,
    toxicity: i32,
    /// Its correction form.
    href: String,
}

fn early_icaht_grade_2(app: &TestApp) -> EarlyIcaht {
    let (pid, cid, fu, _) = patient_with_infection(app, false);
    exec(
        app,
        format!(
            "INSERT INTO toxicity_events (patient_id, course_id, reported_in_follow_up_id, \
             toxicity_type, grading_system, max_grade, onset_date, ongoing, created_by, updated_by) \
             VALUES ({pid}, {cid}, {fu}, 'ICAHT_EARLY', 'EHA_EBMT2023', 'G2', '{}', 1, 1, 1)",
            days_ago(195)
        ),
    );
    let toxicity = last_id(app, "toxicity_events");
    EarlyIcaht {
        pid,
        fu,
        toxicity,
        href: format!("/patients/{pid}/events/toxicity/{toxicity}/edit"),
    }
}

/// An early ICAHT (EHA/EBMT 2023 grade 2, day 5) reported at Day 100 (contact day 100): its
/// correction follows the type's own rules, and a change of type takes the new type's system.
#[test]
fn an_icaht_is_corrected_by_its_own_rules_and_becomes_an_iec_hs_in_ctcae() {
    let app = spawn_app();
    let EarlyIcaht {
        pid,
        fu,
        toxicity,
        href,
    } = early_icaht_grade_2(&app);
    let mut coordinator = app.logged_in(&app.coordinator);
    let page = coordinator.get(&href);
    assert_eq!(page.status, 200);
    assert!(selected(&page, "ICAHT_EARLY"));
    let onset = days_ago(195).to_string();
    let day40 = days_ago(160).to_string();
    let before_onset = days_ago(196).to_string();
    let after_contact = days_ago(50).to_string();
    let base = [
        ("row_version", "1"),
        ("toxicity_type", "ICAHT_EARLY"),
        ("onset_date", onset.as_str()),
        ("max_grade", "G2"),
        ("reason", "Chart review"),
    ];
    let with = |changes: &[(&'static str, &str)]| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = base
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        for (k, v) in changes {
            match out.iter_mut().find(|(name, _)| name == k) {
                Some(pair) => pair.1 = (*v).to_owned(),
                None => out.push(((*k).to_owned(), (*v).to_owned())),
            }
        }
        out
    };
    // (changes, field, message)
    type IcahtCase<'a> = (Vec<(&'static str, &'a str)>, &'a str, &'a str);
    let cases: Vec<IcahtCase> = vec![
        (vec![("max_grade", "G5")], "max_grade", "from 1 to 4, not 5"),
        (
            vec![("onset_date", &day40)],
            "onset_date",
            "an onset on day 40 is late ICAHT",
        ),
        (
            vec![("resolution_date", &before_onset)],
            "resolution_date",
            "The resolution cannot precede the onset.",
        ),
        (
            vec![("toxicity_type", "OTHER")],
            "toxicity_term",
            "Give the CTCAE term or a description of this toxicity.",
        ),
        (
            vec![("crs_hypoxia", "LOW_FLOW")],
            "crs_hypotension",
            "Hypotension and hypoxia belong to CRS.",
        ),
    ];
    for (changes, field, message) in &cases {
        let fields = with(changes);
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();

        let response = coordinator.post(&href, &refs);

        assert_eq!(response.status, 422, "{changes:?}");
        assert!(response.body.contains(message), "{changes:?}: {message:?}");
        assert!(message_by(&response, field), "{changes:?}: by {field}");
        for (name, typed) in changes {
            let kept =
                response.input_value(name).as_deref() == Some(*typed) || selected(&response, typed);
            assert!(kept, "{changes:?}: {name}={typed} kept");
        }
    }
    assert_eq!(patient_change_sets(&app, pid), 0, "nothing saved");

    // Late ICAHT from day 40, resolved after the reporting contact (completing an event that
    // was ongoing then): same grading system, so it is not rewritten.
    let late = with(&[
        ("toxicity_type", "ICAHT_LATE"),
        ("onset_date", &day40),
        ("max_grade", "G3"),
        ("resolution_date", &after_contact),
    ]);
    let refs: Vec<(&str, &str)> = late.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    coordinator
        .post(&href, &refs)
        .assert_redirect_to(&format!("/patients/{pid}"));
    let row = |app: &TestApp| {
        text(
            app,
            &format!(
                "SELECT toxicity_type || ' ' || grading_system || ' ' || max_grade || ' ' || \
                 onset_date || ' ' || coalesce(resolution_date, '-') || ' ' || ongoing AS v \
                 FROM toxicity_events WHERE id = {toxicity}"
            ),
        )
    };
    assert_eq!(
        row(&app).as_deref(),
        Some(format!("ICAHT_LATE EHA_EBMT2023 G3 {day40} {after_contact} 0").as_str())
    );
    let sets = app.audit_change_sets("toxicity_events");
    assert_eq!(sets.len(), 1, "one change set: {sets:?}");
    assert_eq!(
        sets[0].1, 5,
        "type, onset, grade, resolution and ongoing: {sets:?}"
    );

    // Re-classified as IEC-HS: CTCAE v5, where grade 5 exists.
    let iec_hs = with(&[
        ("row_version", "2"),
        ("toxicity_type", "IEC_HS"),
        ("onset_date", &day40),
        ("max_grade", "G4"),
        ("resolution_date", &after_contact),
        ("reason", "HLH-like on review"),
    ]);
    let refs: Vec<(&str, &str)> = iec_hs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    coordinator
        .post(&href, &refs)
        .assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        row(&app).as_deref(),
        Some(format!("IEC_HS CTCAE5 G4 {day40} {after_contact} 0").as_str())
    );
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT new_value AS v FROM audit_log WHERE table_name = 'toxicity_events' \
                 AND record_id = {toxicity} AND field_name = 'grading_system'"
            ),
        )
        .as_deref(),
        Some("CTCAE5")
    );

    // Nothing resolves after death.
    record_death(&app, pid, fu, days_ago(60));
    let after_death = with(&[
        ("row_version", "3"),
        ("toxicity_type", "IEC_HS"),
        ("onset_date", &day40),
        ("max_grade", "G4"),
        ("resolution_date", &after_contact),
    ]);
    let refs: Vec<(&str, &str)> = after_death
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = coordinator.post(&href, &refs);
    assert_eq!(refused.status, 422);
    assert!(message_by(&refused, "resolution_date"));
    assert!(refused.body.contains("after the recorded death"));
}

/// A CRS (ASTCT grade 2, onset day 2) reported at Day 100: its correction records the date of
/// the maximum grade and the treatments, each change in one audit change set with the reason;
/// a change to the treatments alone raises the toxicity's version, so a stale one is refused.
#[test]
fn a_toxicity_correction_records_its_max_grade_date_and_treatments_and_refuses_a_stale_one() {
    let app = spawn_app();
    let (pid, cid, fu, _) = patient_with_infection(&app, false);
    let onset = days_ago(198).to_string();
    exec(
        &app,
        format!(
            "INSERT INTO toxicity_events (patient_id, course_id, reported_in_follow_up_id, \
             toxicity_type, grading_system, max_grade, onset_date, crs_hypotension, crs_hypoxia, \
             created_by, updated_by) VALUES ({pid}, {cid}, {fu}, 'CRS', 'ASTCT2019', 'G2', \
             '{onset}', 'FLUIDS', 'NONE', 1, 1)"
        ),
    );
    let toxicity = last_id(&app, "toxicity_events");
    let href = format!("/patients/{pid}/events/toxicity/{toxicity}/edit");
    let mut coordinator = app.logged_in(&app.coordinator);
    let mut other = app.logged_in(&app.coordinator);
    let page = coordinator.get(&href);
    assert!(
        page.body
            .contains("<label for=\"treatment_TOCILIZUMAB\">Tocilizumab</label>")
    );
    other.get(&href);
    let peak = days_ago(197).to_string();
    let start = days_ago(198).to_string();
    let base = |version: &'static str| {
        vec![
            ("row_version", version),
            ("toxicity_type", "CRS"),
            ("onset_date", onset.as_str()),
            ("max_grade", "G2"),
            ("crs_hypotension", "FLUIDS"),
            ("crs_hypoxia", "NONE"),
            ("max_grade_date", peak.as_str()),
            ("max_grade_date_estimated", "1"),
            ("reason", "Chart review"),
        ]
    };
    let mut first = base("1");
    first.extend([
        ("treatment_TOCILIZUMAB", "1"),
        ("treatment_TOCILIZUMAB_doses", "1"),
        ("treatment_TOCILIZUMAB_start_date", start.as_str()),
        ("treatment_VASOPRESSORS", "1"),
    ]);

    coordinator
        .post(&href, &first)
        .assert_redirect_to(&format!("/patients/{pid}"));

    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT max_grade_date || ' ' || max_grade_date_estimated || ' ' || row_version \
                 AS v FROM toxicity_events WHERE id = {toxicity}"
            )
        )
        .as_deref(),
        Some(format!("{peak} 1 2").as_str())
    );
    let treatments = |app: &TestApp| {
        text(
            app,
            &format!(
                "SELECT group_concat(agent || ':' || coalesce(doses_count, '-') || ':' || \
                 coalesce(start_date, '-'), ' ') AS v FROM (SELECT * FROM toxicity_treatments \
                 WHERE toxicity_event_id = {toxicity} ORDER BY id)"
            ),
        )
    };
    assert_eq!(
        treatments(&app).as_deref(),
        Some(format!("TOCILIZUMAB:1:{start} VASOPRESSORS:-:-").as_str())
    );
    let sets = app.audit_change_sets("toxicity_treatments");
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(
        sets[0].0,
        app.audit_change_sets("toxicity_events")[0].0,
        "the event and its treatments in one change set"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'toxicity_treatments' \
             AND reason = 'Chart review'"
        ),
        8,
        "tocilizumab: event, agent, doses, start, estimated; vasopressors: event, agent, estimated"
    );
    let shown = coordinator.get(&href);
    assert!(
        shown
            .body
            .contains("name=\"treatment_VASOPRESSORS\" value=\"1\" checked")
    );
    assert!(
        shown
            .body
            .contains("name=\"max_grade_date_estimated\" type=\"checkbox\" value=\"1\" checked")
    );

    // The treatments alone change: a second dose, vasopressors removed.
    let mut second = base("2");
    second.extend([
        ("treatment_TOCILIZUMAB", "1"),
        ("treatment_TOCILIZUMAB_doses", "2"),
        ("treatment_TOCILIZUMAB_start_date", start.as_str()),
    ]);
    second.retain(|(k, _)| *k != "reason");
    second.push(("reason", "Second dose found"));
    coordinator
        .post(&href, &second)
        .assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(
        treatments(&app).as_deref(),
        Some(format!("TOCILIZUMAB:2:{start}").as_str())
    );
    assert_eq!(
        text(
            &app,
            &format!("SELECT row_version AS v FROM toxicity_events WHERE id = {toxicity}")
        )
        .as_deref(),
        Some("3"),
        "a change to the treatments alone raises the toxicity's version"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_log WHERE table_name = 'toxicity_treatments' \
             AND reason = 'Second dose found' AND action IN ('UPDATE', 'DELETE')"
        ),
        4,
        "the doses updated (one value); the vasopressors deleted (its three stored values)"
    );

    // The other coordinator still has version 1: refused, nothing overwritten.
    let mut stale = base("1");
    stale.extend([("treatment_ANAKINRA", "1")]);
    let refused = other.post(&href, &stale);
    assert_eq!(refused.status, 409, "{}", refused.body);
    // The message names the treatments that differ, as stored now and as typed.
    for changed in [
        format!(
            "Tocilizumab (treatment) is now given, 2 doses, from {start} (you entered not given)"
        ),
        "Anakinra (treatment) is now not given (you entered given)".to_owned(),
    ] {
        assert!(
            refused.body.contains(&changed),
            "{changed}: {}",
            refused.body
        );
    }
    assert!(
        !refused.body.contains("Siltuximab (treatment)"),
        "unchanged agents are not named"
    );
    assert!(
        refused
            .body
            .contains("name=\"treatment_ANAKINRA\" value=\"1\" checked"),
        "kept"
    );
    assert_eq!(
        treatments(&app).as_deref(),
        Some(format!("TOCILIZUMAB:2:{start}").as_str())
    );

    let timeline = coordinator.get(&format!("/patients/{pid}"));
    assert!(
        timeline.body.contains(&format!(
            "maximum grade 2 on {peak} (estimated); treated with Tocilizumab, 2 doses from {start}"
        )),
        "shown on the timeline"
    );
}

/// An ICAHT's neutrophil counts (EHA/EBMT 2023) are corrected with it: refused on the other
/// ICAHT type or when they imply another grade (named by the grade, values kept), saved and
/// audited otherwise, and cleared when the type changes.
#[test]
fn an_icaht_correction_checks_the_grade_against_the_neutrophil_counts() {
    let app = spawn_app();
    let EarlyIcaht {
        pid,
        toxicity,
        href,
        ..
    } = early_icaht_grade_2(&app);
    let mut coordinator = app.logged_in(&app.coordinator);
    assert_eq!(coordinator.get(&href).status, 200);
    let onset = days_ago(195).to_string();
    let day40 = days_ago(160).to_string();
    let post = |coordinator: &mut crate::helpers::Browser, fields: &[(&str, &str)]| {
        let mut all = vec![("reason", "Chart review")];
        all.extend_from_slice(fields);
        coordinator.post(&href, &all)
    };
    let stored = |app: &TestApp| {
        text(
            app,
            &format!(
                "SELECT toxicity_type || ' ' || max_grade || ' ' || \
                 coalesce(icaht_days_anc_le_500, '-') || ' ' || \
                 coalesce(icaht_days_anc_le_100, '-') || ' ' || \
                 coalesce(icaht_anc_nadir_per_ul, '-') AS v FROM toxicity_events WHERE id = {toxicity}"
            ),
        )
    };

    let mismatch = post(
        &mut coordinator,
        &[
            ("row_version", "1"),
            ("onset_date", onset.as_str()),
            ("toxicity_type", "ICAHT_EARLY"),
            ("max_grade", "G2"),
            ("icaht_days_anc_le_500", "14"),
            ("icaht_days_anc_le_100", "0"),
        ],
    );
    let nadir_on_early = post(
        &mut coordinator,
        &[
            ("row_version", "1"),
            ("onset_date", onset.as_str()),
            ("toxicity_type", "ICAHT_EARLY"),
            ("max_grade", "G2"),
            ("icaht_anc_nadir_per_ul", "800"),
        ],
    );

    assert_eq!(mismatch.status, 422);
    assert!(
        mismatch
            .body
            .contains("these neutrophil counts make early ICAHT grade 3, not 2.")
    );
    assert!(message_by(&mismatch, "max_grade"));
    assert_eq!(
        mismatch.input_value("icaht_days_anc_le_500").as_deref(),
        Some("14")
    );
    assert_eq!(nadir_on_early.status, 422);
    assert!(
        nadir_on_early
            .body
            .contains("The ANC nadir belongs to late ICAHT")
    );
    assert!(message_by(&nadir_on_early, "icaht_anc_nadir_per_ul"));
    assert_eq!(patient_change_sets(&app, pid), 0, "nothing saved");

    post(
        &mut coordinator,
        &[
            ("row_version", "1"),
            ("onset_date", onset.as_str()),
            ("toxicity_type", "ICAHT_EARLY"),
            ("max_grade", "G2"),
            ("icaht_days_anc_le_500", "10"),
            ("icaht_days_anc_le_100", "3"),
        ],
    )
    .assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(stored(&app).as_deref(), Some("ICAHT_EARLY G2 10 3 -"));
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT group_concat(field_name || '=' || new_value || ' ' || reason, ',') AS v \
                 FROM (SELECT field_name, new_value, reason FROM audit_log \
                 WHERE table_name = 'toxicity_events' AND record_id = {toxicity} \
                 ORDER BY field_name)"
            ),
        )
        .as_deref(),
        Some("icaht_days_anc_le_100=3 Chart review,icaht_days_anc_le_500=10 Chart review")
    );
    assert_eq!(
        coordinator
            .get(&href)
            .input_value("icaht_days_anc_le_100")
            .as_deref(),
        Some("3"),
        "prefilled"
    );

    // Late ICAHT: the days belong to early ICAHT; the nadir grades it and the days are cleared.
    let late = [
        ("row_version", "2"),
        ("toxicity_type", "ICAHT_LATE"),
        ("onset_date", day40.as_str()),
        ("max_grade", "G3"),
    ];
    let with_days = post(
        &mut coordinator,
        &[&late[..], &[("icaht_days_anc_le_500", "10")]].concat(),
    );
    assert_eq!(with_days.status, 422);
    assert!(message_by(&with_days, "icaht_days_anc_le_500"));
    assert!(with_days.body.contains("belong to early ICAHT"));
    post(
        &mut coordinator,
        &[&late[..], &[("icaht_anc_nadir_per_ul", "400")]].concat(),
    )
    .assert_redirect_to(&format!("/patients/{pid}"));
    assert_eq!(stored(&app).as_deref(), Some("ICAHT_LATE G3 - - 400"));
    assert!(
        coordinator
            .get(&format!("/patients/{pid}"))
            .body
            .contains("ANC nadir 400/µL"),
        "on the timeline"
    );
}
