//! conmon's exit files: `EXIT_DIR/ID` holds the exit code, its mtime is the finish time;
//! `PERSIST_DIR/ID/oom` marks an OOM kill.
//!
//! conmon writes the exit file atomically (a temporary file renamed into place), so a reader
//! sees either no file or the whole code. Waiting watches the exits directory with inotify
//! (rename and close-after-write events), so the exit is seen as soon as it is written; where
//! inotify is unavailable (no instances left, the directory is missing) it polls instead.
//! The inotify instance comes from the crate's pool (see `crate::notify`): closing one would
//! cost each wait a kernel grace period.

use crate::error::{CoreError, Result};
use crate::notify::Watcher;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::inotify::AddWatchFlags;
use std::io;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// The OOM marker's name inside the container's persist directory.
const OOM_FILE: &str = "oom";
/// The copy of the exit code conmon writes into the persist directory.
const PERSIST_EXIT_FILE: &str = "exit";
/// The first and the longest pause between two looks when polling.
const POLL_MIN: Duration = Duration::from_millis(5);
const POLL_MAX: Duration = Duration::from_millis(100);

/// How a container's process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitInfo {
    /// The exit code (128 + N for a signal N, as conmon records it).
    pub code: i32,
    /// When the process ended.
    pub finished_at: SystemTime,
    /// Whether the OOM killer ended it.
    pub oom_killed: bool,
}

/// Where conmon records exits: `exit_dir/ID` and `persist_dir/ID/oom`.
///
/// ```
/// use libpod_core::oci::ExitFiles;
/// let dir = tempfile::tempdir()?;
/// let files = ExitFiles::new(dir.path().join("exits"), dir.path().join("persist"));
/// std::fs::create_dir_all(files.exit_dir())?;
/// assert_eq!(files.read("abc")?, None);
/// std::fs::write(files.exit_file("abc")?, "3")?;
/// assert_eq!(files.read("abc")?.map(|info| info.code), Some(3));
/// files.clear("abc")?;
/// assert_eq!(files.read("abc")?, None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExitFiles {
    exit_dir: PathBuf,
    persist_dir: PathBuf,
}

impl ExitFiles {
    /// Exit files in `exit_dir`, per-container persist directories in `persist_dir`.
    pub fn new(exit_dir: impl Into<PathBuf>, persist_dir: impl Into<PathBuf>) -> Self {
        ExitFiles {
            exit_dir: exit_dir.into(),
            persist_dir: persist_dir.into(),
        }
    }

    /// The directory holding the exit files (conmon's `--exit-dir`).
    pub fn exit_dir(&self) -> &Path {
        &self.exit_dir
    }

    /// Container `id`'s exit file.
    pub fn exit_file(&self, id: &str) -> Result<PathBuf> {
        check_id(id)?;
        Ok(self.exit_dir.join(id))
    }

    /// Container `id`'s persist directory (conmon's `--persist-dir`).
    pub fn persist_dir(&self, id: &str) -> Result<PathBuf> {
        check_id(id)?;
        Ok(self.persist_dir.join(id))
    }

    /// Container `id`'s OOM marker.
    pub fn oom_file(&self, id: &str) -> Result<PathBuf> {
        Ok(self.persist_dir(id)?.join(OOM_FILE))
    }

