//! The only way Lockstep talks to a platform. One `reqwest::Client` (connection pool, TLS
//! set-up) is shared by every platform; an [`ApiClient`] binds it to one platform's base URL
//! and token and enforces the token rules. A token goes only in the auth header (attached in
//! one place, [`Auth::attach`], by the platform row's scheme), only to the configured host,
//! only over HTTPS (plain HTTP is allowed for loopback hosts, for tests). Redirects are
//! followed by hand: to the same origin with the token, to any other origin without it.

use crate::secret::Secret;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, LOCATION, RETRY_AFTER};
use std::time::{Duration, Instant};
use url::Url;

/// The project's address, for platforms that ask to be able to reach a client's authors
/// (its reverse-DNS form is the app identifier in `tauri.conf.json`).
pub const PROJECT_URL: &str = "https://lockstep.dev";

/// Sent with every request; GitHub and crates.io require a descriptive User-Agent, and
/// crates.io asks for contact information in it.
pub const USER_AGENT: &str = concat!(
    "lockstep/",
    env!("CARGO_PKG_VERSION"),
    " (maintainer security checkup; https://lockstep.dev)"
);

/// Longest `retry-after` Lockstep will wait for inside a run before giving up with `unknown`.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(10);

/// The most a platform's answer may hold. A page of 100 GitHub keys or organizations, a
/// crates.io page or a PyPI project is well under 1 MiB; 8 MiB leaves room and still stops a
/// hostile or broken server from filling memory (an endless body is cut here).
pub const DEFAULT_MAX_BODY: usize = 8 * 1024 * 1024;

/// npm answers with whole packuments (every version's metadata), the largest legitimate
/// answer Lockstep reads: `vite`'s full packument was 38.9 MB and `next`'s over 30 MB in
/// mid-2026, and the registry refuses packuments over 100 MB. So npm gets npm's own ceiling.
pub const NPM_MAX_BODY: usize = 100 * 1024 * 1024;

/// How the token is attached (each platform's row in [`crate::platform::PLATFORMS`] says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>` (GitHub, npm).
    Bearer,
    /// `Authorization: <token>` (RubyGems API keys, crates.io tokens).
    Raw,
    /// A named header (`PRIVATE-TOKEN`, `hibp-api-key`).
    Header(&'static str),
    /// Never sent (PyPI tokens are decoded on this device).
    Never,
    /// `Authorization: Basic <base64 of the token>`, the token saved as `user:password`
    /// (Atlassian API tokens: `email:token`).
    Basic,
}

impl Auth {
    /// Puts `token` on `req` the way this scheme says, as a sensitive header value.
    fn attach(
        self,
        req: reqwest::RequestBuilder,
        token: &Secret,
    ) -> Result<reqwest::RequestBuilder, HttpError> {
        Ok(match self {
            Auth::Bearer => req.header(
                AUTHORIZATION,
                sensitive(&format!("Bearer {}", token.expose()))?,
            ),
            Auth::Raw => req.header(AUTHORIZATION, sensitive(token.expose())?),
            Auth::Header(name) => req.header(name, sensitive(token.expose())?),
            Auth::Never => req,
            Auth::Basic => {
                use base64::Engine as _;
                let encoded = base64::engine::general_purpose::STANDARD.encode(token.expose());
                req.header(AUTHORIZATION, sensitive(&format!("Basic {encoded}"))?)
            }
        })
    }
}

