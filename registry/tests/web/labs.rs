//! Lab results: the follow-up form's lab panel (one sample, a row per analyte, each stored with
//! its normalised value in one audited change set), its validation table, the IVIG flag, the
//! correction form, and migration 000025's backfill of the normalised values.

use diesel::prelude::*;
use registry::db::schema::{audit_log, lab_results};
use registry::domain::{
    lab::{LabAnalyte, LabUnit, LabValue},
    vocabulary::Vocabulary,
};

use crate::helpers::{Arranged, Response, TestApp, arrange, as_refs, days_ago};

/// A complete, valid Day 100 form (patient infused 95 days ago, contact yesterday), every
/// section "nothing to report" except the labs, which have events.
fn with_panel(panel: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = [
        ("row_version", "0"),
        ("contact_date", &*days_ago(1).to_string()),
        ("contact_type", "CLINIC"),
        ("survival_status", "ALIVE"),
        ("relapse_since_last", "N"),
        ("action", "complete"),
        ("none_lab_results", "events"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for s in [
        "responses",
        "toxicities",
        "infections",
        "immunoglobulin",
        "persistence_tests",
        "new_malignancies",
        "subsequent_therapies",
    ] {
        fields.push((format!("none_{s}"), "none".to_owned()));
    }
    // As a browser sends it: every unit select at its pre-selected (normalised) unit.
    for a in LabAnalyte::ALL {
        fields.push((
            format!("lab_unit-{}", a.code()),
            a.normalised_unit().code().to_owned(),
        ));
    }
    for (k, v) in panel {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(pair) => pair.1 = (*v).to_owned(),
            None => fields.push(((*k).to_owned(), (*v).to_owned())),
        }
    }
    fields
}

/// A stored lab row: analyte, value, unit, normalised value and unit, sample date estimated,
/// IVIG flag, RBC and platelet transfusion answers.
type Stored = (
    String,
    Option<f64>,
    Option<String>,
    Option<f64>,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn stored_labs(app: &TestApp) -> Vec<Stored> {
    lab_results::table
        .order(lab_results::id)
        .select((
            lab_results::analyte,
            lab_results::value,
            lab_results::unit,
            lab_results::normalised_value,
            lab_results::normalised_unit,
            lab_results::sample_date_estimated,
            lab_results::ivig_within_30_days,
            lab_results::rbc_transfusion_within_30_days,
            lab_results::platelet_transfusion_within_7_days,
        ))
        .load(&mut app.db())
        .unwrap()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

/// The code of the selected option of the `<select>` named `name`.
fn selected(page: &Response, name: &str) -> Option<String> {
    let start = page
        .body
        .find(&format!("<select id=\"{name}\" name=\"{name}\""))?;
    let end = start + page.body[start..].find("</select>")?;
    let select = &page.body[start..end];
    let at = select.find(" selected>")?;
    let open = select[..at].rfind("value=\"")? + 7;
    let close = open + select[open..].find('"')?;
    Some(select[open..close].to_owned())
}

/// The names of the lab panel's fields that carry a message.
fn lab_errors(page: &Response) -> Vec<String> {
    page.body
        .match_indices("id=\"lab_")
        .filter_map(|(at, _)| {
            let name = &page.body[at + 4..];
            let end = name.find('"')?;
            name[..end].strip_suffix("-error").map(str::to_owned)
        })
        .collect()
}

#[test]
fn a_panel_of_several_analytes_is_saved_one_row_each_normalised_in_one_change_set() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    let page = coordinator.get(&form);
    assert_eq!(selected(&page, "lab_unit-IGG").as_deref(), Some("MG_DL"));
    assert_eq!(
        selected(&page, "lab_unit-ANC").as_deref(),
        Some("X10E9_PER_L")
    );
    let before = app.change_set_count();
    let sampled = days_ago(5).to_string();
    let fields = with_panel(&[
        ("lab_date", &sampled),
        ("lab_date_estimated", "1"),
        ("lab_value-IGG", "5.1"),
        ("lab_unit-IGG", "G_L"),
        ("lab_value-CD19_ABS", "12"),
        ("lab_value-ANC", "1500"),
        ("lab_unit-ANC", "CELLS_PER_UL"),
        ("lab_value-HB", "95"),
        ("lab_unit-HB", "G_L"),
        ("lab_value-CRP", "35"),
        ("lab_unit-CRP", "MG_L"),
        ("lab_value-IFN_GAMMA", "40"),
        ("lab_unit-IFN_GAMMA", "PG_ML"),
        ("lab_rbc_transfusion_within_30_days", "Y"),
        ("lab_platelet_transfusion_within_7_days", "N"),
    ]);

    let response = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(response.status, 303, "{}", response.body);
    let rows = stored_labs(&app);
    let expected: Vec<Stored> = vec![
        // In panel order; IgG gets its IVIG flag (no course: native), counts the transfusions.
        (
            "IGG".into(),
            Some(5.1),
            s("G_L"),
            Some(510.0),
            s("MG_DL"),
            true,
            s("N"),
            None,
            None,
        ),
        (
            "CD19_ABS".into(),
            Some(12.0),
            s("CELLS_PER_UL"),
            Some(12.0),
            s("CELLS_PER_UL"),
            true,
            None,
            None,
            None,
        ),
        (
            "ANC".into(),
            Some(1500.0),
            s("CELLS_PER_UL"),
            Some(1.5),
            s("X10E9_PER_L"),
            true,
            None,
            s("Y"),
            s("N"),
        ),
        (
            "HB".into(),
            Some(95.0),
            s("G_L"),
            Some(9.5),
            s("G_DL"),
            true,
            None,
            s("Y"),
            s("N"),
        ),
        (
            "CRP".into(),
            Some(35.0),
            s("MG_L"),
            Some(3.5),
            s("MG_DL"),
            true,
            None,
            None,
            None,
        ),
        // No fixed factor from pg/mL to IU/mL: kept as entered, not normalised.
        (
            "IFN_GAMMA".into(),
            Some(40.0),
            s("PG_ML"),
            None,
            None,
            true,
            None,
            None,
            None,
        ),
    ];
    assert_eq!(rows, expected);
    assert_eq!(app.change_set_count(), before + 1, "one change set");
    let labs = app.audit_change_sets("lab_results");
    let follow_ups = app.audit_change_sets("follow_ups");
    assert_eq!(labs.len(), 1);
    assert_eq!(
        labs[0].0,
        follow_ups.last().unwrap().0,
        "the save's change set"
    );
    let normalised: Vec<(i32, Option<String>)> = audit_log::table
        .filter(audit_log::table_name.eq("lab_results"))
        .filter(audit_log::field_name.eq("normalised_value"))
        .order(audit_log::record_id)
        .select((audit_log::record_id, audit_log::new_value))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        normalised
            .iter()
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>(),
        vec![s("510.0"), s("12.0"), s("1.5"), s("9.5"), s("3.5")],
        "one audit row per normalised value, written as a correction's audit writes it"
    );
    let records: std::collections::BTreeSet<i32> = audit_log::table
        .filter(audit_log::table_name.eq("lab_results"))
        .select(audit_log::record_id)
        .load(&mut app.db())
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(records.len(), 6, "audit rows for every inserted row");
    // The timeline shows each value as entered.
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    for shown in [
        "IgG: 5.1 g/L",
        "Absolute neutrophil count: 1500 cells/µL",
        "Haemoglobin: 95 g/L",
        "Interferon-γ: 40 pg/mL",
    ] {
        assert!(timeline.body.contains(shown), "{shown}");
    }
}

#[test]
fn a_wrong_row_is_refused_with_the_message_beside_it_keeping_every_value_and_writing_nothing() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let sampled = days_ago(5).to_string();
    let before_day0 = days_ago(96).to_string();
    let after_contact = days_ago(0).to_string();
    let valid: Vec<(&str, &str)> = vec![
        ("lab_date", &sampled),
        ("lab_value-IGG", "5.1"),
        ("lab_unit-IGG", "G_L"),
        ("lab_value-ANC", "1.2"),
        ("lab_value-CRP", "35"),
        ("lab_unit-CRP", "MG_L"),
    ];
    // (changes, field whose message is expected, message)
    type Case<'a> = (Vec<(&'a str, &'a str)>, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![("lab_value-IGG", "five")],
            "lab_value-IGG",
            "Enter the value as a number of 0 or more, e.g. 4.2.",
        ),
        (
            vec![("lab_value-ANC", "-1")],
            "lab_value-ANC",
            "Enter the value as a number of 0 or more",
        ),
        (
            vec![("lab_value-ANC", "NaN")],
            "lab_value-ANC",
            "Enter the value as a number of 0 or more",
        ),
        (
            vec![("lab_value-ANC", "3500")],
            "lab_value-ANC",
            "Absolute neutrophil count cannot be 3500 ×10⁹/L: the highest value accepted is \
             2000 ×10⁹/L; check the value and its unit.",
        ),
        (
            vec![("lab_value-CD19_PCT", "100.5")],
            "lab_value-CD19_PCT",
            "cannot be 100.5 %",
        ),
        (
            vec![("lab_value-HB", "95")],
            "lab_value-HB",
            "Haemoglobin cannot be 95 g/dL",
        ),
        (
            vec![("lab_unit-CRP", "G_L")],
            "lab_unit-CRP",
            "C-reactive protein is given in mg/dL or mg/L.",
        ),
        (
            vec![("lab_unit-IGG", "")],
            "lab_unit-IGG",
            "Choose the unit.",
        ),
        (
            vec![("lab_date", &before_day0)],
            "lab_date",
            "A result after CAR-T cannot be sampled before Day 0.",
        ),
        (
            vec![("lab_date", &after_contact)],
            "lab_date",
            "The sample is after this period",
        ),
        (
            vec![("lab_platelet_transfusion_within_7_days", "MAYBE")],
            "lab_platelet_transfusion_within_7_days",
            "Choose yes, no or unknown.",
        ),
    ];
    for (changes, field, message) in &cases {
        let mut panel = valid.clone();
        panel.extend(changes.iter().copied());
        let fields = with_panel(&panel);

        let response = coordinator.post(&form, &as_refs(&fields));

        assert_eq!(response.status, 422, "{changes:?}");
        assert!(
            response.body.contains(message),
            "{changes:?}: no {message:?}"
        );
        assert_eq!(
            lab_errors(&response),
            vec![(*field).to_owned()],
            "{changes:?}: the message is beside {field} only"
        );
        let typed = |name: &str| {
            panel
                .iter()
                .rev()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        for name in [
            "lab_date",
            "lab_value-IGG",
            "lab_value-ANC",
            "lab_value-CRP",
        ] {
            assert_eq!(
                response.input_value(name),
                typed(name),
                "{changes:?}: {name} kept"
            );
        }
        for name in ["lab_unit-IGG", "lab_unit-CRP"] {
            let kept = typed(name).filter(|u| LabUnit::parse(u).is_ok());
            assert_eq!(selected(&response, name), kept, "{changes:?}: {name} kept");
        }
    }
    assert!(stored_labs(&app).is_empty(), "nothing written");
    assert!(
        app.audit_change_sets("follow_ups").is_empty(),
        "nothing audited"
    );
}

