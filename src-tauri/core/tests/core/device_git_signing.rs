//! Git signing: `git config --get-regexp` outputs, config files, GitHub comparison, real git.

/// Named so that `cargo test -p lockstep-core device` runs these tests.
mod device {
    use lockstep_core::check::{CheckResult, Observed, Status};
    use lockstep_core::device::git_signing::{
        github_keys, key_id, parse_config_file, parse_get_regexp, read_config, read_config_files,
        registered_on_github, verdict, GithubKeys, KeyId, Source, ID,
    };
    use lockstep_core::settings::EnvVars;
    use std::fs;
    use std::path::Path;

    const PUBKEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGyuIIWZOsRIChh4FXncG2Wb28JZuQy80wxjNV3bmxoU test@example";
    /// From `ssh-keygen -lf` on the key above.
    const FINGERPRINT: &str = "SHA256:VO26J4IygPesb8+dMPCAznaWkllYCmA5/Y441rczJcs";

    const GPG_OUTPUT: &str =
        "user.signingkey 0x3AA5C34371567BD2\ncommit.gpgsign true\ntag.gpgsign true\n";
    const SSH_OUTPUT: &str =
        "gpg.format ssh\nuser.signingkey ~/.ssh/id_ed25519.pub\ncommit.gpgsign true\n";

