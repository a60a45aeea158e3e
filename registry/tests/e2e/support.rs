//! The real world of these tests: the `registry` binary run as a separate process on a
//! temporary database (its CLI to add sites and users, `serve` on port 0), and a tiny blocking
//! HTTP/1.1 client with a cookie jar for the crash test.

use std::{
    collections::BTreeMap,
    fs::File,
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// The password of every user these tests create (long enough for the password policy).
pub const PASSWORD: &str = "e2e correct horse battery staple";

/// Runs `registry ARGS` to completion (with `stdin` as its standard input) and returns stdout;
/// panics with its stderr if it fails.
pub fn registry(args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_registry"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "registry {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `registry site add` then `registry user add` of a coordinator of that site.
pub fn add_site_and_coordinator(db: &Path, site: &str, username: &str) {
    let db = db.to_str().unwrap();
    registry(
        &[
            "site",
            "add",
            "--db",
            db,
            "--code",
            site,
            "--name",
            "End-to-end hospital",
        ],
        "",
    );
    add_user(db, username, "COORDINATOR", &[site]);
}

/// `registry user add … --password-stdin` with [`PASSWORD`].
pub fn add_user(db: &str, username: &str, role: &str, sites: &[&str]) {
    let mut args = vec![
        "user",
        "add",
        "--db",
        db,
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
    ];
    for site in sites {
        args.extend(["--site", site]);
    }
    registry(&args, &format!("{PASSWORD}\n"));
}

/// A running `registry serve` process; killed (SIGKILL) and reaped when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    /// Its stderr (the access log and any error), for failure messages.
    pub log: PathBuf,
}

impl Server {
    /// Starts `registry serve --db DB --bind 127.0.0.1:0` and waits for the line that names
    /// its port. `log` receives the server's stderr.
    pub fn start(db: &Path, log: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_registry"))
            .args([
                "serve",
                "--db",
                db.to_str().unwrap(),
                "--bind",
                "127.0.0.1:0",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(File::create(log).unwrap()))
            .spawn()
            .unwrap();
        // "serving on http://127.0.0.1:PORT/"; keep draining stdout afterwards.
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            for _ in lines {}
        });
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "registry serve did not report its port; its stderr:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
        };
        let port = line
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from registry serve: {line:?}"));
        Self {
            child,
            port,
            log: log.to_owned(),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// SIGKILL: no shutdown, no flush, no chance to finish anything. Returns at once.
    pub fn kill_9(&mut self) {
        self.child.kill().unwrap();
    }

    /// Reaps the killed process.
    pub fn wait(&mut self) {
        self.child.wait().unwrap();
    }

    /// The server's stderr so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub location: Option<String>,
    pub body: String,
}

/// Why a request got no full response (a refused connection, a reset, a cut-off reply).
pub type NoResponse = std::io::Error;

/// A minimal HTTP/1.1 client (one connection per request) with a cookie jar and the last
/// CSRF token seen in a page. Every failure to get a full response is a [`NoResponse`], so a
/// killed server is an error value, not a panic.
pub struct Client {
    port: u16,
    cookies: BTreeMap<String, String>,
    pub csrf: Option<String>,
}

impl Client {
    /// Points this client (its cookies and CSRF token kept) at a server on another port.
    pub fn talk_to(&mut self, port: u16) {
        self.port = port;
    }

    pub fn new(port: u16) -> Self {
        Self {
            port,
            cookies: BTreeMap::new(),
            csrf: None,
        }
    }

    /// `GET path`.
    pub fn get(&mut self, path: &str) -> Result<Response, NoResponse> {
        self.send("GET", path, &[], None)
    }

    /// `POST path` as a form, with the CSRF token last seen prepended.
    pub fn post_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<Response, NoResponse> {
        let csrf = self.csrf.clone().unwrap_or_default();
        let mut all = vec![("csrf_token", csrf.as_str())];
        all.extend_from_slice(fields);
        let body = all
            .iter()
            .map(|(k, v)| format!("{}={}", percent(k), percent(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            Some(&body),
        )
    }

    /// `POST path` with a JSON body and a bearer token (no cookies).
    pub fn post_json(
        &mut self,
        path: &str,
        token: &str,
        json: &str,
    ) -> Result<Response, NoResponse> {
        let auth = format!("Bearer {token}");
        let jar = std::mem::take(&mut self.cookies);
        let response = self.send(
            "POST",
            path,
            &[
                ("Authorization", auth.as_str()),
                ("Content-Type", "application/json"),
            ],
            Some(json),
        );
        self.cookies = jar;
        response
    }

    /// Logs in through the form (GET /login for the CSRF token, POST, follow the redirect).
    pub fn login(&mut self, username: &str, password: &str) -> Result<(), NoResponse> {
        self.get("/login")?;
        let response =
            self.post_form("/login", &[("username", username), ("password", password)])?;
        assert_eq!(response.status, 303, "login of {username}: {response:?}");
        self.get(response.location.as_deref().unwrap_or("/"))?;
        Ok(())
    }

    fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Result<Response, NoResponse> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
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
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(body) = body {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        head.push_str(body.unwrap_or_default());
        stream.write_all(head.as_bytes())?;
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw)?;
        let broken = || {
            let shown = String::from_utf8_lossy(&raw[..raw.len().min(600)]).into_owned();
            let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(200)..]).into_owned();
            std::io::Error::other(format!(
                "incomplete response to {method} {path} ({} bytes): {shown:?} … {tail:?}",
                raw.len()
            ))
        };
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(broken)?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.get(9..12))
            .and_then(|s| s.parse().ok())
            .ok_or_else(broken)?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"))
        {
            body = dechunk(&body).ok_or_else(broken)?;
        } else if let Some(len) = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            && body.len() != len
        {
            return Err(broken());
        }
        for (_, cookie) in headers.iter().filter(|(k, _)| k == "set-cookie") {
            if let Some((name, value)) = cookie.split(';').next().and_then(|p| p.split_once('=')) {
                if value.is_empty() || cookie.to_ascii_lowercase().contains("max-age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_owned(), value.to_owned());
                }
            }
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        if let Some(token) = input_value(&body, "csrf_token") {
            self.csrf = Some(token);
        }
        Ok(Response {
            status,
            location: headers
                .iter()
                .find(|(k, _)| k == "location")
                .map(|(_, v)| v.clone()),
            body,
        })
    }
}

/// The `value` of the first `<input name="NAME">` in an HTML page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let start = html.find(&format!("name=\"{name}\""))?;
    let tag_start = html[..start].rfind('<')?;
    let tag_end = start + html[start..].find('>')?;
    let tag = &html[tag_start..tag_end];
    let v = tag.find("value=\"")? + 7;
    let end = v + tag[v..].find('"')?;
    Some(tag[v..end].to_owned())
}

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

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(out);
        }
        let start = line_end + 2;
        out.extend_from_slice(data.get(start..start + size)?);
        data = data.get(start + size + 2..)?;
    }
}

/// Polls `ready` every 50 ms until it is true; panics with `what` after `limit`.
pub fn wait_until(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
