//! `device.disk_encryption`: a stolen laptop must not hand over the SSH keys, tokens and
//! browser sessions that can publish packages. Each OS is read with what it ships (Linux
//! `/proc` and `/sys`, macOS `fdesetup`, Windows `manage-bde`); parsing is pure and shared so
//! every OS's wording is tested on any machine.

use crate::check::{CheckResult, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::device::command::{ToolCommand, ToolOutput};
use crate::platform::Group;
use std::path::{Path, PathBuf};

pub const ID: &CheckSpec = &CheckSpec {
    id: "device.disk_encryption",
    group: Group::Device,
    title: "Disk encryption on this device",
    least_scope: "",
    token: TokenNeed::None,
};

/// Whether one part of the storage (the system, or the home directory) is protected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protection {
    /// Encrypted at rest; the text says how ("LUKS2 (dm-crypt)", "FileVault", ...).
    Encrypted(String),
    /// Half-way: encryption in progress, suspended, or being removed.
    Partial(String),
    /// Readable by anyone holding the disk.
    NotEncrypted(String),
    /// Could not tell; the text says why.
    Unknown(String),
}

impl Protection {
    fn detail(&self) -> &str {
        match self {
            Protection::Encrypted(s)
            | Protection::Partial(s)
            | Protection::NotEncrypted(s)
            | Protection::Unknown(s) => s,
        }
    }
}

/// Which OS's advice to give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Macos,
    Windows,
}

/// Builds the result from the system volume and, when it lives elsewhere, the home volume.
pub fn verdict(
    os: Os,
    system: &Protection,
    home: Option<&Protection>,
    mut evidence: Vec<String>,
) -> CheckResult {
    let parts: Vec<&Protection> = std::iter::once(system).chain(home).collect();
    let count = |f: fn(&Protection) -> bool| parts.iter().filter(|p| f(p)).count();
    let encrypted = count(|p| matches!(p, Protection::Encrypted(_)));
    let partial = count(|p| matches!(p, Protection::Partial(_)));
    let plain = count(|p| matches!(p, Protection::NotEncrypted(_)));
    let unknown = count(|p| matches!(p, Protection::Unknown(_)));
    let what = if home.is_some() {
        "the system and your home folder"
    } else {
        "your system and home folder"
    };
    let (status, summary) = if encrypted == parts.len() {
        (
            Status::Pass,
            format!("The disk holding {what} is encrypted."),
        )
    } else if plain > 0 && encrypted + partial == 0 {
        let s = match (system, home) {
            (Protection::NotEncrypted(_), Some(Protection::NotEncrypted(_)) | None) => {
                format!("The disk holding {what} is not encrypted.")
            }
            (Protection::NotEncrypted(_), Some(_)) => {
                "The disk holding your system is not encrypted.".to_string()
            }
            _ => "Your home folder is not encrypted.".to_string(),
        };
        (Status::Fail, s)
    } else if plain > 0 || partial > 0 {
        let s = match (system, home) {
            (Protection::Encrypted(_), Some(Protection::NotEncrypted(_))) => {
                "The system disk is encrypted but your home folder is not.".to_string()
            }
            (Protection::NotEncrypted(_), Some(Protection::Encrypted(_))) => {
                "Your home folder is encrypted but the system disk is not.".to_string()
            }
            _ => {
                let why = parts
                    .iter()
                    .find(|p| matches!(p, Protection::Partial(_)))
                    .map(|p| p.detail())
                    .unwrap_or("");
                format!("Disk encryption is only partly in place: {why}.")
            }
        };
        (Status::Warn, s)
    } else {
        let why = parts
            .iter()
            .find(|p| matches!(p, Protection::Unknown(_)))
            .map(|p| p.detail())
            .unwrap_or("");
        debug_assert!(unknown > 0);
        (
            Status::Unknown,
            format!("Could not tell whether the disk is encrypted: {why}."),
        )
    };
    evidence.insert(0, describe("System", system));
    if let Some(h) = home {
        evidence.insert(1, describe("Home folder", h));
    }
    let mut result = CheckResult::new(ID, status, summary).with_evidence(evidence);
    if status != Status::Pass {
        result = result.with_remediation(remediation(os, system, home));
    }
    result
}

