//! Small filesystem helpers for crash safety: atomic replacement, directory fsync, random names.

use crate::error::{Result, StorageError};
use std::fs::{self, File, OpenOptions};
use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `data` to `path` so that readers see either the old content or the new, never a part:
/// a temporary file beside it, fsync'ed, renamed over, and the directory fsync'ed.
pub(crate) fn atomic_write(path: &Path, data: &[u8]) -> Result<()> {
    replace(path, data, true)
}

/// [`atomic_write`] without the fsyncs, for the run root's files: a crashed process must never
/// leave half of one, but after a power cut they describe a boot that is gone.
pub(crate) fn volatile_write(path: &Path, data: &[u8]) -> Result<()> {
    replace(path, data, false)
}

fn replace(path: &Path, data: &[u8], durable: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(".{}.tmp-{}", file_name(path), random_name(8)));
    let result = (|| {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(|e| StorageError::io("create", &tmp, e))?;
        f.write_all(data)
            .map_err(|e| StorageError::io("write", &tmp, e))?;
        if durable {
            f.sync_all()
                .map_err(|e| StorageError::io("fsync", &tmp, e))?;
        }
        fs::rename(&tmp, path).map_err(|e| StorageError::io("rename", path, e))?;
        if durable { sync_dir(dir) } else { Ok(()) }
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// fsyncs a directory, making renames and creations inside it durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| StorageError::io("fsync", dir, e))
}

/// Creates a directory and its parents.
pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|e| StorageError::io("create directory", path, e))
}

/// Removes a directory tree; a missing one is fine.
pub(crate) fn remove_dir_all(path: &Path) -> Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(StorageError::io("remove", path, e))
        }
        _ => Ok(()),
    }
}

/// A random name of `len` characters from `[A-Z0-9]`, unique within the process even when
/// the clock does not move.
pub(crate) fn random_name(len: usize) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let state = RandomState::new();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut out = String::with_capacity(len);
    let mut block = 0u64;
    for i in 0..len {
        if i % 8 == 0 {
            block = state.hash_one((std::process::id(), count, i, std::time::SystemTime::now()));
        }
        out.push(ALPHABET[(block % ALPHABET.len() as u64) as usize] as char);
        block /= ALPHABET.len() as u64;
    }
    out
}

/// The current time as RFC 3339 with nanoseconds, in UTC, as image configs write it.
pub(crate) fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The total size of the regular files under `path` (not following symlinks), as `du -b`
/// counts content.
pub(crate) fn tree_size(path: &Path) -> Result<u64> {
    let mut total = 0;
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(StorageError::io("read directory", &dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| StorageError::io("read directory", &dir, e))?;
            let meta = entry
                .metadata()
                .map_err(|e| StorageError::io("stat", entry.path(), e))?;
            if meta.is_dir() {
                stack.push(entry.path());
            } else if meta.is_file() {
                total += meta.len();
            }
        }
    }
    Ok(total)
}

#[cfg(test)]
#[path = "fsutil_tests.rs"]
mod tests;
