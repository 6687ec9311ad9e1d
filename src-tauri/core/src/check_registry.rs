//! Every check Lockstep knows, as a list of references to the [`CheckSpec`] constants declared
//! by the modules that implement them. Ids are a public contract (CLI JSON, reviews, the
//! catalogue's `verified_by`), so they never change once shipped. A result is built from its
//! constant (`CheckResult::new(TWO_FACTOR, ..)`), so no id is spelled twice; the engine refuses
//! a result whose id is not one of its probe's group.

use crate::platform::{Group, Platform};
use crate::{device, email, live};
use serde::Serialize;

/// Which token a check reads, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "platform", rename_all = "snake_case")]
pub enum TokenNeed {
    /// No token (public data, or this device).
    None,
    /// Runs without one, but a token helps (e.g. finds the user name).
    Optional(Platform),
    /// Cannot run without this platform's token.
    Required(Platform),
}

impl TokenNeed {
    pub fn platform(self) -> Option<Platform> {
        match self {
            TokenNeed::None => None,
            TokenNeed::Optional(p) | TokenNeed::Required(p) => Some(p),
        }
    }
}

/// What a check is and what it needs; the code lives in the group's probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CheckSpec {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    /// The smallest token permission this check needs ("" when it needs no token).
    pub least_scope: &'static str,
    pub token: TokenNeed,
}

/// The registry, in the order results are shown.
pub const CHECKS: &[&CheckSpec] = &[
    live::github::TWO_FACTOR,
    live::github::EMAIL,
    live::github::SIGNING_KEYS,
    live::github::HARDWARE_KEYS,
    live::github::ORG_TWO_FACTOR,
    live::github::ORG_OWNERS,
    live::release_pipeline::ID,
    live::github::TOKEN_SCOPE,
    live::gitlab::TWO_FACTOR,
    live::gitlab::TOKEN_SCOPE,
    live::bitbucket::TWO_FACTOR,
    live::bitbucket::TOKEN_SCOPE,
    live::bitbucket::WORKSPACE_ADMINS,
    live::npm::TWO_FACTOR,
    live::npm::OWNERS,
    live::npm::TRUSTED,
    live::pypi::OWNERS,
    live::pypi::TRUSTED,
    live::pypi::TOKEN_SCOPE,
    live::rubygems::OWNERS,
    live::rubygems::TRUSTED,
    live::crates::OWNERS,
    live::crates::TRUSTED,
    live::packagist::PACKAGE_OWNERS,
    device::disk_encryption::ID,
    device::password_manager::ID,
    device::security_key::ID,
    device::git_signing::ID,
    device::publish_credentials::ID,
    email::domain::ID,
    email::breaches::ID,
];

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static CheckSpec> {
    CHECKS.iter().copied().find(|c| c.id == id)
}

/// The checks of one group, in registry order.
pub fn in_group(group: Group) -> impl Iterator<Item = &'static CheckSpec> {
    CHECKS.iter().copied().filter(move |c| c.group == group)
}

/// The least scope over the checks that use `platform`'s token (its own group's, and any
/// other group's that reads it, like the breach check and HIBP), joined for one line.
pub fn least_scope(platform: Platform) -> String {
    let mut scopes: Vec<&str> = CHECKS
        .iter()
        .filter(|c| c.group == Group::Account(platform) || c.token.platform() == Some(platform))
        .map(|c| c.least_scope)
        .filter(|s| !s.is_empty())
        .collect();
    scopes.dedup();
    scopes.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_prefixed_by_their_group() {
        let mut seen = HashSet::new();
        for c in CHECKS {
            assert!(seen.insert(c.id), "duplicate check id {}", c.id);
            let (prefix, rest) = c.id.split_once('.').expect("ids look like group.name");
            assert_eq!(prefix, c.group.as_str(), "{} is in the wrong group", c.id);
            assert!(
                !rest.is_empty() && rest.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')
            );
            assert!(!c.title.is_empty());
            if let TokenNeed::Required(_) = c.token {
                assert!(
                    !c.least_scope.is_empty(),
                    "{} needs a token: say which",
                    c.id
                );
            }
        }
    }

    #[test]
    fn every_group_has_checks() {
        for &g in Group::all() {
            assert!(in_group(g).next().is_some(), "group {g} has no checks");
        }
    }

    #[test]
    fn least_scope_follows_the_token_a_check_reads() {
        assert_eq!(
            least_scope(Platform::Hibp),
            "a Have I Been Pwned API key (opt-in)"
        );
        assert!(least_scope(Platform::Gitlab).contains("read_user"));
        assert!(!least_scope(Platform::Github).contains("Pwned"));
    }
}
