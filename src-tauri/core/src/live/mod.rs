//! Live account checks against the platforms' APIs (GitHub, GitLab, npm, PyPI, RubyGems, crates.io).
//!
//! One [`Probe`] per platform. Inside a probe every check runs concurrently and is emitted as
//! soon as it is known; per-package requests fan out with at most [`CONCURRENCY`] in flight per
//! platform. All traffic goes through [`ApiClient`], which owns the token rules, retries and
//! politeness spacing. A network or server problem is always `unknown`, never `fail`.

pub mod bitbucket;
pub mod codeowners;
pub mod crates;
pub mod github;
pub mod gitlab;
pub mod npm;
pub mod owners;
pub mod packagist;
mod pagination;
pub mod provenance_cache;
pub mod providers;
pub mod pypi;
pub mod pypi_token;
pub mod release_pipeline;
pub mod rubygems;
pub mod token_info;
pub mod trusted_publishing;
pub mod workflow;

use crate::check::CheckResult;
use crate::check_registry::{self, CheckSpec};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, HttpError, Response};
use crate::platform::{Group, Platform, PLATFORMS};
use crate::secret::Secret;
use futures::future::BoxFuture;
use futures::stream::{FuturesUnordered, StreamExt};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// Requests in flight per platform. Enough to hide 50–100 ms latencies across a few hundred
/// packages, small enough not to trip secondary rate limits.
pub const CONCURRENCY: usize = 12;

/// One probe per account platform, from the platform table.
pub fn probes() -> Vec<Arc<dyn Probe>> {
    PLATFORMS
        .iter()
        .filter_map(|s| s.probe)
        .map(|make| make())
        .collect()
}

/// A check's work: resolves to one or more results (checks sharing one request resolve together).
pub(crate) type Job<'a> = BoxFuture<'a, Vec<CheckResult>>;

/// Runs `jobs` concurrently and emits each result the moment its job finishes.
pub(crate) async fn run_jobs(out: &Emitter, jobs: Vec<Job<'_>>) {
    let mut pending: FuturesUnordered<Job<'_>> = jobs.into_iter().collect();
    while let Some(results) = pending.next().await {
        for r in results {
            out.emit(r);
        }
    }
}

/// The token situation for a platform, decided before any request.
pub(crate) enum TokenState<'a> {
    Present(&'a Secret),
    Missing,
    /// The keychain could not be read; the message says why.
    Error(String),
}

pub(crate) fn token_state(ctx: &CheckContext, platform: Platform) -> TokenState<'_> {
    if let Some(why) = ctx.token_errors.get(&platform) {
        return TokenState::Error(why.clone());
    }
    match ctx.token(platform) {
        Some(t) if !t.is_empty() => TokenState::Present(t),
        _ => TokenState::Missing,
    }
}

/// Builds the platform's client from its effective base URL and the run's request timeout,
/// with its row's auth scheme, answer ceiling and politeness spacing.
pub(crate) fn client(
    ctx: &CheckContext,
    platform: Platform,
    token: Option<&Secret>,
) -> Result<ApiClient, HttpError> {
    let config = ctx.settings.platform_config(platform, &ctx.env);
    ApiClient::for_platform(
        platform,
        &config.base_url,
        token.cloned(),
        ctx.limits.request_timeout,
    )
}

/// Reads a 2xx answer into `T`, the platform's typed response (only the fields Lockstep reads;
/// unknown fields are ignored). A shape Lockstep does not know becomes
/// [`HttpError::Malformed`] naming the platform and the field, never the values received, so
/// a changed API is an `unknown` with a clear reason rather than a silent wrong verdict.
pub(crate) fn parse<T: DeserializeOwned>(
    platform: Platform,
    resp: &Response,
) -> Result<T, HttpError> {
    parse_body(platform, &resp.host, &resp.body)
}

/// [`parse`] on a raw body (tests and callers without a client).
pub(crate) fn parse_body<T: DeserializeOwned>(
    platform: Platform,
    host: &str,
    body: &[u8],
) -> Result<T, HttpError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| HttpError::Malformed {
        host: host.to_string(),
        detail: shape_error(platform, e.path().to_string(), e.inner()),
    })
}

