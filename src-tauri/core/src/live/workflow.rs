//! A GitHub Actions workflow file, read for what matters to a release: does it publish to
//! npm, PyPI, crates.io or RubyGems, and is the publishing path guarded (token permissions,
//! pinned actions, no untrusted triggers, an environment)? Every finding carries the line it
//! is about. Pure: text in, findings out.
//! Workflow syntax: <https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-syntax>

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A registry a workflow can publish to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Registry {
    Npm,
    Pypi,
    Crates,
    Rubygems,
}

impl Registry {
    pub fn display_name(self) -> &'static str {
        match self {
            Registry::Npm => "npm",
            Registry::Pypi => "PyPI",
            Registry::Crates => "crates.io",
            Registry::Rubygems => "RubyGems",
        }
    }
}

/// A step (or reusable-workflow call) that uploads a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishStep {
    pub registry: Registry,
    pub job: String,
    pub line: usize,
    /// What was recognised: the action or the command.
    pub how: String,
    /// The step passes a repository secret (a long-lived token) to the upload.
    pub uses_secret: bool,
}

/// What is wrong, with the fix the UI shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// `permissions: write-all` (workflow or job).
    WriteAll,
    /// `id-token: write` for the whole workflow rather than the publishing job.
    IdTokenWorkflowWide,
    /// `id-token: write` on a job that does not publish.
    IdTokenOnOtherJob,
    /// A third-party action referenced by tag or branch rather than a full commit SHA.
    Unpinned,
    /// `pull_request_target` or `workflow_run` in a publishing workflow.
    UntrustedTrigger,
    /// The publishing job names no environment, so no reviewer or branch rule can guard it.
    NoEnvironment,
    /// No `permissions:` anywhere: the jobs get the repository's default token permissions.
    NoPermissions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub line: usize,
    /// What was seen, e.g. the action reference or the trigger.
    pub detail: String,
}

/// One workflow file, analysed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowReport {
    pub publishes: Vec<PublishStep>,
    pub findings: Vec<Finding>,
    /// Environments named by publishing jobs, with the job's line.
    pub environments: Vec<(String, usize)>,
}

impl WorkflowReport {
    pub fn publishes(&self) -> bool {
        !self.publishes.is_empty()
    }
}

/// The file could not be read as YAML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not valid YAML (line {line}): {message}")]
pub struct WorkflowError {
    pub line: usize,
    pub message: String,
}

/// A YAML node with the line it starts on (1-based).
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Scalar(String, usize),
    Seq(Vec<Node>, usize),
    Map(Vec<(Node, Node)>, usize),
}

impl Node {
    fn line(&self) -> usize {
        match self {
            Node::Scalar(_, l) | Node::Seq(_, l) | Node::Map(_, l) => *l,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Node::Scalar(s, _) => Some(s),
            _ => None,
        }
    }
    fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }
    /// The key node too, for its line.
    fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        match self {
            Node::Map(entries, _) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }
    fn entries(&self) -> &[(Node, Node)] {
        match self {
            Node::Map(e, _) => e,
            _ => &[],
        }
    }
    fn items(&self) -> &[Node] {
        match self {
            Node::Seq(i, _) => i,
            _ => &[],
        }
    }
    /// Every scalar below this node (for "does this step pass a secret").
    fn scalars<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Node::Scalar(s, _) => out.push(s),
            Node::Seq(items, _) => items.iter().for_each(|n| n.scalars(out)),
            Node::Map(entries, _) => entries.iter().for_each(|(k, v)| {
                k.scalars(out);
                v.scalars(out);
            }),
        }
    }
}

/// Builds [`Node`]s from the parser's marked events.
#[derive(Default)]
struct Builder {
    stack: Vec<(Node, Option<Node>)>,
    root: Option<Node>,
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some((Node::Seq(items, _), _)) => items.push(node),
            Some((Node::Map(entries, _), pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push((key, node)),
            },
            Some((Node::Scalar(..), _)) => {}
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::Scalar(s, ..) => self.push_value(Node::Scalar(s, line)),
            // Aliases are rare in workflows; an unresolved alias reads as an empty value.
            Event::Alias(_) => self.push_value(Node::Scalar(String::new(), line)),
            Event::SequenceStart(..) => self.stack.push((Node::Seq(Vec::new(), line), None)),
            Event::MappingStart(..) => self.stack.push((Node::Map(Vec::new(), line), None)),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, _)) = self.stack.pop() {
                    self.push_value(node);
                }
            }
            _ => {}
        }
    }
}

