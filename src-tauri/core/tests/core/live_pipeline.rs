//! The release-pipeline checks (issue 11) against loopback servers that serve the platforms'
//! own payloads (`fixtures/platforms/pipeline/SOURCES.md` says where each comes from).

use crate::support;

/// Named `live` so `cargo test -p lockstep-core live` selects these tests.
mod live {
    use super::support;
    use lockstep_core::check::Status::{self, *};
    use lockstep_core::dirs::AppDirs;
    use lockstep_core::engine::CheckContext;
    use lockstep_core::platform::{Group, Platform};
    use serde_json::json;
    use support::{assert_status, ctx, run, Reply, TestServer};

    fn fixture(rel: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/platforms/{rel}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn serve(s: &TestServer, path: &str, rel: &str) {
        s.route(path, Reply::raw(200, &fixture(rel)));
    }

    /// A context whose cache lives in its own temporary directory.
    fn ctx_in(
        dir: &tempfile::TempDir,
        env: &[(&str, &str)],
        tokens: &[(Platform, &str)],
    ) -> CheckContext {
        let mut c = ctx(env, tokens);
        c.dirs = AppDirs::under(dir.path());
        c
    }

    #[track_caller]
    fn evidence(
        r: &std::collections::BTreeMap<String, lockstep_core::check::CheckResult>,
        id: &str,
    ) -> String {
        r[id].evidence.join("\n")
    }

    // ------------------------------------------------------------------ crates.io

    fn crates_user(s: &TestServer, names: &[&str]) {
        serve(s, "/api/v1/users/ghost", "crates/user-ghost.json");
        let list: Vec<_> = names.iter().map(|n| json!({"name": n})).collect();
        s.json(
            "/api/v1/crates?user_id=42&per_page=100&page=1",
            json!({"crates": list, "meta": {"total": names.len(), "next_page": null}}),
        );
    }

    async fn run_crates(
        s: &TestServer,
        dir: &tempfile::TempDir,
    ) -> std::collections::BTreeMap<String, lockstep_core::check::CheckResult> {
        let url = s.url("");
        run(
            ctx_in(
                dir,
                &[
                    ("LOCKSTEP_CRATES_URL", url.as_str()),
                    ("LOCKSTEP_CRATES_USER", "ghost"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Crates)],
        )
        .await
    }

    #[tokio::test]
    async fn crates_all_trusted_pass_and_name_the_publisher() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        crates_user(&s, &["foo"]);
        serve(
            &s,
            "/api/v1/crates/foo?include=default_version",
            "pipeline/crates/crate-foo-trusted.json",
        );
        let r = run_crates(&s, &dir).await;
        assert_status(&r, "crates.trusted_publishing", Pass);
        let ev = evidence(&r, "crates.trusted_publishing");
        assert!(ev.contains("foo 1.1.0: trusted publishing (github rust-lang/foo-rs) (trusted publishing required for new versions)"), "{ev}");
        assert_eq!(
            r["crates.trusted_publishing"].observed.publishing["foo"],
            "trusted"
        );
    }

    #[tokio::test]
    async fn crates_some_by_token_warn_and_the_version_page_is_asked_only_when_needed() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        crates_user(&s, &["foo", "foo_default_version", "foo_vers_show"]);
        serve(
            &s,
            "/api/v1/crates/foo?include=default_version",
            "pipeline/crates/crate-foo-trusted.json",
        );
        serve(
            &s,
            "/api/v1/crates/foo_default_version?include=default_version",
            "pipeline/crates/crate-foo_default_version.json",
        );
        // A crate page without the default version included: the version page answers.
        s.json(
            "/api/v1/crates/foo_vers_show?include=default_version",
            json!({"crate": {"default_version": "2.0.0", "trustpub_only": false}, "versions": null}),
        );
        serve(
            &s,
            "/api/v1/crates/foo_vers_show/2.0.0",
            "pipeline/crates/version-foo_vers_show-2.0.0-token.json",
        );
        let r = run_crates(&s, &dir).await;
        assert_status(&r, "crates.trusted_publishing", Warn);
        let t = &r["crates.trusted_publishing"];
        assert!(
            t.summary
                .starts_with("2 crates published with a long-lived token"),
            "{}",
            t.summary
        );
        assert!(
            t.evidence[0].contains("published with a long-lived token by foo"),
            "{:?}",
            t.evidence
        );
        assert!(t
            .remediation
            .iter()
            .any(|l| l.contains("https://crates.io/docs/trusted-publishing")));
        assert_eq!(
            s.hits("/api/v1/crates/foo/1.1.0"),
            0,
            "the included version answered"
        );
        assert_eq!(s.hits("/api/v1/crates/foo_vers_show/2.0.0"), 1);
        // The version page's answer is kept: the next run does not ask again.
        let _ = run_crates(&s, &dir).await;
        assert_eq!(s.hits("/api/v1/crates/foo_vers_show/2.0.0"), 1, "cached");
    }

