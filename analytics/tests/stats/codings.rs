//! What the CSV front end accepts: event codings, missing values, factors, labels.

use crate::helpers::*;

fn aml_with(
    f: impl Fn(&str, &str, &str) -> String,
    header: &str,
) -> (tempfile::TempDir, std::path::PathBuf) {
    let text = std::fs::read_to_string(dataset("aml.csv")).unwrap();
    let mut out = format!("{header}\n");
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        out.push_str(&f(c[0], c[1], c[2]));
        out.push('\n');
    }
    temp_csv(&out)
}

fn survival_json(path: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "survival",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        "x",
    ];
    args.extend(extra);
    cli_json(&args)
}

fn reference_json() -> serde_json::Value {
    survival_json(&dataset("aml.csv"), &[])
}

#[test]
fn r_one_two_coding_is_read_as_censored_event() {
    let (_d, path) = aml_with(
        |t, s, x| format!("{t},{},{x}", if s == "1" { 2 } else { 1 }),
        "time,status,x",
    );
    assert_eq!(survival_json(&path, &[]), reference_json());
}

#[test]
fn logical_coding() {
    let (_d, path) = aml_with(
        |t, s, x| format!("{t},{},{x}", if s == "1" { "TRUE" } else { "FALSE" }),
        "time,status,x",
    );
    assert_eq!(survival_json(&path, &[]), reference_json());
}

#[test]
fn event_value_flag() {
    let (_d, path) = aml_with(
        |t, s, x| format!("{t},{},{x}", if s == "1" { "relapse" } else { "censored" }),
        "time,status,x",
    );
    assert_eq!(
        survival_json(&path, &["--event-value", "relapse"]),
        reference_json()
    );
}

#[test]
fn rows_with_missing_values_are_dropped_and_counted() {
    let text = std::fs::read_to_string(dataset("aml.csv")).unwrap();
    let extra = "NA,1,Maintained\n5,,Maintained\n7,1,NA\n,0,Nonmaintained\n8,NA,Nonmaintained\n";
    let (_d, path) = temp_csv(&format!("{text}{extra}"));
    let mut got = survival_json(&path, &[]);
    assert_eq!(got["n_dropped"], 5);
    got["n_dropped"] = 0.into();
    assert_eq!(got, reference_json());
}

#[test]
fn extra_columns_and_quoted_numbers_are_fine() {
    let (_d, path) = aml_with(
        |t, s, x| format!("a,\"{t}\",{s}, {x} ,z"),
        "id,time,status,x,other",
    );
    assert_eq!(survival_json(&path, &[]), reference_json());
}

#[test]
fn strata_labels_and_numeric_order() {
    // numeric groups sort numerically (10 after 9) and print as R does
    let (_d, path) = temp_csv("time,status,g\n1,1,10\n2,1,9\n3,0,10\n4,1,9\n5,1,2.5\n6,0,2.5\n");
    let out = cli_json(&[
        "survival",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        "g",
    ]);
    let labels: Vec<&str> = out["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stratum"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["g=2.5", "g=9", "g=10"]);
    assert_eq!(out["logrank"]["df"], 2);
}

#[test]
fn factor_terms_are_named_as_r_names_them() {
    let path = dataset("veteran.csv");
    let out = cli_json(&[
        "cox",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "trt,celltype",
        "--factor",
        "celltype",
        "--factor",
        "trt",
    ]);
    let terms: Vec<&str> = out["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap())
        .collect();
    // default reference: first level in sorted order (adeno; trt 1)
    assert_eq!(
        terms,
        [
            "trt2",
            "celltypelarge",
            "celltypesmallcell",
            "celltypesquamous"
        ]
    );
}

#[test]
fn factor_not_in_covariates_is_appended() {
    let path = dataset("veteran.csv");
    let out = cli_json(&[
        "cox",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "karno",
        "--factor",
        "celltype:squamous",
    ]);
    let terms: Vec<&str> = out["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap())
        .collect();
    assert_eq!(
        terms,
        [
            "karno",
            "celltypeadeno",
            "celltypelarge",
            "celltypesmallcell"
        ]
    );
}

#[test]
fn table_format_prints_like_r() {
    let path = dataset("aml.csv");
    let out = run_cli(&[
        "survival",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        "x",
        "--format",
        "table",
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("x=Maintained    11      7     31      18      NA"),
        "{text}"
    );
    assert!(
        text.contains("Chisq= 3.4  on 1 degrees of freedom"),
        "{text}"
    );
    let out = run_cli(&[
        "cox",
        "--csv",
        dataset("veteran.csv").to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "trt,celltype,karno",
        "--factor",
        "celltype:squamous",
        "--format",
        "table",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Likelihood ratio test= 61.07  on 5 df"),
        "{text}"
    );
    assert!(text.contains("Concordance= 0.737"), "{text}");
}

#[test]
fn cox_warns_about_an_infinite_coefficient() {
    // every event in group 1 happens before any in group 0: the MLE is infinite
    let (_d, path) =
        temp_csv("time,status,g\n1,1,1\n2,1,1\n3,1,1\n4,0,1\n5,1,0\n6,1,0\n7,1,0\n8,0,0\n");
    let out = cli_json(&[
        "cox",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "g",
    ]);
    let warnings = out["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("may be infinite")),
        "{out}"
    );
}

#[test]
fn byte_order_mark_in_header_is_ignored() {
    let text = std::fs::read_to_string(dataset("aml.csv")).unwrap();
    let (_d, path) = temp_csv(&format!("\u{feff}{text}"));
    assert_eq!(survival_json(&path, &[]), reference_json());
}

#[test]
fn cox_reports_an_aliased_term_as_null_with_a_warning() {
    let (_d, path) = temp_csv(
        "time,status,a,b\n1,1,1,2\n2,1,2,4\n3,0,3,6\n4,1,4,8\n5,1,5,10\n6,0,1,2\n7,1,3,6\n",
    );
    let out = cli_json(&[
        "cox",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "a,b",
    ]);
    assert!(out["coefficients"][1]["coef"].is_null(), "{out}");
    assert!(
        out["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("b: not estimable")),
        "{out}"
    );
    assert_eq!(out["lr_test"]["df"], 1);
}
