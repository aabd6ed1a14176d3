//! `network create [flags] [NAME]`: prints the new network's name, as Podman 4.3's.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::CoreError;
use libpod_core::network::Network;
use libpod_core::runtime::Runtime;
use libpod_net::NetError;
use libpod_net::types::{IpNet, LeaseRange, Subnet};
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(Args)]
pub struct CreateArgs {
    /// Driver to manage the network (bridge, macvlan, ipvlan).
    #[arg(short, long, default_value = "bridge")]
    driver: String,
    /// Set driver specific options (KEY=VALUE).
    #[arg(short, long)]
    opt: Vec<String>,
    /// Set metadata on a network (KEY=VALUE).
    #[arg(long)]
    label: Vec<String>,
    /// Subnet in CIDR format.
    #[arg(long)]
    subnet: Vec<String>,
    /// IPv4 or IPv6 gateway for the subnet (paired with `--subnet` by position).
    #[arg(long)]
    gateway: Vec<IpAddr>,
    /// Allocate container IP from range (CIDR, paired with `--subnet` by position).
    #[arg(long = "ip-range")]
    ip_range: Vec<String>,
    /// Enable IPv6 networking.
    #[arg(long)]
    ipv6: bool,
    /// Restrict external access from this network.
    #[arg(long)]
    internal: bool,
    /// Disable DNS plugin.
    #[arg(long = "disable-dns")]
    disable_dns: bool,
    /// The host interface (the bridge's name) for the network.
    #[arg(long = "interface-name")]
    interface_name: Option<String>,
    /// Don't fail if the network already exists.
    #[arg(long)]
    ignore: bool,
    /// The network's name (else a free `podmanN`).
    name: Option<String>,
}

pub fn create(rt: &Runtime, args: CreateArgs) -> Result {
    let request = request(&args)?;
    let network = match rt.create_network(request) {
        Ok(network) => network,
        Err(CoreError::NetworkConfig(NetError::NetworkExists { name })) if args.ignore => {
            rt.networks()?.inspect(&name)?
        }
        // c/common wraps its ErrNetworkExists.
        Err(err @ CoreError::NetworkConfig(NetError::NetworkExists { .. })) => {
            let message = format!("{err}: network already exists");
            return Err(Exit::new(OWN_ERROR, message).into());
        }
        Err(err) => return Err(err.into()),
    };
    println!("{}", network.name);
    Ok(())
}

/// The network asked for, checked as Podman's command line checks it.
fn request(args: &CreateArgs) -> Result<Network> {
    let mut network = Network::default();
    network.name = args.name.clone().unwrap_or_default();
    network.driver = args.driver.clone();
    network.network_interface = args.interface_name.clone().unwrap_or_default();
    network.options = key_values(&args.opt);
    network.labels = key_values(&args.label);
    network.internal = args.internal;
    network.ipv6_enabled = args.ipv6;
    network.dns_enabled = !args.disable_dns;
    if args.subnet.is_empty() {
        if !args.ip_range.is_empty() || !args.gateway.is_empty() {
            return Err(refused("cannot set gateway or range without subnet"));
        }
        return Ok(network);
    }
    if args.gateway.len() > args.subnet.len() {
        return Err(refused("cannot set more gateways than subnets"));
    }
    if args.ip_range.len() > args.subnet.len() {
        return Err(refused("cannot set more ranges than subnets"));
    }
    for (i, subnet) in args.subnet.iter().enumerate() {
        let mut entry = Subnet::new(cidr(subnet)?);
        entry.gateway = args.gateway.get(i).copied();
        entry.lease_range = args.ip_range.get(i).map(|r| lease_range(r)).transpose()?;
        network.subnets.push(entry);
    }
    Ok(network)
}

fn refused(message: &str) -> Box<dyn std::error::Error> {
    Exit::new(OWN_ERROR, message).into()
}

fn cidr(value: &str) -> Result<IpNet> {
    value
        .parse()
        .map_err(|_| refused(&format!("invalid CIDR address: {value}")))
}

/// `--ip-range CIDR` as Podman turns it into a lease range: the first address after the
/// range's network address, through its last (broadcast) address.
fn lease_range(value: &str) -> Result<LeaseRange> {
    let range = cidr(value)?.network();
    let first = range.address();
    let last = last_address(&range);
    let mut lease = LeaseRange::default();
    lease.start_ip = Some(if range.prefix() == max_prefix(first) {
        first
    } else {
        next(first)
    });
    lease.end_ip = Some(last);
    Ok(lease)
}

fn max_prefix(ip: IpAddr) -> u8 {
    if ip.is_ipv4() { 32 } else { 128 }
}

fn last_address(net: &IpNet) -> IpAddr {
    let host_bits = u32::from(max_prefix(net.address()) - net.prefix());
    match net.address() {
        IpAddr::V4(v4) => {
            let mask = u32::MAX
                .checked_shr(32 - host_bits)
                .filter(|_| host_bits > 0);
            IpAddr::V4((u32::from(v4) | mask.unwrap_or(0)).into())
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX
                .checked_shr(128 - host_bits)
                .filter(|_| host_bits > 0);
            IpAddr::V6((u128::from(v6) | mask.unwrap_or(0)).into())
        }
    }
}

fn next(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(u32::from(v4).wrapping_add(1).into()),
        IpAddr::V6(v6) => IpAddr::V6(u128::from(v6).wrapping_add(1).into()),
    }
}

/// `KEY=VALUE` flags as a map (a bare `KEY` maps to the empty string, as Podman's labels).
fn key_values(given: &[String]) -> BTreeMap<String, String> {
    given
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (kv.clone(), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_range_spans_after_the_network_address_through_the_broadcast() {
        let lease = lease_range("10.89.3.128/25").unwrap();
        assert_eq!(lease.start_ip, Some("10.89.3.129".parse().unwrap()));
        assert_eq!(lease.end_ip, Some("10.89.3.255".parse().unwrap()));
        let single = lease_range("10.89.3.7/32").unwrap();
        assert_eq!(single.start_ip, single.end_ip);
        let v6 = lease_range("fd00::/120").unwrap();
        assert_eq!(v6.end_ip, Some("fd00::ff".parse().unwrap()));
    }
}
