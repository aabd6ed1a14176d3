//! A new container's networking, completed when it is created: a mode the options did not
//! choose becomes containers.conf's (`netns`, bridge on the default network as root); bridge
//! mode's networks become attachments (the default network when none is named), each network
//! checked and named by its name (not an ID prefix), interfaces `eth0`, `eth1`... in order
//! unless named, static addresses and MACs checked, exposed ports put together (and published
//! with `-P`, `expose.rs`), published ports given free host ports. Other modes take no
//! networks and no ports, and ignore exposed ones (as Podman's do).

use super::connect::free_interface;
use super::namespace::parse_mac;
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, NetworkAttachment};
use crate::runtime::Runtime;
use libpod_net::types::{PortMapping, Protocol};
use libpod_spec::NetworkMode;
use std::net::{IpAddr, Ipv4Addr, TcpListener, UdpSocket};

/// Completes `config`'s networks and ports (see the module docs).
pub(crate) fn complete(rt: &Runtime, config: &mut ContainerConfig) -> Result<()> {
    config.spec.network.mode = config.spec.network.mode.or(&rt.engine_config().netns);
    let NetworkMode::Bridge(names) = &config.spec.network.mode else {
        config.exposed_ports.clear();
        if !config.networks.is_empty() || !config.port_mappings.is_empty() {
            return Err(CoreError::InvalidOption {
                option: "network",
                reason: format!(
                    "networks and published ports need bridge networking, not network mode {}",
                    config.spec.network.mode
                ),
            });
        }
        return Ok(());
    };
    let store = rt.networks()?;
    let names = if names.is_empty() {
        vec![store.default_network().to_string()]
    } else {
        names.clone()
    };
    let mut attachments: Vec<NetworkAttachment> = Vec::new();
    for name in &names {
        let mut attachment = config
            .networks
            .iter()
            .find(|a| a.network == *name)
            .cloned()
            .unwrap_or_else(|| NetworkAttachment::new(name.clone()));
        attachment.network = store.inspect(name)?.name;
        if let Some(mac) = &attachment.static_mac {
            parse_mac(mac)?;
        }
        if attachments.iter().any(|a| a.network == attachment.network) {
            continue;
        }
        attachments.push(attachment);
    }
    for i in 0..attachments.len() {
        if attachments[i].interface_name.is_empty() {
            attachments[i].interface_name = free_interface(&attachments);
        }
    }
    config.spec.network.mode =
        NetworkMode::Bridge(attachments.iter().map(|a| a.network.clone()).collect());
    config.networks = attachments;
    super::expose::complete(config)?;
    for port in &mut config.port_mappings {
        if port.host_port == 0 {
            port.host_port = free_host_port(port)?;
        }
    }
    Ok(())
}

/// A host port the kernel says is free for the mapping's address and protocols (Podman picks
/// them at create too). A range gets consecutive ports from the one found, unchecked.
fn free_host_port(port: &PortMapping) -> Result<u16> {
    let ip: IpAddr = if port.host_ip.is_empty() {
        IpAddr::V4(Ipv4Addr::UNSPECIFIED)
    } else {
        port.host_ip.parse().map_err(|_| CoreError::InvalidOption {
            option: "publish",
            reason: format!("host IP {:?} is not an address", port.host_ip),
        })?
    };
    let protocols = port.protocols()?;
    let io = |err: std::io::Error| CoreError::io("find a free port", "/proc/net", err);
    for _ in 0..32 {
        let found = match protocols.first() {
            Some(Protocol::Udp) => UdpSocket::bind((ip, 0)).and_then(|s| s.local_addr()),
            _ => TcpListener::bind((ip, 0)).and_then(|s| s.local_addr()),
        }
        .map_err(io)?
        .port();
        let free_for_all = protocols.iter().all(|p| match p {
            Protocol::Udp => UdpSocket::bind((ip, found)).is_ok(),
            _ => TcpListener::bind((ip, found)).is_ok(),
        });
        if free_for_all && u32::from(found) + u32::from(port.range.max(1)) <= 65536 {
            return Ok(found);
        }
    }
    Err(CoreError::InvalidOption {
        option: "publish",
        reason: "no free host port found".into(),
    })
}
