//! What a token can do, asked once when it is saved, so Lockstep can store the scopes and expiry
//! as metadata (never the token) and warn when the token is broader than Lockstep needs.

use super::github::{broad_scopes, parse_expiration, parse_scopes};
use super::parse;
use super::pypi_token::{classify, TokenScope};
use crate::expiry::{ymd_of, Expiry};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Introspect, Platform};
use crate::secret::Secret;
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use time::OffsetDateTime;

/// What Lockstep makes of a token, worst last: the window shows it in green, amber or red, and
/// the state keeps it (never the token) so the same word shows after a restart.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TokenVerdict {
    /// Nothing against it.
    #[default]
    Fits,
    /// Lockstep could not ask; the token may well be fine.
    Unchecked,
    /// It can do more than Lockstep needs.
    Broad,
    /// The platform does not know it, or it is not this platform's kind of token.
    Unrecognised,
    /// It has expired.
    Expired,
}

/// Facts about a token, safe to store and show.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCapabilities {
    /// The account the token belongs to, when the platform says.
    pub user: Option<String>,
    /// Scopes or permissions, as the platform names them (empty when it does not list them).
    pub scopes: Vec<String>,
    /// Expiry as `YYYY-MM-DD`, when known.
    pub expires_at: Option<String>,
    /// Plain sentences: "can do more than Lockstep needs: repo, write:org", "expires in 5 days".
    pub warnings: Vec<String>,
    /// The verdict the warnings add up to (the worst one found).
    pub verdict: TokenVerdict,
    /// The scopes beyond what Lockstep needs (empty unless the verdict is broad).
    pub broad: Vec<String>,
}

impl TokenCapabilities {
    /// Keeps the worse of the verdict so far and `v`.
    pub fn judge(&mut self, v: TokenVerdict) {
        self.verdict = self.verdict.max(v);
    }
}

/// Where to create a token for `platform` (shown next to each check's least scope).
pub fn token_page(platform: Platform) -> &'static str {
    platform.spec().token_page
}

/// Asks a platform what the token on `api` can do (the client carries it, attached by the
/// platform row's scheme). One per platform row that can describe its tokens.
pub type Inspector = for<'a> fn(
    &'a ApiClient,
    OffsetDateTime,
) -> BoxFuture<'a, Result<TokenCapabilities, HttpError>>;

/// `GET /user` on GitHub: only the login.
#[derive(Debug, Deserialize)]
struct Login {
    login: Option<String>,
}

/// Have I Been Pwned's `GET /api/v3/subscription/status`, the fields shown.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HibpSubscription {
    subscription_name: Option<String>,
    subscribed_until: Option<String>,
}

fn expiry_warning(caps: &mut TokenCapabilities, expiry: Expiry) {
    if expiry.warns() {
        caps.warnings.push(expiry.phrase());
    }
    if expiry == Expiry::Expired {
        caps.judge(TokenVerdict::Expired);
    }
}

/// Says (and records) which scopes go beyond what Lockstep needs, if any.
pub(crate) fn broad_warning(caps: &mut TokenCapabilities, broad: Vec<String>) {
    if !broad.is_empty() {
        caps.warnings.push(format!(
            "can do more than Lockstep needs: {}",
            broad.join(", ")
        ));
        caps.judge(TokenVerdict::Broad);
        caps.broad = broad;
    }
}

/// Asks the platform what `token` can do, the way its row says ([`Introspect`]). PyPI tokens
/// are decoded offline (never sent); crates.io and RubyGems offer no token introspection, so
/// little is known for them.
pub async fn inspect(
    platform: Platform,
    base_url: &str,
    token: &Secret,
    timeout: Duration,
    now: OffsetDateTime,
) -> Result<TokenCapabilities, HttpError> {
    match platform.spec().introspect {
        Introspect::Nothing => Ok(TokenCapabilities::default()),
        Introspect::Offline(decode) => Ok(decode(token, now)),
        Introspect::Api(ask) => {
            let api = ApiClient::for_platform(platform, base_url, Some(token.clone()), timeout)?;
            ask(&api, now).await
        }
    }
}

/// GitHub: `GET /user` names the owner; its headers list a classic token's scopes and expiry.
pub(crate) fn github(
    api: &ApiClient,
    now: OffsetDateTime,
) -> BoxFuture<'_, Result<TokenCapabilities, HttpError>> {
    Box::pin(async move {
        let mut caps = TokenCapabilities::default();
        let resp = api.get("/user").await?;
        let user: Login = parse(Platform::Github, &resp)?;
        caps.user = user.login;
        match resp.header("x-oauth-scopes") {
            Some(h) => {
                caps.scopes = parse_scopes(h);
                let broad = broad_scopes(&caps.scopes);
                broad_warning(&mut caps, broad);
            }
            None => caps
                .scopes
                .push("fine-grained (permissions not listed by GitHub)".into()),
        }
        if let Some(exp) = resp
            .header("github-authentication-token-expiration")
            .and_then(parse_expiration)
        {
            caps.expires_at = Some(ymd_of(exp));
            expiry_warning(&mut caps, Expiry::at(exp, now));
        }
        Ok(caps)
    })
}

