//! Travel is a trip: the steps before leaving, then the steps after coming back, in one place.
//!
//! The answers of the trip under way live with every other answer (so item states, progress
//! and the step-by-step walk treat them as usual); finishing a trip moves them, with the
//! device checks run during it, into `past_trips`, so the next trip starts clean and the
//! last one stays readable in History.

use crate::catalogue::{Catalogue, Journey, TravelPhase};
use crate::check::{CheckResult, Status};
use crate::state::{Answer, State};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// The device checks a trip keeps (the ones Travel's "Check this device" shows).
pub const DEVICE_CHECKS: [&str; 2] = [
    crate::device::disk_encryption::ID.id,
    crate::device::publish_credentials::ID.id,
];

/// Past trips kept in the state file; older ones are dropped so the file stays small.
pub const MAX_PAST_TRIPS: usize = 50;

/// One device check's outcome as a trip keeps it (the short form; details are in the
/// latest results while they last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripResult {
    pub id: String,
    pub status: Status,
    pub summary: String,
}

/// The device checks run in one phase of a trip (the latest run of that phase).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TripDeviceCheck {
    pub phase: TravelPhase,
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    pub results: Vec<TripResult>,
}

/// The trip under way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trip {
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When the user said they were back; until then the before steps are the current ones.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub back_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub device_checks: Vec<TripDeviceCheck>,
}

impl Trip {
    pub fn new(now: OffsetDateTime) -> Self {
        Trip {
            started_at: now,
            back_at: None,
            device_checks: Vec::new(),
        }
    }

    /// Before the user says they are back: before; then after.
    pub fn phase(&self) -> TravelPhase {
        if self.back_at.is_some() {
            TravelPhase::After
        } else {
            TravelPhase::Before
        }
    }
}

/// A finished trip, as History shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastTrip {
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub back_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    /// The trip's answers, item id -> answer (travel items only).
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    #[serde(default)]
    pub device_checks: Vec<TripDeviceCheck>,
}

/// What the Travel screen asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TripAction {
    /// Start a trip (finishing the one under way first, if any).
    Start,
    /// "I'm back": the after steps are now the current ones.
    Back,
    /// Finish the trip under way and keep it in History.
    Finish,
}

/// Whether `item_id` is one of a trip's steps (a travel item with a before/after phase).
pub fn is_trip_item(item_id: &str) -> bool {
    Catalogue::builtin()
        .item(item_id)
        .is_some_and(|i| i.travel_phase.is_some())
}

/// Applies `action` to the state.
pub fn apply(state: &mut State, action: TripAction, now: OffsetDateTime) -> Result<()> {
    match action {
        TripAction::Start => {
            archive(state, now);
            state.trip = Some(Trip::new(now));
        }
        TripAction::Back => {
            let trip = state.trip.get_or_insert_with(|| Trip::new(now));
            if trip.back_at.is_none() {
                trip.back_at = Some(now);
            }
        }
        TripAction::Finish => {
            if state.trip.is_none() && !has_trip_answers(state) {
                return Err(Error::InvalidInput(
                    "There is no trip under way to finish. Start a trip first.".into(),
                ));
            }
            archive(state, now);
        }
    }
    Ok(())
}

/// An answer to a trip step with no trip under way starts one (a step answered from the
/// checklist or the step-by-step walk belongs to a trip too).
pub fn note_answer(state: &mut State, item_id: &str, now: OffsetDateTime) {
    if state.trip.is_none() && is_trip_item(item_id) {
        state.trip = Some(Trip::new(now));
    }
}

/// Keeps the trip's device checks from a finished Travel run: the latest run of each phase.
pub fn note_device_check(state: &mut State, results: &[CheckResult], checked_at: OffsetDateTime) {
    let Some(trip) = state.trip.as_mut() else {
        return;
    };
    let results: Vec<TripResult> = results
        .iter()
        .filter(|r| DEVICE_CHECKS.contains(&r.id.as_str()))
        .map(|r| TripResult {
            id: r.id.clone(),
            status: r.status,
            summary: r.summary.clone(),
        })
        .collect();
    if results.is_empty() {
        return;
    }
    let phase = trip.phase();
    trip.device_checks.retain(|c| c.phase != phase);
    trip.device_checks.push(TripDeviceCheck {
        phase,
        checked_at,
        results,
    });
}

