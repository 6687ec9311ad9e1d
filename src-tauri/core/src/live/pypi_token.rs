//! Offline decoding of PyPI API tokens: what a token can do, read from its macaroon caveats.
//!
//! A PyPI token is `pypi-` followed by a base64url macaroon (libmacaroons V2 binary, or the
//! older V1 text packets). Warehouse writes its restrictions as first-party caveats whose
//! identifiers are JSON: `[0, exp, nbf]` expiry, `[1, [names]]` project names, `[2, [ids]]`
//! project ids, `[3, "user-id"]` user, `[4, "publisher-id"]` trusted publisher; older tokens
//! carry `{"version": 1, "permissions": "user" | {"projects": [..]}}` and `{"exp", "nbf"}`.
//! Nothing here sends the token anywhere, and no message ever contains it.

use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;

/// What a PyPI token is allowed to do, as far as its caveats tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenScope {
    /// Valid for every project of the user: one leak can publish anything.
    UserWide,
    /// Restricted to these projects (normalized names; `id:<uuid>` when only ids are known).
    Projects(Vec<String>),
    /// The expiry caveat has passed; PyPI will reject the token.
    Expired { expired_at: OffsetDateTime },
    /// Does not start with `pypi-`: some other kind of secret.
    NotAPypiToken,
    /// Starts with `pypi-` but could not be decoded; the reason never contains the token.
    Unreadable(String),
}

/// Classifies a PyPI token offline. `now` decides whether an expiry caveat has passed.
pub fn classify(token: &str, now: OffsetDateTime) -> TokenScope {
    let token = token.trim();
    let Some(body) = token.strip_prefix("pypi-") else {
        return TokenScope::NotAPypiToken;
    };
    let bytes = match decode_base64(body) {
        Some(b) => b,
        None => return TokenScope::Unreadable("the token's body is not base64".into()),
    };
    let caveats = match parse_macaroon(&bytes) {
        Ok(c) => c,
        Err(why) => return TokenScope::Unreadable(why),
    };
    scope_from_caveats(&caveats, now)
}

/// Accepts url-safe and standard alphabets, with or without padding (pymacaroons accepts both).
fn decode_base64(body: &str) -> Option<Vec<u8>> {
    let trimmed = body.trim_end_matches('=');
    if trimmed.is_empty() {
        return None;
    }
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()
        .or_else(|| STANDARD_NO_PAD.decode(trimmed).ok())
}

/// Returns the caveat identifiers of a V2 binary or V1 text macaroon.
fn parse_macaroon(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    match bytes.first() {
        Some(2) => parse_v2(bytes),
        Some(b) if b.is_ascii_hexdigit() => parse_v1(bytes),
        _ => Err("not a macaroon (unknown serialization version)".into()),
    }
}

const FIELD_EOS: u64 = 0;
const FIELD_IDENTIFIER: u64 = 2;
const FIELD_SIGNATURE: u64 = 6;

/// libmacaroons V2: version byte, header section, caveat sections, empty section, signature.
/// A section is a list of (type varint, length varint, bytes) fields ended by type 0.
fn parse_v2(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut reader = Reader { bytes, pos: 1 };
    let header = reader.section()?;
    if !header.iter().any(|(t, _)| *t == FIELD_IDENTIFIER) {
        return Err("macaroon has no identifier".into());
    }
    let mut caveats = Vec::new();
    loop {
        let section = reader.section()?;
        if section.is_empty() {
            break;
        }
        let id = section
            .into_iter()
            .find(|(t, _)| *t == FIELD_IDENTIFIER)
            .map(|(_, v)| v)
            .ok_or("a caveat has no identifier")?;
        caveats.push(id);
    }
    let (kind, _) = reader.field()?.ok_or("macaroon has no signature")?;
    if kind != FIELD_SIGNATURE {
        return Err("macaroon has no signature".into());
    }
    Ok(caveats)
}

/// A cursor over V2 bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *self.bytes.get(self.pos).ok_or("macaroon is truncated")?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err("macaroon has an oversized length field".into())
    }

    /// One field, or `None` at the end-of-section marker.
    fn field(&mut self) -> Result<Option<(u64, Vec<u8>)>, String> {
        let kind = self.varint()?;
        if kind == FIELD_EOS {
            return Ok(None);
        }
        let len = usize::try_from(self.varint()?).map_err(|_| "macaroon field too long")?;
        let end = self.pos.checked_add(len).ok_or("macaroon field too long")?;
        let value = self
            .bytes
            .get(self.pos..end)
            .ok_or("macaroon is truncated")?
            .to_vec();
        self.pos = end;
        Ok(Some((kind, value)))
    }

    fn section(&mut self) -> Result<Vec<(u64, Vec<u8>)>, String> {
        let mut fields = Vec::new();
        while let Some(f) = self.field()? {
            fields.push(f);
        }
        Ok(fields)
    }
}

