//! A full review against loopback servers that add 50 ms to every response: all six
//! platforms, 200 packages. Prints wall time, the critical path and the sequential sum.
//!
//! Spread: npm 64, PyPI 64, RubyGems 64, crates.io 8. crates.io allows one request per second,
//! so its chain (user → crate list → one owners request per crate, each at least 1 s after the
//! previous) is the critical path whatever the spread; 8 crates keep the bench near 10 s while
//! the other 192 packages must finish in its shadow. A second pass without crates.io shows how
//! the unthrottled platforms do on their own (their critical path is only 2–3 requests deep).
//!
//! Issue 11 adds the release-pipeline requests: each package's latest release (npm from the
//! packument already fetched, PyPI's Integrity API, RubyGems' attestations, one crates.io
//! crate page per crate) and [`REPOS`] GitHub repositories whose workflow publishes. GitHub
//! requests are spaced by its secondary rate limit, which makes its chain a second critical
//! path next to crates.io's.
//!
//! A third pass is one npm maintainer of 1,000 packages (four search pages, then 1,000
//! packuments with at most `live::CONCURRENCY` in flight): the time against its dependency
//! chain and against the bound that concurrency limit sets.
//!
//! Run: `cargo bench -p lockstep-core --bench full_review`

#[path = "../tests/support/mod.rs"]
mod support;

use lockstep_core::engine::Probe;
use lockstep_core::live::crates::POLITE_INTERVAL;
use lockstep_core::live::CONCURRENCY;
use lockstep_core::platform::{Group, Platform};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{ctx, run_with, TestServer};

const LATENCY: Duration = Duration::from_millis(50);
const NPM: usize = 64;
const PYPI: usize = 64;
const RUBYGEMS: usize = 64;
const CRATES: usize = 8;
/// The large npm maintainer of the third pass, and npm's search page size.
const NPM_LARGE: usize = 1000;
const NPM_PAGE: usize = 250;

/// A packument whose latest release came through trusted publishing for even `i`, with a
/// token for odd `i` (the shape of `tests/fixtures/platforms/pipeline/npm/`).
fn packument(i: usize, maintainers: Vec<Value>) -> Value {
    let user = if i % 2 == 0 {
        json!({"name": "GitHub Actions", "trustedPublisher": {"id": "github", "oidcConfigId": "oidc:bench"}})
    } else {
        json!({"name": "bench"})
    };
    json!({"maintainers": maintainers, "dist-tags": {"latest": "1.0.0"}, "versions": {"1.0.0": {"_npmUser": user, "dist": {}}}})
}

/// GitHub: one maintainer's repositories, every one publishing to PyPI from one workflow
/// (PyPI's documented example), half of them without CODEOWNERS.
const REPOS: usize = 40;

fn owners_json(i: usize) -> Vec<String> {
    (0..(1 + i % 4)).map(|k| format!("owner{k}")).collect()
}

struct Servers {
    github: TestServer,
    gitlab: TestServer,
    npm: TestServer,
    pypi: TestServer,
    rubygems: TestServer,
    crates: TestServer,
}