#[test]
fn the_lab_section_answer_agrees_with_the_panel() {
    let Arranged { app, form, .. } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let sampled = days_ago(5).to_string();

    let events_without_a_result = coordinator.post(&form, &as_refs(&with_panel(&[])));
    let none_with_a_result = coordinator.post(
        &form,
        &as_refs(&with_panel(&[
            ("none_lab_results", "none"),
            ("lab_date", &sampled),
            ("lab_value-IL6", "12"),
        ])),
    );
    let a_date_without_a_result =
        coordinator.post(&form, &as_refs(&with_panel(&[("lab_date", &sampled)])));
    let transfusion_without_a_count = coordinator.post(
        &form,
        &as_refs(&with_panel(&[
            ("lab_date", &sampled),
            ("lab_value-IL6", "12"),
            ("lab_rbc_transfusion_within_30_days", "Y"),
        ])),
    );
    let none_and_blank = coordinator.post(
        &form,
        &as_refs(&with_panel(&[("none_lab_results", "none")])),
    );

    assert_eq!(events_without_a_result.status, 422);
    assert!(
        events_without_a_result
            .body
            .contains("Add the result below, or choose nothing to report.")
    );
    assert!(
        events_without_a_result
            .body
            .contains("id=\"none_lab_results-error\"")
    );
    assert_eq!(none_with_a_result.status, 422);
    assert!(
        none_with_a_result
            .body
            .contains("it cannot be nothing to report")
    );
    assert_eq!(a_date_without_a_result.status, 422);
    assert_eq!(lab_errors(&a_date_without_a_result), vec!["lab_date"]);
    assert!(
        a_date_without_a_result
            .body
            .contains("Enter at least one result below")
    );
    assert_eq!(transfusion_without_a_count.status, 422);
    assert_eq!(
        lab_errors(&transfusion_without_a_count),
        vec!["lab_rbc_transfusion_within_30_days"]
    );
    assert_eq!(none_and_blank.status, 303, "{}", none_and_blank.body);
    assert!(stored_labs(&app).is_empty());
}

