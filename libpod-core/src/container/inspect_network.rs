//! Inspect's networking: `NetworkSettings`, `HostConfig.PortBindings` and
//! `HostConfig.NetworkMode`, as Podman 4.3's `getContainerNetworkInfo`,
//! `makeInspectPortBindings` and `NetworkMode` give them.

use super::{Container, ContainerConfig, ContainerState};
use crate::error::Result;
use crate::network::namespace::aliases;
use crate::record::NetworkAttachment;
use libpod_net::types::StatusBlock;
use libpod_spec::{NamespaceKind, NetworkMode};
use serde_json::{Map, Value, json};
use std::net::IpAddr;

impl Container {
    /// `NetworkSettings`: the published and exposed ports; for a bridge container its
    /// networks (names and aliases only until its namespace is set up, then each network's
    /// addresses, gateway and MAC, and those of the default network at the top level when it
    /// is the only one); a container that joined another's namespace shows that one's.
    pub(super) fn network_settings(&self, state: &ContainerState) -> Result<Value> {
        let config = self.config();
        if let Some(owner) = config.namespace_from(NamespaceKind::Network)
            && let Ok(owner) = self.runtime().container(owner)
        {
            return owner.network_settings(&owner.state()?);
        }
        let mut settings = basic(None);
        settings.extend([
            ("Bridge".into(), json!("")),
            ("SandboxID".into(), json!("")),
            ("HairpinMode".into(), json!(false)),
            ("LinkLocalIPv6Address".into(), json!("")),
            ("LinkLocalIPv6PrefixLen".into(), json!(0)),
            ("Ports".into(), port_bindings(config)),
            ("SandboxKey".into(), json!("")),
        ]);
        if !matches!(config.spec.network.mode, NetworkMode::Bridge(_)) {
            return Ok(Value::Object(settings));
        }
        let attachments = self.runtime().state().container_networks(self.id())?;
        let Some(netns) = &state.netns_path else {
            if !attachments.is_empty() {
                let networks = attachments
                    .iter()
                    .map(|a| (a.network.clone(), network(a, self.id(), None)))
                    .collect();
                settings.insert("Networks".into(), Value::Object(networks));
            }
            return Ok(Value::Object(settings));
        };
        settings.insert("SandboxKey".into(), json!(netns.display().to_string()));
        if state.network_status.is_empty() {
            return Ok(Value::Object(settings));
        }
        let networks = attachments
            .iter()
            .map(|a| {
                let status = state.network_status.get(&a.network);
                (a.network.clone(), network(a, self.id(), status))
            })
            .collect();
        settings.insert("Networks".into(), Value::Object(networks));
        if let [only] = &attachments[..]
            && only.network == self.runtime().networks()?.default_network()
        {
            settings.extend(basic(state.network_status.get(&only.network)));
        }
        Ok(Value::Object(settings))
    }
}

/// `HostConfig.NetworkMode`: `bridge` for any bridge container (Podman records the mode, not
/// the networks), else the mode as written.
pub(super) fn network_mode(config: &ContainerConfig) -> String {
    match &config.spec.network.mode {
        NetworkMode::Bridge(_) => "bridge".to_string(),
        other => other.to_string(),
    }
}

/// `HostConfig.PortBindings` and `NetworkSettings.Ports`: each published port and protocol
/// (`80/tcp`) with its host address and port, then the exposed ones not published, with
/// none.
pub(super) fn port_bindings(config: &ContainerConfig) -> Value {
    let mut bindings: Map<String, Value> = Map::new();
    for mapping in &config.port_mappings {
        let protocols = if mapping.protocol.is_empty() {
            "tcp"
        } else {
            &mapping.protocol
        };
        for protocol in protocols.split(',') {
            for i in 0..mapping.range.max(1) {
                let key = format!("{}/{protocol}", mapping.container_port + i);
                let binding = json!({
                    "HostIp": mapping.host_ip,
                    "HostPort": (mapping.host_port + i).to_string(),
                });
                match bindings.entry(key).or_insert_with(|| json!([])) {
                    Value::Array(list) => list.push(binding),
                    other => *other = json!([binding]),
                }
            }
        }
    }
    for (port, protocols) in &config.exposed_ports {
        for protocol in protocols {
            bindings
                .entry(format!("{port}/{protocol}"))
                .or_insert(Value::Null);
        }
    }
    Value::Object(bindings)
}

/// One of `NetworkSettings.Networks`: the attachment's name and aliases, with the addresses
/// its status gives once it is set up.
fn network(attachment: &NetworkAttachment, id: &str, status: Option<&StatusBlock>) -> Value {
    let mut network = basic(status);
    network.extend([
        ("NetworkID".into(), json!(attachment.network)),
        ("DriverOpts".into(), Value::Null),
        ("IPAMConfig".into(), Value::Null),
        ("Links".into(), Value::Null),
        ("Aliases".into(), json!(aliases(attachment, id))),
    ]);
    Value::Object(network)
}

/// Podman's `InspectBasicNetworkConfig` from a status (`resultToBasicNetworkConfig`): the
/// first IPv4 and IPv6 addresses (interfaces in name order) with their prefix and gateway,
/// the others as secondary ones, the first MAC and the others as additional ones.
fn basic(status: Option<&StatusBlock>) -> Map<String, Value> {
    let mut v4: Vec<(IpAddr, u8, String)> = Vec::new();
    let mut v6: Vec<(IpAddr, u8, String)> = Vec::new();
    let mut macs: Vec<String> = Vec::new();
    for interface in status.into_iter().flat_map(|s| s.interfaces.values()) {
        for address in &interface.subnets {
            // Go prints a missing gateway (an internal network's) as "<nil>".
            let gateway = address
                .gateway
                .map_or_else(|| "<nil>".to_string(), |g| g.to_string());
            let entry = (address.ipnet.address(), address.ipnet.prefix(), gateway);
            if address.ipnet.is_ipv6() {
                v6.push(entry);
            } else {
                v4.push(entry);
            }
        }
        macs.push(interface.mac_address.to_string());
    }
    let first = |list: &[(IpAddr, u8, String)]| match list.first() {
        Some((address, prefix, gateway)) => (address.to_string(), *prefix, gateway.clone()),
        None => (String::new(), 0, String::new()),
    };
    let secondary = |list: &[(IpAddr, u8, String)]| -> Vec<Value> {
        list.iter()
            .skip(1)
            .map(
                |(address, prefix, _)| json!({"Addr": address.to_string(), "PrefixLength": prefix}),
            )
            .collect()
    };
    let (ip, prefix, gateway) = first(&v4);
    let (ip6, prefix6, gateway6) = first(&v6);
    let mut basic = Map::new();
    basic.insert("EndpointID".into(), json!(""));
    basic.insert("Gateway".into(), json!(gateway));
    basic.insert("IPAddress".into(), json!(ip));
    basic.insert("IPPrefixLen".into(), json!(prefix));
    if v4.len() > 1 {
        basic.insert("SecondaryIPAddresses".into(), json!(secondary(&v4)));
    }
    basic.insert("IPv6Gateway".into(), json!(gateway6));
    basic.insert("GlobalIPv6Address".into(), json!(ip6));
    basic.insert("GlobalIPv6PrefixLen".into(), json!(prefix6));
    if v6.len() > 1 {
        basic.insert("SecondaryIPv6Addresses".into(), json!(secondary(&v6)));
    }
    basic.insert(
        "MacAddress".into(),
        json!(macs.first().cloned().unwrap_or_default()),
    );
    if macs.len() > 1 {
        basic.insert("AdditionalMACAddresses".into(), json!(macs[1..]));
    }
    basic
}
