//! RubyGems: owner counts of every gem the user owns. Public data: no token is sent.

use super::owners::{owner_result, PackageOwners};
use super::{client, segment, unknown_from, CONCURRENCY};
use crate::check::CheckResult;
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, Auth, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde_json::Value;

const OWNERS: &str = "rubygems.package_owners";

/// The RubyGems probe.
pub struct RubygemsProbe;

impl Probe for RubygemsProbe {
    fn group(&self) -> Group {
        Group::Rubygems
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move { out.emit(package_owners(ctx).await) })
    }
}

async fn gem_owners(api: &ApiClient, name: String) -> PackageOwners {
    let path = format!("/api/v1/gems/{}/owners.json", segment(&name));
    match api
        .get(&path)
        .await
        .and_then(|r| r.json::<Vec<Value>>(&api.host()))
    {
        Ok(list) => {
            let owners = list
                .iter()
                .filter_map(|o| {
                    o.get("handle")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .or_else(|| o.get("id").map(|id| format!("user #{id}")))
                })
                .collect();
            PackageOwners::found(name, owners)
        }
        Err(e) => PackageOwners::failed(name, &e),
    }
}

async fn package_owners(ctx: &CheckContext) -> CheckResult {
    let Some(handle) = ctx
        .settings
        .platform_config(Platform::Rubygems, &ctx.env)
        .user
    else {
        return CheckResult::skipped(
            OWNERS,
            "No RubyGems handle: enter it in settings (or set LOCKSTEP_RUBYGEMS_USER) to check your gems' owners.",
        );
    };
    let api = match client(ctx, Platform::Rubygems, None, Auth::Raw) {
        Ok(a) => a,
        Err(e) => return unknown_from(OWNERS, &e, ""),
    };
    let api = &api;
    let path = format!("/api/v1/owners/{}/gems.json", segment(&handle));
    let gems: Vec<Value> = match api.get(&path).await.and_then(|r| r.json(&api.host())) {
        Ok(g) => g,
        Err(HttpError::NotFound { .. }) => {
            return CheckResult::unknown(
                OWNERS,
                format!("RubyGems has no user \"{handle}\"; check the handle in settings (LOCKSTEP_RUBYGEMS_USER)."),
            )
        }
        Err(e) => return unknown_from(OWNERS, &e, ""),
    };
    let names: Vec<String> = gems
        .iter()
        .filter_map(|g| g.get("name").and_then(Value::as_str).map(str::to_string))
        .collect();
    let packages = stream::iter(names.into_iter().map(|n| gem_owners(api, n)))
        .buffered(CONCURRENCY)
        .collect()
        .await;
    owner_result(
        OWNERS,
        "gem",
        &format!("RubyGems user {handle}"),
        "check the handle in settings (LOCKSTEP_RUBYGEMS_USER)",
        packages,
    )
}
