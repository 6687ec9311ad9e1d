//! `email.breaches` against a loopback Have I Been Pwned: breaches, none, 401, 429, consent,
//! and the API key staying in its header.

use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use lockstep_core::check::{CheckResult, Status};
use lockstep_core::dirs::AppDirs;
use lockstep_core::engine::{self, CheckContext, Limits};
use lockstep_core::platform::{Group, Platform};
use lockstep_core::secret::Secret;
use lockstep_core::settings::{EnvVars, Settings};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::macros::datetime;
use tokio_util::sync::CancellationToken;

const KEY: &str = "hibp-canary-key-7f3a9c";

/// What the server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    uri: String,
    api_key: Option<String>,
    user_agent: Option<String>,
    /// Every header value except `hibp-api-key`, to prove the key is nowhere else.
    other_headers: String,
}

#[derive(Clone, Default)]
struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
}

async fn breached_account(
    State(s): State<Server>,
    UrlPath(account): UrlPath<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let other_headers = headers
        .iter()
        .filter(|(k, _)| k.as_str() != "hibp-api-key")
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap_or("")))
        .collect::<Vec<_>>()
        .join("\n");
    s.seen.lock().unwrap().push(Seen {
        uri: uri.to_string(),
        api_key: header("hibp-api-key"),
        user_agent: header("user-agent"),
        other_headers,
    });
    if header("hibp-api-key").as_deref() != Some(KEY) {
        return (
            StatusCode::UNAUTHORIZED,
            "Access denied due to invalid hibp-api-key.",
        )
            .into_response();
    }
    match account.as_str() {
        "pwned@example.org" => axum::Json(serde_json::json!([
            {"Name": "LinkedIn", "Title": "LinkedIn", "Domain": "linkedin.com", "BreachDate": "2012-05-05",
             "PwnCount": 164611595, "DataClasses": ["Email addresses", "Passwords"], "IsVerified": true},
            {"Name": "Adobe", "Title": "Adobe", "Domain": "adobe.com", "BreachDate": "2013-10-04",
             "PwnCount": 152445165, "DataClasses": ["Email addresses", "Password hints", "Passwords", "Usernames"], "IsVerified": true}
        ]))
        .into_response(),
        "limited@example.org" => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "3600")], "Rate limit is exceeded.").into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start() -> (Server, String) {
    let server = Server::default();
    let app = Router::new()
        .route("/api/v3/breachedaccount/{account}", get(breached_account))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (server, base)
}

fn ctx(
    root: &Path,
    base: &str,
    emails: &[&str],
    consent: bool,
    key: Option<&str>,
) -> Arc<CheckContext> {
    let settings = Settings {
        emails: emails.iter().map(|e| e.to_string()).collect(),
        breach_check_consent: consent,
        ..Settings::default()
    };
    let mut tokens = BTreeMap::new();
    if let Some(k) = key {
        tokens.insert(Platform::Hibp, Secret::new(k));
    }
    Arc::new(CheckContext {
        settings,
        // Loopback only: lets the test skip HIBP's 6 s spacing between requests.
        env: EnvVars::default()
            .with("LOCKSTEP_HIBP_URL", base)
            .with("LOCKSTEP_HIBP_MIN_INTERVAL_MS", "10"),
        tokens,
        token_errors: BTreeMap::new(),
        home: root.join("home"),
        dirs: AppDirs::under(root),
        now: datetime!(2026-11-25 12:00 UTC),
        limits: Limits {
            request_timeout: Duration::from_secs(5),
            deadline: Duration::from_secs(30),
        },
        cancel: CancellationToken::new(),
    })
}

/// Runs the email group; returns every result (both checks) and the breach result.
async fn run(ctx: Arc<CheckContext>) -> (Vec<CheckResult>, CheckResult) {
    let probes = vec![lockstep_core::email::probe().unwrap()];
    let out = engine::run(ctx, &probes, &[Group::Email], |_| {}).await;
    let breaches = out
        .results
        .iter()
        .find(|r| r.id == "email.breaches")
        .unwrap()
        .clone();
    (out.results, breaches)
}

#[tokio::test]
async fn breaches_warn_listing_them_with_dates() {
    let (server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(
        dir.path(),
        &base,
        &["pwned@example.org"],
        true,
        Some(KEY),
    ))
    .await;
    assert_eq!(r.status, Status::Warn, "{r:?}");
    let ev = r.evidence.join("\n");
    assert!(
        ev.contains("Adobe (2013-10-04: Email addresses, Password hints, Passwords, +1 more)"),
        "{ev}"
    );
    assert!(
        ev.contains("LinkedIn (2012-05-05: Email addresses, Passwords)"),
        "{ev}"
    );
    assert!(
        ev.find("Adobe").unwrap() < ev.find("LinkedIn").unwrap(),
        "newest first: {ev}"
    );
    assert!(!r.remediation.is_empty());
    let seen = server.seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].uri,
        "/api/v3/breachedaccount/pwned%40example.org?truncateResponse=false"
    );
}

