//! Waiting for a log to grow: a few short pauses first, then inotify on the file and its
//! directory, or a short sleep when inotify is unavailable (out of watches, a filesystem
//! without it). The instance comes from the crate's pool (see `crate::notify`), as closing one
//! costs a kernel grace period.

use crate::notify::Watcher;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::AddWatchFlags;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long to wait at most before looking again (and asking whether the container still
/// runs): a container can stop without writing anything.
pub(crate) const POLL_INTERVAL: Duration = Duration::from_millis(200);

/// The first pauses of a follow, in milliseconds, before inotify takes over: 63 ms in all.
/// Many followed containers (`run` of a short command) have exited by then, and a process that
/// never watched anything also exits without waiting for the kernel's grace period (see
/// `crate::notify`). Output written meanwhile is shown at most one pause late.
const EAGER_PAUSES_MS: [u64; 6] = [1, 2, 4, 8, 16, 32];

/// Wakes up when the log may have changed.
#[derive(Debug)]
pub(crate) struct Waiter {
    path: PathBuf,
    /// How many of [`EAGER_PAUSES_MS`] were taken.
    pauses: usize,
    /// Whether the watches were set up (or found impossible).
    watching: bool,
    inotify: Option<Watcher>,
}

impl Waiter {
    /// Will watch `path` (writes, truncation, rename, removal) and its directory (a file
    /// created or renamed into it: conmon replaces the log when it rotates it), after the
    /// eager pauses.
    pub(crate) fn new(path: &Path) -> Waiter {
        Waiter {
            path: path.to_path_buf(),
            pauses: 0,
            watching: false,
            inotify: None,
        }
    }

    fn start_watching(&mut self) {
        self.watching = true;
        let path = self.path.clone();
        self.inotify = Watcher::new()
            .map_err(|err| tracing::debug!("inotify unavailable, polling {path:?}: {err}"))
            .ok();
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            self.add(dir, AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO);
        }
        self.watch_file(&path);
    }

    /// Watches the file now at `path` (after it was replaced, the old watch follows the old
    /// file).
    pub(crate) fn watch_file(&mut self, path: &Path) {
        self.path = path.to_path_buf();
        if !self.watching {
            return;
        }
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

    /// Waits until something happens to the log or `timeout` passes (at first, a short
    /// pause instead; the call that sets up the watches returns at once, so that the caller
    /// looks again with them in place).
    pub(crate) fn wait(&mut self, timeout: Duration) {
        if !self.watching {
            match EAGER_PAUSES_MS.get(self.pauses) {
                Some(pause) => {
                    self.pauses += 1;
                    std::thread::sleep(timeout.min(Duration::from_millis(*pause)));
                }
                None => self.start_watching(),
            }
            return;
        }
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

#[cfg(test)]
#[path = "waiter_tests.rs"]
mod tests;
