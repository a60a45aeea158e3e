//! The test world: a fresh app per test, a tiny HTTP/1.1 client with a cookie jar, and one
//! seeded user per role (plus a coordinator of the other site).

use std::{
    collections::BTreeMap,
    io::{Read, Write},
    net::TcpStream,
    path::PathBuf,
    sync::mpsc,
    time::Duration,
};

use chrono::NaiveDate;
use diesel::prelude::*;
use registry::domain::access::Role;
use registry::web::{
    accounts::{self, NewAccount, SYSTEM_USER_ID},
    auth::password::{PasswordCost, hash_password},
    configuration::{SecuritySettings, Settings},
    routes::admin::sites::{NewSiteInput, add_site},
    startup::{Application, open_pool},
};

/// Every seeded user's password.
pub const PASSWORD: &str = "correct horse battery staple";

/// A seeded user.
#[derive(Debug, Clone)]
pub struct TestUser {
    pub id: i32,
    pub username: &'static str,
}

/// One running app and what the test needs to talk to it and look inside its database.
pub struct TestApp {
    pub port: u16,
    security: SecuritySettings,
    pub db_path: PathBuf,
    _dir: tempfile::TempDir,
    pub admin: TestUser,
    /// Coordinator of site AAA.
    pub coordinator: TestUser,
    /// Coordinator of site BBB.
    pub other_coordinator: TestUser,
    /// Monitor of site AAA.
    pub monitor: TestUser,
    pub analyst: TestUser,
    pub site_a: i32,
    pub site_b: i32,
}

/// Spawns an app with default test settings.
pub fn spawn_app() -> TestApp {
    spawn_app_with(|_| {})
}

/// Spawns an app after letting the test adjust its security settings.
pub fn spawn_app_with(adjust: impl FnOnce(&mut SecuritySettings)) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("registry.sqlite");
    let pool = open_pool(&db_path).unwrap();
    let mut conn = pool.get().unwrap();
    let site = |conn: &mut SqliteConnection, code: &str, name: &str| {
        add_site(
            conn,
            SYSTEM_USER_ID,
            &NewSiteInput {
                code: code.into(),
                name: name.into(),
            },
        )
        .unwrap()
    };
    let site_a = site(&mut conn, "AAA", "Alpha hospital");
    let site_b = site(&mut conn, "BBB", "Beta hospital");
    let hash = hash_password(PasswordCost::fast_for_tests(), PASSWORD).unwrap();
    let mut user = |username: &'static str, role: Role, sites: Vec<i32>| {
        let id = accounts::create_account(
            &mut conn,
            SYSTEM_USER_ID,
            &NewAccount {
                username: username.into(),
                full_name: format!("Test {username}"),
                role,
                site_ids: sites,
                password_hash: hash.clone(),
            },
        )
        .unwrap();
        TestUser { id, username }
    };
    let admin = user("admin", Role::Admin, vec![]);
    let coordinator = user("coord-a", Role::Coordinator, vec![site_a]);
    let other_coordinator = user("coord-b", Role::Coordinator, vec![site_b]);
    let monitor = user("monitor-a", Role::Monitor, vec![site_a]);
    let analyst = user("analyst", Role::Analyst, vec![]);
    drop(conn);
    drop(pool);

    let mut security = SecuritySettings {
        password_cost: PasswordCost::fast_for_tests(),
        ..SecuritySettings::default()
    };
    adjust(&mut security);
    let port = serve(&db_path, &security);
    TestApp {
        port,
        security,
        db_path,
        _dir: dir,
        admin,
        coordinator,
        other_coordinator,
        monitor,
        analyst,
        site_a,
        site_b,
    }
}