/// Why a request did not produce a usable answer. Messages never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The base URL is not https (and not loopback), or does not parse.
    #[error("the address {0} is not allowed: Lockstep only sends requests over HTTPS (plain HTTP only to this computer, for tests)")]
    InsecureUrl(String),
    #[error(
        "could not connect to {host} ({detail}); check your internet connection and run again"
    )]
    Offline { host: String, detail: String },
    #[error("{host} did not answer within {secs} s; try again later")]
    Timeout { host: String, secs: u64 },
    #[error("{host} rejected the token (HTTP 401); it may have been revoked or expired: save a new one in Accounts & tokens")]
    Unauthorized { host: String },
    #[error(
        "{host} refused access (HTTP 403); the token may lack the permission this check needs"
    )]
    Forbidden { host: String },
    #[error("{host} has no such resource (HTTP 404)")]
    NotFound { host: String },
    #[error("{host} is limiting requests (HTTP {status}); try again {}", wait_words(.retry_after_secs))]
    RateLimited {
        host: String,
        status: u16,
        retry_after_secs: u64,
    },
    #[error("{host} had a server error (HTTP {status}); try again later")]
    Server { host: String, status: u16 },
    #[error("{host} answered HTTP {status}, which Lockstep did not expect")]
    Unexpected { host: String, status: u16 },
    #[error("{host} sent a response Lockstep could not read ({detail})")]
    Malformed { host: String, detail: String },
    /// The answer was larger than any real one (see [`DEFAULT_MAX_BODY`]); reading stopped.
    #[error("{host} sent an answer too large to be real (over {limit_mib} MiB); Lockstep stopped reading it and kept nothing from it")]
    TooLarge { host: String, limit_mib: usize },
    #[error("{host} redirected too many times")]
    TooManyRedirects { host: String },
    /// The token holds a character no HTTP header may carry (a line break pasted inside it).
    #[error("the saved token contains characters that cannot be sent (such as a line break inside it); save it again in Accounts & tokens")]
    UnsendableToken,
}

/// A wait as a person says it ("in 45 seconds", "in about 3 hours"), not raw seconds: a
/// platform that blocks a client may send a `Retry-After` of a year.
pub fn wait_words(secs: &u64) -> String {
    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    let (n, unit) = match *secs {
        0..=1 => return "in a moment".to_string(),
        s @ 2..=119 => return format!("in {s} seconds"),
        s if s < 2 * HOUR => (s.div_ceil(MINUTE), "minutes"),
        s if s < 2 * DAY => (s.div_ceil(HOUR), "hours"),
        s if s <= 30 * DAY => (s.div_ceil(DAY), "days"),
        _ => return "much later: this looks like a block rather than a pause; the platform's status or support page may say why".to_string(),
    };
    format!("in about {n} {unit}")
}

/// A response that arrived with a 2xx status.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The host (and port) that answered, for messages: after a redirect, not the base's.
    pub host: String,
}

impl Response {
    /// Parses the body as JSON into `T`; a parse error becomes [`HttpError::Malformed`],
    /// described by position only (serde's message would quote the value, maybe a token).
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| HttpError::Malformed {
            host: self.host.clone(),
            detail: format!("the answer {}", crate::untrusted_text::json_error(&e)),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client bound to one platform's base URL (which may carry a path, e.g.
/// `https://ghe.example.com/api/v3`) and, optionally, its token. Cheap to build: the
/// connections underneath are the process's one shared pool.
pub struct ApiClient {
    client: &'static reqwest::Client,
    base: Url,
    token: Option<Secret>,
    auth: Auth,
    extra_headers: HeaderMap,
    timeout: Duration,
    /// The most bytes one answer may hold; see [`DEFAULT_MAX_BODY`].
    max_body: usize,
    /// Minimum time between requests (crates.io asks for one per second).
    min_interval: Duration,
    last_request: tokio::sync::Mutex<Option<Instant>>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base.as_str())
            .field("token", &self.token)
            .finish()
    }
}

/// True for hosts that never leave this computer.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Parses a base URL and enforces HTTPS-or-loopback.
pub fn checked_base(base_url: &str) -> Result<Url, HttpError> {
    let trimmed = base_url.trim().trim_end_matches('/');
    // An address that does not parse is never echoed: it may carry a password, and nothing
    // can strip what a parser could not find.
    let mut url = Url::parse(trimmed).map_err(|_| {
        HttpError::InsecureUrl("(an address that is not a valid URL; check it for typos)".into())
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo a password back; refuse credentials in addresses altogether, since they
        // would be sent as basic auth beside the token.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return Err(HttpError::InsecureUrl(format!(
            "{} (with a user name or password in it; remove them)",
            url.as_str().trim_end_matches('/')
        )));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        _ => Err(HttpError::InsecureUrl(trimmed.to_string())),
    }
}

