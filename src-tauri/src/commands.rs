//! The `#[tauri::command]` adapters: each takes typed arguments (Tauri deserializes them and
//! rejects a value that is not one before the command runs), calls the core, and returns
//! plain data. No logic lives here. Argument names are camelCase on the JS side.
//!
//! Core calls that read or write files (state, reviews, reports) run through [`blocking`],
//! off the async runtime's threads, like the keychain calls.

use crate::error::{AppError, AppResult};
use lockstep_core::app::{Lockstep, TokenStatus};
use lockstep_core::catalogue::{Catalogue, Journey, Topic};
use lockstep_core::check::CheckResult;
use lockstep_core::check_registry;
use lockstep_core::history::latest::{LatestResult, Loaded};
use lockstep_core::history::{
    Change, DueStatus, ImportPreview, ReportFormat, Review, ReviewPage, StatusReport,
};
use lockstep_core::history::{SummaryFormat, SummaryOptions};
use lockstep_core::item_state::Assessment;
use lockstep_core::platform::{group_views, Group, GroupView, Platform, PlatformSpec, PLATFORMS};
use lockstep_core::secret::Secret;
use lockstep_core::settings::Settings;
use lockstep_core::state::{AnswerStatus, State};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::ipc::Channel;
use time::OffsetDateTime;

type Core<'a> = tauri::State<'a, Arc<Lockstep>>;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Runs core work that touches files on a blocking thread, so a slow disk never stalls the
/// runtime that serves the window's other commands.
async fn blocking<T: Send + 'static>(
    core: &Core<'_>,
    work: impl FnOnce(&Lockstep) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let core = core.inner().clone();
    tokio::task::spawn_blocking(move || work(&core)).await?
}

/// Every command, for the builder.
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static
{
    tauri::generate_handler![
        app_snapshot,
        choose_journey,
        trip_action,
        set_position,
        answer_item,
        save_settings,
        assessment,
        current_state,
        run_checks,
        cancel_checks,
        list_tokens,
        save_token,
        check_token,
        delete_token,
        list_reviews,
        watch_saves,
        open_review,
        export_report,
        export_summary,
        export_progress,
        preview_import,
        apply_import,
    ]
}

/// How often the running app looks whether a review has fallen due.
const DUE_POLL: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Once the window exists: a desktop notification when a review is due, at most once a day,
/// checked again every hour while the app runs.
pub fn on_start<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager;
    use tauri_plugin_notification::NotificationExt;
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let core = app.state::<Arc<Lockstep>>().inner().clone();
            if let Ok(Ok(Some(report))) =
                tokio::task::spawn_blocking(move || core.take_due_notification(now())).await
            {
                let body = if report.last_review_at.is_some() {
                    format!("Your periodic security review is due ({}). Open Lockstep to re-check your accounts.", report.next_due.reason)
                } else {
                    "Run your first Lockstep review to see where your accounts stand.".to_string()
                };
                let _ = app
                    .notification()
                    .builder()
                    .title("Lockstep: review due")
                    .body(body)
                    .show();
            }
            tokio::time::sleep(DUE_POLL).await;
        }
    });
}

#[derive(Debug, Serialize)]
pub struct TopicView {
    id: Topic,
    title: &'static str,
}

#[derive(Debug, Serialize)]
pub struct CatalogueView {
    items: &'static [lockstep_core::catalogue::Item],
    topics: Vec<TopicView>,
}

#[derive(Debug, Serialize)]
pub struct CheckView {
    id: &'static str,
    group: Group,
    title: &'static str,
    least_scope: &'static str,
}

