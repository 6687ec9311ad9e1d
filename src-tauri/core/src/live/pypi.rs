//! PyPI: owner counts of the projects the user named (PyPI has no API listing them), and the
//! scope of the user's upload token, decoded offline and never sent.

use super::owners::{owner_result, Organization, PackageOwners};
use super::provenance_cache::ProvenanceCache;
use super::pypi_token::{classify, TokenScope};
use super::trusted_publishing::{cache_for, judge_with_note, pypi_release_from, Release, PYPI};
use super::{client, parse, segment, token_state, unknown_from, Job, TokenState, CONCURRENCY};
use crate::check::{CheckResult, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::Deserialize;

pub const OWNERS: &CheckSpec = &CheckSpec {
    id: "pypi.package_owners",
    group: Group::Account(Platform::Pypi),
    title: "PyPI project owner counts",
    least_scope: "none (public data)",
    token: TokenNeed::None,
};
pub const TOKEN_SCOPE: &CheckSpec = &CheckSpec {
    id: "pypi.token_scope",
    group: Group::Account(Platform::Pypi),
    title: "PyPI upload token scope",
    least_scope: "none: the token is decoded on this device and never sent",
    token: TokenNeed::Required(Platform::Pypi),
};
pub const TRUSTED: &CheckSpec = &CheckSpec {
    id: "pypi.trusted_publishing",
    group: Group::Account(Platform::Pypi),
    title: "PyPI releases carry attestations from a Trusted Publisher",
    least_scope: "none (public data)",
    token: TokenNeed::None,
};

/// The PyPI probe.
pub struct PypiProbe;

impl Probe for PypiProbe {
    fn group(&self) -> Group {
        Group::Account(Platform::Pypi)
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            // Offline and instant: report it first.
            out.emit(token_scope(ctx));
            let jobs: Vec<Job<'_>> = vec![Box::pin(package_checks(ctx, out))];
            super::run_jobs(out, jobs).await;
        })
    }
}

/// `pypi.token_scope` from the token's caveats.
pub fn token_scope(ctx: &CheckContext) -> CheckResult {
    let token = match token_state(ctx, Platform::Pypi) {
        TokenState::Present(t) => t,
        TokenState::Missing => {
            return CheckResult::skipped(
                TOKEN_SCOPE,
                "No PyPI token given. Set LOCKSTEP_PYPI_TOKEN or paste your upload token in the app: it is decoded on this device and never sent.",
            )
        }
        TokenState::Error(why) => return super::token_unreadable(TOKEN_SCOPE, Platform::Pypi, &why),
    };
    let scoped = "Replace it with a token scoped to one project at https://pypi.org/manage/account/token/ (one token per project), or better, use Trusted Publishing.";
    match classify(token.expose(), ctx.now) {
        TokenScope::Projects(names) => CheckResult::new(
            TOKEN_SCOPE,
            Status::Pass,
            format!("The PyPI token is limited to {}: {}.", if names.len() == 1 { "one project" } else { "named projects" }, names.join(", ")),
        ),
        TokenScope::UserWide => CheckResult::new(
            TOKEN_SCOPE,
            Status::Fail,
            "The PyPI token can upload to every project of your account: if it leaks, all of them can be taken over.",
        )
        .with_remediation([scoped]),
        TokenScope::Expired { expired_at } => CheckResult::new(
            TOKEN_SCOPE,
            Status::Fail,
            format!("The PyPI token expired on {}; PyPI rejects it.", crate::expiry::ymd_of(expired_at)),
        )
        .with_remediation([scoped]),
        TokenScope::NotAPypiToken => CheckResult::unknown(
            TOKEN_SCOPE,
            "The saved PyPI token does not start with `pypi-`, so it is not a PyPI API token; save the upload token again.",
        ),
        TokenScope::Unreadable(why) => {
            CheckResult::unknown(TOKEN_SCOPE, format!("The PyPI token could not be decoded ({why}); save it again."))
        }
    }
}