fn describe(part: &str, p: &Protection) -> String {
    let state = match p {
        Protection::Encrypted(_) => "encrypted",
        Protection::Partial(_) => "partly encrypted",
        Protection::NotEncrypted(_) => "not encrypted",
        Protection::Unknown(_) => "could not tell",
    };
    format!("{part}: {state} ({})", p.detail())
}

fn remediation(os: Os, system: &Protection, home: Option<&Protection>) -> Vec<String> {
    match os {
        Os::Macos => vec![
            "Open System Settings → Privacy & Security → FileVault and choose Turn On (or run `sudo fdesetup enable`).".into(),
            "Store the recovery key somewhere other than this Mac (a password manager or printed), then re-run Lockstep.".into(),
        ],
        Os::Windows => {
            let mut steps = Vec::new();
            if matches!(system, Protection::Unknown(_)) {
                steps.push(format!(
                    "Open a terminal with \"Run as administrator\" and run `{}`; \"Protection On\" with \"Fully Encrypted\" or \"Used Space Only Encrypted\" means you are covered.",
                    MANAGE_BDE_DISPLAY
                ));
            }
            steps.push("Turn on encryption: Settings → Privacy & security → Device encryption, or Control Panel → BitLocker Drive Encryption → Turn on BitLocker (Windows Pro).".into());
            steps.push("If BitLocker is suspended, resume it with `manage-bde -protectors -enable C:` in an administrator terminal.".into());
            steps.push("Save the recovery key to your Microsoft account, a password manager or paper, not only on this PC.".into());
            steps
        }
        Os::Linux => {
            let mut steps = Vec::new();
            if matches!(system, Protection::Unknown(_)) || matches!(home, Some(Protection::Unknown(_))) {
                steps.push("Check by hand with `lsblk -o NAME,TYPE,FSTYPE,MOUNTPOINTS`: your / and /home should sit under a `crypt` device.".into());
            }
            steps.push("Linux cannot encrypt a disk in use in place: back up, then reinstall choosing \"Encrypt the new installation\" (LUKS), or move your home to an encrypted volume (systemd-homed with LUKS, or fscrypt).".into());
            steps.push("If that is not possible now, keep publishing tokens off this disk (see the publishing-credentials check) and use a hardware security key.".into());
            steps
        }
    }
}

// ---------------------------------------------------------------- macOS

/// Reads `fdesetup status` (English on every locale: it is not localized).
pub fn parse_fdesetup_status(output: &str) -> Protection {
    let text = output.to_ascii_lowercase();
    let line = output
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string();
    if text.contains("decryption in progress") {
        Protection::Partial(format!(
            "FileVault is being turned off: {}",
            progress_line(output)
        ))
    } else if text.contains("encryption in progress") {
        Protection::Partial(format!(
            "FileVault encryption is in progress: {}",
            progress_line(output)
        ))
    } else if text.contains("filevault is on") {
        Protection::Encrypted(format!("FileVault (`fdesetup status`: \"{line}\")"))
    } else if text.contains("filevault is off") && text.contains("will be enabled") {
        Protection::Partial("FileVault will be turned on after the next restart".into())
    } else if text.contains("filevault is off") {
        Protection::NotEncrypted(format!("FileVault is off (`fdesetup status`: \"{line}\")"))
    } else {
        Protection::Unknown(format!(
            "`fdesetup status` said something unexpected: \"{line}\""
        ))
    }
}

fn progress_line(output: &str) -> String {
    output
        .lines()
        .find(|l| l.to_ascii_lowercase().contains("in progress"))
        .unwrap_or("")
        .trim()
        .to_string()
}

// ---------------------------------------------------------------- Windows

/// The command a user can run themselves in an elevated terminal.
pub const MANAGE_BDE_DISPLAY: &str = "manage-bde -status C:";

