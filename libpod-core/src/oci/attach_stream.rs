//! The attach loop: a container's output from its attach socket to the caller's writers, the
//! caller's input to the socket, until the container's output ends or the detach keys are
//! typed. One thread, one `poll`: nothing is left running when it returns.
//!
//! As Podman's `setupStdioChannels` + `readStdio`:
//! - Output is always read (a client that leaves it unread would stall conmon, and with it
//!   the container); the streams the caller did not ask for are dropped.
//! - At the end of the input the socket's writing half is shut, which closes the container's
//!   stdin; the output is then read to its end, unless no output was asked for.
//! - Detaching shuts the writing half too (as Podman's `CloseWrite`) and returns at once.
//!
//! Input is sent without blocking: while conmon does not take it, it waits and output goes on
//! being read, so a container that writes while its input is full cannot deadlock us.
//!
//! [`pump`] takes input from a file descriptor it can poll (a terminal, a pipe);
//! [`AttachSocket::copy`], for callers with a reader (exec sessions), passes the reader's
//! bytes through a socket pair from a thread of its own, then runs the same loop.

use super::attach_socket::{AttachSocket, MAX_INPUT_PACKET, OUTPUT_BUFFER, Output};
use super::detach_keys::{DetachKeys, DetachMatcher, Fed};
use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{AddressFamily, MsgFlags, SockFlag, SockType, send, socketpair};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

/// The caller's ends of an attach: each `None` is a stream not attached.
#[derive(Default)]
#[non_exhaustive]
pub struct AttachIo<'a> {
    /// Where input comes from (read until its end), e.g. the terminal's fd 0.
    pub stdin: Option<BorrowedFd<'a>>,
    /// Where the container's standard output goes (all its output, with a terminal).
    pub stdout: Option<&'a mut dyn Write>,
    /// Where its standard error goes.
    pub stderr: Option<&'a mut dyn Write>,
}

impl std::fmt::Debug for AttachIo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachIo")
            .field("stdin", &self.stdin)
            .field("stdout", &self.stdout.is_some())
            .field("stderr", &self.stderr.is_some())
            .finish()
    }
}

impl<'a> AttachIo<'a> {
    /// The three streams.
    pub fn new(
        stdin: Option<BorrowedFd<'a>>,
        stdout: Option<&'a mut dyn Write>,
        stderr: Option<&'a mut dyn Write>,
    ) -> Self {
        AttachIo {
            stdin,
            stdout,
            stderr,
        }
    }
}

/// How an attach ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttachEnd {
    /// The detach keys were typed: the container goes on running.
    Detached,
    /// conmon closed the connection (the container exited), or the input ended and no
    /// output was attached.
    Finished,
}

/// Input read but not yet taken by conmon, and whether the input ended behind it.
struct Pending {
    packets: VecDeque<Vec<u8>>,
    close_after: bool,
}

impl Pending {
    fn push(&mut self, bytes: &[u8]) {
        self.packets
            .extend(bytes.chunks(MAX_INPUT_PACKET).map(<[u8]>::to_vec));
    }

    /// Sends what conmon takes now; `true` once all is sent (and the input closed if it
    /// ended). Input conmon no longer reads (its end closed) is dropped.
    fn flush(&mut self, socket: &AttachSocket) -> io::Result<bool> {
        while let Some(packet) = self.packets.front() {
            match socket.send_input(packet) {
                Ok(()) => {
                    self.packets.pop_front();
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(err) if is_gone(&err) => {
                    tracing::debug!(%err, "the container's stdin is closed: input dropped");
                    self.packets.clear();
                }
                Err(err) => return Err(err),
            }
        }
        if self.close_after {
            socket.close_input()?;
            self.close_after = false;
        }
        Ok(true)
    }
}

fn is_gone(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(nix::libc::EPIPE | nix::libc::ECONNRESET | nix::libc::ENOTCONN)
    )
}

