//! Load benchmark of the coordinators' web app (not a test: it measures, it does not judge).
//!
//! Seeds a cohort (10,000 patients by default, as `registry seed` does) unless `--db` names an
//! existing one, creates one coordinator per client, serves the app on a free port, and runs
//! `--clients` concurrent clients for `--seconds` (each on one kept-alive connection, as a
//! browser tab; `--close` opens one per request), each cycling through the three things a
//! coordinator does most: the worklist (`GET /`), a patient page (`GET /patients/{id}`) and a
//! follow-up save (`POST` of a new follow-up draft through the form, CSRF token and all). It
//! reports p50/p90/p99/max latency per kind, saves per second and the process's CPU time per
//! request, split into the server's and the clients' (steadier than latencies on a shared
//! machine), beside two raw SQLite rates of the
//! same disk, one connection, no HTTP, each commit on the disk before the next (as the app
//! acknowledges a save): durable empty commits (single-row insert transactions with
//! `synchronous = FULL`), and like-for-like saves (the transaction a follow-up draft save
//! runs, through `write_transaction` on a writer connection and its WAL sync: look up the form,
//! insert it, read it back, one audit row per field, on a copy of the database so the cohort is
//! not changed).
//!
//! ```text
//! cargo run --release -p registry --features web --example loadbench -- --help
//! cargo run --release -p registry --features web --example loadbench -- --seconds 30
//! ```
//!
//! Aims (issue 3): p99 under 50 ms for each kind; saves/s at least half the raw commit rate.
//!
//! Saves are durable (acknowledged after a WAL sync shared by the commits that queued meanwhile,
//! `registry::db::wal_sync`), so the result depends on how long the disk takes to flush.
//! `examples/slowsync/slowsync.c`, preloaded, makes every flush slower, to see the app on a
//! disk like a production server's rather than this machine's.

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    sync::mpsc,
    time::{Duration, Instant},
};

use anyhow::{Context, anyhow, bail, ensure};
use clap::Parser;
use diesel::{connection::SimpleConnection, prelude::*, sql_types};
use registry::web::{
    accounts::{self, NewAccount, SYSTEM_USER_ID},
    auth::password::{PasswordCost, hash_password},
    configuration::{SecuritySettings, Settings},
    startup::{Application, open_pool},
};

/// Load benchmark of the coordinators' web app.
#[derive(Debug, Parser)]
struct Opts {
    /// The database: seeded with --patients if it does not exist, reused (with its benchmark
    /// users) if it does. Defaults to a new temporary file.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Patients in a newly seeded cohort.
    #[arg(long, default_value_t = 10_000)]
    patients: u64,
    /// Concurrent clients (one coordinator account each, spread over the sites).
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long the clients run.
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// How long the raw commit rate is measured (before and after the load).
    #[arg(long, default_value_t = 5)]
    raw_seconds: u64,
    /// HTTP worker threads of the server (default: one per core, as `registry serve`).
    #[arg(long)]
    workers: Option<usize>,
    /// Only follow-up saves (the write path's ceiling), instead of the three-way mix.
    #[arg(long)]
    saves_only: bool,
    /// A new TCP connection per request (`Connection: close`), instead of one kept-alive
    /// connection per client as a browser keeps.
    #[arg(long)]
    close: bool,
}

const PASSWORD: &str = "loadbench password 2026";
/// Late yearly timepoints: in a seeded cohort nobody has reached them, so every save creates
/// a new follow-up draft (an insert, its audit rows, in one transaction).
const TIMEPOINTS: [&str; 8] = ["Y15", "Y14", "Y13", "Y12", "Y11", "Y10", "Y9", "Y8"];
const KINDS: [&str; 3] = ["worklist", "patient page", "follow-up save"];

#[derive(QueryableByName)]
struct Site {
    #[diesel(sql_type = sql_types::Integer)]
    id: i32,
    #[diesel(sql_type = sql_types::Text)]
    code: String,
}

#[derive(QueryableByName)]
struct Target {
    #[diesel(sql_type = sql_types::Integer)]
    site_id: i32,
    #[diesel(sql_type = sql_types::Integer)]
    patient_id: i32,
    #[diesel(sql_type = sql_types::Integer)]
    course_id: i32,
}

#[derive(QueryableByName)]
struct Taken {
    #[diesel(sql_type = sql_types::Integer)]
    course_id: i32,
    #[diesel(sql_type = sql_types::Text)]
    timepoint: String,
}

