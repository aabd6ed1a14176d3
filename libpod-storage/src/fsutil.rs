//! Small filesystem helpers for crash safety and privacy: atomic replacement, directory fsync,
//! private directories and files, random names.

use crate::error::{Result, StorageError};
use libpod_fs::{Durability, ExistingDir};
use std::fs::{self, File};
use std::hash::{BuildHasher, RandomState};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The modes of the directories and files the store creates: nobody else may traverse them
/// (what a layer holds, setuid binaries included, must not be reachable by other local users).
pub(crate) use libpod_fs::{PRIVATE_DIR_MODE, PRIVATE_FILE_MODE};

/// Writes `data` to `path` (0600) so that readers see either the old content or the new,
/// never a part, and the new survives a power cut once this returns.
pub(crate) fn atomic_write(path: &Path, data: &[u8]) -> Result<()> {
    Ok(libpod_fs::replace(
        path,
        data,
        PRIVATE_FILE_MODE,
        Durability::Full,
    )?)
}

/// [`atomic_write`] without the fsyncs, for the run root's files: a crashed process must never
/// leave half of one, but after a power cut they describe a boot that is gone.
pub(crate) fn volatile_write(path: &Path, data: &[u8]) -> Result<()> {
    Ok(libpod_fs::replace(
        path,
        data,
        PRIVATE_FILE_MODE,
        Durability::Volatile,
    )?)
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

/// Creates a directory (and its missing parents) that only its owner may enter, or takes away
/// group and other access from one that exists (as earlier versions made them 0755).
pub(crate) fn create_private_dir(path: &Path) -> Result<()> {
    Ok(libpod_fs::create_private_dir(path, ExistingDir::Restrict)?)
}

/// The content of the file at `path`, after taking group and other access away if it had any
/// (the `fstat` is the one a plain read makes for its buffer size).
pub(crate) fn read_private(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let mut file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.permissions().mode() & 0o077 != 0 {
        file.set_permissions(std::fs::Permissions::from_mode(PRIVATE_FILE_MODE))?;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Takes group and other access away from the file `path` if it has any. Returns whether
/// there is such a file.
pub(crate) fn restrict_file(path: &Path) -> Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => {
            libpod_fs::restrict(path, &meta.permissions(), PRIVATE_FILE_MODE)?;
            Ok(true)
        }
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StorageError::io("stat", path, e)),
    }
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
        let digit =
            usize::try_from(block % ALPHABET.len() as u64).expect("below the alphabet's length");
        out.push(char::from(ALPHABET[digit]));
        block /= ALPHABET.len() as u64;
    }
    out
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
