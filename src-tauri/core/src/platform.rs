//! The check groups: six account platforms plus the device and the account email.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A group of checks that run together and share a configuration.
/// The account platforms also name keychain entries and `LOCKSTEP_<PLATFORM>_*` variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Github,
    Gitlab,
    Npm,
    Pypi,
    Rubygems,
    Crates,
    /// Have I Been Pwned: only a token holder, used by `email.breaches`.
    Hibp,
}

impl Platform {
    /// Platforms that hold accounts Lockstep checks live.
    pub const ACCOUNTS: [Platform; 6] = [
        Platform::Github,
        Platform::Gitlab,
        Platform::Npm,
        Platform::Pypi,
        Platform::Rubygems,
        Platform::Crates,
    ];
    /// Every platform that can have a saved token.
    pub const WITH_TOKENS: [Platform; 7] = [
        Platform::Github,
        Platform::Gitlab,
        Platform::Npm,
        Platform::Pypi,
        Platform::Rubygems,
        Platform::Crates,
        Platform::Hibp,
    ];

    /// Lower-case name used on the CLI, in JSON and as the keychain user name.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Github => "github",
            Platform::Gitlab => "gitlab",
            Platform::Npm => "npm",
            Platform::Pypi => "pypi",
            Platform::Rubygems => "rubygems",
            Platform::Crates => "crates",
            Platform::Hibp => "hibp",
        }
    }

    /// Human name for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Platform::Github => "GitHub",
            Platform::Gitlab => "GitLab",
            Platform::Npm => "npm",
            Platform::Pypi => "PyPI",
            Platform::Rubygems => "RubyGems",
            Platform::Crates => "crates.io",
            Platform::Hibp => "Have I Been Pwned",
        }
    }

    /// The `<PLATFORM>` part of `LOCKSTEP_<PLATFORM>_TOKEN` / `_USER` / `_URL`.
    pub fn env_name(self) -> &'static str {
        match self {
            Platform::Github => "GITHUB",
            Platform::Gitlab => "GITLAB",
            Platform::Npm => "NPM",
            Platform::Pypi => "PYPI",
            Platform::Rubygems => "RUBYGEMS",
            Platform::Crates => "CRATES",
            Platform::Hibp => "HIBP",
        }
    }

    /// The public API base URL; overridden by settings or `LOCKSTEP_<PLATFORM>_URL`.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Platform::Github => "https://api.github.com",
            Platform::Gitlab => "https://gitlab.com",
            Platform::Npm => "https://registry.npmjs.org",
            Platform::Pypi => "https://pypi.org",
            Platform::Rubygems => "https://rubygems.org",
            Platform::Crates => "https://crates.io",
            Platform::Hibp => "https://haveibeenpwned.com",
        }
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        Platform::WITH_TOKENS
            .into_iter()
            .find(|p| p.as_str() == lower || (lower == "crates.io" && *p == Platform::Crates))
            .ok_or_else(|| {
                format!("unknown platform '{s}': use one of github, gitlab, npm, pypi, rubygems, crates, hibp")
            })
    }
}

/// Which checks a run includes: one account platform, the device, or the email checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Github,
    Gitlab,
    Npm,
    Pypi,
    Rubygems,
    Crates,
    Device,
    Email,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Github,
        Group::Gitlab,
        Group::Npm,
        Group::Pypi,
        Group::Rubygems,
        Group::Crates,
        Group::Device,
        Group::Email,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Github => "github",
            Group::Gitlab => "gitlab",
            Group::Npm => "npm",
            Group::Pypi => "pypi",
            Group::Rubygems => "rubygems",
            Group::Crates => "crates",
            Group::Device => "device",
            Group::Email => "email",
        }
    }

    /// The account platform behind this group, if it is one.
    pub fn platform(self) -> Option<Platform> {
        match self {
            Group::Github => Some(Platform::Github),
            Group::Gitlab => Some(Platform::Gitlab),
            Group::Npm => Some(Platform::Npm),
            Group::Pypi => Some(Platform::Pypi),
            Group::Rubygems => Some(Platform::Rubygems),
            Group::Crates => Some(Platform::Crates),
            Group::Device | Group::Email => None,
        }
    }
}

impl FromStr for Group {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        let lower = if lower == "crates.io" {
            "crates".to_string()
        } else {
            lower
        };
        Group::ALL.into_iter().find(|g| g.as_str() == lower).ok_or_else(|| {
            format!("unknown check group '{s}': use github, gitlab, npm, pypi, rubygems, crates, device or email")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Platform::WITH_TOKENS {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
            assert!(p.default_base_url().starts_with("https://"));
        }
        for g in Group::ALL {
            assert_eq!(g.as_str().parse::<Group>().unwrap(), g);
        }
        assert_eq!("crates.io".parse::<Group>().unwrap(), Group::Crates);
        assert!("pipy".parse::<Group>().is_err());
    }
}
