//! Publishing tokens in plain files, on temporary homes. No test token may ever appear in a
//! result.

/// Named so that `cargo test -p lockstep-core device` runs these tests.
mod device {
    use lockstep_core::check::{CheckResult, Status};
    use lockstep_core::device::publish_credentials::{
        candidate_files, check, scan_cargo_credentials, scan_gem_credentials, scan_gh_hosts,
        scan_home, scan_npmrc, scan_pypirc, verdict, Kind, ID,
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

    /// Fails if any secret, or any 8-character piece of it past its public prefix, is in the JSON.
    #[track_caller]
    fn assert_no_secret(result: &CheckResult, secrets: &[&str]) {
        let json = serde_json::to_string(result).unwrap();
        for s in secrets {
            let body = s
                .trim_start_matches("pypi-")
                .trim_start_matches("npm_")
                .trim_start_matches("rubygems_");
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
        assert_eq!(r.id, ID);
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
