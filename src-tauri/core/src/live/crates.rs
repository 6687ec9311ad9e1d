//! crates.io: owner counts of every crate the user owns. Public data: no token is sent.
//! crates.io asks for at most one request per second; the client spaces requests accordingly.
//! Users are looked up by their crates.io username: since August 2026 crates.io no longer
//! resolves GitHub logins. Team owners can publish and yank but not manage owners, so they
//! are listed apart and the 2–3 owners rule counts users only.

use super::owners::{owner_result, PackageOwners};
use super::{client, parse, segment, unknown_from, CONCURRENCY};
use crate::check::CheckResult;
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{is_loopback, ApiClient, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::Deserialize;
use std::time::Duration;

pub const OWNERS: &CheckSpec = &CheckSpec {
    id: "crates.package_owners",
    group: Group::Account(Platform::Crates),
    title: "crates.io crate owner counts",
    least_scope:
        "none (public data); your crates.io username, which may differ from your GitHub login",
    token: TokenNeed::None,
};
pub const TRUSTED: &CheckSpec = &CheckSpec {
    id: "crates.trusted_publishing",
    group: Group::Account(Platform::Crates),
    title: "crates.io crates published through trusted publishing",
    least_scope: "none (public data); your crates.io username",
    token: TokenNeed::None,
};

/// crates.io's crawler policy: one request per second (from its platform row).
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
        Group::Account(Platform::Crates)
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move { package_checks(ctx, self.interval, out).await })
    }
}

/// `GET /api/v1/crates/{name}/owners`.
#[derive(Debug, Deserialize)]
struct OwnersResponse {
    users: Vec<CrateOwner>,
}

#[derive(Debug, Deserialize)]
struct CrateOwner {
    login: String,
    /// "user" or "team".
    kind: String,
}

/// `GET /api/v1/users/{username}`.
#[derive(Debug, Deserialize)]
struct UserResponse {
    user: User,
}

#[derive(Debug, Deserialize)]
struct User {
    id: u64,
}

/// `GET /api/v1/crates?user_id=...`.
#[derive(Debug, Deserialize)]
struct CrateList {
    crates: Vec<CrateName>,
    meta: ListMeta,
}

#[derive(Debug, Deserialize)]
struct CrateName {
    name: String,
}

#[derive(Debug, Deserialize)]
struct ListMeta {
    total: u64,
    next_page: Option<String>,
}

async fn crate_owners(api: &ApiClient, name: String) -> PackageOwners {
    let path = format!("/api/v1/crates/{}/owners", segment(&name));
    let resp = match api.get(&path).await {
        Ok(resp) => parse::<OwnersResponse>(Platform::Crates, &resp),
        Err(e) => Err(e),
    };
    match resp {
        Ok(v) => {
            let (teams, users): (Vec<CrateOwner>, Vec<CrateOwner>) =
                v.users.into_iter().partition(|o| o.kind == "team");
            PackageOwners::found(name, users.into_iter().map(|o| o.login).collect()).with_apart(
                super::owners::TEAMS,
                teams.into_iter().map(|o| o.login).collect(),
            )
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
        let list: CrateList = parse(Platform::Crates, &resp)?;
        let empty = list.crates.is_empty();
        names.extend(list.crates.into_iter().map(|c| c.name));
        let total = usize::try_from(list.meta.total).unwrap_or(usize::MAX);
        if empty || names.len() >= total && list.meta.next_page.is_none() {
            break;
        }
    }
    super::pagination::dedup(&mut names);
    Ok(names)
}

/// Both package checks share the user lookup and the crate list; owners are reported first.
async fn package_checks(ctx: &CheckContext, interval: Duration, out: &Emitter) {
    let both = |r: CheckResult| {
        let mut t = r.clone();
        t.id = TRUSTED.id.to_string();
        out.emit(r);
        out.emit(t);
    };
    let config = ctx.settings.platform_config(Platform::Crates, &ctx.env);
    let Some(login) = config.user else {
        return both(CheckResult::skipped(
            OWNERS,
            "No crates.io username: enter it in settings (or set LOCKSTEP_CRATES_USER) to check your crates. It is the name on your crates.io profile page, which may differ from your GitHub login.",
        ));
    };
    let api = match client(ctx, Platform::Crates, None) {
        Ok(a) => a,
        Err(e) => return both(unknown_from(OWNERS, &e, "")),
    };
    let loopback = api.url_for("").map(|u| is_loopback(&u)).unwrap_or(false);
    let api = api.with_min_interval(if loopback {
        interval
    } else {
        interval.max(POLITE_INTERVAL)
    });
    let api = &api;
    let user = match api.get(&format!("/api/v1/users/{}", segment(&login))).await {
        Ok(resp) => parse::<UserResponse>(Platform::Crates, &resp),
        Err(e) => Err(e),
    };
    let id = match user {
        Ok(u) => u.user.id,
        Err(HttpError::NotFound { .. }) => {
            return both(CheckResult::unknown(
                OWNERS,
                format!("crates.io has no user with the crates.io username \"{login}\". crates.io looks users up by their crates.io username, not their GitHub login (GitHub logins no longer resolve since August 2026): copy the name from your crates.io profile page into settings (LOCKSTEP_CRATES_USER)."),
            ))
        }
        Err(e) => return both(unknown_from(OWNERS, &e, "")),
    };
    let names = match crates_of(api, id).await {
        Ok(n) => n,
        Err(e) => return both(unknown_from(OWNERS, &e, "")),
    };
    // The client's spacing serializes requests anyway; concurrency only hides latency.
    let tally = out.tally(&[OWNERS], names.len(), "crates");
    let tally = &tally;
    let packages = stream::iter(names.iter().cloned().map(|n| async move {
        let found = crate_owners(api, n).await;
        tally.tick();
        found
    }))
    .buffered(CONCURRENCY)
    .collect()
    .await;
    out.emit(owner_result(
        OWNERS,
        "crate",
        &format!("crates.io user {login}"),
        "check the crates.io username in settings (LOCKSTEP_CRATES_USER)",
        packages,
    ));
    use super::trusted_publishing::{cache_for, crate_release, judge_with_note, CRATES};
    let (cache, note) = cache_for(ctx, "crates");
    let cache = &cache;
    let tally = out.tally(&[TRUSTED], names.len(), "crates");
    let tally = &tally;
    let releases = stream::iter(names.into_iter().map(|n| async move {
        let release = crate_release(api, &n, cache).await;
        tally.tick();
        release
    }))
    .buffered(CONCURRENCY)
    .collect()
    .await;
    cache.save();
    out.emit(judge_with_note(
        TRUSTED,
        &CRATES,
        &format!("crates.io user {login}"),
        releases,
        note,
    ));
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_user_agent_carries_the_project_address() {
        // crates.io asks crawlers for contact information in the User-Agent.
        assert!(crate::http::USER_AGENT.contains(crate::http::PROJECT_URL));
        assert!(crate::http::USER_AGENT.starts_with("lockstep/"));
    }
}