/// Starts a server on this database (its own actix system on its own thread, port 0) and
/// returns its port.
fn serve(db_path: &std::path::Path, security: &SecuritySettings) -> u16 {
    let settings = Settings {
        database_path: db_path.to_owned(),
        bind: "127.0.0.1:0".parse().unwrap(),
        security: security.clone(),
        workers: Some(1),
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
    rx.recv_timeout(Duration::from_secs(30)).unwrap()
}

impl TestApp {
    /// A restart of the server: a new server process's worth of state (nothing in memory) on
    /// the same database, with the same settings, now answering at `self.port`. (The old one
    /// keeps running, unused: browsers must be pointed at the new one with `Browser::talk_to`.)
    pub fn restart(&mut self) {
        self.port = serve(&self.db_path, &self.security);
    }

    /// A new browser (empty cookie jar).
    pub fn browser(&self) -> Browser {
        Browser {
            port: self.port,
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }

    /// A browser logged in as this user.
    pub fn logged_in(&self, user: &TestUser) -> Browser {
        let mut browser = self.browser();
        let response = browser.login(user.username, PASSWORD);
        assert_eq!(response.status, 303, "login of {} failed", user.username);
        browser
    }

    /// A direct connection to the app's database.
    pub fn db(&self) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(self.db_path.to_str().unwrap()).unwrap();
        diesel::sql_query("PRAGMA busy_timeout = 5000")
            .execute(&mut conn)
            .unwrap();
        conn
    }

    /// Audit rows per change set for a table, oldest first: (change_set_id, rows).
    pub fn audit_change_sets(&self, table: &str) -> Vec<(i64, i64)> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            change_set_id: i64,
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query(
            "SELECT change_set_id, COUNT(*) AS n FROM audit_log WHERE table_name = ? \
             GROUP BY change_set_id ORDER BY change_set_id",
        )
        .bind::<diesel::sql_types::Text, _>(table)
        .load::<Row>(&mut self.db())
        .unwrap()
        .into_iter()
        .map(|r| (r.change_set_id, r.n))
        .collect()
    }

    /// Inserts a patient with a diagnosis, one course and its first infusion on `day0`, as the
    /// seed would (straight into the database); returns (patient id, course id).
    pub fn insert_treated_patient(
        &self,
        site_id: i32,
        registry_id: &str,
        day0: NaiveDate,
    ) -> (i32, i32) {
        let mut conn = self.db();
        let sql = |conn: &mut SqliteConnection, q: String| {
            diesel::sql_query(q).execute(conn).unwrap();
        };
        let enrol = day0 - chrono::Duration::days(40);
        sql(
            &mut conn,
            format!(
                "INSERT INTO patients (registry_id, site_id, sex, birth_year, enrolment_date, \
                 consent_research, created_by, updated_by) \
                 VALUES ('{registry_id}', {site_id}, 'F', 1960, '{enrol}', 'GIVEN', 1, 1)"
            ),
        );
        let patient_id = last_id(&mut conn);
        sql(
            &mut conn,
            format!(
                "INSERT INTO diagnoses (patient_id, disease, diagnosis_date, prior_hct, created_by, updated_by) \
                 VALUES ({patient_id}, 'DLBCL_NOS', '{}', 'NONE', 1, 1)",
                day0 - chrono::Duration::days(400)
            ),
        );
        let diagnosis_id = last_id(&mut conn);
        sql(
            &mut conn,
            format!(
                "INSERT INTO treatment_courses (patient_id, diagnosis_id, course_number, product, \
                 product_class, apheresis_date, created_by, updated_by) \
                 VALUES ({patient_id}, {diagnosis_id}, 1, 'AXI_CEL', 'COMMERCIAL', '{}', 1, 1)",
                day0 - chrono::Duration::days(30)
            ),
        );
        let course_id = last_id(&mut conn);
        sql(
            &mut conn,
            format!(
                "INSERT INTO infusions (course_id, patient_id, infusion_number, lymphodepletion_regimen, \
                 infusion_date, created_by, updated_by) \
                 VALUES ({course_id}, {patient_id}, 1, 'FLU_CY', '{day0}', 1, 1)"
            ),
        );
        (patient_id, course_id)
    }

    /// An API token for a user (created straight in the database, as `registry user token` does).
    pub fn token_for(&self, user: &TestUser) -> String {
        registry::web::auth::api_token::create_token(
            &mut self.db(),
            SYSTEM_USER_ID,
            user.id,
            "tests",
        )
        .unwrap()
        .0
    }

    /// Number of change sets in the whole audit log.
    pub fn change_set_count(&self) -> i64 {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        diesel::sql_query("SELECT COUNT(DISTINCT change_set_id) AS n FROM audit_log")
            .get_result::<Row>(&mut self.db())
            .unwrap()
            .n
    }
}

fn last_id(conn: &mut SqliteConnection) -> i32 {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        id: i32,
    }
    diesel::sql_query("SELECT last_insert_rowid() AS id")
        .get_result::<Row>(conn)
        .unwrap()
        .id
}

/// Today (UTC), as the app sees it.
pub fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// `n` days before today.
pub fn days_ago(n: i64) -> NaiveDate {
    today() - chrono::Duration::days(n)
}

/// An HTTP response, fully read.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header with this name.
    pub fn headers_named(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Asserts a 303 to `location`.
    #[track_caller]
    pub fn assert_redirect_to(&self, location: &str) {
        assert_eq!(self.status, 303, "expected a redirect, got {self:?}");
        assert_eq!(self.header("location"), Some(location));
    }

    /// The value of the input named `name` in the body (first match).
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\"");
        let start = self.body.find(&marker)?;
        let tag_start = self.body[..start].rfind('<')?;
        let tag_end = start + self.body[start..].find('>')?;
        let tag = &self.body[tag_start..tag_end];
        let v = tag.find("value=\"")? + 7;
        let end = v + tag[v..].find('"')?;
        Some(tag[v..end].to_owned())
    }
}

/// A browser: a cookie jar and the last CSRF token it saw in a page.
pub struct Browser {
    port: u16,
    pub cookies: BTreeMap<String, String>,
    pub csrf: Option<String>,
}

