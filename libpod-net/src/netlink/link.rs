//! Link requests: bridges and veth pairs made, links set up, grouped, removed and looked up.

use super::{
    Message, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, RouteSocket, attributes, c_string, u32_at,
};
use crate::error::{NetError, Result};
use std::os::fd::{AsRawFd, BorrowedFd};

const RTM_NEWLINK: u16 = 16;
const RTM_DELLINK: u16 = 17;
const RTM_GETLINK: u16 = 18;
const IFF_UP: u32 = 0x1;
const IFLA_ADDRESS: u16 = 1;
const IFLA_IFNAME: u16 = 3;
const IFLA_MTU: u16 = 4;
const IFLA_LINK: u16 = 5;
const IFLA_MASTER: u16 = 10;
const IFLA_LINKINFO: u16 = 18;
const IFLA_GROUP: u16 = 27;
const IFLA_NET_NS_FD: u16 = 28;
const IFLA_INFO_KIND: u16 = 1;
const IFLA_INFO_DATA: u16 = 2;
const VETH_INFO_PEER: u16 = 1;
/// `ifinfomsg`'s size.
const IFINFO_LEN: usize = 16;

/// What a lookup tells of a link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Link {
    /// Its index in its namespace.
    pub index: u32,
    /// Its name.
    pub name: String,
    /// Its kind (`bridge`, `veth`), when it has one.
    pub kind: Option<String>,
    /// Its hardware address.
    pub mac: Vec<u8>,
    /// For a veth, its peer's index (in the peer's namespace).
    pub peer_index: Option<u32>,
    /// The bridge it is a port of.
    pub master: Option<u32>,
    /// Its group (0 by default).
    pub group: u32,
}

/// An `ifinfomsg` for link `index` with `flags` under `change`.
fn ifinfo(index: u32, flags: u32, change: u32) -> [u8; IFINFO_LEN] {
    let mut bytes = [0u8; IFINFO_LEN];
    bytes[4..8].copy_from_slice(&index.to_ne_bytes());
    bytes[8..12].copy_from_slice(&flags.to_ne_bytes());
    bytes[12..16].copy_from_slice(&change.to_ne_bytes());
    bytes
}

impl RouteSocket {
    /// Sets the link with index `index` up.
    pub(crate) fn set_up(&self, index: u32) -> Result<()> {
        let message = Message::new(RTM_NEWLINK, 0).raw(&ifinfo(index, IFF_UP, IFF_UP));
        self.change("set link up", message)
    }

