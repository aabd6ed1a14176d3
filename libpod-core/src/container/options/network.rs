//! Bridge networking's options: the networks with the container's options on each, and its
//! published ports. Checked and completed when the container is created (the networks
//! exist, interface names given, free host ports chosen; see `network/attach.rs`).

use super::{CtrCreateOption, invalid};
use crate::record::NetworkAttachment;
use libpod_net::types::PortMapping;
use libpod_spec::NetworkMode;

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
