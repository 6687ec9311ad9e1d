//! `device.git_signing`: signed commits let users (and branch rules) tell your commits from a
//! forgery pushed with a stolen token. Reads git's effective configuration and, when the
//! GitHub checks ran, whether the signing key is registered on GitHub.

use crate::check::{CheckResult, Observed, Status};
use crate::device::command::{ToolCommand, ToolOutput};
use crate::ssh_key;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const ID: &str = "device.git_signing";

/// The keys this check reads, as `git config --get-regexp` accepts them.
pub const CONFIG_REGEX: &str = r"^(commit\.gpgsign|tag\.gpgsign|gpg\.format|user\.signingkey|gpg\.ssh\.defaultkeycommand|gpg\.ssh\.allowedsignersfile)$";

/// git's signing configuration (last value wins, as in git).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningConfig {
    pub commit_gpgsign: bool,
    pub tag_gpgsign: bool,
    /// `gpg.format`: `openpgp` (default), `ssh` or `x509`.
    pub format: String,
    pub signing_key: Option<String>,
    pub ssh_default_key_command: bool,
}

/// git's boolean spelling: a key with no value means true.
fn git_bool(v: Option<&str>) -> bool {
    match v.map(|s| s.trim().to_ascii_lowercase()) {
        None => true,
        Some(s) => matches!(s.as_str(), "true" | "yes" | "on" | "1"),
    }
}

fn from_pairs(pairs: &[(String, Option<String>)]) -> SigningConfig {
    let mut map: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k.to_ascii_lowercase(), v.clone());
    }
    let get = |k: &str| map.get(k);
    SigningConfig {
        commit_gpgsign: get("commit.gpgsign").is_some_and(|v| git_bool(v.as_deref())),
        tag_gpgsign: get("tag.gpgsign").is_some_and(|v| git_bool(v.as_deref())),
        format: get("gpg.format")
            .and_then(|v| v.clone())
            .map(|s| s.trim().to_ascii_lowercase())
            .unwrap_or_else(|| "openpgp".into()),
        signing_key: get("user.signingkey")
            .and_then(|v| v.clone())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        ssh_default_key_command: get("gpg.ssh.defaultkeycommand")
            .and_then(|v| v.clone())
            .is_some_and(|s| !s.trim().is_empty()),
    }
}

/// Parses `git config --get-regexp` output: `key value` per line, `key` alone for a bare
/// boolean.
pub fn parse_get_regexp(output: &str) -> SigningConfig {
    let pairs: Vec<(String, Option<String>)> = output
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_once(' ') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (l.trim().to_string(), None),
        })
        .collect();
    from_pairs(&pairs)
}

/// A minimal reader for git config files, used when git itself is not installed: sections,
/// `key = value`, quotes, comments. Subsections are kept (`a.b.c`) but the keys we need have none.
pub fn parse_config_file(text: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut section = String::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let Some(end) = rest.find(']') else { continue };
            let head = &rest[..end];
            section = match head.split_once(char::is_whitespace) {
                Some((name, sub)) => format!(
                    "{}.{}",
                    name.to_ascii_lowercase(),
                    sub.trim().trim_matches('"')
                ),
                None => head.to_ascii_lowercase(),
            };
            continue;
        }
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), Some(config_value(v))),
            None => (line, None),
        };
        out.push((format!("{section}.{}", key.to_ascii_lowercase()), value));
    }
    out
}

