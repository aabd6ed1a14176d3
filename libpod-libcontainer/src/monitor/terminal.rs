//! A terminal for the container or an exec's process, as runc gives one to conmon, and the
//! control FIFO libpod-core resizes it through.
//!
//! - **The console socket.** libcontainer (as runc with `--console-socket`) connects to a
//!   unix stream socket whose path it is given, before it clones; the process it creates opens
//!   a pty in the container's devpts, makes the slave its controlling terminal and stdio, and
//!   sends the master over that connection (`SCM_RIGHTS`). The monitor binds the socket in its
//!   working directory ([`ConsoleSocket::listen_here`]), and once libcontainer's build
//!   returned (the master was sent by then) takes the master ([`ConsoleSocket::receive`]);
//!   the socket's file is removed, the monitor keeps the master.
//! - **The control FIFO** (`ctl`, conmon's): lines `TYPE HEIGHT WIDTH`; type 1 sets the
//!   terminal's size (`TIOCSWINSZ` on the master), as conmon does; other types (conmon's 2,
//!   reopen the log) are ignored. The monitor holds it open for reading and writing, so a
//!   writer's open never fails while the monitor lives and its reads never see an end.

use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{AddressFamily, SockFlag, SockType, UnixAddr, bind, listen, socket};
use nix::sys::stat::Mode;
use rustix::net::{RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SocketFlags};
use std::io::IoSliceMut;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};

/// The console socket's name in the monitor's working directory.
pub(super) const CONSOLE_SOCKET: &str = "console.sock";
/// The control FIFO's name in the container's bundle or the session's directory (conmon's).
pub(super) const CTL: &str = "ctl";
/// How long the master may take to arrive once libcontainer's build returned (it is sent
/// before the build reports the process ready: this only bounds a broken libcontainer).
const MASTER_TIMEOUT_MS: u16 = 10_000;
/// The longest control line kept (conmon's lines are a few bytes).
const CTL_LINE_MAX: usize = 64;

/// The listening console socket, bound in the working directory.
pub(super) struct ConsoleSocket {
    listener: OwnedFd,
    /// Its absolute path, for libcontainer (which links to it from its state directory).
    path: PathBuf,
}

impl ConsoleSocket {
    /// Binds the console socket in the working directory `dir` (the monitor's).
    pub(super) fn listen_here(dir: &Path) -> nix::Result<ConsoleSocket> {
        let listener = socket(
            AddressFamily::Unix,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )?;
        remove_if_present(CONSOLE_SOCKET)?;
        bind(listener.as_raw_fd(), &UnixAddr::new(CONSOLE_SOCKET)?)?;
        listen(&listener, nix::sys::socket::Backlog::new(1)?)?;
        Ok(ConsoleSocket {
            listener,
            path: dir.join(CONSOLE_SOCKET),
        })
    }

    /// The socket's absolute path.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Takes the terminal's master from the connection libcontainer made; removes the
    /// socket's file.
    pub(super) fn receive(self) -> Result<OwnedFd, String> {
        let received = self.take_master();
        let _ = std::fs::remove_file(CONSOLE_SOCKET);
        received
    }

    fn take_master(&self) -> Result<OwnedFd, String> {
        wait_readable(self.listener.as_fd(), "the console connection")?;
        let conn = rustix::net::accept_with(&self.listener, SocketFlags::CLOEXEC)
            .map_err(|err| format!("accepting the console connection: {err}"))?;
        wait_readable(conn.as_fd(), "the terminal's master")?;
        let mut name = [0u8; 64];
        let mut iov = [IoSliceMut::new(&mut name)];
        let mut space = [MaybeUninit::uninit(); rustix::cmsg_space!(ScmRights(1))];
        let mut control = RecvAncillaryBuffer::new(&mut space);
        rustix::net::recvmsg(&conn, &mut iov, &mut control, RecvFlags::CMSG_CLOEXEC)
            .map_err(|err| format!("receiving the terminal's master: {err}"))?;
        let mut master = None;
        for message in control.drain() {
            if let RecvAncillaryMessage::ScmRights(fds) = message {
                for fd in fds {
                    master.get_or_insert(fd);
                }
            }
        }
        master.ok_or_else(|| "the console connection carried no terminal".to_string())
    }
}

