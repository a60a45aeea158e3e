//! Every bad input exits 2 with a message naming what is wrong, where (column,
//! line) and the value. One row per case.

use crate::helpers::*;

struct Case {
    why: &'static str,
    csv: &'static str,
    args: &'static [&'static str],
    /// Substrings the message must contain.
    says: &'static [&'static str],
}

const GOOD: &str = "time,status,g,x\n1,1,a,0.5\n2,0,b,1.5\n3,1,a,2\n4,1,b,0\n";

fn cases() -> Vec<Case> {
    vec![
        Case {
            why: "missing time column",
            csv: GOOD,
            args: &["survival", "--time", "days", "--event", "status"],
            says: &["\"days\"", "not found", "time, status, g, x"],
        },
        Case {
            why: "missing event column",
            csv: GOOD,
            args: &["survival", "--time", "time", "--event", "dead"],
            says: &["\"dead\"", "not found"],
        },
        Case {
            why: "missing group column",
            csv: GOOD,
            args: &[
                "survival", "--time", "time", "--event", "status", "--group", "arm",
            ],
            says: &["\"arm\"", "not found"],
        },
        Case {
            why: "negative time",
            csv: "time,status\n1,1\n-2,0\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &["\"time\"", "line 3", "\"-2\"", "negative"],
        },
        Case {
            why: "non-numeric time",
            csv: "time,status\n1,1\n2,1\nsoon,0\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &["\"time\"", "line 4", "\"soon\"", "not a number"],
        },
        Case {
            why: "infinite time",
            csv: "time,status\n1,1\nInf,0\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &["\"time\"", "line 3", "\"Inf\"", "not finite"],
        },
        Case {
            why: "NaN time",
            csv: "time,status\nNaN,1\n2,0\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &["line 2", "\"NaN\"", "not finite"],
        },
        Case {
            why: "unrecognised event code",
            csv: "time,status\n1,1\n2,0\n3,3\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &[
                "\"status\"",
                "line 4",
                "\"3\"",
                "not a recognised event code",
            ],
        },
        Case {
            why: "text event code",
            csv: "time,status\n1,dead\n2,alive\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &["\"status\"", "line 2", "\"dead\"", "--event-value"],
        },
        Case {
            why: "0 in a 1/2 coded column",
            csv: "time,status\n1,1\n2,2\n3,0\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &["\"status\"", "line 4", "\"0\"", "1/2"],
        },
        Case {
            why: "one group for log-rank",
            csv: "time,status,g\n1,1,a\n2,0,a\n3,1,NA\n",
            args: &[
                "survival", "--time", "time", "--event", "status", "--group", "g",
            ],
            says: &["\"g\"", "only one group", "\"a\"", "log-rank"],
        },
        Case {
            why: "all rows missing",
            csv: "time,status\nNA,1\n2,\n",
            args: &["survival", "--time", "time", "--event", "status"],
            says: &["no rows", "2"],
        },
        Case {
            why: "conf level out of range",
            csv: GOOD,
            args: &[
                "survival",
                "--time",
                "time",
                "--event",
                "status",
                "--conf-level",
                "95",
            ],
            says: &["--conf-level", "95"],
        },
        Case {
            why: "text covariate without --factor",
            csv: GOOD,
            args: &[
                "cox",
                "--time",
                "time",
                "--event",
                "status",
                "--covariates",
                "g",
            ],
            says: &["\"g\"", "line 2", "\"a\"", "--factor g"],
        },
        Case {
            why: "unknown reference level",
            csv: GOOD,
            args: &[
                "cox",
                "--time",
                "time",
                "--event",
                "status",
                "--covariates",
                "x",
                "--factor",
                "g:c",
            ],
            says: &["factor g", "\"c\"", "\"a\", \"b\""],
        },
        Case {
            why: "factor with one level",
            csv: "time,status,g\n1,1,a\n2,0,a\n",
            args: &[
                "cox",
                "--time",
                "time",
                "--event",
                "status",
                "--covariates",
                "g",
                "--factor",
                "g",
            ],
            says: &["\"g\"", "only one group"],
        },
        Case {
            why: "covariate listed twice",
            csv: GOOD,
            args: &[
                "cox",
                "--time",
                "time",
                "--event",
                "status",
                "--covariates",
                "x,x",
            ],
            says: &["x listed twice"],
        },
        Case {
            why: "negative time in cox",
            csv: "time,status,x\n1,1,0\n-1,1,1\n",
            args: &[
                "cox",
                "--time",
                "time",
                "--event",
                "status",
                "--covariates",
                "x",
            ],
            says: &["\"time\"", "line 3", "\"-1\""],
        },
        Case {
            why: "no events besides censoring",
            csv: "time,status,g\n1,0,a\n2,0,b\n",
            args: &[
                "cuminc",
                "--time",
                "time",
                "--event",
                "status",
                "--censor-value",
                "0",
            ],
            says: &["\"status\"", "no value other than the censoring value"],
        },
        Case {
            why: "one group for Gray's test",
            csv: "time,status,g\n1,1,a\n2,2,a\n3,0,a\n",
            args: &[
                "cuminc",
                "--time",
                "time",
                "--event",
                "status",
                "--censor-value",
                "0",
                "--group",
                "g",
            ],
            says: &["\"g\"", "only one group", "Gray"],
        },
        Case {
            why: "negative time in cuminc",
            csv: "time,status\n1,1\n-5,2\n",
            args: &[
                "cuminc",
                "--time",
                "time",
                "--event",
                "status",
                "--censor-value",
                "0",
            ],
            says: &["\"time\"", "line 3", "\"-5\""],
        },
    ]
}

#[test]
fn bad_inputs_exit_2_with_a_located_message() {
    for case in cases() {
        let (_dir, path) = temp_csv(case.csv);
        let mut args = vec![case.args[0], "--csv", path.to_str().unwrap()];
        args.extend(&case.args[1..]);
        let out = run_cli(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: exit code; stderr: {err}",
            case.why
        );
        for s in case.says {
            assert!(
                err.contains(s),
                "{}: message should contain {s:?}; got: {err}",
                case.why
            );
        }
        assert!(out.stdout.is_empty(), "{}: nothing on stdout", case.why);
    }
}

#[test]
fn missing_file_exits_2() {
    let out = run_cli(&[
        "survival",
        "--csv",
        "/nonexistent/x.csv",
        "--time",
        "t",
        "--event",
        "e",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.csv"));
}

#[test]
fn unknown_flag_exits_2() {
    let out = run_cli(&[
        "survival",
        "--csv",
        "x.csv",
        "--time",
        "t",
        "--event",
        "e",
        "--conf-type",
        "logit",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn engine_refuses_bad_times_directly() {
    use analytics::survival::{StatsError, SurvivalData};
    assert!(matches!(
        SurvivalData::new(vec![1.0, -1.0], vec![true, false]),
        Err(StatsError::InvalidTime { row: 1, .. })
    ));
    assert!(matches!(
        SurvivalData::new(vec![f64::INFINITY], vec![true]),
        Err(StatsError::InvalidTime { row: 0, .. })
    ));
    assert!(matches!(
        SurvivalData::new(vec![], vec![]),
        Err(StatsError::Empty)
    ));
    assert!(matches!(
        SurvivalData::new(vec![1.0], vec![true, false]),
        Err(StatsError::LengthMismatch { .. })
    ));
}
