//! Issue 13's red-team attacks, kept as regression tests: a hostile fake platform on
//! 127.0.0.1, crafted local files and crafted imports. Each test reproduces one attack and
//! checks that it can neither move a token nor mislead the user. Nothing leaves loopback.

use crate::support;

/// Named `hostile` so `cargo test -p lockstep-core hostile` selects these tests.
mod hostile {
    use super::support::{self, ctx, run, Reply, TestServer};
    use lockstep_core::app::{Lockstep, Setup};
    use lockstep_core::check::Status;
    use lockstep_core::dirs::AppDirs;
    use lockstep_core::engine::Limits;
    use lockstep_core::http::{ApiClient, Auth, HttpError, DEFAULT_MAX_BODY, NPM_MAX_BODY};
    use lockstep_core::keychain::{MemoryKeychain, TokenStore};
    use lockstep_core::platform::{Group, Platform};
    use lockstep_core::secret::Secret;
    use lockstep_core::settings::{AccountSettings, EnvVars, Settings};
    use lockstep_core::state::AnswerStatus;
    use lockstep_core::untrusted_text::MAX_FIELD_CHARS;
    use serde_json::json;
    use std::io::Write;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    const TOKEN: &str = "ghp_canaryHOSTILE0000000000000000000001";
    const HIBP_KEY: &str = "hibpcanaryHOSTILE00000000000001";
    const P: &str = "/api/v3";

    fn p(path: &str) -> String {
        format!("{P}{path}")
    }

    fn open(dir: &Path, tokens: Arc<MemoryKeychain>) -> Lockstep {
        Lockstep::open(
            Setup {
                dirs: AppDirs::under(dir),
                tokens,
                env: EnvVars::default(),
                home: dir.join("home"),
                probes: support::fast_probes(),
                limits: Limits {
                    request_timeout: Duration::from_secs(5),
                    deadline: Duration::from_secs(60),
                },
            },
            support::now(),
        )
        .unwrap()
    }

    fn keychain() -> Arc<MemoryKeychain> {
        let k = Arc::new(MemoryKeychain::default());
        k.set(Platform::Github, &Secret::new(TOKEN)).unwrap();
        k.set(Platform::Hibp, &Secret::new(HIBP_KEY)).unwrap();
        k
    }

    fn export(v: serde_json::Value) -> String {
        let mut v = v;
        v["format"] = json!("lockstep-progress");
        v["version"] = json!(2);
        v.to_string()
    }

