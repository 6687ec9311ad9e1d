//! The user's progress and settings, in one versioned JSON file in the data directory.
//!
//! Written atomically. A file that cannot be read is moved aside (never overwritten) and the
//! user is told where it went. The state never holds a secret: token *metadata* only.

use crate::atomic_file::{set_aside, write_atomic};
use crate::catalogue::Journey;
use crate::platform::Platform;
use crate::settings::Settings;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

/// The current format version. Bump it and add a step to [`migrate`] when the shape changes.
pub const STATE_VERSION: u32 = 3;

/// What the user said about an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerStatus {
    Done,
    NotApplicable,
    Later,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub status: AnswerStatus,
    /// Required for `not_applicable`: why it does not apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The chosen value of the item's confirmation question, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// Longest reason or choice Lockstep keeps with an answer.
pub const MAX_ANSWER_TEXT: usize = 2_000;

/// Checks one answer against the catalogue, the same way for an answer given in the app or
/// the CLI and one read from an imported file: a known item, a reason for "not applicable",
/// a choice among the item's answers, and no control characters.
pub fn validate_answer(
    item_id: &str,
    status: AnswerStatus,
    reason: Option<&str>,
    choice: Option<&str>,
) -> Result<()> {
    let shown = crate::untrusted_text::one_line(&crate::untrusted_text::bounded(item_id));
    let item = crate::catalogue::Catalogue::builtin()
        .item(item_id)
        .ok_or_else(|| Error::InvalidInput(format!("There is no checklist item '{shown}'.")))?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if status == AnswerStatus::NotApplicable && reason.is_none() {
        return Err(Error::InvalidInput(format!(
            "Say briefly why '{shown}' does not apply to you, so a later review can tell."
        )));
    }
    for text in reason.into_iter().chain(choice) {
        if text.chars().count() > MAX_ANSWER_TEXT || text.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "The answer for '{shown}' is longer than {MAX_ANSWER_TEXT} characters or holds control characters."
            )));
        }
    }
    if let Some(choice) = choice {
        let allowed = item
            .verified_by
            .question
            .as_ref()
            .is_some_and(|q| q.choices.iter().any(|c| c.value == choice));
        if !allowed {
            return Err(Error::InvalidInput(format!(
                "'{}' is not one of the answers to '{shown}'.",
                crate::untrusted_text::one_line(&crate::untrusted_text::bounded(choice))
            )));
        }
    }
    Ok(())
}

/// What Lockstep knows about a saved token, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    #[serde(with = "time::serde::rfc3339")]
    pub saved_at: OffsetDateTime,
    /// What the platform said the token can do, when it said (e.g. classic GitHub scopes).
    #[serde(default)]
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// What Lockstep made of the token when it was saved (expiry is worked out again from
    /// `expires_at` each time). `None` in states written before the verdict was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<crate::live::token_info::TokenVerdict>,
    /// Its scopes beyond what Lockstep needs, as judged when it was saved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub broad_scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub version: u32,
    /// The journey the user is walking; `None` until the first run's choice.
    pub journey: Option<Journey>,
    /// Where the user is in each journey (an item id), so the app reopens there.
    pub positions: BTreeMap<Journey, String>,
    /// Item id -> answer.
    pub answers: BTreeMap<String, Answer>,
    pub settings: Settings,
    pub tokens: BTreeMap<Platform, TokenInfo>,
    /// The day a review notification was last shown (`YYYY-MM-DD`), so it shows at most daily.
    pub last_notified_on: Option<String>,
    /// The trip under way, if any (its answers are in `answers`); see [`crate::trip`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trip: Option<crate::trip::Trip>,
    /// Finished trips, oldest first, with their answers and device checks.
    pub past_trips: Vec<crate::trip::PastTrip>,
}

impl Default for State {
    fn default() -> Self {
        State {
            version: STATE_VERSION,
            journey: None,
            positions: BTreeMap::new(),
            answers: BTreeMap::new(),
            settings: Settings::default(),
            tokens: BTreeMap::new(),
            last_notified_on: None,
            trip: None,
            past_trips: Vec::new(),
        }
    }
}

/// The result of loading: the state and, when the file was damaged, what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub state: State,
    /// A message for the user when the previous file could not be used.
    pub notice: Option<String>,
}

/// Reads and writes the state file.
#[derive(Debug, Clone)]
pub struct StateStore {
    path: PathBuf,
}