/// "GitHub's answer did not have the shape Lockstep knows (at `users[2].kind`: expected a
/// string)". serde's own message quotes the value received; only what was expected is kept.
fn shape_error(platform: Platform, path: String, e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let name = platform.display_name();
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!(
            "{name}'s answer was not valid JSON (line {}, column {}); Lockstep may need an update if this persists",
            e.line(),
            e.column()
        ),
        Category::Data => {
            let msg = e.to_string();
            let why = if let Some(field) = msg
                .strip_prefix("missing field `")
                .and_then(|r| r.split('`').next())
            {
                format!("the field `{field}` is missing")
            } else if let Some((_, expected)) = msg.rsplit_once(", expected ") {
                let expected = expected.split(" at line ").next().unwrap_or(expected);
                format!("expected {expected}")
            } else {
                "unexpected value".to_string()
            };
            let at = if path.is_empty() || path == "." {
                String::new()
            } else {
                format!(" at `{path}`")
            };
            format!("{name}'s answer did not have the shape Lockstep knows ({why}{at}); Lockstep may need an update")
        }
    }
}

/// `unknown` with the HTTP error's user-facing message and, when useful, what to do next.
pub(crate) fn unknown_from(spec: &CheckSpec, err: &HttpError, hint: &str) -> CheckResult {
    let mut summary = format!("Could not check: {err}.");
    if !hint.is_empty()
        && matches!(
            err,
            HttpError::Forbidden { .. } | HttpError::NotFound { .. }
        )
    {
        summary.push(' ');
        summary.push_str(hint);
    }
    CheckResult::unknown(spec, summary)
}

/// `unknown` for every check, with the same message (a shared request failed).
pub(crate) fn all_unknown(specs: &[&CheckSpec], err: &HttpError) -> Vec<CheckResult> {
    specs
        .iter()
        .map(|spec| unknown_from(spec, err, &least_scope_hint(spec)))
        .collect()
}

/// "This check needs: ..." from the check's constant, so messages and the registry never disagree.
pub(crate) fn least_scope_hint(spec: &CheckSpec) -> String {
    if spec.least_scope.is_empty() {
        String::new()
    } else {
        format!("This check needs a token with {}.", spec.least_scope)
    }
}

/// `skipped` because no token is saved: says which token and where to create one.
pub(crate) fn no_token(spec: &CheckSpec, platform: Platform) -> CheckResult {
    CheckResult::skipped(
        spec,
        format!(
            "No {} token saved. Create one with {} at {} and save it in Accounts & tokens (or set {}).",
            platform.display_name(),
            spec.least_scope,
            platform.spec().token_page,
            platform.env_var("TOKEN")
        ),
    )
}

/// `unknown` because the token could not be read from the keychain.
pub(crate) fn token_unreadable(spec: &CheckSpec, platform: Platform, why: &str) -> CheckResult {
    CheckResult::unknown(
        spec,
        format!(
            "Could not read the {} token: {why}",
            platform.display_name()
        ),
    )
}

/// The checks of a group, in registry order.
pub(crate) fn specs_of(group: Group) -> Vec<&'static CheckSpec> {
    check_registry::in_group(group).collect()
}

/// Percent-encodes one path segment (npm's `@scope%2fname`, names with odd characters).
pub(crate) fn segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// For GitHub-style `Link: <url>; rel="next"` pagination: the next page as a path under the
/// client's base, or `None` when there is none or it points elsewhere (never followed).
pub(crate) fn next_link(client: &ApiClient, link: Option<&str>) -> Option<String> {
    let link = link?;
    let base = client.url_for("").ok()?.to_string();
    let base = base.trim_end_matches('/');
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        if !params.contains("rel=\"next\"") {
            return None;
        }
        let url = url.trim().trim_start_matches('<').trim_end_matches('>');
        url.strip_prefix(base).map(str::to_string)
    })
}

/// Default per-request timeout when a caller has none (token inspection on save).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);
