//! Declares the app's commands so Tauri's ACL checks each one against the capabilities in
//! `tauri.conf.json` (without this list, app commands would bypass the ACL).

fn main() {
    let commands = &[
        "app_snapshot",
        "choose_journey",
        "trip_action",
        "set_position",
        "answer_item",
        "save_settings",
        "assessment",
        "current_state",
        "check_token",
        "run_checks",
        "cancel_checks",
        "list_tokens",
        "save_token",
        "delete_token",
        "list_reviews",
        "watch_saves",
        "open_review",
        "export_report",
        "export_summary",
        "export_progress",
        "preview_import",
        "apply_import",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}
