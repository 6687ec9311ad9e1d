//! npm: the account's 2FA mode and the maintainer count of every package the user maintains.
//! Package data is public, so only `/-/whoami` and `/-/npm/v1/user` carry the token.

use super::owners::{owner_result, PackageOwners};
use super::{
    all_unknown, client, no_token, run_jobs, segment, token_state, token_unreadable, unknown_from,
    Job, TokenState, CONCURRENCY,
};
use crate::check::{CheckResult, Status};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, Auth, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde_json::Value;

const TWO_FACTOR: &str = "npm.two_factor";
const OWNERS: &str = "npm.package_owners";

/// Search page size (npm's maximum) and a bound on pages.
const PAGE: usize = 250;
const MAX_PAGES: usize = 40;

/// The npm probe.
pub struct NpmProbe;

impl Probe for NpmProbe {
    fn group(&self) -> Group {
        Group::Npm
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let state = token_state(ctx, Platform::Npm);
            let token = match &state {
                TokenState::Present(t) => Some(*t),
                _ => None,
            };
            let authed = token.map(|t| client(ctx, Platform::Npm, Some(t), Auth::Bearer));
            let public = client(ctx, Platform::Npm, None, Auth::Bearer);
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
                        Err(e) => return all_unknown(&[OWNERS], e),
                    };
                    let user = match (user.clone(), &state, &authed) {
                        (Some(u), _, _) => u,
                        (None, TokenState::Error(why), _) => {
                            return vec![CheckResult::unknown(
                                OWNERS,
                                format!("Could not read the npm token to find your user name: {why} Or set your npm user name in settings (LOCKSTEP_NPM_USER)."),
                            )]
                        }
                        (None, _, Some(Ok(api))) => match whoami(api).await {
                            Ok(u) => u,
                            Err(e) => return all_unknown(&[OWNERS], &e),
                        },
                        (None, _, Some(Err(e))) => return all_unknown(&[OWNERS], e),
                        (None, _, None) => {
                            return vec![CheckResult::skipped(
                                OWNERS,
                                "No npm user name: enter it in settings (or set LOCKSTEP_NPM_USER), or save an npm token so Lockstep can ask npm who you are.",
                            )]
                        }
                    };
                    vec![package_owners(public, &user).await]
                }),
            ];
            run_jobs(out, jobs).await;
        })
    }
}

async fn whoami(api: &ApiClient) -> Result<String, HttpError> {
    let v: Value = api.get("/-/whoami").await?.json(&api.host())?;
    v.get("username")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| HttpError::Malformed {
            host: api.host(),
            detail: "whoami without a username".into(),
        })
}

async fn two_factor(api: &ApiClient) -> Vec<CheckResult> {
    let v: Value = match api
        .get("/-/npm/v1/user")
        .await
        .and_then(|r| r.json(&api.host()))
    {
        Ok(v) => v,
        Err(e) => return all_unknown(&[TWO_FACTOR], &e),
    };
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("your account");
    let enable = "Turn on 2FA for authorization and writes at https://www.npmjs.com/settings/~/tfa (or `npm profile enable-2fa auth-and-writes`).";
    // npm says `tfa: false` (or null) when 2FA is off and `{mode, pending}` when it is on. An
    // answer without that (an odd registry or proxy) proves nothing, so it is not a failure.
    let tfa = match v.get("tfa") {
        Some(Value::Null | Value::Bool(false)) => {
            return vec![CheckResult::new(TWO_FACTOR, Status::Fail, format!("2FA is off for {name}.")).with_remediation([enable])]
        }
        Some(t) => t,
        None => {
            return vec![CheckResult::unknown(
                TWO_FACTOR,
                "npm's answer did not include the 2FA status; check https://www.npmjs.com/settings/~/tfa yourself.",
            )]
        }
    };
    let mode = tfa.get("mode").and_then(Value::as_str);
    let pending = tfa.get("pending").and_then(Value::as_bool).unwrap_or(false);
    vec![match (mode, pending) {
        (Some("auth-and-writes"), false) => CheckResult::new(TWO_FACTOR, Status::Pass, format!("2FA protects both login and publishing for {name}.")),
        (Some("auth-only"), false) => CheckResult::new(
            TWO_FACTOR,
            Status::Warn,
            format!("2FA protects only login for {name}: publishing and owner changes do not ask for a second factor."),
        )
        .with_remediation([enable]),
        (Some(_), true) => CheckResult::new(TWO_FACTOR, Status::Fail, format!("2FA setup for {name} was started but never finished."))
            .with_remediation([enable]),
        (Some(other), false) => CheckResult::unknown(TWO_FACTOR, format!("npm reported an unfamiliar 2FA mode \"{other}\"; check https://www.npmjs.com/settings/~/tfa.")),
        (None, _) => CheckResult::unknown(TWO_FACTOR, format!("npm reported 2FA for {name} in a form Lockstep does not know; check https://www.npmjs.com/settings/~/tfa.")),
    }]
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
        let v: Value = resp.json(&api.host())?;
        let objects = v
            .get("objects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let total = v.get("total").and_then(Value::as_u64).unwrap_or(0) as usize;
        for o in &objects {
            if let Some(n) = o.pointer("/package/name").and_then(Value::as_str) {
                if !names.iter().any(|x| x == n) {
                    names.push(n.to_string());
                }
            }
        }
        from += objects.len();
        if objects.is_empty() || from >= total {
            break;
        }
    }
    Ok(names)
}

async fn maintainers(api: &ApiClient, name: String) -> PackageOwners {
    let path = packument_path(&name);
    let result = api
        .get_with(&path, &[("accept", "application/json")])
        .await
        .and_then(|r| r.json::<Value>(&api.host()));
    match result {
        Ok(v) => {
            let handles = v
                .get("maintainers")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|m| m.get("name").and_then(Value::as_str).map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            PackageOwners::found(name, handles)
        }
        Err(e) => PackageOwners::failed(name, &e),
    }
}

async fn package_owners(api: &ApiClient, user: &str) -> CheckResult {
    let names = match packages_of(api, user).await {
        Ok(n) => n,
        Err(e) => return unknown_from(OWNERS, &e, ""),
    };
    let packages = stream::iter(names.into_iter().map(|n| maintainers(api, n)))
        .buffered(CONCURRENCY)
        .collect()
        .await;
    owner_result(
        OWNERS,
        "package",
        &format!("npm user {user}"),
        "check the npm user name in settings (LOCKSTEP_NPM_USER)",
        packages,
    )
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
