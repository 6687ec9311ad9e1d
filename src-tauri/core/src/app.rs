//! Lockstep's operations, independent of any transport: the Tauri commands and the CLI both
//! call these, so the window and the terminal always behave the same.

use crate::catalogue::{Catalogue, Journey};
use crate::check::CheckResult;
use crate::dirs::AppDirs;
use crate::engine::{self, CheckContext, Limits, Probe, RunOutcome};
use crate::history::latest::{LatestResult, LatestStore, Loaded};
use crate::history::{
    self, Change, ImportPreview, ReportFormat, Review, ReviewList, ReviewStore, StatusReport,
};
use crate::history::{SummaryFormat, SummaryOptions};
use crate::keychain::{resolve_tokens, TokenOrigin, TokenStore};
use crate::live::token_info::TokenVerdict;
use crate::platform::{Group, Platform};
use crate::secret::Secret;
use crate::settings::{EnvVars, Settings};
use crate::state::{validate_answer, Answer, AnswerStatus, State, StateStore, TokenInfo};
use crate::state_writer::StateWriter;
use crate::{Error, Result};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

/// A finished (or cancelled) run: the results, the review it was saved as, and what changed.
#[derive(Debug, Clone)]
pub struct RunReport {
    pub outcome: RunOutcome,
    /// Only a full run that was not cancelled is a review; a partial run updates the latest
    /// results alone.
    pub review: Option<Review>,
    /// The review this run was compared with (`None` for the first review or a partial run).
    pub previous_id: Option<String>,
    /// For a review: since the previous review. For a partial run: since each check's
    /// previous latest result.
    pub changes: Vec<Change>,
    /// Checks cut short by Cancel: they keep their previous result (in `latest`).
    pub not_rechecked: Vec<String>,
    /// Every check's latest known result after this run.
    pub latest: Vec<LatestResult>,
    /// The run covered every check group, so it is (or, if cancelled, would have been) a review.
    pub full: bool,
    /// Why the finished run could not be saved (read-only data folder, disk full); the
    /// results are still here to show.
    pub not_saved: Option<String>,
}

/// A review-shaped view of the latest results of `ids`, to compare a partial run with.
fn latest_as_review(latest: &Loaded, ids: &[String], checked_at: OffsetDateTime) -> Review {
    let results = ids
        .iter()
        .filter_map(|id| latest.results.get(id).map(|l| l.result.clone()))
        .collect();
    Review::new(checked_at, None, results, Default::default())
}

/// Changes between two reviews over the checks both ran: a run limited to some platforms
/// (`--only github`) says nothing about the others, so they are neither added nor removed.
fn comparable_changes(prev: &Review, next: &Review) -> Vec<Change> {
    let ids = |r: &Review| {
        r.results
            .iter()
            .map(|c| c.id.clone())
            .collect::<std::collections::HashSet<_>>()
    };
    let both: std::collections::HashSet<String> =
        ids(prev).intersection(&ids(next)).cloned().collect();
    let (mut prev, mut next) = (prev.clone(), next.clone());
    prev.results.retain(|r| both.contains(&r.id));
    next.results.retain(|r| both.contains(&r.id));
    history::between(&prev, &next)
}

/// What the user sees about a platform's token: never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenStatus {
    pub platform: Platform,
    pub display_name: &'static str,
    pub saved: bool,
    /// Where the token used by checks comes from (`env` overrides the keychain).
    pub origin: Option<TokenOrigin>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub saved_at: Option<OffsetDateTime>,
    pub scopes: Vec<String>,
    pub expires_at: Option<String>,
    /// Plain warnings: more permission than Lockstep needs, expiring soon.
    pub warnings: Vec<String>,
    /// The smallest permission Lockstep's checks on this platform need.
    pub least_scope: String,
    /// The platform's page for creating a token.
    pub token_page: &'static str,
    /// Why the keychain could not be read, if it could not.
    pub error: Option<String>,
    /// Scopes of the saved token beyond what Lockstep needs (shown in amber with a way to
    /// replace it), worked out from the stored scopes so it survives a restart.
    pub broad_scopes: Vec<String>,
    /// The handle stored for this platform (the user's own, or the one the token revealed).
    pub account_user: Option<String>,
    /// What Lockstep makes of the saved token (expired worked out from today's date); `None`
    /// when no token is saved.
    pub verdict: Option<TokenVerdict>,
}

/// What a pasted token can do, asked before it is saved. Nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenCheck {
    pub platform: Platform,
    /// `fits`, `broad` (can do more than Lockstep needs), `expired`, `unrecognised` (the
    /// platform does not know it, or it is not this platform's kind of token) or `unchecked`
    /// (Lockstep could not ask; the token may well be fine).
    pub verdict: TokenVerdict,
    /// Whom it belongs to, when the platform says.
    pub user: Option<String>,
    pub scopes: Vec<String>,
    pub expires_at: Option<String>,
    /// Plain sentences about it.
    pub notes: Vec<String>,
}

