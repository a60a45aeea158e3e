//! Fixtures: km_*.json (R 4.2.2, survival 3.5-3; `survfit`, `summary`, `print`).

use crate::helpers::*;
use analytics::survival::{KmCurve, kaplan_meier};
use serde_json::Value;

/// R 3.5-3 gives NA for a log-log limit where se = 0 (S = 1); we keep survival
/// >= 3.8's value S there (see `KmCurve::band`). Everything else must match.
fn assert_limit(what: &str, got: &[f64], want: &[f64], surv: &[f64], se: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for i in 0..got.len() {
        if want[i].is_nan() && se[i] == 0.0 {
            assert_eq!(got[i], surv[i], "{what}[{i}]: se = 0 gives S");
        } else {
            assert_close(&format!("{what}[{i}]"), got[i], want[i], R_TOL);
        }
    }
}

fn stratum<'a>(exp: &'a Value, label: &str) -> &'a Value {
    exp["strata"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stratum"] == label)
        .unwrap_or_else(|| panic!("no stratum {label} in fixture"))
}

fn check_table(name: &str, curve: &KmCurve, es: &Value) {
    let t = &es["table"];
    assert_eq!(curve.n as f64, num(&es["n"]), "{name} n");
    assert_eq!(curve.events as f64, num(&es["events"]), "{name} events");
    for (field, got) in [
        ("time", &curve.time),
        ("n_risk", &curve.n_risk),
        ("n_event", &curve.n_event),
        ("n_censor", &curve.n_censor),
        ("surv", &curve.surv),
        ("std_err", &curve.std_err),
        ("cumhaz", &curve.cumhaz),
        ("std_chaz", &curve.std_chaz),
    ] {
        assert_all_close(&format!("{name} {field}"), got, &nums(&t[field]), R_TOL);
    }
    let se_surv: Vec<f64> = curve
        .surv
        .iter()
        .zip(&curve.std_err)
        .map(|(s, e)| s * e)
        .collect();
    assert_all_close(
        &format!("{name} std_err_surv"),
        &se_surv,
        &nums(&t["std_err_surv"]),
        R_TOL,
    );
}

