//! Two processes record latest results into the same file at the same moment (the app and a
//! `lockstep check`): neither may lose the other's results. The test binary runs itself twice
//! as the two writers (`child_writer`, which does nothing unless the parent set it up).

use lockstep_core::check::{CheckResult, Status};
use lockstep_core::history::latest::LatestStore;
use std::path::{Path, PathBuf};
use std::process::Command;
use time::OffsetDateTime;

/// How many results each writer records, one read-merge-write each.
const WRITES: usize = 120;
const DIR_VAR: &str = "LOCKSTEP_TEST_LATEST_DIR";
const NAME_VAR: &str = "LOCKSTEP_TEST_LATEST_WRITER";

fn latest_file(dir: &Path) -> PathBuf {
    dir.join("latest-results.json")
}

/// One writer: waits for the parent's go, then records `WRITES` results of its own, each in
/// its own call, as a run finishing would.
#[test]
fn child_writer() {
    let (Ok(dir), Ok(name)) = (std::env::var(DIR_VAR), std::env::var(NAME_VAR)) else {
        return; // run directly by the test harness: only the parent's children write
    };
    let dir = PathBuf::from(dir);
    while !dir.join("go").exists() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let store = LatestStore::new(latest_file(&dir));
    for i in 0..WRITES {
        let now = OffsetDateTime::now_utc();
        let result = CheckResult::from_id(format!("{name}.{i}"), Status::Pass, "fine");
        store
            .record(|| Ok(None), &[result], now, None, now)
            .expect("record a result");
    }
}

#[test]
fn two_processes_recording_at_once_keep_each_others_results() {
    let dir = tempfile::tempdir().unwrap();
    let me = std::env::current_exe().unwrap();
    let spawn = |name: &str| {
        Command::new(&me)
            .args([
                "history_latest_lock::child_writer",
                "--exact",
                "--test-threads=1",
            ])
            .env(DIR_VAR, dir.path())
            .env(NAME_VAR, name)
            .spawn()
            .expect("start a writer process")
    };
    let mut app = spawn("app");
    let mut cli = spawn("cli");
    std::fs::write(dir.path().join("go"), b"").unwrap();
    assert!(app.wait().unwrap().success(), "the first writer failed");
    assert!(cli.wait().unwrap().success(), "the second writer failed");

    let now = OffsetDateTime::now_utc();
    let loaded = LatestStore::new(latest_file(dir.path()))
        .load(|| Ok(None), now)
        .unwrap();
    assert!(loaded.notice.is_none(), "{:?}", loaded.notice);
    for name in ["app", "cli"] {
        let missing: Vec<String> = (0..WRITES)
            .map(|i| format!("{name}.{i}"))
            .filter(|id| !loaded.results.contains_key(id))
            .collect();
        assert!(
            missing.is_empty(),
            "the {name} writer lost {} of its {WRITES} results to the other process: {missing:?}",
            missing.len()
        );
    }
}