async fn servers() -> Servers {
    let s = Servers {
        github: TestServer::start_with_delay(LATENCY).await,
        gitlab: TestServer::start_with_delay(LATENCY).await,
        npm: TestServer::start_with_delay(LATENCY).await,
        pypi: TestServer::start_with_delay(LATENCY).await,
        rubygems: TestServer::start_with_delay(LATENCY).await,
        crates: TestServer::start_with_delay(LATENCY).await,
    };
    let g = &s.github;
    g.json(
        "/user",
        json!({"login": "bench", "two_factor_authentication": true}),
    );
    g.json(
        "/user/emails?per_page=100",
        json!([{"email": "bench@gmail.com", "primary": true}]),
    );
    g.json("/user/gpg_keys?per_page=100", json!([]));
    g.json("/user/ssh_signing_keys?per_page=100", json!([{"title": "k", "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJlcjQ9IN0o13XXm2CuMJEOFifg7mfEe60KpaBrBpE8l"}]));
    g.json("/user/keys?per_page=100", json!([]));
    g.json("/user/memberships/orgs?state=active&per_page=100", json!([{"role": "admin", "organization": {"login": "o1"}}, {"role": "admin", "organization": {"login": "o2"}}]));
    for o in ["o1", "o2"] {
        g.json(
            &format!("/orgs/{o}"),
            json!({"two_factor_requirement_enabled": true}),
        );
        g.json(
            &format!("/orgs/{o}/members?role=admin&per_page=100"),
            json!([{"login": "a"}, {"login": "b"}]),
        );
    }
    let repos: Vec<Value> = (0..REPOS)
        .map(|i| json!({"full_name": format!("bench/repo-{i}"), "default_branch": "main", "permissions": {"admin": true}}))
        .collect();
    g.json(
        "/user/repos?per_page=100&affiliation=owner,organization_member",
        Value::Array(repos),
    );
    let workflow =
        include_str!("../tests/fixtures/platforms/pipeline/github/workflow-pypi-publish-docs.yml");
    for i in 0..REPOS {
        let r = format!("/repos/bench/repo-{i}");
        g.json(
            &format!("{r}/actions/workflows?per_page=100"),
            json!({"workflows": [{"path": ".github/workflows/release.yml"}]}),
        );
        g.route(
            &format!("{r}/contents/.github/workflows/release.yml?ref=main"),
            support::Reply::raw(200, workflow),
        );
        if i % 2 == 0 {
            g.route(
                &format!("{r}/contents/.github/CODEOWNERS?ref=main"),
                support::Reply::raw(200, "/.github/workflows/ @bench\n"),
            );
            g.json(
                &format!("{r}/codeowners/errors?ref=main"),
                json!({"errors": []}),
            );
        }
        g.json(&format!("{r}/rules/branches/main"), json!([{"type": "pull_request", "parameters": {"require_code_owner_review": i % 2 == 0}}]));
        g.json(
            &format!("{r}/actions/permissions/workflow"),
            json!({"default_workflow_permissions": "read"}),
        );
        g.json(&format!("{r}/environments/pypi"), json!({"protection_rules": [{"type": "required_reviewers", "reviewers": [{"type": "User"}]}]}));
    }
    s.gitlab.json(
        "/api/v4/user",
        json!({"username": "bench", "two_factor_enabled": true}),
    );
    s.gitlab.json(
        "/api/v4/personal_access_tokens/self",
        json!({"scopes": ["read_user"], "expires_at": "2027-06-01"}),
    );

    s.npm.json("/-/whoami", json!({"username": "bench"}));
    s.npm.json(
        "/-/npm/v1/user",
        json!({"name": "bench", "tfa": {"mode": "auth-and-writes"}}),
    );
    let objects: Vec<Value> = (0..NPM)
        .map(|i| json!({"package": {"name": format!("npm-pkg-{i}")}}))
        .collect();
    s.npm.json(
        "/-/v1/search?text=maintainer:bench&size=250&from=0",
        json!({"objects": objects, "total": NPM}),
    );
    for i in 0..NPM {
        let m: Vec<Value> = owners_json(i)
            .into_iter()
            .map(|n| json!({"name": n}))
            .collect();
        s.npm.json(&format!("/npm-pkg-{i}"), packument(i, m));
    }
    for i in 0..PYPI {
        let roles: Vec<Value> = owners_json(i)
            .into_iter()
            .map(|u| json!({"role": "Owner", "user": u}))
            .collect();
        s.pypi.json(
            &format!("/pypi/py-pkg-{i}/json"),
            json!({"ownership": {"roles": roles}, "info": {"version": "1.0"}, "urls": [{"filename": format!("py-pkg-{i}-1.0.tar.gz")}]}),
        );
        if i % 2 == 0 {
            s.pypi.json(
                &format!("/integrity/py-pkg-{i}/1.0/py-pkg-{i}-1.0.tar.gz/provenance"),
                json!({"attestation_bundles": [{"publisher": {"kind": "GitHub", "repository": "bench/repo", "workflow": "release.yml"}}]}),
            );
        }
    }
    let gems: Vec<Value> = (0..RUBYGEMS)
        .map(|i| json!({"name": format!("gem-{i}"), "version": "1.0.0"}))
        .collect();
    s.rubygems
        .json("/api/v1/owners/bench/gems.json", Value::Array(gems));
    for i in 0..RUBYGEMS {
        let o: Vec<Value> = owners_json(i)
            .into_iter()
            .map(|h| json!({"handle": h}))
            .collect();
        s.rubygems.json(
            &format!("/api/v1/gems/gem-{i}/owners.json"),
            Value::Array(o),
        );
        s.rubygems.json(
            &format!("/api/v1/attestations/gem-{i}-1.0.0.json"),
            if i % 2 == 0 {
                json!([{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}])
            } else {
                json!([])
            },
        );
    }
    s.crates
        .json("/api/v1/users/bench", json!({"user": {"id": 7}}));
    let crates: Vec<Value> = (0..CRATES)
        .map(|i| json!({"name": format!("crate-{i}")}))
        .collect();
    s.crates.json(
        "/api/v1/crates?user_id=7&per_page=100&page=1",
        json!({"crates": crates, "meta": {"total": CRATES, "next_page": null}}),
    );
    for i in 0..CRATES {
        let u: Vec<Value> = owners_json(i)
            .into_iter()
            .map(|l| json!({"login": l, "kind": "user"}))
            .collect();
        s.crates.json(
            &format!("/api/v1/crates/crate-{i}/owners"),
            json!({"users": u}),
        );
        let trustpub = if i % 2 == 0 {
            json!({"provider": "github", "repository": "bench/repo"})
        } else {
            Value::Null
        };
        s.crates.json(
            &format!("/api/v1/crates/crate-{i}?include=default_version"),
            json!({"crate": {"default_version": "1.0.0", "trustpub_only": false}, "versions": [{"num": "1.0.0", "published_by": if i % 2 == 0 { Value::Null } else { json!({"login": "bench"}) }, "trustpub_data": trustpub}]}),
        );
    }
    s
}

