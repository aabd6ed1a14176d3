//! The server side of conmon's attach socket, for an exec session's process: the protocol
//! libpod-core's client speaks (`libpod_core::oci::attach_socket`), so an exec under this
//! monitor is attached exactly as one under conmon.
//!
//! - `SOCK_SEQPACKET`, bound at `attach` in the session's directory (the monitor's working
//!   directory: no limit on the directory's path), any number of clients.
//! - Each read of the process's stdout or stderr goes to every client as one packet, its
//!   first byte the stream (2 or 3); a client that does not take it is dropped.
//! - Each packet a client sends is written to the process's stdin (when it is kept open); a
//!   client that shuts down its writing half closes the process's stdin, as conmon does
//!   with `-i`.
//! - Once the process exited and its output is drained, the connections close: the clients
//!   read end of file.
//!
//! `unsafe` is allowed here for one call: nix's `accept4` returns a raw descriptor, owned at
//! once.

#![allow(unsafe_code)]

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockType, UnixAddr, accept4, bind, listen, recv, send,
    socket,
};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::Pid;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};

/// The socket's name in the session's directory (conmon's `--full-attach` layout).
pub(super) const SOCKET: &str = "attach";
/// conmon's stream bytes.
const STDOUT: u8 = 2;
const STDERR: u8 = 3;
/// The largest read of the output at once (conmon's buffer).
const CHUNK: usize = 8192;
/// The largest input packet taken whole (conmon's `CONN_SOCK_BUF_SIZE`).
const INPUT_PACKET: usize = 32 * 1024;

/// Binds and listens on the attach socket in the working directory (non-blocking accepts).
pub(super) fn listen_here() -> nix::Result<OwnedFd> {
    let fd = socket(
        AddressFamily::Unix,
        SockType::SeqPacket,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )?;
    match std::fs::remove_file(SOCKET) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(Errno::from_raw(err.raw_os_error().unwrap_or(0))),
    }
    bind(fd.as_raw_fd(), &UnixAddr::new(SOCKET)?)?;
    listen(&fd, nix::sys::socket::Backlog::new(16)?)?;
    Ok(fd)
}

/// One connection.
struct Client {
    fd: OwnedFd,
    /// Whether its input is still read (until it shuts down its writing half).
    reading: bool,
}

/// The session's process, its pipes and the attach socket.
pub(super) struct Session {
    /// The read ends of its stdout and stderr, `None` once closed.
    output: [Option<OwnedFd>; 2],
    /// The write end of its stdin, while it is kept open.
    stdin: Option<OwnedFd>,
    listener: OwnedFd,
    clients: Vec<Client>,
}

/// What one poll entry is.
#[derive(Clone, Copy)]
enum Source {
    Exit,
    Output(usize),
    Listener,
    Client(usize),
}

impl Session {
    pub(super) fn new(
        stdout: OwnedFd,
        stderr: OwnedFd,
        stdin: Option<OwnedFd>,
        listener: OwnedFd,
    ) -> Session {
        Session {
            output: [Some(stdout), Some(stderr)],
            stdin,
            listener,
            clients: Vec::new(),
        }
    }

