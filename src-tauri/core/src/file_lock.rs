//! An advisory OS file lock beside a data file, so two processes (the app and `lockstep
//! check`, or two CLIs) serialize their read-change-write of that file instead of each
//! writing back what it read before the other's change.

use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// Held while one process reads, changes and writes a file; released on drop (and by the OS
/// if the process dies, so a crash never leaves the file locked).
#[derive(Debug)]
pub struct FileLock {
    _file: std::fs::File,
}

/// The lock file for `data`: `<name>.lock` in the same directory (empty; only its lock
/// matters). A separate file, because the data file itself is replaced by atomic renames.
pub fn lock_path(data: &Path) -> PathBuf {
    let mut name = data.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    data.with_file_name(name)
}

/// Blocks until this process holds the exclusive lock for `data`.
pub fn lock_exclusive(data: &Path) -> Result<FileLock> {
    let path = lock_path(data);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Error::io(&path, e))?;
    fs4::FileExt::lock(&file).map_err(|e| Error::io(&path, e))?;
    Ok(FileLock { _file: file })
}