/// What one client is given: its login, its site's patients, and the forms it may create.
struct Assignment {
    username: String,
    patients: Vec<i32>,
    saves: Vec<(i32, i32, &'static str)>,
}

/// What one client measured: latencies in ms per kind, saves acknowledged, failures, and the
/// CPU time its own thread used (to tell the server's share of the process's CPU time).
#[derive(Default)]
struct Measured {
    latencies: [Vec<f64>; 3],
    saves: u64,
    failures: Vec<String>,
    cpu_seconds: f64,
}

fn main() -> anyhow::Result<()> {
    let opts = Opts::parse();
    ensure!(opts.clients > 0, "--clients must be at least 1");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "loadbench: {cores} cores; load average {} (the machine may be shared)",
        load_average()
    );
    let temp = tempfile::tempdir()?;
    let db = opts
        .db
        .clone()
        .unwrap_or_else(|| temp.path().join("loadbench.sqlite"));
    if !db.exists() {
        let started = Instant::now();
        registry::seed::seed(&registry::seed::SeedOptions {
            db: db.clone(),
            patients: opts.patients,
            seed: 1,
            today: chrono::Utc::now().date_naive(),
            force: false,
            threads: 2,
            progress: false,
            check_constraints: false,
        })?;
        println!(
            "loadbench: seeded {} patients into {} in {:.1} s",
            opts.patients,
            db.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let assignments = prepare(&db, opts.clients)?;
    let patients_total: i64 = {
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = sql_types::BigInt)]
            n: i64,
        }
        let mut conn = SqliteConnection::establish(path_str(&db)?)?;
        diesel::sql_query("SELECT COUNT(*) AS n FROM patients")
            .get_result::<N>(&mut conn)?
            .n
    };

    let raw_dir = db
        .parent()
        .map(Path::to_owned)
        .unwrap_or_else(|| PathBuf::from("."));
    let raw_before = raw_commit_rate(&raw_dir, Duration::from_secs(opts.raw_seconds))?;
    println!("loadbench: raw SQLite commits/s before the load: {raw_before:.0}");
    let raw_saves = raw_save_rate(&db, temp.path(), Duration::from_secs(opts.raw_seconds))?;
    println!("loadbench: like-for-like save transactions/s (no HTTP): {raw_saves:.0}");

    let port = start_server(&db, opts.workers)?;
    // Log everyone in first (not measured), then start together.
    let mut sessions = Vec::new();
    for a in &assignments {
        sessions.push(Http::logged_in(port, &a.username, opts.close)?);
    }
    // The server's WAL syncs (one may cover several saves' commits: group commit).
    let durability = registry::db::wal_sync::of_file(&std::fs::canonicalize(&db)?);
    let syncs_before = durability.syncs();
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(opts.seconds);
    let handles: Vec<_> = assignments
        .into_iter()
        .zip(sessions)
        .enumerate()
        .map(|(i, (a, http))| {
            let saves_only = opts.saves_only;
            std::thread::spawn(move || run_client(i, a, http, deadline, saves_only))
        })
        .collect();
    let mut all = Measured::default();
    for handle in handles {
        let m = handle
            .join()
            .map_err(|_| anyhow!("a client thread panicked"))??;
        for (into, from) in all.latencies.iter_mut().zip(m.latencies) {
            into.extend(from);
        }
        all.saves += m.saves;
        all.failures.extend(m.failures);
        all.cpu_seconds += m.cpu_seconds;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds() - cpu_before;
    let syncs = durability.syncs() - syncs_before;
    let load_after = load_average();
    let raw_after = raw_commit_rate(&raw_dir, Duration::from_secs(opts.raw_seconds))?;
    let raw = (raw_before + raw_after) / 2.0;

    println!();
    println!(
        "loadbench: {patients_total} patients, {} clients, {elapsed:.1} s, load average after {load_after}",
        opts.clients
    );
    println!(
        "{:<16} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "request", "n", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    let mut p99_ok = true;
    for (kind, values) in KINDS.iter().zip(all.latencies.iter_mut()) {
        values.sort_by(f64::total_cmp);
        let p99 = percentile(values, 0.99);
        p99_ok &= p99 < 50.0;
        println!(
            "{kind:<16} {:>7} {:>9.1} {:>9.1} {p99:>9.1} {:>9.1}",
            values.len(),
            percentile(values, 0.50),
            percentile(values, 0.90),
            values.last().copied().unwrap_or(f64::NAN)
        );
    }
    let total: usize = all.latencies.iter().map(Vec::len).sum();
    let saves_per_s = all.saves as f64 / elapsed;
    println!(
        "throughput: {:.0} requests/s; saves/s {saves_per_s:.0}; raw SQLite commits/s {raw:.0} \
         (before {raw_before:.0}, after {raw_after:.0}); ratio {:.2}",
        total as f64 / elapsed,
        saves_per_s / raw
    );
    println!(
        "cpu: {:.2} ms of this process's CPU time per request: server {:.2} ms, clients {:.2} ms \
         (less sensitive to other load on the machine than the latencies)",
        cpu * 1000.0 / total as f64,
        (cpu - all.cpu_seconds) * 1000.0 / total as f64,
        all.cpu_seconds * 1000.0 / total as f64
    );
    println!(
        "like-for-like: save transactions/s without HTTP {raw_saves:.0}; ratio {:.2}",
        saves_per_s / raw_saves
    );
    println!(
        "durability: {syncs} WAL syncs for {} acknowledged saves ({:.1} saves per sync)",
        all.saves,
        all.saves as f64 / syncs.max(1) as f64
    );
    println!(
        "aims: p99 < 50 ms: {}; saves/s >= raw/2: {}",
        if p99_ok { "met" } else { "NOT met" },
        if saves_per_s >= raw / 2.0 {
            "met"
        } else {
            "NOT met"
        }
    );
    if !all.failures.is_empty() {
        println!("failures: {}", all.failures.len());
        for f in all.failures.iter().take(10) {
            println!("  {f}");
        }
        bail!("{} requests failed", all.failures.len());
    }
    Ok(())
}

fn path_str(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .ok_or_else(|| anyhow!("{} is not UTF-8", path.display()))
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// User plus system CPU time of this process so far, all threads (Linux `/proc/self/stat`,
/// in clock ticks of 1/100 s; NaN elsewhere).
fn process_cpu_seconds() -> f64 {
    cpu_seconds_in("/proc/self/stat")
}

/// User plus system CPU time of the calling thread so far (Linux; NaN elsewhere).
fn thread_cpu_seconds() -> f64 {
    cpu_seconds_in("/proc/thread-self/stat")
}

/// The CPU time in a `/proc/.../stat` file, in seconds.
fn cpu_seconds_in(path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return f64::NAN;
    };
    // The fields after the command name (which is in parentheses and may hold spaces):
    // state is field 3, utime 14 and stime 15.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => (user + system) / 100.0,
        _ => f64::NAN,
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Creates (or reuses) one coordinator per client, spread over the sites, and shares out each
/// site's patients and free follow-up forms among its clients.
fn prepare(db: &Path, clients: usize) -> anyhow::Result<Vec<Assignment>> {
    let pool = open_pool(db)?;
    let mut conn = pool.get()?;
    let sites: Vec<Site> =
        diesel::sql_query("SELECT id, code FROM sites ORDER BY id").load(&mut conn)?;
    ensure!(!sites.is_empty(), "the database has no sites");
    let targets: Vec<Target> = diesel::sql_query(
        "SELECT p.site_id, i.patient_id, i.course_id FROM infusions i \
         JOIN patients p ON p.id = i.patient_id WHERE i.infusion_number = 1 ORDER BY i.id",
    )
    .load(&mut conn)?;
    let taken: std::collections::BTreeSet<(i32, String)> =
        diesel::sql_query("SELECT course_id, timepoint FROM follow_ups")
            .load::<Taken>(&mut conn)?
            .into_iter()
            .map(|t| (t.course_id, t.timepoint))
            .collect();
    let hash = hash_password(PasswordCost::fast_for_tests(), PASSWORD)?;
    let mut out = Vec::new();
    for i in 0..clients {
        let site = &sites[i % sites.len()];
        let username = format!("bench{i}");
        if accounts::user_id_by_name(&mut conn, &username).is_err() {
            accounts::create_account(
                &mut conn,
                SYSTEM_USER_ID,
                &NewAccount {
                    username: username.clone(),
                    full_name: format!("Benchmark coordinator {i} ({})", site.code),
                    role: registry::domain::access::Role::Coordinator,
                    site_ids: vec![site.id],
                    password_hash: hash.clone(),
                },
            )?;
        }
        // Clients of the same site take every k-th course, so they never race for a form.
        let same_site: Vec<usize> = (0..clients)
            .filter(|j| sites[j % sites.len()].id == site.id)
            .collect();
        let rank = same_site.iter().position(|j| *j == i).unwrap_or(0);
        let mine: Vec<&Target> = targets
            .iter()
            .filter(|t| t.site_id == site.id)
            .enumerate()
            .filter(|(k, _)| k % same_site.len() == rank)
            .map(|(_, t)| t)
            .collect();
        ensure!(
            !mine.is_empty(),
            "site {} has no treated patients",
            site.code
        );
        let saves = TIMEPOINTS
            .iter()
            .flat_map(|tp| mine.iter().map(move |t| (t.patient_id, t.course_id, *tp)))
            .filter(|(_, c, tp)| !taken.contains(&(*c, (*tp).to_owned())))
            .collect();
        out.push(Assignment {
            username,
            patients: mine.iter().map(|t| t.patient_id).collect(),
            saves,
        });
    }
    Ok(out)
}

/// Serves the app in this process on a free port (its own actix system on its own thread).
fn start_server(db: &Path, workers: Option<usize>) -> anyhow::Result<u16> {
    let settings = Settings {
        database_path: db.to_owned(),
        bind: "127.0.0.1:0".parse()?,
        security: SecuritySettings {
            max_failures_per_ip: u32::MAX,
            ..SecuritySettings::default()
        },
        workers,
        access_log: false,
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match Application::build(settings) {
                Ok(app) => {
                    let _ = tx.send(Ok(app.port()));
                    if let Err(e) = app.run_until_stopped().await {
                        eprintln!("loadbench: the server failed: {e}");
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e));
                }
            }
        })
    });
    rx.recv_timeout(Duration::from_secs(120))
        .context("the server did not start")?
}

