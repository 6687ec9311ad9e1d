//! Moving progress between machines: one JSON file with answers, positions, journey and
//! settings. Never tokens or token metadata: a new machine gets new tokens.
//!
//! Import is two steps so the user sees what will change first: [`preview`] parses and
//! compares without touching anything, [`apply`] returns the merged state (the caller saves
//! it). The file wins for every answer it holds; answers it does not mention are kept.

use crate::catalogue::Journey;
use crate::settings::Settings;
use crate::state::{validate_answer, Answer, AnswerStatus, State};
use crate::untrusted_text::{json_error, one_line};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The marker that tells an export apart from any other JSON (including the state file).
pub const EXPORT_FORMAT: &str = "lockstep-progress";
/// Current export version. Version 1 stored answers as bare words and the journey as
/// `current_journey`, like state format 1.
pub const EXPORT_VERSION: u32 = 2;

/// The portable part of the state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    #[serde(default)]
    pub journey: Option<Journey>,
    #[serde(default)]
    pub positions: BTreeMap<Journey, String>,
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Absent in a file means "leave my settings alone".
    #[serde(default)]
    pub settings: Option<Settings>,
}

#[derive(Serialize)]
struct ExportFile<'a> {
    format: &'static str,
    version: u32,
    #[serde(flatten)]
    progress: &'a Progress,
}

/// The export file's text. Built field by field from the state so tokens cannot slip in.
pub fn export(state: &State) -> String {
    let progress = Progress {
        journey: state.journey,
        positions: state.positions.clone(),
        answers: state.answers.clone(),
        settings: Some(state.settings.clone()),
    };
    let file = ExportFile {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        progress: &progress,
    };
    // Serializing plain maps and strings cannot fail; an empty object is a safe fallback.
    serde_json::to_string_pretty(&file).unwrap_or_else(|_| "{}".to_string())
}

/// One answer the import adds or changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerChange {
    pub id: String,
    /// `None` when the item has no answer here yet.
    pub from: Option<AnswerStatus>,
    pub to: AnswerStatus,
}

/// One setting the import changes, named and described in words for the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingChange {
    /// The setting's name in the file (`review_interval_days`, `accounts.github.user`).
    pub name: String,
    /// The values as plain text (empty for none).
    pub from: String,
    pub to: String,
    /// The whole change in words, safe to show anywhere ("GitHub user name: none → octo").
    pub text: String,
}

/// What an import would do, computed without touching anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// The file's format version (older versions are upgraded on read).
    pub file_version: u32,
    pub answers_added: Vec<AnswerChange>,
    pub answers_changed: Vec<AnswerChange>,
    pub answers_unchanged: usize,
    pub settings_changed: Vec<SettingChange>,
    /// What the file holds that an import never changes (where tokens are sent, the breach
    /// check opt-in), in words naming the values, so the user knows it was left alone.
    #[serde(default)]
    pub not_imported: Vec<String>,
    /// `(from, to)` when the journey changes.
    pub journey_changed: Option<(Option<Journey>, Journey)>,
    pub positions_changed: Vec<Journey>,
    /// Answers in the file for checklist items this version does not know (a newer
    /// Lockstep's, or a damaged file): counted, never imported, never shown by their ids.
    #[serde(default)]
    pub answers_unknown: usize,
    /// The parsed content [`apply`] merges in.
    pub incoming: Progress,
}

impl ImportPreview {
    pub fn changes_anything(&self) -> bool {
        !self.answers_added.is_empty()
            || !self.answers_changed.is_empty()
            || !self.settings_changed.is_empty()
            || self.journey_changed.is_some()
            || !self.positions_changed.is_empty()
    }

    /// Every change in words, one per line, safe for a terminal (for `lockstep import`).
    pub fn lines(&self) -> Vec<String> {
        let status = |s: AnswerStatus| match s {
            AnswerStatus::Done => "done",
            AnswerStatus::NotApplicable => "not applicable",
            AnswerStatus::Later => "later",
        };
        let mut out = Vec::new();
        for a in &self.answers_added {
            out.push(format!(
                "add answer: {} is {}",
                one_line(&a.id),
                status(a.to)
            ));
        }
        for a in &self.answers_changed {
            let from = a.from.map_or("no answer", status);
            out.push(format!(
                "change answer: {} from {from} to {}",
                one_line(&a.id),
                status(a.to)
            ));
        }
        for s in &self.settings_changed {
            out.push(format!("change setting: {}", one_line(&s.text)));
        }
        if let Some((_, to)) = self.journey_changed {
            out.push(format!("change journey to {}", journey_name(to)));
        }
        for j in &self.positions_changed {
            out.push(format!("move your place in {}", journey_name(*j)));
        }
        for n in &self.not_imported {
            out.push(format!("not imported: {}", one_line(n)));
        }
        if let Some(words) = self.unknown_words() {
            out.push(format!("not imported: {words}"));
        }
        out
    }

