//! Runs check groups concurrently and streams their results as they finish.
//!
//! Each group (an account platform, the device, the account email) is a [`Probe`]. The engine
//! gives every probe the same [`CheckContext`], enforces the overall deadline and cancellation,
//! and fills in `unknown` for any check a probe did not report, so every registered check of
//! a selected group always has exactly one result.

use crate::check::CheckResult;
use crate::check_registry;
use crate::dirs::AppDirs;
use crate::platform::{Group, Platform};
use crate::secret::Secret;
use crate::settings::{EnvVars, Settings};
use futures::future::BoxFuture;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// Time limits for a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Each HTTP request gives up after this long (the check then says `unknown`).
    pub request_timeout: Duration,
    /// The whole run stops after this long; unfinished checks say `unknown`.
    pub deadline: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            request_timeout: Duration::from_secs(15),
            // Generous: crates.io allows one request a second, so a maintainer of a few hundred
            // crates needs minutes. The UI shows progress and can cancel.
            deadline: Duration::from_secs(600),
        }
    }
}

/// How far a check that works through many packages or repositories has got, so a long run
/// can say "12 of 300 packages" instead of sitting still.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Progress {
    /// The check's id.
    pub id: String,
    pub done: usize,
    pub total: usize,
    /// What is being counted: "packages", "repositories".
    pub noun: &'static str,
}

/// Where a run's [`Progress`] goes (the window's event channel); called from the probes' tasks.
pub type ProgressSink = Arc<dyn Fn(&Progress) + Send + Sync>;

/// Everything a probe may use. Built once per run; nothing in it is looked up globally.
#[derive(Debug, Clone)]
pub struct CheckContext {
    pub settings: Settings,
    pub env: EnvVars,
    /// Tokens resolved before the run (env override first, then the keychain).
    pub tokens: BTreeMap<Platform, Secret>,
    /// Why a platform's token could not be read (keychain locked, ...): its checks say `unknown`.
    pub token_errors: BTreeMap<Platform, String>,
    /// The user's home directory (device probes read dotfiles under it).
    pub home: PathBuf,
    pub dirs: AppDirs,
    /// The run's clock, passed in so date logic is testable.
    pub now: OffsetDateTime,
    pub limits: Limits,
    pub cancel: CancellationToken,
}

impl CheckContext {
    pub fn token(&self, platform: Platform) -> Option<&Secret> {
        self.tokens.get(&platform)
    }
}

/// One group of checks.
pub trait Probe: Send + Sync {
    fn group(&self) -> Group;
    /// Runs the group's checks, calling `out.emit` for each result as soon as it is known.
    /// A probe must not wait on another probe except through [`Emitter::account_results`].
    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()>;
}

/// Where a probe sends its results. Each probe gets its own, tagged with its group, so the
/// engine can refuse a result whose id belongs to another group.
pub struct Emitter {
    group: Group,
    shared: Arc<Shared>,
}

/// What every probe's [`Emitter`] of one run shares.
struct Shared {
    tx: mpsc::UnboundedSender<(Group, CheckResult)>,
    /// The run's tokens: no result may carry one (a platform can echo what it was sent).
    secrets: Vec<Secret>,
    seen: Mutex<Vec<CheckResult>>,
    accounts_done: watch::Receiver<bool>,
    progress: Option<ProgressSink>,
}

impl Emitter {
    /// Sends a result on, with every text field bounded and cleared of the run's tokens,
    /// whichever check produced it.
    pub fn emit(&self, result: CheckResult) {
        let result = crate::untrusted_text::contain_result(result, &self.shared.secrets);
        if let Ok(mut seen) = self.shared.seen.lock() {
            seen.push(result.clone());
        }
        let _ = self.shared.tx.send((self.group, result));
    }

