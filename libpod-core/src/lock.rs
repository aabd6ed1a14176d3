//! Per-object locks: an in-process mutex per object (threads) plus an flock'd file per object
//! under the run root (processes). Locks are created on demand and their files removed with
//! their object: there is no fixed pool to exhaust (Podman's `num_locks`), and a process that
//! dies releases its flocks.
//!
//! # Lock order
//!
//! **Pod, then container, then exec session, then volume**, as Podman's: whoever holds a container's lock
//! never waits for a pod's, and whoever holds an exec session's never waits for its
//! container's. The guard types make that order the only one:
//!
//! - an exec session's lock is taken only through its container's guard
//!   ([`ContainerGuard::exec_session`]) and borrows it, so it cannot be held alone or outlive
//!   it;
//! - a pod's containers are locked together through the pod's guard ([`PodGuard::container`]),
//!   whose borrow keeps the pod locked as long as any of them;
//! - each thread counts the locks it holds per [`LockLevel`] (guards stay on the thread that
//!   took them: they are not `Send`), and taking a lock while holding one of a deeper level
//!   (a pod while holding a container, say) panics: a bug that would otherwise deadlock two
//!   processes one day is caught by the first test that walks the path.
//!
//! Several locks of one level may be held at once: an init holds its container's lock while
//! it locks each dependency in turn, and dependencies predate their dependents and never
//! change, so nothing takes them the other way round.

use crate::error::{CoreError, Result};
use parking_lot::{Mutex, RawMutex, lock_api::ArcMutexGuard};
use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

/// The levels of the lock order, outermost first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LockLevel {
    /// A pod: taken before any of its containers.
    Pod = 0,
    /// A container.
    Container = 1,
    /// An exec session: taken under its container's lock.
    ExecSession = 2,
    /// A named volume: taken alone, or under a container's lock (its init and cleanup
    /// mount and release the volumes it uses).
    Volume = 3,
}

const LEVELS: usize = 4;

thread_local! {
    /// How many locks of each level this thread holds.
    static HELD: Cell<[u32; LEVELS]> = const { Cell::new([0; LEVELS]) };
}

/// Counts a lock of `level` as held by this thread, after checking the order.
fn enter(level: LockLevel) {
    HELD.with(|held| {
        let mut counts = held.get();
        let deeper = counts[level as usize + 1..].iter().any(|&n| n > 0);
        assert!(
            !deeper,
            "lock order violated: a {level:?} lock taken while holding a deeper one \
             (the order is pod, then container, then exec session)"
        );
        counts[level as usize] += 1;
        held.set(counts);
    });
}

/// Counts a lock of `level` as released by this thread.
fn leave(level: LockLevel) {
    HELD.with(|held| {
        let mut counts = held.get();
        counts[level as usize] = counts[level as usize].saturating_sub(1);
        held.set(counts);
    });
}

/// Hands out object locks.
#[derive(Debug)]
pub(crate) struct LockManager {
    dir: PathBuf,
    mutexes: Mutex<HashMap<String, Weak<Mutex<()>>>>,
}

/// One held object lock: the thread's mutex and the file's flock.
struct Held {
    file: File,
    path: PathBuf,
    level: LockLevel,
    thread: ArcMutexGuard<RawMutex, ()>,
    /// Guards stay on the thread whose counts they are in (not `Send`, still `Sync`).
    _not_send: PhantomData<std::sync::MutexGuard<'static, ()>>,
}

/// A pod's lock. Its containers are locked through it ([`container`](Self::container)).
#[derive(Debug)]
pub(crate) struct PodGuard<'m> {
    manager: &'m LockManager,
    held: Held,
}

/// A container's lock; its exec sessions are locked through it
/// ([`exec_session`](Self::exec_session)). `'a` borrows the lock manager, or the pod guard
/// it was taken under.
#[derive(Debug)]
pub(crate) struct ContainerGuard<'a> {
    manager: &'a LockManager,
    id: String,
    held: Held,
}

/// A named volume's lock (the deepest level: nothing is locked while holding it).
#[derive(Debug)]
pub(crate) struct VolumeGuard {
    held: Held,
}

/// An exec session's lock, borrowed from its container's guard.
#[derive(Debug)]
pub(crate) struct ExecGuard<'c> {
    _held: Held,
    _container: PhantomData<&'c ()>,
}

impl LockManager {
    pub fn new(dir: &Path) -> Result<Self> {
        crate::runtime::modes::create_private_dir(dir)?;
        Ok(LockManager {
            dir: dir.to_path_buf(),
            mutexes: Mutex::new(HashMap::new()),
        })
    }

