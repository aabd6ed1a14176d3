//! Bridge networking's options: the networks with the container's options on each, its
//! published ports and exposed ones. Checked and completed when the container is created (the
//! networks exist, interface names given, the image's exposed ports added, free host ports
//! chosen; see `network/attach.rs` and `network/expose.rs`).

use super::{CtrCreateOption, invalid};
use crate::record::NetworkAttachment;
use libpod_net::types::PortMapping;
use libpod_spec::NetworkMode;
use std::collections::BTreeMap;

/// Bridge mode on these networks (by name or ID), with the container's options on each
/// (static addresses, MAC, aliases, interface name); an attachment per network.
///
/// ```no_run
/// use libpod_core::container::{with_networks, with_rootfs_path};
/// use libpod_core::record::NetworkAttachment;
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let mut web = NetworkAttachment::new("libpod");
/// web.aliases.push("web".into());
/// web.static_ips.push("10.80.0.10".parse().unwrap());
/// let ctr = rt.new_container([with_rootfs_path("/srv/rootfs"), with_networks(vec![web])])?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn with_networks(attachments: Vec<NetworkAttachment>) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        let names = attachments.iter().map(|a| a.network.clone()).collect();
        for (i, attachment) in attachments.iter().enumerate() {
            if attachments[..i]
                .iter()
                .any(|a| a.network == attachment.network)
            {
                return Err(invalid(
                    "network",
                    format!("network {:?} given twice", attachment.network),
                ));
            }
        }
        d.config.spec.network.mode = NetworkMode::Bridge(names);
        d.config.networks = attachments;
        Ok(())
    })
}

/// Published ports (`-p`, parsed by [`libpod_net::parse::parse_publish`]); a host port of 0
/// gets a free one when the container is created. Bridge mode only.
pub fn with_port_mappings(ports: Vec<PortMapping>) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.port_mappings.extend(ports);
        Ok(())
    })
}

/// Exposed ports (`--expose`, read by [`libpod_net::parse::parse_expose`]): the protocols of
/// each port, comma-separated. Added to the image's `EXPOSE` ports when the container is
/// created, where their protocols are checked (`tcp` or `udp`; empty is `tcp`). Recorded (and
/// shown by inspect) in bridge mode only, as Podman records them.
///
/// ```no_run
/// use libpod_core::container::{with_exposed_ports, with_publish_all, with_rootfs_from_image};
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let ports = libpod_net::parse::parse_expose(&["8080/tcp", "53/udp"])?;
/// let ctr = rt.new_container([
///     with_rootfs_from_image("localhost/busybox"),
///     with_exposed_ports(ports),
///     with_publish_all(),
/// ])?;
/// assert_eq!(ctr.config().port_mappings.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn with_exposed_ports(ports: BTreeMap<u16, String>) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        for (port, protocols) in ports {
            d.config
                .exposed_ports
                .entry(port)
                .or_default()
                .extend(protocols.split(',').map(str::to_string));
        }
        Ok(())
    })
}

/// `-P`: every exposed port (the image's and [`with_exposed_ports`]'s) that no published port
/// covers is published on a free host port of every address, one mapping per port and
/// protocol, when the container is created. Bridge mode only; other modes ignore it, as
/// Podman's do.
pub fn with_publish_all() -> CtrCreateOption {
    CtrCreateOption::new(|d| {
        d.config.publish_all = true;
        Ok(())
    })
}