/// Waits until `fd` is readable, at most [`MASTER_TIMEOUT_MS`].
fn wait_readable(fd: BorrowedFd<'_>, what: &str) -> Result<(), String> {
    loop {
        let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(MASTER_TIMEOUT_MS)) {
            Ok(0) => return Err(format!("{what} never came")),
            Ok(_) => return Ok(()),
            Err(Errno::EINTR) => {}
            Err(err) => return Err(format!("waiting for {what}: {err}")),
        }
    }
}

/// The control FIFO, open for reading (and writing, so that it never reads an end), and the
/// terminal it resizes, if any.
pub(super) struct Ctl {
    fifo: OwnedFd,
    terminal: Option<OwnedFd>,
    /// An unfinished line.
    pending: Vec<u8>,
}

impl Ctl {
    /// Makes the FIFO `ctl` (0600) in the working directory and opens it.
    pub(super) fn create_here() -> nix::Result<Ctl> {
        remove_if_present(CTL)?;
        nix::unistd::mkfifo(CTL, Mode::from_bits_truncate(0o600))?;
        let fifo = open(
            CTL,
            OFlag::O_RDWR | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        Ok(Ctl {
            fifo,
            terminal: None,
            pending: Vec::new(),
        })
    }

    /// Resizes `terminal` from now on.
    pub(super) fn set_terminal(&mut self, terminal: OwnedFd) {
        self.terminal = Some(terminal);
    }

    /// The FIFO, to poll.
    pub(super) fn fd(&self) -> BorrowedFd<'_> {
        self.fifo.as_fd()
    }

    /// Reads what was written and applies each whole line.
    pub(super) fn read(&mut self) {
        let mut buf = [0u8; 256];
        loop {
            match nix::unistd::read(&self.fifo, &mut buf) {
                Ok(0) | Err(Errno::EAGAIN) => return,
                Ok(n) => self.take(&buf[..n]),
                Err(Errno::EINTR) => {}
                Err(err) => {
                    eprintln!("libcontainer monitor: reading the control FIFO: {err}");
                    return;
                }
            }
        }
    }

    fn take(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            if let Some((rows, cols)) = parse_resize(&String::from_utf8_lossy(&line))
                && let Some(terminal) = &self.terminal
            {
                let size = rustix::termios::Winsize {
                    ws_row: rows,
                    ws_col: cols,
                    ws_xpixel: 0,
                    ws_ypixel: 0,
                };
                if let Err(err) = rustix::termios::tcsetwinsize(terminal, size) {
                    eprintln!("libcontainer monitor: resizing the terminal: {err}");
                }
            }
        }
        if self.pending.len() > CTL_LINE_MAX {
            self.pending.clear();
        }
    }
}

/// A resize line (`1 HEIGHT WIDTH`): the rows and columns; `None` for anything else.
fn parse_resize(line: &str) -> Option<(u16, u16)> {
    let mut words = line.split_whitespace();
    if words.next()? != "1" {
        return None;
    }
    let rows = words.next()?.parse().ok()?;
    let cols = words.next()?.parse().ok()?;
    Some((rows, cols))
}

fn remove_if_present(name: &str) -> nix::Result<()> {
    match std::fs::remove_file(name) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(Errno::from_raw(err.raw_os_error().unwrap_or(0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resize_lines_are_conmons() {
        assert_eq!(parse_resize("1 30 100\n"), Some((30, 100)));
        assert_eq!(parse_resize("2 0 0\n"), None);
        assert_eq!(parse_resize("1 30\n"), None);
        assert_eq!(parse_resize("1 x 100\n"), None);
    }

    #[test]
    fn a_resize_line_sets_the_terminals_size() {
        let dir = libpod_testutil::TempRoot::new().unwrap();
        let fifo = dir.path().join(CTL);
        nix::unistd::mkfifo(&fifo, Mode::from_bits_truncate(0o600)).unwrap();
        let reader = open(&fifo, OFlag::O_RDWR | OFlag::O_NONBLOCK, Mode::empty()).unwrap();
        let pty = nix::pty::openpty(None, None).unwrap();
        let mut ctl = Ctl {
            fifo: reader,
            terminal: None,
            pending: Vec::new(),
        };
        ctl.set_terminal(pty.master.try_clone().unwrap());
        // Two lines, the second in two writes, as libpod-core's resize writes them.
        std::fs::write(&fifo, "1 30 100\n1 45").unwrap();
        ctl.read();
        std::fs::write(&fifo, " 132\n").unwrap();
        ctl.read();
        let size = rustix::termios::tcgetwinsize(&pty.slave).unwrap();
        assert_eq!((size.ws_row, size.ws_col), (45, 132));
    }
}
