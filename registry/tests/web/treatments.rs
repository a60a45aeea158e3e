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
    assert!(timeline.body.contains("FUNGAL_MOULD"));
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
