//! Packagist (PHP Composer packages): how many maintainers each package of a user or vendor
//! has. Public data: no token. Packagist asks API clients for at most 10 concurrent requests
//! (https://packagist.org/apidoc); the probe keeps fewer in flight.
//!
//! The setting is a Packagist user name or a vendor name (the part before the `/`): Lockstep
//! checks the packages that user maintains and the packages under that vendor, whichever exist.

use super::owners::{owner_result, PackageOwners};
use super::pagination::{dedup, Pages};
use super::{client, parse, segment, unknown_from};
use crate::check::CheckResult;
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::Deserialize;

const GROUP: Group = Group::Account(Platform::Packagist);

pub const PACKAGE_OWNERS: &CheckSpec = &CheckSpec {
    id: "packagist.package_owners",
    group: GROUP,
    title: "Packagist package maintainer counts",
    least_scope: "none (public data); your Packagist user name or vendor name",
    token: TokenNeed::None,
};

/// Requests in flight; Packagist asks for at most 10.
pub const IN_FLIGHT: usize = 6;
const _: () = assert!(
    IN_FLIGHT <= 10,
    "Packagist asks for at most 10 concurrent requests"
);

/// `/packages/{name}.json` carries every version's metadata: a package with thousands of
/// releases is tens of MB. Packagist caches these answers; 64 MiB leaves room.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Bound on pages of a user's package list (50 packages each).
const MAX_PAGES: usize = 40;

/// `GET /packages/list.json?vendor=…`.
#[derive(Debug, Deserialize)]
struct NameList {
    #[serde(rename = "packageNames")]
    package_names: Vec<String>,
}

/// `GET /users/{name}/packages.json`.
#[derive(Debug, Deserialize)]
struct UserPackages {
    packages: Vec<UserPackage>,
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct UserPackage {
    name: String,
}

/// `GET /packages/{vendor}/{name}.json`: only the maintainers.
#[derive(Debug, Deserialize)]
struct PackageDoc {
    package: PackageBody,
}

#[derive(Debug, Deserialize)]
struct PackageBody {
    #[serde(default)]
    maintainers: Vec<Maintainer>,
}

#[derive(Debug, Deserialize)]
struct Maintainer {
    name: String,
}

/// `vendor/name` as two encoded path segments.
fn package_path(name: &str) -> String {
    match name.split_once('/') {
        Some((vendor, pkg)) => format!("/packages/{}/{}.json", segment(vendor), segment(pkg)),
        None => format!("/packages/{}.json", segment(name)),
    }
}

/// A `next` link as a path under the client's base (never another host).
fn under_base(api: &ApiClient, next: &str) -> Option<String> {
    let base = api.url_for("").ok()?.to_string();
    next.strip_prefix(base.trim_end_matches('/'))
        .filter(|rest| rest.starts_with('/'))
        .map(str::to_string)
}

/// Packages the user maintains; `Ok(None)` when Packagist has no such user.
async fn maintained_by(api: &ApiClient, user: &str) -> Result<Option<Vec<String>>, HttpError> {
    let first = format!("/users/{}/packages.json", segment(user));
    let mut names = Vec::new();
    let mut path = Some(first.clone());
    let mut seen = Pages::starting_at(&first);
    let mut pages = 0;
    while let Some(p) = path.take() {
        let resp = match api.get(&p).await {
            Ok(r) => r,
            Err(HttpError::NotFound { .. }) if pages == 0 => return Ok(None),
            Err(e) => return Err(e),
        };
        if !seen.is_new_page(&resp.body) {
            break;
        }
        let page: UserPackages = parse(Platform::Packagist, &resp)?;
        names.extend(page.packages.into_iter().map(|p| p.name));
        pages += 1;
        if pages < MAX_PAGES {
            path = seen.next(page.next.as_deref().and_then(|n| under_base(api, n)));
        }
    }
    Ok(Some(names))
}

/// Packages under the vendor prefix (an unknown vendor is an empty list).
async fn under_vendor(api: &ApiClient, vendor: &str) -> Result<Vec<String>, HttpError> {
    let path = format!("/packages/list.json?vendor={}", segment(vendor));
    let resp = api.get(&path).await?;
    Ok(parse::<NameList>(Platform::Packagist, &resp)?.package_names)
}

async fn maintainers(api: &ApiClient, name: String) -> PackageOwners {
    let doc = match api.get(&package_path(&name)).await {
        Ok(resp) => parse::<PackageDoc>(Platform::Packagist, &resp),
        Err(e) => Err(e),
    };
    match doc {
        Ok(d) => {
            let mut names: Vec<String> =
                d.package.maintainers.into_iter().map(|m| m.name).collect();
            names.sort();
            PackageOwners::found(name, names)
        }
        Err(e) => PackageOwners::failed(name, &e),
    }
}

/// `packagist.package_owners` for the configured user or vendor `handle`.
pub(crate) async fn package_owners(api: &ApiClient, handle: &str) -> CheckResult {
    let (user, vendor) = futures::join!(maintained_by(api, handle), under_vendor(api, handle));
    // One list failing must not pass silently: the other list alone may miss packages.
    let mut partial = None;
    let mut names = match (user, vendor) {
        (Err(e), Err(_)) => return unknown_from(PACKAGE_OWNERS, &e, ""),
        (Ok(u), Ok(v)) => u
            .unwrap_or_default()
            .into_iter()
            .chain(v)
            .collect::<Vec<_>>(),
        (Ok(u), Err(e)) => {
            partial = Some(format!("Could not list the packages under the vendor {handle} ({e}); only the packages user {handle} maintains were checked."));
            u.unwrap_or_default()
        }
        (Err(e), Ok(v)) => {
            partial = Some(format!("Could not list the packages user {handle} maintains ({e}); only the packages under the vendor {handle} were checked."));
            v
        }
    };
    names.sort();
    dedup(&mut names);
    let packages: Vec<PackageOwners> = stream::iter(names.into_iter().map(|n| maintainers(api, n)))
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let result = owner_result(
        PACKAGE_OWNERS,
        "package",
        &format!("Packagist user or vendor {handle}"),
        "check the Packagist user or vendor name in settings (LOCKSTEP_PACKAGIST_USER)",
        packages,
    );
    match partial {
        Some(why) => result.with_evidence([why]),
        None => result,
    }
}

/// The Packagist probe: public data, no token.
pub struct PackagistProbe;

impl Probe for PackagistProbe {
    fn group(&self) -> Group {
        GROUP
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Some(handle) = ctx
                .settings
                .platform_config(Platform::Packagist, &ctx.env)
                .user
            else {
                out.emit(CheckResult::skipped(
                    PACKAGE_OWNERS,
                    "No Packagist user or vendor name: enter it in settings (or set LOCKSTEP_PACKAGIST_USER) to check your packages' maintainers.",
                ));
                return;
            };
            let api = match client(ctx, Platform::Packagist, None) {
                Ok(a) => a,
                Err(e) => {
                    out.emit(unknown_from(PACKAGE_OWNERS, &e, ""));
                    return;
                }
            };
            out.emit(package_owners(&api, &handle).await);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_become_two_encoded_segments() {
        assert_eq!(
            package_path("vendor1/package1"),
            "/packages/vendor1/package1.json"
        );
        assert_eq!(package_path("a b/c"), "/packages/a%20b/c.json");
    }
}
