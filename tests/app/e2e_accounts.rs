//! End-to-end: accounts, the keychain and what the app says when it starts, in the real
//! Lockstep window under Xvfb, driven through tauri-driver and WebKitWebDriver.
//!
//! - A token pasted on Accounts & tokens goes into the real Secret Service (gnome-keyring) and
//!   never comes back: not into the page, not into any file, not to any server but GitHub's
//!   Authorization header. Removing it in the app removes it from the keychain.
//! - A review that fell due is the first thing the app says, calmly, with a way to start it.
//! - A damaged state file is kept aside and the user is told where; the first-run chooser follows.
//!
//! Run: `.ci/test --test e2e_accounts` (it starts the private D-Bus session with an unlocked
//! gnome-keyring that the token test needs, and Xvfb).

use crate::e2e_support;
use crate::e2e_support::{data_dir, no_error_banner, wait_ready, SERIAL, WAIT};
use crate::fake_platforms;

use e2e_support::{files_under, Driver, Session};
use fake_platforms::FakePlatforms;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Words that have no place in a calm notice.
#[track_caller]
fn assert_calm(text: &str, what: &str) {
    let lower = text.to_lowercase();
    for alarm in [
        "!",
        "urgent",
        "warning",
        "danger",
        "critical",
        "error",
        "failed",
        "immediately",
    ] {
        assert!(
            !lower.contains(alarm),
            "{what} reads calmly, without {alarm:?}: {text:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The keychain
// ---------------------------------------------------------------------------------------

/// Panics with what to do unless a D-Bus session (with gnome-keyring) is there to use.
fn require_secret_service() {
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    assert!(
        !bus.trim().is_empty(),
        "this test saves a token in the real Secret Service and needs a D-Bus session with an \
         unlocked gnome-keyring, but DBUS_SESSION_BUS_ADDRESS is unset: run through .ci/test \
         (`.ci/test --test e2e_accounts`), which starts both, or under \
         `dbus-run-session -- bash -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets; xvfb-run -a cargo test --test e2e_accounts -- --test-threads=1'`"
    );
}

/// What `secret-tool search --all service <service> username <user>` prints (both streams:
/// secret-tool writes the item path to stderr and its fields to stdout).
fn secret_tool_search(service: &str, user: &str) -> String {
    let out = Command::new("secret-tool")
        .args(["search", "--all", "service", service, "username", user])
        .output()
        .unwrap_or_else(|e| {
            panic!("could not run secret-tool ({e}); install it with `apt-get install libsecret-tools`")
        });
    assert!(
        out.status.success(),
        "secret-tool search failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Removes every entry of the test's keychain service when the test ends, passed or not.
struct KeychainCleanup(String);

impl Drop for KeychainCleanup {
    fn drop(&mut self) {
        let _ = Command::new("secret-tool")
            .args(["clear", "service", &self.0])
            .status();
    }
}

/// Runs an app command through the page's IPC bridge and returns its answer as JSON text
/// (or `ERROR: ...`). The page only ever holds what the command returned.
fn invoke_json(s: &Session<'_>, command: &str) -> String {
    s.execute(
        "window.__e2eProbe = null;
         window.__TAURI_INTERNALS__.invoke(arguments[0]).then(
           (v) => { window.__e2eProbe = JSON.stringify(v); },
           (e) => { window.__e2eProbe = 'ERROR: ' + JSON.stringify(e); });",
        json!([command]),
    );
    let answer = s.wait_until(WAIT, &format!("an answer to {command}"), |s| {
        s.execute("return window.__e2eProbe", json!([]))
            .as_str()
            .map(str::to_string)
    });
    s.execute("window.__e2eProbe = null; return null;", json!([]));
    answer
}

/// Everything the page holds as text: its markup, every field's current value (a password
/// field's value is not in the markup) and both web storages.
fn page_text(s: &Session<'_>) -> String {
    let v = s.execute(
        "const values = [...document.querySelectorAll('input, textarea, select')]
            .map((e) => `${e.id || e.name || e.tagName}=${e.value}`);
         const storage = (st) => { try { return JSON.stringify({ ...st }); } catch { return ''; } };
         return [document.documentElement.outerHTML, values.join('\\n'),
                 storage(window.localStorage), storage(window.sessionStorage)].join('\\n');",
        json!([]),
    );
    v.as_str().unwrap_or_default().to_string()
}

/// Focuses a button as a keyboard user reaching it would, waits until it is really visible
/// (not under the sticky Save bar), then clicks it.
#[track_caller]
fn click_in_view(s: &Session<'_>, css: &str) {
    let button = s.wait_for(css, WAIT);
    s.execute(
        "document.querySelector(arguments[0]).focus();",
        json!([css]),
    );
    s.wait_until(
        Duration::from_secs(5),
        &format!("the focused `{css}` to show, not hidden behind the sticky Save bar"),
        |s| {
            let v = s.execute(
                "const b = document.querySelector(arguments[0]);
                 const r = b.getBoundingClientRect();
                 const at = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                 return Boolean(at && (at === b || b.contains(at)));",
                json!([css]),
            );
            (v.as_bool() == Some(true)).then_some(())
        },
    );
    s.click(&button);
}

fn github_block(s: &Session<'_>) -> String {
    s.text(&s.wait_for(r#"#accounts [data-token-for="github"]"#, WAIT))
}

#[test]
#[ignore = "needs .ci/test"]
fn a_token_saved_in_the_app_goes_to_the_keychain_and_never_back() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    require_secret_service();
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    let server = FakePlatforms::start();
    let service = format!("dev.lockstep.desktop.e2e-{}", std::process::id());
    let _cleanup = KeychainCleanup(service.clone());
    let canary = format!(
        "ghp_E2ECANARY{}x7Q2notARealTokenDoNotLeak",
        std::process::id()
    );
    assert!(
        !secret_tool_search(&service, "github").contains("attribute.username"),
        "the test's keychain service {service} starts empty"
    );

    // The fake platforms' addresses, but no token: the point is saving one through the UI.
    let mut env: Vec<(String, String)> = server
        .env("never-used")
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_TOKEN"))
        .collect();
    env.push(("LOCKSTEP_KEYCHAIN_SERVICE".into(), service.clone()));
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let driver = Driver::start_with_env(home.path(), &pairs);
    let s = driver.session();
    wait_ready(&s);

    s.click_css(r#"#nav [data-route="accounts"]"#);
    s.wait_text("#screen-title", WAIT, "the Accounts heading", |t| {
        t == "Accounts & tokens"
    });
    s.wait_for(
        r#"#accounts [data-token-for="github"][data-token-saved="false"] #token-github"#,
        WAIT,
    );
    assert!(
        s.try_find("#keychain-note").is_none(),
        "the keychain could be read: {}",
        s.text(&s.wait_for("#keychain-note", WAIT))
    );
    assert!(
        github_block(&s).contains("No token"),
        "GitHub starts without a token: {}",
        github_block(&s)
    );
    no_error_banner(&s, "Accounts before saving");

    // Paste the canary and save.
    let field = s.wait_for("#token-github", WAIT);
    s.send_keys(&field, &canary);
    click_in_view(
        &s,
        r#"#accounts [data-token-for="github"] [data-action="save-token"]"#,
    );
    s.wait_for(
        r#"#accounts [data-token-for="github"][data-token-saved="true"]"#,
        WAIT,
    );
    no_error_banner(&s, "after saving the token");
    s.wait_text("#toasts", WAIT, "the saved confirmation", |t| {
        t.contains("Token saved in your keychain")
    });

    // The field is cleared; the platform says the token is saved and what it can do.
    let value = s.execute(
        "const f = document.getElementById('token-github'); return f ? f.value : null;",
        json!([]),
    );
    assert_eq!(
        value.as_str(),
        Some(""),
        "the token field is empty again after saving"
    );
    let block = github_block(&s);
    assert!(
        block.contains("Token saved") && block.contains("Saved in your keychain"),
        "GitHub says the token is saved in the keychain: {block}"
    );
    assert!(
        !block.contains("could not ask"),
        "Lockstep asked the fake GitHub what the token can do: {block}"
    );
    let scopes = s.text(&s.wait_for(r#"#accounts [data-token-for="github"] .token-scopes"#, WAIT));
    for scope in [
        "read:user",
        "user:email",
        "read:gpg_key",
        "read:public_key",
        "read:org",
    ] {
        assert!(
            scopes.contains(scope),
            "the scopes GitHub reported (x-oauth-scopes) are shown, {scope} among them: {scopes:?}"
        );
    }
    assert!(
        s.try_find(r#"#accounts [data-token-for="github"] [data-action="remove-token"]"#)
            .is_some(),
        "a saved token can be removed"
    );

    // The canary is nowhere in the page, nor in anything the app answers the page.
    let page = page_text(&s);
    assert!(
        page.contains("read:gpg_key"),
        "the page probe sees the page"
    );
    assert!(
        !page.contains(&canary),
        "the token is nowhere in the page (markup, field values, storage)"
    );
    for command in ["list_tokens", "app_snapshot"] {
        let answer = invoke_json(&s, command);
        assert!(!answer.starts_with("ERROR"), "{command} answered: {answer}");
        assert!(
            !answer.contains(&canary),
            "{command} never hands the token back to the page"
        );
    }
    let tokens = invoke_json(&s, "list_tokens");
    let tokens: Value = serde_json::from_str(&tokens).expect("list_tokens is JSON");
    let github = tokens
        .as_array()
        .and_then(|a| a.iter().find(|t| t["platform"] == "github"))
        .unwrap_or_else(|| panic!("list_tokens lists GitHub: {tokens}"));
    assert_eq!(github["saved"], true, "GitHub's token is saved: {github}");
    assert_eq!(
        github["origin"], "keychain",
        "it comes from the keychain: {github}"
    );

    // The real gnome-keyring holds it, under the test's own service.
    let found = secret_tool_search(&service, "github");
    assert!(
        found.contains(&format!("attribute.service = {service}"))
            && found.contains("attribute.username = github"),
        "secret-tool finds the GitHub entry under {service}:\n{found}"
    );
    assert!(
        found.contains(&format!("secret = {canary}")),
        "the keychain entry holds exactly the pasted token"
    );

    // No file the app (or WebKit) wrote under the temporary home holds the token.
    let files = files_under(home.path());
    assert!(
        files.iter().any(|p| p.ends_with("lockstep/state.json")),
        "the app wrote its state under the temporary home: {files:?}"
    );
    let state =
        std::fs::read_to_string(data_dir(home.path()).join("state.json")).expect("read the state");
    assert!(
        state.contains("read:gpg_key"),
        "the state keeps what the token can do"
    );
    for file in &files {
        let bytes = std::fs::read(file).unwrap_or_default();
        assert!(
            !bytes.windows(canary.len()).any(|w| w == canary.as_bytes()),
            "{} holds the token",
            file.display()
        );
    }

    // The fake servers saw it only as GitHub's Authorization header.
    let seen = server.seen();
    let mut sent = 0;
    for r in &seen {
        assert!(
            !r.path.contains(&canary),
            "the token is never in an address: {}",
            r.path
        );
        for c in r.credentials.iter().filter(|c| c.contains(&canary)) {
            sent += 1;
            assert!(
                r.path.starts_with("/github/"),
                "the token went only to GitHub, not to {}",
                r.path
            );
            assert!(
                c.starts_with("authorization: "),
                "the token travelled only in the Authorization header ({} on {})",
                c.split(':').next().unwrap_or(""),
                r.path
            );
        }
    }
    assert!(
        sent >= 1,
        "the app asked the fake GitHub what the token can do, with the token: {:?}",
        seen.iter().map(|r| &r.path).collect::<Vec<_>>()
    );

    // Remove it in the app: gone from the keychain.
    click_in_view(
        &s,
        r#"#accounts [data-token-for="github"] [data-action="remove-token"]"#,
    );
    s.wait_for(
        r#"#accounts [data-token-for="github"][data-token-saved="false"]"#,
        WAIT,
    );
    no_error_banner(&s, "after removing the token");
    s.wait_text("#toasts", WAIT, "the removed confirmation", |t| {
        t.contains("GitHub token removed from your keychain")
    });
    assert!(
        github_block(&s).contains("No token"),
        "GitHub shows no token again: {}",
        github_block(&s)
    );
    let after = secret_tool_search(&service, "github");
    assert!(
        !after.contains("attribute.username") && !after.contains(&canary),
        "secret-tool no longer finds the entry:\n{after}"
    );
    let state =
        std::fs::read_to_string(data_dir(home.path()).join("state.json")).expect("read the state");
    assert!(
        !state.contains("read:gpg_key"),
        "the state forgets what the removed token could do"
    );
    s.close();

    eprintln!(
        "e2e token to keychain and back out took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------
// What the app says first
// ---------------------------------------------------------------------------------------

/// Writes a state on the review journey and one review `days_ago` days old; returns the
/// review's day (`YYYY-MM-DD`).
fn seed_old_review(home: &Path, days_ago: i64) -> String {
    let dir = data_dir(home);
    std::fs::create_dir_all(dir.join("reviews")).expect("create the reviews folder");
    let state = json!({
        "version": 2,
        "journey": "review",
        "positions": {},
        "answers": {},
        "settings": {},
        "tokens": {},
        "last_notified_on": null
    });
    std::fs::write(
        dir.join("state.json"),
        serde_json::to_vec_pretty(&state).expect("state JSON"),
    )
    .expect("write state.json");

    let day = (time::OffsetDateTime::now_utc() - time::Duration::days(days_ago)).date();
    let checked_at = day.with_time(time::macros::time!(10:00:00)).assume_utc();
    let id = checked_at
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .expect("format the id");
    let review = json!({
        "version": 1,
        "id": id,
        "checked_at": checked_at
            .format(&time::format_description::well_known::Rfc3339)
            .expect("format checked_at"),
        "journey": "review",
        "results": [],
        "answers": {}
    });
    std::fs::write(
        dir.join("reviews").join(format!("{id}.json")),
        serde_json::to_vec_pretty(&review).expect("review JSON"),
    )
    .expect("write the review");
    day.to_string()
}

#[test]
#[ignore = "needs .ci/test"]
fn a_due_review_is_said_first() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    let reviewed_on = seed_old_review(home.path(), 120);
    // Starting the review runs every check: keep them all on loopback (nothing listens there).
    let dead: Vec<(String, String)> = lockstep_core::platform::PLATFORMS
        .iter()
        .map(|row| {
            (
                row.platform.env_var("URL"),
                "http://127.0.0.1:9".to_string(),
            )
        })
        .chain([(
            "LOCKSTEP_RDAP_BOOTSTRAP_URL".to_string(),
            "http://127.0.0.1:9/dns.json".to_string(),
        )])
        .collect();
    let pairs: Vec<(&str, &str)> = dead.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let driver = Driver::start_with_env(home.path(), &pairs);
    let s = driver.session();
    wait_ready(&s);
    no_error_banner(&s, "at start");

    // The first thing in the window is the due banner, above the screen.
    let first = s.execute(
        "const b = document.getElementById('banners').firstElementChild;
         const main = document.getElementById('main').getBoundingClientRect();
         if (!b) return null;
         const r = b.getBoundingClientRect();
         return {id: b.id, cls: b.className, role: b.getAttribute('role'),
                 top: r.top, height: r.height, mainTop: main.top,
                 viewport: window.innerHeight};",
        json!([]),
    );
    assert!(!first.is_null(), "a banner shows at start");
    assert_eq!(
        first["id"], "due",
        "the first banner is the review reminder: {first}"
    );
    assert!(
        first["cls"].as_str().unwrap_or("").contains("banner-due")
            && !first["cls"].as_str().unwrap_or("").contains("banner-error"),
        "the reminder is not dressed as an error: {first}"
    );
    assert_eq!(
        first["role"], "status",
        "the reminder is a polite status, not an alert"
    );
    let (top, height, main_top, viewport) = (
        first["top"].as_f64().unwrap_or(-1.0),
        first["height"].as_f64().unwrap_or(0.0),
        first["mainTop"].as_f64().unwrap_or(0.0),
        first["viewport"].as_f64().unwrap_or(0.0),
    );
    assert!(
        top >= 0.0 && height > 0.0 && top < viewport && top < main_top,
        "the reminder is visible at the top, above the screen: {first}"
    );

    let banner = s.wait_for("#banners #due", WAIT);
    let text = s.text(&banner);
    assert!(
        text.contains("Time for your periodic review"),
        "the reminder says a review is due: {text:?}"
    );
    assert!(
        text.contains("It was due on") && text.contains(&reviewed_on),
        "it says the review is overdue and when the last one was ({reviewed_on}): {text:?}"
    );
    assert_calm(&text.replace("Start the review", ""), "the review reminder");

    // The Overview's review card says the same.
    s.click_css(r#"#nav [data-route="overview"]"#);
    let line = s.wait_text("#overview #due-line", WAIT, "the due line", |t| {
        !t.is_empty()
    });
    assert!(
        line.contains("was due on"),
        "the Overview's review card says the review is overdue: {line:?}"
    );
    assert_calm(&line, "the Overview's review card");
    assert!(
        s.try_find("#banners #due").is_some(),
        "the reminder stays until answered"
    );

    // Start it from the reminder.
    let start = s.wait_for(r#"#banners #due [data-action="start-review"]"#, WAIT);
    assert_eq!(s.text(&start), "Start the review");
    assert!(
        s.attr(&start, "class")
            .is_some_and(|c| c.contains("btn-primary")),
        "starting the review is the reminder's main action"
    );
    s.click(&start);
    // The review is a review: it opens on Checks running every check.
    s.wait_for(
        r#"main[data-screen="checks"] #run-progress[data-full="true"]"#,
        WAIT,
    );
    s.wait_until(WAIT, "the reminder to go", |s| {
        s.try_find("#banners #due").is_none().then_some(())
    });
    no_error_banner(&s, "after starting the review");
    let state =
        std::fs::read_to_string(data_dir(home.path()).join("state.json")).expect("read the state");
    let state: Value = serde_json::from_str(&state).expect("state JSON");
    assert_eq!(state["journey"], "review", "the review journey is current");
    s.close();

    eprintln!(
        "e2e due review said first took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "needs .ci/test"]
fn a_damaged_state_file_is_kept_and_the_user_told() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    let dir = data_dir(home.path());
    std::fs::create_dir_all(&dir).expect("create the data folder");
    let garbage: &[u8] = b"{\"version\": 2, \"journey\": \"onboar\xff\xfe <b>half-written</b>";
    std::fs::write(dir.join("state.json"), garbage).expect("write a damaged state.json");

    let driver = Driver::start(home.path());
    let s = driver.session();
    wait_ready(&s);
    no_error_banner(&s, "at start");

    // The garbage is kept, untouched, next to where it was.
    let kept: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read the data folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("state.json.corrupt-"))
        })
        .collect();
    assert_eq!(
        kept.len(),
        1,
        "the damaged file is kept once as state.json.corrupt-*: {kept:?}"
    );
    assert_eq!(
        std::fs::read(&kept[0]).expect("read the kept file"),
        garbage,
        "the kept file holds exactly what was there"
    );

    // A calm notice says the progress could not be read and where it was kept.
    let notice = s.wait_for("#banners #notice", WAIT);
    let text = s.text(&notice);
    assert!(
        text.contains("could not be read"),
        "the notice says the progress could not be read: {text:?}"
    );
    assert!(
        text.contains(&kept[0].display().to_string()),
        "the notice says where the file was kept ({}): {text:?}",
        kept[0].display()
    );
    assert!(
        text.contains("Nothing was deleted"),
        "the notice says nothing was lost: {text:?}"
    );
    assert!(
        !text.contains("half-written"),
        "the notice does not repeat the file's content: {text:?}"
    );
    assert_eq!(
        s.attr(&notice, "role").as_deref(),
        Some("status"),
        "the notice is a polite status, not an alert"
    );
    assert!(
        s.attr(&notice, "class")
            .is_some_and(|c| !c.contains("banner-error")),
        "the notice is not dressed as an error"
    );
    assert_calm(
        &s.text(&s.wait_for("#notice .banner-title", WAIT)),
        "the notice's title",
    );

    // Then the first run's question.
    let chooser = s.wait_for(r#"main[data-screen="choose"] #journey-choice"#, WAIT);
    let choices = s.text(&chooser);
    for journey in ["Onboarding", "Periodic review", "Travel"] {
        assert!(
            choices.contains(journey),
            "the first-run chooser offers {journey}: {choices}"
        );
    }

    // Understood: the notice goes; choosing a journey works and keeps the set-aside file.
    s.click_css(r#"#notice [data-action="dismiss-notice"]"#);
    s.wait_until(WAIT, "the notice to go", |s| {
        s.try_find("#banners #notice").is_none().then_some(())
    });
    s.click_css(r#"[data-journey="onboarding"]"#);
    s.wait_for("#journey-item", WAIT);
    no_error_banner(&s, "after choosing a journey");
    assert_eq!(
        std::fs::read(&kept[0]).expect("read the kept file again"),
        garbage,
        "the kept file is left alone"
    );
    s.close();

    // Next start: the fresh state reads fine, so there is nothing to tell.
    let s = driver.session();
    wait_ready(&s);
    s.wait_for("#journey-item", WAIT);
    assert!(
        s.try_find("#banners #notice").is_none(),
        "the notice is said once, not at every start"
    );
    s.close();

    eprintln!(
        "e2e damaged state took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------
// The platform table draws Accounts and Checks
// ---------------------------------------------------------------------------------------

/// The rendered text (what a reader sees) of the first element matching `css`.
fn inner_text(s: &Session<'_>, css: &str) -> String {
    s.wait_for(css, WAIT);
    s.execute(
        "return document.querySelector(arguments[0]).innerText;",
        json!([css]),
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Issue 9's plain words: no environment-variable names, backticks, raw ids or raw addresses.
#[track_caller]
fn assert_plain_words(text: &str, what: &str) {
    for bad in ["LOCKSTEP_", "`", "http://", "https://"] {
        assert!(!text.contains(bad), "{what} shows {bad:?}: {text}");
    }
    for check in lockstep_core::check_registry::CHECKS {
        assert!(
            !text.contains(check.id),
            "{what} shows the raw check id {}: {text}",
            check.id
        );
    }
}

#[test]
#[ignore = "needs .ci/test"]
fn every_platform_in_the_table_has_its_card_and_its_group() {
    use lockstep_core::check_registry::CHECKS;
    use lockstep_core::platform::{group_views, Group, Platform, TokenUse, PLATFORMS};
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    // Nothing may leave the machine: every platform's address is a closed loopback port, and
    // the test's own keychain service is empty.
    let dead = "http://127.0.0.1:9".to_string();
    let mut env: Vec<(String, String)> = PLATFORMS
        .iter()
        .map(|row| {
            (
                row.platform.env_var("URL"),
                format!("{dead}/{}", row.platform),
            )
        })
        .collect();
    env.push((
        "LOCKSTEP_KEYCHAIN_SERVICE".into(),
        format!("dev.lockstep.desktop.e2e-table-{}", std::process::id()),
    ));
    env.push((
        "LOCKSTEP_RDAP_BOOTSTRAP_URL".into(),
        format!("{dead}/dns.json"),
    ));
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let driver = Driver::start_with_env(home.path(), &pairs);
    let s = driver.session();
    wait_ready(&s);

    // Accounts: one card per account row, drawn from the row alone.
    s.click_css(r#"#nav [data-route="accounts"]"#);
    s.wait_text("#screen-title", WAIT, "the Accounts heading", |t| {
        t == "Accounts & tokens"
    });
    let cards: Vec<String> = s
        .execute(
            "return [...document.querySelectorAll('#accounts .platform-card')].map((c) => c.dataset.platform);",
            json!([]),
        )
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let accounts: Vec<String> = PLATFORMS
        .iter()
        .filter(|r| r.account)
        .map(|r| r.platform.to_string())
        .collect();
    assert_eq!(cards, accounts, "one card per account row, in table order");
    for row in PLATFORMS {
        let id = row.platform.as_str();
        let card = format!(r#"#accounts [data-platform="{id}"]"#);
        // The keychain was read: the token block is drawn.
        s.wait_for(
            &format!(r#"{card} [data-token-for="{id}"].token-block"#),
            WAIT,
        );
        let text = inner_text(&s, &card);
        if row.account {
            assert_eq!(
                inner_text(&s, &format!("#p-{id}")),
                row.name,
                "{id}'s card is headed with its name"
            );
            assert!(
                text.contains(row.user.label),
                "{id}'s card asks for {:?}: {text}",
                row.user.label
            );
            assert_eq!(
                s.try_find(&format!("#url-{id}")).is_some(),
                row.url_setting.is_some(),
                "{id} has an address field exactly when its row has one"
            );
        }
        match row.token {
            TokenUse::Needed { recipe } => {
                let shown = inner_text(&s, &format!(r#"{card} [data-recipe="{id}"]"#));
                for step in recipe.steps {
                    assert!(
                        shown.contains(step),
                        "{id}'s recipe shows {step:?}: {shown}"
                    );
                }
                assert!(
                    shown.contains(recipe.link_label),
                    "{id}'s recipe links its page: {shown}"
                );
                let href = s.execute(
                    "return document.querySelector(arguments[0]).href;",
                    json!([format!(r#"{card} [data-recipe="{id}"] a"#)]),
                );
                let expected = recipe.link.replace("{web}", row.web_url);
                assert_eq!(
                    href.as_str().map(|h| h.trim_end_matches('/')),
                    Some(expected.trim_end_matches('/')),
                    "{id}'s recipe link is its row's page"
                );
            }
            TokenUse::NotNeeded { why } | TokenUse::AuditOnly { why } => {
                let said = inner_text(&s, &format!(r#"{card} [data-no-token="{id}"]"#));
                assert!(
                    said.contains("No token needed") && said.contains(why),
                    "{id}: {said}"
                );
                assert!(
                    s.try_find(&format!("#token-{id}")).is_none(),
                    "{id} offers no field to paste a token it does not need"
                );
            }
        }
        assert_plain_words(&text, &format!("{id}'s card"));
    }
    // The two platforms added after the window learnt to read the table.
    for p in [Platform::Bitbucket, Platform::Packagist] {
        assert!(
            cards.contains(&p.to_string()),
            "{p} has its card: {cards:?}"
        );
    }
    let bitbucket = Platform::Bitbucket.spec();
    let TokenUse::Needed { recipe } = bitbucket.token else {
        panic!("Bitbucket's row has a recipe");
    };
    assert!(
        inner_text(&s, r#"[data-recipe="bitbucket"]"#).contains(recipe.steps[0]),
        "Bitbucket's card shows its recipe"
    );
    no_error_banner(&s, "Accounts");

    // Checks: one section per group that has checks, headed with the group's title.
    s.click_css(r#"#nav [data-route="checks"]"#);
    s.wait_for("#checks", WAIT);
    for g in group_views() {
        let count = CHECKS.iter().filter(|c| c.group == g.id).count();
        let section = format!(r#"#checks section[data-group="{}"]"#, g.id);
        if count == 0 {
            assert!(
                s.try_find(&section).is_none(),
                "{} has no checks, so no section",
                g.id
            );
            continue;
        }
        assert_eq!(
            inner_text(&s, &format!("{section} h2")),
            g.title,
            "{}'s section is headed with its title",
            g.id
        );
    }
    // Run the two new groups (nothing set up: no token, no name): each folds into one
    // "not set up" line with the table's hint.
    for p in [Platform::Bitbucket, Platform::Packagist] {
        let group = Group::Account(p);
        let before = s
            .execute(
                "const p = document.getElementById('run-progress'); return p ? Number(p.dataset.runNumber) : 0;",
                json!([]),
            )
            .as_u64()
            .unwrap_or(0);
        click_in_view(&s, &format!(r#"[data-run-group="{group}"]"#));
        s.wait_until(Duration::from_secs(60), &format!("{p}'s run to end"), |s| {
            let v = s.execute(
                "const p = document.getElementById('run-progress');
                 return p ? [p.dataset.runState, Number(p.dataset.runNumber)] : ['', 0];",
                json!([]),
            );
            (v[1].as_u64() == Some(before + 1) && v[0].as_str() == Some("finished")).then_some(())
        });
        let count = CHECKS.iter().filter(|c| c.group == group).count();
        let checks = if count == 1 {
            "1 check".to_string()
        } else {
            format!("{count} checks")
        };
        let hint = group_views()
            .into_iter()
            .find(|g| g.id == group)
            .map(|g| g.setup_hint.replace("{checks}", &checks))
            .expect("the group has a view");
        let line = inner_text(&s, &format!(r#"[data-not-set-up="{group}"]"#));
        assert!(
            line.contains(&hint),
            "{p}'s not-set-up line says {hint:?}: {line}"
        );
        assert!(
            s.try_find(&format!(r#"[data-setup="{group}"]"#)).is_some(),
            "{p}'s line leads to Accounts"
        );
    }
    s.execute(
        "document.querySelectorAll('#checks details').forEach((d) => { d.open = true; }); return null;",
        json!([]),
    );
    assert_plain_words(&inner_text(&s, "#checks"), "the Checks screen");
    no_error_banner(&s, "Checks");
    s.close();
    eprintln!(
        "e2e platform table took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "needs .ci/test"]
fn an_over_broad_gitlab_token_is_still_amber_after_a_restart() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    require_secret_service();
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    let server = FakePlatforms::start();
    // GitLab reports the token can use the whole API, not just read the profile.
    server.change(|s| s.gitlab_scopes = vec!["api", "read_user"]);
    let service = format!("dev.lockstep.desktop.e2e-broad-{}", std::process::id());
    let _cleanup = KeychainCleanup(service.clone());
    let token = format!("glpat-E2EBROAD{}notARealToken", std::process::id());
    let mut env: Vec<(String, String)> = server
        .env("never-used")
        .into_iter()
        .filter(|(k, _)| !k.ends_with("_TOKEN"))
        .collect();
    env.push(("LOCKSTEP_KEYCHAIN_SERVICE".into(), service.clone()));
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let driver = Driver::start_with_env(home.path(), &pairs);
    let block = r#"#accounts [data-token-for="gitlab"]"#;

    let s = driver.session();
    wait_ready(&s);
    s.click_css(r#"#nav [data-route="accounts"]"#);
    let field = s.wait_for("#token-gitlab", WAIT);
    s.send_keys(&field, &token);
    click_in_view(&s, &format!(r#"{block} [data-action="save-token"]"#));
    // Checked before it is kept: broader than needed, saved only when the user says so.
    s.wait_for(
        &format!(r#"{block} [data-check-for="gitlab"][data-verdict="broad"]"#),
        WAIT,
    );
    click_in_view(&s, &format!(r#"{block} [data-action="save-anyway"]"#));
    s.wait_for(
        r#"#accounts [data-token-for="gitlab"][data-token-saved="true"][data-token-verdict="broad"]"#,
        WAIT,
    );
    no_error_banner(&s, "after saving the broad token");
    s.close();

    // A restart: the window only has what the core kept (never the token).
    let state =
        std::fs::read_to_string(data_dir(home.path()).join("state.json")).expect("read the state");
    assert!(!state.contains(&token), "the state never holds the token");
    let s = driver.session();
    wait_ready(&s);
    s.click_css(r#"#nav [data-route="accounts"]"#);
    let saved = r#"#accounts [data-token-for="gitlab"][data-token-saved="true"]"#;
    s.wait_for(saved, WAIT);
    let verdict = s.attr(&s.wait_for(saved, WAIT), "data-token-verdict");
    assert_eq!(
        verdict.as_deref(),
        Some("broad"),
        "after a restart the GitLab token is still judged broader than needed"
    );
    let text = inner_text(&s, saved);
    assert!(text.contains("Broader than needed"), "amber badge: {text}");
    assert!(
        text.contains("api"),
        "it names the scope Lockstep does not need: {text}"
    );
    let badge = s.execute(
        "return document.querySelector(arguments[0] + ' .token-status .badge').className;",
        json!([saved]),
    );
    assert!(
        badge.as_str().is_some_and(|c| c.contains("check-warn")),
        "the badge is amber: {badge}"
    );
    let replace = s.wait_for(&format!(r#"{saved} [data-action="replace-token"]"#), WAIT);
    assert_eq!(s.text(&replace), "Replace with a narrower token");
    assert_plain_words(&text, "GitLab's saved token");
    no_error_banner(&s, "after the restart");
    s.close();
    eprintln!(
        "e2e broad token after restart took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
