//! `device.publish_credentials`: upload tokens in dotfiles are what malware (and a stray
//! `cat ~/.npmrc` in a screen share) steals first. We name each file and the kind of token
//! it holds, and never put a token, or any part of it beyond its public type prefix, into a
//! result: values are only handed to the classifiers and dropped.

use crate::check::{CheckResult, Observed, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::live::pypi_token::{self, TokenScope};
use crate::platform::Group;
use crate::settings::EnvVars;
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

pub const ID: &CheckSpec = &CheckSpec {
    id: "device.publish_credentials",
    group: Group::Device,
    title: "Publishing tokens in plain files",
    least_scope: "",
    token: TokenNeed::None,
};

/// Which tool's credential file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pypirc,
    Npmrc,
    Gem,
    Cargo,
    Gh,
    /// Composer's global `auth.json` (its COMPOSER_HOME).
    Composer,
}

/// One secret found in a file, described without its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Plain description ("a user-wide PyPI token for [pypi]").
    pub what: String,
    /// A user-wide PyPI token: one leak can publish every project. Only set where the file
    /// itself proves that reach offline (see [`scan_composer_auth`] for why a GitHub token
    /// in Composer's `auth.json` is not).
    pub severe: bool,
}

/// What one credential file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub kind: Kind,
    pub path: PathBuf,
    pub findings: Vec<Finding>,
    /// Other users on this machine can read it (unix mode & 0o004).
    pub world_readable: bool,
    /// Why the file could not be read.
    pub error: Option<String>,
}

/// The files to look at, honouring each tool's environment overrides from `env` (never the
/// process environment).
pub fn candidate_files(home: &Path, env: &EnvVars) -> Vec<(Kind, PathBuf)> {
    let mut files = vec![(Kind::Pypirc, home.join(".pypirc"))];
    let npmrc = env
        .get("NPM_CONFIG_USERCONFIG")
        .or_else(|| env.get("npm_config_userconfig"));
    files.push((
        Kind::Npmrc,
        npmrc
            .map(PathBuf::from)
            .unwrap_or_else(|| home.join(".npmrc")),
    ));
    // RubyGems uses ~/.gem/credentials when it exists, else $XDG_DATA_HOME/gem/credentials.
    files.push((Kind::Gem, home.join(".gem/credentials")));
    let data_home = env
        .get("XDG_DATA_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".local/share"));
    files.push((Kind::Gem, data_home.join("gem/credentials")));
    let cargo_home = env
        .get("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".cargo"));
    files.push((Kind::Cargo, cargo_home.join("credentials.toml")));
    files.push((Kind::Cargo, cargo_home.join("credentials")));
    let gh_dir = match (env.get("GH_CONFIG_DIR"), env.get("XDG_CONFIG_HOME")) {
        (Some(dir), _) => PathBuf::from(dir),
        (None, Some(xdg)) => Path::new(xdg).join("gh"),
        (None, None) => home.join(".config/gh"),
    };
    files.push((Kind::Gh, gh_dir.join("hosts.yml")));
    // gh on Windows keeps its config in %AppData%\GitHub CLI.
    if env.get("GH_CONFIG_DIR").is_none() {
        if let Some(appdata) = env.get("APPDATA") {
            files.push((
                Kind::Gh,
                Path::new(appdata).join("GitHub CLI").join("hosts.yml"),
            ));
        }
    }
    files.extend(
        composer_homes(home, env)
            .into_iter()
            .map(|dir| (Kind::Composer, dir.join("auth.json"))),
    );
    let mut seen = std::collections::HashSet::new();
    files.retain(|(_, p)| seen.insert(p.clone()));
    files
}

/// Every folder Composer may use as its home (COMPOSER_HOME), where its global `auth.json`
/// lives. Composer's `Factory::getHomeDir` (composer/composer src/Composer/Factory.php) takes
/// `COMPOSER_HOME` when set; else on Windows `%APPDATA%/Composer`; else the first existing of
/// `$XDG_CONFIG_HOME/composer` (default `~/.config/composer`, used when any `XDG_*` variable is
/// set or /etc/xdg exists) and `~/.composer` (macOS without XDG, and the legacy layout), see
/// <https://getcomposer.org/doc/03-cli.md#composer-home> and
/// <https://getcomposer.org/doc/articles/authentication-for-private-packages.md#global-authentication-credentials>.
/// We look in all of them rather than re-deriving Composer's pick: a token left in the folder
/// Composer no longer uses is just as readable by malware.
fn composer_homes(home: &Path, env: &EnvVars) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(dir) = env.get("COMPOSER_HOME").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(dir));
    }
    if let Some(appdata) = env.get("APPDATA").filter(|d| !d.is_empty()) {
        dirs.push(Path::new(appdata).join("Composer"));
    }
    let config_home = env
        .get("XDG_CONFIG_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| home.join(".config"));
    dirs.push(config_home.join("composer"));
    dirs.push(home.join(".composer"));
    dirs
}