#[test]
fn igg_in_g_per_l_is_normalised_to_mg_per_dl_and_flagged_within_30_days_of_ivig() {
    let Arranged { app, patient, form } = arrange();
    diesel::sql_query(format!(
        "INSERT INTO immunoglobulin_courses (patient_id, start_date, stop_date, route, \
         created_by, updated_by) VALUES ({patient}, '{}', '{}', 'IVIG', 1, 1)",
        days_ago(20),
        days_ago(20)
    ))
    .execute(&mut app.db())
    .unwrap();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let fields = with_panel(&[
        ("lab_date", &days_ago(4).to_string()),
        ("lab_value-IGG", "3.2"),
        ("lab_unit-IGG", "G_L"),
        ("lab_value-IGA", "0.4"),
        ("lab_unit-IGA", "G_L"),
    ]);

    let response = coordinator.post(&form, &as_refs(&fields));

    assert_eq!(response.status, 303, "{}", response.body);
    let rows = stored_labs(&app);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "IGG");
    assert_eq!(
        (rows[0].3, rows[0].4.as_deref()),
        (Some(320.0), Some("MG_DL"))
    );
    assert_eq!(
        rows[0].6.as_deref(),
        Some("Y"),
        "IVIG 16 days before: not native"
    );
    assert_eq!(rows[1].0, "IGA");
    assert_eq!(
        (rows[1].3, rows[1].4.as_deref()),
        (Some(40.0), Some("MG_DL"))
    );
    assert_eq!(rows[1].6, None, "the IVIG flag is for IgG only");
    let timeline = coordinator.get(&format!("/patients/{patient}"));
    assert!(
        timeline
            .body
            .contains("IgG: 3.2 g/L (immunoglobulin within 30 days: not native IgG)")
    );
}

