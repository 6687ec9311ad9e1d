//! Reading a local file Lockstep did not write itself, or that someone may have replaced:
//! only an ordinary file (a FIFO would hang the read, a device like `/dev/zero` never ends),
//! and never more than a stated size.

use std::io::Read;
use std::path::Path;

/// Largest state file read: answers and settings are a few kilobytes.
pub const MAX_STATE_BYTES: u64 = 4 * 1024 * 1024;
/// Largest review file read: the results of a review of hundreds of packages stay far under.
pub const MAX_REVIEW_BYTES: u64 = 32 * 1024 * 1024;
/// Largest credential file read (`.npmrc`, `.pypirc`, `hosts.yml`...): they hold a few lines.
pub const MAX_CREDENTIAL_BYTES: u64 = 1024 * 1024;
/// Longest token read from standard input.
pub const MAX_TOKEN_BYTES: u64 = 16 * 1024;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("it does not exist")]
    Missing,
    /// A directory, FIFO, socket or device.
    #[error("it is {0}, not an ordinary file")]
    NotAFile(&'static str),
    #[error("it is larger than {} KiB, far more than such a file holds", .0 / 1024)]
    TooLarge(u64),
    #[error("{0}")]
    Io(std::io::Error),
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_dir() {
        "a folder"
    } else {
        "not an ordinary file"
    }
}

/// Reads all of `path` if it is an ordinary file of at most `max` bytes (links are followed).
pub fn read_capped(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(ReadError::Missing),
        Err(e) => return Err(ReadError::Io(e)),
    };
    if !meta.is_file() {
        return Err(ReadError::NotAFile(kind_of(&meta.file_type())));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge(max));
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // The file may have been swapped since the check: judge what was actually opened.
    let opened = file.metadata().map_err(ReadError::Io)?;
    if !opened.is_file() {
        return Err(ReadError::NotAFile(kind_of(&opened.file_type())));
    }
    read_stream_capped(file, max)
}

/// Reads a stream to its end, refusing more than `max` bytes (standard input, for instance).
pub fn read_stream_capped(stream: impl Read, max: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    stream
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(max));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_small_files_are_read_and_others_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(read_capped(&p, 5).unwrap(), b"hello");
        assert!(matches!(read_capped(&p, 4), Err(ReadError::TooLarge(4))));
        assert!(matches!(
            read_capped(dir.path(), 10),
            Err(ReadError::NotAFile(_))
        ));
        assert!(matches!(
            read_capped(&dir.path().join("none"), 10),
            Err(ReadError::Missing)
        ));
        assert!(matches!(
            read_stream_capped(std::io::repeat(0), 1000),
            Err(ReadError::TooLarge(1000))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_reading() {
        assert!(matches!(
            read_capped(Path::new("/dev/zero"), 10),
            Err(ReadError::NotAFile("a device"))
        ));
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("state.json");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read_capped(&link, 10),
            Err(ReadError::NotAFile(_))
        ));
    }
}
