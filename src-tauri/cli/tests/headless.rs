//! `lockstep-cli` as a user runs it: the real binary, temp data dirs, no display, and no
//! GTK or WebKit linked in.

use serde_json::Value;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_lockstep-cli");

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        Env {
            dir: tempfile::tempdir().expect("tmp"),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(BIN);
        c.args(args)
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY")
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .stdin(Stdio::null());
        // Every platform of the table on a dead loopback port, with nothing inherited.
        for row in lockstep_core::platform::PLATFORMS {
            c.env_remove(row.platform.env_var("TOKEN"));
            c.env_remove(row.platform.env_var("USER"));
            c.env(row.platform.env_var("URL"), "http://127.0.0.1:9");
        }
        c.env("LOCKSTEP_RDAP_BOOTSTRAP_URL", "http://127.0.0.1:9/dns.json");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run lockstep-cli")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The point of the crate: it runs on machines without the desktop libraries.
#[cfg(target_os = "linux")]
#[test]
fn links_no_gtk_or_webkit() {
    let out = Command::new("ldd").arg(BIN).output().expect("run ldd");
    assert!(out.status.success(), "ldd failed: {}", text(&out.stderr));
    let libs = text(&out.stdout);
    assert!(
        libs.contains("libc.so"),
        "ldd listed nothing useful:\n{libs}"
    );
    for desktop in [
        "gtk",
        "gdk",
        "webkit",
        "javascriptcore",
        "soup",
        "pango",
        "cairo",
    ] {
        assert!(
            !libs.to_lowercase().contains(desktop),
            "lockstep-cli links {desktop}:\n{libs}"
        );
    }
}

#[test]
fn help_names_this_binary_and_lists_the_commands() {
    let out = Env::new().run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("lockstep-cli"),
        "usage names the binary:\n{help}"
    );
    for cmd in [
        "checklist",
        "check",
        "token",
        "status",
        "report",
        "summary",
        "export",
        "import",
    ] {
        assert!(help.contains(cmd), "--help should list `{cmd}`:\n{help}");
    }
}

#[test]
fn no_arguments_asks_for_a_command_instead_of_opening_a_window() {
    let out = Env::new().run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).to_lowercase().contains("usage"));
}

#[test]
fn version_is_the_workspace_version() {
    let out = Env::new().run(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("lockstep {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn checklist_json_is_the_core_catalogue() {
    let out = Env::new().run(&["checklist", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let expected = lockstep_core::catalogue::Catalogue::builtin().to_checklist_json();
    assert_eq!(printed, expected);
}

#[test]
fn device_check_runs_headless_and_is_not_a_review() {
    let env = Env::new();
    let out = env.run(&["check", "--json", "--only", "device"]);
    let stdout = text(&out.stdout);
    let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let results = v["results"].as_array().expect("results");
    assert!(!results.is_empty());
    assert!(
        results
            .iter()
            .all(|r| r["id"].as_str().is_some_and(|id| id.starts_with("device."))),
        "{v}"
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        text(&out.stderr)
    );

    // A run of some checks keeps their latest results but is not a review (issue 9): the
    // review stays due and there is no review to report on.
    let status = env.run(&["status", "--json"]);
    let s: Value = serde_json::from_slice(&status.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", text(&status.stdout)));
    assert!(s["last_review_at"].is_null(), "{s}");
    assert_eq!(status.status.code(), Some(1), "the review is still due");
    let report = env.run(&["report", "--format", "json"]);
    assert_eq!(report.status.code(), Some(2), "{}", text(&report.stdout));
    assert!(
        text(&report.stderr).contains("no review"),
        "{}",
        text(&report.stderr)
    );
}

#[test]
fn token_set_without_input_says_so() {
    let out = Env::new().run(&["token", "set", "github"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("No token was given"), "{stderr}");
}

#[test]
fn an_unknown_platform_or_group_exits_2_naming_it() {
    let env = Env::new();
    let out = env.run(&["token", "delete", "myspace"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("myspace"));
    let out = env.run(&["check", "--only", "myspace"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("myspace"));
}
