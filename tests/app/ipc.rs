//! The IPC commands driven as the UI drives them, through Tauri's mock runtime: argument
//! names (camelCase), response shapes, `{kind, message}` errors, and that a saved token is
//! never sent back.

use crate::fake_platforms;

use lockstep_core::app::{Lockstep, Setup};
use lockstep_core::dirs::AppDirs;
use lockstep_core::engine::Limits;
use lockstep_core::keychain::{MemoryKeychain, TokenStore};
use lockstep_core::platform::Platform;
use lockstep_core::settings::EnvVars;
use lockstep_lib::commands::{FilePicker, Pick};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tauri::test::{mock_builder, MockRuntime};
use tauri::WebviewWindow;

struct Harness {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    keychain: Arc<MemoryKeychain>,
    /// To wait for the background save before reading the state file.
    core: Arc<Lockstep>,
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().to_path_buf();
    let keychain = Arc::new(MemoryKeychain::default());
    // Every platform points at a closed loopback port: nothing may leave this machine.
    let mut env = EnvVars::default();
    for p in Platform::all() {
        env = env.with(
            &format!("LOCKSTEP_{}_URL", p.env_name()),
            "http://127.0.0.1:9",
        );
    }
    let lockstep = Lockstep::open(
        Setup {
            dirs: AppDirs::under(&root),
            tokens: keychain.clone(),
            env,
            home: root.join("home"),
            probes: Vec::new(),
            limits: Limits {
                request_timeout: Duration::from_secs(2),
                deadline: Duration::from_secs(5),
            },
        },
        time::OffsetDateTime::now_utc(),
    )
    .expect("open");
    // The file dialog answers as a user would: a file in the test folder.
    let picked = root.clone();
    let picker = FilePicker::answering(move |pick| match pick {
        Pick::Save { file_name, .. } => Some(picked.join(format!("picked-{file_name}"))),
        Pick::Open { .. } => Some(picked.join("picked-import.json")),
    });
    let core = Arc::new(lockstep);
    let app = lockstep_lib::build_app_with_picker(mock_builder(), core.clone(), Some(picker))
        .expect("build app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    Harness {
        _dir: dir,
        root,
        keychain,
        core,
        _app: app,
        webview,
    }
}

fn invoke(h: &Harness, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_from(h, "tauri://localhost", cmd, args)
}

fn invoke_from(h: &Harness, origin: &str, cmd: &str, args: Value) -> Result<Value, Value> {
    tauri::test::get_ipc_response(
        &h.webview,
        tauri::webview::InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: origin.parse().expect("url"),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: tauri::test::INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("json response"))
}

