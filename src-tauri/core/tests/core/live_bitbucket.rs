//! Bitbucket Cloud checks against a loopback server serving Atlassian's own OpenAPI examples
//! (files and sources in `fixtures/platforms/SOURCES.md`).

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use base64::Engine as _;
    use lockstep_core::check::Status::*;
    use lockstep_core::platform::{Group, Platform};
    use support::{assert_status, ctx, run, Reply, TestServer};

    const EMAIL: &str = "fake-user@example.com";
    const TOKEN: &str = "fake-user@example.com:ATATTfakefakefakefake";
    /// The description's base is `https://api.bitbucket.org/2.0`; the test server's is `/2.0`.
    const USER: &str = "/2.0/user";
    const WORKSPACES: &str = "/2.0/user/workspaces?administrator=true&pagelen=100";
    const OWNERS: &str =
        "/2.0/workspaces/bbworkspace1/permissions?q=permission%3D%22owner%22&pagelen=100";
    const READ_ONLY: &str = "read:user:bitbucket, read:workspace:bitbucket";

    /// A payload from `fixtures/platforms/bitbucket/`, with Bitbucket's own address in `next`
    /// links replaced by the test server's (Lockstep follows links only under its base).
    fn fixture(s: &TestServer, name: &str) -> Reply {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/platforms/bitbucket")
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = text.replace("https://api.bitbucket.org/2.0", &s.url("/2.0"));
        Reply::raw(200, &text).header("content-type", "application/json")
    }

    fn bb_ctx(s: &TestServer, token: &str) -> lockstep_core::engine::CheckContext {
        let url = s.url("/2.0");
        ctx(
            &[("LOCKSTEP_BITBUCKET_URL", url.as_str())],
            &[(Platform::Bitbucket, token)],
        )
    }

    /// The account, the one administered workspace and its permissions.
    fn serve(s: &TestServer, user: &str, permissions: &str) {
        s.route(USER, fixture(s, user).header("x-oauth-scopes", READ_ONLY));
        s.route(WORKSPACES, fixture(s, "user-workspaces.json"));
        s.route(OWNERS, fixture(s, permissions));
    }

    #[tokio::test]
    async fn two_factor_on_a_read_only_token_and_two_owners_pass() {
        let s = TestServer::start().await;
        serve(
            &s,
            "user-2fa-on.json",
            "workspace-permissions-two-owners.json",
        );
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.two_factor", Pass);
        assert_status(&r, "bitbucket.token_scope", Pass);
        let admins = &r["bitbucket.workspace_admins"];
        assert_eq!(admins.status, Pass, "{admins:#?}");
        assert_eq!(
            admins.observed.owners["bbworkspace1"],
            ["Erik van Zijst", "Sean Conaty"]
        );
        // Basic auth with the email as user name, to the configured host only.
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(TOKEN)
        );
        let seen = s.seen();
        assert_eq!(seen.len(), 3, "{seen:#?}");
        assert!(seen
            .iter()
            .all(|x| x.authorization.as_deref() == Some(basic.as_str())));
        assert!(TOKEN.starts_with(EMAIL));
    }

    #[tokio::test]
    async fn two_factor_off_fails_and_a_hidden_status_is_unknown() {
        let s = TestServer::start().await;
        serve(
            &s,
            "user-2fa-off.json",
            "workspace-permissions-two-owners.json",
        );
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.two_factor", Fail);
        assert!(r["bitbucket.two_factor"].summary.contains("tutorials"));

        // The description's own user example carries no `has_2fa_enabled`.
        let s = TestServer::start().await;
        serve(
            &s,
            "user-tutorials.json",
            "workspace-permissions-two-owners.json",
        );
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.two_factor", Unknown);
        assert!(
            r["bitbucket.two_factor"]
                .summary
                .contains("has_2fa_enabled"),
            "{:#?}",
            r["bitbucket.two_factor"]
        );
    }

    #[tokio::test]
    async fn one_owner_fails_and_four_owners_warn() {
        let s = TestServer::start().await;
        // The verbatim example: one owner, one member.
        serve(
            &s,
            "user-2fa-on.json",
            "workspace-permissions-owner-and-member.json",
        );
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.workspace_admins", Fail);
        let ev = r["bitbucket.workspace_admins"].evidence.join("\n");
        assert!(
            ev.contains("bbworkspace1: 1 owner (Erik van Zijst)") && !ev.contains("Sean"),
            "{ev}"
        );

        let s = TestServer::start().await;
        serve(
            &s,
            "user-2fa-on.json",
            "workspace-permissions-four-owners.json",
        );
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.workspace_admins", Warn);
        assert!(r["bitbucket.workspace_admins"]
            .evidence
            .join("\n")
            .contains("more than 3 owners"));
    }

    #[tokio::test]
    async fn owners_on_a_second_page_are_counted() {
        let s = TestServer::start().await;
        serve(&s, "user-2fa-on.json", "workspace-permissions-page1.json");
        s.route(
            "/2.0/workspaces/bbworkspace1/permissions?page=2",
            fixture(&s, "workspace-permissions-page2.json"),
        );
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        // Erik (page 1) and Jeff (page 2): two owners, not one.
        assert_status(&r, "bitbucket.workspace_admins", Pass);
        assert_eq!(s.hits("/2.0/workspaces/bbworkspace1/permissions?page=2"), 1);
    }

    #[tokio::test]
    async fn a_next_link_to_another_host_is_not_followed() {
        let s = TestServer::start().await;
        serve(
            &s,
            "user-2fa-on.json",
            "workspace-permissions-owner-and-member.json",
        );
        let page = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/platforms/bitbucket/workspace-permissions-page1.json"),
        )
        .unwrap();
        // Left pointing at api.bitbucket.org: never followed, so the token never goes there.
        s.route(OWNERS, Reply::raw(200, &page));
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.workspace_admins", Fail);
        assert_eq!(s.seen().len(), 3);
    }

    #[tokio::test]
    async fn no_administered_workspace_is_skipped() {
        let s = TestServer::start().await;
        s.route(USER, fixture(&s, "user-2fa-on.json"));
        s.route(WORKSPACES, fixture(&s, "user-workspaces-none.json"));
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.workspace_admins", Skipped);
    }

    #[tokio::test]
    async fn scopes_unlisted_are_unknown_and_broad_scopes_warn() {
        let s = TestServer::start().await;
        s.route(USER, fixture(&s, "user-2fa-on.json"));
        s.route(WORKSPACES, fixture(&s, "user-workspaces-none.json"));
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.token_scope", Unknown);
        let sum = &r["bitbucket.token_scope"].summary;
        assert!(
            sum.contains("read:user:bitbucket") && sum.contains("id.atlassian.com"),
            "{sum}"
        );

        let s = TestServer::start().await;
        s.route(
            USER,
            fixture(&s, "user-2fa-on.json").header(
                "x-oauth-scopes",
                "read:user:bitbucket, write:repository:bitbucket, admin:workspace:bitbucket",
            ),
        );
        s.route(WORKSPACES, fixture(&s, "user-workspaces-none.json"));
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.token_scope", Warn);
        let sum = &r["bitbucket.token_scope"].summary;
        assert!(
            sum.contains("write:repository:bitbucket, admin:workspace:bitbucket"),
            "{sum}"
        );
    }

    #[tokio::test]
    async fn a_revoked_token_a_rate_limit_and_malformed_json_are_unknown() {
        let s = TestServer::start().await;
        s.route(USER, Reply::status(401));
        s.route(WORKSPACES, Reply::status(401));
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        for id in [
            "bitbucket.two_factor",
            "bitbucket.token_scope",
            "bitbucket.workspace_admins",
        ] {
            assert_status(&r, id, Unknown);
            assert!(r[id].summary.contains("rejected the token"), "{:#?}", r[id]);
        }

        let s = TestServer::start().await;
        s.route(USER, Reply::status(429));
        s.route(WORKSPACES, fixture(&s, "user-workspaces.json"));
        s.route(OWNERS, Reply::raw(200, "{\"values\": [ {\"permission\": "));
        let r = run(bb_ctx(&s, TOKEN), &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.two_factor", Unknown);
        assert!(r["bitbucket.two_factor"]
            .summary
            .contains("limiting requests"));
        assert_status(&r, "bitbucket.workspace_admins", Unknown);
        assert!(
            r["bitbucket.workspace_admins"]
                .summary
                .contains("not valid JSON"),
            "{:#?}",
            r["bitbucket.workspace_admins"]
        );
    }

    #[tokio::test]
    async fn a_token_without_the_email_is_refused_before_anything_is_sent() {
        let s = TestServer::start().await;
        serve(
            &s,
            "user-2fa-on.json",
            "workspace-permissions-two-owners.json",
        );
        let r = run(
            bb_ctx(&s, "ATATTfakefakefakefake"),
            &[Group::Account(Platform::Bitbucket)],
        )
        .await;
        for id in [
            "bitbucket.two_factor",
            "bitbucket.token_scope",
            "bitbucket.workspace_admins",
        ] {
            assert_status(&r, id, Unknown);
            assert!(r[id].summary.contains("you@example.com:"), "{:#?}", r[id]);
        }
        assert!(s.seen().is_empty());
    }

    #[tokio::test]
    async fn no_token_skips_every_check_and_says_where_to_make_one() {
        let s = TestServer::start().await;
        let url = s.url("/2.0");
        let c = ctx(&[("LOCKSTEP_BITBUCKET_URL", url.as_str())], &[]);
        let r = run(c, &[Group::Account(Platform::Bitbucket)]).await;
        assert_status(&r, "bitbucket.two_factor", Skipped);
        assert!(r["bitbucket.two_factor"]
            .summary
            .contains("id.atlassian.com/manage-profile/security/api-tokens"));
        assert!(s.seen().is_empty());
    }
}
