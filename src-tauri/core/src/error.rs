//! The core's one error type. Every variant carries a message a user can act on;
//! `kind()` is the stable code the UI and CLI match on (never the message text).

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No Secret Service / keychain is reachable (no D-Bus session, no daemon).
    #[error("The system keychain is not available ({detail}). On Linux, start a Secret Service such as GNOME Keyring or KWallet and try again. Lockstep keeps tokens nowhere else, so nothing was written to disk.")]
    KeychainUnavailable { detail: String },
    /// The keychain exists but is locked, or the unlock prompt was dismissed.
    #[error("The system keychain is locked or access was refused ({detail}). Unlock it (log in to your desktop session or unlock 'Login' in your keyring app) and try again. Lockstep keeps tokens nowhere else, so nothing was written to disk.")]
    KeychainLocked { detail: String },
    /// Any other keychain failure.
    #[error("The system keychain reported an error: {detail}. Lockstep keeps tokens nowhere else, so nothing was written to disk.")]
    Keychain { detail: String },
    /// The state file could not be read or written.
    #[error("Could not use {path}: {source}. Check that the folder exists and is writable.")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file Lockstep reads (state, review, import) is not what it should be.
    #[error("{path} is damaged or not a Lockstep file: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    /// The user asked for something that does not exist or does not fit.
    #[error("{0}")]
    InvalidInput(String),
    /// A change was made but writing it to the state file failed; it is kept in memory and
    /// the write is tried again (see [`crate::state_writer`]).
    #[error("Lockstep could not save your latest changes yet ({detail}). They are kept while Lockstep stays open, and it tries again with your next change and when it closes. Free some disk space or make Lockstep's data folder writable.")]
    NotSavedYet { detail: String },
    /// A data directory could not be determined (no home directory).
    #[error("Could not find a home directory to keep Lockstep's data in. Set HOME (or XDG_DATA_HOME) and try again.")]
    NoHome,
}

impl Error {
    /// Stable machine-readable code, sent to the UI as `kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::KeychainUnavailable { .. } => "keychain_unavailable",
            Error::KeychainLocked { .. } => "keychain_locked",
            Error::Keychain { .. } => "keychain",
            Error::Io { .. } => "io",
            Error::Corrupt { .. } => "corrupt",
            Error::InvalidInput(_) => "invalid_input",
            Error::NotSavedYet { .. } => "not_saved_yet",
            Error::NoHome => "no_home",
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
