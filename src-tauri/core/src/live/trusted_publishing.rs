//! Trusted publishing and provenance of each package's latest release, per registry.
//!
//! What each registry says (confirmed in its own source or docs; see the fixtures' SOURCES.md):
//! - npm: the full packument's `versions[v]._npmUser.trustedPublisher` (trusted publishing)
//!   and `versions[v].dist.attestations` (provenance). Provenance without a trusted publisher
//!   means built in CI but published with a token.
//! - PyPI: the Integrity API, `GET /integrity/{project}/{version}/{file}/provenance`, answers
//!   the attestation bundles with their Trusted Publisher, 404 when a file has none. No
//!   attestation is no evidence of trusted publishing, not proof of a token upload.
//! - crates.io: a version's `trustpub_data` (provider, repository) and `published_by` (null for
//!   a trusted publish); the crate's `trustpub_only`.
//! - RubyGems: `GET /api/v1/attestations/{gem}-{version}.json`; a non-empty list can only come
//!   from a trusted-publisher push; an empty list neither proves nor excludes one.

use super::provenance_cache::ProvenanceCache;
use super::{parse, segment};
use crate::check::{count, CheckResult, Status, Subject};
use crate::check_registry::CheckSpec;
use crate::http::{ApiClient, HttpError};
use crate::platform::Platform;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What is known about how one release was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Verdict {
    /// Published through trusted publishing; `publisher` names the CI identity.
    Trusted { publisher: String },
    /// Built in CI with provenance, but uploaded with a long-lived token (npm).
    Provenance { publisher: String },
    /// Uploaded with a long-lived token; `by` names the account when the registry says.
    Token { by: String },
    /// The registry shows no evidence either way (PyPI without attestations, RubyGems' empty list).
    NoEvidence,
    /// Could not be checked; the message says why. Never cached.
    Failed(String),
}

impl Verdict {
    /// Answers that cannot change for a published version.
    pub fn is_settled(&self) -> bool {
        !matches!(self, Verdict::Failed(_))
    }

    /// The word kept in review history (`observed.publishing`), ordered by [`rank`].
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Trusted { .. } => "trusted",
            Verdict::Provenance { .. } => "provenance",
            Verdict::NoEvidence => "no_evidence",
            Verdict::Token { .. } => "token",
            Verdict::Failed(_) => "unknown",
        }
    }
}

/// Higher is better: trusted > provenance > no evidence > token. `None` for words that say
/// nothing (unknown), so a failed lookup is never a "worse" change.
pub fn rank(word: &str) -> Option<u8> {
    match word {
        "trusted" => Some(3),
        "provenance" => Some(2),
        "no_evidence" => Some(1),
        "token" => Some(0),
        _ => None,
    }
}

/// One package's latest release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub package: String,
    pub version: String,
    pub verdict: Verdict,
    /// The crate (crates.io) refuses token publishes for new versions.
    pub trusted_only: bool,
}

impl Release {
    pub fn failed(package: impl Into<String>, err: &HttpError) -> Self {
        Release {
            package: package.into(),
            version: String::new(),
            verdict: Verdict::Failed(err.to_string()),
            trusted_only: false,
        }
    }

    fn label(&self) -> String {
        if self.version.is_empty() {
            self.package.clone()
        } else {
            format!("{} {}", self.package, self.version)
        }
    }
}

/// Per-registry wording and links for [`judge`].
pub struct RegistryText {
    pub platform: Platform,
    /// "package", "project", "crate", "gem".
    pub noun: &'static str,
    pub nouns: &'static str,
    /// The registry's own page on trusted publishing.
    pub setup_url: &'static str,
    /// One step to turn token publishing off once trusted publishing works.
    pub tokens_off: &'static str,
    /// What "no evidence" means on this registry (empty: the registry never says "no evidence").
    pub no_evidence: &'static str,
    /// Whether a release without evidence counts as a warning (PyPI: set up attestations) or
    /// as unknown (RubyGems: the registry does not say).
    pub no_evidence_status: Status,
}