#[derive(Debug, Serialize)]
pub struct DueView {
    last_review_at: Option<String>,
    next_due_on: Option<String>,
    /// `never`, `not_due`, `due_today` or `overdue`.
    status: &'static str,
    reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Snapshot {
    state: State,
    notice: Option<String>,
    catalogue: CatalogueView,
    checks: Vec<CheckView>,
    /// Each check's latest result with its time, from reviews and partial runs alike.
    latest_results: Vec<LatestResult>,
    /// Where every item stands; the window renders it and never works it out itself.
    assessment: Assessment,
    due: DueView,
    /// Platforms whose address is not their public one (a setting or the environment), so
    /// an unreachable server can be blamed on the likely cause.
    custom_addresses: std::collections::BTreeMap<Platform, String>,
    /// The platform table: Accounts draws one card per row, with its recipe or "no token
    /// needed" text, and nothing in the window lists platforms itself.
    platforms: &'static [PlatformSpec],
    /// The check groups in display order, with their headings and not-set-up hints.
    groups: Vec<GroupView>,
}

/// Each platform's address where it differs from the platform's own public one.
fn custom_addresses(core: &Lockstep) -> std::collections::BTreeMap<Platform, String> {
    let settings = core.state().settings;
    let defaults = Settings::default();
    let no_env = lockstep_core::settings::EnvVars::default();
    Platform::all()
        .filter_map(|p| {
            let url = settings.platform_config(p, core.env()).base_url;
            (url != defaults.platform_config(p, &no_env).base_url).then_some((p, url))
        })
        .collect()
}

/// Where every item stands now, with the latest results it was worked out from.
#[derive(Debug, Serialize)]
pub struct StandingView {
    latest_results: Vec<LatestResult>,
    assessment: Assessment,
}

/// The state as saved now (after the core changed it on its own, e.g. the user name a saved
/// token revealed), so the window never saves over it with an older copy.
#[tauri::command]
pub async fn current_state(core: Core<'_>) -> AppResult<State> {
    blocking(&core, |core| Ok(core.state())).await
}

/// Re-reads where every item stands (after an answer, an import or a run).
#[tauri::command]
pub async fn assessment(core: Core<'_>) -> AppResult<StandingView> {
    blocking(&core, |core| {
        let latest = core.latest_results(now())?;
        Ok(StandingView {
            assessment: core.assess(&latest, now()),
            latest_results: latest.in_order(),
        })
    })
    .await
}

/// Everything the UI needs to draw its first screen.
#[tauri::command]
pub async fn app_snapshot(core: Core<'_>) -> AppResult<Snapshot> {
    blocking(&core, snapshot).await
}

fn snapshot(core: &Lockstep) -> AppResult<Snapshot> {
    let catalogue = Catalogue::builtin();
    // Loading the latest review reads the reviews folder: once, for both the results and the due date.
    let latest = core.latest_review(now())?;
    let results = core.latest_results_after(latest.as_ref(), now())?;
    let notice = match (core.notice(), results.notice.clone()) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    };
    Ok(Snapshot {
        custom_addresses: custom_addresses(core),
        assessment: core.assess(&results, now()),
        latest_results: results.in_order(),
        state: core.state(),
        notice,
        catalogue: CatalogueView {
            items: &catalogue.items,
            topics: Topic::ALL
                .iter()
                .map(|&t| TopicView {
                    id: t,
                    title: t.title(),
                })
                .collect(),
        },
        checks: check_registry::CHECKS
            .iter()
            .map(|c| CheckView {
                id: c.id,
                group: c.group,
                title: c.title,
                least_scope: c.least_scope,
            })
            .collect(),
        due: due_view(&core.status_of(now(), latest.as_ref())),
        platforms: PLATFORMS,
        groups: group_views(),
    })
}

fn due_view(report: &StatusReport) -> DueView {
    DueView {
        last_review_at: report.last_review_at.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        }),
        next_due_on: Some(report.next_due.date.to_string()),
        status: match (report.last_review_at, report.status) {
            (None, _) => "never",
            (_, DueStatus::NotDue { .. }) => "not_due",
            (_, DueStatus::DueToday) => "due_today",
            (_, DueStatus::Overdue { .. }) => "overdue",
        },
        reason: Some(report.next_due.reason.clone()),
    }
}

#[tauri::command]
pub async fn choose_journey(core: Core<'_>, journey: Journey) -> AppResult<State> {
    blocking(&core, move |core| Ok(core.choose_journey(journey)?)).await
}

/// Travel: start a trip, say you are back, or finish it (it then stays in History).
#[tauri::command]
pub async fn trip_action(
    core: Core<'_>,
    action: lockstep_core::trip::TripAction,
) -> AppResult<State> {
    blocking(&core, move |core| Ok(core.trip_action(action, now())?)).await
}

#[tauri::command]
pub async fn set_position(core: Core<'_>, journey: Journey, item_id: String) -> AppResult<State> {
    blocking(&core, move |core| Ok(core.set_position(journey, &item_id)?)).await
}

#[tauri::command]
pub async fn answer_item(
    core: Core<'_>,
    item_id: String,
    status: Option<AnswerStatus>,
    reason: Option<String>,
    choice: Option<String>,
) -> AppResult<State> {
    blocking(&core, move |core| {
        Ok(core.answer(&item_id, status, reason, choice, now())?)
    })
    .await
}

#[tauri::command]
pub async fn save_settings(core: Core<'_>, settings: Settings) -> AppResult<State> {
    blocking(&core, move |core| Ok(core.save_settings(settings)?)).await
}