    /// Says that `done` of `total` subjects of the checks `specs` are finished. Sent for the
    /// first, the last, and about every fiftieth, so 300 packages are not 300 redraws.
    pub fn progress(
        &self,
        specs: &[&check_registry::CheckSpec],
        done: usize,
        total: usize,
        noun: &'static str,
    ) {
        let Some(sink) = &self.shared.progress else {
            return;
        };
        let step = (total / 50).max(1);
        if done == 1 || done == total || done % step == 0 {
            for spec in specs {
                sink(&Progress {
                    id: spec.id.to_string(),
                    done,
                    total,
                    noun,
                });
            }
        }
    }

    /// A counter for `total` subjects of the checks `specs`: each [`Tally::tick`] is one more
    /// finished, reported through [`Emitter::progress`].
    pub fn tally<'a>(
        &'a self,
        specs: &'a [&'a check_registry::CheckSpec],
        total: usize,
        noun: &'static str,
    ) -> Tally<'a> {
        Tally {
            out: self,
            specs,
            total,
            noun,
            done: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Waits until every account-platform probe of this run has finished, then returns their
    /// results (for checks that build on them: the email domain, git signing vs GitHub keys).
    pub async fn account_results(&self) -> Vec<CheckResult> {
        let mut rx = self.shared.accounts_done.clone();
        let _ = rx.wait_for(|done| *done).await;
        self.shared
            .seen
            .lock()
            .map(|seen| {
                seen.iter()
                    .filter(|r| {
                        check_registry::find(&r.id)
                            .and_then(|s| s.group.platform())
                            .is_some()
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// See [`Emitter::tally`]. Shared by the concurrent lookups of one check.
pub struct Tally<'a> {
    out: &'a Emitter,
    specs: &'a [&'a check_registry::CheckSpec],
    total: usize,
    noun: &'static str,
    done: std::sync::atomic::AtomicUsize,
}

impl Tally<'_> {
    /// One more subject finished.
    pub fn tick(&self) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        self.out.progress(self.specs, done, self.total, self.noun);
    }
}

/// What the engine does with a result whose id is not one of its probe's group's checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Foreign {
    /// Panic: a developer build or a test, where the mistake must stop everything.
    Panic,
    /// Log it, drop the result, and let the group's unreported checks say why they are
    /// `unknown` (a user's app never crashes over it).
    Report,
}

impl Foreign {
    fn for_this_build() -> Self {
        if cfg!(debug_assertions) {
            Foreign::Panic
        } else {
            Foreign::Report
        }
    }
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub checked_at: OffsetDateTime,
    /// One result per registered check of the selected groups, in registry order.
    pub results: Vec<CheckResult>,
    pub cancelled: bool,
    /// Checks that did not finish because the run was cancelled: their `unknown` in `results`
    /// is a placeholder, not news, so it is not streamed and must not replace an earlier result.
    pub unfinished: Vec<String>,
}

/// Runs the probes of the selected `groups` concurrently. `on_result` sees every result as it
/// arrives (including the `unknown`s filled in for checks that did not report).
pub async fn run(
    ctx: Arc<CheckContext>,
    probes: &[Arc<dyn Probe>],
    groups: &[Group],
    on_result: impl FnMut(&CheckResult) + Send,
) -> RunOutcome {
    run_with(
        ctx,
        probes,
        groups,
        Foreign::for_this_build(),
        on_result,
        None,
    )
    .await
}

/// [`run`], also reporting how far the long checks have got through `progress`.
pub async fn run_with_progress(
    ctx: Arc<CheckContext>,
    probes: &[Arc<dyn Probe>],
    groups: &[Group],
    on_result: impl FnMut(&CheckResult) + Send,
    progress: ProgressSink,
) -> RunOutcome {
    run_with(
        ctx,
        probes,
        groups,
        Foreign::for_this_build(),
        on_result,
        Some(progress),
    )
    .await
}

pub(crate) async fn run_with(
    ctx: Arc<CheckContext>,
    probes: &[Arc<dyn Probe>],
    groups: &[Group],
    foreign: Foreign,
    mut on_result: impl FnMut(&CheckResult) + Send,
    progress: Option<ProgressSink>,
) -> RunOutcome {
    let checked_at = ctx.now;
    let selected: Vec<Arc<dyn Probe>> = probes
        .iter()
        .filter(|p| groups.contains(&p.group()))
        .cloned()
        .collect();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (done_tx, done_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        tx,
        secrets: ctx.tokens.values().cloned().collect(),
        seen: Mutex::new(Vec::new()),
        accounts_done: done_rx,
        progress,
    });

    let mut account_tasks = Vec::new();
    let mut other_tasks = Vec::new();
    for probe in selected {
        let ctx = ctx.clone();
        let emitter = Emitter {
            group: probe.group(),
            shared: shared.clone(),
        };
        let is_account = probe.group().platform().is_some();
        let task = tokio::spawn(async move {
            tokio::select! {
                _ = ctx.cancel.cancelled() => {}
                _ = probe.run(&ctx, &emitter) => {}
            }
        });
        if is_account {
            account_tasks.push(task)
        } else {
            other_tasks.push(task)
        }
    }
    // Signal account completion to dependants once every account probe has ended.
    let accounts_signal = tokio::spawn(async move {
        for t in account_tasks {
            let _ = t.await;
        }
        let _ = done_tx.send(true);
    });
    let all_done = {
        let shared = shared.clone();
        async move {
            let _ = accounts_signal.await;
            for t in other_tasks {
                let _ = t.await;
            }
            drop(shared);
        }
    };
    drop(shared);

    let mut results: Vec<CheckResult> = Vec::new();
    // Ids a probe reported that are not its group's (a bug): its group's gaps say so.
    let mut refused: BTreeMap<Group, String> = BTreeMap::new();
    let mut accept = |group: Group, r: CheckResult, results: &mut Vec<CheckResult>| {
        if check_registry::find(&r.id).is_none_or(|s| s.group != group) {
            let what = format!(
                "the {group} probe reported `{}`, which is not one of the {group} checks in check_registry::CHECKS",
                r.id
            );
            match foreign {
                Foreign::Panic => panic!("{what}"),
                Foreign::Report => {
                    eprintln!("lockstep: internal error: {what}; the result was not used");
                    refused.entry(group).or_insert(r.id);
                }
            }
        } else if !results.iter().any(|x| x.id == r.id) {
            on_result(&r);
            results.push(r);
        }
    };
    let deadline = tokio::time::sleep(ctx.limits.deadline);
    tokio::pin!(deadline);
    tokio::pin!(all_done);
    let mut finished = false;
    let mut timed_out = false;
    loop {
        tokio::select! {
            maybe = rx.recv() => match maybe {
                Some((group, r)) => accept(group, r, &mut results),
                None => break,
            },
            _ = &mut all_done, if !finished => { finished = true; }
            _ = &mut deadline, if !timed_out => { timed_out = true; ctx.cancel.cancel(); }
        }
        if finished {
            // Drain whatever is already queued, then stop.
            while let Ok((group, r)) = rx.try_recv() {
                accept(group, r, &mut results);
            }
            break;
        }
    }
    let cancelled = ctx.cancel.is_cancelled() && !timed_out;
    let reported: HashSet<String> = results.iter().map(|r| r.id.clone()).collect();
    let mut unfinished = Vec::new();
    for spec in check_registry::CHECKS
        .iter()
        .filter(|s| groups.contains(&s.group))
    {
        if !reported.contains(spec.id) {
            let why = if timed_out {
                format!("Did not finish within the {} s limit for a run. Check your connection and run again.", ctx.limits.deadline.as_secs())
            } else if cancelled {
                "The run was cancelled before this check finished. Run again to check it."
                    .to_string()
            } else if let Some(id) = refused.get(&spec.group) {
                format!("Lockstep could not tell: its {} checks reported a result under an id they do not own (`{id}`). This is a bug in Lockstep; please report it.", spec.group.title())
            } else {
                "This check did not report a result. Run again; if it persists, please report it."
                    .to_string()
            };
            let r = CheckResult::unknown(spec, why);
            if cancelled {
                unfinished.push(spec.id.to_string());
            } else {
                on_result(&r);
            }
            results.push(r);
        }
    }
    results.sort_by_key(|r| {
        check_registry::CHECKS
            .iter()
            .position(|s| s.id == r.id)
            .unwrap_or(usize::MAX)
    });
    RunOutcome {
        checked_at,
        results,
        cancelled,
        unfinished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::live::npm;
    use crate::platform::Platform;

    const NPM: Group = Group::Account(Platform::Npm);

    struct Fixed(Group, Vec<CheckResult>, Duration);
    impl Probe for Fixed {
        fn group(&self) -> Group {
            self.0
        }
        fn run<'a>(&'a self, _ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                for r in &self.1 {
                    tokio::time::sleep(self.2).await;
                    out.emit(r.clone());
                }
            })
        }
    }

    /// Works through `.0` packages one by one, as a package check does.
    struct Packages(usize);
    impl Probe for Packages {
        fn group(&self) -> Group {
            NPM
        }
        fn run<'a>(&'a self, _ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let tally = out.tally(&[npm::OWNERS, npm::TRUSTED], self.0, "packages");
                for _ in 0..self.0 {
                    tally.tick();
                }
            })
        }
    }

    #[tokio::test]
    async fn long_checks_say_how_far_they_have_got_without_a_message_per_package() {
        let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let sink = seen.clone();
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(Packages(300))];
        run_with_progress(
            ctx(Duration::from_secs(5)),
            &probes,
            &[NPM],
            |_| {},
            Arc::new(move |p: &Progress| sink.lock().unwrap().push(p.clone())),
        )
        .await;
        let seen = seen.lock().unwrap().clone();
        let owners: Vec<usize> = seen
            .iter()
            .filter(|p| p.id == "npm.package_owners")
            .map(|p| p.done)
            .collect();
        assert_eq!(
            owners.first(),
            Some(&1),
            "the first package is said at once"
        );
        assert_eq!(owners.last(), Some(&300), "and the last");
        assert!(
            owners.len() <= 52,
            "about one message per fiftieth, not one per package: {}",
            owners.len()
        );
        assert!(owners.windows(2).all(|w| w[0] < w[1]));
        assert!(seen.iter().all(|p| p.total == 300 && p.noun == "packages"));
        assert_eq!(
            seen.iter()
                .filter(|p| p.id == "npm.trusted_publishing")
                .count(),
            owners.len(),
            "both checks that share the packuments get the same progress"
        );
        // Without a sink (the CLI), ticking costs nothing and sends nothing.
        run(ctx(Duration::from_secs(5)), &probes, &[NPM], |_| {}).await;
    }

    struct NeedsAccounts;
    impl Probe for NeedsAccounts {
        fn group(&self) -> Group {
            Group::Email
        }
        fn run<'a>(&'a self, _ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                let accounts = out.account_results().await;
                let n = accounts.len();
                out.emit(CheckResult::new(
                    crate::email::domain::ID,
                    Status::Pass,
                    format!("saw {n} account results"),
                ));
            })
        }
    }

    fn ctx(deadline: Duration) -> Arc<CheckContext> {
        Arc::new(CheckContext {
            settings: Settings::default(),
            env: EnvVars::default(),
            tokens: BTreeMap::new(),
            token_errors: BTreeMap::new(),
            home: PathBuf::from("/nonexistent"),
            dirs: AppDirs::under(std::path::Path::new("/nonexistent")),
            now: OffsetDateTime::UNIX_EPOCH,
            limits: Limits {
                request_timeout: Duration::from_secs(1),
                deadline,
            },
            cancel: CancellationToken::new(),
        })
    }

    #[tokio::test]
    async fn missing_checks_become_unknown_and_order_follows_registry() {
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(Fixed(
            NPM,
            vec![CheckResult::new(npm::TWO_FACTOR, Status::Fail, "off")],
            Duration::ZERO,
        ))];
        let mut streamed = Vec::new();
        let out = run(ctx(Duration::from_secs(5)), &probes, &[NPM], |r| {
            streamed.push(r.id.clone())
        })
        .await;
        let ids: Vec<_> = out.results.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "npm.two_factor",
                "npm.package_owners",
                "npm.trusted_publishing"
            ]
        );
        assert_eq!(out.results[1].status, Status::Unknown);
        assert_eq!(
            streamed.len(),
            3,
            "every result is streamed, including filled-in unknowns"
        );
    }

    #[tokio::test]
    async fn deadline_turns_slow_checks_into_unknown_not_fail() {
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(Fixed(
            NPM,
            vec![CheckResult::new(npm::TWO_FACTOR, Status::Pass, "on")],
            Duration::from_secs(30),
        ))];
        let out = run(ctx(Duration::from_millis(50)), &probes, &[NPM], |_| {}).await;
        assert!(
            out.results.iter().all(|r| r.status == Status::Unknown),
            "{:?}",
            out.results
        );
        assert!(out.results[0].summary.contains("limit"));
        assert!(!out.cancelled);
    }

    #[tokio::test]
    async fn email_probe_sees_account_results() {
        let probes: Vec<Arc<dyn Probe>> = vec![
            Arc::new(NeedsAccounts),
            Arc::new(Fixed(
                NPM,
                vec![CheckResult::new(npm::TWO_FACTOR, Status::Pass, "on")],
                Duration::from_millis(20),
            )),
        ];
        let out = run(
            ctx(Duration::from_secs(5)),
            &probes,
            &[NPM, Group::Email],
            |_| {},
        )
        .await;
        let email = out.results.iter().find(|r| r.id == "email.domain").unwrap();
        assert_eq!(email.summary, "saw 1 account results");
    }

    #[tokio::test]
    async fn cancel_stops_the_run() {
        let c = ctx(Duration::from_secs(30));
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(Fixed(
            NPM,
            vec![CheckResult::new(npm::TWO_FACTOR, Status::Pass, "on")],
            Duration::from_secs(30),
        ))];
        let cancel = c.cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(30)).await;
            cancel.cancel();
        });
        let mut streamed = 0;
        let out = run(c, &probes, &[NPM], |_| streamed += 1).await;
        assert!(out.cancelled);
        assert!(out.results[0].summary.contains("cancelled"));
        assert_eq!(
            out.unfinished,
            vec![
                "npm.two_factor",
                "npm.package_owners",
                "npm.trusted_publishing"
            ],
            "every npm check was cut short"
        );
        assert_eq!(streamed, 0, "placeholders are not streamed as results");
    }

    /// A probe that reports another group's check (the mistake a copied module makes).
    fn strays() -> Vec<Arc<dyn Probe>> {
        vec![Arc::new(Fixed(
            NPM,
            vec![
                CheckResult::new(npm::TWO_FACTOR, Status::Pass, "on"),
                CheckResult::new(crate::live::github::TWO_FACTOR, Status::Pass, "on"),
            ],
            Duration::ZERO,
        ))]
    }

    #[tokio::test]
    #[should_panic(expected = "not one of the npm checks")]
    async fn a_result_from_another_group_stops_a_test_build() {
        run_with(
            ctx(Duration::from_secs(5)),
            &strays(),
            &[NPM],
            Foreign::Panic,
            |_| {},
            None,
        )
        .await;
    }

    #[tokio::test]
    async fn a_mistyped_id_stops_a_test_build_too() {
        let probes: Vec<Arc<dyn Probe>> = vec![Arc::new(Fixed(
            NPM,
            vec![CheckResult::from_id("npm.two_facter", Status::Pass, "on")],
            Duration::ZERO,
        ))];
        let handle =
            tokio::spawn(
                async move { run(ctx(Duration::from_secs(5)), &probes, &[NPM], |_| {}).await },
            );
        assert!(
            handle.await.is_err_and(|e| e.is_panic()),
            "debug builds (every test) panic on an id the registry does not know"
        );
    }

    #[tokio::test]
    async fn a_release_build_says_unknown_and_why_instead_of_dropping_silently() {
        let out = run_with(
            ctx(Duration::from_secs(5)),
            &strays(),
            &[NPM],
            Foreign::Report,
            |_| {},
            None,
        )
        .await;
        let ids: Vec<_> = out.results.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            vec![
                "npm.two_factor",
                "npm.package_owners",
                "npm.trusted_publishing"
            ],
            "the stray is not kept"
        );
        assert_eq!(out.results[0].status, Status::Pass);
        for gap in &out.results[1..] {
            assert_eq!(gap.status, Status::Unknown, "{}", gap.id);
            assert!(
                gap.summary.contains("github.two_factor") && gap.summary.contains("bug"),
                "{}",
                gap.summary
            );
        }
    }

    /// Runs one probe with its own emitter (accounts already "done") and returns the ids it
    /// emitted, in order, duplicates kept.
    async fn emitted(probe: Arc<dyn Probe>, ctx: Arc<CheckContext>) -> Vec<String> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (_done_tx, done_rx) = watch::channel(true);
        let emitter = Emitter {
            group: probe.group(),
            shared: Arc::new(Shared {
                tx,
                secrets: Vec::new(),
                seen: Mutex::new(Vec::new()),
                accounts_done: done_rx,
                progress: None,
            }),
        };
        probe.run(&ctx, &emitter).await;
        drop(emitter);
        let mut ids = Vec::new();
        while let Some((_, r)) = rx.recv().await {
            ids.push(r.id);
        }
        ids
    }

    /// Every configuration a probe can meet with no platform reachable: nothing set up, and
    /// everything set up (tokens, users, projects, emails, consent) against a closed
    /// loopback port, so each probe walks its "not set up" and its "could not check" paths.
    fn configurations() -> Vec<Arc<CheckContext>> {
        let empty = ctx(Duration::from_secs(5));
        let mut full = (*ctx(Duration::from_secs(5))).clone();
        let closed = "http://127.0.0.1:9";
        for p in Platform::all() {
            full.tokens
                .insert(p, Secret::new(format!("{}-token-for-tests", p.as_str())));
            full.settings.accounts.insert(
                p,
                crate::settings::AccountSettings {
                    user: Some("octo".into()),
                    base_url: Some(closed.into()),
                },
            );
        }
        full.settings.pypi_projects = vec!["sampleproject".into()];
        full.settings.emails = vec!["octo@example.org".into()];
        full.settings.breach_check_consent = true;
        full.env = EnvVars::default().with(crate::email::breaches::INTERVAL_ENV, "0");
        vec![empty, Arc::new(full)]
    }

    /// The registry and the probes agree: each probe reports every check of its group exactly
    /// once and nothing else, set up or not. A mistyped or forgotten id fails here.
    #[tokio::test]
    async fn every_probe_emits_exactly_its_groups_ids() {
        let mut probes: Vec<Arc<dyn Probe>> = crate::live::probes();
        probes.push(Arc::new(crate::device::DeviceProbe::with_root(
            std::path::PathBuf::from("/nonexistent-lockstep-root"),
        )));
        probes.extend(crate::email::probe());
        let groups: HashSet<Group> = probes.iter().map(|p| p.group()).collect();
        assert_eq!(
            groups,
            Group::all().iter().copied().collect(),
            "one probe per group"
        );
        for ctx in configurations() {
            for probe in &probes {
                let group = probe.group();
                let mut got = emitted(probe.clone(), ctx.clone()).await;
                let n = got.len();
                got.sort();
                got.dedup();
                assert_eq!(got.len(), n, "{group} reported a check twice: {got:?}");
                let mut want: Vec<String> = check_registry::in_group(group)
                    .map(|s| s.id.to_string())
                    .collect();
                want.sort();
                assert_eq!(got, want, "{group}'s probe and the registry disagree");
            }
        }
    }
}
