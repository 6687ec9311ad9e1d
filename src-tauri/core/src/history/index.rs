//! A small index of the saved reviews, so the first screen, `status` and `report` cost the same
//! with 2,000 reviews as with none: they read its first lines instead of every review file.
//!
//! One JSON line per review, newest first, after a header line. It is only a cache of what the
//! review files say, kept in `.index/` inside the reviews folder and rewritten atomically by
//! [`super::ReviewStore`] whenever it records a review or finds the index out of date. It is
//! never trusted blindly: [`ReviewIndex::read`] refuses it (and the store rebuilds it from the
//! review files) when
//! - it is missing, damaged, or of another format version;
//! - the reviews folder changed since it was written (a file added, removed, renamed, or set
//!   aside changes the folder's modification time);
//! - it was written too soon after the folder's last change to tell a later change apart
//!   (file system clocks are coarse: see [`RACY`]);
//!
//! and the store checks the size and modification time of every review file it opens through
//! the index, so a file rewritten in place is noticed too.

use super::due::known_expiries;
use super::review::{Review, ReviewSummary, StatusCounts};
use crate::atomic_file::write_atomic;
use crate::catalogue::Journey;
use crate::Result;
use serde::{Deserialize, Serialize};
use std::fs::Metadata;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use time::{Date, OffsetDateTime};

/// The index format. A different version is rebuilt, never read.
pub const INDEX_VERSION: u32 = 1;
const FORMAT: &str = "lockstep-review-index";

/// A folder change within this long of writing the index might share its modification time
/// (FAT keeps 2 s, HFS+ 1 s, ext4 a clock tick), so such an index is checked against the
/// folder listing until it has been rewritten later than this.
pub const RACY: Duration = Duration::from_secs(2);

time::serde::format_description!(ymd, Date, "[year]-[month]-[day]");

/// A named expiry date a review saw: the due date's only input besides the review's time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expiry {
    pub name: String,
    #[serde(with = "ymd")]
    pub date: Date,
}

/// What the history needs to know of one review without opening it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    pub id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    pub journey: Option<Journey>,
    pub counts: StatusCounts,
    /// Due-date inputs (see [`known_expiries`]).
    #[serde(default)]
    pub expiries: Vec<Expiry>,
    /// The review file's size and modification time when indexed.
    pub stamp: FileStamp,
}

impl IndexEntry {
    /// The entry for a review read from a file with `stamp`.
    pub fn of(review: &Review, stamp: FileStamp) -> Self {
        IndexEntry {
            id: review.id.clone(),
            checked_at: review.checked_at,
            journey: review.journey,
            counts: review.counts(),
            expiries: known_expiries(review)
                .into_iter()
                .map(|(name, date)| Expiry { name, date })
                .collect(),
            stamp,
        }
    }

    pub fn summary(&self) -> ReviewSummary {
        ReviewSummary {
            id: self.id.clone(),
            checked_at: self.checked_at,
            journey: self.journey,
            counts: self.counts,
        }
    }

    /// The expiries as [`super::due::next_due`] takes them.
    pub fn expiry_dates(&self) -> Vec<(String, Date)> {
        self.expiries
            .iter()
            .map(|e| (e.name.clone(), e.date))
            .collect()
    }
}

/// A file's size and modification time, to notice that it changed (the default: no file).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStamp {
    pub len: u64,
    /// Nanoseconds since the Unix epoch.
    pub modified_ns: u64,
}

impl FileStamp {
    pub fn of(meta: &Metadata) -> Self {
        FileStamp {
            len: meta.len(),
            modified_ns: mtime_ns(meta),
        }
    }

    /// The current stamp of `path`, or `None` if it cannot be read.
    pub fn read(path: &Path) -> Option<Self> {
        std::fs::metadata(path).ok().map(|m| FileStamp::of(&m))
    }
}

