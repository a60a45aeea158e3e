use std::path::Path;
use std::process::Command;

use analytics::report::endpoints::EndpointOptions;
use analytics::report::{ReportConfig, Section, run};
use analytics::survival::{
    ConfType, Groups, SurvivalData, clopper_pearson, kaplan_meier, log_rank,
};
use serde_json::Value;

use crate::helpers::{TestDb, date, small_cohort};

fn config(db: &Path, out: &Path, raster: bool) -> ReportConfig {
    ReportConfig {
        db: db.to_owned(),
        out: out.to_owned(),
        cutoff: date("2025-06-30"),
        sections: Section::ALL.to_vec(),
        options: EndpointOptions::default(),
        progress: false,
        raster,
    }
}

/// A seeded database from the seed engineer's generator, or the hand-made cohort if the
/// generator cannot run here.
fn seeded() -> TestDb {
    let mut db = TestDb::new();
    let path = db.dir.path().join("seeded.db");
    let options = registry::seed::SeedOptions {
        db: path.clone(),
        patients: 400,
        seed: 7,
        today: date("2025-06-30"),
        force: false,
        threads: 1,
        progress: false,
        check_constraints: false,
    };
    match registry::seed::seed(&options) {
        Ok(_) => {
            db.path = path;
            db
        }
        Err(e) => {
            eprintln!("seed unavailable ({e}); using the hand-made cohort");
            small_cohort()
        }
    }
}

struct Adtte {
    paramcd: Vec<String>,
    aval: Vec<f64>,
    cnsr: Vec<i32>,
    disease: Vec<String>,
}

fn read_adtte(path: &Path) -> Adtte {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let idx = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (p, a, c, d) = (idx("PARAMCD"), idx("AVAL"), idx("CNSR"), idx("DISEASE"));
    let mut out = Adtte {
        paramcd: vec![],
        aval: vec![],
        cnsr: vec![],
        disease: vec![],
    };
    for rec in r.records() {
        let rec = rec.unwrap();
        out.paramcd.push(rec[p].to_owned());
        out.aval.push(rec[a].parse().unwrap());
        out.cnsr.push(rec[c].parse().unwrap());
        out.disease.push(rec[d].to_owned());
    }
    out
}

fn close(a: Option<f64>, b: &Value) -> bool {
    match (a, b.as_f64()) {
        (None, None) => b.is_null(),
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12 * x.abs().max(1.0),
        _ => false,
    }
}