    /// "2 answers for checklist items this version of Lockstep does not know; they will be
    /// ignored", or `None` when every answer is for a known item.
    pub fn unknown_words(&self) -> Option<String> {
        match self.answers_unknown {
            0 => None,
            1 => Some("1 answer for a checklist item this version of Lockstep does not know; it will be ignored (the file is left as it is, so a newer Lockstep can still import it)".into()),
            n => Some(format!("{n} answers for checklist items this version of Lockstep does not know; they will be ignored (the file is left as it is, so a newer Lockstep can still import them)")),
        }
    }
}

fn journey_name(j: Journey) -> &'static str {
    match j {
        Journey::Onboarding => "onboarding",
        Journey::Review => "the periodic review",
        Journey::Travel => "travel",
    }
}

/// Largest progress file Lockstep reads: a full export is a few kilobytes.
pub const MAX_IMPORT_BYTES: u64 = 1024 * 1024;

fn invalid(why: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!(
        "This file is not a Lockstep progress export that can be used: {why}. Nothing was changed."
    ))
}

/// Parses any supported export version into [`Progress`], with the file's version. Every
/// answer and position passes the same checks as one given in the app.
pub fn parse(file_text: &str) -> Result<(u32, Progress, usize)> {
    if file_text.len() as u64 > MAX_IMPORT_BYTES {
        return Err(invalid(format!(
            "it is larger than {} KiB, far more than any export",
            MAX_IMPORT_BYTES / 1024
        )));
    }
    let mut value: serde_json::Value = serde_json::from_str(file_text)
        .map_err(|e| invalid(format!("it is not valid JSON ({})", json_error(&e))))?;
    let obj = value
        .as_object_mut()
        .ok_or_else(|| invalid("it is not a JSON object"))?;
    if obj.get("format").and_then(|f| f.as_str()) != Some(EXPORT_FORMAT) {
        return Err(invalid(format!(
            "it has no \"format\": \"{EXPORT_FORMAT}\" marker (made with Export progress?)"
        )));
    }
    let version = obj
        .get("version")
        .and_then(|v| v.as_u64())
        .ok_or_else(|| invalid("it has no version"))?;
    if version == 0 || version > u64::from(EXPORT_VERSION) {
        return Err(invalid(format!(
            "it was made by a newer Lockstep (format {version}); update Lockstep to import it"
        )));
    }
    if version == 1 {
        migrate_v1(obj)?;
    }
    // Only the portable fields are read; anything else in the file (even a token) is ignored.
    let pick = |k: &str| obj.get(k).cloned().unwrap_or(serde_json::Value::Null);
    let portable = serde_json::json!({
        "journey": pick("journey"),
        "positions": obj.get("positions").cloned().unwrap_or_else(|| serde_json::json!({})),
        "answers": obj.get("answers").cloned().unwrap_or_else(|| serde_json::json!({})),
        "settings": pick("settings"),
    });
    let progress: Progress = serde_json::from_value(portable).map_err(|e| {
        invalid(format!(
            "its content is not as expected ({})",
            json_error(&e)
        ))
    })?;
    let mut progress = progress;
    let unknown = drop_unknown_items(&mut progress);
    validate(&progress)?;
    let version = u32::try_from(version).unwrap_or(EXPORT_VERSION);
    Ok((version, progress, unknown))
}

/// Takes out the answers (and places) for items this version does not know, returning how
/// many answers went: a file from a newer Lockstep still imports everything else.
fn drop_unknown_items(progress: &mut Progress) -> usize {
    let catalogue = crate::catalogue::Catalogue::builtin();
    let before = progress.answers.len();
    progress
        .answers
        .retain(|id, _| id.trim().is_empty() || catalogue.item(id).is_some());
    progress
        .positions
        .retain(|_, id| catalogue.item(id).is_some());
    before - progress.answers.len()
}

/// The same rules as answering in the app: known items, a reason for "not applicable", a
/// valid choice; positions on items of their journey.
fn validate(progress: &Progress) -> Result<()> {
    if progress.answers.keys().any(|id| id.trim().is_empty()) {
        return Err(invalid("an answer has an empty item id"));
    }
    let catalogue = crate::catalogue::Catalogue::builtin();
    for (id, a) in &progress.answers {
        validate_answer(id, a.status, a.reason.as_deref(), a.choice.as_deref())
            .map_err(|e| invalid(e.to_string().trim_end_matches('.')))?;
    }
    for (journey, id) in &progress.positions {
        let fits = catalogue
            .item(id)
            .is_some_and(|item| item.journeys.contains(journey));
        if !fits {
            return Err(invalid(format!(
                "its place in {} is '{}', which is not an item of that journey",
                journey_name(*journey),
                one_line(&bounded_short(id))
            )));
        }
    }
    Ok(())
}

