//! Change detection over pairs of reviews, one test per kind, plus ordering and shape.

/// Named so that `cargo test -p lockstep-core history` runs these too.
mod history {
    use crate::history_common::{answer, result_mut, review};
    use lockstep_core::check::{CheckResult, Status};
    use lockstep_core::history::{between, render_changes_text, Change, ChangeKind, Review};
    use lockstep_core::state::AnswerStatus;
    use time::macros::datetime;

    fn pair() -> (Review, Review) {
        // No expiry crosses a threshold between these two dates.
        (
            review(datetime!(2026-10-25 14:30 UTC)),
            review(datetime!(2026-11-25 14:30 UTC)),
        )
    }

    fn kinds(changes: &[Change]) -> Vec<ChangeKind> {
        changes.iter().map(|c| c.kind).collect()
    }

    #[track_caller]
    fn only(changes: &[Change], kind: ChangeKind) -> &Change {
        assert_eq!(kinds(changes), vec![kind], "{changes:#?}");
        &changes[0]
    }

    #[test]
    fn identical_reviews_have_no_changes() {
        let (a, b) = pair();
        assert!(between(&a, &b).is_empty(), "{:#?}", between(&a, &b));
    }

    #[test]
    fn worse_and_better() {
        let (a, mut b) = pair();
        result_mut(&mut b, "github.two_factor").status = Status::Fail;
        let changes = between(&a, &b);
        let c = only(&changes, ChangeKind::Worse);
        assert_eq!(
            (c.id.as_str(), c.from.as_str(), c.to.as_str()),
            ("github.two_factor", "pass", "fail")
        );

        let changes = between(&b, &a);
        let c = only(&changes, ChangeKind::Better);
        assert_eq!((c.from.as_str(), c.to.as_str()), ("fail", "pass"));
    }

    #[test]
    fn a_package_back_from_trusted_publishing_to_a_token_is_worse() {
        let (mut a, mut b) = pair();
        let set = |r: &mut Review, word: &str| {
            result_mut(r, "pypi.package_owners")
                .observed
                .publishing
                .insert("sampleproject".into(), word.into());
        };
        set(&mut a, "trusted");
        set(&mut b, "token");
        let changes = between(&a, &b);
        let c = only(&changes, ChangeKind::Worse);
        assert_eq!((c.from.as_str(), c.to.as_str()), ("trusted", "token"));
        assert!(c.summary.contains("sampleproject"), "{}", c.summary);
        // The other way round is not news that needs attention, and unknown is never worse.
        assert!(between(&b, &a).is_empty());
        set(&mut b, "unknown");
        assert!(between(&a, &b).is_empty());
    }

    /// The check's own result, not a hand-set word: npm's trusted-publishing judge sees a
    /// package go from trusted publishing to a token upload, and history calls it worse.
    #[test]
    fn the_trusted_publishing_check_moving_to_a_token_is_a_worse_change() {
        use lockstep_core::live::trusted_publishing::{judge, Release, Verdict, NPM};
        let (mut a, mut b) = pair();
        let release = |verdict| Release {
            package: "left-pad".into(),
            version: "1.3.0".into(),
            verdict,
            trusted_only: false,
        };
        let spec = lockstep_core::live::npm::TRUSTED;
        a.results.push(judge(
            spec,
            &NPM,
            "npm user foo",
            vec![release(Verdict::Trusted {
                publisher: "trusted publisher github".into(),
            })],
        ));
        b.results.push(judge(
            spec,
            &NPM,
            "npm user foo",
            vec![release(Verdict::Token { by: "foo".into() })],
        ));
        let changes = between(&a, &b);
        let worse: Vec<&Change> = changes
            .iter()
            .filter(|c| c.kind == ChangeKind::Worse)
            .collect();
        assert!(
            worse.iter().any(|c| c.id == "npm.trusted_publishing"
                && c.from == "trusted"
                && c.to == "token"
                && c.summary.contains("left-pad")),
            "the move back to a token is listed as worse: {changes:#?}"
        );
        assert_eq!(
            changes.first().map(|c| c.kind),
            Some(ChangeKind::Worse),
            "worse comes first: {changes:#?}"
        );
    }

    #[test]
    fn unknown_and_skipped_are_changed_not_worse() {
        let (a, mut b) = pair();
        result_mut(&mut b, "github.two_factor").status = Status::Unknown;
        assert_eq!(only(&between(&a, &b), ChangeKind::Changed).to, "unknown");
        // From unknown to a warning is news that needs attention.
        result_mut(&mut b, "github.two_factor").status = Status::Pass;
        result_mut(&mut b, "pypi.package_owners").status = Status::Warn;
        assert_eq!(
            only(&between(&a, &b), ChangeKind::Worse).id,
            "pypi.package_owners"
        );
    }

    #[test]
    fn owners_added_and_removed() {
        let (a, mut b) = pair();
        result_mut(&mut b, "npm.package_owners")
            .observed
            .owners
            .insert("left-pad".into(), vec!["mallory".into()]);
        let changes = between(&a, &b);
        assert_eq!(
            kinds(&changes),
            vec![ChangeKind::OwnerRemoved, ChangeKind::OwnerAdded],
            "removal is listed first"
        );
        assert_eq!(changes[0].from, "alice");
        assert!(
            changes[0].summary.contains("left-pad"),
            "{}",
            changes[0].summary
        );
        assert_eq!(changes[1].to, "mallory");
        assert_eq!(changes[1].id, "npm.package_owners");
    }

