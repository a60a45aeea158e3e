//! `analytics`: parse flags, validate them into a [`Config`], run, map the outcome
//! to an exit code (0 ok, 2 the user's input, 1 our failure).

use analytics::cli::Opts;
use analytics::commands;
use analytics::config::Config;
use analytics::error::CliError;
use clap::Parser;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

fn run(opts: Opts) -> Result<(), CliError> {
    let config = Config::try_from(opts)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    commands::run(&config, &mut out)?;
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| CliError::Unexpected(e.into())),
    }
}

fn main() -> ExitCode {
    // `analytics report ...` (feature "report") has its own flags and exit codes.
    #[cfg(feature = "report")]
    if std::env::args_os().nth(1).is_some_and(|a| a == "report") {
        return analytics::report::cli::main();
    }
    match run(Opts::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
