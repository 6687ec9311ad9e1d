//! The functions every piece of outside text passes through before a terminal or a file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use lockstep_core::untrusted_text as ut;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let line = ut::one_line(&text);
    assert!(!line.chars().any(char::is_control));
    let all = ut::for_terminal(&text);
    assert!(!all.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
    let cut = ut::bounded(&text);
    assert!(cut.chars().count() <= ut::MAX_FIELD_CHARS + 64);
    if text.len() > 12 {
        let secret = &text[..text.char_indices().nth(8).map_or(text.len(), |(i, _)| i)];
        if secret.len() >= 8 {
            assert!(!ut::redact(&text, &[secret]).contains(secret));
        }
    }
});
