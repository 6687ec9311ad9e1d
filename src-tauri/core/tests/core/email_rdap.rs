//! `email.domain` against a loopback RDAP server: bootstrap, expiry thresholds, missing TLDs,
//! 404s, malformed answers, network failures and the bootstrap cache.

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::future::BoxFuture;
use lockstep_core::check::{CheckResult, Observed, Status};
use lockstep_core::dirs::AppDirs;
use lockstep_core::engine::{self, CheckContext, Emitter, Limits, Probe};
use lockstep_core::platform::Group;
use lockstep_core::settings::{EnvVars, Settings};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::macros::datetime;
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

const NOW: OffsetDateTime = datetime!(2026-11-25 12:00 UTC);

#[derive(Clone, Default)]
struct Server {
    base: Arc<Mutex<String>>,
    bootstrap_hits: Arc<AtomicUsize>,
    domains_asked: Arc<Mutex<Vec<String>>>,
}

fn day(offset_days: i64) -> String {
    let d = NOW.date() + time::Duration::days(offset_days);
    format!(
        "{:04}-{:02}-{:02}T04:00:00Z",
        d.year(),
        u8::from(d.month()),
        d.day()
    )
}

async fn bootstrap(State(s): State<Server>) -> Response {
    s.bootstrap_hits.fetch_add(1, Ordering::SeqCst);
    let base = s.base.lock().unwrap().clone();
    let body = serde_json::json!({
        "version": "1.0",
        "publication": "2026-11-01T00:00:00Z",
        "services": [
            [["com", "org"], [format!("{base}/rdap/")]],
            [["net"], [format!("{base}/other")]]
        ]
    });
    axum::Json(body).into_response()
}

async fn domain(State(s): State<Server>, UrlPath(name): UrlPath<String>) -> Response {
    s.domains_asked.lock().unwrap().push(name.clone());
    let expires_in = match name.as_str() {
        "soon.org" => 30,
        "mid.org" => 200,
        "late.org" => 3 * 365 + 1,
        "broken.org" => {
            return (
                StatusCode::OK,
                [("content-type", "application/rdap+json")],
                "{\"events\": [",
            )
                .into_response()
        }
        _ => return (StatusCode::NOT_FOUND, "{\"errorCode\":404}").into_response(),
    };
    let body = serde_json::json!({
        "objectClassName": "domain",
        "ldhName": name.to_uppercase(),
        "events": [
            {"eventAction": "registration", "eventDate": "2010-03-01T00:00:00Z"},
            {"eventAction": "expiration", "eventDate": day(expires_in)},
            {"eventAction": "last update of RDAP database", "eventDate": day(0)}
        ]
    });
    (
        StatusCode::OK,
        [("content-type", "application/rdap+json")],
        body.to_string(),
    )
        .into_response()
}

async fn start() -> (Server, String) {
    let server = Server::default();
    let app = Router::new()
        .route("/iana/dns.json", get(bootstrap))
        .route("/rdap/domain/{name}", get(domain))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    *server.base.lock().unwrap() = base.clone();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (server, format!("{base}/iana/dns.json"))
}

fn ctx(
    root: &Path,
    bootstrap_url: &str,
    emails: &[&str],
    now: OffsetDateTime,
) -> Arc<CheckContext> {
    let settings = Settings {
        emails: emails.iter().map(|e| e.to_string()).collect(),
        ..Settings::default()
    };
    Arc::new(CheckContext {
        settings,
        env: EnvVars::default().with("LOCKSTEP_RDAP_BOOTSTRAP_URL", bootstrap_url),
        tokens: BTreeMap::new(),
        token_errors: BTreeMap::new(),
        home: root.join("home"),
        dirs: AppDirs::under(root),
        now,
        limits: Limits {
            request_timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
        },
        cancel: CancellationToken::new(),
    })
}

/// Stands in for the GitHub probe: reports the account's emails the way `github.email` does.
struct FakeGithub(Vec<String>);
impl Probe for FakeGithub {
    fn group(&self) -> Group {
        Group::Github
    }
    fn run<'a>(&'a self, _ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let observed = Observed {
                emails: self.0.clone(),
                ..Observed::default()
            };
            out.emit(
                CheckResult::new("github.email", Status::Pass, "primary email found")
                    .with_observed(observed),
            );
        })
    }
}

async fn run_domain(ctx: Arc<CheckContext>, github_emails: &[&str]) -> CheckResult {
    let mut probes: Vec<Arc<dyn Probe>> = vec![lockstep_core::email::probe().unwrap()];
    let mut groups = vec![Group::Email];
    if !github_emails.is_empty() {
        probes.push(Arc::new(FakeGithub(
            github_emails.iter().map(|e| e.to_string()).collect(),
        )));
        groups.push(Group::Github);
    }
    let out = engine::run(ctx, &probes, &groups, |_| {}).await;
    out.results
        .into_iter()
        .find(|r| r.id == "email.domain")
        .unwrap()
}

