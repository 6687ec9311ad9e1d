//! The shareable onboarding summary: per-topic progress, and nothing private unless chosen.

/// Named so that `cargo test -p lockstep-core history` runs these too.
mod history {
    use crate::history_common::{answer, owners, review};
    use lockstep_core::catalogue::{Catalogue, Item, Journey};
    use lockstep_core::check::{CheckResult, Status};
    use lockstep_core::history::summary::{render_summary, summarize, Progress};
    use lockstep_core::history::{Review, SummaryFormat, SummaryOptions};
    use lockstep_core::state::{Answer, AnswerStatus};
    use std::collections::BTreeMap;
    use time::macros::datetime;

    const EMAIL: &str = "maintainer.private@example.net";
    const PACKAGE: &str = "secret-internal-pkg";
    const REASON: &str = "my employer's VPN blocks it";

    /// An onboarding item that a check backs, from the built-in catalogue (whatever it holds).
    fn checked_item(c: &Catalogue) -> &Item {
        c.journey(Journey::Onboarding)
            .find(|i| !i.verified_by.checks.is_empty())
            .expect("some onboarding item has a check")
    }

    /// A review where every check behind `item` passed, with private facts in the evidence and
    /// observations, and answers with a private reason.
    fn fixture(c: &Catalogue) -> (Review, BTreeMap<String, Answer>) {
        let at = datetime!(2026-11-25 14:30 UTC);
        let item = checked_item(c);
        let mut r = review(at);
        r.results
            .retain(|x| !item.verified_by.checks.contains(&x.id));
        for id in &item.verified_by.checks {
            r.results.push(
                CheckResult::new(
                    id.as_str(),
                    Status::Pass,
                    format!("All good for {EMAIL} on {PACKAGE}."),
                )
                .with_evidence([format!("{EMAIL} owns {PACKAGE}")])
                .with_observed(owners(PACKAGE, &["alice", "bob"])),
            );
        }
        r.results.push({
            let mut x = CheckResult::new(
                "email.breaches",
                Status::Pass,
                format!("{EMAIL} is in no breach."),
            );
            x.observed.emails.push(EMAIL.to_string());
            x
        });
        let mut answers = BTreeMap::new();
        for other in c
            .journey(Journey::Onboarding)
            .filter(|i| i.id != item.id)
            .take(1)
        {
            let mut a = answer(AnswerStatus::NotApplicable, at);
            a.reason = Some(REASON.to_string());
            answers.insert(other.id.clone(), a);
        }
        (r, answers)
    }

    #[test]
    fn private_facts_are_left_out_by_default() {
        let c = Catalogue::builtin();
        let (r, answers) = fixture(c);
        let s = summarize(c, &answers, Some(&r), SummaryOptions::default());
        assert!(s.packages.is_none() && s.emails.is_none());
        for f in [SummaryFormat::Markdown, SummaryFormat::Html] {
            let out = render_summary(&s, f);
            assert!(!out.contains(EMAIL), "no email unless opted in");
            assert!(
                !out.contains("example.org"),
                "not even the domain from the review fixture"
            );
            assert!(!out.contains(PACKAGE), "no package list unless chosen");
            assert!(
                !out.contains("left-pad"),
                "no package names from other checks either"
            );
            assert!(!out.contains(REASON), "free-text reasons stay private");
            assert!(
                !out.to_lowercase().contains("token ci-publish"),
                "key and token names stay out"
            );
        }
    }

    #[test]
    fn opting_in_shares_packages_and_emails() {
        let c = Catalogue::builtin();
        let (r, answers) = fixture(c);
        let opts = SummaryOptions {
            include_emails: true,
            include_packages: true,
        };
        let s = summarize(c, &answers, Some(&r), opts);
        let md = render_summary(&s, SummaryFormat::Markdown);
        assert!(md.contains(PACKAGE) && md.contains("2 owners"), "{md}");
        assert!(md.contains("left-pad") && md.contains("1 owner\n"), "{md}");
        assert!(md.contains("maintainer.private@example.net"), "{md}");
        assert!(!md.contains(REASON), "reasons are never shared");
    }

    #[test]
    fn topics_show_verified_done_and_not_yet() {
        let c = Catalogue::builtin();
        let (r, _) = fixture(c);
        let item = checked_item(c);
        let s = summarize(c, &BTreeMap::new(), Some(&r), SummaryOptions::default());
        let found = s
            .topics
            .iter()
            .flat_map(|t| &t.items)
            .find(|i| i.id == item.id)
            .unwrap();
        assert_eq!(
            found.progress,
            Progress::Verified,
            "a passing check verifies the item"
        );

        let mut answers = BTreeMap::new();
        answers.insert(item.id.clone(), answer(AnswerStatus::Done, r.checked_at));
        let s = summarize(c, &answers, None, SummaryOptions::default());
        let found = s
            .topics
            .iter()
            .flat_map(|t| &t.items)
            .find(|i| i.id == item.id)
            .unwrap();
        assert_eq!(
            found.progress,
            Progress::Done,
            "without a review, the user's word counts"
        );

        let s = summarize(c, &BTreeMap::new(), None, SummaryOptions::default());
        assert!(
            s.topics.iter().all(|t| t.progress == Progress::NotYet),
            "nothing started"
        );
        let topics_in_catalogue = c
            .journey(Journey::Onboarding)
            .map(|i| i.topic)
            .collect::<std::collections::BTreeSet<_>>();
        assert_eq!(
            s.topics.len(),
            topics_in_catalogue.len(),
            "one section per onboarding topic"
        );
        let md = render_summary(&s, SummaryFormat::Markdown);
        assert!(md.contains("○ Not yet"), "status as icon and word: {md}");
    }

    #[test]
    fn html_summary_is_self_contained() {
        let c = Catalogue::builtin();
        let (r, answers) = fixture(c);
        let html = render_summary(
            &summarize(c, &answers, Some(&r), SummaryOptions::default()),
            SummaryFormat::Html,
        );
        let lower = html.to_lowercase();
        for banned in ["<script", "src=", "<link", "@import", "url("] {
            assert!(!lower.contains(banned), "must not contain {banned}");
        }
        let doc = scraper::Html::parse_document(&html);
        let h1 = scraper::Selector::parse("h1").unwrap();
        assert_eq!(doc.select(&h1).count(), 1);
    }
}