/// Messages streamed to the UI while checks run.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    Started {
        total: usize,
    },
    Result {
        result: CheckResult,
        done: usize,
        total: usize,
    },
    /// A check still running has got through `done` of `total` packages or repositories.
    Progress {
        id: String,
        done: usize,
        total: usize,
        /// "packages", "repositories", "crates", ...
        noun: &'static str,
    },
    Finished {
        review_id: Option<String>,
        /// The review this run was compared with; `None` for the first review.
        previous_review_id: Option<String>,
        cancelled: bool,
        changes: Vec<Change>,
        /// How many checks really finished (a cancelled run's placeholders are not counted).
        finished: usize,
        total: usize,
        /// Checks cut short by Cancel; they keep their previous result.
        not_rechecked: Vec<String>,
        /// The run covered every check (a review, unless cancelled).
        full: bool,
    },
}

#[derive(Debug, Serialize)]
pub struct RunView {
    review_id: Option<String>,
    previous_review_id: Option<String>,
    /// This run's results; a check cut short by Cancel shows its previous result if it had one.
    results: Vec<LatestResult>,
    changes: Vec<Change>,
    cancelled: bool,
    finished: usize,
    total: usize,
    not_rechecked: Vec<String>,
    full: bool,
    /// Where every item stands after the run.
    assessment: Assessment,
    /// Why the results could not be saved as a review, if they could not.
    not_saved: Option<String>,
}

/// Runs the checks, streaming each result through `on_event` as it finishes.
#[tauri::command]
pub async fn run_checks(
    core: Core<'_>,
    groups: Option<Vec<Group>>,
    journey: Option<Journey>,
    on_event: Channel<RunEvent>,
) -> AppResult<RunView> {
    let total = groups
        .as_ref()
        .map(|gs| {
            check_registry::CHECKS
                .iter()
                .filter(|c| gs.contains(&c.group))
                .count()
        })
        .unwrap_or(check_registry::CHECKS.len());
    let _ = on_event.send(RunEvent::Started { total });
    let mut done = 0;
    let progress_events = on_event.clone();
    let progress: lockstep_core::engine::ProgressSink = std::sync::Arc::new(move |p| {
        let _ = progress_events.send(RunEvent::Progress {
            id: p.id.clone(),
            done: p.done,
            total: p.total,
            noun: p.noun,
        });
    });
    let report = core
        .run_checks_with_progress(
            groups,
            journey,
            now(),
            |r| {
                done += 1;
                let _ = on_event.send(RunEvent::Result {
                    result: r.clone(),
                    done,
                    total,
                });
            },
            Some(progress),
        )
        .await?;
    let review_id = report.review.as_ref().map(|r| r.id.clone());
    let _ = on_event.send(RunEvent::Finished {
        review_id: review_id.clone(),
        previous_review_id: report.previous_id.clone(),
        cancelled: report.outcome.cancelled,
        changes: report.changes.clone(),
        finished: done,
        total,
        not_rechecked: report.not_rechecked.clone(),
        full: report.full,
    });
    // A check cut short keeps its previous result; one that never had a result shows the
    // run's "cancelled before it finished" placeholder (which is not stored).
    let results = report
        .outcome
        .results
        .iter()
        .map(|r| {
            report
                .latest
                .iter()
                .find(|l| l.result.id == r.id)
                .cloned()
                .unwrap_or_else(|| LatestResult {
                    result: r.clone(),
                    checked_at: report.outcome.checked_at,
                    review_id: None,
                })
        })
        .collect();
    let loaded = Loaded {
        results: report
            .latest
            .iter()
            .map(|l| (l.result.id.clone(), l.clone()))
            .collect(),
        notice: None,
    };
    Ok(RunView {
        review_id,
        previous_review_id: report.previous_id,
        results,
        changes: report.changes,
        cancelled: report.outcome.cancelled,
        finished: done,
        total,
        not_rechecked: report.not_rechecked,
        full: report.full,
        assessment: core.assess(&loaded, now()),
        not_saved: report.not_saved,
    })
}

#[tauri::command]
pub async fn cancel_checks(core: Core<'_>) -> AppResult<bool> {
    Ok(core.cancel_run())
}

/// Which platforms have a token and what each can do. Never the token.
#[tauri::command]
pub async fn list_tokens(core: Core<'_>) -> AppResult<Vec<TokenStatus>> {
    blocking(&core, |core| Ok(core.token_statuses(now()))).await
}

