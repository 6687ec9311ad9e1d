//! Where each checklist item stands, how urgent it is, and how far each journey has come.
//!
//! Computed once, here, from the answers and the latest known check results: the window
//! renders what this says, and the shareable summary and reports use the same words, so no
//! two screens can disagree about an item (they used to, on pass + skipped).

use crate::catalogue::{Catalogue, Item, Journey, Topic};
use crate::check::{CheckResult, Status};
use crate::check_registry;
use crate::platform::Group;
use crate::state::{Answer, AnswerStatus};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// An item's (or a topic's) standing. Serialized in snake_case for the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// A backing check failed or warned, or the user's own answer records a problem.
    Attention,
    /// A backing check could not tell, and the user has not answered.
    Unknown,
    /// Nothing known yet (an answer of "Later" is not an answer).
    NotStarted,
    /// Topics only: some items settled, others not yet.
    InProgress,
    /// The user marked it done; no check says otherwise.
    Done,
    /// A device check could not see it, and the user confirmed they have it.
    Confirmed,
    /// The user said it does not apply, with a reason.
    NotApplicable,
    /// Every backing check that ran passed.
    Verified,
}

impl ItemState {
    /// Settled states count as progress: verified, done or confirmed by the user, not applicable.
    pub fn is_settled(self) -> bool {
        matches!(
            self,
            ItemState::Verified | ItemState::Done | ItemState::Confirmed | ItemState::NotApplicable
        )
    }

    /// The word the window, the summary and reports use.
    pub fn word(self) -> &'static str {
        match self {
            ItemState::Attention => "Needs attention",
            ItemState::Unknown => "Unknown",
            ItemState::NotStarted => "Not started",
            ItemState::InProgress => "In progress",
            ItemState::Done => "Done by you",
            ItemState::Confirmed => "Confirmed by you",
            ItemState::NotApplicable => "Doesn't apply",
            ItemState::Verified => "Verified",
        }
    }
}

/// How urgent an item is, most urgent first (the derived order is the ranking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A backing check failed.
    NeedsFixing,
    /// A backing check warned.
    WorthALook,
    /// The user's own answer records a problem ("Yes, SMS is still on").
    FlaggedAnswer,
    /// A backing check could not tell.
    Unknown,
}

/// One item's standing, for the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemStanding {
    pub id: String,
    pub state: ItemState,
    /// `None` when nothing about the item is a problem or an unknown.
    pub severity: Option<Severity>,
    /// The user answered Done or Not applicable (Later is not an answer).
    pub answered: bool,
    /// The user put it off for later.
    pub later: bool,
    /// Device checks warn about something they may simply not see (a browser's password
    /// manager, an encrypted disk of an unusual kind): the user may confirm it themselves.
    pub confirmable: bool,
}

/// Settled items of a set, the one definition of progress on every screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub settled: usize,
    pub total: usize,
}

/// One topic's standing within a set of items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicStanding {
    pub id: Topic,
    pub title: &'static str,
    pub state: ItemState,
    pub progress: Progress,
    /// The item to open from this topic: its most urgent, else its first unsettled, else its first.
    pub open_item: String,
}

/// The most useful next thing to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextStep {
    pub item_id: String,
    /// `attention` (needs fixing, worth a look, a flagged answer), `open` (next unanswered in
    /// the journey), `unknown` (a check could not tell) or `later` (put off).
    pub kind: &'static str,
    pub severity: Option<Severity>,
}

/// A journey's progress and topics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JourneyStanding {
    pub progress: Progress,
    pub topics: Vec<TopicStanding>,
}

/// Everything the window needs to say where the user stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// Every catalogue item, in catalogue order.
    pub items: Vec<ItemStanding>,
    /// Items with a severity, most urgent first; catalogue order breaks ties.
    pub ranked: Vec<String>,
    /// Over every item (the Overview).
    pub overall: JourneyStanding,
    pub journeys: BTreeMap<Journey, JourneyStanding>,
    /// For the current journey (onboarding when none was chosen).
    pub next: Option<NextStep>,
    /// In the periodic review journey: the items it walks (see [`crate::review_walk`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<crate::review_walk::ReviewWalk>,
}

/// The results that back `item`, looked up in `results`.
fn backing<'a>(item: &Item, results: &HashMap<&str, &'a CheckResult>) -> Vec<&'a CheckResult> {
    item.verified_by
        .checks
        .iter()
        .filter_map(|c| results.get(c.as_str()).copied())
        .collect()
}

fn is_device_check(id: &str) -> bool {
    check_registry::find(id).is_some_and(|s| s.group == Group::Device)
}