/// An audited change of a value: old, new.
type Changed = (Option<String>, Option<String>);

/// The stored IVIG flag of the one IgG result, and the audited changes of it.
fn igg_flag_and_its_audit(app: &TestApp) -> (Option<String>, Vec<Changed>) {
    let flag = lab_results::table
        .filter(lab_results::analyte.eq("IGG"))
        .select(lab_results::ivig_within_30_days)
        .get_result(&mut app.db())
        .unwrap();
    let audited = audit_log::table
        .filter(audit_log::table_name.eq("lab_results"))
        .filter(audit_log::field_name.eq("ivig_within_30_days"))
        .filter(audit_log::action.eq("UPDATE"))
        .order(audit_log::id)
        .select((audit_log::old_value, audit_log::new_value))
        .load(&mut app.db())
        .unwrap();
    (flag, audited)
}

#[test]
fn an_igg_result_follows_the_immunoglobulin_courses_entered_corrected_and_deleted_after_it() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let draft = |panel: &[(&str, &str)]| {
        let mut fields = with_panel(panel);
        fields.retain(|(k, _)| k != "action");
        fields.push(("action".to_owned(), "draft".to_owned()));
        fields
    };
    let sampled = days_ago(5).to_string();
    let first = coordinator.post(
        &form,
        &as_refs(&draft(&[("lab_date", &sampled), ("lab_value-IGG", "410")])),
    );
    assert_eq!(first.status, 303, "{}", first.body);
    assert_eq!(
        igg_flag_and_its_audit(&app),
        (s("N"), vec![]),
        "no course yet"
    );

    // The course is found in the notes at the next save: it started before the sample.
    coordinator.get(&form);
    let mut with_course = draft(&[
        ("none_immunoglobulin", "events"),
        ("ig_start_date", &days_ago(20).to_string()),
        ("ig_route", "IVIG"),
    ]);
    with_course.retain(|(k, _)| k != "row_version");
    with_course.push(("row_version".to_owned(), "1".to_owned()));
    let before = app.change_set_count();
    let second = coordinator.post(&form, &as_refs(&with_course));
    assert_eq!(second.status, 303, "{}", second.body);
    assert_eq!(
        app.change_set_count(),
        before + 1,
        "in the course's change set"
    );
    assert_eq!(
        igg_flag_and_its_audit(&app),
        (s("Y"), vec![(s("N"), s("Y"))]),
        "a course running at the sample: not native IgG"
    );

    // Corrected: the course stopped 45 days before the sample.
    let course: i32 =
        diesel::dsl::sql::<diesel::sql_types::Integer>("SELECT id FROM immunoglobulin_courses")
            .get_result(&mut app.db())
            .unwrap();
    let href = format!("/patients/{patient}/events/immunoglobulin/{course}/edit");
    coordinator.get(&href);
    let corrected = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("start_date", &days_ago(60).to_string()),
            ("stop_date", &days_ago(50).to_string()),
            ("route", "IVIG"),
            ("reason", "dates from the infusion chart"),
        ],
    );
    assert_eq!(corrected.status, 303, "{}", corrected.body);
    assert_eq!(
        igg_flag_and_its_audit(&app),
        (s("N"), vec![(s("N"), s("Y")), (s("Y"), s("N"))]),
        "stopped 45 days before the sample: native again"
    );
    let reasons: Vec<Option<String>> = audit_log::table
        .filter(audit_log::field_name.eq("ivig_within_30_days"))
        .order(audit_log::id)
        .select(audit_log::reason)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        reasons.last().cloned().flatten().as_deref(),
        Some("dates from the infusion chart"),
        "in the correction's change set"
    );

    // Corrected back to running at the sample, then deleted: native again.
    coordinator.get(&href);
    let running = coordinator.post(
        &href,
        &[
            ("row_version", "2"),
            ("start_date", &days_ago(60).to_string()),
            ("stop_date", &days_ago(30).to_string()),
            ("route", "IVIG"),
            ("reason", "last dose found"),
        ],
    );
    assert_eq!(running.status, 303, "{}", running.body);
    assert_eq!(
        igg_flag_and_its_audit(&app).0,
        s("Y"),
        "25 days after the last dose"
    );
    let delete = format!("/patients/{patient}/events/immunoglobulin/{course}/delete");
    coordinator.get(&delete);
    let deleted = coordinator.post(
        &delete,
        &[
            ("row_version", "3"),
            ("reason", "entered for the wrong patient"),
        ],
    );
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    let (flag, audited) = igg_flag_and_its_audit(&app);
    assert_eq!(flag, s("N"), "no course left");
    assert_eq!(audited.len(), 4, "each change of the flag audited once");
}

