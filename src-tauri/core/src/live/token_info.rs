//! What a token can do, asked once when it is saved, so Lockstep can store the scopes and expiry
//! as metadata (never the token) and warn when the token is broader than Lockstep needs.

use super::github::{api_headers, broad_scopes, parse_expiration, parse_scopes};
use super::parse;
use super::pypi_token::{classify, TokenScope};
use crate::expiry::{ymd_of, Expiry};
use crate::http::{ApiClient, Auth, HttpError};
use crate::platform::Platform;
use crate::secret::Secret;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use time::OffsetDateTime;

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
}

/// Where to create a token for `platform` (shown next to each check's least scope).
pub fn token_page(platform: Platform) -> &'static str {
    match platform {
        Platform::Github => "https://github.com/settings/personal-access-tokens/new",
        Platform::Gitlab => "https://gitlab.com/-/user_settings/personal_access_tokens",
        Platform::Npm => "https://www.npmjs.com/settings/~/tokens",
        Platform::Pypi => "https://pypi.org/manage/account/token/",
        Platform::Rubygems => "https://rubygems.org/profile/api_keys",
        Platform::Crates => "https://crates.io/settings/tokens",
        Platform::Hibp => "https://haveibeenpwned.com/API/Key",
    }
}

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

fn expiry_warning(warnings: &mut Vec<String>, expiry: Expiry) {
    if expiry.warns() {
        warnings.push(expiry.phrase());
    }
}

fn broad_warning(warnings: &mut Vec<String>, broad: &[String]) {
    if !broad.is_empty() {
        warnings.push(format!(
            "can do more than Lockstep needs: {}",
            broad.join(", ")
        ));
    }
}

/// Asks the platform what `token` can do. PyPI tokens are decoded offline (never sent);
/// crates.io and RubyGems offer no token introspection, so little is known for them.
pub async fn inspect(
    platform: Platform,
    base_url: &str,
    token: &Secret,
    timeout: Duration,
    now: OffsetDateTime,
) -> Result<TokenCapabilities, HttpError> {
    let mut caps = TokenCapabilities::default();
    match platform {
        Platform::Pypi => inspect_pypi(&mut caps, token, now),
        Platform::Github => {
            let api = api_headers(ApiClient::new(
                base_url,
                Some(token.clone()),
                Auth::Bearer,
                timeout,
            )?);
            let resp = api.get("/user").await?;
            let user: Login = parse(Platform::Github, &api, &resp)?;
            caps.user = user.login;
            match resp.header("x-oauth-scopes") {
                Some(h) => {
                    caps.scopes = parse_scopes(h);
                    broad_warning(&mut caps.warnings, &broad_scopes(&caps.scopes));
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
                expiry_warning(&mut caps.warnings, Expiry::at(exp, now));
            }
        }
        Platform::Gitlab => {
            let api = ApiClient::new(
                base_url,
                Some(token.clone()),
                Auth::Header("private-token"),
                timeout,
            )?;
            let (me, this) = futures::join!(
                api.get("/api/v4/user"),
                api.get("/api/v4/personal_access_tokens/self")
            );
            let me: super::gitlab::User = parse(Platform::Gitlab, &api, &me?)?;
            caps.user = me.username;
            let this = match this {
                Ok(resp) => parse::<super::gitlab::TokenSelf>(Platform::Gitlab, &api, &resp)?,
                Err(e) if super::gitlab::is_not_personal_token(&e) => {
                    caps.warnings.push(
                        "is not a personal access token, so GitLab cannot say what it can do: use a personal access token with only read_user".into(),
                    );
                    return Ok(caps);
                }
                Err(e) => return Err(e),
            };
            let t = super::gitlab::read_token(&this, now);
            broad_warning(&mut caps.warnings, &t.broad);
            if let Some(expiry) = t.expiry {
                expiry_warning(&mut caps.warnings, expiry);
            }
            caps.scopes = t.scopes;
            caps.expires_at = t
                .expires_at
                .as_deref()
                .and_then(crate::expiry::parse_date)
                .map(crate::expiry::ymd);
        }
        Platform::Npm => {
            let api = ApiClient::new(base_url, Some(token.clone()), Auth::Bearer, timeout)?;
            let who: super::npm::Whoami = parse(Platform::Npm, &api, &api.get("/-/whoami").await?)?;
            caps.user = Some(who.username);
        }
        Platform::Hibp => {
            let api = ApiClient::new(
                base_url,
                Some(token.clone()),
                Auth::Header("hibp-api-key"),
                timeout,
            )?;
            let resp = api.get("/api/v3/subscription/status").await?;
            let sub: HibpSubscription = parse(Platform::Hibp, &api, &resp)?;
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
                    expiry_warning(&mut caps.warnings, Expiry::at(at.assume_utc(), now));
                } else {
                    caps.expires_at = crate::expiry::parse_date(until).map(crate::expiry::ymd);
                }
            }
        }
        // Neither offers an endpoint that describes an API token.
        Platform::Rubygems | Platform::Crates => {}
    }
    Ok(caps)
}

fn inspect_pypi(caps: &mut TokenCapabilities, token: &Secret, now: OffsetDateTime) {
    match classify(token.expose(), now) {
        TokenScope::UserWide => {
            caps.scopes.push("all projects (user-wide)".into());
            caps.warnings.push(
                "can upload to every project of the account: use a project-scoped token".into(),
            );
        }
        TokenScope::Projects(names) => caps
            .scopes
            .extend(names.into_iter().map(|n| format!("project:{n}"))),
        TokenScope::Expired { expired_at } => {
            caps.expires_at = Some(ymd_of(expired_at));
            caps.warnings.push("has expired".into());
        }
        TokenScope::NotAPypiToken => caps
            .warnings
            .push("is not a PyPI API token (it should start with pypi-)".into()),
        TokenScope::Unreadable(why) => caps.warnings.push(format!("could not be decoded ({why})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_an_https_token_page() {
        for p in Platform::WITH_TOKENS {
            assert!(token_page(p).starts_with("https://"), "{p}");
        }
    }
}
