//! A throwaway home for running the real `lockstep` binary as a user would: its own data,
//! config and cache folders and no display. Every platform of the table is pointed at a
//! loopback port nothing listens on, with no token or user name inherited from the
//! developer's environment, so a CLI test can never reach a real platform.

use lockstep_core::platform::PLATFORMS;
use std::path::PathBuf;
use std::process::{Command, Output};

/// A loopback address where nothing listens.
pub const DEAD: &str = "http://127.0.0.1:9";

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Self {
        Env {
            dir: tempfile::tempdir().expect("tmp"),
        }
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lockstep"));
        c.args(args)
            .env_remove("DISPLAY")
            .env("RUST_BACKTRACE", "0")
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"));
        for row in PLATFORMS {
            c.env_remove(row.platform.env_var("TOKEN"));
            c.env_remove(row.platform.env_var("USER"));
            c.env(row.platform.env_var("URL"), DEAD);
        }
        c.env("LOCKSTEP_RDAP_BOOTSTRAP_URL", format!("{DEAD}/dns.json"));
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run lockstep")
    }

    /// The app's data directory under this home (`directories` on Linux).
    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data/lockstep")
    }
}
