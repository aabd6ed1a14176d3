//! A container's attachment to a network, after c/common's `PerNetworkOptions`
//! (libnetwork/types/network.go): what a `--network NAME:...` or a `network connect` asked
//! for. Attachments change after the container is created (connect, disconnect), so they are
//! not part of its config but a record of their own.

use serde::{Deserialize, Serialize};
use std::net::IpAddr;

/// A container's options on one network.
///
/// ```
/// use libpod_core::record::NetworkAttachment;
/// let mut web = NetworkAttachment::new("podman");
/// web.aliases.push("web".into());
/// web.static_ips.push("10.88.0.5".parse().unwrap());
/// assert_eq!(web.interface_name, "");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct NetworkAttachment {
    /// The network's name.
    pub network: String,
    /// Addresses asked for (else IPAM picks them).
    pub static_ips: Vec<IpAddr>,
    /// The MAC address asked for, `aa:bb:cc:dd:ee:ff` (else one is generated).
    pub static_mac: Option<String>,
    /// Other names the container has on this network.
    pub aliases: Vec<String>,
    /// The interface's name in the container (`eth0`, ...); empty until one is given, and
    /// unique among the container's attachments.
    pub interface_name: String,
}

impl NetworkAttachment {
    /// An attachment to `network` with no options.
    pub fn new(network: impl Into<String>) -> Self {
        NetworkAttachment {
            network: network.into(),
            ..NetworkAttachment::default()
        }
    }
}