fn run_client(
    i: usize,
    mut a: Assignment,
    mut http: Http,
    deadline: Instant,
    saves_only: bool,
) -> anyhow::Result<Measured> {
    let mut m = Measured::default();
    let cpu_at_start = thread_cpu_seconds();
    let mut k = i;
    while Instant::now() < deadline {
        k += 1;
        let kind = if saves_only { 2 } else { k % 3 };
        let started = Instant::now();
        let outcome = match kind {
            0 => http.get("/").map(|r| (r.status, 200)),
            1 => {
                let p = a.patients[k / 3 % a.patients.len()];
                http.get(&format!("/patients/{p}")).map(|r| (r.status, 200))
            }
            _ => {
                let Some((p, c, tp)) = a.saves.pop() else {
                    continue;
                };
                http.post_form(
                    &format!("/patients/{p}/courses/{c}/follow-ups/{tp}"),
                    &[
                        ("row_version", "0"),
                        ("none_infections", "none"),
                        ("none_new_malignancies", "none"),
                        ("action", "draft"),
                    ],
                )
                .map(|r| (r.status, 303))
            }
        };
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok((status, expected)) if status == expected => {
                m.latencies[kind].push(ms);
                if kind == 2 {
                    m.saves += 1;
                }
            }
            Ok((status, _)) => m.failures.push(format!("{}: status {status}", KINDS[kind])),
            Err(e) => m.failures.push(format!("{}: {e:#}", KINDS[kind])),
        }
    }
    m.cpu_seconds = thread_cpu_seconds() - cpu_at_start;
    Ok(m)
}

