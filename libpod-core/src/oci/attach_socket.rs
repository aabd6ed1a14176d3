//! A client of conmon's attach socket (`BUNDLE/attach`), shared by exec sessions and by the
//! attach to a container's main process.
//!
//! The socket is `SOCK_SEQPACKET`: every packet conmon sends is one frame, its first byte the
//! stream (2 stdout, 3 stderr; a terminal's output comes as stdout), the rest up to 8192
//! bytes of output. What we write is the process's stdin, raw; shutting down our writing side
//! closes its stdin (unless conmon was told to leave it open). conmon closes the connection
//! once the process has exited and its output is drained.
//!
//! The socket's path may pass the 108 bytes of a socket address: it is reached through an
//! `O_PATH` descriptor of its directory, as `/proc/self/fd/N/attach`, as conmon binds it.

use nix::sys::socket::{
    AddressFamily, MsgFlags, Shutdown, SockFlag, SockType, UnixAddr, connect, recv, send, shutdown,
    socket,
};
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::sync::Arc;

/// The stream byte of stdout frames.
pub const STDOUT_FRAME: u8 = 2;
/// The stream byte of stderr frames.
pub const STDERR_FRAME: u8 = 3;
/// Largest frame: the stream byte and 8192 bytes of output (conmon's `BUF_SIZE`).
const FRAME_MAX: usize = 8193;

/// Podman's default detach keys, ctrl-p then ctrl-q.
pub const DEFAULT_DETACH_KEYS: &[u8] = &[0x10, 0x11];

/// How an attach ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttachEnd {
    /// conmon closed the connection: the process exited and its output is all copied.
    Closed,
    /// The detach keys were typed: the process goes on.
    Detached,
}

/// A connection to conmon's attach socket.
#[derive(Debug, Clone)]
pub struct AttachSocket {
    socket: Arc<OwnedFd>,
}

impl AttachSocket {
    /// Connects to `dir/attach` (conmon's `--full-attach` layout: `dir` is the bundle).
    pub fn connect(dir: &Path) -> io::Result<AttachSocket> {
        let dir_fd = nix::fcntl::open(
            dir,
            nix::fcntl::OFlag::O_PATH | nix::fcntl::OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )?;
        let path = format!("/proc/self/fd/{}/attach", dir_fd.as_raw_fd());
        let socket = socket(
            AddressFamily::Unix,
            SockType::SeqPacket,
            SockFlag::SOCK_CLOEXEC,
            None,
        )?;
        connect(socket.as_raw_fd(), &UnixAddr::new(path.as_str())?)?;
        Ok(AttachSocket {
            socket: Arc::new(socket),
        })
    }

