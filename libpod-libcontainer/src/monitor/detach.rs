//! The monitor's one fork, and the check that makes it sound: the process holds one thread.
//!
//! `unsafe` is allowed here by name (as libpod-core allows it in its spawn module): the fork,
//! SIGPIPE's action, and owning the fds an exec's caller passes on; the crate's only
//! `unsafe`.

#![allow(unsafe_code)]

use nix::unistd::{ForkResult, fork, setsid};
use std::io;

/// Which side of the fork this is.
pub(super) enum Side {
    /// The process the runtime spawned: it exits, and the runtime reaps it.
    FirstProcess,
    /// The monitor, in a session of its own.
    Monitor,
}

/// Forks; the child calls `setsid`. Refused unless this process holds a single thread.
pub(super) fn fork_detached() -> io::Result<Side> {
    ensure_single_threaded()?;
    // SAFETY: fork() in a process with one thread (checked just above: `/proc/self/task`
    // lists one task, and nothing between the check and the fork starts a thread) gives a
    // child that is a full copy of that thread's state, with no lock held by another thread:
    // the child may then run any code, not only async-signal-safe functions. The parent only
    // returns (and exits).
    match unsafe { fork() }? {
        ForkResult::Parent { .. } => Ok(Side::FirstProcess),
        ForkResult::Child => {
            setsid()?;
            Ok(Side::Monitor)
        }
    }
}

/// Runs `f` with SIGPIPE's action at its default, then ignores SIGPIPE again (as the Rust
/// runtime set it): the processes `f` clones start with the default action, as runc's
/// containers do, while the monitor's own writes to a closed pipe stay errors.
pub(super) fn with_default_sigpipe<T>(f: impl FnOnce() -> T) -> T {
    use nix::sys::signal::{SigHandler, Signal, signal};
    // SAFETY: SIG_DFL and SIG_IGN are not handlers: no code of ours runs in a signal's
    // context. The process holds one thread (the callers check), so no other thread sees the
    // action change.
    if let Err(err) = unsafe { signal(Signal::SIGPIPE, SigHandler::SigDfl) } {
        eprintln!("libcontainer monitor: resetting SIGPIPE: {err}");
    }
    let result = f();
    // SAFETY: as above.
    if let Err(err) = unsafe { signal(Signal::SIGPIPE, SigHandler::SigIgn) } {
        eprintln!("libcontainer monitor: ignoring SIGPIPE: {err}");
    }
    result
}

/// Owns this process's fds 3 .. 3+`count`, which the caller of an exec passes on to its
/// process (`--preserve-fds`), so that they close once the process has them. Fails unless
/// each is open.
pub(super) fn take_inherited(count: u32) -> io::Result<Vec<std::os::fd::OwnedFd>> {
    use std::os::fd::FromRawFd;
    let mut owned = Vec::new();
    for fd in 3..3u32.saturating_add(count) {
        let fd = std::os::fd::RawFd::try_from(fd).map_err(io::Error::other)?;
        std::fs::symlink_metadata(format!("/proc/self/fd/{fd}"))
            .map_err(|err| io::Error::other(format!("fd {fd} is not open: {err}")))?;
        // SAFETY: `fd` is open (checked above) and was inherited from the caller, open since
        // this program started (the caller passes 3 .. 3+count open, and the monitor is
        // called before anything of this program opens a file; opens take the lowest free
        // number, so none of ours got a number below 3+count); nothing else in this process
        // owns or closes it.
        owned.push(unsafe { std::os::fd::OwnedFd::from_raw_fd(fd) });
    }
    Ok(owned)
}

/// Fails unless this process holds exactly one thread (`/proc/self/task` has one entry).
pub(super) fn ensure_single_threaded() -> io::Result<()> {
    let threads = std::fs::read_dir("/proc/self/task")?.count();
    if threads != 1 {
        return Err(io::Error::other(format!(
            "the monitor must be single-threaded, and holds {threads} threads \
             (was a thread started before monitor::main?)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_thread_is_refused() {
        // A thread of our own, alive during the check (whatever threads the harness has).
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || wait.recv());
        let err = ensure_single_threaded().unwrap_err();
        assert!(err.to_string().contains("single-threaded"), "{err}");
        drop(release);
        let _ = other.join();
    }
}