/// An id from the file, cut short for a message.
fn bounded_short(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

/// Version 1: answers were bare words and the journey was `current_journey`.
fn migrate_v1(obj: &mut serde_json::Map<String, serde_json::Value>) -> Result<()> {
    if let Some(j) = obj.remove("current_journey") {
        obj.insert("journey".into(), j);
    }
    if let Some(serde_json::Value::Object(answers)) = obj.get_mut("answers") {
        for (id, answer) in answers.iter_mut() {
            let shown = one_line(&bounded_short(id));
            let Some(word) = answer.as_str() else {
                return Err(invalid(format!(
                    "the answer for {shown} is not a word, as format 1 had"
                )));
            };
            let status = match word {
                "done" => "done",
                "later" => "later",
                "n/a" | "not_applicable" => "not_applicable",
                other => {
                    return Err(invalid(format!(
                        "unknown answer '{}' for {shown}",
                        one_line(&bounded_short(other))
                    )))
                }
            };
            // Format 1 kept no times and no reasons; the epoch marks "unknown", as state
            // format 1 does, and a not-applicable answer says where it came from.
            *answer = if status == "not_applicable" {
                serde_json::json!({ "status": status, "reason": "marked not applicable in an older Lockstep", "updated_at": "1970-01-01T00:00:00Z" })
            } else {
                serde_json::json!({ "status": status, "updated_at": "1970-01-01T00:00:00Z" })
            };
        }
    }
    Ok(())
}

/// The same answer, ignoring when it was given.
fn same_answer(a: &Answer, b: &Answer) -> bool {
    a.status == b.status && a.reason == b.reason && a.choice == b.choice
}

/// What importing `file_text` into `current` would change. Touches nothing.
pub fn preview(current: &State, file_text: &str) -> Result<ImportPreview> {
    let (file_version, incoming, answers_unknown) = parse(file_text)?;
    let mut answers_added = Vec::new();
    let mut answers_changed = Vec::new();
    let mut answers_unchanged = 0;
    for (id, a) in &incoming.answers {
        match current.answers.get(id) {
            None => answers_added.push(AnswerChange {
                id: id.clone(),
                from: None,
                to: a.status,
            }),
            Some(cur) if same_answer(cur, a) => answers_unchanged += 1,
            Some(cur) => answers_changed.push(AnswerChange {
                id: id.clone(),
                from: Some(cur.status),
                to: a.status,
            }),
        }
    }
    let (settings_changed, not_imported) = match &incoming.settings {
        Some(s) => (
            settings_diff(&current.settings, &importable(&current.settings, s)),
            not_imported(&current.settings, s),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let journey_changed = match incoming.journey {
        Some(j) if current.journey != Some(j) => Some((current.journey, j)),
        _ => None,
    };
    let positions_changed = incoming
        .positions
        .iter()
        .filter(|(j, item)| current.positions.get(j) != Some(item))
        .map(|(j, _)| *j)
        .collect();
    Ok(ImportPreview {
        file_version,
        answers_added,
        answers_changed,
        answers_unchanged,
        settings_changed,
        not_imported,
        journey_changed,
        positions_changed,
        answers_unknown,
        incoming,
    })
}

/// The settings an import may change: handles, PyPI projects, emails and the review interval.
/// Where tokens go (every platform's base URL, Have I Been Pwned's included) and the breach
/// check opt-in stay as they are on this machine: a file must never redirect a token or send
/// the user's addresses anywhere.
fn importable(current: &Settings, incoming: &Settings) -> Settings {
    let mut next = incoming.clone();
    next.breach_check_consent = current.breach_check_consent;
    for account in next.accounts.values_mut() {
        account.base_url = None;
    }
    for (platform, account) in &current.accounts {
        if account.base_url.is_some() {
            next.accounts.entry(*platform).or_default().base_url = account.base_url.clone();
        }
    }
    next.accounts
        .retain(|_, a| a.user.is_some() || a.base_url.is_some());
    next
}

/// What the file sets that an import leaves alone, named so the user can set it by hand.
fn not_imported(current: &Settings, incoming: &Settings) -> Vec<String> {
    let mut out = Vec::new();
    for (platform, account) in &incoming.accounts {
        let Some(url) = account.base_url.as_deref().filter(|u| !u.trim().is_empty()) else {
            continue;
        };
        let here = current
            .accounts
            .get(platform)
            .and_then(|a| a.base_url.as_deref());
        if here.map(str::trim) != Some(url.trim()) {
            out.push(format!(
                "the file sends {} requests (and your {} token) to {}; addresses are never imported: if that is right, enter it yourself under Accounts & tokens",
                platform.display_name(),
                platform.display_name(),
                one_line(&bounded_short(url))
            ));
        }
    }
    if incoming.breach_check_consent && !current.breach_check_consent {
        out.push("the file turns on the breach check (sending your email addresses to Have I Been Pwned); consent is never imported: turn it on yourself if you want it".to_string());
    }
    out
}

fn settings_diff(current: &Settings, incoming: &Settings) -> Vec<SettingChange> {
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.iter()
                .map(|s| one_line(&bounded_short(s)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    let mut out = Vec::new();
    let mut platforms: Vec<_> = current
        .accounts
        .keys()
        .chain(incoming.accounts.keys())
        .copied()
        .collect();
    platforms.sort();
    platforms.dedup();
    for p in platforms {
        let user = |s: &Settings| s.accounts.get(&p).and_then(|a| a.user.clone());
        let (a, b) = (user(current), user(incoming));
        if a != b {
            let shown = |u: &Option<String>| {
                u.as_deref()
                    .map_or_else(|| "none".to_string(), |u| one_line(&bounded_short(u)))
            };
            out.push(SettingChange {
                name: format!("accounts.{}.user", p.as_str()),
                from: a.clone().unwrap_or_default(),
                to: b.clone().unwrap_or_default(),
                text: format!(
                    "{} user name: {} → {}",
                    p.display_name(),
                    shown(&a),
                    shown(&b)
                ),
            });
        }
    }
    let lists = [
        (
            "emails",
            "account email addresses",
            &current.emails,
            &incoming.emails,
        ),
        (
            "pypi_projects",
            "PyPI projects",
            &current.pypi_projects,
            &incoming.pypi_projects,
        ),
    ];
    for (name, label, from, to) in lists {
        if from != to {
            out.push(SettingChange {
                name: name.into(),
                from: from.join(", "),
                to: to.join(", "),
                text: format!("{label}: {} → {}", list(from), list(to)),
            });
        }
    }
    if current.review_interval_days != incoming.review_interval_days {
        out.push(SettingChange {
            name: "review_interval_days".into(),
            from: current.review_interval_days.to_string(),
            to: incoming.review_interval_days.to_string(),
            text: format!(
                "review every {} days → every {} days",
                current.review_interval_days, incoming.review_interval_days
            ),
        });
    }
    out
}

/// The state after the import previewed in `preview`. Tokens and reminder bookkeeping stay,
/// and so do where tokens are sent and the breach check opt-in (see [`importable`]).
pub fn apply(current: &State, preview: &ImportPreview) -> State {
    let mut next = current.clone();
    let incoming = &preview.incoming;
    for (id, a) in &incoming.answers {
        // Keep the local timestamp when nothing really changed.
        if !next.answers.get(id).is_some_and(|cur| same_answer(cur, a)) {
            next.answers.insert(id.clone(), a.clone());
        }
    }
    for (j, item) in &incoming.positions {
        next.positions.insert(*j, item.clone());
    }
    if let Some(j) = incoming.journey {
        next.journey = Some(j);
    }
    if let Some(s) = &incoming.settings {
        next.settings = importable(&current.settings, s);
    }
    // Imported answers to trip steps belong to a trip, as answers given here do.
    crate::trip::adopt_loose_answers(&mut next);
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_has_marker_and_version() {
        let v: serde_json::Value = serde_json::from_str(&export(&State::default())).unwrap();
        assert_eq!(v["format"], EXPORT_FORMAT);
        assert_eq!(v["version"], EXPORT_VERSION);
        assert!(v.get("tokens").is_none(), "tokens never travel: {v}");
    }

    #[test]
    fn newer_export_is_refused_with_a_clear_message() {
        let err = parse(r#"{"format":"lockstep-progress","version":9}"#).unwrap_err();
        assert_eq!(err.kind(), "invalid_input");
        assert!(err.to_string().contains("newer Lockstep"), "{err}");
    }

    #[test]
    fn the_state_file_is_not_mistaken_for_an_export() {
        let state = serde_json::to_string(&State::default()).unwrap();
        let err = parse(&state).unwrap_err();
        assert!(err.to_string().contains("marker"), "{err}");
    }
}
