//! `pod create`'s network flags, as Podman 4.3's: `--network` (a mode or networks; the
//! pod's infra container gets it and its members share it; containers.conf's `netns`,
//! `bridge`, when not given), `-p/--publish` (on the pod), and `--ip`, `--ip6`,
//! `--mac-address`, `--network-alias` on its (first) network.

use super::Result;
use crate::errors::{Exit, OWN_ERROR};
use clap::Args;
use libpod_core::pod::{self, PodCreateOption};
use libpod_core::record::NetworkAttachment;
use libpod_core::runtime::Runtime;
use libpod_spec::NetworkMode;

#[derive(Args, Debug, Default)]
pub struct NetworkArgs {
    /// Connect the pod to a network: bridge (the default network), NAME[,NAME...], none,
    /// host, private, ns:PATH.
    #[arg(long = "network", visible_alias = "net")]
    pub network: Option<String>,
    /// Publish a port or a range of ports from the pod to the host (Podman splits the values
    /// at commas).
    #[arg(short = 'p', long = "publish", value_delimiter = ',')]
    pub publish: Vec<String>,
    /// The pod's IPv4 address on its network.
    #[arg(long)]
    pub ip: Option<String>,
    /// The pod's IPv6 address on its network.
    #[arg(long)]
    pub ip6: Option<String>,
    /// The pod's MAC address on its network.
    #[arg(long = "mac-address")]
    pub mac_address: Option<String>,
    /// Another name of the pod on its network.
    #[arg(long = "network-alias")]
    pub network_alias: Vec<String>,
}

fn invalid(flag: &str, value: &str, reason: impl std::fmt::Display) -> Box<dyn std::error::Error> {
    Exit::new(
        OWN_ERROR,
        format!("invalid argument {value:?} for \"--{flag}\" flag: {reason}"),
    )
    .into()
}

impl NetworkArgs {
    /// The pod create options these flags ask for.
    pub fn options(&self, rt: &Runtime) -> Result<Vec<PodCreateOption>> {
        let mut options = Vec::new();
        let ports = self
            .publish
            .iter()
            .map(|value| libpod_net::parse::parse_publish(value))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Exit::new(OWN_ERROR, e.to_string()))?;
        if !ports.is_empty() {
            options.push(pod::with_pod_port_mappings(ports));
        }
        let mode = self.network.as_deref().map(mode).transpose()?;
        let per_network = self.ip.is_some()
            || self.ip6.is_some()
            || self.mac_address.is_some()
            || !self.network_alias.is_empty();
        let names = match mode {
            Some(NetworkMode::Bridge(names)) if !names.is_empty() => names,
            Some(NetworkMode::Bridge(_)) | None if per_network => {
                vec![rt.networks()?.default_network().to_string()]
            }
            Some(other) if per_network => {
                return Err(invalid(
                    "network",
                    &other.to_string(),
                    "--ip, --ip6, --mac-address and --network-alias need bridge networking",
                ));
            }
            Some(other) => {
                options.push(pod::with_pod_network_mode(other));
                return Ok(options);
            }
            None => return Ok(options),
        };
        let mut attachments: Vec<NetworkAttachment> =
            names.into_iter().map(NetworkAttachment::new).collect();
        let first = &mut attachments[0];
        for (flag, ip) in [("ip", &self.ip), ("ip6", &self.ip6)] {
            if let Some(ip) = ip {
                first
                    .static_ips
                    .push(ip.parse().map_err(|e| invalid(flag, ip, e))?);
            }
        }
        first.static_mac = self.mac_address.clone();
        first.aliases = self.network_alias.clone();
        options.push(pod::with_pod_networks(attachments));
        Ok(options)
    }
}

/// `--network`: a mode, or network names (bridge mode on them), as Podman reads it; a pod's
/// network cannot be another container's.
fn mode(value: &str) -> Result<NetworkMode> {
    let is_mode = ["none", "bridge", "host", "private"].contains(&value)
        || ["bridge:", "container:", "ns:"]
            .iter()
            .any(|prefix| value.starts_with(prefix));
    if !is_mode {
        return Ok(NetworkMode::Bridge(
            value.split(',').map(str::to_string).collect(),
        ));
    }
    value.parse().map_err(|e| invalid("network", value, e))
}
