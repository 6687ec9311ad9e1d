//! Shared fixtures for the history integration tests.
#![allow(dead_code)]

use lockstep_core::catalogue::Journey;
use lockstep_core::check::{CheckResult, Observed, Status};
use lockstep_core::history::Review;
use lockstep_core::state::{Answer, AnswerStatus};
use std::collections::BTreeMap;
use time::OffsetDateTime;

pub fn answer(status: AnswerStatus, at: OffsetDateTime) -> Answer {
    Answer {
        status,
        reason: None,
        choice: None,
        updated_at: at,
    }
}

pub fn owners(pkg: &str, handles: &[&str]) -> Observed {
    let mut o = Observed::default();
    o.owners.insert(
        pkg.to_string(),
        handles.iter().map(|h| h.to_string()).collect(),
    );
    o
}

/// A realistic review: a pass, a warn with owners, an unknown, a device check with keys.
pub fn review(at: OffsetDateTime) -> Review {
    let mut keys = Observed {
        keys: vec!["SHA256:aaaa signing".into(), "ci-publish token".into()],
        ..Observed::default()
    };
    keys.expires
        .insert("token ci-publish".into(), "2027-06-01".into());
    let mut domain = Observed::default();
    domain
        .expires
        .insert("example.org".into(), "2027-09-01".into());
    domain.emails.push("alice@example.org".into());
    let results = vec![
        CheckResult::new(
            lockstep_core::live::github::TWO_FACTOR,
            Status::Pass,
            "Two-factor authentication is on for alice.",
        )
        .with_evidence(["two_factor_authentication: true"]),
        CheckResult::new(
            lockstep_core::live::npm::OWNERS,
            Status::Warn,
            "left-pad has one owner.",
        )
        .with_evidence(["left-pad: alice"])
        .with_remediation(["Add a second owner: npm owner add bob left-pad"])
        .with_observed(owners("left-pad", &["alice"])),
        CheckResult::unknown(
            lockstep_core::live::pypi::OWNERS,
            "No PyPI projects are listed; add them in Settings.",
        ),
        CheckResult::new(
            lockstep_core::live::github::SIGNING_KEYS,
            Status::Pass,
            "One signing key.",
        )
        .with_observed(keys),
        CheckResult::new(
            lockstep_core::email::domain::ID,
            Status::Pass,
            "example.org is registered until 2027-09-01.",
        )
        .with_observed(domain),
    ];
    let mut answers = BTreeMap::new();
    answers.insert(
        "two-factor-everywhere".to_string(),
        answer(AnswerStatus::Done, at),
    );
    answers.insert("security-keys".to_string(), answer(AnswerStatus::Later, at));
    Review::new(at, Some(Journey::Review), results, answers)
}

pub fn result_mut<'a>(r: &'a mut Review, id: &str) -> &'a mut CheckResult {
    r.results
        .iter_mut()
        .find(|c| c.id == id)
        .expect("fixture has this check")
}