fn parse_yaml(text: &str) -> Result<Option<Node>, WorkflowError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|e| WorkflowError {
            line: e.marker().line(),
            message: e.info().to_string(),
        })?;
    Ok(builder.root)
}

/// Actions that upload a package, by `owner/name` (lower case).
const PUBLISH_ACTIONS: &[(&str, Registry)] = &[
    ("pypa/gh-action-pypi-publish", Registry::Pypi),
    ("rubygems/release-gem", Registry::Rubygems),
    (
        "rubygems/configure-rubygems-credentials",
        Registry::Rubygems,
    ),
    ("js-devtools/npm-publish", Registry::Npm),
    ("changesets/action", Registry::Npm),
    ("rust-lang/crates-io-auth-action", Registry::Crates),
    ("katyo/publish-crates", Registry::Crates),
];

/// Commands that upload a package, matched word by word in `run:` scripts.
const PUBLISH_COMMANDS: &[(&[&str], Registry)] = &[
    (&["npm", "publish"], Registry::Npm),
    (&["pnpm", "publish"], Registry::Npm),
    (&["yarn", "publish"], Registry::Npm),
    (&["yarn", "npm", "publish"], Registry::Npm),
    (&["cargo", "publish"], Registry::Crates),
    (&["gem", "push"], Registry::Rubygems),
    (&["rake", "release"], Registry::Rubygems),
    (&["twine", "upload"], Registry::Pypi),
    (&["uv", "publish"], Registry::Pypi),
    (&["poetry", "publish"], Registry::Pypi),
    (&["flit", "publish"], Registry::Pypi),
    (&["hatch", "publish"], Registry::Pypi),
    (&["pdm", "publish"], Registry::Pypi),
];

/// Owners whose actions are GitHub's own: not "third-party" for the pinning rule.
const FIRST_PARTY: &[&str] = &["actions", "github"];

/// Analyses one workflow file's text.
pub fn analyse(text: &str) -> Result<WorkflowReport, WorkflowError> {
    let Some(root) = parse_yaml(text)? else {
        return Ok(WorkflowReport::default());
    };
    let mut report = WorkflowReport::default();
    let jobs = root.get("jobs");

    // Which jobs publish, and how.
    for (job_key, job) in jobs.map(Node::entries).unwrap_or_default() {
        let job_id = job_key.as_str().unwrap_or_default().to_string();
        let job_secrets = passes_secret(job.get("env"));
        for step in job.get("steps").map(Node::items).unwrap_or_default() {
            if let Some(p) = publish_step(step, &job_id, job_secrets) {
                report.publishes.push(p);
            }
        }
    }
    if !report.publishes() {
        return Ok(report);
    }
    let publishing_jobs: Vec<&str> = report.publishes.iter().map(|p| p.job.as_str()).collect();

    // Triggers that run with the base repository's secrets on someone else's code.
    if let Some(on) = root.get("on") {
        let mut triggers: Vec<(&str, usize)> = Vec::new();
        match on {
            Node::Scalar(s, l) => triggers.push((s, *l)),
            Node::Seq(items, _) => triggers.extend(
                items
                    .iter()
                    .filter_map(|n| n.as_str().map(|s| (s, n.line()))),
            ),
            Node::Map(entries, _) => triggers.extend(
                entries
                    .iter()
                    .filter_map(|(k, _)| k.as_str().map(|s| (s, k.line()))),
            ),
        }
        for (t, line) in triggers {
            if t == "pull_request_target" || t == "workflow_run" {
                report.findings.push(Finding {
                    kind: FindingKind::UntrustedTrigger,
                    line,
                    detail: t.to_string(),
                });
            }
        }
    }

    // Token permissions: workflow level, then each job.
    let top = root.entry("permissions");
    let mut any_permissions = top.is_some();
    if let Some((key, perms)) = top {
        if is_write_all(perms) {
            report.findings.push(Finding {
                kind: FindingKind::WriteAll,
                line: key.line(),
                detail: "permissions: write-all".into(),
            });
        }
        if let Some(line) = id_token_write(perms) {
            report.findings.push(Finding {
                kind: FindingKind::IdTokenWorkflowWide,
                line,
                detail: "id-token: write".into(),
            });
        }
    }
    for (job_key, job) in jobs.map(Node::entries).unwrap_or_default() {
        let job_id = job_key.as_str().unwrap_or_default();
        let publishes = publishing_jobs.contains(&job_id);
        if let Some((key, perms)) = job.entry("permissions") {
            any_permissions = true;
            if is_write_all(perms) {
                report.findings.push(Finding {
                    kind: FindingKind::WriteAll,
                    line: key.line(),
                    detail: format!("job {job_id}: permissions: write-all"),
                });
            }
            if let Some(line) = id_token_write(perms) {
                if !publishes {
                    report.findings.push(Finding {
                        kind: FindingKind::IdTokenOnOtherJob,
                        line,
                        detail: format!("job {job_id}"),
                    });
                }
            }
        }
        if publishes {
            match job.entry("environment") {
                Some((_, env)) => {
                    let name = env
                        .as_str()
                        .or_else(|| env.get("name").and_then(Node::as_str))
                        .unwrap_or_default();
                    if !name.is_empty() {
                        report.environments.push((name.to_string(), env.line()));
                    }
                }
                None => report.findings.push(Finding {
                    kind: FindingKind::NoEnvironment,
                    line: job_key.line(),
                    detail: format!("job {job_id}"),
                }),
            }
        }
        // Pinning: every action and reusable workflow the publishing workflow runs.
        let mut refs: Vec<(&str, usize)> = Vec::new();
        if let Some(u) = job.get("uses") {
            refs.extend(u.as_str().map(|s| (s, u.line())));
        }
        for step in job.get("steps").map(Node::items).unwrap_or_default() {
            if let Some(u) = step.get("uses") {
                refs.extend(u.as_str().map(|s| (s, u.line())));
            }
        }
        for (r, line) in refs {
            if !is_pinned(r) {
                report.findings.push(Finding {
                    kind: FindingKind::Unpinned,
                    line,
                    detail: r.to_string(),
                });
            }
        }
    }
    if !any_permissions {
        report.findings.push(Finding {
            kind: FindingKind::NoPermissions,
            line: 1,
            detail: "no permissions: key".into(),
        });
    }
    report.findings.sort_by_key(|f| f.line);
    Ok(report)
}