/// The chosen answer to the item's question is one the catalogue flags as a problem.
fn flagged(item: &Item, answer: Option<&Answer>) -> bool {
    let (Some(question), Some(choice)) = (
        &item.verified_by.question,
        answer.and_then(|a| a.choice.as_deref()),
    ) else {
        return false;
    };
    question
        .choices
        .iter()
        .any(|c| c.value == choice && c.flagged)
}

/// One item's standing from its answer and the latest results of its checks.
pub fn item_standing(
    item: &Item,
    answer: Option<&Answer>,
    results: &HashMap<&str, &CheckResult>,
) -> ItemStanding {
    let checks = backing(item, results);
    let any = |s: Status| checks.iter().any(|r| r.status == s);
    let status = answer.map(|a| a.status);
    let answered = matches!(
        status,
        Some(AnswerStatus::Done) | Some(AnswerStatus::NotApplicable)
    );
    // Only warnings from device checks can be confirmed: a platform's own answer cannot be
    // overruled by a tick, and a failure is never something a probe merely failed to see.
    let confirmable = !any(Status::Fail)
        && any(Status::Warn)
        && checks
            .iter()
            .all(|r| r.status != Status::Warn || is_device_check(&r.id));
    let confirmed = confirmable && status == Some(AnswerStatus::Done);
    let ran: Vec<&&CheckResult> = checks
        .iter()
        .filter(|r| r.status != Status::Skipped)
        .collect();
    let (state, severity) = if any(Status::Fail) {
        (ItemState::Attention, Some(Severity::NeedsFixing))
    } else if any(Status::Warn) && !confirmed {
        (ItemState::Attention, Some(Severity::WorthALook))
    } else if flagged(item, answer) {
        (ItemState::Attention, Some(Severity::FlaggedAnswer))
    } else if confirmed {
        (ItemState::Confirmed, None)
    } else if !ran.is_empty() && ran.iter().all(|r| r.status == Status::Pass) {
        (ItemState::Verified, None)
    } else if status == Some(AnswerStatus::Done) {
        (ItemState::Done, None)
    } else if status == Some(AnswerStatus::NotApplicable) {
        (ItemState::NotApplicable, None)
    } else if any(Status::Unknown) {
        (ItemState::Unknown, Some(Severity::Unknown))
    } else {
        (ItemState::NotStarted, None)
    };
    ItemStanding {
        id: item.id.clone(),
        state,
        severity,
        answered,
        later: status == Some(AnswerStatus::Later),
        confirmable,
    }
}

/// A topic's state from its items': any attention wins; all verified is verified; all settled
/// is done; then unknown; some settled is in progress; else not started.
fn topic_state(states: &[ItemState]) -> ItemState {
    let settled = states.iter().filter(|s| s.is_settled()).count();
    if states.contains(&ItemState::Attention) {
        ItemState::Attention
    } else if states.iter().all(|s| *s == ItemState::Verified) {
        ItemState::Verified
    } else if settled == states.len() {
        if states.iter().all(|s| *s == ItemState::NotApplicable) {
            ItemState::NotApplicable
        } else {
            ItemState::Done
        }
    } else if states.contains(&ItemState::Unknown) {
        ItemState::Unknown
    } else if settled > 0 {
        ItemState::InProgress
    } else {
        ItemState::NotStarted
    }
}

fn progress_of<'a>(items: impl Iterator<Item = &'a ItemStanding>) -> Progress {
    let mut p = Progress::default();
    for i in items {
        p.total += 1;
        if i.state.is_settled() {
            p.settled += 1;
        }
    }
    p
}

/// Sorts standings most urgent first; the sort is stable, so catalogue order breaks ties.
fn rank<'a>(standings: impl Iterator<Item = &'a ItemStanding>) -> Vec<&'a ItemStanding> {
    let mut ranked: Vec<&ItemStanding> = standings.filter(|s| s.severity.is_some()).collect();
    ranked.sort_by_key(|s| s.severity);
    ranked
}

fn standing_of_set(catalogue: &Catalogue, standings: &[&ItemStanding]) -> JourneyStanding {
    let by_id: HashMap<&str, &ItemStanding> =
        standings.iter().map(|s| (s.id.as_str(), *s)).collect();
    let mut topics = Vec::new();
    for topic in Topic::ALL {
        let in_topic: Vec<&ItemStanding> = catalogue
            .items
            .iter()
            .filter(|i| i.topic == topic)
            .filter_map(|i| by_id.get(i.id.as_str()).copied())
            .collect();
        let Some(first) = in_topic.first() else {
            continue;
        };
        let states: Vec<ItemState> = in_topic.iter().map(|s| s.state).collect();
        let open = rank(in_topic.iter().copied())
            .first()
            .copied()
            .or_else(|| in_topic.iter().copied().find(|s| !s.state.is_settled()))
            .unwrap_or(first);
        topics.push(TopicStanding {
            id: topic,
            title: topic.title(),
            state: topic_state(&states),
            progress: progress_of(in_topic.iter().copied()),
            open_item: open.id.clone(),
        });
    }
    JourneyStanding {
        progress: progress_of(standings.iter().copied()),
        topics,
    }
}

