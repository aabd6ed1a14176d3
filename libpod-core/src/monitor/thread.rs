//! The exit monitor: one thread per open runtime that watches the exits directory and cleans
//! up each container whose exit file conmon writes, as the exit command would.
//!
//! conmon writes an exit file by renaming a complete temporary file into place, so one
//! `IN_MOVED_TO` (or `IN_CLOSE_WRITE`) event names the container. The thread sleeps in
//! `poll` on the inotify instance and on the read end of a pipe whose write end the runtime
//! holds: dropping the monitor closes it, which wakes the thread to stop. Between events it
//! holds only a weak reference to the runtime, so that it never keeps it open.

use super::CleanupOutcome;
use crate::container::ContainerStatus;
use crate::notify::Watcher;
use crate::runtime::{Runtime, WeakRuntime};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::AddWatchFlags;
use std::collections::BTreeSet;
use std::io::{PipeReader, PipeWriter};
use std::os::fd::AsFd;
use std::path::Path;
use std::thread::JoinHandle;

/// A running exit monitor; dropping it stops the thread (and waits for it, unless the drop
/// happens on the thread itself, when it let go of the last handle on the runtime).
#[derive(Debug)]
pub(crate) struct ExitMonitor {
    stop: Option<PipeWriter>,
    thread: Option<JoinHandle<()>>,
}

impl ExitMonitor {
    /// Watches `rt`'s exits directory and starts the thread; `None` (logged) where that
    /// cannot be done (no exits directory: an OCI runtime without exit files).
    pub(crate) fn start(rt: &Runtime) -> Option<ExitMonitor> {
        let exit_dir = rt.run_root().join(crate::runtime::EXITS_DIR);
        let flags = AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_CLOSE_WRITE
            | AddWatchFlags::IN_DELETE_SELF
            | AddWatchFlags::IN_MOVE_SELF;
        let watched = Watcher::new().and_then(|mut watcher| {
            watcher.add(&exit_dir, flags)?;
            Ok(watcher)
        });
        let watcher = match watched {
            Ok(watcher) => watcher,
            Err(errno) => {
                let dir = exit_dir.display();
                tracing::info!(%dir, %errno, "no exit monitor: cannot watch the exits directory");
                return None;
            }
        };
        let (stop_read, stop_write) = match std::io::pipe() {
            Ok(pipe) => pipe,
            Err(err) => {
                tracing::warn!(%err, "no exit monitor: no pipe");
                return None;
            }
        };
        let weak = rt.downgrade();
        let spawned = std::thread::Builder::new()
            .name("libpod-exit-monitor".into())
            .spawn(move || watch(&weak, &watcher, &stop_read, &exit_dir));
        match spawned {
            Ok(thread) => Some(ExitMonitor {
                stop: Some(stop_write),
                thread: Some(thread),
            }),
            Err(err) => {
                tracing::warn!(%err, "no exit monitor: no thread");
                None
            }
        }
    }
}

impl Drop for ExitMonitor {
    fn drop(&mut self) {
        // Closing the write end wakes the thread's poll.
        drop(self.stop.take());
        if let Some(thread) = self.thread.take()
            && thread.thread().id() != std::thread::current().id()
            && thread.join().is_err()
        {
            tracing::warn!("the exit monitor panicked");
        }
    }
}

/// The thread: exits that happened before the watch first, then each one the watch reports,
/// until the runtime is gone or the stop pipe closes.
fn watch(weak: &WeakRuntime, watcher: &Watcher, stop: &PipeReader, exit_dir: &Path) {
    if let Some(rt) = weak.upgrade() {
        for id in unhandled_exits(&rt, exit_dir) {
            clean_up(&rt, &id);
        }
    }
    loop {
        let mut fds = [
            PollFd::new(watcher.as_fd(), PollFlags::POLLIN),
            PollFd::new(stop.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(Errno::EINTR) => continue,
            Err(errno) => {
                tracing::warn!(%errno, "exit monitor stopped: poll failed");
                return;
            }
        }
        if fds[1].any().unwrap_or(true) {
            return;
        }
        let (ids, watch_lost) = match read_exits(watcher) {
            Ok(read) => read,
            Err(errno) => {
                tracing::warn!(%errno, "exit monitor stopped: reading events failed");
                return;
            }
        };
        let Some(rt) = weak.upgrade() else { return };
        for id in ids {
            clean_up(&rt, &id);
        }
        if watch_lost {
            let dir = exit_dir.display();
            tracing::warn!(%dir, "exit monitor stopped: the exits directory went away");
            return;
        }
    }
}

/// The container IDs whose exit files the pending events name, and whether the watch is gone.
fn read_exits(watcher: &Watcher) -> nix::Result<(BTreeSet<String>, bool)> {
    let mut ids = BTreeSet::new();
    let mut lost = false;
    loop {
        let events = match watcher.read_events() {
            Ok(events) if events.is_empty() => break,
            Ok(events) => events,
            Err(Errno::EAGAIN) => break,
            Err(Errno::EINTR) => continue,
            Err(errno) => return Err(errno),
        };
        for event in events {
            let gone = AddWatchFlags::IN_IGNORED
                | AddWatchFlags::IN_DELETE_SELF
                | AddWatchFlags::IN_MOVE_SELF;
            lost |= event.mask.intersects(gone);
            // conmon's temporary files start with a dot.
            if let Some(name) = event.name.and_then(|n| n.into_string().ok())
                && !name.starts_with('.')
            {
                ids.insert(name);
            }
        }
    }
    Ok((ids, lost))
}

/// The exit files of containers whose exit nobody handled yet (still running by the
/// database) or whose restart is still pending: what exited before the monitor started.
fn unhandled_exits(rt: &Runtime, exit_dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(exit_dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|id| match rt.state().container_state(id) {
            Ok(state) => {
                state.restart_pending
                    || matches!(
                        state.status,
                        ContainerStatus::Running | ContainerStatus::Paused
                    )
            }
            Err(_) => false,
        })
        .collect()
}

/// Cleans up container `id` (exactly that ID: an exit file is named by it), logging what
/// came of it.
fn clean_up(rt: &Runtime, id: &str) {
    match rt.container(id) {
        Ok(ctr) if ctr.id() == id => {}
        // Not a container of this runtime (or gone already).
        _ => return,
    }
    match rt.cleanup_container(id) {
        Ok(CleanupOutcome::Restarted) => {
            tracing::info!(container = %id, "exit monitor: restarted by policy");
        }
        Ok(outcome) => tracing::debug!(container = %id, ?outcome, "exit monitor: handled"),
        Err(err) => tracing::warn!(container = %id, %err, "exit monitor: cleanup failed"),
    }
}