fn publish_step(step: &Node, job: &str, job_secrets: bool) -> Option<PublishStep> {
    let uses_secret =
        job_secrets || passes_secret(step.get("with")) || passes_secret(step.get("env"));
    if let Some(u) = step.get("uses") {
        let action = u.as_str().unwrap_or_default();
        let name = action
            .split('@')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        // `owner/repo/path@ref`: the first two segments name the action's repository.
        let repo: String = name.split('/').take(2).collect::<Vec<_>>().join("/");
        if let Some((_, reg)) = PUBLISH_ACTIONS.iter().find(|(a, _)| *a == repo) {
            return Some(PublishStep {
                registry: *reg,
                job: job.to_string(),
                line: u.line(),
                how: action.to_string(),
                uses_secret,
            });
        }
    }
    let run = step.get("run")?;
    let script = run.as_str()?;
    for (offset, line_text) in script.lines().enumerate() {
        let words: Vec<&str> = line_text
            .split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
            .filter(|w| !w.is_empty())
            .collect();
        for (cmd, reg) in PUBLISH_COMMANDS {
            if words.windows(cmd.len()).any(|w| w == *cmd)
                && !words.contains(&"--dry-run")
                && !line_text.trim_start().starts_with('#')
            {
                // A block scalar's (`run: |`) mark is on its first content line.
                return Some(PublishStep {
                    registry: *reg,
                    job: job.to_string(),
                    line: run.line() + offset,
                    how: cmd.join(" "),
                    uses_secret,
                });
            }
        }
    }
    None
}

/// A `${{ secrets.X }}` that looks like a registry credential.
fn passes_secret(node: Option<&Node>) -> bool {
    let Some(node) = node else { return false };
    let mut all = Vec::new();
    node.scalars(&mut all);
    all.iter().any(|s| {
        let lower = s.to_ascii_lowercase();
        lower.contains("secrets.")
            && lower.contains("${{")
            && !lower.contains("secrets.github_token")
    })
}

fn is_write_all(perms: &Node) -> bool {
    perms.as_str() == Some("write-all")
}

/// The line of `id-token: write` in a permissions map.
fn id_token_write(perms: &Node) -> Option<usize> {
    let (k, v) = perms.entry("id-token")?;
    (v.as_str() == Some("write")).then(|| k.line())
}

