//! The onboarding summary a new maintainer can share with the project's owners.
//!
//! Private by construction: it is built only from catalogue titles, answer statuses and check
//! statuses. Check summaries, evidence and the user's free-text reasons are never read, so an
//! email or package name inside them cannot leak. Packages and emails appear only when the
//! user opts in, and tokens are never in reach (reviews hold none).

use super::document::{Block, Document, ListStyle, Span};
use super::review::Review;
use crate::catalogue::{Catalogue, Item, Journey, Topic};
use crate::check::CheckResult;
use crate::item_state::{item_standing, ItemState};
use crate::state::Answer;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::OffsetDateTime;

/// What the user chose to share beyond the checklist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryOptions {
    pub include_emails: bool,
    pub include_packages: bool,
}

/// The summary's format; the window sends `md` or `html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SummaryFormat {
    #[serde(alias = "md")]
    Markdown,
    Html,
}

impl SummaryFormat {
    /// The file name extension for a summary in this format.
    pub fn extension(self) -> &'static str {
        match self {
            SummaryFormat::Markdown => "md",
            SummaryFormat::Html => "html",
        }
    }
}

/// Progress on one item or topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// A check that backs the item passed in the latest review.
    Verified,
    /// The user marked it done.
    Done,
    NotApplicable,
    NotYet,
}

