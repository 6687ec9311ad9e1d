//! CODEOWNERS: which rule owns a path. GitHub reads the file from `.github/`, the root or
//! `docs/` (first found), matches gitignore-style patterns, and the last matching line wins;
//! a matching line without owners leaves the path unowned. Pure: no I/O.
//! <https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners>

/// Where GitHub looks for the file, in the order it looks.
pub const LOCATIONS: [&str; 3] = [".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"];

/// One rule: a pattern, its owners, and its line (1-based) in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub pattern: String,
    pub owners: Vec<String>,
    pub line: usize,
}

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeOwners {
    pub rules: Vec<Rule>,
}

impl CodeOwners {
    /// Reads the file's text. Blank lines and `#` comments are skipped; `\#` escapes a pattern
    /// that starts with `#`. Lines GitHub would reject are kept as written: GitHub's own
    /// `codeowners/errors` endpoint is the judge of validity.
    pub fn parse(text: &str) -> CodeOwners {
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = strip_comment(raw);
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            let pattern = pattern.replace("\\#", "#");
            let owners = parts.map(str::to_string).collect();
            rules.push(Rule {
                pattern,
                owners,
                line: i + 1,
            });
        }
        CodeOwners { rules }
    }

    /// The rule that decides `path` (repository-relative, no leading slash): the last match.
    pub fn rule_for(&self, path: &str) -> Option<&Rule> {
        self.rules.iter().rev().find(|r| matches(&r.pattern, path))
    }

    /// The owners of `path`; empty when no rule matches or the deciding rule names nobody.
    pub fn owners_of(&self, path: &str) -> &[String] {
        self.rule_for(path)
            .map(|r| r.owners.as_slice())
            .unwrap_or(&[])
    }
}

/// A `#` starts a comment at the line's start or after whitespace, unless escaped.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'#' {
            let escaped = i > 0 && bytes[i - 1] == b'\\';
            let at_token_start = i == 0 || bytes[i - 1].is_ascii_whitespace();
            if !escaped && at_token_start {
                return &line[..i];
            }
        }
    }
    line
}

/// Does a CODEOWNERS pattern match `path`? Gitignore rules as GitHub documents them: a
/// leading or inner `/` anchors the pattern to the root; otherwise it matches at any depth;
/// a pattern that names a directory owns everything below it, except `dir/*`, which owns only
/// the files directly inside.
pub fn matches(pattern: &str, path: &str) -> bool {
    let path = path.trim_start_matches('/');
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    if trimmed.is_empty() {
        // "/" alone owns nothing GitHub documents; treat it as matching everything.
        return !pattern.is_empty();
    }
    let anchored = trimmed.starts_with('/') || trimmed.contains('/');
    let body = trimmed.trim_start_matches('/');
    let full = if anchored {
        body.to_string()
    } else {
        format!("**/{body}")
    };
    let children_only = body.ends_with("/*") && !body.ends_with("/**/*");
    let segments: Vec<&str> = path.split('/').collect();
    for end in 1..=segments.len() {
        let is_file = end == segments.len();
        if is_file && dir_only {
            continue;
        }
        if !is_file && children_only {
            continue;
        }
        let prefix = segments[..end].join("/");
        if glob(full.as_bytes(), prefix.as_bytes()) {
            return true;
        }
    }
    false
}

/// Glob over paths: `*` and `?` stay within a segment, `**` crosses segments, and `**/` may
/// match no directory at all.
fn glob(pat: &[u8], text: &[u8]) -> bool {
    match pat {
        [] => text.is_empty(),
        [b'*', b'*', b'/', rest @ ..] => {
            // Zero directories, or any number of whole segments.
            if glob(rest, text) {
                return true;
            }
            text.iter()
                .enumerate()
                .any(|(i, c)| *c == b'/' && glob(rest, &text[i + 1..]))
        }
        [b'*', b'*', rest @ ..] => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        [b'*', rest @ ..] => {
            for i in 0..=text.len() {
                if glob(rest, &text[i..]) {
                    return true;
                }
                if i < text.len() && text[i] == b'/' {
                    break;
                }
            }
            false
        }
        [b'?', rest @ ..] => matches!(text, [c, tail @ ..] if *c != b'/' && glob(rest, tail)),
        [p, rest @ ..] => matches!(text, [c, tail @ ..] if c == p && glob(rest, tail)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WF: &str = ".github/workflows/release.yml";

    #[test]
    fn github_documented_examples_match_as_documented() {
        // Each case is an example from GitHub's "About code owners" page.
        assert!(matches("*", WF));
        assert!(matches("*.js", "src/app/index.js"));
        assert!(!matches("*.js", "src/app/index.ts"));
        assert!(matches("*.go", "main.go"));
        assert!(matches("/build/logs/", "build/logs/a/b.txt"));
        assert!(!matches("/build/logs/", "x/build/logs/a.txt"));
        assert!(matches("docs/*", "docs/getting-started.md"));
        assert!(!matches("docs/*", "docs/build-app/troubleshooting.md"));
        assert!(matches("apps/", "apps/x.js"));
        assert!(matches("apps/", "src/apps/deep/x.js"));
        assert!(matches("/docs/", "docs/a/b.md"));
        assert!(matches("/scripts/", "scripts/run.sh"));
        assert!(matches("**/logs", "deeply/nested/logs/x.log"));
        assert!(matches("/apps/github", "apps/github/x"));
        assert!(!matches("/apps/github", "apps/other/x"));
    }

    #[test]
    fn workflow_directory_patterns() {
        assert!(matches("/.github/workflows/", WF));
        assert!(matches(".github/workflows/", WF));
        assert!(matches(".github/", WF));
        assert!(matches("/.github/workflows/*.yml", WF));
        assert!(matches(".github/**", WF));
        assert!(!matches("/.github/workflows/*.yaml", WF));
        assert!(!matches("/src/", WF));
    }

    #[test]
    fn last_match_wins_and_an_ownerless_line_unowns() {
        let co = CodeOwners::parse(
            "# comment\n*       @org/everyone\n\n/.github/workflows/ @alice @org/release # inline\n/.github/workflows/nightly.yml\n",
        );
        assert_eq!(co.rules.len(), 3);
        assert_eq!(co.owners_of(WF), ["@alice", "@org/release"]);
        assert_eq!(co.rule_for(WF).map(|r| r.line), Some(4));
        assert!(co.owners_of(".github/workflows/nightly.yml").is_empty());
        assert_eq!(co.owners_of("README.md"), ["@org/everyone"]);
    }

    #[test]
    fn nothing_matches_in_an_empty_file_and_escaped_hash_is_a_pattern() {
        assert!(CodeOwners::parse("").owners_of(WF).is_empty());
        let co = CodeOwners::parse("\\#notes @bob\n");
        assert_eq!(co.owners_of("#notes"), ["@bob"]);
    }
}
