//! `email.breaches`: is an account email in a known breach (Have I Been Pwned)?
//!
//! Opt-in only: the addresses leave this computer, so nothing is sent unless the user agreed in
//! Settings. The API key travels only in the `hibp-api-key` header (see [`crate::http`]).

use crate::check::{CheckResult, Observed, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::engine::CheckContext;
use crate::http::{is_loopback, ApiClient, HttpError};
use crate::platform::Group;
use crate::platform::Platform;
use serde::Deserialize;
use std::time::Duration;

pub const ID: &CheckSpec = &CheckSpec {
    id: "email.breaches",
    group: Group::Email,
    title: "Account email in known breaches",
    least_scope: "a Have I Been Pwned API key (opt-in)",
    token: TokenNeed::Required(Platform::Hibp),
};

/// Overrides HIBP's politeness spacing (its platform row) in milliseconds, honoured only for a loopback base URL (tests),
/// so a real key is never driven faster than HIBP allows.
pub const INTERVAL_ENV: &str = "LOCKSTEP_HIBP_MIN_INTERVAL_MS";

pub const NO_CONSENT: &str =
    "Opt in under Accounts & tokens in the app: Lockstep will send your email addresses to Have I Been Pwned to look them up in known breaches.";
pub const NO_KEY: &str = "Add a Have I Been Pwned API key in Accounts & tokens (or LOCKSTEP_HIBP_TOKEN): the breach search by email needs a paid key, from https://haveibeenpwned.com/API/Key.";

/// One breach as HIBP returns it (`truncateResponse=false`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Breach {
    pub name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub breach_date: Option<String>,
    #[serde(default)]
    pub data_classes: Vec<String>,
}

impl Breach {
    /// "Adobe (2013-10-04: Email addresses, Passwords, +3 more)".
    pub fn describe(&self) -> String {
        let name = self
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&self.name);
        let date = self.breach_date.as_deref().unwrap_or("date unknown");
        if self.data_classes.is_empty() {
            return format!("{name} ({date})");
        }
        const SHOWN: usize = 3;
        let mut classes = self
            .data_classes
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.data_classes.len() > SHOWN {
            classes.push_str(&format!(", +{} more", self.data_classes.len() - SHOWN));
        }
        format!("{name} ({date}: {classes})")
    }
}

/// What HIBP said about one address.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Breached(Vec<Breach>),
    Clean,
    Failed(String),
}

/// Path-segment percent-encoding: everything but RFC 3986 unreserved characters.
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs the check over `emails` (already normalized).
pub async fn check(ctx: &CheckContext, emails: &[String]) -> CheckResult {
    if !ctx.settings.breach_check_consent {
        return CheckResult::skipped(ID, NO_CONSENT);
    }
    if let Some(why) = ctx.token_errors.get(&Platform::Hibp) {
        return CheckResult::unknown(
            ID,
            format!("Could not read the Have I Been Pwned API key: {why}"),
        );
    }
    let Some(token) = ctx.token(Platform::Hibp).filter(|t| !t.is_empty()) else {
        return CheckResult::skipped(ID, NO_KEY);
    };
    if emails.is_empty() {
        return CheckResult::skipped(ID, super::NO_EMAILS);
    }
    let base = ctx
        .settings
        .platform_config(Platform::Hibp, &ctx.env)
        .base_url;
    let client = match ApiClient::for_platform(
        Platform::Hibp,
        &base,
        Some(token.clone()),
        ctx.limits.request_timeout,
    ) {
        Ok(c) => c.with_min_interval(interval(ctx, &base)),
        Err(e) => return CheckResult::unknown(ID, e.to_string()),
    };

    let mut answers: Vec<(&String, Answer)> = Vec::new();
    for email in emails {
        let path = format!(
            "api/v3/breachedaccount/{}?truncateResponse=false",
            encode_segment(email)
        );
        let answer = match client.get(&path).await {
            Ok(resp) => match resp.json::<Vec<Breach>>() {
                Ok(b) if b.is_empty() => Answer::Clean,
                Ok(b) => Answer::Breached(b),
                Err(e) => Answer::Failed(e.to_string()),
            },
            Err(HttpError::NotFound { .. }) => Answer::Clean,
            Err(HttpError::Unauthorized { .. }) => {
                // The key is wrong for every address: stop here.
                return CheckResult::unknown(
                    ID,
                    "Have I Been Pwned rejected the API key (HTTP 401); it may have expired with its subscription: save a current key from https://haveibeenpwned.com/API/Key.",
                );
            }
            Err(HttpError::RateLimited {
                retry_after_secs, ..
            }) => {
                // Further requests would only be refused too: keep the answers already
                // received, and mark this address and the rest as not looked up.
                let why = format!(
                    "Have I Been Pwned is limiting requests for this key (HTTP 429); run again {}.",
                    crate::http::wait_words(&retry_after_secs)
                );
                if answers.is_empty() {
                    return CheckResult::unknown(ID, why);
                }
                let done = answers.len();
                answers.extend(
                    emails[done..]
                        .iter()
                        .map(|e| (e, Answer::Failed(why.clone()))),
                );
                return judge(&answers);
            }
            Err(e) => Answer::Failed(e.to_string()),
        };
        answers.push((email, answer));
    }
    judge(&answers)
}

