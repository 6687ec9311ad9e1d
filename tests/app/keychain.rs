//! Tokens in a real Secret Service (gnome-keyring under `dbus-run-session`, started by
//! `.ci/test`), and the clear message when no keychain is running.
//!
//! Entries use a per-process service name so a developer's real Lockstep tokens are never
//! touched when these tests run on a desktop.

use lockstep_core::keychain::{OsKeychain, TokenStore};
use lockstep_core::platform::Platform;
use lockstep_core::secret::Secret;
use std::process::{Command, Stdio};

fn test_service() -> String {
    format!("dev.lockstep.desktop.test-{}", std::process::id())
}

fn secret_tool_finds(service: &str, user: &str) -> bool {
    Command::new("secret-tool")
        .args(["search", "--all", "service", service, "username", user])
        .output()
        .map(|o| {
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            all.contains(service)
        })
        .unwrap_or(false)
}

#[test]
#[ignore = "needs .ci/test"]
fn round_trip_through_the_real_secret_service() {
    let service = test_service();
    let keychain = OsKeychain::with_service(&service);
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run the keychain tests through .ci/test (a D-Bus session with gnome-keyring)"
    );
    assert!(
        keychain.get(Platform::Npm).expect("read").is_none(),
        "starts empty"
    );

    keychain
        .set(
            Platform::Npm,
            &Secret::new("npm_KEYCHAINroundTRIP0000000000000000000"),
        )
        .expect("store");
    let back = keychain.get(Platform::Npm).expect("read").expect("stored");
    assert_eq!(back.expose(), "npm_KEYCHAINroundTRIP0000000000000000000");
    assert!(
        secret_tool_finds(&service, "npm"),
        "the entry must really be in gnome-keyring"
    );

    // Replacing overwrites, it does not add a second entry.
    keychain
        .set(Platform::Npm, &Secret::new("npm_REPLACED"))
        .expect("replace");
    assert_eq!(
        keychain
            .get(Platform::Npm)
            .expect("read")
            .expect("stored")
            .expose(),
        "npm_REPLACED"
    );

    keychain.delete(Platform::Npm).expect("delete");
    assert!(keychain.get(Platform::Npm).expect("read").is_none());
    assert!(
        !secret_tool_finds(&service, "npm"),
        "deleted from gnome-keyring"
    );
    keychain
        .delete(Platform::Npm)
        .expect("deleting twice is fine");
}

/// Listing asks the Secret Service once for all platforms (without reading any token) and
/// must agree with reading each entry through keyring.
#[test]
#[ignore = "needs .ci/test"]
fn listing_in_one_session_finds_exactly_the_saved_tokens() {
    let service = format!("{}-list", test_service());
    let other = format!("{}-other", test_service());
    let keychain = OsKeychain::with_service(&service);
    let neighbour = OsKeychain::with_service(&other);
    let every: Vec<Platform> = Platform::all().collect();
    assert!(
        keychain.saved(&every).expect("list").is_empty(),
        "starts empty"
    );
    keychain
        .set(Platform::Github, &Secret::new("ghp_LISTINGtest"))
        .expect("store");
    keychain
        .set(Platform::Npm, &Secret::new("npm_LISTINGtest"))
        .expect("store");
    // Same user name under another service: not ours.
    neighbour
        .set(Platform::Pypi, &Secret::new("pypi-LISTINGtest"))
        .expect("store");

    let saved = keychain.saved(&every).expect("list");
    let one_by_one: std::collections::BTreeSet<Platform> = every
        .iter()
        .copied()
        .filter(|p| keychain.get(*p).expect("read").is_some())
        .collect();
    assert_eq!(saved, one_by_one);
    assert_eq!(
        saved.into_iter().collect::<Vec<_>>(),
        [Platform::Github, Platform::Npm]
    );
    assert!(
        keychain.saved(&[Platform::Pypi]).expect("list").is_empty(),
        "another service's entry is not listed"
    );

    keychain.delete(Platform::Github).expect("delete");
    assert_eq!(
        keychain
            .saved(&every)
            .expect("list")
            .into_iter()
            .collect::<Vec<_>>(),
        [Platform::Npm]
    );
    keychain.delete(Platform::Npm).expect("delete");
    neighbour.delete(Platform::Pypi).expect("delete");
}

#[test]
fn no_secret_service_gives_a_clear_message_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("tmp");
    let canary = "ghp_CANARYnoKEYCHAINcanaryNOkeychain00000";
    let mut child = Command::new(env!("CARGO_BIN_EXE_lockstep"))
        .args(["token", "set", "github"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/lockstep-test-bus",
        )
        .env_remove("DISPLAY")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .env("LOCKSTEP_GITHUB_URL", "http://127.0.0.1:9")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run lockstep");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        writeln!(stdin, "{canary}").expect("write token");
    }
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stderr.contains("keychain is not available"), "{stderr}");
    assert!(stderr.contains("nothing was written to disk"), "{stderr}");
    assert!(!stderr.contains("CANARY") && !stdout.contains("CANARY"));
    for entry in walk(dir.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("CANARY"),
            "token written to {}",
            entry.display()
        );
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