    /// Serves the socket until `pid` (our child) exits; drains its output, and returns its
    /// exit code (128 + N for signal N) with the connections still open: dropping the
    /// session closes them.
    pub(super) fn serve_until_exit(&mut self, pid: i32) -> i32 {
        // The caller connected before the process started.
        self.accept();
        let pidfd = rustix::process::Pid::from_raw(pid).and_then(|pid| {
            rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()).ok()
        });
        loop {
            let mut sources = Vec::new();
            let mut fds = Vec::new();
            if let Some(pidfd) = &pidfd {
                sources.push(Source::Exit);
                fds.push(PollFd::new(pidfd.as_fd(), PollFlags::POLLIN));
            }
            for (index, pipe) in self.output.iter().enumerate() {
                if let Some(fd) = pipe {
                    sources.push(Source::Output(index));
                    fds.push(PollFd::new(fd.as_fd(), PollFlags::POLLIN));
                }
            }
            sources.push(Source::Listener);
            fds.push(PollFd::new(self.listener.as_fd(), PollFlags::POLLIN));
            for (index, client) in self.clients.iter().enumerate() {
                if client.reading {
                    sources.push(Source::Client(index));
                    fds.push(PollFd::new(client.fd.as_fd(), PollFlags::POLLIN));
                }
            }
            // No pidfd and no output left: only the wait below tells.
            if pidfd.is_none() && self.output.iter().all(Option::is_none) {
                break;
            }
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(err) => {
                    eprintln!("libcontainer monitor: poll: {err}");
                    break;
                }
            }
            let ready: Vec<Source> = fds
                .iter()
                .zip(&sources)
                .filter(|(fd, _)| fd.revents().is_some_and(|events| !events.is_empty()))
                .map(|(_, source)| *source)
                .collect();
            drop(fds);
            let mut exited = false;
            // Input first (by index, before accepts change the list), then new clients
            // (before output that is theirs too), then output.
            for source in &ready {
                if let Source::Client(index) = source {
                    self.take_input(*index);
                }
            }
            if ready
                .iter()
                .any(|source| matches!(source, Source::Listener))
            {
                self.accept();
            }
            for source in ready {
                match source {
                    Source::Exit => exited = true,
                    Source::Output(index) => {
                        self.copy(index);
                    }
                    Source::Listener | Source::Client(_) => {}
                }
            }
            if exited {
                break;
            }
        }
        let code = reap(pid);
        // A client that connected meanwhile gets the rest too.
        self.accept();
        self.drain();
        code
    }

    /// Accepts every pending connection.
    fn accept(&mut self) {
        loop {
            match accept4(self.listener.as_raw_fd(), SockFlag::SOCK_CLOEXEC) {
                Ok(fd) => {
                    // SAFETY: accept4 returned a new descriptor that nothing else owns.
                    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
                    self.clients.push(Client { fd, reading: true });
                }
                Err(Errno::EINTR) => {}
                Err(Errno::EAGAIN | Errno::ECONNABORTED) => return,
                Err(err) => {
                    eprintln!("libcontainer monitor: accepting an attach connection: {err}");
                    return;
                }
            }
        }
    }

    /// Reads one input packet from client `index` into the process's stdin; at the client's
    /// end of input, the stdin closes.
    fn take_input(&mut self, index: usize) {
        let mut buf = vec![0u8; INPUT_PACKET];
        let client = &mut self.clients[index];
        match recv(client.fd.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT) {
            Ok(0) | Err(Errno::ECONNRESET) => {
                client.reading = false;
                self.stdin = None;
            }
            Ok(n) => {
                if let Some(stdin) = &self.stdin
                    && let Err(err) = write_all(stdin, &buf[..n])
                {
                    // The process closed its stdin: later input is dropped, as conmon does.
                    if err != Errno::EPIPE {
                        eprintln!("libcontainer monitor: writing the process's stdin: {err}");
                    }
                    self.stdin = None;
                }
            }
            Err(Errno::EINTR | Errno::EAGAIN) => {}
            Err(err) => {
                eprintln!("libcontainer monitor: reading an attach connection: {err}");
                client.reading = false;
            }
        }
    }

    /// Reads one chunk of output `index` and sends it to every client; closes the pipe at
    /// its end. Whether it read anything.
    fn copy(&mut self, index: usize) -> bool {
        let Some(fd) = &self.output[index] else {
            return false;
        };
        let mut buf = [0u8; CHUNK + 1];
        buf[0] = if index == 0 { STDOUT } else { STDERR };
        match nix::unistd::read(fd, &mut buf[1..]) {
            Ok(0) => self.output[index] = None,
            Ok(n) => {
                self.clients.retain(|client| {
                    match send(client.fd.as_raw_fd(), &buf[..=n], MsgFlags::MSG_NOSIGNAL) {
                        Ok(_) => true,
                        Err(err) => {
                            if !matches!(err, Errno::EPIPE | Errno::ECONNRESET) {
                                eprintln!("libcontainer monitor: sending output: {err}");
                            }
                            false
                        }
                    }
                });
                return true;
            }
            Err(Errno::EINTR | Errno::EAGAIN) => {}
            Err(err) => {
                eprintln!("libcontainer monitor: reading the process's output: {err}");
                self.output[index] = None;
            }
        }
        false
    }

    /// Sends what is left in the pipes without waiting: processes the exec left behind may
    /// hold them open.
    fn drain(&mut self) {
        for index in 0..self.output.len() {
            if let Some(fd) = &self.output[index]
                && let Ok(flags) = fcntl(fd, FcntlArg::F_GETFL).map(OFlag::from_bits_truncate)
            {
                let _ = fcntl(fd, FcntlArg::F_SETFL(flags | OFlag::O_NONBLOCK));
            }
            while self.copy(index) {}
        }
    }
}

/// Writes all of `data` to `fd` (blocking).
fn write_all(fd: &OwnedFd, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        match nix::unistd::write(fd, data) {
            Ok(n) => data = &data[n..],
            Err(Errno::EINTR) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}

/// Reaps `pid`, our child: its exit code as conmon records it.
pub(super) fn reap(pid: i32) -> i32 {
    loop {
        match waitpid(Pid::from_raw(pid), None) {
            Err(Errno::EINTR) => {}
            Ok(WaitStatus::Exited(_, code)) => return code,
            Ok(WaitStatus::Signaled(_, signal, _)) => return 128 + signal as i32,
            Ok(_) => {}
            Err(err) => {
                eprintln!("libcontainer monitor: waiting for the exec's process: {err}");
                return -1;
            }
        }
    }
}
