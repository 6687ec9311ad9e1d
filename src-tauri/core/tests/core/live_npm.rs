//! npm checks against a scripted loopback registry.

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::*;
    use lockstep_core::platform::{Group, Platform};
    use serde_json::{json, Value};
    use support::{assert_status, ctx, handles, run, Reply, TestServer};

    const TOKEN: &str = "npm_faketoken0000000000000000000000000";

    fn packument(n: usize) -> Value {
        json!({"maintainers": handles("m", n).into_iter().map(|h| json!({"name": h, "email": format!("{h}@example.test")})).collect::<Vec<_>>()})
    }

    fn search(names: &[&str], total: usize) -> Value {
        json!({"objects": names.iter().map(|n| json!({"package": {"name": n}})).collect::<Vec<_>>(), "total": total})
    }

    #[tokio::test]
    async fn tfa_modes_map_to_statuses() {
        for (tfa, expected) in [
            (json!({"mode": "auth-and-writes", "pending": false}), Pass),
            (json!({"mode": "auth-only", "pending": false}), Warn),
            (json!(false), Fail),
            (Value::Null, Fail),
            // Answers that do not say whether 2FA is on are not failures.
            (json!("absent"), Unknown),
            (json!(true), Unknown),
            (json!({}), Unknown),
        ] {
            let s = TestServer::start().await;
            let user = if tfa == json!("absent") {
                json!({"name": "fake-user"})
            } else {
                json!({"name": "fake-user", "tfa": tfa})
            };
            s.json("/-/npm/v1/user", user);
            s.json("/-/whoami", json!({"username": "fake-user"}));
            s.json(
                "/-/v1/search?text=maintainer:fake-user&size=250&from=0",
                search(&[], 0),
            );
            let url = s.url("");
            let r = run(
                ctx(
                    &[("LOCKSTEP_NPM_URL", url.as_str())],
                    &[(Platform::Npm, TOKEN)],
                ),
                &[Group::Npm],
            )
            .await;
            assert_status(&r, "npm.two_factor", expected);
            assert_status(&r, "npm.package_owners", Skipped);
        }
    }

    #[tokio::test]
    async fn owner_counts_1_2_5_with_pagination_scoped_names_and_failures() {
        let s = TestServer::start().await;
        s.json("/-/whoami", json!({"username": "fake-user"}));
        s.json(
            "/-/npm/v1/user",
            json!({"name": "fake-user", "tfa": {"mode": "auth-and-writes"}}),
        );
        // Two pages: the client pages with from= until total is reached.
        s.json(
            "/-/v1/search?text=maintainer:fake-user&size=250&from=0",
            search(&["one", "two", "@fake-scope/five"], 5),
        );
        s.json(
            "/-/v1/search?text=maintainer:fake-user&size=250&from=3",
            search(&["broken", "limited"], 5),
        );
        s.json("/one", packument(1));
        s.json("/two", packument(2));
        s.json("/@fake-scope%2ffive", packument(5));
        s.route("/broken", Reply::raw(200, "{\"maintainers\": [oops"));
        s.sequence(
            "/limited",
            vec![
                Reply::status(429).header("retry-after", "1"),
                Reply::json(packument(2)),
            ],
        );
        let url = s.url("");
        let r = run(
            ctx(
                &[("LOCKSTEP_NPM_URL", url.as_str())],
                &[(Platform::Npm, TOKEN)],
            ),
            &[Group::Npm],
        )
        .await;
        let o = &r["npm.package_owners"];
        assert_status(&r, "npm.package_owners", Warn);
        let ev = o.evidence.join("\n");
        assert!(
            ev.contains("one: 1 owner")
                && ev.contains("two: 2 owners")
                && ev.contains("@fake-scope/five: 5 owners")
                && ev.contains("limited: 2 owners"),
            "{ev}"
        );
        assert!(ev.contains("broken: could not check"), "{ev}");
        assert_eq!(o.observed.owners["two"], vec!["m0", "m1"]);
        assert_eq!(
            s.hits("/limited"),
            2,
            "the short retry-after was honoured once"
        );
        // Package data is public: only whoami and the 2FA call carry the token.
        for seen in s.seen() {
            let authed = seen.authorization.is_some();
            assert_eq!(
                authed,
                seen.path.starts_with("/-/whoami") || seen.path.starts_with("/-/npm/v1/user"),
                "{seen:?}"
            );
        }
    }

    #[tokio::test]
    async fn configured_user_needs_no_token_and_401_is_unknown() {
        let s = TestServer::start().await;
        s.json(
            "/-/v1/search?text=maintainer:fake-user&size=250&from=0",
            search(&["a", "b"], 2),
        );
        s.json("/a", packument(2));
        s.json("/b", packument(3));
        let url = s.url("");
        let r = run(
            ctx(
                &[
                    ("LOCKSTEP_NPM_URL", url.as_str()),
                    ("LOCKSTEP_NPM_USER", "fake-user"),
                ],
                &[],
            ),
            &[Group::Npm],
        )
        .await;
        assert_status(&r, "npm.package_owners", Pass);
        assert_status(&r, "npm.two_factor", Skipped);

        let s = TestServer::start().await;
        s.route("/-/whoami", Reply::status(401));
        s.route("/-/npm/v1/user", Reply::status(401));
        let url = s.url("");
        let r = run(
            ctx(
                &[("LOCKSTEP_NPM_URL", url.as_str())],
                &[(Platform::Npm, TOKEN)],
            ),
            &[Group::Npm],
        )
        .await;
        assert_status(&r, "npm.two_factor", Unknown);
        assert_status(&r, "npm.package_owners", Unknown);
    }
}
