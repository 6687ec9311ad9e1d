//! Review storage: round trip, ordering, damaged files, and that no secret can ride along.

/// Named so that `cargo test -p lockstep-core history` runs these too.
mod history {
    use crate::history_common::review;
    use lockstep_core::dirs::AppDirs;
    use lockstep_core::history::review::parse;
    use lockstep_core::history::{Review, ReviewStore};
    use std::collections::BTreeSet;
    use time::macros::datetime;

    fn store() -> (tempfile::TempDir, ReviewStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = ReviewStore::new(AppDirs::under(dir.path()).reviews_dir());
        (dir, store)
    }

    #[test]
    fn round_trip_list_latest_and_previous() {
        let (_dir, store) = store();
        let now = datetime!(2026-11-25 15:00 UTC);
        assert!(
            store.list(now).unwrap().reviews.is_empty(),
            "a missing directory is an empty history"
        );
        assert!(store.latest(now).unwrap().is_none());

        let older = review(datetime!(2026-08-25 14:30 UTC));
        let newer = review(datetime!(2026-11-25 14:30 UTC));
        store.save(&newer).unwrap();
        store.save(&older).unwrap();

        let loaded = store.load(&newer.id, now).unwrap();
        assert_eq!(
            loaded, newer,
            "everything saved must come back, observed facts included"
        );

        let list = store.list(now).unwrap();
        assert!(list.notices.is_empty());
        let ids: Vec<&str> = list.reviews.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["20261125T143000Z", "20260825T143000Z"],
            "newest first"
        );
        let c = list.reviews[0].counts;
        assert_eq!((c.pass, c.warn, c.unknown), (3, 1, 1));
        assert_eq!(list.reviews[0].journey, newer.journey);