fn has_trip_answers(state: &State) -> bool {
    state.answers.keys().any(|id| is_trip_item(id))
}

/// Moves the trip under way (and its answers) into `past_trips`, leaving no trip and no
/// answers to trip steps behind. Nothing happens when there is nothing to keep.
fn archive(state: &mut State, now: OffsetDateTime) {
    let ids: Vec<String> = state
        .answers
        .keys()
        .filter(|id| is_trip_item(id))
        .cloned()
        .collect();
    let answers: BTreeMap<String, Answer> = ids
        .iter()
        .filter_map(|id| state.answers.remove_entry(id))
        .collect();
    state.positions.remove(&Journey::Travel);
    let trip = match state.trip.take() {
        Some(trip) => trip,
        None if answers.is_empty() => return,
        None => Trip::new(earliest(&answers).unwrap_or(now)),
    };
    if answers.is_empty() && trip.device_checks.is_empty() && trip.back_at.is_none() {
        return; // started and finished without doing anything: nothing worth keeping
    }
    state.past_trips.push(PastTrip {
        started_at: trip.started_at,
        back_at: trip.back_at,
        ended_at: now,
        answers,
        device_checks: trip.device_checks,
    });
    let extra = state.past_trips.len().saturating_sub(MAX_PAST_TRIPS);
    state.past_trips.drain(..extra);
}

fn earliest(answers: &BTreeMap<String, Answer>) -> Option<OffsetDateTime> {
    answers.values().map(|a| a.updated_at).min()
}

