//! conmon's two pipes and its launch.
//!
//! conmon gets two `SOCK_SEQPACKET` socket pairs, their child ends inherited at fds 3
//! (`_OCI_SYNCPIPE`) and 4 (`_OCI_STARTPIPE`). It blocks on the start pipe until the caller
//! writes a byte, then forks: its first process exits (the caller reaps it) and the second
//! runs `runtime create`, then reports on the sync pipe one JSON line: `{"data": PID}` when
//! the container was created, a negative `data` with a `"message"` when not.
//!
//! How the fds get to 3 and 4: the child ends are created close-on-exec like every fd of the
//! process, copied to numbers above 4 (still close-on-exec), and placed at 3 and 4 in the
//! child by `posix_spawn`'s file actions (see the `spawn` module). The alternative, clearing
//! close-on-exec in the parent for the duration of the spawn, would leak the ends into any
//! process another thread spawns meanwhile, and a leaked sync end means a conmon that dies
//! unnoticed (no EOF) until the timeout.

use super::spawn::{Spawned, spawn};
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockType, recv, send, socketpair};
use serde::Deserialize;
use std::io::{self, Read};
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

/// The fd conmon finds its sync pipe on.
pub(crate) const SYNC_FD: RawFd = 3;
/// Largest sync message read: conmon sends the runtime's stderr (up to 8 KiB, JSON-escaped).
const SYNC_MESSAGE_MAX: usize = 64 * 1024;
/// Most of conmon's own output kept for error messages.
const OUTPUT_MAX: usize = 16 * 1024;

/// What conmon reported on the sync pipe.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub(crate) struct SyncMessage {
    /// The container's PID, or a negative value on failure.
    pub data: i64,
    /// The runtime's error output on failure.
    #[serde(default)]
    pub message: Option<String>,
}

/// What reading the sync pipe gave.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum SyncRead {
    /// A message.
    Message(SyncMessage),
    /// Bytes that are not a sync message.
    Malformed(String),
    /// conmon closed the pipe without a word.
    Eof,
    /// Nothing came in time.
    TimedOut,
}

/// A launched conmon: its first process and our ends of the pipes.
#[derive(Debug)]
pub(crate) struct Launched {
    child: Spawned,
    sync: OwnedFd,
    start: OwnedFd,
    output: io::PipeReader,
}

/// Spawns `command` (conmon: its program, arguments, environment changes and working
/// directory) with the sync and start pipes at fds 3 and 4 (named in its environment), stdin
/// from /dev/null, stdout and stderr into a pipe read by [`Launched::output`], and in a
/// process group of its own.
pub(crate) fn launch(command: Command) -> io::Result<Launched> {
    let (child, pipes, output) =
        launch_with_pipes(command, &["_OCI_SYNCPIPE", "_OCI_STARTPIPE"], SYNC_FD, &[])?;
    let [sync, start]: [OwnedFd; 2] = pipes
        .try_into()
        .map_err(|_| io::Error::other("launch: two pipes asked, other count made"))?;
    Ok(Launched {
        child,
        sync,
        start,
        output,
    })
}

/// Spawns `command` with one `SOCK_SEQPACKET` pair per name of `names`, the child's ends at
/// fds `first_fd`, `first_fd + 1`, ... (each named in its environment by that name), each fd
/// of `keep` passed through at its own number (below `first_fd`), stdin from /dev/null,
/// stdout and stderr into the returned pipe, in a process group of its own. Returns the
/// process, our ends in the order of `names`, and the output pipe.
pub(crate) fn launch_with_pipes(
    mut command: Command,
    names: &[&str],
    first_fd: RawFd,
    keep: &[RawFd],
) -> io::Result<(Spawned, Vec<OwnedFd>, io::PipeReader)> {
    let count = RawFd::try_from(names.len()).map_err(io::Error::other)?;
    // Above every target, so that no placement overwrites another's source.
    let above = first_fd + count;
    let mut ours = Vec::with_capacity(names.len());
    let mut sources = Vec::with_capacity(names.len());
    for _ in names {
        let (mine, theirs) = seqpacket_pair()?;
        sources.push(dup_at_least(&theirs, above)?);
        ours.push(mine);
    }
    let (output, writer) = io::pipe()?;
    let writer = dup_at_least(&writer.into(), above)?;
    let mut placements: Vec<(RawFd, RawFd)> = keep.iter().map(|&fd| (fd, fd)).collect();
    for ((name, source), target) in names.iter().zip(&sources).zip(first_fd..) {
        command.env(name, target.to_string());
        placements.push((source.as_raw_fd(), target));
    }
    let child = spawn(&command, writer.as_raw_fd(), &placements)?;
    // conmon holds the only copies of the child ends now (EOF on the sync pipe then means
    // conmon is gone), and of the output pipe's write end.
    drop((sources, writer));
    Ok((child, ours, output))
}

