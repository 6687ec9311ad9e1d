//! Bitbucket Cloud: the 2FA status of the account behind the saved API token, what that token
//! may do, and how many owners each workspace the user administers has.
//!
//! Atlassian API tokens authenticate with HTTP Basic, the Atlassian account email as the user
//! name and the token as the password, so the token is saved as `email:token`. Bitbucket
//! allows 1,000 authenticated requests an hour; the probe asks for 100 items a page and keeps
//! a few requests in flight. The cross-workspace listings were removed in April 2026
//! (CHANGE-2770): workspaces come from `/user/workspaces`.

use super::owners::{owner_result, PackageOwners};
use super::pagination::{dedup, Pages};
use super::token_info::TokenCapabilities;
use super::{
    all_unknown, client, least_scope_hint, no_token, parse, run_jobs, segment, specs_of,
    token_state, token_unreadable, unknown_from, Job, TokenState,
};
use crate::check::{CheckResult, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;

const GROUP: Group = Group::Account(Platform::Bitbucket);

pub const TWO_FACTOR: &CheckSpec = &CheckSpec {
    id: "bitbucket.two_factor",
    group: GROUP,
    title: "Bitbucket two-step verification",
    least_scope: "an Atlassian API token with `read:user:bitbucket`",
    token: TokenNeed::Required(Platform::Bitbucket),
};
pub const TOKEN_SCOPE: &CheckSpec = &CheckSpec {
    id: "bitbucket.token_scope",
    group: GROUP,
    title: "Lockstep's Bitbucket token is least-privilege",
    least_scope: "any Atlassian API token; one with only `read:user:bitbucket` and `read:workspace:bitbucket` is best",
    token: TokenNeed::Required(Platform::Bitbucket),
};
pub const WORKSPACE_ADMINS: &CheckSpec = &CheckSpec {
    id: "bitbucket.workspace_admins",
    group: GROUP,
    title: "Owner count of Bitbucket workspaces you administer",
    least_scope: "an Atlassian API token with `read:user:bitbucket` and `read:workspace:bitbucket`",
    token: TokenNeed::Required(Platform::Bitbucket),
};

/// Where Atlassian API tokens are created and revoked.
pub const TOKEN_PAGE: &str = "https://id.atlassian.com/manage-profile/security/api-tokens";

/// The scopes Lockstep's checks need; anything else is more than it needs.
pub const NEEDED_SCOPES: [&str; 2] = ["read:user:bitbucket", "read:workspace:bitbucket"];

/// Requests in flight against Bitbucket (1,000 an hour per user; a review is a few dozen).
const IN_FLIGHT: usize = 4;

/// Bound on pages per list (100 items each).
const MAX_PAGES: usize = 20;

/// Bitbucket's OAuth 2.0 scopes that only read (repository, project and workspace access
/// tokens use these names); the `read:…:bitbucket` API-token scopes are read-only by name.
const READ_ONLY_OAUTH_SCOPES: [&str; 9] = [
    "account",
    "email",
    "repository",
    "pullrequest",
    "issue",
    "snippet",
    "project",
    "pipeline",
    "runner",
];

/// `GET /2.0/user`: only the fields Lockstep reads.
#[derive(Debug, Deserialize)]
pub(crate) struct User {
    pub display_name: Option<String>,
    pub nickname: Option<String>,
    pub username: Option<String>,
    /// Declared by the `user` schema without saying when it is present; missing or `null`
    /// means Bitbucket did not tell this token.
    pub has_2fa_enabled: Option<bool>,
}

impl User {
    pub(crate) fn label(&self) -> String {
        self.nickname
            .clone()
            .or_else(|| self.username.clone())
            .or_else(|| self.display_name.clone())
            .unwrap_or_else(|| "your account".into())
    }
}

/// Bitbucket's paginated envelope; `next` is absent on the last page.
#[derive(Debug, Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    values: Vec<T>,
    next: Option<String>,
}

