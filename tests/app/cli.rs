//! The headless CLI as a user runs it: the real binary, temp data dirs, no display.

use serde_json::Value;
use std::process::Output;

use crate::cli_env::Env;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn help_lists_the_commands() {
    let out = Env::new().run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    for cmd in ["checklist", "check", "token"] {
        assert!(text.contains(cmd), "--help should list `{cmd}`:\n{text}");
    }
    assert!(
        text.contains("LOCKSTEP_CRATES_USER is your crates.io username, not your GitHub login"),
        "{text}"
    );
}

#[test]
fn no_display_explains_instead_of_crashing() {
    let out = Env::new()
        .cmd(&[])
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no display") && stderr.contains("lockstep check"),
        "{stderr}"
    );
}

#[test]
fn unknown_command_exits_2_with_a_message() {
    let out = Env::new().run(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("frobnicate"));
}

#[test]
fn checklist_json_lists_every_topic_with_the_contract_keys() {
    let out = Env::new().run(&["checklist", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    let items = v["items"].as_array().expect("items array");
    for topic in [
        "account_email",
        "two_factor",
        "password_manager",
        "recovery_codes",
        "security_keys",
        "disk_encryption",
        "travel",
        "roles",
        "owners",
        "inactive_accounts",
        "publishing_tokens",
        "package_deletion",
        "release_pipeline",
        "signed_commits",
        "compromise",
    ] {
        assert!(
            items.iter().any(|i| i["topic"] == topic),
            "no item for topic {topic}"
        );
    }
    for item in items {
        for key in [
            "id",
            "topic",
            "title",
            "why",
            "steps",
            "links",
            "verified_by",
            "journeys",
            "checked",
        ] {
            assert!(item.get(key).is_some(), "item {} lacks {key}", item["id"]);
        }
    }
}

#[test]
fn checklist_text_is_readable() {
    let out = Env::new().run(&["checklist"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("Two-factor authentication"), "{text}");
    assert!(text.contains("https://"), "steps carry links");
}

#[test]
fn check_json_without_tokens_skips_instead_of_failing() {
    let env = Env::new();
    let out = env.run(&["check", "--json", "--only", "github,gitlab,npm"]);
    let text = stdout(&out);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(
        v["checked_at"].as_str().is_some_and(|s| s.contains('T')),
        "RFC 3339 time: {v}"
    );
    let results = v["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["id"] == "github.two_factor"));
    assert!(results.iter().all(
        |r| r["id"].as_str().is_some_and(|id| id.starts_with("github.")
            || id.starts_with("gitlab.")
            || id.starts_with("npm."))
    ));
    for r in results {
        let keys: Vec<&str> = r
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            vec!["evidence", "id", "remediation", "status", "summary"],
            "{r}"
        );
        assert_ne!(
            r["status"], "fail",
            "nothing configured must never fail: {r}"
        );
    }
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn check_with_an_unknown_group_exits_2() {
    let out = Env::new().run(&["check", "--only", "myspace"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("myspace"));
}

#[test]
fn a_corrupt_state_file_is_kept_and_reported() {
    let env = Env::new();
    let data = env.data();
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(data.join("state.json"), b"{ not json").expect("write");
    let out = env.run(&["token", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("could not be read"), "{stderr}");
    let kept: Vec<_> = std::fs::read_dir(&data)
        .expect("read dir")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("state.json.corrupt-")
        })
        .collect();
    assert_eq!(kept.len(), 1, "the damaged file is kept aside");
    assert_eq!(std::fs::read(kept[0].path()).expect("read"), b"{ not json");
}
