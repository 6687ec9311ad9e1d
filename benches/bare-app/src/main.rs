//! The smallest Tauri 2 app: one window showing `ui/index.html`. Lockstep is measured against it.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("bare-app: {e}");
        std::process::exit(1);
    }
}
