//! Processes named by a PID recorded earlier, reached only through a pidfd checked to be the
//! same process: a PID alone can have been reused by the time it is read back.
//!
//! A [`ProcessRef`] is a PID with what identifies its process: its start time (clock ticks
//! since boot, `/proc/PID/stat` field 22), or a string its command line holds (conmon's
//! session ID). [`ProcessRef::open`] opens a pidfd on the PID, then reads `/proc/PID`: if the
//! process there is the one recorded, the pidfd (opened first) is on it too, since a PID is
//! not reused while its process is there; otherwise the process is gone. Signals and waits then
//! go through the pidfd.

use super::spawn::{pidfd_open, pidfd_send_signal};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use serde::{Deserialize, Serialize};
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

/// What identifies a process besides its PID.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Identity {
    /// Its start time in clock ticks since boot.
    StartTime(u64),
    /// A string its command line holds (an argument).
    Argument(String),
}

/// A process recorded by PID and identity.
///
/// ```
/// use libpod_core::oci::ProcessRef;
/// let me = ProcessRef::of_pid(i32::try_from(std::process::id())?)?.expect("this process");
/// assert!(me.open()?.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcessRef {
    /// Its PID.
    pub pid: i32,
    /// What tells it from a later process with the same PID.
    pub identity: Identity,
}

/// An open, checked process: a pidfd on it.
#[derive(Debug)]
pub struct ProcessHandle {
    pidfd: OwnedFd,
}

impl ProcessRef {
    /// Process `pid` as it is now, by its start time; `None` if there is none.
    pub fn of_pid(pid: i32) -> io::Result<Option<ProcessRef>> {
        Ok(start_time(pid)?.map(|ticks| ProcessRef {
            pid,
            identity: Identity::StartTime(ticks),
        }))
    }

    /// Process `pid`, identified by `argument` in its command line.
    pub fn with_argument(pid: i32, argument: impl Into<String>) -> ProcessRef {
        ProcessRef {
            pid,
            identity: Identity::Argument(argument.into()),
        }
    }

    /// A pidfd on the recorded process, or `None` when it is gone.
    pub fn open(&self) -> io::Result<Option<ProcessHandle>> {
        if self.pid <= 0 {
            return Ok(None);
        }
        let pidfd = match pidfd_open(self.pid) {
            Ok(fd) => fd,
            Err(err) if err.raw_os_error() == Some(nix::libc::ESRCH) => return Ok(None),
            Err(err) => return Err(err),
        };
        let same = match &self.identity {
            Identity::StartTime(ticks) => start_time(self.pid)? == Some(*ticks),
            Identity::Argument(arg) => has_argument(self.pid, arg)?,
        };
        let handle = ProcessHandle { pidfd };
        // Read after the pidfd was opened: if the recorded process is still there, the pidfd
        // is on it; if it already exited, it is gone either way.
        Ok((same && handle.alive()?).then_some(handle))
    }

    /// Whether the recorded process is still running.
    pub fn alive(&self) -> io::Result<bool> {
        Ok(self.open()?.is_some())
    }
}

impl ProcessHandle {
    /// Sends `signal`; a process that already exited is no error.
    pub fn signal(&self, signal: i32) -> io::Result<()> {
        match pidfd_send_signal(&self.pidfd, signal) {
            Err(err) if err.raw_os_error() == Some(nix::libc::ESRCH) => Ok(()),
            other => other,
        }
    }

    /// Whether it still runs.
    pub fn alive(&self) -> io::Result<bool> {
        Ok(!self.wait(Some(Duration::ZERO))?)
    }

    /// Waits up to `timeout` (forever with `None`) for it to exit; whether it did.
    pub fn wait(&self, timeout: Option<Duration>) -> io::Result<bool> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let left = match deadline {
                None => PollTimeout::NONE,
                Some(at) => {
                    let left = at.saturating_duration_since(Instant::now());
                    let millis = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
                    PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX)
                }
            };
            let mut fds = [PollFd::new(self.pidfd.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, left) {
                Ok(0) => return Ok(false),
                Ok(_) => return Ok(true),
                Err(nix::errno::Errno::EINTR) => {}
                Err(errno) => return Err(errno.into()),
            }
        }
    }
}

/// Process `pid`'s start time (`/proc/PID/stat` field 22), `None` if there is none.
fn start_time(pid: i32) -> io::Result<Option<u64>> {
    let stat = match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err),
    };
    // The command name (field 2) is in parentheses and may hold anything: count from the
    // last `)`; field 3 is the first after it, so field 22 is the 20th.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    Ok(rest
        .split_whitespace()
        .nth(19)
        .and_then(|field| field.parse().ok()))
}

/// Whether process `pid`'s command line has `argument` as one of its arguments.
fn has_argument(pid: i32, argument: &str) -> io::Result<bool> {
    match std::fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(cmdline) => Ok(cmdline
            .split(|&b| b == 0)
            .any(|arg| arg == argument.as_bytes())),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
#[path = "process_tests.rs"]
mod tests;
