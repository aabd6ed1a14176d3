//! The store's writer lock and per-operation staging directories.
//!
//! Mutations of the store's metadata take an exclusive `flock` on `storage.lock` (other
//! processes) behind a mutex (other threads of this one). The lock is held only to commit:
//! the long work of an operation (unpacking layers, copying blobs) happens in a staging
//! directory under `tmp/`, whose owner holds a lock on `tmp/NAME.lock` for as long as it lives,
//! so that an abandoned staging directory (its owner died) tells that an operation was
//! interrupted, and repair can tell it from a live one.
//!
//! `storage.lock` also holds the metadata's write generation (8 bytes, little endian), a
//! sequence counter: odd while a writer is replacing the records, even once it is done. A
//! process trusts its cached records under the lock only while the generation is the one it
//! read them at, which inode reuse and coarse timestamps cannot fake.

use crate::error::{Result, StorageError};
use crate::fsutil::{PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, random_name, remove_dir_all};
use std::fs::{self, DirBuilder, File, OpenOptions, TryLockError};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The store-wide writer lock.
#[derive(Debug)]
pub(crate) struct StoreLock {
    file: Mutex<File>,
    /// The same open file, for reading the generation without waiting for the mutex.
    reader: File,
    path: PathBuf,
}

/// Held while the store's metadata may change.
pub(crate) struct StoreLockGuard<'a> {
    file: MutexGuard<'a, File>,
    path: &'a Path,
}

impl StoreLock {
    /// Opens (creating it 0600, or taking group and other access away from an older one) the
    /// lock file: a user who can open it can hold the lock and stall every operation.
    pub fn open(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(PRIVATE_FILE_MODE)
            .open(path)
            .map_err(|e| StorageError::io("open lock", path, e))?;
        let permissions = file
            .metadata()
            .map_err(|e| StorageError::io("stat", path, e))?
            .permissions();
        if permissions.mode() & 0o077 != 0 {
            file.set_permissions(fs::Permissions::from_mode(PRIVATE_FILE_MODE))
                .map_err(|e| StorageError::io("chmod", path, e))?;
        }
        Ok(StoreLock {
            reader: file
                .try_clone()
                .map_err(|e| StorageError::io("duplicate", path, e))?,
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
        Ok(StoreLockGuard {
            file,
            path: &self.path,
        })
    }

    /// The write generation as it is now, without the lock (a writer may be at work).
    pub fn peek_generation(&self) -> Result<u64> {
        read_generation(&self.reader, &self.path)
    }
}

impl StoreLockGuard<'_> {
    /// The write generation: no process changes it while this guard lives.
    pub fn generation(&self) -> Result<u64> {
        read_generation(&self.file, self.path)
    }

    /// Marks the records as being replaced (an odd generation, new even after a writer that
    /// died at this point) and returns the generation to pass to [`end_write`].
    ///
    /// [`end_write`]: StoreLockGuard::end_write
    pub fn begin_write(&self) -> Result<u64> {
        let current = self.generation()?;
        let writing = if current.is_multiple_of(2) {
            current + 1
        } else {
            current + 2
        };
        self.write_generation(writing)?;
        Ok(writing)
    }

    /// Marks the records as replaced; returns the new (even) generation.
    pub fn end_write(&self, writing: u64) -> Result<u64> {
        self.write_generation(writing + 1)?;
        Ok(writing + 1)
    }

    fn write_generation(&self, generation: u64) -> Result<()> {
        self.file
            .write_all_at(&generation.to_le_bytes(), 0)
            .map_err(|e| StorageError::io("write", self.path, e))
    }
}

/// The generation in the lock file; 0 for a lock file that has none yet.
fn read_generation(file: &File, path: &Path) -> Result<u64> {
    let mut bytes = [0u8; 8];
    let mut read = 0;
    while read < bytes.len() {
        match file.read_at(&mut bytes[read..], read as u64) {
            Ok(0) => return Ok(0),
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StorageError::io("read", path, e)),
        }
    }
    Ok(u64::from_le_bytes(bytes))
}

impl Drop for StoreLockGuard<'_> {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// A private directory under the store's `tmp/` for one operation's work in progress, owned
/// through a lock on `tmp/NAME.lock`. Removed when dropped; if the process dies first, the
/// abandoned directory marks the store dirty and the next [`Store::open`] repairs the store
/// and removes it.
///
/// [`Store::open`]: crate::Store::open
#[derive(Debug)]
pub struct StagingDir {
    path: PathBuf,
    lock_path: PathBuf,
    _lock: File,
    /// Left in place when dropped (see [`StagingDir::abandon`]).
    abandoned: bool,
}

