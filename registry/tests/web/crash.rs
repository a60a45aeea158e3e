//! Crash safety: `kill -9` the real server binary during a stream of saves, restart it, and
//! check that `PRAGMA integrity_check` is ok and every acknowledged save is there.

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use diesel::prelude::*;
use registry::web::{
    accounts::{self, NewAccount, SYSTEM_USER_ID},
    auth::{
        api_token::create_token,
        password::{PasswordCost, hash_password},
    },
    routes::admin::sites::{NewSiteInput, add_site},
    startup::open_pool,
};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(db: &Path, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(["serve", "--db", db.to_str().unwrap(), "--bind"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// One API POST; `None` when the connection fails (the server is gone).
fn post(port: u16, token: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let request = format!(
        "POST /api/v1/patients HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    let status = raw.get(9..12)?.parse().ok()?;
    let body = raw.split("\r\n\r\n").nth(1)?.to_owned();
    Some((status, body))
}

#[test]
fn acknowledged_saves_survive_a_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.sqlite");
    let token = {
        let pool = open_pool(&db).unwrap();
        let mut conn = pool.get().unwrap();
        let site = NewSiteInput {
            code: "AAA".into(),
            name: "Alpha".into(),
        };
        let site_id = add_site(&mut conn, SYSTEM_USER_ID, &site).unwrap();
        let user = accounts::create_account(
            &mut conn,
            SYSTEM_USER_ID,
            &NewAccount {
                username: "coord".into(),
                full_name: "Coordinator".into(),
                role: registry::domain::access::Role::Coordinator,
                site_ids: vec![site_id],
                password_hash: hash_password(PasswordCost::fast_for_tests(), "x-password-long")
                    .unwrap(),
            },
        )
        .unwrap();
        create_token(&mut conn, SYSTEM_USER_ID, user, "crash test")
            .unwrap()
            .0
    };
    let port = free_port();
    let mut server = start(&db, port);
    let enrolled = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let body = format!(
        r#"{{"site":"AAA","sex":"F","birth_year":1960,"enrolment_date":"{enrolled}","consent_research":"NOT_APPROACHED"}}"#
    );

    // Save until the server dies; kill it with SIGKILL part-way through.
    let mut acknowledged: Vec<String> = Vec::new();
    let started = Instant::now();
    let mut killed = false;
    loop {
        if !killed && started.elapsed() > Duration::from_millis(1500) {
            server.kill().unwrap(); // SIGKILL: no shutdown, no flush
            killed = true;
        }
        match post(port, &token, &body) {
            Some((201, reply)) => {
                let id = reply.split("\"registry_id\":\"").nth(1).unwrap();
                acknowledged.push(id.split('"').next().unwrap().to_owned());
            }
            Some((status, reply)) => panic!("unexpected {status}: {reply}"),
            None if killed => break,
            None => panic!("the server failed before it was killed"),
        }
    }
    server.wait().unwrap();
    assert!(
        acknowledged.len() > 5,
        "only {} saves before the kill",
        acknowledged.len()
    );

    // Restart on the same file: it opens, and everything acknowledged is there.
    let port = free_port();
    let mut restarted = start(&db, port);
    let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
    #[derive(QueryableByName)]
    struct Check {
        #[diesel(sql_type = diesel::sql_types::Text)]
        integrity_check: String,
    }
    let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .unwrap();
    assert_eq!(check.len(), 1);
    assert_eq!(check[0].integrity_check, "ok");
    let stored: Vec<String> = registry::db::schema::patients::table
        .select(registry::db::schema::patients::registry_id)
        .load(&mut conn)
        .unwrap();
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged {id} was lost");
    }
    assert!(
        post(port, &token, &body).is_some_and(|(s, _)| s == 201),
        "serves after restart"
    );
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}
