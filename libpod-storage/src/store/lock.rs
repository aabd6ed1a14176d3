//! The store's writer lock and per-operation staging directories.
//!
//! Mutations of the store's metadata take an exclusive `flock` on `storage.lock` (other
//! processes) behind a mutex (other threads of this one). The lock is held only to commit:
//! the long work of an operation (unpacking layers, copying blobs) happens in a staging
//! directory under `tmp/`, whose owner holds a lock on `tmp/NAME.lock` for as long as it lives,
//! so that repair at open can tell abandoned staging directories from live ones.

use crate::error::{Result, StorageError};
use crate::fsutil::{random_name, remove_dir_all};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The store-wide writer lock.
#[derive(Debug)]
pub(crate) struct StoreLock {
    file: Mutex<File>,
    path: PathBuf,
}

/// Held while the store's metadata may change.
pub(crate) struct StoreLockGuard<'a> {
    file: MutexGuard<'a, File>,
}

impl StoreLock {
    pub fn open(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| StorageError::io("open lock", path, e))?;
        Ok(StoreLock {
            file: Mutex::new(file),
            path: path.to_path_buf(),
        })
    }

    /// Takes the lock, waiting for other threads and processes.
    pub fn lock(&self) -> Result<StoreLockGuard<'_>> {
        let file = self
            .file
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        file.lock()
            .map_err(|e| StorageError::io("lock", &self.path, e))?;
        Ok(StoreLockGuard { file })
    }
}

impl Drop for StoreLockGuard<'_> {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// A private directory under the store's `tmp/` for one operation's work in progress. Removed
/// when dropped; if the process dies first, the next `Store::open` removes it.
#[derive(Debug)]
pub(crate) struct StagingDir {
    path: PathBuf,
    lock_path: PathBuf,
    _lock: File,
}

impl StagingDir {
    pub fn new(tmp_root: &Path) -> Result<Self> {
        let name = random_name(16);
        // Locked under a hidden name first, so that repair never sees it unlocked.
        let hidden = tmp_root.join(format!(".{name}.lock"));
        let lock = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&hidden)
            .map_err(|e| StorageError::io("create", &hidden, e))?;
        lock.lock()
            .map_err(|e| StorageError::io("lock", &hidden, e))?;
        let lock_path = tmp_root.join(format!("{name}.lock"));
        fs::rename(&hidden, &lock_path).map_err(|e| StorageError::io("rename", &lock_path, e))?;
        let path = tmp_root.join(&name);
        fs::create_dir(&path).map_err(|e| StorageError::io("create directory", &path, e))?;
        Ok(StagingDir {
            path,
            lock_path,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if let Err(e) = remove_dir_all(&self.path) {
            tracing::warn!(error = %e, "cannot remove staging directory");
        }
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// Removes the staging directories under `tmp_root` whose owners are gone (their lock can be
/// taken), and stray files without a lock.
pub(crate) fn remove_abandoned_staging(tmp_root: &Path) -> Result<usize> {
    let mut removed = 0;
    let entries =
        fs::read_dir(tmp_root).map_err(|e| StorageError::io("read directory", tmp_root, e))?;
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let Some(base) = name.strip_suffix(".lock") else {
            continue;
        };
        let lock_path = tmp_root.join(name);
        let Ok(lock) = OpenOptions::new().write(true).open(&lock_path) else {
            continue;
        };
        match lock.try_lock() {
            Ok(()) => {
                // `.NAME.lock` is a lock whose owner died before naming it: no directory.
                if !base.starts_with('.') {
                    remove_dir_all(&tmp_root.join(base))?;
                }
                let _ = fs::remove_file(&lock_path);
                removed += 1;
            }
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) => return Err(StorageError::io("lock", &lock_path, e)),
        }
    }
    // Directories whose lock file is missing can only be left by a crash between the two.
    for name in names
        .iter()
        .filter(|n| !n.ends_with(".lock") && !n.starts_with('.'))
    {
        if !names.contains(&format!("{name}.lock")) {
            let path = tmp_root.join(name);
            if path.is_dir() {
                remove_dir_all(&path)?;
            } else {
                let _ = fs::remove_file(&path);
            }
            removed += 1;
        }
    }
    Ok(removed)
}