impl StateStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        StateStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the state. Missing file: a fresh state. Damaged file (bad JSON, unknown shape,
    /// a version from a newer Lockstep): moved aside and reported in `notice`.
    pub fn load(&self, now: OffsetDateTime) -> Result<Loaded> {
        use crate::local_file::{read_capped, ReadError, MAX_STATE_BYTES};
        let parsed = match read_capped(&self.path, MAX_STATE_BYTES) {
            Ok(bytes) => parse(&bytes),
            Err(ReadError::Missing) => {
                return Ok(Loaded {
                    state: State::default(),
                    notice: None,
                })
            }
            // A FIFO, a device or a huge file is no state Lockstep wrote: set it aside.
            Err(e @ (ReadError::NotAFile(_) | ReadError::TooLarge(_))) => Err(e.to_string()),
            Err(ReadError::Io(e)) => return Err(Error::io(&self.path, e)),
        };
        match parsed {
            Ok(state) => Ok(Loaded {
                state,
                notice: None,
            }),
            Err(detail) => {
                let moved = set_aside(&self.path, now.unix_timestamp())?;
                Ok(Loaded {
                    state: State::default(),
                    notice: Some(format!(
                        "Your saved progress could not be read ({detail}). It was kept as {} and Lockstep started fresh. Nothing was deleted.",
                        moved.display()
                    )),
                })
            }
        }
    }

    /// Takes the advisory lock that serializes read-merge-write between processes (the app
    /// and the CLI): held until the returned guard is dropped. Readers need no lock, since
    /// every write is an atomic rename.
    pub fn lock(&self) -> Result<crate::file_lock::FileLock> {
        crate::file_lock::lock_exclusive(&self.path)
    }

    /// Re-reads the file under the lock, applies `change` to what is on disk now and saves:
    /// a change another process saved since this one loaded is kept, not overwritten.
    /// Returns the saved state and, if the file on disk was damaged, the notice about it.
    pub fn update(
        &self,
        now: OffsetDateTime,
        change: impl FnOnce(&mut State) -> Result<()>,
    ) -> Result<Loaded> {
        let _lock = self.lock()?;
        let Loaded { mut state, notice } = self.load(now)?;
        change(&mut state)?;
        self.save(&state)?;
        Ok(Loaded { state, notice })
    }

    pub fn save(&self, state: &State) -> Result<()> {
        write_atomic(&self.path, &self.encode(state)?)
    }

    /// The file's bytes for `state` (what [`StateStore::save`] writes).
    pub fn encode(&self, state: &State) -> Result<Vec<u8>> {
        serde_json::to_vec_pretty(state).map_err(|e| Error::Corrupt {
            path: self.path.clone(),
            detail: e.to_string(),
        })
    }
}

/// Parses any supported version into the current one.
pub fn parse(bytes: &[u8]) -> std::result::Result<State, String> {
    use crate::untrusted_text::json_error;
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {}", json_error(&e)))?;
    let before_trips = value.get("version").and_then(|v| v.as_u64()) < Some(3);
    let value = migrate(value)?;
    let mut state: State = serde_json::from_value(value)
        .map_err(|e| format!("unexpected content: {}", json_error(&e)))?;
    if before_trips {
        crate::trip::adopt_loose_answers(&mut state);
    }
    Ok(state)
}

