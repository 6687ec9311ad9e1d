//! Every platform Lockstep knows, as one table: one [`PlatformSpec`] row per platform holds its
//! names, addresses, how its token is attached and described, what the Accounts screen asks
//! for, and how fast Lockstep may ask. The app, the CLI, the keychain, the settings and the
//! window (which receives the table in its snapshot) all read these rows; nothing else lists
//! platforms.
//!
//! # Adding a platform
//!
//! 1. A variant in [`Platform`] (its lower-case name is its id everywhere: CLI, JSON, keychain).
//! 2. Its row in [`PLATFORMS`]: names, addresses, [`Auth`], [`Introspect`], [`TokenUse`] (the
//!    recipe shown on Accounts), user and address settings, politeness, the probe.
//! 3. A probe module `live/<id>.rs` (`pub mod <id>;` in `live/mod.rs`) that declares one
//!    [`CheckSpec`](crate::check_registry::CheckSpec) constant per check, builds results from
//!    them (`CheckResult::new(TWO_FACTOR, ..)`), and gets its client from `live::client`.
//! 4. Those constants listed in [`crate::check_registry::CHECKS`] (display order).
//! 5. Catalogue items in `catalogue/items.toml` (`verified_by = { checks = [...] }`), and tests.
//!
//! Nothing in `ui/` changes: the Accounts and Checks screens are drawn from this table.
//! `check_registry`'s tests prove every probe reports exactly its group's checks.
//!
//! # Adding a check to a platform
//!
//! A `pub const NAME: &CheckSpec` in the probe module, listed in `check_registry::CHECKS`,
//! results built from it, and a catalogue item that names its id.

use crate::engine::Probe;
use crate::http::{Auth, DEFAULT_MAX_BODY};
use crate::live;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use strum::{EnumMessage, EnumString, IntoStaticStr, VariantArray};

/// A platform that holds an account or a token. Its lower-case name (from strum) names it on the
/// CLI, in JSON, in keychain entries and in `LOCKSTEP_<PLATFORM>_*` variables.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumString,
    EnumMessage,
    IntoStaticStr,
    VariantArray,
)]
#[serde(into = "&'static str", try_from = "String")]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
pub enum Platform {
    Github,
    Gitlab,
    Bitbucket,
    Npm,
    Pypi,
    Rubygems,
    #[strum(to_string = "crates", serialize = "crates.io")]
    Crates,
    Packagist,
    /// Have I Been Pwned: only a token holder, used by `email.breaches`.
    Hibp,
}

/// How a saved token is described when it is saved (scopes, owner, expiry).
#[derive(Debug, Clone, Copy)]
pub enum Introspect {
    /// The platform has no endpoint that describes a token.
    Nothing,
    /// Decoded on this device; the token is never sent (PyPI's macaroons).
    Offline(
        fn(&crate::secret::Secret, time::OffsetDateTime) -> live::token_info::TokenCapabilities,
    ),
    /// Asked of the platform, the token attached with the row's [`Auth`].
    Api(live::token_info::Inspector),
}

/// Steps to create the token Lockstep needs, shown on Accounts before one is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Recipe {
    pub steps: &'static [&'static str],
    /// The platform's page, pre-filled where it allows. `{web}` is replaced by the web address
    /// (from the address setting, for self-hosted servers).
    pub link: &'static str,
    /// A better page once the user name is known: `{user}` is replaced by it.
    pub link_with_user: Option<&'static str>,
    pub link_label: &'static str,
}

/// Whether Lockstep's checks need a token from this platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TokenUse {
    /// Checks need one; the recipe says which.
    Needed { recipe: Recipe },
    /// Public data is enough; the sentence says so on the platform's card.
    NotNeeded { why: &'static str },
    /// No token is needed, but the one the user publishes with can be checked on this device
    /// (never sent, never kept): PyPI upload tokens.
    AuditOnly { why: &'static str },
}

/// The user-name field on Accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct UserSetting {
    pub label: &'static str,
    /// The token reveals the user, so the field may stay empty.
    pub from_token: bool,
}

