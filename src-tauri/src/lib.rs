//! Lockstep's desktop app and CLI: thin adapters over `lockstep_core`.
//!
//! `lockstep` with no arguments opens the window; with a subcommand it runs headless
//! (no display needed) through `lockstep_cli`, the same code as the `lockstep-cli` binary.

pub mod commands;
pub mod error;
mod startup_error;

use lockstep_cli as cli;
pub use lockstep_cli::{open_lockstep, os_keychain};
use lockstep_core::app::Lockstep;
use std::sync::Arc;

/// Entry point for the binary: runs the CLI or opens the window; returns the exit code.
pub fn run() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if cli::wants_window(&args) {
        if !has_display() {
            eprintln!(
                "lockstep: no display to open the window on. The commands run without one: \
                 try `lockstep check` or `lockstep --help`."
            );
            return 2;
        }
        if let Some(message) = startup_error::missing_webview() {
            startup_error::report(&message);
            return 2;
        }
        match open_lockstep(Arc::new(os_keychain())) {
            Ok(lockstep) => match run_app(tauri::Builder::default(), Arc::new(lockstep)) {
                Ok(()) => 0,
                Err(e) => {
                    startup_error::report(&format!("could not open the window: {e}"));
                    2
                }
            },
            Err(e) => {
                startup_error::report(&e.to_string());
                2
            }
        }
    } else {
        cli::main(args)
    }
}

/// GTK cannot start without a display (it would panic), so say so plainly instead.
#[cfg(all(unix, not(target_os = "macos")))]
fn has_display() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn has_display() -> bool {
    true
}

/// Builds and runs the app on `builder`; tests pass `tauri::test::mock_builder()`.
pub fn run_app<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    lockstep: Arc<Lockstep>,
) -> tauri::Result<()> {
    let core = lockstep.clone();
    build_app(builder, lockstep)?.run(move |_, event| {
        // Changes are saved in the background: make sure the last ones are on disk.
        if let tauri::RunEvent::Exit = event {
            if let Err(e) = core.flush() {
                startup_error::report(&format!("your latest changes could not be saved: {e}"));
            }
        }
    });
    Ok(())
}

/// Everything but the event loop, so tests can drive commands on a built app.
pub fn build_app<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    lockstep: Arc<Lockstep>,
) -> tauri::Result<tauri::App<R>> {
    build_app_with_picker(builder, lockstep, None)
}

/// [`build_app`] with a stand-in for the file dialog (`None`: the system dialog).
pub fn build_app_with_picker<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    lockstep: Arc<Lockstep>,
    picker: Option<commands::FilePicker>,
) -> tauri::Result<tauri::App<R>> {
    let builder = match picker {
        Some(picker) => builder.manage(picker),
        None => builder,
    };
    builder
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(lockstep)
        .manage(commands::PendingImport::default())
        .invoke_handler(commands::handler())
        .setup(|app| {
            use tauri::Manager;
            // The system dialog needs the app handle, so it is managed once the app exists.
            if app.try_state::<commands::FilePicker>().is_none() {
                app.manage(commands::FilePicker::dialog(app.handle().clone()));
            }
            commands::on_start(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!())
}
