//! Every check Lockstep knows, as data. Ids are a public contract (CLI JSON, reviews, the
//! catalogue's `verified_by`), so they never change once shipped.

use crate::platform::Group;

/// What a check is and what it needs; the code lives in the group's probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckSpec {
    pub id: &'static str,
    pub group: Group,
    pub title: &'static str,
    /// The smallest token permission this check needs ("" when it needs no token).
    pub least_scope: &'static str,
}

const fn spec(
    id: &'static str,
    group: Group,
    title: &'static str,
    least_scope: &'static str,
) -> CheckSpec {
    CheckSpec {
        id,
        group,
        title,
        least_scope,
    }
}

/// The registry, in the order results are shown.
pub const CHECKS: &[CheckSpec] = &[
    spec("github.two_factor", Group::Github, "GitHub two-factor authentication", "classic token with the `user` scope (read-only fields); fine-grained tokens do not show 2FA"),
    spec("github.email", Group::Github, "GitHub primary email provider", "classic `user:email`, or fine-grained \"Email addresses: read\""),
    spec("github.signing_keys", Group::Github, "GitHub commit signing keys", "classic `read:gpg_key` and `read:ssh_signing_key`, or fine-grained \"GPG keys: read\" and \"SSH signing keys: read\""),
    spec("github.hardware_keys", Group::Github, "GitHub hardware-backed SSH keys", "classic `read:public_key`, or fine-grained \"Git SSH keys: read\""),
    spec("github.org_two_factor", Group::Github, "Members' 2FA in organizations you own", "classic `read:org` as an owner of the organization (read-only; `admin:org` is not needed), or a fine-grained token with \"Members: read\", one per organization"),
    spec("github.org_owners", Group::Github, "Owner count of organizations you own", "classic `read:org`, or fine-grained \"Members: read\" on the organization"),
    spec("github.release_pipeline", Group::Github, "The workflows that publish your packages are guarded", "fine-grained (read-only): \"Contents: read\", \"Metadata: read\", \"Actions: read\" (workflow list), \"Administration: read\" (branch protection, Actions settings) and \"Environments: read\" on the repositories that publish; classic: `repo`, which is read-write, so prefer fine-grained (a classic token without `repo` sees public repositories' files but not their protection or Actions settings)"),
    spec("github.token_scope", Group::Github, "Lockstep's GitHub token is least-privilege", "any token; a fine-grained read-only token is best"),
    spec("gitlab.two_factor", Group::Gitlab, "GitLab two-factor authentication", "`read_user`"),
    spec("gitlab.token_scope", Group::Gitlab, "Lockstep's GitLab token is least-privilege", "a personal access token with `read_user` (project, group and other token types cannot describe themselves)"),
    spec("npm.two_factor", Group::Npm, "npm two-factor authentication mode", "a session token from `npm login` (valid 2 hours); npm does not document that granular access tokens, even read-only ones, may read your 2FA setting"),
    spec("npm.package_owners", Group::Npm, "npm package maintainer counts", "none (public data); a token only finds your user name"),
    spec("npm.trusted_publishing", Group::Npm, "npm packages published through trusted publishing", "none (public data); a token only finds your user name"),
    spec("pypi.package_owners", Group::Pypi, "PyPI project owner counts", "none (public data)"),
    spec("pypi.trusted_publishing", Group::Pypi, "PyPI releases carry attestations from a Trusted Publisher", "none (public data)"),
    spec("pypi.token_scope", Group::Pypi, "PyPI upload token scope", "none: the token is decoded on this device and never sent"),
    spec("rubygems.package_owners", Group::Rubygems, "RubyGems gem owner counts", "none (public data)"),
    spec("rubygems.trusted_publishing", Group::Rubygems, "RubyGems gems pushed through trusted publishing", "none (public data)"),
    spec("crates.package_owners", Group::Crates, "crates.io crate owner counts", "none (public data); your crates.io username, which may differ from your GitHub login"),
    spec("crates.trusted_publishing", Group::Crates, "crates.io crates published through trusted publishing", "none (public data); your crates.io username"),
    spec("device.disk_encryption", Group::Device, "Disk encryption on this device", ""),
    spec("device.password_manager", Group::Device, "A password manager on this device", ""),
    spec("device.security_key", Group::Device, "A FIDO security key is connected", ""),
    spec("device.git_signing", Group::Device, "Git signs your commits", ""),
    spec("device.publish_credentials", Group::Device, "Publishing tokens in plain files", ""),
    spec("email.domain", Group::Email, "Account email domain will not lapse", ""),
    spec("email.breaches", Group::Email, "Account email in known breaches", "a Have I Been Pwned API key (opt-in)"),
];

/// Looks a check up by id.
pub fn find(id: &str) -> Option<&'static CheckSpec> {
    CHECKS.iter().find(|c| c.id == id)
}

/// The checks of one group, in registry order.
pub fn in_group(group: Group) -> impl Iterator<Item = &'static CheckSpec> {
    CHECKS.iter().filter(move |c| c.group == group)
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
        }
    }

    #[test]
    fn every_group_has_checks() {
        for g in Group::ALL {
            assert!(
                in_group(g).next().is_some(),
                "group {} has no checks",
                g.as_str()
            );
        }
    }
}
