//! Credential files in the home folder: `.pypirc`, `.npmrc`, gem credentials (YAML), cargo
//! credentials (TOML), gh's `hosts.yml` (YAML) and Composer's `auth.json` (JSON). No input may panic, and no finding may
//! carry a control character (it is printed to terminals).
#![no_main]
use libfuzzer_sys::fuzz_target;
use lockstep_core::device::publish_credentials as pc;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let now = time::OffsetDateTime::UNIX_EPOCH;
    let findings = [
        pc::scan_pypirc(&text, now),
        pc::scan_npmrc(&text),
        pc::scan_gem_credentials(&text),
        pc::scan_cargo_credentials(&text),
        pc::scan_gh_hosts(&text),
        pc::scan_composer_auth(&text),
    ];
    for f in findings.iter().flatten() {
        assert!(!f.what.chars().any(char::is_control), "{:?}", f.what);
    }
});
