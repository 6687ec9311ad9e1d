//! End-to-end: the release-pipeline findings (issue 11) in the real Lockstep window. A user
//! whose npm package went out with a long-lived token and whose GitHub repository's default
//! branch does not require code-owner review runs every check; the Checks screen puts those
//! two first, names the package and the repository in the finding rows, and folds the
//! packages that are fine into one line built only when opened.
//!
//! The loopback server serves the platforms' own payloads from
//! `src-tauri/core/tests/fixtures/platforms/pipeline/` (sources in its `SOURCES.md`); the
//! only change made here is a `maintainers` list on each npm packument, so the npm owner
//! check has owners to count and stays out of the way.
//!
//! Run: `.ci/test --test app e2e_pipeline::`.

use crate::e2e_support;
use crate::e2e_support::WAIT;

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::Response;
use e2e_support::{Driver, Session};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;

const RUN_WAIT: Duration = Duration::from_secs(90);
const REPO: &str = "/github/repos/octocat/Hello-World";
/// npm packages published through trusted publishing, beside the one published by token:
/// more than a handful, so their group folds.
const TRUSTED_PACKAGES: usize = 8;

fn fixture(rel: &str) -> String {
    let path = format!(
        "{}/src-tauri/core/tests/fixtures/platforms/pipeline/{rel}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A packument fixture with two maintainers added (the owner check's business, not ours).
fn packument(rel: &str) -> String {
    let mut v: Value = serde_json::from_str(&fixture(rel)).expect("a JSON packument");
    v["maintainers"] = json!([{"name": "foo", "email": "foo@example.com"}, {"name": "alice", "email": "alice@example.com"}]);
    v.to_string()
}

fn trusted_name(i: usize) -> String {
    format!("trusted-pkg-{i:02}")
}

fn reply(status: StatusCode, body: String) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// GitHub: one administered repository whose workflow publishes to PyPI, with CODEOWNERS but
/// no code-owner review on its default branch (no ruleset requires it, no classic
/// protection). npm: the user `foo` maintains `kms-demo` (published with a token) and
/// [`TRUSTED_PACKAGES`] packages published through trusted publishing.
async fn handle(req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let ok = StatusCode::OK;
    let not_found = || {
        reply(
            StatusCode::NOT_FOUND,
            json!({"message": "Not Found"}).to_string(),
        )
    };
    match path.as_str() {
        "/github/user" => reply(
            ok,
            json!({"login": "octocat", "id": 1, "two_factor_authentication": true}).to_string(),
        ),
        "/github/user/repos" => reply(ok, fixture("github/repository-items-admin.json")),
        p if p == format!("{REPO}/actions/workflows") => {
            reply(ok, fixture("github/workflow-paginated.json"))
        }
        p if p == format!("{REPO}/contents/.github/workflows/blank.yaml") => {
            reply(ok, fixture("github/workflow-pypi-publish-docs.yml"))
        }
        p if p == format!("{REPO}/contents/.github/CODEOWNERS") => {
            reply(ok, fixture("github/codeowners-docs-example"))
        }
        p if p == format!("{REPO}/codeowners/errors") => {
            reply(ok, json!({"errors": []}).to_string())
        }
        p if p == format!("{REPO}/rules/branches/master") => {
            reply(ok, fixture("github/repository-rule-items.json"))
        }
        p if p == format!("{REPO}/actions/permissions/workflow") => reply(
            ok,
            fixture("github/actions-default-workflow-permissions.json"),
        ),
        p if p == format!("{REPO}/environments/pypi") => {
            reply(ok, fixture("github/environment.json"))
        }
        "/npm/-/v1/search" => {
            let first = !query.contains("from=") || query.contains("from=0");
            let mut names = vec!["kms-demo".to_string()];
            names.extend((0..TRUSTED_PACKAGES).map(trusted_name));
            let objects: Vec<Value> = if first {
                names
                    .iter()
                    .map(|n| json!({"package": {"name": n}}))
                    .collect()
            } else {
                Vec::new()
            };
            reply(
                ok,
                json!({"objects": objects, "total": names.len()}).to_string(),
            )
        }
        "/npm/kms-demo" => reply(ok, packument("npm/packument-kms-demo-token.json")),
        p if p.starts_with("/npm/trusted-pkg-") => {
            reply(ok, packument("npm/packument-sigstore-trusted.json"))
        }
        // Everything else (branch protection among it) does not exist.
        _ => not_found(),
    }
}

/// The loopback server, on its own runtime for the test's lifetime.
struct Server {
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

fn start_server() -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    runtime.spawn(async move {
        let _ = axum::serve(listener, axum::Router::new().fallback(handle)).await;
    });
    Server {
        addr,
        _runtime: runtime,
    }
}

/// Answers the first-run question if asked, then opens Checks.
fn open_checks(s: &Session<'_>) {
    s.wait_until(WAIT, "the app to finish loading", |s| {
        let ready = s.execute("return document.body.dataset.ready || ''", json!([]));
        (ready.as_str() == Some("true")).then_some(())
    });
    if s.try_find("#journey-choice").is_some() {
        s.click_css(r#"[data-journey="review"]"#);
        s.wait_for(r#"main[data-screen="journey"]"#, WAIT);
    }
    s.click_css(r#"#nav [data-route="checks"]"#);
    s.wait_for("#checks #run-progress", WAIT);
}

/// The finding rows of `check`, in the order shown: (name, status, text).
fn findings(s: &Session<'_>, check: &str) -> Vec<(String, String, String)> {
    let v = s.execute(
        "return [...document.querySelectorAll(`.findings[data-check-id='${arguments[0]}'] .finding`)]
            .map((f) => [f.dataset.name, f.dataset.status, f.textContent]);",
        json!([check]),
    );
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let f = |i: usize| r[i].as_str().unwrap_or_default().to_string();
                    (f(0), f(1), f(2))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every account check row on the screen, in order: (group, check id, status).
fn account_rows(s: &Session<'_>) -> Vec<(String, String, String)> {
    let v = s.execute(
        "return [...document.querySelectorAll('#checks .check-group .result[data-check-id]')]
            .map((r) => [r.closest('.check-group').dataset.group || '', r.dataset.checkId, r.dataset.status])
            .filter((r) => r[1] !== undefined && !/^(device|email)/.test(r[1]));",
        json!([]),
    );
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let f = |i: usize| r[i].as_str().unwrap_or_default().to_string();
                    (f(0), f(1), f(2))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[ignore = "needs .ci/test"]
fn a_token_published_package_and_an_unreviewed_release_branch_are_the_top_findings() {
    let home = tempfile::tempdir().expect("a temporary home");
    let server = start_server();
    let base = format!("http://{}", server.addr);
    let env = [
        ("LOCKSTEP_GITHUB_URL", format!("{base}/github")),
        (
            "LOCKSTEP_GITHUB_TOKEN",
            "github_pat_fake_e2e_pipeline".into(),
        ),
        ("LOCKSTEP_NPM_URL", format!("{base}/npm")),
        ("LOCKSTEP_NPM_USER", "foo".into()),
    ];
    let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let driver = Driver::start_with_env(home.path(), &pairs);
    let s = driver.session();
    open_checks(&s);

    // Every progress line the run shows, as it shows it (they go when the check finishes).
    s.execute(
        "window.__progress = [];
         new MutationObserver(() => {
           for (const e of document.querySelectorAll('.result-progress')) {
             window.__progress.push([e.closest('.result').dataset.checkId, e.textContent]);
           }
         }).observe(document.body, {subtree: true, childList: true, characterData: true});",
        json!([]),
    );
    s.click_css("#run-checks");
    s.wait_until(RUN_WAIT, "the run to finish", |s| {
        let v = s.execute(
            "const p = document.getElementById('run-progress'); return p ? p.dataset.runState : '';",
            json!([]),
        );
        (v.as_str() == Some("finished")).then_some(())
    });

    // While they ran, the package and repository checks said how far they had got.
    let seen = s.execute("return window.__progress", json!([]));
    let said = |id: &str, text: &str| {
        seen.as_array().is_some_and(|a| {
            a.iter()
                .any(|p| p[0].as_str() == Some(id) && p[1].as_str() == Some(text))
        })
    };
    let packages = 1 + TRUSTED_PACKAGES;
    assert!(
        said(
            "npm.trusted_publishing",
            &format!("Checking: {packages} of {packages} packages done…")
        ) && said(
            "npm.trusted_publishing",
            &format!("Checking: 1 of {packages} packages done…")
        ),
        "npm's package checks counted their packages: {seen}"
    );
    assert!(
        said(
            "github.release_pipeline",
            "Checking: 1 of 1 repository done…"
        ),
        "the pipeline check counted its repositories: {seen}"
    );
    assert!(
        s.find_all(".result-progress").is_empty(),
        "no progress line outlives its check"
    );

    // Worst first: the pipeline's failure heads the account checks, and the token-published
    // package heads npm's; nothing else among the accounts fails.
    let rows = account_rows(&s);
    let pipeline = rows
        .iter()
        .position(|r| r.1 == "github.release_pipeline")
        .unwrap_or_else(|| panic!("the release pipeline check is shown: {rows:#?}"));
    assert_eq!(rows[pipeline].2, "fail", "{rows:#?}");
    assert_eq!(pipeline, 0, "the failing pipeline comes first: {rows:#?}");
    assert!(
        rows.iter()
            .all(|r| r.2 != "fail" || r.1 == "github.release_pipeline"),
        "only the pipeline fails: {rows:#?}"
    );
    let npm_group = &rows
        .iter()
        .find(|r| r.1 == "npm.trusted_publishing")
        .unwrap_or_else(|| panic!("npm's trusted-publishing check is shown: {rows:#?}"))
        .0;
    let first_npm = rows
        .iter()
        .find(|r| &r.0 == npm_group)
        .expect("npm's group has rows");
    assert_eq!(
        (first_npm.1.as_str(), first_npm.2.as_str()),
        ("npm.trusted_publishing", "warn"),
        "the token-published package heads npm's checks: {rows:#?}"
    );
    assert!(
        rows.iter().position(|r| r.1 == "npm.trusted_publishing") > Some(pipeline),
        "a failure comes before a warning"
    );

    // Opening the pipeline's row shows its findings per repository, the failure first.
    assert!(
        findings(&s, "github.release_pipeline").is_empty(),
        "findings are built when the row is opened, not before"
    );
    s.click_css(r#".result[data-check-id="github.release_pipeline"] > summary"#);
    let repo = s.wait_until(WAIT, "the pipeline's findings", |s| {
        findings(s, "github.release_pipeline").into_iter().next()
    });
    assert_eq!(
        (repo.0.as_str(), repo.1.as_str()),
        ("octocat/Hello-World", "fail"),
        "the repository is named in the first finding: {repo:?}"
    );
    assert!(
        repo.2.contains("does not require review from code owners")
            && repo.2.contains("Fix:")
            && !repo.2.contains("http"),
        "the finding says what is wrong and the fix, in plain words: {repo:?}"
    );

    // npm's row, opened from the keyboard: the package published by token first, by name.
    s.focus_and_enter(r#".result[data-check-id="npm.trusted_publishing"] > summary"#);
    let npm = s.wait_until(WAIT, "npm's findings", |s| {
        let f = findings(s, "npm.trusted_publishing");
        (!f.is_empty()).then_some(f)
    });
    assert_eq!(
        (npm[0].0.as_str(), npm[0].1.as_str()),
        ("kms-demo", "warn"),
        "the token-published package is the first finding: {npm:#?}"
    );
    assert!(
        npm[0].2.contains("long-lived token") && npm[0].2.contains("version 1.0.0"),
        "{:?}",
        npm[0]
    );
    assert_eq!(
        npm.len(),
        1,
        "the {TRUSTED_PACKAGES} trusted packages are folded and not built yet: {npm:#?}"
    );

    // The fine packages fold into one line that names a few; opening it lists them all.
    let fold =
        r#".findings[data-check-id="npm.trusted_publishing"] .finding-group[data-status="pass"]"#;
    let head = s.wait_text(fold, WAIT, "the folded group", |t| !t.is_empty());
    assert!(
        head.contains(&format!("{TRUSTED_PACKAGES} good")) && head.contains("trusted-pkg-00"),
        "the folded group says how many and names some: {head:?}"
    );
    s.focus_and_enter(&format!("{fold} details.finding-fold > summary"));
    let all = s.wait_until(WAIT, "the folded packages", |s| {
        let f = findings(s, "npm.trusted_publishing");
        (f.len() == 1 + TRUSTED_PACKAGES).then_some(f)
    });
    assert!(
        all[1..]
            .iter()
            .all(|f| f.1 == "pass" && f.0.starts_with("trusted-pkg-")),
        "{all:#?}"
    );
    s.close();
}
