//! Progress export and import: round trip, older versions, malformed files, no tokens.

/// Named so that `cargo test -p lockstep-core history` runs these too.
mod history {
    use lockstep_core::catalogue::Journey;
    use lockstep_core::history::transfer::{apply, export, preview};
    use lockstep_core::platform::Platform;
    use lockstep_core::state::{Answer, AnswerStatus, State, TokenInfo};
    use time::macros::datetime;

    const CANARY: &str = "CANARY-scope-admin:everything";

    fn answer(status: AnswerStatus) -> Answer {
        Answer {
            status,
            reason: None,
            choice: None,
            updated_at: datetime!(2026-11-20 10:00 UTC),
        }
    }

    fn laptop() -> State {
        let mut s = State {
            journey: Some(Journey::Onboarding),
            ..State::default()
        };
        s.positions
            .insert(Journey::Onboarding, "security-key-register".into());
        s.answers
            .insert("two-factor-code-hosts".into(), answer(AnswerStatus::Done));
        let mut na = answer(AnswerStatus::NotApplicable);
        na.reason = Some("no PyPI projects".into());
        s.answers.insert("owners-two-per-package".into(), na);
        s.settings.review_interval_days = 45;
        s.settings.pypi_projects = vec!["my-lib".into()];
        s.tokens.insert(
            Platform::Github,
            TokenInfo {
                saved_at: datetime!(2026-11-01 10:00 UTC),
                scopes: vec![CANARY.into()],
                expires_at: Some("2027-01-01".into()),
                verdict: None,
                broad_scopes: vec![],
            },
        );
        s.last_notified_on = Some("2026-11-24".into());
        s
    }

    #[test]
    fn export_never_carries_tokens_or_their_metadata() {
        let text = export(&laptop());
        assert!(!text.contains(CANARY), "token scopes must not travel");
        assert!(!text.contains("2027-01-01"), "token expiry must not travel");
        assert!(
            !text.contains("tokens") && !text.contains("saved_at"),
            "{text}"
        );
        assert!(
            !text.contains("last_notified_on"),
            "reminder bookkeeping is per machine"
        );
    }

    #[test]
    fn round_trip_to_a_fresh_machine() {
        let source = laptop();
        let text = export(&source);
        let fresh = State::default();
        let p = preview(&fresh, &text).unwrap();
        assert_eq!(p.file_version, 2);
        assert_eq!(p.answers_added.len(), 2);
        assert!(p.answers_changed.is_empty());
        assert_eq!(p.journey_changed, Some((None, Journey::Onboarding)));
        assert_eq!(p.positions_changed, vec![Journey::Onboarding]);
        let names: Vec<&str> = p.settings_changed.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["pypi_projects", "review_interval_days"]);
        assert_eq!(p.settings_changed[1].from, "90");
        assert_eq!(p.settings_changed[1].to, "45");
        assert!(p.changes_anything());

        let next = apply(&fresh, &p);
        assert_eq!(next.answers, source.answers);
        assert_eq!(next.positions, source.positions);
        assert_eq!(next.journey, source.journey);
        assert_eq!(next.settings, source.settings);
        assert!(next.tokens.is_empty(), "tokens are never imported");
        assert_eq!(
            fresh,
            State::default(),
            "preview and apply never touch the current state"
        );

