//! Small filesystem helpers for crash safety and privacy: atomic replacement, directory fsync,
//! private directories and files, random names.

use crate::error::{Result, StorageError};
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::hash::{BuildHasher, RandomState};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// The mode of the directories the store creates: nobody else may traverse them (what a layer
/// holds, setuid binaries included, must not be reachable by other local users).
pub(crate) const PRIVATE_DIR_MODE: u32 = 0o700;
/// The mode of the files the store creates.
pub(crate) const PRIVATE_FILE_MODE: u32 = 0o600;
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
            .mode(PRIVATE_FILE_MODE)
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

/// Creates a directory (and its missing parents) that only its owner may enter, or takes away
/// group and other access from one that exists (as earlier versions made them 0755). Costs
/// what `create_dir_all` costs: a `mkdir`, and a `stat` when it exists.
pub(crate) fn create_private_dir(path: &Path) -> Result<()> {
    match DirBuilder::new().mode(PRIVATE_DIR_MODE).create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let meta = fs::metadata(path).map_err(|e| StorageError::io("stat", path, e))?;
            if !meta.is_dir() {
                return Err(StorageError::io(
                    "create directory",
                    path,
                    std::io::Error::from(std::io::ErrorKind::NotADirectory),
                ));
            }
            restrict(path, meta.permissions(), PRIVATE_DIR_MODE)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => DirBuilder::new()
            .mode(PRIVATE_DIR_MODE)
            .recursive(true)
            .create(path)
            .map_err(|e| StorageError::io("create directory", path, e)),
        Err(e) => Err(StorageError::io("create directory", path, e)),
    }
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
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Takes group and other access away from the file `path` if it has any. Returns whether
/// there is such a file.
pub(crate) fn restrict_file(path: &Path) -> Result<bool> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_file() => {
            restrict(path, meta.permissions(), PRIVATE_FILE_MODE)?;
            Ok(true)
        }
        Ok(_) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(StorageError::io("stat", path, e)),
    }
}

/// Sets `private` on `path` when its current `permissions` grant group or others anything.
fn restrict(path: &Path, permissions: fs::Permissions, private: u32) -> Result<()> {
    if permissions.mode() & 0o077 == 0 {
        return Ok(());
    }
    tracing::info!(path = %path.display(), "taking group and other access away");
    fs::set_permissions(path, fs::Permissions::from_mode(private))
        .map_err(|e| StorageError::io("chmod", path, e))
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