/// Refuses what no platform could accept, before anything is stored or sent.
fn check_token_text(token: &Secret) -> Result<()> {
    if token.is_empty() {
        return Err(Error::InvalidInput(
            "The token is empty. Paste the whole token and try again.".into(),
        ));
    }
    // No HTTP header can carry it, so every check would fail to send it.
    if token.expose().chars().any(char::is_control) {
        return Err(Error::InvalidInput(
            "The token has a line break (or another control character) inside it. Copy it again in one piece and paste it. Nothing was stored.".into(),
        ));
    }
    Ok(())
}

/// The app's operations over one data directory and one token store.
pub struct Lockstep {
    dirs: AppDirs,
    reviews: ReviewStore,
    latest: LatestStore,
    /// The state in memory, saved in the background; see [`crate::state_writer`].
    state: StateWriter,
    tokens: Arc<dyn TokenStore>,
    env: EnvVars,
    home: PathBuf,
    probes: Vec<Arc<dyn Probe>>,
    limits: Limits,
    /// The run in progress, if any; see [`RunSlot`].
    current_run: Mutex<Option<Arc<CancellationToken>>>,
}

/// The inputs to [`Lockstep::open`], so tests can point everything at temporary places.
pub struct Setup {
    pub dirs: AppDirs,
    pub tokens: Arc<dyn TokenStore>,
    pub env: EnvVars,
    pub home: PathBuf,
    pub probes: Vec<Arc<dyn Probe>>,
    pub limits: Limits,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep going with it.
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A run's claim on [`Lockstep::current_run`], released however the run ends: finished, an
/// error part-way, or its future dropped (which also cancels the probes it spawned). It frees
/// the slot only while the slot still holds this run: a cancelled run still winding down must
/// not free the slot of the run started after it, or that run could no longer be cancelled.
struct RunSlot<'a> {
    slot: &'a Mutex<Option<Arc<CancellationToken>>>,
    cancel: Arc<CancellationToken>,
}

impl Drop for RunSlot<'_> {
    fn drop(&mut self) {
        self.cancel.cancel();
        let mut current = lock(self.slot);
        if current
            .as_ref()
            .is_some_and(|c| Arc::ptr_eq(c, &self.cancel))
        {
            *current = None;
        }
    }
}

impl Lockstep {
    /// Loads the state (setting a damaged file aside, see [`StateStore::load`]).
    pub fn open(setup: Setup, now: OffsetDateTime) -> Result<Self> {
        let store = StateStore::new(setup.dirs.state_file());
        // Temp files of a save that was killed half-way are never used again.
        if let Some(data) = setup.dirs.state_file().parent() {
            crate::atomic_file::remove_stale_temp_files(data);
        }
        crate::atomic_file::remove_stale_temp_files(&setup.dirs.reviews_dir());
        let loaded = store.load(now)?;
        Ok(Lockstep {
            reviews: ReviewStore::new(setup.dirs.reviews_dir()),
            latest: LatestStore::new(setup.dirs.latest_results_file()),
            dirs: setup.dirs,
            state: StateWriter::start(store, loaded)?,
            tokens: setup.tokens,
            env: setup.env,
            home: setup.home,
            probes: setup.probes,
            limits: setup.limits,
            current_run: Mutex::new(None),
        })
    }

    pub fn dirs(&self) -> &AppDirs {
        &self.dirs
    }

    pub fn env(&self) -> &EnvVars {
        &self.env
    }

    pub fn state(&self) -> State {
        self.state.state()
    }

    /// Waits until every change made so far is in the state file, or says why it is not.
    /// Call before exiting, and before reading the file directly.
    pub fn flush(&self) -> Result<()> {
        self.state.flush()
    }

    /// Saves each change before [`Lockstep::update`] returns, as a command-line call that
    /// exits right after needs: a failed save is that call's error.
    pub fn save_each_change_at_once(&self) {
        self.state.write_at_once();
    }

    /// Calls `watcher` when a background save fails (with [`Error::NotSavedYet`]) and with
    /// `None` when a later save succeeds, as it happens rather than with the next change; at
    /// once if a save is failing now. The app passes it on to the window. Replaces any earlier
    /// watcher.
    pub fn watch_saves(&self, watcher: impl Fn(Option<Error>) + Send + Sync + 'static) {
        self.state.watch(std::sync::Arc::new(watcher));
    }

    /// What the user must be told about damaged files: the state file, if a load found it
    /// damaged, and every review file set aside since this was opened (status, check,
    /// report and the app all show it, not only the history list).
    pub fn notice(&self) -> Option<String> {
        let notices = self.notices();
        (!notices.is_empty()).then(|| notices.join(" "))
    }

    /// [`Lockstep::notice`], one message per damaged file.
    pub fn notices(&self) -> Vec<String> {
        let mut all = self.state.notices();
        all.extend(self.reviews.notices());
        all
    }

    /// Applies `change` to the state in memory and returns the new state at once; the
    /// background writer saves it atomically within milliseconds (see
    /// [`crate::state_writer`]). An error from `change` changes nothing.
    ///
    /// The writer applies the change again to the state on disk, re-read under a file lock,
    /// not to the copy loaded at start: the app and the CLI (or two CLIs) each keep the
    /// other's changes. So `change` must own its data and give the same result each time.
    pub fn update(
        &self,
        change: impl Fn(&mut State) -> Result<()> + Send + Sync + 'static,
    ) -> Result<State> {
        self.state.change(Arc::new(change))
    }

