//! inotify instances that are reused rather than closed.
//!
//! Closing an inotify instance that ever had a watch makes the closing thread wait for an SRCU
//! grace period (the kernel's `fsnotify_destroy_group` flushes the mark reaper): 8-24 ms on
//! the 2-core test machine, on every exit wait and every log follow. Removing a watch
//! (`inotify_rm_watch`) only queues its mark for freeing, without waiting. So a [`Watcher`]
//! removes its watches when dropped, drains what its instance still holds, and puts the
//! instance back into a small process-wide pool for the next wait; only instances beyond
//! [`MAX_IDLE`] are closed.
//!
//! A process exit closes the pooled instances: the kernel then waits only if some watch was
//! removed within the last grace period, so removing watches as soon as a wait ends (rather
//! than at exit) is what keeps the exit fast too.

use nix::errno::Errno;
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify, InotifyEvent, WatchDescriptor};
use parking_lot::Mutex;
use std::os::fd::{AsFd, BorrowedFd};
use std::path::Path;

/// How many idle instances the process-wide pool keeps open (each is a file descriptor and
/// counts against `fs.inotify.max_user_instances`).
pub(crate) const MAX_IDLE: usize = 4;

/// Idle inotify instances, without watches or pending events.
#[derive(Debug)]
pub(crate) struct Pool {
    idle: Mutex<Vec<Inotify>>,
    max_idle: usize,
}

/// The process-wide pool.
static POOL: Pool = Pool::new(MAX_IDLE);

impl Pool {
    /// An empty pool that keeps up to `max_idle` instances.
    pub const fn new(max_idle: usize) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            max_idle,
        }
    }

    /// A watcher on an idle instance of this pool, or on a new one (non-blocking,
    /// close-on-exec).
    pub fn watcher(&'static self) -> nix::Result<Watcher> {
        let inotify = match self.idle.lock().pop() {
            Some(inotify) => inotify,
            None => Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC)?,
        };
        Ok(Watcher {
            pool: self,
            inotify: Some(inotify),
            watches: Vec::new(),
        })
    }

    /// How many instances are idle.
    #[cfg(test)]
    pub fn idle_count(&self) -> usize {
        self.idle.lock().len()
    }
}

/// An inotify instance with the watches added through it; see the module docs.
#[derive(Debug)]
pub(crate) struct Watcher {
    pool: &'static Pool,
    inotify: Option<Inotify>,
    watches: Vec<WatchDescriptor>,
}

impl Watcher {
    /// A watcher on an instance of the process-wide pool.
    pub fn new() -> nix::Result<Watcher> {
        POOL.watcher()
    }

    fn inotify(&self) -> &Inotify {
        self.inotify.as_ref().expect("present until dropped")
    }

    /// Watches `path` for `flags`.
    pub fn add(&mut self, path: &Path, flags: AddWatchFlags) -> nix::Result<()> {
        let wd = self.inotify().add_watch(path, flags)?;
        if !self.watches.contains(&wd) {
            self.watches.push(wd);
        }
        Ok(())
    }

    /// The pending events of this watcher's watches (none: `EAGAIN`). Events left by an
    /// earlier user of the instance are skipped.
    pub fn read_events(&self) -> nix::Result<Vec<InotifyEvent>> {
        let mut events = self.inotify().read_events()?;
        events.retain(|event| self.watches.contains(&event.wd));
        Ok(events)
    }

    /// Reads and drops every pending event.
    pub fn drain(&self) {
        while let Ok(events) = self.inotify().read_events() {
            if events.is_empty() {
                break;
            }
        }
    }
}

impl AsFd for Watcher {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.inotify().as_fd()
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let Some(inotify) = self.inotify.take() else {
            return;
        };
        for wd in self.watches.drain(..) {
            match inotify.rm_watch(wd) {
                // EINVAL: the kernel removed it already (the watched file was deleted).
                Ok(()) | Err(Errno::EINVAL) => {}
                Err(err) => {
                    tracing::debug!(%err, "removing an inotify watch; closing the instance");
                    return;
                }
            }
        }
        // The removals queued their IN_IGNORED events: leave nothing for the next user.
        while let Ok(events) = inotify.read_events() {
            if events.is_empty() {
                break;
            }
        }
        let mut idle = self.pool.idle.lock();
        if idle.len() < self.pool.max_idle {
            idle.push(inotify);
        }
        // Otherwise the instance is closed here, after the pool's lock is released.
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