#[test]
fn a_correction_of_a_lab_result_stores_its_new_normalised_value() {
    let Arranged { app, patient, form } = arrange();
    let mut coordinator = app.logged_in(&app.coordinator);
    coordinator.get(&form);
    let sampled = days_ago(5).to_string();
    let saved = coordinator.post(
        &form,
        &as_refs(&with_panel(&[
            ("lab_date", &sampled),
            ("lab_value-IGG", "5.1"),
            ("lab_unit-IGG", "G_L"),
        ])),
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    let id: i32 = lab_results::table
        .select(lab_results::id)
        .get_result(&mut app.db())
        .unwrap();
    let href = format!("/patients/{patient}/events/lab/{id}/edit");
    let page = coordinator.get(&href);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<option value=\"PLATELETS\""),
        "every analyte"
    );

    let to_mg_per_dl = coordinator.post(
        &href,
        &[
            ("row_version", "1"),
            ("analyte", "IGG"),
            ("sample_date", &sampled),
            ("value", "620"),
            ("unit", "MG_DL"),
            ("reason", "transcription error"),
        ],
    );
    let after_first = stored_labs(&app);
    coordinator.get(&href);
    let to_platelets = coordinator.post(
        &href,
        &[
            ("row_version", "2"),
            ("analyte", "PLATELETS"),
            ("sample_date", &sampled),
            ("sample_date_estimated", "1"),
            ("value", "45000"),
            ("unit", "CELLS_PER_UL"),
            ("reason", "wrong analyte"),
        ],
    );
    coordinator.get(&href);
    let wrong_unit = coordinator.post(
        &href,
        &[
            ("row_version", "3"),
            ("analyte", "PLATELETS"),
            ("sample_date", &sampled),
            ("value", "45"),
            ("unit", "G_L"),
            ("reason", "x"),
        ],
    );

    assert_eq!(to_mg_per_dl.status, 303, "{}", to_mg_per_dl.body);
    assert_eq!(
        (after_first[0].3, after_first[0].4.as_deref()),
        (Some(620.0), Some("MG_DL"))
    );
    assert_eq!(to_platelets.status, 303, "{}", to_platelets.body);
    let after = stored_labs(&app);
    assert_eq!(after[0].0, "PLATELETS");
    assert_eq!(
        (after[0].3, after[0].4.as_deref()),
        (Some(45.0), Some("X10E9_PER_L"))
    );
    assert!(after[0].5, "estimated");
    assert_eq!(after[0].6, None, "no IVIG flag on a platelet count");
    let audited: Vec<Option<String>> = audit_log::table
        .filter(audit_log::table_name.eq("lab_results"))
        .filter(audit_log::field_name.eq("normalised_value"))
        .filter(audit_log::action.eq("UPDATE"))
        .order(audit_log::id)
        .select(audit_log::new_value)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        audited.len(),
        2,
        "each correction audits the normalised value"
    );
    assert_eq!(wrong_unit.status, 422);
    assert!(
        wrong_unit
            .body
            .contains("Platelets is given in ×10⁹/L or cells/µL.")
    );
    assert!(wrong_unit.body.contains("id=\"unit-error\""));
    assert_eq!(stored_labs(&app), after, "nothing written");
}

