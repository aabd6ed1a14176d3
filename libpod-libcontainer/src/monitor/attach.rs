//! The server side of conmon's attach socket, for the container and for an exec session's
//! process: the protocol libpod-core's client speaks (`libpod_core::oci::attach_socket`), so
//! either is attached exactly as one under conmon.
//!
//! - `SOCK_SEQPACKET`, bound at `attach` in the container's bundle or the session's
//!   directory (the monitor's working directory: no limit on the directory's path), any
//!   number of clients.
//! - Each read of the output goes to every client as one packet, its first byte the stream
//!   (2 or 3; a terminal's output is all 2), sent without waiting. A client whose socket's
//!   buffer is full holds the packet (one, no more): `watch.rs` reads no more output until it
//!   is sent, as conmon's blocking write waits for a slow reader, but a client that takes
//!   nothing for [`LAG_LIMIT`] has stopped reading and is dropped (a gone one at once), so
//!   no client can stop the monitor, and with it the container's output, log and exit.
//! - Each packet a client sends is input (`watch.rs` writes it to the process's stdin or
//!   terminal, and reads no more while the process has not taken it); a client's end of
//!   input is reported, and a client that closed its side altogether is dropped.
//! - Once the process exited and its output is drained, the connections close: the clients
//!   read end of file.

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockType, UnixAddr, bind, listen, recv, send, socket,
};
use rustix::net::SocketFlags;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::{Duration, Instant};

/// The socket's name in the directory (conmon's `--full-attach` layout).
pub(super) const SOCKET: &str = "attach";
/// conmon's stream bytes, by output index (stdout, stderr).
const STREAMS: [u8; 2] = [2, 3];

/// The stream byte of output `index` (0 stdout, 1 stderr).
pub(super) fn stream_byte(index: usize) -> u8 {
    STREAMS[index]
}
/// The largest input packet taken whole (conmon's `CONN_SOCK_BUF_SIZE`).
const INPUT_PACKET: usize = 32 * 1024;
/// How long a client may leave its socket full before it is taken to have stopped reading.
pub(super) const LAG_LIMIT: Duration = Duration::from_secs(5);

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
    /// Output its full socket did not take, and since when it waits.
    held: Option<(Vec<u8>, Instant)>,
}

/// One client to poll, as the loop sees it.
pub(super) struct Polled<'a> {
    pub(super) index: usize,
    pub(super) fd: BorrowedFd<'a>,
    /// Its input is still read.
    pub(super) reading: bool,
    /// It holds output: polled for room.
    pub(super) lagging: bool,
}

/// What a client's readiness brought.
pub(super) enum Input {
    /// A packet of input.
    Packet(Vec<u8>),
    /// The client's end of input (it shut down its writing half, or closed).
    End,
    /// Nothing (yet), or the client is gone.
    Nothing,
}

/// The listening socket and its clients.
pub(super) struct Server {
    listener: OwnedFd,
    clients: Vec<Client>,
}

impl Server {
    pub(super) fn new(listener: OwnedFd) -> Server {
        Server {
            listener,
            clients: Vec::new(),
        }
    }

