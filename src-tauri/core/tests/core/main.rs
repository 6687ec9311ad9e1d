//! The core's integration tests, one binary: a module per area (`live_github`, `history_due`,
//! ...) instead of one test binary each, so a change to the core links one test executable,
//! not 23. Filter as before: `cargo test -p lockstep-core --test core live_github`.
//!
//! Helpers and fixtures stay beside this folder (`../support`, `../history_common`,
//! `../fixtures`), where the benches find them too.

#[path = "../support/mod.rs"]
mod support;

#[path = "../history_common/mod.rs"]
mod history_common;

mod device_disk_encryption;
mod device_git_signing;
mod device_password_manager;
mod device_probe;
mod device_publish_credentials;
mod device_security_key;
mod email_hibp;
mod email_rdap;
mod history_changes;
mod history_due;
mod history_index;
mod history_latest_lock;
mod history_report;
mod history_review;
mod history_summary;
mod history_transfer;
mod hostile_input;
mod live_bitbucket;
mod live_canary;
mod live_crates;
mod live_github;
mod live_gitlab;
mod live_npm;
mod live_packagist;
mod live_pipeline;
mod live_pypi;
mod live_rubygems;
