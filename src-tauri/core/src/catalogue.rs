//! The checklist: every item a maintainer works through, kept as data in
//! `catalogue/items.toml` beside this file and compiled into the binary.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt::Write as _;
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

    /// The snake_case name used in the TOML, the CLI JSON and stored answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Topic::AccountEmail => "account_email",
            Topic::TwoFactor => "two_factor",
            Topic::PasswordManager => "password_manager",
            Topic::RecoveryCodes => "recovery_codes",
            Topic::SecurityKeys => "security_keys",
            Topic::DiskEncryption => "disk_encryption",
            Topic::Travel => "travel",
            Topic::Roles => "roles",
            Topic::Owners => "owners",
            Topic::InactiveAccounts => "inactive_accounts",
            Topic::PublishingTokens => "publishing_tokens",
            Topic::PackageDeletion => "package_deletion",
            Topic::ReleasePipeline => "release_pipeline",
            Topic::SignedCommits => "signed_commits",
            Topic::Compromise => "compromise",
        }
    }

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

    /// The snake_case name used in the TOML and the CLI JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Journey::Onboarding => "onboarding",
            Journey::Review => "review",
            Journey::Travel => "travel",
        }
    }
}

/// When a travel item applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelPhase {
    Before,
    After,
}

impl TravelPhase {
    pub const ALL: [TravelPhase; 2] = [TravelPhase::Before, TravelPhase::After];

    /// The snake_case name used in the TOML and the CLI JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            TravelPhase::Before => "before",
            TravelPhase::After => "after",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            TravelPhase::Before => "Before the trip",
            TravelPhase::After => "After you return",
        }
    }
}

/// One step of an item; `platform` is set where platforms differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct Link {
    pub label: String,
    pub url: String,
}

/// A choice in a confirmation question; `flagged` answers need attention.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct Question {
    pub prompt: String,
    pub choices: Vec<Choice>,
}

/// How an item is verified: by named checks (see `check_registry`), by the user's own
/// confirmation (optionally answering a question), or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    #[serde(default)]
    pub checks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

/// A checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    /// When the item's platform facts were last checked against the platforms' own pages
    /// (`YYYY-MM`), so a stale item can be found and re-checked.
    pub checked: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
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
        CATALOGUE
            .get_or_init(|| Catalogue::parse(ITEMS_TOML).unwrap_or(Catalogue { items: Vec::new() }))
    }

    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }

    /// The items of a journey, in walking order.
    pub fn journey(&self, journey: Journey) -> impl Iterator<Item = &Item> {
        self.items
            .iter()
            .filter(move |i| i.journeys.contains(&journey))
    }

    /// Items a check feeds (its result ticks or flags them).
    pub fn verified_by_check<'a>(
        &'a self,
        check_id: &'a str,
    ) -> impl Iterator<Item = &'a Item> + 'a {
        self.items
            .iter()
            .filter(move |i| i.verified_by.checks.iter().any(|c| c == check_id))
    }
}

impl Step {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(p) = &self.platform {
            m.insert("platform".into(), json!(p));
        }
        m.insert("text".into(), json!(self.text));
        if let Some(l) = &self.link {
            m.insert("link".into(), json!(l));
        }
        Value::Object(m)
    }
}

impl Choice {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("value".into(), json!(self.value));
        m.insert("label".into(), json!(self.label));
        m.insert("flagged".into(), json!(self.flagged));
        if let Some(n) = &self.note {
            m.insert("note".into(), json!(n));
        }
        Value::Object(m)
    }
}

impl Verification {
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("checks".into(), json!(self.checks));
        if let Some(q) = &self.question {
            let choices: Vec<Value> = q.choices.iter().map(Choice::to_json).collect();
            m.insert(
                "question".into(),
                json!({ "prompt": q.prompt, "choices": choices }),
            );
        }
        Value::Object(m)
    }

    /// One line saying how the item is verified, for the terminal.
    fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .checks
            .iter()
            .map(|id| match crate::check_registry::find(id) {
                Some(spec) => format!("check {id} ({})", spec.title),
                None => format!("check {id}"),
            })
            .collect();
        match &self.question {
            Some(q) => parts.push(format!("your answer to \"{}\"", q.prompt)),
            None if parts.is_empty() => parts.push("your confirmation (Done)".to_string()),
            None => {}
        }
        parts.join("; ")
    }
}