/// Upgrades older formats step by step.
///
/// Version 1 stored answers as bare words (`"done"`, `"later"`, `"n/a"`) and the current
/// journey under `current_journey`; version 2 stores full answers with reasons and times.
fn migrate(mut value: serde_json::Value) -> std::result::Result<serde_json::Value, String> {
    let version = value
        .get("version")
        .and_then(|v| v.as_u64())
        .ok_or("no version field")?;
    if version > u64::from(STATE_VERSION) {
        return Err(format!(
            "written by a newer Lockstep (format {version}); update Lockstep to use it"
        ));
    }
    if version == 1 {
        let obj = value.as_object_mut().ok_or("not an object")?;
        if let Some(j) = obj.remove("current_journey") {
            obj.insert("journey".into(), j);
        }
        if let Some(serde_json::Value::Object(answers)) = obj.get_mut("answers") {
            for (_, answer) in answers.iter_mut() {
                if let serde_json::Value::String(word) = answer {
                    let status = match word.as_str() {
                        "done" => "done",
                        "later" => "later",
                        "n/a" | "not_applicable" => "not_applicable",
                        other => return Err(format!("unknown answer '{other}' in format 1")),
                    };
                    *answer = serde_json::json!({
                        "status": status,
                        "updated_at": "1970-01-01T00:00:00Z",
                    });
                }
            }
        }
        obj.insert("version".into(), serde_json::json!(2));
    }
    // Version 3 added trips (`trip`, `past_trips`): both default to none, and the travel
    // answers a version 2 file holds become the trip under way (in [`parse`]).
    if let Some(obj) = value.as_object_mut() {
        obj.insert("version".into(), serde_json::json!(STATE_VERSION));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn sample() -> State {
        let mut s = State {
            journey: Some(Journey::Onboarding),
            ..State::default()
        };
        s.positions
            .insert(Journey::Onboarding, "password-manager".into());
        s.answers.insert(
            "two-factor-everywhere".into(),
            Answer {
                status: AnswerStatus::Done,
                reason: None,
                choice: None,
                updated_at: datetime!(2026-11-25 10:00 UTC),
            },
        );
        s.answers.insert(
            "recovery-codes-stored-apart".into(),
            Answer {
                status: AnswerStatus::NotApplicable,
                reason: Some("no 2FA yet".into()),
                choice: Some("safe".into()),
                updated_at: datetime!(2026-11-25 10:05 UTC),
            },
        );
        s.tokens.insert(
            Platform::Github,
            TokenInfo {
                saved_at: datetime!(2026-11-25 09:00 UTC),
                scopes: vec!["read:user".into()],
                expires_at: None,
                verdict: None,
                broad_scopes: vec![],
            },
        );
        s
    }

    #[test]
    fn round_trip_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("state.json"));
        let s = sample();
        store.save(&s).unwrap();
        let loaded = store.load(datetime!(2026-11-25 11:00 UTC)).unwrap();
        assert_eq!(loaded.notice, None);
        assert_eq!(loaded.state, s);
    }

    #[test]
    fn missing_file_is_a_fresh_start_without_notice() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = StateStore::new(dir.path().join("state.json"))
            .load(OffsetDateTime::UNIX_EPOCH)
            .unwrap();
        assert_eq!(loaded.state, State::default());
        assert!(loaded.notice.is_none());
    }

    #[test]
    fn version_1_is_migrated() {
        let v1 = br#"{"version":1,"current_journey":"travel","answers":{"a":"done","b":"n/a","c":"later"}}"#;
        let s = parse(v1).unwrap();
        assert_eq!(s.version, STATE_VERSION);
        assert_eq!(s.journey, Some(Journey::Travel));
        assert_eq!(s.answers["a"].status, AnswerStatus::Done);
        assert_eq!(s.answers["b"].status, AnswerStatus::NotApplicable);
        assert_eq!(s.answers["c"].status, AnswerStatus::Later);
        assert_eq!(s.settings.review_interval_days, 90);
    }

    #[test]
    fn version_2_without_trips_loads_and_its_travel_answers_become_the_trip_under_way() {
        let v2 = br#"{"version":2,"journey":"travel","answers":{
            "travel-power-off":{"status":"done","updated_at":"2026-11-01T18:00:00Z"},
            "password-manager":{"status":"done","updated_at":"2026-10-01T08:00:00Z"}},
            "tokens":{},"positions":{}}"#;
        let s = parse(v2).unwrap();
        assert_eq!(s.version, STATE_VERSION);
        assert_eq!(s.answers.len(), 2, "no answer is lost");
        let trip = s.trip.clone().expect("the travel answer belongs to a trip");
        assert_eq!(trip.started_at, datetime!(2026-11-01 18:00 UTC));
        assert_eq!(trip.back_at, None);
        assert!(s.past_trips.is_empty());
        // Saved and read again, it stays as it is (no second adoption, no loss).
        let again = parse(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(again.trip, Some(trip));
    }

    #[test]
    fn corrupt_file_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, b"{\"version\":2, \"answers\": [tru").unwrap();
        let store = StateStore::new(&path);
        let loaded = store.load(datetime!(2026-11-25 11:00 UTC)).unwrap();
        assert_eq!(loaded.state, State::default());
        let notice = loaded.notice.expect("the user must be told");
        assert!(notice.contains("state.json.corrupt-"), "{notice}");
        assert!(
            !path.exists(),
            "the damaged file must not stay where it would be overwritten"
        );
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            std::fs::read(&kept[0]).unwrap(),
            b"{\"version\":2, \"answers\": [tru"
        );
        // Saving afterwards creates a new file and leaves the kept copy alone.
        store.save(&sample()).unwrap();
        assert_eq!(
            std::fs::read(&kept[0]).unwrap(),
            b"{\"version\":2, \"answers\": [tru"
        );
    }

    #[test]
    fn newer_version_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, br#"{"version":99}"#).unwrap();
        let loaded = StateStore::new(&path)
            .load(OffsetDateTime::UNIX_EPOCH)
            .unwrap();
        assert!(loaded.notice.unwrap().contains("newer Lockstep"));
        assert!(!path.exists());
    }

    #[test]
    fn state_json_never_contains_a_token_field() {
        let json = serde_json::to_string(&sample()).unwrap();
        assert!(!json.to_lowercase().contains("\"token\":"), "{json}");
    }
}
