//! Recording the diagnosis, CAR-T course and infusion; then the whole coordinator workflow:
//! enrol, treat, follow up with an infection, see it on the timeline.

use crate::helpers::{days_ago, spawn_app};

fn valid(infusion: &str) -> Vec<(&'static str, String)> {
    vec![
        ("disease", "DLBCL_NOS".into()),
        ("diagnosis_date", days_ago(400).to_string()),
        ("prior_hct", "NONE".into()),
        ("product", "AXI_CEL".into()),
        ("product_class", "COMMERCIAL".into()),
        ("apheresis_date", days_ago(130).to_string()),
        ("lymphodepletion_regimen", "FLU_CY".into()),
        ("lymphodepletion_start_date", days_ago(105).to_string()),
        ("infusion_date", infusion.to_owned()),
    ]
}

fn refs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn enrol_treat_and_follow_up_with_an_infection_shown_on_the_timeline() {
    let app = spawn_app();
    let mut c = app.logged_in(&app.coordinator);
    c.get("/patients/new");
    let enrolled = days_ago(140).to_string();
    let response = c.post(
        "/patients",
        &[
            ("site", "AAA"),
            ("sex", "F"),
            ("birth_year", "1958"),
            ("enrolment_date", &enrolled),
            ("consent_research", "GIVEN"),
            ("consent_research_date", &enrolled),
        ],
    );
    let patient = response.header("location").unwrap().to_owned();
    c.get(&format!("{patient}/treatments/new"));

    let treated = c.post(
        &format!("{patient}/treatments"),
        &refs(&valid(&days_ago(100).to_string())),
    );

    treated.assert_redirect_to(&patient);
    let page = c.get(&patient);
    assert!(page.body.contains("Course 1: Axicabtagene ciloleucel"));
    assert!(page.body.contains(&format!("Day 0 is {}", days_ago(100))));
    let start = page.body.find("/follow-ups/D100").unwrap();
    let href_start = page.body[..start].rfind("href=\"").unwrap() + 6;
    let form = page.body[href_start..start + "/follow-ups/D100".len()].to_owned();
    c.get(&form);
    let mut fields: Vec<(String, String)> = vec![
        ("row_version".into(), "0".into()),
        ("contact_date".into(), days_ago(1).to_string()),
        ("contact_type".into(), "CLINIC".into()),
        ("survival_status".into(), "ALIVE".into()),
        ("relapse_since_last".into(), "N".into()),
        ("infection_date".into(), days_ago(30).to_string()),
        ("infection_organism_class".into(), "FUNGAL_MOULD".into()),
        ("action".into(), "complete".into()),
    ];
    for s in [
        "responses",
        "toxicities",
        "immunoglobulin",
        "lab_results",
        "persistence_tests",
        "new_malignancies",
        "subsequent_therapies",
    ] {
        fields.push((format!("none_{s}"), "none".into()));
    }
    fields.push(("none_infections".into(), "events".into()));
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(c.post(&form, &refs).status, 303);

    let timeline = c.get(&patient);
    assert!(timeline.body.contains("Fungal, mould"));
    assert!(
        timeline.body.contains("<td>70</td><td>Infection</td>"),
        "day 70 after Day 0"
    );
}

