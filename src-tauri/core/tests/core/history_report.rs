//! Report rendering in each format; the HTML is parsed with a real HTML parser.

/// Named so that `cargo test -p lockstep-core history` runs these too.
mod history {
    use crate::history_common::{result_mut, review};
    use lockstep_core::catalogue::Catalogue;
    use lockstep_core::check::Status;
    use lockstep_core::history::report::render;
    use lockstep_core::history::{between, ReportFormat, Review};
    use scraper::{Html, Selector};
    use time::macros::datetime;

    const EVIL: &str = "<script>alert('x')</script><img src=x onerror=alert(1)>[link](https://evil.example) \"quoted\" & more";

    /// A pair where things changed, with hostile text in a summary and the evidence.
    fn fixture() -> (Review, Vec<lockstep_core::history::Change>) {
        let prev = review(datetime!(2026-10-25 14:30 UTC));
        let mut next = review(datetime!(2026-11-25 14:30 UTC));
        let r = result_mut(&mut next, "github.two_factor");
        r.status = Status::Fail;
        r.summary = format!("Two-factor is off. {EVIL}");
        r.evidence.push(EVIL.to_string());
        r.remediation
            .push("Turn it on: Settings → Password and authentication.".into());
        let changes = between(&prev, &next);
        (next, changes)
    }

    fn sel(s: &str) -> Selector {
        Selector::parse(s).unwrap()
    }

    #[test]
    fn html_loads_nothing_from_anywhere() {
        let prev = review(datetime!(2026-10-25 14:30 UTC));
        let mut next = review(datetime!(2026-11-25 14:30 UTC));
        result_mut(&mut next, "github.two_factor").status = Status::Warn;
        let changes = between(&prev, &next);
        let html = render(
            &next,
            &changes,
            Catalogue::builtin(),
            &next.answers,
            ReportFormat::Html,
        );
        let lower = html.to_lowercase();
        for banned in [
            "<script", "src=", "<link", "@import", "url(", "http://", "https://", "<iframe",
        ] {
            assert!(
                !lower.contains(banned),
                "the report must not contain {banned}"
            );
        }
        assert!(lower.contains("@media print"), "printable");
        assert!(lower.contains("prefers-color-scheme"), "light and dark");
        assert!(lower.starts_with("<!doctype html>"));
    }

    #[test]
    fn html_shows_hostile_text_as_text() {
        let (r, changes) = fixture();
        let html = render(
            &r,
            &changes,
            Catalogue::builtin(),
            &r.answers,
            ReportFormat::Html,
        );
        assert!(
            !html.contains("<script>") && !html.contains("<img"),
            "markup from remote data is escaped"
        );
        let doc = Html::parse_document(&html);
        assert_eq!(doc.select(&sel("script")).count(), 0);
        assert_eq!(
            doc.select(&sel("img, iframe, object, embed, link, base"))
                .count(),
            0
        );
        for el in doc.select(&sel("*")) {
            for (name, _) in el.value().attrs() {
                assert!(
                    !name.to_lowercase().starts_with("on"),
                    "event handler attribute {name} on {}",
                    el.value().name()
                );
            }
        }
        assert_eq!(doc.select(&sel("h1")).count(), 1);
        let sections: Vec<_> = doc.select(&sel("section.result")).collect();
        assert_eq!(sections.len(), r.results.len(), "one section per result");
        let first = sections[0];
        assert_eq!(
            first.value().attr("data-status"),
            Some("fail"),
            "failures come first"
        );
        let heading: String = first.select(&sel("h3")).next().unwrap().text().collect();
        assert!(
            heading.contains("✕ Needs fixing"),
            "a status is an icon and a word, not colour alone: {heading}"
        );
        let text: String = first.text().collect();
        assert!(
            text.contains(EVIL),
            "hostile text is shown as text, exactly"
        );

        let change_items: Vec<_> = doc.select(&sel("li[data-kind]")).collect();
        assert_eq!(change_items[0].value().attr("data-kind"), Some("worse"));
        let checklist: String = doc.root_element().text().collect();
        assert!(checklist.contains("Checklist"));
    }

    #[test]
    fn markdown_is_inert_and_ordered() {
        let (r, changes) = fixture();
        let md = render(
            &r,
            &changes,
            Catalogue::builtin(),
            &r.answers,
            ReportFormat::Markdown,
        );
        assert!(md.starts_with("# Lockstep review of 2026-11-25"), "{md}");
        assert!(
            !md.contains("<script>"),
            "raw HTML must be escaped for issue comments"
        );
        assert!(md.contains("\\<script\\>"), "{md}");
        assert!(
            !md.contains("[link](https"),
            "links from remote data are not made clickable"
        );
        let changes_at = md.find("## What changed").unwrap();
        let checks_at = md.find("## Checks").unwrap();
        assert!(changes_at < checks_at);
        assert!(md.contains("**Needs a look:**"), "{md}");
        let fail = md.find("### ✕ Needs fixing").unwrap();
        let pass = md.find("### ✓ Good").unwrap();
        assert!(fail < pass, "worst first");
        assert!(
            md.contains("1. Turn it on"),
            "remediation as numbered steps"
        );
        assert!(md.contains("`github.two_factor`"));
    }

    #[test]
    fn json_has_the_check_json_shape_plus_answers_and_changes() {
        let (r, changes) = fixture();
        let text = render(
            &r,
            &changes,
            Catalogue::builtin(),
            &r.answers,
            ReportFormat::Json,
        );
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["answers", "changes", "checked_at", "results"]);
        let at = v["checked_at"].as_str().unwrap();
        assert!(
            time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).is_ok(),
            "{at}"
        );
        for res in v["results"].as_array().unwrap() {
            let mut k: Vec<&String> = res.as_object().unwrap().keys().collect();
            k.sort();
            assert_eq!(
                k,
                ["evidence", "id", "remediation", "status", "summary"],
                "observed facts stay out of --json"
            );
        }
        assert_eq!(v["results"].as_array().unwrap().len(), r.results.len());
        assert_eq!(v["answers"]["two-factor-everywhere"]["status"], "done");
        assert_eq!(v["changes"][0]["kind"], "worse");
    }

    #[test]
    fn empty_review_renders_in_every_format() {
        let r = Review::new(
            datetime!(2026-11-25 14:30 UTC),
            None,
            vec![],
            Default::default(),
        );
        for f in [
            ReportFormat::Markdown,
            ReportFormat::Html,
            ReportFormat::Json,
        ] {
            let out = render(&r, &[], Catalogue::builtin(), &r.answers, f);
            assert!(!out.is_empty());
            if f != ReportFormat::Json {
                assert!(
                    out.contains("Nothing changed") && out.contains("No checks ran"),
                    "{out}"
                );
            }
        }
    }
}
