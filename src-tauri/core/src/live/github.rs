//! GitHub: 2FA, account email, signing and hardware keys, owned organizations, and the token
//! Lockstep itself uses. Works against GitHub Enterprise Server (`https://HOST/api/v3`).

use super::owners::{owner_result, PackageOwners};
use super::{
    all_unknown, client, least_scope_hint, next_link, no_token, parse, run_jobs, segment, specs_of,
    token_state, token_unreadable, unknown_from, Job, TokenState, CONCURRENCY,
};
use crate::check::{CheckResult, Observed, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::{CheckContext, Emitter, Probe};
use crate::expiry::{ymd_of, Expiry};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Group, Platform};
use crate::ssh_key;
use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use time::OffsetDateTime;

pub const TWO_FACTOR: &CheckSpec = &CheckSpec {
    id: "github.two_factor",
    group: Group::Account(Platform::Github),
    title: "GitHub two-factor authentication",
    least_scope: "classic token with the `user` scope (read-only fields); fine-grained tokens do not show 2FA",
    token: TokenNeed::Required(Platform::Github),
};
pub const EMAIL: &CheckSpec = &CheckSpec {
    id: "github.email",
    group: Group::Account(Platform::Github),
    title: "GitHub primary email provider",
    least_scope: "classic `user:email`, or fine-grained \"Email addresses: read\"",
    token: TokenNeed::Required(Platform::Github),
};
pub const SIGNING_KEYS: &CheckSpec = &CheckSpec {
    id: "github.signing_keys",
    group: Group::Account(Platform::Github),
    title: "GitHub commit signing keys",
    least_scope: "classic `read:gpg_key` and `read:ssh_signing_key`, or fine-grained \"GPG keys: read\" and \"SSH signing keys: read\"",
    token: TokenNeed::Required(Platform::Github),
};
pub const HARDWARE_KEYS: &CheckSpec = &CheckSpec {
    id: "github.hardware_keys",
    group: Group::Account(Platform::Github),
    title: "GitHub hardware-backed SSH keys",
    least_scope: "classic `read:public_key`, or fine-grained \"Git SSH keys: read\"",
    token: TokenNeed::Required(Platform::Github),
};
pub const ORG_TWO_FACTOR: &CheckSpec = &CheckSpec {
    id: "github.org_two_factor",
    group: Group::Account(Platform::Github),
    title: "Members' 2FA in organizations you own",
    least_scope: "classic `read:org` as an owner of the organization (read-only; `admin:org` is not needed), or a fine-grained token with \"Members: read\", one per organization",
    token: TokenNeed::Required(Platform::Github),
};
pub const ORG_OWNERS: &CheckSpec = &CheckSpec {
    id: "github.org_owners",
    group: Group::Account(Platform::Github),
    title: "Owner count of organizations you own",
    least_scope: "classic `read:org`, or fine-grained \"Members: read\" on the organization",
    token: TokenNeed::Required(Platform::Github),
};
pub const TOKEN_SCOPE: &CheckSpec = &CheckSpec {
    id: "github.token_scope",
    group: Group::Account(Platform::Github),
    title: "Lockstep's GitHub token is least-privilege",
    least_scope: "any token; a fine-grained read-only token is best",
    token: TokenNeed::Required(Platform::Github),
};

/// Pages followed at most per list (100 items each): bounds a run against odd servers.
const MAX_PAGES: usize = 50;

/// The GitHub probe.
pub struct GithubProbe;

