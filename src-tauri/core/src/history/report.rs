//! A review as a document: Markdown (terminal, issue comment), self-contained HTML (to keep or
//! print), or JSON (the `lockstep check --json` shape plus answers and changes).
//!
//! Every status is shown as an icon and a word, never by colour alone. HTML has no scripts,
//! no external resources, and is written with maud, which escapes every spliced-in text.

use super::changes::Change;
use super::review::Review;
use crate::catalogue::{Catalogue, Topic};
use crate::check::{CheckResult, Status};
use crate::check_registry;
use crate::results_json::ResultsJson;
use crate::state::{Answer, AnswerStatus};
use maud::{html, Markup, PreEscaped, DOCTYPE};
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
        ReportFormat::Markdown => markdown(review, changes, catalogue, answers),
        ReportFormat::Html => html(review, changes, catalogue, answers),
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

/// Makes text inert in Markdown (GitHub renders raw HTML and links in issue comments) and
/// keeps it on one line so it cannot start a heading or break a list.
pub(crate) fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An id or code in a Markdown code span; backticks are dropped so the span cannot be closed early.
pub(crate) fn md_code(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '`' && !c.is_control()).collect();
    format!("`{clean}`")
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

fn markdown(
    review: &Review,
    changes: &[Change],
    catalogue: &Catalogue,
    answers: &BTreeMap<String, Answer>,
) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "# Lockstep review of {}\n\n",
        review.checked_at.date()
    ));
    o.push_str(&format!("Checked at {}", rfc3339(review.checked_at)));
    if let Some(j) = review.journey {
        o.push_str(&format!(" during the {} journey", journey_word(j)));
    }
    o.push_str(". Everything here was computed on this device.\n\n");
    let counts = review.counts();
    let parts: Vec<String> = ORDER
        .iter()
        .map(|s| {
            let (icon, word) = status_label(*s);
            format!("{icon} {word}: {}", counts.get(*s))
        })
        .collect();
    o.push_str(&format!("{}\n\n", parts.join(" · ")));

    o.push_str("## What changed since the previous review\n\n");
    if changes.is_empty() {
        o.push_str("Nothing changed.\n\n");
    } else {
        for c in changes {
            let mark = if c.kind.needs_attention() {
                "**Needs a look:** "
            } else {
                ""
            };
            o.push_str(&format!(
                "- {mark}{} ({})\n",
                escape_md(&c.summary),
                c.kind.as_str().replace('_', " ")
            ));
        }
        o.push('\n');
    }

    o.push_str("## Checks\n\n");
    if review.results.is_empty() {
        o.push_str("No checks ran.\n\n");
    }
    for r in ordered(&review.results) {
        let (icon, word) = status_label(r.status);
        o.push_str(&format!(
            "### {icon} {word}: {}\n\n",
            escape_md(check_title(&r.id))
        ));
        o.push_str(&format!("{} {}\n\n", md_code(&r.id), escape_md(&r.summary)));
        if !r.evidence.is_empty() {
            o.push_str("Evidence:\n\n");
            for e in &r.evidence {
                o.push_str(&format!("- {}\n", escape_md(e)));
            }
            o.push('\n');
        }
        if !r.remediation.is_empty() {
            o.push_str("What to do:\n\n");
            for (i, step) in r.remediation.iter().enumerate() {
                o.push_str(&format!("{}. {}\n", i + 1, escape_md(step)));
            }
            o.push('\n');
        }
    }

    o.push_str("## Checklist\n\n");
    for (topic, rows) in checklist(catalogue, answers) {
        o.push_str(&format!("**{}**\n\n", escape_md(topic)));
        for row in rows {
            let (icon, word) = answer_label(row.answer);
            let reason = row
                .answer
                .and_then(|a| a.reason.as_deref())
                .map(|r| format!(" ({})", escape_md(r)))
                .unwrap_or_default();
            o.push_str(&format!(
                "- {icon} {word}: {}{reason}\n",
                escape_md(&row.title)
            ));
        }
        o.push('\n');
    }
    o
}

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

