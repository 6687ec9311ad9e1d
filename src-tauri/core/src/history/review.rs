//! A saved review: the check results and checklist answers at one moment, one JSON file each.
//!
//! Reviews never hold a secret: [`CheckResult`] and [`Answer`] have no field for one, and the
//! top-level shape refuses unknown fields so nothing extra can ride along.

use super::index::{dir_mtime, FileStamp, IndexEntry, ReviewIndex, MAX_APPENDED};
use crate::atomic_file::{set_aside, write_atomic, write_atomic_new};
use crate::catalogue::Journey;
use crate::check::{CheckResult, Status};
use crate::state::Answer;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use time::macros::format_description;
use time::OffsetDateTime;

/// The review file format. Bump it and add a migration step in [`parse`] when the shape changes.
pub const REVIEW_VERSION: u32 = 1;

/// One review run, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub version: u32,
    /// Sortable id from `checked_at` in UTC (`20261125T143000Z`), with `-2`, `-3`... when taken.
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    #[serde(default)]
    pub journey: Option<Journey>,
    #[serde(default)]
    pub results: Vec<CheckResult>,
    /// The checklist answers at that moment, item id -> answer.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
}

impl Review {
    /// A review with the base id for `checked_at`; [`ReviewStore::record`] adds a suffix if taken.
    pub fn new(
        checked_at: OffsetDateTime,
        journey: Option<Journey>,
        results: Vec<CheckResult>,
        answers: BTreeMap<String, Answer>,
    ) -> Self {
        Review {
            version: REVIEW_VERSION,
            id: base_id(checked_at),
            checked_at,
            journey,
            results,
            answers,
        }
    }

    /// How many results have each status.
    pub fn counts(&self) -> StatusCounts {
        StatusCounts::of(&self.results)
    }

    /// The result of one check, if this review ran it.
    pub fn result(&self, check_id: &str) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.id == check_id)
    }
}

/// Results counted by status, for timelines and `lockstep status`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub pass: u32,
    pub warn: u32,
    pub fail: u32,
    pub unknown: u32,
    pub skipped: u32,
}

impl StatusCounts {
    pub fn of(results: &[CheckResult]) -> Self {
        let mut c = StatusCounts::default();
        for r in results {
            match r.status {
                Status::Pass => c.pass += 1,
                Status::Warn => c.warn += 1,
                Status::Fail => c.fail += 1,
                Status::Unknown => c.unknown += 1,
                Status::Skipped => c.skipped += 1,
            }
        }
        c
    }

    pub fn get(&self, status: Status) -> u32 {
        match status {
            Status::Pass => self.pass,
            Status::Warn => self.warn,
            Status::Fail => self.fail,
            Status::Unknown => self.unknown,
            Status::Skipped => self.skipped,
        }
    }
}

/// One line of the history timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewSummary {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    pub journey: Option<Journey>,
    pub counts: StatusCounts,
}

/// The timeline plus a message for each damaged file that was set aside while reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewList {
    /// Newest first.
    pub reviews: Vec<ReviewSummary>,
    pub notices: Vec<String>,
}

/// One page of the timeline (see [`ReviewStore::page`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReviewPage {
    /// Newest first.
    pub reviews: Vec<ReviewSummary>,
    /// True when older reviews follow the last one here.
    pub more: bool,
    pub notices: Vec<String>,
}

/// The most reviews one page holds, whatever the caller asks.
pub const MAX_PAGE: usize = 500;

/// The base id for a moment: UTC, second precision, sortable as text.
pub fn base_id(checked_at: OffsetDateTime) -> String {
    let utc = checked_at.to_offset(time::UtcOffset::UTC);
    utc.format(format_description!(
        "[year][month][day]T[hour][minute][second]Z"
    ))
    // Formatting a valid date with a fixed description only fails for years past 9999.
    .unwrap_or_else(|_| format!("{}Z", utc.unix_timestamp()))
}

