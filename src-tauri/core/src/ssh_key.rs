//! OpenSSH public keys: the one fingerprint function, for a key configured on this device
//! (`device.git_signing`) and for the keys GitHub lists, so the two always compare equal.

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// `SHA256:` fingerprint of a public key's base64 blob, exactly as `ssh-keygen -l` prints it;
/// `None` when the blob is not base64.
pub fn fingerprint(blob_b64: &str) -> Option<String> {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(blob_b64.trim())
        .ok()?;
    Some(format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(&raw))
    ))
}

/// The key type and base64 blob of an `authorized_keys`-style line ("ssh-ed25519 AAAA… comment").
pub fn split_line(line: &str) -> Option<(&str, &str)> {
    let mut parts = line.split_whitespace();
    Some((parts.next()?, parts.next()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_match_ssh_keygen() {
        // `ssh-keygen -lf` printed this fingerprint for this throwaway public key.
        let line =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJlcjQ9IN0o13XXm2CuMJEOFifg7mfEe60KpaBrBpE8l fake";
        let (kind, blob) = split_line(line).unwrap();
        assert_eq!(kind, "ssh-ed25519");
        assert_eq!(
            fingerprint(blob).as_deref(),
            Some("SHA256:P+I42ju1+TrIOH2gFN8lpljNyFRESmHCD9e6Y6Xce6A")
        );
        assert_eq!(fingerprint("not*base64*at*all"), None);
        assert_eq!(split_line("ssh-ed25519"), None);
    }
}
