//! A known fake token must never appear in results, their JSON, their Debug output or any
//! error, whatever the servers answer; and token inspection reports what a token can do.

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::http::{ApiClient, Auth};
    use lockstep_core::live::token_info::{inspect, token_page};
    use lockstep_core::platform::{Group, Platform};
    use lockstep_core::secret::Secret;
    use serde_json::json;
    use std::time::Duration;
    use support::{ctx, now, run, Reply, TestServer};

    const CANARY: &str = "CANARYtoken7f3a9c";

    fn canary(prefix: &str) -> String {
        format!("{prefix}{CANARY}")
    }

    #[track_caller]
    fn assert_clean(text: &str) {
        assert!(!text.contains(CANARY), "canary leaked: {text}");
    }

    #[tokio::test]
    async fn canary_never_appears_in_results_or_errors() {
        let s = TestServer::start().await;
        let other = TestServer::start().await;
        // A mix of good answers, rejections, redirects, garbage and server errors.
        s.route(
            "/gh/user",
            Reply::json(json!({"login": "fake", "two_factor_authentication": true}))
                .header("x-oauth-scopes", "repo"),
        );
        s.route("/gh/user/emails?per_page=100", Reply::status(401));
        s.route(
            "/gh/user/keys?per_page=100",
            Reply::redirect(&other.url("/elsewhere")),
        );
        other.route("/elsewhere", Reply::raw(200, "not json"));
        s.route("/gh/user/gpg_keys?per_page=100", Reply::status(500));
        s.route(
            "/gh/user/memberships/orgs?state=active&per_page=100",
            Reply::status(429).header("retry-after", "999"),
        );
        s.route("/gl/api/v4/user", Reply::raw(200, "{"));
        s.route("/gl/api/v4/personal_access_tokens/self", Reply::status(401));
        s.json("/npm/-/whoami", json!({"username": "fake"}));
        s.route("/npm/-/npm/v1/user", Reply::status(403));
        s.json(
            "/npm/-/v1/search?text=maintainer:fake&size=250&from=0",
            json!({"objects": [{"package": {"name": "p"}}], "total": 1}),
        );
        s.json("/npm/p", json!({"maintainers": [{"name": "fake"}]}));
        s.json(
            "/pypi/pypi/proj/json",
            json!({"ownership": {"roles": [{"role": "Owner", "user": "fake"}]}}),
        );
        s.json("/rg/api/v1/owners/fake/gems.json", json!([{"name": "g"}]));
        s.route("/rg/api/v1/gems/g/owners.json", Reply::status(500));
        s.json("/cr/api/v1/users/fake", json!({"user": {"id": 1}}));
        s.json(
            "/cr/api/v1/crates?user_id=1&per_page=100&page=1",
            json!({"crates": [{"name": "c"}], "meta": {"total": 1}}),
        );
        s.json(
            "/cr/api/v1/crates/c/owners",
            json!({"users": [{"login": "fake", "kind": "user"}, {"login": "x", "kind": "user"}]}),
        );

        let urls: Vec<(String, String)> = [
            ("GITHUB", "/gh"),
            ("GITLAB", "/gl"),
            ("NPM", "/npm"),
            ("PYPI", "/pypi"),
            ("RUBYGEMS", "/rg"),
            ("CRATES", "/cr"),
        ]
        .iter()
        .map(|(p, path)| (format!("LOCKSTEP_{p}_URL"), s.url(path)))
        .collect();
        let mut env: Vec<(&str, &str)> =
            urls.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        env.extend([
            ("LOCKSTEP_PYPI_PROJECTS", "proj"),
            ("LOCKSTEP_RUBYGEMS_USER", "fake"),
            ("LOCKSTEP_CRATES_USER", "fake"),
        ]);
        let tokens = [
            (Platform::Github, canary("ghp_")),
            (Platform::Gitlab, canary("glpat-")),
            (Platform::Npm, canary("npm_")),
            (Platform::Pypi, canary("pypi-")),
            (Platform::Rubygems, canary("rubygems_")),
            (Platform::Crates, canary("cio")),
        ];
        let token_refs: Vec<(Platform, &str)> =
            tokens.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let c = ctx(&env, &token_refs);
        assert_clean(&format!("{c:?}"));
        let groups = [
            Group::Account(Platform::Github),
            Group::Account(Platform::Gitlab),
            Group::Account(Platform::Npm),
            Group::Account(Platform::Pypi),
            Group::Account(Platform::Rubygems),
            Group::Account(Platform::Crates),
        ];
        let results = run(c, &groups).await;
        let expected = groups
            .iter()
            .map(|g| lockstep_core::check_registry::in_group(*g).count())
            .sum::<usize>();
        assert_eq!(results.len(), expected, "every live check reported");
        let values: Vec<_> = results.values().collect();
        assert_clean(&serde_json::to_string(&values).unwrap());
        assert_clean(&format!("{values:?}"));
        assert_clean(&format!("{values:#?}"));
        // The canary reached the configured hosts' auth endpoints and never the other origin.
        assert!(s.auth_values().iter().any(|a| a.contains(CANARY)));
        assert!(other.auth_values().is_empty());
        assert!(
            s.seen()
                .iter()
                .filter(|x| x.path.starts_with("/pypi")
                    || x.path.starts_with("/rg")
                    || x.path.starts_with("/cr"))
                .all(|x| x.authorization.is_none()),
            "public-data platforms get no token"
        );

        // Every error kind's Display and Debug.
        let api = ApiClient::new(
            &s.url("/gh"),
            Some(Secret::new(canary("ghp_"))),
            Auth::Bearer,
            Duration::from_millis(300),
        )
        .unwrap();
        s.route(
            "/gh/slow",
            Reply::json(json!({})).delay(Duration::from_secs(2)),
        );
        for path in [
            "/user/emails?per_page=100",
            "/user/keys?per_page=100",
            "/user/gpg_keys?per_page=100",
            "/user/memberships/orgs?state=active&per_page=100",
            "/slow",
            "/missing",
        ] {
            let err = match api.get(path).await {
                Ok(r) => r.json::<Vec<u8>>().unwrap_err(),
                Err(e) => e,
            };
            assert_clean(&format!("{err} {err:?}"));
        }
        assert_clean(&format!("{api:?}"));
        for p in Platform::all() {
            let base = match p {
                Platform::Github => s.url("/gh"),
                Platform::Gitlab => s.url("/gl"),
                _ => s.url("/nothing"),
            };
            let out = inspect(
                p,
                &base,
                &Secret::new(canary("x")),
                Duration::from_secs(1),
                now(),
            )
            .await;
            assert_clean(&format!("{out:?}"));
            if let Ok(caps) = out {
                assert_clean(&serde_json::to_string(&caps).unwrap());
            }
        }
    }

    #[tokio::test]
    async fn inspect_reports_scopes_expiry_and_warnings() {
        let s = TestServer::start().await;
        s.route(
            "/user",
            Reply::json(json!({"login": "fake-user"}))
                .header("x-oauth-scopes", "repo, read:org, write:org")
                .header(
                    "github-authentication-token-expiration",
                    "2026-11-30 10:00:00 UTC",
                ),
        );
        let caps = inspect(
            Platform::Github,
            &s.url(""),
            &Secret::new("ghp_fake"),
            Duration::from_secs(2),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(caps.user.as_deref(), Some("fake-user"));
        assert_eq!(caps.scopes, vec!["repo", "read:org", "write:org"]);
        assert_eq!(caps.expires_at.as_deref(), Some("2026-11-30"));
        assert_eq!(
            caps.warnings,
            vec![
                "can do more than Lockstep needs: repo, write:org",
                "expires in 4 days"
            ]
        );

        let s = TestServer::start().await;
        s.json("/api/v4/user", json!({"username": "fake-gl"}));
        s.json(
            "/api/v4/personal_access_tokens/self",
            json!({"scopes": ["read_user"], "expires_at": "2027-01-31"}),
        );
        let caps = inspect(
            Platform::Gitlab,
            &s.url(""),
            &Secret::new("glpat-fake"),
            Duration::from_secs(2),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(
            (
                caps.user.as_deref(),
                caps.scopes.clone(),
                caps.expires_at.as_deref()
            ),
            (
                Some("fake-gl"),
                vec!["read_user".to_string()],
                Some("2027-01-31")
            )
        );
        assert!(caps.warnings.is_empty());

        let s = TestServer::start().await;
        s.route("/user", Reply::status(401));
        let err = inspect(
            Platform::Github,
            &s.url(""),
            &Secret::new("ghp_fake"),
            Duration::from_secs(2),
            now(),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("HTTP 401"));

        let s = TestServer::start().await;
        s.json("/-/whoami", json!({"username": "fake-npm"}));
        s.json(
            "/api/v3/subscription/status",
            json!({"SubscriptionName": "Pwned 1", "SubscribedUntil": "2026-12-01T00:00:00"}),
        );
        let caps = inspect(
            Platform::Npm,
            &s.url(""),
            &Secret::new("npm_fake"),
            Duration::from_secs(2),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(caps.user.as_deref(), Some("fake-npm"));
        let caps = inspect(
            Platform::Hibp,
            &s.url(""),
            &Secret::new("hibpfake"),
            Duration::from_secs(2),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(caps.expires_at.as_deref(), Some("2026-12-01"));
        assert_eq!(caps.warnings, vec!["expires in 5 days"]);
        assert!(
            s.seen()
                .iter()
                .all(|x| x.authorization.as_deref() != Some("hibpfake")),
            "HIBP's key goes in hibp-api-key"
        );

        // PyPI: decoded offline, never sent (the base URL is unreachable on purpose).
        let tokens: std::collections::BTreeMap<String, String> =
            serde_json::from_str(include_str!("../fixtures/pypi/tokens.json")).unwrap();
        let caps = inspect(
            Platform::Pypi,
            "https://unreachable.invalid",
            &Secret::new(tokens["user_wide"].clone()),
            Duration::from_secs(1),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(caps.scopes, vec!["all projects (user-wide)"]);
        assert_eq!(caps.warnings.len(), 1);
        let caps = inspect(
            Platform::Pypi,
            "https://unreachable.invalid",
            &Secret::new(tokens["project_scoped"].clone()),
            Duration::from_secs(1),
            now(),
        )
        .await
        .unwrap();
        assert_eq!(caps.scopes, vec!["project:lockstep-fake-project"]);
        assert!(token_page(Platform::Pypi).contains("pypi.org"));
    }
}
