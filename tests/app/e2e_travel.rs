//! End-to-end: Travel is a trip (issue 9), in the real Lockstep window under Xvfb through
//! tauri-driver and WebKitWebDriver. A state file from before trips (format 2, one travel
//! step done) opens as the trip under way; the before steps, "I'm back", the after steps and
//! "Finish this trip" happen on one screen by keyboard, with the focus staying on the control
//! that started each action; a new trip starts clean, and the first one is in History, also
//! after a restart.
//!
//! Run: `.ci/test --test app e2e_travel::`.

use crate::e2e_support::{data_dir, open_screen, wait_ready, WAIT};
use crate::e2e_support::{Driver, Session};
use serde_json::{json, Value};
use std::time::Duration;

/// The device checks run local tools with their own time-outs.
const RUN_WAIT: Duration = Duration::from_secs(90);

/// The trip's phase as the Travel screen shows it: none, before or after.
fn wait_phase(s: &Session<'_>, phase: &str) {
    s.wait_for(&format!(r#"#travel[data-trip-phase="{phase}"]"#), WAIT);
}

#[track_caller]
fn no_error_banner(s: &Session<'_>, when: &str) {
    let errors: Vec<String> = s
        .find_all(".banner-error")
        .iter()
        .map(|e| s.text(e))
        .collect();
    assert!(
        errors.is_empty(),
        "{when}: the window shows an error: {errors:?}"
    );
}

/// The ids of the steps listed for `phase` on the Travel screen, with whether each is done.
fn steps(s: &Session<'_>, phase: &str) -> Vec<(String, bool)> {
    let v = s.execute(
        "return [...document.querySelectorAll(`#travel [data-phase=\"${arguments[0]}\"] [data-mark-done]`)]
           .map((b) => [b.dataset.markDone, b.getAttribute('aria-pressed') === 'true']);",
        json!([phase]),
    );
    v.as_array()
        .expect("a list of steps")
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap_or_default().to_string(),
                p[1].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

/// Marks a step done by keyboard and checks the focus stayed on its button.
#[track_caller]
fn mark_done(s: &Session<'_>, item: &str) {
    let button = format!(r#"#travel [data-mark-done="{item}"]"#);
    s.focus_and_enter(&button);
    s.wait_for(&format!(r#"{button}[aria-pressed="true"]"#), WAIT);
    let focused = s.focused();
    assert!(
        focused.contains(&format!("[data-mark-done={item}]")),
        "after Mark done, focus is back on {item}'s button, not {focused:?}"
    );
}

/// Presses the trip button by keyboard, waits for `phase`, and checks the focus is on it.
#[track_caller]
fn trip_next(s: &Session<'_>, expect_label: &str, phase: &str) {
    let label = s.text(&s.wait_for("#trip-next", WAIT));
    assert_eq!(label, expect_label, "the trip button says what it does");
    s.focus_and_enter("#trip-next");
    wait_phase(s, phase);
    s.wait_until(WAIT, "the trip button to be usable again", |s| {
        let busy = s.execute(
            "return document.getElementById('trip-next')?.getAttribute('aria-disabled') === 'true'",
            json!([]),
        );
        (busy.as_bool() == Some(false)).then_some(())
    });
    let focused = s.focused();
    assert!(
        focused.starts_with("button#trip-next"),
        "after \"{expect_label}\", focus is on the trip button, not {focused:?}"
    );
}

/// Runs "Check this device" by keyboard; the focus stays on the button.
fn check_device(s: &Session<'_>) {
    s.focus_and_enter("#run-device-checks");
    s.wait_until(RUN_WAIT, "the device check to end", |s| {
        let v = s.execute(
            "const b = document.getElementById('run-device-checks');
             const busy = !b || b.getAttribute('aria-disabled') === 'true';
             const running = document.querySelector('#travel .result[data-status=\"running\"]');
             return !busy && !running;",
            json!([]),
        );
        (v.as_bool() == Some(true)).then_some(())
    });
    let focused = s.focused();
    assert!(
        focused.starts_with("button#run-device-checks"),
        "after the device check, focus is on its button, not {focused:?}"
    );
}

/// The past trips History shows: for each, its text and the answers per step id.
fn past_trips(s: &Session<'_>) -> Vec<(String, Value)> {
    open_screen(s, "history");
    s.wait_for("#past-trips", WAIT);
    let v = s.execute(
        "return [...document.querySelectorAll('#past-trips .past-trip')].map((t) => [t.textContent,
           Object.fromEntries([...t.querySelectorAll('[data-item-id]')].map((li) => [li.dataset.itemId, li.dataset.answer]))]);",
        json!([]),
    );
    v.as_array()
        .expect("a list of trips")
        .iter()
        .map(|t| (t[0].as_str().unwrap_or_default().to_string(), t[1].clone()))
        .collect()
}

#[test]
#[ignore = "needs .ci/test"]
fn a_trip_goes_before_then_after_and_a_new_trip_starts_clean() {
    let home = tempfile::tempdir().expect("a temporary home");
    // A state file written before trips existed (format 2), one travel step already done.
    let dir = data_dir(home.path());
    std::fs::create_dir_all(&dir).expect("create the data folder");
    let old = json!({"version": 2, "journey": "onboarding", "positions": {},
        "answers": {"travel-power-off": {"status": "done", "updated_at": "2026-11-29T18:00:00Z"}},
        "settings": {}, "tokens": {}, "last_notified_on": null});
    std::fs::write(dir.join("state.json"), old.to_string()).expect("write state.json");

    let driver = Driver::start(home.path());
    let s = driver.session();
    wait_ready(&s);
    no_error_banner(&s, "opening an older state file");
    open_screen(&s, "travel");

    // The older file's travel answer is the trip under way, before leaving.
    wait_phase(&s, "before");
    let before = steps(&s, "before");
    assert!(
        before.len() >= 2,
        "the trip lists its before steps: {before:?}"
    );
    assert!(
        before.contains(&("travel-power-off".to_string(), true)),
        "the answer from the older file is kept: {before:?}"
    );

    // The before steps, then the device check, all by keyboard.
    for (item, done) in &before {
        if !done {
            mark_done(&s, item);
        }
    }
    assert!(steps(&s, "before").iter().all(|(_, d)| *d));
    check_device(&s);
    no_error_banner(&s, "after the before steps");

    // Back home: the after steps are the current ones; the before steps are folded away.
    trip_next(&s, "I'm back: show the after steps", "after");
    let after = steps(&s, "after");
    assert!(
        after.len() >= 2,
        "the trip lists its after steps: {after:?}"
    );
    assert!(
        after.iter().all(|(_, d)| !d),
        "nothing after is done yet: {after:?}"
    );
    assert!(
        s.try_find(r#"#travel [data-phase="before"] details:not([open])"#)
            .is_some(),
        "the before steps are folded once back"
    );
    mark_done(&s, &after[0].0);
    check_device(&s);

    // Finish the trip: it goes to History, and a new trip starts with nothing done.
    trip_next(&s, "Finish this trip", "none");
    trip_next(&s, "Start a new trip", "before");
    let fresh: Vec<(String, bool)> = steps(&s, "before")
        .into_iter()
        .chain(steps(&s, "after"))
        .collect();
    assert!(
        fresh.iter().all(|(_, d)| !d),
        "the new trip starts clean: {fresh:?}"
    );
    let status = s.text(&s.wait_for("#trip-status", WAIT));
    assert!(
        status.starts_with(&format!("0 of {} steps", before.len())),
        "{status:?}"
    );
    no_error_banner(&s, "after starting a new trip");

    // History keeps the first trip: which steps were done before and after, and the device.
    let check_history = |s: &Session<'_>| {
        let trips = past_trips(s);
        assert_eq!(trips.len(), 1, "one finished trip: {trips:?}");
        let (text, answers) = &trips[0];
        let n = before.len();
        assert!(
            text.contains(&format!("Before leaving: {n} of {n} steps done")),
            "{text}"
        );
        assert!(
            text.contains(&format!(
                "After coming back: 1 of {} steps done",
                after.len()
            )),
            "{text}"
        );
        assert_eq!(answers[&after[0].0], "done", "{answers}");
        assert_eq!(answers[&after[1].0], "none", "{answers}");
        assert_eq!(
            text.matches("Device checked").count(),
            2,
            "the device checks before and after are kept: {text}"
        );
    };
    check_history(&s);
    s.close();

    // After a restart: the first trip is still in History, the new one still under way.
    let s = driver.session();
    wait_ready(&s);
    check_history(&s);
    open_screen(&s, "travel");
    wait_phase(&s, "before");
    assert!(steps(&s, "before").iter().all(|(_, d)| !d));
    s.close();
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.join("state.json")).expect("read state.json"))
            .expect("state.json is JSON");
    assert_eq!(saved["version"], 3, "{saved}");
    assert_eq!(saved["past_trips"].as_array().map(Vec::len), Some(1));
}