#[test]
fn summary_numbers_equal_the_engine_on_adtte_csv() {
    let db = seeded();
    let out = tempfile::tempdir().unwrap();
    let outcome = run(&config(db.path(), out.path(), false)).unwrap();
    let dir = outcome.dir;
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap();
    let t = read_adtte(&dir.join("tables/adtte.csv"));
    for param in ["OS", "PFS", "DOR"] {
        let rows: Vec<usize> = (0..t.paramcd.len())
            .filter(|&i| t.paramcd[i] == param)
            .collect();
        if rows.is_empty() {
            continue;
        }
        let time: Vec<f64> = rows.iter().map(|&i| t.aval[i]).collect();
        let event: Vec<bool> = rows.iter().map(|&i| t.cnsr[i] == 0).collect();
        let groups: Vec<String> = rows.iter().map(|&i| t.disease[i].clone()).collect();
        // Overall: survfit(Surv(AVAL, CNSR == 0) ~ 1)
        let data = SurvivalData::new(time.clone(), event.clone()).unwrap();
        let fit = kaplan_meier(&data, ConfType::Log, 0.95).unwrap();
        let got = summary["time_to_event"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["paramcd"] == param && a["by"] == "overall")
            .unwrap();
        let curve = &fit.strata[0];
        let s = &got["strata"][0];
        assert_eq!(s["n"].as_u64().unwrap() as usize, curve.n, "{param}");
        assert_eq!(
            s["events"].as_u64().unwrap() as usize,
            curve.events,
            "{param}"
        );
        let m = curve.median();
        assert!(close(m.estimate, &s["median_days"]), "{param} median");
        assert!(
            close(m.lower, &s["median_lower_days"]),
            "{param} median lower"
        );
        assert!(
            close(m.upper, &s["median_upper_days"]),
            "{param} median upper"
        );
        let marks = [6.0 * 30.4375, 12.0 * 30.4375, 24.0 * 30.4375];
        let at = curve.at(&marks).unwrap();
        for k in 0..3 {
            let l = &s["landmarks"][k];
            assert!(
                close(at.surv[k].is_finite().then_some(at.surv[k]), &l["surv"]),
                "{param} rate {k}"
            );
            assert!(
                close(at.lower[k].is_finite().then_some(at.lower[k]), &l["lower"]),
                "{param} lower {k}"
            );
        }
        // By disease: log-rank p.
        let grouped = data
            .with_groups(Groups::from_strings("DISEASE", &groups))
            .unwrap();
        let by = summary["time_to_event"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["paramcd"] == param && a["by"] == "DISEASE")
            .unwrap();
        match log_rank(&grouped, 0.0) {
            Ok(lr) => assert!(close(Some(lr.p), &by["log_rank_p"]), "{param} log-rank"),
            Err(_) => assert!(by["log_rank_p"].is_null()),
        }
    }
    // ORR from adrs.csv.
    let mut r = csv::Reader::from_path(dir.join("tables/adrs.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let rsp = h.iter().position(|x| x == "RSPFL").unwrap();
    let (mut n, mut x) = (0u64, 0u64);
    for rec in r.records() {
        let rec = rec.unwrap();
        n += 1;
        x += u64::from(&rec[rsp] == "Y");
    }
    let ci = clopper_pearson(x, n, 0.95).unwrap();
    let orr = &summary["response"][0]["rows"][0]["orr"];
    assert_eq!(orr["x"].as_u64(), Some(x));
    assert_eq!(orr["n"].as_u64(), Some(n));
    assert!(close(Some(ci.lower), &orr["lower"]));
    assert!(close(Some(ci.upper), &orr["upper"]));
}

fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.strip_prefix(dir).unwrap().display().to_string(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn reruns_are_byte_identical_and_latest_points_at_the_run() {
    let db = small_cohort();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let ra = run(&config(db.path(), a.path(), true)).unwrap();
    let rb = run(&config(db.path(), b.path(), true)).unwrap();
    let ta = read_tree(&ra.dir);
    let tb = read_tree(&rb.dir);
    assert_eq!(ta.len(), tb.len());
    for ((na, ba), (nb, bb)) in ta.iter().zip(&tb) {
        assert_eq!(na, nb);
        assert!(ba == bb, "{na} differs between runs");
    }
    for needed in [
        "index.html",
        "summary.json",
        "tables/adtte.csv",
        "tables/adrs.csv",
        "charts/km_os.svg",
        "charts/km_os.png",
        "charts/km_os.pdf",
    ] {
        assert!(ta.iter().any(|(n, _)| n == needed), "{needed} missing");
    }
    let latest = std::fs::canonicalize(a.path().join("latest")).unwrap();
    assert_eq!(latest, std::fs::canonicalize(&ra.dir).unwrap());
    let html = std::fs::read_to_string(ra.dir.join("index.html")).unwrap();
    assert!(!html.contains("http://") && !html.contains("https://") || html.contains("xmlns"));
    assert!(html.contains("<svg"));
    assert!(html.contains("Data cut-off 2025-06-30"));
}

#[test]
fn summary_has_every_key_the_schema_requires() {
    let db = small_cohort();
    let out = tempfile::tempdir().unwrap();
    let r = run(&config(db.path(), out.path(), false)).unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(r.dir.join("summary.json")).unwrap())
            .unwrap();
    let schema: Value = serde_json::from_str(analytics::report::summary::SCHEMA).unwrap();
    for key in schema["required"].as_array().unwrap() {
        assert!(
            summary.get(key.as_str().unwrap()).is_some(),
            "{key} missing"
        );
    }
}

fn analytics(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_analytics"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn bad_input_exits_2_and_names_it() {
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let missing = analytics(&[
        "report",
        "--db",
        "/nonexistent.db",
        "--out",
        o,
        "--cutoff",
        "2025-01-01",
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent.db"));
    let db = small_cohort();
    let p = db.path().to_str().unwrap();
    let bad_date = analytics(&["report", "--db", p, "--out", o, "--cutoff", "2025-13-01"]);
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("--cutoff"));
    let bad_section = analytics(&["report", "--db", p, "--out", o, "--only", "nonsense"]);
    assert_eq!(bad_section.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_section.stderr).contains("--only"));
    let ok = analytics(&[
        "report",
        "--db",
        p,
        "--out",
        o,
        "--cutoff",
        "2025-06-30",
        "--only",
        "survival,response",
        "--quiet",
        "--svg-only",
    ]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        ok.stderr.is_empty(),
        "quiet run printed {:?}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(out.path().join("2025-06-30/summary.json").is_file());
}
