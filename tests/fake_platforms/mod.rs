//! One loopback HTTP server that speaks every platform Lockstep checks (GitHub, GitLab, npm,
//! PyPI, RubyGems, crates.io, RDAP, Have I Been Pwned), each under its own path prefix, with a
//! scenario a test can change between runs. It records every request's credentials so a test
//! can prove where a token went.
#![allow(dead_code)]

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// What the fake platforms report; change it between runs to create a "what changed".
#[derive(Debug, Clone)]
pub struct Scenario {
    pub github_two_factor: bool,
    pub npm_maintainers: Vec<&'static str>,
    pub pypi_owners: Vec<&'static str>,
    /// RDAP expiration of the account email's own domain.
    pub domain_expiry: String,
    /// When set, every GitHub answer waits [`SLOW_DELAY`] first (for cancelling a run).
    pub slow: bool,
    /// The classic token scopes GitHub reports in `X-OAuth-Scopes` (an over-broad token has `repo`).
    pub github_scopes: &'static str,
    /// The scopes GitLab reports for the personal access token (an over-broad one has `api`).
    pub gitlab_scopes: Vec<&'static str>,
}

/// How long GitHub answers take when [`Scenario::slow`] is set: longer than any test waits.
pub const SLOW_DELAY: std::time::Duration = std::time::Duration::from_secs(60);

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            github_two_factor: true,
            npm_maintainers: vec!["octo", "alice"],
            pypi_owners: vec!["octo", "alice"],
            domain_expiry: "2031-03-01T00:00:00Z".into(),
            slow: false,
            github_scopes: "read:user, user:email, read:gpg_key, read:public_key, read:org",
            gitlab_scopes: vec!["read_user"],
        }
    }
}

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    /// Every header that can carry a credential, as `name: value`.
    pub credentials: Vec<String>,
}