/// Strips quotes and trailing comments from a config value.
fn config_value(v: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = v.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' => {
                if let Some(n) = chars.next() {
                    out.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
            }
            '#' | ';' if !quoted => break,
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

/// Reads `$XDG_CONFIG_HOME/git/config` (or `~/.config/git/config`) then `~/.gitconfig`, the
/// order git uses (later wins).
pub fn read_config_files(home: &Path, xdg_config_home: Option<&Path>) -> SigningConfig {
    let xdg = xdg_config_home
        .map(Path::to_path_buf)
        .unwrap_or_else(|| home.join(".config"));
    let mut pairs = Vec::new();
    for p in [xdg.join("git/config"), home.join(".gitconfig")] {
        if let Ok(text) = std::fs::read_to_string(p) {
            pairs.extend(parse_config_file(&text));
        }
    }
    from_pairs(&pairs)
}

/// The public identifier of the configured key, for comparing with GitHub's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyId {
    /// An SSH public key: its type, base64 blob and `SHA256:` fingerprint.
    Ssh {
        key_type: String,
        blob: String,
        fingerprint: String,
    },
    /// An OpenPGP key id or fingerprint, upper-case hex without `0x`.
    Gpg(String),
    /// A user id (name or email) for gpg to look up; cannot be compared.
    GpgUserId(String),
    /// The SSH key file could not be read.
    Unreadable(String),
}

fn parse_ssh_public(line: &str) -> Option<(String, String)> {
    let (key_type, blob) = ssh_key::split_line(line)?;
    (key_type.starts_with("ssh-") || key_type.starts_with("ecdsa-") || key_type.starts_with("sk-"))
        .then(|| (key_type.to_string(), blob.to_string()))
}

/// Resolves `user.signingkey` to a public identifier. For SSH it may be a literal key
/// (`key::ssh-ed25519 AAAA...` or `ssh-ed25519 AAAA...`) or a path to the public key or to
/// the private key (whose `.pub` sits beside it). Never reads a private key's contents.
pub fn key_id(config: &SigningConfig, home: &Path) -> Option<KeyId> {
    let key = config.signing_key.as_deref()?;
    if config.format == "ssh" {
        let literal = key.strip_prefix("key::").unwrap_or(key);
        if let Some((key_type, blob)) = parse_ssh_public(literal) {
            let fingerprint = ssh_key::fingerprint(&blob).unwrap_or_default();
            return Some(KeyId::Ssh {
                key_type,
                blob,
                fingerprint,
            });
        }
        let path = expand_home(key, home);
        let pub_path = if path.extension().is_some_and(|e| e == "pub") {
            path.clone()
        } else {
            PathBuf::from(format!("{}.pub", path.display()))
        };
        return Some(
            match std::fs::read_to_string(&pub_path)
                .ok()
                .and_then(|t| t.lines().find_map(parse_ssh_public))
            {
                Some((key_type, blob)) => {
                    let fingerprint = ssh_key::fingerprint(&blob).unwrap_or_default();
                    KeyId::Ssh {
                        key_type,
                        blob,
                        fingerprint,
                    }
                }
                None => KeyId::Unreadable(format!(
                    "could not read the public key {}",
                    pub_path.display()
                )),
            },
        );
    }
    let hex = key
        .trim_end_matches('!')
        .trim_start_matches("0x")
        .trim_start_matches("0X")
        .replace(' ', "");
    if hex.len() >= 8 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Some(KeyId::Gpg(hex.to_ascii_uppercase()))
    } else {
        Some(KeyId::GpgUserId(key.to_string()))
    }
}

fn expand_home(p: &str, home: &Path) -> PathBuf {
    match p.strip_prefix("~/") {
        Some(rest) => home.join(rest),
        None if p == "~" => home.to_path_buf(),
        None => PathBuf::from(p),
    }
}

/// Whether `id` is among GitHub's keys (`observed.keys` of `github.signing_keys`: GPG key
/// ids or fingerprints, SSH keys or their `SHA256:` fingerprints). `None` when the key
/// cannot be compared.
pub fn registered_on_github(id: &KeyId, github_keys: &[String]) -> Option<bool> {
    match id {
        KeyId::Ssh {
            blob, fingerprint, ..
        } => Some(github_keys.iter().any(|k| {
            k.contains(blob.as_str())
                || (!fingerprint.is_empty() && k.contains(fingerprint.as_str()))
        })),
        KeyId::Gpg(hex) => Some(github_keys.iter().any(|k| {
            let k = k.trim().trim_start_matches("0x").to_ascii_uppercase();
            let k = k
                .split_whitespace()
                .find(|w| w.len() >= 8 && w.chars().all(|c| c.is_ascii_hexdigit()))
                .unwrap_or(&k)
                .to_string();
            // A long key id is the tail of the fingerprint: compare the shorter as a suffix.
            k.len() >= 8 && (hex.ends_with(&k) || k.ends_with(hex.as_str()))
        })),
        KeyId::GpgUserId(_) | KeyId::Unreadable(_) => None,
    }
}