/// One entry of `GET /2.0/user/workspaces`.
#[derive(Debug, PartialEq, Deserialize)]
struct WorkspaceAccess {
    administrator: Option<bool>,
    workspace: WorkspaceRef,
}

#[derive(Debug, PartialEq, Deserialize)]
struct WorkspaceRef {
    slug: String,
}

/// One entry of `GET /2.0/workspaces/{workspace}/permissions`.
#[derive(Debug, PartialEq, Deserialize)]
struct Membership {
    /// `owner`, `collaborator` (being removed) or `member`.
    permission: String,
    user: Member,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Member {
    display_name: Option<String>,
    nickname: Option<String>,
    uuid: Option<String>,
}

impl Member {
    fn label(&self) -> String {
        self.display_name
            .clone()
            .or_else(|| self.nickname.clone())
            .or_else(|| self.uuid.clone())
            .unwrap_or_else(|| "an unnamed user".into())
    }
}

/// Why a saved token cannot be sent: it must be `email:token`.
pub(crate) const NOT_EMAIL_AND_TOKEN: &str = "The saved Bitbucket token is not in the form Lockstep needs: Bitbucket takes an Atlassian API token together with your Atlassian account email, so save it as `you@example.com:API-token` (your email, a colon, the token).";

/// True when the saved secret looks like `email:token`.
pub(crate) fn is_email_and_token(secret: &str) -> bool {
    matches!(secret.split_once(':'), Some((email, token)) if email.contains('@') && !token.is_empty())
}

/// Scopes that can do more than read, as Bitbucket names them.
pub(crate) fn broad_scopes(scopes: &[String]) -> Vec<String> {
    scopes
        .iter()
        .filter(|s| !(s.starts_with("read:") || READ_ONLY_OAUTH_SCOPES.contains(&s.as_str())))
        .cloned()
        .collect()
}

/// Splits an `x-oauth-scopes` header ("a, b" or "a b").
pub(crate) fn parse_scopes(header: &str) -> Vec<String> {
    header
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A `next` link as a path under the client's base, or `None` when it points anywhere else
/// (never followed: the token must not leave its host).
fn under_base(api: &ApiClient, next: &str) -> Option<String> {
    let base = api.url_for("").ok()?.to_string();
    next.strip_prefix(base.trim_end_matches('/'))
        .filter(|rest| rest.starts_with('/'))
        .map(str::to_string)
}

/// Every item of a paginated list, following `next` links under the base.
async fn get_all<T: DeserializeOwned + PartialEq>(
    api: &ApiClient,
    first: &str,
) -> Result<Vec<T>, HttpError> {
    let mut items = Vec::new();
    let mut path = Some(first.to_string());
    let mut seen = Pages::starting_at(first);
    let mut pages = 0;
    while let Some(p) = path.take() {
        let resp = api.get(&p).await?;
        if !seen.is_new_page(&resp.body) {
            break;
        }
        let page: Page<T> = parse(Platform::Bitbucket, &resp)?;
        items.extend(page.values);
        pages += 1;
        if pages < MAX_PAGES {
            path = seen.next(page.next.as_deref().and_then(|n| under_base(api, n)));
        }
    }
    dedup(&mut items);
    Ok(items)
}

/// `bitbucket.two_factor` and `bitbucket.token_scope`, from one `GET /2.0/user`.
pub(crate) fn account(api: &ApiClient) -> Job<'_> {
    Box::pin(async move {
        let resp = match api.get("/user").await {
            Ok(r) => r,
            Err(e) => return all_unknown(&[TWO_FACTOR, TOKEN_SCOPE], &e),
        };
        let user: User = match parse(Platform::Bitbucket, &resp) {
            Ok(u) => u,
            Err(e) => return all_unknown(&[TWO_FACTOR, TOKEN_SCOPE], &e),
        };
        vec![
            two_factor(&user),
            token_scope(&user, resp.header("x-oauth-scopes")),
        ]
    })
}

fn two_factor(user: &User) -> CheckResult {
    let name = user.label();
    match user.has_2fa_enabled {
        Some(true) => CheckResult::new(
            TWO_FACTOR,
            Status::Pass,
            format!("Two-step verification is on for {name}."),
        ),
        Some(false) => CheckResult::new(
            TWO_FACTOR,
            Status::Fail,
            format!("Two-step verification is off for {name}."),
        )
        .with_remediation([
            "Turn it on in Bitbucket: Personal settings → Two-step verification, with an authenticator app, then add a security key (https://support.atlassian.com/bitbucket-cloud/docs/enable-two-step-verification/). Store the recovery codes apart from your devices.",
        ]),
        None => CheckResult::unknown(
            TWO_FACTOR,
            format!("Bitbucket did not say whether two-step verification is on for {name} (its answer had no `has_2fa_enabled`). Check Personal settings → Two-step verification in Bitbucket yourself; if your Atlassian organization manages sign-in (SSO), check it there."),
        ),
    }
}

fn token_scope(user: &User, scopes_header: Option<&str>) -> CheckResult {
    let Some(header) = scopes_header else {
        return CheckResult::unknown(
            TOKEN_SCOPE,
            format!(
                "Bitbucket does not say what an Atlassian API token may do: its scopes cannot be viewed after it is created. Lockstep needs only {}; if this token has more, create one with only those and an expiry date at {TOKEN_PAGE}, save it, and revoke the old one.",
                NEEDED_SCOPES.join(" and ")
            ),
        );
    };
    let scopes = parse_scopes(header);
    let broad = broad_scopes(&scopes);
    let evidence = vec![format!(
        "Scopes: {}.",
        if scopes.is_empty() {
            "none listed".to_string()
        } else {
            scopes.join(", ")
        }
    )];
    let r = if broad.is_empty() {
        CheckResult::new(
            TOKEN_SCOPE,
            Status::Pass,
            format!(
                "Lockstep's Bitbucket token for {} is read-only.",
                user.label()
            ),
        )
    } else {
        CheckResult::new(
            TOKEN_SCOPE,
            Status::Warn,
            format!(
                "Lockstep's Bitbucket token can do more than Lockstep needs: {}.",
                broad.join(", ")
            ),
        )
        .with_remediation([format!(
            "Create an API token with only {} and an expiry date at {TOKEN_PAGE}, save it in Accounts & tokens, and revoke the old one.",
            NEEDED_SCOPES.join(" and ")
        )])
    };
    r.with_evidence(evidence)
}

async fn workspace_owners(api: &ApiClient, slug: String) -> PackageOwners {
    let q = url::form_urlencoded::byte_serialize(br#"permission="owner""#).collect::<String>();
    let path = format!(
        "/workspaces/{}/permissions?q={q}&pagelen=100",
        segment(&slug)
    );
    match get_all::<Membership>(api, &path).await {
        Ok(members) => {
            // The filter is asked for, and applied again here in case a server ignores it.
            let mut owners: Vec<String> = members
                .iter()
                .filter(|m| m.permission == "owner")
                .map(|m| m.user.label())
                .collect();
            owners.sort();
            PackageOwners::found(slug, owners)
        }
        Err(e) => PackageOwners::failed(slug, &e),
    }
}

/// `bitbucket.workspace_admins`: owners of every workspace the user administers.
pub(crate) fn workspace_admins(api: &ApiClient) -> Job<'_> {
    Box::pin(async move {
        let access = match get_all::<WorkspaceAccess>(
            api,
            "/user/workspaces?administrator=true&pagelen=100",
        )
        .await
        {
            Ok(a) => a,
            Err(e) => {
                return vec![unknown_from(
                    WORKSPACE_ADMINS,
                    &e,
                    &least_scope_hint(WORKSPACE_ADMINS),
                )]
            }
        };
        let mut slugs: Vec<String> = access
            .into_iter()
            .filter(|a| a.administrator != Some(false))
            .map(|a| a.workspace.slug)
            .collect();
        slugs.sort();
        slugs.dedup();
        let workspaces: Vec<PackageOwners> =
            stream::iter(slugs.into_iter().map(|s| workspace_owners(api, s)))
                .buffered(IN_FLIGHT)
                .collect()
                .await;
        let mut r = owner_result(
            WORKSPACE_ADMINS,
            "workspace",
            "your Bitbucket account",
            "make sure the token has read:workspace:bitbucket and that you administer the workspaces you expect",
            workspaces,
        );
        // The 2-3 owners rule is the shared one; a workspace left with a single owner is
        // stranded with everything in it if that account is lost, so here it fails.
        if r.status == Status::Warn && r.observed.owners.values().any(|o| o.len() == 1) {
            r.status = Status::Fail;
        }
        vec![r]
    })
}

/// What the saved token can do, asked when it is saved: the account it belongs to and, when
/// Bitbucket lists them, its scopes. Atlassian API tokens cannot be described after creation,
/// so usually only the account is known.
pub fn inspect_token(
    api: &ApiClient,
    _now: time::OffsetDateTime,
) -> futures::future::BoxFuture<'_, Result<TokenCapabilities, HttpError>> {
    Box::pin(async move {
        let mut caps = TokenCapabilities::default();
        let resp = api.get("/user").await?;
        let user: User = parse(Platform::Bitbucket, &resp)?;
        caps.user = Some(user.label());
        match resp.header("x-oauth-scopes") {
            Some(h) => {
                caps.scopes = parse_scopes(h);
                let broad = broad_scopes(&caps.scopes);
                super::token_info::broad_warning(&mut caps, broad);
            }
            None => caps.scopes.push(
                "not listed by Bitbucket (API token scopes cannot be viewed after creation)".into(),
            ),
        }
        Ok(caps)
    })
}