/// BitLocker conversion state, from `manage-bde -status`'s "Conversion Status" line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    FullyEncrypted,
    UsedSpaceOnlyEncrypted,
    Encrypting,
    Decrypting,
    FullyDecrypted,
}

/// What `manage-bde -status <drive>` said about the volume.
#[derive(Debug, Clone, PartialEq)]
pub enum ManageBde {
    Volume {
        protection_on: Option<bool>,
        conversion: Option<Conversion>,
        percent: Option<f32>,
    },
    /// The tool refused to run without elevation.
    NeedsAdmin(String),
    /// No volume fields found.
    Unrecognized(String),
}

/// Parses `manage-bde -status` in English, German, French or Spanish. Localized labels are
/// matched on ASCII fragments because the console code page often mangles accents; the
/// percentage line is found by its `%` sign, which needs no translation.
pub fn parse_manage_bde(output: &str) -> ManageBde {
    let mut protection_on = None;
    let mut conversion = None;
    let mut percent = None;
    for line in output.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_lowercase();
        let value = value.trim();
        let v = value.to_lowercase();
        if [
            "protection status",
            "schutzstatus",
            "de la protection",
            "de protecci",
            "stato protezione",
        ]
        .iter()
        .any(|k| key.contains(k))
        {
            protection_on = protection_value(&v);
        } else if [
            "conversion status",
            "konvertierungsstatus",
            "de la conversion",
            "de conversi",
            "stato conversione",
        ]
        .iter()
        .any(|k| key.contains(k))
        {
            conversion = conversion_value(&v);
        } else if value.ends_with('%') && percent.is_none() {
            percent = value
                .trim_end_matches('%')
                .trim()
                .replace(',', ".")
                .parse::<f32>()
                .ok();
        }
    }
    if protection_on.is_some() || conversion.is_some() || percent.is_some() {
        if conversion.is_none() {
            conversion = percent.map(|p| {
                if p >= 100.0 {
                    Conversion::FullyEncrypted
                } else if p <= 0.0 {
                    Conversion::FullyDecrypted
                } else {
                    Conversion::Encrypting
                }
            });
        }
        return ManageBde::Volume {
            protection_on,
            conversion,
            percent,
        };
    }
    let lower = output.to_lowercase();
    let first_error = output
        .lines()
        .map(str::trim)
        .find(|l| {
            let l = l.to_lowercase();
            l.starts_with("error")
                || l.starts_with("fehler")
                || l.starts_with("erreur")
                || l.contains("denied")
                || l.contains("verweigert")
        })
        .unwrap_or_else(|| {
            output
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("")
        })
        .to_string();
    let admin_words = [
        "denied",
        "administrat",
        "verweigert",
        "refus",
        "denegado",
        "0x80070005",
        "-2147024891",
        "elevat",
    ];
    if admin_words.iter().any(|w| lower.contains(w)) {
        ManageBde::NeedsAdmin(first_error)
    } else {
        ManageBde::Unrecognized(first_error)
    }
}

fn protection_value(v: &str) -> Option<bool> {
    // "off"-words first: "désactivée" and "deaktiviert" contain the "on"-words.
    if v.contains("off")
        || v.contains("deaktiv")
        || v.contains("sactiv")
        || v.contains("desactiv")
        || v.contains("disattiv")
    {
        Some(false)
    } else if v.split(|c: char| !c.is_alphanumeric()).any(|w| w == "on")
        || v.contains("aktiv")
        || v.contains("activ")
        || v.contains("attiva")
    {
        Some(true)
    } else {
        None
    }
}

