//! The core's side of every non-network UI command, at 0, 1, 200 and 2,000 saved reviews:
//! p50 and p99 per operation, and how the first screen, `status` and `report` at 2,000
//! reviews compare with an empty history (target: at most 1.2x; every command < 5 ms p99).
//!
//! Histories are written as review files the way Lockstep writes them, then left to settle
//! (the app is started long after the last review was saved); the first read builds the
//! review index. What that first read costs is printed too ("index rebuilt"). Then reviews are
//! recorded through the app's store as a check run does ("record a review", "first screen
//! after a review": one index line appended, trusted by its writer), and the one-off costs
//! are printed: the first read once the folder has settled (the appended lines are checked
//! against the folder once) and the first read after another process wrote a review.
//!
//! State changes (answer, choose journey, set position, save settings, trip action) are timed
//! as the window sees them: applied in memory and queued for the background writer
//! (`state_writer.rs`). "flush after a change" is the writer's own cost (lock, read, replay,
//! temp file + fsync, rename, folder fsync), and the "step:" rows split it.
//!
//! "list reviews" returns the whole history (`Lockstep::list_reviews`, kept for the record);
//! the window asks for pages of 50 (`Lockstep::review_page`): "(first page)" the newest 50,
//! "(a page deep)" the 50 older than the review halfway down the history.
//!
//! Run: `cargo bench -p lockstep-core --bench ui_ops`
//! Options (environment):
//! - `LOCKSTEP_BENCH_LARGE=1` adds 2,000 large reviews (a maintainer of 200 packages).
//! - `LOCKSTEP_BENCH_KEYCHAIN=1` also lists tokens from the real Secret Service (run inside a
//!   D-Bus session with an unlocked gnome-keyring, as `.ci/test` sets up).

use lockstep_core::app::{Lockstep, Setup};
use lockstep_core::atomic_file::{prepare_atomic, sync_dir};
use lockstep_core::catalogue::{Catalogue, Journey};
use lockstep_core::check::{CheckResult, Observed, Status};
use lockstep_core::check_registry::CHECKS;
use lockstep_core::dirs::AppDirs;
use lockstep_core::engine::Limits;
use lockstep_core::history::{render_changes_text, ReportFormat, Review};
use lockstep_core::keychain::{MemoryKeychain, OsKeychain, TokenStore};
use lockstep_core::platform::Platform;
use lockstep_core::secret::Secret;
use lockstep_core::settings::EnvVars;
use lockstep_core::state::{Answer, AnswerStatus, StateStore};
use lockstep_core::trip::TripAction;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use time::OffsetDateTime;

const SIZES: [usize; 4] = [0, 1, 200, 2000];

/// A review as a full run writes it: every check, with evidence and observed facts.
/// `packages` owners per package, as npm/PyPI/RubyGems/crates.io report them.
fn review(i: usize, packages: usize) -> Review {
    let at = OffsetDateTime::UNIX_EPOCH
        + time::Duration::days(20_000)
        + time::Duration::hours(i as i64 * 24);
    let statuses = [
        Status::Pass,
        Status::Warn,
        Status::Pass,
        Status::Unknown,
        Status::Fail,
    ];
    let results = CHECKS
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let mut observed = Observed::default();
            if c.id.ends_with("package_owners") {
                for p in 0..packages {
                    observed.owners.insert(
                        format!("{}-package-{p}", c.id),
                        (0..1 + p % 3).map(|o| format!("owner-{o}")).collect(),
                    );
                }
            }
            if c.id == "email.domain" {
                observed
                    .expires
                    .insert("example.org".into(), "2099-09-01".into());
            }
            CheckResult::new(
                c,
                statuses[(i + k) % statuses.len()],
                format!("{} looked at.", c.title),
            )
            .with_evidence([format!("{}: evidence line", c.id)])
            .with_observed(observed)
        })
        .collect();
    let mut answers = BTreeMap::new();
    for item in Catalogue::builtin().items.iter().take(12) {
        answers.insert(
            item.id.to_string(),
            Answer {
                status: AnswerStatus::Done,
                reason: None,
                choice: None,
                updated_at: at,
            },
        );
    }
    Review::new(at, Some(Journey::Review), results, answers)
}

/// Writes `n` reviews and moves the folder's time back a minute: a history at rest.
fn write_history(dir: &Path, n: usize, packages: usize) -> Vec<String> {
    std::fs::create_dir_all(dir).unwrap();
    let ids: Vec<String> = (0..n)
        .map(|i| {
            let r = review(i, packages);
            std::fs::write(
                dir.join(format!("{}.json", r.id)),
                serde_json::to_vec_pretty(&r).unwrap(),
            )
            .unwrap();
            r.id
        })
        .collect();
    settle(dir);
    ids
}