impl Probe for GithubProbe {
    fn group(&self) -> Group {
        Group::Account(Platform::Github)
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let ids = specs_of(Group::Account(Platform::Github));
            let token = match token_state(ctx, Platform::Github) {
                TokenState::Present(t) => t,
                TokenState::Missing => {
                    ids.iter()
                        .for_each(|id| out.emit(no_token(id, Platform::Github)));
                    return;
                }
                TokenState::Error(why) => {
                    ids.iter()
                        .for_each(|id| out.emit(token_unreadable(id, Platform::Github, &why)));
                    return;
                }
            };
            let api = match client(ctx, Platform::Github, Some(token)) {
                Ok(c) => c,
                Err(e) => {
                    all_unknown(&ids, &e).into_iter().for_each(|r| out.emit(r));
                    return;
                }
            };
            let api = &api;
            let jobs: Vec<Job<'_>> = vec![
                Box::pin(user_checks(api, ctx.now)),
                Box::pin(email_check(api)),
                Box::pin(signing_keys_check(api, ctx.now)),
                Box::pin(hardware_keys_check(api)),
                Box::pin(org_checks(api)),
                Box::pin(async {
                    let repos = super::release_pipeline::user_repos(api).await;
                    let progress = |done, total| {
                        out.progress(&[super::release_pipeline::ID], done, total, "repositories")
                    };
                    vec![super::release_pipeline::check(api, repos, &progress).await]
                }),
            ];
            run_jobs(out, jobs).await;
        })
    }
}

/// GETs a list, following `Link: rel="next"` within the same base URL.
pub(crate) async fn get_all<T: DeserializeOwned + PartialEq>(
    api: &ApiClient,
    first: &str,
) -> Result<Vec<T>, HttpError> {
    get_all_with_scopes(api, first)
        .await
        .map(|(items, _)| items)
}

/// [`get_all`], also returning the first page's `X-OAuth-Scopes` (absent for fine-grained
/// tokens, which reach one organization only).
async fn get_all_with_scopes<T: DeserializeOwned + PartialEq>(
    api: &ApiClient,
    first: &str,
) -> Result<(Vec<T>, Option<String>), HttpError> {
    let mut items = Vec::new();
    let mut scopes = None;
    let mut path = Some(first.to_string());
    let mut pages = 0;
    let mut seen = super::pagination::Pages::starting_at(first);
    while let Some(p) = path.take() {
        let resp = api.get(&p).await?;
        // A page the server already sent adds nothing and means it is going round in circles.
        if !seen.is_new_page(&resp.body) {
            break;
        }
        let page: Vec<T> = parse(Platform::Github, &resp)?;
        if pages == 0 {
            scopes = resp.header("x-oauth-scopes").map(str::to_string);
        }
        items.extend(page);
        pages += 1;
        if pages < MAX_PAGES {
            path = seen.next(next_link(api, resp.header("link")));
        }
    }
    super::pagination::dedup(&mut items);
    Ok((items, scopes))
}

/// `GET /user`: only the fields Lockstep reads.
#[derive(Debug, Deserialize)]
struct User {
    login: Option<String>,
    /// Shown only to a classic token with the `user` scope.
    two_factor_authentication: Option<bool>,
}

/// One entry of `GET /user/emails`.
#[derive(Debug, PartialEq, Deserialize)]
struct Email {
    email: String,
    #[serde(default)]
    primary: bool,
    verified: Option<bool>,
}

/// One entry of `GET /user/gpg_keys` (and a subkey of one).
#[derive(Debug, PartialEq, Deserialize)]
struct GpgKey {
    key_id: Option<String>,
    #[serde(default)]
    can_sign: bool,
    #[serde(default)]
    revoked: bool,
    expires_at: Option<String>,
    #[serde(default)]
    subkeys: Vec<GpgKey>,
}

/// One entry of `GET /user/ssh_signing_keys` or `GET /user/keys`.
#[derive(Debug, PartialEq, Deserialize)]
struct SshKey {
    title: Option<String>,
    key: String,
}

/// One entry of `GET /user/memberships/orgs`.
#[derive(Debug, PartialEq, Deserialize)]
struct Membership {
    state: Option<String>,
    /// "admin" for organization owners.
    role: String,
    organization: OrgRef,
}

#[derive(Debug, PartialEq, Deserialize)]
struct OrgRef {
    login: String,
}

/// `GET /orgs/{org}`: the requirement flag is shown only to owners whose classic token has
/// `admin:org` (a write scope), so it is read when present and never required.
#[derive(Debug, PartialEq, Deserialize)]
struct Organization {
    two_factor_requirement_enabled: Option<bool>,
}