/// A lab row after the migration: id, normalised value and unit, row version, updated by.
type Backfilled = (i32, Option<f64>, Option<String>, i32, i32);
/// An audit row: change set, user, action, field, old value, reason.
type AuditRow = (i32, i32, String, String, Option<String>, Option<String>);

/// Migration 000025 fills the normalised value of rows stored without one with the factors of
/// `LabAnalyte::conversion`, bit for bit, and leaves alone what it cannot or need not fill.
#[test]
fn migration_000025_backfills_normalised_values_with_the_domain_factors() {
    use diesel_migrations::MigrationHarness;
    use registry::db::{MIGRATIONS, known_versions, open};

    let dir = tempfile::tempdir().unwrap();
    let mut conn = open(&dir.path().join("r.db")).unwrap();
    let known = known_versions().unwrap();
    let before = known.iter().position(|v| v.ends_with("000025")).unwrap();
    for _ in 0..before {
        conn.run_next_migration(MIGRATIONS).unwrap();
    }
    diesel::sql_query(
        "INSERT INTO sites (code, name, created_by, updated_by) VALUES ('AAA', 'A', 1, 1)",
    )
    .execute(&mut conn)
    .unwrap();
    diesel::sql_query(
        "INSERT INTO patients (registry_id, site_id, sex, birth_year, enrolment_date, \
         consent_research, created_by, updated_by) VALUES ('AAA-000001', \
         (SELECT id FROM sites WHERE code = 'AAA'), 'F', 1960, '2024-01-01', 'GIVEN', 1, 1)",
    )
    .execute(&mut conn)
    .unwrap();
    // Every allowed (analyte, unit), entered as the web app stored it: no normalised value.
    // 5.1 × 100 and 12.3 ÷ 10 are inexact in binary, so equal doubles mean the same decimal
    // shift; 95 is stored as an integer.
    let mut pairs = Vec::new();
    for a in LabAnalyte::ALL {
        for u in a.units() {
            for v in ["12.3", "5.1", "0.07", "95"] {
                pairs.push((*a, *u, v));
            }
        }
    }
    let insert = |conn: &mut SqliteConnection, values: &str| {
        diesel::sql_query(format!(
            "INSERT INTO lab_results (patient_id, sample_date, analyte, value, unit, \
             value_missing, normalised_value, normalised_unit, created_by, updated_by) \
             VALUES (1, '2024-03-01', {values}, 1, 1)"
        ))
        .execute(conn)
        .unwrap();
    };
    for (a, u, v) in &pairs {
        insert(
            &mut conn,
            &format!("'{}', {v}, '{}', NULL, NULL, NULL", a.code(), u.code()),
        );
    }
    // Left alone: a missing value, a row already normalised, a unit the analyte is not given in.
    insert(&mut conn, "'IGG', NULL, NULL, 'ND', NULL, NULL");
    insert(&mut conn, "'IGG', 5.5, 'G_L', NULL, 5.5, 'G_L'");
    insert(
        &mut conn,
        "'CD19_ABS', 0.02, 'X10E9_PER_L', NULL, NULL, NULL",
    );

    conn.run_next_migration(MIGRATIONS).unwrap();

    let rows: Vec<Backfilled> = lab_results::table
        .order(lab_results::id)
        .select((
            lab_results::id,
            lab_results::normalised_value,
            lab_results::normalised_unit,
            lab_results::row_version,
            lab_results::updated_by,
        ))
        .load(&mut conn)
        .unwrap();
    assert_eq!(rows.len(), pairs.len() + 3);
    let mut backfilled = 0;
    for ((a, u, v), (_, value, unit, version, by)) in pairs.iter().zip(&rows) {
        // The migration converts whatever is stored, above a ceiling or not.
        let expected = a
            .conversion(*u)
            .unwrap()
            .map(|c| (c.apply(v.parse().unwrap()), a.normalised_unit()));
        let got = value.map(|v| (v.to_bits(), unit.clone().unwrap()));
        assert_eq!(
            got,
            expected.map(|(v, u)| (v.to_bits(), u.code().to_owned())),
            "{v} {a:?} in {u:?}"
        );
        assert_eq!(
            *version,
            if expected.is_some() { 2 } else { 1 },
            "{a:?} {u:?}"
        );
        if expected.is_some() {
            assert_eq!(*by, 1, "updated by the system account");
        }
        backfilled += usize::from(expected.is_some());
    }
    let untouched: Vec<(Option<f64>, Option<String>, i32)> = rows[pairs.len()..]
        .iter()
        .map(|(_, v, u, version, _)| (*v, u.clone(), *version))
        .collect();
    assert_eq!(
        untouched,
        vec![(None, None, 1), (Some(5.5), s("G_L"), 1), (None, None, 1)]
    );
    assert_eq!(
        backfilled,
        pairs.len() - 2 * 4,
        "all but IFN-γ and sIL-2Rα in pg/mL"
    );
    // Audited: the two new values of each backfilled row, one change set, the system account.
    let audit: Vec<AuditRow> = audit_log::table
        .order(audit_log::id)
        .select((
            audit_log::change_set_id,
            audit_log::user_id,
            audit_log::action,
            audit_log::field_name,
            audit_log::old_value,
            audit_log::reason,
        ))
        .load(&mut conn)
        .unwrap();
    assert_eq!(audit.len(), 2 * backfilled);
    assert!(
        audit
            .iter()
            .all(|(set, user, action, _, old, reason)| *set == 1
                && *user == 1
                && action == "UPDATE"
                && old.is_none()
                && reason.as_deref().is_some_and(|r| r.contains("000025")))
    );
    let hb_g_per_l = pairs
        .iter()
        .position(|p| *p == (LabAnalyte::Haemoglobin, LabUnit::GPerL, "12.3"))
        .unwrap();
    let hb_audit: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::record_id.eq(rows[hb_g_per_l].0))
        .order(audit_log::id)
        .select((audit_log::field_name, audit_log::new_value))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        hb_audit,
        vec![
            ("normalised_value".to_owned(), s("1.23")),
            ("normalised_unit".to_owned(), s("G_DL")),
        ]
    );
}