/// The Bitbucket Cloud probe.
pub struct BitbucketProbe;

impl Probe for BitbucketProbe {
    fn group(&self) -> Group {
        GROUP
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let ids = specs_of(GROUP);
            let token = match token_state(ctx, Platform::Bitbucket) {
                TokenState::Present(t) => t,
                TokenState::Missing => {
                    ids.iter()
                        .for_each(|id| out.emit(no_token(id, Platform::Bitbucket)));
                    return;
                }
                TokenState::Error(why) => {
                    ids.iter()
                        .for_each(|id| out.emit(token_unreadable(id, Platform::Bitbucket, &why)));
                    return;
                }
            };
            // Refused before any request: Bitbucket would only answer 401.
            if !is_email_and_token(token.expose()) {
                ids.iter()
                    .for_each(|spec| out.emit(CheckResult::unknown(spec, NOT_EMAIL_AND_TOKEN)));
                return;
            }
            let api = match client(ctx, Platform::Bitbucket, Some(token)) {
                Ok(c) => c,
                Err(e) => {
                    all_unknown(&ids, &e).into_iter().for_each(|r| out.emit(r));
                    return;
                }
            };
            run_jobs(out, vec![account(&api), workspace_admins(&api)]).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_scopes_are_read_only_and_the_rest_is_broad() {
        let scopes = parse_scopes(
            "read:user:bitbucket, write:repository:bitbucket account repository:write",
        );
        assert_eq!(
            broad_scopes(&scopes),
            ["write:repository:bitbucket", "repository:write"]
        );
        assert!(broad_scopes(&parse_scopes(
            "read:user:bitbucket read:workspace:bitbucket"
        ))
        .is_empty());
    }

    #[test]
    fn the_secret_must_be_email_and_token() {
        assert!(is_email_and_token("me@example.com:ATATT3x"));
        assert!(!is_email_and_token("ATATT3x"));
        assert!(!is_email_and_token("me:ATATT3x"));
        assert!(!is_email_and_token("me@example.com:"));
    }
}