    /// Starts, comes back from or finishes a trip (Travel); see [`crate::trip`].
    pub fn trip_action(
        &self,
        action: crate::trip::TripAction,
        now: OffsetDateTime,
    ) -> Result<State> {
        self.update(move |s| crate::trip::apply(s, action, now))
    }

    pub fn choose_journey(&self, journey: Journey) -> Result<State> {
        self.update(move |s| {
            s.journey = Some(journey);
            Ok(())
        })
    }

    pub fn set_position(&self, journey: Journey, item_id: &str) -> Result<State> {
        let item = Catalogue::builtin().item(item_id).ok_or_else(|| {
            Error::InvalidInput(format!("There is no checklist item '{item_id}'."))
        })?;
        if !item.journeys.contains(&journey) {
            return Err(Error::InvalidInput(format!(
                "'{item_id}' is not part of that journey."
            )));
        }
        let item_id = item_id.to_string();
        self.update(move |s| {
            s.journey = Some(journey);
            s.positions.insert(journey, item_id.clone());
            Ok(())
        })
    }

    /// Records (or with `status = None`, clears) the user's answer for an item.
    pub fn answer(
        &self,
        item_id: &str,
        status: Option<AnswerStatus>,
        reason: Option<String>,
        choice: Option<String>,
        now: OffsetDateTime,
    ) -> Result<State> {
        let reason = reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        match status {
            Some(status) => {
                validate_answer(item_id, status, reason.as_deref(), choice.as_deref())?;
            }
            None if Catalogue::builtin().item(item_id).is_none() => {
                return Err(Error::InvalidInput(format!(
                    "There is no checklist item '{}'.",
                    crate::untrusted_text::one_line(item_id)
                )))
            }
            None => {}
        }
        let item_id = item_id.to_string();
        self.update(move |s| {
            match status {
                Some(status) => {
                    crate::trip::note_answer(s, &item_id, now);
                    s.answers.insert(
                        item_id.clone(),
                        Answer {
                            status,
                            reason: reason.clone(),
                            choice: choice.clone(),
                            updated_at: now,
                        },
                    );
                }
                None => {
                    s.answers.remove(&item_id);
                }
            }
            Ok(())
        })
    }

    pub fn save_settings(&self, settings: Settings) -> Result<State> {
        validate_settings(&settings)?;
        self.update(move |s| {
            s.settings = settings.clone();
            Ok(())
        })
    }

    /// Status of every platform's token. Reads the keychain once for all platforms (never a
    /// token's value): call off the UI thread.
    pub fn token_statuses(&self, now: OffsetDateTime) -> Vec<TokenStatus> {
        let platforms: Vec<Platform> = Platform::all().collect();
        let saved = self.tokens.saved(&platforms);
        let state = self.state();
        platforms
            .into_iter()
            .map(|p| {
                let in_keychain = match &saved {
                    Ok(set) => Ok(set.contains(&p)),
                    Err(e) => Err(e.to_string()),
                };
                self.status_from(p, in_keychain, &state, now)
            })
            .collect()
    }

    pub fn token_status(&self, platform: Platform, now: OffsetDateTime) -> TokenStatus {
        let in_keychain = match self.tokens.saved(&[platform]) {
            Ok(set) => Ok(set.contains(&platform)),
            Err(e) => Err(e.to_string()),
        };
        self.status_from(platform, in_keychain, &self.state(), now)
    }

    /// What the user sees about `platform`'s token, given whether the keychain holds one.
    fn status_from(
        &self,
        platform: Platform,
        in_keychain: std::result::Result<bool, String>,
        state: &State,
        now: OffsetDateTime,
    ) -> TokenStatus {
        let from_env = self.env.get(&platform.env_var("TOKEN")).is_some();
        let (in_keychain, error) = match in_keychain {
            Ok(saved) => (saved, None),
            Err(e) => (false, Some(e)),
        };
        let info = state.tokens.get(&platform);
        let mut warnings = info.map(|i| token_warnings(i, now)).unwrap_or_default();
        if from_env {
            warnings.push(format!(
                "{} is set, so checks use that token instead of the saved one.",
                platform.env_var("TOKEN")
            ));
        }
        let info = info.filter(|_| in_keychain);
        TokenStatus {
            platform,
            display_name: platform.display_name(),
            saved: in_keychain,
            origin: if from_env {
                Some(TokenOrigin::Env)
            } else if in_keychain {
                Some(TokenOrigin::Keychain)
            } else {
                None
            },
            saved_at: info.map(|i| i.saved_at),
            scopes: info.map(|i| i.scopes.clone()).unwrap_or_default(),
            expires_at: info.and_then(|i| i.expires_at.clone()),
            broad_scopes: info.map(|i| saved_broad(platform, i)).unwrap_or_default(),
            verdict: info.map(|i| saved_verdict(platform, i, now)),
            account_user: state
                .settings
                .accounts
                .get(&platform)
                .and_then(|a| a.user.clone())
                .filter(|u| !u.trim().is_empty()),
            warnings,
            least_scope: crate::check_registry::least_scope(platform),
            token_page: platform.spec().token_page,
            error,
        }
    }