/// A state file from before trips held travel answers loose: they become the trip under way
/// (started at the first of them; back already if an after step was answered).
pub fn adopt_loose_answers(state: &mut State) {
    if state.trip.is_some() {
        return;
    }
    let catalogue = Catalogue::builtin();
    let answered: Vec<(&Answer, TravelPhase)> = state
        .answers
        .iter()
        .filter_map(|(id, a)| Some((a, catalogue.item(id)?.travel_phase?)))
        .collect();
    let Some(started_at) = answered.iter().map(|(a, _)| a.updated_at).min() else {
        return;
    };
    let back_at = answered
        .iter()
        .filter(|(_, p)| *p == TravelPhase::After)
        .map(|(a, _)| a.updated_at)
        .min();
    state.trip = Some(Trip {
        started_at,
        back_at,
        device_checks: Vec::new(),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::AnswerStatus;
    use time::macros::datetime;

    fn done(at: OffsetDateTime) -> Answer {
        Answer {
            status: AnswerStatus::Done,
            reason: None,
            choice: None,
            updated_at: at,
        }
    }

    #[test]
    fn a_new_trip_starts_clean_and_the_last_one_is_kept() {
        let mut s = State::default();
        let t0 = datetime!(2026-11-01 18:00 UTC);
        apply(&mut s, TripAction::Start, t0).unwrap();
        s.answers.insert("travel-power-off".into(), done(t0));
        s.answers.insert(
            "password-manager".into(),
            done(datetime!(2026-10-01 0:00 UTC)),
        );
        note_device_check(
            &mut s,
            &[
                CheckResult::new(crate::device::disk_encryption::ID, Status::Pass, "on"),
                CheckResult::new(crate::device::security_key::ID, Status::Pass, "x"),
            ],
            t0,
        );
        let t1 = datetime!(2026-11-09 9:00 UTC);
        apply(&mut s, TripAction::Back, t1).unwrap();
        s.answers.insert("travel-restore-vaults".into(), done(t1));
        let t2 = datetime!(2026-12-20 8:00 UTC);
        apply(&mut s, TripAction::Start, t2).unwrap();

        assert_eq!(s.trip, Some(Trip::new(t2)), "the new trip is clean");
        assert!(
            !s.answers.keys().any(|id| is_trip_item(id)),
            "{:?}",
            s.answers
        );
        assert!(
            s.answers.contains_key("password-manager"),
            "answers to other items stay"
        );
        let past = &s.past_trips[0];
        assert_eq!(
            (past.started_at, past.back_at, past.ended_at),
            (t0, Some(t1), t2)
        );
        let ids: Vec<&str> = past.answers.keys().map(String::as_str).collect();
        assert_eq!(ids, ["travel-power-off", "travel-restore-vaults"]);
        assert_eq!(past.device_checks.len(), 1);
        assert_eq!(past.device_checks[0].phase, TravelPhase::Before);
        assert_eq!(
            past.device_checks[0].results,
            [TripResult {
                id: "device.disk_encryption".into(),
                status: Status::Pass,
                summary: "on".into()
            }],
            "only the trip's device checks are kept"
        );
    }

    #[test]
    fn a_device_check_after_coming_back_is_kept_beside_the_one_before() {
        let mut s = State::default();
        let t0 = datetime!(2026-11-01 18:00 UTC);
        apply(&mut s, TripAction::Start, t0).unwrap();
        let check = |status| {
            [CheckResult::new(
                crate::device::publish_credentials::ID,
                status,
                "",
            )]
        };
        note_device_check(&mut s, &check(Status::Warn), t0);
        note_device_check(&mut s, &check(Status::Pass), t0);
        apply(&mut s, TripAction::Back, t0).unwrap();
        note_device_check(&mut s, &check(Status::Fail), t0);
        let trip = s.trip.unwrap();
        let seen: Vec<(TravelPhase, Status)> = trip
            .device_checks
            .iter()
            .map(|c| (c.phase, c.results[0].status))
            .collect();
        assert_eq!(
            seen,
            [
                (TravelPhase::Before, Status::Pass),
                (TravelPhase::After, Status::Fail)
            ]
        );
    }

    #[test]
    fn answering_a_step_without_a_trip_starts_one_and_finishing_needs_one() {
        let mut s = State::default();
        let now = datetime!(2026-11-01 18:00 UTC);
        assert!(apply(&mut s, TripAction::Finish, now).is_err());
        note_answer(&mut s, "password-manager", now);
        assert_eq!(s.trip, None, "not a trip step");
        note_answer(&mut s, "travel-power-off", now);
        assert_eq!(s.trip, Some(Trip::new(now)));
    }

    #[test]
    fn starting_and_finishing_without_doing_anything_keeps_nothing() {
        let mut s = State::default();
        let now = datetime!(2026-11-01 18:00 UTC);
        apply(&mut s, TripAction::Start, now).unwrap();
        apply(&mut s, TripAction::Finish, now).unwrap();
        assert_eq!((s.trip, s.past_trips.len()), (None, 0));
    }

    #[test]
    fn loose_travel_answers_from_an_older_file_become_the_trip_under_way() {
        let mut s = State::default();
        let t0 = datetime!(2026-11-01 18:00 UTC);
        let t1 = datetime!(2026-11-09 9:00 UTC);
        s.answers.insert("travel-power-off".into(), done(t0));
        s.answers.insert("travel-restore-vaults".into(), done(t1));
        adopt_loose_answers(&mut s);
        let trip = s.trip.expect("a trip");
        assert_eq!((trip.started_at, trip.back_at), (t0, Some(t1)));
    }

    #[test]
    fn only_the_latest_past_trips_are_kept() {
        let mut s = State::default();
        for day in 1..=(MAX_PAST_TRIPS as i64 + 3) {
            let at = datetime!(2026-01-01 0:00 UTC) + time::Duration::days(day);
            apply(&mut s, TripAction::Start, at).unwrap();
            s.answers.insert("travel-power-off".into(), done(at));
        }
        apply(&mut s, TripAction::Finish, datetime!(2027-01-01 0:00 UTC)).unwrap();
        assert_eq!(s.past_trips.len(), MAX_PAST_TRIPS);
        assert!(s
            .past_trips
            .windows(2)
            .all(|w| w[0].started_at < w[1].started_at));
    }
}
