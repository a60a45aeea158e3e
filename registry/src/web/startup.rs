//! The application: the database, the shared state, the middleware stack and the route table,
//! readable on one screen.

use std::net::TcpListener;

use actix_session::{
    SessionMiddleware,
    config::{BrowserSession, CookieContentSecurity, TtlExtensionPolicy},
};
use actix_web::{
    App, HttpServer,
    cookie::{Key, SameSite},
    dev::Server,
    middleware::{Condition, DefaultHeaders, from_fn},
    web,
};
use anyhow::Context;
use diesel::SqliteConnection;

use super::{
    auth::{
        api_token::require_token,
        csrf::verify_csrf,
        extract::require_login,
        session,
        session_store::{self, Sessions},
        throttle::IpThrottle,
    },
    configuration::Settings,
    error::{self, AppError},
    kept_forms::KeptForms,
    routes::{
        account, admin, api, assets, audit, exports, follow_ups, kept, login, logout, patients,
        treatments, worklist,
    },
    telemetry::access_log as access_log_mw,
};
use crate::db::DbPool;

/// How long a client may take to send a request's head (see `Application::build`).
const CLIENT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The follow-up form of one timepoint of one course.
const FOLLOW_UP: &str = "/patients/{pid}/courses/{cid}/follow-ups/{timepoint}";

/// What every handler can reach through `web::Data<AppState>`.
pub struct AppState {
    pub pool: DbPool,
    /// One connection for every write transaction of [`AppState::db`]'s work, so its page
    /// cache stays warm (`crate::db::writer`).
    pub writer: crate::db::writer::Writer,
    pub settings: Settings,
    pub ip_throttle: IpThrottle,
    pub sessions: Sessions,
    /// The worklist's courses, kept between requests (`routes::worklist::cache`).
    pub worklist: worklist::WorklistCache,
    /// Forms posted by a session that had just expired, kept for their user (`kept_forms`).
    pub kept_forms: KeptForms,
}

impl AppState {
    /// Runs diesel work on the blocking thread pool with a pooled connection; its write
    /// transactions run on the writer connection.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut SqliteConnection) -> Result<T, AppError> + Send + 'static,
    {
        let (pool, writer) = (self.pool.clone(), self.writer.clone());
        web::block(move || {
            // The connection goes back to the pool before the writes' WAL sync is awaited.
            let (outcome, pending) = crate::db::wal_sync::deferring_syncs(|| {
                crate::db::writer::writing_through(&writer, || {
                    let mut conn = pool.get().context("Failed to get a database connection")?;
                    work(&mut conn)
                })
            });
            pending
                .wait()
                .context("The change was saved but could not be synced to the disk")?;
            outcome
        })
        .await?
    }
}

/// Pooled connections per core. A request's database work is CPU-bound SQLite work on a
/// blocking thread, one connection each. On the 2-core machine of the load benchmark (issue 3,
/// 32 clients), 4 connections gave a lower p99 and more requests per second than 2, 3, 6, 8
/// or 16: more only add threads competing for the cores, fewer leave a core idle while a
/// connection waits its turn at the write gate (`crate::db::write_gate`).
const CONNECTIONS_PER_CORE: usize = 2;

/// The pool size for this machine: [`CONNECTIONS_PER_CORE`] per core.
fn pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    u32::try_from(cores.saturating_mul(CONNECTIONS_PER_CORE)).unwrap_or(u32::MAX)
}

/// Creates or upgrades the database file to this program's schema (all or nothing), then
/// builds the pool: WAL, foreign keys and a busy timeout on every connection (`crate::db`),
/// [`CONNECTIONS_PER_CORE`] connections per core.
pub fn open_pool(path: &std::path::Path) -> anyhow::Result<DbPool> {
    crate::db::create_or_upgrade(path)?;
    Ok(crate::db::pool(path, pool_size())?)
}

