//! What the periodic review walks: only the items that need a fresh look.
//!
//! A periodic review re-runs every check and then asks the user about two kinds of item,
//! and no others:
//! - an item backed by a check whose result changed for the worse (or out of sight) at the
//!   last review, compared with the review before it;
//! - an item the user answered (done, not applicable, confirmed) longer ago than the review
//!   interval: "is this still true?".
//!
//! Everything else stays as answered. Items are listed in catalogue order, each with the
//! reasons it is in the walk, in plain sentences.

use crate::catalogue::Catalogue;
use crate::history::{Change, ChangeKind};
use crate::state::{Answer, AnswerStatus};
use serde::Serialize;
use std::collections::BTreeMap;
use time::{Duration, OffsetDateTime};

/// Why one item is in the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WalkReason {
    /// One of its checks changed at the last review.
    Changed { check: String, summary: String },
    /// The user's answer is older than the review interval.
    OldAnswer {
        #[serde(with = "time::serde::rfc3339")]
        answered_at: OffsetDateTime,
        days: i64,
    },
}

/// One item to look at again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WalkItem {
    pub id: String,
    pub reasons: Vec<WalkReason>,
}

/// The periodic review's walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewWalk {
    /// The last review, whose changes (against the one before it) are walked.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_review_at: Option<OffsetDateTime>,
    pub interval_days: u32,
    /// Checks whose result changed at the last review (worse or out of sight).
    pub changed_checks: usize,
    /// Answers older than the interval.
    pub old_answers: usize,
    pub items: Vec<WalkItem>,
}

/// A check change worth a second look: worse news, or a check Lockstep lost sight of.
/// Better news and answers the user changed themselves are not walked again.
fn worth_a_look(kind: ChangeKind) -> bool {
    kind.needs_attention() || matches!(kind, ChangeKind::Changed | ChangeKind::CheckAdded)
}

/// An answer that says the item is settled by the user, so it can go stale.
fn settled_by_user(answer: &Answer) -> bool {
    matches!(
        answer.status,
        AnswerStatus::Done | AnswerStatus::NotApplicable
    )
}

