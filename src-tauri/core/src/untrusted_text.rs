//! Text that came from outside (a platform's answer, an imported file, a credential file):
//! bounded in size, stripped of the tokens Lockstep sent, and made harmless for a terminal.
//!
//! A hostile platform can put anything into a login or a key title: escape sequences that
//! rewrite the screen, set the window title or write the clipboard (OSC 52), line breaks that
//! forge whole result lines, a hundred megabytes of text, or the very token it was sent.

use crate::check::{CheckResult, Observed};
use crate::secret::Secret;

/// The most characters one text field from outside may hold in a result. Logins, key titles
/// and package names are far shorter; a longer field is cut and says so.
pub const MAX_FIELD_CHARS: usize = 2_000;

/// What replaces a token found inside text from outside.
pub const REDACTED: &str = "<redacted>";

/// Tokens shorter than this are not searched for in text (a 1-character "token" would blank
/// every message); real tokens are far longer.
const MIN_SECRET_LEN: usize = 6;

/// True for characters a terminal may act on instead of printing: C0 and C1 controls, DEL,
/// and the Unicode bidirectional overrides that can make text read differently than it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

/// One field for one terminal line: every control character (line breaks included) is shown
/// as an escape (`\u{1b}`, `\n`), so it cannot forge lines or drive the terminal.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Whole text for a terminal or a file a user may `cat`: line breaks and tabs stay, every
/// other control character is escaped. Fields inside it should already be [`one_line`].
pub fn for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe(c) && c != '\n' && c != '\t' {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Cuts `s` to [`MAX_FIELD_CHARS`] characters, saying how much was left out.
pub fn bounded(s: &str) -> String {
    bounded_to(s, MAX_FIELD_CHARS)
}

fn bounded_to(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((cut, _)) => {
            let rest = s[cut..].chars().count();
            format!("{}… ({rest} more characters not kept)", &s[..cut])
        }
    }
}

/// Replaces every occurrence of any of `secrets` in `s` with [`REDACTED`].
pub fn redact(s: &str, secrets: &[&str]) -> String {
    let mut out = s.to_string();
    for secret in secrets {
        if secret.len() >= MIN_SECRET_LEN && out.contains(secret) {
            out = out.replace(secret, REDACTED);
            // A contrived secret could re-form around (or be part of) the replacement: then
            // keep nothing of the text, with a marker that cannot hold it.
            if out.contains(secret) {
                let marker = [REDACTED, "[removed]", "*"]
                    .into_iter()
                    .find(|m| !m.contains(secret))
                    .unwrap_or_default();
                return marker.to_string();
            }
        }
    }
    out
}