/// Assesses every catalogue item from the answers and the latest known `results`.
pub fn assess(
    catalogue: &Catalogue,
    answers: &BTreeMap<String, Answer>,
    results: &[CheckResult],
    current: Option<Journey>,
) -> Assessment {
    let lookup: HashMap<&str, &CheckResult> = results.iter().map(|r| (r.id.as_str(), r)).collect();
    let items: Vec<ItemStanding> = catalogue
        .items
        .iter()
        .map(|i| item_standing(i, answers.get(&i.id), &lookup))
        .collect();
    let ranked: Vec<String> = rank(items.iter()).iter().map(|s| s.id.clone()).collect();
    let all: Vec<&ItemStanding> = items.iter().collect();
    let mut journeys = BTreeMap::new();
    for journey in [Journey::Onboarding, Journey::Review, Journey::Travel] {
        let members: Vec<&ItemStanding> = catalogue
            .items
            .iter()
            .zip(&items)
            .filter(|(i, _)| i.journeys.contains(&journey))
            .map(|(_, s)| s)
            .collect();
        journeys.insert(journey, standing_of_set(catalogue, &members));
    }
    let journey = current.unwrap_or(Journey::Onboarding);
    let in_journey: Vec<&ItemStanding> = catalogue
        .items
        .iter()
        .zip(&items)
        .filter(|(i, _)| i.journeys.contains(&journey))
        .map(|(_, s)| s)
        .collect();
    let next = next_step(&items, &in_journey);
    Assessment {
        overall: standing_of_set(catalogue, &all),
        items,
        ranked,
        journeys,
        next,
        review: None,
    }
}

