//! Where Lockstep keeps its files: the platform's data, config and cache directories.

use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The directories Lockstep writes to. Passed in everywhere (never looked up deep inside
/// logic) so tests can point them at temporary folders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppDirs {
    pub data: PathBuf,
    pub config: PathBuf,
    pub cache: PathBuf,
}

impl AppDirs {
    /// The platform's directories (XDG on Linux, `~/Library/Application Support` on macOS,
    /// `%APPDATA%` on Windows), via the `directories` crate.
    pub fn from_platform() -> Result<Self> {
        let dirs =
            directories::ProjectDirs::from("dev", "Lockstep", "Lockstep").ok_or(Error::NoHome)?;
        Ok(AppDirs {
            data: dirs.data_dir().to_path_buf(),
            config: dirs.config_dir().to_path_buf(),
            cache: dirs.cache_dir().to_path_buf(),
        })
    }

    /// All three under one root, for tests.
    pub fn under(root: &Path) -> Self {
        AppDirs {
            data: root.join("data"),
            config: root.join("config"),
            cache: root.join("cache"),
        }
    }

    pub fn state_file(&self) -> PathBuf {
        self.data.join("state.json")
    }

    pub fn reviews_dir(&self) -> PathBuf {
        self.data.join("reviews")
    }

    /// Each check's latest result, from reviews and partial runs alike.
    pub fn latest_results_file(&self) -> PathBuf {
        self.data.join("latest-results.json")
    }
}
