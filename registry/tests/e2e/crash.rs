//! Crash safety of the real server binary: several clients stream saves (follow-up drafts
//! through the HTML form with a session and CSRF token, patient enrolments through the JSON API
//! with a token), the server gets SIGKILL in the middle of the stream, and after a restart on
//! the same file `PRAGMA integrity_check` is ok and every save the server acknowledged is there,
//! with its content and its audit rows.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use diesel::{connection::SimpleConnection, prelude::*, sql_types};

use crate::support::{Client, PASSWORD, Server, add_user, registry, wait_until};

/// The late yearly timepoints: in a freshly seeded cohort nobody has reached them, so each
/// (course, timepoint) is a new follow-up form.
const TIMEPOINTS: [&str; 8] = ["Y15", "Y14", "Y13", "Y12", "Y11", "Y10", "Y9", "Y8"];

/// What a client saw acknowledged before the kill.
#[derive(Default)]
struct Acknowledged {
    /// (patient id, course id, timepoint) of follow-up drafts: 303 See Other.
    follow_ups: Vec<(i32, i32, String)>,
    /// Registry ids of enrolled patients: 201 Created.
    patients: Vec<String>,
}

fn open(db: &std::path::Path) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA busy_timeout = 10000;").unwrap();
    conn
}

#[derive(QueryableByName)]
struct Pair {
    #[diesel(sql_type = sql_types::Integer)]
    patient_id: i32,
    #[diesel(sql_type = sql_types::Integer)]
    course_id: i32,
}

#[derive(QueryableByName)]
struct Text {
    #[diesel(sql_type = sql_types::Text)]
    text: String,
}

#[derive(QueryableByName)]
struct Integrity {
    #[diesel(sql_type = sql_types::Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = sql_types::BigInt)]
    n: i64,
}

