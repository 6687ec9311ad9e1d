//! The public JSON of a run's results: `lockstep check --json`, and, with the checklist
//! answers, `lockstep report --format json`. One type for both, so they cannot drift apart.
//! Scripts read it: fields are only ever added. `observed` (the raw facts kept for
//! comparing reviews) is left out. `subjects` (per package / repository findings) appears
//! only on results of checks that report them.

use crate::check::{CheckResult, Status, Subject};
use crate::history::Change;
use crate::state::Answer;
use serde::Serialize;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// `{checked_at, results, changes}`, plus `answers` in a report.
#[derive(Debug, Serialize)]
pub struct ResultsJson<'a> {
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    pub results: Vec<ResultJson<'a>>,
    /// What changed since the previous review, worse first (`id`, `kind`, `summary`, ...).
    pub changes: &'a [Change],
    /// The checklist answers by item id (reports only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<&'a BTreeMap<String, Answer>>,
}

/// One check's result as scripts see it.
#[derive(Debug, Serialize)]
pub struct ResultJson<'a> {
    pub id: &'a str,
    pub status: Status,
    pub summary: &'a str,
    pub evidence: &'a [String],
    pub remediation: &'a [String],
    /// `{name, status, detail, location?, fix?}` per package or repository, worst first.
    #[serde(skip_serializing_if = "<[Subject]>::is_empty")]
    pub subjects: &'a [Subject],
}

impl<'a> ResultsJson<'a> {
    /// The `check --json` shape.
    pub fn new(
        checked_at: OffsetDateTime,
        results: &'a [CheckResult],
        changes: &'a [Change],
    ) -> Self {
        ResultsJson {
            checked_at,
            results: results
                .iter()
                .map(|r| ResultJson {
                    id: &r.id,
                    status: r.status,
                    summary: &r.summary,
                    evidence: &r.evidence,
                    remediation: &r.remediation,
                    subjects: &r.subjects,
                })
                .collect(),
            changes,
            answers: None,
        }
    }

    /// Adds the checklist answers (the report's JSON).
    pub fn with_answers(mut self, answers: &'a BTreeMap<String, Answer>) -> Self {
        self.answers = Some(answers);
        self
    }

    /// Pretty-printed, as the CLI prints it.
    pub fn to_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use time::macros::datetime;

    fn keys(v: &Value) -> Vec<&str> {
        let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        k.sort_unstable();
        k
    }

    #[test]
    fn the_public_shape_is_pinned() {
        let results = [
            CheckResult::new(crate::live::npm::TWO_FACTOR, Status::Fail, "Off.")
                .with_evidence(["seen"])
                .with_remediation(["Turn it on."]),
            CheckResult::new(crate::live::npm::TRUSTED, Status::Warn, "1 token.")
                .with_evidence(["left-pad 1.0.0: published with a long-lived token"])
                .with_subjects([
                    crate::check::Subject::new(
                        "left-pad",
                        Status::Warn,
                        "published with a long-lived token",
                    )
                    .at("version 1.0.0")
                    .fix("set up trusted publishing"),
                    crate::check::Subject::new("right-pad", Status::Pass, "trusted publishing"),
                ]),
        ];
        let at = datetime!(2026-11-25 12:00 UTC);
        let check: Value =
            serde_json::from_str(&ResultsJson::new(at, &results, &[]).to_pretty()).unwrap();
        assert_eq!(keys(&check), ["changes", "checked_at", "results"]);
        assert_eq!(check["checked_at"], "2026-11-25T12:00:00Z");
        assert_eq!(
            keys(&check["results"][0]),
            ["evidence", "id", "remediation", "status", "summary"],
            "no `observed`: raw facts stay out of the public shape"
        );
        assert_eq!(check["results"][0]["status"], "fail");
        // Per-subject findings: only on the checks that report them, each with a fixed shape.
        assert_eq!(
            keys(&check["results"][1]),
            [
                "evidence",
                "id",
                "remediation",
                "status",
                "subjects",
                "summary"
            ]
        );
        let subjects = &check["results"][1]["subjects"];
        assert_eq!(
            keys(&subjects[0]),
            ["detail", "fix", "location", "name", "status"]
        );
        assert_eq!(subjects[0]["status"], "warn");
        assert_eq!(
            keys(&subjects[1]),
            ["detail", "name", "status"],
            "no location or fix: left out, not null"
        );
        let answers = BTreeMap::new();
        let report: Value = serde_json::from_str(
            &ResultsJson::new(at, &results, &[])
                .with_answers(&answers)
                .to_pretty(),
        )
        .unwrap();
        assert_eq!(
            keys(&report),
            ["answers", "changes", "checked_at", "results"]
        );
    }
}
