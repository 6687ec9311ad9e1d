//! A review as a document: Markdown (terminal, issue comment), self-contained HTML (to keep or
//! print), or JSON (the `lockstep check --json` shape plus answers and changes).
//!
//! The review is built once as a [`Document`]; its one Markdown and one HTML writer escape
//! every text. Every status is shown as an icon and a word, never by colour alone.

use super::changes::Change;
use super::document::{Block, Document, Entry, ListStyle, Span};
use super::review::Review;
use crate::catalogue::{Catalogue, Topic};
use crate::check::{CheckResult, Status, Subject};
use crate::check_registry;
use crate::results_json::ResultsJson;
use crate::state::{Answer, AnswerStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;

/// A report's format; the window sends `md`, `html` or `json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    #[serde(alias = "md")]
    Markdown,
    Html,
    Json,
}

impl ReportFormat {
    /// The file name extension for a report in this format.
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Markdown => "md",
            ReportFormat::Html => "html",
            ReportFormat::Json => "json",
        }
    }
}

/// Renders one review with its changes and the checklist answers given.
pub fn render(
    review: &Review,
    changes: &[Change],
    catalogue: &Catalogue,
    answers: &BTreeMap<String, Answer>,
    format: ReportFormat,
) -> String {
    match format {
        ReportFormat::Markdown => document(review, changes, catalogue, answers).to_markdown(),
        ReportFormat::Html => document(review, changes, catalogue, answers).to_html(),
        ReportFormat::Json => json(review, changes, answers),
    }
}

/// An icon and a word, so a status never depends on colour: the same ones the app shows.
pub(crate) fn status_label(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Pass => ("✓", "Good"),
        Status::Warn => ("!", "Worth a look"),
        Status::Fail => ("✕", "Needs fixing"),
        Status::Unknown => ("?", "Unknown"),
        Status::Skipped => ("–", "Not set up"),
    }
}

pub(crate) fn answer_label(answer: Option<&Answer>) -> (&'static str, &'static str) {
    match answer.map(|a| a.status) {
        Some(AnswerStatus::Done) => ("✔", "Done"),
        Some(AnswerStatus::NotApplicable) => ("–", "Not applicable"),
        Some(AnswerStatus::Later) => ("…", "Later"),
        None => ("○", "Not started"),
    }
}

fn check_title(id: &str) -> &str {
    check_registry::find(id).map_or(id, |c| c.title)
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// Results worst first, then in registry order, so the list reads like a to-do list.
fn ordered(results: &[CheckResult]) -> Vec<&CheckResult> {
    let pos = |id: &str| {
        check_registry::CHECKS
            .iter()
            .position(|c| c.id == id)
            .unwrap_or(usize::MAX)
    };
    let mut v: Vec<&CheckResult> = results.iter().collect();
    v.sort_by(|a, b| {
        (b.status.severity(), pos(&a.id), &a.id).cmp(&(a.status.severity(), pos(&b.id), &b.id))
    });
    v
}

const ORDER: [Status; 5] = [
    Status::Fail,
    Status::Warn,
    Status::Unknown,
    Status::Pass,
    Status::Skipped,
];

fn journey_word(j: crate::catalogue::Journey) -> &'static str {
    match j {
        crate::catalogue::Journey::Onboarding => "onboarding",
        crate::catalogue::Journey::Review => "review",
        crate::catalogue::Journey::Travel => "travel",
    }
}

struct Row<'a> {
    title: String,
    answer: Option<&'a Answer>,
}

/// Catalogue items by topic with their answers, then answers for items the catalogue no longer has.
fn checklist<'a>(
    catalogue: &Catalogue,
    answers: &'a BTreeMap<String, Answer>,
) -> Vec<(&'static str, Vec<Row<'a>>)> {
    let mut out = Vec::new();
    for topic in Topic::ALL {
        let rows: Vec<Row<'a>> = catalogue
            .items
            .iter()
            .filter(|i| i.topic == topic)
            .map(|i| Row {
                title: i.title.clone(),
                answer: answers.get(&i.id),
            })
            .collect();
        if !rows.is_empty() {
            out.push((topic.title(), rows));
        }
    }
    let orphans: Vec<Row<'a>> = answers
        .iter()
        .filter(|(id, _)| catalogue.item(id).is_none())
        .map(|(id, a)| Row {
            title: id.clone(),
            answer: Some(a),
        })
        .collect();
    if !orphans.is_empty() {
        out.push(("Other answers", orphans));
    }
    out
}

