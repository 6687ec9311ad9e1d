//! The review index: used when it can be trusted, rebuilt from the reviews when it cannot.
//!
//! A fresh index is only trusted once the reviews folder last changed more than
//! `index::RACY` before it was written; the tests move the folder's time into the past
//! instead of waiting.

/// Named so that `cargo test -p lockstep-core history` runs these too.
mod history {
    use crate::history_common::review;
    use lockstep_core::check::{CheckResult, Status};
    use lockstep_core::history::index::{self, ReviewIndex};
    use lockstep_core::history::{Review, ReviewStore};
    use std::path::Path;
    use std::time::{Duration, SystemTime};
    use time::macros::datetime;
    use time::OffsetDateTime;

    const NOW: OffsetDateTime = datetime!(2026-11-25 15:00 UTC);

    /// Three reviews, newest `20261125T143000Z`, and an index the store trusts.
    fn settled_store() -> (tempfile::TempDir, ReviewStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = ReviewStore::new(dir.path().join("reviews"));
        for at in [
            datetime!(2026-05-25 14:30 UTC),
            datetime!(2026-08-25 14:30 UTC),
            datetime!(2026-11-25 14:30 UTC),
        ] {
            store.save(&review(at)).unwrap();
        }
        age_folder(store.dir());
        // The first read after the folder settled writes an index it can trust.
        assert_eq!(store.list(NOW).unwrap().reviews.len(), 3);
        (dir, store)
    }

