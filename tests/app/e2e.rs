//! End-to-end: the real Lockstep window under Xvfb, driven through tauri-driver and
//! WebKitWebDriver. Walks three onboarding items, restarts the app and finds the progress
//! kept. Also keeps `tests/screenshots/journey.png` (the README's picture) real.
//!
//! Run: `xvfb-run -a cargo test --test e2e -- --test-threads=1 --nocapture`.
//! Set `LOCKSTEP_UPDATE_SCREENSHOT=1` to refresh the screenshot.

use crate::e2e_support;
use crate::e2e_support::{SERIAL, WAIT};

use e2e_support::{files_under, Driver, Session};
use std::path::Path;
use std::time::{Duration, Instant};

/// `(settled, total)` from the sidebar's "2 of 43 done or verified" ("Later" is not progress).
fn progress(s: &Session<'_>) -> (usize, usize) {
    let text = s.wait_text("#progress", WAIT, "a progress count", |t| {
        t.contains(" of ")
    });
    parse_of(&text, "#progress")
}

/// `(position, total)` from "Item 4 of 43".
fn position(s: &Session<'_>) -> (usize, usize) {
    let text = s.wait_text("#position", WAIT, "a position", |t| t.starts_with("Item "));
    parse_of(text.trim_start_matches("Item "), "#position")
}

#[track_caller]
fn parse_of(text: &str, what: &str) -> (usize, usize) {
    let nums: Vec<usize> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        nums.len() >= 2,
        "{what} should read like `N of M`, got {text:?}"
    );
    (nums[0], nums[1])
}

/// Waits until the position and the done-or-verified count read as expected.
#[track_caller]
fn expect_progress(s: &Session<'_>, at: usize, answered: usize) {
    s.wait_text("#position", WAIT, &format!("item {at}"), |t| {
        t.starts_with(&format!("Item {at} of "))
    });
    s.wait_text(
        "#progress",
        WAIT,
        &format!("{answered} done or verified"),
        |t| t.starts_with(&format!("{answered} of ")),
    );
}

fn current_item_id(s: &Session<'_>) -> String {
    let pane = s.wait_for("#journey-item", WAIT);
    s.attr(&pane, "data-item-id")
        .expect("the item pane names its item")
}

