//! The checklist: every item a maintainer works through, kept as data in
//! `catalogue/items.toml` beside this file and compiled into the binary.

use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The catalogue's source, embedded so the app never depends on files next to the binary.
const ITEMS_TOML: &str = include_str!("../catalogue/items.toml");

/// The topics of the checklist, in the order onboarding walks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    AccountEmail,
    TwoFactor,
    PasswordManager,
    RecoveryCodes,
    SecurityKeys,
    DiskEncryption,
    Travel,
    Roles,
    Owners,
    InactiveAccounts,
    PublishingTokens,
    PackageDeletion,
    ReleasePipeline,
    SignedCommits,
    Compromise,
}

impl Topic {
    pub const ALL: [Topic; 15] = [
        Topic::AccountEmail,
        Topic::TwoFactor,
        Topic::PasswordManager,
        Topic::RecoveryCodes,
        Topic::SecurityKeys,
        Topic::DiskEncryption,
        Topic::Travel,
        Topic::Roles,
        Topic::Owners,
        Topic::InactiveAccounts,
        Topic::PublishingTokens,
        Topic::PackageDeletion,
        Topic::ReleasePipeline,
        Topic::SignedCommits,
        Topic::Compromise,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Topic::AccountEmail => "Account email",
            Topic::TwoFactor => "Two-factor authentication",
            Topic::PasswordManager => "Password manager",
            Topic::RecoveryCodes => "Recovery codes",
            Topic::SecurityKeys => "Hardware security keys",
            Topic::DiskEncryption => "Disk encryption",
            Topic::Travel => "Travel",
            Topic::Roles => "Roles",
            Topic::Owners => "Package owners",
            Topic::InactiveAccounts => "Inactive accounts",
            Topic::PublishingTokens => "Publishing tokens",
            Topic::PackageDeletion => "Handing packages on",
            Topic::ReleasePipeline => "Release pipeline",
            Topic::SignedCommits => "Signed commits",
            Topic::Compromise => "If an account is compromised",
        }
    }
}

/// The three journeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Journey {
    Onboarding,
    Review,
    Travel,
}

impl Journey {
    pub const ALL: [Journey; 3] = [Journey::Onboarding, Journey::Review, Journey::Travel];
}

/// When a travel item applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelPhase {
    Before,
    After,
}

/// One step of an item; `platform` is set where platforms differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    pub text: String,
    /// The platform's own page for this step (https only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// A reference page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// A choice in a confirmation question; `flagged` answers need attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
    #[serde(default)]
    pub flagged: bool,
    /// Shown when this choice is picked (why a flagged answer is a problem, what to do).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What the user is asked when they confirm an item themselves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<Choice>,
}

/// How an item is verified: by named checks (see `check_registry`), by the user's own
/// confirmation (optionally answering a question), or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

/// A checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// Stable id (answers are stored under it), e.g. `two-factor-everywhere`.
    pub id: String,
    pub topic: Topic,
    pub title: String,
    /// Why it matters, plainly.
    pub why: String,
    pub steps: Vec<Step>,
    #[serde(default)]
    pub links: Vec<Link>,
    pub verified_by: Verification,
    pub journeys: Vec<Journey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub travel_phase: Option<TravelPhase>,
}

#[derive(Debug, Deserialize)]
struct CatalogueFile {
    items: Vec<Item>,
}

/// The whole checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    pub items: Vec<Item>,
}

impl Catalogue {
    /// Parses catalogue TOML (used by [`Catalogue::builtin`] and by tests on bad input).
    pub fn parse(text: &str) -> Result<Catalogue, String> {
        let file: CatalogueFile = toml::from_str(text).map_err(|e| e.to_string())?;
        Ok(Catalogue { items: file.items })
    }

    /// The built-in catalogue. Its validity is proven by the registry tests, so a parse
    /// failure here is a build defect; it yields an empty catalogue rather than a panic.
    pub fn builtin() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| Catalogue::parse(ITEMS_TOML).unwrap_or(Catalogue { items: Vec::new() }))
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The items of a journey, in walking order.
    pub fn journey(&self, journey: Journey) -> impl Iterator<Item = &Item> {
        self.items.iter().filter(move |i| i.journeys.contains(&journey))
    }

    /// Items a check feeds (its result ticks or flags them).
    pub fn verified_by_check<'a>(&'a self, check_id: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.verified_by.checks.iter().any(|c| c == check_id))
    }
}
