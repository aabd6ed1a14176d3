//! The two rtnetlink requests this crate makes itself, built by hand (a netlink library would
//! be a dependency tree for two messages): set a link up, and add a veth pair. Requests go to
//! the network namespace the socket was opened in, so the caller opens it on a thread that is
//! in the namespace it means.

use crate::error::{NetError, Result};
use nix::sys::socket::{
    AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType, bind, recv, send,
    socket,
};
use std::os::fd::{AsRawFd, OwnedFd};

const RTM_NEWLINK: u16 = 16;
const NLMSG_ERROR: u16 = 2;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_ACK: u16 = 0x4;
const NLM_F_EXCL: u16 = 0x200;
const NLM_F_CREATE: u16 = 0x400;
const IFF_UP: u32 = 0x1;
const IFLA_IFNAME: u16 = 3;
const IFLA_LINKINFO: u16 = 18;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;
const NLA_F_NESTED: u16 = 0x8000;

/// An rtnetlink socket in the namespace of the thread that opened it.
pub(crate) struct RouteSocket {
    fd: OwnedFd,
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
        Ok(RouteSocket { fd })
    }

    /// Sets the link with index `index` up.
    pub(crate) fn set_up(&self, index: u32) -> Result<()> {
        let index = i32::try_from(index).unwrap_or(i32::MAX);
        let message = Message::new(RTM_NEWLINK, 0).link(index, IFF_UP, IFF_UP);
        self.request("set link up", message)
    }

    /// Creates the veth pair `name` and `peer` in this namespace.
    pub(crate) fn add_veth_pair(&self, name: &str, peer: &str) -> Result<()> {
        let mut peer_info = Message::empty().link(0, 0, 0);
        peer_info.attr(IFLA_IFNAME, &c_string(peer));
        let mut data = Message::empty();
        data.attr(VETH_INFO_PEER | NLA_F_NESTED, &peer_info.bytes);
        let mut link_info = Message::empty();
        link_info.attr(IFLA_INFO_KIND, b"veth");
        link_info.attr(IFLA_INFO_DATA | NLA_F_NESTED, &data.bytes);
        let mut message = Message::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).link(0, 0, 0);
        message.attr(IFLA_IFNAME, &c_string(name));
        message.attr(IFLA_LINKINFO | NLA_F_NESTED, &link_info.bytes);
        self.request("add veth pair", message)
    }

    /// Sends `message` and reads the kernel's acknowledgement.
    fn request(&self, op: &'static str, message: Message) -> Result<()> {
        let failed = |source: nix::Error| NetError::Netlink {
            op,
            source: source.into(),
        };
        send(self.fd.as_raw_fd(), &message.finish(), MsgFlags::empty()).map_err(failed)?;
        let mut reply = [0u8; 4096];
        let len = recv(self.fd.as_raw_fd(), &mut reply, MsgFlags::empty()).map_err(failed)?;
        let reply = &reply[..len];
        let kind = reply.get(4..6).map(|b| u16::from_ne_bytes([b[0], b[1]]));
        let code = reply
            .get(16..20)
            .map(|b| i32::from_ne_bytes([b[0], b[1], b[2], b[3]]));
        match (kind, code) {
            (Some(NLMSG_ERROR), Some(0)) => Ok(()),
            (Some(NLMSG_ERROR), Some(errno)) => Err(NetError::Netlink {
                op,
                source: std::io::Error::from_raw_os_error(-errno),
            }),
            _ => Err(NetError::Netlink {
                op,
                source: std::io::Error::other("unexpected netlink reply"),
            }),
        }
    }
}

/// A netlink message (header, then payload and attributes), or a bare attribute list.
struct Message {
    bytes: Vec<u8>,
}

impl Message {
    /// A request of `kind` with `flags` (plus request and ack); the length is set by `finish`.
    fn new(kind: u16, flags: u16) -> Message {
        let mut bytes = Vec::with_capacity(64);
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        bytes.extend_from_slice(&kind.to_ne_bytes());
        bytes.extend_from_slice(&(flags | NLM_F_REQUEST | NLM_F_ACK).to_ne_bytes());
        bytes.extend_from_slice(&1u32.to_ne_bytes());
        bytes.extend_from_slice(&0u32.to_ne_bytes());
        Message { bytes }
    }

    fn empty() -> Message {
        Message { bytes: Vec::new() }
    }

    /// Appends an `ifinfomsg`: any family, link `index`, `flags` under `change`.
    fn link(mut self, index: i32, flags: u32, change: u32) -> Message {
        self.bytes.extend_from_slice(&[0, 0, 0, 0]);
        self.bytes.extend_from_slice(&index.to_ne_bytes());
        self.bytes.extend_from_slice(&flags.to_ne_bytes());
        self.bytes.extend_from_slice(&change.to_ne_bytes());
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

    /// The message with its length in its header.
    fn finish(mut self) -> Vec<u8> {
        let len = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        self.bytes[..4].copy_from_slice(&len.to_ne_bytes());
        self.bytes
    }
}

fn c_string(text: &str) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    bytes.push(0);
    bytes
}