    /// Creates the veth pair `name` and `peer` in this namespace.
    pub(crate) fn add_veth_pair(&self, name: &str, peer: &str) -> Result<()> {
        let mut peer_info = Message::empty().raw(&ifinfo(0, 0, 0));
        peer_info.attr(IFLA_IFNAME, &c_string(peer));
        let mut message =
            Message::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).raw(&ifinfo(0, 0, 0));
        message.attr(IFLA_IFNAME, &c_string(name));
        message.nested(IFLA_LINKINFO, &link_info("veth", Some(&peer_info)));
        self.change("add veth pair", message)
    }

    /// Creates the bridge `name` (with `mtu`, 0 for the kernel's default).
    pub(crate) fn add_bridge(&self, name: &str, mtu: u32) -> Result<()> {
        let mut message =
            Message::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).raw(&ifinfo(0, 0, 0));
        message.attr(IFLA_IFNAME, &c_string(name));
        if mtu != 0 {
            message.attr(IFLA_MTU, &mtu.to_ne_bytes());
        }
        message.nested(IFLA_LINKINFO, &link_info("bridge", None));
        self.change("create bridge", message)
    }

    /// Creates a veth pair whose end here, `name`, is a port of the bridge `master` and whose
    /// peer `peer_name` is in the namespace `peer_netns`, with `peer_mac` when given; both with
    /// `mtu` (0 for the default).
    pub(crate) fn add_veth_to_bridge(
        &self,
        name: &str,
        master: u32,
        mtu: u32,
        peer_name: &str,
        peer_netns: BorrowedFd<'_>,
        peer_mac: Option<[u8; 6]>,
    ) -> Result<()> {
        let mut peer = Message::empty().raw(&ifinfo(0, 0, 0));
        peer.attr(IFLA_IFNAME, &c_string(peer_name));
        let fd = u32::try_from(peer_netns.as_raw_fd()).unwrap_or(u32::MAX);
        peer.attr(IFLA_NET_NS_FD, &fd.to_ne_bytes());
        if let Some(mac) = peer_mac {
            peer.attr(IFLA_ADDRESS, &mac);
        }
        if mtu != 0 {
            peer.attr(IFLA_MTU, &mtu.to_ne_bytes());
        }
        let mut message =
            Message::new(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL).raw(&ifinfo(0, 0, 0));
        message.attr(IFLA_IFNAME, &c_string(name));
        if mtu != 0 {
            message.attr(IFLA_MTU, &mtu.to_ne_bytes());
        }
        message.attr(IFLA_MASTER, &master.to_ne_bytes());
        message.nested(IFLA_LINKINFO, &link_info("veth", Some(&peer)));
        self.change("create veth pair", message)
    }

    /// Puts link `index` in group `group`.
    pub(crate) fn set_group(&self, index: u32, group: u32) -> Result<()> {
        let mut message = Message::new(RTM_NEWLINK, 0).raw(&ifinfo(index, 0, 0));
        message.attr(IFLA_GROUP, &group.to_ne_bytes());
        self.change("set link group", message)
    }

    /// Removes link `index` (a veth's peer goes with it).
    pub(crate) fn delete(&self, index: u32) -> Result<()> {
        let message = Message::new(RTM_DELLINK, 0).raw(&ifinfo(index, 0, 0));
        self.change("delete link", message)
    }

    /// Removes every link in group `group` at once: the kernel then waits for the network
    /// stack to let go of them once, not once per link.
    pub(crate) fn delete_group(&self, group: u32) -> Result<()> {
        let mut message = Message::new(RTM_DELLINK, 0).raw(&ifinfo(0, 0, 0));
        message.attr(IFLA_GROUP, &group.to_ne_bytes());
        self.change("delete link group", message)
    }

    /// The link named `name`, or `None` when there is none.
    pub(crate) fn link_by_name(&self, name: &str) -> Result<Option<Link>> {
        let mut message = Message::new(RTM_GETLINK, 0).raw(&ifinfo(0, 0, 0));
        message.attr(IFLA_IFNAME, &c_string(name));
        self.one_link(message)
    }

    /// The link with index `index`, or `None` when there is none.
    pub(crate) fn link_by_index(&self, index: u32) -> Result<Option<Link>> {
        self.one_link(Message::new(RTM_GETLINK, 0).raw(&ifinfo(index, 0, 0)))
    }

    /// The link a `RTM_GETLINK` request names; `None` for `ENODEV`.
    fn one_link(&self, message: Message) -> Result<Option<Link>> {
        match self.transact("get link", message) {
            Ok(replies) => Ok(replies.iter().find_map(|(_, payload)| parse_link(payload))),
            Err(NetError::Netlink { source, .. })
                if source.raw_os_error() == Some(nix::libc::ENODEV) =>
            {
                Ok(None)
            }
            Err(err) => Err(err),
        }
    }

    /// Every link in this namespace (the dump taken again, a few times, when links changed
    /// while it was taken).
    pub(crate) fn links(&self) -> Result<Vec<Link>> {
        let mut tries = 0;
        let replies = loop {
            let message = Message::new(RTM_GETLINK, NLM_F_DUMP).raw(&ifinfo(0, 0, 0));
            match self.transact("list links", message) {
                Err(NetError::Netlink { source, .. })
                    if source.raw_os_error() == Some(nix::libc::EINTR) && tries < 5 =>
                {
                    tries += 1;
                }
                other => break other?,
            }
        };
        Ok(replies
            .iter()
            .filter(|(kind, _)| *kind == RTM_NEWLINK)
            .filter_map(|(_, payload)| parse_link(payload))
            .collect())
    }
}

/// `IFLA_LINKINFO`'s content: the kind, and a veth's peer.
fn link_info(kind: &str, peer: Option<&Message>) -> Message {
    let mut info = Message::empty();
    info.attr(IFLA_INFO_KIND, kind.as_bytes());
    if let Some(peer) = peer {
        let mut data = Message::empty();
        data.nested(VETH_INFO_PEER, peer);
        info.nested(IFLA_INFO_DATA, &data);
    }
    info
}

/// A link from an `RTM_NEWLINK` payload.
pub(crate) fn parse_link(payload: &[u8]) -> Option<Link> {
    let mut link = Link {
        index: u32_at(payload, 4)?,
        ..Link::default()
    };
    for (kind, value) in attributes(payload.get(IFINFO_LEN..)?) {
        match kind {
            IFLA_IFNAME => {
                let name = value.split(|b| *b == 0).next().unwrap_or_default();
                link.name = String::from_utf8_lossy(name).into_owned();
            }
            IFLA_ADDRESS => link.mac = value.to_vec(),
            IFLA_LINK => link.peer_index = u32_at(value, 0),
            IFLA_MASTER => link.master = u32_at(value, 0),
            IFLA_GROUP => link.group = u32_at(value, 0).unwrap_or(0),
            IFLA_LINKINFO => {
                link.kind = attributes(value)
                    .find(|(k, _)| *k == IFLA_INFO_KIND)
                    .map(|(_, v)| {
                        let v = v.split(|b| *b == 0).next().unwrap_or_default();
                        String::from_utf8_lossy(v).into_owned()
                    });
            }
            _ => {}
        }
    }
    Some(link)
}