/// GitLab: the user, then the personal access token's own description.
pub(crate) fn gitlab(
    api: &ApiClient,
    now: OffsetDateTime,
) -> BoxFuture<'_, Result<TokenCapabilities, HttpError>> {
    Box::pin(async move {
        let mut caps = TokenCapabilities::default();
        let (me, this) = futures::join!(
            api.get("/api/v4/user"),
            api.get("/api/v4/personal_access_tokens/self")
        );
        let me: super::gitlab::User = parse(Platform::Gitlab, &me?)?;
        caps.user = me.username;
        let this = match this {
            Ok(resp) => parse::<super::gitlab::TokenSelf>(Platform::Gitlab, &resp)?,
            Err(e) if super::gitlab::is_not_personal_token(&e) => {
                caps.warnings.push(
                    "is not a personal access token, so GitLab cannot say what it can do: use a personal access token with only read_user".into(),
                );
                caps.judge(TokenVerdict::Unchecked);
                return Ok(caps);
            }
            Err(e) => return Err(e),
        };
        let t = super::gitlab::read_token(&this, now);
        broad_warning(&mut caps, t.broad.clone());
        if let Some(expiry) = t.expiry {
            expiry_warning(&mut caps, expiry);
        }
        caps.scopes = t.scopes;
        caps.expires_at = t
            .expires_at
            .as_deref()
            .and_then(crate::expiry::parse_date)
            .map(crate::expiry::ymd);
        Ok(caps)
    })
}

/// npm: `GET /-/whoami` names the owner; npm lists no scopes.
pub(crate) fn npm(
    api: &ApiClient,
    _now: OffsetDateTime,
) -> BoxFuture<'_, Result<TokenCapabilities, HttpError>> {
    Box::pin(async move {
        let who: super::npm::Whoami = parse(Platform::Npm, &api.get("/-/whoami").await?)?;
        Ok(TokenCapabilities {
            user: Some(who.username),
            ..TokenCapabilities::default()
        })
    })
}

/// Have I Been Pwned: the key's subscription and until when it runs.
pub(crate) fn hibp(
    api: &ApiClient,
    now: OffsetDateTime,
) -> BoxFuture<'_, Result<TokenCapabilities, HttpError>> {
    Box::pin(async move {
        let mut caps = TokenCapabilities::default();
        let resp = api.get("/api/v3/subscription/status").await?;
        let sub: HibpSubscription = parse(Platform::Hibp, &resp)?;
        if let Some(name) = &sub.subscription_name {
            caps.scopes.push(format!("subscription: {name}"));
        }
        if let Some(until) = sub.subscribed_until.as_deref() {
            // HIBP sends a UTC time without an offset ("2026-12-01T00:00:00").
            let at = time::PrimitiveDateTime::parse(
                until.trim_end_matches('Z'),
                &time::format_description::well_known::Iso8601::DEFAULT,
            );
            if let Ok(at) = at {
                caps.expires_at = Some(ymd_of(at.assume_utc()));
                expiry_warning(&mut caps, Expiry::at(at.assume_utc(), now));
            } else {
                caps.expires_at = crate::expiry::parse_date(until).map(crate::expiry::ymd);
            }
        }
        Ok(caps)
    })
}

/// PyPI: the token's caveats, decoded on this device; it is never sent.
pub(crate) fn pypi(token: &Secret, now: OffsetDateTime) -> TokenCapabilities {
    let mut caps = TokenCapabilities::default();
    inspect_pypi(&mut caps, token, now);
    caps
}

fn inspect_pypi(caps: &mut TokenCapabilities, token: &Secret, now: OffsetDateTime) {
    match classify(token.expose(), now) {
        TokenScope::UserWide => {
            caps.scopes.push("all projects (user-wide)".into());
            caps.warnings.push(
                "can upload to every project of the account: use a project-scoped token".into(),
            );
            caps.judge(TokenVerdict::Broad);
            caps.broad = caps.scopes.clone();
        }
        TokenScope::Projects(names) => caps
            .scopes
            .extend(names.into_iter().map(|n| format!("project:{n}"))),
        TokenScope::Expired { expired_at } => {
            caps.expires_at = Some(ymd_of(expired_at));
            caps.warnings.push("has expired".into());
            caps.judge(TokenVerdict::Expired);
        }
        TokenScope::NotAPypiToken => {
            caps.warnings
                .push("is not a PyPI API token (it should start with pypi-)".into());
            caps.judge(TokenVerdict::Unrecognised);
        }
        TokenScope::Unreadable(why) => {
            caps.warnings.push(format!("could not be decoded ({why})"));
            caps.judge(TokenVerdict::Unrecognised);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_an_https_token_page() {
        for p in Platform::all() {
            assert!(token_page(p).starts_with("https://"), "{p}");
        }
    }
}
