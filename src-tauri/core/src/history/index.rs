//! A small index of the saved reviews, so the first screen, `status` and `report` cost the same
//! with 2,000 reviews as with none: they read its first lines instead of every review file.
//!
//! One JSON line per review, newest first, after a header line; then one line appended per
//! review recorded since (see [`ReviewIndex`]). It is only a cache of what the review files
//! say, kept in `.index/` inside the reviews folder: rebuilt atomically by
//! [`super::ReviewStore`] whenever it finds the index out of date, appended to when it records
//! a review. It is never trusted blindly: [`ReviewIndex::read`] refuses it (and the store
//! rebuilds it from the review files) when
//! - it is missing, damaged (an appended line cut short included), or of another version;
//! - the reviews folder changed since it was written (a file added, removed, renamed, or set
//!   aside changes the folder's modification time);
//! - it was written too soon after the folder's last change to tell a later change apart
//!   (file system clocks are coarse: see [`RACY`]), unless this store wrote it (see
//!   [`ReviewIndex`]);
//!
//! and the store checks the size and modification time of every review file it opens through
//! the index, so a file rewritten in place is noticed too.

use super::due::known_expiries;
use super::review::{newest_first, Review, ReviewSummary, StatusCounts};
use crate::atomic_file::write_atomic;
use crate::catalogue::Journey;
use crate::Result;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::fs::Metadata;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use time::{Date, OffsetDateTime};

/// The index format. A different version is rebuilt, never read.
/// Version 2 added `body_len` and appended lines.
pub const INDEX_VERSION: u32 = 2;
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
    /// Bytes of the `count` entry lines after the header; appended lines start after them.
    /// (Absent in version 1, whose entries are only salvaged.)
    #[serde(default)]
    body_len: u64,
}

/// One line appended after a review was recorded or saved: the review's entry, and the
/// reviews folder's modification time right after its file was written.
#[derive(Debug, Serialize, Deserialize)]
struct Appended {
    dir_mtime_ns: u64,
    entry: IndexEntry,
}

/// Past this many appended lines a write rebuilds the index instead (every read merges them).
pub const MAX_APPENDED: usize = 64;
/// Appended lines beyond this many bytes are not read: the index is rebuilt.
const MAX_TAIL_BYTES: u64 = 1 << 20;

/// The index as this store last wrote it, and the folder time it then described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Own {
    stamp: FileStamp,
    dir_mtime_ns: u64,
}

/// The index file of one reviews folder.
///
/// Recording a review appends one line ([`ReviewIndex::append`]) instead of rewriting every
/// entry, so it costs the same at 2,000 reviews as at none. The appended lines form a tail
/// after the sorted entries; the last one names the folder time it describes, and a tail that
/// does not parse to the end (a write cut short) is refused like any damage.
///
/// Trust: an index is used when the folder time it describes is the folder's time now, and
/// - it has settled: no appended lines, and written at least [`RACY`] after that folder
///   time (a coarse clock cannot hide a later change under the same time), or
/// - this store wrote it last (its size and time are what this store left) and the folder
///   has not settled yet: the store knows what it wrote, so the first screen after a review
///   does not list the folder. A change made by someone else within the same clock tick as
///   this store's write could hide for that moment; once the folder settles the index is no
///   longer the store's to trust, fails the first rule (appended or written too soon), and is
///   rebuilt from the files once, which finds such a change.
#[derive(Debug, Clone)]
pub struct ReviewIndex {
    reviews_dir: PathBuf,
    /// Writers in one process share `write_atomic`'s temp name (it is per process), so two
    /// threads rebuilding at once (the first screen and the due-date task) take turns.
    write_lock: std::sync::Arc<std::sync::Mutex<()>>,
    own: std::sync::Arc<std::sync::Mutex<Option<Own>>>,
}

/// An index file that passed the trust rules, positioned at its first entry.
struct Opened {
    reader: BufReader<File>,
    header: Header,
    /// Entries appended after the sorted ones, in the order written.
    tail: Vec<IndexEntry>,
}