/// The review as one [`Document`], which both the Markdown and the HTML writer render.
fn document(
    review: &Review,
    changes: &[Change],
    catalogue: &Catalogue,
    answers: &BTreeMap<String, Answer>,
) -> Document {
    let mut blocks = Vec::new();
    let mut intro = vec![Span::text(format!(
        "Checked at {}",
        rfc3339(review.checked_at)
    ))];
    if let Some(j) = review.journey {
        intro.push(Span::text(format!(
            " during the {} journey",
            journey_word(j)
        )));
    }
    intro.push(Span::text(". Everything here was computed on this device."));
    blocks.push(Block::Note(intro));

    let counts = review.counts();
    blocks.push(Block::List {
        style: ListStyle::Plain,
        label: Some("Results by status"),
        entries: ORDER
            .iter()
            .map(|s| {
                let (icon, word) = status_label(*s);
                vec![
                    Span::Label { icon, word },
                    Span::text(format!(": {}", counts.get(*s))),
                ]
                .into()
            })
            .collect(),
    });

    blocks.push(Block::Heading(
        2,
        vec![Span::text("What changed since the previous review")],
    ));
    if changes.is_empty() {
        blocks.push(Block::Para(vec![Span::text("Nothing changed.")]));
    } else {
        let entries = changes
            .iter()
            .map(|c| {
                let mut spans = Vec::new();
                if c.kind.needs_attention() {
                    spans.push(Span::Strong("Needs a look:".into()));
                    spans.push(Span::text(" "));
                }
                spans.push(Span::text(format!("{} ", c.summary)));
                spans.push(Span::Muted(format!(
                    "({})",
                    c.kind.as_str().replace('_', " ")
                )));
                Entry {
                    spans,
                    kind: Some(c.kind.as_str()),
                }
            })
            .collect();
        blocks.push(Block::List {
            style: ListStyle::Bullets,
            label: None,
            entries,
        });
    }

    blocks.push(Block::Heading(2, vec![Span::text("Checks")]));
    if review.results.is_empty() {
        blocks.push(Block::Para(vec![Span::text("No checks ran.")]));
    }
    for r in ordered(&review.results) {
        let (icon, word) = status_label(r.status);
        let mut card = vec![
            Block::Heading(
                3,
                vec![
                    Span::Label { icon, word },
                    Span::text(format!(": {}", check_title(&r.id))),
                ],
            ),
            Block::Para(vec![
                Span::Code(r.id.clone()),
                Span::text(format!(" {}", r.summary)),
            ]),
        ];
        // Per package / repository findings replace the evidence lines they repeat.
        let notes: Vec<&String> = if r.subjects.is_empty() {
            r.evidence.iter().collect()
        } else {
            card.extend(findings(&r.subjects));
            let names: std::collections::BTreeSet<&str> =
                r.subjects.iter().map(|s| s.name.as_str()).collect();
            r.evidence
                .iter()
                .filter(|e| !names.contains(evidence_subject(e)))
                .collect()
        };
        if !notes.is_empty() {
            card.push(Block::Para(vec![Span::text("Evidence:")]));
            card.push(Block::List {
                style: ListStyle::Bullets,
                label: None,
                entries: notes.iter().map(|e| vec![Span::text(*e)].into()).collect(),
            });
        }
        if !r.remediation.is_empty() {
            card.push(Block::Para(vec![Span::text("What to do:")]));
            card.push(Block::List {
                style: ListStyle::Numbered,
                label: None,
                entries: r
                    .remediation
                    .iter()
                    .map(|s| vec![Span::text(s)].into())
                    .collect(),
            });
        }
        blocks.push(Block::Card {
            status: Some(r.status),
            attention: matches!(r.status, Status::Fail | Status::Warn),
            blocks: card,
        });
    }

    blocks.push(Block::Heading(2, vec![Span::text("Checklist")]));
    for (topic, rows) in checklist(catalogue, answers) {
        blocks.push(Block::Heading(3, vec![Span::text(topic)]));
        let entries = rows
            .into_iter()
            .map(|row| {
                let (icon, word) = answer_label(row.answer);
                let mut spans = vec![
                    Span::Label { icon, word },
                    Span::text(format!(": {}", row.title)),
                ];
                if let Some(reason) = row.answer.and_then(|a| a.reason.as_deref()) {
                    spans.push(Span::text(" "));
                    spans.push(Span::Muted(format!("({reason})")));
                }
                spans.into()
            })
            .collect();
        blocks.push(Block::List {
            style: ListStyle::Plain,
            label: None,
            entries,
        });
    }
    Document {
        title: format!("Lockstep review of {}", review.checked_at.date()),
        blocks,
    }
}

