//! A token held in memory: never printed, never serialized.

use std::fmt;
use zeroize::Zeroize;

/// An API token. `Debug` and `Display` print `<redacted>`; there is deliberately no
/// `Serialize` implementation, so a token cannot end up in JSON, state or reports.
/// The value is only reachable through [`Secret::expose`], which call sites use to build
/// an auth header (or to hand it to the keychain).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token, trimming surrounding whitespace (pasted tokens often carry a newline).
    pub fn new(value: impl Into<String>) -> Self {
        let mut raw: String = value.into();
        let trimmed = raw.trim();
        if trimmed.len() == raw.len() {
            return Secret(raw);
        }
        let kept = Secret(trimmed.to_string());
        raw.zeroize();
        kept
    }

    /// The raw token. Keep the borrow short and never format it into messages.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Drop for Secret {
    /// Overwrites the bytes before the allocation is freed (`zeroize`, which the optimizer
    /// cannot remove). Best effort: copies made by the OS keychain, HTTP stack or the UI's
    /// JavaScript are out of reach.
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_token() {
        let s = Secret::new("  ghp_canary123\n");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(s.expose(), "ghp_canary123");
    }
}
