use std::path::Path;
use std::process::Command;

use analytics::report::endpoints::EndpointOptions;
use analytics::report::{ReportConfig, Section, run};
use analytics::survival::{
    CompetingRisksData, ConfType, Groups, SurvivalData, clopper_pearson, cumulative_incidence,
    gray_test, kaplan_meier, log_rank,
};
use serde_json::Value;

use crate::helpers::{TestDb, date, small_cohort};

pub(crate) fn config(db: &Path, out: &Path, raster: bool) -> ReportConfig {
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
pub(crate) fn seeded() -> TestDb {
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

/// The columns of tables/adtte.csv the engine needs, read as a statistician would.
struct Adtte {
    usubjid: Vec<String>,
    paramcd: Vec<String>,
    aval: Vec<f64>,
    cnsr: Vec<i32>,
    crcause: Vec<String>,
    /// DISEASE, PRODUCT, ANTIGEN columns by name.
    groups: Vec<(String, Vec<String>)>,
}

impl Adtte {
    fn rows(&self, param: &str) -> Vec<usize> {
        (0..self.paramcd.len())
            .filter(|&i| self.paramcd[i] == param)
            .collect()
    }

    fn group(&self, by: &str, rows: &[usize]) -> Vec<String> {
        let col = &self.groups.iter().find(|g| g.0 == by).unwrap().1;
        rows.iter().map(|&i| col[i].clone()).collect()
    }
}

fn read_adtte(path: &Path) -> Adtte {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    let idx = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut out = Adtte {
        usubjid: vec![],
        paramcd: vec![],
        aval: vec![],
        cnsr: vec![],
        crcause: vec![],
        groups: ["DISEASE", "PRODUCT", "ANTIGEN"]
            .iter()
            .map(|g| ((*g).to_owned(), vec![]))
            .collect(),
    };
    for rec in r.records() {
        let rec = rec.unwrap();
        out.usubjid.push(rec[idx("USUBJID")].to_owned());
        out.paramcd.push(rec[idx("PARAMCD")].to_owned());
        out.aval.push(rec[idx("AVAL")].parse().unwrap());
        out.cnsr.push(rec[idx("CNSR")].parse().unwrap());
        out.crcause.push(rec[idx("CRCAUSE")].to_owned());
        for (name, v) in &mut out.groups {
            v.push(rec[idx(name)].to_owned());
        }
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

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

const MARKS: [f64; 3] = [6.0 * 30.4375, 12.0 * 30.4375, 24.0 * 30.4375];

/// survfit(Surv(AVAL, CNSR == 0) ~ BY) and survdiff on the `param` rows of adtte.csv, against
/// one `time_to_event`-shaped analysis of summary.json.
fn check_km(t: &Adtte, param: &str, by: &str, got: &Value) {
    let rows = t.rows(param);
    let time: Vec<f64> = rows.iter().map(|&i| t.aval[i]).collect();
    let event: Vec<bool> = rows.iter().map(|&i| t.cnsr[i] == 0).collect();
    let mut data = SurvivalData::new(time, event).unwrap();
    if by != "overall" {
        data = data
            .with_groups(Groups::from_strings(by, &t.group(by, &rows)))
            .unwrap();
    }
    let fit = kaplan_meier(&data, ConfType::Log, 0.95).unwrap();
    let strata = got["strata"].as_array().unwrap();
    assert_eq!(strata.len(), fit.strata.len(), "{param} by {by}: strata");
    for (curve, s) in fit.strata.iter().zip(strata) {
        let what = format!("{param} by {by}, {}", curve.stratum);
        assert_eq!(s["stratum"], curve.stratum.as_str(), "{what}");
        assert_eq!(s["n"].as_u64().unwrap() as usize, curve.n, "{what} n");
        assert_eq!(
            s["events"].as_u64().unwrap() as usize,
            curve.events,
            "{what} events"
        );
        let m = curve.median();
        assert!(close(m.estimate, &s["median_days"]), "{what} median");
        assert!(close(m.lower, &s["median_lower_days"]), "{what} lower");
        assert!(close(m.upper, &s["median_upper_days"]), "{what} upper");
        let at = curve.at(&MARKS).unwrap();
        for k in 0..MARKS.len() {
            let l = &s["landmarks"][k];
            assert!(
                close(Some(at.n_risk[k]), &l["n_risk"]),
                "{what} at risk {k}"
            );
            assert!(close(finite(at.surv[k]), &l["surv"]), "{what} rate {k}");
            assert!(close(finite(at.lower[k]), &l["lower"]), "{what} lower {k}");
            assert!(close(finite(at.upper[k]), &l["upper"]), "{what} upper {k}");
        }
    }
    if by == "overall" {
        assert!(got["log_rank_p"].is_null());
    } else {
        match log_rank(&data, 0.0) {
            Ok(lr) => {
                assert!(close(Some(lr.p), &got["log_rank_p"]), "{param} by {by} p");
                assert!(
                    close(Some(lr.chisq), &got["log_rank_chisq"]),
                    "{param} by {by} chisq"
                );
            }
            Err(_) => assert!(got["log_rank_p"].is_null()),
        }
    }
}

/// cuminc / Aalen-Johansen and Gray's test on the CIR rows (cause from CRCAUSE) against one
/// `competing_risks` analysis.
fn check_competing(t: &Adtte, by: &str, got: &Value) {
    let rows = t.rows("CIR");
    let time: Vec<f64> = rows.iter().map(|&i| t.aval[i]).collect();
    let cause: Vec<u32> = rows
        .iter()
        .map(|&i| match t.crcause[i].as_str() {
            "RELAPSE" => 1,
            "NRM" => 2,
            _ => 0,
        })
        .collect();
    let mut data =
        CompetingRisksData::new(time, cause, vec!["RELAPSE".into(), "NRM".into()]).unwrap();
    if by != "overall" {
        data = data
            .with_groups(Groups::from_strings(by, &t.group(by, &rows)))
            .unwrap();
    }
    let fit = cumulative_incidence(&data, ConfType::Log, 0.95).unwrap();
    let strata = got["strata"].as_array().unwrap();
    assert_eq!(strata.len(), fit.strata.len(), "CIF by {by}: strata");
    for (st, s) in fit.strata.iter().zip(strata) {
        let what = format!("CIF by {by}, {}", st.stratum);
        assert_eq!(s["stratum"], st.stratum.as_str(), "{what}");
        assert_eq!(s["n"].as_u64().unwrap() as usize, st.n, "{what} n");
        let at = st.at(&MARKS).unwrap();
        for (k, key) in ["relapse", "nrm"].iter().enumerate() {
            for i in 0..MARKS.len() {
                let p = &s[*key][i];
                let c = &at.causes[k];
                assert!(close(finite(c.cif[i]), &p["cif"]), "{what} {key} {i}");
                assert!(
                    close(finite(c.lower[i]), &p["lower"]),
                    "{what} {key} lo {i}"
                );
                assert!(
                    close(finite(c.upper[i]), &p["upper"]),
                    "{what} {key} up {i}"
                );
            }
        }
    }
    if by == "overall" {
        assert!(got["gray_p_relapse"].is_null() && got["gray_p_nrm"].is_null());
    } else {
        let tests = gray_test(&data, 0.0).unwrap();
        assert!(
            close(finite(tests[0].p), &got["gray_p_relapse"]),
            "Gray relapse by {by}"
        );
        assert!(
            close(finite(tests[1].p), &got["gray_p_nrm"]),
            "Gray NRM by {by}"
        );
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

    // Kaplan-Meier: every parameter and stratification the report has, and nothing left out.
    let analyses: Vec<&Value> = summary["time_to_event"]
        .as_array()
        .unwrap()
        .iter()
        .chain(
            summary["immune_recovery"]["b_cell_aplasia"]
                .as_array()
                .unwrap(),
        )
        .chain(
            summary["immune_recovery"]["persistence_loss"]
                .as_array()
                .unwrap(),
        )
        .collect();
    let mut seen = Vec::new();
    for a in &analyses {
        let (param, by) = (a["paramcd"].as_str().unwrap(), a["by"].as_str().unwrap());
        check_km(&t, param, by, a);
        seen.push(format!("{param}/{by}"));
    }
    for param in ["OS", "PFS", "EFS", "DOR"] {
        for by in ["overall", "DISEASE", "PRODUCT", "ANTIGEN"] {
            assert!(
                seen.contains(&format!("{param}/{by}")),
                "{param}/{by} missing"
            );
        }
    }
    for param in ["BCAPL", "PERSLOSS"] {
        for by in ["overall", "PRODUCT"] {
            assert!(
                seen.contains(&format!("{param}/{by}")),
                "{param}/{by} missing"
            );
        }
    }

    // Competing risks: CIR/NRM cumulative incidence at the landmarks and Gray's test.
    let competing = summary["competing_risks"].as_array().unwrap();
    assert_eq!(competing.len(), 4, "overall, by disease, product, antigen");
    for a in competing {
        check_competing(&t, a["by"].as_str().unwrap(), a);
    }
    // The NRM parameter is the CIR rows seen from the other cause.
    let cir = t.rows("CIR");
    let nrm = t.rows("NRM");
    assert_eq!(cir.len(), nrm.len());
    for (&c, &n) in cir.iter().zip(&nrm) {
        assert_eq!(t.usubjid[c], t.usubjid[n]);
        assert_eq!(t.aval[c], t.aval[n]);
        assert_eq!(t.crcause[n] == "NRM", t.cnsr[n] == 0, "{}", t.usubjid[n]);
        assert_eq!(
            t.crcause[c] == "RELAPSE",
            t.cnsr[c] == 0,
            "{}",
            t.usubjid[c]
        );
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

/// Every timepoint share of the immune-recovery tables carries its exact 95% interval, that of
/// the engine's Clopper-Pearson (R's `binom.test`) for its x and n; none without a patient.
#[test]
fn timepoint_shares_carry_their_clopper_pearson_interval() {
    let db = seeded();
    let out = tempfile::tempdir().unwrap();
    let outcome = run(&config(db.path(), out.path(), false)).unwrap();
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(outcome.dir.join("summary.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    for table in ["igg_below_400", "ig_replacement", "persistence_detectable"] {
        for row in summary["immune_recovery"][table].as_array().unwrap() {
            let (x, n) = (row["x"].as_u64().unwrap(), row["n"].as_u64().unwrap());
            if n == 0 {
                assert!(row["share"].is_null() && row["lower"].is_null() && row["upper"].is_null());
                continue;
            }
            let exact = clopper_pearson(x, n, 0.95).unwrap();
            // `close`: summary.json read back through serde_json's float parsing.
            assert!(close(Some(exact.estimate), &row["share"]), "{table} share");
            assert!(close(Some(exact.lower), &row["lower"]), "{table} lower");
            assert!(close(Some(exact.upper), &row["upper"]), "{table} upper");
            assert!(exact.lower < exact.estimate && exact.estimate < exact.upper);
            checked += 1;
        }
    }
    assert!(
        checked >= 9,
        "the seeded cohort fills the tables ({checked} shares)"
    );
}