impl Progress {
    fn label(self) -> (&'static str, &'static str) {
        match self {
            Progress::Verified => ("✔", "Verified"),
            Progress::Done => ("✓", "Done by you"),
            Progress::NotApplicable => ("–", "Doesn't apply"),
            Progress::NotYet => ("○", "Not yet"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemProgress {
    pub id: String,
    pub title: String,
    pub progress: Progress,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicProgress {
    pub topic: Topic,
    pub title: String,
    pub progress: Progress,
    pub items: Vec<ItemProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageOwners {
    pub name: String,
    pub owner_count: usize,
}

/// The summary as data (for the UI), before rendering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    #[serde(with = "time::serde::rfc3339::option")]
    pub checked_at: Option<OffsetDateTime>,
    pub topics: Vec<TopicProgress>,
    /// Only when `include_packages`.
    pub packages: Option<Vec<PackageOwners>>,
    /// Only when `include_emails`.
    pub emails: Option<Vec<String>>,
}

/// Builds the summary of the onboarding journey from the answers and the latest review.
pub fn summarize(
    catalogue: &Catalogue,
    answers: &BTreeMap<String, Answer>,
    latest: Option<&Review>,
    options: SummaryOptions,
) -> Summary {
    let mut topics = Vec::new();
    for topic in Topic::ALL {
        let items: Vec<ItemProgress> = catalogue
            .journey(Journey::Onboarding)
            .filter(|i| i.topic == topic)
            .map(|i| ItemProgress {
                id: i.id.clone(),
                title: i.title.clone(),
                progress: item_progress(i, answers.get(&i.id), latest),
            })
            .collect();
        if items.is_empty() {
            continue;
        }
        topics.push(TopicProgress {
            topic,
            title: topic.title().to_string(),
            progress: topic_progress(&items),
            items,
        });
    }
    let packages = options.include_packages.then(|| {
        let mut owners: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for r in latest.map(|r| r.results.as_slice()).unwrap_or_default() {
            for (pkg, list) in &r.observed.owners {
                owners
                    .entry(pkg)
                    .or_default()
                    .extend(list.iter().map(String::as_str));
            }
        }
        owners
            .into_iter()
            .map(|(name, o)| PackageOwners {
                name: name.to_string(),
                owner_count: o.len(),
            })
            .collect()
    });
    let emails = options.include_emails.then(|| {
        let set: BTreeSet<&String> = latest
            .map(|r| r.results.as_slice())
            .unwrap_or_default()
            .iter()
            .flat_map(|r| &r.observed.emails)
            .collect();
        set.into_iter().cloned().collect()
    });
    Summary {
        checked_at: latest.map(|r| r.checked_at),
        topics,
        packages,
        emails,
    }
}

/// The summary's word for an item, from the one shared rule in [`crate::item_state`]: an item
/// that needs attention is "not yet", whatever the answer; "confirmed by you" reads as done.
fn item_progress(item: &Item, answer: Option<&Answer>, latest: Option<&Review>) -> Progress {
    let results: HashMap<&str, &CheckResult> = latest
        .map(|r| r.results.iter().map(|c| (c.id.as_str(), c)).collect())
        .unwrap_or_default();
    match item_standing(item, answer, &results).state {
        ItemState::Verified => Progress::Verified,
        ItemState::Done | ItemState::Confirmed => Progress::Done,
        ItemState::NotApplicable => Progress::NotApplicable,
        ItemState::Attention
        | ItemState::Unknown
        | ItemState::NotStarted
        | ItemState::InProgress => Progress::NotYet,
    }
}

/// Not yet if anything is; verified only if everything that applies is; otherwise done.
fn topic_progress(items: &[ItemProgress]) -> Progress {
    let applicable: Vec<Progress> = items
        .iter()
        .map(|i| i.progress)
        .filter(|p| *p != Progress::NotApplicable)
        .collect();
    if applicable.is_empty() {
        Progress::NotApplicable
    } else if applicable.contains(&Progress::NotYet) {
        Progress::NotYet
    } else if applicable.iter().all(|p| *p == Progress::Verified) {
        Progress::Verified
    } else {
        Progress::Done
    }
}

/// Renders the shareable summary.
pub fn render_summary(summary: &Summary, format: SummaryFormat) -> String {
    match format {
        SummaryFormat::Markdown => document(summary).to_markdown(),
        SummaryFormat::Html => document(summary).to_html(),
    }
}

fn intro(summary: &Summary) -> String {
    match summary.checked_at {
        Some(at) => format!(
            "Checks last ran on {}. Made with Lockstep, on the maintainer's own device.",
            at.date()
        ),
        None => "No checks have run yet. Made with Lockstep, on the maintainer's own device."
            .to_string(),
    }
}

/// The summary as one [`Document`], which both the Markdown and the HTML writer render.
fn document(s: &Summary) -> Document {
    let mut blocks = vec![Block::Note(vec![Span::text(intro(s))])];
    for t in &s.topics {
        let (icon, word) = t.progress.label();
        blocks.push(Block::Card {
            status: None,
            attention: false,
            blocks: vec![
                Block::Heading(
                    2,
                    vec![
                        Span::text(format!("{} ", t.title)),
                        Span::Label { icon, word },
                    ],
                ),
                Block::List {
                    style: ListStyle::Plain,
                    label: None,
                    entries: t
                        .items
                        .iter()
                        .map(|i| {
                            let (icon, word) = i.progress.label();
                            vec![
                                Span::Label { icon, word },
                                Span::text(format!(": {}", i.title)),
                            ]
                            .into()
                        })
                        .collect(),
                },
            ],
        });
    }
    if let Some(packages) = &s.packages {
        blocks.push(Block::Heading(2, vec![Span::text("Packages")]));
        blocks.push(Block::List {
            style: ListStyle::Bullets,
            label: None,
            entries: packages
                .iter()
                .map(|p| {
                    vec![Span::text(format!(
                        "{}: {} owner{}",
                        p.name,
                        p.owner_count,
                        plural(p.owner_count)
                    ))]
                    .into()
                })
                .collect(),
        });
    }
    if let Some(emails) = &s.emails {
        blocks.push(Block::Heading(2, vec![Span::text("Account emails")]));
        blocks.push(Block::List {
            style: ListStyle::Bullets,
            label: None,
            entries: emails.iter().map(|e| vec![Span::text(e)].into()).collect(),
        });
    }
    Document {
        title: "Maintainer security: onboarding summary".into(),
        blocks,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(p: Progress) -> ItemProgress {
        ItemProgress {
            id: "x".into(),
            title: "x".into(),
            progress: p,
        }
    }

    #[test]
    fn hostile_text_comes_out_escaped() {
        let evil = "<script>alert(\"x\")</script><img src=x onerror='y'>";
        let s = Summary {
            checked_at: None,
            topics: vec![TopicProgress {
                topic: Topic::ALL[0],
                title: evil.into(),
                progress: Progress::NotYet,
                items: vec![ItemProgress {
                    id: "x".into(),
                    title: evil.into(),
                    progress: Progress::Done,
                }],
            }],
            packages: Some(vec![PackageOwners {
                name: evil.into(),
                owner_count: 2,
            }]),
            emails: Some(vec![format!("{evil}@example.com")]),
        };
        let html = render_summary(&s, SummaryFormat::Html);
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert_eq!(
            html.matches(
                "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror='y'&gt;"
            )
            .count(),
            4,
            "topic, item, package and email, each shown as text: {html}"
        );
        let md = render_summary(&s, SummaryFormat::Markdown);
        assert!(
            !md.contains("<script>") && md.contains("\\<script\\>"),
            "{md}"
        );
    }

    #[test]
    fn topic_progress_is_the_weakest_applicable_item() {
        use Progress::*;
        assert_eq!(topic_progress(&[item(Verified), item(NotYet)]), NotYet);
        assert_eq!(topic_progress(&[item(Verified), item(Done)]), Done);
        assert_eq!(
            topic_progress(&[item(Verified), item(NotApplicable)]),
            Verified
        );
        assert_eq!(topic_progress(&[item(NotApplicable)]), NotApplicable);
    }

    #[test]
    fn a_failed_check_does_not_verify_even_when_another_passed() {
        use crate::check::Status;
        let mut item = Catalogue::builtin().items[0].clone();
        item.verified_by.checks = vec!["a".to_string(), "b".to_string()];
        item.verified_by.question = None;
        let review = |b: Status| {
            Review::new(
                OffsetDateTime::UNIX_EPOCH,
                None,
                vec![
                    crate::check::CheckResult::from_id("a", Status::Pass, ""),
                    crate::check::CheckResult::from_id("b", b, ""),
                ],
                BTreeMap::new(),
            )
        };
        assert_eq!(
            item_progress(&item, None, Some(&review(Status::Fail))),
            Progress::NotYet
        );
        assert_eq!(
            item_progress(&item, None, Some(&review(Status::Skipped))),
            Progress::Verified,
            "pass + skipped is verified, as in the app"
        );
    }
}