/// What the GitHub checks said, reduced to what this check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubKeys {
    /// The `github.signing_keys` check ran and listed these keys.
    Listed(Vec<String>),
    /// It did not run or could not read the keys.
    NotChecked,
}

/// Picks `github.signing_keys` out of the account results.
pub fn github_keys(account_results: &[CheckResult]) -> GithubKeys {
    match account_results
        .iter()
        .find(|r| r.id == "github.signing_keys")
    {
        Some(r) if matches!(r.status, Status::Pass | Status::Warn | Status::Fail) => {
            GithubKeys::Listed(r.observed.keys.clone())
        }
        _ => GithubKeys::NotChecked,
    }
}

/// Where the configuration came from, for the evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Git,
    Files,
}

/// The result for a configuration.
pub fn verdict(
    config: &SigningConfig,
    source: Source,
    home: &Path,
    github: &GithubKeys,
) -> CheckResult {
    let mut evidence = vec![format!(
        "{}: commit.gpgsign = {}, gpg.format = {}, user.signingkey = {}",
        match source {
            Source::Git => "git config",
            Source::Files => "~/.gitconfig (git is not installed)",
        },
        config.commit_gpgsign,
        config.format,
        if config.signing_key.is_some() {
            "set"
        } else {
            "not set"
        }
    )];
    let ssh = config.format == "ssh";
    let key_ok = config.signing_key.is_some() || (ssh && config.ssh_default_key_command);
    if !config.commit_gpgsign || !key_ok {
        let summary = match (config.commit_gpgsign, key_ok) {
            (false, _) => "Git does not sign your commits.",
            (true, _) if ssh => "Git is set to sign commits, but no SSH signing key is configured, so commits will fail to sign.",
            (true, _) => "Git is set to sign commits, but no signing key is set: GPG will guess one from your email.",
        };
        return CheckResult::new(ID, Status::Warn, summary)
            .with_evidence(evidence)
            .with_remediation(setup_steps(home));
    }
    let id = key_id(config, home);
    let mut observed = Observed::default();
    let mut status = Status::Pass;
    let mut summary = format!(
        "Git signs your commits with {}.",
        if ssh { "an SSH key" } else { "a GPG key" }
    );
    let mut remediation = Vec::new();
    match &id {
        Some(KeyId::Ssh {
            key_type,
            fingerprint,
            ..
        }) => {
            evidence.push(format!("Signing key: {key_type} {fingerprint}"));
            observed.keys.push(fingerprint.clone());
        }
        Some(KeyId::Gpg(hex)) => {
            evidence.push(format!("Signing key: GPG {hex}"));
            observed.keys.push(hex.clone());
        }
        Some(KeyId::GpgUserId(_)) => {
            evidence.push("Signing key: chosen by GPG from a user id".into())
        }
        Some(KeyId::Unreadable(why)) => evidence.push(format!("Signing key: {why}")),
        None => evidence.push("Signing key: from gpg.ssh.defaultKeyCommand".into()),
    }
    match (
        github,
        id.as_ref().and_then(|id| match github {
            GithubKeys::Listed(keys) => registered_on_github(id, keys),
            GithubKeys::NotChecked => None,
        }),
    ) {
        (GithubKeys::Listed(_), Some(true)) => {
            summary = format!(
                "Git signs your commits with {}, registered on GitHub.",
                if ssh { "an SSH key" } else { "a GPG key" }
            );
            evidence.push("The signing key is registered on GitHub.".into());
        }
        (GithubKeys::Listed(_), Some(false)) => {
            status = Status::Warn;
            summary = "Git signs your commits, but the signing key is not registered on GitHub, so they show as Unverified.".into();
            evidence.push("The signing key is not among your GitHub signing keys.".into());
            remediation.push(if ssh {
                "Add the public key at https://github.com/settings/keys → New SSH key → Key type: Signing Key.".to_string()
            } else {
                "Export it with `gpg --armor --export <key id>` and add it at https://github.com/settings/keys → New GPG key.".to_string()
            });
        }
        (GithubKeys::Listed(_), None) => {
            evidence.push("Could not compare the key with GitHub's list.".into())
        }
        (GithubKeys::NotChecked, _) => evidence
            .push("Not compared with GitHub (the GitHub signing-keys check did not run).".into()),
    }
    if !config.tag_gpgsign {
        remediation.push("Also sign tags: `git config --global tag.gpgsign true`.".into());
    }
    CheckResult::new(ID, status, summary)
        .with_evidence(evidence)
        .with_remediation(remediation)
        .with_observed(observed)
}

