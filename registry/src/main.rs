//! The `registry` binary: parse the arguments, run the command, map the outcome to an exit
//! code. Everything else lives in the library (`registry::cli`).

use std::process::ExitCode;

fn main() -> ExitCode {
    let opts = match registry::cli::parse_args() {
        Ok(opts) => opts,
        Err(code) => return code,
    };
    match registry::cli::run(opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("registry: {}", e.one_line());
            e.exit_code()
        }
    }
}