/// Ids become file names, so only a safe alphabet is accepted (no `/`, `..` or spaces).
fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Parses a review file of any supported version.
pub fn parse(bytes: &[u8]) -> std::result::Result<Review, String> {
    use crate::untrusted_text::json_error;
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {}", json_error(&e)))?;
    let version = value
        .get("version")
        .and_then(|v| v.as_u64())
        .ok_or("no version field")?;
    if version > u64::from(REVIEW_VERSION) {
        return Err(format!(
            "written by a newer Lockstep (format {version}); update Lockstep to read it"
        ));
    }
    let review: Review = serde_json::from_value(value)
        .map_err(|e| format!("unexpected content: {}", json_error(&e)))?;
    if !valid_id(&review.id) {
        return Err("invalid review id".to_string());
    }
    Ok(review)
}

/// Reads and writes reviews in one directory (normally [`crate::dirs::AppDirs::reviews_dir`]),
/// keeping [`ReviewIndex`] beside them so finding the latest review does not read them all.
#[derive(Debug, Clone)]
pub struct ReviewStore {
    dir: PathBuf,
    index: ReviewIndex,
    /// Notices about damaged files met so far; see [`ReviewStore::notices`].
    notices: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ReviewStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        ReviewStore {
            index: ReviewIndex::new(&dir),
            dir,
            notices: Default::default(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path_for(&self, id: &str) -> Result<PathBuf> {
        if !valid_id(id) {
            return Err(Error::InvalidInput(format!(
                "'{id}' is not a review id (expected something like 20261125T143000Z)."
            )));
        }
        Ok(self.dir.join(format!("{id}.json")))
    }

    /// Builds a review at `checked_at`, giving it a free id, and saves it.
    pub fn record(
        &self,
        checked_at: OffsetDateTime,
        journey: Option<Journey>,
        results: Vec<CheckResult>,
        answers: BTreeMap<String, Answer>,
    ) -> Result<Review> {
        let mut review = Review::new(checked_at, journey, results, answers);
        let base = review.id.clone();
        // Claim the id by creating its file without replacing: if another Lockstep process
        // recorded a review in the same second, take the next free suffix instead.
        for _ in 0..100 {
            let before = self.index_before_write();
            review.id = self.free_id(&base)?;
            let path = self.path_for(&review.id)?;
            let json = serde_json::to_vec_pretty(&review).map_err(|e| Error::Corrupt {
                path: path.clone(),
                detail: e.to_string(),
            })?;
            if write_atomic_new(&path, &json)? {
                self.reindex(&review, before, checked_at);
                return Ok(review);
            }
        }
        Err(Error::InvalidInput(format!(
            "Could not find a free name for the review in {}.",
            self.dir.display()
        )))
    }

    /// `base` if no file uses it, else `base-2`, `base-3`...
    fn free_id(&self, base: &str) -> Result<String> {
        if !self.path_for(base)?.exists() {
            return Ok(base.to_string());
        }
        let mut n = 2u32;
        loop {
            let candidate = format!("{base}-{n}");
            if !self.path_for(&candidate)?.exists() {
                return Ok(candidate);
            }
            n += 1;
        }
    }

    /// Writes one review atomically as `<id>.json`, replacing a file with the same id.
    pub fn save(&self, review: &Review) -> Result<()> {
        let path = self.path_for(&review.id)?;
        let json = serde_json::to_vec_pretty(review).map_err(|e| Error::Corrupt {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        let before = self.index_before_write();
        write_atomic(&path, &json)?;
        self.reindex(review, before, review.checked_at);
        Ok(())
    }

    /// Appended lines in the index, if it can be trusted right now: taken before writing a
    /// review, so that the write may be appended to it rather than the index rebuilt.
    fn index_before_write(&self) -> Option<usize> {
        self.index.appended(dir_mtime(&self.dir).ok()??)
    }

    /// Brings the index up to date after writing `review`'s file: one appended line if the
    /// index could be trusted just before (`before`, see [`Self::index_before_write`]), else
    /// a rebuild. The review is saved either way: a failure here only means the next read
    /// rebuilds the index.
    fn reindex(&self, review: &Review, before: Option<usize>, now: OffsetDateTime) {
        let appended = before.filter(|n| *n < MAX_APPENDED).and_then(|_| {
            let stamp = FileStamp::read(&self.path_for(&review.id).ok()?)?;
            let dir_mtime = dir_mtime(&self.dir).ok()??;
            self.index
                .append(dir_mtime, IndexEntry::of(review, stamp))
                .ok()
        });
        if appended.is_none() {
            let _ = self.rebuild_index(now);
        }
    }

    /// Every readable review, newest first; damaged files are set aside and reported in `notices`.
    /// `now` only names the set-aside copy. Reads the index, not the reviews.
    pub fn list(&self, now: OffsetDateTime) -> Result<ReviewList> {
        let (entries, notices) = self.entries(None, now)?;
        Ok(ReviewList {
            reviews: entries.iter().map(IndexEntry::summary).collect(),
            notices,
        })
    }

    /// Up to `limit` reviews (1 to [`MAX_PAGE`]), newest first: the newest ones, or with
    /// `before` the ones just older than that review. Reads the index's first `limit + 1`
    /// lines (plus its appended tail), or skips the lines down to `before` unparsed, so the
    /// first page costs the same at 2,000 reviews as at 20. An index that cannot be trusted
    /// is rebuilt, as for [`ReviewStore::list`].
    pub fn page(
        &self,
        before: Option<&str>,
        limit: usize,
        now: OffsetDateTime,
    ) -> Result<ReviewPage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let wanted = limit + 1;
        let (mut entries, notices) = match before {
            None => self.entries(Some(wanted), now)?,
            Some(id) => {
                let fast = dir_mtime(&self.dir)
                    .ok()
                    .flatten()
                    .and_then(|m| self.index.read_after(m, id, wanted))
                    .flatten();
                match fast {
                    Some(older) => (older, Vec::new()),
                    None => {
                        let (all, notices) = self.entries(None, now)?;
                        let Some(pos) = all.iter().position(|e| e.id == id) else {
                            return Err(Error::InvalidInput(format!(
                                "There is no saved review {id}."
                            )));
                        };
                        (
                            all[pos + 1..].iter().take(wanted).cloned().collect(),
                            notices,
                        )
                    }
                }
            }
        };
        let more = entries.len() > limit;
        entries.truncate(limit);
        Ok(ReviewPage {
            reviews: entries.iter().map(IndexEntry::summary).collect(),
            more,
            notices,
        })
    }

    /// Up to `limit` newest index entries (all with `None`): from the index when it can be
    /// trusted, else rebuilt from the review files.
    fn entries(
        &self,
        limit: Option<usize>,
        now: OffsetDateTime,
    ) -> Result<(Vec<IndexEntry>, Vec<String>)> {
        let Some(dir_mtime) = dir_mtime(&self.dir).map_err(|e| Error::io(&self.dir, e))? else {
            return Ok((Vec::new(), Vec::new()));
        };
        if let Some(entries) = self.index.read(dir_mtime, limit) {
            return Ok((entries, Vec::new()));
        }
        let (mut entries, notices) = self.rebuild_index(now)?;
        if let Some(limit) = limit {
            entries.truncate(limit);
        }
        Ok((entries, notices))
    }

    /// Reads every review file the index does not already describe (same name, size and
    /// modification time), sets damaged ones aside, and rewrites the index if it changed.
    fn rebuild_index(&self, now: OffsetDateTime) -> Result<(Vec<IndexEntry>, Vec<String>)> {
        if !self.dir.is_dir() {
            return Ok((Vec::new(), Vec::new()));
        }
        // The index folder first: creating it changes the reviews folder's time. A read-only
        // folder still lists; the index just is not kept.
        let _ = std::fs::create_dir_all(self.index.dir());
        // The folder time is taken before listing, so a change during the listing makes the
        // index written below out of date rather than wrong.
        let Some(dir_mtime) = dir_mtime(&self.dir).map_err(|e| Error::io(&self.dir, e))? else {
            return Ok((Vec::new(), Vec::new()));
        };
        let (old_mtime, old, appended) = self.index.salvage();
        let known: HashMap<&str, &IndexEntry> = old.iter().map(|e| (e.id.as_str(), e)).collect();
        let mut entries = Vec::new();
        let mut notices = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(|e| Error::io(&self.dir, e))? {
            let entry = entry.map_err(|e| Error::io(&self.dir, e))?;
            let path = entry.path();
            let Some(stem) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            if stem.starts_with('.') || !valid_id(stem) {
                continue;
            }
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            let stamp = FileStamp::of(&meta);
            match known.get(stem).filter(|e| e.stamp == stamp) {
                Some(e) => entries.push((*e).clone()),
                None => match self.read_file(&path, stem, now) {
                    Ok(r) => entries.push(IndexEntry::of(&r, stamp)),
                    Err(notice) => notices.push(notice),
                },
            }
        }
        entries.sort_by(|a, b| newest_first(&a.checked_at, &a.id, &b.checked_at, &b.id));
        notices.sort();
        // Rewritten unless it already says all this in settled form; a rewrite folds in the
        // appended lines, and an index written by this store is trusted by it at once.
        let unchanged = old_mtime == Some(dir_mtime) && old == entries && !appended;
        if !unchanged || !self.index.written_after_settling(dir_mtime) {
            // A cache: failing to write it costs speed, never a review.
            let _ = self.index.write(dir_mtime, &entries);
        }
        Ok((entries, notices))
    }

    /// Reads a review the index points at, if its file is still the one indexed and reads
    /// (a damaged one is set aside). `None` when it cannot be used.
    fn read_indexed(&self, entry: &IndexEntry, now: OffsetDateTime) -> Option<Review> {
        let path = self.path_for(&entry.id).ok()?;
        if FileStamp::read(&path) != Some(entry.stamp) {
            return None;
        }
        self.read_file(&path, &entry.id, now).ok()
    }

    /// Reads one file; on damage sets it aside and returns the user's notice.
    fn read_file(
        &self,
        path: &Path,
        id: &str,
        now: OffsetDateTime,
    ) -> std::result::Result<Review, String> {
        use crate::local_file::{read_capped, ReadError, MAX_REVIEW_BYTES};
        let parsed = match read_capped(path, MAX_REVIEW_BYTES) {
            Ok(bytes) => parse(&bytes),
            // A FIFO, a device or a huge file is no review Lockstep wrote: set it aside.
            Err(e @ (ReadError::NotAFile(_) | ReadError::TooLarge(_))) => Err(e.to_string()),
            Err(e) => return Err(self.noted(format!("The review {id} could not be read ({e})."))),
        };
        let detail = match parsed {
            Ok(r) if r.id == id => return Ok(r),
            Ok(r) => format!(
                "it names itself {}",
                crate::untrusted_text::one_line(&crate::untrusted_text::bounded(&r.id))
            ),
            Err(d) => d,
        };
        Err(self.noted(match set_aside(path, now.unix_timestamp()) {
            Ok(moved) => format!(
                "The review {id} could not be read ({detail}). It was kept as {} and left out of the history. Nothing was deleted.",
                moved.display()
            ),
            Err(e) => format!("The review {id} could not be read ({detail}) and could not be moved aside: {e}"),
        }))
    }

    /// Remembers a notice about a damaged review so every caller (status, check, report, the
    /// app) can tell the user, not only the history list; returns it.
    fn noted(&self, notice: String) -> String {
        if let Ok(mut seen) = self.notices.lock() {
            if !seen.contains(&notice) {
                seen.push(notice.clone());
            }
        }
        notice
    }

    /// Notices about damaged reviews found since this store was opened (each file is set
    /// aside when found, so each is reported once).
    pub fn notices(&self) -> Vec<String> {
        self.notices.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// One review by id. A damaged file is set aside and reported as [`Error::Corrupt`].
    pub fn load(&self, id: &str, now: OffsetDateTime) -> Result<Review> {
        let path = self.path_for(id)?;
        if !path.exists() {
            return Err(Error::InvalidInput(format!(
                "There is no saved review {id}."
            )));
        }
        self.read_file(&path, id, now)
            .map_err(|detail| Error::Corrupt { path, detail })
    }

    /// The newest readable review. Opens one file (more only if the newest are damaged).
    pub fn latest(&self, now: OffsetDateTime) -> Result<Option<Review>> {
        Ok(self.readable(None, 1, now)?.into_iter().next())
    }

    /// The newest readable review and the readable one before it, for reports.
    pub fn latest_two(&self, now: OffsetDateTime) -> Result<Vec<Review>> {
        self.readable(None, 2, now)
    }

    /// The newest review as the index describes it (time, counts, due-date inputs), without
    /// opening it: all `status` needs.
    pub fn latest_entry(&self, now: OffsetDateTime) -> Result<Option<IndexEntry>> {
        let (entries, _) = self.entries(Some(1), now)?;
        match entries.into_iter().next() {
            Some(e)
                if self.path_for(&e.id).ok().and_then(|p| FileStamp::read(&p)) == Some(e.stamp) =>
            {
                Ok(Some(e))
            }
            None => Ok(None),
            // Changed since indexed: the rebuilt index says what it is now.
            Some(_) => Ok(self.rebuild_index(now)?.0.into_iter().next()),
        }
    }

    /// The readable review just before `id` (older), to compare against. Through a trusted
    /// index this parses only the entries from `id` on; anything else takes the general path.
    pub fn previous(&self, id: &str, now: OffsetDateTime) -> Result<Option<Review>> {
        if let Some(Some(older)) = dir_mtime(&self.dir)
            .ok()
            .flatten()
            .and_then(|m| self.index.read_after(m, id, 1))
        {
            if let Some(Ok(found)) = self.walk(&older, None, 1, now, false) {
                return Ok(found.into_iter().next());
            }
        }
        Ok(self.readable(Some(id), 1, now)?.into_iter().next())
    }

    /// Up to `n` readable reviews, newest first, starting after `after` (or at the newest).
    /// Trusts the index first; if a file it names changed or is damaged, rebuilds the index
    /// and walks again, this time skipping what cannot be read.
    fn readable(&self, after: Option<&str>, n: usize, now: OffsetDateTime) -> Result<Vec<Review>> {
        let (entries, _) = self.entries(after.is_none().then_some(n), now)?;
        if let Some(found) = self.walk(&entries, after, n, now, false) {
            return found;
        }
        let (entries, _) = self.rebuild_index(now)?;
        self.walk(&entries, after, n, now, true)
            .unwrap_or_else(|| Ok(Vec::new()))
    }

    /// One pass of [`ReviewStore::readable`]; `None` means "rebuild and try again".
    fn walk(
        &self,
        entries: &[IndexEntry],
        after: Option<&str>,
        n: usize,
        now: OffsetDateTime,
        last_try: bool,
    ) -> Option<Result<Vec<Review>>> {
        let start = match after {
            None => 0,
            Some(id) => match entries.iter().position(|e| e.id == id) {
                Some(pos) => pos + 1,
                None if last_try => {
                    return Some(Err(Error::InvalidInput(format!(
                        "There is no saved review {id}."
                    ))))
                }
                None => return None,
            },
        };
        let mut out = Vec::with_capacity(n);
        for entry in &entries[start..] {
            if out.len() == n {
                break;
            }
            match self.read_indexed(entry, now) {
                Some(r) => out.push(r),
                None if last_try => continue,
                None => return None,
            }
        }
        Some(Ok(out))
    }
}

/// Newest first by time, then by suffix number (so `-10` sorts after `-9`).
pub(super) fn newest_first(
    a_at: &OffsetDateTime,
    a_id: &str,
    b_at: &OffsetDateTime,
    b_id: &str,
) -> std::cmp::Ordering {
    let suffix = |id: &str| {
        id.rsplit_once('-')
            .and_then(|(_, n)| n.parse::<u32>().ok())
            .unwrap_or(1)
    };
    (b_at, suffix(b_id), b_id).cmp(&(a_at, suffix(a_id), a_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Observed;
    use crate::state::AnswerStatus;
    use time::macros::datetime;

    fn sample(at: OffsetDateTime) -> Review {
        let mut observed = Observed::default();
        observed
            .owners
            .insert("left-pad".into(), vec!["alice".into(), "bob".into()]);
        observed.keys.push("SHA256:abc".into());
        observed
            .expires
            .insert("example.org".into(), "2027-03-01".into());
        let results = vec![
            CheckResult::new(crate::live::github::TWO_FACTOR, Status::Pass, "2FA is on.")
                .with_evidence(["two_factor_authentication: true"]),
            CheckResult::new(
                crate::live::npm::OWNERS,
                Status::Warn,
                "left-pad has 2 owners.",
            )
            .with_observed(observed),
            CheckResult::unknown(
                crate::email::domain::ID,
                "Could not reach RDAP; try again later.",
            ),
        ];
        let mut answers = BTreeMap::new();
        answers.insert(
            "two-factor-everywhere".into(),
            Answer {
                status: AnswerStatus::Done,
                reason: None,
                choice: None,
                updated_at: datetime!(2026-11-20 09:00 UTC),
            },
        );
        Review::new(at, Some(Journey::Review), results, answers)
    }

    #[test]
    fn id_is_sortable_utc() {
        let r = Review::new(
            datetime!(2026-11-25 15:30 +01:00),
            None,
            vec![],
            BTreeMap::new(),
        );
        assert_eq!(
            r.id, "20261125T143000Z",
            "ids are in UTC so they sort across time zones"
        );
    }

    #[test]
    fn counts_by_status() {
        let c = sample(datetime!(2026-11-25 14:30 UTC)).counts();
        assert_eq!(
            (c.pass, c.warn, c.fail, c.unknown, c.skipped),
            (1, 1, 0, 1, 0)
        );
    }

    #[test]
    fn ids_that_could_escape_the_directory_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReviewStore::new(dir.path());
        for bad in ["../state", "a/b", "", "x.json", "a b"] {
            let err = store.load(bad, OffsetDateTime::UNIX_EPOCH).unwrap_err();
            assert_eq!(err.kind(), "invalid_input", "{bad} must not become a path");
        }
    }

    #[test]
    fn newer_format_is_not_read() {
        let err = parse(br#"{"version":99,"id":"x"}"#).unwrap_err();
        assert!(err.contains("newer Lockstep"), "{err}");
    }

    #[test]
    fn taken_ids_get_a_suffix_and_sort_after() {
        let dir = tempfile::tempdir().unwrap();
        let store = ReviewStore::new(dir.path());
        let at = datetime!(2026-11-25 14:30 UTC);
        let ids: Vec<String> = (0..11)
            .map(|_| store.record(at, None, vec![], BTreeMap::new()).unwrap().id)
            .collect();
        assert_eq!(ids[0], "20261125T143000Z");
        assert_eq!(ids[1], "20261125T143000Z-2");
        let list = store.list(at).unwrap();
        let listed: Vec<&str> = list.reviews.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            listed[0], "20261125T143000Z-11",
            "the last one recorded is newest: {listed:?}"
        );
        assert_eq!(listed[10], "20261125T143000Z");
    }
}