/// The spacing between requests: HIBP's limit, or the test override on loopback.
fn interval(ctx: &CheckContext, base: &str) -> Duration {
    let loopback = url::Url::parse(base)
        .map(|u| is_loopback(&u))
        .unwrap_or(false);
    match ctx
        .env
        .get(INTERVAL_ENV)
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        Some(ms) if loopback => Duration::from_millis(ms),
        _ => Platform::Hibp.spec().min_interval(),
    }
}

fn judge(answers: &[(&String, Answer)]) -> CheckResult {
    let mut status = Status::Skipped;
    let mut evidence = Vec::new();
    let mut breached = 0usize;
    let mut failed = 0usize;
    for (email, answer) in answers {
        match answer {
            Answer::Clean => {
                status = status.worst(Status::Pass);
                evidence.push(format!("{email}: in no known breach."));
            }
            Answer::Breached(list) => {
                status = status.worst(Status::Warn);
                breached += 1;
                let mut sorted = list.clone();
                // Newest first: recent breaches matter most.
                sorted.sort_by(|a, b| b.breach_date.cmp(&a.breach_date));
                const SHOWN: usize = 10;
                let mut parts: Vec<String> =
                    sorted.iter().take(SHOWN).map(Breach::describe).collect();
                if sorted.len() > SHOWN {
                    parts.push(format!("and {} more", sorted.len() - SHOWN));
                }
                let n = list.len();
                let noun = if n == 1 { "breach" } else { "breaches" };
                evidence.push(format!("{email}: in {n} {noun}: {}.", parts.join("; ")));
            }
            Answer::Failed(why) => {
                status = status.worst(Status::Unknown);
                failed += 1;
                evidence.push(format!("{email}: could not be looked up: {why}"));
            }
        }
    }
    let total = answers.len();
    let summary = if breached > 0 {
        if total == 1 {
            "Your account email appears in known breaches.".to_string()
        } else {
            format!("{breached} of your {total} account emails appear in known breaches.")
        }
    } else if failed > 0 {
        format!("{failed} of your {total} account emails could not be looked up in Have I Been Pwned; run again later.")
    } else if total == 1 {
        "Your account email is in no known breach.".to_string()
    } else {
        format!("None of your {total} account emails is in a known breach.")
    };
    let emails: Vec<String> = answers.iter().map(|(e, _)| (*e).clone()).collect();
    let mut result = CheckResult::new(ID, status, summary)
        .with_evidence(evidence)
        .with_observed(Observed {
            emails,
            ..Observed::default()
        });
    if breached > 0 {
        result = result.with_remediation([
            "Change any password you used on a breached site, and everywhere you reused it; a password manager makes every password unique.",
            "Make sure every publishing account (GitHub, PyPI, npm, RubyGems, crates.io) has two-factor authentication, ideally a security key.",
            "Expect targeted phishing at a breached address: never follow a login or 'verify your account' link from an email; go to the site yourself.",
        ]);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breach(name: &str, date: &str, classes: &[&str]) -> Breach {
        Breach {
            name: name.into(),
            title: None,
            breach_date: Some(date.into()),
            data_classes: classes.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn emails_are_percent_encoded_as_a_path_segment() {
        assert_eq!(
            encode_segment("a.b+tag@example.org"),
            "a.b%2Btag%40example.org"
        );
        assert_eq!(encode_segment("x/y?z"), "x%2Fy%3Fz");
    }

    #[test]
    fn breaches_parse_and_describe_briefly() {
        let json = r#"[{"Name":"Adobe","Title":"Adobe","Domain":"adobe.com","BreachDate":"2013-10-04",
            "PwnCount":152445165,"DataClasses":["Email addresses","Password hints","Passwords","Usernames"],"IsVerified":true}]"#;
        let b: Vec<Breach> = serde_json::from_str(json).unwrap();
        assert_eq!(
            b[0].describe(),
            "Adobe (2013-10-04: Email addresses, Password hints, Passwords, +1 more)"
        );
        assert_eq!(breach("X", "2020-01-01", &[]).describe(), "X (2020-01-01)");
    }

    #[test]
    fn judge_lists_newest_first_and_warns() {
        let a = "a@example.org".to_string();
        let c = "c@example.org".to_string();
        let answers = vec![
            (
                &a,
                Answer::Breached(vec![
                    breach("Old", "2012-01-01", &["Passwords"]),
                    breach("New", "2024-05-01", &["Emails"]),
                ]),
            ),
            (&c, Answer::Clean),
        ];
        let r = judge(&answers);
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.evidence[0].starts_with("a@example.org: in 2 breaches: New (2024-05-01"),
            "{:?}",
            r.evidence
        );
        assert!(r.summary.contains("1 of your 2"));
        let clean = judge(&[(&c, Answer::Clean)]);
        assert_eq!(clean.status, Status::Pass);
    }
}
