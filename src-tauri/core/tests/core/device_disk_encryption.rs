//! Disk encryption: each OS's tool output, and the Linux reader on fake `/proc` + `/sys` trees.

/// Named so that `cargo test -p lockstep-core device` runs these tests.
mod device {
    use lockstep_core::check::Status;
    use lockstep_core::device::disk_encryption::{
        bitlocker_protection, linux_check, parse_fdesetup_status, parse_manage_bde,
        parse_mountinfo, parse_proc_mounts, parse_shell_bitlocker_protection, verdict, Conversion,
        ManageBde, Os, Protection, ID,
    };
    use std::fs;
    use std::path::{Path, PathBuf};

    fn fixture(name: &str) -> String {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/device")
            .join(name);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("fixture {}: {e}", p.display()))
    }

    #[track_caller]
    fn status_of(os: Os, p: &Protection) -> Status {
        verdict(os, p, None, Vec::new()).status
    }

    // ------------------------------------------------------------------ macOS

    #[test]
    fn fdesetup_outputs_map_to_pass_fail_and_warn() {
        let on = parse_fdesetup_status(&fixture("fdesetup_on.txt"));
        assert!(matches!(on, Protection::Encrypted(_)), "{on:?}");
        assert_eq!(status_of(Os::Macos, &on), Status::Pass);
        let off = parse_fdesetup_status(&fixture("fdesetup_off.txt"));
        assert!(matches!(off, Protection::NotEncrypted(_)), "{off:?}");
        let r = verdict(Os::Macos, &off, None, Vec::new());
        assert_eq!(r.status, Status::Fail);
        assert!(
            r.remediation.iter().any(|s| s.contains("FileVault")),
            "macOS advice names FileVault: {r:?}"
        );
        for partial in [
            "fdesetup_encrypting.txt",
            "fdesetup_decrypting.txt",
            "fdesetup_deferred.txt",
        ] {
            let p = parse_fdesetup_status(&fixture(partial));
            assert!(matches!(p, Protection::Partial(_)), "{partial}: {p:?}");
            assert_eq!(
                status_of(Os::Macos, &p),
                Status::Warn,
                "{partial} is in between, so warn"
            );
        }
        let encrypting = parse_fdesetup_status(&fixture("fdesetup_encrypting.txt"));
        assert!(
            format!("{encrypting:?}").contains("37.52"),
            "progress is shown: {encrypting:?}"
        );
        assert!(matches!(
            parse_fdesetup_status("Error: something odd"),
            Protection::Unknown(_)
        ));
    }

    // ------------------------------------------------------------------ Windows

    #[test]
    fn manage_bde_english_on_off_used_space_progress_suspended() {
        let cases = [
            (
                "manage_bde_en_on.txt",
                Status::Pass,
                Some(Conversion::FullyEncrypted),
                Some(true),
            ),
            (
                "manage_bde_en_used_space.txt",
                Status::Pass,
                Some(Conversion::UsedSpaceOnlyEncrypted),
                Some(true),
            ),
            (
                "manage_bde_en_off.txt",
                Status::Fail,
                Some(Conversion::FullyDecrypted),
                Some(false),
            ),
            (
                "manage_bde_en_in_progress.txt",
                Status::Warn,
                Some(Conversion::Encrypting),
                Some(false),
            ),
            (
                "manage_bde_en_suspended.txt",
                Status::Warn,
                Some(Conversion::FullyEncrypted),
                Some(false),
            ),
        ];
        for (file, status, conversion, protection) in cases {
            let parsed = parse_manage_bde(&fixture(file));
            match &parsed {
                ManageBde::Volume {
                    protection_on,
                    conversion: c,
                    ..
                } => {
                    assert_eq!(*c, conversion, "{file}");
                    assert_eq!(*protection_on, protection, "{file}");
                }
                other => panic!("{file}: {other:?}"),
            }
            assert_eq!(
                status_of(Os::Windows, &bitlocker_protection(&parsed, None)),
                status,
                "{file}"
            );
        }
        let progress = bitlocker_protection(
            &parse_manage_bde(&fixture("manage_bde_en_in_progress.txt")),
            None,
        );
        assert!(format!("{progress:?}").contains("42.7"), "{progress:?}");
    }

    #[test]
    fn manage_bde_german_and_french_wording() {
        let de_on = parse_manage_bde(&fixture("manage_bde_de_on.txt"));
        assert_eq!(
            de_on,
            ManageBde::Volume {
                protection_on: Some(true),
                conversion: Some(Conversion::FullyEncrypted),
                percent: Some(100.0)
            }
        );
        let de_off = parse_manage_bde(&fixture("manage_bde_de_off.txt"));
        assert_eq!(
            de_off,
            ManageBde::Volume {
                protection_on: Some(false),
                conversion: Some(Conversion::FullyDecrypted),
                percent: Some(0.0)
            }
        );
        assert_eq!(
            status_of(Os::Windows, &bitlocker_protection(&de_on, None)),
            Status::Pass
        );
        assert_eq!(
            status_of(Os::Windows, &bitlocker_protection(&de_off, None)),
            Status::Fail
        );
        let fr_on = parse_manage_bde(&fixture("manage_bde_fr_on.txt"));
        assert_eq!(
            status_of(Os::Windows, &bitlocker_protection(&fr_on, None)),
            Status::Pass,
            "{fr_on:?}"
        );
    }

    #[test]
    fn manage_bde_in_an_unknown_language_falls_back_to_percent_and_exit_code() {
        let text = "Volume C:\n    Xyz:  Qwerty\n    Abc:  100 %\n    Def:  Zzz\n";
        let parsed = parse_manage_bde(text);
        assert_eq!(
            status_of(Os::Windows, &bitlocker_protection(&parsed, Some(0))),
            Status::Pass,
            "exit 0 = protected"
        );
        assert_eq!(
            status_of(Os::Windows, &bitlocker_protection(&parsed, Some(1))),
            Status::Warn,
            "encrypted but unprotected"
        );
    }

    #[test]
    fn manage_bde_without_elevation_is_unknown_with_the_command_to_run() {
        for file in [
            "manage_bde_access_denied.txt",
            "manage_bde_de_access_denied.txt",
        ] {
            let parsed = parse_manage_bde(&fixture(file));
            assert!(
                matches!(parsed, ManageBde::NeedsAdmin(_)),
                "{file}: {parsed:?}"
            );
            let r = verdict(
                Os::Windows,
                &bitlocker_protection(&parsed, Some(-2147024891)),
                None,
                Vec::new(),
            );
            assert_eq!(
                r.status,
                Status::Unknown,
                "needing admin is never a failure"
            );
            assert!(r.summary.contains("manage-bde -status C:"), "{}", r.summary);
            assert!(r.summary.contains("administrator"), "{}", r.summary);
            assert!(
                r.remediation
                    .iter()
                    .any(|s| s.contains("Run as administrator")
                        && s.contains("manage-bde -status C:"))
            );
        }
    }

    #[test]
    fn explorer_bitlocker_property_values() {
        assert!(matches!(
            parse_shell_bitlocker_protection("1\r\n"),
            Protection::Encrypted(_)
        ));
        assert!(matches!(
            parse_shell_bitlocker_protection("2"),
            Protection::NotEncrypted(_)
        ));
        assert!(matches!(
            parse_shell_bitlocker_protection("3"),
            Protection::Partial(_)
        ));
        assert!(matches!(
            parse_shell_bitlocker_protection("5"),
            Protection::Partial(_)
        ));
        assert!(matches!(
            parse_shell_bitlocker_protection(""),
            Protection::Unknown(_)
        ));
    }

    // ------------------------------------------------------------------ Linux: parsers

    #[test]
    fn mount_tables_are_parsed_with_escapes() {
        let info = "29 1 253:1 / / rw,relatime shared:1 - ext4 /dev/mapper/vg-root rw\n\
                40 29 0:45 / /home/a\\040b rw shared:2 - btrfs /dev/nvme0n1p3 rw,subvol=/home\n";
        let m = parse_mountinfo(info);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].devno.as_deref(), Some("253:1"));
        assert_eq!(m[0].source, "/dev/mapper/vg-root");
        assert_eq!(m[1].mount_point, "/home/a b");
        assert_eq!(m[1].fstype, "btrfs");
        let mounts =
            parse_proc_mounts("/dev/sda2 / ext4 rw,relatime 0 0\nproc /proc proc rw 0 0\n");
        assert_eq!(mounts[0].mount_point, "/");
        assert_eq!(mounts[0].source, "/dev/sda2");
    }

    // ------------------------------------------------------------------ Linux: fake trees

    /// A temp directory standing in for `/`.
    struct Tree {
        dir: tempfile::TempDir,
    }

    impl Tree {
        fn new() -> Self {
            Tree {
                dir: tempfile::tempdir().unwrap(),
            }
        }
        fn root(&self) -> &Path {
            self.dir.path()
        }
        fn write(&self, rel: &str, text: &str) -> &Self {
            let p = self.root().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
            self
        }
        fn mounts(&self, lines: &str) -> &Self {
            self.write("proc/mounts", lines)
        }
        /// A physical disk or partition.
        fn disk(&self, name: &str, devno: &str) -> &Self {
            self.write(
                &format!("sys/class/block/{name}/dev"),
                &format!("{devno}\n"),
            )
        }
        /// A device-mapper device stacked on `slaves`.
        fn dm(&self, name: &str, devno: &str, dm_name: &str, uuid: &str, slaves: &[&str]) -> &Self {
            self.disk(name, devno);
            self.write(
                &format!("sys/class/block/{name}/dm/name"),
                &format!("{dm_name}\n"),
            );
            self.write(
                &format!("sys/class/block/{name}/dm/uuid"),
                &format!("{uuid}\n"),
            );
            fs::create_dir_all(self.root().join(format!("sys/class/block/{name}/slaves"))).unwrap();
            for s in slaves {
                fs::create_dir_all(
                    self.root()
                        .join(format!("sys/class/block/{name}/slaves/{s}")),
                )
                .unwrap();
            }
            self
        }
        fn check(&self, home: &str) -> lockstep_core::check::CheckResult {
            linux_check(self.root(), Path::new(home), &|_| None)
        }
    }

    #[track_caller]
    fn well_formed(r: &lockstep_core::check::CheckResult) {
        assert_eq!(r.id, ID);
        assert!(!r.summary.trim().is_empty());
        assert!(!r.evidence.is_empty(), "evidence says what was seen: {r:?}");
        if r.status != Status::Pass {
            assert!(
                !r.remediation.is_empty(),
                "a non-pass result says what to do: {r:?}"
            );
        }
    }

    #[test]
    fn luks_root_passes() {
        let t = Tree::new();
        t.mounts("/dev/mapper/luks-1234 / ext4 rw 0 0\nproc /proc proc rw 0 0\n")
            .disk("nvme0n1p3", "259:3")
            .dm(
                "dm-0",
                "253:0",
                "luks-1234",
                "CRYPT-LUKS2-1234abcd-luks-1234",
                &["nvme0n1p3"],
            );
        let r = t.check("/home/alice");
        well_formed(&r);
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert!(
            r.evidence.iter().any(|e| e.contains("LUKS2")),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn plain_root_fails() {
        let t = Tree::new();
        t.mounts("/dev/nvme0n1p2 / ext4 rw 0 0\n/dev/nvme0n1p1 /boot/efi vfat rw 0 0\n")
            .disk("nvme0n1p2", "259:2");
        let r = t.check("/home/alice");
        well_formed(&r);
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(r.remediation.iter().any(|s| s.contains("LUKS")));
    }

    #[test]
    fn luks_only_under_home_warns() {
        let t = Tree::new();
        t.mounts("/dev/sda2 / ext4 rw 0 0\n/dev/mapper/crypthome /home ext4 rw 0 0\n")
            .disk("sda2", "8:2")
            .disk("sda3", "8:3")
            .dm(
                "dm-0",
                "253:0",
                "crypthome",
                "CRYPT-LUKS1-99ff-crypthome",
                &["sda3"],
            );
        let r = t.check("/home/alice");
        well_formed(&r);
        assert_eq!(r.status, Status::Warn, "home encrypted, root not: {r:?}");
        assert!(
            r.summary.contains("home folder is encrypted"),
            "{}",
            r.summary
        );
    }

    #[test]
    fn luks_root_with_plain_home_partition_warns() {
        let t = Tree::new();
        t.mounts("/dev/mapper/root / ext4 rw 0 0\n/dev/sdb1 /home xfs rw 0 0\n")
            .disk("sda2", "8:2")
            .disk("sdb1", "8:17")
            .dm("dm-0", "253:0", "root", "CRYPT-LUKS2-aa-root", &["sda2"]);
        let r = t.check("/home/alice");
        assert_eq!(r.status, Status::Warn, "{r:?}");
        assert!(r.summary.contains("home folder is not"), "{}", r.summary);
    }

    #[test]
    fn lvm_on_luks_is_found_through_the_slaves_chain_by_device_number() {
        let t = Tree::new();
        // mountinfo names the device only by number (source /dev/root), so the reader has to map
        // 253:1 to dm-1 (LVM), then follow slaves to dm-0 (LUKS) and on to the partition.
        t.write(
        "proc/self/mountinfo",
        "29 1 253:1 / / rw,relatime shared:1 - ext4 /dev/root rw\n35 29 0:5 / /proc rw - proc proc rw\n",
    )
    .disk("nvme0n1", "259:0")
    .disk("nvme0n1p3", "259:3")
    .dm("dm-0", "253:0", "cryptlvm", "CRYPT-LUKS2-0011-cryptlvm", &["nvme0n1p3"])
    .dm("dm-1", "253:1", "vg0-root", "LVM-abcdefgh", &["dm-0"]);
        let r = t.check("/home/alice");
        well_formed(&r);
        assert_eq!(r.status, Status::Pass, "{r:?}");
        assert!(
            r.evidence.iter().any(|e| e.contains("under dm-1")),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn lvm_without_crypt_fails_and_names_the_chain() {
        let t = Tree::new();
        t.mounts("/dev/vg0/root / ext4 rw 0 0\n")
            .disk("sda2", "8:2")
            .dm("dm-0", "253:0", "vg0-root", "LVM-xyz", &["sda2"]);
        let r = t.check("/home/alice");
        assert_eq!(r.status, Status::Fail, "{r:?}");
        assert!(
            r.evidence.iter().any(|e| e.contains("dm-0 → sda2")),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn dm_verity_is_not_encryption() {
        let t = Tree::new();
        t.mounts("/dev/mapper/root / ext4 ro 0 0\n")
            .disk("sda3", "8:3")
            .dm("dm-0", "253:0", "root", "CRYPT-VERITY-5566-root", &["sda3"]);
        assert_eq!(t.check("/home/a").status, Status::Fail);
    }

    #[test]
    fn systemd_homed_luks_home_is_recognised() {
        let t = Tree::new();
        t.mounts(
        "/dev/sda2 / ext4 rw 0 0\n/dev/mapper/home-alice /home/alice ext4 rw,nosuid,nodev 0 0\n",
    )
    .disk("sda2", "8:2")
    .disk("loop0", "7:0")
    .write(
        "sys/class/block/loop0/loop/backing_file",
        "/home/alice.home\n",
    )
    .dm(
        "dm-3",
        "253:3",
        "home-alice",
        "CRYPT-LUKS2-7f3e-home-alice",
        &["loop0"],
    );
        let r = t.check("/home/alice");
        well_formed(&r);
        assert_eq!(
            r.status,
            Status::Warn,
            "homed home is encrypted, root is not: {r:?}"
        );
        assert!(
            r.evidence.iter().any(|e| e.contains("systemd-homed")),
            "{:?}",
            r.evidence
        );
        // The same with an encrypted root passes.
        let t2 = Tree::new();
        t2.mounts(
            "/dev/mapper/root / ext4 rw 0 0\n/dev/mapper/home-alice /home/alice ext4 rw 0 0\n",
        )
        .disk("sda2", "8:2")
        .disk("loop0", "7:0")
        .dm("dm-0", "253:0", "root", "CRYPT-LUKS2-1-root", &["sda2"])
        .dm(
            "dm-3",
            "253:3",
            "home-alice",
            "CRYPT-LUKS2-2-home-alice",
            &["loop0"],
        );
        assert_eq!(t2.check("/home/alice").status, Status::Pass);
    }

    #[test]
    fn fscrypt_on_the_root_filesystem_counts_for_home() {
        let t = Tree::new();
        t.mounts("/dev/sda2 / ext4 rw 0 0\n").disk("sda2", "8:2");
        fs::create_dir_all(t.root().join(".fscrypt/policies")).unwrap();
        let r = t.check("/home/alice");
        assert_eq!(
            r.status,
            Status::Warn,
            "home protected by fscrypt, system not: {r:?}"
        );
        assert!(
            r.evidence.iter().any(|e| e.contains("fscrypt")),
            "{:?}",
            r.evidence
        );
    }

    #[test]
    fn ecryptfs_home_and_containers() {
        let t = Tree::new();
        t.mounts(
            "/dev/sda2 / ext4 rw 0 0\n/home/.ecryptfs/alice/.Private /home/alice ecryptfs rw 0 0\n",
        )
        .disk("sda2", "8:2");
        assert_eq!(t.check("/home/alice").status, Status::Warn);
        let c = Tree::new();
        c.mounts("overlay / overlay rw,lowerdir=/x 0 0\n");
        let r = c.check("/root");
        well_formed(&r);
        assert_eq!(
            r.status,
            Status::Unknown,
            "a container cannot see the host disk: {r:?}"
        );
        let none = Tree::new();
        assert_eq!(
            none.check("/root").status,
            Status::Unknown,
            "no /proc at all"
        );
    }

    #[test]
    fn zfs_native_encryption_asks_zfs() {
        let t = Tree::new();
        t.mounts("rpool/ROOT/ubuntu / zfs rw 0 0\n");
        let on = linux_check(t.root(), Path::new("/home/a"), &|ds| {
            (ds == "rpool/ROOT/ubuntu").then(|| "aes-256-gcm".into())
        });
        assert_eq!(on.status, Status::Pass, "{on:?}");
        let off = linux_check(t.root(), Path::new("/home/a"), &|_| Some("off".into()));
        assert_eq!(off.status, Status::Fail);
        let unknown = linux_check(t.root(), Path::new("/home/a"), &|_| None);
        assert_eq!(unknown.status, Status::Unknown);
        assert!(
            unknown.summary.contains("zfs get encryption"),
            "{}",
            unknown.summary
        );
    }

    #[test]
    fn this_machine_gives_a_well_formed_result() {
        let home: PathBuf = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/root"));
        let r = linux_check(Path::new("/"), &home, &|_| None);
        assert_eq!(r.id, ID);
        assert!(!r.summary.is_empty());
        assert!(!r.evidence.is_empty(), "{r:?}");
        assert!(serde_json::to_string(&r).is_ok());
    }
}