/// Installs `ring` as the process's rustls crypto provider, once. reqwest is built without a
/// provider of its own (see the workspace `Cargo.toml`), so this must run before any client.
fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // An `Err` means another provider was installed first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The process's one HTTP client: no redirects followed by itself (see [`ApiClient::get`]),
/// Lockstep's User-Agent; timeouts are set per request.
fn shared_client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<Result<reqwest::Client, String>> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            install_crypto_provider();
            reqwest::Client::builder()
                .user_agent(USER_AGENT)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| root_cause(&e))
        })
        .as_ref()
        .map_err(Clone::clone)
}

impl ApiClient {
    /// A client for `platform`, from its row: auth scheme, answer ceiling, politeness spacing.
    /// Fails if `base_url` is not HTTPS (or loopback HTTP).
    pub fn for_platform(
        platform: crate::platform::Platform,
        base_url: &str,
        token: Option<Secret>,
        timeout: Duration,
    ) -> Result<Self, HttpError> {
        let spec = platform.spec();
        let mut client = ApiClient::new(base_url, token, spec.auth, timeout)?
            .with_max_body(spec.max_body)
            .with_min_interval(spec.min_interval());
        for &(name, value) in spec.headers {
            client = client.with_header(name, value);
        }
        Ok(client)
    }

    /// Builds a client. Fails if `base_url` is not HTTPS (or loopback HTTP).
    pub fn new(
        base_url: &str,
        token: Option<Secret>,
        auth: Auth,
        timeout: Duration,
    ) -> Result<Self, HttpError> {
        let base = checked_base(base_url)?;
        let client = shared_client().map_err(|detail| HttpError::Offline {
            host: host_label(&base),
            detail,
        })?;
        Ok(ApiClient {
            client,
            base,
            // A scheme that never sends the token does not hold one either.
            token: token.filter(|t| !t.is_empty() && auth != Auth::Never),
            auth,
            extra_headers: HeaderMap::new(),
            timeout,
            max_body: DEFAULT_MAX_BODY,
            min_interval: Duration::ZERO,
            last_request: tokio::sync::Mutex::new(None),
        })
    }

    /// Adds a header sent with every request (e.g. GitHub's `X-GitHub-Api-Version`).
    pub fn with_header(mut self, name: &'static str, value: &'static str) -> Self {
        self.extra_headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
        self
    }