fn conversion_value(v: &str) -> Option<Conversion> {
    let ongoing = [
        "progress",
        "wird",
        "cours",
        "curso",
        "paused",
        "angehalten",
        "pause",
        "corso",
    ]
    .iter()
    .any(|w| v.contains(w));
    let decrypt = [
        "decrypt",
        "entschl",
        "dechiffr",
        "d\u{e9}chiffr",
        "descifr",
        "decritt",
    ]
    .iter()
    .any(|w| v.contains(w))
        && !v.contains("encrypt");
    if decrypt {
        return Some(if ongoing {
            Conversion::Decrypting
        } else {
            Conversion::FullyDecrypted
        });
    }
    if ongoing {
        return Some(Conversion::Encrypting);
    }
    if ["used space", "verwendete", "utilis", "usado", "utilizzato"]
        .iter()
        .any(|w| v.contains(w))
    {
        return Some(Conversion::UsedSpaceOnlyEncrypted);
    }
    if [
        "fully encrypted",
        "vollst",
        "complet",
        "int\u{e9}gral",
        "integral",
        "totalmente",
    ]
    .iter()
    .any(|w| v.contains(w))
    {
        return Some(Conversion::FullyEncrypted);
    }
    None
}

/// What a parsed `manage-bde` volume means. `exit_code` comes from
/// `-protectionaserrorlevel` (0 protected, 1 not) and is used only when the protection line
/// was in a language we do not know.
pub fn bitlocker_protection(parsed: &ManageBde, exit_code: Option<i32>) -> Protection {
    match parsed {
        ManageBde::Volume { protection_on, conversion, percent } => {
            let protection_on = protection_on.or(match exit_code {
                Some(0) => Some(true),
                Some(1) => Some(false),
                _ => None,
            });
            let pct = percent.map(|p| format!(", {p}% encrypted")).unwrap_or_default();
            match (conversion, protection_on) {
                (Some(Conversion::FullyEncrypted), Some(true)) => Protection::Encrypted(format!("BitLocker, fully encrypted, protection on{pct}")),
                (Some(Conversion::UsedSpaceOnlyEncrypted), Some(true)) => {
                    Protection::Encrypted(format!("BitLocker, used space only encrypted, protection on{pct}"))
                }
                (Some(Conversion::FullyEncrypted | Conversion::UsedSpaceOnlyEncrypted), Some(false)) => Protection::Partial(
                    "BitLocker has encrypted the drive but protection is off (suspended or waiting for activation), so the key is stored unprotected on the disk".into(),
                ),
                (Some(Conversion::Encrypting), _) => Protection::Partial(format!("BitLocker encryption in progress{pct}")),
                (Some(Conversion::Decrypting), _) => Protection::Partial(format!("BitLocker is being turned off (decryption in progress{pct})")),
                (Some(Conversion::FullyDecrypted), _) => Protection::NotEncrypted(format!("BitLocker is off (fully decrypted{pct})")),
                (None, Some(false)) => Protection::NotEncrypted("BitLocker protection is off".into()),
                (Some(_) | None, _) => Protection::Unknown(format!("`{MANAGE_BDE_DISPLAY}` gave a status we could not read")),
            }
        }
        ManageBde::NeedsAdmin(line) => Protection::Unknown(format!(
            "`{MANAGE_BDE_DISPLAY}` needs administrator rights (it said \"{line}\"); run it yourself in a terminal opened with \"Run as administrator\""
        )),
        ManageBde::Unrecognized(line) => {
            Protection::Unknown(format!("`{MANAGE_BDE_DISPLAY}` gave no volume status (it said \"{line}\")"))
        }
    }
}

/// Reads the Explorer shell property `System.Volume.BitLockerProtection`, which any user may
/// query. Values as documented by the community (not by Microsoft): 1 on, 2 off,
/// 3 encrypting, 4 decrypting, 5 suspended, 6 on and locked, 8 waiting for activation.
pub fn parse_shell_bitlocker_protection(output: &str) -> Protection {
    match output.trim().parse::<i64>() {
        Ok(1) | Ok(6) => Protection::Encrypted("BitLocker is on (Explorer's BitLocker status)".into()),
        Ok(2) => Protection::NotEncrypted("BitLocker is off (Explorer's BitLocker status)".into()),
        Ok(3) => Protection::Partial("BitLocker encryption in progress".into()),
        Ok(4) => Protection::Partial("BitLocker is being turned off (decryption in progress)".into()),
        Ok(5) => Protection::Partial("BitLocker is suspended, so the key is stored unprotected on the disk".into()),
        Ok(8) => Protection::Partial("device encryption is waiting for activation: sign in with a Microsoft account or turn on BitLocker to protect the key".into()),
        _ => Protection::Unknown(format!("Explorer's BitLocker status was \"{}\"", output.trim())),
    }
}