    /// How container `id`'s process exited, once conmon recorded it.
    pub fn read(&self, id: &str) -> Result<Option<ExitInfo>> {
        let path = self.exit_file(id)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(CoreError::io("reading exit file", path, err)),
        };
        // conmon renames a complete file into place; an empty one is someone else's writer
        // caught half-way: not written yet.
        if text.trim().is_empty() {
            return Ok(None);
        }
        let code = text.trim().parse::<i32>().map_err(|_| CoreError::Conmon {
            id: id.to_string(),
            reason: format!("malformed exit file {}: {:?}", path.display(), text),
        })?;
        let finished_at = std::fs::metadata(&path)
            .and_then(|meta| meta.modified())
            .map_err(|err| CoreError::io("reading the time of exit file", &path, err))?;
        let oom_path = self.oom_file(id)?;
        let oom_killed = match std::fs::symlink_metadata(&oom_path) {
            Ok(_) => true,
            Err(err) if err.kind() == io::ErrorKind::NotFound => false,
            Err(err) => return Err(CoreError::io("checking oom marker", oom_path, err)),
        };
        Ok(Some(ExitInfo {
            code,
            finished_at,
            oom_killed,
        }))
    }

    /// Waits up to `timeout` (forever with `None`) for container `id`'s exit file; `None` when
    /// the time ran out first.
    pub fn wait(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        check_id(id)?;
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        // Watch first, then look: an exit written in between is seen by the look or the watch.
        let mut watch = self.watch();
        let mut pause = POLL_MIN;
        loop {
            if let Some(info) = self.read(id)? {
                return Ok(Some(info));
            }
            let remaining = match deadline {
                Some(deadline) => match deadline.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Ok(None),
                },
                None => None,
            };
            if let Some(inotify) = &watch {
                match wait_for_events(inotify, remaining) {
                    Ok(true) => continue,
                    Ok(false) => {
                        // The watch is gone (the directory was removed or moved): poll.
                        tracing::debug!(dir = %self.exit_dir.display(), "exit dir watch lost");
                        watch = None;
                    }
                    Err(err) => {
                        return Err(CoreError::io("watching exit dir", &self.exit_dir, err));
                    }
                }
            } else {
                std::thread::sleep(remaining.map_or(pause, |left| left.min(pause)));
                pause = (pause * 2).min(POLL_MAX);
            }
        }
    }

    /// Forgets container `id`'s recorded exit: removes the exit file, the OOM marker and
    /// conmon's copy of the code, then the persist directory if nothing else is in it.
    pub fn clear(&self, id: &str) -> Result<()> {
        let persist = self.persist_dir(id)?;
        for path in [
            self.exit_file(id)?,
            persist.join(OOM_FILE),
            persist.join(PERSIST_EXIT_FILE),
        ] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => return Err(CoreError::io("removing", path, err)),
            }
        }
        match std::fs::remove_dir(&persist) {
            Ok(()) => Ok(()),
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::DirectoryNotEmpty
                ) =>
            {
                Ok(())
            }
            Err(err) => Err(CoreError::io("removing", persist, err)),
        }
    }

    /// An inotify watch on the exits directory, or `None` where that is not possible.
    fn watch(&self) -> Option<Watcher> {
        let flags = AddWatchFlags::IN_MOVED_TO
            | AddWatchFlags::IN_CLOSE_WRITE
            | AddWatchFlags::IN_DELETE_SELF
            | AddWatchFlags::IN_MOVE_SELF;
        let attempt = Watcher::new().and_then(|mut watcher| {
            watcher.add(&self.exit_dir, flags)?;
            Ok(watcher)
        });
        match attempt {
            Ok(watcher) => Some(watcher),
            Err(errno) => {
                tracing::debug!(
                    dir = %self.exit_dir.display(),
                    %errno,
                    "cannot watch exit dir; polling"
                );
                None
            }
        }
    }
}

/// Waits for events on `inotify` for up to `timeout` and drains them. `Ok(true)`: something
/// happened (or the time is up), look again; `Ok(false)`: the watch is gone.
fn wait_for_events(inotify: &Watcher, timeout: Option<Duration>) -> io::Result<bool> {
    let timeout = match timeout {
        // Round up, so that a wait never ends just before the deadline and spins.
        Some(left) => {
            let millis = left.as_nanos().div_ceil(1_000_000);
            i32::try_from(millis)
                .ok()
                .and_then(|millis| PollTimeout::try_from(millis).ok())
                .unwrap_or(PollTimeout::MAX)
        }
        None => PollTimeout::NONE,
    };
    let mut fds = [PollFd::new(inotify.as_fd(), PollFlags::POLLIN)];
    match poll(&mut fds, timeout) {
        Ok(0) => return Ok(true),
        Ok(_) => {}
        Err(nix::errno::Errno::EINTR) => return Ok(true),
        Err(errno) => return Err(errno.into()),
    }
    let mut alive = true;
    loop {
        match inotify.read_events() {
            Ok(events) if events.is_empty() => break,
            Ok(events) => {
                let gone = AddWatchFlags::IN_IGNORED
                    | AddWatchFlags::IN_DELETE_SELF
                    | AddWatchFlags::IN_MOVE_SELF;
                if events.iter().any(|event| event.mask.intersects(gone)) {
                    alive = false;
                }
            }
            Err(nix::errno::Errno::EAGAIN) => break,
            Err(nix::errno::Errno::EINTR) => {}
            Err(errno) => return Err(errno.into()),
        }
    }
    Ok(alive)
}

/// Refuses IDs that are not a single, plain path component.
pub(crate) fn check_id(id: &str) -> Result<()> {
    let bad = id.is_empty() || id == "." || id == ".." || id.contains(['/', '\0']);
    if bad {
        return Err(CoreError::InvalidOption {
            option: "container ID",
            reason: format!("{id:?} is not a valid container ID"),
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "exitfile_tests.rs"]
mod tests;