    /// Saves a token in the keychain, then asks the platform what it can do (read-only
    /// request) and keeps only that description in the state.
    pub async fn save_token(
        &self,
        platform: Platform,
        token: Secret,
        now: OffsetDateTime,
    ) -> Result<TokenStatus> {
        check_token_text(&token)?;
        let store = self.tokens.clone();
        let to_store = token.clone();
        tokio::task::spawn_blocking(move || store.set(platform, &to_store))
            .await
            .map_err(|e| Error::Keychain {
                detail: e.to_string(),
            })??;
        let base_url = self
            .state()
            .settings
            .platform_config(platform, &self.env)
            .base_url;
        let mut info = TokenInfo {
            saved_at: now,
            scopes: Vec::new(),
            expires_at: None,
            verdict: Some(TokenVerdict::Unchecked),
            broad_scopes: Vec::new(),
        };
        let mut notes = Vec::new();
        let mut found_user = None;
        match crate::live::token_info::inspect(
            platform,
            &base_url,
            &token,
            self.limits.request_timeout,
            now,
        )
        .await
        {
            Ok(caps) => {
                // What the platform said is kept and shown: bounded, and never the token it
                // was sent, even if it echoes it back.
                let secret = [token.expose()];
                let keep = |s: &str| crate::untrusted_text::contained(s, &secret);
                info.scopes = caps.scopes.iter().map(|s| keep(s)).collect();
                info.expires_at = caps.expires_at.as_deref().map(keep);
                info.verdict = Some(caps.verdict);
                info.broad_scopes = caps.broad.iter().map(|s| keep(s)).collect();
                found_user = caps.user.as_deref().map(keep);
                notes = caps.warnings.iter().map(|s| keep(s)).collect();
            }
            Err(e) => notes.push(format!(
                "Saved, but Lockstep could not ask {} what the token can do: {e}",
                platform.display_name()
            )),
        }
        self.update(move |s| {
            s.tokens.insert(platform, info.clone());
            // The handle comes from the token where the platform tells; a handle the user
            // entered themselves is never replaced.
            if let Some(user) = found_user.clone() {
                let account = s.settings.accounts.entry(platform).or_default();
                if account.user.as_deref().is_none_or(|u| u.trim().is_empty()) {
                    account.user = Some(user);
                }
            }
            Ok(())
        })?;
        let mut status = self.token_status(platform, now);
        for note in notes {
            if !status.warnings.contains(&note) {
                status.warnings.push(note);
            }
        }
        Ok(status)
    }

    /// Asks the platform what a pasted token can do and whom it belongs to, before it is saved,
    /// so an over-broad, expired or unrecognised token is said before it is kept. Stores nothing.
    pub async fn check_token(
        &self,
        platform: Platform,
        token: &Secret,
        now: OffsetDateTime,
    ) -> Result<TokenCheck> {
        check_token_text(token)?;
        let base_url = self
            .state()
            .settings
            .platform_config(platform, &self.env)
            .base_url;
        let name = platform.display_name();
        let mut check = TokenCheck {
            platform,
            verdict: TokenVerdict::Fits,
            user: None,
            scopes: Vec::new(),
            expires_at: None,
            notes: Vec::new(),
        };
        match crate::live::token_info::inspect(
            platform,
            &base_url,
            token,
            self.limits.request_timeout,
            now,
        )
        .await
        {
            Ok(caps) => {
                check.verdict = caps.verdict;
                check.notes = caps
                    .warnings
                    .iter()
                    .map(|w| format!("This token {w}."))
                    .collect();
                check.user = caps.user;
                check.scopes = caps.scopes;
                check.expires_at = caps.expires_at;
            }
            Err(crate::http::HttpError::Unauthorized { .. }) => {
                check.verdict = TokenVerdict::Unrecognised;
                check.notes.push(format!(
                    "{name} does not recognise this token: it may be mistyped, revoked or expired."
                ));
            }
            Err(e) => {
                check.verdict = TokenVerdict::Unchecked;
                check.notes.push(format!(
                    "Lockstep could not ask {name} about this token ({e}). It may be fine; you can save it and run the checks later."
                ));
            }
        }
        Ok(check)
    }

    /// Removes a token from the keychain (idempotent) and forgets its description.
    pub fn delete_token(&self, platform: Platform, now: OffsetDateTime) -> Result<TokenStatus> {
        self.tokens.delete(platform)?;
        self.update(move |s| {
            s.tokens.remove(&platform);
            Ok(())
        })?;
        Ok(self.token_status(platform, now))
    }

    /// Runs the checks of `groups` (all when `None`), streaming each result to `on_result`.
    /// Only one run at a time; [`Lockstep::cancel_run`] stops it.
    /// A finished full run is a review: saved (with the checklist answers at that moment) and
    /// compared with the previous one. A partial or cancelled run is not a review (it must not
    /// fill History or move the due date); the results of the checks that finished become
    /// their latest results, and a check cut short keeps its previous one.
    pub async fn run_checks(
        &self,
        groups: Option<Vec<Group>>,
        journey: Option<Journey>,
        now: OffsetDateTime,
        on_result: impl FnMut(&CheckResult) + Send,
    ) -> Result<RunReport> {
        self.run_checks_with_progress(groups, journey, now, on_result, None)
            .await
    }

