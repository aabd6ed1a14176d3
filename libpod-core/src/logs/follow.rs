//! Waiting for a log to grow: a few short pauses first, then inotify on the file and its
//! directory, or a short sleep when inotify is unavailable (out of watches, a filesystem
//! without it). The instance comes from the crate's pool (see `crate::notify`), as closing one
//! costs a kernel grace period.

use crate::notify::Watcher;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::AddWatchFlags;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
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
    /// Readable when the writer (the container's conmon) exits: every wait ends then, once.
    exit: Option<OwnedFd>,
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
            exit: None,
        }
    }

    /// Also ends the next wait when `exit` (a pidfd of the writer) turns readable, so that the
    /// end of a short-lived writer is seen at once, not at the end of a pause.
    pub(crate) fn ending_with(mut self, exit: Option<OwnedFd>) -> Waiter {
        self.exit = exit;
        self
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
                    self.sleep(timeout.min(Duration::from_millis(*pause)), None);
                }
                None => self.start_watching(),
            }
            return;
        }
        let inotify = self.inotify.take();
        self.sleep(timeout, inotify.as_ref().map(|watcher| watcher.as_fd()));
        if let Some(watcher) = &inotify {
            // Drain the queue; the events do not matter, the caller looks at the file.
            watcher.drain();
        }
        self.inotify = inotify;
    }

    /// Sleeps up to `timeout`, ending early when `watch` or the exit fd is readable. Once the
    /// exit fd has fired it is dropped (it stays readable).
    fn sleep(&mut self, timeout: Duration, watch: Option<BorrowedFd<'_>>) {
        let exit = self.exit.as_ref().map(|fd| fd.as_fd());
        let mut fds: Vec<PollFd<'_>> = watch
            .into_iter()
            .chain(exit)
            .map(|fd| PollFd::new(fd, PollFlags::POLLIN))
            .collect();
        if fds.is_empty() {
            std::thread::sleep(timeout);
            return;
        }
        let millis = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
        match poll(&mut fds, PollTimeout::from(millis)) {
            Ok(_) => {
                let exited = exit.is_some()
                    && fds
                        .last()
                        .and_then(PollFd::revents)
                        .is_some_and(|events| !events.is_empty());
                drop(fds);
                if exited {
                    self.exit = None;
                }
            }
            Err(err) => {
                tracing::debug!("polling the log's wake-ups: {err}");
                std::thread::sleep(timeout);
            }
        }
    }
}

#[cfg(test)]
#[path = "waiter_tests.rs"]
mod tests;
