//! The monitor's one fork, and the check that makes it sound: the process holds one thread.
//!
//! The crate's only `unsafe` (allowed here by name, as libpod-core allows it in its spawn
//! module).

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