/// Values that point elsewhere (`${NPM_TOKEN}`) hold no secret themselves.
fn is_reference(v: &str) -> bool {
    v.starts_with("${") || v.starts_with('$')
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    v.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v)
}

/// Drops `user:password@` from a registry URL or host so it never reaches a message.
fn without_userinfo(s: &str) -> String {
    match s.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.rsplit('@').next().unwrap_or(rest)),
        None => s.rsplit('@').next().unwrap_or(s).to_string(),
    }
}

/// `.pypirc`: every `password` in an index section, classified offline.
pub fn scan_pypirc(text: &str, now: OffsetDateTime) -> Vec<Finding> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(s) = line.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            section = s.trim().to_string();
            continue;
        }
        let Some((key, value)) = line.split_once('=').or_else(|| line.split_once(':')) else {
            continue;
        };
        if !key.trim().eq_ignore_ascii_case("password") {
            continue;
        }
        let value = unquote(value);
        if value.is_empty() || is_reference(value) {
            continue;
        }
        let (what, severe) = match pypi_token::classify(value, now) {
            TokenScope::UserWide => (
                "a user-wide PyPI token (pypi-…) that can publish every one of your projects"
                    .to_string(),
                true,
            ),
            TokenScope::Projects(names) => (
                format!("a PyPI token (pypi-…) scoped to {}", names.join(", ")),
                false,
            ),
            TokenScope::Expired { .. } => ("an expired PyPI token (pypi-…)".to_string(), false),
            TokenScope::NotAPypiToken => ("a plain password (not an API token)".to_string(), false),
            TokenScope::Unreadable(why) => (
                format!("a PyPI token (pypi-…) whose scope could not be read ({why})"),
                false,
            ),
        };
        out.push(Finding {
            what: format!("{what} in [{}]", shown_name(&section)),
            severe,
        });
    }
    out
}

/// `.npmrc`: `_authToken`, `_auth` and `_password` entries, per registry.
pub fn scan_npmrc(text: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let key = key.trim();
        let value = unquote(value);
        if value.is_empty() || is_reference(value) {
            continue;
        }
        let (scope, field) = match key.rsplit_once(':') {
            Some((scope, field)) => (scope.trim_start_matches("//").trim_end_matches('/'), field),
            None => ("the default registry", key),
        };
        let what = match field {
            "_authToken" if value.starts_with("npm_") => "an npm access token (npm_…)",
            "_authToken" => "an auth token",
            "_auth" => "a base64-encoded user name and password",
            "_password" => "a password",
            _ => continue,
        };
        out.push(Finding {
            what: format!("{what} for {}", shown_name(&without_userinfo(scope))),
            severe: false,
        });
    }
    out
}

/// Said of a file whose content a real parser could not read: it may still hold a token, and
/// nothing from it (not even the parser's message, which can quote a line) is shown.
pub const UNPARSABLE: &str =
    "content Lockstep could not parse, which may hold a token (check the file by hand)";

fn unparsable() -> Vec<Finding> {
    vec![Finding {
        what: UNPARSABLE.to_string(),
        severe: false,
    }]
}