/// Names the platform cannot list for Lockstep (PyPI's projects): a field on the platform's
/// card, kept in the settings under `key`, one name a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NamesSetting {
    /// The field of [`crate::settings::Settings`] that holds the list.
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

/// Everything about one platform. The window receives these rows (serialized) in its snapshot.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PlatformSpec {
    #[serde(rename = "id")]
    pub platform: Platform,
    /// Human name for messages and headings.
    pub name: &'static str,
    /// The `<PLATFORM>` of `LOCKSTEP_<PLATFORM>_TOKEN` / `_USER` / `_URL`.
    pub env: &'static str,
    /// Public API base URL; overridden by settings or `LOCKSTEP_<PLATFORM>_URL`.
    pub api_url: &'static str,
    /// The website (token pages live there; differs from the API for GitHub and npm).
    pub web_url: &'static str,
    /// Checked as an account (a check group of its own); false for token holders like HIBP.
    pub account: bool,
    /// How the token travels (only ever to this platform's own host).
    #[serde(skip)]
    pub auth: Auth,
    /// Headers the platform asks every client to send (GitHub's API version).
    #[serde(skip)]
    pub headers: &'static [(&'static str, &'static str)],
    #[serde(skip)]
    pub introspect: Introspect,
    pub token: TokenUse,
    /// Where to create a token (shown with each check's least scope).
    pub token_page: &'static str,
    pub user: UserSetting,
    /// Label of the address field for self-hosted servers; `None`: no such field.
    pub url_setting: Option<&'static str>,
    /// Names the user types in because the platform cannot list them; `None`: none.
    pub names_setting: Option<NamesSetting>,
    /// Politeness: at most this many requests a minute (`None`: no published limit).
    pub requests_per_minute: Option<u32>,
    /// The largest answer read (see [`crate::http::DEFAULT_MAX_BODY`]).
    #[serde(skip)]
    pub max_body: usize,
    /// What the Checks screen says when the platform's checks are not set up; `{checks}` is
    /// replaced by "2 checks".
    pub setup_hint: &'static str,
    /// The probe that runs the platform's checks (`None` for token holders).
    #[serde(skip)]
    pub probe: Option<fn() -> Arc<dyn Probe>>,
}

