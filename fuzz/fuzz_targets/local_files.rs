//! Files Lockstep reads back that someone else may have crafted: the state file, a review
//! file, and a progress export being imported.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = lockstep_core::state::parse(data);
    let _ = lockstep_core::history::review::parse(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let current = lockstep_core::state::State::default();
        if let Ok(preview) = lockstep_core::history::transfer::preview(&current, text) {
            // Whatever the file says, where tokens go and the breach opt-in never change.
            let next = lockstep_core::history::transfer::apply(&current, &preview);
            assert!(next.settings.accounts.values().all(|a| a.base_url.is_none()));
            assert!(!next.settings.breach_check_consent);
            for line in preview.lines() {
                assert!(!line.chars().any(char::is_control), "{line:?}");
            }
        }
    }
});