/// A name from a file, safe to show: one line, short.
fn shown_name(s: &str) -> String {
    let s = crate::untrusted_text::one_line(s.trim());
    match s.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// A host or registry address as it may be shown: scheme, host and path, without user name,
/// password, query or fragment; `None` when it is not an address at all (then it is not shown).
fn shown_address(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(mut url) = url::Url::parse(s) {
        if url.host_str().is_some() {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            return Some(shown_name(url.as_str().trim_end_matches('/')));
        }
    }
    let host_like = !s.is_empty()
        && s.len() <= 253
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    host_like.then(|| s.to_string())
}

/// Parses YAML with a real parser; `None` when it is not valid YAML (the error is dropped).
fn yaml_root(text: &str) -> Option<yaml_rust2::Yaml> {
    let docs = yaml_rust2::YamlLoader::load_from_str(text).ok()?;
    Some(docs.into_iter().next().unwrap_or(yaml_rust2::Yaml::Null))
}

fn yaml_text(y: &yaml_rust2::Yaml) -> Option<String> {
    use yaml_rust2::Yaml;
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// RubyGems credentials (YAML): `:rubygems_api_key:` and per-host keys.
pub fn scan_gem_credentials(text: &str) -> Vec<Finding> {
    use yaml_rust2::Yaml;
    let Some(root) = yaml_root(text) else {
        return unparsable();
    };
    let map = match root {
        Yaml::Hash(map) => map,
        Yaml::Null => return Vec::new(),
        _ => return unparsable(),
    };
    let mut out = Vec::new();
    for (key, value) in &map {
        let Some(key) = yaml_text(key) else {
            continue;
        };
        let value = yaml_text(value).unwrap_or_default();
        if value.trim().is_empty() || value.trim() == "~" {
            continue;
        }
        let key = key.trim().trim_start_matches(':');
        let what = if key == "rubygems_api_key" {
            if value.trim().starts_with("rubygems_") {
                "a RubyGems API key (rubygems_…)"
            } else {
                "a RubyGems API key"
            }
            .to_string()
        } else {
            match shown_address(key) {
                Some(host) => format!("an API key for {host}"),
                None => "an API key for another gem host".to_string(),
            }
        };
        out.push(Finding {
            what,
            severe: false,
        });
    }
    out
}

/// cargo credentials (TOML, parsed with the `toml` crate, dotted keys included):
/// `[registry] token` and `[registries.<name>] token` (or `secret-key`).
pub fn scan_cargo_credentials(text: &str) -> Vec<Finding> {
    let Ok(root) = text.parse::<toml::Table>() else {
        return unparsable();
    };
    let holds_secret = |t: &toml::Table| {
        ["token", "secret-key"].iter().any(|k| match t.get(*k) {
            Some(toml::Value::String(s)) => !s.trim().is_empty(),
            Some(_) => true,
            None => false,
        })
    };
    let mut out = Vec::new();
    if let Some(toml::Value::Table(registry)) = root.get("registry") {
        if holds_secret(registry) {
            out.push(Finding {
                what: "a cargo token for crates.io".to_string(),
                severe: false,
            });
        }
    }
    if let Some(toml::Value::Table(registries)) = root.get("registries") {
        for (name, value) in registries {
            if let toml::Value::Table(t) = value {
                if holds_secret(t) {
                    out.push(Finding {
                        what: format!("a cargo token for {}", shown_name(name)),
                        severe: false,
                    });
                }
            }
        }
    }
    // A top-level `token` (an old `cargo login` layout) counts too.
    if holds_secret(&root) {
        out.push(Finding {
            what: "a cargo token for crates.io".to_string(),
            severe: false,
        });
    }
    out.dedup();
    out
}

/// GitHub CLI `hosts.yml` (YAML, block or flow style): an `oauth_token` anywhere under a
/// host (gh 2.40+ also keeps one per user); absent when gh stores tokens in the keyring.
pub fn scan_gh_hosts(text: &str) -> Vec<Finding> {
    use yaml_rust2::Yaml;
    fn has_token(y: &Yaml, depth: usize) -> bool {
        match y {
            Yaml::Hash(map) if depth < 8 => map.iter().any(|(k, v)| {
                (k.as_str() == Some("oauth_token")
                    && yaml_text(v).is_some_and(|t| !t.trim().is_empty()))
                    || has_token(v, depth + 1)
            }),
            _ => false,
        }
    }
    let Some(root) = yaml_root(text) else {
        return unparsable();
    };
    let map = match root {
        Yaml::Hash(map) => map,
        Yaml::Null => return Vec::new(),
        _ => return unparsable(),
    };
    let mut out: Vec<Finding> = Vec::new();
    for (host, value) in &map {
        if !has_token(value, 0) {
            continue;
        }
        let host = yaml_text(host)
            .and_then(|h| shown_address(&h))
            .unwrap_or_else(|| "a host".to_string());
        let what = format!("a GitHub CLI token for {host}");
        if !out.iter().any(|f| f.what == what) {
            out.push(Finding {
                what,
                severe: false,
            });
        }
    }
    out
}

/// What a GitHub token's public prefix says about it (GitHub's documented token formats,
/// <https://github.blog/engineering/platform-security/behind-githubs-new-authentication-token-formats/>).
fn github_token_kind(token: &str) -> &'static str {
    let token = token.trim();
    if token.starts_with("github_pat_") {
        " (fine-grained, github_pat_)"
    } else if token.starts_with("ghp_") {
        " (classic, ghp_)"
    } else if token.starts_with("gho_") {
        " (OAuth app, gho_)"
    } else if token.starts_with("ghu_") {
        " (GitHub App user token, ghu_)"
    } else {
        ""
    }
}

/// Composer's `auth.json` (JSON, parsed with serde_json), in the shapes Composer's docs give
/// (<https://getcomposer.org/doc/articles/authentication-for-private-packages.md>): per host,
/// `github-oauth`, `gitlab-oauth`, `gitlab-token` (a string or `{username, token}`), `bearer`
/// (strings), `http-basic` (`{username, password}`), `bitbucket-oauth` (`{consumer-key,
/// consumer-secret}`); any other method holding a value (`forgejo-token`, `custom-headers`,
/// ...) is named by its key. Only the host and the kind are shown, never a user name or value.
///
/// A GitHub token here is never `severe`, a classic `ghp_` one included: a user-wide PyPI token
/// is severe because the token itself proves, offline, that it can publish every project, but a
/// classic token's scopes are not in the token (reading them needs a call to GitHub, which this
/// check never makes), and Composer's docs tell users to create one with no scope at all for
/// public repositories. Calling every such token "can push everywhere" would be an invented
/// claim; it warns like any plain-file token (fails when others can read the file), and the
/// advice says why a `repo`-scoped one is dangerous.
pub fn scan_composer_auth(text: &str) -> Vec<Finding> {
    use serde_json::Value;
    if text.trim().is_empty() {
        return Vec::new();
    }
    let Ok(root) = serde_json::from_str::<Value>(text) else {
        return unparsable();
    };
    let methods = match root {
        Value::Object(map) => map,
        Value::Null => return Vec::new(),
        _ => return unparsable(),
    };
    /// A non-empty string, or any other non-empty value (which Composer would not accept,
    /// but may still be a secret).
    fn present(v: Option<&Value>) -> bool {
        match v {
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(Value::Null) | None => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(o)) => !o.is_empty(),
            Some(_) => true,
        }
    }
    let mut out: Vec<Finding> = Vec::new();
    for (method, hosts) in &methods {
        let Value::Object(hosts) = hosts else {
            continue;
        };
        for (host, value) in hosts {
            let field = |name: &str| match value {
                Value::Object(o) => o.get(name),
                _ => None,
            };
            let mut detail = "";
            let kind = match method.as_str() {
                "github-oauth" => match value {
                    Value::String(t) if !t.trim().is_empty() => {
                        detail = github_token_kind(t);
                        "a GitHub token".to_string()
                    }
                    _ => continue,
                },
                "gitlab-oauth" if present(Some(value)) => "a GitLab OAuth token".to_string(),
                "gitlab-token" => match value {
                    Value::String(t) if !t.trim().is_empty() => "a GitLab access token".to_string(),
                    Value::Object(_) if present(field("token")) => {
                        "a GitLab access token".to_string()
                    }
                    _ => continue,
                },
                "bearer" if present(Some(value)) => "a bearer token".to_string(),
                "http-basic" if present(field("password")) => {
                    "a user name and password".to_string()
                }
                "bitbucket-oauth"
                    if present(field("consumer-secret"))
                        || present(field("consumer-key"))
                        || present(field("access-token")) =>
                {
                    "a Bitbucket OAuth consumer key and secret".to_string()
                }
                "gitlab-oauth" | "bearer" | "http-basic" | "bitbucket-oauth" => continue,
                other if present(Some(value)) => {
                    format!("Composer credentials ({})", shown_name(other))
                }
                _ => continue,
            };
            let host = shown_address(host).unwrap_or_else(|| "another host".to_string());
            let what = format!("{kind} for {host}{detail}");
            if !out.iter().any(|f| f.what == what) {
                out.push(Finding {
                    what,
                    severe: false,
                });
            }
        }
    }
    out
}