/// libmacaroons V1: packets of 4 hex digits (whole packet length), `key value\n`.
fn parse_v1(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut pos = 0;
    let mut caveats = Vec::new();
    let mut has_identifier = false;
    while pos < bytes.len() {
        let head = bytes.get(pos..pos + 4).ok_or("macaroon is truncated")?;
        let head = std::str::from_utf8(head).map_err(|_| "macaroon packet header is not hex")?;
        let len =
            usize::from_str_radix(head, 16).map_err(|_| "macaroon packet header is not hex")?;
        if len < 6 {
            return Err("macaroon packet is too short".into());
        }
        let packet = bytes
            .get(pos + 4..pos + len)
            .ok_or("macaroon is truncated")?;
        let packet = packet
            .strip_suffix(b"\n")
            .ok_or("macaroon packet lacks its newline")?;
        let space = packet
            .iter()
            .position(|b| *b == b' ')
            .ok_or("macaroon packet has no key")?;
        let (key, value) = (&packet[..space], &packet[space + 1..]);
        match key {
            b"identifier" => has_identifier = true,
            b"cid" => caveats.push(value.to_vec()),
            _ => {}
        }
        pos += len;
    }
    if !has_identifier {
        return Err("macaroon has no identifier".into());
    }
    Ok(caveats)
}

/// Applies warehouse's caveat meanings. Caveats Lockstep does not know are ignored, which errs
/// towards "user-wide" (the stricter verdict).
fn scope_from_caveats(caveats: &[Vec<u8>], now: OffsetDateTime) -> TokenScope {
    let mut expires: Option<i64> = None;
    let mut names: Option<Vec<String>> = None;
    let mut ids: Option<Vec<String>> = None;
    for raw in caveats {
        let Ok(value) = serde_json::from_slice::<Value>(raw) else {
            continue;
        };
        match &value {
            Value::Array(items) => match items.first().and_then(Value::as_i64) {
                Some(0) => {
                    if let Some(exp) = items.get(1).and_then(Value::as_i64) {
                        expires = Some(expires.map_or(exp, |e| e.min(exp)));
                    }
                }
                Some(1) => names = Some(strings(items.get(1))),
                Some(2) => ids = Some(strings(items.get(1))),
                _ => {}
            },
            Value::Object(map) => {
                if map.get("version").and_then(Value::as_i64) == Some(1) {
                    if let Some(projects) = map.get("permissions").and_then(|p| p.get("projects")) {
                        names = Some(strings(Some(projects)));
                    }
                } else if let Some(exp) = map.get("exp").and_then(Value::as_i64) {
                    if map.contains_key("nbf") {
                        expires = Some(expires.map_or(exp, |e| e.min(exp)));
                    }
                } else if map.contains_key("project_ids") {
                    ids = Some(strings(map.get("project_ids")));
                }
            }
            _ => {}
        }
    }
    if let Some(exp) = expires {
        if now.unix_timestamp() >= exp {
            let expired_at = OffsetDateTime::from_unix_timestamp(exp).unwrap_or(now);
            return TokenScope::Expired { expired_at };
        }
    }
    match (names, ids) {
        (Some(names), _) => TokenScope::Projects(names),
        (None, Some(ids)) => {
            TokenScope::Projects(ids.into_iter().map(|i| format!("id:{i}")).collect())
        }
        (None, None) => TokenScope::UserWide,
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a V2 macaroon by hand so the unit tests need no fixtures.
    fn v2(caveats: &[&str]) -> String {
        fn field(out: &mut Vec<u8>, kind: u8, value: &[u8]) {
            out.push(kind);
            out.push(u8::try_from(value.len()).unwrap());
            out.extend_from_slice(value);
        }
        let mut out = vec![2];
        field(&mut out, 1, b"pypi.org");
        field(&mut out, 2, b"00000000-test-fake-0000-000000000000");
        out.push(0);
        for c in caveats {
            field(&mut out, 2, c.as_bytes());
            out.push(0);
        }
        out.push(0);
        field(&mut out, 6, &[7u8; 32]);
        format!("pypi-{}", URL_SAFE_NO_PAD.encode(out))
    }

    fn now() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn reads_v2_caveats() {
        assert_eq!(classify(&v2(&[r#"[3,"u"]"#]), now()), TokenScope::UserWide);
        assert_eq!(
            classify(&v2(&[r#"[1,["fake-one"]]"#, r#"[2,["x"]]"#]), now()),
            TokenScope::Projects(vec!["fake-one".into()])
        );
        assert_eq!(
            classify(&v2(&[r#"[0,1700000000,1600000000]"#, r#"[3,"u"]"#]), now()),
            TokenScope::Expired {
                expired_at: OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
            }
        );
    }

    #[test]
    fn garbage_is_reported_without_the_token() {
        assert_eq!(classify("ghp_x", now()), TokenScope::NotAPypiToken);
        for bad in ["pypi-", "pypi-!!!!", "pypi-AAAA", "pypi-Ag"] {
            match classify(bad, now()) {
                TokenScope::Unreadable(why) => assert!(!why.contains(bad)),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