/// A lab row as entered and normalised: analyte, value, unit, normalised value and unit.
type Entered = (
    String,
    Option<f64>,
    Option<String>,
    Option<f64>,
    Option<String>,
);

/// The demo cohort is the reference: `registry seed` stores each lab value normalised exactly
/// as the web app now does (`LabValue::normalised`), so seeded and typed results read alike.
#[test]
fn seeded_lab_results_are_normalised_as_the_app_normalises() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cohort.sqlite");
    registry::seed::seed(&registry::seed::SeedOptions {
        db: db.clone(),
        patients: 150,
        seed: 5,
        today: chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        force: false,
        threads: 1,
        progress: false,
        check_constraints: true,
    })
    .unwrap();
    let mut conn = registry::db::open(&db).unwrap();
    let rows: Vec<Entered> = lab_results::table
        .select((
            lab_results::analyte,
            lab_results::value,
            lab_results::unit,
            lab_results::normalised_value,
            lab_results::normalised_unit,
        ))
        .load(&mut conn)
        .unwrap();
    let with_value: Vec<_> = rows.iter().filter(|r| r.1.is_some()).collect();
    assert!(with_value.len() > 100, "the cohort has lab values");
    for (analyte, value, unit, normalised, normalised_unit) in with_value {
        let entered = LabValue::new(
            LabAnalyte::parse(analyte).unwrap(),
            value.unwrap(),
            LabUnit::parse(unit.as_deref().unwrap()).unwrap(),
        )
        .unwrap();
        assert_eq!(
            entered.normalised().map(|(v, u)| (v, u.code().to_owned())),
            normalised.zip(normalised_unit.clone()),
            "{analyte} {value:?} {unit:?}"
        );
    }
}

