//! GitLab (gitlab.com or self-managed, including installs under a path): 2FA and the token
//! Lockstep uses.

use super::{
    all_unknown, client, ids_of, no_token, parse, run_jobs, token_state, token_unreadable, Job,
    TokenState,
};
use crate::check::{CheckResult, Observed, Status};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::expiry::{self, Expiry};
use crate::http::{ApiClient, Auth, HttpError};
use crate::platform::{Group, Platform};
use futures::future::BoxFuture;
use serde::Deserialize;
use time::OffsetDateTime;

const TWO_FACTOR: &str = "gitlab.two_factor";
const TOKEN_SCOPE: &str = "gitlab.token_scope";

/// Scopes Lockstep accepts: read-only.
const ACCEPTABLE: &[&str] = &["read_user", "read_api"];

/// The GitLab probe.
pub struct GitlabProbe;

impl Probe for GitlabProbe {
    fn group(&self) -> Group {
        Group::Gitlab
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let ids = ids_of(Group::Gitlab);
            let token = match token_state(ctx, Platform::Gitlab) {
                TokenState::Present(t) => t,
                TokenState::Missing => {
                    ids.iter()
                        .for_each(|id| out.emit(no_token(id, Platform::Gitlab)));
                    return;
                }
                TokenState::Error(why) => {
                    ids.iter()
                        .for_each(|id| out.emit(token_unreadable(id, Platform::Gitlab, &why)));
                    return;
                }
            };
            let api = match client(
                ctx,
                Platform::Gitlab,
                Some(token),
                Auth::Header("private-token"),
            ) {
                Ok(c) => c,
                Err(e) => {
                    all_unknown(&ids, &e).into_iter().for_each(|r| out.emit(r));
                    return;
                }
            };
            let api = &api;
            let now = ctx.now;
            let jobs: Vec<Job<'_>> =
                vec![Box::pin(two_factor(api)), Box::pin(token_scope(api, now))];
            run_jobs(out, jobs).await;
        })
    }
}

/// `GET /api/v4/user`: only the fields Lockstep reads.
#[derive(Debug, Deserialize)]
pub(crate) struct User {
    pub username: Option<String>,
    pub two_factor_enabled: Option<bool>,
    /// True for the bot users behind project and group access tokens.
    #[serde(default)]
    pub bot: bool,
}

/// `GET /api/v4/personal_access_tokens/self`.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenSelf {
    #[serde(default)]
    pub scopes: Vec<String>,
    pub expires_at: Option<String>,
    pub active: Option<bool>,
}

/// GitLab answers `/personal_access_tokens/self` with 400 for any token that is not a
/// personal access token (project, group, deploy, OAuth and other tokens).
pub(crate) fn is_not_personal_token(err: &HttpError) -> bool {
    matches!(err, HttpError::Unexpected { status: 400, .. })
}

/// What to say when the saved token is not a personal access token.
pub(crate) const NOT_PERSONAL: &str = "The saved GitLab token is not a personal access token: GitLab describes only personal access tokens (it answers 400 Bad Request for project, group and other token types). Create a personal access token with only `read_user` and an expiry date in User settings → Access tokens, save it in Accounts & tokens, and revoke the other token if Lockstep was its only use.";

async fn two_factor(api: &ApiClient) -> Vec<CheckResult> {
    let user = match api.get("/api/v4/user").await {
        Ok(resp) => parse::<User>(Platform::Gitlab, api, &resp),
        Err(e) => Err(e),
    };
    let user = match user {
        Ok(v) => v,
        Err(e) => return all_unknown(&[TWO_FACTOR], &e),
    };
    let name = user.username.as_deref().unwrap_or("your account");
    if user.bot {
        return vec![CheckResult::unknown(TWO_FACTOR, format!("The saved GitLab token belongs to the bot user {name} (a project or group access token), not to you, so your own 2FA cannot be seen. {}", NOT_PERSONAL.split_once(": ").map_or("", |(_, rest)| rest)))];
    }
    vec![match user.two_factor_enabled {
        Some(true) => CheckResult::new(TWO_FACTOR, Status::Pass, format!("Two-factor authentication is on for {name}.")),
        Some(false) => CheckResult::new(TWO_FACTOR, Status::Fail, format!("Two-factor authentication is off for {name}."))
            .with_remediation(["Turn it on under Edit profile → Account → Enable two-factor authentication, preferably with a WebAuthn device."]),
        None => CheckResult::unknown(TWO_FACTOR, "GitLab did not show the 2FA status to this token; save a personal access token with the `read_user` scope."),
    }]
}

/// What a GitLab token can do, from `/personal_access_tokens/self` (shared with token_info).
pub(crate) struct GitlabToken {
    pub scopes: Vec<String>,
    pub expires_at: Option<String>,
    pub broad: Vec<String>,
    /// Where `expires_at` stands (`None`: no expiry, or one Lockstep could not read).
    pub expiry: Option<Expiry>,
}

pub(crate) fn read_token(v: &TokenSelf, now: OffsetDateTime) -> GitlabToken {
    let scopes = v.scopes.clone();
    let expires_at = v.expires_at.clone();
    let expiry = expires_at.as_deref().and_then(|d| Expiry::of_text(d, now));
    let broad = scopes
        .iter()
        .filter(|s| !ACCEPTABLE.contains(&s.as_str()))
        .cloned()
        .collect();
    GitlabToken {
        scopes,
        expires_at,
        broad,
        expiry,
    }
}

async fn token_scope(api: &ApiClient, now: OffsetDateTime) -> Vec<CheckResult> {
    let v = match api.get("/api/v4/personal_access_tokens/self").await {
        Ok(resp) => parse::<TokenSelf>(Platform::Gitlab, api, &resp),
        Err(e) => Err(e),
    };
    let v = match v {
        Ok(v) => v,
        Err(e) if is_not_personal_token(&e) => {
            return vec![CheckResult::unknown(TOKEN_SCOPE, NOT_PERSONAL)]
        }
        Err(e) => return all_unknown(&[TOKEN_SCOPE], &e),
    };
    let t = read_token(&v, now);
    let mut observed = Observed::default();
    let mut evidence = vec![format!(
        "Scopes: {}.",
        if t.scopes.is_empty() {
            "none".into()
        } else {
            t.scopes.join(", ")
        }
    )];
    let mut warnings = Vec::new();
    if !t.broad.is_empty() {
        warnings.push(format!(
            "it can do more than Lockstep needs: {}",
            t.broad.join(", ")
        ));
    }
    match (
        t.expires_at.as_deref().and_then(expiry::parse_date),
        t.expiry,
    ) {
        (Some(day), Some(state)) => {
            let day = expiry::ymd(day);
            evidence.push(format!("Expiry: {day} (it {}).", state.phrase()));
            observed.expires.insert("gitlab token".into(), day);
            if state.warns() {
                warnings.push(format!("it {}", state.phrase()));
            }
        }
        _ => evidence.push("The token has no expiry date.".into()),
    }
    if v.active == Some(false) {
        warnings.push("GitLab reports it as inactive".into());
    }
    let r = if warnings.is_empty() {
        CheckResult::new(
            TOKEN_SCOPE,
            Status::Pass,
            "Lockstep's GitLab token is read-only.",
        )
    } else {
        CheckResult::new(TOKEN_SCOPE, Status::Warn, format!("Lockstep's GitLab token: {}.", warnings.join("; ")))
            .with_remediation(["Create a token with only `read_user` at https://gitlab.com/-/user_settings/personal_access_tokens (or your instance's equivalent), save it, and revoke the old one."])
    };
    vec![r.with_evidence(evidence).with_observed(observed)]
}