/// A built server, bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Opens (creating and migrating if needed) the database, binds the address and builds the
    /// server.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let pool = open_pool(&settings.database_path)
            .with_context(|| format!("Failed to open {}", settings.database_path.display()))?;
        let writer = crate::db::pool(&settings.database_path, 1)
            .map_err(anyhow::Error::from)
            .and_then(|pool| Ok(crate::db::writer::Writer::new(pool)?))
            .with_context(|| format!("Failed to open {}", settings.database_path.display()))?;
        let listener = TcpListener::bind(settings.bind)
            .with_context(|| format!("Failed to bind {}", settings.bind))?;
        let port = listener.local_addr().context("No local address")?.port();
        let security = &settings.security;
        let key = match &security.session_key {
            Some(secret) => Key::try_from(secret.expose()).context("Invalid session key")?,
            // Kept in the database, so cookies stay readable after a restart.
            None => session_store::cookie_key(&pool)?,
        };
        // The server holds a session's state beyond its idle limit, so an expired session is
        // known to be whose: `require_login` keeps what its last POST carried.
        let state_ttl = actix_web::cookie::time::Duration::seconds(
            i64::try_from(session::state_ttl(security.idle_timeout).as_secs()).unwrap_or(i64::MAX),
        );
        let cookie_secure = security.cookie_secure;
        let workers = settings.workers;
        let access_log = settings.access_log;
        let state = web::Data::new(AppState {
            ip_throttle: IpThrottle::new(security.max_failures_per_ip, security.ip_window),
            sessions: Sessions::new(pool.clone()),
            worklist: worklist::WorklistCache::default(),
            kept_forms: KeptForms::durable(pool.clone()),
            pool,
            writer,
            settings,
        });
        let server = HttpServer::new(move || {
            let sessions = SessionMiddleware::builder(state.sessions.clone(), key.clone())
                .cookie_name("registry_session".to_owned())
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Strict)
                .cookie_secure(cookie_secure)
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(
                    BrowserSession::default()
                        .state_ttl(state_ttl)
                        .state_ttl_extension_policy(TtlExtensionPolicy::OnEveryRequest),
                )
                .build();
            let (path_errors, form_errors, query_errors) = error::page_extractor_errors();
            App::new()
                .wrap(from_fn(verify_csrf))
                .wrap(sessions)
                .wrap(security_headers())
                .wrap(Condition::new(access_log, from_fn(access_log_mw)))
                .app_data(state.clone())
                .app_data(path_errors)
                .app_data(form_errors)
                .app_data(query_errors)
                .route("/static/app.css", web::get().to(assets::stylesheet))
                .route("/static/guard.js", web::get().to(assets::unsaved_guard))
                .route("/login", web::get().to(login::get::get))
                .route("/login", web::post().to(login::post::post))
                .route("/logout", web::post().to(logout::post))
                .service(
                    web::scope("/api/v1")
                        .wrap(from_fn(require_token))
                        .configure(api::extractor_errors)
                        .route("/openapi.json", web::get().to(api::openapi::get))
                        .route("/worklist", web::get().to(api::worklist::get))
                        .route("/patients", web::get().to(api::patients::list))
                        .route("/patients", web::post().to(api::patients::create))
                        .route("/patients/{id}", web::get().to(api::patients::show))
                        .configure(api::follow_ups::routes),
                )
                .service(
                    web::scope("")
                        .wrap(from_fn(require_login))
                        .route("/", web::get().to(worklist::get::get))
                        .route("/account", web::get().to(account::get::get))
                        .route("/account/tokens", web::post().to(account::post::create))
                        .route(
                            "/account/tokens/{id}/revoke",
                            web::post().to(account::post::revoke),
                        )
                        .configure(account::password_routes)
                        .configure(kept::routes)
                        .configure(patients::correction_routes)
                        .route("/exports", web::get().to(exports::get::list))
                        .route("/exports/{file}", web::get().to(exports::get::csv))
                        .route("/patients", web::get().to(patients::list::get))
                        .route("/patients", web::post().to(patients::create::post))
                        .route("/patients/new", web::get().to(patients::new::get))
                        .route("/patients/{id}", web::get().to(patients::show::get))
                        .route("/patients/{id}/audit", web::get().to(audit::get::get))
                        .route(
                            "/patients/{id}/treatments",
                            web::post().to(treatments::create::post),
                        )
                        .route(
                            "/patients/{id}/treatments/new",
                            web::get().to(treatments::new::get),
                        )
                        .route(
                            "/patients/{id}/courses/{cid}/infusions",
                            web::post().to(treatments::infusion::create),
                        )
                        .route(
                            "/patients/{id}/courses/{cid}/infusions/new",
                            web::get().to(treatments::infusion::new),
                        )
                        .service(
                            web::resource(FOLLOW_UP)
                                .route(web::get().to(follow_ups::get::get))
                                .route(web::post().to(follow_ups::post::post)),
                        )
                        .route(
                            &format!("{FOLLOW_UP}/lock"),
                            web::post().to(follow_ups::lock::post),
                        )
                        .route(
                            &format!("{FOLLOW_UP}/unlock"),
                            web::post().to(follow_ups::unlock::post),
                        )
                        .route("/admin/audit", web::get().to(admin::audit::get))
                        .route("/admin/sites", web::get().to(admin::sites::get::get))
                        .route("/admin/sites", web::post().to(admin::sites::post::post))
                        .route("/admin/sites/{id}", web::get().to(admin::sites::edit::get))
                        .route(
                            "/admin/sites/{id}",
                            web::post().to(admin::sites::edit::post),
                        )
                        .route("/admin/users", web::get().to(admin::users::get::get))
                        .route("/admin/users", web::post().to(admin::users::post::create))
                        .route(
                            "/admin/users/{id}",
                            web::get().to(admin::users::access::get),
                        )
                        .route(
                            "/admin/users/{id}",
                            web::post().to(admin::users::access::post),
                        )
                        .route(
                            "/admin/users/{id}/active",
                            web::post().to(admin::users::post::set_active),
                        ),
                )
        });
        // A request's head must arrive within this time of the connection being accepted.
        // actix's default (5 s) counts time the connection waits for a busy worker, and ends it
        // with nothing sent: a login under load once got an empty reply.
        let server = server.client_request_timeout(CLIENT_REQUEST_TIMEOUT);
        let server = match workers {
            Some(n) => server.workers(n),
            None => server,
        };
        let server = server.listen(listener).context("Failed to listen")?.run();
        Ok(Self { port, server })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Headers on every response: a strict CSP (our own stylesheet and script files only, no inline
/// script or style, no framing),
/// no referrer, no MIME sniffing, and no caching of pages that hold patient data.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
             form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cache-Control", "no-store"))
}