/// Shared page shell: system fonts, light and dark, printable, no external anything.
pub(crate) const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--accent:#0b5cad}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#30363d;--accent:#6cb6ff}}\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.6;color:var(--fg);background:var(--bg);max-width:52rem;margin:2rem auto;padding:0 1rem}\
h1,h2,h3{line-height:1.3}h2{border-bottom:1px solid var(--line);padding-bottom:.25rem}\
.muted{color:var(--muted)}.status{font-weight:600;white-space:nowrap}\
.result{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;margin:.75rem 0;break-inside:avoid}\
.attention{border-left:4px solid var(--accent)}code{font-size:.9em}ul.plain{list-style:none;padding-left:0}\
@media print{body{margin:0;max-width:none;color:#000;background:#fff}.result{border-color:#999}}";

/// The page around a report or summary: every piece of text in `body` was spliced in by maud,
/// which escapes it, so nothing a platform or file said can become markup.
pub(crate) fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body { (body) }
        }
    }
    .into_string()
}

fn html(
    review: &Review,
    changes: &[Change],
    catalogue: &Catalogue,
    answers: &BTreeMap<String, Answer>,
) -> String {
    let title = format!("Lockstep review of {}", review.checked_at.date());
    let counts = review.counts();
    let body = html! {
        h1 { (title) }
        p.muted {
            "Checked at " (rfc3339(review.checked_at))
            @if let Some(j) = review.journey { " during the " (journey_word(j)) " journey" }
            ". Everything here was computed on this device."
        }
        ul.plain aria-label="Results by status" {
            @for s in ORDER {
                @let (icon, word) = status_label(s);
                li { span.status aria-hidden="true" { (icon) } " " (word) ": " (counts.get(s)) }
            }
        }
        h2 { "What changed since the previous review" }
        @if changes.is_empty() {
            p { "Nothing changed." }
        } @else {
            ul {
                @for c in changes {
                    li data-kind=(c.kind.as_str()) {
                        @if c.kind.needs_attention() { strong { "Needs a look:" } " " }
                        (c.summary) " "
                        span.muted { "(" (c.kind.as_str().replace('_', " ")) ")" }
                    }
                }
            }
        }
        h2 { "Checks" }
        @if review.results.is_empty() { p { "No checks ran." } }
        @for r in ordered(&review.results) {
            @let (icon, word) = status_label(r.status);
            section.result.attention[matches!(r.status, Status::Fail | Status::Warn)]
                data-status=(r.status.as_str()) {
                h3 { span.status { (icon) " " (word) } " " (check_title(&r.id)) }
                p { code { (r.id) } " " (r.summary) }
                @if !r.evidence.is_empty() {
                    p { "Evidence:" }
                    ul { @for ev in &r.evidence { li { (ev) } } }
                }
                @if !r.remediation.is_empty() {
                    p { "What to do:" }
                    ol { @for step in &r.remediation { li { (step) } } }
                }
            }
        }
        h2 { "Checklist" }
        @for (topic, rows) in checklist(catalogue, answers) {
            h3 { (topic) }
            ul.plain {
                @for row in rows {
                    @let (icon, word) = answer_label(row.answer);
                    li {
                        span.status { (icon) " " (word) } ": " (row.title)
                        @if let Some(reason) = row.answer.and_then(|a| a.reason.as_deref()) {
                            " " span.muted { "(" (reason) ")" }
                        }
                    }
                }
            }
        }
    };
    page(&title, body)
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
    fn the_page_escapes_its_title() {
        let out = page("<a href=\"x\">&", html! { p { "<b>" } });
        assert!(
            out.contains("<title>&lt;a href=&quot;x&quot;&gt;&amp;</title>"),
            "{out}"
        );
        assert!(out.contains("<p>&lt;b&gt;</p>"), "{out}");
    }

    #[test]
    fn markdown_escaping_makes_links_and_html_inert() {
        let s = escape_md("[click](http://x) <img> `code` # h\nnext");
        assert!(!s.contains("](") || s.contains("\\]("), "{s}");
        assert!(s.contains("\\<img\\>"), "{s}");
        assert!(!s.contains('\n'), "one line: {s}");
        assert_eq!(md_code("a`b"), "`ab`");
    }

    #[test]
    fn every_status_has_icon_and_word() {
        for s in ORDER {
            let (icon, word) = status_label(s);
            assert!(!icon.is_empty() && !word.is_empty());
        }
    }
}
