//! `device.password_manager`: unique, generated passwords for every registry account need a
//! password manager. We look for the common ones where each OS installs apps; finding none
//! is only a warning because browser-based or work-managed ones are invisible to us.

use crate::check::{CheckResult, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::platform::Group;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub const ID: &CheckSpec = &CheckSpec {
    id: "device.password_manager",
    group: Group::Device,
    title: "A password manager on this device",
    least_scope: "",
    token: TokenNeed::None,
};

/// A password manager and how to recognise it in each OS's install locations.
struct Manager {
    name: &'static str,
    /// Lower-case fragments of an app, shortcut, folder or `.desktop` name.
    keywords: &'static [&'static str],
    /// Executables in `/usr/bin` and friends.
    binaries: &'static [&'static str],
    /// Flathub application ids.
    flatpaks: &'static [&'static str],
    /// Snap Store names.
    snaps: &'static [&'static str],
}

const MANAGERS: &[Manager] = &[
    Manager {
        name: "KeePassXC",
        keywords: &["keepassxc"],
        binaries: &["keepassxc"],
        flatpaks: &["org.keepassxc.KeePassXC"],
        snaps: &["keepassxc"],
    },
    Manager {
        name: "Bitwarden",
        keywords: &["bitwarden"],
        binaries: &["bitwarden", "bw"],
        flatpaks: &["com.bitwarden.desktop"],
        snaps: &["bitwarden"],
    },
    Manager {
        name: "1Password",
        keywords: &["1password"],
        binaries: &["1password", "op"],
        flatpaks: &["com.onepassword.OnePassword"],
        snaps: &["1password"],
    },
    Manager {
        name: "Proton Pass",
        keywords: &["proton pass", "proton-pass", "protonpass"],
        binaries: &["proton-pass"],
        flatpaks: &["me.proton.Pass"],
        snaps: &["proton-pass"],
    },
    Manager {
        name: "KeePass",
        keywords: &["keepass"],
        binaries: &["keepass2", "keepass"],
        flatpaks: &[],
        snaps: &[],
    },
    Manager {
        name: "LastPass",
        keywords: &["lastpass"],
        binaries: &[],
        flatpaks: &[],
        snaps: &[],
    },
    Manager {
        name: "Dashlane",
        keywords: &["dashlane"],
        binaries: &[],
        flatpaks: &[],
        snaps: &[],
    },
    Manager {
        name: "Enpass",
        keywords: &["enpass"],
        binaries: &["enpass"],
        flatpaks: &[],
        snaps: &["enpass"],
    },
];

/// Where a password manager was seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Sighting {
    pub manager: &'static str,
    pub place: String,
}

/// Which manager an app, shortcut or folder name belongs to. KeePassXC is tried before
/// KeePass so "KeePassXC" is not reported as KeePass.
pub fn manager_for_name(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    MANAGERS
        .iter()
        .find(|m| m.keywords.iter().any(|k| lower.contains(k)))
        .map(|m| m.name)
}

fn list_names(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Matches every entry of `dir` by name (app bundles, program folders, shortcuts).
fn sightings_by_name(dir: &Path, filter: impl Fn(&str) -> bool, out: &mut Vec<Sighting>) {
    for name in list_names(dir) {
        if !filter(&name) {
            continue;
        }
        if let Some(manager) = manager_for_name(&name) {
            out.push(Sighting {
                manager,
                place: dir.join(&name).display().to_string(),
            });
        }
    }
}

/// `.desktop` files are matched on their file name and their `Name=` line.
fn desktop_sightings(dir: &Path, out: &mut Vec<Sighting>) {
    for name in list_names(dir) {
        if !name.ends_with(".desktop") {
            continue;
        }
        let path = dir.join(&name);
        let display_name = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| {
                t.lines()
                    .find_map(|l| l.strip_prefix("Name=").map(str::to_string))
            })
            .unwrap_or_default();
        if let Some(manager) = manager_for_name(&name).or_else(|| manager_for_name(&display_name)) {
            out.push(Sighting {
                manager,
                place: path.display().to_string(),
            });
        }
    }
}

/// Linux: desktop entries, binaries, Flatpak and Snap installs and `/opt`. `root` stands for
/// `/`; `home` is the user's home directory as a readable path.
pub fn find_linux(root: &Path, home: &Path) -> Vec<Sighting> {
    let mut out = Vec::new();
    for dir in [
        root.join("usr/share/applications"),
        root.join("usr/local/share/applications"),
        root.join("var/lib/flatpak/exports/share/applications"),
        root.join("var/lib/snapd/desktop/applications"),
        home.join(".local/share/applications"),
        home.join(".local/share/flatpak/exports/share/applications"),
    ] {
        desktop_sightings(&dir, &mut out);
    }
    for m in MANAGERS {
        for bin in m.binaries {
            for dir in ["usr/bin", "usr/local/bin", "bin"] {
                let p = root.join(dir).join(bin);
                if p.is_file() {
                    out.push(Sighting {
                        manager: m.name,
                        place: p.display().to_string(),
                    });
                }
            }
        }
        for id in m.flatpaks {
            for p in [
                root.join("var/lib/flatpak/app").join(id),
                home.join(".local/share/flatpak/app").join(id),
            ] {
                if p.is_dir() {
                    out.push(Sighting {
                        manager: m.name,
                        place: format!("Flatpak {id} ({})", p.display()),
                    });
                }
            }
        }
        for snap in m.snaps {
            let p = root.join("snap").join(snap);
            if p.is_dir() {
                out.push(Sighting {
                    manager: m.name,
                    place: format!("Snap {snap} ({})", p.display()),
                });
            }
        }
    }
    sightings_by_name(&root.join("opt"), |_| true, &mut out);
    dedupe(out)
}

