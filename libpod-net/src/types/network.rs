//! A network's definition, as c/common's `Network`: what `podman network create` writes to
//! `NAME.json` in the network config directory.

use super::cidr::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// A network: its name, ID, driver, subnets and options.
///
/// ```
/// use libpod_net::types::Network;
/// let json = r#"{"name": "podman", "id": "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9",
///   "driver": "bridge", "network_interface": "podman0", "created": "2026-12-07T01:08:58.798859156Z",
///   "subnets": [{"subnet": "10.88.0.0/16", "gateway": "10.88.0.1"}],
///   "ipv6_enabled": false, "internal": false, "dns_enabled": false,
///   "ipam_options": {"driver": "host-local"}}"#;
/// let network: Network = serde_json::from_str(json)?;
/// assert_eq!(network.subnets[0].subnet.to_string(), "10.88.0.0/16");
/// assert_eq!(network.ipam_options["driver"], "host-local");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Network {
    /// Its name, unique among networks.
    pub name: String,
    /// 64 hex digits.
    pub id: String,
    /// `bridge`, `macvlan`, `ipvlan`.
    pub driver: String,
    /// The host interface: the bridge (`podman0`) or macvlan's parent.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub network_interface: String,
    /// When it was created (RFC 3339 with nanoseconds).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub created: String,
    /// Its subnets (none for a macvlan network using DHCP).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<Subnet>,
    /// Extra routes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// Whether it has an IPv6 subnet.
    pub ipv6_enabled: bool,
    /// No route out of the network.
    pub internal: bool,
    /// aardvark-dns answers for the containers on it.
    pub dns_enabled: bool,
    /// DNS servers aardvark-dns forwards to for this network.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub network_dns_servers: Vec<String>,
    /// Labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Driver options (`mtu`, `vlan`, `isolate`, ...).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// IPAM options (`driver`: `host-local`, `dhcp`, `none`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ipam_options: BTreeMap<String, String>,
}

/// A subnet of a network, with its gateway and the range addresses are leased from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subnet {
    /// The subnet (its network address and prefix).
    pub subnet: IpNet,
    /// The gateway, in the subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<IpAddr>,
    /// Where containers' addresses come from, if not the whole subnet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_range: Option<LeaseRange>,
}

impl Subnet {
    /// A subnet with no gateway and no lease range.
    pub fn new(subnet: IpNet) -> Subnet {
        Subnet {
            subnet,
            gateway: None,
            lease_range: None,
        }
    }
}

/// The first and last address containers get (`--ip-range`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct LeaseRange {
    /// The first address handed out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_ip: Option<IpAddr>,
    /// The last address handed out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_ip: Option<IpAddr>,
}

/// A route added in the containers of a network.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Route {
    /// Where it leads.
    pub destination: IpNet,
    /// Through which gateway.
    pub gateway: IpAddr,
    /// Its metric.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<u32>,
}
