//! `network connect` and `disconnect`: a container's attachments changed, and, when its
//! namespace is set up (it runs), the namespace with them: the new network set up alone, or
//! the old one torn down alone, under the container's lock.

use super::StateAddresses;
use super::namespace::{definitions, net_err, options};
use crate::container::Container;
use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use crate::runtime::Runtime;
use libpod_net::backend::NetnsArgs;
use libpod_net::ipam;
use libpod_spec::NetworkMode;
use std::collections::BTreeMap;

impl Runtime {
    /// Connects a container (bridge mode) to `attachment.network` (name or ID) with its
    /// options there; a running container gets the interface at once (`eth1`, ... unless
    /// named). Refused: a network it is on ([`CoreError::NetworkConnected`]), a container
    /// with another network mode.
    pub fn connect_network(
        &self,
        ctr: &Container,
        mut attachment: NetworkAttachment,
    ) -> Result<()> {
        require_bridge(ctr)?;
        let network = self.networks()?.inspect(&attachment.network)?;
        attachment.network = network.name.clone();
        let mut locked = ctr.lock()?;
        let id = ctr.id().to_string();
        let current = self.state().container_networks(&id)?;
        if attachment.interface_name.is_empty() {
            attachment.interface_name = free_interface(&current);
        }
        self.state().connect_network(&id, &attachment)?;
        let Some(netns) = locked.state.netns_path.clone() else {
            return Ok(());
        };
        let setup = || -> Result<_> {
            let store = StateAddresses(self.state());
            let addresses = ipam::allocate(&store, &network, &id, &attachment.static_ips)
                .map_err(net_err(&id))?;
            let on = [attachment.clone()];
            let options = options(
                ctr.config(),
                &on,
                &BTreeMap::from([(network.name.clone(), addresses)]),
            )?;
            let networks = [network.clone()];
            let args = NetnsArgs {
                netns: &netns,
                options: &options,
                networks: &networks,
            };
            self.networking()
                .backend()
                .setup(&args)
                .map_err(net_err(&id))
        };
        match setup() {
            Ok(status) => {
                locked.state.network_status.extend(status);
                locked.save()
            }
            Err(err) => {
                // The row goes, and its addresses with it (cascade).
                let undone = self.state().disconnect_network(&id, &network.name);
                Err(match undone {
                    Ok(()) => err,
                    Err(cleanup) => CoreError::WithCleanupFailure {
                        primary: Box::new(err),
                        cleanup: cleanup.to_string(),
                    },
                })
            }
        }
    }

    /// Disconnects a container from `network` (name or ID); a running container loses the
    /// interface at once, and its addresses there are freed.
    pub fn disconnect_network(&self, ctr: &Container, network: &str) -> Result<()> {
        let name = match self.networks()?.inspect(network) {
            Ok(found) => found.name,
            // A network removed since (its file gone): its row can still go.
            Err(libpod_net::NetError::NoSuchNetwork { .. }) => network.to_string(),
            Err(err) => return Err(err.into()),
        };
        let mut locked = ctr.lock()?;
        let id = ctr.id().to_string();
        let attachments = self.state().container_networks(&id)?;
        let Some(attachment) = attachments.into_iter().find(|a| a.network == name) else {
            return Err(CoreError::NetworkNotConnected {
                container: id,
                network: name,
            });
        };
        let held = self.state().container_addresses(&id, &name)?;
        if let Some(netns) = locked.state.netns_path.clone()
            && !held.is_empty()
        {
            let on = [attachment];
            let networks = definitions(self, &on)?;
            let options = options(ctr.config(), &on, &BTreeMap::from([(name.clone(), held)]))?;
            let args = NetnsArgs {
                netns: &netns,
                options: &options,
                networks: &networks,
            };
            self.networking()
                .backend()
                .teardown(&args)
                .map_err(net_err(&id))?;
        }
        self.state().disconnect_network(&id, &name)?;
        if locked.state.network_status.remove(&name).is_some() {
            locked.save()?;
        }
        Ok(())
    }
}

/// Only bridge-mode containers have attachments.
fn require_bridge(ctr: &Container) -> Result<()> {
    match &ctr.config().spec.network.mode {
        NetworkMode::Bridge(_) => Ok(()),
        other => Err(CoreError::InvalidOption {
            option: "network",
            reason: format!(
                "container {} has network mode {other}: only bridge containers connect to networks",
                ctr.id()
            ),
        }),
    }
}

/// The first `ethN` none of the attachments has.
pub(crate) fn free_interface(attachments: &[NetworkAttachment]) -> String {
    (0..)
        .map(|n| format!("eth{n}"))
        .find(|name| !attachments.iter().any(|a| a.interface_name == *name))
        .expect("an unused interface name")
}
