//! The uniform result every check produces, live or on the device.

use crate::check_registry::CheckSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The closed set of outcomes. `Unknown` means "could not be checked" and is never a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Warn,
    Fail,
    Unknown,
    Skipped,
}

impl Status {
    /// Higher is worse; used to pick a check's status from its worst part and to order changes.
    pub fn severity(self) -> u8 {
        match self {
            Status::Skipped => 0,
            Status::Pass => 1,
            Status::Unknown => 2,
            Status::Warn => 3,
            Status::Fail => 4,
        }
    }

    /// The worse of two statuses, by [`Status::severity`].
    pub fn worst(self, other: Status) -> Status {
        if other.severity() > self.severity() {
            other
        } else {
            self
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// "1 key" / "3 keys": counts in summaries read as sentences, not "key(s)".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// Structured facts a check saw, kept so later reviews can say what changed
/// (owners per package, key and token identifiers, expiry dates). Never a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    /// Package (or organization) name -> owner handles.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub owners: BTreeMap<String, Vec<String>>,
    /// Public identifiers of keys or tokens (fingerprints, titles, token names), never their values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// Named expiry dates (e.g. a domain or a token) as RFC 3339 dates `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expires: BTreeMap<String, String>,
    /// Account email addresses seen (used by the email-domain check; not shared in summaries).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// Package -> how its latest release was published (`trusted`, `provenance`,
    /// `no_evidence`, `token`), so a move back to a token shows as a worse change.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub publishing: BTreeMap<String, String>,
}

impl Observed {
    pub fn is_empty(&self) -> bool {
        self.owners.is_empty()
            && self.keys.is_empty()
            && self.expires.is_empty()
            && self.emails.is_empty()
            && self.publishing.is_empty()
    }
}

/// One package or repository a check looked at, and what it found there, so the Checks
/// screen can list hundreds of them grouped by status instead of one long evidence list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// The package (`left-pad`, `@scope/pkg`) or repository (`owner/repo`).
    pub name: String,
    pub status: Status,
    /// What was found, in a short sentence that does not repeat `name`.
    pub detail: String,
    /// Where in the repository: `path:line` (pipeline findings), or a version for packages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The fix for this one finding, when it has its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Subject {
    pub fn new(name: impl Into<String>, status: Status, detail: impl Into<String>) -> Self {
        Subject {
            name: name.into(),
            status,
            detail: detail.into(),
            location: None,
            fix: None,
        }
    }

    /// Adds where the finding is (`path:line`, or a version); empty text adds nothing.
    pub fn at(mut self, location: impl Into<String>) -> Self {
        let l = location.into();
        self.location = (!l.is_empty()).then_some(l);
        self
    }

    /// Adds this finding's own fix; empty text adds nothing.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        let f = fix.into();
        self.fix = (!f.is_empty()).then_some(f);
        self
    }
}

/// One check's outcome: what was found, the evidence, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable id from the [`crate::check_registry`], e.g. `github.two_factor`.
    pub id: String,
    pub status: Status,
    /// One plain sentence; for `unknown` it says why and what to do.
    pub summary: String,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub remediation: Vec<String>,
    #[serde(default, skip_serializing_if = "Observed::is_empty")]
    pub observed: Observed,
    /// Per package or repository findings (release-pipeline checks), worst first. The same
    /// facts are in `evidence` as lines, for readers that predate this field; absent when
    /// empty, so older saved reviews read the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<Subject>,
}

impl CheckResult {
    /// A result of the check `spec` (its constant, so the id is never spelled again).
    pub fn new(spec: &CheckSpec, status: Status, summary: impl Into<String>) -> Self {
        CheckResult::from_id(spec.id, status, summary)
    }

    /// A result for an id known only as text: one read back from a saved review, or a test's
    /// made-up check. Probes use [`CheckResult::new`]; the engine refuses ids it does not know.
    pub fn from_id(id: impl Into<String>, status: Status, summary: impl Into<String>) -> Self {
        CheckResult {
            id: id.into(),
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            remediation: Vec::new(),
            observed: Observed::default(),
            subjects: Vec::new(),
        }
    }

    pub fn with_evidence(mut self, evidence: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.evidence.extend(evidence.into_iter().map(Into::into));
        self
    }

    pub fn with_remediation(mut self, steps: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.remediation.extend(steps.into_iter().map(Into::into));
        self
    }

    pub fn with_observed(mut self, observed: Observed) -> Self {
        self.observed = observed;
        self
    }

    /// Sets the per-subject findings, worst first (stable within a status).
    pub fn with_subjects(mut self, subjects: impl IntoIterator<Item = Subject>) -> Self {
        let mut subjects: Vec<Subject> = subjects.into_iter().collect();
        subjects.sort_by_key(|s| std::cmp::Reverse(s.status.severity()));
        self.subjects = subjects;
        self
    }

    /// A check that could not run: never a failure.
    pub fn unknown(spec: &CheckSpec, why_and_what_to_do: impl Into<String>) -> Self {
        CheckResult::new(spec, Status::Unknown, why_and_what_to_do)
    }

    /// A check that was not configured (no token, no handle, not opted in).
    pub fn skipped(spec: &CheckSpec, why: impl Into<String>) -> Self {
        CheckResult::new(spec, Status::Skipped, why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_serializes_lowercase_and_orders_by_severity() {
        assert_eq!(
            serde_json::to_string(&Status::Unknown).unwrap(),
            "\"unknown\""
        );
        assert_eq!(Status::Pass.worst(Status::Warn), Status::Warn);
        assert_eq!(Status::Fail.worst(Status::Warn), Status::Fail);
        assert_eq!(Status::Skipped.worst(Status::Pass), Status::Pass);
    }

    #[test]
    fn empty_observed_is_not_serialized() {
        let r = CheckResult::from_id("x.y", Status::Pass, "ok");
        let v = serde_json::to_value(&r).unwrap();
        assert!(
            v.get("observed").is_none(),
            "empty observed should be omitted: {v}"
        );
        assert!(v.get("subjects").is_none(), "no subjects, no field: {v}");
    }

    #[test]
    fn subjects_come_worst_first_and_old_results_still_read() {
        let r = CheckResult::from_id("x.y", Status::Warn, "w").with_subjects([
            Subject::new("a", Status::Pass, "fine"),
            Subject::new("b", Status::Fail, "broken").at(".github/workflows/r.yml:3"),
            Subject::new("c", Status::Unknown, "unseen"),
            Subject::new("d", Status::Warn, "weak").fix(""),
        ]);
        let names: Vec<&str> = r.subjects.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["b", "d", "c", "a"]);
        assert_eq!(r.subjects[1].fix, None, "an empty fix is no fix");
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["subjects"][0]["location"], ".github/workflows/r.yml:3");
        assert!(v["subjects"][3].get("location").is_none());
        // A result saved before subjects existed still reads, with none.
        let old: CheckResult = serde_json::from_str(
            r#"{"id":"npm.trusted_publishing","status":"pass","summary":"ok","evidence":[],"remediation":[]}"#,
        )
        .unwrap();
        assert!(old.subjects.is_empty());
    }
}
