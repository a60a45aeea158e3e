//! Errors of the command line and their exit codes.
//!
//! Use [`CliError::Input`] / [`CliError::Usage`] for anything the user can fix
//! (bad file, column, value, flag): exit code 2. [`CliError::Stats`] carries an
//! engine error: the user's data (exit 2) unless it is a backend failure, which is
//! ours (exit 1), as is [`CliError::Unexpected`].

use crate::input::InputError;
use crate::survival::StatsError;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Stats(#[from] StatsError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl CliError {
    /// 2 for the user's input, 1 for our failures.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Input(_) | Self::Usage(_) => 2,
            Self::Stats(StatsError::Backend(_)) => 1,
            Self::Stats(_) => 2,
            Self::Unexpected(_) => 1,
        }
    }
}
