//! Crash-safe file writes, setting damaged files aside, and cleaning up after a killed save.
//!
//! Temp files get unpredictable names and are created exclusively (`O_EXCL`, through the
//! `tempfile` crate) in the target's own directory, then renamed over the target: a name
//! planted in a shared directory (a symlink to the victim's file) is never opened or followed.

use crate::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Every temp file Lockstep creates starts with this, so stale ones can be recognised.
pub const TEMP_PREFIX: &str = ".lockstep-";
/// ... and ends with this.
pub const TEMP_SUFFIX: &str = ".tmp";

/// A temp file older than this in Lockstep's own folders is left over from a killed save.
pub const STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// A new, exclusively created temp file next to `path`, holding `bytes`, synced to disk.
fn temp_beside(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// Persists a rename in `path`'s folder (fsync of the folder). Not supported everywhere, so
/// failure is not fatal.
pub fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
        }
        _ => Ok(()),
    }
}

/// Writes `bytes` to `path` atomically: a temp file in the same directory, fsync, rename,
/// then fsync of the directory, so a crash leaves either the old or the new file, never half.
/// A symlink at `path` is replaced, never followed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    prepare_atomic(path, bytes)?.commit()?;
    sync_dir(path);
    Ok(())
}

/// The first half of [`write_atomic`]: the new content in a synced temp file beside `path`,
/// not yet visible. Lets a caller do the slow part (write + fsync) outside a lock readers
/// take, then [`PreparedWrite::commit`] inside it, then [`sync_dir`] outside again.
pub fn prepare_atomic(path: &Path, bytes: &[u8]) -> Result<PreparedWrite> {
    create_parent(path)?;
    let tmp = temp_beside(path, bytes).map_err(|e| Error::io(path, e))?;
    Ok(PreparedWrite {
        tmp,
        path: path.to_path_buf(),
    })
}

/// A synced temp file waiting to replace its target; dropped uncommitted, it is removed.
#[derive(Debug)]
pub struct PreparedWrite {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl PreparedWrite {
    /// Renames the temp file over the target (a symlink there is replaced, never followed).
    /// The rename is durable once [`sync_dir`] has run.
    pub fn commit(self) -> Result<()> {
        // On failure the temp file is removed when the error drops it.
        self.tmp
            .persist(&self.path)
            .map_err(|e| Error::io(&self.path, e.error))?;
        Ok(())
    }
}

/// Like [`write_atomic`], but never replaces an existing file: fails with `AlreadyExists`
/// if another process (the CLI and the app, say) took the name first. Returns `Ok(false)` in
/// that case, writing nothing.
pub fn write_atomic_new(path: &Path, bytes: &[u8]) -> Result<bool> {
    create_parent(path)?;
    let tmp = temp_beside(path, bytes).map_err(|e| Error::io(path, e))?;
    match tmp.persist_noclobber(path) {
        Ok(_) => {
            sync_dir(path);
            Ok(true)
        }
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(Error::io(path, e.error)),
    }
}

/// Removes temp files a killed save left in `dir` (Lockstep's own folders only): names made
/// by [`write_atomic`] (and the `.<name>.<pid>.tmp` of earlier versions) older than
/// [`STALE_AFTER`], so a save still in progress in another process is left alone.
/// Returns how many were removed; problems are ignored (this is housekeeping).
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with('.') && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if meta.is_file() && old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Moves a damaged file out of the way (`name.corrupt-<unix seconds>`) so it is kept for the
/// user to inspect and never overwritten. Returns where it went.
pub fn set_aside(path: &Path, unix_seconds: i64) -> Result<PathBuf> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    // A hard link fails when the name is taken, so a file set aside by another process in
    // the same second is never replaced (no check-then-rename race); the damaged file is
    // removed only once it is linked. Where hard links are not supported, a checked rename.
    for n in 0u32.. {
        let target = match n {
            0 => path.with_file_name(format!("{name}.corrupt-{unix_seconds}")),
            n => path.with_file_name(format!("{name}.corrupt-{unix_seconds}-{n}")),
        };
        match std::fs::hard_link(path, &target) {
            Ok(()) => {
                std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) if !target.exists() => {
                std::fs::rename(path, &target).map_err(|e| Error::io(path, e))?;
                return Ok(target);
            }
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Err(Error::io(
        path,
        std::io::Error::other("no free name to set the damaged file aside"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_aside_never_replaces_a_file_kept_earlier() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        std::fs::write(&p, b"first damaged").unwrap();
        let first = set_aside(&p, 1_700_000_000).unwrap();
        std::fs::write(&p, b"second damaged").unwrap();
        let second = set_aside(&p, 1_700_000_000).unwrap();
        assert_ne!(first, second);
        assert_eq!(std::fs::read(&first).unwrap(), b"first damaged");
        assert_eq!(std::fs::read(&second).unwrap(), b"second damaged");
        assert!(!p.exists(), "the damaged file is moved, not copied");
    }

    #[test]
    fn writes_replace_whole_file_and_leave_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/state.json");
        write_atomic(&p, b"first version, longer").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "only the target should remain: {names:?}");
    }

    #[test]
    fn write_new_never_replaces_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        assert!(write_atomic_new(&p, b"first").unwrap());
        assert!(
            !write_atomic_new(&p, b"second").unwrap(),
            "the name was taken"
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temp file left behind: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn a_planted_symlink_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let out = dir.path().join("report.md");
        std::os::unix::fs::symlink(&victim, &out).unwrap();
        // The old predictable temp names too.
        for pid in [std::process::id(), 1, 2] {
            let _ = std::os::unix::fs::symlink(
                &victim,
                dir.path().join(format!(".report.md.{pid}.tmp")),
            );
        }
        write_atomic(&out, b"report").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "report");
        assert!(!out.symlink_metadata().unwrap().file_type().is_symlink());
    }

    #[test]
    fn stale_temp_files_are_removed_and_fresh_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let stale = dir.path().join(".lockstep-abc.tmp");
        let old_style = dir.path().join(".state.json.4242.tmp");
        let fresh = dir.path().join(".lockstep-def.tmp");
        let other = dir.path().join("state.json");
        for p in [&stale, &old_style, &fresh, &other] {
            std::fs::write(p, "x").unwrap();
        }
        let long_ago = std::time::SystemTime::now() - STALE_AFTER - Duration::from_secs(60);
        for p in [&stale, &old_style, &other] {
            std::fs::File::options()
                .write(true)
                .open(p)
                .unwrap()
                .set_modified(long_ago)
                .unwrap();
        }
        assert_eq!(remove_stale_temp_files(dir.path()), 2);
        assert!(!stale.exists() && !old_style.exists());
        assert!(fresh.exists(), "a save in progress elsewhere is left alone");
        assert!(other.exists());
    }

    #[test]
    fn set_aside_never_overwrites_an_earlier_copy() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        std::fs::write(&p, "bad 1").unwrap();
        let a = set_aside(&p, 100).unwrap();
        std::fs::write(&p, "bad 2").unwrap();
        let b = set_aside(&p, 100).unwrap();
        assert_ne!(a, b);
        assert_eq!(std::fs::read_to_string(a).unwrap(), "bad 1");
        assert_eq!(std::fs::read_to_string(b).unwrap(), "bad 2");
        assert!(!p.exists());
    }
}
