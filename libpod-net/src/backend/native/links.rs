//! The links of a bridge network, as netavark 1.4's bridge driver makes them: the bridge (made
//! on first use, with the gateways' addresses), a veth pair from it into the container's
//! namespace, the container's addresses and default routes; and their removal, the bridge
//! with the network's last container.

use super::sysctl;
use crate::error::{NetError, Result};
use crate::netlink::{Link, RouteSocket};
use crate::netns;
use crate::types::{IpNet, MacAddress};
use std::fs::File;
use std::os::fd::AsFd;
use std::path::Path;

/// One network's links for one container.
#[derive(Debug)]
pub(super) struct Attachment<'a> {
    pub bridge: &'a str,
    pub interface: &'a str,
    /// The host end of the veth pair ([`host_interface`]).
    pub host_interface: String,
    pub mtu: u32,
    pub metric: u32,
    pub internal: bool,
    pub mac: Option<MacAddress>,
    /// The container's addresses, with their subnets' prefixes.
    pub addresses: Vec<IpNet>,
    /// The gateways, with their subnets' prefixes.
    pub gateways: Vec<IpNet>,
}

impl Attachment<'_> {
    fn ipv6(&self) -> bool {
        self.addresses
            .iter()
            .chain(&self.gateways)
            .any(IpNet::is_ipv6)
    }
}

/// The sockets a setup or teardown works through: the host's, and the container's
/// namespace's (none when it is gone).
pub(super) struct Sockets {
    pub host: RouteSocket,
    pub container: Option<(RouteSocket, File)>,
}

impl Sockets {
    /// Opens them; a namespace that is gone is `None` when `must_exist` is false.
    pub(super) fn open(netns: &Path, must_exist: bool) -> Result<Sockets> {
        let host = RouteSocket::open()?;
        if !must_exist && !netns::exists(netns) {
            return Ok(Sockets {
                host,
                container: None,
            });
        }
        let file = File::open(netns).map_err(|e| NetError::Netns {
            op: "open",
            path: netns.to_path_buf(),
            source: e,
        })?;
        let socket = netns::run_in(netns, RouteSocket::open)??;
        Ok(Sockets {
            host,
            container: Some((socket, file)),
        })
    }
}

/// Puts the container on the bridge; the MAC address its interface got.
pub(super) fn attach(
    sockets: &Sockets,
    netns: &Path,
    attachment: &Attachment<'_>,
) -> Result<MacAddress> {
    let Some((container, netns_file)) = &sockets.container else {
        return Err(NetError::InvalidSetup(
            "the network namespace is gone".into(),
        ));
    };
    let host = &sockets.host;
    sysctl::set("net/ipv4/ip_forward", "1")?;
    if attachment.ipv6() {
        sysctl::set("net/ipv6/conf/all/forwarding", "1")?;
    }
    let bridge = bridge(host, attachment)?;
    // A pair of this container's left by a teardown that never ran (its name is derived from
    // the container and interface, so it is no one else's).
    if let Some(stale) = host
        .link_by_name(&attachment.host_interface)?
        .filter(|link| link.kind.as_deref() == Some("veth"))
    {
        gone_is_fine(host.delete(stale.index))?;
    }
    let mac = attachment.mac.map(|m| m.0);
    let made = host.add_veth_to_bridge(
        &attachment.host_interface,
        bridge.index,
        attachment.mtu,
        attachment.interface,
        netns_file.as_fd(),
        mac,
    );
    if let Err(NetError::Netlink { source, .. }) = &made
        && source.raw_os_error() == Some(nix::libc::EEXIST)
    {
        return Err(NetError::InvalidSetup(format!(
            "create veth pair: interface {} already exists on container namespace",
            attachment.interface
        )));
    }
    made?;
    let veth = container
        .link_by_name(attachment.interface)?
        .ok_or_else(|| missing("container veth", attachment.interface))?;
    let mac = <[u8; 6]>::try_from(veth.mac.as_slice())
        .map(MacAddress)
        .map_err(|_| NetError::InvalidSetup("the container veth has no MAC address".into()))?;
    let interface = attachment.interface.to_string();
    let ipv6 = attachment.ipv6();
    netns::run_in(netns, move || {
        sysctl::set_if_present(&format!("net/ipv6/conf/{interface}/autoconf"), "0")?;
        if ipv6 {
            sysctl::set(&format!("net/ipv6/conf/{interface}/accept_dad"), "0")?;
        }
        Ok::<(), NetError>(())
    })??;
    let host_veth = veth
        .peer_index
        .ok_or_else(|| missing("host veth of", attachment.interface))?;
    if ipv6 && let Some(link) = host.link_by_index(host_veth)? {
        sysctl::set(&format!("net/ipv6/conf/{}/accept_dad", link.name), "0")?;
    }
    host.set_up(host_veth)?;
    for address in &attachment.addresses {
        container.add_address(veth.index, *address)?;
    }
    container.set_up(veth.index)?;
    if !attachment.internal {
        let first_v4 = attachment.gateways.iter().find(|g| !g.is_ipv6());
        let first_v6 = attachment.gateways.iter().find(|g| g.is_ipv6());
        for gateway in first_v4.into_iter().chain(first_v6) {
            container.add_default_route(gateway.address(), attachment.metric)?;
        }
    }
    Ok(mac)
}