    fn home_with_key() -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        fs::create_dir_all(home.path().join(".ssh")).unwrap();
        fs::write(
            home.path().join(".ssh/id_ed25519.pub"),
            format!("{PUBKEY}\n"),
        )
        .unwrap();
        home
    }

    #[test]
    fn get_regexp_outputs_for_gpg_ssh_and_none() {
        let gpg = parse_get_regexp(GPG_OUTPUT);
        assert!(gpg.commit_gpgsign && gpg.tag_gpgsign);
        assert_eq!(gpg.format, "openpgp");
        assert_eq!(gpg.signing_key.as_deref(), Some("0x3AA5C34371567BD2"));
        let ssh = parse_get_regexp(SSH_OUTPUT);
        assert_eq!(ssh.format, "ssh");
        assert!(ssh.commit_gpgsign && !ssh.tag_gpgsign);
        let none = parse_get_regexp("");
        assert!(!none.commit_gpgsign && none.signing_key.is_none());
        // Later values win, a bare key is true, and "false" turns it off again.
        assert!(parse_get_regexp("commit.gpgsign\n").commit_gpgsign);
        assert!(!parse_get_regexp("commit.gpgsign true\ncommit.gpgsign false\n").commit_gpgsign);
    }

    #[test]
    fn nothing_configured_warns_with_exact_git_config_lines() {
        let home = tempfile::tempdir().unwrap();
        let r = verdict(
            &parse_get_regexp(""),
            Source::Git,
            home.path(),
            &GithubKeys::NotChecked,
        );
        assert_eq!(r.id, ID);
        assert_eq!(r.status, Status::Warn);
        for line in [
            "git config --global gpg.format ssh",
            "git config --global commit.gpgsign true",
        ] {
            assert!(
                r.remediation.iter().any(|s| s == line),
                "missing `{line}` in {:?}",
                r.remediation
            );
        }
        assert!(
            r.remediation.iter().any(|s| s == "ssh-keygen -t ed25519"),
            "no key yet: make one first"
        );
        fs::create_dir_all(home.path().join(".ssh")).unwrap();
        fs::write(
            home.path().join(".ssh/id_ed25519_sk.pub"),
            format!("{PUBKEY}\n"),
        )
        .unwrap();
        let with_sk = verdict(
            &parse_get_regexp(""),
            Source::Git,
            home.path(),
            &GithubKeys::NotChecked,
        );
        assert!(
            with_sk
                .remediation
                .iter()
                .any(|s| s == "git config --global user.signingkey ~/.ssh/id_ed25519_sk.pub"),
            "the user's own hardware-backed key is suggested: {:?}",
            with_sk.remediation
        );
        let key_missing = verdict(
            &parse_get_regexp("gpg.format ssh\ncommit.gpgsign true\n"),
            Source::Git,
            home.path(),
            &GithubKeys::NotChecked,
        );
        assert_eq!(
            key_missing.status,
            Status::Warn,
            "signing on without an SSH key fails to sign"
        );
    }

    #[test]
    fn ssh_key_from_a_path_is_fingerprinted_and_compared_with_github() {
        let home = home_with_key();
        let config = parse_get_regexp(SSH_OUTPUT);
        let id = key_id(&config, home.path()).unwrap();
        match &id {
            KeyId::Ssh {
                fingerprint,
                key_type,
                ..
            } => {
                assert_eq!(fingerprint, FINGERPRINT);
                assert_eq!(key_type, "ssh-ed25519");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            lockstep_core::ssh_key::fingerprint(
                "AAAAC3NzaC1lZDI1NTE5AAAAIGyuIIWZOsRIChh4FXncG2Wb28JZuQy80wxjNV3bmxoU"
            )
            .as_deref(),
            Some(FINGERPRINT)
        );

        let unchecked = verdict(&config, Source::Git, home.path(), &GithubKeys::NotChecked);
        assert_eq!(unchecked.status, Status::Pass);
        assert_eq!(unchecked.observed.keys, vec![FINGERPRINT.to_string()]);
        assert!(unchecked
            .evidence
            .iter()
            .any(|e| e.contains("Not compared with GitHub")));

        // GitHub may list the key itself or its fingerprint.
        for listed in [PUBKEY.to_string(), FINGERPRINT.to_string()] {
            let r = verdict(
                &config,
                Source::Git,
                home.path(),
                &GithubKeys::Listed(vec![listed]),
            );
            assert_eq!(r.status, Status::Pass);
            assert!(r.summary.contains("registered on GitHub"), "{}", r.summary);
        }
        let other = verdict(
            &config,
            Source::Git,
            home.path(),
            &GithubKeys::Listed(vec!["SHA256:someotherkey".into()]),
        );
        assert_eq!(
            other.status,
            Status::Warn,
            "an unregistered key shows commits as Unverified"
        );
        assert!(other
            .remediation
            .iter()
            .any(|s| s.contains("github.com/settings/keys")));
    }

    #[test]
    fn private_key_path_and_literal_keys_resolve_to_the_public_key() {
        let home = home_with_key();
        let by_private = parse_get_regexp(
            "gpg.format ssh\nuser.signingkey ~/.ssh/id_ed25519\ncommit.gpgsign true\n",
        );
        assert!(matches!(
            key_id(&by_private, home.path()),
            Some(KeyId::Ssh { .. })
        ));
        let literal = parse_get_regexp(&format!(
            "gpg.format ssh\nuser.signingkey key::{PUBKEY}\ncommit.gpgsign true\n"
        ));
        match key_id(&literal, Path::new("/nonexistent")) {
            Some(KeyId::Ssh { fingerprint, .. }) => assert_eq!(fingerprint, FINGERPRINT),
            other => panic!("{other:?}"),
        }
        let missing = parse_get_regexp(
            "gpg.format ssh\nuser.signingkey /nope/key.pub\ncommit.gpgsign true\n",
        );
        assert!(matches!(
            key_id(&missing, home.path()),
            Some(KeyId::Unreadable(_))
        ));
    }

    #[test]
    fn gpg_key_ids_match_fingerprints_by_suffix() {
        let home = tempfile::tempdir().unwrap();
        let config = parse_get_regexp(GPG_OUTPUT);
        let id = key_id(&config, home.path()).unwrap();
        assert_eq!(id, KeyId::Gpg("3AA5C34371567BD2".into()));
        assert_eq!(
            registered_on_github(&id, &["3AA5C34371567BD2".into()]),
            Some(true)
        );
        assert_eq!(
            registered_on_github(
                &KeyId::Gpg("ABCDEF01234567893AA5C34371567BD2".into()),
                &["3aa5c34371567bd2".into()]
            ),
            Some(true)
        );
        assert_eq!(
            registered_on_github(&id, &["1111222233334444".into()]),
            Some(false)
        );
        let by_email = parse_get_regexp("user.signingkey me@example.org\ncommit.gpgsign true\n");
        assert!(matches!(
            key_id(&by_email, home.path()),
            Some(KeyId::GpgUserId(_))
        ));
    }

    #[test]
    fn github_keys_come_from_the_signing_keys_result_only_when_it_ran() {
        let mut ran = CheckResult::new("github.signing_keys", Status::Pass, "2 keys");
        ran.observed = Observed {
            keys: vec!["3AA5C34371567BD2".into()],
            ..Observed::default()
        };
        let other = CheckResult::new("github.two_factor", Status::Pass, "on");
        assert_eq!(
            github_keys(&[other.clone(), ran]),
            GithubKeys::Listed(vec!["3AA5C34371567BD2".into()])
        );
        assert_eq!(github_keys(&[other]), GithubKeys::NotChecked);
        assert_eq!(
            github_keys(&[CheckResult::skipped("github.signing_keys", "no token")]),
            GithubKeys::NotChecked
        );
    }

    #[test]
    fn config_files_are_read_when_git_is_missing() {
        let home = tempfile::tempdir().unwrap();
        fs::create_dir_all(home.path().join(".config/git")).unwrap();
        fs::write(
            home.path().join(".config/git/config"),
            "[commit]\n\tgpgsign = false\n",
        )
        .unwrap();
        fs::write(
        home.path().join(".gitconfig"),
        "# mine\n[user]\n\tname = A\n\tsigningKey = \"~/.ssh/id_ed25519.pub\" ; comment\n[gpg]\n\tformat = ssh\n[commit]\n\tgpgSign\n[url \"git@github.com:\"]\n\tinsteadOf = https://github.com/\n",
    )
    .unwrap();
        let pairs = parse_config_file(&fs::read_to_string(home.path().join(".gitconfig")).unwrap());
        assert!(pairs.contains(&(
            "url.git@github.com:.insteadof".into(),
            Some("https://github.com/".into())
        )));
        let config = read_config_files(home.path(), None);
        assert!(config.commit_gpgsign, "~/.gitconfig overrides the XDG file");
        assert_eq!(config.format, "ssh");
        assert_eq!(config.signing_key.as_deref(), Some("~/.ssh/id_ed25519.pub"));
    }

    fn git_available() -> bool {
        std::process::Command::new("git")
            .arg("--version")
            .output()
            .is_ok()
    }

    /// Sets a global git option in a temp home, passing HOME to git only (never to this process).
    fn git_set(home: &Path, key: &str, value: &str) {
        let status = std::process::Command::new("git")
            .args(["config", "--global", key, value])
            .env("HOME", home)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("GIT_CONFIG_GLOBAL")
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[tokio::test]
    async fn real_git_reads_a_temporary_home() {
        if !git_available() {
            eprintln!("git is not installed; skipping");
            return;
        }
        let home = home_with_key();
        let (empty, source) = read_config(home.path(), &EnvVars::default()).await.unwrap();
        assert_eq!(source, Source::Git);
        assert!(!empty.commit_gpgsign, "a fresh home signs nothing");

        git_set(home.path(), "gpg.format", "ssh");
        git_set(home.path(), "user.signingKey", "~/.ssh/id_ed25519.pub");
        git_set(home.path(), "commit.gpgSign", "true");
        let (config, _) = read_config(home.path(), &EnvVars::default()).await.unwrap();
        assert!(config.commit_gpgsign);
        assert_eq!(config.format, "ssh");
        let r = verdict(&config, Source::Git, home.path(), &GithubKeys::NotChecked);
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert_eq!(r.observed.keys, vec![FINGERPRINT.to_string()]);
    }
}
