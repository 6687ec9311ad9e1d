//! RubyGems: owner counts of every gem the user owns. Public data: no token is sent.
//! RubyGems.org allows 10 requests per second to its API; its platform row keeps the client under that.

use super::owners::{owner_result, PackageOwners};
use super::{client, parse, segment, unknown_from, CONCURRENCY};
use crate::check::CheckResult;
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::Deserialize;

pub const OWNERS: &CheckSpec = &CheckSpec {
    id: "rubygems.package_owners",
    group: Group::Account(Platform::Rubygems),
    title: "RubyGems gem owner counts",
    least_scope: "none (public data)",
    token: TokenNeed::None,
};
pub const TRUSTED: &CheckSpec = &CheckSpec {
    id: "rubygems.trusted_publishing",
    group: Group::Account(Platform::Rubygems),
    title: "RubyGems gems pushed through trusted publishing",
    least_scope: "none (public data)",
    token: TokenNeed::None,
};

/// The RubyGems probe.
pub struct RubygemsProbe;

impl Probe for RubygemsProbe {
    fn group(&self) -> Group {
        Group::Account(Platform::Rubygems)
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move { package_checks(ctx, out).await })
    }
}

/// One entry of `GET /api/v1/gems/{gem}/owners.json`.
#[derive(Debug, Deserialize)]
struct Owner {
    id: Option<u64>,
    handle: Option<String>,
    /// "owner" (can manage owners) or "maintainer" (can push and yank only). Older servers
    /// send no role; every entry was an owner then.
    role: Option<String>,
}

impl Owner {
    fn label(&self) -> String {
        match (&self.handle, self.id) {
            (Some(h), _) => h.clone(),
            (None, Some(id)) => format!("user #{id}"),
            (None, None) => "an unnamed user".into(),
        }
    }

    fn is_owner(&self) -> bool {
        self.role.as_deref().is_none_or(|r| r == "owner")
    }
}

/// One entry of `GET /api/v1/owners/{handle}/gems.json`.
#[derive(Debug, Deserialize)]
struct Gem {
    name: String,
    /// The latest version (the guides' gem object has it; absent, it is looked up).
    version: Option<String>,
}

async fn gem_owners(api: &ApiClient, name: String) -> PackageOwners {
    let path = format!("/api/v1/gems/{}/owners.json", segment(&name));
    let list = match api.get(&path).await {
        Ok(resp) => parse::<Vec<Owner>>(Platform::Rubygems, &resp),
        Err(e) => Err(e),
    };
    match list {
        Ok(list) => {
            let (owners, maintainers): (Vec<Owner>, Vec<Owner>) =
                list.into_iter().partition(Owner::is_owner);
            PackageOwners::found(name, owners.iter().map(Owner::label).collect()).with_apart(
                super::owners::MAINTAINERS,
                maintainers.iter().map(Owner::label).collect(),
            )
        }
        Err(e) => PackageOwners::failed(name, &e),
    }
}

/// Both package checks share the gem list; owners are reported first.
async fn package_checks(ctx: &CheckContext, out: &Emitter) {
    let both = |r: CheckResult| {
        let mut t = r.clone();
        t.id = TRUSTED.id.to_string();
        out.emit(r);
        out.emit(t);
    };
    let Some(handle) = ctx
        .settings
        .platform_config(Platform::Rubygems, &ctx.env)
        .user
    else {
        return both(CheckResult::skipped(
            OWNERS,
            "No RubyGems handle: enter it in settings (or set LOCKSTEP_RUBYGEMS_USER) to check your gems' owners.",
        ));
    };
    let api = match client(ctx, Platform::Rubygems, None) {
        Ok(a) => a,
        Err(e) => return both(unknown_from(OWNERS, &e, "")),
    };
    let api = &api;
    let path = format!("/api/v1/owners/{}/gems.json", segment(&handle));
    let gems = match api.get(&path).await {
        Ok(resp) => parse::<Vec<Gem>>(Platform::Rubygems, &resp),
        Err(e) => Err(e),
    };
    let gems = match gems {
        Ok(g) => g,
        Err(HttpError::NotFound { .. }) => {
            return both(CheckResult::unknown(
                OWNERS,
                format!("RubyGems has no user \"{handle}\"; check the handle in settings (LOCKSTEP_RUBYGEMS_USER)."),
            ))
        }
        Err(e) => return both(unknown_from(OWNERS, &e, "")),
    };
    let names: Vec<String> = gems.iter().map(|g| g.name.clone()).collect();
    let tally = out.tally(&[OWNERS], names.len(), "gems");
    let tally = &tally;
    let packages = stream::iter(names.into_iter().map(|n| async move {
        let found = gem_owners(api, n).await;
        tally.tick();
        found
    }))
    .buffered(CONCURRENCY)
    .collect()
    .await;
    out.emit(owner_result(
        OWNERS,
        "gem",
        &format!("RubyGems user {handle}"),
        "check the handle in settings (LOCKSTEP_RUBYGEMS_USER)",
        packages,
    ));
    use super::trusted_publishing::{cache_for, gem_release, judge_with_note, RUBYGEMS};
    let (cache, note) = cache_for(ctx, "rubygems");
    let cache = &cache;
    let tally = out.tally(&[TRUSTED], gems.len(), "gems");
    let tally = &tally;
    let releases = stream::iter(gems.into_iter().map(|g| async move {
        let release = gem_release(api, &g.name, g.version, cache).await;
        tally.tick();
        release
    }))
    .buffered(CONCURRENCY)
    .collect()
    .await;
    cache.save();
    out.emit(judge_with_note(
        TRUSTED,
        &RUBYGEMS,
        &format!("RubyGems user {handle}"),
        releases,
        note,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_stays_under_the_documented_ten_per_second() {
        assert!(Platform::Rubygems.spec().min_interval() >= std::time::Duration::from_millis(100));
    }

    #[test]
    fn roles_decide_who_is_an_owner() {
        let owner = Owner {
            id: Some(1),
            handle: Some("a".into()),
            role: Some("owner".into()),
        };
        let maintainer = Owner {
            role: Some("maintainer".into()),
            ..Owner {
                id: Some(2),
                handle: None,
                role: None,
            }
        };
        let legacy = Owner {
            id: Some(3),
            handle: Some("c".into()),
            role: None,
        };
        assert!(owner.is_owner() && legacy.is_owner() && !maintainer.is_owner());
        assert_eq!(maintainer.label(), "user #2");
    }
}
