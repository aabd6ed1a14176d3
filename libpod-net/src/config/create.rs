//! Completing and checking a new network's definition, as c/common's `networkCreate` does:
//! driver, name, bridge name, subnets (free ones picked), gateway, options, DNS.

use super::free::{free_device_name, free_ipv4_subnet, free_ipv6_subnet};
use super::validate::{
    validate_bridge_options, validate_interface_name, validate_macvlan_options, validate_routes,
    validate_subnets,
};
use super::{SubnetPool, UsedSubnet};
use crate::error::{NetError, Result};
use crate::types::{Network, Subnet};
use std::collections::BTreeSet;
use std::net::IpAddr;

/// What a new network must stay clear of.
pub(crate) struct Taken {
    /// Network names in our directory.
    pub(crate) names: BTreeSet<String>,
    /// Bridge names of our networks and of the foreign directories' (and Podman's `podman0`).
    pub(crate) bridges: BTreeSet<String>,
    /// The host's interface names.
    pub(crate) interfaces: BTreeSet<String>,
    /// Subnets of every network we know and of the host's interfaces.
    pub(crate) subnets: Vec<UsedSubnet>,
}

/// Fills in and checks `network` (which has its ID already). `is_default` skips the check
/// against used subnets, as c/common does for its default network: it must always be creatable.
pub(crate) fn complete(
    mut network: Network,
    taken: &Taken,
    pools: &[SubnetPool],
    is_default: bool,
) -> Result<Network> {
    if network.driver.is_empty() {
        network.driver = "bridge".into();
    }
    if network.name.is_empty() {
        let all: BTreeSet<String> = taken
            .names
            .iter()
            .chain(&taken.bridges)
            .chain(&taken.interfaces)
            .cloned()
            .collect();
        network.name = free_device_name("podman", &all)?;
        if network.driver == "bridge" && network.network_interface.is_empty() {
            network.network_interface = network.name.clone();
        }
    } else {
        libpod_spec::parse::check_name("network", &network.name)
            .map_err(|err| NetError::invalid(&network.name, err.to_string()))?;
        if taken.names.contains(&network.name) {
            return Err(NetError::NetworkExists { name: network.name });
        }
    }
    if !network.network_interface.is_empty() {
        validate_interface_name(&network.network_interface)?;
    }
    validate_ipam_driver(&network)?;
    let mut used: &[UsedSubnet] = if is_default || network.driver != "bridge" {
        &[]
    } else {
        &taken.subnets
    };
    match network.driver.as_str() {
        "bridge" => {
            validate_bridge_options(&mut network)?;
            if network.options.contains_key("vlan")
                || network
                    .options
                    .get("mode")
                    .is_some_and(|m| m == "unmanaged")
            {
                used = &[];
            }
            create_bridge(&mut network, taken, used, pools)?;
        }
        "macvlan" => create_macvlan(&mut network, taken)?,
        other => {
            return Err(NetError::invalid(
                &network.name,
                format!("unsupported driver {other}"),
            ));
        }
    }
    if network
        .ipam_options
        .get("driver")
        .is_some_and(|d| d == "none")
    {
        network.dns_enabled = false;
    }
    if !network.network_dns_servers.is_empty() && !network.dns_enabled {
        return Err(NetError::invalid(
            &network.name,
            "cannot set NetworkDNSServers if DNS is not enabled for the network",
        ));
    }
    if let Some(bad) = network
        .network_dns_servers
        .iter()
        .find(|s| s.parse::<IpAddr>().is_err())
    {
        return Err(NetError::invalid(
            &network.name,
            format!("unable to parse ip {bad} specified in NetworkDNSServers"),
        ));
    }
    let add_gateway = !network.internal || network.dns_enabled;
    validate_subnets(&mut network, add_gateway, used)?;
    validate_routes(&network.name, &network.routes)?;
    network.created = libpod_fs::now_rfc3339();
    Ok(network)
}

fn validate_ipam_driver(network: &Network) -> Result<()> {
    match network.ipam_options.get("driver").map(String::as_str) {
        None | Some("" | "host-local" | "dhcp") => Ok(()),
        Some("none") if network.subnets.is_empty() => Ok(()),
        Some("none") => Err(NetError::invalid(
            &network.name,
            "none ipam driver is set but subnets are given",
        )),
        Some(other) => Err(NetError::invalid(
            &network.name,
            format!("unsupported ipam driver {other:?}"),
        )),
    }
}

fn create_bridge(
    network: &mut Network,
    taken: &Taken,
    used: &[UsedSubnet],
    pools: &[SubnetPool],
) -> Result<()> {
    let unmanaged = network
        .options
        .get("mode")
        .is_some_and(|m| m == "unmanaged");
    if network.network_interface.is_empty() {
        let all: BTreeSet<String> = taken.bridges.union(&taken.interfaces).cloned().collect();
        network.network_interface = free_device_name("podman", &all)?;
    } else if !unmanaged
        && !network.options.contains_key("vlan")
        && taken.bridges.contains(&network.network_interface)
    {
        return Err(NetError::InterfaceInUse {
            name: network.network_interface.clone(),
        });
    }
    let ipam = network.ipam_options.get("driver").map(String::as_str);
    if matches!(ipam, None | Some("" | "host-local")) {
        if network.subnets.is_empty() {
            network
                .subnets
                .push(Subnet::new(free_ipv4_subnet(used, pools)?));
        }
        if network.ipv6_enabled {
            if !network.subnets.iter().any(|s| !s.subnet.is_ipv6()) {
                network
                    .subnets
                    .push(Subnet::new(free_ipv4_subnet(used, pools)?));
            }
            if !network.subnets.iter().any(|s| s.subnet.is_ipv6()) {
                network.subnets.push(Subnet::new(free_ipv6_subnet(used)?));
            }
        }
        network
            .ipam_options
            .insert("driver".into(), "host-local".into());
    }
    Ok(())
}

fn create_macvlan(network: &mut Network, taken: &Taken) -> Result<()> {
    if !network.network_interface.is_empty()
        && !taken.interfaces.contains(&network.network_interface)
    {
        return Err(NetError::invalid(
            &network.name,
            format!(
                "parent interface {} does not exist",
                network.network_interface
            ),
        ));
    }
    // netavark implements no DNS on macvlan.
    network.dns_enabled = false;
    let driver = match network.ipam_options.get("driver").map(String::as_str) {
        None | Some("") if network.subnets.is_empty() => "dhcp",
        None | Some("") => "host-local",
        Some("host-local") if network.subnets.is_empty() => {
            return Err(NetError::invalid(
                &network.name,
                "macvlan driver needs at least one subnet specified when the host-local ipam driver is set",
            ));
        }
        Some("dhcp") if !network.subnets.is_empty() => {
            return Err(NetError::invalid(&network.name, "ipam driver dhcp set but subnets are set"));
        }
        Some(other) => other,
    }
    .to_string();
    network.ipam_options.insert("driver".into(), driver);
    validate_macvlan_options(network)
}