/// The most urgent problem anywhere (a failure is a failure whatever the journey), else the
/// next unanswered item of the journey, else the first unknown, else what was put off.
fn next_step(all: &[ItemStanding], journey: &[&ItemStanding]) -> Option<NextStep> {
    let step = |s: &ItemStanding, kind| NextStep {
        item_id: s.id.clone(),
        kind,
        severity: s.severity,
    };
    if let Some(top) = rank(all.iter())
        .into_iter()
        .find(|s| s.severity < Some(Severity::Unknown))
    {
        return Some(step(top, "attention"));
    }
    if let Some(open) = journey
        .iter()
        .find(|s| !s.answered && !s.later && !s.state.is_settled() && s.severity.is_none())
    {
        return Some(step(open, "open"));
    }
    if let Some(unknown) = journey
        .iter()
        .find(|s| s.severity == Some(Severity::Unknown))
    {
        return Some(step(unknown, "unknown"));
    }
    journey
        .iter()
        .find(|s| s.later && !s.state.is_settled())
        .map(|s| step(s, "later"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;

    fn answer(status: AnswerStatus, choice: Option<&str>) -> Answer {
        Answer {
            status,
            reason: Some("r".into()),
            choice: choice.map(str::to_string),
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    fn item_with_checks(checks: &[&str]) -> Item {
        let c = Catalogue::builtin();
        let mut item = c.items[0].clone();
        item.verified_by.checks = checks.iter().map(|s| s.to_string()).collect();
        item.verified_by.question = None;
        item
    }

    fn state_of(item: &Item, answer: Option<&Answer>, results: &[CheckResult]) -> ItemStanding {
        let lookup = results.iter().map(|r| (r.id.as_str(), r)).collect();
        item_standing(item, answer, &lookup)
    }

    #[test]
    fn pass_and_skipped_is_verified_but_pass_and_unknown_is_not() {
        let item = item_with_checks(&["github.two_factor", "gitlab.two_factor"]);
        let pass = CheckResult::new(crate::live::github::TWO_FACTOR, Status::Pass, "");
        let skipped = CheckResult::new(crate::live::gitlab::TWO_FACTOR, Status::Skipped, "");
        let unknown = CheckResult::new(crate::live::gitlab::TWO_FACTOR, Status::Unknown, "");
        assert_eq!(
            state_of(&item, None, &[pass.clone(), skipped]).state,
            ItemState::Verified
        );
        assert_eq!(
            state_of(&item, None, &[pass, unknown]).state,
            ItemState::Unknown,
            "a check that could not tell keeps the item from being verified"
        );
    }

    #[test]
    fn a_done_answer_confirms_a_device_warning_but_never_a_platform_one() {
        let device = item_with_checks(&["device.password_manager"]);
        let warn = CheckResult::new(
            crate::device::password_manager::ID,
            Status::Warn,
            "none found",
        );
        let done = answer(AnswerStatus::Done, None);
        let s = state_of(&device, Some(&done), std::slice::from_ref(&warn));
        assert_eq!(s.state, ItemState::Confirmed);
        assert!(s.confirmable && s.severity.is_none());
        assert_eq!(
            state_of(&device, None, &[warn]).severity,
            Some(Severity::WorthALook)
        );
        let platform = item_with_checks(&["github.two_factor"]);
        let warn = CheckResult::new(crate::live::github::TWO_FACTOR, Status::Warn, "");
        let s = state_of(&platform, Some(&done), &[warn]);
        assert_eq!(s.state, ItemState::Attention);
        assert!(!s.confirmable);
        let fail = CheckResult::new(crate::device::password_manager::ID, Status::Fail, "");
        assert_eq!(
            state_of(&device, Some(&done), &[fail]).state,
            ItemState::Attention,
            "a failure is never confirmed away"
        );
    }

    #[test]
    fn later_is_not_an_answer_and_not_progress() {
        let item = item_with_checks(&[]);
        let later = answer(AnswerStatus::Later, None);
        let s = state_of(&item, Some(&later), &[]);
        assert_eq!(s.state, ItemState::NotStarted);
        assert!(!s.answered && s.later && !s.state.is_settled());
    }

    #[test]
    fn needs_fixing_outranks_an_earlier_warning_and_catalogue_order_breaks_ties() {
        let c = Catalogue::builtin();
        // The last item with a check fails; every earlier checked item warns.
        let checked: Vec<&Item> = c
            .items
            .iter()
            .filter(|i| !i.verified_by.checks.is_empty())
            .collect();
        let last = checked.last().expect("items with checks");
        let mut results = Vec::new();
        for i in &checked {
            for id in &i.verified_by.checks {
                if results.iter().any(|r: &CheckResult| &r.id == id) {
                    continue;
                }
                let status = if last.verified_by.checks.contains(id) {
                    Status::Fail
                } else {
                    Status::Warn
                };
                results.push(CheckResult::from_id(id.clone(), status, ""));
            }
        }
        let a = assess(c, &BTreeMap::new(), &results, None);
        let first = c.item(&a.ranked[0]).expect("a ranked item");
        assert!(
            first
                .verified_by
                .checks
                .iter()
                .any(|id| last.verified_by.checks.contains(id)),
            "the failing item comes first: {:?}",
            a.ranked
        );
        let next = a.next.expect("a next step");
        assert_eq!(next.kind, "attention");
        assert_eq!(next.severity, Some(Severity::NeedsFixing));
        // Among the warnings, catalogue order.
        let warn_positions: Vec<usize> = a
            .ranked
            .iter()
            .filter(|id| {
                a.items
                    .iter()
                    .find(|s| &s.id == *id)
                    .and_then(|s| s.severity)
                    == Some(Severity::WorthALook)
            })
            .map(|id| c.items.iter().position(|i| &i.id == id).unwrap_or(0))
            .collect();
        assert!(warn_positions.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn progress_counts_settled_items_only() {
        let c = Catalogue::builtin();
        let mut answers = BTreeMap::new();
        let onboarding: Vec<&Item> = c.journey(Journey::Onboarding).collect();
        answers.insert(onboarding[0].id.clone(), answer(AnswerStatus::Done, None));
        answers.insert(onboarding[1].id.clone(), answer(AnswerStatus::Later, None));
        let a = assess(c, &answers, &[], Some(Journey::Onboarding));
        let p = a.journeys[&Journey::Onboarding].progress;
        assert_eq!(p.total, onboarding.len());
        let expected = usize::from(state_of_item(&a, &onboarding[0].id).is_settled());
        assert_eq!(p.settled, expected, "Later does not count");
        let topic_sum: usize = a.journeys[&Journey::Onboarding]
            .topics
            .iter()
            .map(|t| t.progress.settled)
            .sum();
        assert_eq!(topic_sum, p.settled, "topic cards agree with the journey");
    }

    fn state_of_item(a: &Assessment, id: &str) -> ItemState {
        a.items
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.state)
            .unwrap_or(ItemState::NotStarted)
    }
}
