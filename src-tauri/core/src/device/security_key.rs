//! `device.security_key`: a FIDO security key makes phishing-proof 2FA possible on every
//! registry. FIDO authenticators announce themselves with the HID usage page 0xF1D0, which
//! is readable without opening the device (Linux: the report descriptor in sysfs; macOS and
//! Windows: hidapi's enumeration, which needs no admin rights).

use crate::check::{CheckResult, Status};
use crate::check_registry::{CheckSpec, TokenNeed};
use crate::platform::Group;
use std::path::Path;

pub const ID: &CheckSpec = &CheckSpec {
    id: "device.security_key",
    group: Group::Device,
    title: "A FIDO security key is connected",
    least_scope: "",
    token: TokenNeed::None,
};

/// The FIDO Alliance's HID usage page.
pub const FIDO_USAGE_PAGE: u16 = 0xF1D0;

/// A HID device as enumeration sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HidDevice {
    pub name: String,
    pub usage_pages: Vec<u16>,
}

/// Every Usage Page a HID report descriptor declares. Walks the items properly (short items
/// with 0/1/2/4 data bytes, long items) so data bytes that happen to look like 0xF1D0 are
/// not mistaken for a usage page.
pub fn usage_pages(descriptor: &[u8]) -> Vec<u16> {
    let mut pages = Vec::new();
    let mut i = 0;
    while i < descriptor.len() {
        let prefix = descriptor[i];
        if prefix == 0xFE {
            // Long item: size, tag, data.
            let size = descriptor.get(i + 1).copied().unwrap_or(0) as usize;
            i += 3 + size;
            continue;
        }
        let size = match prefix & 0x03 {
            3 => 4,
            n => n as usize,
        };
        // Usage Page: global item (type 1) with tag 0, i.e. prefix 0b0000_01xx.
        if prefix & 0xFC == 0x04 {
            if let Some(data) = descriptor.get(i + 1..i + 1 + size) {
                let value = data
                    .iter()
                    .rev()
                    .fold(0u32, |acc, b| (acc << 8) | u32::from(*b));
                if let Ok(page) = u16::try_from(value) {
                    pages.push(page);
                }
            }
        }
        i += 1 + size;
    }
    pages
}

/// What Linux sysfs showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HidScan {
    Devices(Vec<HidDevice>),
    /// No HID devices are visible at all (no /sys/class/hidraw: a container?).
    NoHidSupport(String),
    /// Descriptors could not be read.
    Unreadable(String),
}

/// Linux: reads `/sys/class/hidraw/*/device/report_descriptor` under `root` (sysfs files are
/// world-readable, so this needs no udev rule), naming devices from their `uevent`.
pub fn scan_linux(root: &Path) -> HidScan {
    let class = root.join("sys/class/hidraw");
    let entries = match std::fs::read_dir(&class) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return HidScan::NoHidSupport("this system has no /sys/class/hidraw (running in a container or without the hidraw driver?)".into());
        }
        Err(e) => return HidScan::Unreadable(format!("could not list /sys/class/hidraw: {e}")),
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut devices = Vec::new();
    let mut denied = Vec::new();
    for node in names {
        let dev = class.join(&node).join("device");
        match std::fs::read(dev.join("report_descriptor")) {
            Ok(bytes) => {
                let name = std::fs::read_to_string(dev.join("uevent"))
                    .ok()
                    .and_then(|t| {
                        t.lines()
                            .find_map(|l| l.strip_prefix("HID_NAME=").map(str::to_string))
                    })
                    .unwrap_or_else(|| node.clone());
                devices.push(HidDevice {
                    name,
                    usage_pages: usage_pages(&bytes),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => denied.push(node),
            Err(_) => {}
        }
    }
    let found_fido = devices
        .iter()
        .any(|d| d.usage_pages.contains(&FIDO_USAGE_PAGE));
    if !denied.is_empty() && !found_fido {
        return HidScan::Unreadable(format!(
            "permission denied reading the HID report descriptors of {} under /sys/class/hidraw",
            denied.join(", ")
        ));
    }
    HidScan::Devices(devices)
}

/// The result for an enumeration.
pub fn verdict(scan: &HidScan) -> CheckResult {
    let devices = match scan {
        HidScan::Devices(d) => d,
        HidScan::NoHidSupport(why) | HidScan::Unreadable(why) => {
            return CheckResult::unknown(ID, format!("Could not look for a security key: {why}. Confirm in the checklist that you own one."));
        }
    };
    let keys: Vec<&HidDevice> = devices
        .iter()
        .filter(|d| d.usage_pages.contains(&FIDO_USAGE_PAGE))
        .collect();
    if keys.is_empty() {
        return CheckResult::new(
            ID,
            Status::Warn,
            "No FIDO security key is connected. Plug yours in and re-run, or confirm in the checklist that you own one.",
        )
        .with_evidence([format!("{} HID device(s) seen, none with the FIDO usage page 0xF1D0.", devices.len())])
        .with_remediation([
            "Get two FIDO2 security keys (one as a spare) and register both on GitHub, PyPI, npm and RubyGems as your second factor.",
            "Prefer security keys or passkeys over authenticator-app codes: they cannot be phished.",
        ]);
    }
    let mut names: Vec<&str> = keys.iter().map(|d| d.name.as_str()).collect();
    names.dedup();
    CheckResult::new(
        ID,
        Status::Pass,
        format!("A FIDO security key is connected: {}.", names.join(", ")),
    )
    .with_evidence(
        keys.iter()
            .map(|d| format!("{}: HID usage page 0xF1D0 (FIDO)", d.name)),
    )
}

/// Runs the real check for this OS.
pub async fn check(root: &Path) -> CheckResult {
    let root = root.to_path_buf();
    match tokio::task::spawn_blocking(move || scan_here(&root)).await {
        Ok(scan) => verdict(&scan),
        Err(e) => CheckResult::unknown(
            ID,
            format!("The security key check stopped unexpectedly ({e}). Run again."),
        ),
    }
}

#[cfg(any(target_os = "macos", target_os = "windows"))]
fn scan_here(_root: &Path) -> HidScan {
    let api = match hidapi::HidApi::new() {
        Ok(api) => api,
        Err(e) => return HidScan::Unreadable(format!("could not list HID devices: {e}")),
    };
    let devices = api
        .device_list()
        .map(|d| {
            let parts: Vec<&str> = [d.manufacturer_string(), d.product_string()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let name = if parts.is_empty() {
                format!("USB device {:04x}:{:04x}", d.vendor_id(), d.product_id())
            } else {
                parts.join(" ")
            };
            HidDevice {
                name,
                usage_pages: vec![d.usage_page()],
            }
        })
        .collect();
    HidScan::Devices(devices)
}

#[cfg(not(any(target_os = "macos", target_os = "windows")))]
fn scan_here(root: &Path) -> HidScan {
    scan_linux(root)
}