pub const NPM: RegistryText = RegistryText {
    platform: Platform::Npm,
    noun: "package",
    nouns: "packages",
    setup_url: "https://docs.npmjs.com/trusted-publishers",
    tokens_off: "Once a release has gone out through trusted publishing, set the package's Publishing access to \"Require two-factor authentication and disallow tokens\" (package Settings on npmjs.com) and revoke the old automation or granular tokens.",
    no_evidence: "",
    no_evidence_status: Status::Warn,
};

pub const PYPI: RegistryText = RegistryText {
    platform: Platform::Pypi,
    noun: "project",
    nouns: "projects",
    setup_url: "https://docs.pypi.org/trusted-publishers/",
    tokens_off: "Once a release has gone out through the Trusted Publisher, delete the project's API tokens on PyPI (Account settings → API tokens) and the secret that held it in CI.",
    no_evidence: "no evidence of trusted publishing: its files carry no PEP 740 attestations (PyPI does not say whether a token was used)",
    no_evidence_status: Status::Warn,
};

pub const CRATES: RegistryText = RegistryText {
    platform: Platform::Crates,
    noun: "crate",
    nouns: "crates",
    setup_url: "https://crates.io/docs/trusted-publishing",
    tokens_off: "Once a release has gone out through trusted publishing, turn on \"Require trusted publishing for all new versions\" in the crate's settings on crates.io and revoke the API token your CI used.",
    no_evidence: "",
    no_evidence_status: Status::Warn,
};

pub const RUBYGEMS: RegistryText = RegistryText {
    platform: Platform::Rubygems,
    noun: "gem",
    nouns: "gems",
    setup_url: "https://guides.rubygems.org/trusted-publishing/",
    tokens_off: "Once a release has gone out through the trusted publisher, remove the push-scoped API key your CI used (rubygems.org → Settings → API keys).",
    no_evidence: "RubyGems lists no attestations for it, which neither proves nor rules out trusted publishing (a trusted push without attestations leaves none)",
    no_evidence_status: Status::Unknown,
};