// ---------------------------------------------------------------- Linux

/// One mounted filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    pub mount_point: String,
    pub fstype: String,
    pub source: String,
    /// `major:minor` from mountinfo (absent when read from /proc/mounts).
    pub devno: Option<String>,
}

/// Parses `/proc/self/mountinfo`.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let l: Vec<&str> = left.split(' ').collect();
            let r: Vec<&str> = right.split(' ').collect();
            Some(Mount {
                devno: Some((*l.get(2)?).to_string()),
                mount_point: unescape_mount(l.get(4)?),
                fstype: (*r.first()?).to_string(),
                source: unescape_mount(r.get(1)?),
            })
        })
        .collect()
}

/// Parses `/proc/mounts` (fstab format).
pub fn parse_proc_mounts(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            Some(Mount {
                source: unescape_mount(f.first()?),
                mount_point: unescape_mount(f.get(1)?),
                fstype: (*f.get(2)?).to_string(),
                devno: None,
            })
        })
        .collect()
}

/// Undoes the kernel's octal escapes (`\040` for a space).
fn unescape_mount(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\'
            && i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let v = (bytes[i + 1] - b'0') as u32 * 64
                + (bytes[i + 2] - b'0') as u32 * 8
                + (bytes[i + 3] - b'0') as u32;
            out.push(v as u8);
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The mount holding `path`: the last-mounted one with the longest matching mount point.
pub fn mount_for<'a>(mounts: &'a [Mount], path: &Path) -> Option<&'a Mount> {
    let mut best: Option<&Mount> = None;
    for m in mounts {
        if path.starts_with(&m.mount_point) {
            let longer = best.is_none_or(|b| {
                Path::new(&m.mount_point).components().count()
                    >= Path::new(&b.mount_point).components().count()
            });
            if longer {
                best = Some(m);
            }
        }
    }
    best
}

/// Reads the system's encryption state from a root directory holding `proc` and `sys`
/// (`/` on a real system, a temp dir in tests). `home` is the user's home as the system sees
/// it. `zfs_encryption` answers `zfs get encryption` for a dataset (None when unavailable).
pub fn linux_check(
    root: &Path,
    home: &Path,
    zfs_encryption: &dyn Fn(&str) -> Option<String>,
) -> CheckResult {
    let mounts = match std::fs::read_to_string(root.join("proc/self/mountinfo")) {
        Ok(t) => parse_mountinfo(&t),
        Err(_) => match std::fs::read_to_string(root.join("proc/mounts")) {
            Ok(t) => parse_proc_mounts(&t),
            Err(e) => {
                return verdict(
                    Os::Linux,
                    &Protection::Unknown(format!(
                        "could not read /proc/self/mountinfo or /proc/mounts: {e}"
                    )),
                    None,
                    Vec::new(),
                );
            }
        },
    };
    let mut evidence = Vec::new();
    let Some(root_mount) = mount_for(&mounts, Path::new("/")) else {
        return verdict(
            Os::Linux,
            &Protection::Unknown("no filesystem is mounted at /".into()),
            None,
            evidence,
        );
    };
    evidence.push(format!(
        "/ is {} from {}",
        root_mount.fstype, root_mount.source
    ));
    let system = mount_protection(root, root_mount, zfs_encryption);
    let home_mount = mount_for(&mounts, home);
    let home_state = match home_mount {
        Some(m) if m.mount_point != root_mount.mount_point => {
            evidence.push(format!(
                "{} (holding your home) is {} from {}",
                m.mount_point, m.fstype, m.source
            ));
            Some(home_protection(root, m, zfs_encryption))
        }
        _ => {
            // Same filesystem as /: fscrypt may still protect the home directory alone.
            match (&system, fscrypt_marker(root, root_mount)) {
                (Protection::NotEncrypted(_), Some(marker)) => Some(Protection::Encrypted(marker)),
                _ => None,
            }
        }
    };
    verdict(Os::Linux, &system, home_state.as_ref(), evidence)
}