fn settle(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.set_modified(SystemTime::now() - Duration::from_secs(60));
    }
}

fn open(root: &Path, tokens: Arc<dyn TokenStore>) -> Lockstep {
    Lockstep::open(
        Setup {
            dirs: AppDirs::under(root),
            tokens,
            env: EnvVars::default(),
            home: root.join("home"),
            probes: Vec::new(),
            limits: Limits::default(),
        },
        OffsetDateTime::now_utc(),
    )
    .unwrap()
}

/// The core work of `app_snapshot`: the latest review once, its due date, state, catalogue,
/// encoded as JSON for the window.
fn first_screen(l: &Lockstep, now: OffsetDateTime) -> usize {
    let latest = l.latest_review(now).unwrap();
    let due = l.status_of(now, latest.as_ref());
    let json = serde_json::to_vec(&serde_json::json!({
        "state": l.state(),
        "notice": l.notice(),
        "catalogue": &Catalogue::builtin().items,
        "checks": CHECKS.iter().map(|c| (c.id, c.title)).collect::<Vec<_>>(),
        "latest_results": latest.map(|r| r.results).unwrap_or_default(),
        "due": due,
    }))
    .unwrap();
    json.len()
}

/// A named operation and how many times to time it.
type Op<'a> = (&'static str, usize, Box<dyn Fn() + 'a>);

struct Stats {
    p50: Duration,
    p99: Duration,
    /// p99 of the time minus what the thread spent waiting for a CPU (Linux), so a loaded
    /// machine's queueing can be told from the work (disk waits still count).
    p99_unqueued: Option<Duration>,
}

/// One timed sample: wall time, and wall time minus CPU queueing when the kernel tells it.
type Sample = (Duration, Option<Duration>);

/// How long this thread has waited for a CPU so far (Linux: `/proc/thread-self/schedstat`,
/// second field, run-queue delay in ns); `None` elsewhere.
fn queued() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns = s.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn timed(f: impl FnOnce()) -> Sample {
    let q = queued();
    let t = Instant::now();
    f();
    let wall = t.elapsed();
    let waited = q.zip(queued()).map(|(a, b)| b.saturating_sub(a));
    (wall, waited.map(|w| wall.saturating_sub(w)))
}

fn measure(iterations: usize, mut f: impl FnMut()) -> Stats {
    for _ in 0..iterations.min(20) {
        f();
    }
    stats((0..iterations).map(|_| timed(&mut f)).collect())
}

