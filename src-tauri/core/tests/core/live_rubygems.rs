//! RubyGems owner counts against a scripted loopback server.

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::*;
    use lockstep_core::platform::Group;
    use serde_json::{json, Value};
    use std::time::Duration;
    use support::{assert_status, ctx, handles, run, Reply, TestServer};

    fn owners(n: usize) -> Value {
        Value::Array(
            handles("h", n)
                .into_iter()
                .enumerate()
                .map(|(i, h)| json!({"id": i, "handle": h}))
                .collect(),
        )
    }

    #[tokio::test]
    async fn owner_counts_and_a_slow_gem() {
        let s = TestServer::start().await;
        s.json(
            "/api/v1/owners/fake-handle/gems.json",
            json!([{"name": "one"}, {"name": "two"}, {"name": "five"}, {"name": "slow"}]),
        );
        s.json("/api/v1/gems/one/owners.json", owners(1));
        s.json("/api/v1/gems/two/owners.json", owners(2));
        s.json("/api/v1/gems/five/owners.json", owners(5));
        s.route(
            "/api/v1/gems/slow/owners.json",
            Reply::json(owners(2)).delay(Duration::from_secs(3)),
        );
        let url = s.url("");
        let mut c = ctx(
            &[
                ("LOCKSTEP_RUBYGEMS_URL", url.as_str()),
                ("LOCKSTEP_RUBYGEMS_USER", "fake-handle"),
            ],
            &[],
        );
        c.limits.request_timeout = Duration::from_millis(400);
        let r = run(c, &[Group::Rubygems]).await;
        assert_status(&r, "rubygems.package_owners", Warn);
        let ev = r["rubygems.package_owners"].evidence.join("\n");
        assert!(
            ev.contains("one: 1 owner")
                && ev.contains("two: 2 owners")
                && ev.contains("five: 5 owners"),
            "{ev}"
        );
        assert!(
            ev.contains("slow: could not check") && ev.contains("did not answer"),
            "{ev}"
        );
    }

    #[tokio::test]
    async fn unknown_handle_no_handle_and_all_healthy() {
        let s = TestServer::start().await;
        s.route("/api/v1/owners/nobody/gems.json", Reply::status(404));
        s.json("/api/v1/owners/fine/gems.json", json!([{"name": "a"}]));
        s.json("/api/v1/gems/a/owners.json", owners(3));
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_RUBYGEMS_URL", url.as_str()),
                    ("LOCKSTEP_RUBYGEMS_USER", "nobody"),
                ],
                &[],
            ),
            &[Group::Rubygems],
        )
        .await;
        assert_status(&r, "rubygems.package_owners", Unknown);
        assert!(r["rubygems.package_owners"]
            .summary
            .contains("LOCKSTEP_RUBYGEMS_USER"));
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_RUBYGEMS_URL", url.as_str()),
                    ("LOCKSTEP_RUBYGEMS_USER", "fine"),
                ],
                &[],
            ),
            &[Group::Rubygems],
        )
        .await;
        assert_status(&r, "rubygems.package_owners", Pass);
        let r = run(ctx(&[], &[]), &[Group::Rubygems]).await;
        assert_status(&r, "rubygems.package_owners", Skipped);
    }
}
