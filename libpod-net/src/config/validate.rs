//! The checks c/common makes on a network definition (`internal/util/validate.go` and the
//! option switches of `netavark/config.go`), with its words.

use super::UsedSubnet;
use crate::error::{NetError, Result};
use crate::types::{IpNet, Network, Route, Subnet};
use std::net::IpAddr;

/// Linux's `IFNAMSIZ - 1`.
const MAX_INTERFACE_NAME: usize = 15;

/// Checks an interface name as the kernel will: at most 15 bytes, not `.` or `..`, no `/`, `:`
/// or whitespace.
///
/// ```
/// use libpod_net::config::validate_interface_name;
/// assert!(validate_interface_name("podman1").is_ok());
/// assert!(validate_interface_name("a-very-long-bridge").is_err());
/// assert!(validate_interface_name("br:0").is_err());
/// ```
pub fn validate_interface_name(name: &str) -> Result<()> {
    let invalid = |reason| {
        Err(NetError::InvalidInterfaceName {
            name: name.to_string(),
            reason,
        })
    };
    if name.len() > MAX_INTERFACE_NAME {
        return invalid("interface names must be 15 characters or less");
    }
    if name == "." || name == ".." {
        return invalid("interface name is . or ..");
    }
    if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace())
    {
        return invalid("interface name contains / or : or whitespace characters");
    }
    Ok(())
}

/// Checks and completes the subnets: each becomes its network address, overlaps nothing in
/// `used`, gets its first address as gateway when `add_gateway` and none was given, and has
/// its gateway and lease range inside it. Sets `ipv6_enabled` when a subnet is IPv6.
pub(crate) fn validate_subnets(
    network: &mut Network,
    add_gateway: bool,
    used: &[UsedSubnet],
) -> Result<()> {
    for subnet in &mut network.subnets {
        validate_subnet(subnet, add_gateway, used)?;
        network.ipv6_enabled |= subnet.subnet.is_ipv6();
    }
    Ok(())
}

fn validate_subnet(subnet: &mut Subnet, add_gateway: bool, used: &[UsedSubnet]) -> Result<()> {
    let net = subnet.subnet.network();
    if let Some(user) = used.iter().find(|u| u.subnet.overlaps(&net)) {
        return Err(NetError::SubnetInUse {
            subnet: net.to_string(),
            by: user.by.clone(),
        });
    }
    subnet.subnet = net;
    let inside = |what, address: IpAddr| {
        if net.contains(address) {
            Ok(address.to_canonical())
        } else {
            Err(NetError::AddressOutsideSubnet {
                what,
                address,
                subnet: net.to_string(),
            })
        }
    };
    match subnet.gateway {
        Some(gateway) => subnet.gateway = Some(inside("gateway", gateway)?),
        None if add_gateway => subnet.gateway = Some(first_address(net)),
        None => {}
    }
    if let Some(range) = &mut subnet.lease_range {
        if let Some(start) = range.start_ip {
            range.start_ip = Some(inside("lease range start ip", start)?);
        }
        if let Some(end) = range.end_ip {
            range.end_ip = Some(inside("lease range end ip", end)?);
        }
    }
    Ok(())
}

/// The subnet's first address after its network address (c/common's `FirstIPInSubnet`; a /32
/// or /128 is its own).
pub(crate) fn first_address(net: IpNet) -> IpAddr {
    let full = if net.is_ipv6() { 128 } else { 32 };
    if net.prefix() == full {
        return net.address();
    }
    match net.network().address() {
        IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) + 1).into()),
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) + 1).into()),
    }
}

/// A route's destination must be a network address.
pub(crate) fn validate_routes(network: &str, routes: &[Route]) -> Result<()> {
    match routes
        .iter()
        .find(|r| r.destination.network() != r.destination)
    {
        Some(_) => Err(NetError::invalid(network, "route destination invalid")),
        None => Ok(()),
    }
}