    /// The next frame into `buf`: its stream byte and length of output, `None` once conmon
    /// closed the connection.
    pub fn recv_frame<'b>(&self, buf: &'b mut [u8]) -> io::Result<Option<(u8, &'b [u8])>> {
        loop {
            match recv(self.socket.as_raw_fd(), buf, MsgFlags::empty()) {
                Ok(0) => return Ok(None),
                Ok(n) => return Ok(Some((buf[0], &buf[1..n]))),
                Err(nix::errno::Errno::EINTR) => {}
                Err(errno) => return Err(errno.into()),
            }
        }
    }

    /// Writes `data` to the process's stdin.
    pub fn write_stdin(&self, data: &[u8]) -> io::Result<()> {
        let mut rest = data;
        while !rest.is_empty() {
            match send(self.socket.as_raw_fd(), rest, MsgFlags::MSG_NOSIGNAL) {
                Ok(n) => rest = &rest[n..],
                Err(nix::errno::Errno::EINTR) => {}
                Err(errno) => return Err(errno.into()),
            }
        }
        Ok(())
    }

    /// Closes the process's stdin (our writing side).
    pub fn close_stdin(&self) -> io::Result<()> {
        Ok(shutdown(self.socket.as_raw_fd(), Shutdown::Write)?)
    }

    /// Stops receiving: a blocked [`recv_frame`](Self::recv_frame) returns `None`.
    pub fn stop_reading(&self) -> io::Result<()> {
        Ok(shutdown(self.socket.as_raw_fd(), Shutdown::Read)?)
    }

    /// Copies the process's output to `stdout` and `stderr` until conmon closes the
    /// connection, and `stdin` (if given) to the process on a thread of its own, closing the
    /// process's stdin at its end. Typing `detach_keys` (if given, and not empty) on stdin
    /// ends the attach with the process still running. The stdin thread is not waited for:
    /// it ends at its input's next read.
    pub fn copy(
        &self,
        stdin: Option<Box<dyn Read + Send>>,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
        detach_keys: Option<Vec<u8>>,
    ) -> io::Result<AttachEnd> {
        let detached = Arc::new(std::sync::atomic::AtomicBool::new(false));
        if let Some(input) = stdin {
            let socket = self.clone();
            let detached = detached.clone();
            let keys = detach_keys.filter(|keys| !keys.is_empty());
            std::thread::Builder::new()
                .name("attach-stdin".into())
                .spawn(move || {
                    let end = copy_stdin(input, &socket, keys.as_deref());
                    if matches!(end, Ok(AttachEnd::Detached)) {
                        detached.store(true, std::sync::atomic::Ordering::SeqCst);
                        let _ = socket.stop_reading();
                    } else {
                        let _ = socket.close_stdin();
                    }
                })?;
        }
        let mut buf = vec![0u8; FRAME_MAX];
        while let Some((stream, data)) = self.recv_frame(&mut buf)? {
            let out: &mut dyn Write = if stream == STDERR_FRAME {
                &mut *stderr
            } else {
                &mut *stdout
            };
            out.write_all(data)?;
            out.flush()?;
        }
        if detached.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(AttachEnd::Detached);
        }
        Ok(AttachEnd::Closed)
    }
}

/// Copies `input` to the socket until its end, or until it holds `keys` in sequence (those
/// keys are not sent; a partial match is sent once it stops matching).
fn copy_stdin(
    mut input: Box<dyn Read + Send>,
    socket: &AttachSocket,
    keys: Option<&[u8]>,
) -> io::Result<AttachEnd> {
    let mut buf = [0u8; 8192];
    let mut matched = 0usize;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(AttachEnd::Closed),
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        let Some(keys) = keys else {
            socket.write_stdin(&buf[..n])?;
            continue;
        };
        let mut out = Vec::with_capacity(n);
        for &byte in &buf[..n] {
            if byte == keys[matched] {
                matched += 1;
                if matched == keys.len() {
                    socket.write_stdin(&out)?;
                    return Ok(AttachEnd::Detached);
                }
            } else {
                out.extend_from_slice(&keys[..matched]);
                matched = usize::from(byte == keys[0]);
                if matched == 0 {
                    out.push(byte);
                }
            }
        }
        socket.write_stdin(&out)?;
    }
}

/// Parses Podman's detach keys (`ctrl-p,ctrl-q`, `a,b`; `""` disables detaching) into bytes.
///
/// ```
/// use libpod_core::oci::attach_socket::parse_detach_keys;
/// assert_eq!(parse_detach_keys("ctrl-p,ctrl-q").unwrap(), vec![0x10, 0x11]);
/// assert_eq!(parse_detach_keys("").unwrap(), Vec::<u8>::new());
/// assert!(parse_detach_keys("ctrl-").is_err());
/// ```
pub fn parse_detach_keys(keys: &str) -> Result<Vec<u8>, String> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    keys.split(',')
        .map(|key| match key.strip_prefix("ctrl-") {
            Some(rest) if rest.len() == 1 => {
                let c = rest.as_bytes()[0];
                match c {
                    b'a'..=b'z' => Ok(c - b'a' + 1),
                    b'@' => Ok(0),
                    b'[' => Ok(27),
                    b'\\' => Ok(28),
                    b']' => Ok(29),
                    b'^' => Ok(30),
                    b'_' => Ok(31),
                    _ => Err(format!("invalid detach keys: {keys}")),
                }
            }
            None if key.len() == 1 => Ok(key.as_bytes()[0]),
            _ => Err(format!("invalid detach keys: {keys}")),
        })
        .collect()
}
