//! A report or summary as a small document: headings, paragraphs, lists and result cards made
//! of plain text spans. Each document is built once and written out by exactly one Markdown
//! writer and one HTML writer, so the two formats cannot drift apart and every piece of text
//! goes through the same escaping: [`escape_md`] for Markdown, maud for HTML.

use crate::check::Status;
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// A run of text with one role. Text is never markup: both writers escape it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Span {
    Text(String),
    /// Emphasised words ("Needs a look:").
    Strong(String),
    /// An id or other code, shown in a code span.
    Code(String),
    /// Secondary text (grey in HTML, plain in Markdown).
    Muted(String),
    /// A status as an icon and a word, never colour alone.
    Label {
        icon: &'static str,
        word: &'static str,
    },
}

impl Span {
    pub(crate) fn text(s: impl Into<String>) -> Span {
        Span::Text(s.into())
    }
}

/// One list entry; `kind` becomes `data-kind` in HTML (tests and styles find changes by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub spans: Vec<Span>,
    pub kind: Option<&'static str>,
}

impl From<Vec<Span>> for Entry {
    fn from(spans: Vec<Span>) -> Self {
        Entry { spans, kind: None }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListStyle {
    Bullets,
    Numbered,
    /// No bullets in HTML (the entries start with their own icon); bullets in Markdown.
    Plain,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Block {
    /// Level 2 or 3 (the document's title is its only level 1).
    Heading(u8, Vec<Span>),
    Para(Vec<Span>),
    /// A paragraph of secondary text.
    Note(Vec<Span>),
    List {
        style: ListStyle,
        /// Read out by screen readers (`aria-label`); not shown.
        label: Option<&'static str>,
        entries: Vec<Entry>,
    },
    /// One result or topic: a bordered card in HTML, marked when it needs attention.
    Card {
        status: Option<Status>,
        attention: bool,
        blocks: Vec<Block>,
    },
}

/// A whole report: a title (the page title and the only level-1 heading) and its blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    /// Markdown for a terminal or an issue comment: every text span is escaped with
    /// [`escape_md`] and kept on one line, so nothing a platform said becomes a link or HTML.
    pub(crate) fn to_markdown(&self) -> String {
        let mut out = format!("# {}\n\n", escape_md(&self.title));
        for block in &self.blocks {
            markdown_block(&mut out, block);
        }
        out
    }

    /// Self-contained HTML: no scripts, no external resources; maud escapes every span.
    pub(crate) fn to_html(&self) -> String {
        page(
            &self.title,
            html! {
                h1 { (self.title) }
                @for block in &self.blocks { (html_block(block)) }
            },
        )
    }
}

fn markdown_spans(spans: &[Span]) -> String {
    spans
        .iter()
        .map(|s| match s {
            Span::Text(t) | Span::Muted(t) => escape_md(t),
            Span::Strong(t) => format!("**{}**", escape_md(t)),
            Span::Code(t) => md_code(t),
            Span::Label { icon, word } => format!("{icon} {word}"),
        })
        .collect()
}

fn markdown_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading(level, spans) => {
            let hashes = "#".repeat(usize::from((*level).clamp(2, 6)));
            out.push_str(&format!("{hashes} {}\n\n", markdown_spans(spans)));
        }
        Block::Para(spans) | Block::Note(spans) => {
            out.push_str(&markdown_spans(spans));
            out.push_str("\n\n");
        }
        Block::List { style, entries, .. } => {
            for (i, entry) in entries.iter().enumerate() {
                let marker = match style {
                    ListStyle::Numbered => format!("{}.", i + 1),
                    ListStyle::Bullets | ListStyle::Plain => "-".to_string(),
                };
                out.push_str(&format!("{marker} {}\n", markdown_spans(&entry.spans)));
            }
            if !entries.is_empty() {
                out.push('\n');
            }
        }
        Block::Card { blocks, .. } => {
            for b in blocks {
                markdown_block(out, b);
            }
        }
    }
}

fn html_spans(spans: &[Span]) -> Markup {
    html! {
        @for s in spans {
            @match s {
                Span::Text(t) => (t),
                Span::Strong(t) => strong { (t) },
                Span::Code(t) => code { (t) },
                Span::Muted(t) => span.muted { (t) },
                Span::Label { icon, word } => span.status { (icon) " " (word) },
            }
        }
    }
}