/// macOS: `.app` bundles in the given application folders (`/Applications`, `~/Applications`).
pub fn find_macos(app_dirs: &[PathBuf]) -> Vec<Sighting> {
    let mut out = Vec::new();
    for dir in app_dirs {
        sightings_by_name(dir, |n| n.ends_with(".app"), &mut out);
        // Setapp and similar put bundles one folder down.
        sightings_by_name(&dir.join("Setapp"), |n| n.ends_with(".app"), &mut out);
    }
    dedupe(out)
}

/// Windows: program folders (`Program Files`, `%LOCALAPPDATA%\Programs`, `%LOCALAPPDATA%`)
/// and Start-menu shortcuts, which may sit one folder deep.
pub fn find_windows(program_dirs: &[PathBuf], start_menu_dirs: &[PathBuf]) -> Vec<Sighting> {
    let mut out = Vec::new();
    for dir in program_dirs {
        sightings_by_name(dir, |_| true, &mut out);
    }
    for dir in start_menu_dirs {
        sightings_by_name(dir, |n| n.to_lowercase().ends_with(".lnk"), &mut out);
        for sub in list_names(dir) {
            let sub = dir.join(sub);
            if sub.is_dir() {
                sightings_by_name(&sub, |n| n.to_lowercase().ends_with(".lnk"), &mut out);
            }
        }
    }
    dedupe(out)
}

fn dedupe(mut v: Vec<Sighting>) -> Vec<Sighting> {
    v.sort();
    v.dedup();
    v
}

/// The result for what was found.
pub fn verdict(found: &[Sighting]) -> CheckResult {
    let names: BTreeSet<&str> = found.iter().map(|s| s.manager).collect();
    if names.is_empty() {
        return CheckResult::new(
            ID,
            Status::Warn,
            "No password manager found on this device. If you use one we cannot see (a browser's, or a work-managed one), confirm it in the checklist.",
        )
        .with_evidence(["Looked for Bitwarden, 1Password, KeePassXC, Proton Pass, KeePass, LastPass, Dashlane and Enpass in the usual install locations."])
        .with_remediation([
            "Install a password manager (KeePassXC and Bitwarden are free and open source) and give every registry account its own generated password.",
            "Store your 2FA recovery codes for GitHub, PyPI, npm, RubyGems and crates.io in it.",
        ]);
    }
    let list = names.iter().copied().collect::<Vec<_>>().join(", ");
    CheckResult::new(ID, Status::Pass, format!("Password manager found: {list}."))
        .with_evidence(found.iter().map(|s| format!("{}: {}", s.manager, s.place)))
}

/// Runs the real check for this OS.
pub async fn check(root: &Path, home: &Path, env: &crate::settings::EnvVars) -> CheckResult {
    let (root, home, env) = (root.to_path_buf(), home.to_path_buf(), env.clone());
    match tokio::task::spawn_blocking(move || verdict(&find_here(&root, &home, &env))).await {
        Ok(r) => r,
        Err(e) => CheckResult::unknown(
            ID,
            format!("The password manager check stopped unexpectedly ({e}). Run again."),
        ),
    }
}

#[cfg(target_os = "macos")]
fn find_here(_root: &Path, home: &Path, _env: &crate::settings::EnvVars) -> Vec<Sighting> {
    find_macos(&[PathBuf::from("/Applications"), home.join("Applications")])
}

#[cfg(target_os = "windows")]
fn find_here(_root: &Path, _home: &Path, env: &crate::settings::EnvVars) -> Vec<Sighting> {
    let var = |k: &str| env.get(k).map(PathBuf::from);
    let program_dirs: Vec<PathBuf> = [
        var("ProgramFiles"),
        var("ProgramFiles(x86)"),
        var("ProgramW6432"),
        var("LOCALAPPDATA").map(|p| p.join("Programs")),
        var("LOCALAPPDATA"),
    ]
    .into_iter()
    .flatten()
    .collect();
    let start_menu =
        |base: Option<PathBuf>| base.map(|p| p.join("Microsoft\\Windows\\Start Menu\\Programs"));
    let start_dirs: Vec<PathBuf> = [start_menu(var("APPDATA")), start_menu(var("ProgramData"))]
        .into_iter()
        .flatten()
        .collect();
    find_windows(&program_dirs, &start_dirs)
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn find_here(root: &Path, home: &Path, _env: &crate::settings::EnvVars) -> Vec<Sighting> {
    find_linux(root, home)
}
