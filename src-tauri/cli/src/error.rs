//! The CLI layer's error: why a command could not do its job (exit code 2).

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Anything the core reports (keychain, state file, invalid input, ...).
    #[error(transparent)]
    Core(#[from] lockstep_core::Error),
    /// An argument that does not parse, or input that is missing.
    #[error("{0}")]
    InvalidInput(String),
    /// Standard output could not be written (`> /dev/full`, a closed pipe).
    #[error("Could not write to standard output ({0}).")]
    Output(String),
    /// The async runtime or output could not be set up.
    #[error("An internal task failed ({0}). Please try again.")]
    Task(String),
}

pub type CliResult<T> = Result<T, CliError>;
