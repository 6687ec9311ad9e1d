//! crates.io owner counts (users and teams) and request spacing.

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::*;
    use lockstep_core::live::crates::CratesProbe;
    use lockstep_core::platform::{Group, Platform};
    use serde_json::{json, Value};
    use std::sync::Arc;
    use std::time::{Duration, Instant};
    use support::{assert_status, ctx, run, run_with, Reply, TestServer};

    fn owners(users: usize, teams: usize) -> Value {
        let mut list: Vec<Value> = (0..users)
            .map(|i| json!({"login": format!("u{i}"), "kind": "user"}))
            .collect();
        list.extend(
            (0..teams).map(|i| json!({"login": format!("github:fake-org:t{i}"), "kind": "team"})),
        );
        json!({"users": list})
    }

    fn serve(s: &TestServer) {
        s.json(
            "/api/v1/users/fake-login",
            json!({"user": {"id": 42, "login": "fake-login"}}),
        );
        s.json("/api/v1/crates?user_id=42&per_page=100&page=1", json!({"crates": [{"name": "one"}, {"name": "teamed"}, {"name": "five"}], "meta": {"total": 4, "next_page": "?page=2"}}));
        s.json(
            "/api/v1/crates?user_id=42&per_page=100&page=2",
            json!({"crates": [{"name": "down"}], "meta": {"total": 4, "next_page": null}}),
        );
        s.json("/api/v1/crates/one/owners", owners(1, 0));
        s.json("/api/v1/crates/teamed/owners", owners(1, 1));
        s.json("/api/v1/crates/five/owners", owners(5, 0));
        s.route("/api/v1/crates/down/owners", Reply::status(500));
    }

    #[tokio::test]
    async fn users_and_teams_count_and_failures_are_noted() {
        let s = TestServer::start().await;
        serve(&s);
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_CRATES_URL", url.as_str()),
                    ("LOCKSTEP_CRATES_USER", "fake-login"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Crates)],
        )
        .await;
        assert_status(&r, "crates.package_owners", Warn);
        let o = &r["crates.package_owners"];
        let ev = o.evidence.join("\n");
        assert!(
            ev.contains("one: 1 owner")
                && ev.contains("teamed: 1 owner (u0) — single owner: orphan risk; 1 team (can publish, cannot manage owners; not counted): github:fake-org:t0")
                && ev.contains("five: 5 owners"),
            "{ev}"
        );
        assert!(
            ev.contains("down: could not check") && ev.contains("HTTP 500"),
            "{ev}"
        );
        assert!(o.summary.contains("2 with a single owner"), "{}", o.summary);
        assert_eq!(
            o.observed.owners["teamed"],
            vec!["u0", "team github:fake-org:t0"]
        );
    }

    /// Two users and two teams: the users make it a pass, the teams are listed apart.
    #[tokio::test]
    async fn two_users_and_two_teams_pass_with_the_teams_listed() {
        let s = TestServer::start().await;
        s.json(
            "/api/v1/users/fake-login",
            json!({"user": {"id": 42, "login": "fake-login"}}),
        );
        s.json(
            "/api/v1/crates?user_id=42&per_page=100&page=1",
            json!({"crates": [{"name": "pair"}], "meta": {"total": 1, "next_page": null}}),
        );
        s.json("/api/v1/crates/pair/owners", owners(2, 2));
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_CRATES_URL", url.as_str()),
                    ("LOCKSTEP_CRATES_USER", "fake-login"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Crates)],
        )
        .await;
        assert_status(&r, "crates.package_owners", Pass);
        let ev = r["crates.package_owners"].evidence.join("\n");
        assert!(
            ev.contains("pair: 2 owners (u0, u1)")
                && ev.contains("2 teams (can publish, cannot manage owners; not counted): github:fake-org:t0, github:fake-org:t1"),
            "{ev}"
        );
    }

    /// An answer of a shape Lockstep does not know is unknown, naming crates.io and the field,
    /// never quoting what was received.
    #[tokio::test]
    async fn a_changed_shape_is_unknown_naming_the_platform_not_the_values() {
        let s = TestServer::start().await;
        s.json(
            "/api/v1/users/fake-login",
            json!({"user": {"id": "forty-two-secret-looking-value", "login": "fake-login"}}),
        );
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_CRATES_URL", url.as_str()),
                    ("LOCKSTEP_CRATES_USER", "fake-login"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Crates)],
        )
        .await;
        assert_status(&r, "crates.package_owners", Unknown);
        let summary = &r["crates.package_owners"].summary;
        assert!(
            summary.contains("crates.io's answer did not have the shape Lockstep knows")
                && summary.contains("`user.id`"),
            "{summary}"
        );
        assert!(!summary.contains("forty-two"), "{summary}");
    }

    #[tokio::test]
    async fn requests_are_spaced_by_the_interval() {
        let s = TestServer::start().await;
        serve(&s);
        let url = s.url("");
        let probes: Vec<Arc<dyn lockstep_core::engine::Probe>> = vec![Arc::new(
            CratesProbe::with_interval(Duration::from_millis(150)),
        )];
        let started = Instant::now();
        let c = ctx(
            &[
                ("LOCKSTEP_CRATES_URL", url.as_str()),
                ("LOCKSTEP_CRATES_USER", "fake-login"),
            ],
            &[],
        );
        let r = run_with(c, &[Group::Account(Platform::Crates)], &probes).await;
        assert_status(&r, "crates.package_owners", Warn);
        let mut starts: Vec<Instant> = s.seen().iter().map(|x| x.started).collect();
        starts.sort();
        // 1 user, 2 list pages, 4 owner lists, then 4 crate pages for crates.trusted_publishing.
        assert_eq!(starts.len(), 11);
        for pair in starts.windows(2) {
            // Arrival jitter on loopback is far below the 150 ms spacing.
            assert!(
                pair[1] - pair[0] >= Duration::from_millis(130),
                "{:?}",
                pair[1] - pair[0]
            );
        }
        assert!(started.elapsed() >= Duration::from_millis(1500));
    }

    #[tokio::test]
    async fn unknown_user_and_missing_user() {
        let s = TestServer::start().await;
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_CRATES_URL", url.as_str()),
                    ("LOCKSTEP_CRATES_USER", "nobody"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Crates)],
        )
        .await;
        assert_status(&r, "crates.package_owners", Unknown);
        let summary = &r["crates.package_owners"].summary;
        assert!(
            summary.contains("crates.io username \"nobody\"")
                && summary.contains("not their GitHub login"),
            "{summary}"
        );
        let r = run(ctx(&[], &[]), &[Group::Account(Platform::Crates)]).await;
        assert_status(&r, "crates.package_owners", Skipped);
    }
}
