//! The web app's subcommands: `serve`, `demo`, and the administrator's `user …` and `site …`.
//! Flattened into `crate::cli::Command` behind the `web` feature. Bad input is
//! `CliError::Input` (exit 2, one line); anything else is ours (exit 1).

use std::{
    io::BufRead,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use clap::{Args, Subcommand};
use diesel::SqliteConnection;

use crate::cli::CliError;
use crate::db::{ids::UserId, users::list_api_tokens};
use crate::domain::{access::Role, vocabulary::Vocabulary};
use crate::web::{
    accounts::{self, AccountError, NewAccount, SYSTEM_USER_ID},
    auth::{
        api_token::{TokenLifetime, create_token_expiring},
        password::{self, PasswordCost},
    },
    configuration::{SecuritySettings, Settings},
    form::Field,
    routes::admin::sites::{
        ChangeSiteError, SiteFormView, add_site, change_site, check_site_name, list_sites,
        site_by_code,
    },
    startup::{Application, open_pool},
};

/// The web app's commands.
#[derive(Debug, Subcommand)]
pub enum WebCommand {
    /// Serve the coordinators' web app (creating or upgrading the database first).
    Serve(ServeArgs),
    /// Serve a demo: a seeded cohort and one login per role, printed at start.
    ///
    /// Creates the database with a demo cohort the first time, reuses it afterwards.
    Demo(DemoArgs),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage sites.
    #[command(subcommand)]
    Site(SiteCommand),
}

/// Arguments of `registry serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The SQLite database file (created if missing, upgraded if older).
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Mark the session cookie Secure (behind HTTPS). Also REGISTRY_COOKIE_SECURE=true.
    #[arg(long)]
    pub cookie_secure: bool,
}

/// Arguments of `registry demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo database file (seeded if missing, reused otherwise).
    #[arg(long, value_name = "PATH", default_value = "registry-demo.sqlite")]
    pub db: PathBuf,
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Patients in a newly seeded demo cohort.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub patients: u64,
}

/// `registry user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is the first line of standard input.
    Add {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// 3-64 lower-case letters, digits, '.', '_' or '-'.
        #[arg(long)]
        username: String,
        #[command(flatten)]
        access: AccessArgs,
        /// The printed name shown with e-signatures (defaults to the username).
        #[arg(long)]
        full_name: Option<String>,
        /// Read the password from standard input (required: never pass it as an argument).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users: username, role, sites, status, name.
    List {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Disable a user: they can no longer log in; their history stays.
    Disable {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled user again.
    Enable {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long)]
        username: String,
    },
    /// Create an API token for a user; the token is printed once (only its hash is kept).
    Token {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long)]
        username: String,
        /// What the token is for, e.g. "nightly import".
        #[arg(long)]
        name: String,
        /// Days until the token expires (1 to 3650).
        #[arg(long, value_name = "N", default_value_t = i64::from(TokenLifetime::DEFAULT_DAYS))]
        expires_in_days: i64,
    },
    /// List API tokens (never the tokens themselves): prefix, owner, name, created, expires,
    /// last used, status.
    Tokens {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// Only this user's tokens.
        #[arg(long)]
        username: Option<String>,
    },
    /// Set a user's role and sites (the sites given replace the ones they had).
    SetAccess {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long)]
        username: String,
        #[command(flatten)]
        access: AccessArgs,
        /// Why, for the audit trail.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Set a user's password (first line of standard input) and clear any lock.
    SetPassword {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        #[arg(long)]
        username: String,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

/// A user's role and sites, as `user add` and `user set-access` take them.
#[derive(Debug, Args)]
pub struct AccessArgs {
    /// ADMIN, COORDINATOR, MONITOR or ANALYST.
    #[arg(long)]
    role: String,
    /// A site code the user works for (repeat for several; coordinators and monitors need one).
    #[arg(long = "site", value_name = "CODE")]
    sites: Vec<String>,
}

impl AccessArgs {
    /// The role, checked with the sites: coordinators and monitors need one.
    fn role(&self) -> Result<Role, CliError> {
        let role = Role::parse(&self.role).map_err(|e| CliError::Input(format!("--role: {e}")))?;
        if matches!(role, Role::Coordinator | Role::Monitor) && self.sites.is_empty() {
            return Err(CliError::Input(
                "--site: coordinators and monitors need at least one site".to_owned(),
            ));
        }
        Ok(role)
    }
}

/// `registry site …`
#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Rename a site, or close it to enrolment (its patients and users stay) or reopen it.
    Set {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// The site's code (it never changes).
        #[arg(long)]
        code: String,
        /// The new name.
        #[arg(long)]
        name: Option<String>,
        /// No new enrolments at this site.
        #[arg(long, conflicts_with = "reopen")]
        close: bool,
        /// Open to enrolment again.
        #[arg(long)]
        reopen: bool,
        /// Why, for the audit trail.
        #[arg(long)]
        reason: Option<String>,
    },
    /// List sites: code, enrolment (open or closed), name.
    List {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
    },
    /// Add a site.
    Add {
        /// The SQLite database file.
        #[arg(long, value_name = "PATH")]
        db: PathBuf,
        /// Short code, e.g. BCN (2 to 8 capital letters or digits, starting with a letter).
        #[arg(long)]
        code: String,
        /// The site's name.
        #[arg(long)]
        name: String,
    },
}

