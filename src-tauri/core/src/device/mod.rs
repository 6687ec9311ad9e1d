//! Checks that look at this device: disk encryption, password manager, security key,
//! git signing, and publishing tokens lying in plain files.

pub mod command;
pub mod disk_encryption;
pub mod git_signing;
pub mod password_manager;
pub mod publish_credentials;
pub mod security_key;

use crate::check::CheckResult;
use crate::engine::{CheckContext, Emitter, Probe};
use crate::platform::Group;
use futures::future::BoxFuture;
use std::path::PathBuf;
use std::sync::Arc;

/// The device probe (group `device`).
pub fn probe() -> Option<Arc<dyn Probe>> {
    Some(Arc::new(DeviceProbe::new()))
}

/// Runs the five device checks. `root` stands for `/`, so tests can point the Linux checks
/// at a fake `/proc` and `/sys`.
#[derive(Debug, Clone)]
pub struct DeviceProbe {
    pub root: PathBuf,
}

impl DeviceProbe {
    pub fn new() -> Self {
        DeviceProbe {
            root: PathBuf::from("/"),
        }
    }

    /// A probe reading `proc`, `sys`, `usr`, ... under `root` instead of `/`.
    pub fn with_root(root: PathBuf) -> Self {
        DeviceProbe { root }
    }
}

impl Default for DeviceProbe {
    fn default() -> Self {
        Self::new()
    }
}

impl Probe for DeviceProbe {
    fn group(&self) -> Group {
        Group::Device
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let root = self.root.as_path();
            // The local checks run together and report as each finishes; git signing reads
            // its config meanwhile and waits for the GitHub results only at the end, so the
            // network never delays the others.
            let git_config = git_signing::read_config(&ctx.home, &ctx.env);
            let emit_when_done = |f: BoxFuture<'a, CheckResult>| async move { out.emit(f.await) };
            let local = futures::future::join4(
                emit_when_done(Box::pin(disk_encryption::check(root, &ctx.home, &ctx.env))),
                emit_when_done(Box::pin(password_manager::check(root, &ctx.home, &ctx.env))),
                emit_when_done(Box::pin(security_key::check(root))),
                emit_when_done(Box::pin(publish_credentials::check(
                    &ctx.home, &ctx.env, ctx.now,
                ))),
            );
            let (_, git_config) = futures::future::join(local, git_config).await;
            let result = match git_config {
                Ok((config, source)) => {
                    let github = git_signing::github_keys(&out.account_results().await);
                    git_signing::verdict(&config, source, &ctx.home, &github)
                }
                Err(why) => CheckResult::unknown(
                    git_signing::ID,
                    format!("Could not read your git configuration: {why}. Run `git config --global --get-regexp gpg` to check by hand."),
                ),
            };
            out.emit(result);
        })
    }
}