impl StagingDir {
    pub(crate) fn new(tmp_root: &Path) -> Result<Self> {
        let name = random_name(16);
        let lock_path = tmp_root.join(format!("{name}.lock"));
        let lock = create_locked(tmp_root, &lock_path)?;
        let staging = StagingDir {
            path: tmp_root.join(&name),
            lock_path,
            _lock: lock,
            abandoned: false,
        };
        DirBuilder::new()
            .mode(PRIVATE_DIR_MODE)
            .create(&staging.path)
            .map_err(|e| StorageError::io("create directory", &staging.path, e))?;
        Ok(staging)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Releases the directory without removing it: an abandoned staging directory, the dirty
    /// mark that makes the next open repair the store (for an operation that failed after its
    /// commit, leaving files that no record owns).
    pub(crate) fn abandon(mut self) {
        self.abandoned = true;
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if self.abandoned {
            return;
        }
        if let Err(e) = remove_dir_all(&self.path) {
            tracing::warn!(error = %e, "cannot remove staging directory");
        }
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// Creates `lock_path` already locked, so that no other process ever sees it unlocked: an
/// unnamed file in `tmp_root`, locked, then linked under its name. Filesystems without
/// `O_TMPFILE` get a hidden name that is locked and then renamed.
fn create_locked(tmp_root: &Path, lock_path: &Path) -> Result<File> {
    let unnamed = OpenOptions::new()
        .read(true)
        .write(true)
        .mode(PRIVATE_FILE_MODE)
        .custom_flags(nix::libc::O_TMPFILE)
        .open(tmp_root);
    match unnamed {
        Ok(file) => {
            file.lock()
                .map_err(|e| StorageError::io("lock", lock_path, e))?;
            let fd_path = format!("/proc/self/fd/{}", file.as_raw_fd());
            nix::unistd::linkat(
                nix::fcntl::AT_FDCWD,
                fd_path.as_str(),
                nix::fcntl::AT_FDCWD,
                lock_path,
                nix::fcntl::AtFlags::AT_SYMLINK_FOLLOW,
            )
            .map_err(|e| StorageError::io("link", lock_path, e.into()))?;
            Ok(file)
        }
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(nix::libc::EOPNOTSUPP | nix::libc::EISDIR)
            ) =>
        {
            let hidden = tmp_root.join(format!(".{}", file_name(lock_path)));
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(PRIVATE_FILE_MODE)
                .open(&hidden)
                .map_err(|e| StorageError::io("create", &hidden, e))?;
            file.lock()
                .map_err(|e| StorageError::io("lock", &hidden, e))?;
            fs::rename(&hidden, lock_path).map_err(|e| StorageError::io("rename", lock_path, e))?;
            Ok(file)
        }
        Err(e) => Err(StorageError::io("create", tmp_root, e)),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A staging entry whose owner is gone: its lock (held until it is removed) and what it owns.
#[derive(Debug)]
pub(crate) struct Abandoned {
    /// The directory or stray file.
    entry: Option<PathBuf>,
    lock_path: Option<PathBuf>,
    _lock: Option<File>,
}

impl Abandoned {
    /// Removes the entry (detaching any mount left inside it, as an overlay probe may) and
    /// then its lock file.
    pub fn remove(self) -> Result<()> {
        if let Some(entry) = &self.entry {
            if entry.is_dir() {
                for point in crate::mountinfo::mounts_under(entry)? {
                    let _ = nix::mount::umount2(&point, nix::mount::MntFlags::MNT_DETACH);
                }
                remove_dir_all(entry)?;
            } else {
                let _ = fs::remove_file(entry);
            }
        }
        if let Some(lock_path) = &self.lock_path {
            let _ = fs::remove_file(lock_path);
        }
        Ok(())
    }
}

/// The entries of `tmp_root` whose owners are gone: staging directories whose lock can be
/// taken, and entries without a lock file (left by earlier versions). Their locks are held
/// until they are removed, so that no other process counts them as live meanwhile.
pub(crate) fn abandoned_staging(tmp_root: &Path) -> Result<Vec<Abandoned>> {
    let entries =
        fs::read_dir(tmp_root).map_err(|e| StorageError::io("read directory", tmp_root, e))?;
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let mut abandoned = Vec::new();
    for name in &names {
        if let Some(base) = name.strip_suffix(".lock") {
            // `.NAME.lock`: a lock whose owner died before naming it; it owns no directory.
            let entry = (!base.starts_with('.')).then(|| tmp_root.join(base));
            abandoned.extend(take_if_abandoned(&tmp_root.join(name), entry)?);
        } else if !name.starts_with('.') {
            // A listing may miss a lock file linked while it ran: look again by name.
            let lock_path = tmp_root.join(format!("{name}.lock"));
            if names.iter().any(|n| *n == format!("{name}.lock")) {
                continue;
            }
            if fs::symlink_metadata(&lock_path).is_ok() {
                abandoned.extend(take_if_abandoned(&lock_path, Some(tmp_root.join(name)))?);
            } else {
                abandoned.push(Abandoned {
                    entry: Some(tmp_root.join(name)),
                    lock_path: None,
                    _lock: None,
                });
            }
        }
    }
    Ok(abandoned)
}

/// The staging entry of `lock_path` if its owner is gone (its lock can be taken).
fn take_if_abandoned(lock_path: &Path, entry: Option<PathBuf>) -> Result<Option<Abandoned>> {
    let Ok(lock) = OpenOptions::new().write(true).open(lock_path) else {
        return Ok(None);
    };
    match lock.try_lock() {
        Ok(()) => Ok(Some(Abandoned {
            entry,
            lock_path: Some(lock_path.to_path_buf()),
            _lock: Some(lock),
        })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(StorageError::io("lock", lock_path, e)),
    }
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
