//! Waiting for a log to grow: inotify on the file and its directory, or a short sleep when
//! inotify is unavailable (out of watches, a filesystem without it). The instance comes from
//! the crate's pool (see `crate::notify`), as closing one costs a kernel grace period.

use crate::notify::Watcher;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::AddWatchFlags;
use std::os::fd::AsFd;
use std::path::Path;
use std::time::Duration;

/// How long to wait at most before looking again (and asking whether the container still
/// runs): a container can stop without writing anything.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// Wakes up when the log may have changed.
#[derive(Debug)]
pub(crate) struct Waiter {
    inotify: Option<Watcher>,
}

impl Waiter {
    /// Watches `path` (writes, truncation, rename, removal) and its directory (a file created
    /// or renamed into it: conmon replaces the log when it rotates it).
    pub(crate) fn new(path: &Path) -> Waiter {
        let inotify = Watcher::new()
            .map_err(|err| tracing::debug!("inotify unavailable, polling {path:?}: {err}"))
            .ok();
        let mut waiter = Waiter { inotify };
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            waiter.add(dir, AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO);
        }
        waiter.watch_file(path);
        waiter
    }

    /// Watches the file now at `path` (after it was replaced, the old watch follows the old
    /// file).
    pub(crate) fn watch_file(&mut self, path: &Path) {
        self.add(
            path,
            AddWatchFlags::IN_MODIFY
                | AddWatchFlags::IN_ATTRIB
                | AddWatchFlags::IN_CLOSE_WRITE
                | AddWatchFlags::IN_MOVE_SELF
                | AddWatchFlags::IN_DELETE_SELF,
        );
    }

    fn add(&mut self, path: &Path, flags: AddWatchFlags) {
        if let Some(inotify) = &mut self.inotify
            && let Err(err) = inotify.add(path, flags)
        {
            // Without the watch a change may go unnoticed until the next poll interval.
            tracing::debug!("cannot watch {path:?}, polling: {err}");
        }
    }

    /// Waits until something happens to the log or `timeout` passes.
    pub(crate) fn wait(&self, timeout: Duration) {
        let Some(inotify) = &self.inotify else {
            std::thread::sleep(timeout);
            return;
        };
        let millis = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(inotify.as_fd(), PollFlags::POLLIN)];
        if let Err(err) = poll(&mut fds, PollTimeout::from(millis)) {
            tracing::debug!("polling inotify: {err}");
            std::thread::sleep(timeout);
            return;
        }
        // Drain the queue; the events themselves do not matter, the caller looks at the file.
        inotify.drain();
    }
}