fn check_fixture(fixture: &str, csv: &str, group: Option<&str>) {
    let exp = expected(fixture);
    let data = load(csv, "time", "status", group);
    let landmark_times = nums(&exp["landmark_times"]);
    let n_strata = exp["strata"].as_array().unwrap().len();
    // one fit; the three CI types come from its standard error
    let base = kaplan_meier(&data, analytics::survival::ConfType::Log, 0.95).unwrap();
    assert_eq!(base.strata.len(), n_strata, "{fixture}: strata");
    for curve in &base.strata {
        let es = stratum(&exp, &curve.stratum);
        let name = format!("{fixture} {}", curve.stratum);
        check_table(&name, curve, es);
        for (ct, key, _) in conf_types() {
            let band = curve.band(ct).unwrap();
            let t = &es["table"];
            assert_limit(
                &format!("{name} lower_{key}"),
                &band.lower,
                &nums(&t[format!("lower_{key}")]),
                &curve.surv,
                &curve.std_err,
            );
            assert_limit(
                &format!("{name} upper_{key}"),
                &band.upper,
                &nums(&t[format!("upper_{key}")]),
                &curve.surv,
                &curve.std_err,
            );
            let m = curve.median_with(ct).unwrap();
            let mp = &es["median_printed"][key];
            assert_close(
                &format!("{name} median {key}"),
                m.estimate.unwrap_or(f64::NAN),
                num(&mp["median"]),
                R_TOL,
            );
            assert_close(
                &format!("{name} median lower {key}"),
                m.lower.unwrap_or(f64::NAN),
                num(&mp["lower"]),
                R_TOL,
            );
            assert_close(
                &format!("{name} median upper {key}"),
                m.upper.unwrap_or(f64::NAN),
                num(&mp["upper"]),
                R_TOL,
            );
        }
        for r in es["rmean"].as_array().unwrap() {
            let got = curve.rmst(num(&r["tau"])).unwrap();
            assert_close(&format!("{name} rmean"), got.rmean, num(&r["rmean"]), R_TOL);
            assert_close(&format!("{name} rmean se"), got.se, num(&r["se"]), R_TOL);
        }
    }
    // a fit of each type carries that type's limits, medians and landmarks
    for (ct, key, _) in conf_types() {
        let fit = kaplan_meier(&data, ct, 0.95).unwrap();
        for curve in &fit.strata {
            let es = stratum(&exp, &curve.stratum);
            let name = format!("{fixture} {} {key}", curve.stratum);
            let band = curve.band(ct).unwrap();
            assert_all_close(
                &format!("{name} fit lower = band"),
                &curve.lower,
                &band.lower,
                0.0,
            );
            assert_all_close(
                &format!("{name} fit upper = band"),
                &curve.upper,
                &band.upper,
                0.0,
            );
            let m = curve.median();
            let mp = &es["median_printed"][key];
            assert_close(
                &format!("{name} median"),
                m.estimate.unwrap_or(f64::NAN),
                num(&mp["median"]),
                R_TOL,
            );
            assert_close(
                &format!("{name} median lower"),
                m.lower.unwrap_or(f64::NAN),
                num(&mp["lower"]),
                R_TOL,
            );
            assert_close(
                &format!("{name} median upper"),
                m.upper.unwrap_or(f64::NAN),
                num(&mp["upper"]),
                R_TOL,
            );
            let l = curve.at(&landmark_times).unwrap();
            let el = &es["landmarks"];
            assert_all_close(
                &format!("{name} at time"),
                &l.time,
                &nums(&el["time"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} at n_risk"),
                &l.n_risk,
                &nums(&el["n_risk"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} at n_event"),
                &l.n_event,
                &nums(&el["n_event"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} at n_censor"),
                &l.n_censor,
                &nums(&el["n_censor"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} at surv"),
                &l.surv,
                &nums(&el["surv"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} at std_err"),
                &l.std_err,
                &nums(&el["std_err_surv"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} at lower"),
                &l.lower,
                &nums(&el[format!("lower_{key}")]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} at upper"),
                &l.upper,
                &nums(&el[format!("upper_{key}")]),
                R_TOL,
            );
        }
    }
    // the same numbers through the command line
    let path = dataset(csv);
    let times = landmark_times
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(",");
    for (_, key, flag) in conf_types() {
        let mut args = vec![
            "survival",
            "--csv",
            path.to_str().unwrap(),
            "--time",
            "time",
            "--event",
            "status",
            "--conf-type",
            flag,
            "--times",
            &times,
        ];
        if let Some(g) = group {
            args.extend(["--group", g]);
        }
        let out = cli_json(&args);
        assert_eq!(out["conf_type"], flag);
        assert_eq!(out["n_dropped"], 0);
        assert_eq!(out["strata"].as_array().unwrap().len(), n_strata);
        for s in out["strata"].as_array().unwrap() {
            let label = s["stratum"].as_str().unwrap();
            let es = stratum(&exp, label);
            let name = format!("CLI {fixture} {label} {key}");
            assert_eq!(s["n"], es["n"], "{name} n");
            assert_eq!(s["events"], es["events"], "{name} events");
            for field in ["time", "n_risk", "n_event", "n_censor", "surv", "std_err"] {
                assert_all_close(
                    &format!("{name} {field}"),
                    &nums(&s["table"][field]),
                    &nums(&es["table"][field]),
                    R_TOL,
                );
            }
            let surv = nums(&s["table"]["surv"]);
            let se = nums(&s["table"]["std_err"]);
            // JSON null for Inf: se = 0 rows are still 0
            assert_limit(
                &format!("{name} lower"),
                &nums(&s["table"]["lower"]),
                &nums(&es["table"][format!("lower_{key}")]),
                &surv,
                &se,
            );
            assert_limit(
                &format!("{name} upper"),
                &nums(&s["table"]["upper"]),
                &nums(&es["table"][format!("upper_{key}")]),
                &surv,
                &se,
            );
            let mp = &es["median_printed"][key];
            for (field, want) in [
                ("estimate", "median"),
                ("lower", "lower"),
                ("upper", "upper"),
            ] {
                assert_close(
                    &format!("{name} median {field}"),
                    num(&s["median"][field]),
                    num(&mp[want]),
                    R_TOL,
                );
            }
            let el = &es["landmarks"];
            for (field, want) in [
                ("time", "time".to_owned()),
                ("surv", "surv".into()),
                ("n_risk", "n_risk".into()),
                ("std_err", "std_err_surv".into()),
                ("lower", format!("lower_{key}")),
                ("upper", format!("upper_{key}")),
            ] {
                assert_all_close(
                    &format!("{name} at {field}"),
                    &nums(&s["at"][field]),
                    &nums(&el[want.as_str()]),
                    R_TOL,
                );
            }
        }
    }
}

#[test]
fn aml_overall() {
    check_fixture("km_aml.json", "aml.csv", None);
}

#[test]
fn aml_by_x() {
    check_fixture("km_aml_by_x.json", "aml.csv", Some("x"));
}

#[test]
fn veteran_overall() {
    check_fixture("km_veteran.json", "veteran.csv", None);
}

#[test]
fn veteran_by_trt() {
    check_fixture("km_veteran_by_trt.json", "veteran.csv", Some("trt"));
}

/// R's veteran data carry a factor order (squamous first) that a CSV cannot;
/// strata are matched by label and come out in sorted order here.
#[test]
fn veteran_by_celltype() {
    check_fixture(
        "km_veteran_by_celltype.json",
        "veteran.csv",
        Some("celltype"),
    );
}

/// The "all" label and a single stratum without --group.
#[test]
fn overall_stratum_is_labelled_all() {
    let fit = kaplan_meier(
        &load("aml.csv", "time", "status", None),
        analytics::survival::ConfType::Log,
        0.95,
    )
    .unwrap();
    assert_eq!(fit.strata.len(), 1);
    assert_eq!(fit.strata[0].stratum, "all");
}
