//! The `#[tauri::command]` adapters: each parses its arguments, calls the core, and returns
//! plain data. No logic lives here. Argument names are camelCase on the JS side.

use crate::error::{AppError, AppResult};
use lockstep_core::app::{Lockstep, TokenStatus};
use lockstep_core::catalogue::{Catalogue, Journey, Topic};
use lockstep_core::check::CheckResult;
use lockstep_core::check_registry;
use lockstep_core::platform::{Group, Platform};
use lockstep_core::secret::Secret;
use lockstep_core::settings::Settings;
use lockstep_core::state::{AnswerStatus, State};
use serde::Serialize;
use std::sync::Arc;
use tauri::ipc::Channel;
use time::OffsetDateTime;

type Core<'a> = tauri::State<'a, Arc<Lockstep>>;

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

/// Every command, for the builder.
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_snapshot,
        choose_journey,
        set_position,
        answer_item,
        save_settings,
        run_checks,
        cancel_checks,
        list_tokens,
        save_token,
        delete_token,
    ]
}

/// Work done once the window exists (the due-review notification).
pub fn on_start<R: tauri::Runtime>(_app: &tauri::AppHandle<R>) {}

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
    latest_results: Vec<CheckResult>,
    due: DueView,
}

/// Everything the UI needs to draw its first screen.
#[tauri::command]
pub async fn app_snapshot(core: Core<'_>) -> AppResult<Snapshot> {
    let catalogue = Catalogue::builtin();
    Ok(Snapshot {
        state: core.state(),
        notice: core.notice(),
        catalogue: CatalogueView {
            items: &catalogue.items,
            topics: Topic::ALL.iter().map(|&t| TopicView { id: t, title: t.title() }).collect(),
        },
        checks: check_registry::CHECKS
            .iter()
            .map(|c| CheckView { id: c.id, group: c.group, title: c.title, least_scope: c.least_scope })
            .collect(),
        latest_results: Vec::new(),
        due: DueView { last_review_at: None, next_due_on: None, status: "never", reason: None },
    })
}

fn parse_journey(s: &str) -> AppResult<Journey> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| AppError::InvalidInput(format!("'{s}' is not a journey: use onboarding, review or travel.")))
}

#[tauri::command]
pub async fn choose_journey(core: Core<'_>, journey: String) -> AppResult<State> {
    Ok(core.choose_journey(parse_journey(&journey)?)?)
}

#[tauri::command]
pub async fn set_position(core: Core<'_>, journey: String, item_id: String) -> AppResult<State> {
    Ok(core.set_position(parse_journey(&journey)?, &item_id)?)
}

#[tauri::command]
pub async fn answer_item(
    core: Core<'_>,
    item_id: String,
    status: Option<String>,
    reason: Option<String>,
    choice: Option<String>,
) -> AppResult<State> {
    let status = match status.as_deref() {
        None => None,
        Some(s) => Some(
            serde_json::from_value::<AnswerStatus>(serde_json::Value::String(s.to_string())).map_err(|_| {
                AppError::InvalidInput(format!("'{s}' is not an answer: use done, not_applicable or later."))
            })?,
        ),
    };
    Ok(core.answer(&item_id, status, reason, choice, now())?)
}

#[tauri::command]
pub async fn save_settings(core: Core<'_>, settings: Settings) -> AppResult<State> {
    Ok(core.save_settings(settings)?)
}

/// Messages streamed to the UI while checks run.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    Started { total: usize },
    Result { result: CheckResult, done: usize, total: usize },
    Finished { review_id: Option<String>, cancelled: bool, changes: Vec<serde_json::Value> },
}

#[derive(Debug, Serialize)]
pub struct RunReport {
    review_id: Option<String>,
    results: Vec<CheckResult>,
    changes: Vec<serde_json::Value>,
    cancelled: bool,
}

pub(crate) fn parse_groups(groups: Option<Vec<String>>) -> AppResult<Option<Vec<Group>>> {
    groups
        .map(|gs| gs.iter().map(|g| g.parse::<Group>().map_err(AppError::InvalidInput)).collect())
        .transpose()
}

/// Runs the checks, streaming each result through `on_event` as it finishes.
#[tauri::command]
pub async fn run_checks(
    core: Core<'_>,
    groups: Option<Vec<String>>,
    journey: Option<String>,
    on_event: Channel<RunEvent>,
) -> AppResult<RunReport> {
    let groups = parse_groups(groups)?;
    let _journey = journey.as_deref().map(parse_journey).transpose()?;
    let total = groups
        .as_ref()
        .map(|gs| check_registry::CHECKS.iter().filter(|c| gs.contains(&c.group)).count())
        .unwrap_or(check_registry::CHECKS.len());
    let _ = on_event.send(RunEvent::Started { total });
    let mut done = 0;
    let outcome = core
        .run_checks(groups, now(), |r| {
            done += 1;
            let _ = on_event.send(RunEvent::Result { result: r.clone(), done, total });
        })
        .await?;
    let _ = on_event.send(RunEvent::Finished { review_id: None, cancelled: outcome.cancelled, changes: Vec::new() });
    Ok(RunReport { review_id: None, results: outcome.results, changes: Vec::new(), cancelled: outcome.cancelled })
}

#[tauri::command]
pub async fn cancel_checks(core: Core<'_>) -> AppResult<bool> {
    Ok(core.cancel_run())
}

fn parse_platform(s: &str) -> AppResult<Platform> {
    s.parse::<Platform>().map_err(AppError::InvalidInput)
}

/// Which platforms have a token and what each can do. Never the token.
#[tauri::command]
pub async fn list_tokens(core: Core<'_>) -> AppResult<Vec<TokenStatus>> {
    let core = core.inner().clone();
    Ok(tokio::task::spawn_blocking(move || core.token_statuses(now())).await?)
}

/// Saves a token in the OS keychain. The token travels UI → Rust once and never back.
#[tauri::command]
pub async fn save_token(core: Core<'_>, platform: String, token: String) -> AppResult<TokenStatus> {
    let platform = parse_platform(&platform)?;
    Ok(core.save_token(platform, Secret::new(token), now()).await?)
}

#[tauri::command]
pub async fn delete_token(core: Core<'_>, platform: String) -> AppResult<TokenStatus> {
    let platform = parse_platform(&platform)?;
    let core = core.inner().clone();
    Ok(tokio::task::spawn_blocking(move || core.delete_token(platform, now())).await??)
}