/// One entry of `GET /orgs/{org}/members`.
#[derive(Debug, PartialEq, Deserialize)]
struct Member {
    login: String,
}

/// `/user` answers both the 2FA question and, through its headers, what the token can do.
async fn user_checks(api: &ApiClient, now: OffsetDateTime) -> Vec<CheckResult> {
    let resp = match api.get("/user").await {
        Ok(r) => r,
        Err(e) => return all_unknown(&[TWO_FACTOR, TOKEN_SCOPE], &e),
    };
    let user: User = match parse(Platform::Github, &resp) {
        Ok(v) => v,
        Err(e) => return all_unknown(&[TWO_FACTOR, TOKEN_SCOPE], &e),
    };
    let login = user.login.as_deref().unwrap_or("your account");
    let two_factor = match user.two_factor_authentication {
        Some(true) => CheckResult::new(TWO_FACTOR, Status::Pass, format!("Two-factor authentication is on for {login}.")),
        Some(false) => CheckResult::new(TWO_FACTOR, Status::Fail, format!("Two-factor authentication is off for {login}."))
            .with_remediation([
                "Turn it on at https://github.com/settings/security, preferably with a security key or passkey.",
            ]),
        None => CheckResult::unknown(
            TWO_FACTOR,
            "GitHub did not show the 2FA status to this token: only a classic token with the `user` scope sees it \
             (fine-grained tokens never do). Check https://github.com/settings/security yourself, or save such a token.",
        ),
    };
    let scope = token_scope_result(
        resp.header("x-oauth-scopes"),
        resp.header("github-authentication-token-expiration"),
        now,
    );
    vec![two_factor, scope]
}

/// Classic scopes Lockstep accepts. `user` grants profile writes too, but it is the only
/// classic scope that shows `two_factor_authentication`, so it is accepted (and explained in
/// the evidence) rather than making the recommended setup warn forever.
fn is_acceptable_scope(scope: &str) -> bool {
    scope.starts_with("read:") || scope == "user:email" || scope == "user"
}

/// Classic scopes beyond what Lockstep needs.
pub(crate) fn broad_scopes(scopes: &[String]) -> Vec<String> {
    scopes
        .iter()
        .filter(|s| !is_acceptable_scope(s))
        .cloned()
        .collect()
}

