//! GitLab checks against a scripted loopback server, including a self-managed install under a path.

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::*;
    use lockstep_core::platform::{Group, Platform};
    use serde_json::json;
    use support::{assert_status, ctx, run, Reply, TestServer};

    const TOKEN: &str = "glpat-fakefakefakefakefake";
    const P: &str = "/gitlab";

    fn gl_ctx(s: &TestServer) -> lockstep_core::engine::CheckContext {
        let url = s.url(P);
        ctx(
            &[("LOCKSTEP_GITLAB_URL", url.as_str())],
            &[(Platform::Gitlab, TOKEN)],
        )
    }

    #[tokio::test]
    async fn two_factor_on_and_read_only_token_pass() {
        let s = TestServer::start().await;
        s.json(
            "/gitlab/api/v4/user",
            json!({"username": "fake-user", "two_factor_enabled": true}),
        );
        s.json(
            "/gitlab/api/v4/personal_access_tokens/self",
            json!({"scopes": ["read_user"], "expires_at": "2027-03-01", "active": true}),
        );
        let r = run(gl_ctx(&s), &[Group::Gitlab]).await;
        assert_status(&r, "gitlab.two_factor", Pass);
        assert_status(&r, "gitlab.token_scope", Pass);
        assert_eq!(
            r["gitlab.token_scope"].observed.expires["gitlab token"],
            "2027-03-01"
        );
        // GitLab gets the token in PRIVATE-TOKEN, never in Authorization.
        let seen = s.seen();
        assert!(seen
            .iter()
            .all(|x| x.private_token.as_deref() == Some(TOKEN) && x.authorization.is_none()));
    }

    /// A project or group access token: `/user` is its bot user (whose 2FA says nothing about
    /// you) and `/personal_access_tokens/self` answers 400. Both are explained, neither fails.
    #[tokio::test]
    async fn a_project_token_is_explained_not_judged() {
        let s = TestServer::start().await;
        s.json(
            "/gitlab/api/v4/user",
            json!({"username": "project_7_bot_fake", "two_factor_enabled": false, "bot": true}),
        );
        s.route(
            "/gitlab/api/v4/personal_access_tokens/self",
            Reply::raw(400, r#"{"message":"400 Bad request"}"#),
        );
        let r = run(gl_ctx(&s), &[Group::Gitlab]).await;
        assert_status(&r, "gitlab.two_factor", Unknown);
        assert!(
            r["gitlab.two_factor"]
                .summary
                .contains("bot user project_7_bot_fake"),
            "{}",
            r["gitlab.two_factor"].summary
        );
        assert_status(&r, "gitlab.token_scope", Unknown);
        let sum = &r["gitlab.token_scope"].summary;
        assert!(
            sum.contains("not a personal access token") && !sum.contains("did not expect"),
            "{sum}"
        );
    }

    #[tokio::test]
    async fn two_factor_off_and_broad_expiring_token() {
        let s = TestServer::start().await;
        s.json(
            "/gitlab/api/v4/user",
            json!({"username": "fake-user", "two_factor_enabled": false}),
        );
        s.json("/gitlab/api/v4/personal_access_tokens/self", json!({"scopes": ["api", "read_user", "write_repository"], "expires_at": "2026-12-01", "active": true}));
        let r = run(gl_ctx(&s), &[Group::Gitlab]).await;
        assert_status(&r, "gitlab.two_factor", Fail);
        assert_status(&r, "gitlab.token_scope", Warn);
        let sum = &r["gitlab.token_scope"].summary;
        assert!(
            sum.contains("api, write_repository") && sum.contains("expires in 5 days"),
            "{sum}"
        );
    }

    #[tokio::test]
    async fn server_error_and_malformed_json_are_unknown() {
        let s = TestServer::start().await;
        s.route("/gitlab/api/v4/user", Reply::status(500));
        s.route(
            "/gitlab/api/v4/personal_access_tokens/self",
            Reply::raw(200, "<html>login</html>"),
        );
        let r = run(gl_ctx(&s), &[Group::Gitlab]).await;
        assert_status(&r, "gitlab.two_factor", Unknown);
        assert!(r["gitlab.two_factor"].summary.contains("HTTP 500"));
        assert_status(&r, "gitlab.token_scope", Unknown);
        assert!(r["gitlab.token_scope"].summary.contains("could not read"));
    }

    #[tokio::test]
    async fn insecure_base_url_is_refused_without_sending_anything() {
        let c = ctx(
            &[("LOCKSTEP_GITLAB_URL", "http://gitlab.example.test")],
            &[(Platform::Gitlab, TOKEN)],
        );
        let r = run(c, &[Group::Gitlab]).await;
        assert_status(&r, "gitlab.two_factor", Unknown);
        assert!(r["gitlab.two_factor"]
            .summary
            .contains("only sends requests over HTTPS"));
    }
}