    /// Locks container `id` (one not locked with its pod).
    pub fn container(&self, id: &str) -> Result<ContainerGuard<'_>> {
        Ok(ContainerGuard {
            manager: self,
            id: id.to_string(),
            held: self.take(id.to_string(), LockLevel::Container)?,
        })
    }

    /// Locks named volume `name`.
    pub fn volume(&self, name: &str) -> Result<VolumeGuard> {
        Ok(VolumeGuard {
            held: self.take(format!("volume-{name}"), LockLevel::Volume)?,
        })
    }

    /// Locks pod `id`.
    pub fn pod(&self, id: &str) -> Result<PodGuard<'_>> {
        Ok(PodGuard {
            manager: self,
            held: self.take(format!("pod-{id}"), LockLevel::Pod)?,
        })
    }

    /// Locks object `file` (its lock file's name) at `level`: first against the other
    /// threads of this process, then against other processes.
    fn take(&self, file: String, level: LockLevel) -> Result<Held> {
        enter(level);
        let held = self.take_counted(file, level);
        if held.is_err() {
            leave(level);
        }
        held
    }

    fn take_counted(&self, file: String, level: LockLevel) -> Result<Held> {
        let mutex = {
            let mut map = self.mutexes.lock();
            map.retain(|_, weak| weak.strong_count() > 0);
            match map.get(&file).and_then(Weak::upgrade) {
                Some(m) => m,
                None => {
                    let m = Arc::new(Mutex::new(()));
                    map.insert(file.clone(), Arc::downgrade(&m));
                    m
                }
            }
        };
        let thread = mutex.lock_arc();
        let path = self.dir.join(file);
        // 0600: anyone who could open it could hold it, and hang every command.
        let handle = crate::runtime::modes::private_file()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| CoreError::io("open lock", &path, e))?;
        handle.lock().map_err(|e| CoreError::io("lock", &path, e))?;
        Ok(Held {
            file: handle,
            path,
            level,
            thread,
            _not_send: PhantomData,
        })
    }
}

impl Held {
    /// Runs `f` with the lock released, to other processes and then to the other threads,
    /// and takes it again in the order it was taken.
    fn unlocked<T>(&mut self, f: impl FnOnce() -> T) -> Result<T> {
        let _ = self.file.unlock();
        leave(self.level);
        let out = ArcMutexGuard::unlocked(&mut self.thread, f);
        enter(self.level);
        self.file
            .lock()
            .map_err(|e| CoreError::io("lock", &self.path, e))?;
        Ok(out)
    }
}

impl PodGuard<'_> {
    /// Locks container `id`, one of this pod's, for as long as the pod stays locked.
    pub fn container(&self, id: &str) -> Result<ContainerGuard<'_>> {
        Ok(ContainerGuard {
            manager: self.manager,
            id: id.to_string(),
            held: self.manager.take(id.to_string(), LockLevel::Container)?,
        })
    }
}

impl ContainerGuard<'_> {
    /// The locked container's ID.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Locks exec session `session` of this container, for as long as the container stays
    /// locked.
    #[cfg_attr(not(test), expect(dead_code, reason = "taken by the exec wing"))]
    pub fn exec_session(&self, session: &str) -> Result<ExecGuard<'_>> {
        Ok(ExecGuard {
            _held: self
                .manager
                .take(format!("exec-{session}"), LockLevel::ExecSession)?,
            _container: PhantomData,
        })
    }

    /// Runs `f` with the lock released, to other processes and then to the other threads,
    /// and takes it again in the order it was taken: for waits that must not hold others up.
    pub fn unlocked<T>(&mut self, f: impl FnOnce() -> T) -> Result<T> {
        self.held.unlocked(f)
    }

    /// Removes the lock file: the container is gone (the lock is still held, so no other
    /// process is using the file).
    pub fn remove_file(&self) {
        let _ = std::fs::remove_file(&self.held.path);
    }
}

impl PodGuard<'_> {
    /// Removes the lock file: the pod is gone (the lock is still held).
    pub fn remove_file(&self) {
        let _ = std::fs::remove_file(&self.held.path);
    }
}

impl VolumeGuard {
    /// Removes the lock file: the volume is gone (the lock is still held).
    pub fn remove_file(&self) {
        let _ = std::fs::remove_file(&self.held.path);
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let _ = self.file.unlock();
        leave(self.level);
    }
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} lock {}", self.level, self.path.display())
    }
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
