//! `github.release_pipeline`: for every repository the user administers whose workflows
//! publish a package, is the path from a pull request to a published release guarded?
//!
//! Per publishing repository: (1) CODEOWNERS exists, has no errors GitHub reports, and owns the
//! publishing workflows; (2) the default branch requires code-owner review (rulesets or classic
//! protection); (3) the publishing job's environment has reviewers or a branch/tag policy;
//! (4) the default `GITHUB_TOKEN` is read-only and `id-token: write` is only on the publishing
//! job; (5) third-party actions are pinned to a commit SHA; (6) no `pull_request_target` or
//! `workflow_run` trigger. Missing 1 or 2 fails (anyone with write access can change what
//! gets published); 3–6 warn. Read-only requests only.

use super::codeowners::{CodeOwners, LOCATIONS};
use super::workflow::{analyse, FindingKind, WorkflowReport};
use super::{parse, segment, CONCURRENCY};
use crate::check::{count, CheckResult, Status, Subject};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::http::{ApiClient, HttpError};
use crate::platform::{Group, Platform};
use futures::stream::{self, StreamExt};
use serde::Deserialize;

pub const ID: &CheckSpec = &CheckSpec {
    id: "github.release_pipeline",
    group: Group::Account(Platform::Github),
    title: "The workflows that publish your packages are guarded",
    least_scope: "fine-grained (read-only): \"Contents: read\", \"Metadata: read\", \"Actions: read\" (workflow list), \"Administration: read\" (branch protection, Actions settings) and \"Environments: read\" on the repositories that publish; classic: `repo`, which is read-write, so prefer fine-grained (a classic token without `repo` sees public repositories' files but not their protection or Actions settings)",
    token: TokenNeed::Required(Platform::Github),
};

/// Workflow files read per repository at most (bounds a run against odd repositories).
const MAX_WORKFLOWS: usize = 50;

/// One entry of `GET /user/repos`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct Repo {
    full_name: String,
    default_branch: Option<String>,
    #[serde(default)]
    archived: bool,
    permissions: Option<RepoPermissions>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct RepoPermissions {
    #[serde(default)]
    admin: bool,
}

/// `GET /repos/{o}/{r}/actions/workflows`.
#[derive(Debug, Deserialize)]
struct WorkflowList {
    workflows: Vec<WorkflowEntry>,
}

#[derive(Debug, Deserialize)]
struct WorkflowEntry {
    path: String,
}

/// `GET /repos/{o}/{r}/codeowners/errors`.
#[derive(Debug, Deserialize)]
struct CodeownersErrors {
    errors: Vec<CodeownersError>,
}

#[derive(Debug, Deserialize)]
struct CodeownersError {
    line: Option<u64>,
    kind: Option<String>,
    path: Option<String>,
}

/// One rule of `GET /repos/{o}/{r}/rules/branches/{branch}`.
#[derive(Debug, Deserialize)]
struct BranchRule {
    #[serde(rename = "type")]
    kind: String,
    parameters: Option<serde_json::Value>,
}

/// `GET /repos/{o}/{r}/branches/{branch}/protection`, the part read here.
#[derive(Debug, Deserialize)]
struct Protection {
    required_pull_request_reviews: Option<PullRequestReviews>,
}

#[derive(Debug, Deserialize)]
struct PullRequestReviews {
    #[serde(default)]
    require_code_owner_reviews: bool,
}

/// `GET /repos/{o}/{r}/environments/{name}`.
#[derive(Debug, Deserialize)]
struct Environment {
    #[serde(default)]
    protection_rules: Vec<ProtectionRule>,
    deployment_branch_policy: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct ProtectionRule {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    reviewers: Vec<serde_json::Value>,
}

/// `GET /repos/{o}/{r}/actions/permissions/workflow`.
#[derive(Debug, Deserialize)]
struct WorkflowPermissions {
    default_workflow_permissions: String,
}

/// How bad one finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Fail,
    Warn,
    Unknown,
}

impl Level {
    fn status(self) -> Status {
        match self {
            Level::Fail => Status::Fail,
            Level::Warn => Status::Warn,
            Level::Unknown => Status::Unknown,
        }
    }
}

/// One finding: repository, file and line, what is wrong, and the fix (after "; fix: ").
#[derive(Debug, Clone, PartialEq, Eq)]
struct Issue {
    level: Level,
    repo: String,
    /// `path:line`, a file, or empty for the repository as a whole.
    location: String,
    text: String,
}

