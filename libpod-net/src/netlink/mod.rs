//! The rtnetlink requests this crate makes itself, built by hand (a netlink library would be a
//! dependency tree for a dozen messages): links (`link.rs`: bridges, veth pairs, up, groups,
//! removal, lookups) and addresses and routes (`address.rs`). Requests go to the network
//! namespace the socket was opened in, so the caller opens it on a thread that is in the
//! namespace it means.

mod address;
mod link;

pub(crate) use link::{Link, parse_link};

use crate::error::{NetError, Result};
use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, bind, recv, send,
    socket,
};
use std::cell::Cell;
use std::os::fd::{AsRawFd, OwnedFd};

const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_DUMP: u16 = 0x300;
/// Set on a dump's messages when the kernel's table changed while it was dumped.
const NLM_F_DUMP_INTR: u16 = 0x10;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;
const NLA_F_NESTED: u16 = 0x8000;
/// The header every netlink message starts with.
const HEADER_LEN: usize = 16;
/// The most a reply may hold before it is refused as malformed (a dump of every link of a busy
/// host fits many times over).
const MAX_REPLY: usize = 64 << 20;

/// An rtnetlink socket in the namespace of the thread that opened it.
pub(crate) struct RouteSocket {
    fd: OwnedFd,
    sequence: Cell<u32>,
}

impl RouteSocket {
    /// Opens one in the calling thread's network namespace.
    pub(crate) fn open() -> Result<RouteSocket> {
        let failed = |source: nix::Error| NetError::Netlink {
            op: "open socket",
            source: source.into(),
        };
        let fd = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        )
        .map_err(failed)?;
        bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).map_err(failed)?;
        Ok(RouteSocket {
            fd,
            sequence: Cell::new(0),
        })
    }

    /// Sends a request that changes something and waits for the kernel's acknowledgement.
    fn change(&self, op: &'static str, message: Message) -> Result<()> {
        self.transact(op, message).map(drop)
    }

    /// Sends `message` and reads the replies up to the acknowledgement (or the end of a dump):
    /// the payload of each data message (after its netlink header), with its type.
    fn transact(&self, op: &'static str, message: Message) -> Result<Vec<(u16, Vec<u8>)>> {
        let failed = |source: nix::Error| NetError::Netlink {
            op,
            source: source.into(),
        };
        let malformed = || NetError::Netlink {
            op,
            source: std::io::Error::other("malformed netlink reply"),
        };
        let sequence = self.sequence.get().wrapping_add(1);
        self.sequence.set(sequence);
        let dump = message.is_dump();
        send(
            self.fd.as_raw_fd(),
            &message.finish(sequence),
            MsgFlags::empty(),
        )
        .map_err(failed)?;
        let mut replies = Vec::new();
        let mut interrupted = false;
        let mut total = 0;
        let mut buffer = vec![0u8; 32 * 1024];
        loop {
            let len = recv(self.fd.as_raw_fd(), &mut buffer, MsgFlags::empty()).map_err(failed)?;
            total += len;
            if total > MAX_REPLY {
                return Err(malformed());
            }
            let mut rest = &buffer[..len];
            while rest.len() >= HEADER_LEN {
                let message_len = u32_at(rest, 0).ok_or_else(malformed)? as usize;
                if message_len < HEADER_LEN || message_len > rest.len() {
                    return Err(malformed());
                }
                let kind = u16_at(rest, 4).ok_or_else(malformed)?;
                let flags = u16_at(rest, 6).ok_or_else(malformed)?;
                interrupted |= flags & NLM_F_DUMP_INTR != 0;
                let reply_sequence = u32_at(rest, 8).ok_or_else(malformed)?;
                let payload = &rest[HEADER_LEN..message_len];
                rest = &rest[message_len.next_multiple_of(4).min(rest.len())..];
                if reply_sequence != sequence {
                    continue;
                }
                match kind {
                    NLMSG_ERROR | NLMSG_DONE => {
                        // An error's code, or a dump's final status (0 when it has none).
                        let errno = payload
                            .get(..4)
                            .map_or(0, |b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
                        if kind == NLMSG_ERROR && payload.len() < 4 {
                            return Err(malformed());
                        }
                        if errno != 0 {
                            return Err(NetError::Netlink {
                                op,
                                source: std::io::Error::from_raw_os_error(errno.wrapping_neg()),
                            });
                        }
                        if interrupted {
                            return Err(NetError::Netlink {
                                op,
                                source: std::io::Error::from_raw_os_error(nix::libc::EINTR),
                            });
                        }
                        return Ok(replies);
                    }
                    _ => {
                        replies.push((kind, payload.to_vec()));
                        if !dump {
                            return Ok(replies);
                        }
                    }
                }
            }
        }
    }
}

/// A netlink message (header, then payload and attributes), or a bare attribute list.
struct Message {
    bytes: Vec<u8>,
}

impl Message {
    /// A request of `kind` with `flags`; the length and sequence number are set by `finish`.
    /// Requests that are no dump ask for an acknowledgement.
    fn new(kind: u16, flags: u16) -> Message {
        let ack = if flags & NLM_F_DUMP == NLM_F_DUMP {
            0
        } else {
            NLM_F_ACK
        };
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        bytes.extend_from_slice(&kind.to_ne_bytes());
        bytes.extend_from_slice(&(flags | NLM_F_REQUEST | ack).to_ne_bytes());
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        Message { bytes }
    }

    fn empty() -> Message {
        Message { bytes: Vec::new() }
    }

    fn is_dump(&self) -> bool {
        u16_at(&self.bytes, 6).is_some_and(|flags| flags & NLM_F_DUMP == NLM_F_DUMP)
    }

    /// Appends raw bytes (a fixed header such as `ifinfomsg`).
    fn raw(mut self, bytes: &[u8]) -> Message {
        self.bytes.extend_from_slice(bytes);
        self
    }

    /// Appends the attribute `kind` holding `value`, padded to 4 bytes.
    fn attr(&mut self, kind: u16, value: &[u8]) {
        let len = u16::try_from(4 + value.len()).unwrap_or(u16::MAX);
        self.bytes.extend_from_slice(&len.to_ne_bytes());
        self.bytes.extend_from_slice(&kind.to_ne_bytes());
        self.bytes.extend_from_slice(value);
        self.bytes.resize(self.bytes.len().next_multiple_of(4), 0);
    }

    /// Appends a nested attribute holding `inner`'s attributes.
    fn nested(&mut self, kind: u16, inner: &Message) {
        self.attr(kind | NLA_F_NESTED, &inner.bytes);
    }

    /// The message with its length and sequence number in its header.
    fn finish(mut self, sequence: u32) -> Vec<u8> {
        let len = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        self.bytes[..4].copy_from_slice(&len.to_ne_bytes());
        self.bytes[8..12].copy_from_slice(&sequence.to_ne_bytes());
        self.bytes
    }
}

/// The attributes in `bytes` as (type without flags, value); stops at the first malformed one.
fn attributes(mut bytes: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let len = usize::from(u16_at(bytes, 0)?);
        let kind = u16_at(bytes, 2)? & !(NLA_F_NESTED | 0x4000);
        if len < 4 || len > bytes.len() {
            return None;
        }
        let value = &bytes[4..len];
        bytes = &bytes[len.next_multiple_of(4).min(bytes.len())..];
        Some((kind, value))
    })
}

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at + 2)?;
    Some(u16::from_ne_bytes([b[0], b[1]]))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at + 4)?;
    Some(u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
}

fn c_string(text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(0);
    bytes
}

#[cfg(test)]
#[path = "netlink_tests.rs"]
mod tests;