fn stats(all: Vec<Sample>) -> Stats {
    let mut samples: Vec<Duration> = all.iter().map(|s| s.0).collect();
    let mut unqueued: Vec<Duration> = all.iter().filter_map(|s| s.1).collect();
    unqueued.sort();
    samples.sort();
    let at =
        |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    let p99_unqueued = (unqueued.len() == samples.len()).then(|| {
        unqueued[((unqueued.len() as f64 * 0.99).ceil() as usize).clamp(1, unqueued.len()) - 1]
    });
    Stats {
        p50: at(0.50),
        p99: at(0.99),
        p99_unqueued,
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn row(name: &str, n: usize, s: &Stats) {
    println!(
        "  {name:<28} {n:>5} reviews   p50 {:>8.3} ms   p99 {:>8.3} ms{}",
        ms(s.p50),
        ms(s.p99),
        s.p99_unqueued
            .map(|d| format!("   p99 less CPU queueing {:>8.3} ms", ms(d)))
            .unwrap_or_default()
    );
}

/// Every state-changing command as the window sees it (applied in memory, queued for the
/// background writer), the writer's own cost ("flush after a change"), and that cost step by
/// step: where the old synchronous save spent its time.
fn state_changes(l: &Lockstep, n: usize, now: OffsetDateTime) {
    let items = &Catalogue::builtin().items;
    let in_onboarding: Vec<&str> = items
        .iter()
        .filter(|i| i.journeys.contains(&Journey::Onboarding))
        .map(|i| i.id.as_str())
        .collect();
    let k = std::cell::Cell::new(0usize);
    let next = || {
        k.set(k.get() + 1);
        k.get()
    };
    let answer = || {
        l.answer(
            &items[next() % items.len()].id,
            Some(AnswerStatus::Done),
            None,
            None,
            now,
        )
        .unwrap();
    };
    l.flush().unwrap();
    let ops: [Op; 6] = [
        ("answer an item", 200, Box::new(answer)),
        (
            "choose journey",
            200,
            Box::new(|| {
                let j = [Journey::Onboarding, Journey::Review][next() % 2];
                l.choose_journey(j).unwrap();
            }),
        ),
        (
            "set position",
            200,
            Box::new(|| {
                let id = in_onboarding[next() % in_onboarding.len()];
                l.set_position(Journey::Onboarding, id).unwrap();
            }),
        ),
        (
            "save settings",
            200,
            Box::new(|| {
                let mut settings = l.state().settings;
                settings.review_interval_days = 80 + (next() % 10) as u32;
                l.save_settings(settings).unwrap();
            }),
        ),
        (
            "trip action (start/finish)",
            100,
            Box::new(|| {
                let action = [TripAction::Start, TripAction::Finish][next() % 2];
                let _ = l.trip_action(action, now);
            }),
        ),
        (
            "flush after a change",
            100,
            Box::new(|| {
                answer();
                l.flush().unwrap();
            }),
        ),
    ];
    for (name, iterations, f) in ops.iter() {
        row(name, n, &measure(*iterations, f));
    }
    drop(ops);
    l.flush().unwrap();

    // The save, step by step (what "flush after a change" does once per batch).
    let store = StateStore::new(l.dirs().state_file());
    let state = l.state();
    let bytes = store.encode(&state).unwrap();
    let steps: [Op; 5] = [
        (
            "  step: read + parse",
            50,
            Box::new(|| {
                store.load(now).unwrap();
            }),
        ),
        (
            "  step: serialize",
            50,
            Box::new(|| {
                store.encode(&state).unwrap();
            }),
        ),
        (
            "  step: temp write + fsync",
            50,
            Box::new(|| {
                drop(prepare_atomic(store.path(), &bytes).unwrap());
            }),
        ),
        (
            "  step: rename",
            50,
            Box::new(|| {
                let p = prepare_atomic(store.path(), &bytes).unwrap();
                let t = timed(|| p.commit().unwrap());
                RENAME.with(|r| r.borrow_mut().push(t));
            }),
        ),
        (
            "  step: fsync folder",
            50,
            Box::new(|| sync_dir(store.path())),
        ),
    ];
    for (name, iterations, f) in steps.iter() {
        let s = measure(*iterations, f);
        if name.ends_with("rename") {
            // Only the rename itself, not the temp file made for it.
            row(name, n, &stats(RENAME.with(|r| r.take())));
        } else {
            row(name, n, &s);
        }
    }
    println!(
        "  (state file: {} bytes, {} answers)",
        bytes.len(),
        state.answers.len()
    );
}

thread_local! {
    static RENAME: std::cell::RefCell<Vec<Sample>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn main() {
    let now = OffsetDateTime::now_utc();
    let large = std::env::var_os("LOCKSTEP_BENCH_LARGE").is_some();
    let mut histories: Vec<(usize, usize, &str)> = SIZES.iter().map(|&n| (n, 4, "")).collect();
    if large {
        histories.push((2000, 200, " (large)"));
    }
    let mut p50s: BTreeMap<(&str, String), Duration> = BTreeMap::new();
    println!("UI operations in the core (p50/p99 over many calls; target < 5 ms p99)");
    for (n, packages, label) in histories {
        let root = tempfile::tempdir().unwrap();
        let ids = write_history(&AppDirs::under(root.path()).reviews_dir(), n, packages);
        let tokens = Arc::new(MemoryKeychain::default());
        for p in [Platform::Github, Platform::Npm, Platform::Pypi] {
            tokens.set(p, &Secret::new("bench-token")).unwrap();
        }
        let l = open(root.path(), tokens);
        let key = format!("{n}{label}");
        let size = ids
            .first()
            .and_then(|id| {
                std::fs::metadata(
                    AppDirs::under(root.path())
                        .reviews_dir()
                        .join(format!("{id}.json")),
                )
                .ok()
            })
            .map(|m| format!(", {} KiB each", m.len() / 1024))
            .unwrap_or_default();
        println!("history: {n} reviews{label}{size}");

        let t = Instant::now();
        l.list_reviews(now).unwrap();
        let rebuilt = t.elapsed();
        // The first read created the index folder, which changed the reviews folder: past
        // index::RACY one more read leaves an index trusted without listing the folder.
        std::thread::sleep(Duration::from_millis(2100));
        l.list_reviews(now).unwrap();
        println!(
            "  {:<28} {n:>5} reviews   once {:>7.3} ms",
            "index rebuilt (first read)",
            ms(rebuilt)
        );

        let runs: [Op; 8] = [
            (
                "first screen (snapshot)",
                300,
                Box::new(|| {
                    first_screen(&l, now);
                }),
            ),
            (
                "status",
                500,
                Box::new(|| {
                    lockstep_core::history::due::render_status_text(&l.status_report(now).unwrap());
                }),
            ),
            (
                "report (latest, markdown)",
                300,
                Box::new(|| {
                    let _ = l.report(None, ReportFormat::Markdown, now);
                }),
            ),
            (
                "list reviews",
                200,
                Box::new(|| {
                    serde_json::to_vec(&l.list_reviews(now).unwrap()).unwrap();
                }),
            ),
            (
                "list reviews (first page)",
                500,
                Box::new(|| {
                    serde_json::to_vec(&l.review_page(None, 50, now).unwrap()).unwrap();
                }),
            ),
            (
                // The 50 older than the review halfway down the history (the first page at 0).
                "list reviews (a page deep)",
                300,
                Box::new(|| {
                    let before = ids.get(ids.len() / 2).map(String::as_str);
                    serde_json::to_vec(&l.review_page(before, 50, now).unwrap()).unwrap();
                }),
            ),
            (
                "open a review",
                300,
                Box::new(|| {
                    if let Some(id) = ids.get(ids.len() / 2) {
                        let (r, changes) = l.open_review(id, now).unwrap();
                        serde_json::to_vec(&r).unwrap();
                        render_changes_text(&changes);
                    }
                }),
            ),
            (
                "list tokens (memory fake)",
                500,
                Box::new(|| {
                    l.token_statuses(now);
                }),
            ),
        ];
        for (name, iterations, f) in runs.iter() {
            let s = measure(*iterations, f);
            row(name, n, &s);
            p50s.insert((name, key.clone()), s.p50);
        }
        drop(runs);
        state_changes(&l, n, now);

        // A review recorded by this app (as `run_checks` does: through its store), then the
        // first screen: the index has one line appended, which the store that wrote it trusts.
        let mut k = 0;
        let mut record_samples = Vec::new();
        let mut after_samples = Vec::new();
        for _ in 0..40 {
            k += 1;
            let r = review(100_000 + k, packages);
            record_samples.push(timed(|| {
                l.reviews()
                    .record(r.checked_at, r.journey, r.results, r.answers)
                    .unwrap();
            }));
            after_samples.push(timed(|| {
                first_screen(&l, now);
            }));
        }
        let record = stats(record_samples);
        row("record a review", n, &record);
        let after = stats(after_samples);
        row("first screen after a review", n, &after);
        p50s.insert(("first screen after a review", key.clone()), after.p50);

        // One-off costs, for the record (not per command):
        // - the first read once the folder settled (RACY after the last review): the index is
        //   no longer the writer's to trust, so it is checked against the folder and folded;
        let mut settled_samples = Vec::new();
        for _ in 0..3 {
            k += 1;
            let r = review(100_000 + k, packages);
            l.reviews()
                .record(r.checked_at, r.journey, r.results, r.answers)
                .unwrap();
            std::thread::sleep(lockstep_core::history::index::RACY + Duration::from_millis(100));
            settled_samples.push(timed(|| {
                first_screen(&l, now);
            }));
        }
        row("first read once settled (1x)", n, &stats(settled_samples));
        // - the first read after another process (the CLI) wrote a review: listed once.
        let dir = AppDirs::under(root.path()).reviews_dir();
        let s = measure(10, || {
            k += 1;
            let r = review(100_000 + k, packages);
            std::fs::write(
                dir.join(format!("{}.json", r.id)),
                serde_json::to_vec_pretty(&r).unwrap(),
            )
            .unwrap();
            first_screen(&l, now);
        });
        row("read after a CLI review (1x)", n, &s);
    }

    println!("ratios, p50 at 2,000 reviews / p50 at 0 and at 200 (target <= 1.2):");
    for name in [
        "first screen (snapshot)",
        "status",
        "report (latest, markdown)",
        "first screen after a review",
        "list reviews",
        "list reviews (first page)",
        "open a review",
    ] {
        // With no review there is nothing to report, list or open: compare with one.
        let base = if ["report", "list", "open"]
            .iter()
            .any(|w| name.starts_with(w))
        {
            "1"
        } else {
            "0"
        };
        let p50 = |n: &str| p50s.get(&(name, n.to_string())).map(|d| d.as_secs_f64());
        let (Some(big), Some(small), Some(mid)) = (p50("2000"), p50(base), p50("200")) else {
            continue;
        };
        println!(
            "  {name:<28} {:>6.2}x against {base}   {:>6.2}x against 200",
            big / small,
            big / mid
        );
    }

    if std::env::var_os("LOCKSTEP_BENCH_KEYCHAIN").is_some() {
        let service = format!("dev.lockstep.bench-{}", std::process::id());
        let keychain = Arc::new(OsKeychain::with_service(&service));
        for p in [Platform::Github, Platform::Npm, Platform::Pypi] {
            keychain.set(p, &Secret::new("bench-token")).unwrap();
        }
        let root = tempfile::tempdir().unwrap();
        let l = open(root.path(), keychain.clone());
        let s = measure(100, || {
            let list = l.token_statuses(now);
            assert!(list.iter().all(|t| t.error.is_none()), "{list:?}");
        });
        row("list tokens (Secret Service)", 0, &s);
        for p in Platform::all() {
            keychain.delete(p).unwrap();
        }
    }
}
