//! `email.domain`: will the domain behind an account email lapse?
//!
//! Every publishing account can be taken over through its password-reset email. If the email's
//! domain lapses, whoever registers it next receives those resets ("domain resurrection"). Big
//! providers do not lapse; an own domain does when a renewal fails, so its expiry is looked up
//! over RDAP.

use super::rdap::{self, Bootstrap, Lookup};
use crate::check::{CheckResult, Observed, Status};
use crate::engine::CheckContext;
use futures::future::join_all;
use std::collections::BTreeMap;
use time::Date;

pub const ID: &str = "email.domain";

/// Under this many days to expiry the check fails: renewals that have not happened by then
/// often fail silently (expired card, old contact address).
pub const FAIL_DAYS: i64 = 60;
/// Under a year to expiry the check warns that renewal is coming.
pub const WARN_DAYS: i64 = 365;

/// Whether `domain` is a large mail provider that will not lapse (the shared list).
fn is_long_lived_provider(domain: &str) -> bool {
    crate::live::providers::is_long_lived_provider(domain)
}

/// The registrable domain (eTLD+1) of an email's domain, e.g. `example.co.uk` for
/// `mail.example.co.uk`: that is what gets registered and can lapse.
///
/// Uses the `psl` crate (Mozilla's Public Suffix List compiled in, updated with each release).
/// Only ICANN suffixes count: a private suffix such as `github.io` is itself a registrable
/// domain under `io`, and that registration is what can lapse. An unknown TLD falls back to the
/// last two labels.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    // The longest tail that is itself exactly an ICANN public suffix.
    for i in 1..labels.len() {
        let tail = labels[i..].join(".");
        let icann_exact = psl::suffix(tail.as_bytes())
            .is_some_and(|s| s.typ() == Some(psl::Type::Icann) && s.as_bytes().len() == tail.len());
        if icann_exact {
            return labels[i - 1..].join(".");
        }
    }
    let n = labels.len();
    if n >= 2 {
        labels[n - 2..].join(".")
    } else {
        host
    }
}

/// The verdict for one email address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailVerdict {
    pub status: Status,
    /// One sentence about this address, used as evidence and, for the worst one, the summary.
    pub line: String,
}

/// Judges one own domain's expiry relative to `today`.
pub fn judge_expiry(domain: &str, expires: Date, today: Date) -> (Status, String) {
    let days = (expires - today).whole_days();
    let date = crate::expiry::ymd(expires);
    if days < 0 {
        (Status::Fail, format!("The domain {domain} expired on {date}; anyone who registers it can receive your password resets."))
    } else if days < FAIL_DAYS {
        (
            Status::Fail,
            format!("The domain {domain} expires in {days} days ({date}); renew it now."),
        )
    } else if days < WARN_DAYS {
        (Status::Warn, format!("The domain {domain} expires in {days} days ({date}); make sure it renews automatically."))
    } else {
        (Status::Warn, format!("The domain {domain} is registered until {date}; it is safe for now, but an own domain can still lapse."))
    }
}

/// Runs the check over `emails` (already normalized: `local@lower-case-domain`).
pub async fn check(ctx: &CheckContext, emails: &[String]) -> CheckResult {
    if emails.is_empty() {
        return CheckResult::skipped(ID, super::NO_EMAILS);
    }
    // Which emails sit on own domains, grouped by registrable domain so each is looked up once.
    let mut own: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut verdicts: Vec<EmailVerdict> = Vec::new();
    for email in emails {
        let host = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        let reg = registrable_domain(host);
        if is_long_lived_provider(host) || is_long_lived_provider(&reg) {
            verdicts.push(EmailVerdict {
                status: Status::Pass,
                line: format!("{email} is at {reg}, a large provider whose domain will not lapse."),
            });
        } else {
            own.entry(reg).or_default().push(email);
        }
    }

    let mut observed = Observed {
        emails: emails.to_vec(),
        ..Observed::default()
    };
    if !own.is_empty() {
        let lookups = lookup_all(ctx, own.keys().cloned().collect()).await;
        let today = ctx.now.date();
        for ((domain, addrs), lookup) in own.iter().zip(lookups) {
            let who = addrs.join(", ");
            let (status, line) = match lookup {
                Lookup::Found(dates) => match dates.expiration {
                    Some(exp) => {
                        observed.expires.insert(format!("domain {domain}"), crate::expiry::ymd(exp));
                        let (s, l) = judge_expiry(domain, exp, today);
                        let since = dates
                            .registration
                            .map(|r| format!(" (registered {})", crate::expiry::ymd(r)))
                            .unwrap_or_default();
                        (s, format!("{l} Used by {who}{since}."))
                    }
                    None => (
                        Status::Unknown,
                        format!("The registry's RDAP answer for {domain} has no expiry date (used by {who}); check it with your registrar."),
                    ),
                },
                Lookup::NoRdapForTld(tld) => (
                    Status::Unknown,
                    format!("The .{tld} registry publishes no RDAP service, so the expiry of {domain} (used by {who}) cannot be looked up; check it with your registrar."),
                ),
                Lookup::NotFound => (
                    Status::Unknown,
                    format!("The domain {domain} (used by {who}) was not found in RDAP; check with your registrar that it is still registered to you."),
                ),
                Lookup::Failed(why) => (
                    Status::Unknown,
                    format!("Could not look up the expiry of {domain} (used by {who}): {why}."),
                ),
            };
            verdicts.push(EmailVerdict { status, line });
        }
    }

    let status = verdicts
        .iter()
        .fold(Status::Skipped, |acc, v| acc.worst(v.status));
    let summary = summarize(&verdicts, status);
    let mut result = CheckResult::new(ID, status, summary)
        .with_evidence(verdicts.iter().map(|v| v.line.clone()))
        .with_observed(observed);
    if !own.is_empty() {
        result = result.with_remediation(remediation());
    }
    result
}

