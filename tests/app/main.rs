//! The app crate's integration tests in one binary (one link instead of twelve): the CLI as a
//! user runs it, the IPC commands through Tauri's mock runtime, the keychain against a real
//! Secret Service, and the end-to-end tests in the real window.
//!
//! Keychain and end-to-end tests are `#[ignore = "needs .ci/test"]`: `.ci/test` runs them one
//! at a time under Xvfb and a private gnome-keyring. Pick an area by its module name, e.g.
//! `.ci/test --test app e2e_review::`.

#[path = "../e2e_support/mod.rs"]
mod e2e_support;
#[path = "../fake_platforms/mod.rs"]
mod fake_platforms;

mod canary;
mod cli;
mod cli_env;
mod cli_hostile;
mod e2e;
mod e2e_accounts;
mod e2e_pipeline;
mod e2e_review;
mod e2e_saves;
mod e2e_screens;
mod e2e_travel;
mod e2e_trust;
mod ipc;
mod keychain;
mod platform_payloads;
mod review_cli;