/// Carries out a web command.
pub fn run(command: WebCommand) -> Result<(), CliError> {
    match command {
        WebCommand::Serve(args) => {
            let mut security = SecuritySettings::default()
                .with_env_overrides()
                .map_err(|e| CliError::Input(format!("{e:#}")))?;
            security.cookie_secure |= args.cookie_secure;
            serve(Settings {
                database_path: args.db,
                bind: args.bind,
                security,
                workers: None,
                access_log: true,
            })
        }
        WebCommand::Demo(args) => demo(args),
        WebCommand::User(command) => run_user(command),
        WebCommand::Site(SiteCommand::Set {
            db,
            code,
            name,
            close,
            reopen,
            reason,
        }) => set_site(&db, &code, name, close, reopen, reason),
        WebCommand::Site(SiteCommand::List { db }) => {
            let mut conn = connect(&db)?;
            let sites = list_sites(&mut conn).map_err(|e| {
                CliError::Unexpected(anyhow::Error::new(e).context("Failed to list sites"))
            })?;
            for site in sites {
                println!(
                    "{}\t{}\t{}",
                    site.code,
                    if site.active { "open" } else { "closed" },
                    site.name
                );
            }
            Ok(())
        }
        WebCommand::Site(SiteCommand::Add { db, code, name }) => {
            let mut view = SiteFormView {
                code: Field::new(code),
                name: Field::new(name),
            };
            let Some(input) = view.validate() else {
                let messages: Vec<String> = [view.code.error, view.name.error]
                    .into_iter()
                    .flatten()
                    .collect();
                return Err(CliError::Input(messages.join(" ")));
            };
            let mut conn = connect(&db)?;
            add_site(&mut conn, SYSTEM_USER_ID, &input).map_err(|e| match e {
                crate::web::routes::admin::sites::AddSiteError::DuplicateCode => {
                    CliError::Input(format!("--code: {e}"))
                }
                other => CliError::Unexpected(other.into()),
            })?;
            println!("added site {}", input.code);
            Ok(())
        }
    }
}

/// `registry site set`: what is not given stays as it is.
fn set_site(
    db: &Path,
    code: &str,
    name: Option<String>,
    close: bool,
    reopen: bool,
    reason: Option<String>,
) -> Result<(), CliError> {
    let name = name.map(|n| n.trim().to_owned());
    if let Some(name) = &name {
        check_site_name(name).map_err(|m| CliError::Input(format!("--name: {m}")))?;
    }
    let mut conn = connect(db)?;
    let unexpected = |e: diesel::result::Error| CliError::Unexpected(e.into());
    let site = site_by_code(&mut conn, code.trim())
        .map_err(unexpected)?
        .ok_or_else(|| CliError::Input(format!("No site has the code {code:?}.")))?;
    let open = if close { false } else { reopen || site.active };
    let name = name.unwrap_or(site.name);
    let reason = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let changed = change_site(
        &mut conn,
        SYSTEM_USER_ID,
        site.id,
        None,
        &name,
        open,
        reason,
    )
    .map_err(|e| match e {
        ChangeSiteError::Database(e) => unexpected(e),
        stale @ ChangeSiteError::Stale => CliError::Unexpected(stale.into()),
    })?;
    println!(
        "site {} {}: {name}, {} to enrolment",
        site.code,
        if changed { "is now" } else { "was already" },
        if open { "open" } else { "closed" }
    );
    Ok(())
}

fn serve(settings: Settings) -> Result<(), CliError> {
    let bind = settings.bind;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings)?;
        println!("serving on http://{}:{}/", bind.ip(), app.port());
        app.run_until_stopped()
            .await
            .map_err(|e| CliError::Unexpected(anyhow::Error::new(e).context("The server failed")))
    })
}

fn connect(
    db: &Path,
) -> Result<
    diesel::r2d2::PooledConnection<diesel::r2d2::ConnectionManager<SqliteConnection>>,
    CliError,