/// The bridge driver's options (`mtu`, `vlan`, `isolate`, `metric`, `no_default_route`, `vrf`,
/// `mode`), Docker's two aliases mapped first; values normalized as c/common does.
pub(crate) fn validate_bridge_options(network: &mut Network) -> Result<()> {
    if let Some(mtu) = network.options.remove("com.docker.network.driver.mtu") {
        network.options.insert("mtu".into(), mtu);
    }
    if let Some(bridge) = network.options.remove("com.docker.network.bridge.name") {
        network.network_interface = bridge;
    }
    let name = network.name.clone();
    for (key, value) in &mut network.options {
        match key.as_str() {
            "mtu" => parse_mtu(&name, value)?,
            "vlan" => parse_vlan(&name, value)?,
            "isolate" => *value = parse_isolate(&name, value)?,
            "metric" => parse_u32(&name, key, value)?,
            "no_default_route" => *value = parse_bool(&name, key, value)?.to_string(),
            "vrf" if value.is_empty() => return Err(NetError::invalid(&name, "invalid vrf name")),
            "vrf" => {}
            "mode" if value == "managed" || value == "unmanaged" => {}
            "mode" => {
                return Err(NetError::invalid(
                    &name,
                    format!("unknown bridge mode {value:?}"),
                ));
            }
            _ => {
                return Err(NetError::invalid(
                    &name,
                    format!("unsupported bridge network option {key}"),
                ));
            }
        }
    }
    Ok(())
}

/// macvlan's options (`mode`, `metric`, `mtu`, `no_default_route`, `bclim`).
pub(crate) fn validate_macvlan_options(network: &mut Network) -> Result<()> {
    const MODES: [&str; 5] = ["", "bridge", "private", "vepa", "passthru"];
    let name = network.name.clone();
    for (key, value) in &mut network.options {
        match key.as_str() {
            "mode" if MODES.contains(&value.as_str()) => {}
            "mode" => {
                return Err(NetError::invalid(
                    &name,
                    format!("unknown macvlan mode {value:?}"),
                ));
            }
            "metric" => parse_u32(&name, key, value)?,
            "mtu" => parse_mtu(&name, value)?,
            "no_default_route" => *value = parse_bool(&name, key, value)?.to_string(),
            "bclim" if value.parse::<i32>().is_ok() => {}
            _ => {
                return Err(NetError::invalid(
                    &name,
                    format!("unsupported macvlan network option {key}"),
                ));
            }
        }
    }
    Ok(())
}

fn parse_mtu(network: &str, value: &str) -> Result<()> {
    match value.parse::<i64>() {
        Ok(mtu) if mtu >= 0 => Ok(()),
        Ok(_) => Err(NetError::invalid(
            network,
            format!("mtu {value} is less than zero"),
        )),
        Err(_) => Err(NetError::invalid(network, format!("invalid mtu {value:?}"))),
    }
}

fn parse_vlan(network: &str, value: &str) -> Result<()> {
    match value.parse::<u16>() {
        Ok(vlan) if vlan <= 4094 => Ok(()),
        _ => Err(NetError::invalid(
            network,
            format!("vlan ID {value} must be between 0 and 4094"),
        )),
    }
}

fn parse_isolate(network: &str, value: &str) -> Result<String> {
    if value == "strict" {
        return Ok(value.to_string());
    }
    parse_bool(network, "isolate", value).map(|b| b.to_string())
}

fn parse_u32(network: &str, key: &str, value: &str) -> Result<()> {
    value
        .parse::<u32>()
        .map(drop)
        .map_err(|_| NetError::invalid(network, format!("invalid {key} {value:?}")))
}

/// Go's `strconv.ParseBool`.
fn parse_bool(network: &str, key: &str, value: &str) -> Result<bool> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(NetError::invalid(
            network,
            format!("invalid {key} {value:?}"),
        )),
    }
}
