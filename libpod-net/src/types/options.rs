//! What netavark is given for one container on `setup` and `teardown` (c/common's
//! `NetworkOptions` and `PerNetworkOptions`).

use super::mac::MacAddress;
use super::port::PortMapping;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A container's networking, as netavark reads it on stdin (with the networks' definitions
/// beside it in `network_info`, which the backend adds).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct NetworkOptions {
    /// The container's ID (firewall rule comments).
    pub container_id: String,
    /// The container's name (DNS).
    pub container_name: String,
    /// Its published ports.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub port_mappings: Vec<PortMapping>,
    /// The networks it joins, by name, with its options on each.
    pub networks: BTreeMap<String, PerNetworkOptions>,
    /// DNS servers aardvark-dns forwards to for this container.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_servers: Vec<String>,
    /// Its hostname (DNS).
    pub container_hostname: String,
}

/// A container's options on one network: its addresses, MAC, DNS aliases, interface name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PerNetworkOptions {
    /// Its addresses on the network (ours: allocated before setup).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub static_ips: Vec<IpAddr>,
    /// Names aardvark-dns resolves to it, beside its name.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// Its MAC address, if fixed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_mac: Option<MacAddress>,
    /// The interface in the container (`eth0`).
    pub interface_name: String,
    /// Driver options for this container.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}