/// `GET /pypi/<project>/json`, only the part Lockstep reads.
#[derive(Debug, Deserialize)]
struct Project {
    /// Absent on PyPI mirrors and before 2026-02; then the owners cannot be known.
    ownership: Option<Ownership>,
}

#[derive(Debug, Deserialize)]
struct Ownership {
    #[serde(default)]
    roles: Vec<Role>,
    /// The URL slug of the owning organization, or `null`.
    organization: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Role {
    /// "Owner" or "Maintainer".
    role: String,
    user: String,
}

/// One project answer, read for both its owners and its latest release's provenance.
async fn project_checks(
    api: &ApiClient,
    name: String,
    cache: &ProvenanceCache,
) -> (PackageOwners, Release) {
    let path = format!("/pypi/{}/json", segment(&name));
    match api.get(&path).await {
        Ok(resp) => {
            let release = pypi_release_from(api, &name, &resp.body, cache).await;
            (
                project_owners(api, name, parse::<Project>(Platform::Pypi, &resp)),
                release,
            )
        }
        Err(e) => (
            PackageOwners::failed(name.clone(), &e),
            Release::failed(name, &e),
        ),
    }
}

fn project_owners(
    api: &ApiClient,
    name: String,
    project: Result<Project, HttpError>,
) -> PackageOwners {
    let ownership = match project {
        Ok(Project { ownership: Some(o) }) => o,
        Ok(Project { ownership: None }) => {
            return PackageOwners {
                owners: Err("PyPI did not include ownership data for this project".into()),
                ..PackageOwners::found(name, Vec::new())
            }
        }
        Err(e) => return PackageOwners::failed(name, &e),
    };
    let (owners, maintainers): (Vec<Role>, Vec<Role>) =
        ownership.roles.into_iter().partition(|r| r.role == "Owner");
    // An organization's owners manage the project; its people page is where they are listed.
    let organization = ownership.organization.map(|org| {
        let manage_url = api
            .url_for(&format!("/manage/organization/{}/people/", segment(&org)))
            .map(|u| u.to_string())
            .unwrap_or_default();
        Organization {
            name: org,
            manage_url,
        }
    });
    PackageOwners::found(name, owners.into_iter().map(|r| r.user).collect())
        .with_apart(
            super::owners::MAINTAINERS,
            maintainers.into_iter().map(|r| r.user).collect(),
        )
        .with_organization(organization)
}

/// Both project checks over one request per project: owners, and the latest release's
/// provenance through the Integrity API (cached per release: it never changes).
async fn package_checks(ctx: &CheckContext, out: &Emitter) -> Vec<CheckResult> {
    let both = |r: CheckResult| {
        let mut t = r.clone();
        t.id = TRUSTED.id.to_string();
        vec![r, t]
    };
    let projects = ctx.settings.pypi_projects(&ctx.env);
    if projects.is_empty() {
        return both(CheckResult::skipped(
            OWNERS,
            "No PyPI projects listed: PyPI has no API that lists them, so name them in settings (or LOCKSTEP_PYPI_PROJECTS, comma-separated).",
        ));
    }
    let api = match client(ctx, Platform::Pypi, None) {
        Ok(a) => a,
        Err(e) => return both(unknown_from(OWNERS, &e, "")),
    };
    let api = &api;
    let (cache, note) = cache_for(ctx, "pypi");
    let cache = &cache;
    let tally = out.tally(&[OWNERS, TRUSTED], projects.len(), "projects");
    let tally = &tally;
    let (packages, releases): (Vec<PackageOwners>, Vec<Release>) =
        stream::iter(projects.into_iter().map(|p| async move {
            let found = project_checks(api, p, cache).await;
            tally.tick();
            found
        }))
        .buffered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .unzip();
    cache.save();
    vec![
        owner_result(
            OWNERS,
            "project",
            "your PyPI project list",
            "check the project names in settings",
            packages,
        ),
        judge_with_note(TRUSTED, &PYPI, "your PyPI project list", releases, note),
    ]
}
