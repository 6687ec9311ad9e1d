//! What the OS tools print (fdesetup, manage-bde, PowerShell, /proc mounts, git config).
#![no_main]
use libfuzzer_sys::fuzz_target;
use lockstep_core::device::{disk_encryption as de, git_signing as git};
use lockstep_core::ssh_key;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = de::parse_fdesetup_status(&text);
    let parsed = de::parse_manage_bde(&text);
    let _ = de::bitlocker_protection(&parsed, Some(0));
    let _ = de::parse_shell_bitlocker_protection(&text);
    let mounts = de::parse_mountinfo(&text);
    let _ = de::mount_for(&mounts, std::path::Path::new("/home/me"));
    let _ = de::parse_proc_mounts(&text);
    let _ = git::parse_get_regexp(&text);
    let _ = git::parse_config_file(&text);
    // A public-key line as git config or GitHub gives it, and a bare base64 blob.
    if let Some((_, blob)) = ssh_key::split_line(&text) {
        let _ = ssh_key::fingerprint(blob);
    }
    let _ = ssh_key::fingerprint(&text);
});