/// The table. Order is display order (Accounts cards, Checks groups, `token list`).
pub const PLATFORMS: &[PlatformSpec] = &[
    PlatformSpec {
        platform: Platform::Github,
        name: "GitHub",
        env: "GITHUB",
        api_url: "https://api.github.com",
        web_url: "https://github.com",
        account: true,
        auth: Auth::Bearer,
        headers: &[
            ("accept", "application/vnd.github+json"),
            ("x-github-api-version", "2022-11-28"),
        ],
        introspect: Introspect::Api(live::token_info::github),
        token: TokenUse::Needed {
            recipe: Recipe {
                steps: &[
                    "Create a classic personal access token named “Lockstep (read-only)” with an expiry (90 days is plenty).",
                    "Tick only: read:user, user:email, read:gpg_key, read:ssh_signing_key, read:public_key, read:org. All of them only read.",
                    "GitHub shows your two-factor status only to a token with the full “user” scope, which can also change your profile. Lockstep does not ask for it: without it, that check says Unknown and you confirm 2FA in the checklist.",
                ],
                link: "{web}/settings/tokens/new?description=Lockstep%20(read-only)&scopes=read:user,user:email,read:gpg_key,read:ssh_signing_key,read:public_key,read:org",
                link_with_user: None,
                link_label: "Open GitHub's token page, pre-filled",
            },
        },
        token_page: "https://github.com/settings/personal-access-tokens/new",
        user: UserSetting {
            label: "Your user name",
            from_token: true,
        },
        url_setting: Some("API address (GitHub Enterprise only)"),
        names_setting: None,
        // GitHub's secondary rate limit allows no more than 900 points a minute for REST
        // endpoints, and a GET costs one point, so this stays under it whatever the endpoint
        // (<https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api>).
        requests_per_minute: Some(900),
        max_body: DEFAULT_MAX_BODY,
        setup_hint: "Add a GitHub token to run {checks}.",
        probe: Some(|| Arc::new(live::github::GithubProbe)),
    },
    PlatformSpec {
        platform: Platform::Gitlab,
        name: "GitLab",
        env: "GITLAB",
        api_url: "https://gitlab.com",
        web_url: "https://gitlab.com",
        account: true,
        auth: Auth::Header("private-token"),
        headers: &[],
        introspect: Introspect::Api(live::token_info::gitlab),
        token: TokenUse::Needed {
            recipe: Recipe {
                steps: &["Create a personal access token named “Lockstep” with only the read_user scope and an expiry date."],
                link: "{web}/-/user_settings/personal_access_tokens?name=Lockstep&scopes=read_user",
                link_with_user: None,
                link_label: "Open GitLab's token page, pre-filled",
            },
        },
        token_page: "https://gitlab.com/-/user_settings/personal_access_tokens",
        user: UserSetting {
            label: "Your user name",
            from_token: true,
        },
        url_setting: Some("Address (self-managed GitLab only)"),
        names_setting: None,
        requests_per_minute: None,
        max_body: DEFAULT_MAX_BODY,
        setup_hint: "Add a GitLab token to run {checks}.",
        probe: Some(|| Arc::new(live::gitlab::GitlabProbe)),
    },
    PlatformSpec {
        platform: Platform::Bitbucket,
        name: "Bitbucket",
        env: "BITBUCKET",
        api_url: "https://api.bitbucket.org/2.0",
        web_url: "https://bitbucket.org",
        account: true,
        // Atlassian API tokens: HTTP Basic with the account email as user name, so the token is
        // saved as `email:token`.
        auth: Auth::Basic,
        headers: &[],
        introspect: Introspect::Api(live::bitbucket::inspect_token),
        token: TokenUse::Needed {
            recipe: Recipe {
                steps: &[
                    "Create an API token with scopes, for the app Bitbucket, named “Lockstep (read-only)”, with an expiry date (at most one year).",
                    "Tick only read:user:bitbucket and read:workspace:bitbucket. Both only read.",
                    "Save it here as your Atlassian account email and the token joined by a colon: you@example.com:ATATT… (Bitbucket takes API tokens with the email as user name).",
                ],
                link: "https://id.atlassian.com/manage-profile/security/api-tokens",
                link_with_user: None,
                link_label: "Open Atlassian's API token page",
            },
        },
        token_page: "https://id.atlassian.com/manage-profile/security/api-tokens",
        user: UserSetting {
            label: "Your Bitbucket user name",
            from_token: true,
        },
        url_setting: None,
        names_setting: None,
        // 1,000 authenticated requests an hour (rolling window); a review asks a few dozen, so
        // no spacing: the probe keeps 4 requests in flight.
        requests_per_minute: None,
        max_body: DEFAULT_MAX_BODY,
        setup_hint: "Add an Atlassian API token for Bitbucket to run {checks}.",
        probe: Some(|| Arc::new(live::bitbucket::BitbucketProbe)),
    },
    PlatformSpec {
        platform: Platform::Npm,
        name: "npm",
        env: "NPM",
        api_url: "https://registry.npmjs.org",
        web_url: "https://www.npmjs.com",
        account: true,
        auth: Auth::Bearer,
        headers: &[],
        introspect: Introspect::Api(live::token_info::npm),
        token: TokenUse::Needed {
            recipe: Recipe {
                steps: &[
                    "Create a granular access token named “Lockstep” with no packages and no organizations selected (it then can only read your profile), expiring in 90 days or less.",
                    "Lockstep reads whether two-factor authentication protects publishing; it never publishes.",
                ],
                link: "{web}/settings/~/tokens",
                link_with_user: Some("{web}/settings/{user}/tokens/granular-access-tokens/new"),
                link_label: "Open npm's token page",
            },
        },
        token_page: "https://www.npmjs.com/settings/~/tokens",
        user: UserSetting {
            label: "Your user name",
            from_token: true,
        },
        url_setting: None,
        names_setting: None,
        requests_per_minute: None,
        max_body: crate::http::NPM_MAX_BODY,
        setup_hint: "Add an npm token to run {checks}.",
        probe: Some(|| Arc::new(live::npm::NpmProbe)),
    },
    PlatformSpec {
        platform: Platform::Pypi,
        name: "PyPI",
        env: "PYPI",
        api_url: "https://pypi.org",
        web_url: "https://pypi.org",
        account: true,
        // A PyPI token is decoded here and never sent anywhere.
        auth: Auth::Never,
        headers: &[],
        introspect: Introspect::Offline(live::token_info::pypi),
        token: TokenUse::AuditOnly {
            why: "Lockstep needs no PyPI token: name your projects above and it reads their owners from PyPI's public data.",
        },
        token_page: "https://pypi.org/manage/account/token/",
        user: UserSetting {
            label: "Your user name",
            from_token: false,
        },
        url_setting: None,
        names_setting: Some(NamesSetting {
            key: "pypi_projects",
            label: "PyPI projects you maintain",
            hint: "PyPI has no way to list them for Lockstep, so name them here, one per line.",
        }),
        requests_per_minute: None,
        max_body: DEFAULT_MAX_BODY,
        setup_hint: "Name your PyPI projects under Accounts & tokens to run {checks}.",
        probe: Some(|| Arc::new(live::pypi::PypiProbe)),
    },
    PlatformSpec {
        platform: Platform::Rubygems,
        name: "RubyGems",
        env: "RUBYGEMS",
        api_url: "https://rubygems.org",
        web_url: "https://rubygems.org",
        account: true,
        // RubyGems API keys go bare in `Authorization`.
        auth: Auth::Raw,
        headers: &[],
        introspect: Introspect::Nothing,
        token: TokenUse::NotNeeded {
            why: "Lockstep needs no RubyGems token: your user name is enough to read your gems' owners.",
        },
        token_page: "https://rubygems.org/profile/api_keys",
        user: UserSetting {
            label: "Your user name",
            from_token: false,
        },
        url_setting: None,
        names_setting: None,
        // RubyGems.org allows 10 requests a second to its API
        // (<https://guides.rubygems.org/rubygems-org-rate-limits/>); 8 stays under it.
        requests_per_minute: Some(480),
        max_body: DEFAULT_MAX_BODY,
        setup_hint: "Add your RubyGems user name under Accounts & tokens to run {checks}.",
        probe: Some(|| Arc::new(live::rubygems::RubygemsProbe)),
    },
    PlatformSpec {
        platform: Platform::Crates,
        name: "crates.io",
        env: "CRATES",
        api_url: "https://crates.io",
        web_url: "https://crates.io",
        account: true,
        // Cargo's registry tokens go bare in `Authorization`.
        auth: Auth::Raw,
        headers: &[],
        introspect: Introspect::Nothing,
        token: TokenUse::NotNeeded {
            why: "Lockstep needs no crates.io token: your user name is enough to read your crates' owners.",
        },
        token_page: "https://crates.io/settings/tokens",
        user: UserSetting {
            label: "Your crates.io username (not your GitHub login)",
            from_token: false,
        },
        url_setting: None,
        names_setting: None,
        // crates.io's crawler policy: one request a second.
        requests_per_minute: Some(60),
        max_body: DEFAULT_MAX_BODY,
        setup_hint: "Add your crates.io user name under Accounts & tokens to run {checks}.",
        probe: Some(|| Arc::new(live::crates::CratesProbe::default())),
    },
    PlatformSpec {
        platform: Platform::Packagist,
        name: "Packagist",
        env: "PACKAGIST",
        api_url: "https://packagist.org",
        web_url: "https://packagist.org",
        account: true,
        // Public data: nothing is ever sent.
        auth: Auth::Never,
        headers: &[],
        introspect: Introspect::Nothing,
        token: TokenUse::NotNeeded {
            why: "Lockstep needs no Packagist token: your user name or vendor name is enough to read your packages' maintainers.",
        },
        token_page: "https://packagist.org/profile/",
        user: UserSetting {
            label: "Your Packagist user name or vendor name",
            from_token: false,
        },
        url_setting: None,
        names_setting: None,
        // Packagist limits concurrency (at most 10 requests at once), which the probe keeps.
        requests_per_minute: None,
        max_body: live::packagist::MAX_BODY,
        setup_hint: "Add your Packagist user name or vendor under Accounts & tokens to run {checks}.",
        probe: Some(|| Arc::new(live::packagist::PackagistProbe)),
    },
    PlatformSpec {
        platform: Platform::Hibp,
        name: "Have I Been Pwned",
        env: "HIBP",
        api_url: "https://haveibeenpwned.com",
        web_url: "https://haveibeenpwned.com",
        account: false,
        auth: Auth::Header("hibp-api-key"),
        headers: &[],
        introspect: Introspect::Api(live::token_info::hibp),
        token: TokenUse::Needed {
            recipe: Recipe {
                steps: &[],
                link: "https://haveibeenpwned.com/API/Key",
                link_with_user: None,
                link_label: "Get a Have I Been Pwned API key",
            },
        },
        token_page: "https://haveibeenpwned.com/API/Key",
        user: UserSetting {
            label: "",
            from_token: false,
        },
        url_setting: None,
        names_setting: None,
        // The lowest paid tier ("Pwned 1") allows 10 requests a minute per key.
        requests_per_minute: Some(10),
        max_body: DEFAULT_MAX_BODY,
        setup_hint: "",
        probe: None,
    },
];

