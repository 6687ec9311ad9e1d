//! RDAP answers and the IANA bootstrap list, as they arrive from the network.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lockstep_core::email::rdap;

fuzz_target!(|data: &[u8]| {
    if let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) {
        let _ = rdap::Bootstrap::parse(&json);
        let _ = rdap::parse_events(&json);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = lockstep_core::expiry::parse_date(text);
        let _ = lockstep_core::email::domain::registrable_domain(text);
        let _ = lockstep_core::email::normalize_email(text);
    }
});