impl Item {
    /// The item as the CLI's JSON shows it: fixed keys, `travel_phase` only when set.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        m.insert("topic".into(), json!(self.topic.as_str()));
        m.insert("title".into(), json!(self.title));
        m.insert("why".into(), json!(self.why));
        m.insert(
            "steps".into(),
            Value::Array(self.steps.iter().map(Step::to_json).collect()),
        );
        m.insert(
            "links".into(),
            Value::Array(
                self.links
                    .iter()
                    .map(|l| json!({ "label": l.label, "url": l.url }))
                    .collect(),
            ),
        );
        m.insert("verified_by".into(), self.verified_by.to_json());
        m.insert(
            "journeys".into(),
            Value::Array(self.journeys.iter().map(|j| json!(j.as_str())).collect()),
        );
        if let Some(phase) = self.travel_phase {
            m.insert("travel_phase".into(), json!(phase.as_str()));
        }
        m.insert("checked".into(), json!(self.checked));
        Value::Object(m)
    }
}

impl Catalogue {
    /// The JSON view printed by `lockstep checklist --json`: `{"items":[...]}` in walking order.
    pub fn to_checklist_json(&self) -> Value {
        json!({ "items": self.items.iter().map(Item::to_json).collect::<Vec<_>>() })
    }

    /// The checklist for the terminal: topic headings in onboarding order, numbered items,
    /// why, steps with their links, and how each item is verified.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let mut number = 0usize;
        for topic in Topic::ALL {
            let items: Vec<&Item> = self.items.iter().filter(|i| i.topic == topic).collect();
            if items.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            let heading = topic.title();
            let _ = writeln!(out, "{heading}");
            let _ = writeln!(out, "{}", "=".repeat(heading.chars().count()));
            for item in items {
                number += 1;
                let _ = writeln!(out, "\n{number}. {}  [{}]", item.title, item.id);
                if let Some(phase) = item.travel_phase {
                    let _ = writeln!(out, "   When: {}", phase.title());
                }
                let _ = writeln!(out, "   Why: {}", item.why);
                let _ = writeln!(out, "   Steps:");
                for step in &item.steps {
                    let platform = step
                        .platform
                        .as_deref()
                        .map(|p| format!("{p}: "))
                        .unwrap_or_default();
                    let _ = writeln!(out, "   - {platform}{}", step.text);
                    if let Some(link) = &step.link {
                        let _ = writeln!(out, "     {link}");
                    }
                }
                if !item.links.is_empty() {
                    let _ = writeln!(out, "   See also:");
                    for link in &item.links {
                        let _ = writeln!(out, "   - {}: {}", link.label, link.url);
                    }
                }
                let _ = writeln!(out, "   Verified by: {}", item.verified_by.describe());
                let _ = writeln!(out, "   Facts checked: {}", item.checked);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_registry::CHECKS;
    use std::collections::{BTreeSet, HashSet};

    fn cat() -> Catalogue {
        match Catalogue::parse(ITEMS_TOML) {
            Ok(c) => c,
            Err(e) => panic!("built-in catalogue does not parse: {e}"),
        }
    }

    fn is_kebab(id: &str) -> bool {
        !id.is_empty()
            && !id.starts_with('-')
            && !id.ends_with('-')
            && !id.contains("--")
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    fn is_travel_item(i: &Item) -> bool {
        i.topic == Topic::Travel || i.journeys.contains(&Journey::Travel)
    }

    fn assert_https(url: &str, what: &str) {
        let parsed =
            url::Url::parse(url).unwrap_or_else(|e| panic!("{what}: {url:?} is not a URL: {e}"));
        assert_eq!(parsed.scheme(), "https", "{what}: {url} is not https");
        assert!(
            parsed.host_str().is_some_and(|h| h.contains('.')),
            "{what}: {url} has no proper host"
        );
    }

    #[test]
    fn catalogue_builtin_parses_and_is_not_empty() {
        let c = cat();
        assert!(!c.items.is_empty(), "the built-in catalogue has no items");
        assert_eq!(
            Catalogue::builtin().items.len(),
            c.items.len(),
            "builtin() fell back to an empty catalogue"
        );
    }

    #[test]
    fn catalogue_ids_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for i in &cat().items {
            assert!(is_kebab(&i.id), "item id {:?} is not kebab-case", i.id);
            assert!(
                seen.insert(i.id.as_str()),
                "item id {:?} is used twice",
                i.id
            );
        }
    }

    #[test]
    fn catalogue_has_every_topic_in_onboarding_order() {
        let c = cat();
        for t in Topic::ALL {
            assert!(
                c.items.iter().any(|i| i.topic == t),
                "no item has topic {}",
                t.as_str()
            );
        }
        for pair in c.items.windows(2) {
            assert!(
                pair[0].topic <= pair[1].topic,
                "item {} ({}) comes after {} ({}): items must follow the topic order",
                pair[1].id,
                pair[1].topic.as_str(),
                pair[0].id,
                pair[0].topic.as_str()
            );
        }
    }

    #[test]
    fn catalogue_items_have_text_why_and_steps() {
        for i in &cat().items {
            assert!(!i.title.trim().is_empty(), "item {} has no title", i.id);
            assert!(!i.why.trim().is_empty(), "item {} has no why", i.id);
            assert!(!i.steps.is_empty(), "item {} has no steps", i.id);
            for (n, s) in i.steps.iter().enumerate() {
                assert!(
                    !s.text.trim().is_empty(),
                    "item {} step {} has no text",
                    i.id,
                    n + 1
                );
                if let Some(p) = &s.platform {
                    assert!(
                        !p.trim().is_empty(),
                        "item {} step {} has an empty platform",
                        i.id,
                        n + 1
                    );
                }
            }
            for l in &i.links {
                assert!(
                    !l.label.trim().is_empty(),
                    "item {} has a link without a label",
                    i.id
                );
            }
        }
    }

    #[test]
    fn catalogue_links_are_https() {
        for i in &cat().items {
            for (n, s) in i.steps.iter().enumerate() {
                if let Some(link) = &s.link {
                    assert_https(link, &format!("item {} step {}", i.id, n + 1));
                }
            }
            for l in &i.links {
                assert_https(&l.url, &format!("item {} link {:?}", i.id, l.label));
            }
        }
    }

    #[test]
    fn catalogue_checks_exist_in_registry() {
        let known: HashSet<&str> = CHECKS.iter().map(|c| c.id).collect();
        for i in &cat().items {
            let mut seen = HashSet::new();
            for check in &i.verified_by.checks {
                assert!(
                    known.contains(check.as_str()),
                    "item {} names unknown check {check}",
                    i.id
                );
                assert!(
                    seen.insert(check.as_str()),
                    "item {} names check {check} twice",
                    i.id
                );
            }
        }
    }

    #[test]
    fn catalogue_names_every_registry_check() {
        let c = cat();
        for spec in CHECKS {
            assert!(
                c.verified_by_check(spec.id).next().is_some(),
                "no catalogue item is verified by check {}",
                spec.id
            );
        }
    }

    #[test]
    fn catalogue_items_have_journeys_and_journeys_have_items() {
        let c = cat();
        for i in &c.items {
            assert!(!i.journeys.is_empty(), "item {} is in no journey", i.id);
            let unique: HashSet<_> = i.journeys.iter().collect();
            assert_eq!(
                unique.len(),
                i.journeys.len(),
                "item {} lists a journey twice",
                i.id
            );
        }
        for j in Journey::ALL {
            assert!(
                c.journey(j).next().is_some(),
                "journey {} has no items",
                j.as_str()
            );
        }
    }

    #[test]
    fn catalogue_travel_items_have_phases_and_both_phases_exist() {
        let c = cat();
        let mut phases = HashSet::new();
        for i in &c.items {
            if is_travel_item(i) {
                let phase = i
                    .travel_phase
                    .unwrap_or_else(|| panic!("travel item {} has no travel_phase", i.id));
                phases.insert(phase.as_str());
                assert!(
                    i.journeys.contains(&Journey::Travel),
                    "travel item {} is not in the travel journey",
                    i.id
                );
            } else {
                assert!(
                    i.travel_phase.is_none(),
                    "item {} has a travel_phase but is not a travel item",
                    i.id
                );
            }
        }
        for p in TravelPhase::ALL {
            assert!(
                phases.contains(p.as_str()),
                "no travel item for phase {}",
                p.as_str()
            );
        }
    }

    #[test]
    fn catalogue_questions_have_unique_choices() {
        for i in &cat().items {
            let Some(q) = &i.verified_by.question else {
                continue;
            };
            assert!(
                !q.prompt.trim().is_empty(),
                "item {} has a question without a prompt",
                i.id
            );
            assert!(
                q.choices.len() >= 2,
                "item {}'s question has fewer than 2 choices",
                i.id
            );
            let mut values = HashSet::new();
            for ch in &q.choices {
                assert!(
                    !ch.value.trim().is_empty(),
                    "item {} has a choice without a value",
                    i.id
                );
                assert!(
                    !ch.label.trim().is_empty(),
                    "item {} choice {} has no label",
                    i.id,
                    ch.value
                );
                assert!(
                    values.insert(ch.value.as_str()),
                    "item {} repeats choice value {}",
                    i.id,
                    ch.value
                );
                if ch.flagged {
                    assert!(
                        ch.note.as_deref().is_some_and(|n| !n.trim().is_empty()),
                        "item {} flagged choice {} has no note saying what to do",
                        i.id,
                        ch.value
                    );
                }
            }
            assert!(
                q.choices.iter().any(|ch| !ch.flagged),
                "item {}'s question has no good answer",
                i.id
            );
        }
    }

    #[test]
    fn catalogue_onboarding_covers_every_non_travel_item_and_topic() {
        let c = cat();
        for i in c.items.iter().filter(|i| !is_travel_item(i)) {
            assert!(
                i.journeys.contains(&Journey::Onboarding),
                "non-travel item {} is not in onboarding",
                i.id
            );
        }
        let topics: HashSet<Topic> = c.journey(Journey::Onboarding).map(|i| i.topic).collect();
        for t in Topic::ALL.into_iter().filter(|t| *t != Topic::Travel) {
            assert!(
                topics.contains(&t),
                "onboarding has no item for topic {}",
                t.as_str()
            );
        }
        let travel: HashSet<Topic> = c.journey(Journey::Travel).map(|i| i.topic).collect();
        assert!(
            travel.contains(&Topic::Travel),
            "the travel journey has no travel items"
        );
    }

    #[test]
    fn catalogue_item_lookup_finds_every_item() {
        let c = cat();
        for i in &c.items {
            assert_eq!(
                c.item(&i.id).map(|x| x.id.as_str()),
                Some(i.id.as_str()),
                "item {} not found by id",
                i.id
            );
        }
        assert!(c.item("no-such-item").is_none());
    }

    #[test]
    fn catalogue_parse_rejects_malformed_toml() {
        let cases = [
            ("syntax error", "[[items]\nid = \"x\""),
            ("missing fields", "[[items]]\nid = \"x\"\ntopic = \"roles\"\n"),
            (
                "no checked date",
                "[[items]]\nid = \"x\"\ntopic = \"roles\"\ntitle = \"t\"\nwhy = \"w\"\njourneys = [\"review\"]\nsteps = [{ text = \"s\" }]\nverified_by = {}\n",
            ),
            (
                "unknown topic",
                "[[items]]\nid = \"x\"\ntopic = \"nope\"\ntitle = \"t\"\nwhy = \"w\"\njourneys = [\"review\"]\nchecked = \"2026-11\"\nsteps = [{ text = \"s\" }]\nverified_by = {}\n",
            ),
            (
                "misspelt field",
                "[[items]]\nid = \"x\"\ntopic = \"roles\"\ntitle = \"t\"\nwhy = \"w\"\njourneys = [\"review\"]\nchecked = \"2026-11\"\njourneyz = []\nsteps = [{ text = \"s\" }]\nverified_by = {}\n",
            ),
            ("no items table", "title = \"not a catalogue\"\n"),
        ];
        for (what, text) in cases {
            assert!(Catalogue::parse(text).is_err(), "parse accepted {what}");
        }
        let ok = "[[items]]\nid = \"x\"\ntopic = \"roles\"\ntitle = \"t\"\nwhy = \"w\"\njourneys = [\"review\"]\nchecked = \"2026-11\"\nsteps = [{ text = \"s\" }]\nverified_by = {}\n";
        assert!(
            Catalogue::parse(ok).is_ok(),
            "parse rejected a minimal valid item"
        );
    }

    #[test]
    fn catalogue_checklist_json_has_exact_keys_and_every_topic() {
        let c = cat();
        let v = c.to_checklist_json();
        let obj = v.as_object().expect("top level is an object");
        assert_eq!(
            obj.keys().collect::<Vec<_>>(),
            vec!["items"],
            "top level must only hold items"
        );
        let items = obj["items"].as_array().expect("items is an array");
        assert_eq!(items.len(), c.items.len());

        let base: BTreeSet<&str> = [
            "id",
            "topic",
            "title",
            "why",
            "steps",
            "links",
            "verified_by",
            "journeys",
            "checked",
        ]
        .into_iter()
        .collect();
        let mut topics = HashSet::new();
        for (json, item) in items.iter().zip(&c.items) {
            let o = json
                .as_object()
                .unwrap_or_else(|| panic!("item {} is not an object", item.id));
            let keys: BTreeSet<&str> = o.keys().map(String::as_str).collect();
            let mut expected = base.clone();
            if item.travel_phase.is_some() {
                expected.insert("travel_phase");
            }
            assert_eq!(keys, expected, "item {} has the wrong keys", item.id);
            assert_eq!(o["id"], json!(item.id));
            let topic = o["topic"]
                .as_str()
                .unwrap_or_else(|| panic!("item {} topic is not a string", item.id));
            assert_eq!(topic, item.topic.as_str(), "item {} topic", item.id);
            topics.insert(topic.to_string());
            for s in o["steps"]
                .as_array()
                .unwrap_or_else(|| panic!("item {} steps", item.id))
            {
                let sk: BTreeSet<&str> = s
                    .as_object()
                    .expect("step object")
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert!(
                    sk.contains("text"),
                    "item {} has a step without text",
                    item.id
                );
                assert!(
                    sk.is_subset(&["platform", "text", "link"].into_iter().collect()),
                    "item {} step keys {sk:?}",
                    item.id
                );
            }
            for l in o["links"]
                .as_array()
                .unwrap_or_else(|| panic!("item {} links", item.id))
            {
                let lk: BTreeSet<&str> = l
                    .as_object()
                    .expect("link object")
                    .keys()
                    .map(String::as_str)
                    .collect();
                assert_eq!(
                    lk,
                    ["label", "url"].into_iter().collect(),
                    "item {} link keys",
                    item.id
                );
            }
            let vb = o["verified_by"]
                .as_object()
                .unwrap_or_else(|| panic!("item {} verified_by", item.id));
            assert!(
                vb["checks"].is_array(),
                "item {} verified_by.checks",
                item.id
            );
            assert!(
                vb.keys().all(|k| k == "checks" || k == "question"),
                "item {} verified_by keys",
                item.id
            );
            assert_eq!(
                vb.contains_key("question"),
                item.verified_by.question.is_some(),
                "item {} question",
                item.id
            );
            let journeys: Vec<&str> = o["journeys"]
                .as_array()
                .expect("journeys")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(
                journeys.len(),
                item.journeys.len(),
                "item {} journeys",
                item.id
            );
        }
        for t in Topic::ALL {
            assert!(
                topics.contains(t.as_str()),
                "JSON has no item for topic {}",
                t.as_str()
            );
        }
    }

    #[test]
    fn catalogue_topic_names_match_serde() {
        for t in Topic::ALL {
            assert_eq!(
                serde_json::to_value(t).ok(),
                Some(json!(t.as_str())),
                "topic {:?}",
                t
            );
        }
        for j in Journey::ALL {
            assert_eq!(
                serde_json::to_value(j).ok(),
                Some(json!(j.as_str())),
                "journey {:?}",
                j
            );
        }
        for p in TravelPhase::ALL {
            assert_eq!(
                serde_json::to_value(p).ok(),
                Some(json!(p.as_str())),
                "phase {:?}",
                p
            );
        }
    }

    #[test]
    fn catalogue_render_text_shows_topics_items_and_verification() {
        let c = cat();
        let text = c.render_text();
        for t in Topic::ALL {
            assert!(
                text.contains(&format!("{}\n", t.title())),
                "text has no heading for {}",
                t.as_str()
            );
        }
        for (n, i) in c.items.iter().enumerate() {
            assert!(
                text.contains(&format!("{}. {}  [{}]", n + 1, i.title, i.id)),
                "text does not number item {} as {}",
                i.id,
                n + 1
            );
        }
        assert_eq!(
            text.matches("   Verified by: ").count(),
            c.items.len(),
            "every item says how it is verified"
        );
        assert!(text.contains("check github.two_factor (GitHub two-factor authentication)"));
        assert!(text.contains("your answer to \"Where are your recovery codes kept?\""));
        assert!(text.contains("your confirmation (Done)"));
        assert!(text.contains("https://github.com/settings/security"));
        assert_eq!(
            text.matches("   Facts checked: ").count(),
            c.items.len(),
            "every item says when its facts were checked"
        );
    }

    /// `checked` is a real month, not in the future, and shown as-is in the CLI JSON.
    #[test]
    fn catalogue_items_say_when_their_facts_were_checked() {
        let c = cat();
        let now = time::OffsetDateTime::now_utc();
        let this_month = (now.year(), u8::from(now.month()));
        let json = c.to_checklist_json();
        for (i, j) in c.items.iter().zip(json["items"].as_array().expect("items")) {
            let (year, month): (i32, u8) = i
                .checked
                .split_once('-')
                .filter(|(y, m)| y.len() == 4 && m.len() == 2)
                .and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?)))
                .unwrap_or_else(|| panic!("item {} checked {:?} is not YYYY-MM", i.id, i.checked));
            assert!(
                (1..=12).contains(&month) && year >= 2024,
                "item {} checked {:?} is not a plausible month",
                i.id,
                i.checked
            );
            assert!(
                (year, month) <= this_month,
                "item {} claims a check in the future ({})",
                i.id,
                i.checked
            );
            assert_eq!(j["checked"], json!(i.checked), "item {}", i.id);
        }
    }
}