#[test]
fn dates_out_of_order_are_refused_with_422_keeping_every_value() {
    let app = spawn_app();
    let mut c = app.logged_in(&app.coordinator);
    c.get("/patients/new");
    let enrolled = days_ago(10).to_string();
    let response = c.post(
        "/patients",
        &[
            ("site", "AAA"),
            ("sex", "F"),
            ("birth_year", "1958"),
            ("enrolment_date", &enrolled),
            ("consent_research", "NOT_APPROACHED"),
        ],
    );
    let patient = response.header("location").unwrap().to_owned();
    c.get(&format!("{patient}/treatments/new"));
    let infusion = days_ago(100).to_string();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "apheresis_date",
            days_ago(500).to_string(),
            "Apheresis cannot precede the diagnosis",
        ),
        (
            "infusion_date",
            days_ago(140).to_string(),
            "The infusion cannot precede apheresis.",
        ),
        (
            "lymphodepletion_start_date",
            days_ago(200).to_string(),
            "Lymphodepletion cannot start before apheresis.",
        ),
        ("product", "".into(), "Choose the product."),
        ("disease", "NOT_A_DISEASE".into(), "Choose the disease."),
        (
            "infusion_date",
            "tomorrow".into(),
            "Use the form YYYY-MM-DD",
        ),
    ];
    for (field, bad, message) in &cases {
        let fields: Vec<(&'static str, String)> = valid(&infusion)
            .into_iter()
            .map(|(k, v)| {
                if k == *field {
                    (k, bad.clone())
                } else {
                    (k, v)
                }
            })
            .collect();

        let response = c.post(&format!("{patient}/treatments"), &refs(&fields));

        assert_eq!(response.status, 422, "{field}={bad}");
        assert!(response.body.contains(message), "{field}={bad}: {message}");
        assert!(
            response.body.contains(&format!("id=\"{field}-error\"")),
            "{field}"
        );
        for date in [
            "diagnosis_date",
            "apheresis_date",
            "lymphodepletion_start_date",
            "infusion_date",
        ] {
            let typed = fields.iter().find(|(k, _)| *k == date).unwrap().1.as_str();
            assert_eq!(
                response.input_value(date).as_deref(),
                Some(typed),
                "{field}: {date} kept"
            );
        }
    }
    let none = valid(&infusion)
        .into_iter()
        .map(|(k, v)| {
            if k == "lymphodepletion_regimen" {
                (k, "NONE".to_owned())
            } else {
                (k, v)
            }
        })
        .collect::<Vec<_>>();
    let response = c.post(&format!("{patient}/treatments"), &refs(&none));
    assert!(response.body.contains("No lymphodepletion was given"));
}

/// A patient of site AAA enrolled through the form, with its treatment form opened (for its
/// CSRF token): (app, browser, patient path).
fn enrolled() -> (crate::helpers::TestApp, crate::helpers::Browser, String) {
    let app = spawn_app();
    let mut c = app.logged_in(&app.coordinator);
    c.get("/patients/new");
    let enrolled = days_ago(140).to_string();
    let response = c.post(
        "/patients",
        &[
            ("site", "AAA"),
            ("sex", "M"),
            ("birth_year", "1970"),
            ("enrolment_date", &enrolled),
            ("consent_research", "NOT_APPROACHED"),
        ],
    );
    let patient = response.header("location").unwrap().to_owned();
    c.get(&format!("{patient}/treatments/new"));
    (app, c, patient)
}

fn investigational(changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut fields = valid(&days_ago(100).to_string());
    fields.retain(|(k, _)| !["product", "product_class"].contains(k));
    fields.extend([
        ("product", "INVESTIGATIONAL".to_owned()),
        ("product_class", "INVESTIGATIONAL".to_owned()),
        ("investigational_product_name", "CAR22-01".to_owned()),
        ("investigational_target", "OTHER".to_owned()),
        ("investigational_target_other", "CD22".to_owned()),
        ("trial_id", "NCT01234567".to_owned()),
    ]);
    for (k, v) in changes {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(pair) => pair.1 = (*v).to_owned(),
            None => fields.push((k, (*v).to_owned())),
        }
    }
    fields
}