    /// [`Lockstep::run_checks`], also saying through `progress` how far the checks that work
    /// through many packages or repositories have got (the window's "12 of 300 packages").
    pub async fn run_checks_with_progress(
        &self,
        groups: Option<Vec<Group>>,
        journey: Option<Journey>,
        now: OffsetDateTime,
        on_result: impl FnMut(&CheckResult) + Send,
        progress: Option<engine::ProgressSink>,
    ) -> Result<RunReport> {
        let groups = groups.unwrap_or_else(|| Group::all().to_vec());
        let cancel = Arc::new(CancellationToken::new());
        let slot = {
            let mut current = lock(&self.current_run);
            if current.as_ref().is_some_and(|c| !c.is_cancelled()) {
                return Err(Error::InvalidInput(
                    "Checks are already running. Wait for them or cancel them first.".into(),
                ));
            }
            *current = Some(cancel.clone());
            RunSlot {
                slot: &self.current_run,
                cancel: cancel.clone(),
            }
        };
        // The tokens the selected groups' checks read, from the checks themselves.
        let needed: Vec<Platform> = Platform::all()
            .filter(|&p| {
                crate::check_registry::CHECKS.iter().any(|c| {
                    groups.contains(&c.group)
                        && (c.group == Group::Account(p) || c.token.platform() == Some(p))
                })
            })
            .collect();
        let store = self.tokens.clone();
        let env = self.env.clone();
        let (tokens, token_errors) =
            tokio::task::spawn_blocking(move || resolve_tokens(&needed, &env, store.as_ref()))
                .await
                .map_err(|e| Error::Keychain {
                    detail: e.to_string(),
                })?;
        let ctx = Arc::new(CheckContext {
            settings: self.state().settings,
            env: self.env.clone(),
            tokens,
            token_errors,
            home: self.home.clone(),
            dirs: self.dirs.clone(),
            now,
            limits: self.limits,
            cancel: CancellationToken::clone(&cancel),
        });
        let full = Group::all().iter().all(|g| groups.contains(g));
        let outcome = match progress {
            Some(sink) => {
                engine::run_with_progress(ctx, &self.probes, &groups, on_result, sink).await
            }
            None => engine::run(ctx, &self.probes, &groups, on_result).await,
        };
        drop(slot);
        // A check cut short by Cancel keeps its previous result: its placeholder is not news.
        let finished: Vec<CheckResult> = outcome
            .results
            .iter()
            .filter(|r| !outcome.unfinished.contains(&r.id))
            .cloned()
            .collect();
        // Saving can fail (read-only data folder, disk full): the results are still shown.
        let saved = (|| -> Result<_> {
            let previous_review = self.reviews.latest(now)?;
            let review = if full && !outcome.cancelled {
                Some(self.reviews.record(
                    outcome.checked_at,
                    journey.or(self.state().journey),
                    outcome.results.clone(),
                    self.state().answers,
                )?)
            } else {
                None
            };
            // Read, merged and written under a file lock: a `lockstep check` finishing at the
            // same moment keeps its results, and so does this run.
            let (before, after) = self.latest.record(
                || Ok(previous_review.clone()),
                &finished,
                outcome.checked_at,
                review.as_ref().map(|r| r.id.as_str()),
                now,
            )?;
            // Travel's "Check this device" belongs to the trip under way: History keeps it.
            if journey == Some(Journey::Travel) && groups.contains(&Group::Device) {
                let (finished, checked_at) = (finished.clone(), outcome.checked_at);
                self.update(move |s| {
                    crate::trip::note_device_check(s, &finished, checked_at);
                    Ok(())
                })?;
            }
            Ok((previous_review, before, review, after))
        })();
        let (previous_review, before, review, after) = match saved {
            Ok(saved) => saved,
            Err(e) => {
                return Ok(RunReport {
                    not_rechecked: outcome.unfinished.clone(),
                    outcome,
                    review: None,
                    previous_id: None,
                    changes: Vec::new(),
                    latest: Vec::new(),
                    full,
                    not_saved: Some(e.to_string()),
                })
            }
        };
        let changes = match (&review, &previous_review) {
            (Some(review), Some(previous)) => comparable_changes(previous, review),
            (Some(_), None) => Vec::new(),
            (None, _) => {
                let ids: Vec<String> = finished.iter().map(|r| r.id.clone()).collect();
                comparable_changes(
                    &latest_as_review(&before, &ids, outcome.checked_at),
                    &latest_as_review(&after, &ids, outcome.checked_at),
                )
            }
        };
        Ok(RunReport {
            previous_id: review.as_ref().and(previous_review.map(|p| p.id)),
            not_rechecked: outcome.unfinished.clone(),
            latest: after.in_order(),
            outcome,
            review,
            changes,
            full,
            not_saved: None,
        })
    }