impl Issue {
    /// The evidence line: `owner/repo path:line: what; fix: ...`.
    fn line(&self) -> String {
        if self.location.is_empty() {
            format!("{}: {}", self.repo, self.text)
        } else {
            format!("{} {}: {}", self.repo, self.location, self.text)
        }
    }

    /// The same finding as a row of the Checks screen, the fix apart.
    fn subject(&self) -> Subject {
        let (detail, fix) = self
            .text
            .split_once("; fix: ")
            .unwrap_or((self.text.as_str(), ""));
        Subject::new(&self.repo, self.level.status(), detail)
            .at(self.location.clone())
            .fix(fix)
    }
}

/// What one repository came to.
#[derive(Debug, Default)]
struct RepoOutcome {
    publishes: bool,
    issues: Vec<Issue>,
    /// Registries its workflows publish to, for the summary line.
    registries: Vec<&'static str>,
}

impl RepoOutcome {
    fn unknown(repo: &str, what: &str, err: &HttpError) -> Self {
        RepoOutcome {
            publishes: false,
            issues: vec![Issue {
                level: Level::Unknown,
                repo: repo.to_string(),
                location: String::new(),
                text: format!("could not read {what}: {err}"),
            }],
            registries: Vec::new(),
        }
    }
}

/// Fetches a file's raw text; `Ok(None)` when it does not exist.
async fn raw_file(
    api: &ApiClient,
    repo: &str,
    path: &str,
    branch: &str,
) -> Result<Option<String>, HttpError> {
    let encoded: Vec<String> = path.split('/').map(segment).collect();
    let url = format!(
        "/repos/{repo}/contents/{}?ref={}",
        encoded.join("/"),
        segment(branch)
    );
    match api
        .get_with(&url, &[("accept", "application/vnd.github.raw+json")])
        .await
    {
        Ok(resp) => Ok(Some(String::from_utf8_lossy(&resp.body).into_owned())),
        Err(HttpError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

async fn get_json<T: serde::de::DeserializeOwned>(
    api: &ApiClient,
    path: &str,
) -> Result<T, HttpError> {
    let resp = api.get(path).await?;
    parse(Platform::Github, &resp)
}

/// The fix for each workflow finding, worded for the evidence line.
fn finding_text(kind: &FindingKind, detail: &str) -> (Level, String) {
    match kind {
        FindingKind::WriteAll => (Level::Warn, format!("{detail} gives every job write access to the repository; fix: set `permissions: contents: read` at the top and grant more only to the job that needs it")),
        FindingKind::IdTokenWorkflowWide => (Level::Warn, "`id-token: write` is granted to every job; fix: move it from the workflow's `permissions:` to the publishing job's".to_string()),
        FindingKind::IdTokenOnOtherJob => (Level::Warn, format!("`id-token: write` on {detail}, which does not publish; fix: remove it there and keep it only on the publishing job")),
        FindingKind::Unpinned => (Level::Warn, format!("`{detail}` is not pinned to a commit; fix: use the full 40-character commit SHA (keep the tag as a comment), so a moved tag cannot change what runs")),
        FindingKind::UntrustedTrigger => (Level::Warn, format!("the `{detail}` trigger runs with this repository's secrets on code it did not review; fix: publish from `push` of a tag or `release`, and never check out or run pull-request code in this workflow")),
        FindingKind::NoEnvironment => (Level::Warn, format!("{detail} publishes without an environment; fix: add `environment: release` (or similar) with required reviewers, and name it in the registry's trusted-publisher settings")),
        FindingKind::NoPermissions => (Level::Warn, "no `permissions:` key, so jobs get the repository's default token permissions; fix: add `permissions: contents: read` at the top".to_string()),
    }
}

/// Checks one repository. Only repositories whose workflows publish are judged further.
async fn check_repo(api: &ApiClient, repo: &Repo) -> RepoOutcome {
    let name = repo.full_name.as_str();
    let branch = repo.default_branch.clone().unwrap_or_else(|| "main".into());
    let list: WorkflowList = match get_json(
        api,
        &format!("/repos/{name}/actions/workflows?per_page=100"),
    )
    .await
    {
        Ok(l) => l,
        Err(HttpError::NotFound { .. }) => return RepoOutcome::default(),
        Err(e) => return RepoOutcome::unknown(name, "its workflows", &e),
    };
    let mut reports: Vec<(String, WorkflowReport)> = Vec::new();
    let mut out = RepoOutcome::default();
    for wf in list
        .workflows
        .iter()
        .filter(|w| w.path.starts_with(".github/workflows/"))
        .take(MAX_WORKFLOWS)
    {
        match raw_file(api, name, &wf.path, &branch).await {
            Ok(Some(text)) => match analyse(&text) {
                Ok(r) if r.publishes() => reports.push((wf.path.clone(), r)),
                Ok(_) => {}
                Err(e) => out.issues.push(Issue {
                    level: Level::Unknown,
                    repo: name.to_string(),
                    location: wf.path.clone(),
                    text: format!("could not read the workflow: {e}"),
                }),
            },
            Ok(None) => {}
            Err(e) => out.issues.push(Issue {
                level: Level::Unknown,
                repo: name.to_string(),
                location: wf.path.clone(),
                text: format!("could not read the workflow: {e}"),
            }),
        }
    }
    if reports.is_empty() {
        // Not a publishing repository: unreadable workflows only matter if none could be read.
        if out.issues.is_empty() {
            return RepoOutcome::default();
        }
        return out;
    }
    out.publishes = true;
    for (_, r) in &reports {
        for p in &r.publishes {
            let reg = p.registry.display_name();
            if !out.registries.contains(&reg) {
                out.registries.push(reg);
            }
        }
    }

    // (1) CODEOWNERS: found where GitHub looks, valid, and owning the publishing workflows.
    let mut codeowners = None;
    for loc in LOCATIONS {
        match raw_file(api, name, loc, &branch).await {
            Ok(Some(text)) => {
                codeowners = Some((loc, CodeOwners::parse(&text)));
                break;
            }
            Ok(None) => {}
            Err(e) => {
                out.issues.push(Issue {
                    level: Level::Unknown,
                    repo: name.to_string(),
                    location: String::new(),
                    text: format!("could not read {loc}: {e}"),
                });
                break;
            }
        }
    }
    match &codeowners {
        None if !out.issues.iter().any(|i| i.text.contains("CODEOWNERS")) => out.issues.push(Issue {
            level: Level::Fail,
            repo: name.to_string(), location: String::new(), text: format!("no CODEOWNERS file, so anyone with write access can change the publishing workflow unreviewed; fix: add `.github/CODEOWNERS` with the line `/.github/workflows/ @you` (a user or team that must review) and require code-owner review on {branch}"),
        }),
        None => {}
        Some((loc, co)) => {
            for (path, _) in &reports {
                let owners = co.owners_of(path);
                if owners.is_empty() {
                    let why = match co.rule_for(path) {
                        Some(rule) => format!("line {} (`{}`) leaves it without owners", rule.line, rule.pattern),
                        None => "no line matches it".to_string(),
                    };
                    out.issues.push(Issue {
                        level: Level::Fail,
                        repo: name.to_string(),
                        location: loc.to_string(),
                        text: format!("{path} has no code owner ({why}); fix: add `/.github/workflows/ @you` as the file's last line"),
                    });
                }
            }
            match get_json::<CodeownersErrors>(api, &format!("/repos/{name}/codeowners/errors?ref={}", segment(&branch))).await {
                Ok(errs) if !errs.errors.is_empty() => {
                    for e in errs.errors.iter().take(5) {
                        out.issues.push(Issue {
                            level: Level::Warn,
                            repo: name.to_string(),
                            location: format!("{}:{}", e.path.as_deref().unwrap_or(loc), e.line.unwrap_or(0)),
                            text: format!(
                                "GitHub reports \"{}\" in CODEOWNERS, and ignores that line; fix: correct it (GitHub shows the error when you open the file)",
                                e.kind.as_deref().unwrap_or("an error")
                            ),
                        });
                    }
                }
                Ok(_) => {}
                Err(e) => out.issues.push(Issue {
                    level: Level::Unknown,
                    repo: name.to_string(), location: String::new(), text: format!("could not ask GitHub whether CODEOWNERS has errors: {e}"),
                }),
            }
        }
    }

    // (2) Code-owner review on the default branch: rulesets, then classic protection.
    let mut review = false;
    let mut unseen = Vec::new();
    match get_json::<Vec<BranchRule>>(
        api,
        &format!("/repos/{name}/rules/branches/{}", segment(&branch)),
    )
    .await
    {
        Ok(rules) => {
            review |= rules.iter().any(|r| {
                r.kind == "pull_request"
                    && r.parameters
                        .as_ref()
                        .and_then(|p| p.get("require_code_owner_review"))
                        .and_then(serde_json::Value::as_bool)
                        .unwrap_or(false)
            })
        }
        Err(e) => unseen.push(format!("rulesets ({e})")),
    }
    if !review {
        match get_json::<Protection>(
            api,
            &format!("/repos/{name}/branches/{}/protection", segment(&branch)),
        )
        .await
        {
            Ok(p) => {
                review |= p
                    .required_pull_request_reviews
                    .is_some_and(|r| r.require_code_owner_reviews)
            }
            Err(HttpError::NotFound { .. }) => {}
            Err(e) => unseen.push(format!("branch protection ({e})")),
        }
    }
    if !review {
        if unseen.is_empty() {
            out.issues.push(Issue {
                level: Level::Fail,
                repo: name.to_string(), location: String::new(), text: format!("the default branch {branch} does not require review from code owners, so a change to the publishing workflow can merge unreviewed; fix: Settings → Rules → Rulesets (or Branches) → require a pull request with \"Require review from Code Owners\" for {branch}"),
            });
        } else {
            out.issues.push(Issue {
                level: Level::Unknown,
                repo: name.to_string(), location: String::new(), text: format!("could not see whether {branch} requires code-owner review: {}. A fine-grained token needs \"Administration: read\" on this repository", unseen.join("; ")),
            });
        }
    }

    // (4) The default token, once per repository.
    let mut default_write = false;
    match get_json::<WorkflowPermissions>(
        api,
        &format!("/repos/{name}/actions/permissions/workflow"),
    )
    .await
    {
        Ok(p) if p.default_workflow_permissions == "write" => {
            default_write = true;
            out.issues.push(Issue {
                level: Level::Warn,
                repo: name.to_string(), location: String::new(), text: "the default GITHUB_TOKEN can write to the repository; fix: Settings → Actions → General → Workflow permissions → \"Read repository contents and packages permissions\"".to_string(),
            });
        }
        Ok(_) => {}
        Err(e) => out.issues.push(Issue {
            level: Level::Unknown,
            repo: name.to_string(),
            location: String::new(),
            text: format!("could not read the default workflow token permissions: {e}"),
        }),
    }

    // (3)–(6) per publishing workflow, with the line each is about.
    for (path, r) in &reports {
        for f in &r.findings {
            // "No permissions key" only matters when the default token can write.
            if f.kind == FindingKind::NoPermissions && !default_write {
                continue;
            }
            let (level, what) = finding_text(&f.kind, &f.detail);
            out.issues.push(Issue {
                level,
                repo: name.to_string(),
                location: format!("{path}:{}", f.line),
                text: what,
            });
        }
        for p in r.publishes.iter().filter(|p| p.uses_secret) {
            out.issues.push(Issue {
                level: Level::Warn,
                repo: name.to_string(),
                location: format!("{path}:{}", p.line),
                text: format!("publishes to {} with a stored secret; fix: set up trusted publishing on {} and remove the secret", p.registry.display_name(), p.registry.display_name()),
            });
        }
        for (env, line) in &r.environments {
            match get_json::<Environment>(api, &format!("/repos/{name}/environments/{}", segment(env))).await {
                Ok(e) => {
                    let reviewers = e
                        .protection_rules
                        .iter()
                        .any(|r| r.kind == "required_reviewers" && !r.reviewers.is_empty());
                    let policy = e.deployment_branch_policy.as_ref().is_some_and(|p| !p.is_null());
                    if !reviewers && !policy {
                        out.issues.push(Issue {
                            level: Level::Warn,
                            repo: name.to_string(), location: format!("{path}:{line}"), text: format!("the environment `{env}` has no required reviewers and no deployment branch or tag rule; fix: Settings → Environments → {env} → add required reviewers, or allow only protected tags"),
                        });
                    }
                }
                Err(HttpError::NotFound { .. }) => out.issues.push(Issue {
                    level: Level::Warn,
                    repo: name.to_string(), location: format!("{path}:{line}"), text: format!("the environment `{env}` has no protection rules (GitHub creates it bare on first use); fix: Settings → Environments → {env} → add required reviewers, or allow only protected tags"),
                }),
                Err(e) => out.issues.push(Issue {
                    level: Level::Unknown,
                    repo: name.to_string(), location: format!("{path}:{line}"), text: format!("could not read the environment `{env}`: {e}"),
                }),
            }
        }
    }
    out
}

/// Runs the check over the user's administered repositories; `progress(done, total)` after
/// each repository.
pub(crate) async fn check(
    api: &ApiClient,
    repos: Result<Vec<Repo>, HttpError>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> CheckResult {
    let repos = match repos {
        Ok(r) => r,
        Err(e) => return super::unknown_from(ID, &e, &super::least_scope_hint(ID)),
    };
    let admin: Vec<Repo> = repos
        .into_iter()
        .filter(|r| !r.archived && r.permissions.as_ref().is_some_and(|p| p.admin))
        .collect();
    if admin.is_empty() {
        return CheckResult::skipped(ID, "The token sees no repository you administer. A fine-grained token only sees the repositories it was given: include the ones whose workflows publish.");
    }
    let total = admin.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let done = &done;
    let outcomes: Vec<(String, RepoOutcome)> =
        stream::iter(admin.into_iter().map(|r| async move {
            let o = check_repo(api, &r).await;
            progress(
                done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1,
                total,
            );
            (r.full_name, o)
        }))
        .buffered(CONCURRENCY / 2)
        .collect()
        .await;
    let publishing: Vec<&(String, RepoOutcome)> =
        outcomes.iter().filter(|(_, o)| o.publishes).collect();
    let mut issues: Vec<Issue> = outcomes
        .iter()
        .flat_map(|(_, o)| o.issues.clone())
        .collect();
    issues.sort_by_key(|i| i.level);
    if publishing.is_empty() {
        if issues.is_empty() {
            return CheckResult::skipped(
                ID,
                format!("None of the {} you administer has a workflow that publishes to npm, PyPI, crates.io or RubyGems.", count(total, "repository", "repositories")),
            );
        }
        return CheckResult::unknown(
            ID,
            format!(
                "Could not read the workflows of {}; the token may not reach them.",
                count(issues.len(), "repository", "repositories")
            ),
        )
        .with_evidence(issues.iter().map(Issue::line))
        .with_subjects(issues.iter().map(Issue::subject));
    }
    let status = issues
        .iter()
        .map(|i| i.level.status())
        .fold(Status::Pass, Status::worst);
    let fails = issues.iter().filter(|i| i.level == Level::Fail).count();
    let warns = issues.iter().filter(|i| i.level == Level::Warn).count();
    let names: Vec<String> = publishing
        .iter()
        .map(|(n, o)| format!("{n} ({})", o.registries.join(", ")))
        .collect();
    let summary = match status {
        Status::Fail => format!("{} of {} can change what gets published without a code owner's review. Looked at {}.", count(fails, "problem", "problems"), count(publishing.len(), "publishing repository", "publishing repositories"), names.join(", ")),
        Status::Warn => format!("{} in the release workflows of {}. Looked at {}.", count(warns, "weakness", "weaknesses"), count(publishing.len(), "publishing repository", "publishing repositories"), names.join(", ")),
        Status::Unknown => format!("Some of the release pipeline could not be seen; what could be seen is guarded. Looked at {}.", names.join(", ")),
        _ => format!("Every publishing workflow is owned by code owners, reviewed, and guarded. Looked at {}.", names.join(", ")),
    };
    let mut evidence: Vec<String> = issues.iter().map(Issue::line).collect();
    let mut subjects: Vec<Subject> = issues.iter().map(Issue::subject).collect();
    const GUARDED: &str =
        "guarded (code owners, code-owner review, environment, pinned actions, read-only token)";
    for (n, o) in &publishing {
        if o.issues.is_empty() {
            evidence.push(format!("{n}: {GUARDED}"));
            subjects.push(Subject::new(n.as_str(), Status::Pass, GUARDED));
        }
    }
    let mut remediation = Vec::new();
    if status == Status::Fail || status == Status::Warn {
        remediation.push("Each line above names the repository, the file and line, and the fix. Start with CODEOWNERS and code-owner review: without them anyone with write access can change what gets published.".to_string());
        remediation.push("GitHub's guide: https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions".to_string());
    }
    CheckResult::new(ID, status, summary)
        .with_evidence(evidence)
        .with_remediation(remediation)
        .with_subjects(subjects)
}

/// The repositories the token can see, with the user's permissions on each.
pub(crate) async fn user_repos(api: &ApiClient) -> Result<Vec<Repo>, HttpError> {
    super::github::get_all(
        api,
        "/user/repos?per_page=100&affiliation=owner,organization_member",
    )
    .await
}