#[test]
fn an_investigational_product_is_recorded_with_its_target_and_trial_and_audited() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, treatment_courses};
    let (app, mut c, patient) = enrolled();

    let response = c.post(
        &format!("{patient}/treatments"),
        &refs(&investigational(&[])),
    );

    response.assert_redirect_to(&patient);
    let stored: (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
    ) = treatment_courses::table
        .select((
            treatment_courses::product,
            treatment_courses::investigational_product_name,
            treatment_courses::investigational_target,
            treatment_courses::investigational_target_other,
            treatment_courses::product_class,
            treatment_courses::trial_id,
        ))
        .first(&mut app.db())
        .unwrap();
    assert_eq!(
        stored,
        (
            "INVESTIGATIONAL".to_owned(),
            Some("CAR22-01".to_owned()),
            Some("OTHER".to_owned()),
            Some("CD22".to_owned()),
            "INVESTIGATIONAL".to_owned(),
            Some("NCT01234567".to_owned()),
        )
    );
    let audited: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::table_name.eq("treatment_courses"))
        .select((audit_log::field_name, audit_log::new_value))
        .load(&mut app.db())
        .unwrap();
    assert!(audited.contains(&(
        "investigational_target_other".to_owned(),
        Some("CD22".to_owned())
    )));
    assert!(audited.contains(&("trial_id".to_owned(), Some("NCT01234567".to_owned()))));
    assert_eq!(app.audit_change_sets("treatment_courses").len(), 1);
}

#[test]
fn investigational_details_are_validated_with_422_keeping_every_value() {
    let (app, mut c, patient) = enrolled();
    // (changes, field with the message, message)
    type Case = (
        Vec<(&'static str, &'static str)>,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            vec![("investigational_product_name", "")],
            "investigational_product_name",
            "Name the investigational product.",
        ),
        (
            vec![("investigational_target", "")],
            "investigational_target",
            "Choose the antigen the product targets.",
        ),
        (
            vec![("investigational_target_other", "")],
            "investigational_target_other",
            "Name the target antigen",
        ),
        (
            vec![("investigational_target", "CD19")],
            "investigational_target_other",
            "Only for another antigen",
        ),
        (
            vec![("product_class", "COMMERCIAL")],
            "product_class",
            "An investigational product is supplied as investigational",
        ),
        (
            vec![("product", "AXI_CEL"), ("product_class", "COMMERCIAL")],
            "investigational_product_name",
            "Only for an investigational product: clear it.",
        ),
    ];
    for (changes, field, message) in cases {
        let fields = investigational(&changes);

        let response = c.post(&format!("{patient}/treatments"), &refs(&fields));

        assert_eq!(response.status, 422, "{changes:?}");
        assert!(response.body.contains(message), "{changes:?}: {message}");
        assert!(
            response.body.contains(&format!("id=\"{field}-error\"")),
            "{changes:?}: {field}"
        );
        for kept in [
            "investigational_product_name",
            "investigational_target_other",
            "trial_id",
            "infusion_date",
        ] {
            let typed = fields.iter().find(|(k, _)| *k == kept).unwrap().1.as_str();
            assert_eq!(
                response.input_value(kept).as_deref(),
                Some(typed),
                "{changes:?}: {kept} kept"
            );
        }
    }
    assert_eq!(app.audit_change_sets("treatment_courses").len(), 0);
}

/// The course id of a patient path's first course.
fn first_course(app: &crate::helpers::TestApp, patient: &str) -> i32 {
    use diesel::prelude::*;
    use registry::db::schema::treatment_courses;
    let pid: i32 = patient.rsplit('/').next().unwrap().parse().unwrap();
    treatment_courses::table
        .filter(treatment_courses::patient_id.eq(pid))
        .select(treatment_courses::id)
        .first(&mut app.db())
        .unwrap()
}

