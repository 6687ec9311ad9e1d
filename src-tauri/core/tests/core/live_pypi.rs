//! PyPI: owner counts from the JSON API's `ownership.roles`, and offline token decoding on
//! tokens generated with pymacaroons exactly as warehouse builds them (fixtures/pypi).

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::*;
    use lockstep_core::live::pypi_token::{classify, TokenScope};
    use lockstep_core::platform::{Group, Platform};
    use serde_json::{json, Value};
    use std::collections::BTreeMap;
    use support::{assert_status, ctx, handles, now, run, Reply, TestServer};

    fn fixtures() -> BTreeMap<String, String> {
        serde_json::from_str(include_str!("../fixtures/pypi/tokens.json")).unwrap()
    }

    fn project(owners: usize, maintainers: usize) -> Value {
        let mut roles: Vec<Value> = handles("owner", owners)
            .into_iter()
            .map(|u| json!({"role": "Owner", "user": u}))
            .collect();
        roles.extend(
            handles("maint", maintainers)
                .into_iter()
                .map(|u| json!({"role": "Maintainer", "user": u})),
        );
        json!({"info": {"name": "x"}, "ownership": {"roles": roles, "organization": null}})
    }

    #[test]
    fn decodes_generated_tokens() {
        let t = fixtures();
        assert_eq!(classify(&t["user_wide"], now()), TokenScope::UserWide);
        assert_eq!(
            classify(&t["user_wide_macaroon_v1"], now()),
            TokenScope::UserWide
        );
        assert_eq!(
            classify(&t["project_scoped"], now()),
            TokenScope::Projects(vec!["lockstep-fake-project".into()])
        );
        assert_eq!(
            classify(&t["project_scoped_with_expiry"], now()),
            TokenScope::Projects(vec!["lockstep-fake-a".into(), "lockstep-fake-b".into()])
        );
        let expired_at = time::macros::datetime!(2024-01-01 0:00 UTC);
        assert_eq!(
            classify(&t["expired"], now()),
            TokenScope::Expired { expired_at }
        );
        assert_eq!(
            classify(&t["legacy_expiry"], now()),
            TokenScope::Expired { expired_at }
        );
        assert_eq!(classify(&t["legacy_v1_user"], now()), TokenScope::UserWide);
        assert_eq!(
            classify(&t["legacy_v1_projects"], now()),
            TokenScope::Projects(vec!["lockstep-fake-legacy".into()])
        );
        // Before its expiry the "expired" token is an ordinary user-wide token.
        assert_eq!(
            classify(&t["expired"], time::macros::datetime!(2023-12-31 12:00 UTC)),
            TokenScope::UserWide
        );
    }

    #[test]
    fn garbage_never_echoes_the_input() {
        assert_eq!(classify("ghp_notpypi", now()), TokenScope::NotAPypiToken);
        let t = fixtures();
        let truncated = &t["user_wide"][..60];
        for bad in [
            "pypi-",
            "pypi-%%%%",
            "pypi-QUJD",
            truncated,
            "pypi-AgEIcHlwaS5vcmc",
        ] {
            match classify(bad, now()) {
                TokenScope::Unreadable(why) => {
                    assert!(!why.contains(&bad[5..]) || bad.len() == 5, "{why}")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn token_scope_check_statuses() {
        let t = fixtures();
        for (name, expected) in [
            ("user_wide", Fail),
            ("project_scoped", Pass),
            ("expired", Fail),
            ("legacy_v1_user", Fail),
        ] {
            let r = run(
                ctx(&[], &[(Platform::Pypi, t[name].as_str())]),
                &[Group::Pypi],
            )
            .await;
            assert_status(&r, "pypi.token_scope", expected);
            assert_status(&r, "pypi.package_owners", Skipped);
        }
        let r = run(
            ctx(&[], &[(Platform::Pypi, "not-a-pypi-token")]),
            &[Group::Pypi],
        )
        .await;
        assert_status(&r, "pypi.token_scope", Unknown);
        let r = run(ctx(&[], &[]), &[Group::Pypi]).await;
        assert_status(&r, "pypi.token_scope", Skipped);
    }

    #[tokio::test]
    async fn owner_counts_1_2_5_missing_ownership_and_long_rate_limit() {
        let s = TestServer::start().await;
        s.json("/pypi/fake-one/json", project(1, 3));
        s.json("/pypi/fake-two/json", project(2, 0));
        s.json("/pypi/fake-five/json", project(5, 0));
        s.json("/pypi/fake-old/json", json!({"info": {}}));
        s.route(
            "/pypi/fake-limited/json",
            Reply::status(429).header("retry-after", "120"),
        );
        let url = s.url("");
        let c = ctx(
            &[
                ("LOCKSTEP_PYPI_URL", url.as_str()),
                (
                    "LOCKSTEP_PYPI_PROJECTS",
                    "fake-one,fake-two,fake-five,fake-old,fake-limited",
                ),
            ],
            &[],
        );
        let r = run(c, &[Group::Pypi]).await;
        assert_status(&r, "pypi.package_owners", Warn);
        let o = &r["pypi.package_owners"];
        let ev = o.evidence.join("\n");
        assert!(
            ev.contains("fake-one: 1 owner")
                && ev.contains("fake-two: 2 owners")
                && ev.contains("fake-five: 5 owners"),
            "{ev}"
        );
        assert!(
            ev.contains("fake-old: could not check (PyPI did not include ownership data"),
            "{ev}"
        );
        assert!(
            ev.contains("fake-limited: could not check") && ev.contains("limiting requests"),
            "{ev}"
        );
        assert_eq!(
            s.hits("/pypi/fake-limited/json"),
            1,
            "a long retry-after is not waited for"
        );
        assert!(s.auth_values().is_empty(), "public data needs no token");

        let s = TestServer::start().await;
        s.json("/pypi/a/json", project(2, 1));
        s.json("/pypi/b/json", project(3, 0));
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_PYPI_URL", url.as_str()),
                    ("LOCKSTEP_PYPI_PROJECTS", "a, b"),
                ],
                &[],
            ),
            &[Group::Pypi],
        )
        .await;
        assert_status(&r, "pypi.package_owners", Pass);

        let s = TestServer::start().await;
        s.route("/pypi/a/json", Reply::status(503));
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_PYPI_URL", url.as_str()),
                    ("LOCKSTEP_PYPI_PROJECTS", "a"),
                ],
                &[],
            ),
            &[Group::Pypi],
        )
        .await;
        assert_status(&r, "pypi.package_owners", Unknown);
    }
}
