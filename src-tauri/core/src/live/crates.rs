//! crates.io: owner counts of every crate the user owns. Public data: no token is sent.
//! crates.io asks for at most one request per second; the client spaces requests accordingly.

use super::owners::{owner_result, PackageOwners};
use super::{client, segment, unknown_from, CONCURRENCY};
use crate::check::CheckResult;
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{is_loopback, ApiClient, Auth, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde_json::Value;
use std::time::Duration;

const OWNERS: &str = "crates.package_owners";

/// crates.io's crawler policy: one request per second.
pub const POLITE_INTERVAL: Duration = Duration::from_secs(1);

/// Bound on crate list pages (100 crates each).
const MAX_PAGES: u32 = 50;

/// The crates.io probe. The request spacing can be shortened only for loopback servers
/// (tests); against any real host it is never below [`POLITE_INTERVAL`].
pub struct CratesProbe {
    interval: Duration,
}

impl Default for CratesProbe {
    fn default() -> Self {
        CratesProbe {
            interval: POLITE_INTERVAL,
        }
    }
}

impl CratesProbe {
    /// A probe with a custom spacing, honoured only for loopback base URLs.
    pub fn with_interval(interval: Duration) -> Self {
        CratesProbe { interval }
    }
}

impl Probe for CratesProbe {
    fn group(&self) -> Group {
        Group::Crates
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move { out.emit(package_owners(ctx, self.interval).await) })
    }
}

async fn crate_owners(api: &ApiClient, name: String) -> PackageOwners {
    let path = format!("/api/v1/crates/{}/owners", segment(&name));
    match api
        .get(&path)
        .await
        .and_then(|r| r.json::<Value>(&api.host()))
    {
        Ok(v) => {
            // Users and teams both count: a team is a second way to keep the crate alive.
            let owners = v
                .get("users")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|o| {
                            let login = o.get("login").and_then(Value::as_str)?;
                            Some(match o.get("kind").and_then(Value::as_str) {
                                Some("team") => format!("team {login}"),
                                _ => login.to_string(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            PackageOwners::found(name, owners)
        }
        Err(e) => PackageOwners::failed(name, &e),
    }
}

async fn crates_of(api: &ApiClient, user_id: u64) -> Result<Vec<String>, HttpError> {
    let mut names = Vec::new();
    let mut seen = super::pagination::Pages::default();
    for page in 1..=MAX_PAGES {
        let path = format!("/api/v1/crates?user_id={user_id}&per_page=100&page={page}");
        let resp = api.get(&path).await?;
        // A page the server already sent means it ignores `page=`: stop, do not count again.
        if !seen.is_new_page(&resp.body) {
            break;
        }
        let v: Value = resp.json(&api.host())?;
        let crates = v
            .get("crates")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        names.extend(
            crates
                .iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str).map(str::to_string)),
        );
        let total = v
            .pointer("/meta/total")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        let has_next = v.pointer("/meta/next_page").is_some_and(|n| !n.is_null());
        if crates.is_empty() || names.len() >= total && !has_next {
            break;
        }
    }
    super::pagination::dedup(&mut names);
    Ok(names)
}

async fn package_owners(ctx: &CheckContext, interval: Duration) -> CheckResult {
    let config = ctx.settings.platform_config(Platform::Crates, &ctx.env);
    let Some(login) = config.user else {
        return CheckResult::skipped(
            OWNERS,
            "No crates.io user name: enter your GitHub login in settings (or set LOCKSTEP_CRATES_USER) to check your crates' owners.",
        );
    };
    let api = match client(ctx, Platform::Crates, None, Auth::Bearer) {
        Ok(a) => a,
        Err(e) => return unknown_from(OWNERS, &e, ""),
    };
    let loopback = api.url_for("").map(|u| is_loopback(&u)).unwrap_or(false);
    let api = api.with_min_interval(if loopback {
        interval
    } else {
        interval.max(POLITE_INTERVAL)
    });
    let api = &api;
    let user: Value = match api.get(&format!("/api/v1/users/{}", segment(&login))).await.and_then(|r| r.json(&api.host())) {
        Ok(v) => v,
        Err(HttpError::NotFound { .. }) => {
            return CheckResult::unknown(
                OWNERS,
                format!("crates.io has no user \"{login}\"; check the user name in settings (LOCKSTEP_CRATES_USER)."),
            )
        }
        Err(e) => return unknown_from(OWNERS, &e, ""),
    };
    let Some(id) = user.pointer("/user/id").and_then(Value::as_u64) else {
        return CheckResult::unknown(
            OWNERS,
            "crates.io answered without a user id; run again later.",
        );
    };
    let names = match crates_of(api, id).await {
        Ok(n) => n,
        Err(e) => return unknown_from(OWNERS, &e, ""),
    };
    // The client's spacing serializes requests anyway; concurrency only hides latency.
    let packages = stream::iter(names.into_iter().map(|n| crate_owners(api, n)))
        .buffered(CONCURRENCY)
        .collect()
        .await;
    owner_result(
        OWNERS,
        "crate",
        &format!("crates.io user {login}"),
        "check the user name in settings (LOCKSTEP_CRATES_USER)",
        packages,
    )
}