fn home_protection(root: &Path, m: &Mount, zfs: &dyn Fn(&str) -> Option<String>) -> Protection {
    let p = mount_protection(root, m, zfs);
    match (&p, fscrypt_marker(root, m)) {
        (Protection::NotEncrypted(_), Some(marker)) => Protection::Encrypted(marker),
        _ => p,
    }
}

/// fscrypt keeps its metadata in `<mount>/.fscrypt`; its presence means directories on that
/// filesystem are encrypted with fscrypt (the home directory most likely).
fn fscrypt_marker(root: &Path, m: &Mount) -> Option<String> {
    let dir = root
        .join(m.mount_point.trim_start_matches('/'))
        .join(".fscrypt");
    dir.is_dir().then(|| {
        format!(
            "fscrypt is set up on {} (found {}/.fscrypt); run `fscrypt status ~` to confirm your home is one of its encrypted directories",
            m.mount_point,
            m.mount_point.trim_end_matches('/')
        )
    })
}

fn mount_protection(root: &Path, m: &Mount, zfs: &dyn Fn(&str) -> Option<String>) -> Protection {
    let fs = m.fstype.as_str();
    match fs {
        "ecryptfs" => return Protection::Encrypted(format!("eCryptfs on {}", m.mount_point)),
        "zfs" => {
            return match zfs(&m.source) {
                Some(v) if v.trim() == "off" => Protection::NotEncrypted(format!("ZFS dataset {} has native encryption off", m.source)),
                Some(v) if !v.trim().is_empty() && v.trim() != "-" => {
                    Protection::Encrypted(format!("ZFS native encryption ({}) on {}", v.trim(), m.source))
                }
                _ => Protection::Unknown(format!("{} is a ZFS dataset; run `zfs get encryption {}` to check it", m.mount_point, m.source)),
            };
        }
        "overlay" | "aufs" | "tmpfs" | "ramfs" | "9p" | "virtiofs" | "rootfs" => {
            return Protection::Unknown(format!(
                "{} is a {fs} filesystem (a container or VM?), so the disk underneath cannot be seen from here",
                m.mount_point
            ))
        }
        _ if fs.starts_with("nfs") || fs == "cifs" || fs == "smb3" || fs.starts_with("fuse") => {
            return Protection::Unknown(format!("{} is a {fs} filesystem whose storage is elsewhere", m.mount_point));
        }
        _ => {}
    }
    let Some(name) = block_device_name(root, m) else {
        return Protection::Unknown(format!(
            "could not find the block device behind {} ({})",
            m.mount_point, m.source
        ));
    };
    match block_state(root, &name, 0) {
        Block::Crypt(how) => Protection::Encrypted(how),
        Block::Plain(chain) => Protection::NotEncrypted(format!(
            "{} is on {chain} with no encryption layer",
            m.mount_point
        )),
        Block::Unknown(why) => Protection::Unknown(why),
    }
}

fn sys_block_dir(root: &Path, name: &str) -> Option<PathBuf> {
    [
        root.join("sys/class/block").join(name),
        root.join("sys/block").join(name),
    ]
    .into_iter()
    .find(|p| p.exists())
}

fn read_trimmed(p: &Path) -> Option<String> {
    std::fs::read_to_string(p)
        .ok()
        .map(|s| s.trim().to_string())
}