#[test]
fn acknowledged_saves_survive_kill_9_of_the_server() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite");
    let db_arg = db.to_str().unwrap();
    registry(
        &["seed", "--db", db_arg, "--patients", "60", "--seed", "7"],
        "",
    );
    let (sites, work) = {
        let mut conn = open(&db);
        let sites: Vec<String> = diesel::sql_query("SELECT code AS text FROM sites ORDER BY id")
            .load::<Text>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|t| t.text)
            .collect();
        let pairs: Vec<Pair> = diesel::sql_query(
            "SELECT patient_id, course_id FROM infusions WHERE infusion_number = 1 ORDER BY id",
        )
        .load(&mut conn)
        .unwrap();
        let taken: Vec<Text> =
            diesel::sql_query("SELECT course_id || '/' || timepoint AS text FROM follow_ups")
                .load(&mut conn)
                .unwrap();
        let work: Vec<(i32, i32, &str)> = TIMEPOINTS
            .iter()
            .flat_map(|tp| pairs.iter().map(move |p| (p.patient_id, p.course_id, *tp)))
            .filter(|(_, c, tp)| !taken.iter().any(|t| t.text == format!("{c}/{tp}")))
            .collect();
        (sites, work)
    };
    assert!(
        work.len() > 100,
        "too few free follow-up forms: {}",
        work.len()
    );
    let site_refs: Vec<&str> = sites.iter().map(String::as_str).collect();
    add_user(db_arg, "crash.coord", "COORDINATOR", &site_refs);
    let token = registry(
        &[
            "user",
            "token",
            "--db",
            db_arg,
            "--username",
            "crash.coord",
            "--name",
            "crash test",
        ],
        "",
    )
    .trim()
    .to_owned();
    eprintln!(
        "crash: seeded, {} free follow-up forms, {:.1} s",
        work.len(),
        started.elapsed().as_secs_f64()
    );

    let mut server = Server::start(&db, &dir.path().join("server-1.log"));
    let port = server.port;
    let killed = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(Mutex::new(Acknowledged::default()));
    let work = Arc::new(Mutex::new(work));

    // Two browsers saving follow-up drafts through the form (logged in before the stream
    // starts: a login is one slow argon2id check)...
    let mut clients = Vec::new();
    for _ in 0..2 {
        let (killed, acknowledged, work) = (killed.clone(), acknowledged.clone(), work.clone());
        let mut browser = Client::new(port);
        browser.login("crash.coord", PASSWORD).unwrap();
        clients.push(std::thread::spawn(move || {
            loop {
                let Some((p, c, tp)) = work.lock().unwrap().pop() else {
                    panic!("ran out of follow-up forms before the kill");
                };
                let response = browser.post_form(
                    &format!("/patients/{p}/courses/{c}/follow-ups/{tp}"),
                    &[
                        ("row_version", "0"),
                        ("none_infections", "none"),
                        ("action", "draft"),
                    ],
                );
                match response {
                    Ok(r) if r.status == 303 => {
                        acknowledged
                            .lock()
                            .unwrap()
                            .follow_ups
                            .push((p, c, tp.to_owned()))
                    }
                    Ok(r) => panic!("follow-up save refused: {} {}", r.status, r.body),
                    Err(_) if killed.load(Ordering::SeqCst) => return,
                    Err(e) => panic!("the server failed before the kill: {e:?}"),
                }
            }
        }));
    }
    // ... and an API client enrolling patients.
    {
        let (killed, acknowledged) = (killed.clone(), acknowledged.clone());
        let site = sites[0].clone();
        clients.push(std::thread::spawn(move || {
            let mut api = Client::new(port);
            let enrolled = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
            let body = format!(
                r#"{{"site":"{site}","sex":"F","birth_year":1960,"enrolment_date":"{enrolled}","consent_research":"NOT_APPROACHED"}}"#
            );
            loop {
                match api.post_json("/api/v1/patients", &token, &body) {
                    Ok(r) if r.status == 201 => {
                        let reply: serde_json::Value = serde_json::from_str(&r.body).unwrap();
                        let id = reply["registry_id"].as_str().unwrap().to_owned();
                        acknowledged.lock().unwrap().patients.push(id);
                    }
                    Ok(r) => panic!("API enrolment refused: {} {}", r.status, r.body),
                    Err(_) if killed.load(Ordering::SeqCst) => return,
                    Err(e) => panic!("the server failed before the kill: {e:?}"),
                }
            }
        }));
    }

    // A coordinator logged in before the crash, with a form open.
    let mut survivor = Client::new(port);
    survivor.login("crash.coord", PASSWORD).unwrap();

    // Let the stream run, then SIGKILL the server in the middle of it.
    wait_until(Duration::from_secs(120), "saves before the kill", || {
        let a = acknowledged.lock().unwrap();
        a.follow_ups.len() >= 40 && a.patients.len() >= 20
    });
    std::thread::sleep(Duration::from_millis(300));
    killed.store(true, Ordering::SeqCst);
    server.kill_9();
    server.wait();
    for client in clients {
        if let Err(panic) = client.join() {
            eprintln!("server log:\n{}", server.log_text());
            std::panic::resume_unwind(panic);
        }
    }
    let acknowledged = std::mem::take(&mut *acknowledged.lock().unwrap());
    eprintln!(
        "crash: killed after {} follow-up and {} patient saves acknowledged",
        acknowledged.follow_ups.len(),
        acknowledged.patients.len()
    );

    // Restart on the same file: it opens and recovers from its WAL.
    let restarted = Server::start(&db, &dir.path().join("server-2.log"));
    let mut conn = open(&db);
    let check: Vec<Integrity> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    let check: Vec<&str> = check.iter().map(|r| r.integrity_check.as_str()).collect();
    assert_eq!(check, ["ok"], "PRAGMA integrity_check");
    let fk = diesel::sql_query("SELECT COUNT(*) AS n FROM pragma_foreign_key_check")
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
    assert_eq!(fk, 0, "foreign key violations after the crash");

    for (p, c, tp) in &acknowledged.follow_ups {
        let rows: Vec<Count> = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM follow_ups f \
             WHERE f.patient_id = ? AND f.course_id = ? AND f.timepoint = ? \
             AND f.infections_none_to_report = 1 \
             AND EXISTS (SELECT 1 FROM audit_log a \
                         WHERE a.table_name = 'follow_ups' AND a.record_id = f.id)",
        )
        .bind::<sql_types::Integer, _>(p)
        .bind::<sql_types::Integer, _>(c)
        .bind::<sql_types::Text, _>(tp)
        .load(&mut conn)
        .unwrap();
        assert_eq!(
            rows[0].n, 1,
            "acknowledged follow-up {tp} of course {c} (with its audit rows) was lost"
        );
    }
    for id in &acknowledged.patients {
        let n = diesel::sql_query(
            "SELECT COUNT(*) AS n FROM patients p WHERE p.registry_id = ? \
             AND EXISTS (SELECT 1 FROM audit_log a \
                         WHERE a.table_name = 'patients' AND a.record_id = p.id)",
        )
        .bind::<sql_types::Text, _>(id)
        .get_result::<Count>(&mut conn)
        .unwrap()
        .n;
        assert_eq!(
            n, 1,
            "acknowledged patient {id} (with its audit rows) was lost"
        );
    }

    // A follow-up draft saved through the form of the next free timepoint.
    let save_draft = |client: &mut Client| {
        let (p, c, tp) = work.lock().unwrap().pop().unwrap();
        client
            .post_form(
                &format!("/patients/{p}/courses/{c}/follow-ups/{tp}"),
                &[("row_version", "0"), ("action", "draft")],
            )
            .unwrap()
    };

    // The coordinator logged in before the crash saves the open form without logging in again
    // (sessions outlive a restart: `registry::web::auth::session_store`).
    survivor.talk_to(restarted.port);
    let response = save_draft(&mut survivor);
    assert_eq!(
        response.status, 303,
        "a save after the restart in a session from before: {}",
        response.body
    );
    assert!(
        response
            .location
            .as_deref()
            .is_some_and(|l| !l.starts_with("/login")),
        "the session from before the crash still holds"
    );

    // And the restarted server works: a new login and a new save.
    let mut browser = Client::new(restarted.port);
    browser.login("crash.coord", PASSWORD).unwrap();
    let response = save_draft(&mut browser);
    assert_eq!(
        response.status, 303,
        "saves after the restart: {}",
        response.body
    );
    eprintln!("crash: done in {:.1} s", started.elapsed().as_secs_f64());
}
