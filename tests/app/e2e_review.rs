//! End-to-end: reviews over time in the real Lockstep window (issue 5). The app runs the
//! checks twice against the loopback fake platforms with a change between the runs, and the
//! "what changed" list (at the end of the run and on the History screen) names the
//! regression first. A second test cancels a run held up by a slow platform.
//!
//! Run: `xvfb-run -a cargo test --test e2e_review -- --test-threads=1 --nocapture`.

use crate::e2e_support;
use crate::e2e_support::{no_error_banner, SERIAL, WAIT};
use crate::fake_platforms;

use e2e_support::{Driver, Session};
use fake_platforms::FakePlatforms;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// A full run includes crates.io, which Lockstep asks at most once a second.
const RUN_WAIT: Duration = Duration::from_secs(90);

/// Starts tauri-driver so that the app it launches talks to `server` only.
fn driver_for(home: &std::path::Path, server: &FakePlatforms) -> Driver {
    let env = server.env("fake-token-for-e2e-reviews");
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Driver::start_with_env(home, &pairs)
}

/// Answers the first-run question (the periodic review journey) and opens Checks.
fn open_checks(s: &Session<'_>) {
    s.wait_until(WAIT, "the app to finish loading", |s| {
        let ready = s.execute("return document.body.dataset.ready || ''", json!([]));
        (ready.as_str() == Some("true")).then_some(())
    });
    if s.try_find("#journey-choice").is_some() {
        s.click_css(r#"[data-journey="review"]"#);
        s.wait_for(r#"main[data-screen="journey"]"#, WAIT);
    }
    s.click_css(r#"#nav [data-route="checks"]"#);
    s.wait_for("#checks #run-progress", WAIT);
}

/// The run's state (`running`, `finished`, `cancelled`, `idle`) and number from the
/// progress block.
fn run_state(s: &Session<'_>) -> (String, u64) {
    let v = s.execute(
        "const p = document.getElementById('run-progress');
         return p ? [p.dataset.runState, Number(p.dataset.runNumber)] : ['', 0];",
        json!([]),
    );
    (
        v[0].as_str().unwrap_or_default().to_string(),
        v[1].as_u64().unwrap_or(0),
    )
}

/// Waits until run number `n` has ended; returns its end state.
#[track_caller]
fn wait_run_end(s: &Session<'_>, n: u64, timeout: Duration) -> String {
    s.wait_until(timeout, &format!("run {n} ending"), |s| {
        let (state, number) = run_state(s);
        (number == n && (state == "finished" || state == "cancelled")).then_some(state)
    })
}

/// `(value, max)` of the progress bar and the status line under it.
fn progress(s: &Session<'_>) -> (f64, f64, String) {
    let v = s.execute(
        "const p = document.getElementById('checks-progress');
         const t = document.getElementById('checks-status');
         return [p.value, p.max, t ? t.textContent : ''];",
        json!([]),
    );
    (
        v[0].as_f64().unwrap_or(-1.0),
        v[1].as_f64().unwrap_or(-1.0),
        v[2].as_str().unwrap_or_default().to_string(),
    )
}

/// The status each check row on the Checks screen shows, with its summary.
fn check_rows(s: &Session<'_>) -> Vec<(String, String, String)> {
    let v = s.execute(
        "return [...document.querySelectorAll('#checks .result[data-check-id]')].map((r) =>
            [r.dataset.checkId, r.dataset.status,
             (r.querySelector('.result-summary') || r).textContent]);",
        json!([]),
    );
    rows(&v)
}

/// The "what changed" items under `scope`, in the order shown: (kind, id, from, to, text).
#[derive(Debug)]
struct ChangeItem {
    kind: String,
    id: String,
    from: String,
    to: String,
    text: String,
}

fn changes_shown(s: &Session<'_>, scope: &str) -> Vec<ChangeItem> {
    let v = s.execute(
        "return [...document.querySelectorAll(arguments[0] + ' #change-list li')].map((li) =>
            [li.dataset.kind, li.dataset.checkId, li.dataset.from || '', li.dataset.to || '',
             li.textContent]);",
        json!([scope]),
    );
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    let f = |i: usize| c[i].as_str().unwrap_or_default().to_string();
                    ChangeItem {
                        kind: f(0),
                        id: f(1),
                        from: f(2),
                        to: f(3),
                        text: f(4),
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

fn rows(v: &Value) -> Vec<(String, String, String)> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let f = |i: usize| r[i].as_str().unwrap_or_default().to_string();
                    (f(0), f(1), f(2))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The second review's changes: the GitHub 2FA regression first, then the npm owner who
/// left and the new PyPI owner.
#[track_caller]
fn assert_second_review_changes(changes: &[ChangeItem], where_: &str) {
    let first = changes
        .first()
        .unwrap_or_else(|| panic!("{where_}: no changes listed"));
    assert_eq!(
        (first.id.as_str(), first.kind.as_str()),
        ("github.two_factor", "worse"),
        "{where_}: the GitHub two-factor regression is listed first: {changes:#?}"
    );
    assert_eq!(
        (first.from.as_str(), first.to.as_str()),
        ("pass", "fail"),
        "{where_}: two-factor went from pass to fail: {first:?}"
    );
    let npm = changes
        .iter()
        .position(|c| c.id == "npm.package_owners" && c.kind == "owner_removed")
        .unwrap_or_else(|| panic!("{where_}: the npm owner removal is listed: {changes:#?}"));
    assert!(
        changes[npm].text.contains("alice"),
        "{where_}: the removal names the owner who left: {:?}",
        changes[npm]
    );
    let pypi = changes
        .iter()
        .position(|c| c.kind == "owner_added" && c.text.contains("mallory"))
        .unwrap_or_else(|| panic!("{where_}: the new PyPI owner is listed: {changes:#?}"));
    assert!(
        changes[pypi].id.starts_with("pypi."),
        "{where_}: the new owner is on PyPI: {:?}",
        changes[pypi]
    );
    assert!(npm < pypi, "{where_}: a removal comes before an addition");
}

#[test]
#[ignore = "needs .ci/test"]
fn second_review_lists_the_regression_first() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    let server = FakePlatforms::start();
    let driver = driver_for(home.path(), &server);
    let s = driver.session();
    open_checks(&s);

    // First review: every check, against the fake platforms.
    assert_eq!(run_state(&s), ("idle".to_string(), 0), "nothing ran yet");
    s.click_css("#run-checks");
    let end = wait_run_end(&s, 1, RUN_WAIT);
    assert_eq!(end, "finished", "the first run was not cancelled");
    let (value, max, status) = progress(&s);
    assert!(
        max >= 3.0 && value == max,
        "the progress bar reached its end: {value} of {max} ({status})"
    );
    assert!(
        status.starts_with("Finished at") && status.contains(&format!("{max} of {max}")),
        "the status line says every check ran: {status:?}"
    );
    let first_rows = check_rows(&s);
    let two_factor = first_rows
        .iter()
        .find(|r| r.0 == "github.two_factor")
        .unwrap_or_else(|| panic!("github.two_factor is shown: {first_rows:?}"));
    assert_eq!(
        two_factor.1, "pass",
        "GitHub 2FA passes against the fake server (so its URL and token reached the app): {two_factor:?}"
    );
    assert!(
        server
            .seen()
            .iter()
            .any(|r| r.path.starts_with("/github/user?")
                && r.credentials
                    .iter()
                    .any(|c| c.contains("fake-token-for-e2e-reviews"))),
        "the app asked the fake GitHub with the test's token"
    );
    assert!(
        !first_rows.iter().any(|r| r.1 == "running"),
        "no check is still running after the run: {first_rows:?}"
    );
    assert!(
        s.try_find("#run-changes").is_none(),
        "the first review has no changes to show"
    );
    let first_note = s.wait_for("#run-no-changes", Duration::from_secs(10));
    assert!(
        s.text(&first_note).contains("first review"),
        "the first run says it is the first review: {}",
        s.text(&first_note)
    );
    no_error_banner(&s, "after the first run");

    // The world changes: 2FA switched off, an npm co-owner leaves, a PyPI owner appears.
    server.change(|sc| {
        sc.github_two_factor = false;
        sc.npm_maintainers = vec!["octo"];
        sc.pypi_owners.push("mallory");
    });

    // Second review.
    s.click_css("#run-checks");
    let end = wait_run_end(&s, 2, RUN_WAIT);
    assert_eq!(end, "finished", "the second run was not cancelled");
    let (value, max, _) = progress(&s);
    assert_eq!(value, max, "the second run's progress reached its end");
    s.wait_text(
        r#"#checks [data-check-id="github.two_factor"] .result-summary"#,
        WAIT,
        "a two-factor result",
        |t| !t.is_empty(),
    );
    assert!(
        s.try_find(r#"#checks .result[data-check-id="github.two_factor"][data-status="fail"]"#)
            .is_some(),
        "GitHub 2FA now fails on the Checks screen: {:?}",
        check_rows(&s)
            .into_iter()
            .find(|r| r.0 == "github.two_factor")
    );
    s.wait_text(
        "#run-changes #changes-h",
        WAIT,
        "the what-changed heading",
        |t| t.contains("What changed"),
    );
    let after_run = changes_shown(&s, "#run-changes");
    eprintln!(
        "changes after the second run:\n{}",
        after_run
            .iter()
            .map(|c| format!("  {} {} {}→{}: {}", c.kind, c.id, c.from, c.to, c.text))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert_second_review_changes(&after_run, "end of the run");
    no_error_banner(&s, "after the second run");

    // History: two reviews; the latest one opens with the same changes, worse first.
    s.click_css(r#"#nav [data-route="history"]"#);
    let items = s.wait_until(WAIT, "two reviews on the timeline", |s| {
        let items = s.find_all("#history .timeline-item[data-review-id]");
        (items.len() >= 2).then_some(items)
    });
    assert_eq!(items.len(), 2, "the timeline holds exactly the two reviews");
    let ids: Vec<String> = items
        .iter()
        .map(|e| s.attr(e, "data-review-id").expect("a review id"))
        .collect();
    assert_ne!(ids[0], ids[1], "two distinct reviews");
    // The timeline lists the newest first.
    s.click(&items[0]);
    let detail = format!(
        r#"#review-detail[data-review-id="{}"][data-loaded="true"]"#,
        ids[0]
    );
    s.wait_for(&detail, WAIT);
    s.wait_text("#review-h", WAIT, "the review's heading", |t| {
        t.starts_with("Review of ")
    });
    let in_history = changes_shown(&s, "#review-detail");
    assert_second_review_changes(&in_history, "History, latest review");
    assert_eq!(
        in_history.len(),
        after_run.len(),
        "History lists the same changes as the end of the run"
    );
    let current = s.wait_for(r#"#history .timeline-item[aria-current="true"]"#, WAIT);
    assert_eq!(
        s.attr(&current, "data-review-id").as_deref(),
        Some(ids[0].as_str()),
        "the timeline marks the opened review"
    );

    // The older review is the first one: nothing to compare it with.
    s.click(&s.find_all("#history .timeline-item[data-review-id]")[1]);
    s.wait_for(
        &format!(
            r#"#review-detail[data-review-id="{}"][data-loaded="true"]"#,
            ids[1]
        ),
        WAIT,
    );
    s.wait_text(
        "#review-detail #no-changes",
        WAIT,
        "the first-review note",
        |t| t.contains("first review"),
    );
    no_error_banner(&s, "on the History screen");
    s.close();

    eprintln!(
        "e2e two reviews with a change took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "needs .ci/test"]
fn a_cancelled_run_ends_with_unknowns_never_failures() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let home = tempfile::tempdir().expect("a temporary home");
    let server = FakePlatforms::start();
    server.change(|sc| sc.slow = true);
    let driver = driver_for(home.path(), &server);
    let s = driver.session();
    open_checks(&s);

    // Only GitHub, which now takes a minute to answer.
    s.click_css(r#"#checks [data-run-group="github"]"#);
    s.wait_until(WAIT, "the app asking the slow GitHub", |_| {
        server
            .seen()
            .iter()
            .any(|r| r.path.starts_with("/github/"))
            .then_some(())
    });
    assert_eq!(
        run_state(&s),
        ("running".to_string(), 1),
        "the run is under way"
    );
    let cancel_clicked = Instant::now();
    s.click_css("#cancel-checks");
    let end = wait_run_end(&s, 1, WAIT);
    assert_eq!(end, "cancelled", "the run ends as cancelled");
    assert!(
        cancel_clicked.elapsed() < fake_platforms::SLOW_DELAY / 2,
        "the run ended because of Cancel, not because GitHub finally answered"
    );
    s.wait_text("#checks-status", WAIT, "the cancelled status", |t| {
        t.starts_with("Cancelled at")
    });
    assert!(
        s.try_find("#cancel-checks").is_none(),
        "Cancel is gone once the run has ended"
    );

    let github: Vec<_> = check_rows(&s)
        .into_iter()
        .filter(|r| r.0.starts_with("github."))
        .collect();
    assert!(!github.is_empty(), "the GitHub checks are shown");
    for (id, status, summary) in &github {
        assert_ne!(
            status, "fail",
            "{id}: a cancelled check never fails: {summary}"
        );
        assert_ne!(status, "running", "{id}: nothing is still running");
    }
    let unknown: Vec<_> = github.iter().filter(|r| r.1 == "unknown").collect();
    assert!(
        !unknown.is_empty(),
        "the unfinished GitHub checks show unknown: {github:?}"
    );
    for (id, _, summary) in &unknown {
        assert!(
            summary.contains("cancelled"),
            "{id}: the unknown says the run was cancelled: {summary:?}"
        );
    }
    let two_factor = github.iter().find(|r| r.0 == "github.two_factor");
    assert_eq!(
        two_factor.map(|r| r.1.as_str()),
        Some("unknown"),
        "two-factor (which needs the slow GitHub) is unknown: {github:?}"
    );
    no_error_banner(&s, "after cancelling");

    // A cancelled run is not saved as a review.
    s.click_css(r#"#nav [data-route="history"]"#);
    s.wait_text("#history .timeline", WAIT, "the empty timeline", |t| {
        t.contains("No reviews yet")
    });
    s.close();

    eprintln!(
        "e2e cancelled run took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
