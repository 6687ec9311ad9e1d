//! The app layer's error: what a command or CLI call returns when it cannot do its job.
//! Serialized to the UI as `{kind, message}`; the UI matches on `kind`, never on the text.

use serde::ser::SerializeStruct;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Anything the core reports (keychain, state file, invalid input, ...).
    #[error(transparent)]
    Core(#[from] lockstep_core::Error),
    /// An argument from the UI or the command line that does not parse.
    #[error("{0}")]
    InvalidInput(String),
    /// A background task ended unexpectedly.
    #[error("An internal task failed ({0}). Please try again.")]
    Task(String),
}

impl AppError {
    pub fn kind(&self) -> &'static str {
        match self {
            AppError::Core(e) => e.kind(),
            AppError::InvalidInput(_) => "invalid_input",
            AppError::Task(_) => "internal",
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(e: tokio::task::JoinError) -> Self {
        AppError::Task(e.to_string())
    }
}

impl serde::Serialize for AppError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("AppError", 2)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

pub type AppResult<T> = Result<T, AppError>;