impl PlatformSpec {
    /// The shortest spacing between two requests the platform asks for (zero: none).
    pub fn min_interval(&self) -> Duration {
        match self.requests_per_minute {
            Some(n) if n > 0 => Duration::from_secs(60) / n,
            _ => Duration::ZERO,
        }
    }
}

impl Platform {
    /// This platform's row.
    pub fn spec(self) -> &'static PlatformSpec {
        // Every variant has a row (tested); a missing one would be a build mistake, so it
        // falls back to the first row rather than panicking in a user's app.
        PLATFORMS
            .iter()
            .find(|s| s.platform == self)
            .unwrap_or(&PLATFORMS[0])
    }

    /// Every platform, in table order.
    pub fn all() -> impl Iterator<Item = Platform> {
        PLATFORMS.iter().map(|s| s.platform)
    }

    /// The platforms checked as accounts (each is a check group), in table order.
    pub fn accounts() -> impl Iterator<Item = Platform> {
        PLATFORMS.iter().filter(|s| s.account).map(|s| s.platform)
    }

    /// Lower-case name used on the CLI, in JSON and as the keychain user name.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Every name this platform is known by, its id among them (`crates.io` and `crates`).
    pub fn names(self) -> &'static [&'static str] {
        self.get_serializations()
    }

    /// Human name for messages.
    pub fn display_name(self) -> &'static str {
        self.spec().name
    }

    /// The `<PLATFORM>` part of `LOCKSTEP_<PLATFORM>_TOKEN` / `_USER` / `_URL`.
    pub fn env_name(self) -> &'static str {
        self.spec().env
    }

    /// `LOCKSTEP_<PLATFORM>_<WHAT>`, e.g. `LOCKSTEP_GITHUB_TOKEN`.
    pub fn env_var(self, what: &str) -> String {
        format!("LOCKSTEP_{}_{what}", self.env_name())
    }

    /// The public API base URL; overridden by settings or `LOCKSTEP_<PLATFORM>_URL`.
    pub fn default_base_url(self) -> &'static str {
        self.spec().api_url
    }

    /// Parses a name (`github`, `GitHub`, `crates.io`), with a message listing the valid ones.
    pub fn parse(s: &str) -> Result<Self, String> {
        Platform::from_str(s.trim()).map_err(|_| {
            format!(
                "unknown platform '{s}': use one of {}",
                Platform::all()
                    .map(Platform::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
    }
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Platform {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Platform::parse(&s)
    }
}

/// Which checks a run includes: one account platform, the device, or the email checks.
/// Named like its platform (`github`), or `device` / `email`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "&'static str", try_from = "String")]
pub enum Group {
    Account(Platform),
    Device,
    Email,
}

/// Every group, in display order: the account platforms of the table, then device and email.
static ALL_GROUPS: LazyLock<Vec<Group>> = LazyLock::new(|| {
    Platform::accounts()
        .map(Group::Account)
        .chain([Group::Device, Group::Email])
        .collect()
});

impl Group {
    /// Every group, in display order (derived from [`PLATFORMS`]).
    pub fn all() -> &'static [Group] {
        &ALL_GROUPS
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Account(p) => p.as_str(),
            Group::Device => "device",
            Group::Email => "email",
        }
    }

    /// Heading on the Checks screen.
    pub fn title(self) -> &'static str {
        match self {
            Group::Account(p) => p.display_name(),
            Group::Device => "This device",
            Group::Email => "Account email",
        }
    }

    /// What the Checks screen says when the group's checks are not set up (`{checks}`: "2 checks").
    pub fn setup_hint(self) -> &'static str {
        match self {
            Group::Account(p) => p.spec().setup_hint,
            Group::Device => "{checks} do not apply to this device.",
            Group::Email => "Add your account emails under Accounts & tokens to run {checks}.",
        }
    }

    /// The account platform behind this group, if it is one.
    pub fn platform(self) -> Option<Platform> {
        match self {
            Group::Account(p) => Some(p),
            Group::Device | Group::Email => None,
        }
    }

    /// Parses a name (`github`, `crates.io`, `device`), with a message listing the valid ones.
    pub fn parse(s: &str) -> Result<Self, String> {
        let unknown = || {
            format!(
                "unknown check group '{s}': use one of {}",
                Group::all()
                    .iter()
                    .map(|g| g.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        match s.trim().to_ascii_lowercase().as_str() {
            "device" => Ok(Group::Device),
            "email" => Ok(Group::Email),
            other => match Platform::from_str(other) {
                Ok(p) if p.spec().account => Ok(Group::Account(p)),
                _ => Err(unknown()),
            },
        }
    }
}

impl From<Platform> for Group {
    fn from(p: Platform) -> Self {
        Group::Account(p)
    }
}

impl From<Group> for &'static str {
    fn from(g: Group) -> Self {
        g.as_str()
    }
}

impl std::fmt::Display for Group {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Group {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Group::parse(s)
    }
}

impl TryFrom<String> for Group {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Group::parse(&s)
    }
}

