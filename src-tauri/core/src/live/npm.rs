//! npm: the account's 2FA mode and the maintainer count of every package the user maintains.
//! Package data is public, so only `/-/whoami` and `/-/npm/v1/user` carry the token.

use super::owners::{owner_result, PackageOwners};
use super::trusted_publishing::{judge, npm_release, Release, NPM};
use super::{
    all_unknown, client, no_token, parse, run_jobs, segment, token_state, token_unreadable,
    unknown_from, Job, TokenState, CONCURRENCY,
};
use crate::check::{CheckResult, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::Deserialize;

pub const TWO_FACTOR: &CheckSpec = &CheckSpec {
    id: "npm.two_factor",
    group: Group::Account(Platform::Npm),
    title: "npm two-factor authentication mode",
    least_scope: "a session token from `npm login` (valid 2 hours); npm does not document that granular access tokens, even read-only ones, may read your 2FA setting",
    token: TokenNeed::Required(Platform::Npm),
};
pub const OWNERS: &CheckSpec = &CheckSpec {
    id: "npm.package_owners",
    group: Group::Account(Platform::Npm),
    title: "npm package maintainer counts",
    least_scope: "none (public data); a token only finds your user name",
    token: TokenNeed::Optional(Platform::Npm),
};
pub const TRUSTED: &CheckSpec = &CheckSpec {
    id: "npm.trusted_publishing",
    group: Group::Account(Platform::Npm),
    title: "npm packages published through trusted publishing",
    least_scope: "none (public data); a token only finds your user name",
    token: TokenNeed::Optional(Platform::Npm),
};

/// Search page size (npm's maximum) and a bound on pages.
const PAGE: usize = 250;
const MAX_PAGES: usize = 40;

/// The npm probe.
pub struct NpmProbe;

impl Probe for NpmProbe {
    fn group(&self) -> Group {
        Group::Account(Platform::Npm)
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let state = token_state(ctx, Platform::Npm);
            let token = match &state {
                TokenState::Present(t) => Some(*t),
                _ => None,
            };
            let authed = token.map(|t| client(ctx, Platform::Npm, Some(t)));
            let public = client(ctx, Platform::Npm, None);
            let user = ctx.settings.platform_config(Platform::Npm, &ctx.env).user;
            let jobs: Vec<Job<'_>> = vec![
                Box::pin(async {
                    match (&state, &authed) {
                        (TokenState::Error(why), _) => {
                            vec![token_unreadable(TWO_FACTOR, Platform::Npm, why)]
                        }
                        (_, Some(Ok(api))) => two_factor(api).await,
                        (_, Some(Err(e))) => all_unknown(&[TWO_FACTOR], e),
                        (_, None) => vec![no_token(TWO_FACTOR, Platform::Npm)],
                    }
                }),
                Box::pin(async {
                    let public = match &public {
                        Ok(p) => p,
                        Err(e) => return all_unknown(&[OWNERS, TRUSTED], e),
                    };
                    let user = match (user.clone(), &state, &authed) {
                        (Some(u), _, _) => u,
                        (None, TokenState::Error(why), _) => {
                            return twice(CheckResult::unknown(
                                OWNERS,
                                format!("Could not read the npm token to find your user name: {why} Or set your npm user name in settings (LOCKSTEP_NPM_USER)."),
                            ))
                        }
                        (None, _, Some(Ok(api))) => match whoami(api).await {
                            Ok(u) => u,
                            Err(e) => return all_unknown(&[OWNERS, TRUSTED], &e),
                        },
                        (None, _, Some(Err(e))) => return all_unknown(&[OWNERS, TRUSTED], e),
                        (None, _, None) => {
                            return twice(CheckResult::skipped(
                                OWNERS,
                                "No npm user name: enter it in settings (or set LOCKSTEP_NPM_USER), or save an npm token so Lockstep can ask npm who you are.",
                            ))
                        }
                    };
                    package_checks(public, &user, out).await
                }),
            ];
            run_jobs(out, jobs).await;
        })
    }
}

/// The same answer for both package checks (they share the user lookup).
fn twice(r: CheckResult) -> Vec<CheckResult> {
    let mut t = r.clone();
    t.id = TRUSTED.id.to_string();
    vec![r, t]
}