/// The walk, from the answers, the changes of the last review (`changes`, between it and the
/// review before it) and the review interval.
pub fn walk(
    catalogue: &Catalogue,
    answers: &BTreeMap<String, Answer>,
    changes: &[Change],
    last_review_at: Option<OffsetDateTime>,
    interval_days: u32,
    now: OffsetDateTime,
) -> ReviewWalk {
    let changed: Vec<&Change> = changes.iter().filter(|c| worth_a_look(c.kind)).collect();
    let cutoff = now - Duration::days(i64::from(interval_days.max(1)));
    let mut old_answers = 0;
    let mut items = Vec::new();
    for item in &catalogue.items {
        let mut reasons: Vec<WalkReason> = changed
            .iter()
            .filter(|c| item.verified_by.checks.contains(&c.id))
            .map(|c| WalkReason::Changed {
                check: c.id.clone(),
                summary: c.summary.clone(),
            })
            .collect();
        if let Some(answer) = answers.get(&item.id) {
            if settled_by_user(answer) && answer.updated_at < cutoff {
                old_answers += 1;
                reasons.push(WalkReason::OldAnswer {
                    answered_at: answer.updated_at,
                    days: (now - answer.updated_at).whole_days(),
                });
            }
        }
        if !reasons.is_empty() {
            items.push(WalkItem {
                id: item.id.clone(),
                reasons,
            });
        }
    }
    let mut changed_ids: Vec<&str> = changed.iter().map(|c| c.id.as_str()).collect();
    changed_ids.sort_unstable();
    changed_ids.dedup();
    ReviewWalk {
        last_review_at,
        interval_days,
        changed_checks: changed_ids.len(),
        old_answers,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-30 12:00 UTC);

    fn answer(status: AnswerStatus, days_ago: i64) -> Answer {
        Answer {
            status,
            reason: (status == AnswerStatus::NotApplicable).then(|| "no".to_string()),
            choice: None,
            updated_at: NOW - Duration::days(days_ago),
        }
    }

    fn change(id: &str, kind: ChangeKind) -> Change {
        serde_json::from_value(serde_json::json!({
            "id": id, "kind": kind, "from": "pass", "to": "fail", "summary": format!("{id} moved")
        }))
        .expect("a change")
    }

    /// The first catalogue item backed by `check`.
    fn item_of(c: &Catalogue, check: &str) -> String {
        c.items
            .iter()
            .find(|i| i.verified_by.checks.iter().any(|id| id == check))
            .map(|i| i.id.clone())
            .expect("an item backed by the check")
    }

    #[test]
    fn nothing_to_walk_when_nothing_changed_and_answers_are_fresh() {
        let c = Catalogue::builtin();
        let answers: BTreeMap<String, Answer> = c
            .items
            .iter()
            .take(5)
            .map(|i| (i.id.clone(), answer(AnswerStatus::Done, 10)))
            .collect();
        let w = walk(c, &answers, &[], Some(NOW), 90, NOW);
        assert!(w.items.is_empty(), "{:?}", w.items);
        assert_eq!((w.changed_checks, w.old_answers), (0, 0));
    }

    #[test]
    fn answers_older_than_the_interval_are_walked_and_later_is_not_an_answer() {
        let c = Catalogue::builtin();
        let ids: Vec<String> = c.items.iter().take(4).map(|i| i.id.clone()).collect();
        let answers = BTreeMap::from([
            (ids[0].clone(), answer(AnswerStatus::Done, 91)),
            (ids[1].clone(), answer(AnswerStatus::Done, 89)),
            (ids[2].clone(), answer(AnswerStatus::NotApplicable, 200)),
            (ids[3].clone(), answer(AnswerStatus::Later, 400)),
        ]);
        let w = walk(c, &answers, &[], None, 90, NOW);
        let walked: Vec<&str> = w.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(walked, vec![ids[0].as_str(), ids[2].as_str()]);
        assert_eq!(w.old_answers, 2);
        assert!(matches!(
            w.items[0].reasons[..],
            [WalkReason::OldAnswer { days: 91, .. }]
        ));
        // A shorter interval makes the 89-day answer old too.
        assert_eq!(walk(c, &answers, &[], None, 30, NOW).items.len(), 3);
    }

    #[test]
    fn items_whose_checks_got_worse_are_walked_but_not_good_news() {
        let c = Catalogue::builtin();
        let worse = item_of(c, "github.two_factor");
        let better = item_of(c, "npm.two_factor");
        let changes = [
            change("github.two_factor", ChangeKind::Worse),
            change("npm.two_factor", ChangeKind::Better),
        ];
        let w = walk(c, &BTreeMap::new(), &changes, Some(NOW), 90, NOW);
        let walked: Vec<&str> = w.items.iter().map(|i| i.id.as_str()).collect();
        assert!(walked.contains(&worse.as_str()), "{walked:?}");
        assert!(!walked.contains(&better.as_str()), "{walked:?}");
        assert_eq!(w.changed_checks, 1);
        let item = w.items.iter().find(|i| i.id == worse).expect("walked");
        assert_eq!(
            item.reasons,
            vec![WalkReason::Changed {
                check: "github.two_factor".into(),
                summary: "github.two_factor moved".into()
            }]
        );
    }

    #[test]
    fn walk_follows_catalogue_order_and_joins_reasons() {
        let c = Catalogue::builtin();
        let item = item_of(c, "github.two_factor");
        let answers = BTreeMap::from([(item.clone(), answer(AnswerStatus::Done, 100))]);
        let changes = [change("github.two_factor", ChangeKind::Worse)];
        let w = walk(c, &answers, &changes, Some(NOW), 90, NOW);
        let entry = w.items.iter().find(|i| i.id == item).expect("walked");
        assert_eq!(entry.reasons.len(), 2, "one item, both reasons");
        let order: Vec<usize> = w
            .items
            .iter()
            .map(|i| {
                c.items
                    .iter()
                    .position(|x| x.id == i.id)
                    .expect("in catalogue")
            })
            .collect();
        assert!(order.windows(2).all(|p| p[0] < p[1]), "{order:?}");
    }
}
