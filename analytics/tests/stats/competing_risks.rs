//! Fixtures made here by tests/reference/make_fixtures.R: cuminc_*.json
//! (`survfit(Surv(t, factor(status)) ~ g)` and `cmprsk::cuminc`).

use crate::helpers::*;
use analytics::cli::Format;
use analytics::commands::load_cuminc;
use analytics::config::{CumincConfig, Source};
use analytics::survival::{ConfType, cumulative_incidence, gray_test};
use serde_json::Value;

fn config(csv: &str, time: &str, event: &str, group: &str, times: Vec<f64>) -> CumincConfig {
    CumincConfig {
        source: Source {
            csv: dataset(csv),
            time: time.into(),
            event: event.into(),
            format: Format::Json,
        },
        censor_value: "0".into(),
        group: Some(group.into()),
        conf_type: ConfType::Log,
        conf_level: 0.95,
        times,
    }
}

/// survival 3.5-3 gives NA limits where the incidence and its se are both 0; we
/// keep survival >= 3.8's [0, 0] there. Everything else must match.
fn assert_limit(what: &str, got: &[f64], want: &[f64], cif: &[f64], se: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for i in 0..got.len() {
        if want[i].is_nan() && se[i] == 0.0 {
            assert_eq!(got[i], cif[i], "{what}[{i}]");
        } else {
            assert_close(&format!("{what}[{i}]"), got[i], want[i], R_TOL);
        }
    }
}

fn check_gray(name: &str, got: &[(String, f64, usize, f64)], want: &Value) {
    let want = want.as_array().unwrap();
    assert_eq!(got.len(), want.len(), "{name}: causes");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.0, w["cause"].as_str().unwrap());
        assert_close(
            &format!("{name} gray stat {}", g.0),
            g.1,
            num(&w["stat"]),
            R_TOL,
        );
        assert_eq!(g.2 as f64, num(&w["df"]));
        // cmprsk's p is 1 - pchisq (no digits left below 1e-15); compare with the upper tail
        assert_close(
            &format!("{name} gray p {}", g.0),
            g.3,
            num(&w["p_upper_tail"]),
            R_TOL,
        );
        if num(&w["p"]) > 1e-6 {
            assert_close(
                &format!("{name} gray p (cmprsk) {}", g.0),
                g.3,
                num(&w["p"]),
                R_TOL,
            );
        }
    }
}