    /// Every check's latest known result (full reviews and partial runs alike), with when it
    /// was taken, and a notice if the file holding them was damaged and set aside.
    pub fn latest_results(&self, now: OffsetDateTime) -> Result<Loaded> {
        self.latest.load(|| self.reviews.latest(now), now)
    }

    /// [`Lockstep::latest_results`] when the caller already loaded the latest review.
    pub fn latest_results_after(
        &self,
        review: Option<&Review>,
        now: OffsetDateTime,
    ) -> Result<Loaded> {
        self.latest.load(|| Ok(review.cloned()), now)
    }

    /// Where every item stands, from the answers and the latest known results; in the
    /// periodic review journey also what the review walks.
    pub fn assess(&self, latest: &Loaded, now: OffsetDateTime) -> crate::item_state::Assessment {
        let state = self.state();
        let results: Vec<CheckResult> = latest.results.values().map(|l| l.result.clone()).collect();
        let mut assessment = crate::item_state::assess(
            Catalogue::builtin(),
            &state.answers,
            &results,
            state.journey,
        );
        if state.journey == Some(Journey::Review) {
            assessment.review = Some(self.review_walk(&state, now));
        }
        assessment
    }

    /// What the periodic review walks: items whose checks changed at the last review (against
    /// the one before it) and answers older than the review interval. Reads the two newest
    /// reviews only; if they cannot be read, the walk still lists the old answers.
    pub fn review_walk(
        &self,
        state: &State,
        now: OffsetDateTime,
    ) -> crate::review_walk::ReviewWalk {
        let two = self.reviews.latest_two(now).unwrap_or_default();
        let changes = match two.as_slice() {
            [latest, previous, ..] => comparable_changes(previous, latest),
            _ => Vec::new(),
        };
        crate::review_walk::walk(
            Catalogue::builtin(),
            &state.answers,
            &changes,
            two.first().map(|r| r.checked_at),
            state.settings.review_interval_days,
            now,
        )
    }

    /// Past reviews, newest first, with notices about damaged files set aside.
    pub fn list_reviews(&self, now: OffsetDateTime) -> Result<ReviewList> {
        self.reviews.list(now)
    }

    /// One page of past reviews, newest first: the newest `limit`, or with `before` the
    /// `limit` just older than that review; says whether older ones follow. Costs the same at
    /// any history size for the first page (see [`ReviewStore::page`]).
    pub fn review_page(
        &self,
        before: Option<&str>,
        limit: usize,
        now: OffsetDateTime,
    ) -> Result<history::ReviewPage> {
        self.reviews.page(before, limit, now)
    }

    /// One review and what changed since the one before it.
    pub fn open_review(&self, id: &str, now: OffsetDateTime) -> Result<(Review, Vec<Change>)> {
        let review = self.reviews.load(id, now)?;
        let changes = match self.reviews.previous(id, now)? {
            Some(prev) => comparable_changes(&prev, &review),
            None => Vec::new(),
        };
        Ok((review, changes))
    }

    pub fn latest_review(&self, now: OffsetDateTime) -> Result<Option<Review>> {
        self.reviews.latest(now)
    }

    /// The review store the app reads and records through (the ui_ops bench records a review
    /// as `run_checks` does, without the network).
    pub fn reviews(&self) -> &ReviewStore {
        &self.reviews
    }

    /// When the last review was, when the next is due, and the counts by status.
    /// Reads the history index only, never a review, so it costs the same at any history size.
    pub fn status_report(&self, now: OffsetDateTime) -> Result<StatusReport> {
        let latest = self.reviews.latest_entry(now)?;
        let state = self.state();
        let extra = history::due::token_expiries(&state.tokens);
        Ok(history::status_report_of(
            now,
            latest.as_ref(),
            state.settings.review_interval_days,
            &extra,
        ))
    }

    /// [`Lockstep::status_report`] for a latest review the caller already loaded.
    pub fn status_of(&self, now: OffsetDateTime, latest: Option<&Review>) -> StatusReport {
        let state = self.state();
        let extra = history::due::token_expiries(&state.tokens);
        history::status_report(now, latest, state.settings.review_interval_days, &extra)
    }

    /// True (and remembered for today) when a "review due" notification should be shown now.
    pub fn take_due_notification(&self, now: OffsetDateTime) -> Result<Option<StatusReport>> {
        let report = self.status_report(now)?;
        if !report.due || !history::should_notify(now, self.state().last_notified_on.as_deref()) {
            return Ok(None);
        }
        self.update(move |s| {
            s.last_notified_on = Some(history::due::notified_on(now));
            Ok(())
        })?;
        Ok(Some(report))
    }

    /// A report of one review (the latest when `id` is `None`) with its changes.
    pub fn report(
        &self,
        id: Option<&str>,
        format: ReportFormat,
        now: OffsetDateTime,
    ) -> Result<String> {
        let (review, previous) = match id {
            Some(id) => (self.reviews.load(id, now)?, self.reviews.previous(id, now)?),
            None => {
                // The newest two, found through the index: no other review is opened.
                let mut two = self.reviews.latest_two(now)?.into_iter();
                let latest = two.next().ok_or_else(|| {
                    Error::InvalidInput(
                        "There is no review yet. Run the checks first (lockstep check).".into(),
                    )
                })?;
                (latest, two.next())
            }
        };
        let changes = match previous {
            Some(prev) => comparable_changes(&prev, &review),
            None => Vec::new(),
        };
        Ok(history::report::render(
            &review,
            &changes,
            Catalogue::builtin(),
            &review.answers,
            format,
        ))
    }

