//! The load benchmark (not a timed test; ignored by default). On a seeded 10,000-patient
//! database with 32 concurrent clients it reports p50/p99 latency of the worklist, the patient
//! page and a follow-up save, and saves per second beside the raw SQLite commit rate of the
//! same machine. Run it in release:
//!
//! ```text
//! cargo test --release -p registry --features web --test web load -- --ignored --nocapture
//! ```
//!
//! `REGISTRY_LOAD_PATIENTS` and `REGISTRY_LOAD_SECONDS` change the size and the duration.

use std::{
    sync::{Arc, Mutex, mpsc},
    time::{Duration, Instant},
};

use diesel::{connection::SimpleConnection, prelude::*};
use registry::web::{
    accounts::{self, NewAccount, SYSTEM_USER_ID},
    auth::password::{PasswordCost, hash_password},
    configuration::{SecuritySettings, Settings},
    startup::{Application, open_pool},
};

use crate::helpers::{Browser, PASSWORD};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Commits per second of one-row transactions, WAL and synchronous=NORMAL as the app uses.
fn raw_commit_rate(dir: &std::path::Path, seconds: f64) -> f64 {
    let path = dir.join("raw.sqlite");
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
         CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);",
    )
    .unwrap();
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < seconds {
        conn.batch_execute("BEGIN IMMEDIATE; INSERT INTO t (v) VALUES ('x'); COMMIT;")
            .unwrap();
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn load_benchmark() {
    let patients = env_or("REGISTRY_LOAD_PATIENTS", 10_000);
    let seconds = env_or("REGISTRY_LOAD_SECONDS", 20);
    let clients = 32;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("load.sqlite");
    registry::seed::seed(&registry::seed::SeedOptions {
        db: db.clone(),
        patients,
        seed: 1,
        today: chrono::Utc::now().date_naive(),
        force: false,
        threads: 2,
        progress: false,
        check_constraints: false,
    })
    .unwrap();
    // A coordinator of the first site, and the (patient, course) pairs of that site.
    let (site_code, targets, taken) = {
        use registry::db::schema::{infusions, patients, sites};
        let pool = open_pool(&db).unwrap();
        let mut conn = pool.get().unwrap();
        let (site_id, code): (i32, String) = sites::table
            .select((sites::id, sites::code))
            .order(sites::id)
            .first(&mut conn)
            .unwrap();
        accounts::create_account(
            &mut conn,
            SYSTEM_USER_ID,
            &NewAccount {
                username: "load".into(),
                full_name: "Load tester".into(),
                role: registry::domain::access::Role::Coordinator,
                site_ids: vec![site_id],
                password_hash: hash_password(PasswordCost::fast_for_tests(), PASSWORD).unwrap(),
            },
        )
        .unwrap();
        let targets: Vec<(i32, i32)> = infusions::table
            .inner_join(patients::table.on(patients::id.eq(infusions::patient_id)))
            .filter(patients::site_id.eq(site_id))
            .filter(infusions::infusion_number.eq(1))
            .select((infusions::patient_id, infusions::course_id))
            .load(&mut conn)
            .unwrap();
        let taken: Vec<(i32, String)> = registry::db::schema::follow_ups::table
            .select((
                registry::db::schema::follow_ups::course_id,
                registry::db::schema::follow_ups::timepoint,
            ))
            .load(&mut conn)
            .unwrap();
        (code, targets, taken)
    };
    let settings = Settings {
        database_path: db.clone(),
        bind: "127.0.0.1:0".parse().unwrap(),
        security: SecuritySettings {
            password_cost: PasswordCost::fast_for_tests(),
            max_failures_per_ip: 1_000_000,
            ..SecuritySettings::default()
        },
        workers: None,
        access_log: false,
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let app = Application::build(settings).unwrap();
            tx.send(app.port()).unwrap();
            app.run_until_stopped().await
        })
    });
    let port = rx.recv().unwrap();

    // Each save creates a new follow-up draft: a (course, timepoint) nobody used yet.
    let timepoints = ["Y15", "Y14", "Y13", "Y12", "Y11", "Y10", "Y9", "Y8"];
    let work: Vec<(i32, i32, &str)> = timepoints
        .iter()
        .flat_map(|tp| targets.iter().map(move |(p, c)| (*p, *c, *tp)))
        .filter(|(_, c, tp)| !taken.iter().any(|(tc, ttp)| tc == c && ttp == tp))
        .collect();
    let work = Arc::new(Mutex::new(work));
    let latencies: Arc<Mutex<[Vec<f64>; 3]>> = Arc::new(Mutex::new([vec![], vec![], vec![]]));
    let saves = Arc::new(Mutex::new(0u64));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            let (work, latencies, saves, targets) = (
                work.clone(),
                latencies.clone(),
                saves.clone(),
                targets.clone(),
            );
            std::thread::spawn(move || {
                let mut browser = Browser::for_port(port);
                assert_eq!(browser.login("load", PASSWORD).status, 303);
                let mut k = i;
                while Instant::now() < deadline {
                    k += 1;
                    let started = Instant::now();
                    let op = k % 3;
                    let ok = match op {
                        0 => browser.get("/").status == 200,
                        1 => {
                            let (p, _) = targets[k % targets.len()];
                            browser.get(&format!("/patients/{p}")).status == 200
                        }
                        _ => {
                            let Some((p, c, tp)) = work.lock().unwrap().pop() else {
                                continue;
                            };
                            let response = browser.post(
                                &format!("/patients/{p}/courses/{c}/follow-ups/{tp}"),
                                &[("row_version", "0"), ("action", "draft")],
                            );
                            match response.status {
                                303 => {
                                    *saves.lock().unwrap() += 1;
                                    true
                                }
                                // Saved meanwhile by the cohort's own data: not a save.
                                409 => continue,
                                other => {
                                    let messages: Vec<String> = response
                                        .body
                                        .split("class=\"field-error\"")
                                        .skip(1)
                                        .map(|s| s.chars().take(160).collect())
                                        .collect();
                                    eprintln!("save failed: {other} {messages:?}");
                                    false
                                }
                            }
                        }
                    };
                    assert!(ok, "operation {op} failed");
                    latencies.lock().unwrap()[op].push(started.elapsed().as_secs_f64() * 1000.0);
                }
            })
        })
        .collect();
    let started = Instant::now();
    for h in handles {
        h.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let saves = *saves.lock().unwrap();
    let raw = raw_commit_rate(dir.path(), 3.0);
    let mut latencies = latencies.lock().unwrap().clone();
    eprintln!(
        "load: {patients} patients, site {site_code} ({} courses), {clients} clients, {elapsed:.1} s",
        targets.len()
    );
    for (name, values) in ["worklist", "patient page", "follow-up save"]
        .iter()
        .zip(latencies.iter_mut())
    {
        values.sort_by(f64::total_cmp);
        eprintln!(
            "load: {name:<15} n={:<6} p50={:.1} ms p99={:.1} ms",
            values.len(),
            percentile(values, 0.50),
            percentile(values, 0.99)
        );
    }
    eprintln!(
        "load: saves/s={:.0}, raw SQLite commits/s={raw:.0} (ratio {:.2})",
        saves as f64 / elapsed,
        saves as f64 / elapsed / raw
    );
}
