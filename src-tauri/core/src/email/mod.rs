//! Checks on the account email: the domain's registration (RDAP) and known breaches (HIBP, opt-in).
//!
//! The email that receives password resets is a way into every publishing account, so it gets
//! its own group. Its addresses come from the account checks (`github.email` records them in
//! `observed.emails`) and from Settings.

pub mod breaches;
pub mod domain;
pub mod rdap;

use crate::check::CheckResult;
use crate::engine::{CheckContext, Emitter, Probe};
use crate::platform::Group;
use futures::future::BoxFuture;
use std::sync::Arc;

/// Shown when no address is known, by both checks.
pub const NO_EMAILS: &str = "Lockstep does not know your account email yet: add it under Accounts & tokens, or save a GitHub token so the GitHub check can find it.";

/// The email probe (group `email`).
pub fn probe() -> Option<Arc<dyn Probe>> {
    Some(Arc::new(EmailProbe))
}

struct EmailProbe;

impl Probe for EmailProbe {
    fn group(&self) -> Group {
        Group::Email
    }

    fn run<'a>(&'a self, ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let accounts = out.account_results().await;
            let emails = known_emails(&accounts, &ctx.settings.emails);
            // Each check emits as soon as it is done; the breach check may wait on HIBP's
            // request spacing, which should not hold back the domain result.
            let domain = async { out.emit(domain::check(ctx, &emails).await) };
            let breaches = async { out.emit(breaches::check(ctx, &emails).await) };
            futures::join!(domain, breaches);
        })
    }
}

/// Normalizes an address: trimmed, domain lower-cased (the local part is left as is: it may be
/// case-sensitive). `None` for anything that is not `local@domain.tld`, including an address
/// with a control character (a terminal escape or line break from a hostile platform).
pub fn normalize_email(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_matches(|c| c == '<' || c == '>');
    if raw.chars().any(char::is_control) || raw.len() > 320 {
        return None;
    }
    let (local, domain) = raw.rsplit_once('@')?;
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let valid_domain = domain.contains('.')
        && !domain.starts_with('.')
        && domain.split('.').all(|l| !l.is_empty())
        && !domain
            .chars()
            .any(|c| c.is_whitespace() || c == '@' || c == '/');
    if local.is_empty() || local.chars().any(char::is_whitespace) || !valid_domain {
        return None;
    }
    Some(format!("{local}@{domain}"))
}

/// Forge no-reply addresses receive no mail, so they are neither at risk nor worth sending to HIBP.
fn is_noreply(email: &str) -> bool {
    let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
    domain == "users.noreply.github.com"
        || domain.ends_with(".noreply.gitlab.com")
        || domain == "noreply.gitlab.com"
}

/// The account emails the account checks saw plus those in Settings, normalized and deduplicated
/// (case-insensitively), in first-seen order.
pub fn known_emails(account_results: &[CheckResult], configured: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let seen = account_results
        .iter()
        .flat_map(|r| r.observed.emails.iter())
        .chain(configured.iter());
    for raw in seen {
        let Some(email) = normalize_email(raw) else {
            continue;
        };
        if is_noreply(&email) || out.iter().any(|e| e.eq_ignore_ascii_case(&email)) {
            continue;
        }
        out.push(email);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Observed, Status};

    #[test]
    fn addresses_with_control_characters_are_refused() {
        for hostile in [
            "me@ex\x1b]0;pwned\x07ample.com",
            "me\n@example.com",
            "me@example.com\u{9b}31m",
            "\x1b[2Jme@example.com",
        ] {
            assert_eq!(normalize_email(hostile), None, "{hostile:?}");
        }
        assert_eq!(
            normalize_email("Me@Example.COM").as_deref(),
            Some("Me@example.com")
        );
    }

    #[test]
    fn emails_are_normalized_and_deduplicated() {
        let mut r = CheckResult::new(crate::live::github::EMAIL, Status::Pass, "ok");
        r.observed = Observed {
            emails: vec![
                "Alice@Example.ORG".into(),
                "123+alice@users.noreply.github.com".into(),
                "bob@gmail.com".into(),
            ],
            ..Observed::default()
        };
        let configured = vec![
            " alice@example.org ".into(),
            "not-an-email".into(),
            "carol@host".into(),
            "<dave@x.io>".into(),
        ];
        assert_eq!(
            known_emails(&[r], &configured),
            vec!["Alice@example.org", "bob@gmail.com", "dave@x.io"]
        );
    }

    #[test]
    fn normalize_rejects_garbage() {
        assert_eq!(normalize_email("a@b.c"), Some("a@b.c".into()));
        assert_eq!(normalize_email("a b@c.d"), None);
        assert_eq!(normalize_email("@c.d"), None);
        assert_eq!(normalize_email("a@.d"), None);
        assert_eq!(normalize_email("a@c..d"), None);
    }
}