impl Launched {
    /// The PID of conmon's first process.
    pub fn pid(&self) -> u32 {
        self.child.pid()
    }

    /// Writes the byte that lets conmon go on. An error (`EPIPE`: conmon is gone already) is
    /// for the caller to log; reaping tells what happened.
    pub fn signal_start(&self) -> io::Result<()> {
        send(self.start.as_raw_fd(), &[0], MsgFlags::MSG_NOSIGNAL)?;
        Ok(())
    }

    /// Kills conmon's first process before it was told to start (it has forked nothing yet)
    /// and reaps it.
    pub fn kill(&mut self) -> io::Result<()> {
        self.child.kill().map(drop)
    }

    /// Waits for conmon's first process, which exits once it has forked the monitor.
    pub fn reap(&mut self) -> io::Result<ExitStatus> {
        self.child.wait()
    }

    /// Reads one line from the sync pipe, waiting up to `timeout`.
    pub fn read_sync(&self, timeout: Duration) -> io::Result<SyncRead> {
        read_sync(&self.sync, timeout)
    }

    /// Our ends of its pipes (sync, start, output), for tests that check they are closed.
    #[cfg(test)]
    pub fn fds(&self) -> Vec<RawFd> {
        vec![
            self.sync.as_raw_fd(),
            self.start.as_raw_fd(),
            self.output.as_raw_fd(),
        ]
    }

    /// What conmon printed on stdout and stderr so far (without waiting for more).
    pub fn output(&mut self) -> String {
        read_available(&mut self.output)
    }
}

/// Reads one newline-terminated message from `sync` within `timeout`.
pub(crate) fn read_sync(sync: &OwnedFd, timeout: Duration) -> io::Result<SyncRead> {
    let deadline = Instant::now() + timeout;
    let mut received = Vec::new();
    let mut buf = vec![0u8; SYNC_MESSAGE_MAX];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let millis = i32::try_from(left.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX);
        let mut fds = [PollFd::new(sync.as_fd(), PollFlags::POLLIN)];
        match poll(
            &mut fds,
            PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX),
        ) {
            Ok(0) => return Ok(SyncRead::TimedOut),
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(errno) => return Err(errno.into()),
        }
        let n = match recv(sync.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT) {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR | nix::errno::Errno::EAGAIN) => continue,
            Err(errno) => return Err(errno.into()),
        };
        if n == 0 {
            return Ok(if received.is_empty() {
                SyncRead::Eof
            } else {
                parse_sync(&received)
            });
        }
        received.extend_from_slice(&buf[..n]);
        if received.contains(&b'\n') || received.len() >= SYNC_MESSAGE_MAX {
            return Ok(parse_sync(&received));
        }
    }
}

/// Parses the first line of what came on the sync pipe.
pub(crate) fn parse_sync(bytes: &[u8]) -> SyncRead {
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    match serde_json::from_slice::<SyncMessage>(line) {
        Ok(message) => SyncRead::Message(message),
        Err(_) => SyncRead::Malformed(String::from_utf8_lossy(bytes).trim().to_string()),
    }
}

fn seqpacket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    Ok(socketpair(
        AddressFamily::Unix,
        SockType::SeqPacket,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?)
}

/// A close-on-exec copy of `fd` numbered `lowest` or above.
#[allow(unsafe_code)]
fn dup_at_least(fd: &OwnedFd, lowest: RawFd) -> io::Result<OwnedFd> {
    let raw = fcntl(fd, FcntlArg::F_DUPFD_CLOEXEC(lowest))?;
    // fcntl(F_DUPFD_CLOEXEC) succeeded, so `raw` is a new open fd that nothing else owns.
    // SAFETY: the OwnedFd becomes the only owner of that fresh fd and closes it.
    Ok(unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(raw) })
}

/// Reads what is available in `pipe` without blocking, up to [`OUTPUT_MAX`] bytes.
pub(crate) fn read_available(pipe: &mut io::PipeReader) -> String {
    let nonblocking = fcntl(&*pipe, FcntlArg::F_GETFL)
        .map(OFlag::from_bits_truncate)
        .and_then(|flags| fcntl(&*pipe, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK)));
    if nonblocking.is_err() {
        return String::new();
    }
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while out.len() < OUTPUT_MAX {
        match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&out).trim().to_string()
}

#[cfg(test)]
#[path = "sync_tests.rs"]
mod tests;
