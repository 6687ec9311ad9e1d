//! What changed between two reviews, worst news first.
//!
//! Decisions:
//! - A move between pass, warn and fail is `worse` or `better` by [`Status::severity`].
//! - A move *to* unknown or skipped is `changed`: Lockstep lost sight of something, which is
//!   not evidence that it got worse (unknown is never a failure).
//! - A move *from* unknown or skipped to pass is `changed` too (we cannot say it improved);
//!   to warn or fail it is `worse`, because it now needs attention and belongs at the top.
//! - Owners and keys are compared per check and per package; a package that only appears in
//!   one review is not diffed (its owners are not "new", the package is).
//! - An expiry is "closer" when its date moved earlier, or when the same date crossed one of
//!   [`EXPIRY_THRESHOLDS_DAYS`] counted from each review's `checked_at`. Renewals (a later
//!   date) show up through the check's own status, so they are not listed here.
//! - Only answers that became `done` or stopped being `done` are listed.

use super::review::Review;
use crate::check::{CheckResult, Status};
use crate::expiry::parse_date;
use crate::state::AnswerStatus;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Days-left marks whose crossing is news even when the expiry date itself did not move.
pub const EXPIRY_THRESHOLDS_DAYS: [i64; 3] = [365, 60, 14];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Worse,
    Better,
    /// A status move involving unknown or skipped: neither worse nor better.
    Changed,
    OwnerAdded,
    OwnerRemoved,
    KeyAdded,
    KeyRemoved,
    ExpiryCloser,
    ItemDone,
    ItemUndone,
    CheckAdded,
    CheckRemoved,
}

impl ChangeKind {
    /// Shown first and marked in the UI: things that may need the user to act.
    pub fn needs_attention(self) -> bool {
        matches!(
            self,
            ChangeKind::Worse
                | ChangeKind::OwnerRemoved
                | ChangeKind::KeyRemoved
                | ChangeKind::ExpiryCloser
        )
    }

    /// The display order: attention group first, then the rest, good news last.
    fn rank(self) -> u8 {
        match self {
            ChangeKind::Worse => 0,
            ChangeKind::OwnerRemoved => 1,
            ChangeKind::KeyRemoved => 2,
            ChangeKind::ExpiryCloser => 3,
            ChangeKind::OwnerAdded => 4,
            ChangeKind::KeyAdded => 5,
            ChangeKind::ItemUndone => 6,
            ChangeKind::CheckRemoved => 7,
            ChangeKind::CheckAdded => 8,
            ChangeKind::Changed => 9,
            ChangeKind::Better => 10,
            ChangeKind::ItemDone => 11,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Worse => "worse",
            ChangeKind::Better => "better",
            ChangeKind::Changed => "changed",
            ChangeKind::OwnerAdded => "owner_added",
            ChangeKind::OwnerRemoved => "owner_removed",
            ChangeKind::KeyAdded => "key_added",
            ChangeKind::KeyRemoved => "key_removed",
            ChangeKind::ExpiryCloser => "expiry_closer",
            ChangeKind::ItemDone => "item_done",
            ChangeKind::ItemUndone => "item_undone",
            ChangeKind::CheckAdded => "check_added",
            ChangeKind::CheckRemoved => "check_removed",
        }
    }
}

/// One difference between two reviews. `id` is a check id or a checklist item id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub id: String,
    pub kind: ChangeKind,
    pub from: String,
    pub to: String,
    /// One plain sentence for the user.
    pub summary: String,
}

impl Change {
    fn new(
        id: &str,
        kind: ChangeKind,
        from: impl Into<String>,
        to: impl Into<String>,
        summary: String,
    ) -> Self {
        Change {
            id: id.to_string(),
            kind,
            from: from.into(),
            to: to.into(),
            summary,
        }
    }
}

/// Every change from `prev` to `next`, attention-worthy first, in a stable order.
pub fn between(prev: &Review, next: &Review) -> Vec<Change> {
    let mut out = Vec::new();
    let prev_by_id: BTreeMap<&str, &CheckResult> =
        prev.results.iter().map(|r| (r.id.as_str(), r)).collect();
    let next_by_id: BTreeMap<&str, &CheckResult> =
        next.results.iter().map(|r| (r.id.as_str(), r)).collect();

    for (id, n) in &next_by_id {
        match prev_by_id.get(id) {
            None => out.push(Change::new(
                id,
                ChangeKind::CheckAdded,
                "",
                n.status.as_str(),
                format!("New check {id}: {}", n.summary),
            )),
            Some(p) => {
                status_change(id, p, n, &mut out);
                owner_changes(id, p, n, &mut out);
                key_changes(id, p, n, &mut out);
                publishing_changes(id, p, n, &mut out);
                expiry_changes(id, p, n, prev, next, &mut out);
            }
        }
    }
    for (id, p) in &prev_by_id {
        if !next_by_id.contains_key(id) {
            out.push(Change::new(
                id,
                ChangeKind::CheckRemoved,
                p.status.as_str(),
                "",
                format!(
                    "The check {id} did not run this time (it was {} before).",
                    p.status
                ),
            ));
        }
    }
    answer_changes(prev, next, &mut out);

    // Worse changes that end in fail come before those that end in warn.
    out.sort_by(|a, b| {
        let sev = |c: &Change| match c.kind {
            ChangeKind::Worse => 10 - severity_of(&c.to),
            _ => 0,
        };
        (a.kind.rank(), sev(a), &a.id, &a.summary).cmp(&(b.kind.rank(), sev(b), &b.id, &b.summary))
    });
    out
}