    /// The files Lockstep keeps, all of them, as one text.
    fn everything_on_disk(dir: &Path) -> String {
        let mut out = String::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push_str(&text);
                }
            }
        }
        out
    }

    /// Case 1: an imported file pointed GitHub's (and HIBP's) address at another host and
    /// turned the breach check on; the next check sent the keychain token there.
    #[tokio::test]
    async fn an_import_cannot_redirect_a_token_or_switch_on_the_breach_check() {
        let honest = TestServer::start().await;
        honest.route(
            &p("/user"),
            Reply::json(json!({"login": "octo", "two_factor_authentication": true})),
        );
        let hostile = TestServer::start().await;
        let dir = tempfile::tempdir().unwrap();
        let l = open(dir.path(), keychain());
        let mut settings = Settings::default();
        settings.accounts.insert(
            Platform::Github,
            AccountSettings {
                user: None,
                base_url: Some(honest.url(P)),
            },
        );
        l.save_settings(settings).unwrap();

        let file = export(json!({
            "answers": {"two-factor-code-hosts": {"status": "done", "updated_at": "2026-11-20T10:00:00Z"}},
            "settings": {
                "accounts": {
                    "github": {"user": "octo", "base_url": hostile.url(P)},
                    "hibp": {"base_url": hostile.url("/api/v3")}
                },
                "breach_check_consent": true,
                "emails": ["me@example.com"],
                "review_interval_days": 30
            }
        }));
        let preview = l.preview_import(&file).unwrap();
        let hostile_host = hostile.addr.to_string();
        assert!(
            preview
                .not_imported
                .iter()
                .any(|n| n.contains(&hostile_host) && n.contains("GitHub")),
            "the preview names the address it will not import: {:?}",
            preview.not_imported
        );
        assert!(
            preview
                .not_imported
                .iter()
                .any(|n| n.contains("Have I Been Pwned")),
            "{:?}",
            preview.not_imported
        );
        let words: Vec<&str> = preview
            .settings_changed
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert!(
            words.contains(&"GitHub user name: none → octo"),
            "{words:?}"
        );
        assert!(
            words.contains(&"review every 90 days → every 30 days"),
            "{words:?}"
        );
        assert!(
            words.iter().all(|w| !w.contains(&hostile_host)),
            "an address is never a change to make: {words:?}"
        );

        let state = l.apply_import(&file).unwrap();
        assert_eq!(
            state.settings.accounts[&Platform::Github].base_url,
            Some(honest.url(P)),
            "the address on this machine stays"
        );
        assert!(!state.settings.accounts.contains_key(&Platform::Hibp));
        assert!(
            !state.settings.breach_check_consent,
            "consent is never imported"
        );
        assert_eq!(state.settings.review_interval_days, 30);
        assert_eq!(
            state.answers["two-factor-code-hosts"].status,
            AnswerStatus::Done
        );

        let report = l
            .run_checks(
                Some(vec![Group::Account(Platform::Github)]),
                None,
                support::now(),
                |_| {},
            )
            .await
            .unwrap();
        assert!(hostile.seen().is_empty(), "the hostile host got a request");
        assert!(honest.auth_values().contains(&format!("Bearer {TOKEN}")));
        assert!(report
            .outcome
            .results
            .iter()
            .any(|r| r.status == Status::Pass));
    }

    /// Case 1, the old way round: a file without addresses leaves this machine's alone.
    #[test]
    fn an_import_keeps_this_machines_addresses() {
        let dir = tempfile::tempdir().unwrap();
        let l = open(dir.path(), keychain());
        let mut settings = Settings::default();
        settings.accounts.insert(
            Platform::Gitlab,
            AccountSettings {
                user: Some("me".into()),
                base_url: Some("https://gitlab.example.com".into()),
            },
        );
        settings.breach_check_consent = true;
        l.save_settings(settings).unwrap();
        let state = l
            .apply_import(&export(
                json!({"settings": {"accounts": {"gitlab": {"user": "other"}}}}),
            ))
            .unwrap();
        let gitlab = &state.settings.accounts[&Platform::Gitlab];
        assert_eq!(
            gitlab.base_url.as_deref(),
            Some("https://gitlab.example.com")
        );
        assert_eq!(gitlab.user.as_deref(), Some("other"));
        assert!(
            state.settings.breach_check_consent,
            "consent is not revoked either"
        );
    }

    /// A hand-made HTTP server that sends `bytes` of body (or never stops when `None`) as
    /// fast as loopback allows, without a length, until the client hangs up.
    fn endless_server(bytes: Option<usize>) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(4) {
                let Ok(mut s) = stream else { return };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    let _ = std::io::Read::read(&mut s, &mut buf);
                    let _ = s.write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[",
                    );
                    let chunk = vec![b' '; 64 * 1024];
                    // Bounded even when "endless": 1 GiB, far past any cap, then stop.
                    let limit = bytes.unwrap_or(1 << 30);
                    let mut sent = 0;
                    while sent < limit {
                        if s.write_all(&chunk).is_err() {
                            return;
                        }
                        sent += chunk.len();
                    }
                    let _ = s.write_all(b"]");
                });
            }
        });
        format!("http://{addr}")
    }

    /// Case 2: an endless body aborted the process; a 500 MB one used 1 GB.
    #[tokio::test]
    async fn an_endless_or_huge_answer_is_unknown_too_large_and_nothing_else_suffers() {
        let endless = endless_server(None);
        let c = ApiClient::new(&endless, None, Auth::Bearer, Duration::from_secs(30)).unwrap();
        let err = c.get("/user").await.unwrap_err();
        assert!(matches!(err, HttpError::TooLarge { .. }), "{err:?}");
        assert!(err.to_string().contains("too large"), "{err}");

        // With a declared length, refused before reading.
        let s = TestServer::start().await;
        s.route(
            &p("/user"),
            Reply::raw(200, &" ".repeat(DEFAULT_MAX_BODY + 1)),
        );
        s.json(&p("/user/keys?per_page=100"), json!([]));
        let results = run(
            ctx(
                &[("LOCKSTEP_GITHUB_URL", &s.url(P))],
                &[(Platform::Github, TOKEN)],
            ),
            &[Group::Account(Platform::Github)],
        )
        .await;
        let two_factor = &results["github.two_factor"];
        assert_eq!(two_factor.status, Status::Unknown, "{two_factor:?}");
        assert!(two_factor.summary.contains("too large"), "{two_factor:?}");
        assert_ne!(
            results["github.hardware_keys"].status,
            Status::Unknown,
            "other checks are not affected: {:?}",
            results["github.hardware_keys"]
        );
    }

    /// Case 2: npm's packuments may be far larger than any other answer (vite's is ~39 MB), so
    /// npm's cap is npm's own 100 MB ceiling, and only npm's.
    #[tokio::test]
    async fn the_cap_is_per_platform() {
        let url = endless_server(Some(DEFAULT_MAX_BODY + 1024 * 1024));
        let default = ApiClient::new(&url, None, Auth::Bearer, Duration::from_secs(30)).unwrap();
        assert!(matches!(
            default.get("/big").await,
            Err(HttpError::TooLarge { .. })
        ));
        let npm = ApiClient::new(&url, None, Auth::Bearer, Duration::from_secs(30))
            .unwrap()
            .with_max_body(NPM_MAX_BODY);
        let body = npm.get("/big").await.unwrap().body;
        assert_eq!(body.len(), DEFAULT_MAX_BODY + 1024 * 1024 + 2);
    }

    /// Case 2: a 100 MB login wrote a 100 MB review.
    #[tokio::test]
    async fn a_huge_text_field_is_cut_before_it_is_kept() {
        let s = TestServer::start().await;
        let login = "a".repeat(1_000_000);
        s.json(
            &p("/user"),
            json!({"login": login, "two_factor_authentication": true}),
        );
        let results = run(
            ctx(
                &[("LOCKSTEP_GITHUB_URL", &s.url(P))],
                &[(Platform::Github, TOKEN)],
            ),
            &[Group::Account(Platform::Github)],
        )
        .await;
        let r = &results["github.two_factor"];
        assert_eq!(r.status, Status::Pass);
        assert!(
            r.summary.chars().count() < MAX_FIELD_CHARS + 100,
            "{}",
            r.summary.len()
        );
        assert!(r.summary.contains("more characters not kept"));
    }

    /// Case 4: a platform that echoes the token got it into summaries, reviews and state.
    #[tokio::test]
    async fn a_platform_that_echoes_the_token_gets_nothing_written_down() {
        let s = TestServer::start().await;
        s.route(
            &p("/user"),
            Reply::json(
                json!({"login": format!("Bearer {TOKEN}"), "two_factor_authentication": true}),
            )
            .header("x-oauth-scopes", &format!("read:user, {TOKEN}")),
        );
        s.json(
            &p("/user/keys?per_page=100"),
            json!([{"id": 1, "title": TOKEN, "key": "sk-ssh-ed25519@openssh.com AAAA"}]),
        );
        s.json(
            &p("/user/emails?per_page=100"),
            json!([{"email": 42, "primary": TOKEN}]),
        );
        let dir = tempfile::tempdir().unwrap();
        let l = open(dir.path(), keychain());
        let mut settings = Settings::default();
        settings.accounts.insert(
            Platform::Github,
            AccountSettings {
                user: None,
                base_url: Some(s.url(P)),
            },
        );
        l.save_settings(settings).unwrap();
        let status = l
            .save_token(Platform::Github, Secret::new(TOKEN), support::now())
            .await
            .unwrap();
        let shown = serde_json::to_string(&status).unwrap();
        assert!(!shown.contains("canaryHOSTILE"), "{shown}");
        let report = l
            .run_checks(
                Some(vec![Group::Account(Platform::Github)]),
                None,
                support::now(),
                |_| {},
            )
            .await
            .unwrap();
        let results = serde_json::to_string(&report.outcome.results).unwrap();
        assert!(!results.contains("canaryHOSTILE"), "{results}");
        l.flush().unwrap();
        let disk = everything_on_disk(dir.path());
        assert!(
            !disk.contains("canaryHOSTILE"),
            "the token was written down"
        );
        assert!(
            disk.contains("<redacted>"),
            "the echo was replaced, not dropped silently"
        );
    }

    /// Case 4: serde's message for a type error quotes the value.
    #[tokio::test]
    async fn a_parse_error_never_quotes_the_answer() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct User {
            id: u64,
        }
        let s = TestServer::start().await;
        s.json("/user", json!({"id": "quoted-canary-value"}));
        let c = ApiClient::new(&s.url(""), None, Auth::Bearer, Duration::from_secs(5)).unwrap();
        let err = c.get("/user").await.unwrap().json::<User>().unwrap_err();
        assert!(!err.to_string().contains("quoted-canary"), "{err}");
        assert!(err.to_string().contains("line 1"), "{err}");
    }

    /// Case 5: the app and the CLI each saved the state they loaded at start, so a CLI import
    /// was undone by a concurrent `token set` in another process.
    #[test]
    fn a_change_saved_by_another_process_is_not_undone() {
        let dir = tempfile::tempdir().unwrap();
        let app = open(dir.path(), keychain());
        let cli = open(dir.path(), keychain());
        cli.save_each_change_at_once();
        cli.apply_import(&export(json!({
            "answers": {"two-factor-code-hosts": {"status": "done", "updated_at": "2026-11-20T10:00:00Z"}}
        })))
        .unwrap();
        app.answer(
            "security-key-register",
            Some(AnswerStatus::Later),
            None,
            None,
            support::now(),
        )
        .unwrap();
        app.flush().unwrap();
        let fresh = open(dir.path(), keychain()).state();
        assert!(
            fresh.answers.contains_key("two-factor-code-hosts"),
            "the import was undone"
        );
        assert!(fresh.answers.contains_key("security-key-register"));
        assert_eq!(
            app.state(),
            fresh,
            "the app sees what is on disk after its own save"
        );

        // Many writers at once, each in its own instance: every answer survives.
        let ids = [
            "email-long-lived-provider",
            "email-no-personal-domain",
            "email-secure-mailbox",
            "two-factor-registries",
            "two-factor-no-sms",
            "password-manager-use",
            "recovery-codes-stored-apart",
            "security-key-backup",
        ];
        std::thread::scope(|scope| {
            for id in ids {
                let dir = dir.path().to_path_buf();
                scope.spawn(move || {
                    let l = open(&dir, keychain());
                    l.answer(id, Some(AnswerStatus::Done), None, None, support::now())
                        .unwrap();
                    l.flush().unwrap();
                });
            }
        });
        let fresh = open(dir.path(), keychain()).state();
        for id in ids {
            assert!(fresh.answers.contains_key(id), "{id} was lost");
        }
    }

    /// Case 6: `status`, `check`, `report` and the app dropped the notice about a damaged
    /// review; only the history list said it.
    #[test]
    fn a_damaged_review_is_told_once_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let l = open(dir.path(), keychain());
        let reviews = dir.path().join("data/reviews");
        std::fs::create_dir_all(&reviews).unwrap();
        std::fs::write(reviews.join("20261101T000000Z.json"), "{ damaged").unwrap();
        assert!(l.notice().is_none());
        let _ = l.status_report(support::now()).unwrap();
        let notice = l.notice().expect("status must surface the notice");
        assert!(
            notice.contains("20261101T000000Z.json.corrupt-"),
            "{notice}"
        );
        // Once: the file is set aside, so a later command has nothing to say.
        let later = open(dir.path(), keychain());
        let _ = later.status_report(support::now()).unwrap();
        assert!(later.notice().is_none(), "{:?}", later.notice());
    }

    /// Case 8: a server that repeats a page made one org with 2 admins count many times.
    #[tokio::test]
    async fn a_repeating_page_counts_nothing_twice() {
        let s = TestServer::start().await;
        s.json(
            &p("/user"),
            json!({"login": "octo", "two_factor_authentication": true}),
        );
        let memberships = "/user/memberships/orgs?state=active&per_page=100";
        let page =
            json!([{"state": "active", "role": "admin", "organization": {"login": "fake-org"}}]);
        let link = |to: &str| format!("<{}>; rel=\"next\"", s.url(&p(to)));
        // Page 1 links to page 2, which repeats page 1 and links on to page 3 (the same again).
        s.route(
            &p(memberships),
            Reply::json(page.clone()).header("link", &link(&format!("{memberships}&page=2"))),
        );
        s.route(
            &p(&format!("{memberships}&page=2")),
            Reply::json(page.clone()).header("link", &link(&format!("{memberships}&page=3"))),
        );
        s.route(
            &p(&format!("{memberships}&page=3")),
            Reply::json(page).header("link", &link(&format!("{memberships}&page=4"))),
        );
        s.json(
            &p("/orgs/fake-org"),
            json!({"login": "fake-org", "two_factor_requirement_enabled": true}),
        );
        let admins = "/orgs/fake-org/members?role=admin&per_page=100";
        // The admins page links back to itself, with the body reformatted so it is not
        // byte-identical: the seen link stops it, and de-duplication removes the repeat.
        s.route(
            &p(admins),
            Reply::json(json!([{"login": "octo"}, {"login": "hubot"}]))
                .header("link", &link(&format!("{admins}&page=2"))),
        );
        s.route(
            &p(&format!("{admins}&page=2")),
            Reply::raw(200, r#"[ {"login":"octo"}, {"login":"hubot"} ]"#)
                .header("content-type", "application/json")
                .header("link", &link(admins)),
        );
        let results = run(
            ctx(
                &[("LOCKSTEP_GITHUB_URL", &s.url(P))],
                &[(Platform::Github, TOKEN)],
            ),
            &[Group::Account(Platform::Github)],
        )
        .await;
        let owners = &results["github.org_owners"];
        assert_eq!(owners.observed.owners.len(), 1, "{owners:#?}");
        assert_eq!(owners.observed.owners["fake-org"].len(), 2, "{owners:#?}");
        assert_eq!(
            owners
                .evidence
                .iter()
                .filter(|e| e.contains("fake-org"))
                .count(),
            1,
            "{owners:#?}"
        );
        assert_eq!(
            s.hits(&p(&format!("{memberships}&page=3"))),
            0,
            "paging stopped at the repeat"
        );
        assert_eq!(s.hits(&p(admins)), 1, "the link back was not followed");
    }

    /// Case 10: `state.json` -> /dev/zero read until memory ran out; a FIFO hung `status`.
    #[cfg(unix)]
    #[test]
    fn a_state_or_review_that_is_no_ordinary_file_is_set_aside_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("reviews")).unwrap();
        std::os::unix::fs::symlink("/dev/zero", data.join("state.json")).unwrap();
        let fifo = data.join("reviews/20261101T000000Z.json");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success());
        let l = open(dir.path(), keychain());
        let notice = l.notice().expect("the user is told");
        assert!(notice.contains("a device"), "{notice}");
        // Returning at all is the point: reading the FIFO would hang here. It is not an
        // ordinary file, so it is never opened (left where it is, or set aside and told).
        let _ = l.status_report(support::now()).unwrap();
        let notice = l.notice().unwrap();
        assert!(
            fifo.exists() != notice.contains("named pipe"),
            "set aside only with a notice: {notice}"
        );
        // A huge state file (sparse, so the test stays cheap) is refused without reading it.
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("data")).unwrap();
        let f = std::fs::File::create(dir.path().join("data/state.json")).unwrap();
        f.set_len(3 << 30).unwrap();
        let l = open(dir.path(), keychain());
        assert!(
            l.notice().unwrap().contains("larger than"),
            "{:?}",
            l.notice()
        );
    }

    /// Case 11: credentials inside a base URL that does not parse were echoed into results.
    #[tokio::test]
    async fn an_address_that_does_not_parse_is_never_echoed() {
        let results = run(
            ctx(
                &[(
                    "LOCKSTEP_GITHUB_URL",
                    "https://me:hunter2secret@exa mple.com/api",
                )],
                &[(Platform::Github, TOKEN)],
            ),
            &[Group::Account(Platform::Github)],
        )
        .await;
        let json = serde_json::to_string(&results).unwrap();
        assert!(!json.contains("hunter2secret"), "{json}");
        assert_eq!(results["github.two_factor"].status, Status::Unknown);
    }

    /// Case 13: `import` skipped the checks `answer()` makes: 300,000 bogus answers went in.
    #[test]
    fn an_import_goes_through_the_same_validation_as_answering() {
        let dir = tempfile::tempdir().unwrap();
        let l = open(dir.path(), keychain());
        let at = "2026-11-20T10:00:00Z";
        // An answer for an item this version does not know is not imported (a newer
        // Lockstep's file still imports the rest); the preview counts it in plain words.
        let unknown =
            export(json!({"answers": {"no-such-item": {"status": "done", "updated_at": at}}}));
        let preview = l.preview_import(&unknown).unwrap();
        assert_eq!(preview.answers_unknown, 1);
        assert!(
            !preview.lines().join("\n").contains("no-such-item"),
            "{:?}",
            preview.lines()
        );
        l.apply_import(&unknown).unwrap();
        assert!(l.state().answers.is_empty(), "nothing unknown went in");
        let cases = [
            (
                json!({"answers": {"two-factor-no-sms": {"status": "not_applicable", "updated_at": at}}}),
                "does not apply",
            ),
            (
                json!({"answers": {"two-factor-no-sms": {"status": "done", "choice": "bogus", "updated_at": at}}}),
                "not one of the answers",
            ),
            (
                json!({"positions": {"travel": "two-factor-no-sms"}}),
                "not an item of that journey",
            ),
        ];
        for (file, why) in cases {
            let err = l.apply_import(&export(file.clone())).unwrap_err();
            assert_eq!(err.kind(), "invalid_input", "{file}");
            assert!(err.to_string().contains(why), "{file}: {err}");
            assert!(err.to_string().contains("Nothing was changed"), "{err}");
        }
        let mut answers = serde_json::Map::new();
        for i in 0..300_000 {
            answers.insert(
                format!("bogus-{i}"),
                json!({"status": "done", "updated_at": at}),
            );
        }
        let err = l
            .apply_import(&export(json!({"answers": answers})))
            .unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        assert!(l.state().answers.is_empty());
    }

    /// Case 16: temp files left by a killed save were never cleaned up.
    #[test]
    fn stale_temp_files_from_a_killed_save_are_removed_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("reviews")).unwrap();
        let stale = [
            data.join(".state.json.4242.tmp"),
            data.join(".lockstep-AbCdEf.tmp"),
            data.join("reviews/.lockstep-XyZ123.tmp"),
        ];
        let long_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
        for f in &stale {
            std::fs::write(f, "half a save").unwrap();
            std::fs::File::options()
                .write(true)
                .open(f)
                .unwrap()
                .set_modified(long_ago)
                .unwrap();
        }
        let _l = open(dir.path(), keychain());
        for f in &stale {
            assert!(!f.exists(), "{} is still there", f.display());
        }
    }
}
