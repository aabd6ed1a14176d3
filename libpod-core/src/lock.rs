//! Per-object locks: an in-process mutex per object (threads) plus an flock'd file per object
//! under the run root (processes). Locks are created on demand and their files removed with
//! their object: there is no fixed pool to exhaust (Podman's `num_locks`), and a process that
//! dies releases its flocks.

use crate::error::{CoreError, Result};
use parking_lot::{Mutex, RawMutex, lock_api::ArcMutexGuard};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

/// Hands out object locks.
#[derive(Debug)]
pub(crate) struct LockManager {
    dir: PathBuf,
    mutexes: Mutex<HashMap<String, Weak<Mutex<()>>>>,
}

/// Held while an object is locked, in this process and across processes.
pub(crate) struct LockGuard {
    file: File,
    _thread: ArcMutexGuard<RawMutex, ()>,
}

impl LockManager {
    pub fn new(dir: &Path) -> Result<Self> {
        crate::runtime::modes::create_private_dir(dir)?;
        Ok(LockManager {
            dir: dir.to_path_buf(),
            mutexes: Mutex::new(HashMap::new()),
        })
    }

    /// Locks object `id`: first against the other threads of this process, then against other
    /// processes.
    pub fn lock(&self, id: &str) -> Result<LockGuard> {
        let mutex = {
            let mut map = self.mutexes.lock();
            map.retain(|_, weak| weak.strong_count() > 0);
            match map.get(id).and_then(Weak::upgrade) {
                Some(m) => m,
                None => {
                    let m = Arc::new(Mutex::new(()));
                    map.insert(id.to_string(), Arc::downgrade(&m));
                    m
                }
            }
        };
        let thread = mutex.lock_arc();
        let path = self.dir.join(id);
        // 0600: anyone who could open it could hold it, and hang every command.
        let file = crate::runtime::modes::private_file()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| CoreError::io("open lock", &path, e))?;
        file.lock().map_err(|e| CoreError::io("lock", &path, e))?;
        Ok(LockGuard {
            file,
            _thread: thread,
        })
    }

    /// Runs `f` with `guard` (object `id`'s) released, to other processes and then to the other
    /// threads, and takes it again in the order [`lock`](Self::lock) does: for waits that must
    /// not hold others up.
    pub fn unlocked<T>(&self, guard: &mut LockGuard, id: &str, f: impl FnOnce() -> T) -> Result<T> {
        let _ = guard.file.unlock();
        let out = ArcMutexGuard::unlocked(&mut guard._thread, f);
        let path = self.dir.join(id);
        guard
            .file
            .lock()
            .map_err(|e| CoreError::io("lock", &path, e))?;
        Ok(out)
    }

    /// Removes object `id`'s lock file; call while holding its lock, when the object is gone.
    pub fn remove(&self, id: &str) {
        let _ = std::fs::remove_file(self.dir.join(id));
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LockGuard")
    }
}