#[test]
#[ignore = "needs .ci/test"]
fn onboarding_walk_survives_a_restart() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    let driver = Driver::start(home.path());

    // First run: Lockstep asks which journey.
    let s = driver.session();
    s.wait_for("#journey-choice", WAIT);
    let text = s.text(&s.wait_for("#journey-choice", WAIT));
    for journey in ["Onboarding", "Periodic review", "Travel"] {
        assert!(
            text.contains(journey),
            "the first run offers the {journey} journey; it showed:\n{text}"
        );
    }
    s.click_css(r#"[data-journey="onboarding"]"#);
    s.wait_for("#journey-item", WAIT);
    let (answered, total) = progress(&s);
    assert_eq!(answered, 0, "a fresh profile has no answers");
    assert!(
        total >= 3,
        "onboarding has at least three items to walk, found {total}"
    );
    assert_eq!(
        position(&s),
        (1, total),
        "onboarding starts at its first item"
    );

    // Item 1: Done (answering its confirmation question first, if it has one).
    let first = current_item_id(&s);
    if let Some(radio) = s.try_find("#journey-item .question input[type=radio]") {
        s.click(&radio);
    }
    s.click_css("#act-done");
    expect_progress(&s, 2, 1);

    // Item 2: Not applicable needs a reason; an empty one is refused calmly.
    let second = current_item_id(&s);
    s.click_css("#act-na");
    s.click_css("#act-na-save");
    let reason = s.wait_for("#na-reason", WAIT);
    assert_eq!(
        s.attr(&reason, "aria-invalid").as_deref(),
        Some("true"),
        "an empty reason is marked invalid"
    );
    assert_eq!(progress(&s).0, 1, "an empty reason saves nothing");
    s.send_keys(&reason, "I only publish to crates.io");
    s.click_css("#act-na-save");
    expect_progress(&s, 3, 2);

    // Item 3: Later, which moves on but is not progress.
    let third = current_item_id(&s);
    s.click_css("#act-later");
    expect_progress(&s, 4, 2);
    let fourth = current_item_id(&s);
    assert!(
        [&first, &second, &third].iter().all(|id| **id != fourth),
        "each action moved on to a new item"
    );

    // Keyboard: k goes back, j forward again.
    s.press_key("k");
    expect_progress(&s, 3, 2);
    s.press_key("j");
    expect_progress(&s, 4, 2);

    sidebar_shows_answers(&s, &first, &second, &third);
    every_screen_draws(&s);

    // The app keeps its state under the temporary home, not the real one.
    let state_files: Vec<_> = files_under(&home.path().join("data"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "state.json"))
        .collect();
    assert_eq!(
        state_files.len(),
        1,
        "the app wrote its state under the test's XDG_DATA_HOME: {state_files:?}"
    );
    let state = std::fs::read_to_string(&state_files[0]).expect("read the state");
    assert!(
        state.contains(&second) && state.contains("I only publish to crates.io"),
        "the state holds the answers"
    );
    s.close();

    // Restart: the app reopens the journey at the fourth item with the three answers.
    let s = driver.session();
    s.wait_for("#journey-item", WAIT);
    assert_eq!(
        current_item_id(&s),
        fourth,
        "the app reopens where the user left off"
    );
    expect_progress(&s, 4, 2);
    sidebar_shows_answers(&s, &first, &second, &third);
    keep_screenshot(&s);
    s.close();

    eprintln!(
        "e2e onboarding walk + restart took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Each section of the app opens from the top bar with its heading and no error banner.
#[track_caller]
fn every_screen_draws(s: &Session<'_>) {
    for (route, heading) in [
        ("overview", "Overview"),
        ("checks", "Checks"),
        ("accounts", "Accounts & tokens"),
        ("history", "History"),
        ("travel", "Travel"),
    ] {
        s.click_css(&format!(r#"#nav [data-route="{route}"]"#));
        s.wait_text("#screen-title", WAIT, heading, |t| t == heading);
        let current = s.wait_for(r#"#nav [aria-current="page"]"#, WAIT);
        assert_eq!(
            s.attr(&current, "data-route").as_deref(),
            Some(route),
            "the top bar marks {route} as current"
        );
        let errors = s.find_all(".banner-error");
        assert!(
            errors.is_empty(),
            "{route} drew an error: {}",
            errors
                .iter()
                .map(|e| s.text(e))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    s.click_css(r#"#nav [data-route="journey"]"#);
    s.wait_for("#journey-item", WAIT);
}

#[track_caller]
fn sidebar_shows_answers(s: &Session<'_>, done: &str, not_applicable: &str, later: &str) {
    for (id, status) in [
        (done, "done"),
        (not_applicable, "not_applicable"),
        (later, "later"),
    ] {
        let css = format!(r#".side-item[data-item-id="{id}"][data-item-status="{status}"]"#);
        assert!(
            s.try_find(&css).is_some(),
            "the sidebar shows item {id} as {status}"
        );
    }
    assert_eq!(
        s.find_all(r#".side-item:not([data-item-status="none"])"#)
            .len(),
        3,
        "exactly the three answered items are marked in the sidebar"
    );
    let current = s.wait_for(r#".side-item[aria-current="step"]"#, WAIT);
    assert_eq!(
        s.attr(&current, "data-item-status").as_deref(),
        Some("none"),
        "the current item is still open"
    );
}

/// Writes the README's screenshot when asked to, or when it is missing, so normal runs
/// leave the tree clean.
fn keep_screenshot(s: &Session<'_>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/screenshots/journey.png");
    let asked = std::env::var("LOCKSTEP_UPDATE_SCREENSHOT").is_ok_and(|v| v == "1");
    if !asked && path.exists() {
        return;
    }
    s.set_window_size(1280, 800);
    std::thread::sleep(Duration::from_millis(500)); // let the resized page settle
    let png = s.screenshot();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is a PNG"
    );
    std::fs::create_dir_all(path.parent().expect("screenshot folder"))
        .expect("create the screenshot folder");
    std::fs::write(&path, png).expect("write tests/screenshots/journey.png");
    eprintln!("wrote {}", path.display());
}