/// Replaces every occurrence of `secret` inside raw bytes (a response body) with
/// [`REDACTED`]. The replacement holds no quote or backslash, so JSON stays valid.
pub fn redact_bytes(bytes: &mut Vec<u8>, secret: &str) {
    let needle = secret.as_bytes();
    if needle.len() < MIN_SECRET_LEN || bytes.len() < needle.len() {
        return;
    }
    if !bytes.windows(needle.len()).any(|w| w == needle) {
        return;
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(needle) {
            out.extend_from_slice(REDACTED.as_bytes());
            i += needle.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    *bytes = out;
}

/// One field from outside as it may be kept: tokens replaced, then cut to size.
pub fn contained(s: &str, secrets: &[&str]) -> String {
    bounded(&redact(s, secrets))
}

/// A result as it may be kept and shown: every text field bounded and free of `secrets`.
/// Applied to every result a run produces, whatever produced it.
pub fn contain_result(mut r: CheckResult, secrets: &[Secret]) -> CheckResult {
    let secrets: Vec<&str> = secrets.iter().map(Secret::expose).collect();
    let c = |s: &str| contained(s, &secrets);
    r.summary = c(&r.summary);
    r.evidence = r.evidence.iter().map(|e| c(e)).collect();
    r.remediation = r.remediation.iter().map(|e| c(e)).collect();
    let o = std::mem::take(&mut r.observed);
    r.observed = Observed {
        owners: o
            .owners
            .iter()
            .map(|(k, v)| (c(k), v.iter().map(|h| c(h)).collect()))
            .collect(),
        keys: o.keys.iter().map(|k| c(k)).collect(),
        expires: o.expires.iter().map(|(k, v)| (c(k), c(v))).collect(),
        emails: o.emails.iter().map(|e| c(e)).collect(),
        publishing: o.publishing.iter().map(|(k, v)| (c(k), c(v))).collect(),
    };
    for s in &mut r.subjects {
        s.name = c(&s.name);
        s.detail = c(&s.detail);
        s.location = s.location.as_deref().map(c);
        s.fix = s.fix.as_deref().map(c);
    }
    r
}

/// A JSON parse error described by where it happened, never by the text it found there:
/// serde's own message quotes the offending value, which may be a token a platform echoed.
pub fn json_error(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "could not be read",
        Category::Syntax => "is not valid JSON",
        Category::Data => "does not have the expected shape",
        Category::Eof => "ends too early",
    };
    if e.line() == 0 {
        what.to_string()
    } else {
        format!("{what} (line {}, column {})", e.line(), e.column())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;

    #[test]
    fn escapes_and_line_breaks_cannot_reach_a_terminal() {
        let hostile =
            "octo\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\n✔ pass  all good\r\u{202e}x\u{9b}";
        let line = one_line(hostile);
        assert!(!line.chars().any(is_unsafe), "{line:?}");
        assert!(line.contains("\\u{1b}]0;pwned"), "{line}");
        assert!(line.contains("\\n✔ pass"), "{line}");
        let text = for_terminal(&format!("a\n{hostile}\tb"));
        assert!(text.starts_with("a\n"), "{text:?}");
        assert!(!text.contains('\x1b') && !text.contains('\r') && !text.contains('\u{9b}'));
    }

    #[test]
    fn long_fields_are_cut_and_say_so() {
        let s = "é".repeat(MAX_FIELD_CHARS + 5);
        let b = bounded(&s);
        assert!(b.ends_with("(5 more characters not kept)"), "{b}");
        assert!(b.chars().count() < MAX_FIELD_CHARS + 40);
        assert_eq!(bounded("short"), "short");
    }

    #[test]
    fn a_token_inside_text_or_bytes_is_replaced() {
        let t = "ghp_canary1234567890";
        assert_eq!(
            redact(&format!("Bearer {t} and {t}"), &[t]),
            "Bearer <redacted> and <redacted>"
        );
        // Found by the `untrusted_text` fuzz target: a "secret" that is part of the marker.
        assert!(!redact("<redacted>d>#", &["<redacte"]).contains("<redacte"));
        let mut body = format!(r#"{{"login":"Bearer {t}"}}"#).into_bytes();
        redact_bytes(&mut body, t);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["login"], "Bearer <redacted>");
    }

    #[test]
    fn results_are_contained_field_by_field() {
        let t = Secret::new("npm_canarycanarycanary");
        let mut r = CheckResult::new(
            crate::live::npm::TWO_FACTOR,
            Status::Pass,
            "npm_canarycanarycanary",
        )
        .with_evidence(["x".repeat(MAX_FIELD_CHARS * 3)])
        .with_subjects([crate::check::Subject::new(
            "npm_canarycanarycanary",
            Status::Warn,
            "by npm_canarycanarycanary",
        )
        .at("npm_canarycanarycanary:1")
        .fix("revoke npm_canarycanarycanary")]);
        r.observed
            .owners
            .insert("pkg".into(), vec!["npm_canarycanarycanary".into()]);
        let r = contain_result(r, &[t]);
        let json = serde_json::to_string(&r).unwrap();
        assert!(!json.contains("canary"), "{json}");
        assert!(
            json.contains("subjects"),
            "subjects are kept, contained: {json}"
        );
        assert!(r.evidence[0].len() < MAX_FIELD_CHARS + 50);
    }

    #[test]
    fn json_errors_never_quote_the_value() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct U {
            id: u64,
        }
        let e = serde_json::from_str::<U>(r#"{"id":"Bearer ghp_canary"}"#).unwrap_err();
        assert!(e.to_string().contains("ghp_canary"), "serde quotes it");
        let msg = json_error(&e);
        assert!(!msg.contains("canary"), "{msg}");
        assert!(msg.contains("line 1"), "{msg}");
    }
}