    /// Moves the folder's modification time a minute back, as if the last review was then.
    fn age_folder(dir: &Path) {
        let f = std::fs::File::open(dir).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(60))
            .unwrap();
    }

    fn index_text(store: &ReviewStore) -> String {
        std::fs::read_to_string(ReviewIndex::new(store.dir()).path()).unwrap()
    }

    /// Rewrites the index in place with the newest review's pass count changed to 7 (same
    /// length: the header records how long the sorted part is).
    /// The ids of the whole timeline, newest first, as `list` gives them.
    fn listed_ids(store: &ReviewStore) -> Vec<String> {
        store
            .list(NOW)
            .unwrap()
            .reviews
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    fn tamper_with_index(store: &ReviewStore) {
        let text = index_text(store);
        let tampered = text.replacen("\"pass\":3", "\"pass\":7", 1);
        assert_ne!(text, tampered, "the index holds the counts: {text}");
        std::fs::write(ReviewIndex::new(store.dir()).path(), tampered).unwrap();
    }

    #[test]
    fn a_trusted_index_answers_without_opening_the_reviews() {
        let (_dir, store) = settled_store();
        tamper_with_index(&store);
        // Proof that the counts came from the index: only the index says 7.
        assert_eq!(store.list(NOW).unwrap().reviews[0].counts.pass, 7);
        assert_eq!(store.latest_entry(NOW).unwrap().unwrap().counts.pass, 7);
    }

    #[test]
    fn an_index_older_than_a_change_to_the_folder_is_rebuilt() {
        let (_dir, store) = settled_store();
        let newest = review(datetime!(2026-11-26 09:00 UTC));
        std::fs::write(
            store.dir().join(format!("{}.json", newest.id)),
            serde_json::to_vec(&newest).unwrap(),
        )
        .unwrap();
        let list = store.list(NOW).unwrap();
        let ids: Vec<&str> = list.reviews.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "20261126T090000Z",
                "20261125T143000Z",
                "20260825T143000Z",
                "20260525T143000Z"
            ]
        );
        assert_eq!(store.latest(NOW).unwrap().unwrap().id, newest.id);
    }

    #[test]
    fn a_review_deleted_behind_the_index_is_gone() {
        let (_dir, store) = settled_store();
        std::fs::remove_file(store.dir().join("20261125T143000Z.json")).unwrap();
        assert_eq!(store.latest(NOW).unwrap().unwrap().id, "20260825T143000Z");
        assert_eq!(store.list(NOW).unwrap().reviews.len(), 2);
        assert!(
            !index_text(&store).contains("20261125T143000Z"),
            "the rebuilt index forgets it"
        );
    }

    #[test]
    fn a_damaged_index_is_rebuilt_from_the_reviews() {
        let (_dir, store) = settled_store();
        for garbage in [
            "",
            "not json\n",
            "{\"format\":\"lockstep-review-index\"}\n{",
        ] {
            std::fs::write(ReviewIndex::new(store.dir()).path(), garbage).unwrap();
            let list = store.list(NOW).unwrap();
            assert_eq!(list.reviews.len(), 3, "{garbage:?}");
            assert!(list.notices.is_empty(), "the reviews themselves are fine");
            assert_eq!(
                store.latest_entry(NOW).unwrap().unwrap().counts.pass,
                3,
                "{garbage:?}"
            );
        }
        assert_eq!(
            index_text(&store).lines().count(),
            4,
            "rewritten: a header and one line per review"
        );
    }

    #[test]
    fn a_review_rewritten_in_place_is_read_as_it_is_now() {
        let (_dir, store) = settled_store();
        // Same name, so the folder's time does not change; the file's size and time do.
        let mut changed: Review = review(datetime!(2026-11-25 14:30 UTC));
        changed.results = vec![CheckResult::new(
            lockstep_core::live::github::TWO_FACTOR,
            Status::Fail,
            "off",
        )];
        std::fs::write(
            store.dir().join("20261125T143000Z.json"),
            serde_json::to_vec(&changed).unwrap(),
        )
        .unwrap();
        let latest = store.latest(NOW).unwrap().unwrap();
        assert_eq!(latest.results, changed.results);
        let entry = store.latest_entry(NOW).unwrap().unwrap();
        assert_eq!((entry.counts.fail, entry.counts.pass), (1, 0));
    }

    #[test]
    fn a_damaged_newest_review_is_set_aside_and_the_one_before_is_latest() {
        let (_dir, store) = settled_store();
        std::fs::write(store.dir().join("20261125T143000Z.json"), b"{\"version\":1").unwrap();
        assert_eq!(store.latest(NOW).unwrap().unwrap().id, "20260825T143000Z");
        assert_eq!(
            store.latest_two(NOW).unwrap().len(),
            2,
            "the two readable ones"
        );
    }

    #[test]
    fn a_fresh_index_is_checked_against_the_folder() {
        // No ageing: the index was written within a clock tick or two of the last review, so
        // a file added right after could share the folder's time. Any other reader (another
        // process: another store) must still see it at once; the writer itself sees it at the
        // latest once the folder settles (next test).
        let dir = tempfile::tempdir().unwrap();
        let store = ReviewStore::new(dir.path().join("reviews"));
        store
            .save(&review(datetime!(2026-11-25 14:30 UTC)))
            .unwrap();
        let added = review(datetime!(2026-11-25 14:31 UTC));
        std::fs::write(
            store.dir().join(format!("{}.json", added.id)),
            serde_json::to_vec(&added).unwrap(),
        )
        .unwrap();
        let other = ReviewStore::new(store.dir());
        assert_eq!(other.latest(NOW).unwrap().unwrap().id, added.id);
        assert_eq!(other.list(NOW).unwrap().reviews.len(), 2);
    }

    fn folder_time(dir: &Path) -> SystemTime {
        std::fs::metadata(dir).unwrap().modified().unwrap()
    }

    #[test]
    fn a_change_hidden_under_the_same_folder_time_is_found_once_the_folder_settles() {
        let (_dir, store) = settled_store();
        store
            .record(
                datetime!(2026-11-26 09:00 UTC),
                None,
                vec![],
                Default::default(),
            )
            .unwrap();
        let recorded = folder_time(store.dir());
        // Another program adds a review and a coarse clock gives the folder the same time.
        let hidden = review(datetime!(2026-11-27 09:00 UTC));
        std::fs::write(
            store.dir().join(format!("{}.json", hidden.id)),
            serde_json::to_vec(&hidden).unwrap(),
        )
        .unwrap();
        std::fs::File::open(store.dir())
            .unwrap()
            .set_modified(recorded)
            .unwrap();
        assert_eq!(folder_time(store.dir()), recorded);
        // Past RACY the index is no longer the writer's to trust: it is checked once.
        std::thread::sleep(index::RACY + Duration::from_millis(200));
        assert_eq!(store.latest(NOW).unwrap().unwrap().id, hidden.id);
        assert_eq!(store.list(NOW).unwrap().reviews.len(), 5);
    }

    #[test]
    fn recording_appends_one_line_and_the_writer_reads_it_without_a_rebuild() {
        let (_dir, store) = settled_store();
        let before = index_text(&store);
        let recorded = store
            .record(
                datetime!(2026-11-26 09:00 UTC),
                None,
                vec![],
                Default::default(),
            )
            .unwrap();
        let after = index_text(&store);
        assert!(
            after.starts_with(&before),
            "appended, not rewritten:\n{before}\n---\n{after}"
        );
        assert_eq!(after.lines().count(), before.lines().count() + 1);
        assert!(after.lines().last().unwrap().contains(&recorded.id));
        // The writer trusts what it just wrote: the read neither rebuilds nor rewrites.
        assert_eq!(store.latest(NOW).unwrap().unwrap().id, recorded.id);
        assert_eq!(store.latest_entry(NOW).unwrap().unwrap().id, recorded.id);
        let ids: Vec<String> = listed_ids(&store);
        assert_eq!(
            ids,
            [
                "20261126T090000Z",
                "20261125T143000Z",
                "20260825T143000Z",
                "20260525T143000Z"
            ]
        );
        let older = store.previous(&recorded.id, NOW).unwrap().unwrap();
        assert_eq!(older.id, "20261125T143000Z");
        assert_eq!(index_text(&store), after, "nothing rebuilt");
    }

    #[test]
    fn another_reader_does_not_trust_a_fresh_append_and_folds_it_in() {
        let (_dir, store) = settled_store();
        let recorded = store
            .record(
                datetime!(2026-11-26 09:00 UTC),
                None,
                vec![],
                Default::default(),
            )
            .unwrap();
        let appended = index_text(&store);
        let other = ReviewStore::new(store.dir());
        assert_eq!(other.latest(NOW).unwrap().unwrap().id, recorded.id);
        let rebuilt = index_text(&store);
        assert_ne!(rebuilt, appended, "rebuilt from the files");
        assert_eq!(rebuilt.lines().count(), 5, "a header and four sorted lines");
        assert!(
            !rebuilt.contains("\"entry\""),
            "no appended line left: {rebuilt}"
        );
        assert_eq!(other.list(NOW).unwrap().reviews.len(), 4);
    }

    #[test]
    fn an_appended_line_cut_short_is_refused_and_rebuilt() {
        let (_dir, store) = settled_store();
        let recorded = store
            .record(
                datetime!(2026-11-26 09:00 UTC),
                None,
                vec![],
                Default::default(),
            )
            .unwrap();
        let text = index_text(&store);
        // A crash in the middle of the append: the line is there only in part.
        let cut = &text[..text.len() - 20];
        let path = ReviewIndex::new(store.dir()).path();
        std::fs::write(&path, cut).unwrap();
        for reader in [&store, &ReviewStore::new(store.dir())] {
            assert_eq!(reader.latest(NOW).unwrap().unwrap().id, recorded.id);
            assert_eq!(reader.list(NOW).unwrap().reviews.len(), 4);
        }
        assert!(!index_text(&store).contains("\"entry\""));
    }

    #[test]
    fn an_appended_line_for_a_review_saved_again_replaces_its_entry() {
        let (_dir, store) = settled_store();
        let mut changed: Review = review(datetime!(2026-11-25 14:30 UTC));
        changed.results = vec![CheckResult::new(
            lockstep_core::live::github::TWO_FACTOR,
            Status::Fail,
            "off",
        )];
        store.save(&changed).unwrap();
        assert!(index_text(&store)
            .lines()
            .last()
            .unwrap()
            .contains("\"entry\""));
        let list = store.list(NOW).unwrap();
        assert_eq!(list.reviews.len(), 3, "one entry per review");
        assert_eq!(list.reviews[0].counts.fail, 1);
        assert_eq!(list.reviews[0].counts.pass, 0);
    }

    /// Pages through `store` `size` at a time: every review once, newest first.
    fn all_pages(store: &ReviewStore, size: usize) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        loop {
            let page = store
                .page(ids.last().map(String::as_str), size, NOW)
                .unwrap();
            assert!(page.reviews.len() <= size);
            ids.extend(page.reviews.iter().map(|r| r.id.clone()));
            if !page.more {
                return ids;
            }
            assert_eq!(
                page.reviews.len(),
                size,
                "a page with more after it is full"
            );
        }
    }

    #[test]
    fn pages_list_every_review_once_newest_first() {
        let (_dir, store) = settled_store();
        for k in 1..=4 {
            store
                .save(&review(
                    datetime!(2026-11-20 10:00 UTC) - Duration::from_secs(86_400 * k),
                ))
                .unwrap();
        }
        let all: Vec<String> = listed_ids(&store);
        assert_eq!(all.len(), 7);
        // Appended to the index by this store, then settled and rebuilt, then untrusted.
        for size in [1, 2, 3, 7, 50] {
            assert_eq!(all_pages(&store, size), all, "pages of {size}");
        }
        age_folder(store.dir());
        for size in [1, 3, 50] {
            assert_eq!(all_pages(&store, size), all, "pages of {size}, settled");
        }
        std::fs::write(ReviewIndex::new(store.dir()).path(), "damaged").unwrap();
        assert_eq!(all_pages(&store, 2), all, "pages of 2, index damaged");
        let first = store.page(None, 3, NOW).unwrap();
        assert!(first.more);
        assert_eq!(first.reviews.len(), 3);
        assert!(store.page(Some("20990101T000000Z"), 3, NOW).is_err());
        let last = store.page(Some(&all[6]), 3, NOW).unwrap();
        assert!(last.reviews.is_empty() && !last.more);
    }
}
