//! Fixtures: logrank_*.json (`survdiff(..., rho = 0 | 1)`).

use crate::helpers::*;
use analytics::survival::log_rank;

fn check(fixture: &str, csv: &str, group: &str) {
    let exp = expected(fixture);
    let data = load(csv, "time", "status", Some(group));
    for (rho, key) in [(0.0, "rho_0"), (1.0, "rho_1")] {
        let want = &exp["tests"][key];
        let got = log_rank(&data, rho).unwrap();
        let name = format!("{fixture} {key}");
        // a CSV has no factor order: compare group by group, by label
        let groups: Vec<&str> = want["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap())
            .collect();
        assert_eq!(got.groups.len(), groups.len(), "{name} groups");
        let pos = |label: &str| {
            got.groups
                .iter()
                .position(|g| g == label)
                .unwrap_or_else(|| panic!("{name}: no group {label}"))
        };
        let n_want = nums(&want["n"]);
        let o_want = nums(&want["observed"]);
        let e_want = nums(&want["expected"]);
        for (k, label) in groups.iter().enumerate() {
            let i = pos(label);
            assert_eq!(got.n[i] as f64, n_want[k], "{name} n {label}");
            assert_close(
                &format!("{name} observed {label}"),
                got.observed[i],
                o_want[k],
                R_TOL,
            );
            assert_close(
                &format!("{name} expected {label}"),
                got.expected[i],
                e_want[k],
                R_TOL,
            );
            for (l, other) in groups.iter().enumerate() {
                let j = pos(other);
                assert_close(
                    &format!("{name} var {label},{other}"),
                    got.var[i][j],
                    num(&want["var"][k][l]),
                    R_TOL,
                );
            }
        }
        assert_close(
            &format!("{name} chisq"),
            got.chisq,
            num(&want["chisq"]),
            R_TOL,
        );
        assert_eq!(got.df as f64, num(&want["df"]), "{name} df");
        assert_close(&format!("{name} p"), got.p, num(&want["p"]), R_TOL);
    }
    // rho = 0 through the command line
    let want = &exp["tests"]["rho_0"];
    let path = dataset(csv);
    let out = cli_json(&[
        "survival",
        "--csv",
        path.to_str().unwrap(),
        "--time",
        "time",
        "--event",
        "status",
        "--group",
        group,
    ]);
    let lr = &out["logrank"];
    assert_close("CLI chisq", num(&lr["chisq"]), num(&want["chisq"]), R_TOL);
    assert_close("CLI p", num(&lr["p"]), num(&want["p"]), R_TOL);
    assert_eq!(lr["df"], want["df"]);
    let groups: Vec<&str> = want["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    for (k, label) in groups.iter().enumerate() {
        let i = lr["groups"]
            .as_array()
            .unwrap()
            .iter()
            .position(|g| g == label)
            .unwrap();
        assert_close(
            "CLI observed",
            num(&lr["observed"][i]),
            num(&want["observed"][k]),
            R_TOL,
        );
        assert_close(
            "CLI expected",
            num(&lr["expected"][i]),
            num(&want["expected"][k]),
            R_TOL,
        );
    }
}

#[test]
fn aml_by_x() {
    check("logrank_aml_by_x.json", "aml.csv", "x");
}

#[test]
fn veteran_by_trt() {
    check("logrank_veteran_by_trt.json", "veteran.csv", "trt");
}

#[test]
fn veteran_by_celltype_four_groups() {
    check(
        "logrank_veteran_by_celltype.json",
        "veteran.csv",
        "celltype",
    );
}