/// One npm maintainer of [`NPM_LARGE`] packages, each answered after [`LATENCY`].
async fn npm_large() -> (Duration, usize) {
    let npm = TestServer::start_with_delay(LATENCY).await;
    npm.json("/-/whoami", json!({"username": "big"}));
    npm.json(
        "/-/npm/v1/user",
        json!({"name": "big", "tfa": {"mode": "auth-and-writes"}}),
    );
    for from in (0..NPM_LARGE).step_by(NPM_PAGE) {
        let objects: Vec<Value> = (from..(from + NPM_PAGE).min(NPM_LARGE))
            .map(|i| json!({"package": {"name": format!("big-pkg-{i}")}}))
            .collect();
        npm.json(
            &format!("/-/v1/search?text=maintainer:big&size={NPM_PAGE}&from={from}"),
            json!({"objects": objects, "total": NPM_LARGE}),
        );
    }
    for i in 0..NPM_LARGE {
        let m: Vec<Value> = owners_json(i)
            .into_iter()
            .map(|n| json!({"name": n}))
            .collect();
        npm.json(&format!("/big-pkg-{i}"), packument(i, m));
    }
    let url = npm.url("");
    let mut c = ctx(
        &[("LOCKSTEP_NPM_URL", url.as_str())],
        &[(Platform::Npm, "npm_bench")],
    );
    c.limits.deadline = Duration::from_secs(300);
    let probes: Vec<Arc<dyn Probe>> = lockstep_core::live::probes();
    let started = Instant::now();
    let results = run_with(c, &[Group::Account(Platform::Npm)], &probes).await;
    let wall = started.elapsed();
    assert!(
        results
            .values()
            .all(|r| r.status != lockstep_core::check::Status::Unknown),
        "{results:#?}"
    );
    (wall, npm.seen().len())
}

