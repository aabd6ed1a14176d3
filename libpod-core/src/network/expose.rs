//! A bridge container's exposed ports, put together at create as Podman 4.3's
//! `createPortMappings` does: the image's `EXPOSE` ports, then the options' (`--expose`), each
//! port's protocols checked (`tcp`, `udp`; empty is `tcp`; SCTP is refused for exposed ports)
//! and merged without duplicates. With `-P` ([`publish_all`](ContainerConfig::publish_all)),
//! every exposed port and protocol that no published port covers gets a mapping of its own, on
//! a free host port of every address (chosen with the other free host ports, in
//! `attach.rs`).

use crate::error::{CoreError, Result};
use crate::record::ContainerConfig;
use libpod_net::parse::parse_image_expose;
use libpod_net::types::PortMapping;
use std::collections::BTreeMap;

/// Completes `config.exposed_ports` and, with `-P`, its port mappings (see the module docs).
pub(crate) fn complete(config: &mut ContainerConfig) -> Result<()> {
    let image_ports = config
        .image_config
        .as_ref()
        .and_then(|image| image.exposed_ports().clone())
        .unwrap_or_default();
    let from_image = parse_image_expose(&image_ports)
        .map_err(|err| invalid(format!("unable to convert image EXPOSE: {err}")))?;
    let requested = std::mem::take(&mut config.exposed_ports);
    let mut exposed: BTreeMap<u16, Vec<String>> = BTreeMap::new();
    let image = from_image
        .into_iter()
        .map(|(port, protocols)| (port, vec![protocols]));
    for (port, given) in image.chain(requested) {
        if port == 0 {
            return Err(invalid(
                "cannot expose 0 as it is not a valid port number".into(),
            ));
        }
        let protocols = exposed.entry(port).or_default();
        for protocol in checked_protocols(port, &given.join(","))? {
            if !protocols.iter().any(|p| p == protocol) {
                protocols.push(protocol.to_string());
            }
        }
    }
    if config.publish_all {
        for (port, protocols) in &exposed {
            for protocol in protocols {
                if !published(&config.port_mappings, *port, protocol) {
                    let mut mapping = PortMapping::default();
                    mapping.container_port = *port;
                    mapping.range = 1;
                    mapping.protocol.clone_from(protocol);
                    config.port_mappings.push(mapping);
                }
            }
        }
    }
    config.exposed_ports = exposed;
    Ok(())
}

/// The protocols of an exposed port's comma-separated list, each once, in name order
/// (Podman's `checkProtocol`, which gives them in Go's map order).
fn checked_protocols(port: u16, given: &str) -> Result<Vec<&'static str>> {
    let mut protocols = Vec::new();
    for protocol in given.split(',') {
        let known = match protocol.to_ascii_lowercase().as_str() {
            "tcp" | "" => "tcp",
            "udp" => "udp",
            refused => {
                let reason = if refused == "sctp" {
                    "protocol SCTP is not allowed for exposed ports".to_string()
                } else {
                    format!("unrecognized protocol {protocol:?} in port mapping")
                };
                return Err(invalid(format!(
                    "validating protocols for exposed port {port}: {reason}"
                )));
            }
        };
        if !protocols.contains(&known) {
            protocols.push(known);
        }
    }
    protocols.sort_unstable();
    Ok(protocols)
}

/// Whether a mapping publishes container port `port` over `protocol`.
fn published(mappings: &[PortMapping], port: u16, protocol: &str) -> bool {
    mappings.iter().any(|mapping| {
        let protocols = if mapping.protocol.is_empty() {
            "tcp"
        } else {
            &mapping.protocol
        };
        let first = u32::from(mapping.container_port);
        let covers = (first..first + u32::from(mapping.range.max(1))).contains(&u32::from(port));
        covers
            && protocols
                .split(',')
                .any(|p| p.eq_ignore_ascii_case(protocol))
    })
}

fn invalid(reason: String) -> CoreError {
    CoreError::InvalidOption {
        option: "expose",
        reason,
    }
}

#[cfg(test)]
#[path = "expose_tests.rs"]
mod tests;