/// Maps a mount's source (`/dev/mapper/x`, `/dev/dm-0`, `/dev/sda2`) or its device number
/// to a kernel block device name.
fn block_device_name(root: &Path, m: &Mount) -> Option<String> {
    if let Some(mapped) = m.source.strip_prefix("/dev/mapper/") {
        if let Some(name) = dm_by_name(root, mapped) {
            return Some(name);
        }
    }
    if let Some(rest) = m.source.strip_prefix("/dev/") {
        let base = rest.rsplit('/').next().unwrap_or(rest);
        if sys_block_dir(root, base).is_some() {
            return Some(base.to_string());
        }
        // /dev/<vg>/<lv> is a symlink to a dm device; its dm name is "<vg>-<lv>".
        if let Some(name) = dm_by_name(root, &rest.replace('-', "--").replace('/', "-")) {
            return Some(name);
        }
    }
    let devno = m.devno.as_deref()?;
    let entries = std::fs::read_dir(root.join("sys/class/block")).ok()?;
    entries
        .flatten()
        .find(|e| read_trimmed(&e.path().join("dev")).as_deref() == Some(devno))
        .map(|e| e.file_name().to_string_lossy().into_owned())
}

fn dm_by_name(root: &Path, dm_name: &str) -> Option<String> {
    let entries = std::fs::read_dir(root.join("sys/class/block")).ok()?;
    entries
        .flatten()
        .find(|e| read_trimmed(&e.path().join("dm/name")).as_deref() == Some(dm_name))
        .map(|e| e.file_name().to_string_lossy().into_owned())
}

enum Block {
    Crypt(String),
    Plain(String),
    Unknown(String),
}

/// Walks down from a block device through its `slaves/` (LVM, RAID, integrity layers) until a
/// dm-crypt device or the physical disk.
fn block_state(root: &Path, name: &str, depth: usize) -> Block {
    if depth > 16 {
        return Block::Unknown(format!(
            "the device stack under {name} is too deep to follow"
        ));
    }
    let Some(dir) = sys_block_dir(root, name) else {
        return Block::Unknown(format!("no /sys/class/block entry for {name}"));
    };
    if let Some(uuid) = read_trimmed(&dir.join("dm/uuid")) {
        if let Some(rest) = uuid.strip_prefix("CRYPT-") {
            let kind = rest.split('-').next().unwrap_or("");
            // dm-verity and dm-integrity also use the CRYPT- prefix but do not encrypt.
            if !matches!(kind, "VERITY" | "INTEGRITY" | "SUBDEV") {
                let dm_name = read_trimmed(&dir.join("dm/name")).unwrap_or_default();
                let label = match kind {
                    "LUKS1" | "LUKS2" => format!("{kind} (dm-crypt)"),
                    "PLAIN" => "plain dm-crypt".into(),
                    "BITLK" => "BitLocker (dm-crypt)".into(),
                    "TCRYPT" => "TrueCrypt/VeraCrypt (dm-crypt)".into(),
                    other => format!("dm-crypt ({other})"),
                };
                let homed = if dm_name.starts_with("home-") {
                    ", a systemd-homed LUKS home"
                } else {
                    ""
                };
                return Block::Crypt(format!("{label} device {name} ({dm_name}){homed}"));
            }
        }
    }
    let slaves: Vec<String> = std::fs::read_dir(dir.join("slaves"))
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    if slaves.is_empty() {
        if let Some(backing) = read_trimmed(&dir.join("loop/backing_file")) {
            return Block::Plain(format!("{name} (a loop device backed by {backing})"));
        }
        return Block::Plain(name.to_string());
    }
    let mut crypt = Vec::new();
    for slave in &slaves {
        match block_state(root, slave, depth + 1) {
            Block::Crypt(how) => crypt.push(how),
            Block::Plain(chain) => return Block::Plain(format!("{name} → {chain}")),
            Block::Unknown(why) => return Block::Unknown(why),
        }
    }
    Block::Crypt(format!("{} under {name}", crypt.join(" and ")))
}

/// Runs the real check for this OS. `root` stands for `/` (Linux reads `proc` and `sys` under it).
pub async fn check(root: &Path, home: &Path, env: &crate::settings::EnvVars) -> CheckResult {
    platform_check(root, home, env).await
}

