//! A scripted loopback HTTP server for the live-check tests and the bench.
//!
//! Routes are exact `path?query` strings mapped to a queue of replies (the last reply repeats),
//! so a test can say "429 first, then 200". Every request is recorded with the auth headers it
//! carried, so tests can prove where a token went and where it did not.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use lockstep_core::check::CheckResult;
use lockstep_core::dirs::AppDirs;
use lockstep_core::engine::{self, CheckContext, Limits, Probe};
use lockstep_core::platform::{Group, Platform};
use lockstep_core::secret::Secret;
use lockstep_core::settings::{EnvVars, Settings};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

/// One scripted answer.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    pub fn json(v: Value) -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: v.to_string().into_bytes(),
            delay: Duration::ZERO,
        }
    }
    pub fn status(code: u16) -> Self {
        Reply {
            status: code,
            headers: Vec::new(),
            body: b"{}".to_vec(),
            delay: Duration::ZERO,
        }
    }
    pub fn raw(code: u16, body: &str) -> Self {
        Reply {
            status: code,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
    /// A redirect to `location` (absolute or relative).
    pub fn redirect(location: &str) -> Self {
        Reply::status(302).header("location", location)
    }
}

/// What the server saw of one request.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub authorization: Option<String>,
    pub private_token: Option<String>,
    pub started: Instant,
    pub finished: Instant,
}

#[derive(Default)]
struct Inner {
    routes: Mutex<HashMap<String, VecDeque<Reply>>>,
    seen: Mutex<Vec<Seen>>,
    delay: Duration,
}

/// A running server on `127.0.0.1:0`.
pub struct TestServer {
    pub addr: SocketAddr,
    inner: Arc<Inner>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_with_delay(Duration::ZERO).await
    }

    /// Every response is held back `delay` (the bench's simulated latency).
    pub async fn start_with_delay(delay: Duration) -> Self {
        let inner = Arc::new(Inner {
            delay,
            ..Inner::default()
        });
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestServer { addr, inner }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Answers `path_and_query` with `reply`, always.
    pub fn route(&self, path_and_query: &str, reply: Reply) -> &Self {
        self.sequence(path_and_query, vec![reply])
    }

    pub fn json(&self, path_and_query: &str, v: Value) -> &Self {
        self.route(path_and_query, Reply::json(v))
    }

    /// Answers with each reply in turn; the last one repeats.
    pub fn sequence(&self, path_and_query: &str, replies: Vec<Reply>) -> &Self {
        self.inner
            .routes
            .lock()
            .unwrap()
            .insert(path_and_query.to_string(), replies.into());
        self
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.inner.seen.lock().unwrap().clone()
    }

    /// How many requests hit `path_and_query`.
    pub fn hits(&self, path_and_query: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path == path_and_query)
            .count()
    }

    /// Every auth header value that arrived (Authorization and PRIVATE-TOKEN).
    pub fn auth_values(&self) -> Vec<String> {
        self.seen()
            .into_iter()
            .flat_map(|s| s.authorization.into_iter().chain(s.private_token))
            .collect()
    }
}

async fn handle(State(inner): State<Arc<Inner>>, req: Request) -> Response {
    let started = Instant::now();
    let (parts, _body) = req.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let authorization = header("authorization");
    let private_token = header("private-token");
    let reply = {
        let mut routes = inner.routes.lock().unwrap();
        match routes.get_mut(&path) {
            Some(q) if q.len() > 1 => q.pop_front(),
            Some(q) => q.front().cloned(),
            None => None,
        }
    };
    let reply = reply.unwrap_or_else(|| Reply::raw(404, r#"{"message":"Not Found"}"#));
    tokio::time::sleep(inner.delay + reply.delay).await;
    let mut resp = Response::new(Body::from(reply.body));
    *resp.status_mut() = StatusCode::from_u16(reply.status).unwrap();
    for (k, v) in &reply.headers {
        resp.headers_mut().insert(
            HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    inner.seen.lock().unwrap().push(Seen {
        path,
        authorization,
        private_token,
        started,
        finished: Instant::now(),
    });
    resp
}

/// The fixed clock of every test: 2026-11-25 12:00 UTC.
pub fn now() -> OffsetDateTime {
    time::macros::datetime!(2026-11-25 12:00 UTC)
}

/// A run context with the given env, tokens and a 2 s request timeout.
pub fn ctx(env: &[(&str, &str)], tokens: &[(Platform, &str)]) -> CheckContext {
    let mut vars = EnvVars::default();
    for (k, v) in env {
        vars = vars.with(k, v);
    }
    CheckContext {
        settings: Settings::default(),
        env: vars,
        tokens: tokens.iter().map(|(p, t)| (*p, Secret::new(*t))).collect(),
        token_errors: BTreeMap::new(),
        home: PathBuf::from("/nonexistent"),
        dirs: AppDirs::under(std::path::Path::new("/nonexistent")),
        now: now(),
        limits: Limits {
            request_timeout: Duration::from_secs(2),
            deadline: Duration::from_secs(60),
        },
        cancel: CancellationToken::new(),
    }
}

/// The live probes, with crates.io's spacing shortened (allowed only for loopback servers).
pub fn fast_probes() -> Vec<Arc<dyn Probe>> {
    lockstep_core::live::probes()
        .into_iter()
        .map(|p| -> Arc<dyn Probe> {
            if p.group() == Group::Account(Platform::Crates) {
                Arc::new(lockstep_core::live::crates::CratesProbe::with_interval(
                    Duration::from_millis(5),
                ))
            } else {
                p
            }
        })
        .collect()
}

/// Runs the given groups through the real engine and returns the results by id.
pub async fn run(ctx: CheckContext, groups: &[Group]) -> BTreeMap<String, CheckResult> {
    run_with(ctx, groups, &fast_probes()).await
}

pub async fn run_with(
    ctx: CheckContext,
    groups: &[Group],
    probes: &[Arc<dyn Probe>],
) -> BTreeMap<String, CheckResult> {
    let out = engine::run(Arc::new(ctx), probes, groups, |_| {}).await;
    out.results.into_iter().map(|r| (r.id.clone(), r)).collect()
}

/// Asserts a check's status, printing the whole result when it differs.
#[track_caller]
pub fn assert_status(
    results: &BTreeMap<String, CheckResult>,
    id: &str,
    expected: lockstep_core::check::Status,
) {
    let r = results
        .get(id)
        .unwrap_or_else(|| panic!("no result for {id}: {results:#?}"));
    assert_eq!(r.status, expected, "{id}: {r:#?}");
}

/// `n` fake owner objects `{"login": ...}` / `{"name": ...}` etc. are built by each test.
pub fn handles(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}
