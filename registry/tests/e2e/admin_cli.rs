//! The administrator's shell: `registry site list|set` and `registry user set-access`, run as the
//! real binary on a temporary database. Bad input is one line on stderr and exit status 2, with
//! nothing changed.

use std::process::{Command, Stdio};

use crate::support::{add_site_and_coordinator, add_user, registry};

/// Runs `registry ARGS`: (exit code, stdout, stderr).
/// Runs `command` followed by each case's arguments: each must exit with status 2 and say its
/// message on standard error.
fn assert_refused(command: &[&str], cases: &[(Vec<&str>, &str)]) {
    for (args, message) in cases {
        let mut all = command.to_vec();
        all.extend(args.iter().copied());
        let (code, _, stderr) = run(&all);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `registry user list` line of `username`.
fn listed(db: &str, username: &str) -> String {
    registry(&["user", "list", "--db", db], "")
        .lines()
        .find(|l| l.starts_with(&format!("{username}\t")))
        .unwrap_or_default()
        .to_owned()
}

#[test]
fn an_administrator_manages_sites_and_moves_a_coordinator_from_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("admin.sqlite");
    let db = path.to_str().unwrap();
    add_site_and_coordinator(&path, "AAA", "coord");
    registry(
        &["site", "add", "--db", db, "--code", "BBB", "--name", "Beta"],
        "",
    );
    add_user(db, "boss", "ADMIN", &[]);

    let sites = registry(&["site", "list", "--db", db], "");
    assert!(sites.contains("AAA\topen\tEnd-to-end hospital"), "{sites}");
    assert!(sites.contains("BBB\topen\tBeta"), "{sites}");
    let closed = registry(
        &[
            "site",
            "set",
            "--db",
            db,
            "--code",
            "BBB",
            "--name",
            "Beta clinic",
            "--close",
        ],
        "",
    );
    assert_eq!(
        closed.trim(),
        "site BBB is now: Beta clinic, closed to enrolment"
    );
    assert!(registry(&["site", "list", "--db", db], "").contains("BBB\tclosed\tBeta clinic"));
    let reopened = registry(
        &["site", "set", "--db", db, "--code", "BBB", "--reopen"],
        "",
    );
    assert_eq!(
        reopened.trim(),
        "site BBB is now: Beta clinic, open to enrolment"
    );
    assert_refused(
        &["site", "set", "--db", db],
        &[
            (
                vec!["--code", "ZZZ", "--close"],
                "No site has the code \"ZZZ\".",
            ),
            (
                vec!["--code", "BBB", "--name", "  "],
                "--name: Enter the name of the site.",
            ),
            (
                vec!["--code", "BBB", "--close", "--reopen"],
                "cannot be used with",
            ),
        ],
    );

    let moved = registry(
        &[
            "user",
            "set-access",
            "--db",
            db,
            "--username",
            "coord",
            "--role",
            "MONITOR",
            "--site",
            "BBB",
            "--reason",
            "moved to Beta",
        ],
        "",
    );
    assert_eq!(moved.trim(), "coord is now Monitor at BBB");
    assert!(listed(db, "coord").starts_with("coord\tMONITOR\tBBB\t"));
    let again = registry(
        &[
            "user",
            "set-access",
            "--db",
            db,
            "--username",
            "coord",
            "--role",
            "MONITOR",
            "--site",
            "BBB",
        ],
        "",
    );
    assert_eq!(again.trim(), "coord was already Monitor at BBB");

    assert_refused(
        &["user", "set-access", "--db", db],
        &[
            (
                vec!["--username", "coord", "--role", "CHIEF", "--site", "AAA"],
                "--role",
            ),
            (
                vec!["--username", "coord", "--role", "COORDINATOR"],
                "--site: coordinators and monitors need at least one site",
            ),
            (
                vec!["--username", "nobody", "--role", "ANALYST"],
                "No user is called \"nobody\".",
            ),
            (
                vec!["--username", "coord", "--role", "MONITOR", "--site", "ZZZ"],
                "No site has the code \"ZZZ\".",
            ),
            (
                vec!["--username", "boss", "--role", "ANALYST"],
                "This is the last active administrator",
            ),
        ],
    );
    assert!(listed(db, "coord").starts_with("coord\tMONITOR\tBBB\t"));
    assert!(listed(db, "boss").starts_with("boss\tADMIN\t"));
    // Nor can the last active administrator be disabled.
    let (code, _, stderr) = run(&["user", "disable", "--db", db, "--username", "boss"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("This is the last active administrator"),
        "{stderr}"
    );
    assert!(listed(db, "boss").contains("\tactive\t"));
    add_user(db, "deputy", "ADMIN", &[]);
    registry(&["user", "disable", "--db", db, "--username", "boss"], "");
    assert!(
        listed(db, "boss").contains("\tdisabled\t"),
        "another admin remains"
    );
}
