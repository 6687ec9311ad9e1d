//! Opening Lockstep on the user's real machine, shared by the CLI and the desktop app.

use lockstep_core::app::{Lockstep, Setup};
use lockstep_core::dirs::AppDirs;
use lockstep_core::engine::Limits;
use lockstep_core::keychain::{OsKeychain, TokenStore};
use lockstep_core::settings::EnvVars;
use std::path::PathBuf;
use std::sync::Arc;

/// The OS keychain. `LOCKSTEP_KEYCHAIN_SERVICE` names another service, so end-to-end tests
/// never touch a developer's real Lockstep entries.
pub fn os_keychain() -> OsKeychain {
    match std::env::var("LOCKSTEP_KEYCHAIN_SERVICE") {
        Ok(service) if !service.trim().is_empty() => OsKeychain::with_service(service.trim()),
        _ => OsKeychain::new(),
    }
}

/// The user's real setup: platform directories, process environment, home directory.
pub fn open_lockstep(tokens: Arc<dyn TokenStore>) -> Result<Lockstep, lockstep_core::Error> {
    let dirs = AppDirs::from_platform()?;
    let home = directories::BaseDirs::new()
        .map(|b| b.home_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."));
    Lockstep::open(
        Setup {
            dirs,
            tokens,
            env: EnvVars::from_process(),
            home,
            probes: lockstep_core::probes::all(),
            limits: Limits::default(),
        },
        time::OffsetDateTime::now_utc(),
    )
}