#[cfg(target_os = "linux")]
async fn platform_check(root: &Path, home: &Path, _env: &crate::settings::EnvVars) -> CheckResult {
    let root = root.to_path_buf();
    let home = home.to_path_buf();
    let zfs = |dataset: &str| -> Option<String> {
        let cmd = ToolCommand::new("zfs", &["get", "-H", "-o", "value", "encryption", dataset]);
        match crate::device::command::run_blocking(&cmd) {
            ToolOutput::Ran {
                code: Some(0),
                stdout,
                ..
            } => Some(stdout.trim().to_string()),
            _ => None,
        }
    };
    match tokio::task::spawn_blocking(move || linux_check(&root, &home, &zfs)).await {
        Ok(r) => r,
        Err(e) => CheckResult::unknown(
            ID,
            format!("The disk check stopped unexpectedly ({e}). Run again."),
        ),
    }
}

#[cfg(target_os = "macos")]
async fn platform_check(
    _root: &Path,
    _home: &Path,
    _env: &crate::settings::EnvVars,
) -> CheckResult {
    let out = crate::device::command::run(ToolCommand::new("/usr/bin/fdesetup", &["status"])).await;
    let system = match out {
        ToolOutput::Ran { stdout, stderr, .. } => {
            parse_fdesetup_status(&format!("{stdout}\n{stderr}"))
        }
        other => Protection::Unknown(tool_problem("fdesetup status", &other)),
    };
    verdict(Os::Macos, &system, None, Vec::new())
}

#[cfg(target_os = "windows")]
async fn platform_check(_root: &Path, _home: &Path, env: &crate::settings::EnvVars) -> CheckResult {
    let drive = env.get("SystemDrive").unwrap_or("C:").to_string();
    let cmd = ToolCommand::new(
        "manage-bde",
        &["-status", &drive, "-protectionaserrorlevel"],
    );
    let out = crate::device::command::run(cmd).await;
    let mut evidence = Vec::new();
    let mut system = match &out {
        ToolOutput::Ran {
            code,
            stdout,
            stderr,
        } => bitlocker_protection(&parse_manage_bde(&format!("{stdout}\n{stderr}")), *code),
        // The whole command, so the user can run it themselves (elevated) when we could not.
        other => Protection::Unknown(tool_problem(&format!("manage-bde -status {drive}"), other)),
    };
    if matches!(system, Protection::Unknown(_)) {
        // Any user may read Explorer's BitLocker status; use it when manage-bde needs admin.
        let script = format!(
            "(New-Object -ComObject Shell.Application).NameSpace('{drive}').Self.ExtendedProperty('System.Volume.BitLockerProtection')"
        );
        let cmd = ToolCommand::new(
            "powershell.exe",
            &["-NoProfile", "-NonInteractive", "-Command", &script],
        );
        if let ToolOutput::Ran {
            code: Some(0),
            stdout,
            ..
        } = crate::device::command::run(cmd).await
        {
            let from_shell = parse_shell_bitlocker_protection(&stdout);
            if !matches!(from_shell, Protection::Unknown(_)) {
                evidence.push(format!("manage-bde: {}", system.detail()));
                system = from_shell;
            }
        }
    }
    verdict(Os::Windows, &system, None, evidence)
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
async fn platform_check(
    _root: &Path,
    _home: &Path,
    _env: &crate::settings::EnvVars,
) -> CheckResult {
    CheckResult::unknown(
        ID,
        "Disk encryption cannot be checked on this operating system yet.",
    )
}

/// Why a tool gave no usable output, for an `unknown` summary.
pub fn tool_problem(name: &str, out: &ToolOutput) -> String {
    match out {
        ToolOutput::NotFound => format!("`{name}` is not available on this system"),
        ToolOutput::TimedOut => format!("`{name}` did not answer in time"),
        ToolOutput::Failed(why) => format!("`{name}` could not be run: {why}"),
        ToolOutput::Ran { code, .. } => format!("`{name}` failed (exit code {code:?})"),
    }
}
