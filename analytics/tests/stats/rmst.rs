//! Fixture: rmst_aml.json (`summary(survfit(...), rmean = tau)$table`) and the
//! km fixtures' `rmean_common_individual`.

use crate::helpers::*;
use analytics::survival::{ConfType, kaplan_meier};

#[test]
fn aml_at_every_tau() {
    let exp = expected("rmst_aml.json");
    for r in exp["results"].as_array().unwrap() {
        let call = r["call"].as_str().unwrap();
        let group = if call.ends_with("~ x") {
            Some("x")
        } else {
            None
        };
        let fit = kaplan_meier(
            &load("aml.csv", "time", "status", group),
            ConfType::Log,
            0.95,
        )
        .unwrap();
        let tau = num(&r["tau"]);
        for (k, label) in r["strata"].as_array().unwrap().iter().enumerate() {
            let curve = fit.strata.iter().find(|c| c.stratum == *label).unwrap();
            let got = curve.rmst(tau).unwrap();
            assert_close(
                &format!("{call} tau={tau} {label} rmean"),
                got.rmean,
                num(&r["rmean"][k]),
                R_TOL,
            );
            assert_close(
                &format!("{call} tau={tau} {label} se"),
                got.se,
                num(&r["se"][k]),
                R_TOL,
            );
        }
    }
}

/// R's rmean = "common" / "individual": truncation at the largest last time of
/// any stratum, or at each stratum's own last time.
#[test]
fn common_and_individual_truncation() {
    for (fixture, csv, group) in [
        ("km_aml_by_x.json", "aml.csv", "x"),
        ("km_veteran_by_trt.json", "veteran.csv", "trt"),
    ] {
        let exp = expected(fixture);
        let fit = kaplan_meier(
            &load(csv, "time", "status", Some(group)),
            ConfType::Log,
            0.95,
        )
        .unwrap();
        for kind in ["common", "individual"] {
            let w = &exp["rmean_common_individual"][kind];
            for (k, label) in w["strata"].as_array().unwrap().iter().enumerate() {
                let curve = fit.strata.iter().find(|c| c.stratum == *label).unwrap();
                let got = curve.rmst(num(&w["end_time"][k])).unwrap();
                assert_close(
                    &format!("{fixture} {kind} {label}"),
                    got.rmean,
                    num(&w["rmean"][k]),
                    R_TOL,
                );
                assert_close(
                    &format!("{fixture} {kind} {label} se"),
                    got.se,
                    num(&w["se"][k]),
                    R_TOL,
                );
            }
        }
    }
}