#[test]
fn snapshot_has_the_catalogue_and_a_fresh_state() {
    let h = harness();
    let snap = invoke(&h, "app_snapshot", json!({})).expect("snapshot");
    assert!(
        snap["state"]["journey"].is_null(),
        "first run has no journey yet: {}",
        snap["state"]
    );
    let items = snap["catalogue"]["items"].as_array().expect("items");
    assert!(
        items.len() > 10,
        "the whole catalogue is sent, got {}",
        items.len()
    );
    assert_eq!(
        snap["catalogue"]["topics"].as_array().map(Vec::len),
        Some(15)
    );
    assert!(snap["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .any(|c| c["id"] == "github.two_factor"));
    assert!(snap["notice"].is_null());
}

#[test]
fn answers_persist_to_disk_with_camel_case_arguments() {
    let h = harness();
    let snap = invoke(&h, "app_snapshot", json!({})).expect("snapshot");
    let first = snap["catalogue"]["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    invoke(&h, "choose_journey", json!({"journey": "onboarding"})).expect("choose");
    invoke(
        &h,
        "set_position",
        json!({"journey": "onboarding", "itemId": first}),
    )
    .expect("position");
    let state = invoke(
        &h,
        "answer_item",
        json!({"itemId": first, "status": "done", "reason": null, "choice": null}),
    )
    .expect("answer");
    assert_eq!(state["answers"][&first]["status"], "done");

    h.core.flush().expect("saved");
    let saved: Value =
        serde_json::from_slice(&std::fs::read(h.root.join("data/state.json")).expect("state file"))
            .expect("json");
    assert_eq!(saved["journey"], "onboarding");
    assert_eq!(saved["positions"]["onboarding"], first.as_str());
    assert_eq!(saved["answers"][&first]["status"], "done");
}

/// The app ACL is on: commands are granted to the app's own pages only, so a remote page
/// (were one ever loaded) could not call them.
#[test]
fn commands_are_refused_to_a_remote_origin() {
    let h = harness();
    let err = invoke_from(&h, "https://evil.example", "list_tokens", json!({}))
        .expect_err("remote origin refused");
    assert!(err.to_string().contains("not allowed"), "{err}");
    assert!(
        invoke(&h, "list_tokens", json!({})).is_ok(),
        "the app's own origin is allowed"
    );
}

#[test]
fn errors_come_back_as_kind_and_message() {
    let h = harness();
    let snap = invoke(&h, "app_snapshot", json!({})).expect("snapshot");
    let first = snap["catalogue"]["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let err = invoke(
        &h,
        "answer_item",
        json!({"itemId": first, "status": "not_applicable", "reason": "  "}),
    )
    .expect_err("a reason is required");
    assert_eq!(err["kind"], "invalid_input", "{err}");
    assert!(
        err["message"].as_str().expect("message").contains("why"),
        "{err}"
    );

    // A value that is not a journey never reaches the command: Tauri's typed argument
    // rejects it, naming the argument (ipc.js turns this into kind "invalid_input").
    let err =
        invoke(&h, "choose_journey", json!({"journey": "holiday"})).expect_err("unknown journey");
    let text = err.as_str().unwrap_or_default();
    assert!(
        text.starts_with("invalid args `journey`") && text.contains("holiday"),
        "{err}"
    );
    let err = invoke(
        &h,
        "answer_item",
        json!({"itemId": "no-such-item", "status": "done"}),
    )
    .expect_err("unknown item");
    assert_eq!(err["kind"], "invalid_input");
}

#[test]
fn a_saved_token_never_comes_back_over_ipc() {
    let h = harness();
    let canary = "ghp_CANARYipcCANARYipcCANARYipcCANARY0000";
    let saved = invoke(
        &h,
        "save_token",
        json!({"platform": "github", "token": canary}),
    )
    .expect("save");
    assert_eq!(saved["saved"], true);
    assert_eq!(saved["origin"], "keychain");
    assert!(!saved.to_string().contains("CANARY"), "{saved}");
    assert_eq!(
        h.keychain
            .get(Platform::Github)
            .expect("get")
            .expect("stored")
            .expose(),
        canary
    );

    let list = invoke(&h, "list_tokens", json!({})).expect("list");
    assert!(!list.to_string().contains("CANARY"), "{list}");
    let github = list
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["platform"] == "github")
        .expect("github");
    assert_eq!(github["saved"], true);
    let snap = invoke(&h, "app_snapshot", json!({})).expect("snapshot");
    assert!(!snap.to_string().contains("CANARY"));
    h.core.flush().expect("saved");
    let state_file = std::fs::read_to_string(h.root.join("data/state.json")).expect("state");
    assert!(
        !state_file.contains("CANARY"),
        "the state file must not hold the token"
    );

    let deleted = invoke(&h, "delete_token", json!({"platform": "github"})).expect("delete");
    assert_eq!(deleted["saved"], false);
    assert!(h.keychain.get(Platform::Github).expect("get").is_none());
}

/// `run_checks` through IPC with canary tokens: the streamed and returned results never hold
/// a token, and the run is saved as a review that `list_reviews` and `open_review` return.
#[test]
fn run_checks_over_ipc_never_returns_a_token() {
    let server = fake_platforms::FakePlatforms::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut env = EnvVars::default();
    for (k, v) in server.env("CANARYipcRUNx7Q2tokenDoNotLeak") {
        env = env.with(&k, &v);
    }
    let lockstep = Lockstep::open(
        Setup {
            dirs: AppDirs::under(dir.path()),
            tokens: Arc::new(MemoryKeychain::default()),
            env,
            home: dir.path().join("home"),
            probes: lockstep_core::probes::all(),
            limits: Limits {
                request_timeout: Duration::from_secs(5),
                deadline: Duration::from_secs(60),
            },
        },
        time::OffsetDateTime::now_utc(),
    )
    .expect("open");
    let core = Arc::new(lockstep);
    let app = lockstep_lib::build_app(mock_builder(), core.clone()).expect("build app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let h = Harness {
        _dir: dir,
        root: std::path::PathBuf::new(),
        keychain: Arc::new(MemoryKeychain::default()),
        core,
        _app: app,
        webview,
    };

    let run = invoke(&h, "run_checks", json!({"groups": ["github", "gitlab", "npm"], "journey": "review", "onEvent": "__CHANNEL__:1"}))
        .expect("run");
    assert!(!run.to_string().contains("CANARY"), "{run}");
    let results = run["results"].as_array().expect("results");
    let two_fa = results
        .iter()
        .find(|r| r["id"] == "github.two_factor")
        .expect("github.two_factor");
    assert_eq!(two_fa["status"], "pass", "{two_fa}");
    // Some platforms only: their latest results, but not a review (issue 9).
    assert!(
        run["review_id"].is_null(),
        "a partial run is not a review: {run}"
    );
    assert_eq!(run["full"], false);
    let snap = invoke(&h, "app_snapshot", json!({})).expect("snapshot");
    assert_eq!(snap["due"]["status"], "never", "{}", snap["due"]);
    assert!(snap["latest_results"]
        .as_array()
        .expect("latest")
        .iter()
        .any(|r| r["id"] == "github.two_factor" && r["checked_at"].is_string()));

    // Every check: a review.
    let run = invoke(
        &h,
        "run_checks",
        json!({"groups": null, "journey": "review", "onEvent": "__CHANNEL__:2"}),
    )
    .expect("run");
    assert!(!run.to_string().contains("CANARY"), "{run}");
    let review_id = run["review_id"]
        .as_str()
        .expect("saved as a review")
        .to_string();

    let list = invoke(&h, "list_reviews", json!({})).expect("list");
    assert_eq!(list["reviews"][0]["id"], review_id.as_str());
    let opened = invoke(&h, "open_review", json!({"id": review_id})).expect("open");
    assert_eq!(opened["review"]["journey"], "review");
    assert!(!opened.to_string().contains("CANARY"));
    let snap = invoke(&h, "app_snapshot", json!({})).expect("snapshot");
    assert_eq!(snap["due"]["status"], "not_due", "{}", snap["due"]);
    assert!(!snap["latest_results"]
        .as_array()
        .expect("latest")
        .is_empty());
    assert!(!snap.to_string().contains("CANARY"));
}

/// Issue 13, case 14: the export and import commands took any path the page sent. Now the
/// dialog (opened on the Rust side) decides; a path from the page is ignored.
#[test]
fn files_go_where_the_dialog_says_never_where_the_page_says() {
    let h = harness();
    let planted = h.root.join("planted.json");
    let written = invoke(
        &h,
        "export_progress",
        json!({"path": planted.to_str().unwrap()}),
    )
    .expect("export");
    let picked = h.root.join("picked-lockstep-progress.json");
    assert_eq!(written, json!(picked.display().to_string()));
    assert!(!planted.exists(), "the page chose the path");
    assert!(std::fs::read_to_string(&picked)
        .unwrap()
        .contains("lockstep-progress"));

    let report = invoke(
        &h,
        "export_summary",
        json!({"format": "md", "path": planted.to_str().unwrap(), "includeEmails": false, "includePackages": false}),
    )
    .expect("summary");
    assert_eq!(
        report,
        json!(h
            .root
            .join("picked-lockstep-onboarding-summary.md")
            .display()
            .to_string())
    );
    assert!(!planted.exists());

    // Import reads the file picked for the preview, whatever path the page sends to apply.
    std::fs::write(
        h.root.join("picked-import.json"),
        r#"{"format":"lockstep-progress","version":2,"answers":{"two-factor-no-sms":{"status":"done","updated_at":"2026-11-20T10:00:00Z"}}}"#,
    )
    .unwrap();
    std::fs::write(
        &planted,
        r#"{"format":"lockstep-progress","version":2,"answers":{"two-factor-registries":{"status":"done","updated_at":"2026-11-20T10:00:00Z"}}}"#,
    )
    .unwrap();
    let preview = invoke(
        &h,
        "preview_import",
        json!({"path": planted.to_str().unwrap()}),
    )
    .expect("preview");
    assert_eq!(
        preview["answers_added"][0]["id"], "two-factor-no-sms",
        "{preview}"
    );
    let state = invoke(
        &h,
        "apply_import",
        json!({"path": planted.to_str().unwrap()}),
    )
    .expect("apply");
    assert_eq!(state["answers"]["two-factor-no-sms"]["status"], "done");
    assert!(
        state["answers"].get("two-factor-registries").is_none(),
        "{state}"
    );
    let again = invoke(&h, "apply_import", json!({})).expect_err("nothing pending");
    assert_eq!(again["kind"], "invalid_input", "{again}");
}

/// Issue 13, case 14: the window's capability grants Lockstep's own commands and https links
/// only (no `core:default`, no dialogs or notifications from the page).
#[test]
fn the_window_is_granted_only_what_the_page_uses() {
    let conf: Value = serde_json::from_str(include_str!("../../tauri.conf.json")).unwrap();
    let perms = conf["app"]["security"]["capabilities"][0]["permissions"]
        .as_array()
        .unwrap();
    let names: Vec<String> = perms
        .iter()
        .map(|p| {
            p.as_str().map_or_else(
                || p["identifier"].as_str().unwrap().to_string(),
                str::to_string,
            )
        })
        .collect();
    for name in &names {
        assert!(
            name.starts_with("allow-") || name == "opener:allow-open-url",
            "{name} is granted to the page"
        );
    }
}

/// The command list lives in four places that no compiler ties together: build.rs (which
/// commands Tauri's ACL knows), the invoke handler, the window's capability, and `ui/js/ipc.js`.
/// A command missing from one of them fails only at run time ("not allowed", "unknown
/// command"), so the four are read as text here and must name the same commands.
#[test]
fn the_command_lists_agree() {
    use std::collections::BTreeSet;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let read =
        |p: &str| std::fs::read_to_string(root.join(p)).unwrap_or_else(|e| panic!("read {p}: {e}"));
    /// The quoted strings (or bare identifiers) between `start` and the next `end`.
    fn listed(text: &str, start: &str, end: &str) -> BTreeSet<String> {
        let from = text
            .find(start)
            .unwrap_or_else(|| panic!("{start} not found"))
            + start.len();
        let body = &text[from..from + text[from..].find(end).expect("list end")];
        body.split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }

    let build = listed(&read("src-tauri/build.rs"), "let commands = &[", "]");
    let commands_rs = read("src-tauri/src/commands.rs");
    let handler = listed(&commands_rs, "tauri::generate_handler![", "]");
    let defined: BTreeSet<String> = commands_rs
        .split("\n#[tauri::command]\n")
        .skip(1)
        .map(|rest| {
            let after = &rest[rest.find("fn ").expect("fn after #[tauri::command]") + 3..];
            after[..after.find(['(', '<']).expect("(")].to_string()
        })
        .collect();

    let conf: Value = serde_json::from_str(&read("tauri.conf.json")).expect("tauri.conf.json");
    let mut capability = BTreeSet::new();
    for cap in conf["app"]["security"]["capabilities"]
        .as_array()
        .expect("capabilities inline in tauri.conf.json")
    {
        for p in cap["permissions"].as_array().expect("permissions") {
            // Plugin permissions ("opener:...", or objects naming one) are not app commands.
            if let Some(name) = p.as_str().and_then(|p| p.strip_prefix("allow-")) {
                capability.insert(name.replace('-', "_"));
            }
        }
    }
    assert!(
        !root.join("src-tauri/capabilities").exists() && !root.join("capabilities").exists(),
        "capability files appeared: read them here too"
    );

    let ipc_js = read("ui/js/ipc.js");
    let js: BTreeSet<String> = ipc_js
        .split("invoke(\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').expect("closing quote")].to_string())
        // A plugin's command ("plugin:opener|open_url") is not an app command.
        .filter(|c| !c.starts_with("plugin:"))
        .collect();

    assert!(build.len() >= 20, "parsed build.rs: {build:?}");
    assert_eq!(handler, build, "generate_handler! vs build.rs");
    assert_eq!(defined, build, "#[tauri::command] fns vs build.rs");
    assert_eq!(capability, build, "tauri.conf.json capability vs build.rs");
    assert_eq!(js, build, "ui/js/ipc.js vs build.rs");
}
