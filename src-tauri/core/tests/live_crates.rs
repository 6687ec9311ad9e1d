//! crates.io owner counts (users and teams) and request spacing.

mod support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::*;
    use lockstep_core::live::crates::CratesProbe;
    use lockstep_core::platform::Group;
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
            &[Group::Crates],
        )
        .await;
        assert_status(&r, "crates.package_owners", Warn);
        let o = &r["crates.package_owners"];
        let ev = o.evidence.join("\n");
        assert!(
            ev.contains("one: 1 owner")
                && ev.contains("teamed: 2 owners")
                && ev.contains("five: 5 owners"),
            "{ev}"
        );
        assert!(
            ev.contains("down: could not check") && ev.contains("HTTP 500"),
            "{ev}"
        );
        assert_eq!(
            o.observed.owners["teamed"],
            vec!["u0", "team github:fake-org:t0"]
        );
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
        let r = run_with(c, &[Group::Crates], &probes).await;
        assert_status(&r, "crates.package_owners", Warn);
        let mut starts: Vec<Instant> = s.seen().iter().map(|x| x.started).collect();
        starts.sort();
        assert_eq!(starts.len(), 7);
        for pair in starts.windows(2) {
            // Arrival jitter on loopback is far below the 150 ms spacing.
            assert!(
                pair[1] - pair[0] >= Duration::from_millis(130),
                "{:?}",
                pair[1] - pair[0]
            );
        }
        assert!(started.elapsed() >= Duration::from_millis(900));
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
            &[Group::Crates],
        )
        .await;
        assert_status(&r, "crates.package_owners", Unknown);
        let r = run(ctx(&[], &[]), &[Group::Crates]).await;
        assert_status(&r, "crates.package_owners", Skipped);
    }
}