/// A group as the window draws it: id, heading and the not-set-up hint.
#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub id: Group,
    pub title: &'static str,
    pub setup_hint: &'static str,
    pub platform: Option<Platform>,
    /// Its checks are set up on Accounts & tokens (a token, a name or an email); the device's
    /// checks are not set up anywhere.
    pub setup_on_accounts: bool,
}

/// The groups, in display order, for the window.
pub fn group_views() -> Vec<GroupView> {
    Group::all()
        .iter()
        .map(|&g| GroupView {
            id: g,
            title: g.title(),
            setup_hint: g.setup_hint(),
            platform: g.platform(),
            setup_on_accounts: g != Group::Device,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_platform_has_exactly_one_row() {
        for &p in Platform::VARIANTS {
            assert_eq!(
                PLATFORMS.iter().filter(|s| s.platform == p).count(),
                1,
                "{p} needs one row in PLATFORMS"
            );
        }
    }

    #[test]
    fn rows_are_consistent() {
        for s in PLATFORMS {
            let p = s.platform;
            assert!(s.api_url.starts_with("https://"), "{p}");
            assert!(s.web_url.starts_with("https://"), "{p}");
            assert!(s.token_page.starts_with("https://"), "{p}");
            assert_eq!(s.env, p.as_str().to_ascii_uppercase(), "{p}");
            assert_eq!(s.account, s.probe.is_some(), "{p}: accounts have a probe");
            if s.account {
                assert!(s.setup_hint.contains("{checks}"), "{p}");
                assert!(!s.user.label.is_empty(), "{p}");
            }
            if let Some(probe) = s.probe {
                assert_eq!(probe().group(), Group::Account(p), "{p}'s probe");
            }
            if let TokenUse::Needed { recipe } = s.token {
                assert!(
                    recipe.link.starts_with("https://") || recipe.link.starts_with("{web}/"),
                    "{p}"
                );
            }
            // A token that is never sent cannot be asked about.
            if s.auth == Auth::Never {
                assert!(!matches!(s.introspect, Introspect::Api(_)), "{p}");
            }
            // Accounts says an audited token is decoded on this device and never sent.
            if matches!(s.token, TokenUse::AuditOnly { .. }) {
                assert!(matches!(s.introspect, Introspect::Offline(_)), "{p}");
            }
        }
    }

    #[test]
    fn names_settings_are_lists_in_the_settings() {
        let settings = serde_json::to_value(crate::settings::Settings::default()).unwrap();
        for s in PLATFORMS {
            if let Some(names) = s.names_setting {
                assert!(
                    settings[names.key].is_array(),
                    "{}: the settings have no list named {}",
                    s.platform,
                    names.key
                );
            }
        }
    }

    #[test]
    fn names_round_trip_through_strings_and_json() {
        for p in Platform::all() {
            assert_eq!(Platform::parse(p.as_str()).unwrap(), p);
            let json = serde_json::to_string(&p).unwrap();
            assert_eq!(json, format!("\"{}\"", p.as_str()));
            assert_eq!(serde_json::from_str::<Platform>(&json).unwrap(), p);
        }
        for &g in Group::all() {
            assert_eq!(g.as_str().parse::<Group>().unwrap(), g);
            let json = serde_json::to_string(&g).unwrap();
            assert_eq!(serde_json::from_str::<Group>(&json).unwrap(), g);
        }
        assert_eq!(Platform::parse(" GitHub ").unwrap(), Platform::Github);
        assert_eq!(Platform::parse("crates.io").unwrap(), Platform::Crates);
        assert_eq!(Platform::Crates.as_str(), "crates");
        let mut names = Platform::Crates.names().to_vec();
        names.sort();
        assert_eq!(names, ["crates", "crates.io"]);
        assert_eq!(Platform::Github.names(), ["github"]);
        assert_eq!(
            "crates.io".parse::<Group>().unwrap(),
            Group::Account(Platform::Crates)
        );
        assert!("pipy".parse::<Group>().is_err());
        assert!(
            "hibp".parse::<Group>().is_err(),
            "HIBP holds a token but is not a group"
        );
        let msg = Platform::parse("gitbub").unwrap_err();
        assert!(msg.contains("github, gitlab"), "{msg}");
    }

    #[test]
    fn groups_follow_the_table() {
        let ids: Vec<&str> = Group::all().iter().map(|g| g.as_str()).collect();
        assert_eq!(
            ids,
            [
                "github",
                "gitlab",
                "bitbucket",
                "npm",
                "pypi",
                "rubygems",
                "crates",
                "packagist",
                "device",
                "email"
            ]
        );
    }

    #[test]
    fn politeness_becomes_a_spacing() {
        assert_eq!(
            Platform::Crates.spec().min_interval(),
            Duration::from_secs(1)
        );
        assert_eq!(
            Platform::Rubygems.spec().min_interval(),
            Duration::from_millis(125)
        );
        assert_eq!(Platform::Hibp.spec().min_interval(), Duration::from_secs(6));
        // 900 a minute: 66.67 ms apart.
        assert_eq!(
            Platform::Github.spec().min_interval(),
            Duration::from_nanos(66_666_666)
        );
        assert_eq!(Platform::Gitlab.spec().min_interval(), Duration::ZERO);
    }
}