fn check(fixture: &str, csv: &str, time: &str, event: &str, group: &str) {
    let exp = expected(fixture);
    let at_times = nums(&exp["strata"][0]["at"]["time"]);
    let (data, dropped) = load_cuminc(&config(csv, time, event, group, vec![])).unwrap();
    assert_eq!(dropped as f64, num(&exp["n_dropped"]), "{fixture} dropped");
    let fit = cumulative_incidence(&data, ConfType::Log, 0.95).unwrap();
    let strata = exp["strata"].as_array().unwrap();
    assert_eq!(fit.strata.len(), strata.len());
    for (s, w) in fit.strata.iter().zip(strata) {
        let name = format!("{fixture} {}", s.stratum);
        assert_eq!(s.stratum, w["stratum"].as_str().unwrap());
        assert_eq!(s.n as f64, num(&w["n"]), "{name} n");
        assert_all_close(
            &format!("{name} time"),
            &s.time,
            &nums(&w["table"]["time"]),
            R_TOL,
        );
        assert_all_close(
            &format!("{name} n_risk"),
            &s.n_risk,
            &nums(&w["table"]["n_risk"]),
            R_TOL,
        );
        let at = s.at(&at_times).unwrap();
        for (k, c) in s.causes.iter().enumerate() {
            let wc = &w["table"]["causes"][k];
            assert_eq!(c.cause, wc["cause"].as_str().unwrap());
            let n = format!("{name} cause {}", c.cause);
            assert_all_close(&format!("{n} cif"), &c.cif, &nums(&wc["cif"]), R_TOL);
            assert_all_close(
                &format!("{n} std_err"),
                &c.std_err,
                &nums(&wc["std_err"]),
                R_TOL,
            );
            assert_limit(
                &format!("{n} lower"),
                &c.lower,
                &nums(&wc["lower"]),
                &c.cif,
                &c.std_err,
            );
            assert_limit(
                &format!("{n} upper"),
                &c.upper,
                &nums(&wc["upper"]),
                &c.cif,
                &c.std_err,
            );
            let wa = &w["at"]["causes"][k];
            assert_all_close(
                &format!("{n} at cif"),
                &at.causes[k].cif,
                &nums(&wa["cif"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{n} at std_err"),
                &at.causes[k].std_err,
                &nums(&wa["std_err"]),
                R_TOL,
            );
            assert_limit(
                &format!("{n} at lower"),
                &at.causes[k].lower,
                &nums(&wa["lower"]),
                &at.causes[k].cif,
                &at.causes[k].std_err,
            );
            assert_limit(
                &format!("{n} at upper"),
                &at.causes[k].upper,
                &nums(&wa["upper"]),
                &at.causes[k].cif,
                &at.causes[k].std_err,
            );
        }
    }
    let gray: Vec<_> = gray_test(&data, 0.0)
        .unwrap()
        .into_iter()
        .map(|g| (g.cause, g.stat, g.df, g.p))
        .collect();
    check_gray(fixture, &gray, &exp["gray"]);

    // the command line
    let path = dataset(csv);
    let times = at_times
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let out = cli_json(&[
        "cuminc",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        time,
        "--event",
        event,
        "--censor-value",
        "0",
        "--group",
        group,
        "--times",
        &times,
    ]);
    assert_eq!(num(&out["n_dropped"]), num(&exp["n_dropped"]));
    for (s, w) in out["strata"].as_array().unwrap().iter().zip(strata) {
        let name = format!("CLI {fixture} {}", s["stratum"]);
        assert_eq!(s["stratum"], w["stratum"]);
        assert_all_close(
            &format!("{name} time"),
            &nums(&s["table"]["time"]),
            &nums(&w["table"]["time"]),
            R_TOL,
        );
        assert_all_close(
            &format!("{name} n_risk"),
            &nums(&s["table"]["n_risk"]),
            &nums(&w["table"]["n_risk"]),
            R_TOL,
        );
        for k in 0..w["table"]["causes"].as_array().unwrap().len() {
            let (c, wc) = (&s["table"]["causes"][k], &w["table"]["causes"][k]);
            assert_eq!(c["cause"], wc["cause"]);
            assert_all_close(
                &format!("{name} cif"),
                &nums(&c["cif"]),
                &nums(&wc["cif"]),
                R_TOL,
            );
            assert_all_close(
                &format!("{name} std_err"),
                &nums(&c["std_err"]),
                &nums(&wc["std_err"]),
                R_TOL,
            );
            assert_limit(
                &format!("{name} upper"),
                &nums(&c["upper"]),
                &nums(&wc["upper"]),
                &nums(&c["cif"]),
                &nums(&c["std_err"]),
            );
            let (a, wa) = (&s["at"]["causes"][k], &w["at"]["causes"][k]);
            assert_all_close(
                &format!("{name} at cif"),
                &nums(&a["cif"]),
                &nums(&wa["cif"]),
                R_TOL,
            );
        }
    }
    let gray: Vec<_> = out["gray"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["cause"].as_str().unwrap().to_owned(),
                num(&g["stat"]),
                g["df"].as_u64().unwrap() as usize,
                num(&g["p"]),
            )
        })
        .collect();
    check_gray(&format!("CLI {fixture}"), &gray, &exp["gray"]);
}

#[test]
fn mgus2_by_sex() {
    check(
        "cuminc_mgus2_by_sex.json",
        "mgus2_cr.csv",
        "etime",
        "event",
        "sex",
    );
}

/// Three groups (edema 0 / 0.5 / 1, numeric levels), Gray's test on 2 df.
#[test]
fn pbc_by_edema_three_groups() {
    check(
        "cuminc_pbc_by_edema.json",
        "pbc_cr.csv",
        "time",
        "status",
        "edema",
    );
}

/// 106 rows with NA trt are dropped and counted.
#[test]
fn pbc_by_trt_with_missing_groups() {
    check(
        "cuminc_pbc_by_trt.json",
        "pbc_cr.csv",
        "time",
        "status",
        "trt",
    );
}