/// Checks that could not run do fewer requests, so the figures are only comparable with the
/// same ones unknown: name them.
fn report_unknown(results: &std::collections::BTreeMap<String, lockstep_core::check::CheckResult>) {
    let unknown: Vec<&str> = results
        .values()
        .filter(|r| r.status == lockstep_core::check::Status::Unknown)
        .map(|r| r.id.as_str())
        .collect();
    if !unknown.is_empty() {
        println!("  (unknown, so fewer requests: {})", unknown.join(", "));
    }
}

fn all_seen(s: &Servers) -> Vec<support::Seen> {
    [
        &s.github,
        &s.gitlab,
        &s.npm,
        &s.pypi,
        &s.rubygems,
        &s.crates,
    ]
    .iter()
    .flat_map(|x| x.seen())
    .collect()
}

async fn review(s: &Servers, groups: &[Group]) -> (Duration, usize) {
    let urls = [
        ("LOCKSTEP_GITHUB_URL", s.github.url("")),
        ("LOCKSTEP_GITLAB_URL", s.gitlab.url("")),
        ("LOCKSTEP_NPM_URL", s.npm.url("")),
        ("LOCKSTEP_PYPI_URL", s.pypi.url("")),
        ("LOCKSTEP_RUBYGEMS_URL", s.rubygems.url("")),
        ("LOCKSTEP_CRATES_URL", s.crates.url("")),
    ];
    let projects: Vec<String> = (0..PYPI).map(|i| format!("py-pkg-{i}")).collect();
    let projects = projects.join(",");
    let mut env: Vec<(&str, &str)> = urls.iter().map(|(k, v)| (*k, v.as_str())).collect();
    env.extend([
        ("LOCKSTEP_PYPI_PROJECTS", projects.as_str()),
        ("LOCKSTEP_RUBYGEMS_USER", "bench"),
        ("LOCKSTEP_CRATES_USER", "bench"),
    ]);
    let tokens = [
        (Platform::Github, "ghp_bench"),
        (Platform::Gitlab, "glpat-bench"),
        (Platform::Npm, "npm_bench"),
    ];
    let mut c = ctx(&env, &tokens);
    c.limits.deadline = Duration::from_secs(120);
    // Production probes: crates.io keeps its real one-second spacing.
    let probes: Vec<Arc<dyn Probe>> = lockstep_core::live::probes();
    let before = all_seen(s).len();
    let started = Instant::now();
    let results = run_with(c, groups, &probes).await;
    let wall = started.elapsed();
    report_unknown(&results);
    (wall, all_seen(s).len() - before)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let s = servers().await;
        // GitHub's spacing, from its platform row (its secondary rate limit).
        let github_interval = Platform::Github.spec().min_interval();
        let all = [Group::Account(Platform::Github), Group::Account(Platform::Gitlab), Group::Account(Platform::Npm), Group::Account(Platform::Pypi), Group::Account(Platform::Rubygems), Group::Account(Platform::Crates)];
        let (wall, requests) = review(&s, &all).await;
        let crates_requests = s.crates.seen().len();
        // Critical path: the longest dependent chain. crates.io: requests start at least one
        // interval apart, so its chain is (n - 1) intervals plus the last response. The others:
        // npm whoami → search → packument (3 deep), GitHub memberships → org (2), RubyGems
        // list → owners (2), PyPI and GitLab (1).
        let crates_chain = POLITE_INTERVAL * (crates_requests as u32 - 1) + LATENCY;
        // GitHub: every request at least `github_interval` after the previous (its secondary
        // rate limit), so its chain is set by how many requests the review makes there.
        let github_requests = s.github.seen().len();
        let github_chain = github_interval * (github_requests as u32 - 1) + LATENCY;
        let others_chain = LATENCY * 3;
        let critical = crates_chain.max(github_chain).max(others_chain);
        // Sequential: every request one after another, crates.io and GitHub still spaced.
        let sequential = LATENCY * (requests - crates_requests - github_requests) as u32
            + crates_chain
            + github_chain.max(LATENCY * github_requests as u32);
        let measured: Duration = all_seen(&s).iter().map(|x| x.finished - x.started).sum();
        println!("full review: 6 platforms, {} packages ({NPM} npm, {PYPI} PyPI, {RUBYGEMS} RubyGems, {CRATES} crates.io), {requests} requests, {} ms added per response", NPM + PYPI + RUBYGEMS + CRATES, LATENCY.as_millis());
        println!("  wall time        {:>8.3} s", wall.as_secs_f64());
        println!("  critical path    {:>8.3} s  (crates.io: {crates_requests} requests at 1/s: {:.3} s; GitHub: {github_requests} requests {} ms apart: {:.3} s)", critical.as_secs_f64(), crates_chain.as_secs_f64(), github_interval.as_millis(), github_chain.as_secs_f64());
        println!("  sequential sum   {:>8.3} s  (server time measured: {:.3} s)", sequential.as_secs_f64(), measured.as_secs_f64());
        println!("  wall / critical  {:>8.3}   (target ≤ 1.3)", wall.as_secs_f64() / critical.as_secs_f64());

        let others = [Group::Account(Platform::Github), Group::Account(Platform::Gitlab), Group::Account(Platform::Npm), Group::Account(Platform::Pypi), Group::Account(Platform::Rubygems)];
        let github_before = s.github.seen().len();
        let (wall2, requests2) = review(&s, &others).await;
        let github2 = s.github.seen().len() - github_before;
        let chain2 = (github_interval * (github2 as u32 - 1) + LATENCY).max(others_chain);
        let seq2 = LATENCY * requests2 as u32;
        println!("without crates.io: {requests2} requests ({github2} to GitHub)");
        println!("  wall time        {:>8.3} s", wall2.as_secs_f64());
        println!("  critical path    {:>8.3} s  (GitHub's spacing over {github2} requests)", chain2.as_secs_f64());
        println!("  sequential sum   {:>8.3} s", seq2.as_secs_f64());
        println!("  wall / critical  {:>8.3}   (target ≤ 1.3)", wall2.as_secs_f64() / chain2.as_secs_f64());

        let (wall3, requests3) = npm_large().await;
        let pages = NPM_LARGE.div_ceil(NPM_PAGE);
        // Dependency chain: whoami → every search page in turn → one packument.
        let chain = LATENCY * (1 + pages as u32 + 1);
        // With CONCURRENCY packuments in flight, they take this many latencies after the pages.
        let waves = NPM_LARGE.div_ceil(CONCURRENCY);
        let bound = LATENCY * (1 + pages as u32 + waves as u32);
        println!("npm only, {NPM_LARGE} packages: {requests3} requests");
        println!("  wall time        {:>8.3} s", wall3.as_secs_f64());
        println!("  critical path    {:>8.3} s  (whoami → {pages} search pages → packument)", chain.as_secs_f64());
        println!("  concurrency bound{:>8.3} s  ({waves} rounds of {CONCURRENCY} packuments after the pages)", bound.as_secs_f64());
        println!("  sequential sum   {:>8.3} s", (LATENCY * requests3 as u32).as_secs_f64());
        println!("  wall / critical  {:>8.3}", wall3.as_secs_f64() / chain.as_secs_f64());
        println!("  wall / bound     {:>8.3}   (target ≤ 1.3)", wall3.as_secs_f64() / bound.as_secs_f64());
    });
}
