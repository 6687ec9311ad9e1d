//! Packagist checks against a loopback server serving answers assembled from Packagist's own
//! source and test fixtures (files and sources in `fixtures/platforms/SOURCES.md`).

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::*;
    use lockstep_core::platform::{Group, Platform};
    use serde_json::json;
    use support::{assert_status, ctx, run, Reply, TestServer};

    /// A payload from `fixtures/platforms/packagist/`, with packagist.org in `next` links
    /// replaced by the test server's address.
    fn fixture(s: &TestServer, name: &str) -> Reply {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/platforms/packagist")
            .join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = text.replace("https://packagist.org", &s.url(""));
        Reply::raw(200, &text).header("content-type", "application/json")
    }

    fn pk_ctx(s: &TestServer, handle: &str) -> lockstep_core::engine::CheckContext {
        let url = s.url("");
        ctx(
            &[
                ("LOCKSTEP_PACKAGIST_URL", url.as_str()),
                ("LOCKSTEP_PACKAGIST_USER", handle),
            ],
            &[],
        )
    }

    fn serve_packages(s: &TestServer) {
        for (path, file) in [
            (
                "/packages/vendor1/package1.json",
                "package-vendor1-package1.json",
            ),
            (
                "/packages/vendor1/package2.json",
                "package-vendor1-package2.json",
            ),
            (
                "/packages/vendor2/package1.json",
                "package-vendor2-package1.json",
            ),
        ] {
            s.route(path, fixture(s, file));
        }
    }

    #[tokio::test]
    async fn a_vendor_whose_packages_have_two_maintainers_passes() {
        let s = TestServer::start().await;
        serve_packages(&s);
        s.route(
            "/packages/list.json?vendor=vendor1",
            fixture(&s, "list-vendor1.json"),
        );
        // No such user: the name is a vendor only.
        let r = run(
            pk_ctx(&s, "vendor1"),
            &[Group::Account(Platform::Packagist)],
        )
        .await;
        let owners = &r["packagist.package_owners"];
        assert_eq!(owners.status, Pass, "{owners:#?}");
        assert_eq!(
            owners.observed.owners["vendor1/package1"],
            ["alice", "john"]
        );
        assert_eq!(owners.observed.owners["vendor1/package2"], ["bob", "john"]);
        assert_eq!(s.hits("/users/vendor1/packages.json"), 1);
        // Public data: nothing carries a credential.
        assert!(s.auth_values().is_empty());
    }

    #[tokio::test]
    async fn a_users_packages_across_pages_and_a_single_maintainer_warn() {
        let s = TestServer::start().await;
        serve_packages(&s);
        s.route(
            "/users/john/packages.json",
            fixture(&s, "user-john-packages-page1.json"),
        );
        s.route(
            "/users/john/packages.json?page=2",
            fixture(&s, "user-john-packages-page2.json"),
        );
        s.json(
            "/packages/list.json?vendor=john",
            json!({"packageNames": []}),
        );
        let r = run(pk_ctx(&s, "john"), &[Group::Account(Platform::Packagist)]).await;
        let owners = &r["packagist.package_owners"];
        assert_eq!(owners.status, Warn, "{owners:#?}");
        let ev = owners.evidence.join("\n");
        assert!(
            ev.contains("vendor2/package1: 1 owner (john) — single owner: orphan risk"),
            "{ev}"
        );
        // The package on page 2 was reached, once.
        assert_eq!(owners.observed.owners.len(), 3, "{owners:#?}");
        assert_eq!(s.hits("/users/john/packages.json?page=2"), 1);
    }

    #[tokio::test]
    async fn four_maintainers_are_too_many() {
        let s = TestServer::start().await;
        s.route(
            "/packages/list.json?vendor=vendor1",
            fixture(&s, "list-vendor1.json"),
        );
        s.route(
            "/packages/vendor1/package1.json",
            fixture(&s, "package-vendor1-package1.json"),
        );
        s.route(
            "/packages/vendor1/package2.json",
            fixture(&s, "package-four-maintainers.json"),
        );
        let r = run(
            pk_ctx(&s, "vendor1"),
            &[Group::Account(Platform::Packagist)],
        )
        .await;
        assert_status(&r, "packagist.package_owners", Warn);
        assert!(r["packagist.package_owners"]
            .evidence
            .join("\n")
            .contains("vendor1/package2: 4 owners (alice, bob, john, tom) — more than 3 owners"));
    }

    #[tokio::test]
    async fn nothing_found_is_skipped_and_no_name_is_skipped() {
        let s = TestServer::start().await;
        s.json(
            "/packages/list.json?vendor=nobody",
            json!({"packageNames": []}),
        );
        let r = run(pk_ctx(&s, "nobody"), &[Group::Account(Platform::Packagist)]).await;
        assert_status(&r, "packagist.package_owners", Skipped);

        let c = ctx(&[("LOCKSTEP_PACKAGIST_URL", s.url("").as_str())], &[]);
        let r = run(c, &[Group::Account(Platform::Packagist)]).await;
        assert_status(&r, "packagist.package_owners", Skipped);
        assert!(r["packagist.package_owners"]
            .summary
            .contains("LOCKSTEP_PACKAGIST_USER"));
    }

    #[tokio::test]
    async fn rate_limits_and_malformed_answers_are_unknown_never_fail() {
        let s = TestServer::start().await;
        s.route(
            "/packages/list.json?vendor=vendor1",
            fixture(&s, "list-vendor1.json"),
        );
        // Packagist's answer to abusive clients: 429 with a year-long Retry-After.
        s.route(
            "/packages/vendor1/package1.json",
            Reply::status(429).header("retry-after", "31536000"),
        );
        s.route("/packages/vendor1/package2.json", Reply::raw(200, "<html>"));
        let r = run(
            pk_ctx(&s, "vendor1"),
            &[Group::Account(Platform::Packagist)],
        )
        .await;
        assert_status(&r, "packagist.package_owners", Unknown);
        let ev = r["packagist.package_owners"].evidence.join("\n");
        assert!(
            ev.contains("limiting requests") && ev.contains("not valid JSON"),
            "{ev}"
        );
        // The year-long wait is not waited: one request each.
        assert_eq!(s.hits("/packages/vendor1/package1.json"), 1);
    }
}