/// Parses `X-OAuth-Scopes` ("repo, read:org").
pub(crate) fn parse_scopes(header: &str) -> Vec<String> {
    header
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Parses `github-authentication-token-expiration` ("2026-12-01 10:00:00 UTC"; some servers
/// send a numeric offset such as "+0000" instead of "UTC").
pub(crate) fn parse_expiration(value: &str) -> Option<OffsetDateTime> {
    let v = value.trim();
    let (stamp, zone) = v.rsplit_once(' ')?;
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    let naive = time::PrimitiveDateTime::parse(stamp, &format).ok()?;
    let offset = match zone {
        "UTC" | "GMT" | "Z" => time::UtcOffset::UTC,
        z => {
            let f =
                time::macros::format_description!("[offset_hour sign:mandatory][offset_minute]");
            time::UtcOffset::parse(z, &f).ok()?
        }
    };
    Some(naive.assume_offset(offset))
}

fn token_scope_result(
    scopes: Option<&str>,
    expiration: Option<&str>,
    now: OffsetDateTime,
) -> CheckResult {
    let mut observed = Observed::default();
    let mut evidence = Vec::new();
    let mut warnings = Vec::new();
    let expires = expiration.and_then(parse_expiration);
    if let Some(exp) = expires {
        let day = ymd_of(exp);
        let expiry = Expiry::at(exp, now);
        evidence.push(format!("Expiry: {day} (it {}).", expiry.phrase()));
        observed.expires.insert("github token".into(), day);
        if expiry.warns() {
            warnings.push(format!("it {}", expiry.phrase()));
        }
    } else if expiration.is_some() {
        evidence.push("GitHub sent an expiry date Lockstep could not read.".to_string());
    } else {
        evidence.push("The token has no expiry date.".to_string());
    }
    let classic = scopes.map(parse_scopes);
    match &classic {
        Some(list) => {
            evidence.push(format!(
                "Classic token with scopes: {}.",
                if list.is_empty() { "none".to_string() } else { list.join(", ") }
            ));
            if list.iter().any(|s| s == "user") {
                evidence.push(
                    "`user` also allows profile changes; Lockstep accepts it because it is the only classic scope that shows your 2FA status."
                        .to_string(),
                );
            }
            let broad = broad_scopes(list);
            if !broad.is_empty() {
                warnings.push(format!("it can do more than Lockstep needs: {}", broad.join(", ")));
            }
        }
        None => evidence.push(
            "Fine-grained token: GitHub does not list its permissions, so make sure you created it with read-only access.".to_string(),
        ),
    }
    if warnings.is_empty() {
        let kind = if classic.is_some() {
            "classic token with read-only scopes"
        } else {
            "fine-grained token"
        };
        CheckResult::new(
            TOKEN_SCOPE,
            Status::Pass,
            format!("Lockstep's GitHub token is a {kind}."),
        )
        .with_evidence(evidence)
        .with_observed(observed)
    } else {
        CheckResult::new(TOKEN_SCOPE, Status::Warn, format!("Lockstep's GitHub token: {}.", warnings.join("; ")))
            .with_evidence(evidence)
            .with_remediation([
                "Create a fine-grained read-only token (or a classic one with only read:org, read:gpg_key, read:ssh_signing_key, read:public_key, user:email and user) at https://github.com/settings/personal-access-tokens/new, save it, and delete the old one.",
            ])
            .with_observed(observed)
    }
}

fn domain_of(email: &str) -> &str {
    email.rsplit_once('@').map(|(_, d)| d).unwrap_or("")
}

async fn email_check(api: &ApiClient) -> Vec<CheckResult> {
    let list: Vec<Email> = match get_all(api, "/user/emails?per_page=100").await {
        Ok(l) => l,
        Err(e) => return vec![unknown_from(EMAIL, &e, &least_scope_hint(EMAIL))],
    };
    // Every verified address can receive a password reset, not only the primary one.
    let verified: Vec<&Email> = list.iter().filter(|e| e.verified != Some(false)).collect();
    let observed = Observed {
        emails: list.iter().map(|e| e.email.clone()).collect(),
        ..Observed::default()
    };
    let evidence: Vec<String> = list
        .iter()
        .map(|e| {
            let d = domain_of(&e.email);
            let kind = if super::providers::is_long_lived_provider(d) {
                "long-lived provider"
            } else {
                "own domain"
            };
            let unverified = if e.verified == Some(false) {
                ", unverified"
            } else {
                ""
            };
            format!(
                "{}address at {d} ({kind}{unverified})",
                if e.primary { "primary " } else { "" }
            )
        })
        .collect();
    let Some(primary) = list.iter().find(|e| e.primary) else {
        return vec![CheckResult::unknown(EMAIL, "GitHub listed no primary email for this token; check https://github.com/settings/emails.")
            .with_evidence(evidence)
            .with_observed(observed)];
    };
    let own: Vec<&str> = verified
        .iter()
        .map(|e| domain_of(&e.email))
        .filter(|d| !super::providers::is_long_lived_provider(d))
        .collect();
    let domain = domain_of(&primary.email);
    let r = if own.is_empty() {
        CheckResult::new(
            EMAIL,
            Status::Pass,
            format!("Your primary GitHub email is at {domain}, a long-lived provider, and no verified address is on a domain of your own."),
        )
    } else if super::providers::is_long_lived_provider(domain) {
        CheckResult::new(
            EMAIL,
            Status::Warn,
            format!("A verified GitHub email is on your own domain ({}): GitHub sends password resets to every verified address, so if that domain lapses, whoever registers it can reset your password.", own.join(", ")),
        )
        .with_remediation([
            "Remove the address on your own domain at https://github.com/settings/emails (keeping it as a secondary is not enough), or keep the domain renewed (see the email.domain check).",
        ])
    } else {
        CheckResult::new(
            EMAIL,
            Status::Warn,
            format!("Your primary GitHub email is on your own domain {domain}: if it lapses, whoever registers it can reset your password."),
        )
        .with_remediation([
            "Add an address at a large provider, make it your primary and remove the one on your own domain at https://github.com/settings/emails; GitHub sends resets to every verified address, so a secondary is not safe either.",
        ])
    };
    vec![r.with_evidence(evidence).with_observed(observed)]
}

/// The key type and its `SHA256:` fingerprint ([`ssh_key::fingerprint`]); a blob that is not
/// base64 is shown by its last 16 characters so the key can still be told apart.
fn ssh_key_label(key_line: &str) -> Option<(String, String)> {
    let (kind, blob) = ssh_key::split_line(key_line)?;
    let fp = ssh_key::fingerprint(blob).unwrap_or_else(|| {
        let tail = blob.char_indices().rev().nth(15).map_or(0, |(i, _)| i);
        format!("...{}", &blob[tail..])
    });
    Some((kind.to_string(), fp))
}

fn gpg_usable(key: &GpgKey, now: OffsetDateTime) -> bool {
    let expired = key
        .expires_at
        .as_deref()
        .and_then(|s| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())
        .is_some_and(|t| t <= now);
    let can_sign = key.can_sign || key.subkeys.iter().any(|s| s.can_sign && !s.revoked);
    can_sign && !key.revoked && !expired
}

async fn signing_keys_check(api: &ApiClient, now: OffsetDateTime) -> Vec<CheckResult> {
    let (gpg, ssh) = futures::join!(
        get_all::<GpgKey>(api, "/user/gpg_keys?per_page=100"),
        get_all::<SshKey>(api, "/user/ssh_signing_keys?per_page=100")
    );
    let mut evidence = Vec::new();
    let mut observed = Observed::default();
    let mut usable = 0;
    let mut errors = Vec::new();
    match &gpg {
        Ok(keys) => {
            for k in keys {
                let id = k.key_id.as_deref().unwrap_or("?");
                let ok = gpg_usable(k, now);
                usable += usize::from(ok);
                observed.keys.push(format!("gpg:{id}"));
                evidence.push(format!(
                    "GPG key {id}: {}",
                    if ok {
                        "can sign"
                    } else {
                        "not usable (cannot sign, expired or revoked)"
                    }
                ));
            }
        }
        Err(e) => errors.push(e.clone()),
    }
    match &ssh {
        Ok(keys) => {
            for k in keys {
                let title = k.title.as_deref().unwrap_or("untitled");
                let (kind, fp) = ssh_key_label(&k.key).unwrap_or(("ssh".into(), "?".into()));
                usable += 1;
                observed.keys.push(format!("ssh:{title} {kind} {fp}"));
                evidence.push(format!("SSH signing key \"{title}\" ({kind} {fp})"));
            }
        }
        Err(e) => errors.push(e.clone()),
    }
    let r = if usable > 0 {
        CheckResult::new(
            SIGNING_KEYS,
            Status::Pass,
            format!(
                "{} on GitHub.",
                crate::check::count(usable, "usable signing key", "usable signing keys")
            ),
        )
    } else if let Some(e) = errors.first() {
        unknown_from(SIGNING_KEYS, e, &least_scope_hint(SIGNING_KEYS))
    } else {
        CheckResult::new(SIGNING_KEYS, Status::Warn, "No usable signing key on GitHub: your commits and tags cannot show as verified.")
            .with_remediation([
                "Add an SSH signing key (or a GPG key) at https://github.com/settings/keys and set git to sign (see device.git_signing).",
            ])
    };
    for e in &errors {
        evidence.push(format!("Could not list some keys: {e}"));
    }
    vec![r.with_evidence(evidence).with_observed(observed)]
}

async fn hardware_keys_check(api: &ApiClient) -> Vec<CheckResult> {
    let keys: Vec<SshKey> = match get_all(api, "/user/keys?per_page=100").await {
        Ok(k) => k,
        Err(e) => {
            return vec![unknown_from(
                HARDWARE_KEYS,
                &e,
                &least_scope_hint(HARDWARE_KEYS),
            )]
        }
    };
    let mut observed = Observed::default();
    let mut evidence = Vec::new();
    let mut hardware = 0;
    for k in &keys {
        let title = k.title.as_deref().unwrap_or("untitled");
        if let Some((kind, fp)) = ssh_key_label(&k.key) {
            let hw = kind.starts_with("sk-");
            hardware += usize::from(hw);
            if hw {
                observed.keys.push(format!("ssh:{title} {kind} {fp}"));
            }
            evidence.push(format!(
                "SSH key \"{title}\" ({kind} {fp}){}",
                if hw { ": hardware-backed" } else { "" }
            ));
        }
    }
    let r = if hardware > 0 {
        CheckResult::new(
            HARDWARE_KEYS,
            Status::Pass,
            format!(
                "{} on GitHub.",
                crate::check::count(
                    hardware,
                    "hardware-backed SSH key",
                    "hardware-backed SSH keys"
                )
            ),
        )
    } else {
        CheckResult::new(
            HARDWARE_KEYS,
            Status::Warn,
            "No hardware-backed (sk-) SSH key on GitHub. Security keys registered for 2FA are not visible through the API, so this only covers SSH keys.",
        )
        .with_remediation([
            "Create one with `ssh-keygen -t ed25519-sk` on a FIDO2 security key and add it at https://github.com/settings/keys.",
        ])
    };
    vec![r.with_evidence(evidence).with_observed(observed)]
}

/// Why an organization's members could not be listed, worded for the token in use.
fn org_unreachable(login: &str, err: &HttpError, fine_grained: bool) -> String {
    match err {
        HttpError::Forbidden { .. } | HttpError::NotFound { .. } if fine_grained => format!(
            "{login}: could not be checked: a fine-grained token reaches only the one organization chosen as its resource owner, and this is not it. Create a fine-grained token for {login} with \"Members: read\", or use a classic token with read:org"
        ),
        HttpError::Forbidden { .. } => format!(
            "{login}: could not be checked: GitHub refused to list its members; the token needs read:org and you must be an owner ({err})"
        ),
        _ => format!("{login}: could not be checked ({err})"),
    }
}

/// What one owned organization's requests produced.
struct OrgFacts {
    login: String,
    /// The "Require two-factor authentication" setting, when GitHub shows it to this token.
    required: Option<bool>,
    /// Members without any 2FA (`filter=2fa_disabled`, visible to owners with read:org).
    without: Result<Vec<String>, HttpError>,
    /// Members whose only 2FA is SMS (`filter=2fa_insecure`).
    insecure: Result<Vec<String>, HttpError>,
    admins: Result<Vec<String>, HttpError>,
}

fn logins(r: Result<Vec<Member>, HttpError>) -> Result<Vec<String>, HttpError> {
    r.map(|list| list.into_iter().map(|m| m.login).collect())
}

async fn org_facts(api: &ApiClient, login: String) -> OrgFacts {
    let org = segment(&login);
    let org_path = format!("/orgs/{org}");
    let without_path = format!("/orgs/{org}/members?filter=2fa_disabled&per_page=100");
    let insecure_path = format!("/orgs/{org}/members?filter=2fa_insecure&per_page=100");
    let admins_path = format!("/orgs/{org}/members?role=admin&per_page=100");
    let (info, without, insecure, admins) = futures::join!(
        api.get(&org_path),
        get_all::<Member>(api, &without_path),
        get_all::<Member>(api, &insecure_path),
        get_all::<Member>(api, &admins_path)
    );
    // The flag is a bonus: an error or a missing field only means it is not visible.
    let required = info
        .and_then(|r| parse::<Organization>(Platform::Github, &r))
        .ok()
        .and_then(|o| o.two_factor_requirement_enabled);
    OrgFacts {
        login,
        required,
        without: logins(without),
        insecure: logins(insecure),
        admins: logins(admins),
    }
}

/// One organization's 2FA verdict and evidence line; `None` when it could not be checked.
fn org_two_factor(f: &OrgFacts, fine_grained: bool) -> (Option<Status>, String) {
    let without = match &f.without {
        Ok(w) => w,
        Err(e) => return (None, org_unreachable(&f.login, e, fine_grained)),
    };
    let requirement = match f.required {
        Some(true) => "2FA is required of members",
        Some(false) => "2FA is NOT required of members",
        None => "the \"Require two-factor authentication\" setting is not visible to this token (only admin:org shows it), so it was not read",
    };
    if !without.is_empty() {
        return (
            Some(Status::Fail),
            format!(
                "{}: {} without 2FA: {}; {requirement}",
                f.login,
                crate::check::count(without.len(), "member", "members"),
                without.join(", ")
            ),
        );
    }
    match &f.insecure {
        Ok(sms) if !sms.is_empty() => (
            Some(Status::Warn),
            format!(
                "{}: {} whose only 2FA is SMS: {}; {requirement}",
                f.login,
                crate::check::count(sms.len(), "member", "members"),
                sms.join(", ")
            ),
        ),
        insecure => {
            let sms_note = match insecure {
                Ok(_) => "",
                Err(_) => " (GitHub did not say who uses only SMS)",
            };
            let status = if f.required == Some(false) {
                Status::Warn
            } else {
                Status::Pass
            };
            (
                Some(status),
                format!("{}: every member has 2FA{sms_note}; {requirement}", f.login),
            )
        }
    }
}

async fn org_checks(api: &ApiClient) -> Vec<CheckResult> {
    let (memberships, scopes) = match get_all_with_scopes::<Membership>(
        api,
        "/user/memberships/orgs?state=active&per_page=100",
    )
    .await
    {
        Ok(m) => m,
        Err(e) => return all_unknown(&[ORG_TWO_FACTOR, ORG_OWNERS], &e),
    };
    let fine_grained = scopes.is_none();
    let mut owned: Vec<String> = Vec::new();
    for m in memberships {
        let active = m.state.as_deref().is_none_or(|s| s == "active");
        if active && m.role == "admin" && !owned.contains(&m.organization.login) {
            owned.push(m.organization.login);
        }
    }
    if owned.is_empty() {
        let why = if fine_grained {
            "GitHub lists no organization you own to this token. A fine-grained token sees only the organization chosen as its resource owner: if you own organizations, create one per organization (or use a classic token with read:org)."
        } else {
            "You are not an owner of any GitHub organization, so there is nothing to check."
        };
        return vec![
            CheckResult::skipped(ORG_TWO_FACTOR, why),
            CheckResult::skipped(ORG_OWNERS, why),
        ];
    }
    let facts: Vec<OrgFacts> = stream::iter(owned.into_iter().map(|login| org_facts(api, login)))
        .buffered(CONCURRENCY)
        .collect()
        .await;

    let mut status: Option<Status> = None;
    let mut evidence = Vec::new();
    let (mut lacking, mut sms_only, mut not_required, mut unchecked) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in &facts {
        let (s, line) = org_two_factor(f, fine_grained);
        match s {
            Some(Status::Fail) => lacking.push(f.login.clone()),
            Some(Status::Warn) if f.insecure.as_ref().is_ok_and(|v| !v.is_empty()) => {
                sms_only.push(f.login.clone())
            }
            Some(Status::Warn) => not_required.push(f.login.clone()),
            Some(_) => {}
            None => unchecked.push(f.login.clone()),
        }
        if let Some(s) = s {
            status = Some(status.map_or(s, |p| p.worst(s)));
        }
        evidence.push(line);
    }
    let unchecked_note = if unchecked.is_empty() {
        String::new()
    } else {
        format!(" Not checked: {} (see evidence).", unchecked.join(", "))
    };
    let mut remediation = Vec::new();
    if !lacking.is_empty() {
        remediation.push("Ask the members listed to turn on 2FA (an authenticator app first, then a security key or passkey). Then, in each organization, Settings → Authentication security → \"Require two-factor authentication\": members who still lack it lose access until they enable it, outside collaborators are removed.".to_string());
    }
    if !sms_only.is_empty() {
        remediation.push("Ask members who use only SMS to switch to an authenticator app or security key, then turn on \"Only allow secure two-factor methods\" in Settings → Authentication security.".to_string());
    }
    if !not_required.is_empty() {
        remediation.push("Turn on Settings → Authentication security → \"Require two-factor authentication\" (and \"Only allow secure two-factor methods\"), so new members cannot join without it.".to_string());
    }
    let two_factor = match status {
        Some(Status::Fail) => CheckResult::new(
            ORG_TWO_FACTOR,
            Status::Fail,
            format!("Members without 2FA in {}.{unchecked_note}", lacking.join(", ")),
        ),
        Some(Status::Warn) if !sms_only.is_empty() => CheckResult::new(
            ORG_TWO_FACTOR,
            Status::Warn,
            format!("Members whose only 2FA is SMS in {}.{unchecked_note}", sms_only.join(", ")),
        ),
        Some(Status::Warn) => CheckResult::new(
            ORG_TWO_FACTOR,
            Status::Warn,
            format!("Every member has 2FA, but {} do not require it, so new members need not have it.{unchecked_note}", not_required.join(", ")),
        ),
        Some(s) => CheckResult::new(
            ORG_TWO_FACTOR,
            s,
            if unchecked.is_empty() {
                "Every member of the organizations you own has 2FA.".to_string()
            } else {
                format!("Every member of the organizations Lockstep could check has 2FA.{unchecked_note}")
            },
        ),
        None => CheckResult::unknown(
            ORG_TWO_FACTOR,
            format!(
                "Could not list who lacks 2FA in {}. {}",
                unchecked.join(", "),
                least_scope_hint(ORG_TWO_FACTOR)
            ),
        ),
    }
    .with_evidence(evidence)
    .with_remediation(remediation);

    let packages = facts
        .into_iter()
        .map(|f| match f.admins {
            Ok(a) => PackageOwners::found(f.login, a),
            Err(e) => PackageOwners::failed(f.login, &e),
        })
        .collect();
    let owners = owner_result(
        ORG_OWNERS,
        "organization",
        "your GitHub account",
        "check the token has read:org",
        packages,
    );
    vec![two_factor, owners]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_and_expiry_parse() {
        assert_eq!(
            broad_scopes(&parse_scopes("read:org, repo, user, write:packages")),
            vec!["repo", "write:packages"]
        );
        let t = parse_expiration("2026-12-01 10:00:00 UTC").unwrap();
        assert_eq!(ymd_of(t), "2026-12-01");
        assert!(parse_expiration("2026-12-01 10:00:00 +0100").is_some());
        assert!(parse_expiration("soon").is_none());
    }

    #[test]
    fn ssh_keys_are_labelled_by_fingerprint() {
        // `ssh-keygen -lf` printed this fingerprint for this throwaway public key.
        let key =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJlcjQ9IN0o13XXm2CuMJEOFifg7mfEe60KpaBrBpE8l fake";
        let (kind, fp) = ssh_key_label(key).unwrap();
        assert_eq!(kind, "ssh-ed25519");
        assert_eq!(fp, "SHA256:P+I42ju1+TrIOH2gFN8lpljNyFRESmHCD9e6Y6Xce6A");
        assert_eq!(
            ssh_key_label("ssh-rsa not*base64*at*all").unwrap().1,
            "...ot*base64*at*all"
        );
    }
}