    #[tokio::test]
    async fn crates_required_trusted_publishing_with_an_older_token_release_still_warns() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        crates_user(&s, &["foo"]);
        serve(
            &s,
            "/api/v1/crates/foo?include=default_version",
            "pipeline/crates/crate-foo-trustpub_only.json",
        );
        let r = run_crates(&s, &dir).await;
        assert_status(&r, "crates.trusted_publishing", Warn);
        assert!(evidence(&r, "crates.trusted_publishing").contains("foo 0.99.0: published with a long-lived token by foo (trusted publishing required for new versions)"));
    }

    #[tokio::test]
    async fn no_packages_is_skipped() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        crates_user(&s, &[]);
        let r = run_crates(&s, &dir).await;
        assert_status(&r, "crates.trusted_publishing", Skipped);
    }

    // ------------------------------------------------------------------ PyPI

    async fn run_pypi(
        s: &TestServer,
        dir: &tempfile::TempDir,
    ) -> std::collections::BTreeMap<String, lockstep_core::check::CheckResult> {
        let url = s.url("");
        run(
            ctx_in(
                dir,
                &[
                    ("LOCKSTEP_PYPI_URL", url.as_str()),
                    ("LOCKSTEP_PYPI_PROJECTS", "sampleproject"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Pypi)],
        )
        .await
    }

    const SDIST: &str = "/integrity/sampleproject/4.0.0/sampleproject-4.0.0.tar.gz/provenance";
    const WHEEL: &str =
        "/integrity/sampleproject/4.0.0/sampleproject-4.0.0-py3-none-any.whl/provenance";

    #[tokio::test]
    async fn pypi_attested_release_passes_names_the_workflow_and_is_cached() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        serve(&s, "/pypi/sampleproject/json", "pypi/sampleproject.json");
        serve(
            &s,
            SDIST,
            "pipeline/pypi/provenance-sampleproject-4.0.0.tar.gz.json",
        );
        serve(
            &s,
            WHEEL,
            "pipeline/pypi/provenance-sampleproject-4.0.0.tar.gz.json",
        );
        let r = run_pypi(&s, &dir).await;
        assert_status(&r, "pypi.trusted_publishing", Pass);
        let ev = evidence(&r, "pypi.trusted_publishing");
        assert!(ev.contains("sampleproject 4.0.0: trusted publishing (GitHub pypa/sampleproject, workflow release.yml)"), "{ev}");
        assert_eq!((s.hits(SDIST), s.hits(WHEEL)), (1, 1));
        let again = run_pypi(&s, &dir).await;
        assert_status(&again, "pypi.trusted_publishing", Pass);
        assert_eq!(
            (s.hits(SDIST), s.hits(WHEEL)),
            (1, 1),
            "a release's provenance is asked once"
        );
    }

    #[tokio::test]
    async fn pypi_without_attestations_is_no_evidence_not_a_token() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        serve(&s, "/pypi/sampleproject/json", "pypi/sampleproject.json");
        // No route: the server answers 404, as PyPI does for a file without provenance.
        let r = run_pypi(&s, &dir).await;
        assert_status(&r, "pypi.trusted_publishing", Warn);
        let t = &r["pypi.trusted_publishing"];
        assert!(
            t.evidence[0].contains("no evidence of trusted publishing"),
            "{:?}",
            t.evidence
        );
        assert!(!t.summary.contains("token"), "{}", t.summary);
    }

    #[tokio::test]
    async fn a_damaged_cache_is_set_aside_and_said() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cache")).unwrap();
        std::fs::write(dir.path().join("cache/provenance-pypi.json"), b"[oops").unwrap();
        serve(&s, "/pypi/sampleproject/json", "pypi/sampleproject.json");
        serve(
            &s,
            SDIST,
            "pipeline/pypi/provenance-sampleproject-4.0.0.tar.gz.json",
        );
        serve(
            &s,
            WHEEL,
            "pipeline/pypi/provenance-sampleproject-4.0.0.tar.gz.json",
        );
        let r = run_pypi(&s, &dir).await;
        assert_status(&r, "pypi.trusted_publishing", Pass);
        assert!(evidence(&r, "pypi.trusted_publishing").contains("set aside"));
        let kept = std::fs::read_dir(dir.path().join("cache"))
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("provenance-pypi.json.corrupt-")
            });
        assert!(kept, "the damaged file is kept beside the new one");
    }

    // ------------------------------------------------------------------ RubyGems

    async fn run_gems(
        s: &TestServer,
        dir: &tempfile::TempDir,
    ) -> std::collections::BTreeMap<String, lockstep_core::check::CheckResult> {
        let url = s.url("");
        serve(
            s,
            "/api/v1/owners/qrush/gems.json",
            "rubygems/gems-of-qrush.json",
        );
        serve(
            s,
            "/api/v1/versions/gemcutter/latest.json",
            "pipeline/rubygems/latest-rails.json",
        );
        run(
            ctx_in(
                dir,
                &[
                    ("LOCKSTEP_RUBYGEMS_URL", url.as_str()),
                    ("LOCKSTEP_RUBYGEMS_USER", "qrush"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Rubygems)],
        )
        .await
    }

    #[tokio::test]
    async fn rubygems_attestations_pass() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        serve(
            &s,
            "/api/v1/attestations/gemcutter-4.2.1.json",
            "pipeline/rubygems/attestations-sigstore-1.0.0.json",
        );
        let r = run_gems(&s, &dir).await;
        assert_status(&r, "rubygems.trusted_publishing", Pass);
        assert!(evidence(&r, "rubygems.trusted_publishing")
            .contains("gemcutter 4.2.1: trusted publishing (1 sigstore attestation"));
    }

    #[tokio::test]
    async fn rubygems_silent_is_unknown_with_the_reason() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        // "Versions pushed without attestations return an empty array."
        s.route(
            "/api/v1/attestations/gemcutter-4.2.1.json",
            Reply::raw(200, "[]"),
        );
        let r = run_gems(&s, &dir).await;
        assert_status(&r, "rubygems.trusted_publishing", Unknown);
        let t = &r["rubygems.trusted_publishing"];
        assert!(
            t.summary
                .contains("RubyGems does not say how 1 gem was published"),
            "{}",
            t.summary
        );
        assert!(
            t.evidence[0].contains("neither proves nor rules out"),
            "{:?}",
            t.evidence
        );
    }

    // ------------------------------------------------------------------ npm

    async fn run_npm(
        s: &TestServer,
        dir: &tempfile::TempDir,
        names: &[&str],
    ) -> std::collections::BTreeMap<String, lockstep_core::check::CheckResult> {
        let objects: Vec<_> = names
            .iter()
            .map(|n| json!({"package": {"name": n}}))
            .collect();
        s.json(
            "/-/v1/search?text=maintainer:foo&size=250&from=0",
            json!({"objects": objects, "total": names.len()}),
        );
        let url = s.url("");
        run(
            ctx_in(
                dir,
                &[
                    ("LOCKSTEP_NPM_URL", url.as_str()),
                    ("LOCKSTEP_NPM_USER", "foo"),
                ],
                &[],
            ),
            &[Group::Account(Platform::Npm)],
        )
        .await
    }

    #[tokio::test]
    async fn npm_token_publish_warns_and_provenance_is_told_apart() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        serve(
            &s,
            "/sigstore",
            "pipeline/npm/packument-sigstore-provenance-token.json",
        );
        serve(
            &s,
            "/kms-demo",
            "pipeline/npm/packument-kms-demo-token.json",
        );
        let r = run_npm(&s, &dir, &["sigstore", "kms-demo"]).await;
        assert_status(&r, "npm.trusted_publishing", Warn);
        let t = &r["npm.trusted_publishing"];
        assert!(
            t.evidence[0].starts_with("kms-demo 1.0.0: published with a long-lived token by foo"),
            "{:?}",
            t.evidence
        );
        assert!(
            t.evidence[1].contains("sigstore 1.0.0: built in CI with provenance"),
            "{:?}",
            t.evidence
        );
        // The same findings per package, for the Checks screen: worst first, version apart.
        let rows: Vec<(&str, Status, Option<&str>)> = t
            .subjects
            .iter()
            .map(|x| (x.name.as_str(), x.status, x.location.as_deref()))
            .collect();
        assert_eq!(
            rows,
            [
                ("kms-demo", Warn, Some("version 1.0.0")),
                ("sigstore", Pass, Some("version 1.0.0"))
            ]
        );
        assert!(t.subjects[0].detail.contains("long-lived token"));
        assert!(
            t.subjects[1].fix.is_some(),
            "provenance without trusted publishing has a fix"
        );
        // The same packument answered the owner check: one request per package.
        assert_eq!(s.hits("/kms-demo"), 1);
    }

    #[tokio::test]
    async fn npm_all_trusted_passes_and_a_silent_registry_is_unknown() {
        let s = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        serve(
            &s,
            "/sigstore",
            "pipeline/npm/packument-sigstore-trusted.json",
        );
        let r = run_npm(&s, &dir, &["sigstore"]).await;
        assert_status(&r, "npm.trusted_publishing", Pass);
        assert!(evidence(&r, "npm.trusted_publishing")
            .contains("sigstore 1.0.0: trusted publishing (trusted publisher github)"));

        let s = TestServer::start().await;
        s.route("/sigstore", Reply::status(503));
        let r = run_npm(&s, &dir, &["sigstore"]).await;
        assert_status(&r, "npm.trusted_publishing", Unknown);
    }

    // ------------------------------------------------------------------ GitHub

    const REPO: &str = "/repos/octocat/Hello-World";

    /// One publishing repository, guarded except for what each test takes away.
    fn github(s: &TestServer) {
        serve(
            s,
            "/user/repos?per_page=100&affiliation=owner,organization_member",
            "pipeline/github/repository-items-admin.json",
        );
        serve(
            s,
            &format!("{REPO}/actions/workflows?per_page=100"),
            "pipeline/github/workflow-paginated.json",
        );
        serve(
            s,
            &format!("{REPO}/contents/.github/workflows/blank.yaml?ref=master"),
            "pipeline/github/workflow-pypi-publish-docs.yml",
        );
        serve(
            s,
            &format!("{REPO}/contents/.github/CODEOWNERS?ref=master"),
            "pipeline/github/codeowners-docs-example",
        );
        s.json(
            &format!("{REPO}/codeowners/errors?ref=master"),
            json!({"errors": []}),
        );
        serve(
            s,
            &format!("{REPO}/rules/branches/master"),
            "pipeline/github/repository-rule-items.json",
        );
        serve(
            s,
            &format!("{REPO}/branches/master/protection"),
            "pipeline/github/branch-protection.json",
        );
        serve(
            s,
            &format!("{REPO}/actions/permissions/workflow"),
            "pipeline/github/actions-default-workflow-permissions.json",
        );
        serve(
            s,
            &format!("{REPO}/environments/pypi"),
            "pipeline/github/environment.json",
        );
    }

    async fn run_github(s: &TestServer) -> lockstep_core::check::CheckResult {
        let url = s.url("");
        let mut r = run(
            ctx(
                &[("LOCKSTEP_GITHUB_URL", url.as_str())],
                &[(Platform::Github, "github_pat_fake")],
            ),
            &[Group::Account(Platform::Github)],
        )
        .await;
        r.remove("github.release_pipeline").unwrap()
    }

    #[track_caller]
    fn has(r: &lockstep_core::check::CheckResult, status: Status, needle: &str) {
        assert_eq!(r.status, status, "{r:#?}");
        assert!(
            r.evidence.iter().any(|e| e.contains(needle)),
            "no evidence with {needle:?}: {:#?}",
            r.evidence
        );
    }

    #[tokio::test]
    async fn a_guarded_repository_warns_only_for_the_tag_pinned_action() {
        let s = TestServer::start().await;
        github(&s);
        let r = run_github(&s).await;
        has(&r, Warn, "octocat/Hello-World .github/workflows/blank.yaml:14: `pypa/gh-action-pypi-publish@release/v1` is not pinned to a commit");
        assert_eq!(r.evidence.len(), 1, "{:#?}", r.evidence);
        assert!(
            r.summary.contains("octocat/Hello-World (PyPI)"),
            "{}",
            r.summary
        );
        // Read-only: nothing but GETs, and the token went only to the loopback server.
        assert!(s
            .auth_values()
            .iter()
            .all(|a| a == "Bearer github_pat_fake"));
    }

    #[tokio::test]
    async fn a_repository_without_codeowners_fails() {
        let s = TestServer::start().await;
        github(&s);
        s.route(
            &format!("{REPO}/contents/.github/CODEOWNERS?ref=master"),
            Reply::status(404),
        );
        let r = run_github(&s).await;
        has(&r, Fail, "octocat/Hello-World: no CODEOWNERS file");
        assert!(
            r.evidence[0].contains("no CODEOWNERS"),
            "fails come first: {:#?}",
            r.evidence
        );
        assert_eq!(
            s.hits(&format!("{REPO}/contents/docs/CODEOWNERS?ref=master")),
            1,
            "all three places were looked at"
        );
    }

    #[tokio::test]
    async fn no_code_owner_review_fails_and_codeowners_errors_are_named() {
        let s = TestServer::start().await;
        github(&s);
        s.route(
            &format!("{REPO}/branches/master/protection"),
            Reply::status(404),
        );
        serve(
            &s,
            &format!("{REPO}/codeowners/errors?ref=master"),
            "pipeline/github/codeowners-errors.json",
        );
        let r = run_github(&s).await;
        has(
            &r,
            Fail,
            "the default branch master does not require review from code owners",
        );
        has(
            &r,
            Fail,
            ".github/CODEOWNERS:3: GitHub reports \"Invalid pattern\"",
        );
        // Per repository findings: the failure first, the fix apart, file and line apart.
        let first = &r.subjects[0];
        assert_eq!(
            (first.name.as_str(), first.status),
            ("octocat/Hello-World", Fail),
            "{:#?}",
            r.subjects
        );
        assert!(
            first
                .detail
                .contains("does not require review from code owners")
                && !first.detail.contains("fix:"),
            "{first:?}"
        );
        assert!(first
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("Require review from Code Owners")));
        assert!(
            r.subjects.iter().any(|x| x.status == Warn
                && x.location.as_deref() == Some(".github/workflows/blank.yaml:14")),
            "the tag-pinned action keeps its file and line: {:#?}",
            r.subjects
        );
        assert_eq!(
            r.subjects.len(),
            r.evidence.len(),
            "one row per evidence line"
        );
    }

    #[tokio::test]
    async fn write_all_default_token_and_environment_without_reviewers_warn() {
        let s = TestServer::start().await;
        github(&s);
        serve(
            &s,
            &format!("{REPO}/actions/permissions/workflow"),
            "pipeline/github/actions-default-workflow-permissions-write.json",
        );
        serve(
            &s,
            &format!("{REPO}/environments/pypi"),
            "pipeline/github/environment-without-rules.json",
        );
        let r = run_github(&s).await;
        has(
            &r,
            Warn,
            "octocat/Hello-World: the default GITHUB_TOKEN can write",
        );
        has(
            &r,
            Warn,
            "blank.yaml:6: the environment `pypi` has no required reviewers",
        );
        assert!(
            !r.evidence.iter().any(|e| e.contains("no `permissions:`")),
            "the workflow sets job permissions: {:#?}",
            r.evidence
        );
    }

    #[tokio::test]
    async fn unseen_protection_is_said_with_the_permission_it_needs() {
        let s = TestServer::start().await;
        github(&s);
        s.route(
            &format!("{REPO}/branches/master/protection"),
            Reply::status(403),
        );
        let r = run_github(&s).await;
        // The tag-pinned action is a known weakness (warn); the unseen part is listed, not failed.
        assert_eq!(r.status, Warn, "{r:#?}");
        assert!(
            r.evidence
                .iter()
                .any(|e| e.contains("Administration: read")),
            "{:#?}",
            r.evidence
        );
    }

    #[tokio::test]
    async fn no_publishing_repository_is_skipped() {
        let s = TestServer::start().await;
        github(&s);
        s.route(
            &format!("{REPO}/contents/.github/workflows/blank.yaml?ref=master"),
            Reply::status(404),
        );
        let r = run_github(&s).await;
        assert_eq!(r.status, Skipped, "{r:#?}");
    }
}
