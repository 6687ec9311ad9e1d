//! Publishing tokens in plain files, on temporary homes. No test token may ever appear in a
//! result.

/// Named so that `cargo test -p lockstep-core device` runs these tests.
mod device {
    use lockstep_core::check::{CheckResult, Status};
    use lockstep_core::device::publish_credentials::{
        candidate_files, check, scan_cargo_credentials, scan_composer_auth, scan_gem_credentials,
        scan_gh_hosts, scan_home, scan_npmrc, scan_pypirc, verdict, Kind, ID, UNPARSABLE,
    };
    use lockstep_core::settings::EnvVars;
    use std::fs;
    use std::path::Path;
    use time::OffsetDateTime;

    /// A PyPI token built by pymacaroons the way warehouse builds them (the live checks'
    /// fixtures, see `fixtures/pypi/generate.py`).
    fn pypi_token(kind: &str) -> String {
        let tokens: std::collections::BTreeMap<String, String> =
            serde_json::from_str(include_str!("../fixtures/pypi/tokens.json")).unwrap();
        tokens[kind].clone()
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap()
    }

    fn write(home: &Path, rel: &str, text: &str, mode: u32) {
        let p = home.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        }
        #[cfg(not(unix))]
        let _ = mode;
    }

    /// Fails if any secret, or any 8-character piece of it past its public prefix (the type
    /// prefixes findings may name), is in the JSON.
    #[track_caller]
    fn assert_no_secret(result: &CheckResult, secrets: &[&str]) {
        let json = serde_json::to_string(result).unwrap();
        for s in secrets {
            let body = s
                .trim_start_matches("pypi-")
                .trim_start_matches("npm_")
                .trim_start_matches("rubygems_")
                .trim_start_matches("github_pat_")
                .trim_start_matches("ghp_")
                .trim_start_matches("gho_")
                .trim_start_matches("glpat-");
            assert!(!json.contains(s), "secret leaked into {json}");
            let chars: Vec<char> = body.chars().collect();
            for w in chars.windows(8) {
                let piece: String = w.iter().collect();
                assert!(
                    !json.contains(&piece),
                    "part of a secret ({piece}) leaked into {json}"
                );
            }
        }
    }

    const NPM_CANARY: &str = "npm_CANARYxq7T3mZp0L9vB2nK4sW8dF1gH6jY5rE";

    #[test]
    fn canary_npm_token_appears_in_no_result_field() {
        let home = tempfile::tempdir().unwrap();
        write(
            home.path(),
            ".npmrc",
            &format!(
            "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={NPM_CANARY}\n"
        ),
            0o600,
        );
        let r = verdict(
            &scan_home(home.path(), &EnvVars::default(), now()),
            home.path(),
        );
        assert_eq!(r.status, Status::Warn, "{r:?}");
        assert!(
            r.evidence
                .iter()
                .any(|e| e.contains("~/.npmrc") && e.contains("npm access token")),
            "{:?}",
            r.evidence
        );
        assert_no_secret(&r, &[NPM_CANARY]);
        assert!(!serde_json::to_string(&r).unwrap().contains("CANARY"));
        assert!(
            !format!("{r:?}").contains("CANARY"),
            "not in Debug output either"
        );
    }

    #[test]
    fn each_kind_of_file_is_described_without_its_token() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        let scoped = pypi_token("project_scoped");
        let gem = "rubygems_0123456789abcdef0123456789abcdef0123456789abcdef";
        let cargo = "cioAbCdEfGhIjKlMnOpQrStUvWxYz0123456789";
        let gh = "gho_ZyXwVuTsRqPoNmLkJiHgFeDcBa9876543210";
        write(h, ".pypirc", &format!("[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = {scoped}\n"), 0o600);
        write(
            h,
            ".gem/credentials",
            &format!("---\n:rubygems_api_key: {gem}\n"),
            0o600,
        );
        write(
            h,
            ".cargo/credentials.toml",
            &format!("[registry]\ntoken = \"{cargo}\"\n"),
            0o600,
        );
        write(h, ".config/gh/hosts.yml", &format!("github.com:\n    users:\n        alice:\n            oauth_token: {gh}\n    oauth_token: {gh}\n    git_protocol: ssh\n    user: alice\n"), 0o600);
        let reports = scan_home(h, &EnvVars::default(), now());
        let kinds: Vec<Kind> = reports.iter().map(|r| r.kind).collect();
        assert_eq!(kinds, vec![Kind::Pypirc, Kind::Gem, Kind::Cargo, Kind::Gh]);
        let r = verdict(&reports, h);
        assert_eq!(r.id, ID.id);
        assert_eq!(
            r.status,
            Status::Warn,
            "project-scoped tokens in private files warn: {r:?}"
        );
        let ev = r.evidence.join("\n");
        assert!(
            ev.contains("~/.pypirc: a PyPI token (pypi-…) scoped to lockstep-fake-project"),
            "{ev}"
        );
        assert!(
            ev.contains("~/.gem/credentials: a RubyGems API key (rubygems_…)"),
            "{ev}"
        );
        assert!(
            ev.contains("~/.cargo/credentials.toml: a cargo token for crates.io"),
            "{ev}"
        );
        assert!(
            ev.contains("~/.config/gh/hosts.yml: a GitHub CLI token for github.com"),
            "{ev}"
        );
        assert_eq!(
            ev.matches("GitHub CLI token").count(),
            1,
            "one line per host"
        );
        let rem = r.remediation.join("\n");
        for hint in [
            "keyring",
            "cargo:libsecret",
            "cargo:macos-keychain",
            "cargo:wincred",
            "gh auth login",
            "trusted publishing",
        ] {
            assert!(rem.contains(hint), "remediation mentions {hint}: {rem}");
        }
        assert_no_secret(&r, &[&scoped, gem, cargo, gh]);
    }

    #[test]
    fn user_wide_pypi_token_fails() {
        let home = tempfile::tempdir().unwrap();
        let user_wide = pypi_token("user_wide");
        write(
            home.path(),
            ".pypirc",
            &format!("[pypi]\nusername = __token__\npassword = {user_wide}\n"),
            0o600,
        );
        let r = verdict(
            &scan_home(home.path(), &EnvVars::default(), now()),
            home.path(),
        );
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(r.summary.contains("user-wide"), "{}", r.summary);
        assert_no_secret(&r, &[&user_wide]);
    }

    #[cfg(unix)]
    #[test]
    fn world_readable_file_fails_and_says_chmod() {
        let home = tempfile::tempdir().unwrap();
        write(
            home.path(),
            ".npmrc",
            &format!("//registry.npmjs.org/:_authToken={NPM_CANARY}\n"),
            0o644,
        );
        let r = verdict(
            &scan_home(home.path(), &EnvVars::default(), now()),
            home.path(),
        );
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(r
            .evidence
            .iter()
            .any(|e| e.contains("readable by every user")));
        assert!(r
            .remediation
            .iter()
            .any(|s| s.contains("chmod 600 ~/.npmrc")));
        assert_no_secret(&r, &[NPM_CANARY]);
    }

    #[test]
    fn no_files_pass_and_files_without_tokens_pass() {
        let home = tempfile::tempdir().unwrap();
        let r = verdict(
            &scan_home(home.path(), &EnvVars::default(), now()),
            home.path(),
        );
        assert_eq!(r.status, Status::Pass);
        write(
            home.path(),
            ".npmrc",
            "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n",
            0o644,
        );
        write(
            home.path(),
            ".config/gh/hosts.yml",
            "github.com:\n    git_protocol: https\n    user: alice\n",
            0o600,
        );
        let r = verdict(
            &scan_home(home.path(), &EnvVars::default(), now()),
            home.path(),
        );
        assert_eq!(
            r.status,
            Status::Pass,
            "an env reference and keyring-stored gh hold no token: {r:?}"
        );
        assert!(r.evidence.iter().any(|e| e == "~/.npmrc: no tokens"));
    }

    #[test]
    fn environment_overrides_come_from_the_context_not_the_process() {
        let home = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let env = EnvVars::default()
            .with(
                "NPM_CONFIG_USERCONFIG",
                &elsewhere.path().join("npmrc").display().to_string(),
            )
            .with(
                "CARGO_HOME",
                &elsewhere.path().join("cargo").display().to_string(),
            )
            .with(
                "GH_CONFIG_DIR",
                &elsewhere.path().join("gh").display().to_string(),
            )
            .with(
                "XDG_DATA_HOME",
                &elsewhere.path().join("data").display().to_string(),
            );
        let files = candidate_files(home.path(), &env);
        let shown: Vec<String> = files.iter().map(|(_, p)| p.display().to_string()).collect();
        let e = elsewhere.path().display().to_string();
        for want in [
            format!("{e}/npmrc"),
            format!("{e}/cargo/credentials.toml"),
            format!("{e}/cargo/credentials"),
            format!("{e}/gh/hosts.yml"),
            format!("{e}/data/gem/credentials"),
        ] {
            assert!(shown.contains(&want), "{want} not in {shown:?}");
        }
        assert!(shown.contains(&home.path().join(".gem/credentials").display().to_string()));
        write(
            elsewhere.path(),
            "cargo/credentials",
            "[registries.my-corp]\ntoken = \"secretvalue123456\"\n",
            0o600,
        );
        let r = verdict(&scan_home(home.path(), &env, now()), home.path());
        assert!(
            r.evidence
                .iter()
                .any(|e| e.contains("a cargo token for my-corp")),
            "{:?}",
            r.evidence
        );
        assert_no_secret(&r, &["secretvalue123456"]);
        // XDG_CONFIG_HOME locates gh's config when GH_CONFIG_DIR is unset.
        let xdg = EnvVars::default().with("XDG_CONFIG_HOME", "/x/cfg");
        assert!(candidate_files(home.path(), &xdg)
            .iter()
            .any(|(_, p)| p == Path::new("/x/cfg/gh/hosts.yml")));
    }

    #[test]
    fn parsers_over_file_text() {
        let npm = scan_npmrc("; c\n_authToken=abc123\n//npm.pkg.github.com/:_authToken=ghp_x\n//r.example/:_auth=dXNlcjpwYXNz\n@me:registry=https://r.example/\n");
        let whats: Vec<&str> = npm.iter().map(|f| f.what.as_str()).collect();
        assert_eq!(
            whats,
            vec![
                "an auth token for the default registry",
                "an auth token for npm.pkg.github.com",
                "a base64-encoded user name and password for r.example"
            ]
        );
        let with_userinfo = scan_npmrc("//me:s3cretpass@r.example/:_authToken=abc\n");
        assert_eq!(
            with_userinfo[0].what, "an auth token for r.example",
            "no password from the URL"
        );
        let gem = scan_gem_credentials(
            "---\n:rubygems_api_key: abc\nhttps://rubygems.pkg.github.com/me: Bearer ghp_x\n",
        );
        assert_eq!(gem.len(), 2);
        assert_eq!(
            gem[1].what,
            "an API key for https://rubygems.pkg.github.com/me"
        );
        assert_eq!(
            scan_cargo_credentials("[registry]\ntoken = \"\"\n").len(),
            0
        );
        assert_eq!(
            scan_gh_hosts("github.com:\n    oauth_token: x\nghe.corp:\n    oauth_token: y\n").len(),
            2
        );
        let expired = pypi_token("expired");
        let pypirc = scan_pypirc(
            &format!("[testpypi]\npassword: {expired}\n[other]\npassword = hunter2\n"),
            now(),
        );
        assert_eq!(
            pypirc[0].what,
            "an expired PyPI token (pypi-…) in [testpypi]"
        );
        assert!(!pypirc[0].severe);
        assert_eq!(
            pypirc[1].what,
            "a plain password (not an API token) in [other]"
        );
    }

    const GH_CLASSIC: &str = "ghp_CANARYfakeClassicTokenForTests000001";
    const GH_FINE: &str =
        "github_pat_CANARYfakeFineGrained_TokenForLockstepTestsOnlyNotRealAtAll0000000000000001";
    const GL_TOKEN: &str = "glpat-CANARYfakeGitLabTok";
    const GL_OAUTH: &str = "f3a9c1d7e5b2846a0c9e1f3d5b7a9c2e4f6a8b0d2c4e6f8a1b3c5d7e9f0a2b4c";
    const BB_KEY: &str = "Zk4Rm8Tq2Wv6Xy0Pb3Nd";
    const BB_SECRET: &str = "Hs7Lj1Fg5Dk9Ac3Qe8Wr2Ty6Ui0Op4Mn";
    const BASIC_USER: &str = "corpdeployer42";
    const BASIC_PASS: &str = "Pw9xLq2Vn7Kd4Rs1Bt6";
    const BEARER: &str = "Br5Ge8Hy1Uj4Ik7Ol0Pz3Xc6Vb9Nm2Qa";

    /// An `auth.json` in the shapes of Composer's own docs
    /// (https://getcomposer.org/doc/articles/authentication-for-private-packages.md).
    fn composer_auth_json() -> String {
        format!(
            r#"{{
    "github-oauth": {{ "github.com": "{GH_CLASSIC}", "ghe.example.com": "{GH_FINE}" }},
    "gitlab-token": {{ "gitlab.com": "{GL_TOKEN}" }},
    "gitlab-oauth": {{ "gitlab.example.org": "{GL_OAUTH}" }},
    "bitbucket-oauth": {{ "bitbucket.org": {{ "consumer-key": "{BB_KEY}", "consumer-secret": "{BB_SECRET}" }} }},
    "http-basic": {{ "repo.example.org": {{ "username": "{BASIC_USER}", "password": "{BASIC_PASS}" }} }},
    "bearer": {{ "packages.example.com": "{BEARER}" }}
}}"#
        )
    }

    #[test]
    fn composer_auth_json_is_described_by_host_and_kind_without_values() {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        write(
            h,
            ".config/composer/auth.json",
            &composer_auth_json(),
            0o600,
        );
        let reports = scan_home(h, &EnvVars::default(), now());
        assert_eq!(
            reports.iter().map(|r| r.kind).collect::<Vec<_>>(),
            vec![Kind::Composer]
        );
        let r = verdict(&reports, h);
        let ev = r.evidence.join("\n");
        for want in [
            "~/.config/composer/auth.json: a GitHub token for github.com (classic, ghp_)",
            "~/.config/composer/auth.json: a GitHub token for ghe.example.com (fine-grained, github_pat_)",
            "~/.config/composer/auth.json: a GitLab access token for gitlab.com",
            "~/.config/composer/auth.json: a GitLab OAuth token for gitlab.example.org",
            "~/.config/composer/auth.json: a Bitbucket OAuth consumer key and secret for bitbucket.org",
            "~/.config/composer/auth.json: a user name and password for repo.example.org",
            "~/.config/composer/auth.json: a bearer token for packages.example.com",
        ] {
            assert!(ev.lines().any(|l| l == want), "{want} not in\n{ev}");
        }
        assert_eq!(r.evidence.len(), 7, "one line per host and kind: {ev}");
        // A classic GitHub token's scopes are not in the token, so it warns, not fails.
        assert_eq!(r.status, Status::Warn, "{r:?}");
        assert!(!r.summary.contains("user-wide"), "{}", r.summary);
        let rem = r.remediation.join("\n");
        assert!(
            rem.contains("composer config --global --unset github-oauth.github.com"),
            "{rem}"
        );
        assert!(rem.contains("fine-grained"), "{rem}");
        assert_no_secret(
            &r,
            &[
                GH_CLASSIC, GH_FINE, GL_TOKEN, GL_OAUTH, BB_KEY, BB_SECRET, BASIC_USER, BASIC_PASS,
                BEARER,
            ],
        );
        assert!(
            !format!("{reports:?}").contains(BASIC_PASS),
            "no value in the reports' Debug output either"
        );
    }

    #[test]
    fn composer_home_follows_composer_home_appdata_xdg_and_legacy_dot_composer() {
        let home = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let e = elsewhere.path();
        let env = EnvVars::default()
            .with("COMPOSER_HOME", &e.join("ch").display().to_string())
            .with("APPDATA", &e.join("Roaming").display().to_string())
            .with("XDG_CONFIG_HOME", &e.join("cfg").display().to_string());
        let composer: Vec<_> = candidate_files(home.path(), &env)
            .into_iter()
            .filter(|(k, _)| *k == Kind::Composer)
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            composer,
            vec![
                e.join("ch").join("auth.json"),
                e.join("Roaming").join("Composer").join("auth.json"),
                e.join("cfg").join("composer").join("auth.json"),
                home.path().join(".composer").join("auth.json"),
            ]
        );
        let plain: Vec<_> = candidate_files(home.path(), &EnvVars::default())
            .into_iter()
            .filter(|(k, _)| *k == Kind::Composer)
            .map(|(_, p)| p)
            .collect();
        assert_eq!(
            plain,
            vec![
                home.path().join(".config/composer/auth.json"),
                home.path().join(".composer/auth.json"),
            ]
        );
        // The legacy (and macOS) ~/.composer, readable by others: fails and says chmod.
        write(
            home.path(),
            ".composer/auth.json",
            &format!(r#"{{"bearer": {{"repo.example.org": "{BEARER}"}}}}"#),
            0o644,
        );
        write(
            e,
            "ch/auth.json",
            &format!(r#"{{"github-oauth": {{"github.com": "{GH_CLASSIC}"}}}}"#),
            0o600,
        );
        let r = verdict(&scan_home(home.path(), &env, now()), home.path());
        let ev = r.evidence.join("\n");
        assert!(
            ev.contains("~/.composer/auth.json: a bearer token for repo.example.org, and the file is readable by every user"),
            "{ev}"
        );
        assert!(
            ev.contains(&format!(
                "{}: a GitHub token for github.com (classic, ghp_)",
                e.join("ch/auth.json").display()
            )),
            "{ev}"
        );
        #[cfg(unix)]
        {
            assert_eq!(r.status, Status::Fail, "{r:?}");
            assert!(r
                .remediation
                .iter()
                .any(|s| s.contains("chmod 600 ~/.composer/auth.json")));
        }
        assert_no_secret(&r, &[BEARER, GH_CLASSIC]);
    }

    #[test]
    fn composer_auth_parser_edges() {
        let whats = |text: &str| -> Vec<String> {
            scan_composer_auth(text)
                .into_iter()
                .map(|f| {
                    assert!(!f.severe, "no Composer finding is severe: {}", f.what);
                    f.what
                })
                .collect()
        };
        assert!(whats("").is_empty());
        assert!(whats("{}").is_empty());
        assert!(whats("null").is_empty());
        assert!(
            whats(r#"{"github-oauth": {"github.com": ""}, "http-basic": {"r.example": {"username": "u", "password": ""}}, "bearer": {}}"#)
                .is_empty(),
            "empty values hold no secret"
        );
        // Broken JSON: named, and nothing from it (serde's message quotes the line) is shown.
        let broken = whats(&format!(r#"{{"bearer": {{"r.example": "{BEARER}"#));
        assert_eq!(broken, vec![UNPARSABLE.to_string()]);
        assert_eq!(whats("[1, 2]"), vec![UNPARSABLE.to_string()]);
        assert_eq!(
            whats(&format!(
                r#"{{"github-oauth": {{"github.com": "gho_Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7Qr9St1Uv3Wx5", "git.corp": "{BB_KEY}"}}}}"#
            )),
            vec![
                "a GitHub token for git.corp",
                "a GitHub token for github.com (OAuth app, gho_)",
            ]
        );
        assert_eq!(
            whats(&format!(
                r#"{{"gitlab-token": {{"gitlab.example.org": {{"username": "{BASIC_USER}", "token": "{GL_TOKEN}"}}}},
                    "forgejo-token": {{"codeberg.org": {{"username": "{BASIC_USER}", "token": "{BEARER}"}}}},
                    "custom-headers": {{"https://me:{BASIC_PASS}@repo.example.org/p?x=1": ["X-API-TOKEN: {BEARER}"]}},
                    "gitlab-domains": ["gitlab.example.org"]}}"#
            )),
            vec![
                "Composer credentials (custom-headers) for https://repo.example.org/p",
                "Composer credentials (forgejo-token) for codeberg.org",
                "a GitLab access token for gitlab.example.org",
            ],
            "other methods named by key; no user name or password from a URL"
        );
        assert_eq!(
            whats(r#"{"bearer": {"not a host\u001b[31m": "x"}}"#),
            vec!["a bearer token for another host"],
            "a key that is not a host is not shown"
        );
    }

    #[tokio::test]
    async fn async_check_uses_the_given_home() {
        let home = tempfile::tempdir().unwrap();
        write(
            home.path(),
            ".npmrc",
            &format!("//registry.npmjs.org/:_authToken={NPM_CANARY}\n"),
            0o600,
        );
        let r = check(home.path(), &EnvVars::default(), now()).await;
        assert_eq!(r.status, Status::Warn);
        assert_no_secret(&r, &[NPM_CANARY]);
    }
}