        assert_eq!(store.latest(now).unwrap().unwrap().id, newer.id);
        assert_eq!(
            store.previous(&newer.id, now).unwrap().unwrap().id,
            older.id
        );
        assert!(
            store.previous(&older.id, now).unwrap().is_none(),
            "the first review has no predecessor"
        );
        assert_eq!(
            store.previous("20990101T000000Z", now).unwrap_err().kind(),
            "invalid_input"
        );
        assert_eq!(
            store.load("20990101T000000Z", now).unwrap_err().kind(),
            "invalid_input"
        );
    }

    #[test]
    fn record_assigns_a_free_id() {
        let (_dir, store) = store();
        let at = datetime!(2026-11-25 14:30 UTC);
        let a = store.record(at, None, vec![], Default::default()).unwrap();
        let b = store.record(at, None, vec![], Default::default()).unwrap();
        assert_eq!(a.id, "20261125T143000Z");
        assert_eq!(
            b.id, "20261125T143000Z-2",
            "a second review in the same second must not overwrite the first"
        );
        assert_eq!(store.list(at).unwrap().reviews.len(), 2);
    }

    #[test]
    fn damaged_files_are_set_aside_and_the_rest_still_load() {
        let (_dir, store) = store();
        let now = datetime!(2026-11-25 15:00 UTC);
        let good = review(datetime!(2026-11-25 14:30 UTC));
        store.save(&good).unwrap();
        let bad = store.dir().join("20261001T000000Z.json");
        std::fs::write(&bad, b"{\"version\":1,\"id\":\"20261001T0").unwrap();
        let newer_format = store.dir().join("20261002T000000Z.json");
        std::fs::write(&newer_format, br#"{"version":7,"id":"20261002T000000Z"}"#).unwrap();
        std::fs::write(store.dir().join("notes.txt"), b"not a review").unwrap();

        let list = store.list(now).unwrap();
        assert_eq!(list.reviews.len(), 1, "the good review still loads");
        assert_eq!(list.reviews[0].id, good.id);
        assert_eq!(
            list.notices.len(),
            2,
            "one notice per damaged file: {:?}",
            list.notices
        );
        assert!(
            list.notices
                .iter()
                .any(|n| n.contains("20261001T000000Z") && n.contains(".corrupt-")),
            "{:?}",
            list.notices
        );
        assert!(
            list.notices.iter().any(|n| n.contains("newer Lockstep")),
            "{:?}",
            list.notices
        );
        assert!(
            !bad.exists() && !newer_format.exists(),
            "damaged files are moved out of the way"
        );
        let kept: Vec<String> = std::fs::read_dir(store.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".corrupt-"))
            .collect();
        assert_eq!(kept.len(), 2, "nothing is deleted: {kept:?}");
        assert!(
            store.dir().join("notes.txt").exists(),
            "unrelated files are left alone"
        );

        let again = store.list(now).unwrap();
        assert!(
            again.notices.is_empty(),
            "the user is told once, not on every listing"
        );
    }

    #[test]
    fn loading_a_damaged_review_by_id_is_a_corrupt_error() {
        let (_dir, store) = store();
        std::fs::create_dir_all(store.dir()).unwrap();
        std::fs::write(store.dir().join("20261001T000000Z.json"), b"[]").unwrap();
        let err = store
            .load("20261001T000000Z", datetime!(2026-11-25 15:00 UTC))
            .unwrap_err();
        assert_eq!(err.kind(), "corrupt");
        assert!(err.to_string().contains("kept as"), "{err}");
    }

    #[test]
    fn a_file_renamed_to_another_id_is_not_trusted() {
        let (_dir, store) = store();
        let r = review(datetime!(2026-11-25 14:30 UTC));
        store.save(&r).unwrap();
        std::fs::rename(
            store.dir().join(format!("{}.json", r.id)),
            store.dir().join("20200101T000000Z.json"),
        )
        .unwrap();
        let list = store.list(datetime!(2026-11-25 15:00 UTC)).unwrap();
        assert!(
            list.reviews.is_empty() && list.notices.len() == 1,
            "{list:?}"
        );
    }

    const CANARY: &str = "CANARY-ghp_0123456789abcdefSECRET";

    #[test]
    fn a_review_with_a_token_field_cannot_be_built() {
        let r = review(datetime!(2026-11-25 14:30 UTC));
        let mut v = serde_json::to_value(&r).unwrap();
        v["token"] = serde_json::json!(CANARY);
        assert!(
            serde_json::from_value::<Review>(v.clone()).is_err(),
            "a review has no field that could hold a token"
        );
        assert!(parse(v.to_string().as_bytes()).is_err());

        // Inside a result there is no such field either: it is dropped, never kept or written back.
        let mut v = serde_json::to_value(&r).unwrap();
        v["results"][0]["token"] = serde_json::json!(CANARY);
        v["answers"]["two-factor-everywhere"]["token"] = serde_json::json!(CANARY);
        let parsed: Review = serde_json::from_value(v).unwrap();
        assert!(!serde_json::to_string(&parsed).unwrap().contains(CANARY));
    }

    /// Every string in `v` (object keys included).
    fn strings(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::String(s) => {
                out.insert(s.clone());
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    out.insert(k.clone());
                    strings(x, out);
                }
            }
            _ => {}
        }
    }

    /// Object keys that are field names: everything except the keys of the data maps.
    fn field_names(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Array(a) => a.iter().for_each(|x| field_names(x, out)),
            serde_json::Value::Object(m) => {
                for (k, x) in m {
                    out.insert(k.clone());
                    if !matches!(k.as_str(), "owners" | "expires" | "answers") {
                        field_names(x, out);
                    } else if let serde_json::Value::Object(inner) = x {
                        inner.values().for_each(|y| field_names(y, out));
                    }
                }
            }
            _ => {}
        }
    }

    #[test]
    fn saving_writes_only_strings_that_were_in_the_review() {
        let (_dir, store) = store();
        let r = review(datetime!(2026-11-25 14:30 UTC));
        store.save(&r).unwrap();
        let written: serde_json::Value = serde_json::from_slice(
            &std::fs::read(store.dir().join(format!("{}.json", r.id))).unwrap(),
        )
        .unwrap();
        let mut found = BTreeSet::new();
        strings(&written, &mut found);

        // What the review holds: its own text, plus field names, enum words and timestamps.
        let mut allowed: BTreeSet<String> = BTreeSet::new();
        allowed.extend([r.id.clone(), "2026-11-25T14:30:00Z".into(), "review".into()]);
        for c in &r.results {
            allowed.extend([
                c.id.clone(),
                c.summary.clone(),
                c.status.as_str().to_string(),
            ]);
            allowed.extend(c.evidence.iter().cloned());
            allowed.extend(c.remediation.iter().cloned());
            for (pkg, o) in &c.observed.owners {
                allowed.insert(pkg.clone());
                allowed.extend(o.iter().cloned());
            }
            allowed.extend(c.observed.keys.iter().cloned());
            allowed.extend(c.observed.emails.iter().cloned());
            for (k, v) in &c.observed.expires {
                allowed.extend([k.clone(), v.clone()]);
            }
        }
        for (id, a) in &r.answers {
            allowed.insert(id.clone());
            allowed.extend(
                serde_json::to_value(a.status)
                    .unwrap()
                    .as_str()
                    .map(str::to_string),
            );
        }
        let fields = [
            "version",
            "id",
            "checked_at",
            "journey",
            "results",
            "answers",
            "status",
            "summary",
            "evidence",
            "remediation",
            "observed",
            "owners",
            "keys",
            "expires",
            "emails",
            "updated_at",
        ];
        allowed.extend(fields.iter().map(|s| s.to_string()));
        let extra: Vec<&String> = found.iter().filter(|s| !allowed.contains(*s)).collect();
        assert!(
            extra.is_empty(),
            "the file holds strings the review did not: {extra:?}"
        );
        // Field names (not values: a key may be called "ci-publish token") never name a secret.
        let mut names = BTreeSet::new();
        field_names(&written, &mut names);
        for f in ["token", "secret", "password"] {
            assert!(
                !names.iter().any(|s| s.to_lowercase().contains(f)),
                "no field may be named like {f}: {names:?}"
            );
        }
    }
}