#[derive(Clone)]
struct Shared {
    addr: SocketAddr,
    scenario: Arc<Mutex<Scenario>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// The running server; it stops when dropped (with the test process).
pub struct FakePlatforms {
    shared: Shared,
    _runtime: tokio::runtime::Runtime,
}

impl FakePlatforms {
    pub fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let shared = Shared {
            addr,
            scenario: Arc::new(Mutex::new(Scenario::default())),
            seen: Arc::new(Mutex::new(Vec::new())),
        };
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakePlatforms {
            shared,
            _runtime: runtime,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The environment that points Lockstep at this server, with `token` for every platform.
    pub fn env(&self, token: &str) -> Vec<(String, String)> {
        let base = self.base();
        let mut env = Vec::new();
        for (name, prefix) in [
            ("GITHUB", "github"),
            ("GITLAB", "gitlab"),
            ("NPM", "npm"),
            ("PYPI", "pypi"),
            ("RUBYGEMS", "rubygems"),
            ("CRATES", "crates"),
            ("HIBP", "hibp"),
        ] {
            env.push((format!("LOCKSTEP_{name}_URL"), format!("{base}/{prefix}")));
            env.push((format!("LOCKSTEP_{name}_TOKEN"), token.to_string()));
        }
        env.push(("LOCKSTEP_RUBYGEMS_USER".into(), "octo".into()));
        env.push(("LOCKSTEP_CRATES_USER".into(), "octo".into()));
        env.push(("LOCKSTEP_PYPI_PROJECTS".into(), "octo-py".into()));
        env.push((
            "LOCKSTEP_RDAP_BOOTSTRAP_URL".into(),
            format!("{base}/rdap/dns.json"),
        ));
        env.push(("LOCKSTEP_HIBP_MIN_INTERVAL_MS".into(), "0".into()));
        env
    }

    pub fn change(&self, f: impl FnOnce(&mut Scenario)) {
        f(&mut self.shared.scenario.lock().expect("scenario"));
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.shared.seen.lock().expect("seen").clone()
    }
}

fn json_reply(status: StatusCode, v: Value, headers: &[(&str, &str)]) -> Response {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, val) in headers {
        b = b.header(*k, *val);
    }
    b.body(Body::from(v.to_string())).unwrap_or_default()
}

async fn handle(State(shared): State<Shared>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let credentials = req
        .headers()
        .iter()
        .filter(|(k, _)| {
            let k = k.as_str();
            k == "authorization" || k == "private-token" || k == "hibp-api-key" || k == "cookie"
        })
        .map(|(k, v)| format!("{}: {}", k, v.to_str().unwrap_or("")))
        .collect();
    shared.seen.lock().expect("seen").push(Seen {
        path: format!("{path}?{query}"),
        credentials,
    });
    let s = shared.scenario.lock().expect("scenario").clone();
    if s.slow && path.starts_with("/github/") {
        tokio::time::sleep(SLOW_DELAY).await;
    }
    let ok = StatusCode::OK;
    let base = format!("http://{}", shared.addr);
    let first_page =
        !query.contains("page=2") && !query.contains("from=") || query.contains("from=0");
    match path.as_str() {
        "/github/user" => json_reply(
            ok,
            json!({"login": "octo", "id": 1, "two_factor_authentication": s.github_two_factor}),
            &[("x-oauth-scopes", s.github_scopes)],
        ),
        "/github/user/emails" => json_reply(
            ok,
            json!([{"email": "octo@octo-maint.dev", "primary": true, "verified": true, "visibility": "private"}]),
            &[],
        ),
        "/github/user/gpg_keys" => json_reply(ok, json!([]), &[]),
        "/github/user/ssh_signing_keys" => json_reply(
            ok,
            json!([{"id": 3, "title": "laptop", "key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOctoOctoOctoOctoOctoOctoOctoOctoOctoOcto", "created_at": "2026-01-01T00:00:00Z"}]),
            &[],
        ),
        "/github/user/keys" => json_reply(
            ok,
            json!([{"id": 4, "title": "yubikey", "key": "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tOcto"}]),
            &[],
        ),
        // GitHub sends X-OAuth-Scopes on every answer to a classic token.
        "/github/user/memberships/orgs" => json_reply(
            ok,
            json!([{"state": "active", "role": "admin", "organization": {"login": "octo-org"}}]),
            &[("x-oauth-scopes", "read:org")],
        ),
        "/github/orgs/octo-org" => json_reply(
            ok,
            json!({"login": "octo-org", "two_factor_requirement_enabled": true}),
            &[],
        ),
        // Nobody lacks 2FA (`filter=2fa_disabled` / `2fa_insecure`); two owners.
        "/github/orgs/octo-org/members" if query.contains("filter=") => {
            json_reply(ok, json!([]), &[])
        }
        "/github/orgs/octo-org/members" => {
            json_reply(ok, json!([{"login": "octo"}, {"login": "alice"}]), &[])
        }
        "/gitlab/api/v4/user" => json_reply(
            ok,
            json!({"id": 1, "username": "octo", "two_factor_enabled": true}),
            &[],
        ),
        "/gitlab/api/v4/personal_access_tokens/self" => json_reply(
            ok,
            json!({"id": 9, "name": "lockstep", "scopes": s.gitlab_scopes, "active": true, "expires_at": "2027-09-01"}),
            &[],
        ),
        "/npm/-/whoami" => json_reply(ok, json!({"username": "octo"}), &[]),
        "/npm/-/npm/v1/user" => json_reply(
            ok,
            json!({"name": "octo", "tfa": {"mode": "auth-and-writes", "pending": false}}),
            &[],
        ),
        "/npm/-/v1/search" => {
            let objects = if first_page {
                json!([{"package": {"name": "octo-js"}}])
            } else {
                json!([])
            };
            json_reply(ok, json!({"objects": objects, "total": 1}), &[])
        }
        "/npm/octo-js" => {
            let maintainers: Vec<Value> = s
                .npm_maintainers
                .iter()
                .map(|m| json!({"name": m, "email": format!("{m}@example.org")}))
                .collect();
            json_reply(
                ok,
                json!({"name": "octo-js", "maintainers": maintainers}),
                &[],
            )
        }
        "/pypi/pypi/octo-py/json" => {
            let roles: Vec<Value> = s
                .pypi_owners
                .iter()
                .map(|u| json!({"role": "Owner", "user": u}))
                .collect();
            json_reply(
                ok,
                json!({"info": {"name": "octo-py"}, "ownership": {"roles": roles, "organization": null}}),
                &[],
            )
        }
        "/rubygems/api/v1/owners/octo/gems.json" => {
            json_reply(ok, json!([{"name": "octo-gem"}]), &[])
        }
        "/rubygems/api/v1/gems/octo-gem/owners.json" => json_reply(
            ok,
            json!([{"id": 1, "handle": "octo"}, {"id": 2, "handle": "alice"}]),
            &[],
        ),
        "/crates/api/v1/users/octo" => {
            json_reply(ok, json!({"user": {"id": 7, "login": "octo"}}), &[])
        }
        "/crates/api/v1/crates" => {
            let crates = if first_page {
                json!([{"name": "octo-rs"}])
            } else {
                json!([])
            };
            json_reply(
                ok,
                json!({"crates": crates, "meta": {"total": 1, "next_page": null}}),
                &[],
            )
        }
        "/crates/api/v1/crates/octo-rs/owners" => json_reply(
            ok,
            json!({"users": [{"id": 7, "login": "octo", "kind": "user"}, {"id": 9, "login": "alice", "kind": "user"}, {"id": 8, "login": "github:octo-org:release", "kind": "team"}]}),
            &[],
        ),
        "/rdap/dns.json" => json_reply(
            ok,
            json!({"version": "1.0", "publication": "2026-11-01T00:00:00Z",
                   "services": [[["dev"], [format!("{base}/rdap/")]]]}),
            &[],
        ),
        "/rdap/domain/octo-maint.dev" => json_reply(
            ok,
            json!({"objectClassName": "domain", "ldhName": "octo-maint.dev", "events": [
                {"eventAction": "registration", "eventDate": "2020-03-01T00:00:00Z"},
                {"eventAction": "expiration", "eventDate": s.domain_expiry}
            ]}),
            &[],
        ),
        p if p.starts_with("/hibp/api/v3/breachedaccount/") => {
            json_reply(StatusCode::NOT_FOUND, json!({}), &[])
        }
        _ => json_reply(StatusCode::NOT_FOUND, json!({"message": "Not Found"}), &[]),
    }
}
