//! conmon's attach socket and terminal control FIFO: the client side of its protocol.
//!
//! conmon (2.1, `src/conn_sock.c`) listens on a `SOCK_SEQPACKET` unix socket named `attach`
//! in the container's bundle directory (Podman's `--full-attach`; without it the socket's
//! directory is a symlink under `--socket-dir-path`). Any number of clients may connect:
//! - Each packet conmon sends is one read of the container's output, its first byte naming
//!   the stream: [`STDOUT`] (2) or [`STDERR`] (3); a terminal's output is all `STDOUT`.
//! - Each packet a client sends is raw input for the container's stdin, at most
//!   [`MAX_INPUT_PACKET`] bytes (conmon reads that much per packet and drops the rest).
//! - A client that shuts down its writing half (`shutdown(SHUT_WR)`) closes the container's
//!   stdin, when conmon was started with `-i` (stdin kept open, no terminal): that is "EOF on
//!   close", as Podman's `CloseWrite`.
//! - When the container exits, conmon drains its output to the clients and exits: they read
//!   end of file.
//!
//! The socket's path can be longer than a socket address holds (108 bytes), so it is reached
//! as Podman does: the directory is opened with `O_PATH` and the socket connected through
//! `/proc/self/fd/N/attach`.
//!
//! Terminal size changes go to conmon's `ctl` FIFO beside it, as `1 HEIGHT WIDTH\n` lines
//! (message type 1: resize), which conmon applies to the terminal with `TIOCSWINSZ`.

use crate::error::{CoreError, Result};
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::sys::socket::{
    AddressFamily, MsgFlags, Shutdown, SockFlag, SockType, UnixAddr, connect, recv, send, shutdown,
    socket,
};
use nix::sys::stat::Mode;
use std::io::{self, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The stream byte of a packet of the container's standard output (conmon's `STDOUT_PIPE`).
pub const STDOUT: u8 = 2;
/// The stream byte of a packet of its standard error (`STDERR_PIPE`).
pub const STDERR: u8 = 3;
/// The largest input packet conmon reads whole (its `CONN_SOCK_BUF_SIZE`).
pub const MAX_INPUT_PACKET: usize = 32 * 1024;
/// A receive buffer that holds any output packet (conmon sends at most 8192 + 1 bytes).
pub const OUTPUT_BUFFER: usize = 32 * 1024 + 1;

/// The attach socket in a conmon bundle directory (conmon's `--full-attach` layout).
pub fn attach_socket_path(bundle: &Path) -> PathBuf {
    bundle.join("attach")
}

/// The terminal control FIFO in a conmon bundle directory.
pub fn ctl_path(bundle: &Path) -> PathBuf {
    bundle.join("ctl")
}

/// A terminal's size in character cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TerminalSize {
    /// Rows (the height).
    pub rows: u16,
    /// Columns (the width).
    pub cols: u16,
}