fn html_block(block: &Block) -> Markup {
    match block {
        Block::Heading(level, spans) => match level {
            ..=2 => html! { h2 { (html_spans(spans)) } },
            3 => html! { h3 { (html_spans(spans)) } },
            _ => html! { h4 { (html_spans(spans)) } },
        },
        Block::Para(spans) => html! { p { (html_spans(spans)) } },
        Block::Note(spans) => html! { p.muted { (html_spans(spans)) } },
        Block::List {
            style,
            label,
            entries,
        } => {
            let items = html! {
                @for e in entries {
                    li data-kind=[e.kind] { (html_spans(&e.spans)) }
                }
            };
            match style {
                ListStyle::Bullets => html! { ul aria-label=[label] { (items) } },
                ListStyle::Numbered => html! { ol aria-label=[label] { (items) } },
                ListStyle::Plain => html! { ul.plain aria-label=[label] { (items) } },
            }
        }
        Block::Card {
            status,
            attention,
            blocks,
        } => html! {
            section.result.attention[*attention] data-status=[status.map(|s| s.as_str())] {
                @for b in blocks { (html_block(b)) }
            }
        },
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
fn md_code(s: &str) -> String {
    let clean: String = s.chars().filter(|c| *c != '`' && !c.is_control()).collect();
    format!("`{clean}`")
}

/// Shared page shell: system fonts, light and dark, printable, no external anything.
const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--accent:#0b5cad}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9da7b3;--line:#30363d;--accent:#6cb6ff}}\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.6;color:var(--fg);background:var(--bg);max-width:52rem;margin:2rem auto;padding:0 1rem}\
h1,h2,h3{line-height:1.3}h2{border-bottom:1px solid var(--line);padding-bottom:.25rem}\
.muted{color:var(--muted)}.status{font-weight:600;white-space:nowrap}\
.result{border:1px solid var(--line);border-radius:6px;padding:.5rem 1rem;margin:.75rem 0;break-inside:avoid}\
.attention{border-left:4px solid var(--accent)}code{font-size:.9em}ul.plain{list-style:none;padding-left:0}\
@media print{body{margin:0;max-width:none;color:#000;background:#fff}.result{border-color:#999}}";

/// The page around a document: every piece of text in `body` was spliced in by maud, which
/// escapes it, so nothing a platform or file said can become markup.
fn page(title: &str, body: Markup) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str = "<b>x</b> [click](http://x) `c` # h\nnext";

    /// Every block holding every span kind; `with_code` adds a code span (literal in Markdown,
    /// where raw `<b>` inside backticks is inert, so the Markdown test leaves it out).
    fn every_kind_of_block(with_code: bool) -> Document {
        let spans = || {
            let mut v = vec![
                Span::text(EVIL),
                Span::Strong(EVIL.into()),
                Span::Muted(EVIL.into()),
            ];
            if with_code {
                v.push(Span::Code(EVIL.into()));
            }
            v
        };
        Document {
            title: EVIL.into(),
            blocks: vec![
                Block::Heading(2, spans()),
                Block::Para(spans()),
                Block::Note(spans()),
                Block::List {
                    style: ListStyle::Numbered,
                    label: None,
                    entries: vec![spans().into()],
                },
                Block::Card {
                    status: Some(Status::Fail),
                    attention: true,
                    blocks: vec![Block::Heading(3, spans())],
                },
            ],
        }
    }

    #[test]
    fn the_page_escapes_its_title_and_every_span() {
        let out = every_kind_of_block(true).to_html();
        assert!(
            out.contains("<title>&lt;b&gt;x&lt;/b&gt;"),
            "the title is text: {out}"
        );
        assert!(!out.contains("<b>"), "no span became markup: {out}");
        // Title, h1, then four spans in each of the five text blocks.
        assert_eq!(
            out.matches("&lt;b&gt;x&lt;/b&gt;").count(),
            2 + 4 * 5,
            "{out}"
        );
        assert!(out.contains("<section class=\"result attention\" data-status=\"fail\">"));
        assert!(out.contains("<ol>"), "numbered steps stay an ordered list");
    }

    #[test]
    fn markdown_makes_every_span_inert_and_one_line() {
        let md = every_kind_of_block(false).to_markdown();
        assert!(!md.contains("<b>") && md.contains("\\<b\\>"), "{md}");
        assert!(!md.contains("[click](http"), "no live link: {md}");
        assert!(!md.contains("\n#  h"), "no text starts a heading: {md}");
        assert!(md.contains("1. "), "numbered steps: {md}");
        assert!(md.contains("**"), "strong spans are marked: {md}");
        for line in md.lines().filter(|l| l.contains("next")) {
            assert!(
                line.contains("x"),
                "a newline in text stays on its line: {line}"
            );
        }
        assert_eq!(md_code("a`b\nc"), "`abc`");
    }

    #[test]
    fn escaping_covers_markdown_syntax() {
        let s = escape_md("[click](http://x) <img> `code` # h\nnext");
        assert!(s.contains("\\[click\\]"), "{s}");
        assert!(s.contains("\\<img\\>"), "{s}");
        assert!(!s.contains('\n'), "one line: {s}");
    }
}