/// The API's PUT takes the panel by the form's names and stores the normalised values too; a
/// value without its unit is refused by name (the API has no pre-selected unit).
#[test]
fn a_panel_put_through_the_api_is_stored_normalised() {
    let Arranged { app, patient, .. } = arrange();
    let course: i32 = registry::db::schema::treatment_courses::table
        .select(registry::db::schema::treatment_courses::id)
        .get_result(&mut app.db())
        .unwrap();
    let token = app.token_for(&app.coordinator);
    let mut client = app.browser();
    let path = format!("/api/v1/patients/{patient}/courses/{course}/follow-ups/D100");
    let body = |unit: serde_json::Value| {
        let mut body = serde_json::json!({
            "row_version": 0,
            "complete": true,
            "contact_date": days_ago(1).to_string(),
            "contact_type": "CLINIC",
            "survival_status": "ALIVE",
            "relapse_since_last": "N",
            "lab_date": days_ago(3).to_string(),
            "lab_value-PLATELETS": 45000,
            "lab_unit-PLATELETS": unit,
        });
        for s in [
            "responses",
            "toxicities",
            "infections",
            "immunoglobulin",
            "persistence_tests",
            "new_malignancies",
            "subsequent_therapies",
        ] {
            body[format!("none_{s}")] = "none".into();
        }
        body["none_lab_results"] = "events".into();
        body.to_string()
    };

    let without_unit = client.api("PUT", &path, &token, Some(&body(serde_json::Value::Null)));
    let with_unit = client.api("PUT", &path, &token, Some(&body("CELLS_PER_UL".into())));

    assert_eq!(without_unit.status, 422, "{}", without_unit.body);
    let errors: serde_json::Value = serde_json::from_str(&without_unit.body).unwrap();
    assert_eq!(errors["errors"]["lab_unit-PLATELETS"], "Choose the unit.");
    assert_eq!(with_unit.status, 201, "{}", with_unit.body);
    let rows = stored_labs(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].3, rows[0].4.as_deref()),
        (Some(45.0), Some("X10E9_PER_L"))
    );
    let token_of_audit: Vec<Option<i32>> = audit_log::table
        .filter(audit_log::table_name.eq("lab_results"))
        .select(audit_log::api_token_id)
        .load(&mut app.db())
        .unwrap();
    assert!(!token_of_audit.is_empty() && token_of_audit.iter().all(Option::is_some));
}