> {
    let pool = open_pool(db)?;
    pool.get()
        .map_err(|e| CliError::Unexpected(anyhow::Error::new(e).context("No database connection")))
}

fn account_error(e: AccountError) -> CliError {
    match e {
        AccountError::Database(e) => CliError::Unexpected(e.into()),
        other => CliError::Input(other.to_string()),
    }
}

fn read_password_from_stdin() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        CliError::Input(format!("cannot read the password from standard input: {e}"))
    })?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    password::check_new_password(&password).map_err(|e| CliError::Input(e.to_string()))?;
    Ok(password)
}

fn run_user(command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::Add {
            db,
            username,
            access,
            full_name,
            password_stdin: _,
        } => {
            accounts::check_username(&username)
                .map_err(|m| CliError::Input(format!("--username: {m}")))?;
            let role = access.role()?;
            let password = read_password_from_stdin()?;
            let mut conn = connect(&db)?;
            let site_ids =
                accounts::site_ids_for_codes(&mut conn, &access.sites).map_err(account_error)?;
            let password_hash = password::hash_password(PasswordCost::default(), &password)?;
            let full_name = full_name.unwrap_or_else(|| username.clone());
            accounts::create_account(
                &mut conn,
                SYSTEM_USER_ID,
                &NewAccount {
                    username: username.clone(),
                    full_name,
                    role,
                    site_ids,
                    password_hash,
                },
            )
            .map_err(account_error)?;
            println!("added user {username} ({})", role.label());
            Ok(())
        }
        UserCommand::List { db } => {
            let mut conn = connect(&db)?;
            for a in accounts::list_accounts(&mut conn)? {
                println!(
                    "{}\t{}\t{}\t{}{}\t{}",
                    a.username,
                    a.role.code(),
                    a.site_codes.join(","),
                    if a.active { "active" } else { "disabled" },
                    if a.locked { ",locked" } else { "" },
                    a.full_name,
                );
            }
            Ok(())
        }
        UserCommand::Token {
            db,
            username,
            name,
            expires_in_days,
        } => {
            if name.trim().is_empty() {
                return Err(CliError::Input(
                    "--name: say what the token is for".to_owned(),
                ));
            }
            let lifetime = TokenLifetime::days(expires_in_days)
                .map_err(|e| CliError::Input(format!("--expires-in-days: {e}")))?;
            let mut conn = connect(&db)?;
            let id = accounts::user_id_by_name(&mut conn, &username).map_err(account_error)?;
            let (token, _) =
                create_token_expiring(&mut conn, SYSTEM_USER_ID, id, name.trim(), lifetime)?;
            println!("{token}");
            eprintln!(
                "API token for {username}: shown once; only its hash is stored. Expires in {} days.",
                lifetime.get()
            );
            Ok(())
        }
        UserCommand::Tokens { db, username } => {
            let mut conn = connect(&db)?;
            let user = match username {
                Some(name) => Some(UserId(
                    accounts::user_id_by_name(&mut conn, &name).map_err(account_error)?,
                )),
                None => None,
            };
            let now = chrono::Utc::now().naive_utc();
            let stamp = |t: Option<chrono::NaiveDateTime>| {
                t.map_or_else(
                    || "-".to_owned(),
                    |t| t.format("%Y-%m-%d %H:%M").to_string(),
                )
            };
            println!("prefix\tuser\tname\tcreated\texpires\tlast_used\tstatus");
            for t in list_api_tokens(&mut conn, user).map_err(|e| {
                CliError::Unexpected(anyhow::Error::new(e).context("Failed to list tokens"))
            })? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    t.token_prefix,
                    t.username,
                    t.name,
                    stamp(Some(t.created_at)),
                    stamp(t.expires_at),
                    stamp(t.last_used_at),
                    t.status(now).label(),
                );
            }
            Ok(())
        }
        UserCommand::Disable { db, username } => set_active(&db, &username, false),
        UserCommand::Enable { db, username } => set_active(&db, &username, true),
        UserCommand::SetAccess {
            db,
            username,
            access,
            reason,
        } => {
            let role = access.role()?;
            let sites = access.sites;
            let mut conn = connect(&db)?;
            let id = accounts::user_id_by_name(&mut conn, &username).map_err(account_error)?;
            if id == SYSTEM_USER_ID {
                return Err(CliError::Input(
                    "the system account cannot be changed".to_owned(),
                ));
            }
            let site_ids =
                accounts::site_ids_for_codes(&mut conn, &sites).map_err(account_error)?;
            let reason = reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
            let changed = accounts::set_access(
                &mut conn,
                SYSTEM_USER_ID,
                id,
                None,
                &accounts::Access { role, site_ids },
                reason,
            )
            .map_err(account_error)?;
            let sites = if sites.is_empty() {
                "no site".to_owned()
            } else {
                sites.join(", ")
            };
            if changed {
                println!("{username} is now {} at {sites}", role.label());
            } else {
                println!("{username} was already {} at {sites}", role.label());
            }
            Ok(())
        }
        UserCommand::SetPassword { db, username, .. } => {
            let password = read_password_from_stdin()?;
            let mut conn = connect(&db)?;
            let id = accounts::user_id_by_name(&mut conn, &username).map_err(account_error)?;
            let hash = password::hash_password(PasswordCost::default(), &password)?;
            accounts::set_password(&mut conn, SYSTEM_USER_ID, id, &hash).map_err(account_error)?;
            println!("password set for {username}");
            Ok(())
        }
    }
}

