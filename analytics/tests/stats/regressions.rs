//! Discrepancies with R found by the differential harness (tests/differential),
//! pinned with fixtures from tests/reference/make_regressions.R (regr_*.json),
//! checked through the library front end and the built binary.

use crate::helpers::*;
use analytics::cli::Format;
use analytics::commands::{load_cox, load_cuminc, load_survival};
use analytics::config::{CoxConfig, CumincConfig, Source, SurvivalConfig, TermSpec};
use analytics::input::EventCoding;
use analytics::survival::{ConfType, Ties, cox, cumulative_incidence, kaplan_meier, log_rank};
use serde_json::Value;

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect()
}

/// Strata labels, KM columns, printed median and log-rank (df and p as
/// `print(survdiff)`) against the fixture, through the library and the CLI.
fn check_km_logrank(fixture: &str, csv: &str, group: &str) {
    check_km_logrank_coded(fixture, csv, group, None);
}

/// As [`check_km_logrank`], with `--event-value` when `event_value` is given.
fn check_km_logrank_coded(fixture: &str, csv: &str, group: &str, event_value: Option<&str>) {
    let want = expected(fixture);
    let config = SurvivalConfig {
        source: Source {
            csv: dataset(csv),
            time: "time".into(),
            event: "status".into(),
            format: Format::Json,
        },
        event_coding: event_value.map_or(EventCoding::Auto, |v| EventCoding::Value(v.into())),
        group: Some(group.into()),
        conf_type: ConfType::Log,
        conf_level: 0.95,
        times: vec![],
    };
    let data = load_survival(&config).unwrap().0;
    let fit = kaplan_meier(&data, ConfType::Log, 0.95).unwrap();
    let strata = want["strata"].as_array().unwrap();
    let labels: Vec<String> = fit.strata.iter().map(|c| c.stratum.clone()).collect();
    let want_labels: Vec<String> = strata
        .iter()
        .map(|s| s["stratum"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(labels, want_labels, "{fixture} strata");
    for (c, w) in fit.strata.iter().zip(strata) {
        let name = format!("{fixture} {}", c.stratum);
        assert_eq!(c.n as f64, num(&w["n"]), "{name} n");
        assert_eq!(c.events as f64, num(&w["events"]), "{name} events");
        assert_all_close(&format!("{name} time"), &c.time, &nums(&w["time"]), R_TOL);
        assert_all_close(&format!("{name} surv"), &c.surv, &nums(&w["surv"]), R_TOL);
        assert_all_close(
            &format!("{name} std_err"),
            &c.std_err,
            &nums(&w["std_err"]),
            R_TOL,
        );
        assert_all_close(
            &format!("{name} lower"),
            &c.lower,
            &nums(&w["lower"]),
            R_TOL,
        );
        assert_all_close(
            &format!("{name} upper"),
            &c.upper,
            &nums(&w["upper"]),
            R_TOL,
        );
        let m = c.median();
        for (what, got, key) in [
            ("median", m.estimate, "estimate"),
            ("lower", m.lower, "lower"),
            ("upper", m.upper, "upper"),
        ] {
            assert_close(
                &format!("{name} median {what}"),
                got.unwrap_or(f64::NAN),
                num(&w["median"][key]),
                R_TOL,
            );
        }
    }
    let lr_want = &want["logrank"];
    let lr = log_rank(&data, 0.0).unwrap();
    assert_eq!(
        lr.groups,
        strs(&lr_want["groups"]),
        "{fixture} log-rank groups"
    );
    assert_all_close(
        &format!("{fixture} observed"),
        &lr.observed,
        &nums(&lr_want["observed"]),
        R_TOL,
    );
    assert_all_close(
        &format!("{fixture} expected"),
        &lr.expected,
        &nums(&lr_want["expected"]),
        R_TOL,
    );
    assert_close(
        &format!("{fixture} chisq"),
        lr.chisq,
        num(&lr_want["chisq"]),
        R_TOL,
    );
    assert_close(&format!("{fixture} p"), lr.p, num(&lr_want["p"]), R_TOL);

    let path = dataset(csv);
    let mut args = vec![
        "survival",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        group,
    ];
    if let Some(v) = event_value {
        args.extend(["--event-value", v]);
    }
    let out = cli_json(&args);
    let cli_labels: Vec<String> = out["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stratum"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(cli_labels, want_labels, "{fixture} CLI strata");
    for (s, w) in out["strata"].as_array().unwrap().iter().zip(strata) {
        assert_all_close(
            &format!("{fixture} CLI surv {}", w["stratum"]),
            &nums(&s["table"]["surv"]),
            &nums(&w["surv"]),
            R_TOL,
        );
        assert_close(
            &format!("{fixture} CLI median {}", w["stratum"]),
            num(&s["median"]["estimate"]),
            num(&w["median"]["estimate"]),
            R_TOL,
        );
    }
    let lr = &out["logrank"];
    assert_eq!(
        strs(&lr["groups"]),
        strs(&lr_want["groups"]),
        "{fixture} CLI groups"
    );
    assert_eq!(num(&lr["df"]), num(&lr_want["df"]), "{fixture} CLI df");
    assert_close(
        "CLI chisq",
        num(&lr["chisq"]),
        num(&lr_want["chisq"]),
        R_TOL,
    );
    assert_close(
        &format!("{fixture} CLI p"),
        num(&lr["p"]),
        num(&lr_want["p"]),
        R_TOL,
    );
}

/// A group column read.csv types as double is labelled by `as.character`:
/// `g=1e+05`, not `g=100000`.
#[test]
fn double_group_labels_as_r() {
    check_km_logrank("regr_km_double_labels.json", "regr_numeric_labels.csv", "g");
}

/// An integer column keeps every digit (`h=100000`).
#[test]
fn integer_group_labels_as_r() {
    check_km_logrank(
        "regr_km_integer_labels.json",
        "regr_numeric_labels.csv",
        "h",
    );
}

/// `T`/`TRUE` and `F`/`FALSE` are one logical column: two strata, `FALSE` first.
#[test]
fn logical_group_is_two_levels() {
    check_km_logrank(
        "regr_km_logical_group.json",
        "regr_logical_group.csv",
        "prior",
    );
}

/// No events: `print(survdiff)` has df -1 and p NA (we gave df 0, p 1).
#[test]
fn logrank_without_events_has_no_p() {
    check_km_logrank(
        "regr_logrank_no_events.json",
        "regr_logrank_no_events.csv",
        "g",
    );
}

/// Events only while one group is at risk: df 0, p 1.
#[test]
fn logrank_with_one_informative_group() {
    check_km_logrank(
        "regr_logrank_one_group.json",
        "regr_logrank_one_group.csv",
        "g",
    );
}

/// Cox terms of a factor read.csv types as double carry R's names (`f1e+05`).
#[test]
fn cox_double_factor_terms_as_r() {
    let want = expected("regr_cox_double_factor.json");
    let config = CoxConfig {
        source: Source {
            csv: dataset("regr_cox_double_factor.csv"),
            time: "time".into(),
            event: "status".into(),
            format: Format::Json,
        },
        event_coding: EventCoding::Auto,
        terms: vec![
            TermSpec::Numeric("x".into()),
            TermSpec::Factor {
                column: "f".into(),
                reference: None,
            },
        ],
        ties: Ties::Efron,
        conf_level: 0.95,
    };
    let (data, _) = load_cox(&config).unwrap();
    let fit = cox(&data, Ties::Efron, 0.95).unwrap();
    let terms: Vec<String> = fit.coefficients.iter().map(|c| c.term.clone()).collect();
    assert_eq!(terms, strs(&want["terms"]));
    let coef: Vec<f64> = fit.coefficients.iter().map(|c| c.coef).collect();
    let se: Vec<f64> = fit.coefficients.iter().map(|c| c.se).collect();
    assert_all_close("coef", &coef, &nums(&want["coef"]), COX_TOL);
    assert_all_close("se", &se, &nums(&want["se"]), COX_TOL);
    assert_all_close(
        "loglik",
        &[fit.loglik_null, fit.loglik],
        &nums(&want["loglik"]),
        COX_TOL,
    );

    let path = dataset("regr_cox_double_factor.csv");
    let out = cli_json(&[
        "cox",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "x,f",
        "--factor",
        "f",
    ]);
    let cli_terms: Vec<String> = out["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(cli_terms, strs(&want["terms"]));
    let cli_coef: Vec<f64> = out["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| num(&c["coef"]))
        .collect();
    assert_all_close("CLI coef", &cli_coef, &nums(&want["coef"]), COX_TOL);
    // R's level name is the reference to give: --factor f:1e+05
    let out = cli_json(&[
        "cox",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "x,f",
        "--factor",
        "f:1e+05",
    ]);
    let cli_terms: Vec<String> = out["coefficients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["term"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(cli_terms, ["x", "f0.5", "f2"]);
}

/// R types a column before dropping rows with a missing value: a `1.5` on a row
/// dropped for its missing time still makes the group column double (`g=1e+05`).
#[test]
fn dropped_row_still_types_the_column_double() {
    check_km_logrank(
        "regr_km_dropped_row_double.json",
        "regr_dropped_row_typing.csv",
        "g",
    );
}

/// ... and an `unknown` there makes it text, sorted as text (`h=10` before `h=2`).
#[test]
fn dropped_row_still_types_the_column_text() {
    check_km_logrank(
        "regr_km_dropped_row_text.json",
        "regr_dropped_row_typing.csv",
        "h",
    );
}

/// The lines of R's printed output (`Call:` and its continuation skipped,
/// trailing blanks trimmed) must each appear in ours, in order.
fn assert_prints_as_r(fixture: &str, ours: &str) {
    let path = reference_dir().join("expected").join(fixture);
    let want = std::fs::read_to_string(&path).unwrap();
    let ours: Vec<&str> = ours.lines().map(str::trim_end).collect();
    let mut from = 0;
    let mut in_call = false;
    for line in want.lines().map(str::trim_end) {
        if line.starts_with('#') || line.is_empty() {
            in_call = false;
            continue;
        }
        if line.starts_with("Call:") {
            in_call = true;
            continue;
        }
        if in_call {
            continue;
        }
        match ours[from..].iter().position(|l| *l == line) {
            Some(i) => from += i + 1,
            None => panic!(
                "{fixture}: R prints\n{line}\nnot found (in order) in ours:\n{}",
                ours.join("\n")
            ),
        }
    }
}

/// `--format table` of `survival` prints as R's print(fit), summary(fit, times =)
/// and print(survdiff): column-wise formatting, NaN std.err at S = 0, p at 1 digit.
#[test]
fn survival_table_prints_as_r() {
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
        "--times",
        "0,12,24,60",
        "--format",
        "table",
    ]);
    assert!(out.status.success());
    assert_prints_as_r(
        "regr_print_aml_by_x.txt",
        &String::from_utf8(out.stdout).unwrap(),
    );
}

/// `--format table` of `cox` prints as R's print(summary(coxph)).
#[test]
fn cox_table_prints_as_r() {
    let path = dataset("veteran.csv");
    let out = run_cli(&[
        "cox",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--covariates",
        "trt,karno,celltype",
        "--factor",
        "celltype",
        "--format",
        "table",
    ]);
    assert!(out.status.success());
    assert_prints_as_r(
        "regr_print_veteran_cox.txt",
        &String::from_utf8(out.stdout).unwrap(),
    );
}

/// The 1/2 coding is decided on the whole status column: 2s only on rows
/// dropped for a missing group still make the kept 1s censorings.
#[test]
fn one_two_coding_decided_before_dropping_rows() {
    check_km_logrank(
        "regr_km_one_two_dropped.json",
        "regr_one_two_dropped.csv",
        "g",
    );
}

/// `--event-value 1` on a status column written `0.0`/`1.0`/`2.0` is R's
/// `status == 1` on the numeric column (we compared text: no events at all).
#[test]
fn event_value_compares_numbers_as_r() {
    check_km_logrank_coded(
        "regr_km_event_value_decimal.json",
        "regr_decimal_codes.csv",
        "g",
        Some("1"),
    );
}

/// `--censor-value 0` on `0.0`/`1.0`/`2.0` censors the `0.0` rows (we made
/// `0.0` a third cause), causes named as R's factor levels `1`, `2`.
#[test]
fn censor_value_compares_numbers_as_r() {
    let want = expected("regr_cuminc_censor_decimal.json");
    let config = CumincConfig {
        source: Source {
            csv: dataset("regr_decimal_codes.csv"),
            time: "time".into(),
            event: "status".into(),
            format: Format::Json,
        },
        censor_value: "0".into(),
        group: None,
        conf_type: ConfType::Log,
        conf_level: 0.95,
        times: vec![],
    };
    let (data, _) = load_cuminc(&config).unwrap();
    let fit = cumulative_incidence(&data, ConfType::Log, 0.95).unwrap();
    let s = &fit.strata[0];
    assert_eq!(data.causes(), ["1", "2"]);
    assert_all_close("time", &s.time, &nums(&want["time"]), R_TOL);
    assert_all_close("n_risk", &s.n_risk, &nums(&want["n_risk"]), R_TOL);
    for (k, c) in s.causes.iter().enumerate() {
        assert_all_close(&format!("cif {k}"), &c.cif, &nums(&want["cif"][k]), R_TOL);
        assert_all_close(
            &format!("std_err {k}"),
            &c.std_err,
            &nums(&want["std_err"][k]),
            R_TOL,
        );
    }
    let path = dataset("regr_decimal_codes.csv");
    let out = cli_json(&[
        "cuminc",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--censor-value",
        "0",
    ]);
    let causes = out["strata"][0]["table"]["causes"].as_array().unwrap();
    assert_eq!(causes.len(), 2);
    for (k, c) in causes.iter().enumerate() {
        assert_eq!(c["cause"].as_str().unwrap(), ["1", "2"][k]);
        assert_all_close(
            &format!("CLI cif {k}"),
            &nums(&c["cif"]),
            &nums(&want["cif"][k]),
            R_TOL,
        );
    }
}
