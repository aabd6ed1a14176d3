//! What netavark reports after `setup`, per network (c/common's `StatusBlock`).

use super::cidr::IpNet;
use super::mac::MacAddress;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A container's interfaces on one network and the DNS it should use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct StatusBlock {
    /// The interfaces made in the container, by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub interfaces: BTreeMap<String, NetInterface>,
    /// Name servers for the container's resolv.conf (aardvark-dns).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_server_ips: Vec<IpAddr>,
    /// Search domains for its resolv.conf (`dns.podman`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_search_domains: Vec<String>,
}

/// One interface in the container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NetInterface {
    /// Its addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<NetAddress>,
    /// Its MAC address.
    pub mac_address: MacAddress,
}

/// An address of an interface (`10.88.0.5/16`) with the subnet's gateway.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NetAddress {
    /// The interface's address with the subnet's prefix.
    pub ipnet: IpNet,
    /// The gateway (none on an internal network).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
}
