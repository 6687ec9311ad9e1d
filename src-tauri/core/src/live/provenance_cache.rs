//! Per-version provenance answers kept between runs. A published version's provenance never
//! changes (attestations and the publisher are fixed at upload), so a maintainer with
//! hundreds of packages asks each registry only about releases it has not seen yet.
//! One file per registry under the cache directory, written atomically; a damaged file is set
//! aside (never overwritten in place) and the run starts from an empty cache.

use super::trusted_publishing::Verdict;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The cache of one registry, loaded once per run and saved at its end.
#[derive(Debug, Default)]
pub struct ProvenanceCache {
    path: Option<PathBuf>,
    entries: Mutex<BTreeMap<String, Verdict>>,
    changed: Mutex<bool>,
}

/// Why the cache could not be used as it was (the check still runs without it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheNote {
    /// The file was unreadable or not a cache; it was moved to this path.
    SetAside(PathBuf),
}

impl ProvenanceCache {
    /// A cache that keeps nothing (no cache directory).
    pub fn disabled() -> Self {
        ProvenanceCache::default()
    }

    /// Loads `<cache_dir>/provenance-<registry>.json`. `now_unix` names a set-aside file.
    pub fn load(cache_dir: &Path, registry: &str, now_unix: i64) -> (Self, Option<CacheNote>) {
        let path = cache_dir.join(format!("provenance-{registry}.json"));
        let mut note = None;
        let entries = match crate::local_file::read_capped(&path, 16 * 1024 * 1024) {
            Ok(bytes) => match serde_json::from_slice::<BTreeMap<String, Verdict>>(&bytes) {
                Ok(map) => map,
                Err(_) => {
                    if let Ok(aside) = crate::atomic_file::set_aside(&path, now_unix) {
                        note = Some(CacheNote::SetAside(aside));
                    }
                    BTreeMap::new()
                }
            },
            Err(_) => BTreeMap::new(),
        };
        (
            ProvenanceCache {
                path: Some(path),
                entries: Mutex::new(entries),
                changed: Mutex::new(false),
            },
            note,
        )
    }

    fn key(package: &str, version: &str) -> String {
        format!("{package}@{version}")
    }

    pub fn get(&self, package: &str, version: &str) -> Option<Verdict> {
        self.entries
            .lock()
            .ok()?
            .get(&Self::key(package, version))
            .cloned()
    }

    /// Remembers a settled answer; "could not check" is never cached.
    pub fn put(&self, package: &str, version: &str, verdict: &Verdict) {
        if !verdict.is_settled() {
            return;
        }
        if let Ok(mut e) = self.entries.lock() {
            e.insert(Self::key(package, version), verdict.clone());
            if let Ok(mut c) = self.changed.lock() {
                *c = true;
            }
        }
    }

    /// Writes the file if anything was added. A failure to write only costs the next run time.
    pub fn save(&self) {
        let Some(path) = &self.path else { return };
        if !self.changed.lock().map(|c| *c).unwrap_or(false) {
            return;
        }
        let Ok(entries) = self.entries.lock() else {
            return;
        };
        if let Ok(bytes) = serde_json::to_vec(&*entries) {
            // The cache directory itself may be created, never a missing tree above it (a
            // profile without a cache location keeps nothing rather than inventing one).
            let Some(dir) = path.parent() else { return };
            if !dir.is_dir() && std::fs::create_dir(dir).is_err() {
                return;
            }
            let _ = crate::atomic_file::write_atomic(path, &bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settled_answers_survive_a_restart_and_failures_are_not_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (cache, note) = ProvenanceCache::load(dir.path(), "pypi", 0);
        assert!(note.is_none());
        let trusted = Verdict::Trusted {
            publisher: "GitHub pypa/sampleproject release.yml".into(),
        };
        cache.put("sampleproject", "4.0.0", &trusted);
        cache.put("other", "1.0", &Verdict::Failed("timeout".into()));
        cache.save();
        let (again, _) = ProvenanceCache::load(dir.path(), "pypi", 0);
        assert_eq!(again.get("sampleproject", "4.0.0"), Some(trusted));
        assert_eq!(again.get("other", "1.0"), None);
    }

    #[test]
    fn a_damaged_file_is_set_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("provenance-crates.json");
        std::fs::write(&path, b"{not json").unwrap();
        let (cache, note) = ProvenanceCache::load(dir.path(), "crates", 1_700_000_000);
        let Some(CacheNote::SetAside(aside)) = note else {
            panic!("expected the file set aside, got {note:?}");
        };
        assert_eq!(std::fs::read(&aside).unwrap(), b"{not json");
        assert_eq!(cache.get("x", "1"), None);
    }
}
