//! API tokens in the OS keychain (Secret Service, macOS Keychain, Windows Credential Manager).
//!
//! Only tokens live here. Metadata (when saved, what it can do) lives in the state file.
//! Keychain calls block (and on Linux may show an unlock prompt), so callers run them off the
//! UI thread.

use crate::platform::Platform;
use crate::secret::Secret;
use crate::settings::EnvVars;
use crate::{Error, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// The keychain service name every Lockstep entry is stored under.
pub const SERVICE: &str = "dev.lockstep.desktop";

/// Where tokens are kept. The real one is [`OsKeychain`]; [`MemoryKeychain`] serves unit tests.
pub trait TokenStore: Send + Sync {
    /// `Ok(None)` when no token is saved.
    fn get(&self, platform: Platform) -> Result<Option<Secret>>;
    fn set(&self, platform: Platform, token: &Secret) -> Result<()>;
    /// Idempotent: deleting a missing token is not an error.
    fn delete(&self, platform: Platform) -> Result<()>;
    /// Which of `platforms` have a token saved. Stores with sessions answer for all of them
    /// in one; the default asks for each token in turn.
    fn saved(&self, platforms: &[Platform]) -> Result<BTreeSet<Platform>> {
        let mut out = BTreeSet::new();
        for &p in platforms {
            if self.get(p)?.is_some() {
                out.insert(p);
            }
        }
        Ok(out)
    }
}

/// The operating system's keychain, through `keyring`.
#[derive(Debug)]
pub struct OsKeychain {
    service: String,
    /// Writes are serialized: Secret Service does not like concurrent item creation.
    write_lock: Mutex<()>,
}

impl Default for OsKeychain {
    fn default() -> Self {
        OsKeychain::with_service(SERVICE)
    }
}

impl OsKeychain {
    pub fn new() -> Self {
        OsKeychain::default()
    }

    /// A keychain under another service name, so tests never touch the user's real entries.
    pub fn with_service(service: &str) -> Self {
        OsKeychain {
            service: service.to_string(),
            write_lock: Mutex::new(()),
        }
    }

    fn entry(&self, platform: Platform) -> Result<keyring::Entry> {
        keyring::Entry::new(&self.service, platform.as_str()).map_err(map_error)
    }
}

impl TokenStore for OsKeychain {
    fn get(&self, platform: Platform) -> Result<Option<Secret>> {
        match self.entry(platform)?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_error(e)),
        }
    }

    fn set(&self, platform: Platform, token: &Secret) -> Result<()> {
        if token.is_empty() {
            return Err(Error::InvalidInput(
                "The token is empty. Paste the whole token and try again.".into(),
            ));
        }
        let _guard = self.write_lock.lock().map_err(|_| Error::Keychain {
            detail: "internal lock poisoned".into(),
        })?;
        self.entry(platform)?
            .set_password(token.expose())
            .map_err(map_error)
    }

    fn delete(&self, platform: Platform) -> Result<()> {
        let _guard = self.write_lock.lock().map_err(|_| Error::Keychain {
            detail: "internal lock poisoned".into(),
        })?;
        match self.entry(platform)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(map_error(e)),
        }
    }

    /// One Secret Service connection and one unencrypted session for all platforms: keyring
    /// 3.6 opens a new connection and negotiates a new encrypted session for every entry
    /// (about 7 ms each), and it has no call that reuses one. Only whether an item exists is
    /// asked, never its secret, so no encryption is needed and a locked keychain shows no
    /// unlock prompt just to list tokens. Matches the items keyring's `Entry` finds: same
    /// `service` and `username`, in any collection.
    #[cfg(target_os = "linux")]
    fn saved(&self, platforms: &[Platform]) -> Result<BTreeSet<Platform>> {
        use dbus_secret_service::{EncryptionType, SecretService};
        let ss = SecretService::connect(EncryptionType::Plain)
            .map_err(|e| map_error(keyring::Error::PlatformFailure(Box::new(e))))?;
        let mut out = BTreeSet::new();
        for &p in platforms {
            let found = ss
                .search_items(std::collections::HashMap::from([
                    ("service", self.service.as_str()),
                    ("username", p.as_str()),
                ]))
                .map_err(map_secret_service_error)?;
            if !(found.unlocked.is_empty() && found.locked.is_empty()) {
                out.insert(p);
            }
        }
        Ok(out)
    }
}