#[test]
fn a_reinfusion_joins_the_course_after_its_latest_infusion_and_keeps_day_0() {
    use diesel::prelude::*;
    use registry::db::schema::infusions;
    let (app, mut c, patient) = enrolled();
    c.post(
        &format!("{patient}/treatments"),
        &refs(&valid(&days_ago(100).to_string())),
    )
    .assert_redirect_to(&patient);
    let course = first_course(&app, &patient);
    let form = format!("{patient}/courses/{course}/infusions");
    assert_eq!(c.get(&format!("{form}/new")).status, 200);
    let second = days_ago(40).to_string();

    let too_early = c.post(
        &form,
        &[
            ("intent", "REINFUSION_B_CELL_RECOVERY"),
            ("lymphodepletion_regimen", "NONE"),
            ("infusion_date", &days_ago(100).to_string()),
        ],
    );
    let ld_before = c.post(
        &form,
        &[
            ("intent", "REINFUSION_B_CELL_RECOVERY"),
            ("lymphodepletion_regimen", "FLU_CY"),
            ("lymphodepletion_start_date", &days_ago(120).to_string()),
            ("infusion_date", &second),
        ],
    );
    let recorded = c.post(
        &form,
        &[
            ("intent", "REINFUSION_B_CELL_RECOVERY"),
            ("lymphodepletion_regimen", "FLU_CY"),
            ("lymphodepletion_start_date", &days_ago(45).to_string()),
            ("infusion_date", &second),
        ],
    );

    assert_eq!(too_early.status, 422);
    assert!(
        too_early.body.contains(&format!(
            "A re-infusion follows the course&#39;s latest infusion ({})",
            days_ago(100)
        )),
        "{}",
        too_early.body
    );
    assert_eq!(
        too_early.input_value("infusion_date").as_deref(),
        Some(days_ago(100).to_string().as_str())
    );
    assert_eq!(ld_before.status, 422);
    assert!(
        ld_before
            .body
            .contains("id=\"lymphodepletion_start_date-error\"")
    );
    recorded.assert_redirect_to(&patient);
    let stored: Vec<(i32, chrono::NaiveDate)> = infusions::table
        .filter(infusions::course_id.eq(course))
        .order(infusions::infusion_number)
        .select((infusions::infusion_number, infusions::infusion_date))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(stored, vec![(1, days_ago(100)), (2, days_ago(40))]);
    assert_eq!(
        app.audit_change_sets("infusions").len(),
        2,
        "one change set each"
    );
    // Day 0 (and the schedule) stay those of the first infusion.
    let page = c.get(&patient);
    assert!(page.body.contains(&format!("Day 0 is {}", days_ago(100))));
}

#[test]
fn no_infusion_after_death_and_a_new_course_follows_the_latest_infusion() {
    let (app, mut c, patient) = enrolled();
    c.post(
        &format!("{patient}/treatments"),
        &refs(&valid(&days_ago(100).to_string())),
    )
    .assert_redirect_to(&patient);
    let pid: i32 = patient.rsplit('/').next().unwrap().parse().unwrap();
    let course = first_course(&app, &patient);
    {
        use diesel::prelude::*;
        diesel::sql_query(format!(
            "INSERT INTO deaths (patient_id, death_date, primary_cause, created_by, updated_by) \
             VALUES ({pid}, '{}', 'INFECTION_BACTERIAL', 1, 1)",
            days_ago(20)
        ))
        .execute(&mut app.db())
        .unwrap();
    }
    c.get(&format!("{patient}/courses/{course}/infusions/new"));

    let after_death = c.post(
        &format!("{patient}/courses/{course}/infusions"),
        &[
            ("intent", "REINFUSION_B_CELL_RECOVERY"),
            ("lymphodepletion_regimen", "NONE"),
            ("infusion_date", &days_ago(5).to_string()),
        ],
    );
    let new_course_early = c.post(
        &format!("{patient}/treatments"),
        &refs(&valid(&days_ago(101).to_string())),
    );

    assert_eq!(after_death.status, 422);
    assert!(after_death.body.contains("no infusion after death"));
    assert_eq!(new_course_early.status, 422);
    assert!(
        new_course_early
            .body
            .contains("A new course follows the patient")
    );
    assert_eq!(app.audit_change_sets("infusions").len(), 1);
}

