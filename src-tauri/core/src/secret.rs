//! A token held in memory: never printed, never serialized.

use std::fmt;

/// An API token. `Debug` and `Display` print `<redacted>`; there is deliberately no
/// `Serialize` implementation, so a token cannot end up in JSON, state or reports.
/// The value is only reachable through [`Secret::expose`], which call sites use to build
/// an auth header (or to hand it to the keychain).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a token, trimming surrounding whitespace (pasted tokens often carry a newline).
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().trim().to_string())
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
    /// Best effort: overwrite the bytes before the allocation is freed.
    fn drop(&mut self) {
        // SAFETY-free zeroing: replace every byte with 0 through a safe API.
        let zeroed = "\0".repeat(self.0.len());
        self.0.replace_range(.., &zeroed);
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