fn encode(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Browser {
    /// Points this browser (its cookies and CSRF token kept) at the app's current server.
    pub fn talk_to(&mut self, app: &TestApp) {
        self.port = app.port;
    }

    /// Sends one request and reads the whole response.
    pub fn request(&mut self, method: &str, path: &str, body: Option<String>) -> Response {
        self.request_with(
            method,
            path,
            body,
            &[("Content-Type", "application/x-www-form-urlencoded")],
        )
    }

    /// An API call: a bearer token, an optional JSON body, no cookies.
    pub fn api(&mut self, method: &str, path: &str, token: &str, json: Option<&str>) -> Response {
        let auth = format!("Bearer {token}");
        let saved = std::mem::take(&mut self.cookies);
        let response = self.request_with(
            method,
            path,
            json.map(str::to_owned),
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
        );
        self.cookies = saved;
        response
    }

    /// Sends one request with these headers and reads the whole response.
    pub fn request_with(
        &mut self,
        method: &str,
        path: &str,
        body: Option<String>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n",
            self.port
        );
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        let body = body.unwrap_or_default();
        for (name, value) in headers {
            if method != "GET" || !name.eq_ignore_ascii_case("content-type") {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
        }
        if method != "GET" {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(body.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("no end of headers");
        let head = String::from_utf8_lossy(&raw[..split]).to_string();
        let mut body = raw[split + 4..].to_vec();
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next().unwrap()[9..12].parse().unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let chunked = headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        if chunked {
            body = dechunk(&body);
        }
        let response = Response {
            status,
            headers,
            body: String::from_utf8_lossy(&body).to_string(),
        };
        for cookie in response.headers_named("set-cookie") {
            let pair = cookie.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                let removed = value.is_empty()
                    || cookie.to_ascii_lowercase().contains("max-age=0")
                    || cookie.contains("1970");
                if removed {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        if let Some(token) = response.input_value("csrf_token") {
            self.csrf = Some(token);
        }
        response
    }

    /// GET a path.
    pub fn get(&mut self, path: &str) -> Response {
        self.request("GET", path, None)
    }

    /// POST a form with the CSRF token the browser last saw (fetching `/login` first if none).
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        if self.csrf.is_none() {
            self.get("/login");
        }
        let token = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.request("POST", path, Some(encode(&all)))
    }

    /// POST a form exactly as given (no CSRF token added).
    pub fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        self.request("POST", path, Some(encode(fields)))
    }

    /// `GET /login`
    pub fn get_login(&mut self) -> Response {
        self.get("/login")
    }

    /// `POST /login` (fetching the login page first for its CSRF token); on success the
    /// browser follows the redirect, as a real one would, and so picks up the new CSRF token.
    pub fn login(&mut self, username: &str, password: &str) -> Response {
        self.get_login();
        let response = self.post("/login", &[("username", username), ("password", password)]);
        if response.status == 303
            && let Some(location) = response.header("location")
        {
            self.get(location);
        }
        response
    }

    /// `POST /logout`
    pub fn logout(&mut self) -> Response {
        self.post("/logout", &[])
    }

    /// `GET /`
    pub fn get_worklist(&mut self) -> Response {
        self.get("/")
    }

    /// `GET /admin/sites`
    pub fn get_admin_sites(&mut self) -> Response {
        self.get("/admin/sites")
    }

    /// `POST /admin/sites`
    pub fn post_admin_sites(&mut self, code: &str, name: &str) -> Response {
        self.post("/admin/sites", &[("code", code), ("name", name)])
    }

    /// `GET /admin/users`
    pub fn get_admin_users(&mut self) -> Response {
        self.get("/admin/users")
    }

    /// `POST /admin/users`
    pub fn post_admin_users(&mut self, fields: &[(&str, &str)]) -> Response {
        self.post("/admin/users", fields)
    }

    /// `POST /admin/users/{id}/active`
    pub fn post_admin_user_active(&mut self, id: i32, active: bool) -> Response {
        let path = format!("/admin/users/{id}/active");
        self.post(&path, &[("active", if active { "1" } else { "0" })])
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&data[..line_end])
                .split(';')
                .next()
                .unwrap()
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}

/// Form fields as the `(&str, &str)` pairs [`Browser::post`] takes.
pub fn as_refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// An app with one patient at site A infused 95 days ago, and the path of its Day 100 form.
pub struct Arranged {
    pub app: TestApp,
    pub patient: i32,
    pub form: String,
}

pub fn arrange() -> Arranged {
    let app = spawn_app();
    let (patient, course) = app.insert_treated_patient(app.site_a, "AAA-000001", days_ago(95));
    let form = format!("/patients/{patient}/courses/{course}/follow-ups/D100");
    Arranged { app, patient, form }
}

/// The event sections of the follow-up form, by their keys (`none_<key>`).
pub const SECTIONS: [&str; 8] = [
    "responses",
    "toxicities",
    "infections",
    "immunoglobulin",
    "lab_results",
    "persistence_tests",
    "new_malignancies",
    "subsequent_therapies",
];