/// Durable commits per second of single-row insert transactions on a new file beside the
/// database: the app's connection settings (WAL, foreign keys, busy timeout) with
/// `synchronous = FULL`, so each COMMIT syncs the WAL as the app's `write_transaction` does
/// (there, one sync may serve several commits).
fn raw_commit_rate(dir: &Path, duration: Duration) -> anyhow::Result<f64> {
    let file = tempfile::Builder::new()
        .prefix("raw-commits")
        .suffix(".sqlite")
        .tempfile_in(dir)?;
    let mut conn = SqliteConnection::establish(path_str(file.path())?)?;
    registry::db::enable_wal(&mut conn)?;
    registry::db::configure_connection(&mut conn, Duration::from_secs(5))?;
    conn.batch_execute(
        "PRAGMA synchronous = FULL; \
         CREATE TABLE t (id INTEGER PRIMARY KEY, at TEXT NOT NULL, v TEXT NOT NULL)",
    )?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < duration {
        conn.batch_execute(
            "BEGIN IMMEDIATE; INSERT INTO t (at, v) VALUES (datetime('now'), 'x'); COMMIT;",
        )?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(conn);
    for suffix in ["-wal", "-shm"] {
        let mut side = file.path().as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    Ok(rate)
}

/// Transactions per second of what a follow-up draft save writes, run directly (no HTTP) on
/// a writer connection of a copy of `db` (made in `dir`, deleted after), as the app runs it:
/// for each free (course, Year-k) form, look it up, open an audit change set, insert the
/// draft, read it back and write its audit rows, in one immediate transaction, as
/// `follow_ups::post::save` does.
fn raw_save_rate(db: &Path, dir: &Path, duration: Duration) -> anyhow::Result<f64> {
    use registry::db::{
        audit::{ChangeSet, fields_of},
        follow_ups::FollowUpRow,
        ids::{PatientId, UserId},
        schema::follow_ups,
    };
    let copy = dir.join("raw-saves.sqlite");
    {
        let mut conn = SqliteConnection::establish(path_str(db)?)?;
        diesel::sql_query("VACUUM INTO ?")
            .bind::<sql_types::Text, _>(path_str(&copy)?)
            .execute(&mut conn)?;
    }
    let mut conn = registry::db::open(&copy)?;
    let targets: Vec<Target> = diesel::sql_query(
        "SELECT p.site_id, i.patient_id, i.course_id FROM infusions i \
         JOIN patients p ON p.id = i.patient_id WHERE i.infusion_number = 1 ORDER BY i.id",
    )
    .load(&mut conn)?;
    let taken: std::collections::BTreeSet<(i32, String)> =
        diesel::sql_query("SELECT course_id, timepoint FROM follow_ups")
            .load::<Taken>(&mut conn)?
            .into_iter()
            .map(|t| (t.course_id, t.timepoint))
            .collect();
    let mut free = TIMEPOINTS
        .iter()
        .flat_map(|tp| {
            targets
                .iter()
                .map(move |t| (t.patient_id, t.course_id, *tp))
        })
        .filter(|(_, c, tp)| !taken.contains(&(*c, (*tp).to_owned())));
    let user = UserId(SYSTEM_USER_ID);
    // As in the app: the transaction runs on a writer connection of its own.
    let writer = registry::db::writer::Writer::new(registry::db::pool(&copy, 1)?)?;
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < duration {
        let Some((pid, cid, tp)) = free.next() else {
            break;
        };
        let save = |conn: &mut SqliteConnection| -> anyhow::Result<()> {
            let existing = follow_ups::table
                .filter(follow_ups::course_id.eq(cid))
                .filter(follow_ups::timepoint.eq(tp))
                .select(FollowUpRow::as_select())
                .get_result(conn)
                .optional()?;
            ensure!(existing.is_none(), "form {cid}/{tp} exists");
            let changes = ChangeSet::begin(conn, user, None, None)?;
            let id: i32 = diesel::insert_into(follow_ups::table)
                .values((
                    follow_ups::patient_id.eq(pid),
                    follow_ups::course_id.eq(cid),
                    follow_ups::timepoint.eq(tp),
                    follow_ups::form_status.eq("IN_PROGRESS"),
                    follow_ups::infections_none_to_report.eq(Some(true)),
                    follow_ups::new_malignancies_none_to_report.eq(Some(true)),
                    follow_ups::created_by.eq(SYSTEM_USER_ID),
                    follow_ups::updated_by.eq(SYSTEM_USER_ID),
                ))
                .returning(follow_ups::id)
                .get_result(conn)?;
            let row: FollowUpRow = follow_ups::table
                .find(id)
                .select(FollowUpRow::as_select())
                .get_result(conn)?;
            changes.record_insert(
                conn,
                "follow_ups",
                id,
                Some(PatientId(pid)),
                &fields_of(&row)?,
            )?;
            Ok(())
        };
        registry::db::writer::writing_through(&writer, || {
            registry::db::write_transaction(&mut conn, save)
        })?;
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop((conn, writer));
    for suffix in ["", "-wal", "-shm"] {
        let mut side = copy.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    Ok(rate)
}

/// A minimal HTTP/1.1 client, as a browser tab behaves: one kept-alive connection (opened
/// again if the server closes it), a cookie jar, the last CSRF token. `close` sends
/// `Connection: close` on every request instead (a new TCP connection per request).
struct Http {
    port: u16,
    close: bool,
    stream: Option<BufReader<TcpStream>>,
    cookies: BTreeMap<String, String>,
    csrf: String,
}

struct Reply {
    status: u16,
    location: Option<String>,
}

impl Http {
    fn logged_in(port: u16, username: &str, close: bool) -> anyhow::Result<Self> {
        let mut http = Self {
            port,
            close,
            stream: None,
            cookies: BTreeMap::new(),
            csrf: String::new(),
        };
        http.get("/login")?;
        let reply = http.post_form("/login", &[("username", username), ("password", PASSWORD)])?;
        ensure!(reply.status == 303, "login of {username}: {}", reply.status);
        http.get(reply.location.as_deref().unwrap_or("/"))?;
        Ok(http)
    }

    fn get(&mut self, path: &str) -> anyhow::Result<Reply> {
        self.send("GET", path, None)
    }

    fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> anyhow::Result<Reply> {
        let mut body = format!("csrf_token={}", percent(&self.csrf));
        for (k, v) in fields {
            body.push_str(&format!("&{}={}", percent(k), percent(v)));
        }
        self.send("POST", path, Some(&body))
    }

    /// Sends one request; on a kept-alive connection the server may have closed meanwhile
    /// (idle timeout), so a failure before any reply byte is retried once on a new one.
    fn send(&mut self, method: &str, path: &str, body: Option<&str>) -> anyhow::Result<Reply> {
        let request = self.request(method, path, body);
        let reused = self.stream.is_some();
        match self.exchange(&request) {
            Err(e) if reused && e.downcast_ref::<NoReply>().is_some() => {
                self.stream = None;
                self.exchange(&request)
            }
            other => other,
        }
    }

    fn request(&self, method: &str, path: &str, body: Option<&str>) -> String {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n",
            self.port
        );
        if self.close {
            head.push_str("Connection: close\r\n");
        }
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        if let Some(body) = body {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(body.unwrap_or_default());
        head
    }

    fn exchange(&mut self, request: &str) -> anyhow::Result<Reply> {
        let stream = match self.stream.as_mut() {
            Some(s) => s,
            None => {
                let s = TcpStream::connect(("127.0.0.1", self.port))?;
                s.set_read_timeout(Some(Duration::from_secs(60)))?;
                s.set_nodelay(true)?;
                self.stream.insert(BufReader::new(s))
            }
        };
        if stream.get_mut().write_all(request.as_bytes()).is_err() {
            self.stream = None;
            return Err(NoReply.into());
        }
        let mut status_line = String::new();
        if stream.read_line(&mut status_line).unwrap_or(0) == 0 {
            self.stream = None;
            return Err(NoReply.into());
        }
        let status: u16 = status_line
            .get(9..12)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| anyhow!("no status line: {status_line:?}"))?;
        let (mut location, mut length, mut chunked, mut closing) =
            (None, 0usize, false, self.close);
        loop {
            let mut line = String::new();
            ensure!(stream.read_line(&mut line)? > 0, "no end of headers");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("location") {
                location = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().context("content-length")?;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("connection") {
                closing |= value.eq_ignore_ascii_case("close");
            } else if name.eq_ignore_ascii_case("set-cookie")
                && let Some((k, v)) = value.split(';').next().and_then(|p| p.split_once('='))
            {
                if v.is_empty() || value.to_ascii_lowercase().contains("max-age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                let mut size = String::new();
                stream.read_line(&mut size)?;
                let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                    .context("chunk size")?;
                let mut chunk = vec![0; n + 2];
                stream.read_exact(&mut chunk)?;
                body.extend_from_slice(&chunk[..n]);
                if n == 0 {
                    break;
                }
            }
        } else if closing && length == 0 {
            stream.read_to_end(&mut body)?;
        } else {
            body.resize(length, 0);
            stream.read_exact(&mut body)?;
        }
        if closing {
            self.stream = None;
        }
        // The CSRF token of the session, from the page's forms.
        let body = String::from_utf8_lossy(&body);
        if let Some(start) = body.find("name=\"csrf_token\" value=\"") {
            let rest = &body[start + 25..];
            if let Some(end) = rest.find('"') {
                self.csrf = rest[..end].to_owned();
            }
        }
        Ok(Reply { status, location })
    }
}

/// A kept-alive connection the server had closed: nothing came back.
#[derive(Debug)]
struct NoReply;

impl std::fmt::Display for NoReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection was closed before a reply")
    }
}

impl std::error::Error for NoReply {}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