/// The exact lines to turn on SSH signing (the simplest setup today) with a public key the
/// user already has, and the GPG alternative.
fn setup_steps(home: &Path) -> Vec<String> {
    let existing = [
        "id_ed25519_sk.pub",
        "id_ecdsa_sk.pub",
        "id_ed25519.pub",
        "id_ecdsa.pub",
        "id_rsa.pub",
    ]
    .into_iter()
    .find(|name| home.join(".ssh").join(name).is_file());
    let mut steps = vec!["To sign with your SSH key, run:".to_string()];
    if existing.is_none() {
        steps.push("ssh-keygen -t ed25519".into());
    }
    steps.extend([
        "git config --global gpg.format ssh".to_string(),
        format!("git config --global user.signingkey ~/.ssh/{}", existing.unwrap_or("id_ed25519.pub")),
        "git config --global commit.gpgsign true".into(),
        "git config --global tag.gpgsign true".into(),
        "Then add the same public key on GitHub as a Signing Key (https://github.com/settings/keys).".into(),
        "Or with GPG: `git config --global user.signingkey <key id>` and `git config --global commit.gpgsign true`.".into(),
    ]);
    steps
}

/// Runs `git config --get-regexp` as the user sees it: `HOME` is the context's home and the
/// XDG/global-config variables come from the context's environment, not this process's.
pub async fn read_config(
    home: &Path,
    env: &crate::settings::EnvVars,
) -> Result<(SigningConfig, Source), String> {
    let mut cmd = ToolCommand::new(
        "git",
        &["config", "--includes", "--get-regexp", CONFIG_REGEX],
    );
    cmd.cwd = Some(home.to_path_buf());
    cmd.env
        .push(("HOME".into(), Some(home.display().to_string())));
    for var in [
        "XDG_CONFIG_HOME",
        "GIT_CONFIG_GLOBAL",
        "GIT_CONFIG_SYSTEM",
        "GIT_CONFIG_NOSYSTEM",
    ] {
        cmd.env.push((var.into(), env.get(var).map(str::to_string)));
    }
    // Never let a repository around `home` or a caller's GIT_DIR change the answer.
    cmd.env.push(("GIT_DIR".into(), None));
    cmd.env.push(("GIT_CONFIG_PARAMETERS".into(), None));
    match crate::device::command::run(cmd).await {
        // Exit code 1 means "no such keys": nothing configured.
        ToolOutput::Ran {
            code: Some(0 | 1),
            stdout,
            ..
        } => Ok((parse_get_regexp(&stdout), Source::Git)),
        ToolOutput::NotFound => {
            let xdg = env.get("XDG_CONFIG_HOME").map(PathBuf::from);
            Ok((read_config_files(home, xdg.as_deref()), Source::Files))
        }
        ToolOutput::Ran { code, stderr, .. } => Err(format!(
            "`git config` failed (exit code {code:?}): {}",
            stderr.lines().next().unwrap_or("").trim()
        )),
        ToolOutput::TimedOut => Err("`git config` did not answer in time".into()),
        ToolOutput::Failed(why) => Err(why),
    }
}