#[tokio::test]
async fn no_breaches_pass() {
    let (_server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(
        dir.path(),
        &base,
        &["clean@example.org"],
        true,
        Some(KEY),
    ))
    .await;
    assert_eq!(r.status, Status::Pass, "{r:?}");
    assert!(r.summary.contains("no known breach"), "{}", r.summary);
}

#[tokio::test]
async fn several_emails_are_each_looked_up_and_the_worst_wins() {
    let (server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(
        dir.path(),
        &base,
        &["clean@example.org", "pwned@example.org"],
        true,
        Some(KEY),
    ))
    .await;
    assert_eq!(r.status, Status::Warn, "{r:?}");
    assert!(r.summary.contains("1 of your 2"), "{}", r.summary);
    assert_eq!(server.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn rejected_key_is_unknown() {
    let (_server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(
        dir.path(),
        &base,
        &["pwned@example.org"],
        true,
        Some("wrong-key"),
    ))
    .await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(
        r.summary.contains("401") && r.summary.contains("API/Key"),
        "{}",
        r.summary
    );
}

#[tokio::test]
async fn a_rate_limit_midway_keeps_the_answers_already_received() {
    let (server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(
        dir.path(),
        &base,
        &[
            "pwned@example.org",
            "limited@example.org",
            "clean@example.org",
        ],
        true,
        Some(KEY),
    ))
    .await;
    assert_eq!(
        r.status,
        Status::Warn,
        "the breach already found still counts: {r:?}"
    );
    let evidence = r.evidence.join("\n");
    assert!(evidence.contains("LinkedIn"), "{evidence}");
    assert!(
        evidence.contains("limited@example.org: could not be looked up")
            && evidence.contains("clean@example.org: could not be looked up"),
        "the addresses not looked up are named: {evidence}"
    );
    assert_eq!(
        server.seen.lock().unwrap().len(),
        2,
        "nothing is sent after the 429"
    );
}

#[tokio::test]
async fn rate_limited_is_unknown_with_the_wait() {
    let (server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(
        dir.path(),
        &base,
        &["limited@example.org", "clean@example.org"],
        true,
        Some(KEY),
    ))
    .await;
    assert_eq!(r.status, Status::Unknown, "{r:?}");
    assert!(
        r.summary.contains("429") && r.summary.contains("in about 60 minutes"),
        "{}",
        r.summary
    );
    // A long retry-after is not waited out, and no further address is sent.
    assert_eq!(server.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn without_consent_nothing_is_sent() {
    let (server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(
        dir.path(),
        &base,
        &["pwned@example.org"],
        false,
        Some(KEY),
    ))
    .await;
    assert_eq!(r.status, Status::Skipped, "{r:?}");
    assert!(
        r.summary.contains("Opt in under Accounts & tokens"),
        "{}",
        r.summary
    );
    assert!(
        server.seen.lock().unwrap().is_empty(),
        "no request without consent"
    );
}

#[tokio::test]
async fn consent_without_a_key_is_skipped_with_how_to_get_one() {
    let (server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, r) = run(ctx(dir.path(), &base, &["pwned@example.org"], true, None)).await;
    assert_eq!(r.status, Status::Skipped, "{r:?}");
    assert!(
        r.summary.contains("https://haveibeenpwned.com/API/Key"),
        "{}",
        r.summary
    );
    assert!(server.seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn the_key_travels_only_in_its_header_and_never_in_results() {
    let (server, base) = start().await;
    let dir = tempfile::tempdir().unwrap();
    let (all, _) = run(ctx(
        dir.path(),
        &base,
        &["pwned@example.org", "clean@example.org"],
        true,
        Some(KEY),
    ))
    .await;
    let (rejected, _) = run(ctx(
        dir.path(),
        &base,
        &["pwned@example.org"],
        true,
        Some(&format!("{KEY}-old")),
    ))
    .await;
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    for s in &seen[..2] {
        assert_eq!(s.api_key.as_deref(), Some(KEY));
        assert!(
            s.user_agent
                .as_deref()
                .unwrap_or("")
                .starts_with("lockstep/"),
            "{s:?}"
        );
        assert!(s.uri.contains("truncateResponse=false"));
    }
    for s in &seen {
        assert!(!s.uri.contains(KEY), "key in the URL: {s:?}");
        assert!(
            !s.other_headers.contains(KEY),
            "key in another header: {s:?}"
        );
    }
    let json = serde_json::to_string(&[all, rejected]).unwrap();
    assert!(!json.contains(KEY), "key in results: {json}");
}
