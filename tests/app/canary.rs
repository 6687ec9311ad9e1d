//! A run with known fake tokens (canaries) against loopback servers for every platform:
//! afterwards no canary occurs in any file under the data, config, cache or home dirs, in
//! any CLI output, or in any IPC response; and each platform's canary reached only that
//! platform's own endpoints, and only in an auth header.

use crate::fake_platforms;

use fake_platforms::FakePlatforms;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PLATFORMS: [(&str, &str); 7] = [
    ("GITHUB", "github"),
    ("GITLAB", "gitlab"),
    ("NPM", "npm"),
    ("PYPI", "pypi"),
    ("RUBYGEMS", "rubygems"),
    ("CRATES", "crates"),
    ("HIBP", "hibp"),
];

fn canary(prefix: &str) -> String {
    format!("CANARY{}x7Q2tokenDoNotLeak", prefix.to_uppercase())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

struct Run {
    dir: tempfile::TempDir,
    server: FakePlatforms,
}

impl Run {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tmp");
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).expect("home");
        // A canary publishing token lying in a plain file, as device.publish_credentials finds it.
        std::fs::write(
            home.join(".npmrc"),
            "//registry.npmjs.org/:_authToken=npm_CANARYNPMRCx7Q2fileDoNotLeak0000\n",
        )
        .expect("npmrc");
        Run {
            dir,
            server: FakePlatforms::start(),
        }
    }

    fn lockstep(&self, args: &[&str]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_lockstep"));
        c.args(args)
            .env_remove("DISPLAY")
            .env("HOME", self.dir.path().join("home"))
            .env("XDG_DATA_HOME", self.dir.path().join("data"))
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("RUST_LOG", "trace")
            .env("RUST_BACKTRACE", "1");
        for (k, v) in self.server.env("unused") {
            c.env(k, v);
        }
        for (name, prefix) in PLATFORMS {
            c.env(format!("LOCKSTEP_{name}_TOKEN"), canary(prefix));
        }
        c.output().expect("run lockstep")
    }
}

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains("CANARY"),
        "a token leaked into {what}:\n{text}"
    );
}

#[test]
fn canary_tokens_appear_nowhere_but_their_own_auth_header() {
    let run = Run::new();
    let check = run.lockstep(&["check", "--json"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        matches!(check.status.code(), Some(0) | Some(1)),
        "check ran: {stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("check --json prints JSON");
    let results = v["results"].as_array().expect("results");
    // The run really used the servers: account checks produced answers, not skips.
    for id in [
        "github.two_factor",
        "gitlab.two_factor",
        "npm.two_factor",
        "crates.package_owners",
    ] {
        let r = results.iter().find(|r| r["id"] == id).expect(id);
        assert_eq!(
            r["status"], "pass",
            "{id} should pass against the fake platform: {r}"
        );
    }
    let creds = results
        .iter()
        .find(|r| r["id"] == "device.publish_credentials")
        .expect("credential check");
    assert!(
        creds["evidence"].to_string().contains(".npmrc"),
        "the canary .npmrc was found: {creds}"
    );
    assert_clean("check stdout", &stdout);
    assert_clean("check stderr (logs)", &stderr);

    for args in [
        vec!["check"],
        vec!["check", "--only", "github"],
        vec!["token", "list"],
        vec!["status"],
        vec!["report", "--format", "md"],
        vec!["report", "--format", "html"],
        vec!["report", "--format", "json"],
        vec!["summary", "--include-emails", "--include-packages"],
    ] {
        let out = run.lockstep(&args);
        if std::env::var_os("CANARY_SHOW").is_some() {
            eprintln!("{}", String::from_utf8_lossy(&out.stdout));
        }
        assert_clean(
            &format!("`lockstep {}` stdout", args.join(" ")),
            &String::from_utf8_lossy(&out.stdout),
        );
        assert_clean(
            &format!("`lockstep {}` stderr", args.join(" ")),
            &String::from_utf8_lossy(&out.stderr),
        );
    }
    let export = run.dir.path().join("progress.json");
    run.lockstep(&["export", export.to_str().expect("utf-8 path")]);

    for dir in ["data", "config", "cache"] {
        for file in files_under(&run.dir.path().join(dir)) {
            let bytes = std::fs::read(&file).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            assert_clean(&file.display().to_string(), &text);
        }
    }
    assert_clean(
        "exported progress",
        &std::fs::read_to_string(&export).expect("export written"),
    );

    // Each canary reached only its own platform's paths, and only inside a credential header.
    let seen = run.server.seen();
    assert!(
        seen.len() > 15,
        "the run made real requests: {}",
        seen.len()
    );
    for request in &seen {
        for cred in &request.credentials {
            for (_, prefix) in PLATFORMS {
                if cred.contains(&canary(prefix)) {
                    assert!(
                        request.path.starts_with(&format!("/{prefix}/")),
                        "the {prefix} token was sent to {}",
                        request.path
                    );
                }
            }
        }
        assert!(
            !request.path.contains("CANARY"),
            "a token in a URL: {}",
            request.path
        );
    }
    assert!(
        seen.iter().any(|r| r.path.starts_with("/github/")
            && r.credentials.iter().any(|c| c.contains(&canary("github")))),
        "the GitHub token was used for GitHub"
    );
    // PyPI tokens are decoded offline and never sent anywhere.
    assert!(
        !seen
            .iter()
            .any(|r| r.credentials.iter().any(|c| c.contains(&canary("pypi")))),
        "the PyPI token must never be sent"
    );
}