impl ReviewIndex {
    pub fn new(reviews_dir: impl Into<PathBuf>) -> Self {
        ReviewIndex {
            reviews_dir: reviews_dir.into(),
            write_lock: Default::default(),
            own: Default::default(),
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

    fn own(&self) -> Option<Own> {
        *self.own.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set_own(&self, own: Option<Own>) {
        *self.own.lock().unwrap_or_else(|p| p.into_inner()) = own;
    }

    /// Opens the index if it can be trusted for a reviews folder last modified at
    /// `dir_mtime_ns` (see the type's documentation). Reads the header and the appended
    /// tail, not the sorted entries.
    fn open(&self, dir_mtime_ns: u64) -> Option<Opened> {
        let file = File::open(self.path()).ok()?;
        let meta = file.metadata().ok()?;
        let stamp = FileStamp::of(&meta);
        let mut reader = BufReader::new(file);
        let mut first = String::new();
        reader.read_line(&mut first).ok()?;
        if !first.ends_with('\n') {
            return None;
        }
        let header: Header = serde_json::from_str(&first).ok()?;
        if header.format != FORMAT || header.version != INDEX_VERSION {
            return None;
        }
        let body_start = first.len() as u64;
        let tail_start = body_start.checked_add(header.body_len)?;
        let tail_len = meta.len().checked_sub(tail_start)?;
        if tail_len > MAX_TAIL_BYTES {
            return None;
        }
        reader.seek(SeekFrom::Start(tail_start)).ok()?;
        let mut rest = Vec::with_capacity(tail_len as usize);
        reader.by_ref().take(tail_len).read_to_end(&mut rest).ok()?;
        let (described, tail) = parse_tail(&rest, header.dir_mtime_ns)?;
        if described != dir_mtime_ns {
            return None;
        }
        let settled = tail.is_empty() && stamp.modified_ns >= described.saturating_add(RACY_NS);
        let ours = self.own()
            == Some(Own {
                stamp,
                dir_mtime_ns: described,
            })
            && now_ns() < described.saturating_add(RACY_NS);
        if !settled && !ours {
            return None;
        }
        reader.seek(SeekFrom::Start(body_start)).ok()?;
        Some(Opened {
            reader,
            header,
            tail,
        })
    }

    /// How many lines have been appended since the index was last rebuilt, if it can be
    /// trusted for a reviews folder last modified at `dir_mtime_ns`: a writer may then
    /// append to it. Reads the header and the appended lines only.
    pub fn appended(&self, dir_mtime_ns: u64) -> Option<usize> {
        self.open(dir_mtime_ns).map(|o| o.tail.len())
    }

    /// Up to `limit` newest entries (all with `None`), if the index can be trusted for a
    /// reviews folder last modified at `dir_mtime_ns`. Parses only as many sorted lines as it
    /// needs (plus one per appended line, which may replace one of them).
    pub fn read(&self, dir_mtime_ns: u64, limit: Option<usize>) -> Option<Vec<IndexEntry>> {
        let mut opened = self.open(dir_mtime_ns)?;
        let count = opened.header.count;
        let wanted = limit.map_or(count, |l| l.saturating_add(opened.tail.len()).min(count));
        let mut entries = Vec::with_capacity(wanted);
        let mut line = String::new();
        let mut read = 0u64;
        for _ in 0..wanted {
            line.clear();
            read += opened.reader.read_line(&mut line).ok()? as u64;
            if !line.ends_with('\n') {
                return None;
            }
            entries.push(serde_json::from_str::<IndexEntry>(&line).ok()?);
        }
        if wanted == count && read != opened.header.body_len {
            return None;
        }
        let mut entries = merge(entries, opened.tail);
        if let Some(limit) = limit {
            entries.truncate(limit);
        }
        Some(entries)
    }

    /// The entries older than review `id` (newest first), up to `limit`, if the index can be
    /// trusted: `Some(None)` if it does not list `id`. Sorted lines before `id` are skipped
    /// unparsed, so opening an old review does not parse the whole history.
    pub fn read_after(
        &self,
        dir_mtime_ns: u64,
        id: &str,
        limit: usize,
    ) -> Option<Option<Vec<IndexEntry>>> {
        let mut opened = self.open(dir_mtime_ns)?;
        if !opened.tail.is_empty() {
            // Appended entries sort anywhere: take the whole list.
            let all = self.read(dir_mtime_ns, None)?;
            return Some(
                all.iter()
                    .position(|e| e.id == id)
                    .map(|p| all[p + 1..].iter().take(limit).cloned().collect()),
            );
        }
        // serde writes the fields in order: every entry line starts with its id.
        let prefix = format!("{{\"id\":{}", serde_json::to_string(id).ok()?);
        let mut line = Vec::new();
        let mut read = 0u64;
        let mut found = false;
        let mut entries = Vec::with_capacity(limit);
        for _ in 0..opened.header.count {
            line.clear();
            read += opened.reader.read_until(b'\n', &mut line).ok()? as u64;
            if !line.ends_with(b"\n") {
                return None;
            }
            if found {
                entries.push(serde_json::from_slice::<IndexEntry>(&line).ok()?);
                if entries.len() == limit {
                    return Some(Some(entries));
                }
            } else if line.starts_with(prefix.as_bytes()) {
                let entry = serde_json::from_slice::<IndexEntry>(&line).ok()?;
                found = entry.id == id;
            }
        }
        if read != opened.header.body_len {
            return None;
        }
        Some(found.then_some(entries))
    }

    /// Whatever entries can still be parsed, however stale, to reuse when rebuilding (each is
    /// reused only if its file's stamp still matches), with the folder time they were written
    /// for and whether lines were appended. An index of another format gives nothing.
    pub fn salvage(&self) -> (Option<u64>, Vec<IndexEntry>, bool) {
        let Ok(file) = File::open(self.path()) else {
            return (None, Vec::new(), false);
        };
        let mut lines = BufReader::new(file).lines();
        let header = lines
            .next()
            .and_then(|l| l.ok())
            .and_then(|l| serde_json::from_str::<Header>(&l).ok())
            // Version 1 had the same entry lines: reusing them spares a full re-read.
            .filter(|h| h.format == FORMAT && (1..=INDEX_VERSION).contains(&h.version));
        let Some(header) = header else {
            return (None, Vec::new(), false);
        };
        let mut body = Vec::new();
        let mut tail = Vec::new();
        let mut described = header.dir_mtime_ns;
        for line in lines.map_while(|l| l.ok()) {
            if body.len() < header.count || header.version == 1 {
                match serde_json::from_str(&line) {
                    Ok(e) => body.push(e),
                    Err(_) => break,
                }
            } else {
                match serde_json::from_str::<Appended>(&line) {
                    Ok(a) => {
                        described = a.dir_mtime_ns;
                        tail.push(a.entry);
                    }
                    Err(_) => break,
                }
            }
        }
        let appended = !tail.is_empty();
        (Some(described), merge(body, tail), appended)
    }

    /// True if the index on disk was written later than [`RACY`] after `dir_mtime_ns`.
    pub fn written_after_settling(&self, dir_mtime_ns: u64) -> bool {
        std::fs::metadata(self.path())
            .map(|m| mtime_ns(&m) >= dir_mtime_ns.saturating_add(RACY_NS))
            .unwrap_or(false)
    }

    /// Writes the index atomically for a reviews folder last modified at `dir_mtime_ns`.
    pub fn write(&self, dir_mtime_ns: u64, entries: &[IndexEntry]) -> Result<()> {
        let mut body = Vec::with_capacity(entries.len() * 200);
        for entry in entries {
            // Plain structs of strings and numbers always serialize.
            body.extend(serde_json::to_vec(entry).unwrap_or_default());
            body.push(b'\n');
        }
        let header = Header {
            format: FORMAT.into(),
            version: INDEX_VERSION,
            dir_mtime_ns,
            count: entries.len(),
            body_len: body.len() as u64,
        };
        let mut out = serde_json::to_vec(&header).unwrap_or_default();
        out.push(b'\n');
        out.extend(body);
        let _turn = self
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.set_own(None);
        write_atomic(&self.path(), &out)?;
        self.set_own(FileStamp::read(&self.path()).map(|stamp| Own {
            stamp,
            dir_mtime_ns,
        }));
        Ok(())
    }

    /// Appends `entry` (a review just written) for a reviews folder now last modified at
    /// `dir_mtime_ns`. One `write` of one line to a file opened for appending: a crash leaves
    /// the line whole, cut short (refused by [`ReviewIndex::read`], so rebuilt), or absent (the
    /// folder time no longer matches, so rebuilt). Not synced: the index is only a cache.
    pub fn append(&self, dir_mtime_ns: u64, entry: IndexEntry) -> Result<()> {
        let path = self.path();
        let mut line = serde_json::to_vec(&Appended {
            dir_mtime_ns,
            entry,
        })
        .unwrap_or_default();
        line.push(b'\n');
        let _turn = self
            .write_lock
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.set_own(None);
        // Never follow a link planted in place of the index (write_atomic replaces them).
        let meta = std::fs::symlink_metadata(&path).map_err(|e| crate::Error::io(&path, e))?;
        if !meta.file_type().is_file() {
            return Err(crate::Error::io(
                &path,
                std::io::Error::other("the review index is not a plain file"),
            ));
        }
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| crate::Error::io(&path, e))?;
        file.write_all(&line)
            .map_err(|e| crate::Error::io(&path, e))?;
        let stamp = FileStamp::of(&file.metadata().map_err(|e| crate::Error::io(&path, e))?);
        self.set_own(Some(Own {
            stamp,
            dir_mtime_ns,
        }));
        Ok(())
    }
}

const RACY_NS: u64 = RACY.as_nanos() as u64;

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The appended lines and the folder time the last one describes (`header_mtime` if none);
/// `None` unless every line is whole and parses.
fn parse_tail(rest: &[u8], header_mtime: u64) -> Option<(u64, Vec<IndexEntry>)> {
    let mut described = header_mtime;
    let mut tail = Vec::new();
    if rest.is_empty() {
        return Some((described, tail));
    }
    let whole = rest.strip_suffix(b"\n")?;
    for line in whole.split(|b| *b == b'\n') {
        let a: Appended = serde_json::from_slice(line).ok()?;
        described = a.dir_mtime_ns;
        tail.push(a.entry);
    }
    Some((described, tail))
}

/// Sorted entries with the appended ones merged in, newest first; a later line about the
/// same review replaces the earlier one.
fn merge(mut entries: Vec<IndexEntry>, tail: Vec<IndexEntry>) -> Vec<IndexEntry> {
    if tail.is_empty() {
        return entries;
    }
    for entry in tail {
        entries.retain(|e| e.id != entry.id);
        entries.push(entry);
    }
    entries.sort_by(|a, b| newest_first(&a.checked_at, &a.id, &b.checked_at, &b.id));
    entries
}
