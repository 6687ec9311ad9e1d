//! The device probe through the engine: every device check reports once, for real on this
//! machine (statuses depend on the machine, so only the shape is asserted) and on a fake root.

/// Named so that `cargo test -p lockstep-core device` runs these tests.
mod device {
    use futures::future::BoxFuture;
    use lockstep_core::check::{CheckResult, Observed, Status};
    use lockstep_core::check_registry;
    use lockstep_core::device::{self, DeviceProbe};
    use lockstep_core::dirs::AppDirs;
    use lockstep_core::engine::{run, CheckContext, Emitter, Limits, Probe};
    use lockstep_core::platform::Group;
    use lockstep_core::settings::{EnvVars, Settings};
    use std::collections::BTreeMap;
    use std::fs;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;
    use time::OffsetDateTime;
    use tokio_util::sync::CancellationToken;

    fn ctx(home: &Path) -> Arc<CheckContext> {
        Arc::new(CheckContext {
            settings: Settings::default(),
            env: EnvVars::default(),
            tokens: BTreeMap::new(),
            token_errors: BTreeMap::new(),
            home: home.to_path_buf(),
            dirs: AppDirs::under(home),
            now: OffsetDateTime::from_unix_timestamp(1_795_000_000).unwrap(),
            limits: Limits {
                request_timeout: Duration::from_secs(5),
                deadline: Duration::from_secs(60),
            },
            cancel: CancellationToken::new(),
        })
    }

    fn device_ids() -> Vec<&'static str> {
        check_registry::in_group(Group::Device)
            .map(|s| s.id)
            .collect()
    }

    #[tokio::test]
    async fn real_device_probe_reports_every_device_check() {
        let home = tempfile::tempdir().unwrap();
        let probe = device::probe().expect("the device probe exists");
        assert_eq!(probe.group(), Group::Device);
        let out = run(ctx(home.path()), &[probe], &[Group::Device], |_| {}).await;
        let ids: Vec<&str> = out.results.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, device_ids());
        for r in &out.results {
            assert!(!r.summary.trim().is_empty(), "{r:?}");
            assert!(
                !r.summary.contains("did not report"),
                "each check reports by itself rather than being filled in by the engine: {r:?}"
            );
        }
        let creds = out
            .results
            .iter()
            .find(|r| r.id == "device.publish_credentials")
            .unwrap();
        assert_eq!(
            creds.status,
            Status::Pass,
            "an empty temp home has no credential files"
        );
        let git = out
            .results
            .iter()
            .find(|r| r.id == "device.git_signing")
            .unwrap();
        assert!(
            matches!(git.status, Status::Warn | Status::Unknown),
            "an empty home does not sign: {git:?}"
        );
    }

    /// A GitHub probe standing in for the real one: reports the signing keys after a delay.
    struct FakeGithub(Vec<String>);
    impl Probe for FakeGithub {
        fn group(&self) -> Group {
            Group::Github
        }
        fn run<'a>(&'a self, _ctx: &'a CheckContext, out: &'a Emitter) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                let r = CheckResult::new("github.signing_keys", Status::Pass, "keys")
                    .with_observed(Observed {
                        keys: self.0.clone(),
                        ..Observed::default()
                    });
                out.emit(r);
            })
        }
    }

    #[tokio::test]
    async fn fake_root_and_github_keys_flow_into_the_results_in_order() {
        let root = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        let r = root.path();
        fs::create_dir_all(r.join("proc")).unwrap();
        fs::write(r.join("proc/mounts"), "/dev/sda2 / ext4 rw 0 0\n").unwrap();
        fs::create_dir_all(r.join("sys/class/block/sda2")).unwrap();
        fs::create_dir_all(r.join("opt/Bitwarden")).unwrap();
        // Configure SSH signing in the temp home through git's config files.
        fs::create_dir_all(home.path().join(".ssh")).unwrap();
        fs::write(
            home.path().join(".ssh/id_ed25519.pub"),
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGyuIIWZOsRIChh4FXncG2Wb28JZuQy80wxjNV3bmxoU t\n",
        )
        .unwrap();
        fs::write(
        home.path().join(".gitconfig"),
        "[gpg]\n\tformat = ssh\n[user]\n\tsigningkey = ~/.ssh/id_ed25519.pub\n[commit]\n\tgpgsign = true\n",
    )
    .unwrap();
        let probes: Vec<Arc<dyn Probe>> = vec![
            Arc::new(DeviceProbe::with_root(r.to_path_buf())),
            Arc::new(FakeGithub(vec![
                "SHA256:VO26J4IygPesb8+dMPCAznaWkllYCmA5/Y441rczJcs".into(),
            ])),
        ];
        let mut order = Vec::new();
        let out = run(
            ctx(home.path()),
            &probes,
            &[Group::Device, Group::Github],
            |r| order.push(r.id.clone()),
        )
        .await;
        let get = |id: &str| out.results.iter().find(|r| r.id == id).unwrap().clone();
        if cfg!(target_os = "linux") {
            assert_eq!(get("device.disk_encryption").status, Status::Fail);
            assert_eq!(get("device.password_manager").status, Status::Pass);
            assert_eq!(
                get("device.security_key").status,
                Status::Unknown,
                "fake root has no hidraw"
            );
        }
        let git = get("device.git_signing");
        assert_eq!(git.status, Status::Pass, "{git:?}");
        assert!(
            git.summary.contains("registered on GitHub"),
            "{}",
            git.summary
        );
        let pos = |id: &str| order.iter().position(|x| x == id).unwrap();
        for local in [
            "device.disk_encryption",
            "device.password_manager",
            "device.security_key",
            "device.publish_credentials",
        ] {
            assert!(
                pos(local) < pos("github.signing_keys"),
                "{local} must not wait for the network: {order:?}"
            );
        }
        assert!(pos("device.git_signing") > pos("github.signing_keys"));
    }
}