/// The bridge, made with the gateways' addresses and set up when missing.
fn bridge(host: &RouteSocket, attachment: &Attachment<'_>) -> Result<Link> {
    let name = attachment.bridge;
    if let Some(link) = host.link_by_name(name)? {
        return match link.kind.as_deref() {
            Some("bridge") => Ok(link),
            Some(kind) => Err(NetError::InvalidSetup(format!(
                "bridge interface {name} already exists but is a {kind} interface"
            ))),
            None => Err(NetError::InvalidSetup(format!(
                "could not determine namespace link kind for bridge {name}"
            ))),
        };
    }
    host.add_bridge(name, attachment.mtu)?;
    if attachment.ipv6() {
        sysctl::set(&format!("net/ipv6/conf/{name}/accept_dad"), "0")?;
        sysctl::set(&format!("net/ipv6/conf/{name}/accept_ra"), "0")?;
    }
    let link = host
        .link_by_name(name)?
        .ok_or_else(|| missing("bridge", name))?;
    for gateway in &attachment.gateways {
        host.add_address(link.index, *gateway)?;
    }
    host.set_up(link.index)?;
    Ok(link)
}

/// The host end's name of a container's veth pair: derived from the container and its
/// interface (where netavark 1.4 lets the kernel pick `vethN`), so that a teardown finds it
/// even when the namespace, and with it the other end, is already gone or going: the kernel
/// destroys a namespace in its own time, and until then the pair is still on the bridge.
pub(super) fn host_interface(container_id: &str, interface: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{container_id}/{interface}").as_bytes());
    let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("veth{}", &hex[..11])
}

/// What [`detach`] leaves to [`remove`]: the slow part, the kernel's removal of links.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Removal {
    /// Nothing is left to remove.
    Nothing,
    /// The container's veth pair (by its host end).
    Link(u32),
    /// The bridge with the container's pair, grouped for one removal.
    Group(u32),
}

/// Works out how the container leaves the bridge: whether it was the last on it (then the
/// bridge goes too), and the removal to make, prepared (links grouped) for [`remove`].
///
/// Only links that are surely ours are touched: the bridge when it is a bridge, the host end
/// by its derived name when it is a veth. A pair made by netavark (its host end `vethN`) is
/// removed as netavark does, by its end in the namespace, at once; not when `rollback` (a
/// setup that failed made no such pair, and one found there is somebody else's).
pub(super) fn detach(
    sockets: &Sockets,
    attachment: &Attachment<'_>,
    rollback: bool,
) -> Result<(bool, Removal)> {
    let host = &sockets.host;
    let is_veth = |link: &Link| link.kind.as_deref() == Some("veth");
    let ours = host
        .link_by_name(&attachment.host_interface)?
        .filter(is_veth)
        .map(|link| link.index);
    if ours.is_none()
        && !rollback
        && let Some((container, _)) = &sockets.container
        && let Some(inside) = container
            .link_by_name(attachment.interface)?
            .filter(is_veth)
    {
        gone_is_fine(container.delete(inside.index))?;
    }
    let alone = ours.map_or(Removal::Nothing, Removal::Link);
    let bridge = host
        .link_by_name(attachment.bridge)?
        .filter(|link| link.kind.as_deref() == Some("bridge"));
    let Some(bridge) = bridge else {
        return Ok((true, alone));
    };
    let links = host.links()?;
    let others = links
        .iter()
        .any(|l| l.master == Some(bridge.index) && Some(l.index) != ours);
    if others {
        return Ok((false, alone));
    }
    // One removal for both: the kernel's wait for the stack to let go of a link is paid once.
    let group = unused_group(&links);
    host.set_group(bridge.index, group)?;
    if let Some(index) = ours {
        gone_is_fine(host.set_group(index, group))?;
    }
    Ok((true, Removal::Group(group)))
}

/// Makes a removal [`detach`] prepared; links already gone are no error.
pub(super) fn remove(host: &RouteSocket, removal: Removal) -> Result<()> {
    match removal {
        Removal::Nothing => Ok(()),
        Removal::Link(index) => gone_is_fine(host.delete(index)),
        Removal::Group(group) => gone_is_fine(host.delete_group(group)),
    }
}

/// A link group no link is in (the groups are the host's; ours lives for one request).
fn unused_group(links: &[Link]) -> u32 {
    let mut group = 0x4c50_0000 | (std::process::id() & 0xffff);
    while group == 0 || links.iter().any(|l| l.group == group) {
        group = group.wrapping_add(0x1_0000);
    }
    group
}

fn gone_is_fine(result: Result<()>) -> Result<()> {
    match result {
        Err(NetError::Netlink { source, .. })
            if source.raw_os_error() == Some(nix::libc::ENODEV) =>
        {
            Ok(())
        }
        other => other,
    }
}

fn missing(what: &str, name: &str) -> NetError {
    NetError::InvalidSetup(format!("{what} {name} not found after it was made"))
}