fn scan(kind: Kind, text: &str, now: OffsetDateTime) -> Vec<Finding> {
    match kind {
        Kind::Pypirc => scan_pypirc(text, now),
        Kind::Npmrc => scan_npmrc(text),
        Kind::Gem => scan_gem_credentials(text),
        Kind::Cargo => scan_cargo_credentials(text),
        Kind::Gh => scan_gh_hosts(text),
        Kind::Composer => scan_composer_auth(text),
    }
}

#[cfg(unix)]
fn world_readable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o004 != 0
}

#[cfg(not(unix))]
fn world_readable(_meta: &std::fs::Metadata) -> bool {
    // Windows ACLs on the profile folder keep other users out by default.
    false
}

/// Reads every candidate file that exists.
pub fn scan_home(home: &Path, env: &EnvVars, now: OffsetDateTime) -> Vec<FileReport> {
    let mut reports = Vec::new();
    for (kind, path) in candidate_files(home, env) {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        use crate::local_file::{read_capped, ReadError, MAX_CREDENTIAL_BYTES};
        let (findings, error) = match read_capped(&path, MAX_CREDENTIAL_BYTES) {
            Ok(bytes) => (scan(kind, &String::from_utf8_lossy(&bytes), now), None),
            Err(ReadError::Missing) => continue,
            Err(ReadError::Io(e)) => (Vec::new(), Some(e.kind().to_string())),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        reports.push(FileReport {
            kind,
            path,
            findings,
            world_readable: world_readable(&meta),
            error,
        });
    }
    reports
}

fn display_path(path: &Path, home: &Path) -> String {
    match path.strip_prefix(home) {
        Ok(rest) => format!("~/{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

fn advice(kind: Kind) -> &'static str {
    match kind {
        Kind::Pypirc => "PyPI: delete the password lines from ~/.pypirc and store the token in your keychain with `keyring set https://upload.pypi.org/legacy/ __token__` (twine reads it from there), or better, publish from CI with Trusted Publishing; replace user-wide tokens with project-scoped ones.",
        Kind::Npmrc => "npm: remove the _authToken line, publish from CI with trusted publishing (OIDC), or use short-lived granular tokens with 2FA for writes and `npm login` sessions.",
        Kind::Gem => "RubyGems: remove the key from the credentials file, publish from CI with trusted publishing, or create keys with MFA required and only the push_rubygem scope.",
        Kind::Cargo => "cargo: move the token into the OS keychain by adding `[registry] global-credential-providers = [\"cargo:libsecret\"]` (\"cargo:macos-keychain\" on macOS, \"cargo:wincred\" on Windows) to ~/.cargo/config.toml, then `cargo logout` and `cargo login` again.",
        Kind::Gh => "GitHub CLI: run `gh auth logout` then `gh auth login` (without --insecure-storage) so the token goes into the system keyring.",
        Kind::Composer => "Composer: it has no keychain support, so keep only read-only credentials in auth.json and remove the rest with `composer config --global --unset github-oauth.github.com` (likewise for other entries). For GitHub, a token with no scope is enough for public repositories; for private ones use a fine-grained token with read-only Contents access to just those repositories, never a classic token with the `repo` scope, which can push tags (a Composer release) to every repository you can write to. See https://getcomposer.org/doc/articles/authentication-for-private-packages.md",
    }
}

/// The result for the scanned files.
pub fn verdict(reports: &[FileReport], home: &Path) -> CheckResult {
    let mut evidence = Vec::new();
    let mut remediation: Vec<String> = Vec::new();
    let mut observed = Observed::default();
    let mut status = Status::Pass;
    let mut severe = 0;
    let mut exposed = 0;
    let mut tokens = 0;
    let mut unreadable = 0;
    for r in reports {
        let shown = display_path(&r.path, home);
        if let Some(err) = &r.error {
            unreadable += 1;
            evidence.push(format!("{shown}: could not be read ({err})"));
            status = status.worst(Status::Unknown);
            continue;
        }
        if r.findings.is_empty() {
            evidence.push(format!("{shown}: no tokens"));
            continue;
        }
        let readable = if r.world_readable {
            ", and the file is readable by every user on this machine"
        } else {
            ""
        };
        for f in &r.findings {
            tokens += 1;
            evidence.push(format!("{shown}: {}{readable}", f.what));
            observed.keys.push(format!("{shown}: {}", f.what));
            severe += usize::from(f.severe);
            exposed += usize::from(r.world_readable);
            status = status.worst(if f.severe || r.world_readable {
                Status::Fail
            } else {
                Status::Warn
            });
        }
        if r.world_readable {
            let fix = format!("Restrict {shown} to yourself now: `chmod 600 {shown}`.");
            if !remediation.contains(&fix) {
                remediation.push(fix);
            }
        }
        let tip = advice(r.kind).to_string();
        if !remediation.contains(&tip) {
            remediation.push(tip);
        }
    }
    if tokens > 0 {
        remediation.push("Then revoke the old tokens on each registry's website: a token that was ever in a plain file may have been copied.".into());
    }
    let summary = if tokens == 0 && unreadable == 0 {
        if reports.is_empty() {
            "No publishing tokens in plain files (no .pypirc, .npmrc, gem, cargo, gh or Composer credential files).".to_string()
        } else {
            "No publishing tokens in plain files.".to_string()
        }
    } else if tokens == 0 {
        format!("Could not read {unreadable} credential file(s); check them by hand.")
    } else {
        let mut s = format!(
            "{} in plain files",
            crate::check::count(tokens, "publishing token lies", "publishing tokens lie")
        );
        if severe > 0 {
            s.push_str(&format!(
                ", including {}",
                crate::check::count(severe, "user-wide PyPI token", "user-wide PyPI tokens")
            ));
        }
        if exposed > 0 {
            s.push_str(&format!(
                ", {exposed} of them in files other users can read"
            ));
        }
        s.push('.');
        s
    };
    CheckResult::new(ID, status, summary)
        .with_evidence(evidence)
        .with_remediation(remediation)
        .with_observed(observed)
}

/// Runs the check on the context's home and environment.
pub async fn check(home: &Path, env: &EnvVars, now: OffsetDateTime) -> CheckResult {
    let (home, env) = (home.to_path_buf(), env.clone());
    match tokio::task::spawn_blocking(move || verdict(&scan_home(&home, &env, now), &home)).await {
        Ok(r) => r,
        Err(e) => CheckResult::unknown(
            ID,
            format!("The credential-file check stopped unexpectedly ({e}). Run again."),
        ),
    }
}