/// A full 40-hex commit SHA (or a local action, or a Docker image by digest). GitHub's own
/// `actions/*` and `github/*` are not third-party.
pub fn is_pinned(reference: &str) -> bool {
    if reference.starts_with("./") {
        return true;
    }
    if let Some(image) = reference.strip_prefix("docker://") {
        return image.contains("@sha256:");
    }
    let (name, rf) = reference.split_once('@').unwrap_or((reference, ""));
    let owner = name
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if FIRST_PARTY.contains(&owner.as_str()) {
        return true;
    }
    rf.len() == 40 && rf.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example from PyPI's "Publishing with a Trusted Publisher" page (docs.pypi.org).
    const PYPI_DOC: &str = "jobs:
  pypi-publish:
    name: upload release to PyPI
    runs-on: ubuntu-latest
    # Specifying a GitHub environment is optional, but strongly encouraged
    environment: pypi
    permissions:
      # IMPORTANT: this permission is mandatory for Trusted Publishing
      id-token: write
    steps:
      # retrieve your distributions here

      - name: Publish package distributions to PyPI
        uses: pypa/gh-action-pypi-publish@release/v1
";

    #[test]
    fn the_pypi_documentation_example_publishes_and_is_tag_pinned() {
        let r = analyse(PYPI_DOC).unwrap();
        assert_eq!(r.publishes.len(), 1);
        let p = &r.publishes[0];
        assert_eq!(
            (p.registry, p.job.as_str(), p.line, p.uses_secret),
            (Registry::Pypi, "pypi-publish", 14, false)
        );
        assert_eq!(r.environments, vec![("pypi".to_string(), 6)]);
        let kinds: Vec<_> = r.findings.iter().map(|f| (&f.kind, f.line)).collect();
        assert_eq!(kinds, vec![(&FindingKind::Unpinned, 14)], "{r:?}");
    }

    #[test]
    fn run_commands_triggers_and_permissions_are_found_with_lines() {
        let text = "name: release
on:
  push:
    tags: ['v*']
  pull_request_target:
permissions: write-all
jobs:
  build:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/checkout@v4
      - uses: Swatinem/rust-cache@v2
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: some/action@0123456789abcdef0123456789abcdef01234567
      - run: |
          cargo build
          cargo publish --locked
        env:
          CARGO_REGISTRY_TOKEN: ${{ secrets.CARGO_TOKEN }}
";
        let r = analyse(text).unwrap();
        assert_eq!(r.publishes.len(), 1, "{r:?}");
        let p = &r.publishes[0];
        assert_eq!(
            (p.registry, p.line, p.uses_secret),
            (Registry::Crates, 21, true)
        );
        let got: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.kind.clone(), f.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (FindingKind::UntrustedTrigger, 5),
                (FindingKind::WriteAll, 6),
                (FindingKind::IdTokenOnOtherJob, 11),
                (FindingKind::Unpinned, 14),
                (FindingKind::NoEnvironment, 15),
            ]
        );
    }

    #[test]
    fn a_workflow_that_does_not_publish_has_no_findings() {
        let r = analyse("on: pull_request_target\npermissions: write-all\njobs:\n  t:\n    steps:\n      - run: npm test\n      - run: npm publish --dry-run\n").unwrap();
        assert!(!r.publishes());
        assert!(r.findings.is_empty());
    }

    #[test]
    fn trigger_lists_and_workflow_wide_id_token() {
        let text = "on: [push, workflow_run]\npermissions:\n  contents: read\n  id-token: write\njobs:\n  p:\n    environment:\n      name: npm\n    steps:\n      - run: npm publish --provenance\n";
        let r = analyse(text).unwrap();
        let got: Vec<_> = r
            .findings
            .iter()
            .map(|f| (f.kind.clone(), f.line))
            .collect();
        assert_eq!(
            got,
            vec![
                (FindingKind::UntrustedTrigger, 1),
                (FindingKind::IdTokenWorkflowWide, 4)
            ]
        );
        assert_eq!(r.environments[0].0, "npm");
        assert_eq!(r.publishes[0].line, 10);
    }

    #[test]
    fn pinning_rules() {
        assert!(is_pinned("./local/action"));
        assert!(is_pinned("actions/checkout@v4"));
        assert!(is_pinned("a/b@0123456789abcdef0123456789abcdef01234567"));
        assert!(!is_pinned("a/b@v1.2.3"));
        assert!(!is_pinned("a/b@0123456"));
        assert!(!is_pinned("docker://alpine:3"));
        assert!(is_pinned("docker://alpine@sha256:abcd"));
    }

    #[test]
    fn broken_yaml_is_an_error_with_a_line() {
        let e = analyse("jobs:\n  a: [unclosed\n").unwrap_err();
        assert!(e.line >= 1, "{e}");
    }
}