        let again = preview(&next, &text).unwrap();
        assert!(
            !again.changes_anything(),
            "importing the same file twice changes nothing: {again:?}"
        );
        assert_eq!(again.answers_unchanged, 2);
    }

    #[test]
    fn import_merges_and_keeps_this_machines_tokens() {
        let mut other = State::default();
        other
            .answers
            .insert("two-factor-code-hosts".into(), answer(AnswerStatus::Later));
        other
            .answers
            .insert("two-factor-no-sms".into(), answer(AnswerStatus::Done));
        other.tokens.insert(
            Platform::Npm,
            TokenInfo {
                saved_at: datetime!(2026-11-02 10:00 UTC),
                scopes: vec![],
                expires_at: None,
                verdict: None,
                broad_scopes: vec![],
            },
        );
        let p = preview(&other, &export(&laptop())).unwrap();
        assert_eq!(p.answers_changed.len(), 1);
        assert_eq!(p.answers_changed[0].from, Some(AnswerStatus::Later));
        assert_eq!(p.answers_changed[0].to, AnswerStatus::Done);
        let next = apply(&other, &p);
        assert_eq!(
            next.answers["two-factor-code-hosts"].status,
            AnswerStatus::Done,
            "the file wins"
        );
        assert_eq!(
            next.answers["two-factor-no-sms"].status,
            AnswerStatus::Done,
            "answers the file does not mention stay"
        );
        assert_eq!(
            next.tokens, other.tokens,
            "this machine's tokens stay as they are"
        );
    }

    #[test]
    fn a_token_smuggled_into_the_file_is_ignored() {
        let mut v: serde_json::Value = serde_json::from_str(&export(&laptop())).unwrap();
        v["tokens"] =
            serde_json::json!({"github": {"saved_at": "2026-11-01T10:00:00Z", "scopes": [CANARY]}});
        v["token"] = serde_json::json!(CANARY);
        let current = State::default();
        let next = apply(&current, &preview(&current, &v.to_string()).unwrap());
        assert!(next.tokens.is_empty());
        assert!(!serde_json::to_string(&next).unwrap().contains(CANARY));
    }

    #[test]
    fn an_older_version_imports() {
        let text = include_str!("../history_fixtures/progress-v1.json");
        let current = laptop();
        let p = preview(&current, text).unwrap();
        assert_eq!(p.file_version, 1);
        assert_eq!(
            p.journey_changed,
            Some((Some(Journey::Onboarding), Journey::Travel))
        );
        let next = apply(&current, &p);
        assert_eq!(next.journey, Some(Journey::Travel));
        assert_eq!(
            next.answers["two-factor-code-hosts"].status,
            AnswerStatus::Done
        );
        assert_eq!(
            next.answers["recovery-codes-stored-apart"].status,
            AnswerStatus::NotApplicable
        );
        assert_eq!(
            next.answers["security-key-register"].status,
            AnswerStatus::Later
        );
        assert_eq!(
            next.answers["two-factor-code-hosts"].updated_at,
            current.answers["two-factor-code-hosts"].updated_at,
            "an unchanged answer keeps its local time"
        );
        assert_eq!(next.positions[&Journey::Travel], "travel-vaults-off-device");
        assert_eq!(
            next.positions[&Journey::Onboarding],
            "security-key-register",
            "other positions stay"
        );
        assert_eq!(next.settings.review_interval_days, 60);
        assert_eq!(next.tokens, current.tokens);
    }

    #[test]
    fn answers_for_items_this_version_does_not_know_are_counted_in_words_and_left_out() {
        let text = r#"{"format":"lockstep-progress","version":2,"answers":{
            "two-factor-no-sms":{"status":"done","updated_at":"2026-11-20T10:00:00Z"},
            "from-a-newer-lockstep":{"status":"done","updated_at":"2026-11-20T10:00:00Z"},
            "another-future-item":{"status":"later","updated_at":"2026-11-20T10:00:00Z"}},
            "positions":{"onboarding":"another-future-item"}}"#;
        let current = laptop();
        let p = preview(&current, text).expect("the known answers still import");
        assert_eq!(p.answers_unknown, 2);
        let added: Vec<&str> = p.answers_added.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(added, ["two-factor-no-sms"]);
        let lines = p.lines().join("\n");
        assert!(
            lines.contains("2 answers for checklist items this version of Lockstep does not know; they will be ignored"),
            "{lines}"
        );
        assert!(
            !lines.contains("future") && !lines.contains("newer-lockstep"),
            "no raw ids: {lines}"
        );
        let next = apply(&current, &p);
        assert!(next.answers.contains_key("two-factor-no-sms"));
        assert!(!next.answers.contains_key("from-a-newer-lockstep"));
        assert_eq!(
            next.positions[&Journey::Onboarding],
            "security-key-register",
            "a place on an unknown item is not taken over"
        );
    }

    #[test]
    fn malformed_files_give_a_clear_error_and_change_nothing() {
        let current = laptop();
        let before = current.clone();
        let cases = [
        ("", "not valid JSON"),
        ("{\"format\":\"lockstep-progress\",\"version\":2,\"answers\":{\"a\":", "not valid JSON"),
        ("[1,2]", "not a JSON object"),
        ("{\"version\":2,\"answers\":{}}", "marker"),
        ("{\"format\":\"something-else\",\"version\":2}", "marker"),
        ("{\"format\":\"lockstep-progress\"}", "no version"),
        ("{\"format\":\"lockstep-progress\",\"version\":3}", "newer Lockstep"),
        ("{\"format\":\"lockstep-progress\",\"version\":2,\"answers\":{\"a\":\"done\"}}", "not as expected"),
        ("{\"format\":\"lockstep-progress\",\"version\":1,\"answers\":{\"a\":\"maybe\"}}", "unknown answer"),
        ("{\"format\":\"lockstep-progress\",\"version\":2,\"settings\":{\"review_interval_days\":\"soon\"}}", "not as expected"),
    ];
        for (text, why) in cases {
            let err = preview(&current, text).unwrap_err();
            assert_eq!(err.kind(), "invalid_input", "{text}");
            let msg = err.to_string();
            assert!(msg.contains(why), "{text}: {msg}");
            assert!(
                msg.contains("Nothing was changed"),
                "the user must know nothing happened: {msg}"
            );
        }
        assert_eq!(current, before);
    }
}