/// Saves a token in the OS keychain. The token travels UI → Rust once and never back.
#[tauri::command]
pub async fn save_token(
    core: Core<'_>,
    platform: Platform,
    token: String,
) -> AppResult<TokenStatus> {
    Ok(core.save_token(platform, Secret::new(token), now()).await?)
}

/// What a pasted token can do and whom it belongs to, before it is saved. Stores nothing and
/// never sends the token back.
#[tauri::command]
pub async fn check_token(
    core: Core<'_>,
    platform: Platform,
    token: String,
) -> AppResult<lockstep_core::app::TokenCheck> {
    Ok(core
        .check_token(platform, &Secret::new(token), now())
        .await?)
}

#[tauri::command]
pub async fn delete_token(core: Core<'_>, platform: Platform) -> AppResult<TokenStatus> {
    blocking(&core, move |core| Ok(core.delete_token(platform, now())?)).await
}

/// What the window is told about saving: `problem` is the `{kind, message}` of a save that
/// failed in the background (kind `not_saved_yet`), or null once a later save succeeded.
#[derive(Debug, Serialize)]
pub struct SaveStatus {
    problem: Option<AppError>,
}

/// The page hands over `on_event` once at start; from then on every failed background save,
/// and the first successful one after it, is sent through it as it happens (also at once if
/// a save is failing now). A page that calls again (after a reload) replaces the channel.
#[tauri::command]
pub fn watch_saves(core: Core<'_>, on_event: Channel<SaveStatus>) {
    core.watch_saves(move |problem| {
        let _ = on_event.send(SaveStatus {
            problem: problem.map(AppError::from),
        });
    });
}

/// How many reviews the History screen shows at first and adds per "Show older reviews".
const REVIEW_PAGE: usize = 50;

/// One page of past reviews, newest first: the newest `limit` (default 50), or with `before`
/// (a review id) the ones just older than it; `more` says whether older ones follow. The
/// first page costs the same at any history size.
#[tauri::command]
pub async fn list_reviews(
    core: Core<'_>,
    before: Option<String>,
    limit: Option<usize>,
) -> AppResult<ReviewPage> {
    blocking(&core, move |core| {
        Ok(core.review_page(before.as_deref(), limit.unwrap_or(REVIEW_PAGE), now())?)
    })
    .await
}

#[derive(Debug, Serialize)]
pub struct ReviewView {
    review: Review,
    changes: Vec<Change>,
}

/// One past review and what changed since the one before it (worse first).
#[tauri::command]
pub async fn open_review(core: Core<'_>, id: String) -> AppResult<ReviewView> {
    blocking(&core, move |core| {
        let (review, changes) = core.open_review(&id, now())?;
        Ok(ReviewView { review, changes })
    })
    .await
}

/// What the page may ask for: a kind of file, never a path. The dialog is opened here and
/// the user's choice in it decides where a file is written or which file is read, so a page
/// that was tricked into calling a command cannot choose a path itself.
#[derive(Debug, Clone)]
pub enum Pick {
    Save {
        file_name: String,
        filter: &'static str,
        extension: String,
    },
    Open {
        filter: &'static str,
        extension: &'static str,
    },
}

/// Opens the native file dialog (or, in tests, answers like one).
#[derive(Clone)]
pub struct FilePicker(Arc<dyn Fn(Pick) -> Option<PathBuf> + Send + Sync>);

impl FilePicker {
    /// The system dialog, through the dialog plugin's Rust side.
    pub fn dialog<R: tauri::Runtime>(app: tauri::AppHandle<R>) -> Self {
        FilePicker(Arc::new(move |pick| {
            use tauri_plugin_dialog::DialogExt;
            let dialog = app.dialog().file();
            let chosen = match pick {
                Pick::Save {
                    file_name,
                    filter,
                    extension,
                } => dialog
                    .set_file_name(file_name)
                    .add_filter(filter, &[extension.as_str()])
                    .blocking_save_file(),
                Pick::Open { filter, extension } => {
                    dialog.add_filter(filter, &[extension]).blocking_pick_file()
                }
            };
            chosen.and_then(|p| p.into_path().ok())
        }))
    }

    /// A picker that answers `choose` (tests).
    pub fn answering(choose: impl Fn(Pick) -> Option<PathBuf> + Send + Sync + 'static) -> Self {
        FilePicker(Arc::new(choose))
    }

    /// Asks, off the async threads (the dialog blocks until the user answers).
    async fn pick(&self, pick: Pick) -> AppResult<Option<PathBuf>> {
        let choose = self.0.clone();
        tokio::task::spawn_blocking(move || choose(pick))
            .await
            .map_err(|e| AppError::Task(e.to_string()))
    }
}