/// Runs the attach loop on a connected socket (see the module docs).
pub fn pump(socket: &AttachSocket, io: AttachIo<'_>, keys: &DetachKeys) -> io::Result<AttachEnd> {
    let AttachIo {
        mut stdin,
        mut stdout,
        mut stderr,
    } = io;
    let output_wanted = stdout.is_some() || stderr.is_some();
    let mut matcher = DetachMatcher::new(keys);
    let mut pending = Pending {
        packets: VecDeque::new(),
        close_after: false,
    };
    let mut input_ended = false;
    let mut out_buf = vec![0u8; OUTPUT_BUFFER];
    let mut in_buf = vec![0u8; MAX_INPUT_PACKET];
    loop {
        let waiting = !pending.packets.is_empty();
        let mut socket_events = PollFlags::POLLIN;
        if waiting {
            socket_events |= PollFlags::POLLOUT;
        }
        let mut fds = vec![PollFd::new(socket.as_fd(), socket_events)];
        let reading_input = stdin.filter(|_| !waiting);
        if let Some(fd) = reading_input {
            fds.push(PollFd::new(fd, PollFlags::POLLIN));
        }
        match poll(&mut fds, PollTimeout::NONE) {
            Err(Errno::EINTR) => continue,
            other => other?,
        };
        let socket_ready = fds[0].revents().unwrap_or(PollFlags::empty());
        let input_ready = fds
            .get(1)
            .and_then(PollFd::revents)
            .unwrap_or(PollFlags::empty());
        drop(fds);

        if socket_ready.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
            match socket.receive(&mut out_buf)? {
                Output::Stdout(data) => write_out(&mut stdout, data)?,
                Output::Stderr(data) => write_out(&mut stderr, data)?,
                Output::Other(stream) => tracing::info!(stream, "unexpected attach stream"),
                Output::Closed => {
                    // As Podman: the end of the output ends the attach.
                    if let Err(err) = socket.close_input() {
                        tracing::debug!(%err, "closing the attach input");
                    }
                    return Ok(AttachEnd::Finished);
                }
            }
        }
        if socket_ready.contains(PollFlags::POLLOUT)
            && pending.flush(socket)?
            && input_ended
            && !output_wanted
        {
            return Ok(AttachEnd::Finished);
        }
        let Some(fd) = reading_input else { continue };
        if !input_ready.intersects(PollFlags::POLLIN | PollFlags::POLLHUP | PollFlags::POLLERR) {
            continue;
        }
        let n = match nix::unistd::read(fd, &mut in_buf) {
            Err(Errno::EINTR | Errno::EAGAIN) => continue,
            // A terminal hung up: its input ended.
            Err(Errno::EIO) => 0,
            other => other?,
        };
        if n == 0 {
            stdin = None;
            input_ended = true;
            pending.push(&matcher.finish());
            pending.close_after = true;
            let sent = pending.flush(socket)?;
            if sent && !output_wanted {
                return Ok(AttachEnd::Finished);
            }
            continue;
        }
        match matcher.feed(&in_buf[..n]) {
            Fed::Forward(bytes) => {
                pending.push(&bytes);
                pending.flush(socket)?;
            }
            Fed::Detach(bytes) => {
                pending.push(&bytes);
                // What was typed before the keys goes if conmon takes it now; never waited for.
                pending.flush(socket)?;
                socket.close_input()?;
                return Ok(AttachEnd::Detached);
            }
        }
    }
}

impl AttachSocket {
    /// Copies `stdin` (if given) to the process and its output to `stdout` and `stderr`, as
    /// [`pump`] does, until conmon closes the connection or `keys` are typed on `stdin`
    /// (empty `keys`: never). `stdin` is read on a thread of its own, which is not waited
    /// for: it ends at its reader's end, or at its first read after the attach ended.
    ///
    /// ```no_run
    /// # use libpod_core::oci::{AttachEnd, AttachSocket, DetachKeys};
    /// # fn f(attach: &AttachSocket) -> std::io::Result<()> {
    /// let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
    /// let stdin: Box<dyn std::io::Read + Send> = Box::new(std::io::stdin());
    /// if attach.copy(Some(stdin), &mut out, &mut err, &DetachKeys::default())?
    ///     == AttachEnd::Detached
    /// {
    ///     println!("still running");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn copy(
        &self,
        stdin: Option<Box<dyn Read + Send>>,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
        keys: &DetachKeys,
    ) -> io::Result<AttachEnd> {
        let input = stdin.map(pollable_input).transpose()?;
        let io = AttachIo::new(input.as_ref().map(AsFd::as_fd), Some(stdout), Some(stderr));
        pump(self, io, keys)
    }
}

/// The read end of a socket pair that a thread fills from `reader`, closing it at the
/// reader's end or error. The thread stops at its next write once the read end is dropped.
fn pollable_input(mut reader: Box<dyn Read + Send>) -> io::Result<OwnedFd> {
    let (ours, theirs) = socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?;
    std::thread::Builder::new()
        .name("attach-stdin".into())
        .spawn(move || {
            let mut buf = vec![0u8; MAX_INPUT_PACKET];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => n,
                    Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => {
                        tracing::debug!(%err, "reading the attach input: its end");
                        return;
                    }
                };
                let mut rest = &buf[..n];
                while !rest.is_empty() {
                    match send(theirs.as_raw_fd(), rest, MsgFlags::MSG_NOSIGNAL) {
                        Ok(sent) => rest = &rest[sent..],
                        Err(Errno::EINTR) => {}
                        // The attach ended.
                        Err(_) => return,
                    }
                }
            }
        })?;
    Ok(ours)
}

/// Writes one packet of output to `to` (when attached), flushed at once: an interactive
/// program's prompt has no newline.
fn write_out(to: &mut Option<&mut dyn Write>, data: &[u8]) -> io::Result<()> {
    if let Some(to) = to.as_mut() {
        to.write_all(data)?;
        to.flush()?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "attach_stream_tests.rs"]
mod tests;
