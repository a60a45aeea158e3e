//! The `registry` command line: clap-derive [`Opts`] (their doc comments are the `--help`
//! text), [`run`] which carries a command out, and [`CliError`] which says whose fault a failure
//! is. `main.rs` only maps the outcome to an exit code: 0 done, 2 bad input (an argument, a path,
//! a database from a newer program), 1 an internal error. Every failure is one line on stderr.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::db::{self, DbError};

/// CAR-T long-term follow-up registry.
#[derive(Debug, Parser)]
#[command(name = "registry", version, about, propagate_version = true)]
pub struct Opts {
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database, or upgrade it to this program's schema.
    ///
    /// A new database is built aside and renamed into place, so a failure leaves no file; an
    /// existing one is upgraded in one transaction. A database written by a newer registry is
    /// refused unchanged.
    Migrate(MigrateArgs),
    /// Build a deterministic, realistic demo cohort into a new database.
    ///
    /// Same --seed, --patients and --today give the same database content. The file is built
    /// aside and renamed into place when complete; an existing non-empty database is refused
    /// unless --force is given. A progress bar is shown when stderr is a terminal.
    Seed(SeedArgs),
    /// Write CSV exports: one RFC 4180 file per entity (code and label columns) and a data
    /// dictionary, optionally de-identified for analysts.
    ///
    /// The files are written into a temporary directory beside --out and renamed into place
    /// when complete, so a failure leaves nothing half-written. The database is only read.
    Export(crate::export::cli::ExportArgs),
    /// The coordinators' web app: `serve`, `demo`, `user …`, `site …` (feature `web`).
    #[cfg(feature = "web")]
    #[command(flatten)]
    Web(crate::web::cli::WebCommand),
    // Further subcommands (seed, serve, demo, user, ...) are added here by their modules.
}

/// Arguments of `registry migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The SQLite database file (created if absent).
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,
}

/// Arguments of `registry seed`.
#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The SQLite database file to create.
    #[arg(long, value_name = "PATH")]
    pub db: PathBuf,
    /// Number of patients.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub patients: u64,
    /// Random seed: the same seed gives the same cohort.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// The data cut (YYYY-MM-DD): infusions run from 2017 to this date. Defaults to today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<chrono::NaiveDate>,
    /// Replace an existing non-empty database.
    #[arg(long)]
    pub force: bool,
    /// Threads simulating patients (the database writer is one more).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub threads: usize,
    /// Enforce the schema's CHECK constraints during the load (about 3x slower; foreign keys
    /// are always enforced).
    #[arg(long)]
    pub check_constraints: bool,
}

/// Why a command failed: the user's input, or our bug.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A database could not be opened, created or migrated.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The demo cohort could not be built.
    #[error(transparent)]
    Seed(#[from] crate::seed::SeedError),
    /// A bad argument or a reference to something that does not exist (a user, a site).
    #[error("{0}")]
    Input(String),
    /// Anything else that went wrong inside the program.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl CliError {
    /// True when the user can fix it (a path, an argument, a program version).
    pub fn is_user_error(&self) -> bool {
        match self {
            Self::Db(DbError::Unexpected(_)) | Self::Unexpected(_) => false,
            Self::Seed(crate::seed::SeedError::Unexpected(_))
            | Self::Seed(crate::seed::SeedError::Db(DbError::Unexpected(_))) => false,
            Self::Db(_) | Self::Seed(_) | Self::Input(_) => true,
        }
    }

    /// The exit code: 2 for the user's errors, 1 for ours.
    pub fn exit_code(&self) -> ExitCode {
        if self.is_user_error() {
            ExitCode::from(2)
        } else {
            ExitCode::FAILURE
        }
    }

    /// The message on one line, with the chain of causes for internal errors.
    pub fn one_line(&self) -> String {
        let text = match self {
            Self::Db(DbError::Unexpected(e)) | Self::Unexpected(e) => format!("{e:#}"),
            Self::Seed(crate::seed::SeedError::Unexpected(e))
            | Self::Seed(crate::seed::SeedError::Db(DbError::Unexpected(e))) => format!("{e:#}"),
            Self::Db(e) => e.to_string(),
            Self::Seed(e) => e.to_string(),
            Self::Input(m) => m.clone(),
        };
        text.lines().map(str::trim).collect::<Vec<_>>().join(" ")
    }
}

/// Carries out a parsed command, printing a one-line summary on success.
pub fn run(opts: Opts) -> Result<(), CliError> {
    match opts.command {
        Command::Migrate(args) => migrate(&args),
        Command::Seed(args) => seed(&args),
        Command::Export(args) => crate::export::cli::run(&args),
        #[cfg(feature = "web")]
        Command::Web(command) => crate::web::cli::run(command),
    }
}

/// `registry seed`: quiet unless stderr is a terminal (then a progress bar and a summary).
fn seed(args: &SeedArgs) -> Result<(), CliError> {
    use std::io::IsTerminal;
    let terminal = std::io::stderr().is_terminal();
    let options = crate::seed::SeedOptions {
        db: args.db.clone(),
        patients: args.patients,
        seed: args.seed,
        today: args
            .today
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
        force: args.force,
        threads: args.threads.max(1),
        progress: terminal,
        check_constraints: args.check_constraints,
    };
    let summary = crate::seed::seed(&options)?;
    if terminal {
        let rows: u64 = summary.rows.iter().map(|r| r.1).sum();
        eprintln!(
            "seeded {}: {} patients, {rows} rows, {:.1} MB in {:.1} s",
            args.db.display(),
            args.patients,
            summary.bytes as f64 / 1e6,
            summary.elapsed.as_secs_f64()
        );
    }
    Ok(())
}

fn migrate(args: &MigrateArgs) -> Result<(), CliError> {
    let outcome = db::create_or_upgrade(&args.db)?;
    let path = args.db.display();
    let n = outcome.applied.len();
    if outcome.created {
        println!("created {path} ({n} migrations applied)");
    } else if n == 0 {
        println!("{path} is up to date");
    } else {
        println!("upgraded {path} ({n} migrations applied)");
    }
    Ok(())
}

/// Parses the process arguments; on a bad argument prints one line and gives the exit code to
/// return (`--help` and `--version` print in full and exit 0).
pub fn parse_args() -> Result<Opts, ExitCode> {
    Opts::try_parse().map_err(|e| {
        if e.use_stderr() {
            // clap's message is its first paragraph (e.g. "required arguments were not
            // provided:" and, on the next line, which): keep that, on one line.
            let rendered = e.render().to_string();
            let message = rendered
                .lines()
                .map(str::trim)
                .take_while(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let message = message.strip_prefix("error: ").unwrap_or(&message);
            eprintln!("registry: {message} (try --help)");
            ExitCode::from(2)
        } else {
            // --help / --version: print as clap formats them.
            let _ = e.print();
            ExitCode::SUCCESS
        }
    })
}