fn severity_of(word: &str) -> u8 {
    [
        Status::Pass,
        Status::Warn,
        Status::Fail,
        Status::Unknown,
        Status::Skipped,
    ]
    .into_iter()
    .find(|s| s.as_str() == word)
    .map_or(0, Status::severity)
}

/// Classifies a status move; see the module docs for why unknown and skipped are special.
pub fn classify(from: Status, to: Status) -> Option<ChangeKind> {
    let unsure = |s: Status| matches!(s, Status::Unknown | Status::Skipped);
    if from == to {
        None
    } else if unsure(to) {
        Some(ChangeKind::Changed)
    } else if unsure(from) {
        Some(if to == Status::Pass {
            ChangeKind::Changed
        } else {
            ChangeKind::Worse
        })
    } else if to.severity() > from.severity() {
        Some(ChangeKind::Worse)
    } else {
        Some(ChangeKind::Better)
    }
}

fn status_change(id: &str, p: &CheckResult, n: &CheckResult, out: &mut Vec<Change>) {
    if let Some(kind) = classify(p.status, n.status) {
        let summary = format!("{id} went from {} to {}: {}", p.status, n.status, n.summary);
        out.push(Change::new(
            id,
            kind,
            p.status.as_str(),
            n.status.as_str(),
            summary,
        ));
    }
}

fn owner_changes(id: &str, p: &CheckResult, n: &CheckResult, out: &mut Vec<Change>) {
    for (package, next_owners) in &n.observed.owners {
        let Some(prev_owners) = p.observed.owners.get(package) else {
            continue;
        };
        let before: BTreeSet<&String> = prev_owners.iter().collect();
        let after: BTreeSet<&String> = next_owners.iter().collect();
        for added in after.difference(&before) {
            out.push(Change::new(
                id,
                ChangeKind::OwnerAdded,
                "",
                added.as_str(),
                format!("{added} is now an owner of {package}. If you did not expect this, check who added them."),
            ));
        }
        for removed in before.difference(&after) {
            out.push(Change::new(
                id,
                ChangeKind::OwnerRemoved,
                removed.as_str(),
                "",
                format!("{removed} is no longer an owner of {package}."),
            ));
        }
    }
}

/// A package whose latest release came through a weaker path than before (trusted publishing
/// back to a token, say) is a worse change, whatever the check's overall status did.
fn publishing_changes(id: &str, p: &CheckResult, n: &CheckResult, out: &mut Vec<Change>) {
    use crate::live::trusted_publishing::rank;
    for (package, after) in &n.observed.publishing {
        let Some(before) = p.observed.publishing.get(package) else {
            continue;
        };
        if let (Some(b), Some(a)) = (rank(before), rank(after)) {
            if a < b {
                out.push(Change::new(
                    id,
                    ChangeKind::Worse,
                    before.as_str(),
                    after.as_str(),
                    format!(
                        "{package}'s latest release was published with {} (before: {}). If you did not publish it that way, find out who did.",
                        publishing_words(after),
                        publishing_words(before)
                    ),
                ));
            }
        }
    }
}

fn publishing_words(word: &str) -> &'static str {
    match word {
        "trusted" => "trusted publishing",
        "provenance" => "provenance from CI but a token",
        "no_evidence" => "no evidence of trusted publishing",
        "token" => "a long-lived token",
        _ => "an unknown method",
    }
}

fn key_changes(id: &str, p: &CheckResult, n: &CheckResult, out: &mut Vec<Change>) {
    let before: BTreeSet<&String> = p.observed.keys.iter().collect();
    let after: BTreeSet<&String> = n.observed.keys.iter().collect();
    for added in after.difference(&before) {
        out.push(Change::new(
            id,
            ChangeKind::KeyAdded,
            "",
            added.as_str(),
            format!("New key or token seen for {id}: {added}."),
        ));
    }
    for removed in before.difference(&after) {
        out.push(Change::new(
            id,
            ChangeKind::KeyRemoved,
            removed.as_str(),
            "",
            format!("The key or token {removed} is gone from {id}. Fine if you removed it; otherwise find out why."),
        ));
    }
}

