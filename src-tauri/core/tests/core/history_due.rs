//! When the next review is due and the `lockstep status` report, with the clock passed in.

/// Named so that `cargo test -p lockstep-core history` runs these too.
mod history {
    use crate::history_common::review;
    use lockstep_core::history::due::{known_expiries, render_status_text};
    use lockstep_core::history::{
        next_due, should_notify, status, status_report, DueStatus, ReviewStore,
    };
    use time::macros::{date, datetime};

    #[test]
    fn no_review_yet_is_due_today() {
        let now = datetime!(2026-11-25 09:00 UTC);
        let report = status_report(now, None, 90, &[]);
        assert!(report.due);
        assert_eq!(report.status, DueStatus::DueToday);
        assert_eq!(report.next_due.date, date!(2026 - 11 - 25));
        let text = render_status_text(&report);
        assert!(
            text.contains("none yet") && text.contains("lockstep check"),
            "{text}"
        );
    }

    #[test]
    fn fresh_review_is_not_due_and_reports_counts() {
        // The fixture's earliest expiry is a token on 2027-06-01, after the 90 days.
        let r = review(datetime!(2026-11-25 14:30 UTC));
        let report = status_report(datetime!(2026-12-01 09:00 UTC), Some(&r), 90, &[]);
        assert!(!report.due);
        assert_eq!(report.next_due.date, date!(2027 - 02 - 23));
        assert_eq!(report.status, DueStatus::NotDue { in_days: 84 });
        assert_eq!(report.counts.pass, 3);
        assert_eq!(report.last_review_id.as_deref(), Some("20261125T143000Z"));
        let text = render_status_text(&report);
        assert!(text.contains("Last review: 2026-11-25"), "{text}");
        assert!(
            text.contains("2027-02-23") && text.contains("1 warn"),
            "{text}"
        );
        assert!(
            !text.contains("lockstep check"),
            "no call to act when nothing is due: {text}"
        );
    }

    #[test]
    fn a_shorter_interval_setting_is_used() {
        let r = review(datetime!(2026-11-25 14:30 UTC));
        let report = status_report(datetime!(2026-12-30 09:00 UTC), Some(&r), 30, &[]);
        assert_eq!(report.next_due.date, date!(2026 - 12 - 25));
        assert_eq!(report.status, DueStatus::Overdue { days: 5 });
        assert!(report.due);
        assert!(render_status_text(&report).contains("overdue by 5 days"));
    }

    #[test]
    fn expiries_seen_in_the_review_bring_the_date_forward() {
        let mut r = review(datetime!(2026-11-25 14:30 UTC));
        let domain = r
            .results
            .iter_mut()
            .find(|c| c.id == "email.domain")
            .unwrap();
        domain
            .observed
            .expires
            .insert("example.org".into(), "2027-01-20".into());
        assert!(known_expiries(&r).contains(&("example.org".to_string(), date!(2027 - 01 - 20))));
        let report = status_report(datetime!(2027-01-06 08:00 UTC), Some(&r), 90, &[]);
        assert_eq!(
            report.next_due.date,
            date!(2027 - 01 - 06),
            "14 days before the domain lapses"
        );
        assert_eq!(report.status, DueStatus::DueToday);
        assert!(
            report.next_due.reason.contains("example.org"),
            "{}",
            report.next_due.reason
        );
    }

    #[test]
    fn extra_expiries_from_token_metadata_count_too() {
        let r = review(datetime!(2026-11-25 14:30 UTC));
        let extra = [("GitHub token".to_string(), date!(2026 - 12 - 31))];
        let report = status_report(datetime!(2026-12-01 09:00 UTC), Some(&r), 90, &extra);
        assert_eq!(report.next_due.date, date!(2026 - 12 - 17));
    }

    #[test]
    fn next_due_and_status_agree_at_the_edges() {
        let due = next_due(datetime!(2026-11-25 23:59 UTC), 90, &[]);
        assert_eq!(
            status(datetime!(2027-02-22 23:59 UTC), &due),
            DueStatus::NotDue { in_days: 1 }
        );
        assert_eq!(
            status(datetime!(2027-02-23 00:00 UTC), &due),
            DueStatus::DueToday
        );
        assert_eq!(
            status(datetime!(2027-02-24 00:00 UTC), &due),
            DueStatus::Overdue { days: 1 }
        );
    }

    #[test]
    fn notification_once_a_day() {
        let now = datetime!(2026-11-25 09:00 UTC);
        assert!(should_notify(now, Some("2026-11-24")));
        assert!(!should_notify(now, Some("2026-11-25")));
    }

    #[test]
    fn status_from_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReviewStore::new(dir.path());
        store
            .save(&review(datetime!(2026-08-01 10:00 UTC)))
            .unwrap();
        store
            .save(&review(datetime!(2026-11-01 10:00 UTC)))
            .unwrap();
        let now = datetime!(2026-11-25 10:00 UTC);
        let latest = store.latest(now).unwrap();
        let report = status_report(now, latest.as_ref(), 90, &[]);
        assert_eq!(
            report.last_review_at,
            Some(datetime!(2026-11-01 10:00 UTC)),
            "the newest review counts"
        );
        let v = serde_json::to_value(&report).unwrap();
        assert_eq!(v["next_due"]["date"], "2027-01-30");
        assert_eq!(v["status"]["state"], "not_due");
    }
}
