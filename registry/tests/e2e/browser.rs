//! The coordinator's journey in a real headless Chromium, driven through chromedriver: log in,
//! enrol a patient (after a rejected attempt that keeps what was typed), record the CAR-T
//! treatment (after a rejected attempt with dates out of order), fill the Day 100 follow-up
//! with an infection, and find the infection on the patient's timeline.

use std::{
    fs::File,
    net::{TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use chrono::{NaiveDate, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::support::{PASSWORD, Server, add_site_and_coordinator};

/// Where Debian's `chromium` and `chromium-driver` put them; `CHROMIUM` and `CHROMEDRIVER`
/// override.
fn tool(env: &str, default: &str) -> PathBuf {
    let path = PathBuf::from(std::env::var(env).unwrap_or_else(|_| default.to_owned()));
    assert!(
        path.is_file(),
        "{} not found: this end-to-end test needs a real Chromium and its WebDriver. Install them \
         with `apt-get update && apt-get install -y chromium chromium-driver` (`.ci/run` does), \
         or point {env} at them.",
        path.display()
    );
    path
}

/// chromedriver on a free port; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(binary: &Path, log: &Path) -> Self {
        // chromedriver has no "pick a port and tell me"; take a free one, retry if it was raced.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = Command::new(binary)
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::from(
                    File::create(log.with_extension("stderr")).unwrap(),
                ))
                .spawn()
                .unwrap();
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self { child, port };
                }
                if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!(
            "chromedriver did not start; see {} and {}",
            log.display(),
            log.with_extension("stderr").display()
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn days_ago(n: i64) -> NaiveDate {
    Utc::now().date_naive() - chrono::Duration::days(n)
}

/// The browser, the server's base URL, and helpers that read like what a user does.
struct Page {
    c: Client,
    base: String,
}

impl Page {
    async fn goto(&self, path: &str) {
        self.c.goto(&format!("{}{path}", self.base)).await.unwrap();
    }

    async fn path(&self) -> String {
        self.c.current_url().await.unwrap().path().to_owned()
    }

    async fn css(&self, selector: &str) -> fantoccini::elements::Element {
        match self.c.find(Locator::Css(selector)).await {
            Ok(element) => element,
            Err(e) => panic!("no {selector} on {}: {e}", self.path_now().await),
        }
    }

    async fn path_now(&self) -> String {
        self.c
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// Types into a text field, as a user does (after clearing it).
    async fn type_into(&self, id: &str, text: &str) {
        let field = self.css(&format!("#{id}")).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Sets a `<input type="date">`. Typing into Chromium's date control goes segment by
    /// segment in the locale's order, so the value is set the way the picker sets it.
    async fn set_date(&self, id: &str, date: NaiveDate) {
        let field = self.css(&format!("#{id}")).await;
        self.c
            .execute(
                "arguments[0].value = arguments[1];
                 arguments[0].dispatchEvent(new Event('input', {bubbles: true}));
                 arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
                vec![
                    serde_json::to_value(&field).unwrap(),
                    json!(date.to_string()),
                ],
            )
            .await
            .unwrap();
        assert_eq!(self.value(id).await, date.to_string(), "{id} accepted");
    }

    /// Chooses an option of a `<select>` by its code.
    async fn choose(&self, id: &str, code: &str) {
        self.css(&format!("#{id}"))
            .await
            .select_by_value(code)
            .await
            .unwrap_or_else(|e| panic!("no option {code} in #{id}: {e}"));
    }

    /// Clicks a radio button or checkbox by its id.
    async fn tick(&self, id: &str) {
        self.css(&format!("#{id}")).await.click().await.unwrap();
    }

    /// The current `value` of a field (input or select).
    async fn value(&self, id: &str) -> String {
        self.css(&format!("#{id}"))
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Clicks a link or a submit button and waits until the next document has loaded.
    async fn click_and_load(&self, button: &str) {
        self.c
            .execute("window.__e2e_old_page = true;", vec![])
            .await
            .unwrap();
        self.css(button).await.click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let fresh = self
                .c
                .execute(
                    "return window.__e2e_old_page === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or(json!(false));
            if fresh == json!(true) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no new page after clicking {button}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// True when leaving the page now would ask first (`static/guard.js`): a cancelable
    /// `beforeunload` is cancelled. (WebDriver accepts a real leave prompt by itself, so the
    /// event is dispatched here.)
    async fn leaving_asks(&self) -> bool {
        self.c
            .execute(
                "const leave = new Event('beforeunload', {cancelable: true});
                 window.dispatchEvent(leave);
                 return leave.defaultPrevented;",
                vec![],
            )
            .await
            .unwrap()
            == json!(true)
    }

    /// The HTTP status of the document on screen (Navigation Timing's `responseStatus`).
    async fn status(&self) -> u64 {
        self.c
            .execute(
                "return performance.getEntriesByType('navigation')[0].responseStatus;",
                vec![],
            )
            .await
            .unwrap()
            .as_u64()
            .unwrap_or_default()
    }

    async fn text(&self, selector: &str) -> String {
        self.css(selector).await.text().await.unwrap()
    }

    /// The error message shown beside a field, and that the field says it is invalid.
    async fn field_error(&self, id: &str) -> String {
        assert_eq!(
            self.css(&format!("#{id}"))
                .await
                .attr("aria-invalid")
                .await
                .unwrap()
                .as_deref(),
            Some("true"),
            "#{id} is marked invalid"
        );
        self.text(&format!("#{id}-error")).await
    }
}

#[test]
fn coordinator_journey_in_headless_chromium() {
    let chromium = tool("CHROMIUM", "/usr/bin/chromium");
    let chromedriver = tool("CHROMEDRIVER", "/usr/bin/chromedriver");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.sqlite");
    add_site_and_coordinator(&db, "EEE", "coord.e2e");
    let server = Server::start(&db, &dir.path().join("server.log"));
    let driver = Driver::start(&chromedriver, &dir.path().join("chromedriver.log"));
    let profile = dir.path().join("chromium-profile");
    std::fs::create_dir(&profile).unwrap();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    runtime.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--lang=en-US",
                    "--window-size=1280,1024",
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| panic!("no Chromium session through chromedriver: {e}"));
        let page = Page {
            c,
            base: server.url(),
        };
        let outcome = journey(&page).await;
        // Close the browser whatever happened, then report.
        let source = page.c.source().await.unwrap_or_default();
        let at = page.path_now().await;
        let _ = page.c.close().await;
        if let Err(panic) = outcome {
            eprintln!(
                "failed at {at}; page source:\n{source}\nserver log:\n{}",
                server.log_text()
            );
            std::panic::resume_unwind(panic);
        }
    });
    eprintln!("e2e journey took {:.1} s", started.elapsed().as_secs_f64());
    drop(driver);
    drop(server);
}

/// Runs the journey, catching a failed assertion so that the caller can close the browser and
/// show the page first.
async fn journey(page: &Page) -> Result<(), Box<dyn std::any::Any + Send>> {
    use std::panic::AssertUnwindSafe;
    // No futures combinator crate here: a current-thread runtime polls this future in place.
    let fut = AssertUnwindSafe(steps(page));
    CatchUnwind(Box::pin(fut)).await
}

struct CatchUnwind<F>(std::pin::Pin<Box<F>>);

impl<F: std::future::Future<Output = ()>> std::future::Future for CatchUnwind<F> {
    type Output = Result<(), Box<dyn std::any::Any + Send>>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(std::task::Poll::Ready(())) => std::task::Poll::Ready(Ok(())),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        }
    }
}

async fn steps(page: &Page) {
    // Every page is behind login: the worklist sends us to the login form.
    page.goto("/").await;
    assert_eq!(
        page.path().await,
        "/login",
        "the home page asks for a login"
    );
    page.type_into("username", "coord.e2e").await;
    page.type_into("password", PASSWORD).await;
    page.click_and_load("form[action='/login'] button[type=submit]")
        .await;
    assert_eq!(page.path().await, "/", "logged in, on the worklist");
    assert_eq!(page.status().await, 200);
    assert!(
        page.text("header").await.contains("coord.e2e"),
        "the header names the user"
    );

    // Enrol a patient: first with a mistyped year of birth; the form comes back with the
    // message beside the field and everything typed still there.
    page.click_and_load("nav a[href='/patients']").await;
    page.click_and_load("main a[href='/patients/new']").await;
    assert!(!page.leaving_asks().await, "nothing typed yet");
    let enrolled = days_ago(140);
    page.choose("site", "EEE").await;
    page.choose("sex", "F").await;
    page.type_into("birth_year", "19x8").await;
    page.set_date("enrolment_date", enrolled).await;
    page.choose("consent_research", "GIVEN").await;
    page.set_date("consent_research_date", enrolled).await;
    page.type_into("trial_subject_id", "TRIAL-0042").await;
    assert!(
        page.leaving_asks().await,
        "typed, not saved: leaving asks first"
    );
    page.click_and_load("form[action='/patients'] button[type=submit]")
        .await;
    assert_eq!(page.path().await, "/patients", "not saved: the form again");
    assert_eq!(page.status().await, 422, "a rejected form is a 422");
    assert!(
        page.leaving_asks().await,
        "the refused values shown are still not saved"
    );
    assert!(!page.field_error("birth_year").await.is_empty());
    for (id, typed) in [
        ("site", "EEE".to_owned()),
        ("sex", "F".to_owned()),
        ("birth_year", "19x8".to_owned()),
        ("enrolment_date", enrolled.to_string()),
        ("consent_research", "GIVEN".to_owned()),
        ("consent_research_date", enrolled.to_string()),
        ("trial_subject_id", "TRIAL-0042".to_owned()),
    ] {
        assert_eq!(page.value(id).await, typed, "{id} kept after the rejection");
    }
    page.type_into("birth_year", "1958").await;
    page.click_and_load("form[action='/patients'] button[type=submit]")
        .await;
    let patient = page.path().await;
    assert!(
        patient.starts_with("/patients/") && patient[10..].parse::<u32>().is_ok(),
        "enrolled: on the patient page, not {patient}"
    );
    let heading = page.text("h1").await;
    assert!(heading.starts_with("Patient EEE"), "{heading}");
    assert!(!page.leaving_asks().await, "saved: nothing to lose");

    // Record the CAR-T treatment: first with the infusion before apheresis.
    page.click_and_load(&format!("main a[href='{patient}/treatments/new']"))
        .await;
    assert_eq!(page.path().await, format!("{patient}/treatments/new"));
    let typed_codes = [
        ("disease", "DLBCL_NOS"),
        ("prior_hct", "NONE"),
        ("product", "AXI_CEL"),
        ("product_class", "COMMERCIAL"),
        ("lymphodepletion_regimen", "FLU_CY"),
    ];
    for (id, code) in typed_codes {
        page.choose(id, code).await;
    }
    let dates = [
        ("diagnosis_date", days_ago(400)),
        ("apheresis_date", days_ago(130)),
        ("lymphodepletion_start_date", days_ago(105)),
        ("infusion_date", days_ago(140)),
    ];
    for (id, date) in dates {
        page.set_date(id, date).await;
    }
    let form = format!("form[action='{patient}/treatments'] button[type=submit]");
    page.click_and_load(&form).await;
    assert_eq!(
        page.path().await,
        format!("{patient}/treatments"),
        "refused"
    );
    let message = page.field_error("infusion_date").await;
    assert!(message.contains("precede apheresis"), "{message}");
    for (id, code) in typed_codes {
        assert_eq!(page.value(id).await, code, "{id} kept after the rejection");
    }
    for (id, date) in dates {
        assert_eq!(page.value(id).await, date.to_string(), "{id} kept");
    }
    page.set_date("infusion_date", days_ago(100)).await;
    page.click_and_load(&form).await;
    assert_eq!(page.path().await, patient, "treatment recorded");
    let body = page.text("main").await;
    assert!(body.contains("Course 1: Axicabtagene ciloleucel"), "{body}");
    assert!(
        body.contains(&format!("Day 0 is {}", days_ago(100))),
        "{body}"
    );

    // The Day 100 follow-up, from the course's schedule: alive, nothing new except an
    // infection (a mould, 30 days ago: day 70 after Day 0).
    page.click_and_load("main a[href$='/follow-ups/D100']")
        .await;
    assert!(page.path().await.ends_with("/follow-ups/D100"));
    page.set_date("contact_date", days_ago(1)).await;
    page.choose("contact_type", "CLINIC").await;
    page.choose("survival_status", "ALIVE").await;
    page.choose("relapse_since_last", "N").await;
    for section in [
        "responses",
        "toxicities",
        "immunoglobulin",
        "persistence_tests",
        "new_malignancies",
        "subsequent_therapies",
    ] {
        page.tick(&format!("none_{section}-none")).await;
    }
    page.tick("none_infections-events").await;
    page.set_date("infection_date", days_ago(30)).await;
    page.choose("infection_organism_class", "FUNGAL_MOULD")
        .await;
    // A lab panel: IgG in g/L, neutrophils in the pre-selected ×10⁹/L, and a CRP mistyped.
    page.tick("none_lab_results-events").await;
    page.set_date("lab_date", days_ago(2)).await;
    assert_eq!(
        page.value("lab_unit-ANC").await,
        "X10E9_PER_L",
        "pre-selected"
    );
    page.type_into("lab_value-IGG", "5.1").await;
    page.choose("lab_unit-IGG", "G_L").await;
    page.type_into("lab_value-ANC", "1.2").await;
    page.type_into("lab_value-CRP", "high").await;
    page.click_and_load("button[name=action][value=complete]")
        .await;
    assert_eq!(page.status().await, 422);
    assert!(
        page.field_error("lab_value-CRP")
            .await
            .contains("Enter the value as a number")
    );
    assert_eq!(page.value("lab_value-IGG").await, "5.1", "kept");
    assert_eq!(page.value("lab_unit-IGG").await, "G_L", "kept");
    assert_eq!(page.value("lab_value-ANC").await, "1.2", "kept");
    page.type_into("lab_value-CRP", "").await;
    page.click_and_load("button[name=action][value=complete]")
        .await;
    let saved = page.c.current_url().await.unwrap();
    assert!(
        saved.path().ends_with("/follow-ups/D100") && saved.query() == Some("saved=1"),
        "saved and complete: {saved}"
    );
    assert!(
        page.text("main").await.contains("Fungal, mould"),
        "listed as reported in this period, by its label"
    );

    // Back to the patient: the infection is on the timeline, on day 70.
    page.click_and_load(&format!("main a[href='{patient}']"))
        .await;
    assert_eq!(page.path().await, patient);
    let rows = page
        .c
        .find_all(Locator::XPath(
            "//h2[normalize-space()='Timeline']/following::table[1]/tbody/tr",
        ))
        .await
        .unwrap();
    let mut timeline: Vec<Vec<String>> = Vec::new();
    for row in rows {
        let mut cells = Vec::new();
        for cell in row.find_all(Locator::Css("td")).await.unwrap() {
            cells.push(cell.text().await.unwrap());
        }
        timeline.push(cells);
    }
    // Date, day, event, details.
    let infection = timeline
        .iter()
        .find(|cells| cells.get(2).is_some_and(|kind| kind == "Infection"))
        .unwrap_or_else(|| panic!("no infection on the timeline: {timeline:?}"));
    assert_eq!(infection[0], days_ago(30).to_string(), "{infection:?}");
    assert_eq!(infection[1], "70", "day 70 after Day 0: {infection:?}");
    assert!(
        infection[3].contains("Fungal, mould"),
        "the label, not the code: {infection:?}"
    );
    // The panel's results, each as entered.
    let labs: Vec<&String> = timeline
        .iter()
        .filter(|cells| cells.get(2).is_some_and(|kind| kind == "Lab"))
        .filter_map(|cells| cells.get(3))
        .collect();
    assert_eq!(labs.len(), 2, "one row per filled analyte: {timeline:?}");
    assert!(
        labs.iter().any(|l| l.as_str() == "IgG: 5.1 g/L"),
        "{labs:?}"
    );
    assert!(
        labs.iter()
            .any(|l| l.as_str() == "Absolute neutrophil count: 1.2 ×10⁹/L"),
        "{labs:?}"
    );
}