#[tokio::test]
async fn expiry_in_30_days_fails_and_records_the_date() {
    let (server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(ctx(dir.path(), &url, &["alice@mail.soon.org"], NOW), &[]).await;
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(r.summary.contains("30 days"), "{}", r.summary);
    assert_eq!(
        r.observed
            .expires
            .get("domain soon.org")
            .map(String::as_str),
        Some("2026-12-25")
    );
    assert_eq!(r.observed.emails, vec!["alice@mail.soon.org"]);
    assert!(
        r.evidence
            .iter()
            .any(|e| e.contains("registered 2010-03-01")),
        "{:?}",
        r.evidence
    );
    assert!(
        r.remediation
            .iter()
            .any(|s| s.contains("PyPI") && s.contains("registers a lapsed domain")),
        "{:?}",
        r.remediation
    );
    // The registrable domain is looked up, not the mail host.
    assert_eq!(*server.domains_asked.lock().unwrap(), vec!["soon.org"]);
}

#[tokio::test]
async fn expiry_in_200_days_warns() {
    let (_server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(ctx(dir.path(), &url, &["bob@mid.org"], NOW), &[]).await;
    assert_eq!(r.status, Status::Warn, "{r:?}");
    assert!(r.summary.contains("200 days"), "{}", r.summary);
}

#[tokio::test]
async fn expiry_in_3_years_warns_with_the_date() {
    let (_server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(ctx(dir.path(), &url, &["carol@late.org"], NOW), &[]).await;
    assert_eq!(r.status, Status::Warn, "{r:?}");
    assert!(r.summary.contains("2029-11-25"), "{}", r.summary);
    assert_eq!(
        r.observed
            .expires
            .get("domain late.org")
            .map(String::as_str),
        Some("2029-11-25")
    );
    assert!(
        r.remediation.iter().any(|s| s.contains("large provider")),
        "{:?}",
        r.remediation
    );
}

#[tokio::test]
async fn tld_missing_from_bootstrap_is_unknown() {
    let (server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(ctx(dir.path(), &url, &["dave@example.zz"], NOW), &[]).await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(r.summary.contains("no RDAP service"), "{}", r.summary);
    assert!(server.domains_asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn rdap_404_is_unknown() {
    let (_server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(ctx(dir.path(), &url, &["erin@gone.org"], NOW), &[]).await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(r.summary.contains("not found in RDAP"), "{}", r.summary);
}

#[tokio::test]
async fn malformed_rdap_json_is_unknown() {
    let (_server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(ctx(dir.path(), &url, &["frank@broken.org"], NOW), &[]).await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(r.summary.contains("could not read"), "{}", r.summary);
}

#[tokio::test]
async fn unreachable_bootstrap_is_unknown() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(
        ctx(
            dir.path(),
            &format!("http://{closed}/dns.json"),
            &["g@soon.org"],
            NOW,
        ),
        &[],
    )
    .await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(r.summary.contains("bootstrap"), "{}", r.summary);
}

#[tokio::test]
async fn providers_pass_and_status_is_the_worst_over_emails() {
    let (_server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let only_gmail = run_domain(ctx(dir.path(), &url, &[], NOW), &["Someone@GMail.com"]).await;
    assert_eq!(only_gmail.status, Status::Pass, "{only_gmail:?}");
    assert_eq!(only_gmail.observed.emails, vec!["Someone@gmail.com"]);

    // Emails from the account checks and from Settings are merged.
    let mixed = run_domain(
        ctx(dir.path(), &url, &["bob@mid.org", "someone@gmail.com"], NOW),
        &["someone@gmail.com", "alice@soon.org"],
    )
    .await;
    assert_eq!(mixed.status, Status::Fail, "{mixed:?}");
    assert_eq!(
        mixed.observed.emails,
        vec!["someone@gmail.com", "alice@soon.org", "bob@mid.org"]
    );
    assert_eq!(mixed.evidence.len(), 3, "{:?}", mixed.evidence);
    assert!(mixed.observed.expires.contains_key("domain mid.org"));
}

#[tokio::test]
async fn no_emails_is_skipped() {
    let (server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = run_domain(ctx(dir.path(), &url, &[], NOW), &[]).await;
    assert_eq!(r.status, Status::Skipped);
    assert!(
        r.summary.contains("add it under Accounts & tokens"),
        "{}",
        r.summary
    );
    assert_eq!(server.bootstrap_hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn bootstrap_is_cached_for_a_week() {
    let (server, url) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let first = run_domain(ctx(dir.path(), &url, &["a@mid.org"], NOW), &[]).await;
    assert_eq!(first.status, Status::Warn);
    assert_eq!(server.bootstrap_hits.load(Ordering::SeqCst), 1);
    assert!(dir.path().join("cache").join("rdap-dns.json").is_file());

    let second = run_domain(
        ctx(
            dir.path(),
            &url,
            &["a@mid.org"],
            NOW + time::Duration::days(6),
        ),
        &[],
    )
    .await;
    assert_eq!(second.status, Status::Warn);
    assert_eq!(
        server.bootstrap_hits.load(Ordering::SeqCst),
        1,
        "a fresh cache needs no download"
    );

    let later = run_domain(
        ctx(
            dir.path(),
            &url,
            &["a@mid.org"],
            NOW + time::Duration::days(8),
        ),
        &[],
    )
    .await;
    assert_eq!(later.status, Status::Warn);
    assert_eq!(
        server.bootstrap_hits.load(Ordering::SeqCst),
        2,
        "a week-old cache is refreshed"
    );
}