/// Turns every package's latest release into the registry's one result: `warn` listing
/// token-published releases, `pass` when all came from CI, `unknown` when the registry
/// does not say, `skipped` without packages. Evidence lists worst first.
pub fn judge(
    spec: &CheckSpec,
    text: &RegistryText,
    whose: &str,
    releases: Vec<Release>,
) -> CheckResult {
    let name = text.platform.display_name();
    if releases.is_empty() {
        return CheckResult::skipped(
            spec,
            format!("No {} found for {whose} on {name}.", text.nouns),
        );
    }
    let mut tokens = Vec::new();
    let mut provenance = Vec::new();
    let mut none = Vec::new();
    let mut trusted = Vec::new();
    let mut failed = Vec::new();
    let mut publishing = BTreeMap::new();
    let mut subjects = Vec::with_capacity(releases.len());
    for r in &releases {
        subjects.push(subject(text, r));
        if r.verdict.is_settled() {
            publishing.insert(r.package.clone(), r.verdict.word().to_string());
        }
        let only = if r.trusted_only {
            " (trusted publishing required for new versions)"
        } else {
            ""
        };
        match &r.verdict {
            Verdict::Token { by } => {
                let by = if by.is_empty() {
                    String::new()
                } else {
                    format!(" by {by}")
                };
                tokens.push(format!(
                    "{}: published with a long-lived token{by}{only}",
                    r.label()
                ))
            }
            Verdict::Provenance { publisher } => provenance.push(format!(
                "{}: built in CI with provenance ({publisher}), but uploaded with a token, not trusted publishing",
                r.label()
            )),
            Verdict::NoEvidence if text.no_evidence.is_empty() => none.push(format!(
                "{}: {name} does not say how it was published",
                r.label()
            )),
            Verdict::NoEvidence => none.push(format!("{}: {}", r.label(), text.no_evidence)),
            Verdict::Trusted { publisher } => trusted.push(format!(
                "{}: trusted publishing ({publisher}){only}",
                r.label()
            )),
            Verdict::Failed(why) => failed.push(format!("{}: could not check ({why})", r.label())),
        }
    }
    let total = releases.len();
    let looked = format!(
        "Looked at the latest release of {}.",
        count(total, text.noun, text.nouns)
    );
    let warn_none = text.no_evidence_status == Status::Warn;
    let (status, summary) = if !tokens.is_empty() || (warn_none && !none.is_empty()) {
        let mut parts = Vec::new();
        if !tokens.is_empty() {
            parts.push(format!(
                "{} published with a long-lived token",
                count(tokens.len(), text.noun, text.nouns)
            ));
        }
        if warn_none && !none.is_empty() {
            parts.push(format!(
                "{} without evidence of trusted publishing",
                count(none.len(), text.noun, text.nouns)
            ));
        }
        (
            Status::Warn,
            format!("{} on {name}. {looked}", parts.join(" and ")),
        )
    } else if !failed.is_empty() || !none.is_empty() {
        let mut why = Vec::new();
        if !none.is_empty() {
            why.push(format!(
                "{name} does not say how {} {} published",
                count(none.len(), text.noun, text.nouns),
                if none.len() == 1 { "was" } else { "were" }
            ));
        }
        if !failed.is_empty() {
            why.push(format!(
                "{} could not be checked",
                count(failed.len(), text.noun, text.nouns)
            ));
        }
        (
            Status::Unknown,
            format!(
                "{}; the rest came through trusted publishing or CI. {looked} The checklist item carries the manual steps.",
                why.join(" and ")
            ),
        )
    } else {
        (
            Status::Pass,
            format!(
                "Every {}'s latest release came from CI through trusted publishing{} on {name}. {looked}",
                text.noun,
                if provenance.is_empty() { "" } else { " or with provenance" }
            ),
        )
    };
    let mut evidence = Vec::new();
    evidence.extend(tokens.iter().cloned());
    if warn_none {
        evidence.extend(none.iter().cloned());
    }
    evidence.extend(failed);
    if !warn_none {
        evidence.extend(none.iter().cloned());
    }
    evidence.extend(provenance.iter().cloned());
    evidence.extend(trusted);
    let mut remediation = Vec::new();
    if status != Status::Pass || !provenance.is_empty() {
        remediation.push(format!(
            "Set up trusted publishing for each {} listed, so CI publishes with a short-lived OIDC credential instead of a stored token: {}",
            text.noun, text.setup_url
        ));
        remediation.push(text.tokens_off.to_string());
    }
    let observed = crate::check::Observed {
        publishing,
        ..Default::default()
    };
    CheckResult::new(spec, status, summary)
        .with_evidence(evidence)
        .with_remediation(remediation)
        .with_observed(observed)
        .with_subjects(subjects)
}

/// One release as a row of the Checks screen: the package, its status on this registry, and
/// what was found, with the version where it is known.
fn subject(text: &RegistryText, r: &Release) -> Subject {
    let only = if r.trusted_only {
        "; trusted publishing is required for new versions"
    } else {
        ""
    };
    let set_up = format!(
        "set up trusted publishing for this {} on {}, then turn token publishing off",
        text.noun,
        text.platform.display_name()
    );
    let (status, detail, fix) = match &r.verdict {
        Verdict::Token { by } if by.is_empty() => (
            Status::Warn,
            format!("published with a long-lived token{only}"),
            set_up,
        ),
        Verdict::Token { by } => (
            Status::Warn,
            format!("published with a long-lived token by {by}{only}"),
            set_up,
        ),
        Verdict::Provenance { publisher } => (
            Status::Pass,
            format!("built in CI with provenance ({publisher}), but uploaded with a token"),
            set_up,
        ),
        Verdict::NoEvidence if text.no_evidence.is_empty() => (
            text.no_evidence_status,
            format!(
                "{} does not say how it was published",
                text.platform.display_name()
            ),
            String::new(),
        ),
        Verdict::NoEvidence => (
            text.no_evidence_status,
            text.no_evidence.to_string(),
            if text.no_evidence_status == Status::Warn {
                set_up
            } else {
                String::new()
            },
        ),
        Verdict::Trusted { publisher } => (
            Status::Pass,
            format!("published through trusted publishing ({publisher}){only}"),
            String::new(),
        ),
        Verdict::Failed(why) => (
            Status::Unknown,
            format!("could not be checked ({why})"),
            String::new(),
        ),
    };
    let version = if r.version.is_empty() {
        String::new()
    } else {
        format!("version {}", r.version)
    };
    Subject::new(&r.package, status, detail)
        .at(version)
        .fix(fix)
}