#[test]
fn reinfusions_are_refused_to_other_sites_and_to_readers() {
    let (app, mut c, patient) = enrolled();
    c.post(
        &format!("{patient}/treatments"),
        &refs(&valid(&days_ago(100).to_string())),
    )
    .assert_redirect_to(&patient);
    let course = first_course(&app, &patient);
    let new = format!("{patient}/courses/{course}/infusions/new");
    let mut other = app.logged_in(&app.other_coordinator);
    let mut monitor = app.logged_in(&app.monitor);
    let mut analyst = app.logged_in(&app.analyst);

    assert_eq!(other.get(&new).status, 404);
    assert_eq!(monitor.get(&new).status, 403);
    assert_eq!(analyst.get(&new).status, 403);
    // Another patient's course under this patient's path is not found either.
    assert_eq!(
        c.get(&format!(
            "{patient}/courses/{}/infusions/new",
            course + 1000
        ))
        .status,
        404
    );
    other.get("/");
    let posted = other.post(
        &format!("{patient}/courses/{course}/infusions"),
        &[
            ("intent", "REINFUSION_B_CELL_RECOVERY"),
            ("lymphodepletion_regimen", "NONE"),
            ("infusion_date", &days_ago(10).to_string()),
        ],
    );
    assert_eq!(posted.status, 404);
    assert_eq!(app.audit_change_sets("infusions").len(), 1);
}

/// `valid()` with some fields changed or added.
fn with(changes: &[(&'static str, &str)], infusion: &str) -> Vec<(&'static str, String)> {
    let mut fields = valid(infusion);
    for (k, v) in changes {
        match fields.iter_mut().find(|(name, _)| name == k) {
            Some(pair) => pair.1 = (*v).to_owned(),
            None => fields.push((k, (*v).to_owned())),
        }
    }
    fields
}

#[test]
fn an_other_disease_is_recorded_with_its_name_by_the_correction_forms_rule() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, diagnoses};
    let (app, mut c, patient) = enrolled();
    let infusion = days_ago(100).to_string();
    let named = "Blastic plasmacytoid dendritic cell neoplasm";

    let unnamed = c.post(
        &format!("{patient}/treatments"),
        &refs(&with(&[("disease", "OTHER")], &infusion)),
    );
    let named_but_listed = c.post(
        &format!("{patient}/treatments"),
        &refs(&with(&[("disease_other", named)], &infusion)),
    );
    let recorded = c.post(
        &format!("{patient}/treatments"),
        &refs(&with(
            &[("disease", "OTHER"), ("disease_other", named)],
            &infusion,
        )),
    );

    assert_eq!(unnamed.status, 422);
    assert!(unnamed.body.contains("id=\"disease_other-error\""));
    assert!(
        unnamed
            .body
            .contains("Name the disease (Other disease: specify).")
    );
    assert_eq!(
        unnamed.input_value("infusion_date").as_deref(),
        Some(infusion.as_str())
    );
    assert_eq!(named_but_listed.status, 422);
    assert!(named_but_listed.body.contains("Only for another disease"));
    assert_eq!(
        named_but_listed.input_value("disease_other").as_deref(),
        Some(named)
    );
    recorded.assert_redirect_to(&patient);
    let stored: Vec<(String, Option<String>)> = diagnoses::table
        .select((diagnoses::disease, diagnoses::disease_other))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(stored, vec![("OTHER".to_owned(), Some(named.to_owned()))]);
    let audited: Vec<(String, Option<String>)> = audit_log::table
        .filter(audit_log::table_name.eq("diagnoses"))
        .select((audit_log::field_name, audit_log::new_value))
        .load(&mut app.db())
        .unwrap();
    assert!(audited.contains(&("disease_other".to_owned(), Some(named.to_owned()))));
    assert!(c.get(&patient).body.contains(named));
}