/// One packet of the container's output.
#[derive(Debug, PartialEq, Eq)]
pub enum Output<'b> {
    /// Bytes of standard output (all of a terminal's output).
    Stdout(&'b [u8]),
    /// Bytes of standard error.
    Stderr(&'b [u8]),
    /// A packet of a stream conmon does not send to clients (ignored, as Podman does).
    Other(u8),
    /// conmon closed the connection: the container exited (or conmon died).
    Closed,
}

/// A connection to a container's attach socket.
#[derive(Debug)]
pub struct AttachSocket {
    fd: OwnedFd,
    path: PathBuf,
}

impl AttachSocket {
    /// Connects to the attach socket at `path` (see the module docs for how a long path is
    /// reached).
    pub fn connect(path: &Path) -> io::Result<AttachSocket> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no socket name"))?;
        let dir_fd = open(dir, OFlag::O_PATH | OFlag::O_CLOEXEC, Mode::empty())?;
        let mut via_proc = PathBuf::from(format!("/proc/self/fd/{}", dir_fd.as_raw_fd()));
        via_proc.push(name);
        let fd = socket(
            AddressFamily::Unix,
            SockType::SeqPacket,
            SockFlag::SOCK_CLOEXEC,
            None,
        )?;
        connect(fd.as_raw_fd(), &UnixAddr::new(&via_proc)?)?;
        Ok(AttachSocket {
            fd,
            path: path.to_path_buf(),
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A second handle on the same connection (for a watchdog that must end a copy).
    pub fn try_clone(&self) -> io::Result<AttachSocket> {
        Ok(AttachSocket {
            fd: self.fd.try_clone()?,
            path: self.path.clone(),
        })
    }

    /// Stops reading the output: a copy waiting on it sees the connection's end (a process's
    /// child may hold the output open after the process was killed).
    pub fn stop_reading(&self) -> io::Result<()> {
        Ok(shutdown(self.fd.as_raw_fd(), Shutdown::Read)?)
    }

    /// Receives one packet of output into `buf` (at least [`OUTPUT_BUFFER`] bytes, or a
    /// packet may be cut). Blocks unless the socket is readable; a connection reset by
    /// conmon is [`Output::Closed`] too.
    pub fn receive<'b>(&self, buf: &'b mut [u8]) -> io::Result<Output<'b>> {
        let n = loop {
            match recv(self.fd.as_raw_fd(), buf, MsgFlags::empty()) {
                Err(Errno::EINTR) => {}
                Err(Errno::ECONNRESET) => return Ok(Output::Closed),
                other => break other?,
            }
        };
        let Some((&stream, data)) = buf[..n].split_first() else {
            return Ok(Output::Closed);
        };
        Ok(match stream {
            STDOUT => Output::Stdout(data),
            STDERR => Output::Stderr(data),
            other => Output::Other(other),
        })
    }

    /// Sends one packet of input (at most [`MAX_INPUT_PACKET`] bytes) without blocking:
    /// `WouldBlock` when conmon is not taking input now.
    pub fn send_input(&self, packet: &[u8]) -> io::Result<()> {
        if packet.len() > MAX_INPUT_PACKET {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "an input packet larger than conmon reads",
            ));
        }
        let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL;
        loop {
            match send(self.fd.as_raw_fd(), packet, flags) {
                Err(Errno::EINTR) => {}
                other => return other.map(drop).map_err(io::Error::from),
            }
        }
    }

    /// Closes the container's stdin (when conmon keeps it open with `-i`): no more input
    /// from this connection. Output still comes.
    pub fn close_input(&self) -> io::Result<()> {
        match shutdown(self.fd.as_raw_fd(), Shutdown::Write) {
            Ok(()) | Err(Errno::ENOTCONN) => Ok(()),
            Err(err) => Err(err.into()),
        }
    }
}

impl AsFd for AttachSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// How long [`resize`] retries a control FIFO that cannot be opened for now (Podman's 600
/// tries, 100 ms apart).
const CTL_RETRIES: u32 = 600;
const CTL_RETRY_PAUSE: Duration = Duration::from_millis(100);

/// Sets the size of the terminal of the container whose control FIFO is `ctl` (see the
/// module docs). Fails when conmon does not read it (no such FIFO, or `ENXIO`: no conmon).
pub fn resize(ctl: &Path, size: TerminalSize) -> Result<()> {
    let mut tries = 0;
    let file = loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open(ctl)
        {
            Ok(file) => break file,
            Err(err)
                if tries < CTL_RETRIES
                    && matches!(
                        err.raw_os_error(),
                        Some(nix::libc::EINTR | nix::libc::EAGAIN)
                    ) =>
            {
                tries += 1;
                std::thread::sleep(CTL_RETRY_PAUSE);
            }
            Err(err) => return Err(CoreError::io("opening the terminal control FIFO", ctl, err)),
        }
    };
    let line = format!("1 {} {}\n", size.rows, size.cols);
    (&file)
        .write_all(line.as_bytes())
        .map_err(|err| CoreError::io("writing to the terminal control FIFO", ctl, err))
}

#[cfg(test)]
impl AttachSocket {
    /// A connection made some other way (a socket pair, in tests).
    pub(crate) fn from_fd(fd: OwnedFd, path: &Path) -> Self {
        AttachSocket {
            fd,
            path: path.to_path_buf(),
        }
    }
}
