//! `network connect [--alias A] [--ip IP] [--ip6 IP] [--mac-address MAC] NETWORK CONTAINER`
//! and `network disconnect [-f] NETWORK CONTAINER`: no output, as Podman 4.3's.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::record::NetworkAttachment;
use libpod_core::runtime::Runtime;
use std::net::IpAddr;

#[derive(Args)]
pub struct ConnectArgs {
    /// Network scoped alias for the container.
    #[arg(long)]
    alias: Vec<String>,
    /// Set a static IPv4 address for this container on this network.
    #[arg(long)]
    ip: Option<IpAddr>,
    /// Set a static IPv6 address for this container on this network.
    #[arg(long)]
    ip6: Option<IpAddr>,
    /// Set a static MAC address for this container on this network.
    #[arg(long = "mac-address")]
    mac_address: Option<String>,
    /// The network (name or ID).
    network: String,
    /// The container (name or ID).
    container: String,
}

#[derive(Args)]
pub struct DisconnectArgs {
    /// Force the container to disconnect from a network (accepted; disconnecting never
    /// waits here).
    #[arg(short = 'f', long = "force")]
    _force: bool,
    /// The network (name or ID).
    network: String,
    /// The container (name or ID).
    container: String,
}

pub fn connect(rt: &Runtime, args: ConnectArgs) -> Result {
    for (flag, ip, v6) in [("ip", args.ip, false), ("ip6", args.ip6, true)] {
        if let Some(ip) = ip
            && ip.is_ipv6() != v6
        {
            return Err(Exit::new(
                OWN_ERROR,
                format!(
                    "{ip} is not an IP{} address (--{flag})",
                    if v6 { "v6" } else { "v4" }
                ),
            )
            .into());
        }
    }
    if let Some(mac) = &args.mac_address {
        mac.parse::<libpod_net::types::MacAddress>()
            .map_err(|e| Exit::new(OWN_ERROR, e.to_string()))?;
    }
    let ctr = rt.container(&args.container)?;
    let mut attachment = NetworkAttachment::new(args.network);
    attachment.aliases = args.alias;
    attachment.static_ips = args.ip.into_iter().chain(args.ip6).collect();
    attachment.static_mac = args.mac_address;
    rt.connect_network(&ctr, attachment)?;
    Ok(())
}

pub fn disconnect(rt: &Runtime, args: DisconnectArgs) -> Result {
    let ctr = rt.container(&args.container)?;
    rt.disconnect_network(&ctr, &args.network)?;
    Ok(())
}