#[test]
fn a_reinfusion_needs_its_intent_which_is_stored_audited_and_shown() {
    use diesel::prelude::*;
    use registry::db::schema::{audit_log, infusions};
    let (app, mut c, patient) = enrolled();
    c.post(
        &format!("{patient}/treatments"),
        &refs(&valid(&days_ago(100).to_string())),
    )
    .assert_redirect_to(&patient);
    let course = first_course(&app, &patient);
    let form = format!("{patient}/courses/{course}/infusions");
    let second = days_ago(40).to_string();
    let new_form = c.get(&format!("{form}/new"));

    let without = c.post(
        &form,
        &[
            ("lymphodepletion_regimen", "NONE"),
            ("infusion_date", &second),
        ],
    );
    let initial = c.post(
        &form,
        &[
            ("intent", "INITIAL"),
            ("lymphodepletion_regimen", "NONE"),
            ("infusion_date", &second),
        ],
    );
    let recorded = c.post(
        &form,
        &[
            ("intent", "RELAPSE_PROGRESSION"),
            ("lymphodepletion_regimen", "NONE"),
            ("infusion_date", &second),
        ],
    );

    assert!(new_form.body.contains("value=\"MRD_POSITIVE\""));
    assert!(
        !new_form.body.contains("value=\"INITIAL\""),
        "a re-infusion is never the initial infusion"
    );
    for refused in [&without, &initial] {
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("id=\"intent-error\""));
        assert!(
            refused
                .body
                .contains("Choose why the re-infusion was given.")
        );
        assert_eq!(
            refused.input_value("infusion_date").as_deref(),
            Some(second.as_str())
        );
    }
    recorded.assert_redirect_to(&patient);
    let stored: Vec<(i32, Option<String>)> = infusions::table
        .filter(infusions::course_id.eq(course))
        .order(infusions::infusion_number)
        .select((infusions::infusion_number, infusions::intent))
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        stored,
        vec![
            (1, Some("INITIAL".to_owned())),
            (2, Some("RELAPSE_PROGRESSION".to_owned()))
        ]
    );
    let audited: Vec<Option<String>> = audit_log::table
        .filter(audit_log::table_name.eq("infusions"))
        .filter(audit_log::field_name.eq("intent"))
        .order(audit_log::id)
        .select(audit_log::new_value)
        .load(&mut app.db())
        .unwrap();
    assert_eq!(
        audited,
        vec![
            Some("INITIAL".to_owned()),
            Some("RELAPSE_PROGRESSION".to_owned())
        ]
    );
    assert_eq!(app.audit_change_sets("infusions").len(), 2);
    let page = c.get(&patient);
    assert!(page.body.contains("Re-infusion for relapse / progression"));
}

#[test]
fn a_course_never_infused_takes_no_reinfusion() {
    let (app, mut c, patient) = enrolled();
    c.post(
        &format!("{patient}/treatments"),
        &refs(&valid(&days_ago(100).to_string())),
    )
    .assert_redirect_to(&patient);
    let pid: i32 = patient.rsplit('/').next().unwrap().parse().unwrap();
    let course: i32 = {
        use diesel::prelude::*;
        use registry::db::schema::treatment_courses;
        diesel::sql_query(format!(
            "INSERT INTO treatment_courses (patient_id, diagnosis_id, course_number, product, \
             product_class, apheresis_date, created_by, updated_by) \
             SELECT {pid}, diagnosis_id, 2, 'AXI_CEL', 'COMMERCIAL', '{}', 1, 1 \
             FROM treatment_courses WHERE patient_id = {pid}",
            days_ago(50)
        ))
        .execute(&mut app.db())
        .unwrap();
        treatment_courses::table
            .filter(treatment_courses::course_number.eq(2))
            .select(treatment_courses::id)
            .first(&mut app.db())
            .unwrap()
    };
    c.get(&format!("{patient}/courses/{course}/infusions/new"));

    let response = c.post(
        &format!("{patient}/courses/{course}/infusions"),
        &[
            ("intent", "RELAPSE_PROGRESSION"),
            ("lymphodepletion_regimen", "NONE"),
            ("infusion_date", &days_ago(10).to_string()),
        ],
    );

    assert_eq!(response.status, 422);
    assert!(response.body.contains("This course has no infusion yet"));
    assert_eq!(app.audit_change_sets("infusions").len(), 1);
}