/// The file the user picked for the import being previewed, so applying it reads the same
/// file and never one named by the page.
#[derive(Default)]
pub struct PendingImport(std::sync::Mutex<Option<PathBuf>>);

/// Writes a file the user picked, atomically, on a blocking thread.
async fn write_user_file(path: PathBuf, text: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || {
        lockstep_core::atomic_file::write_atomic(&path, text.as_bytes())?;
        Ok(path.display().to_string())
    })
    .await?
}

/// Writes a review report where the user chooses in the save dialog; `None` if they cancel.
#[tauri::command]
pub async fn export_report(
    core: Core<'_>,
    picker: tauri::State<'_, FilePicker>,
    review_id: Option<String>,
    format: ReportFormat,
) -> AppResult<Option<String>> {
    let text = blocking(&core, move |core| {
        Ok(core.report(review_id.as_deref(), format, now())?)
    })
    .await?;
    let extension = format.extension();
    let pick = Pick::Save {
        file_name: format!("lockstep-review.{extension}"),
        filter: "Report",
        extension: extension.to_string(),
    };
    match picker.pick(pick).await? {
        Some(path) => write_user_file(path, text).await.map(Some),
        None => Ok(None),
    }
}

/// Writes the shareable onboarding summary where the user chooses; `None` if they cancel.
#[tauri::command]
pub async fn export_summary(
    core: Core<'_>,
    picker: tauri::State<'_, FilePicker>,
    format: SummaryFormat,
    include_emails: bool,
    include_packages: bool,
) -> AppResult<Option<String>> {
    let options = SummaryOptions {
        include_emails,
        include_packages,
    };
    let text = blocking(&core, move |core| {
        Ok(core.summary(options, format, now())?)
    })
    .await?;
    let extension = format.extension();
    let pick = Pick::Save {
        file_name: format!("lockstep-onboarding-summary.{extension}"),
        filter: "Summary",
        extension: extension.to_string(),
    };
    match picker.pick(pick).await? {
        Some(path) => write_user_file(path, text).await.map(Some),
        None => Ok(None),
    }
}

/// Writes the progress file (answers and settings, never tokens) where the user chooses.
#[tauri::command]
pub async fn export_progress(
    core: Core<'_>,
    picker: tauri::State<'_, FilePicker>,
) -> AppResult<Option<String>> {
    let pick = Pick::Save {
        file_name: "lockstep-progress.json".into(),
        filter: "Lockstep progress",
        extension: "json".into(),
    };
    match picker.pick(pick).await? {
        Some(path) => {
            let text = blocking(&core, |core| Ok(core.export_progress())).await?;
            write_user_file(path, text).await.map(Some)
        }
        None => Ok(None),
    }
}

fn read_user_file(path: &std::path::Path) -> AppResult<String> {
    let bytes = lockstep_core::local_file::read_capped(
        path,
        lockstep_core::history::transfer::MAX_IMPORT_BYTES,
    )
    .map_err(|e| {
        AppError::InvalidInput(format!(
            "Could not read {}: {e}. Nothing was changed.",
            path.display()
        ))
    })?;
    String::from_utf8(bytes).map_err(|_| {
        AppError::InvalidInput(format!(
            "{} is not text (UTF-8). Nothing was changed.",
            path.display()
        ))
    })
}

/// Asks which progress file to import and says what importing it would change. Changes
/// nothing; `None` if the user cancels.
#[tauri::command]
pub async fn preview_import(
    core: Core<'_>,
    picker: tauri::State<'_, FilePicker>,
    pending: tauri::State<'_, PendingImport>,
) -> AppResult<Option<ImportPreview>> {
    let pick = Pick::Open {
        filter: "Lockstep progress",
        extension: "json",
    };
    let Some(path) = picker.pick(pick).await? else {
        return Ok(None);
    };
    let file = path.clone();
    let preview = blocking(&core, move |core| {
        Ok(core.preview_import(&read_user_file(&file)?)?)
    })
    .await?;
    *pending.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(path);
    Ok(Some(preview))
}

/// Imports the file the user picked for the preview, after they confirmed it.
#[tauri::command]
pub async fn apply_import(
    core: Core<'_>,
    pending: tauri::State<'_, PendingImport>,
) -> AppResult<State> {
    let path = pending
        .0
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take()
        .ok_or_else(|| {
            AppError::InvalidInput(
                "Choose the progress file again (Import progress…): there is no preview to apply."
                    .into(),
            )
        })?;
    blocking(&core, move |core| {
        Ok(core.apply_import(&read_user_file(&path)?)?)
    })
    .await
}