fn set_active(db: &Path, username: &str, active: bool) -> Result<(), CliError> {
    let mut conn = connect(db)?;
    let id = accounts::user_id_by_name(&mut conn, username).map_err(account_error)?;
    if id == SYSTEM_USER_ID {
        return Err(CliError::Input(
            "the system account cannot be changed".to_owned(),
        ));
    }
    accounts::set_active(&mut conn, SYSTEM_USER_ID, id, active).map_err(account_error)?;
    println!(
        "{username} is {}",
        if active { "enabled" } else { "disabled" }
    );
    Ok(())
}

/// The demo logins: (username, role, password). Printed at start; for a demo database only.
const DEMO_PASSWORD: &str = "demo-password-2026";

fn demo(args: DemoArgs) -> Result<(), CliError> {
    if !args.db.exists() {
        eprintln!(
            "seeding a demo cohort of {} patients into {} …",
            args.patients,
            args.db.display()
        );
        crate::seed::seed(&crate::seed::SeedOptions {
            db: args.db.clone(),
            patients: args.patients,
            seed: 1,
            today: chrono::Utc::now().date_naive(),
            force: false,
            threads: 2,
            progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            check_constraints: false,
        })?;
    }
    let logins = {
        let mut conn = connect(&args.db)?;
        ensure_demo_users(&mut conn)?
    };
    println!("Demo logins (password {DEMO_PASSWORD:?} for each):");
    for (username, role, sites) in &logins {
        println!("  {username:<12} {role}{sites}");
    }
    let settings = Settings {
        database_path: args.db,
        bind: args.bind,
        security: SecuritySettings::default(),
        workers: None,
        access_log: true,
    };
    serve(settings)
}

/// Creates the demo users that are missing; returns (username, role label, sites note).
fn ensure_demo_users(
    conn: &mut SqliteConnection,
) -> Result<Vec<(String, &'static str, String)>, CliError> {
    use crate::db::schema::sites;
    use diesel::prelude::*;
    let first_site: Option<String> = sites::table
        .select(sites::code)
        .order(sites::id)
        .first(conn)
        .optional()
        .map_err(|e| CliError::Unexpected(e.into()))?;
    let first_site = match first_site {
        Some(code) => code,
        None => {
            let input = crate::web::routes::admin::sites::NewSiteInput {
                code: "DEMO".to_owned(),
                name: "Demo hospital".to_owned(),
            };
            add_site(conn, SYSTEM_USER_ID, &input).map_err(|e| CliError::Unexpected(e.into()))?;
            input.code
        }
    };
    let site_ids = accounts::site_ids_for_codes(conn, std::slice::from_ref(&first_site))
        .map_err(account_error)?;
    let hash = password::hash_password(PasswordCost::default(), DEMO_PASSWORD)?;
    let mut out = Vec::new();
    for (username, role) in [
        ("admin", Role::Admin),
        ("coordinator", Role::Coordinator),
        ("monitor", Role::Monitor),
        ("analyst", Role::Analyst),
    ] {
        let sites = if matches!(role, Role::Coordinator | Role::Monitor) {
            site_ids.clone()
        } else {
            Vec::new()
        };
        if accounts::user_id_by_name(conn, username).is_err() {
            accounts::create_account(
                conn,
                SYSTEM_USER_ID,
                &NewAccount {
                    username: username.to_owned(),
                    full_name: format!("Demo {}", role.label()),
                    role,
                    site_ids: sites.clone(),
                    password_hash: hash.clone(),
                },
            )
            .map_err(account_error)?;
        }
        let note = if sites.is_empty() {
            String::new()
        } else {
            format!(" at {first_site}")
        };
        out.push((username.to_owned(), role.label(), note));
    }
    Ok(out)
}