/// `GET /-/whoami`.
#[derive(Debug, Deserialize)]
pub(crate) struct Whoami {
    pub username: String,
}

/// `GET /-/npm/v1/user`: the profile, only the fields Lockstep reads.
#[derive(Debug, Deserialize)]
struct Profile {
    name: Option<String>,
    /// Missing is not the same as `null`: only an answer that has the field says anything.
    #[serde(default = "Tfa::missing")]
    tfa: Tfa,
}

/// npm's `tfa`: `null` or `false` when off, `{mode, pending}` when on or being set up.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Tfa {
    Off(Option<bool>),
    Mode {
        mode: Option<String>,
        #[serde(default)]
        pending: bool,
    },
    /// A shape npm's client documents for other moments (recovery codes, an otpauth URL).
    Other(serde::de::IgnoredAny),
    #[serde(skip)]
    Missing,
}

impl Tfa {
    fn missing() -> Self {
        Tfa::Missing
    }
}

/// One page of `GET /-/v1/search`.
#[derive(Debug, Deserialize)]
struct SearchPage {
    #[serde(default)]
    objects: Vec<SearchObject>,
    #[serde(default)]
    total: u64,
}

#[derive(Debug, Deserialize)]
struct SearchObject {
    package: SearchPackage,
}

#[derive(Debug, Deserialize)]
struct SearchPackage {
    name: String,
}

/// A packument, only its maintainers.
#[derive(Debug, Deserialize)]
struct Packument {
    #[serde(default)]
    maintainers: Vec<Maintainer>,
}

#[derive(Debug, Deserialize)]
struct Maintainer {
    name: String,
}

async fn whoami(api: &ApiClient) -> Result<String, HttpError> {
    let resp = api.get("/-/whoami").await?;
    parse::<Whoami>(Platform::Npm, &resp).map(|w| w.username)
}

/// Where to look when Lockstep cannot.
const TFA_PAGE: &str = "https://www.npmjs.com/settings/~/tfa";

async fn two_factor(api: &ApiClient) -> Vec<CheckResult> {
    let profile = match api.get("/-/npm/v1/user").await {
        Ok(resp) => parse::<Profile>(Platform::Npm, &resp),
        Err(e) => Err(e),
    };
    let v = match profile {
        Ok(v) => v,
        Err(e @ (HttpError::Unauthorized { .. } | HttpError::Forbidden { .. })) => {
            return vec![refused(api, &e).await]
        }
        Err(e) => return all_unknown(&[TWO_FACTOR], &e),
    };
    let name = v.name.as_deref().unwrap_or("your account");
    let enable = "Turn on 2FA for authorization and writes at https://www.npmjs.com/settings/~/tfa (or `npm profile enable-2fa auth-and-writes`).";
    // npm says `tfa: false` (or null) when 2FA is off and `{mode, pending}` when it is on. An
    // answer without that (an odd registry or proxy) proves nothing, so it is not a failure.
    vec![match v.tfa {
        Tfa::Off(None | Some(false)) => {
            CheckResult::new(TWO_FACTOR, Status::Fail, format!("2FA is off for {name}.")).with_remediation([enable])
        }
        Tfa::Missing => CheckResult::unknown(
            TWO_FACTOR,
            format!("npm's answer did not include the 2FA status; check {TFA_PAGE} yourself."),
        ),
        Tfa::Mode { mode: Some(mode), pending: false } if mode == "auth-and-writes" => CheckResult::new(TWO_FACTOR, Status::Pass, format!("2FA protects both login and publishing for {name}.")),
        Tfa::Mode { mode: Some(mode), pending: false } if mode == "auth-only" => CheckResult::new(
            TWO_FACTOR,
            Status::Warn,
            format!("2FA for {name} is set to login only: choose \"Authorization and writes\" so changes to your account and packages ask for it too."),
        )
        .with_remediation([enable]),
        Tfa::Mode { mode: Some(_), pending: true } => CheckResult::new(TWO_FACTOR, Status::Fail, format!("2FA setup for {name} was started but never finished."))
            .with_remediation([enable]),
        Tfa::Mode { mode: Some(_), pending: false } => CheckResult::unknown(TWO_FACTOR, format!("npm reported a 2FA mode Lockstep does not know; check {TFA_PAGE}.")),
        Tfa::Off(Some(true)) | Tfa::Mode { mode: None, .. } | Tfa::Other(_) => CheckResult::unknown(TWO_FACTOR, format!("npm reported 2FA for {name} in a form Lockstep does not know; check {TFA_PAGE}.")),
    }]
}

