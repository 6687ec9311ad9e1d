//! Lockstep's core: everything the app and the CLI share, with no knowledge of Tauri.
//!
//! The desktop app (`lockstep_lib`) and the headless CLI are thin adapters over this crate,
//! so every behaviour here is testable without a window.

pub mod app;
pub mod atomic_file;
pub mod catalogue;
pub mod check;
pub mod check_registry;
pub mod device;
pub mod dirs;
pub mod email;
pub mod engine;
pub mod error;
pub mod expiry;
pub mod file_lock;
pub mod history;
pub mod http;
pub mod item_state;
pub mod keychain;
pub mod live;
pub mod local_file;
pub mod platform;
pub mod probes;
pub mod results_json;
pub mod review_walk;
pub mod secret;
pub mod settings;
pub mod ssh_key;
pub mod state;
pub mod state_writer;
pub mod trip;
pub mod untrusted_text;

pub use error::{Error, Result};
