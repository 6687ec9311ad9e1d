//! HID report descriptors read from /sys (hidraw) to spot FIDO security keys.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = lockstep_core::device::security_key::usage_pages(data);
});
