//! summary.json against `analytics/schemas/summary.schema.json` with a real JSON Schema
//! (2020-12) validator, and the schema's strictness: a missing headline number, a wrong type or
//! an unknown key must fail.

use analytics::report::run;
use serde_json::Value;

use crate::helpers::small_cohort;
use crate::report::{config, seeded};

const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/summary.schema.json");

/// The validation errors of `instance`, `None` when it is valid.
fn errors(instance: &Value) -> Option<String> {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let index = compiler.compile(SCHEMA_PATH, &mut schemas).unwrap();
    schemas
        .validate(instance, index)
        .err()
        .map(|e| format!("{e:#}"))
}

fn summary_of(db: &crate::helpers::TestDb) -> Value {
    let out = tempfile::tempdir().unwrap();
    let r = run(&config(db.path(), out.path(), false)).unwrap();
    serde_json::from_str(&std::fs::read_to_string(r.dir.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn the_schema_file_is_the_one_compiled_in() {
    assert_eq!(
        std::fs::read_to_string(SCHEMA_PATH).unwrap(),
        analytics::report::summary::SCHEMA
    );
}

#[test]
fn summary_json_of_a_seeded_registry_is_valid() {
    let summary = summary_of(&seeded());
    assert_eq!(errors(&summary), None);
    // The immune-recovery analyses are really there (not empty arrays passing vacuously).
    let ir = &summary["immune_recovery"];
    assert!(!ir["b_cell_aplasia"].as_array().unwrap().is_empty());
    assert!(!ir["persistence_loss"].as_array().unwrap().is_empty());
}

/// What a broken summary is called, and how it is broken.
type Breakage = (&'static str, fn(&mut Value));

#[test]
fn the_schema_refuses_a_missing_number_a_wrong_type_and_an_unknown_key() {
    let summary = summary_of(&small_cohort());
    assert_eq!(errors(&summary), None);
    let broken: [Breakage; 6] = [
        ("missing median", |s| {
            s["time_to_event"][0]["strata"][0]
                .as_object_mut()
                .unwrap()
                .remove("median_days");
        }),
        ("missing Gray's p", |s| {
            s["competing_risks"][0]
                .as_object_mut()
                .unwrap()
                .remove("gray_p_relapse");
        }),
        ("missing B-cell aplasia", |s| {
            s["immune_recovery"]
                .as_object_mut()
                .unwrap()
                .remove("b_cell_aplasia");
        }),
        ("median as text", |s| {
            s["follow_up"]["median_days"] = Value::from("12.5");
        }),
        ("rate above 1", |s| {
            s["time_to_event"][0]["strata"][0]["landmarks"][0]["surv"] = Value::from(1.5);
        }),
        ("unknown key", |s| {
            s["cohort"]
                .as_object_mut()
                .unwrap()
                .insert("registred".into(), Value::from(1));
        }),
    ];
    for (what, breaks) in broken {
        let mut s = summary.clone();
        breaks(&mut s);
        assert!(errors(&s).is_some(), "{what}: accepted by the schema");
    }
}