/// The run's cache for one registry, and a line of evidence when a damaged file was set aside.
pub fn cache_for(
    ctx: &crate::engine::CheckContext,
    registry: &str,
) -> (ProvenanceCache, Option<String>) {
    let (cache, note) = ProvenanceCache::load(&ctx.dirs.cache, registry, ctx.now.unix_timestamp());
    let note = note.map(|super::provenance_cache::CacheNote::SetAside(path)| {
        format!(
            "The provenance cache was damaged; it was set aside as {} and rebuilt.",
            path.display()
        )
    });
    (cache, note)
}

/// [`judge`], then the cache note (if any) as the last line of evidence.
pub fn judge_with_note(
    spec: &CheckSpec,
    text: &RegistryText,
    whose: &str,
    releases: Vec<Release>,
    note: Option<String>,
) -> CheckResult {
    let mut r = judge(spec, text, whose, releases);
    r.evidence.extend(note);
    r
}

// ---------------------------------------------------------------- npm

/// The part of a full packument this check reads.
#[derive(Debug, Deserialize)]
struct NpmPackument {
    #[serde(rename = "dist-tags", default)]
    dist_tags: BTreeMap<String, String>,
    #[serde(default)]
    versions: BTreeMap<String, NpmVersion>,
}

#[derive(Debug, Deserialize)]
struct NpmVersion {
    #[serde(rename = "_npmUser")]
    npm_user: Option<NpmUser>,
    dist: Option<NpmDist>,
}

#[derive(Debug, Deserialize)]
struct NpmUser {
    name: Option<String>,
    #[serde(rename = "trustedPublisher")]
    trusted_publisher: Option<NpmTrustedPublisher>,
}

