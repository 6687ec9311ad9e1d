//! Moving progress between machines: one JSON file with answers, positions, journey and
//! settings. Never tokens or token metadata: a new machine gets new tokens.
//!
//! Import is two steps so the user sees what will change first: [`preview`] parses and
//! compares without touching anything, [`apply`] returns the merged state (the caller saves
//! it). The file wins for every answer it holds; answers it does not mention are kept.

use crate::catalogue::Journey;
use crate::settings::Settings;
use crate::state::{Answer, AnswerStatus, State};
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

/// One setting the import changes; values are compact JSON so the UI can show them as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingChange {
    pub name: String,
    pub from: String,
    pub to: String,
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
    /// `(from, to)` when the journey changes.
    pub journey_changed: Option<(Option<Journey>, Journey)>,
    pub positions_changed: Vec<Journey>,
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
}

fn invalid(why: impl std::fmt::Display) -> Error {
    Error::InvalidInput(format!(
        "This file is not a Lockstep progress export that can be used: {why}. Nothing was changed."
    ))
}

/// Parses any supported export version into [`Progress`], with the file's version.
pub fn parse(file_text: &str) -> Result<(u32, Progress)> {
    let mut value: serde_json::Value = serde_json::from_str(file_text)
        .map_err(|e| invalid(format!("it is not valid JSON ({e})")))?;
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
    let progress: Progress = serde_json::from_value(portable)
        .map_err(|e| invalid(format!("its content is not as expected ({e})")))?;
    if progress.answers.keys().any(|id| id.trim().is_empty()) {
        return Err(invalid("an answer has an empty item id"));
    }
    let version = u32::try_from(version).unwrap_or(EXPORT_VERSION);
    Ok((version, progress))
}

/// Version 1: answers were bare words and the journey was `current_journey`.
fn migrate_v1(obj: &mut serde_json::Map<String, serde_json::Value>) -> Result<()> {
    if let Some(j) = obj.remove("current_journey") {
        obj.insert("journey".into(), j);
    }
    if let Some(serde_json::Value::Object(answers)) = obj.get_mut("answers") {
        for (id, answer) in answers.iter_mut() {
            let Some(word) = answer.as_str() else {
                return Err(invalid(format!(
                    "the answer for {id} is not a word, as format 1 had"
                )));
            };
            let status = match word {
                "done" => "done",
                "later" => "later",
                "n/a" | "not_applicable" => "not_applicable",
                other => return Err(invalid(format!("unknown answer '{other}' for {id}"))),
            };
            // Format 1 kept no times; the epoch marks "unknown", as state format 1 does.
            *answer = serde_json::json!({ "status": status, "updated_at": "1970-01-01T00:00:00Z" });
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
    let (file_version, incoming) = parse(file_text)?;
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
    let settings_changed = match &incoming.settings {
        Some(s) => settings_diff(&current.settings, s),
        None => Vec::new(),
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
        journey_changed,
        positions_changed,
        incoming,
    })
}

fn settings_diff(current: &Settings, incoming: &Settings) -> Vec<SettingChange> {
    let as_map = |s: &Settings| match serde_json::to_value(s) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let (a, b) = (as_map(current), as_map(incoming));
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|n| a.get(*n) != b.get(*n))
        .map(|n| SettingChange {
            name: n.clone(),
            from: a.get(n).map_or_else(String::new, |v| v.to_string()),
            to: b.get(n).map_or_else(String::new, |v| v.to_string()),
        })
        .collect()
}

/// The state after the import previewed in `preview`. Tokens and reminder bookkeeping stay.
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
        next.settings = s.clone();
    }
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