/// npm refused to show the profile. If the same token still identifies the user, the token is
/// fine but not allowed to read the profile: say which token works instead of a bare 401/403.
async fn refused(api: &ApiClient, err: &HttpError) -> CheckResult {
    match whoami(api).await {
        Ok(user) => CheckResult::unknown(
            TWO_FACTOR,
            format!(
                "npm accepted the saved token (it belongs to {user}) but refused to show its 2FA setting: granular access tokens, even read-only ones, are not documented to read the profile. \
                 Check {TFA_PAGE} yourself, or run `npm profile get` after `npm login` (a session token, valid 2 hours, can read it)."
            ),
        ),
        Err(_) => super::unknown_from(TWO_FACTOR, err, ""),
    }
}

/// The registry path of a package: scoped names as `@scope%2fname`.
fn packument_path(name: &str) -> String {
    match name.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
        Some((scope, pkg)) => format!("/@{}%2f{}", segment(scope), segment(pkg)),
        None => format!("/{}", segment(name)),
    }
}

/// Every package `maintainer:NAME` finds, paging with `from=`.
async fn packages_of(api: &ApiClient, user: &str) -> Result<Vec<String>, HttpError> {
    let mut names: Vec<String> = Vec::new();
    let mut from = 0;
    let mut seen = super::pagination::Pages::default();
    for _ in 0..MAX_PAGES {
        let path = format!(
            "/-/v1/search?text=maintainer:{}&size={PAGE}&from={from}",
            segment(user)
        );
        let resp = api.get(&path).await?;
        // A page the server already sent means it ignores `from=`: stop here.
        if !seen.is_new_page(&resp.body) {
            break;
        }
        let page: SearchPage = parse(Platform::Npm, &resp)?;
        let total = usize::try_from(page.total).unwrap_or(usize::MAX);
        let count = page.objects.len();
        for o in page.objects {
            if !names.contains(&o.package.name) {
                names.push(o.package.name);
            }
        }
        from += count;
        if count == 0 || from >= total {
            break;
        }
    }
    Ok(names)
}

/// One full packument (`Accept: application/json`: only it carries `_npmUser` and
/// `dist.attestations`) read for both the maintainers and the latest release's publisher.
async fn maintainers(api: &ApiClient, name: String) -> (PackageOwners, Release) {
    let path = packument_path(&name);
    let resp = match api.get_with(&path, &[("accept", "application/json")]).await {
        Ok(resp) => resp,
        Err(e) => {
            return (
                PackageOwners::failed(name.clone(), &e),
                Release::failed(name, &e),
            )
        }
    };
    let release = npm_release(&name, &resp.host, &resp.body);
    match parse::<Packument>(Platform::Npm, &resp) {
        Ok(p) => (
            PackageOwners::found(name, p.maintainers.into_iter().map(|m| m.name).collect()),
            release,
        ),
        Err(e) => (PackageOwners::failed(name, &e), release),
    }
}

/// Both package checks from one packument per package, saying how far they have got.
async fn package_checks(api: &ApiClient, user: &str, out: &Emitter) -> Vec<CheckResult> {
    let names = match packages_of(api, user).await {
        Ok(n) => n,
        Err(e) => return twice(unknown_from(OWNERS, &e, "")),
    };
    let tally = out.tally(&[OWNERS, TRUSTED], names.len(), "packages");
    let tally = &tally;
    let (packages, releases): (Vec<PackageOwners>, Vec<Release>) =
        stream::iter(names.into_iter().map(|n| async move {
            let found = maintainers(api, n).await;
            tally.tick();
            found
        }))
        .buffered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .unzip();
    vec![
        owner_result(
            OWNERS,
            "package",
            &format!("npm user {user}"),
            "check the npm user name in settings (LOCKSTEP_NPM_USER)",
            packages,
        ),
        judge(TRUSTED, &NPM, &format!("npm user {user}"), releases),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_names_are_encoded() {
        assert_eq!(packument_path("@fake-scope/pkg"), "/@fake-scope%2fpkg");
        assert_eq!(packument_path("left-pad"), "/left-pad");
    }
}