#[derive(Debug, Deserialize)]
struct NpmTrustedPublisher {
    id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct NpmDist {
    attestations: Option<NpmAttestations>,
}

#[derive(Debug, Deserialize)]
struct NpmAttestations {
    provenance: Option<NpmPredicate>,
}

#[derive(Debug, Deserialize)]
struct NpmPredicate {
    #[serde(rename = "predicateType")]
    predicate_type: Option<String>,
}

/// Reads the latest release's publisher from a full packument (`Accept: application/json`).
pub fn npm_release(name: &str, host: &str, body: &[u8]) -> Release {
    let packument: NpmPackument = match super::parse_body(Platform::Npm, host, body) {
        Ok(p) => p,
        Err(e) => return Release::failed(name, &e),
    };
    let Some(latest) = packument.dist_tags.get("latest").cloned() else {
        return Release {
            package: name.to_string(),
            version: String::new(),
            verdict: Verdict::Failed("the packument has no `latest` tag".into()),
            trusted_only: false,
        };
    };
    let verdict = match packument.versions.get(&latest) {
        None => Verdict::Failed(format!("the packument has no data for version {latest}")),
        Some(v) => {
            let user = v.npm_user.as_ref();
            let provenance = v
                .dist
                .as_ref()
                .and_then(|d| d.attestations.as_ref())
                .map(|a| {
                    a.provenance
                        .as_ref()
                        .and_then(|p| p.predicate_type.clone())
                        .unwrap_or_else(|| "attestations".into())
                });
            match (user.and_then(|u| u.trusted_publisher.as_ref()), provenance) {
                (Some(tp), _) => Verdict::Trusted {
                    publisher: format!(
                        "trusted publisher {}",
                        tp.id.clone().unwrap_or_else(|| "of unknown kind".into())
                    ),
                },
                (None, Some(p)) => Verdict::Provenance {
                    publisher: format!("provenance {p}"),
                },
                (None, None) => Verdict::Token {
                    by: user.and_then(|u| u.name.clone()).unwrap_or_default(),
                },
            }
        }
    };
    Release {
        package: name.to_string(),
        version: latest,
        verdict,
        trusted_only: false,
    }
}

// ---------------------------------------------------------------- crates.io

/// `GET /api/v1/crates/{name}?include=default_version`.
#[derive(Debug, Deserialize)]
struct CrateShow {
    #[serde(rename = "crate")]
    krate: CrateInfo,
    /// The included versions (only the default one with `include=default_version`).
    #[serde(default)]
    versions: Option<Vec<CrateVersion>>,
}

#[derive(Debug, Deserialize)]
struct CrateInfo {
    default_version: Option<String>,
    max_version: Option<String>,
    #[serde(default)]
    trustpub_only: bool,
}

/// `GET /api/v1/crates/{name}/{version}`.
#[derive(Debug, Deserialize)]
struct VersionShow {
    version: CrateVersion,
}

#[derive(Debug, Clone, Deserialize)]
struct CrateVersion {
    num: String,
    published_by: Option<CrateUser>,
    trustpub_data: Option<TrustpubData>,
}

#[derive(Debug, Clone, Deserialize)]
struct CrateUser {
    login: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct TrustpubData {
    provider: Option<String>,
    repository: Option<String>,
}

fn crate_verdict(v: &CrateVersion) -> Verdict {
    match (&v.trustpub_data, &v.published_by) {
        (Some(tp), _) => Verdict::Trusted {
            publisher: [tp.provider.as_deref(), tp.repository.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        },
        (None, Some(user)) => Verdict::Token {
            by: user.login.clone().unwrap_or_default(),
        },
        // Neither recorded: crates.io did not say (very old versions predate `published_by`).
        (None, None) => Verdict::NoEvidence,
    }
}

/// One crate: its page with the default version included (one request), and the version's
/// own page only when the registry left it out or the cache does not know it.
pub async fn crate_release(api: &ApiClient, name: &str, cache: &ProvenanceCache) -> Release {
    let path = format!("/api/v1/crates/{}?include=default_version", segment(name));
    let show: CrateShow = match api.get(&path).await {
        Ok(resp) => match parse(Platform::Crates, &resp) {
            Ok(s) => s,
            Err(e) => return Release::failed(name, &e),
        },
        Err(e) => return Release::failed(name, &e),
    };
    let Some(version) = show
        .krate
        .default_version
        .clone()
        .or(show.krate.max_version.clone())
    else {
        return Release {
            package: name.to_string(),
            version: String::new(),
            verdict: Verdict::NoEvidence,
            trusted_only: show.krate.trustpub_only,
        };
    };
    let included = show
        .versions
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|v| v.num == version)
        .cloned();
    let verdict = match (included, cache.get(name, &version)) {
        (Some(v), _) => crate_verdict(&v),
        (None, Some(cached)) => cached,
        (None, None) => {
            let path = format!("/api/v1/crates/{}/{}", segment(name), segment(&version));
            match api.get(&path).await {
                Ok(resp) => match parse::<VersionShow>(Platform::Crates, &resp) {
                    Ok(v) => crate_verdict(&v.version),
                    Err(e) => Verdict::Failed(e.to_string()),
                },
                Err(e) => Verdict::Failed(e.to_string()),
            }
        }
    };
    cache.put(name, &version, &verdict);
    Release {
        package: name.to_string(),
        version,
        verdict,
        trusted_only: show.krate.trustpub_only,
    }
}

// ---------------------------------------------------------------- PyPI

/// `GET /pypi/{project}/json`: the latest version and its files.
#[derive(Debug, Deserialize)]
struct PypiProject {
    info: PypiInfo,
    #[serde(default)]
    urls: Vec<PypiFile>,
}

#[derive(Debug, Deserialize)]
struct PypiInfo {
    version: String,
}

#[derive(Debug, Deserialize)]
struct PypiFile {
    filename: String,
}

/// `GET /integrity/{project}/{version}/{file}/provenance` (PEP 740).
#[derive(Debug, Deserialize)]
struct PypiProvenance {
    attestation_bundles: Vec<PypiBundle>,
}

#[derive(Debug, Deserialize)]
struct PypiBundle {
    publisher: PypiPublisher,
}

#[derive(Debug, Deserialize)]
struct PypiPublisher {
    kind: String,
    repository: Option<String>,
    workflow: Option<String>,
    environment: Option<String>,
}

impl PypiPublisher {
    fn describe(&self) -> String {
        let mut s = self.kind.clone();
        if let Some(r) = self.repository.as_deref().filter(|r| !r.is_empty()) {
            s.push_str(&format!(" {r}"));
        }
        if let Some(w) = self.workflow.as_deref().filter(|w| !w.is_empty()) {
            s.push_str(&format!(", workflow {w}"));
        }
        if let Some(e) = self.environment.as_deref().filter(|e| !e.is_empty()) {
            s.push_str(&format!(", environment {e}"));
        }
        s
    }
}

/// One project's latest release: trusted when every file carries provenance from a Trusted
/// Publisher; no evidence when none does. The answer per release is cached.
pub async fn pypi_release(api: &ApiClient, name: &str, cache: &ProvenanceCache) -> Release {
    match api.get(&format!("/pypi/{}/json", segment(name))).await {
        Ok(resp) => pypi_release_from(api, name, &resp.body, cache).await,
        Err(e) => Release::failed(name, &e),
    }
}

/// [`pypi_release`] from a project answer already fetched (the owner check asks for it too).
pub async fn pypi_release_from(
    api: &ApiClient,
    name: &str,
    body: &[u8],
    cache: &ProvenanceCache,
) -> Release {
    let project: PypiProject = match super::parse_body(Platform::Pypi, &api.host(), body) {
        Ok(p) => p,
        Err(e) => return Release::failed(name, &e),
    };
    let version = project.info.version;
    if let Some(cached) = cache.get(name, &version) {
        return Release {
            package: name.to_string(),
            version,
            verdict: cached,
            trusted_only: false,
        };
    }
    let mut publishers: Vec<String> = Vec::new();
    let mut without = 0usize;
    let mut failure = None;
    for file in &project.urls {
        let path = format!(
            "/integrity/{}/{}/{}/provenance",
            segment(name),
            segment(&version),
            segment(&file.filename)
        );
        match api
            .get_with(
                &path,
                &[("accept", "application/vnd.pypi.integrity.v1+json")],
            )
            .await
        {
            Ok(resp) => match parse::<PypiProvenance>(Platform::Pypi, &resp) {
                Ok(p) => {
                    for b in p.attestation_bundles {
                        let d = b.publisher.describe();
                        if !publishers.contains(&d) {
                            publishers.push(d);
                        }
                    }
                }
                Err(e) => failure = Some(e.to_string()),
            },
            Err(HttpError::NotFound { .. }) => without += 1,
            Err(e) => failure = Some(e.to_string()),
        }
    }
    let verdict = match failure {
        Some(why) => Verdict::Failed(why),
        None if project.urls.is_empty() => Verdict::NoEvidence,
        None if without == 0 && !publishers.is_empty() => Verdict::Trusted {
            publisher: publishers.join("; "),
        },
        // Some files attested and some not: still no proof the release came only from CI.
        None => Verdict::NoEvidence,
    };
    cache.put(name, &version, &verdict);
    Release {
        package: name.to_string(),
        version,
        verdict,
        trusted_only: false,
    }
}

// ---------------------------------------------------------------- RubyGems

#[derive(Debug, Deserialize)]
struct GemLatest {
    version: String,
}

/// One gem's latest release: the version (from the owner's gem list when it has one, else
/// `versions/{gem}/latest.json`), then its attestations.
pub async fn gem_release(
    api: &ApiClient,
    name: &str,
    known_version: Option<String>,
    cache: &ProvenanceCache,
) -> Release {
    let version = match known_version {
        Some(v) => v,
        None => match api
            .get(&format!("/api/v1/versions/{}/latest.json", segment(name)))
            .await
        {
            Ok(resp) => match parse::<GemLatest>(Platform::Rubygems, &resp) {
                Ok(l) => l.version,
                Err(e) => return Release::failed(name, &e),
            },
            Err(e) => return Release::failed(name, &e),
        },
    };
    if let Some(cached) = cache.get(name, &version) {
        return Release {
            package: name.to_string(),
            version,
            verdict: cached,
            trusted_only: false,
        };
    }
    let path = format!(
        "/api/v1/attestations/{}-{}.json",
        segment(name),
        segment(&version)
    );
    let verdict = match api.get(&path).await {
        Ok(resp) => match parse::<Vec<serde::de::IgnoredAny>>(Platform::Rubygems, &resp) {
            Ok(list) if list.is_empty() => Verdict::NoEvidence,
            Ok(list) => Verdict::Trusted {
                publisher: format!(
                    "{} sigstore attestation{} (only a trusted publisher can push them)",
                    list.len(),
                    if list.len() == 1 { "" } else { "s" }
                ),
            },
            Err(e) => Verdict::Failed(e.to_string()),
        },
        Err(e) => Verdict::Failed(e.to_string()),
    };
    cache.put(name, &version, &verdict);
    Release {
        package: name.to_string(),
        version,
        verdict,
        trusted_only: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(p: &str, v: Verdict) -> Release {
        Release {
            package: p.into(),
            version: "1.0.0".into(),
            verdict: v,
            trusted_only: false,
        }
    }

    #[test]
    fn tokens_warn_and_are_listed_first() {
        let r = judge(
            crate::live::npm::TRUSTED,
            &NPM,
            "npm user foo",
            vec![
                rel(
                    "a",
                    Verdict::Trusted {
                        publisher: "github".into(),
                    },
                ),
                rel("b", Verdict::Token { by: "foo".into() }),
            ],
        );
        assert_eq!(r.status, Status::Warn);
        assert!(
            r.evidence[0].starts_with("b 1.0.0: published with a long-lived token by foo"),
            "{:?}",
            r.evidence
        );
        assert!(r.remediation[0].contains("https://docs.npmjs.com/trusted-publishers"));
        assert_eq!(
            r.observed.publishing.get("b").map(String::as_str),
            Some("token")
        );
        // The same findings, one row per package, worst first.
        assert_eq!(r.subjects.len(), 2);
        assert_eq!(
            (r.subjects[0].name.as_str(), r.subjects[0].status),
            ("b", Status::Warn)
        );
        assert_eq!(r.subjects[0].location.as_deref(), Some("version 1.0.0"));
        assert!(
            r.subjects[0].detail.contains("long-lived token by foo"),
            "{:?}",
            r.subjects[0]
        );
        assert!(r.subjects[0].fix.is_some());
        assert_eq!(
            (r.subjects[1].name.as_str(), r.subjects[1].status),
            ("a", Status::Pass)
        );
    }

    #[test]
    fn all_trusted_passes_and_nothing_is_skipped() {
        let r = judge(
            crate::live::crates::TRUSTED,
            &CRATES,
            "x",
            vec![rel(
                "a",
                Verdict::Trusted {
                    publisher: "github o/r".into(),
                },
            )],
        );
        assert_eq!(r.status, Status::Pass);
        assert!(r.remediation.is_empty());
        assert_eq!(
            judge(crate::live::crates::TRUSTED, &CRATES, "x", vec![]).status,
            Status::Skipped
        );
    }

    #[test]
    fn rubygems_silence_is_unknown_but_pypi_silence_warns() {
        let none = || vec![rel("a", Verdict::NoEvidence)];
        assert_eq!(
            judge(crate::live::rubygems::TRUSTED, &RUBYGEMS, "x", none()).status,
            Status::Unknown
        );
        let p = judge(crate::live::pypi::TRUSTED, &PYPI, "x", none());
        assert_eq!(p.status, Status::Warn);
        assert!(
            p.evidence[0].contains("no evidence of trusted publishing"),
            "{:?}",
            p.evidence
        );
        assert!(
            !p.summary.contains("published with a long-lived token"),
            "{}",
            p.summary
        );
        // Per package the same: PyPI's silence is worth a look (with a fix), RubyGems' unknown.
        assert_eq!(p.subjects[0].status, Status::Warn);
        assert!(p.subjects[0].fix.is_some());
        let g = judge(crate::live::rubygems::TRUSTED, &RUBYGEMS, "x", none());
        assert_eq!(g.subjects[0].status, Status::Unknown);
        assert_eq!(
            g.subjects[0].fix, None,
            "nothing to fix that the registry can show"
        );
    }

    #[test]
    fn a_failed_lookup_is_unknown_never_a_warning() {
        let r = judge(
            crate::live::crates::TRUSTED,
            &CRATES,
            "x",
            vec![
                rel(
                    "a",
                    Verdict::Trusted {
                        publisher: "p".into(),
                    },
                ),
                rel("b", Verdict::Failed("timeout".into())),
            ],
        );
        assert_eq!(r.status, Status::Unknown);
        assert!(!r.observed.publishing.contains_key("b"));
        assert_eq!(
            (r.subjects[0].name.as_str(), r.subjects[0].status),
            ("b", Status::Unknown),
            "the lookup that failed is unknown, listed before the good one"
        );
        assert!(r.subjects[0].detail.contains("timeout"));
    }

    #[test]
    fn npm_packument_shapes() {
        let trusted = br#"{"dist-tags":{"latest":"2.0.0"},"versions":{"2.0.0":{"_npmUser":{"name":"GitHub Actions","trustedPublisher":{"id":"github","oidcConfigId":"oidc:x"}},"dist":{"attestations":{"url":"u","provenance":{"predicateType":"https://slsa.dev/provenance/v1"}}}}}}"#;
        assert!(matches!(
            npm_release("a", "h", trusted).verdict,
            Verdict::Trusted { .. }
        ));
        let prov = br#"{"dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"_npmUser":{"name":"foo"},"dist":{"attestations":{"url":"u","provenance":{"predicateType":"p"}}}}}}"#;
        assert!(matches!(
            npm_release("a", "h", prov).verdict,
            Verdict::Provenance { .. }
        ));
        let token = br#"{"dist-tags":{"latest":"1.0.0"},"versions":{"1.0.0":{"_npmUser":{"name":"foo"},"dist":{}}}}"#;
        assert_eq!(
            npm_release("a", "h", token).verdict,
            Verdict::Token { by: "foo".into() }
        );
        let broken = br#"{"dist-tags":{"latest":"9.9.9"},"versions":{}}"#;
        assert!(matches!(
            npm_release("a", "h", broken).verdict,
            Verdict::Failed(_)
        ));
    }

    #[test]
    fn ranks_order_trusted_above_token_and_ignore_unknown() {
        assert!(rank("trusted") > rank("token"));
        assert!(rank("provenance") > rank("no_evidence"));
        assert_eq!(rank("unknown"), None);
    }
}
