//! GitHub checks against a scripted loopback server (base URL with a path, like GHES).

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::{self, *};
    use lockstep_core::platform::{Group, Platform};
    use serde_json::{json, Value};
    use support::{assert_status, ctx, run, Reply, TestServer};

    const TOKEN: &str = "ghp_faketesttoken0000000000000000000000";
    const P: &str = "/api/v3";

    fn p(path: &str) -> String {
        format!("{P}{path}")
    }

    const CLASSIC: &str =
        "read:org, user:email, read:gpg_key, read:public_key, read:ssh_signing_key";

    /// The memberships list as GitHub sends it to a classic token (with `X-OAuth-Scopes`).
    fn memberships(s: &TestServer, v: Value) {
        s.route(
            &p("/user/memberships/orgs?state=active&per_page=100"),
            Reply::json(v).header("x-oauth-scopes", CLASSIC),
        );
    }

    fn logins(names: &[&str]) -> Value {
        Value::Array(names.iter().map(|n| json!({"login": n})).collect())
    }

    /// One organization: its requirement flag (absent when `None`, as read:org sees it), its
    /// members without 2FA, with SMS only, and its owners.
    fn org(
        s: &TestServer,
        name: &str,
        required: Option<bool>,
        without: &[&str],
        sms_only: &[&str],
        admins: &[&str],
    ) {
        let info = match required {
            Some(r) => json!({"login": name, "two_factor_requirement_enabled": r}),
            None => json!({"login": name}),
        };
        s.json(&p(&format!("/orgs/{name}")), info);
        s.json(
            &p(&format!(
                "/orgs/{name}/members?filter=2fa_disabled&per_page=100"
            )),
            logins(without),
        );
        s.json(
            &p(&format!(
                "/orgs/{name}/members?filter=2fa_insecure&per_page=100"
            )),
            logins(sms_only),
        );
        s.json(
            &p(&format!("/orgs/{name}/members?role=admin&per_page=100")),
            logins(admins),
        );
    }

    /// A healthy account: 2FA on, gmail primary, a usable SSH signing key, an sk- key, one owned
    /// org with 2FA required and 2 owners, a read-only classic token expiring in 30 days.
    fn healthy(s: &TestServer) {
        s.route(
            &p("/user"),
            Reply::json(json!({"login": "octo-fake", "two_factor_authentication": true}))
                .header(
                    "x-oauth-scopes",
                    "read:org, user:email, read:gpg_key, read:public_key, read:ssh_signing_key",
                )
                .header(
                    "github-authentication-token-expiration",
                    "2026-12-25 10:00:00 UTC",
                ),
        );
        s.json(
            &p("/user/emails?per_page=100"),
            json!([
                {"email": "octo-fake@gmail.com", "primary": true, "verified": true},
                {"email": "octo-fake@proton.me", "primary": false, "verified": true},
                {"email": "octo@fake-own-domain.test", "primary": false, "verified": false}
            ]),
        );
        s.json(&p("/user/gpg_keys?per_page=100"), json!([]));
        s.json(&p("/user/ssh_signing_keys?per_page=100"), json!([
            {"id": 1, "title": "laptop", "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJlcjQ9IN0o13XXm2CuMJEOFifg7mfEe60KpaBrBpE8l fake"}
        ]));
        s.json(&p("/user/keys?per_page=100"), json!([
            {"id": 2, "title": "yubikey", "key": "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIFake"}
        ]));
        memberships(
            s,
            json!([
                {"state": "active", "role": "admin", "organization": {"login": "fake-org"}},
                {"state": "active", "role": "member", "organization": {"login": "not-mine"}},
                {"state": "pending", "role": "admin", "organization": {"login": "invited-org"}}
            ]),
        );
        org(s, "fake-org", Some(true), &[], &[], &["a", "b"]);
    }

    fn gh_ctx(s: &TestServer) -> lockstep_core::engine::CheckContext {
        let url = s.url(P);
        ctx(
            &[("LOCKSTEP_GITHUB_URL", url.as_str())],
            &[(Platform::Github, TOKEN)],
        )
    }

    #[tokio::test]
    async fn healthy_account_passes_everything_under_a_base_path() {
        let s = TestServer::start().await;
        healthy(&s);
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        for id in [
            "github.two_factor",
            "github.email",
            "github.signing_keys",
            "github.hardware_keys",
            "github.org_two_factor",
            "github.org_owners",
            "github.token_scope",
        ] {
            assert_status(&r, id, Pass);
        }
        assert_eq!(
            r["github.token_scope"].observed.expires["github token"],
            "2026-12-25"
        );
        assert_eq!(
            r["github.email"].observed.emails.len(),
            3,
            "all account emails are recorded for email.domain"
        );
        assert_eq!(
            r["github.org_owners"].observed.owners["fake-org"],
            vec!["a", "b"]
        );
        // Same fingerprint `ssh-keygen -lf` prints for this throwaway public key.
        assert_eq!(
            r["github.signing_keys"].observed.keys,
            vec!["ssh:laptop ssh-ed25519 SHA256:P+I42ju1+TrIOH2gFN8lpljNyFRESmHCD9e6Y6Xce6A"]
        );
        // The token went to every request, as a Bearer header, and only there.
        assert!(s
            .auth_values()
            .iter()
            .all(|a| a == &format!("Bearer {TOKEN}")));
        assert_eq!(s.auth_values().len(), s.seen().len());
    }

    #[tokio::test]
    async fn two_factor_off_own_domain_no_keys_weak_org_and_broad_expiring_token() {
        let s = TestServer::start().await;
        healthy(&s);
        s.route(
            &p("/user"),
            Reply::json(json!({"login": "octo-fake", "two_factor_authentication": false}))
                .header("x-oauth-scopes", "repo, read:org, delete_repo")
                .header(
                    "github-authentication-token-expiration",
                    "2026-11-30 10:00:00 UTC",
                ),
        );
        s.json(
            &p("/user/emails?per_page=100"),
            json!([{"email": "me@fake-own-domain.test", "primary": true}]),
        );
        s.json(&p("/user/gpg_keys?per_page=100"), json!([
            {"key_id": "FAKE0000DEADBEEF", "can_sign": true, "revoked": true, "expires_at": null},
            {"key_id": "FAKE0000EXPIRED0", "can_sign": true, "revoked": false, "expires_at": "2025-01-01T00:00:00Z"}
        ]));
        s.json(&p("/user/ssh_signing_keys?per_page=100"), json!([]));
        s.json(
            &p("/user/keys?per_page=100"),
            json!([{"id": 3, "title": "plain", "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFake"}]),
        );
        memberships(
            &s,
            json!([
                {"role": "admin", "organization": {"login": "solo-org"}},
                {"role": "admin", "organization": {"login": "crowded-org"}},
                {"role": "admin", "organization": {"login": "fake-org"}}
            ]),
        );
        org(&s, "solo-org", Some(false), &["nofa"], &[], &["me"]);
        org(
            &s,
            "crowded-org",
            Some(true),
            &[],
            &["sms-user"],
            &["a", "b", "c", "d", "e"],
        );
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.two_factor", Fail);
        assert_status(&r, "github.email", Warn);
        assert_status(&r, "github.signing_keys", Warn);
        assert_status(&r, "github.hardware_keys", Warn);
        assert!(r["github.hardware_keys"]
            .summary
            .contains("not visible through the API"));
        assert_status(&r, "github.org_two_factor", Fail);
        let o2 = &r["github.org_two_factor"];
        assert!(
            o2.summary.contains("without 2FA in solo-org"),
            "{}",
            o2.summary
        );
        let ev = o2.evidence.join("\n");
        assert!(
            ev.contains("solo-org: 1 member without 2FA: nofa; 2FA is NOT required")
                && ev.contains("crowded-org: 1 member whose only 2FA is SMS: sms-user")
                && ev.contains("fake-org: every member has 2FA; 2FA is required"),
            "{ev}"
        );
        assert!(
            o2.remediation
                .iter()
                .any(|x| x.contains("lose access until they enable it")),
            "{:?}",
            o2.remediation
        );
        assert_status(&r, "github.org_owners", Warn);
        let ev = r["github.org_owners"].evidence.join("\n");
        assert!(
            ev.contains("solo-org: 1 owner")
                && ev.contains("crowded-org: 5 owners")
                && ev.contains("fake-org: 2 owners"),
            "{ev}"
        );
        assert_status(&r, "github.token_scope", Warn);
        let sum = &r["github.token_scope"].summary;
        assert!(
            sum.contains("repo, delete_repo") && sum.contains("expires in 4 days"),
            "{sum}"
        );
    }

    #[tokio::test]
    async fn fine_grained_token_hides_two_factor_and_passes_scope() {
        let s = TestServer::start().await;
        healthy(&s);
        s.json(&p("/user"), json!({"login": "octo-fake"}));
        s.route(
            &p("/user/memberships/orgs?state=active&per_page=100"),
            Reply::status(403),
        );
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.two_factor", Unknown);
        assert!(r["github.two_factor"].summary.contains("`user` scope"));
        assert_status(&r, "github.token_scope", Pass);
        assert!(r["github.token_scope"]
            .evidence
            .iter()
            .any(|e| e.contains("Fine-grained")));
        // 403 without rate-limit headers: unknown, naming the permission needed.
        assert_status(&r, "github.org_two_factor", Unknown);
        assert!(
            r["github.org_two_factor"].summary.contains("read:org"),
            "{}",
            r["github.org_two_factor"].summary
        );
    }

    #[tokio::test]
    async fn rejected_token_makes_every_check_unknown_not_fail() {
        let s = TestServer::start().await;
        // No routes but a 401 everywhere the probe asks.
        for path in [
            "/user",
            "/user/emails?per_page=100",
            "/user/gpg_keys?per_page=100",
            "/user/ssh_signing_keys?per_page=100",
            "/user/keys?per_page=100",
            "/user/memberships/orgs?state=active&per_page=100",
            "/user/repos?per_page=100&affiliation=owner,organization_member",
        ] {
            s.route(&p(path), Reply::status(401));
        }
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_eq!(r.len(), 8);
        for (id, res) in &r {
            assert_eq!(res.status, Status::Unknown, "{id}");
            assert!(
                res.summary.contains("rejected the token (HTTP 401)"),
                "{id}: {}",
                res.summary
            );
        }
    }

    #[tokio::test]
    async fn no_token_skips_and_keychain_error_is_unknown() {
        let r = run(ctx(&[], &[]), &[Group::Account(Platform::Github)]).await;
        for res in r.values() {
            assert_eq!(res.status, Skipped);
            assert!(
                res.summary
                    .contains("https://github.com/settings/personal-access-tokens/new"),
                "{}",
                res.summary
            );
        }
        let mut c = ctx(&[], &[]);
        c.token_errors
            .insert(Platform::Github, "the keychain is locked.".into());
        let r = run(c, &[Group::Account(Platform::Github)]).await;
        for res in r.values() {
            assert_eq!(res.status, Unknown);
            assert!(res.summary.contains("keychain is locked"));
        }
    }

    #[tokio::test]
    async fn redirect_to_another_host_never_carries_the_token() {
        let s = TestServer::start().await;
        let other = TestServer::start().await;
        healthy(&s);
        // /user/keys moves to another origin (another port on loopback is another origin).
        s.route(
            &p("/user/keys?per_page=100"),
            Reply::redirect(&other.url("/keys")),
        );
        other.json(
            "/keys",
            json!([{"id": 2, "title": "yubikey", "key": "sk-ssh-ed25519@openssh.com AAAAFake"}]),
        );
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.hardware_keys", Pass);
        assert_eq!(other.hits("/keys"), 1, "the redirect was followed");
        assert!(
            other.auth_values().is_empty(),
            "token leaked to another origin: {:?}",
            other.seen()
        );
        assert!(
            s.auth_values().iter().any(|a| a.contains(TOKEN)),
            "the token did reach the configured host"
        );
    }

    #[tokio::test]
    async fn a_401_from_the_redirect_target_does_not_blame_the_token() {
        let s = TestServer::start().await;
        let other = TestServer::start().await;
        healthy(&s);
        s.route(
            &p("/user/keys?per_page=100"),
            Reply::redirect(&other.url("/keys")),
        );
        other.route("/keys", Reply::status(401));
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        let keys = &r["github.hardware_keys"];
        assert_eq!(keys.status, Unknown, "{keys:?}");
        assert!(
            !keys.summary.contains("rejected the token"),
            "no token went to that host, so it cannot have been rejected: {}",
            keys.summary
        );
        assert!(other.auth_values().is_empty());
    }

    #[tokio::test]
    async fn pagination_follows_link_headers_within_the_base() {
        let s = TestServer::start().await;
        healthy(&s);
        let next = s.url(&p("/user/keys?per_page=100&page=2"));
        s.route(
            &p("/user/keys?per_page=100"),
            Reply::json(json!([{"id": 1, "title": "plain", "key": "ssh-rsa AAAAB3NzaC1yc2EFake"}]))
                .header("link", &format!("<{next}>; rel=\"next\"")),
        );
        s.json(
            &p("/user/keys?per_page=100&page=2"),
            json!([{"id": 2, "title": "hw", "key": "sk-ecdsa-sha2-nistp256@openssh.com AAAAFake"}]),
        );
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.hardware_keys", Pass);
        assert_eq!(s.hits(&p("/user/keys?per_page=100&page=2")), 1);
    }

    #[tokio::test]
    async fn rate_limit_short_retry_succeeds_long_retry_is_unknown() {
        let s = TestServer::start().await;
        healthy(&s);
        s.sequence(
            &p("/user/emails?per_page=100"),
            vec![
                Reply::status(429).header("retry-after", "1"),
                Reply::json(json!([{"email": "x@gmail.com", "primary": true}])),
            ],
        );
        s.route(
            &p("/user/keys?per_page=100"),
            Reply::status(429).header("retry-after", "3600"),
        );
        s.route(
            &p("/user/memberships/orgs?state=active&per_page=100"),
            Reply::status(500),
        );
        s.route(
            &p("/user/gpg_keys?per_page=100"),
            Reply::raw(200, "{not json"),
        );
        s.route(
            &p("/user/ssh_signing_keys?per_page=100"),
            Reply::raw(200, "[]"),
        );
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.email", Pass);
        assert_eq!(s.hits(&p("/user/emails?per_page=100")), 2);
        assert_status(&r, "github.hardware_keys", Unknown);
        assert!(r["github.hardware_keys"]
            .summary
            .contains("limiting requests"));
        assert_status(&r, "github.org_two_factor", Unknown);
        assert_status(&r, "github.org_owners", Unknown);
        assert!(r["github.org_owners"].summary.contains("server error"));
        assert_status(&r, "github.signing_keys", Unknown);
        assert!(
            r["github.signing_keys"].summary.contains("could not read"),
            "{}",
            r["github.signing_keys"].summary
        );
    }

    #[tokio::test]
    async fn org_2fa_pass_does_not_claim_an_org_it_could_not_check() {
        let s = TestServer::start().await;
        healthy(&s);
        memberships(
            &s,
            json!([
                {"role": "admin", "organization": {"login": "fake-org"}},
                {"role": "admin", "organization": {"login": "down-org"}}
            ]),
        );
        s.route(&p("/orgs/down-org"), Reply::status(502));
        s.route(
            &p("/orgs/down-org/members?filter=2fa_disabled&per_page=100"),
            Reply::status(502),
        );
        s.json(
            &p("/orgs/down-org/members?role=admin&per_page=100"),
            json!([{"login": "a"}, {"login": "b"}]),
        );
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.org_two_factor", Pass);
        let summary = &r["github.org_two_factor"].summary;
        assert!(
            summary.contains("organizations Lockstep could check")
                && summary.contains("Not checked: down-org"),
            "{summary}"
        );
    }

    /// With read:org as an owner, GitHub hides the requirement flag but lists who lacks 2FA:
    /// the check answers from the lists and never asks for admin:org.
    #[tokio::test]
    async fn read_org_answers_without_the_requirement_flag() {
        let s = TestServer::start().await;
        healthy(&s);
        org(&s, "fake-org", None, &[], &[], &["a", "b"]);
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.org_two_factor", Pass);
        let o = &r["github.org_two_factor"];
        assert!(
            o.evidence[0].contains("every member has 2FA")
                && o.evidence[0].contains("not visible to this token"),
            "{:?}",
            o.evidence
        );
        assert!(!o.summary.contains("admin:org"), "{}", o.summary);
    }

    /// A fine-grained token reaches one organization: the others are named with the reason.
    #[tokio::test]
    async fn fine_grained_token_names_the_orgs_it_cannot_reach() {
        let s = TestServer::start().await;
        healthy(&s);
        // No X-OAuth-Scopes: a fine-grained token.
        s.json(
            &p("/user/memberships/orgs?state=active&per_page=100"),
            json!([
                {"role": "admin", "organization": {"login": "fake-org"}},
                {"role": "admin", "organization": {"login": "other-org"}}
            ]),
        );
        for q in ["filter=2fa_disabled", "filter=2fa_insecure", "role=admin"] {
            s.route(
                &p(&format!("/orgs/other-org/members?{q}&per_page=100")),
                Reply::status(403),
            );
        }
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.org_two_factor", Pass);
        let o = &r["github.org_two_factor"];
        assert!(
            o.summary.contains("Not checked: other-org"),
            "{}",
            o.summary
        );
        let ev = o.evidence.join("\n");
        assert!(
            ev.contains("other-org: could not be checked: a fine-grained token reaches only the one organization"),
            "{ev}"
        );
    }

    #[tokio::test]
    async fn a_used_up_quota_says_when_it_refills() {
        let s = TestServer::start().await;
        healthy(&s);
        let reset = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 1800;
        s.route(
            &p("/user/keys?per_page=100"),
            Reply::status(403)
                .header("x-ratelimit-remaining", "0")
                .header("x-ratelimit-reset", &reset.to_string()),
        );
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.hardware_keys", Unknown);
        let summary = &r["github.hardware_keys"].summary;
        let minutes: u64 = summary
            .split("try again in about ")
            .nth(1)
            .and_then(|rest| rest.strip_suffix(" minutes").or(Some(rest)))
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no wait in: {summary}"));
        assert!((28..=30).contains(&minutes), "{summary}");
        assert!(
            summary.contains(" minutes"),
            "said in minutes, not seconds: {summary}"
        );
        assert_eq!(s.hits(&p("/user/keys?per_page=100")), 1, "not retried");
    }

    #[tokio::test]
    async fn a_response_slower_than_the_timeout_is_unknown() {
        let s = TestServer::start().await;
        healthy(&s);
        s.route(
            &p("/user/emails?per_page=100"),
            Reply::json(json!([])).delay(std::time::Duration::from_secs(5)),
        );
        let mut c = gh_ctx(&s);
        c.limits.request_timeout = std::time::Duration::from_millis(300);
        let r = run(c, &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.email", Unknown);
        assert!(
            r["github.email"].summary.contains("did not answer"),
            "{}",
            r["github.email"].summary
        );
        assert_status(&r, "github.two_factor", Pass);
    }

    #[tokio::test]
    async fn no_owned_orgs_is_skipped() {
        let s = TestServer::start().await;
        healthy(&s);
        memberships(&s, Value::Array(vec![]));
        let r = run(gh_ctx(&s), &[Group::Account(Platform::Github)]).await;
        assert_status(&r, "github.org_two_factor", Skipped);
        assert_status(&r, "github.org_owners", Skipped);
    }
}
