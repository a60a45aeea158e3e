//! Fixtures made here: followup_*.json (`survfit(Surv(time, status == 0) ~ g)`).

use crate::helpers::*;
use analytics::survival::{ConfType, median_follow_up};

fn check(fixture: &str, csv: &str, time: &str, event: &str, group: Option<&str>) {
    let exp = expected(fixture);
    let data = load(csv, time, event, group);
    for r in exp["results"].as_array().unwrap() {
        let ct = match r["conf_type"].as_str().unwrap() {
            "log" => ConfType::Log,
            "log-log" => ConfType::LogLog,
            _ => ConfType::Plain,
        };
        let got = median_follow_up(&data, ct, 0.95).unwrap();
        let want = r["strata"].as_array().unwrap();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            let name = format!("{fixture} {} {:?}", g.stratum, ct);
            assert_eq!(g.stratum, w["stratum"].as_str().unwrap());
            assert_eq!(g.n as f64, num(&w["n"]));
            assert_eq!(g.censored as f64, num(&w["censored"]));
            assert_close(
                &format!("{name} median"),
                g.median.estimate.unwrap_or(f64::NAN),
                num(&w["median"]),
                R_TOL,
            );
            assert_close(
                &format!("{name} lower"),
                g.median.lower.unwrap_or(f64::NAN),
                num(&w["lower"]),
                R_TOL,
            );
            assert_close(
                &format!("{name} upper"),
                g.median.upper.unwrap_or(f64::NAN),
                num(&w["upper"]),
                R_TOL,
            );
        }
    }
}

#[test]
fn aml() {
    check("followup_aml.json", "aml.csv", "time", "status", None);
}

#[test]
fn veteran_by_trt() {
    check(
        "followup_veteran_by_trt.json",
        "veteran.csv",
        "time",
        "status",
        Some("trt"),
    );
}

/// mgus2: event 0/1/2 is not an event coding; follow-up uses `event == 0` as censored,
/// so the column is recoded here to 0/1 (any event) first.
#[test]
fn mgus2_by_sex() {
    let exp_file = "followup_mgus2_by_sex.json";
    let text = std::fs::read_to_string(dataset("mgus2_cr.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let mut f: Vec<&str> = line.split(',').collect();
            f[1] = if f[1] == "0" { "0" } else { "1" };
            out.push_str(&f.join(","));
        }
        out.push('\n');
    }
    let (_dir, path) = temp_csv(&out);
    let exp = expected(exp_file);
    let cfg = analytics::config::SurvivalConfig {
        source: analytics::config::Source {
            csv: path,
            time: "etime".into(),
            event: "event".into(),
            format: analytics::cli::Format::Json,
        },
        event_coding: analytics::input::EventCoding::Auto,
        group: Some("sex".into()),
        conf_type: ConfType::Log,
        conf_level: 0.95,
        times: vec![],
    };
    let data = analytics::commands::load_survival(&cfg).unwrap().0;
    let got = median_follow_up(&data, ConfType::Log, 0.95).unwrap();
    let want = exp["results"][0]["strata"].as_array().unwrap();
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.stratum, w["stratum"].as_str().unwrap());
        assert_close(
            "median",
            g.median.estimate.unwrap_or(f64::NAN),
            num(&w["median"]),
            R_TOL,
        );
        assert_close(
            "lower",
            g.median.lower.unwrap_or(f64::NAN),
            num(&w["lower"]),
            R_TOL,
        );
        assert_close(
            "upper",
            g.median.upper.unwrap_or(f64::NAN),
            num(&w["upper"]),
            R_TOL,
        );
    }
}