    /// The onboarding summary to share with a project's owners (nothing private by default).
    pub fn summary(
        &self,
        options: SummaryOptions,
        format: SummaryFormat,
        now: OffsetDateTime,
    ) -> Result<String> {
        let latest = self.reviews.latest(now)?;
        let summary = history::summary::summarize(
            Catalogue::builtin(),
            &self.state().answers,
            latest.as_ref(),
            options,
        );
        Ok(history::summary::render_summary(&summary, format))
    }

    /// The progress file (answers, positions, settings; never tokens).
    pub fn export_progress(&self) -> String {
        history::transfer::export(&self.state())
    }

    /// What importing `file_text` would change; changes nothing. Settings in the file must
    /// pass the same checks as [`Lockstep::save_settings`], or the import is refused.
    pub fn preview_import(&self, file_text: &str) -> Result<ImportPreview> {
        let preview = history::transfer::preview(&self.state(), file_text)?;
        if let Some(settings) = &preview.incoming.settings {
            // Addresses are never imported (see `transfer::apply`), so they are not judged.
            let mut settings = settings.clone();
            for account in settings.accounts.values_mut() {
                account.base_url = None;
            }
            validate_settings(&settings).map_err(|e| {
                Error::InvalidInput(format!(
                    "The settings in this file cannot be used: {e} Nothing was changed."
                ))
            })?;
        }
        Ok(preview)
    }

    /// Imports a progress file (after the user saw the preview and agreed).
    pub fn apply_import(&self, file_text: &str) -> Result<State> {
        let preview = self.preview_import(file_text)?;
        self.update(move |s| {
            *s = history::transfer::apply(s, &preview);
            Ok(())
        })
    }

    /// Cancels the running check run, if any. Results so far are kept; the rest say unknown.
    pub fn cancel_run(&self) -> bool {
        match lock(&self.current_run).as_ref() {
            Some(c) => {
                c.cancel();
                true
            }
            None => false,
        }
    }
}

/// Settings Lockstep can work with: a sane review interval, and base URLs over HTTPS (plain
/// HTTP only to this computer), since tokens are sent there.
fn validate_settings(settings: &Settings) -> Result<()> {
    if settings.review_interval_days == 0 || settings.review_interval_days > 366 {
        return Err(Error::InvalidInput(
            "The review interval must be between 1 and 366 days.".into(),
        ));
    }
    let text_ok = |s: &str| s.chars().count() <= 320 && !s.chars().any(char::is_control);
    let lists_ok = settings.emails.len() <= 100
        && settings.pypi_projects.len() <= 1000
        && settings.emails.iter().all(|e| text_ok(e))
        && settings.pypi_projects.iter().all(|p| text_ok(p))
        && settings
            .accounts
            .values()
            .all(|a| a.user.as_deref().is_none_or(text_ok));
    if !lists_ok {
        return Err(Error::InvalidInput(
            "A user name, email address or project name is too long or holds control characters (such as a line break or a terminal escape).".into(),
        ));
    }
    for (platform, account) in &settings.accounts {
        if let Some(url) = &account.base_url {
            if !url.trim().is_empty() {
                crate::http::checked_base(url).map_err(|e| {
                    Error::InvalidInput(format!("{} address: {e}", platform.display_name()))
                })?;
            }
        }
    }
    Ok(())
}

/// The scopes of a saved token beyond what Lockstep needs, as judged when it was saved.
fn saved_broad(platform: Platform, info: &TokenInfo) -> Vec<String> {
    match (info.verdict, platform) {
        // States written before the verdict was kept knew this only for GitHub's scopes.
        (None, Platform::Github) => crate::live::github::broad_scopes(&info.scopes),
        _ => info.broad_scopes.clone(),
    }
}

/// What Lockstep makes of a saved token today: expired once its day has passed, otherwise
/// what it made of it when it was saved.
fn saved_verdict(platform: Platform, info: &TokenInfo, now: OffsetDateTime) -> TokenVerdict {
    let expired = info
        .expires_at
        .as_deref()
        .and_then(crate::expiry::parse_date)
        .is_some_and(|day| crate::expiry::Expiry::on(day, now) == crate::expiry::Expiry::Expired);
    let broad = !saved_broad(platform, info).is_empty();
    let kept = info.verdict.unwrap_or(if broad {
        TokenVerdict::Broad
    } else {
        TokenVerdict::Fits
    });
    if expired {
        TokenVerdict::Expired
    } else {
        kept
    }
}