    #[test]
    fn a_new_package_is_not_a_list_of_new_owners() {
        let (a, mut b) = pair();
        result_mut(&mut b, "npm.package_owners")
            .observed
            .owners
            .insert("right-pad".into(), vec!["alice".into()]);
        assert!(between(&a, &b).is_empty());
    }

    #[test]
    fn keys_added_and_removed() {
        let (a, mut b) = pair();
        let keys = &mut result_mut(&mut b, "github.signing_keys").observed.keys;
        keys.retain(|k| !k.contains("signing"));
        keys.push("SHA256:bbbb laptop".into());
        let changes = between(&a, &b);
        assert_eq!(
            kinds(&changes),
            vec![ChangeKind::KeyRemoved, ChangeKind::KeyAdded]
        );
        assert_eq!(changes[0].from, "SHA256:aaaa signing");
        assert_eq!(changes[1].to, "SHA256:bbbb laptop");
    }

    #[test]
    fn expiry_moved_earlier() {
        let (a, mut b) = pair();
        result_mut(&mut b, "github.signing_keys")
            .observed
            .expires
            .insert("token ci-publish".into(), "2027-01-01".into());
        let changes = between(&a, &b);
        let c = only(&changes, ChangeKind::ExpiryCloser);
        assert_eq!(
            (c.from.as_str(), c.to.as_str()),
            ("2027-06-01", "2027-01-01")
        );
    }

    #[test]
    fn same_expiry_crossing_a_threshold() {
        // example.org expires 2027-09-01.
        let a = review(datetime!(2026-08-20 14:30 UTC)); // 377 days left
        let b = review(datetime!(2026-09-10 14:30 UTC)); // 356 days left
        let c = only(&between(&a, &b), ChangeKind::ExpiryCloser).clone();
        assert!(
            c.summary.contains("example.org") && c.summary.contains("365"),
            "{}",
            c.summary
        );

        let a = review(datetime!(2027-06-20 10:00 UTC)); // 73 days left
        let b = review(datetime!(2027-07-10 10:00 UTC)); // 53 days left
        assert_eq!(
            only(&between(&a, &b), ChangeKind::ExpiryCloser).to,
            "2027-09-01"
        );
    }

    #[test]
    fn items_done_and_undone() {
        let (a, mut b) = pair();
        let at = b.checked_at;
        b.answers
            .insert("security-keys".into(), answer(AnswerStatus::Done, at));
        b.answers.insert(
            "two-factor-everywhere".into(),
            answer(AnswerStatus::Later, at),
        );
        let changes = between(&a, &b);
        assert_eq!(
            kinds(&changes),
            vec![ChangeKind::ItemUndone, ChangeKind::ItemDone]
        );
        assert_eq!(
            (changes[0].id.as_str(), changes[0].to.as_str()),
            ("two-factor-everywhere", "later")
        );
        assert_eq!(
            (changes[1].id.as_str(), changes[1].from.as_str()),
            ("security-keys", "later")
        );

        b.answers.remove("two-factor-everywhere");
        let changes = between(&a, &b);
        assert_eq!(
            changes[0].to, "not_started",
            "a removed answer is undone too"
        );
    }

    #[test]
    fn checks_added_and_removed() {
        let (a, mut b) = pair();
        b.results.retain(|r| r.id != "pypi.package_owners");
        b.results.push(CheckResult::new(
            lockstep_core::device::disk_encryption::ID,
            Status::Pass,
            "FileVault is on.",
        ));
        let changes = between(&a, &b);
        assert_eq!(
            kinds(&changes),
            vec![ChangeKind::CheckRemoved, ChangeKind::CheckAdded]
        );
        assert_eq!(changes[0].id, "pypi.package_owners");
        assert_eq!(changes[1].to, "pass");
    }

    #[test]
    fn worse_news_first_and_serialized_shape() {
        let (a, mut b) = pair();
        let at = b.checked_at;
        b.answers
            .insert("security-keys".into(), answer(AnswerStatus::Done, at));
        result_mut(&mut b, "npm.package_owners").status = Status::Pass;
        result_mut(&mut b, "github.two_factor").status = Status::Warn;
        result_mut(&mut b, "email.domain").status = Status::Fail;
        result_mut(&mut b, "github.signing_keys")
            .observed
            .keys
            .clear();
        let changes = between(&a, &b);
        let ks = kinds(&changes);
        assert_eq!(
            ks,
            vec![
                ChangeKind::Worse,
                ChangeKind::Worse,
                ChangeKind::KeyRemoved,
                ChangeKind::KeyRemoved,
                ChangeKind::Better,
                ChangeKind::ItemDone
            ]
        );
        assert_eq!(
            changes[0].to, "fail",
            "a new failure comes before a new warning"
        );
        assert_eq!(between(&a, &b), changes, "the order is stable");

        let v = serde_json::to_value(&changes[0]).unwrap();
        let mut keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["from", "id", "kind", "summary", "to"]);
        assert_eq!(v["kind"], "worse");

        let text = render_changes_text(&changes);
        let attention = text.find("Needs a look:").unwrap();
        let rest = text.find("Other changes:").unwrap();
        assert!(attention < rest, "{text}");
        assert_eq!(text.matches("  ! ").count(), 4, "{text}");
    }
}