/// The summary sentence: all well, or the worst address's own sentence.
fn summarize(verdicts: &[EmailVerdict], status: Status) -> String {
    if status == Status::Pass {
        return if verdicts.len() == 1 {
            "Your account email is at a large provider whose domain will not lapse.".to_string()
        } else {
            format!(
                "All {} account emails are at large providers whose domains will not lapse.",
                verdicts.len()
            )
        };
    }
    let worst = verdicts
        .iter()
        .find(|v| v.status == status)
        .map(|v| v.line.clone())
        .unwrap_or_default();
    let others = verdicts
        .iter()
        .filter(|v| v.status.severity() > Status::Pass.severity())
        .count();
    if others > 1 {
        format!("{worst} ({} addresses need attention.)", others)
    } else {
        worst
    }
}

fn remediation() -> Vec<String> {
    vec![
        "Why this matters: whoever registers a lapsed domain receives its email, including password resets for your publishing accounts (\"domain resurrection\"). PyPI already un-verifies emails whose domain has lapsed.".to_string(),
        "Use an address at a large provider (Gmail, Outlook, iCloud, Proton, Fastmail, ...) as the primary and recovery email of GitHub, PyPI, npm, RubyGems and crates.io.".to_string(),
        "If you keep your own domain: turn on auto-renew, renew for several years, keep the registrar's billing card and contact address current, and lock the domain against transfers.".to_string(),
    ]
}

/// The ASCII (punycode) form of a domain: RDAP servers and the bootstrap's TLD list use it.
pub fn ascii_domain(domain: &str) -> String {
    match url::Host::parse(domain) {
        Ok(url::Host::Domain(d)) => d,
        _ => domain.to_string(),
    }
}

/// Looks up each registrable domain (in order), loading the bootstrap once.
async fn lookup_all(ctx: &CheckContext, domains: Vec<String>) -> Vec<Lookup> {
    let source = ctx
        .env
        .get(rdap::BOOTSTRAP_URL_ENV)
        .unwrap_or(rdap::DEFAULT_BOOTSTRAP_URL)
        .to_string();
    let timeout = ctx.limits.request_timeout;
    let bootstrap: Bootstrap =
        match rdap::load_bootstrap(&ctx.dirs.cache, &source, ctx.now, timeout).await {
            Ok(b) => b,
            Err(why) => {
                return domains
                    .iter()
                    .map(|_| Lookup::Failed(why.clone()))
                    .collect()
            }
        };
    join_all(domains.iter().map(|domain| {
        let domain = ascii_domain(domain);
        let base = bootstrap.base_for(&domain);
        async move {
            match base {
                Some(base) => rdap::lookup_domain(&base, &domain, timeout).await,
                None => {
                    let tld = domain.rsplit('.').next().unwrap_or_default().to_string();
                    Lookup::NoRdapForTld(tld)
                }
            }
        }
    }))
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn registrable_domain_uses_the_public_suffix_list() {
        assert_eq!(registrable_domain("example.org"), "example.org");
        assert_eq!(registrable_domain("Mail.Example.ORG."), "example.org");
        assert_eq!(registrable_domain("sub.example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("a.b.example.com.au"), "example.com.au");
        // A private suffix is itself registered under an ICANN one.
        assert_eq!(registrable_domain("alice.github.io"), "github.io");
        // Unknown TLDs fall back to the last two labels.
        assert_eq!(registrable_domain("x.example.zz"), "example.zz");
        assert_eq!(registrable_domain("localhost"), "localhost");
    }

    #[test]
    fn international_domains_are_looked_up_in_punycode() {
        assert_eq!(ascii_domain("bücher.de"), "xn--bcher-kva.de");
        assert_eq!(ascii_domain("example.org"), "example.org");
    }

    #[test]
    fn expiry_thresholds() {
        let today = date!(2026 - 11 - 25);
        assert_eq!(
            judge_expiry("d.org", date!(2026 - 11 - 01), today).0,
            Status::Fail
        );
        assert_eq!(
            judge_expiry("d.org", date!(2026 - 12 - 25), today).0,
            Status::Fail
        );
        let (s, l) = judge_expiry("d.org", date!(2027 - 06 - 13), today);
        assert_eq!(s, Status::Warn);
        assert!(l.contains("200 days"), "{l}");
        let (s, l) = judge_expiry("d.org", date!(2029 - 11 - 25), today);
        assert_eq!(s, Status::Warn);
        assert!(l.contains("2029-11-25"), "{l}");
        // Exactly 60 days is a warning, 59 a failure.
        assert_eq!(
            judge_expiry("d.org", date!(2027 - 01 - 24), today).0,
            Status::Warn
        );
        assert_eq!(
            judge_expiry("d.org", date!(2027 - 01 - 23), today).0,
            Status::Fail
        );
    }

    #[test]
    fn summary_names_the_worst_address() {
        let v = vec![
            EmailVerdict {
                status: Status::Pass,
                line: "a ok".into(),
            },
            EmailVerdict {
                status: Status::Fail,
                line: "b bad".into(),
            },
            EmailVerdict {
                status: Status::Warn,
                line: "c meh".into(),
            },
        ];
        assert_eq!(
            summarize(&v, Status::Fail),
            "b bad (2 addresses need attention.)"
        );
        assert!(summarize(&v[..1], Status::Pass).contains("will not lapse"));
    }
}
