//! Password manager detection on fake Linux, macOS and Windows install locations.

/// Named so that `cargo test -p lockstep-core device` runs these tests.
mod device {
    use lockstep_core::check::Status;
    use lockstep_core::device::password_manager::{
        find_linux, find_macos, find_windows, manager_for_name, verdict, ID,
    };
    use std::fs;
    use std::path::{Path, PathBuf};

    fn touch(p: &Path, text: &str) {
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn names(found: &[lockstep_core::device::password_manager::Sighting]) -> Vec<&str> {
        let mut v: Vec<&str> = found.iter().map(|s| s.manager).collect();
        v.dedup();
        v
    }

    #[test]
    fn names_match_the_right_manager() {
        assert_eq!(
            manager_for_name("org.keepassxc.KeePassXC.desktop"),
            Some("KeePassXC")
        );
        assert_eq!(
            manager_for_name("KeePass Password Safe 2"),
            Some("KeePass"),
            "KeePass is not KeePassXC"
        );
        assert_eq!(manager_for_name("1Password 7.app"), Some("1Password"));
        assert_eq!(manager_for_name("Proton Pass.lnk"), Some("Proton Pass"));
        assert_eq!(manager_for_name("firefox.desktop"), None);
    }

    #[test]
    fn linux_desktop_files_binaries_flatpak_snap_and_opt() {
        let root = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        let r = root.path();
        touch(
            &r.join("usr/share/applications/firefox.desktop"),
            "[Desktop Entry]\nName=Firefox\n",
        );
        touch(
            &r.join("usr/share/applications/bitwarden.desktop"),
            "[Desktop Entry]\nName=Bitwarden\n",
        );
        fs::create_dir_all(r.join("var/lib/flatpak/app/org.keepassxc.KeePassXC/current")).unwrap();
        fs::create_dir_all(r.join("snap/enpass/current")).unwrap();
        fs::create_dir_all(r.join("opt/1Password")).unwrap();
        touch(&r.join("usr/bin/keepass2"), "#!/bin/sh\n");
        // A desktop entry whose file name says nothing, but whose Name= does.
        touch(
            &home
                .path()
                .join(".local/share/applications/appimagekit_abc.desktop"),
            "[Desktop Entry]\nName=Proton Pass\nExec=x\n",
        );
        fs::create_dir_all(home.path().join(".local/share/flatpak/app/me.proton.Pass")).unwrap();

        let found = find_linux(r, home.path());
        let mut got = names(&found);
        got.sort();
        got.dedup();
        assert_eq!(
            got,
            vec![
                "1Password",
                "Bitwarden",
                "Enpass",
                "KeePass",
                "KeePassXC",
                "Proton Pass"
            ],
            "{found:?}"
        );
        assert!(found
            .iter()
            .any(|s| s.place.contains("Flatpak org.keepassxc.KeePassXC")));
        let result = verdict(&found);
        assert_eq!(result.status, Status::Pass);
        assert!(result.summary.contains("Bitwarden"), "{}", result.summary);
    }

    #[test]
    fn nothing_found_warns_and_asks_to_confirm() {
        let root = tempfile::tempdir().unwrap();
        let home = tempfile::tempdir().unwrap();
        touch(
            &root.path().join("usr/share/applications/firefox.desktop"),
            "[Desktop Entry]\nName=Firefox\n",
        );
        let result = verdict(&find_linux(root.path(), home.path()));
        assert_eq!(result.id, ID);
        assert_eq!(
            result.status,
            Status::Warn,
            "we may simply not see it, so never fail"
        );
        assert!(result.summary.contains("confirm"), "{}", result.summary);
        assert!(!result.remediation.is_empty());
    }

    #[test]
    fn macos_app_bundles() {
        let apps = tempfile::tempdir().unwrap();
        let user_apps = tempfile::tempdir().unwrap();
        for b in ["Safari.app", "1Password.app", "KeePassXC.app"] {
            fs::create_dir_all(apps.path().join(b).join("Contents")).unwrap();
        }
        fs::create_dir_all(user_apps.path().join("Bitwarden.app")).unwrap();
        let found = find_macos(&[
            apps.path().to_path_buf(),
            user_apps.path().to_path_buf(),
            PathBuf::from("/nonexistent"),
        ]);
        let mut got = names(&found);
        got.sort();
        assert_eq!(got, vec!["1Password", "Bitwarden", "KeePassXC"]);
    }

    #[test]
    fn windows_program_folders_and_start_menu_shortcuts() {
        let pf = tempfile::tempdir().unwrap();
        let local = tempfile::tempdir().unwrap();
        let start = tempfile::tempdir().unwrap();
        fs::create_dir_all(pf.path().join("KeePass Password Safe 2")).unwrap();
        fs::create_dir_all(pf.path().join("Mozilla Firefox")).unwrap();
        fs::create_dir_all(local.path().join("1Password/app/8")).unwrap();
        touch(&start.path().join("Bitwarden.lnk"), "");
        touch(&start.path().join("LastPass/LastPass.lnk"), "");
        touch(&start.path().join("Dashlane.url"), "");
        let found = find_windows(
            &[pf.path().to_path_buf(), local.path().to_path_buf()],
            &[start.path().to_path_buf()],
        );
        let mut got = names(&found);
        got.sort();
        assert_eq!(
            got,
            vec!["1Password", "Bitwarden", "KeePass", "LastPass"],
            "only .lnk shortcuts count: {found:?}"
        );
    }

    #[test]
    fn this_machine_gives_a_well_formed_result() {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/root"));
        let r = verdict(&find_linux(Path::new("/"), &home));
        assert_eq!(r.id, ID);
        assert!(matches!(r.status, Status::Pass | Status::Warn));
        assert!(!r.evidence.is_empty());
    }
}
