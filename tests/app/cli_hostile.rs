//! Issue 13's attacks on the command line, kept as regression tests: the real binary, a
//! hostile fake platform on 127.0.0.1, crafted files, and outputs that cannot be written.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

use crate::cli_env::Env;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fake platform that answers every request with `body` (JSON), for up to `n` requests.
fn serve_everything(body: &'static str, n: usize) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(n) {
            let Ok(mut s) = stream else { return };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://{addr}")
}

/// A login that hides real failures behind a fake "all pass" line, sets the window title
/// and writes the clipboard (OSC 52).
const HOSTILE_USER: &str = r#"{"login": "octo\u001b]0;owned\u0007\u001b]52;c;ZXZpbA==\u0007\n✔ pass    github.everything_fine     All good.\r\u001b[2K", "two_factor_authentication": true}"#;

/// Case 3: `check` printed platform data raw.
#[test]
fn check_output_cannot_drive_the_terminal_or_forge_lines() {
    let env = Env::new();
    let url = serve_everything(HOSTILE_USER, 64);
    let out = env
        .cmd(&["check", "--only", "github"])
        .env("LOCKSTEP_GITHUB_URL", &url)
        .env(
            "LOCKSTEP_GITHUB_TOKEN",
            "ghp_canaryCLI000000000000000000000000001",
        )
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(stdout.contains("octo"), "{stdout}");
    for bad in ['\u{1b}', '\u{7}', '\r'] {
        assert!(
            !stdout.contains(bad),
            "{bad:?} reached the terminal: {stdout:?}"
        );
    }
    assert!(
        !stdout
            .lines()
            .any(|l| l.starts_with("✔ pass    github.everything_fine")),
        "a forged line: {stdout}"
    );
    assert!(!text(&out.stderr).contains('\u{1b}'));
    // The saved review says the same as the screen: reports print it through the same filter.
    let report = env.run(&["report"]);
    assert!(
        !text(&report.stdout).contains('\u{1b}'),
        "{}",
        text(&report.stdout)
    );
}