    /// The listener, to poll for connections.
    pub(super) fn listener(&self) -> BorrowedFd<'_> {
        self.listener.as_fd()
    }

    /// The clients to poll, by index.
    pub(super) fn clients(&self) -> impl Iterator<Item = Polled<'_>> {
        self.clients
            .iter()
            .enumerate()
            .map(|(index, client)| Polled {
                index,
                fd: client.fd.as_fd(),
                reading: client.reading,
                lagging: client.held.is_some(),
            })
    }

    /// When the first client that holds output reaches [`LAG_LIMIT`]; `None` when none
    /// holds any (output may be read).
    pub(super) fn lag_deadline(&self) -> Option<Instant> {
        self.clients
            .iter()
            .filter_map(|client| client.held.as_ref().map(|(_, since)| *since + LAG_LIMIT))
            .min()
    }

    /// Accepts every pending connection.
    pub(super) fn accept(&mut self) {
        loop {
            match rustix::net::accept_with(&self.listener, SocketFlags::CLOEXEC) {
                Ok(fd) => self.clients.push(Client {
                    fd,
                    reading: true,
                    held: None,
                }),
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN | rustix::io::Errno::CONNABORTED) => return,
                Err(err) => {
                    eprintln!("libcontainer monitor: accepting an attach connection: {err}");
                    return;
                }
            }
        }
    }

    /// Whether client `index` is still read for input.
    pub(super) fn reading(&self, index: usize) -> bool {
        self.clients[index].reading
    }

    /// Reads one input packet from client `index`.
    pub(super) fn take_input(&mut self, index: usize) -> Input {
        let client = &mut self.clients[index];
        if !client.reading {
            return Input::Nothing;
        }
        let mut buf = vec![0u8; INPUT_PACKET];
        match recv(client.fd.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT) {
            Ok(0) | Err(Errno::ECONNRESET) => {
                client.reading = false;
                Input::End
            }
            Ok(n) => {
                buf.truncate(n);
                Input::Packet(buf)
            }
            Err(Errno::EINTR | Errno::EAGAIN) => Input::Nothing,
            Err(err) => {
                eprintln!("libcontainer monitor: reading an attach connection: {err}");
                client.reading = false;
                Input::Nothing
            }
        }
    }

    /// Drops the clients at `indexes` (ascending), which hung up.
    pub(super) fn drop_clients(&mut self, indexes: &[usize]) {
        for &index in indexes.iter().rev() {
            self.clients.remove(index);
        }
    }

    /// Sends `packet` (its first byte the stream: [`stream_byte`]) to every client without
    /// waiting: a full socket holds it (see [`catch_up`](Self::catch_up)), a gone client is
    /// dropped. Called only while no client holds output (else that client is dropped).
    pub(super) fn broadcast(&mut self, packet: &[u8]) {
        self.clients.retain_mut(|client| {
            if client.held.is_some() {
                eprintln!("libcontainer monitor: an attach client does not read: dropped");
                return false;
            }
            match send_now(&client.fd, packet) {
                Sent::Yes => true,
                Sent::Full => {
                    client.held = Some((packet.to_vec(), Instant::now()));
                    true
                }
                Sent::Gone => false,
            }
        });
    }

    /// Sends what clients hold where their sockets took room; drops those that left it full
    /// for [`LAG_LIMIT`], or are gone.
    pub(super) fn catch_up(&mut self) {
        let now = Instant::now();
        self.clients.retain_mut(|client| {
            let Some((packet, since)) = &client.held else {
                return true;
            };
            match send_now(&client.fd, packet) {
                Sent::Yes => {
                    client.held = None;
                    true
                }
                Sent::Full if now < *since + LAG_LIMIT => true,
                Sent::Full => {
                    eprintln!("libcontainer monitor: an attach client does not read: dropped");
                    false
                }
                Sent::Gone => false,
            }
        });
    }

    /// Waits until every client that holds output has taken it, or is dropped: at the end,
    /// before the connections close.
    pub(super) fn wait_for_laggards(&mut self) {
        while let Some(deadline) = self.lag_deadline() {
            let mut fds: Vec<PollFd> = self
                .clients
                .iter()
                .filter(|client| client.held.is_some())
                .map(|client| PollFd::new(client.fd.as_fd(), PollFlags::POLLOUT))
                .collect();
            if let Err(err) = poll(&mut fds, timeout_until(deadline))
                && err != Errno::EINTR
            {
                eprintln!("libcontainer monitor: poll: {err}");
                return;
            }
            drop(fds);
            self.catch_up();
        }
    }
}

/// What a send without waiting did.
enum Sent {
    Yes,
    /// The socket's buffer is full: the client does not read (yet).
    Full,
    /// The client is gone (or the socket failed: logged).
    Gone,
}

fn send_now(fd: &OwnedFd, packet: &[u8]) -> Sent {
    let flags = MsgFlags::MSG_NOSIGNAL | MsgFlags::MSG_DONTWAIT;
    loop {
        match send(fd.as_raw_fd(), packet, flags) {
            Ok(_) => return Sent::Yes,
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => return Sent::Full,
            Err(Errno::EPIPE | Errno::ECONNRESET) => return Sent::Gone,
            Err(err) => {
                eprintln!("libcontainer monitor: sending output: {err}");
                return Sent::Gone;
            }
        }
    }
}

/// A poll timeout that ends at `deadline` (at once when it passed).
pub(super) fn timeout_until(deadline: Instant) -> PollTimeout {
    let left = deadline.saturating_duration_since(Instant::now());
    // Rounded up: a poll that ends early would spin until the deadline.
    let ms = left.as_millis() + 1;
    PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
}