fn expiry_changes(
    id: &str,
    p: &CheckResult,
    n: &CheckResult,
    prev: &Review,
    next: &Review,
    out: &mut Vec<Change>,
) {
    for (name, next_value) in &n.observed.expires {
        let Some(prev_value) = p.observed.expires.get(name) else {
            continue;
        };
        let (Some(before), Some(after)) = (parse_date(prev_value), parse_date(next_value)) else {
            continue;
        };
        let left_before = (before - prev.checked_at.date()).whole_days();
        let left_after = (after - next.checked_at.date()).whole_days();
        if after < before {
            out.push(Change::new(
                id,
                ChangeKind::ExpiryCloser,
                prev_value.as_str(),
                next_value.as_str(),
                format!("{name} now expires on {after}, earlier than the {before} seen last time ({left_after} days left)."),
            ));
        } else if after == before {
            if let Some(mark) = EXPIRY_THRESHOLDS_DAYS
                .iter()
                .find(|&&t| left_before > t && left_after <= t)
            {
                let summary = if left_after < 0 {
                    format!("{name} expired on {after}.")
                } else {
                    format!("{name} expires on {after}: {left_after} days left, now under {mark}.")
                };
                out.push(Change::new(
                    id,
                    ChangeKind::ExpiryCloser,
                    prev_value.as_str(),
                    next_value.as_str(),
                    summary,
                ));
            }
        }
    }
}

fn answer_word(status: Option<AnswerStatus>) -> &'static str {
    match status {
        None => "not_started",
        Some(AnswerStatus::Done) => "done",
        Some(AnswerStatus::NotApplicable) => "not_applicable",
        Some(AnswerStatus::Later) => "later",
    }
}

fn answer_changes(prev: &Review, next: &Review, out: &mut Vec<Change>) {
    let ids: BTreeSet<&String> = prev.answers.keys().chain(next.answers.keys()).collect();
    for id in ids {
        let before = prev.answers.get(id).map(|a| a.status);
        let after = next.answers.get(id).map(|a| a.status);
        let was_done = before == Some(AnswerStatus::Done);
        let is_done = after == Some(AnswerStatus::Done);
        if is_done && !was_done {
            out.push(Change::new(
                id,
                ChangeKind::ItemDone,
                answer_word(before),
                "done",
                format!("You marked {id} as done."),
            ));
        } else if was_done && !is_done {
            out.push(Change::new(
                id,
                ChangeKind::ItemUndone,
                "done",
                answer_word(after),
                format!(
                    "{id} is no longer marked done (now {}).",
                    answer_word(after).replace('_', " ")
                ),
            ));
        }
    }
}

/// Plain text for the terminal: attention-worthy changes under their own heading.
pub fn render_changes_text(changes: &[Change]) -> String {
    if changes.is_empty() {
        return "Nothing changed since the previous review.\n".to_string();
    }
    let mut out = String::new();
    let (attention, rest): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|c| c.kind.needs_attention());
    if !attention.is_empty() {
        out.push_str("Needs a look:\n");
        for c in attention {
            out.push_str(&format!(
                "  ! [{}] {}\n",
                c.kind.as_str().replace('_', " "),
                one_line(&c.summary)
            ));
        }
    }
    if !rest.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str("Other changes:\n");
        for c in rest {
            let mark = match c.kind {
                ChangeKind::Better | ChangeKind::ItemDone => '+',
                _ => '-',
            };
            out.push_str(&format!(
                "  {mark} [{}] {}\n",
                c.kind.as_str().replace('_', " "),
                one_line(&c.summary)
            ));
        }
    }
    out
}

/// Keeps one change per line even if a summary carries a newline or a terminal control code.
fn one_line(s: &str) -> String {
    crate::untrusted_text::one_line(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        use Status::*;
        let cases = [
            (Pass, Warn, Some(ChangeKind::Worse)),
            (Warn, Fail, Some(ChangeKind::Worse)),
            (Fail, Pass, Some(ChangeKind::Better)),
            (Pass, Unknown, Some(ChangeKind::Changed)),
            (Fail, Skipped, Some(ChangeKind::Changed)),
            (Unknown, Pass, Some(ChangeKind::Changed)),
            (Unknown, Fail, Some(ChangeKind::Worse)),
            (Skipped, Warn, Some(ChangeKind::Worse)),
            (Pass, Pass, None),
        ];
        for (from, to, want) in cases {
            assert_eq!(classify(from, to), want, "{from} -> {to}");
        }
    }

    #[test]
    fn kinds_serialize_snake_case() {
        assert_eq!(
            serde_json::to_string(&ChangeKind::ExpiryCloser).unwrap(),
            "\"expiry_closer\""
        );
        for k in [
            ChangeKind::OwnerAdded,
            ChangeKind::ItemUndone,
            ChangeKind::CheckRemoved,
        ] {
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                k.as_str(),
                "as_str and serde must agree"
            );
        }
    }

    #[test]
    fn text_has_headings_and_no_control_characters() {
        let changes = vec![
            Change::new(
                "a",
                ChangeKind::Worse,
                "pass",
                "fail",
                "a broke\x1b[31m".into(),
            ),
            Change::new("b", ChangeKind::ItemDone, "later", "done", "b done".into()),
        ];
        let text = render_changes_text(&changes);
        assert!(
            text.starts_with("Needs a look:\n  ! [worse] a broke"),
            "{text}"
        );
        assert!(
            text.contains("Other changes:\n  + [item done] b done"),
            "{text}"
        );
        assert!(
            !text.contains('\x1b'),
            "escape codes from remote data must not reach the terminal"
        );
        assert_eq!(
            render_changes_text(&[]),
            "Nothing changed since the previous review.\n"
        );
    }
}