/// Case 3: the `import` preview printed ids and values from the file raw.
#[test]
fn import_output_cannot_drive_the_terminal() {
    let env = Env::new();
    let file = env.dir.path().join("progress.json");
    std::fs::write(
        &file,
        r#"{"format":"lockstep-progress","version":2,"answers":{"x\u001b]0;owned\u0007\n  add answer    everything":{"status":"done","updated_at":"2026-11-20T10:00:00Z"}}}"#,
    )
    .unwrap();
    let out = env.run(&["import", file.to_str().unwrap(), "--yes"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(!all.contains('\u{1b}') && !all.contains('\u{7}'), "{all:?}");
    // An unknown item is not imported, and is counted in words, never shown by its id.
    assert!(
        all.contains("1 answer for a checklist item this version of Lockstep does not know"),
        "{all}"
    );
    assert!(!all.contains("owned"), "{all}");

    std::fs::write(
        &file,
        r#"{"format":"lockstep-progress","version":2,"settings":{"accounts":{"github":{"base_url":"https://evil.example/\u001b]0;x\u0007"}},"breach_check_consent":true}}"#,
    )
    .unwrap();
    let out = env.run(&["import", file.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert!(!stdout.contains('\u{1b}'), "{stdout:?}");
    assert!(stdout.contains("not imported"), "{stdout}");
    assert!(
        stdout.contains("evil.example"),
        "the host is named: {stdout}"
    );
}

/// Case 9: `export` and `report --out` followed a symlink planted in a shared directory.
#[cfg(unix)]
#[test]
fn export_into_a_shared_directory_never_follows_a_planted_symlink() {
    let env = Env::new();
    let shared = env.dir.path().join("shared");
    std::fs::create_dir_all(&shared).unwrap();
    let victim = env.dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = shared.join("progress.json");
    // The old temp names were predictable (`.progress.json.<pid>.tmp`): plant a range of them.
    for pid in 1..4000 {
        let _ =
            std::os::unix::fs::symlink(&victim, shared.join(format!(".progress.json.{pid}.tmp")));
    }
    let o = env.run(&["export", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .contains("lockstep-progress"));
    // The target name itself planted as a symlink is replaced, not written through.
    std::fs::remove_file(&out).unwrap();
    std::os::unix::fs::symlink(&victim, &out).unwrap();
    let o = env.run(&["export", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
}

/// Case 10: `import /dev/zero` and `token set </dev/zero` read forever.
#[cfg(unix)]
#[test]
fn endless_local_input_is_refused_with_a_clear_message() {
    let env = Env::new();
    let o = env.run(&["import", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("not an ordinary file"),
        "{}",
        text(&o.stderr)
    );

    let o = env
        .cmd(&["token", "set", "github"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("longer than"),
        "{}",
        text(&o.stderr)
    );
}

/// Case 12: when the review cannot be saved, `check` printed no results at all.
#[cfg(unix)]
#[test]
fn check_prints_results_even_when_the_review_cannot_be_saved() {
    use std::os::unix::fs::PermissionsExt;
    if unsafe_is_root() {
        // root ignores directory permissions; the core test covers the same path.
        return;
    }
    let env = Env::new();
    let reviews = env.data().join("reviews");
    std::fs::create_dir_all(&reviews).unwrap();
    std::fs::set_permissions(&reviews, std::fs::Permissions::from_mode(0o500)).unwrap();
    // `--only` is not a review (issue 9): its results go to the latest-results file.
    std::fs::create_dir_all(env.data().join("latest-results.json")).unwrap();
    let o = env.run(&["check", "--only", "device"]);
    std::fs::set_permissions(&reviews, std::fs::Permissions::from_mode(0o700)).unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("device."), "results are printed: {stdout}");
    assert!(
        format!("{stdout}{}", text(&o.stderr)).contains("not saved"),
        "{stdout}"
    );
}

fn unsafe_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| text(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Case 12, as root too: a review folder that is a plain file cannot take a review.
#[test]
fn check_prints_results_when_the_reviews_folder_is_unusable() {
    let env = Env::new();
    std::fs::create_dir_all(env.data()).unwrap();
    std::fs::write(env.data().join("reviews"), "not a folder").unwrap();
    // `--only` is not a review (issue 9): its results go to the latest-results file, which
    // cannot be written either when a folder stands in its place.
    std::fs::create_dir_all(env.data().join("latest-results.json")).unwrap();
    let o = env.run(&["check", "--only", "device"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("device."), "results are printed: {stdout}");
    let all = format!("{stdout}{}", text(&o.stderr));
    assert!(all.contains("not saved"), "{all}");
}

/// Case 15: `checklist > /dev/full` panicked with a backtrace.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_write_to_stdout_exits_2_with_a_message() {
    let env = Env::new();
    let o = env
        .cmd(&["checklist"])
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .unwrap(),
        )
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = text(&o.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("standard output"), "{stderr}");
}

/// Case 6: a damaged review was set aside silently by `status` and `report`.
#[test]
fn status_tells_about_a_damaged_review_once() {
    let env = Env::new();
    let reviews = env.data().join("reviews");
    std::fs::create_dir_all(&reviews).unwrap();
    std::fs::write(reviews.join("20261101T000000Z.json"), "{ damaged").unwrap();
    let o = env.run(&["status"]);
    let stderr = text(&o.stderr);
    assert!(
        stderr.contains("20261101T000000Z.json.corrupt-"),
        "{stderr}"
    );
    let again = env.run(&["status"]);
    assert!(
        !text(&again.stderr).contains("corrupt"),
        "once: {}",
        text(&again.stderr)
    );
}

/// Piped input still works (the cap is far above any token).
#[test]
fn a_token_on_stdin_is_still_read() {
    let env = Env::new();
    let mut child = env
        .cmd(&["token", "set", "nosuchplatform"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"abc\n").unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("nosuchplatform"),
        "{}",
        text(&o.stderr)
    );
}