    /// Allows answers up to `bytes` (npm's packuments, see [`NPM_MAX_BODY`]).
    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Spaces requests at least `interval` apart (politeness limits).
    pub fn with_min_interval(mut self, interval: Duration) -> Self {
        self.min_interval = interval;
        self
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The host name, for messages.
    pub fn host(&self) -> String {
        host_label(&self.base)
    }

    /// The full URL for `path` under the base (keeping the base's own path).
    pub fn url_for(&self, path: &str) -> Result<Url, HttpError> {
        let joined = format!(
            "{}/{}",
            self.base.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        );
        Url::parse(&joined).map_err(|_| {
            HttpError::InsecureUrl(format!(
                "{} (with a path that is not valid)",
                host_label(&self.base)
            ))
        })
    }

    /// GET `path` under the base URL. Follows redirects by hand, retries once on 429/403 with a
    /// short `retry-after`, and maps every failure to an [`HttpError`].
    pub async fn get(&self, path: &str) -> Result<Response, HttpError> {
        self.get_with(path, &[]).await
    }

    /// GET with extra per-request headers (e.g. `Accept`).
    pub async fn get_with(
        &self,
        path: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Response, HttpError> {
        let mut url = self.url_for(path)?;
        let base_origin = self.base.origin();
        let mut retried = false;
        let mut redirects = 0;
        loop {
            self.wait_politely().await;
            let same_origin = url.origin() == base_origin;
            let mut req = self
                .client
                .get(url.clone())
                .timeout(self.timeout)
                .headers(self.extra_headers.clone());
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            if same_origin {
                if let Some(token) = &self.token {
                    req = self.auth.attach(req, token)?;
                }
            }
            let host = host_label(&url);
            let mut resp = req
                .send()
                .await
                .map_err(|e| self.transport_error(&host, e))?;
            let status = resp.status().as_u16();
            let resp_headers = resp.headers().clone();
            match status {
                200..=299 => {
                    let mut body = self.read_body(&mut resp, &host).await?;
                    // A platform that echoes the token must not get it kept or shown: replace
                    // it before anything parses the answer.
                    if same_origin {
                        if let Some(token) = &self.token {
                            crate::untrusted_text::redact_bytes(&mut body, token.expose());
                        }
                    }
                    return Ok(Response {
                        status,
                        headers: resp_headers,
                        body,
                        host,
                    });
                }
                301 | 302 | 303 | 307 | 308 => {
                    redirects += 1;
                    if redirects > 5 {
                        return Err(HttpError::TooManyRedirects { host });
                    }
                    let location = resp_headers
                        .get(LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .ok_or_else(|| HttpError::Malformed {
                            host: host.clone(),
                            detail: "redirect without a location".into(),
                        })?;
                    let next = url.join(location).map_err(|_| HttpError::Malformed {
                        host: host.clone(),
                        detail: "redirect to an invalid address".into(),
                    })?;
                    // A redirect may not downgrade to plain HTTP off this computer.
                    if next.scheme() != "https" && !is_loopback(&next) {
                        return Err(HttpError::InsecureUrl(format!(
                            "{}://{} (a redirect)",
                            next.scheme(),
                            host_label(&next)
                        )));
                    }
                    url = next;
                }
                // Only a request that carried the token can have had it rejected.
                401 if same_origin && self.token.is_some() => {
                    return Err(HttpError::Unauthorized { host })
                }
                403 | 429 => {
                    let retry_after = retry_after(&resp_headers);
                    let quota_used_up = resp_headers
                        .get("x-ratelimit-remaining")
                        .and_then(|v| v.to_str().ok())
                        == Some("0");
                    let limited = status == 429 || retry_after.is_some() || quota_used_up;
                    if !limited {
                        return Err(HttpError::Forbidden { host });
                    }
                    // A used-up quota refills at `x-ratelimit-reset`, which may be an hour away.
                    let wait = retry_after
                        .or_else(|| quota_used_up.then(|| ratelimit_reset(&resp_headers))?)
                        .unwrap_or(Duration::from_secs(60));
                    if !retried && wait <= MAX_RETRY_WAIT {
                        retried = true;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(HttpError::RateLimited {
                        host,
                        status,
                        retry_after_secs: wait.as_secs(),
                    });
                }
                404 => return Err(HttpError::NotFound { host }),
                500..=599 => return Err(HttpError::Server { host, status }),
                _ => return Err(HttpError::Unexpected { host, status }),
            }
        }
    }

    /// Reads the body chunk by chunk, stopping as soon as it passes [`ApiClient::max_body`]
    /// (a declared length over the cap is refused before reading anything).
    async fn read_body(
        &self,
        resp: &mut reqwest::Response,
        host: &str,
    ) -> Result<Vec<u8>, HttpError> {
        let too_large = || HttpError::TooLarge {
            host: host.to_string(),
            limit_mib: self.max_body.div_ceil(1024 * 1024),
        };
        let declared = resp.content_length().unwrap_or(0);
        if declared > self.max_body as u64 {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.transport_error(host, e))?
        {
            if body.len() + chunk.len() > self.max_body {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    async fn wait_politely(&self) {
        if self.min_interval.is_zero() {
            return;
        }
        let mut last = self.last_request.lock().await;
        if let Some(prev) = *last {
            let elapsed = prev.elapsed();
            if elapsed < self.min_interval {
                tokio::time::sleep(self.min_interval - elapsed).await;
            }
        }
        *last = Some(Instant::now());
    }

    fn transport_error(&self, host: &str, e: reqwest::Error) -> HttpError {
        if e.is_timeout() {
            HttpError::Timeout {
                host: host.to_string(),
                secs: self.timeout.as_secs().max(1),
            }
        } else if e.is_decode() || e.is_body() {
            HttpError::Malformed {
                host: host.to_string(),
                detail: "the response body was cut off".into(),
            }
        } else {
            // reqwest's Display includes the URL (never the headers), so no token can appear.
            HttpError::Offline {
                host: host.to_string(),
                detail: root_cause(&e),
            }
        }
    }
}

/// A header value marked sensitive, so it is never printed by reqwest/hyper debug output.
fn sensitive(value: &str) -> Result<HeaderValue, HttpError> {
    let mut v = HeaderValue::from_str(value).map_err(|_| HttpError::UnsendableToken)?;
    v.set_sensitive(true);
    Ok(v)
}

fn host_label(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => url.as_str().to_string(),
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// `retry-after` in seconds (the HTTP-date form is treated as one minute).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?;
    Some(
        v.trim()
            .parse::<u64>()
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(60)),
    )
}

/// `x-ratelimit-reset` (Unix seconds when the quota refills, GitHub and GitLab) as a wait from now.
fn ratelimit_reset(headers: &HeaderMap) -> Option<Duration> {
    let reset: u64 = headers
        .get("x-ratelimit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_is_said_in_words_and_a_year_is_called_a_block() {
        assert_eq!(wait_words(&0), "in a moment");
        assert_eq!(wait_words(&45), "in 45 seconds");
        assert_eq!(wait_words(&119), "in 119 seconds");
        assert_eq!(wait_words(&120), "in about 2 minutes");
        assert_eq!(wait_words(&1800), "in about 30 minutes");
        assert_eq!(wait_words(&(3 * 3600)), "in about 3 hours");
        assert_eq!(wait_words(&(3 * 86_400)), "in about 3 days");
        let year = wait_words(&31_536_000);
        assert!(
            year.contains("block") && !year.contains("31536000"),
            "{year}"
        );
    }

    #[test]
    fn only_https_or_loopback_http_is_allowed() {
        assert!(checked_base("https://api.github.com").is_ok());
        assert!(checked_base("http://127.0.0.1:8080/api/v3").is_ok());
        assert!(checked_base("http://localhost:1").is_ok());
        assert!(checked_base("http://[::1]:1").is_ok());
        assert!(matches!(
            checked_base("http://api.github.com"),
            Err(HttpError::InsecureUrl(_))
        ));
        assert!(matches!(
            checked_base("ftp://x"),
            Err(HttpError::InsecureUrl(_))
        ));
        assert!(matches!(
            checked_base("not a url"),
            Err(HttpError::InsecureUrl(_))
        ));
    }

    #[test]
    fn an_address_that_does_not_parse_is_never_echoed() {
        for bad in [
            "https://me:hunter2secret@exa mple.com",
            "https://me:hunter2secret@[::1",
            "hunter2secret",
        ] {
            let msg = checked_base(bad).unwrap_err().to_string();
            assert!(!msg.contains("hunter2secret"), "{msg}");
        }
    }

    #[test]
    fn paths_join_under_a_base_with_a_path() {
        let c = ApiClient::new(
            "https://ghe.example.com/api/v3/",
            None,
            Auth::Bearer,
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            c.url_for("/user").unwrap().as_str(),
            "https://ghe.example.com/api/v3/user"
        );
        assert_eq!(
            c.url_for("user/keys?per_page=100").unwrap().as_str(),
            "https://ghe.example.com/api/v3/user/keys?per_page=100"
        );
    }

    #[tokio::test]
    async fn a_token_that_cannot_be_sent_says_so_without_blaming_a_host() {
        let c = ApiClient::new(
            "http://127.0.0.1:9",
            Some(Secret::new("ghp_first\nghp_second")),
            Auth::Bearer,
            Duration::from_secs(1),
        )
        .unwrap();
        let err = c.get("/user").await.unwrap_err();
        assert_eq!(err, HttpError::UnsendableToken);
        let msg = err.to_string();
        assert!(msg.starts_with("the saved token"), "{msg}");
        assert!(!msg.contains("ghp_"), "{msg}");
    }

    #[test]
    fn debug_of_a_client_hides_the_token() {
        let c = ApiClient::new(
            "https://x.test",
            Some(Secret::new("canary-token")),
            Auth::Bearer,
            Duration::from_secs(1),
        )
        .unwrap();
        let d = format!("{c:?}");
        assert!(!d.contains("canary-token"), "{d}");
    }
}
