//! The server side of conmon's attach socket, for the container and for an exec session's
//! process: the protocol libpod-core's client speaks (`libpod_core::oci::attach_socket`), so
//! either is attached exactly as one under conmon.
//!
//! - `SOCK_SEQPACKET`, bound at `attach` in the container's bundle or the session's
//!   directory (the monitor's working directory: no limit on the directory's path), any
//!   number of clients.
//! - Each read of the output goes to every client as one packet, its first byte the stream
//!   (2 or 3; a terminal's output is all 2), sent without waiting: a client that does not
//!   take it (gone, or its socket's buffer full: it stopped reading) is dropped, so no client
//!   can stop the monitor, and with it the container's output and log. Each connection's
//!   send buffer is raised to [`CLIENT_SEND_BUFFER`] (as root), so a reader that is merely
//!   slow for a moment (descheduled, its terminal busy) is not taken for one that stopped.
//! - Each packet a client sends is input (`watch.rs` writes it to the process's stdin or
//!   terminal, and reads no more while the process has not taken it); a client's end of
//!   input is reported, and a client that closed its side altogether is dropped.
//! - Once the process exited and its output is drained, the connections close: the clients
//!   read end of file.

use nix::errno::Errno;
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockType, UnixAddr, bind, listen, recv, send, socket,
};
use rustix::net::SocketFlags;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

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
/// The send buffer asked for each connection: output queued for a client that lags before
/// it is dropped (the kernel counts each 8 KiB packet at about twice its size, and doubles
/// the number given).
pub(super) const CLIENT_SEND_BUFFER: usize = 1024 * 1024;

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

    /// The clients to poll, by index: those still read for input, and those whose input
    /// ended (polled for their hang-up only).
    pub(super) fn clients(&self) -> impl Iterator<Item = (usize, BorrowedFd<'_>, bool)> {
        self.clients
            .iter()
            .enumerate()
            .map(|(index, client)| (index, client.fd.as_fd(), client.reading))
    }

    /// Accepts every pending connection.
    pub(super) fn accept(&mut self) {
        loop {
            match rustix::net::accept_with(&self.listener, SocketFlags::CLOEXEC) {
                Ok(fd) => {
                    raise_send_buffer(&fd);
                    self.clients.push(Client { fd, reading: true });
                }
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
    /// waiting; drops those that do not take it now.
    pub(super) fn broadcast(&mut self, packet: &[u8]) {
        let flags = MsgFlags::MSG_NOSIGNAL | MsgFlags::MSG_DONTWAIT;
        self.clients.retain(|client| loop {
            match send(client.fd.as_raw_fd(), packet, flags) {
                Ok(_) => return true,
                Err(Errno::EINTR) => {}
                Err(err) => {
                    match err {
                        Errno::EPIPE | Errno::ECONNRESET => {}
                        Errno::EAGAIN => eprintln!(
                            "libcontainer monitor: an attach client does not read its output: dropped"
                        ),
                        err => eprintln!("libcontainer monitor: sending output: {err}"),
                    }
                    return false;
                }
            }
        });
    }
}

/// Raises `client`'s send buffer to [`CLIENT_SEND_BUFFER`]: beyond `net.core.wmem_max` with
/// `CAP_NET_ADMIN` (the monitor runs as root), else as far as that limit allows.
fn raise_send_buffer(client: &OwnedFd) {
    use nix::sys::socket::{setsockopt, sockopt};
    if setsockopt(client, sockopt::SndBufForce, &CLIENT_SEND_BUFFER).is_err()
        && let Err(err) = setsockopt(client, sockopt::SndBuf, &CLIENT_SEND_BUFFER)
    {
        eprintln!("libcontainer monitor: sizing an attach connection's buffer: {err}");
    }
}