/// The package or repository an evidence line is about: `left-pad 1.0.0: ...` and
/// `owner/repo path:3: ...` start with it.
fn evidence_subject(line: &str) -> &str {
    line.split([' ', ':']).next().unwrap_or("")
}

/// A result's findings per package or repository (already worst first): one line each for
/// what needs attention, with where and the fix; the good ones as one line of names, since a
/// maintainer may have hundreds.
fn findings(subjects: &[Subject]) -> Vec<Block> {
    let mut entries: Vec<Entry> = Vec::new();
    for s in subjects.iter().filter(|s| s.status != Status::Pass) {
        let (icon, word) = status_label(s.status);
        let mut spans = vec![
            Span::Label { icon, word },
            Span::text(" "),
            Span::Strong(s.name.clone()),
        ];
        if let Some(at) = &s.location {
            spans.push(Span::text(" "));
            spans.push(Span::Code(at.clone()));
        }
        spans.push(Span::text(format!(": {}", s.detail)));
        if let Some(fix) = &s.fix {
            spans.push(Span::Muted(format!(" Fix: {fix}")));
        }
        entries.push(Entry {
            spans,
            kind: Some(s.status.as_str()),
        });
    }
    let good: Vec<&str> = subjects
        .iter()
        .filter(|s| s.status == Status::Pass)
        .map(|s| s.name.as_str())
        .collect();
    if !good.is_empty() {
        let (icon, word) = status_label(Status::Pass);
        let mut names: Vec<&str> = good.clone();
        names.dedup();
        entries.push(Entry {
            spans: vec![
                Span::Label { icon, word },
                Span::text(format!(" ({}): {}", good.len(), names.join(", "))),
            ],
            kind: Some(Status::Pass.as_str()),
        });
    }
    vec![
        Block::Para(vec![Span::text("Findings:")]),
        Block::List {
            style: ListStyle::Plain,
            label: Some("Findings per package or repository"),
            entries,
        },
    ]
}

/// The `check --json` shape plus the answers ([`ResultsJson`]).
fn json(review: &Review, changes: &[Change], answers: &BTreeMap<String, Answer>) -> String {
    ResultsJson::new(review.checked_at, &review.results, changes)
        .with_answers(answers)
        .to_pretty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_replace_the_evidence_they_repeat_and_good_ones_fold_into_a_line() {
        let mut review = Review::new(
            time::macros::datetime!(2026-11-30 12:00 UTC),
            None,
            Vec::new(),
            BTreeMap::new(),
        );
        review.results.push(
            CheckResult::new(crate::live::npm::TRUSTED, Status::Warn, "1 token.")
                .with_evidence([
                    "kms-demo 1.0.0: published with a long-lived token by foo",
                    "a-ok 2.0.0: trusted publishing (github)",
                    "The provenance cache was damaged; it was set aside.",
                ])
                .with_subjects([
                    Subject::new(
                        "kms-demo",
                        Status::Warn,
                        "published with a long-lived token by foo",
                    )
                    .at("version 1.0.0")
                    .fix("set up trusted publishing"),
                    Subject::new("a-ok", Status::Pass, "trusted publishing (github)"),
                    Subject::new("b-ok", Status::Pass, "trusted publishing (github)"),
                ]),
        );
        let md = render(
            &review,
            &[],
            Catalogue::builtin(),
            &BTreeMap::new(),
            ReportFormat::Markdown,
        );
        assert!(
            md.contains("- ! Worth a look **kms-demo** `version 1.0.0`: published with a long-lived token by foo Fix: set up trusted publishing"),
            "{md}"
        );
        assert!(md.contains("✓ Good (2): a-ok, b-ok"), "{md}");
        assert!(
            !md.contains("kms-demo 1.0.0: published"),
            "the evidence line a finding repeats is left out: {md}"
        );
        assert!(
            md.contains("The provenance cache was damaged"),
            "a note about no package stays: {md}"
        );
        let html = render(
            &review,
            &[],
            Catalogue::builtin(),
            &BTreeMap::new(),
            ReportFormat::Html,
        );
        assert!(html.contains("<li data-kind=\"warn\">"), "{html}");
        assert!(html.contains("<strong>kms-demo</strong>"), "{html}");
    }

    #[test]
    fn every_status_has_icon_and_word() {
        for s in ORDER {
            let (icon, word) = status_label(s);
            assert!(!icon.is_empty() && !word.is_empty());
        }
    }
}
