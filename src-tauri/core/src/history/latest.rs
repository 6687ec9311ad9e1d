//! The latest known result of every check, with when it was taken.
//!
//! A review is a full run; a partial run (one item's checks, one platform, Travel's device
//! check, `lockstep check --only`) is not a review, so it must not appear in History or move
//! the due date. Its results are still news: they are kept here, one entry per check, and
//! every screen shows each check's latest result and its time. A cancelled run records only
//! the checks that finished, so an unfinished check keeps its previous result.

use super::review::Review;
use crate::atomic_file::{set_aside, write_atomic};
use crate::check::CheckResult;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use time::OffsetDateTime;

/// The file format. Bump it and migrate in [`LatestStore::load`] when the shape changes.
pub const LATEST_VERSION: u32 = 1;

/// One check's latest result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestResult {
    #[serde(flatten)]
    pub result: CheckResult,
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    /// The review it was taken in, if it was taken in one (not in a partial run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LatestFile {
    version: u32,
    /// Check id -> its latest result.
    results: BTreeMap<String, LatestResult>,
}

/// The latest results, one file in the data directory.
#[derive(Debug, Clone)]
pub struct LatestStore {
    path: PathBuf,
}

/// What [`LatestStore::load`] found, with a notice when a damaged file was set aside.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// Check id -> latest result.
    pub results: BTreeMap<String, LatestResult>,
    pub notice: Option<String>,
}

impl Loaded {
    /// The results, in check-registry order.
    pub fn in_order(&self) -> Vec<LatestResult> {
        let mut out: Vec<LatestResult> = self.results.values().cloned().collect();
        out.sort_by_key(|r| {
            crate::check_registry::CHECKS
                .iter()
                .position(|s| s.id == r.result.id)
                .unwrap_or(usize::MAX)
        });
        out
    }
}

impl LatestStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        LatestStore { path: path.into() }
    }

    /// Reads the latest results. Before this file existed, the latest review was the only
    /// record, so without a file the `fallback` review's results are used (read only then:
    /// reading every review is not free). A damaged file is set aside (never overwritten) and
    /// the fallback is used with a notice.
    pub fn load(
        &self,
        fallback: impl FnOnce() -> Result<Option<Review>>,
        now: OffsetDateTime,
    ) -> Result<Loaded> {
        let from_review = || -> Result<BTreeMap<String, LatestResult>> {
            Ok(fallback()?
                .map(|r| {
                    r.results
                        .iter()
                        .map(|c| {
                            (
                                c.id.clone(),
                                LatestResult {
                                    result: c.clone(),
                                    checked_at: r.checked_at,
                                    review_id: Some(r.id.clone()),
                                },
                            )
                        })
                        .collect()
                })
                .unwrap_or_default())
        };
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Loaded {
                    results: from_review()?,
                    notice: None,
                })
            }
            Err(e) => return Err(Error::io(&self.path, e)),
        };
        match serde_json::from_slice::<LatestFile>(&bytes) {
            Ok(file) if file.version <= LATEST_VERSION => Ok(Loaded {
                results: file.results,
                notice: None,
            }),
            other => {
                let detail = match other {
                    Ok(file) => format!("written by a newer Lockstep (format {})", file.version),
                    Err(e) => e.to_string(),
                };
                let moved = set_aside(&self.path, now.unix_timestamp())?;
                Ok(Loaded {
                    results: from_review()?,
                    notice: Some(format!(
                        "The latest check results could not be read ({detail}). The file was kept as {} and the last review's results are shown instead. Nothing was deleted.",
                        moved.display()
                    )),
                })
            }
        }
    }

    /// Records `results` taken at `checked_at` (in review `review_id`, if a review) over the
    /// ones on disk, and returns what was known just before and everything known now.
    ///
    /// The app and `lockstep check` may finish runs at the same moment: the read, merge and
    /// write happen under an OS file lock, so neither writes back a file that lacks the
    /// other's results. A result already on disk that was taken later than `checked_at` (a
    /// run that started after this one but finished first) is kept, not replaced by an older one.
    pub fn record(
        &self,
        fallback: impl FnOnce() -> Result<Option<Review>>,
        results: &[CheckResult],
        checked_at: OffsetDateTime,
        review_id: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(Loaded, Loaded)> {
        let _lock = crate::file_lock::lock_exclusive(&self.path)?;
        let before = self.load(fallback, now)?;
        let mut next = before.results.clone();
        for r in results {
            if next
                .get(&r.id)
                .is_some_and(|old| old.checked_at > checked_at)
            {
                continue;
            }
            next.insert(
                r.id.clone(),
                LatestResult {
                    result: r.clone(),
                    checked_at,
                    review_id: review_id.map(str::to_string),
                },
            );
        }
        let file = LatestFile {
            version: LATEST_VERSION,
            results: next,
        };
        let json = serde_json::to_vec_pretty(&file).map_err(|e| Error::Corrupt {
            path: self.path.clone(),
            detail: e.to_string(),
        })?;
        write_atomic(&self.path, &json)?;
        let after = Loaded {
            results: file.results,
            notice: before.notice.clone(),
        };
        Ok((before, after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Status;
    use time::macros::datetime;

    #[test]
    fn a_partial_run_updates_only_its_checks_and_keeps_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let store = LatestStore::new(dir.path().join("latest.json"));
        let review = Review::new(
            datetime!(2026-11-01 10:00 UTC),
            None,
            vec![
                CheckResult::new(crate::live::github::TWO_FACTOR, Status::Pass, "on"),
                CheckResult::new(crate::live::npm::TWO_FACTOR, Status::Fail, "off"),
            ],
            BTreeMap::new(),
        );
        let first = store
            .load(|| Ok(Some(review.clone())), datetime!(2026-11-02 0:00 UTC))
            .unwrap();
        assert_eq!(
            first.results.len(),
            2,
            "without a file, the review's results"
        );
        let later = datetime!(2026-11-05 9:00 UTC);
        store
            .record(
                || Ok(Some(review.clone())),
                &[CheckResult::new(
                    crate::live::npm::TWO_FACTOR,
                    Status::Pass,
                    "on now",
                )],
                later,
                None,
                later,
            )
            .unwrap();
        let again = store.load(|| Ok(Some(review.clone())), later).unwrap();
        let npm = &again.results["npm.two_factor"];
        assert_eq!((npm.result.status, npm.checked_at), (Status::Pass, later));
        assert_eq!(npm.review_id, None, "taken in a partial run");
        let gh = &again.results["github.two_factor"];
        assert_eq!(gh.checked_at, datetime!(2026-11-01 10:00 UTC));
        assert_eq!(gh.review_id.as_deref(), Some(review.id.as_str()));
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_said() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latest.json");
        std::fs::write(&path, b"{ not json").unwrap();
        let store = LatestStore::new(&path);
        let loaded = store
            .load(|| Ok(None), datetime!(2026-11-02 0:00 UTC))
            .unwrap();
        assert!(loaded.results.is_empty());
        assert!(loaded.notice.as_deref().unwrap_or("").contains("kept as"));
        assert!(!path.exists(), "the damaged file was moved aside");
        let kept = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(kept, 1, "and kept, not deleted");
    }
}