/// Warnings that depend on time: a token that has expired or expires soon ([`Expiry`]'s rule).
fn token_warnings(info: &TokenInfo, now: OffsetDateTime) -> Vec<String> {
    let Some(day) = info
        .expires_at
        .as_deref()
        .and_then(crate::expiry::parse_date)
    else {
        return Vec::new();
    };
    match crate::expiry::Expiry::on(day, now) {
        crate::expiry::Expiry::Expired => {
            vec![format!(
                "This token expired on {day}. Create a new one and save it."
            )]
        }
        e @ crate::expiry::Expiry::Soon(_) => vec![format!(
            "This token {} (on {day}). Create a new one before then.",
            e.phrase()
        )],
        crate::expiry::Expiry::Later(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use crate::engine::Emitter;
    use crate::keychain::MemoryKeychain;
    use futures::future::BoxFuture;
    use std::time::Duration;

    /// An npm probe that takes its duration to answer.
    struct Slow(Duration);
    impl Probe for Slow {
        fn group(&self) -> Group {
            Group::Account(Platform::Npm)
        }
        fn run<'a>(&'a self, _ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                tokio::time::sleep(self.0).await;
                out.emit(CheckResult::new(
                    crate::live::npm::TWO_FACTOR,
                    Status::Pass,
                    "on",
                ));
            })
        }
    }

    fn open_with_slow_probe(dir: &std::path::Path) -> Arc<Lockstep> {
        let setup = Setup {
            dirs: AppDirs::under(dir),
            tokens: Arc::new(MemoryKeychain::default()),
            env: EnvVars::default(),
            home: dir.join("home"),
            probes: vec![Arc::new(Slow(Duration::from_secs(20)))],
            limits: Limits {
                request_timeout: Duration::from_secs(1),
                deadline: Duration::from_secs(60),
            },
        };
        Arc::new(Lockstep::open(setup, OffsetDateTime::UNIX_EPOCH).unwrap())
    }

    fn npm() -> Option<Vec<Group>> {
        Some(vec![Group::Account(Platform::Npm)])
    }

    #[tokio::test]
    async fn a_token_broken_by_a_line_break_is_refused_not_stored() {
        let dir = tempfile::tempdir().unwrap();
        let l = open_with_slow_probe(dir.path());
        let now = OffsetDateTime::UNIX_EPOCH;
        let err = l
            .save_token(Platform::Github, Secret::new("ghp_first\nghp_second"), now)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), "invalid_input");
        assert!(!err.to_string().contains("ghp_"), "{err}");
        assert!(!l.token_status(Platform::Github, now).saved);
    }

    #[test]
    fn import_refuses_settings_that_save_settings_refuses() {
        let dir = tempfile::tempdir().unwrap();
        let l = open_with_slow_probe(dir.path());
        let file = |settings: serde_json::Value| {
            serde_json::json!({"format": "lockstep-progress", "version": 2, "settings": settings})
                .to_string()
        };
        for bad in [
            serde_json::json!({"accounts": {"github": {"user": "octo\u{1b}]0;x\u{7}"}}}),
            serde_json::json!({"review_interval_days": 0}),
        ] {
            let err = l.apply_import(&file(bad.clone())).unwrap_err();
            assert_eq!(err.kind(), "invalid_input", "{bad}");
            assert!(err.to_string().contains("Nothing was changed"), "{err}");
            assert!(l.preview_import(&file(bad)).is_err());
        }
        assert_eq!(l.state(), State::default(), "nothing was imported");
        let good = serde_json::json!({"review_interval_days": 30});
        let state = l.apply_import(&file(good)).unwrap();
        assert_eq!(state.settings.review_interval_days, 30);
    }

    #[tokio::test]
    async fn a_run_abandoned_midway_does_not_block_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let l = open_with_slow_probe(dir.path());
        {
            let mut abandoned =
                Box::pin(l.run_checks(npm(), None, OffsetDateTime::UNIX_EPOCH, |_| {}));
            assert!(futures::poll!(&mut abandoned).is_pending());
        }
        let mut next = Box::pin(l.run_checks(npm(), None, OffsetDateTime::UNIX_EPOCH, |_| {}));
        assert!(
            futures::poll!(&mut next).is_pending(),
            "the next run must start, not be refused as already running"
        );
        assert!(l.cancel_run());
        let report = next.await.unwrap();
        assert!(report.outcome.cancelled);
    }

    #[tokio::test]
    async fn the_run_after_a_cancelled_one_can_still_be_cancelled() {
        let dir = tempfile::tempdir().unwrap();
        let l = open_with_slow_probe(dir.path());
        let first = tokio::spawn({
            let l = l.clone();
            async move {
                l.run_checks(npm(), None, OffsetDateTime::UNIX_EPOCH, |_| {})
                    .await
            }
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(l.cancel_run());
        // Started while the cancelled run is still winding down.
        let mut second = Box::pin(l.run_checks(npm(), None, OffsetDateTime::UNIX_EPOCH, |_| {}));
        assert!(futures::poll!(&mut second).is_pending());
        assert!(first.await.unwrap().unwrap().outcome.cancelled);
        assert!(
            l.cancel_run(),
            "the end of the first run must not forget the second"
        );
        let report = tokio::time::timeout(Duration::from_secs(10), second)
            .await
            .expect("the cancelled second run ends promptly")
            .unwrap();
        assert!(report.outcome.cancelled);
        assert_eq!(report.outcome.results[0].status, Status::Unknown);
    }
}