fn mtime_ns(meta: &Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The modification time of a folder, in nanoseconds (`None` if it does not exist).
pub fn dir_mtime(dir: &Path) -> std::io::Result<Option<u64>> {
    match std::fs::metadata(dir) {
        Ok(m) => Ok(Some(mtime_ns(&m))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    /// The reviews folder's modification time the entries describe.
    dir_mtime_ns: u64,
    count: usize,
}

/// The index file of one reviews folder.
#[derive(Debug, Clone)]
pub struct ReviewIndex {
    reviews_dir: PathBuf,
}

impl ReviewIndex {
    pub fn new(reviews_dir: impl Into<PathBuf>) -> Self {
        ReviewIndex {
            reviews_dir: reviews_dir.into(),
        }
    }

    /// The folder the index lives in. Its own writes change this folder's modification time,
    /// not the reviews folder's.
    pub fn dir(&self) -> PathBuf {
        self.reviews_dir.join(".index")
    }

    pub fn path(&self) -> PathBuf {
        self.dir().join("reviews.jsonl")
    }

    /// Up to `limit` newest entries (all with `None`), if the index can be trusted for a
    /// reviews folder last modified at `dir_mtime_ns`. Reads only as many lines as it returns.
    pub fn read(&self, dir_mtime_ns: u64, limit: Option<usize>) -> Option<Vec<IndexEntry>> {
        let file = std::fs::File::open(self.path()).ok()?;
        let written = mtime_ns(&file.metadata().ok()?);
        // Written too soon after the folder's last change to rule out a later one hidden by a
        // coarse clock: not trusted until rewritten.
        if written < dir_mtime_ns.saturating_add(RACY.as_nanos() as u64) {
            return None;
        }
        let mut lines = BufReader::new(file).lines();
        let header: Header = serde_json::from_str(&lines.next()?.ok()?).ok()?;
        if header.format != FORMAT
            || header.version != INDEX_VERSION
            || header.dir_mtime_ns != dir_mtime_ns
        {
            return None;
        }
        let wanted = limit.map_or(header.count, |l| l.min(header.count));
        let mut entries = Vec::with_capacity(wanted);
        for line in lines.by_ref().take(wanted) {
            entries.push(serde_json::from_str::<IndexEntry>(&line.ok()?).ok()?);
        }
        if entries.len() != wanted {
            return None;
        }
        if limit.is_none() && lines.next().is_some() {
            return None;
        }
        Some(entries)
    }

    /// Whatever entries can still be parsed, however stale, to reuse when rebuilding (each is
    /// reused only if its file's stamp still matches), with the folder time they were written
    /// for. An index of another format or version gives nothing.
    pub fn salvage(&self) -> (Option<u64>, Vec<IndexEntry>) {
        let Ok(file) = std::fs::File::open(self.path()) else {
            return (None, Vec::new());
        };
        let mut lines = BufReader::new(file).lines();
        let header = lines
            .next()
            .and_then(|l| l.ok())
            .and_then(|l| serde_json::from_str::<Header>(&l).ok())
            .filter(|h| h.format == FORMAT && h.version == INDEX_VERSION);
        let Some(header) = header else {
            return (None, Vec::new());
        };
        let entries = lines
            .map_while(|l| l.ok())
            .map_while(|l| serde_json::from_str(&l).ok())
            .collect();
        (Some(header.dir_mtime_ns), entries)
    }

    /// True if the index on disk was written later than [`RACY`] after `dir_mtime_ns`.
    pub fn settled(&self, dir_mtime_ns: u64) -> bool {
        std::fs::metadata(self.path())
            .map(|m| mtime_ns(&m) >= dir_mtime_ns.saturating_add(RACY.as_nanos() as u64))
            .unwrap_or(false)
    }

    /// Writes the index atomically for a reviews folder last modified at `dir_mtime_ns`.
    pub fn write(&self, dir_mtime_ns: u64, entries: &[IndexEntry]) -> Result<()> {
        let header = Header {
            format: FORMAT.into(),
            version: INDEX_VERSION,
            dir_mtime_ns,
            count: entries.len(),
        };
        let mut out = Vec::with_capacity(64 + entries.len() * 200);
        for line in std::iter::once(serde_json::to_vec(&header))
            .chain(entries.iter().map(serde_json::to_vec))
        {
            // Plain structs of strings and numbers always serialize.
            out.extend(line.unwrap_or_default());
            out.push(b'\n');
        }
        write_atomic(&self.path(), &out)
    }
}
