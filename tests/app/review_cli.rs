//! Reviews over time through the CLI: two runs against the fake platforms with a change
//! between them, the changes listed worse first, `status` exit codes, reports, and
//! progress export/import.

use crate::fake_platforms;

use fake_platforms::FakePlatforms;
use serde_json::Value;
use std::process::{Command, Output};

struct Cli {
    dir: tempfile::TempDir,
    server: FakePlatforms,
}

impl Cli {
    fn new() -> Self {
        Cli {
            dir: tempfile::tempdir().expect("tmp"),
            server: FakePlatforms::start(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lockstep"));
        c.args(args)
            .env_remove("DISPLAY")
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"));
        for (k, v) in self.server.env("fake-token-for-reviews") {
            c.env(k, v);
        }
        c.output().expect("run lockstep")
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    }
}

#[test]
fn second_review_lists_what_got_worse_first() {
    let cli = Cli::new();
    let status = cli.run(&["status"]);
    assert_eq!(
        status.status.code(),
        Some(1),
        "never reviewed: a review is due"
    );

    // A partial run is not a review: the review stays due.
    let partial = cli.json(&["check", "--json", "--only", "npm"]);
    let npm_checks: Vec<&str> = lockstep_core::check_registry::CHECKS
        .iter()
        .filter(|c| {
            c.group
                == lockstep_core::platform::Group::Account(lockstep_core::platform::Platform::Npm)
        })
        .map(|c| c.id)
        .collect();
    let ran: Vec<&str> = partial["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ran, npm_checks, "exactly the npm checks ran: {partial}");
    assert_eq!(
        cli.run(&["status"]).status.code(),
        Some(1),
        "`check --only` does not count as a review"
    );

    let first = cli.json(&["check", "--json"]);
    assert_eq!(
        first["changes"].as_array().map(Vec::len),
        Some(0),
        "nothing to compare with yet"
    );

    let status = cli.run(&["status"]);
    assert_eq!(
        status.status.code(),
        Some(0),
        "just reviewed: {}",
        String::from_utf8_lossy(&status.stdout)
    );
    assert!(String::from_utf8_lossy(&status.stdout).contains("pass"));

    cli.server.change(|s| {
        s.github_two_factor = false;
        s.npm_maintainers = vec!["octo"];
        s.pypi_owners = vec!["octo", "alice", "mallory"];
    });
    let second = cli.json(&["check", "--json"]);
    let changes = second["changes"].as_array().expect("changes");
    assert!(!changes.is_empty(), "{second}");
    for c in changes {
        for key in ["id", "from", "to", "summary"] {
            assert!(c.get(key).is_some(), "change lacks {key}: {c}");
        }
    }
    assert_eq!(
        changes[0]["id"], "github.two_factor",
        "the worst change comes first: {changes:?}"
    );
    assert_eq!(changes[0]["from"], "pass");
    assert_eq!(changes[0]["to"], "fail");
    let text = serde_json::to_string(changes).expect("json");
    assert!(
        text.contains("mallory"),
        "a new PyPI owner is listed: {text}"
    );
    let npm_worse = changes
        .iter()
        .position(|c| c["id"] == "npm.package_owners")
        .expect("npm owners changed");
    let pypi_added = changes
        .iter()
        .position(|c| c["summary"].as_str().is_some_and(|s| s.contains("mallory")))
        .expect("owner added");
    assert!(npm_worse < pypi_added, "worse before merely different");
    let reviewed: Value =
        serde_json::from_slice(&cli.run(&["status", "--json"]).stdout).expect("status JSON");
    assert_eq!(
        cli.run(&["check", "--only", "github"]).status.code(),
        Some(1),
        "a failed check exits 1"
    );
    let partial = cli.json(&["check", "--json", "--only", "npm"]);
    let after: Value =
        serde_json::from_slice(&cli.run(&["status", "--json"]).stdout).expect("status JSON");
    assert_eq!(
        after["last_review_at"], reviewed["last_review_at"],
        "partial runs leave the last review (and the due date) alone"
    );
    let partial_changes = partial["changes"].as_array().expect("changes");
    assert!(
        partial_changes
            .iter()
            .all(|c| c["kind"] != "check_removed" && c["kind"] != "check_added"),
        "a run of some platforms says nothing about the others: {partial_changes:?}"
    );

    let md = String::from_utf8_lossy(&cli.run(&["report"]).stdout).into_owned();
    assert!(
        md.contains("github.two_factor") || md.contains("Two-factor"),
        "{md}"
    );
    let html =
        String::from_utf8_lossy(&cli.run(&["report", "--format", "html"]).stdout).into_owned();
    assert!(
        html.contains("<html") && !html.contains("<script"),
        "self-contained HTML"
    );
    let json = cli.json(&["report", "--format", "json"]);
    assert!(
        json["results"].is_array() && json["changes"].is_array() && json["answers"].is_object(),
        "{json}"
    );
}

#[test]
fn progress_moves_between_machines_and_bad_files_change_nothing() {
    let old = Cli::new();
    let new = Cli::new();
    let file = old.dir.path().join("progress.json");
    let path = file.to_str().expect("utf-8");
    // A machine with one setting changed exports; the new machine imports it.
    std::fs::create_dir_all(old.dir.path().join("data/lockstep")).expect("mkdir");
    std::fs::write(
        old.dir.path().join("data/lockstep/state.json"),
        r#"{"version":2,"journey":"onboarding","answers":{"two-factor-code-hosts":{"status":"done","updated_at":"2026-11-01T10:00:00Z"}},"settings":{"pypi_projects":["octo-py"],"review_interval_days":60}}"#,
    )
    .expect("state");
    assert_eq!(old.run(&["export", path]).status.code(), Some(0));
    let exported = std::fs::read_to_string(&file).expect("exported");
    assert!(
        exported.contains("two-factor-code-hosts") && !exported.contains("\"tokens\""),
        "{exported}"
    );

    let preview = new.run(&["import", path]);
    let shown = String::from_utf8_lossy(&preview.stdout);
    assert!(
        shown.contains("two-factor-code-hosts"),
        "the preview lists the answer: {shown}"
    );
    assert_eq!(
        preview.status.code(),
        Some(1),
        "without --yes and no terminal nothing is imported"
    );
    assert!(
        !new.dir.path().join("data/lockstep/state.json").exists(),
        "nothing written before confirming"
    );

    assert_eq!(new.run(&["import", path, "--yes"]).status.code(), Some(0));
    let state: Value = serde_json::from_slice(
        &std::fs::read(new.dir.path().join("data/lockstep/state.json")).expect("imported state"),
    )
    .expect("json");
    assert_eq!(state["answers"]["two-factor-code-hosts"]["status"], "done");
    assert_eq!(state["settings"]["review_interval_days"], 60);

    let bad = new.dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\"format\": \"lockstep-progress\", \"version\": 2, \"answers\": 7}",
    )
    .expect("bad");
    let before = std::fs::read(new.dir.path().join("data/lockstep/state.json")).expect("state");
    let out = new.run(&["import", bad.to_str().expect("utf-8"), "--yes"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Nothing was changed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(new.dir.path().join("data/lockstep/state.json")).expect("state"),
        before
    );
}