/// The same mapping keyring applies to Secret Service errors.
#[cfg(target_os = "linux")]
fn map_secret_service_error(e: dbus_secret_service::Error) -> Error {
    use dbus_secret_service::Error as E;
    match e {
        E::Locked | E::NoResult | E::Prompt => {
            map_error(keyring::Error::NoStorageAccess(Box::new(e)))
        }
        other => map_error(keyring::Error::PlatformFailure(Box::new(other))),
    }
}

/// Maps keyring's errors to ones a user can act on. The token is never part of the message.
fn map_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoStorageAccess(inner) => Error::KeychainLocked {
            detail: inner.to_string(),
        },
        keyring::Error::PlatformFailure(inner) => Error::KeychainUnavailable {
            detail: inner.to_string(),
        },
        keyring::Error::NoEntry => Error::Keychain {
            detail: "no entry".into(),
        },
        other => Error::Keychain {
            detail: other.to_string(),
        },
    }
}

/// An in-memory store for unit tests (never the only proof: see `tests/app/keychain.rs`).
#[derive(Debug, Default)]
pub struct MemoryKeychain {
    tokens: Mutex<BTreeMap<Platform, Secret>>,
}

impl TokenStore for MemoryKeychain {
    fn get(&self, platform: Platform) -> Result<Option<Secret>> {
        Ok(self
            .tokens
            .lock()
            .map_err(|_| Error::Keychain {
                detail: "poisoned".into(),
            })?
            .get(&platform)
            .cloned())
    }
    fn set(&self, platform: Platform, token: &Secret) -> Result<()> {
        self.tokens
            .lock()
            .map_err(|_| Error::Keychain {
                detail: "poisoned".into(),
            })?
            .insert(platform, token.clone());
        Ok(())
    }
    fn delete(&self, platform: Platform) -> Result<()> {
        self.tokens
            .lock()
            .map_err(|_| Error::Keychain {
                detail: "poisoned".into(),
            })?
            .remove(&platform);
        Ok(())
    }
}

/// Where a platform's token for this run comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenOrigin {
    /// `LOCKSTEP_<PLATFORM>_TOKEN` (headless use, like `GH_TOKEN`).
    Env,
    Keychain,
}

/// Resolves the tokens for a run: the env variable overrides the keychain. Keychain errors
/// are returned per platform (as messages) so the affected checks can say `unknown`.
pub fn resolve_tokens(
    platforms: &[Platform],
    env: &EnvVars,
    store: &dyn TokenStore,
) -> (BTreeMap<Platform, Secret>, BTreeMap<Platform, String>) {
    let mut tokens = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for &p in platforms {
        if let Some(v) = env.get(&p.env_var("TOKEN")) {
            tokens.insert(p, Secret::new(v));
            continue;
        }
        match store.get(p) {
            Ok(Some(t)) => {
                tokens.insert(p, t);
            }
            Ok(None) => {}
            Err(e) => {
                errors.insert(p, e.to_string());
            }
        }
    }
    (tokens, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_token_overrides_keychain() {
        let store = MemoryKeychain::default();
        store
            .set(Platform::Github, &Secret::new("from-keychain"))
            .unwrap();
        store
            .set(Platform::Npm, &Secret::new("npm-keychain"))
            .unwrap();
        let env = EnvVars::default().with("LOCKSTEP_GITHUB_TOKEN", "from-env");
        let (tokens, errors) =
            resolve_tokens(&Platform::accounts().collect::<Vec<_>>(), &env, &store);
        assert_eq!(tokens[&Platform::Github].expose(), "from-env");
        assert_eq!(tokens[&Platform::Npm].expose(), "npm-keychain");
        assert!(!tokens.contains_key(&Platform::Gitlab));
        assert!(errors.is_empty());
    }
}
