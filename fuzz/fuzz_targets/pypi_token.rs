//! A PyPI token pasted or found in `.pypirc`: a base64 macaroon decoded on this machine.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let now = time::OffsetDateTime::UNIX_EPOCH;
    let _ = lockstep_core::live::pypi_token::classify(&text, now);
    let _ = lockstep_core::live::pypi_token::classify(&format!("pypi-{text}"), now);
});
