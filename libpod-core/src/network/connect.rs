//! `network connect` and `disconnect`: a container's attachments changed, and, when its
//! namespace is set up (it runs), the namespace with them: the new network set up alone, or
//! the old one torn down alone, under the container's lock.
//!
//! On a set-up namespace each change is covered by a network intent (`runtime/intents.rs`)
//! and keeps one order, so that a crash anywhere leaves what the next open can tell apart: an
//! attachment without a network status. A connect inserts the attachment, reserves its
//! addresses, sets the network up and saves its status last; a disconnect removes the status
//! first, then tears the network down and removes the attachment (its addresses with it). The
//! open's repair ([`finish_interrupted_change`]) tears down and removes every attachment
//! without a status: a connect cut short is undone, a disconnect cut short finished.

use super::StateAddresses;
use super::namespace::{backend_setup, backend_teardown, definitions, net_err, options};
use crate::container::{Container, Locked};
use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use crate::runtime::Runtime;
use crate::runtime::intents::Intent;
use libpod_net::backend::NetnsArgs;
use libpod_net::ipam;
use libpod_spec::NetworkMode;
use std::collections::BTreeMap;
use std::path::Path;

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
        let Some(netns) = locked.state.netns_path.clone() else {
            return self.state().connect_network(&id, &attachment);
        };
        let intent = Intent::network(self, &id)?;
        self.state().connect_network(&id, &attachment)?;
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
            backend_setup(self, &id, &args)
        };
        match setup() {
            Ok(status) => {
                locked.state.network_status.extend(status);
                // Until this save the intent stays: the next open undoes the connect.
                locked.save()?;
                intent.clear();
                Ok(())
            }
            Err(err) => {
                // The row goes, and its addresses with it (cascade).
                let undone = self.state().disconnect_network(&id, &network.name);
                Err(match undone {
                    Ok(()) => {
                        intent.clear();
                        err
                    }
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
        let Some(netns) = locked.state.netns_path.clone() else {
            self.state().disconnect_network(&id, &name)?;
            if locked.state.network_status.remove(&name).is_some() {
                locked.save()?;
            }
            return Ok(());
        };
        let intent = Intent::network(self, &id)?;
        // From this save on, the next open finishes the disconnect should this be cut short.
        let status = locked.state.network_status.remove(&name);
        if status.is_some() {
            locked.save()?;
        }
        if let Err(err) = tear_down_one(self, ctr, &netns, &attachment) {
            // The container keeps the network, as it was.
            if let Some(status) = status {
                locked.state.network_status.insert(name, status);
                locked.save()?;
            }
            intent.clear();
            return Err(err);
        }
        self.state().disconnect_network(&id, &name)?;
        intent.clear();
        Ok(())
    }
}

/// Tears the namespace at `netns` down on one network (when the container holds addresses
/// there: else it was never set up on it).
fn tear_down_one(
    rt: &Runtime,
    ctr: &Container,
    netns: &Path,
    attachment: &NetworkAttachment,
) -> Result<()> {
    let id = ctr.id();
    let held = rt.state().container_addresses(id, &attachment.network)?;
    if held.is_empty() {
        return Ok(());
    }
    let on = [attachment.clone()];
    let networks = definitions(rt, &on)?;
    let options = options(
        ctr.config(),
        &on,
        &BTreeMap::from([(attachment.network.clone(), held)]),
    )?;
    let args = NetnsArgs {
        netns,
        options: &options,
        networks: &networks,
    };
    backend_teardown(rt, id, &args)
}

/// After a connect or disconnect cut short (its intent left): on a set-up namespace, every
/// attachment without a network status is torn down and removed (see the module docs). A
/// container whose namespace is gone since has had every network torn down already.
pub(crate) fn finish_interrupted_change(locked: &mut Locked<'_>) -> Result<()> {
    let Some(netns) = locked.state.netns_path.clone() else {
        return Ok(());
    };
    let ctr = locked.ctr;
    let rt = ctr.runtime();
    for attachment in rt.state().container_networks(ctr.id())? {
        if locked
            .state
            .network_status
            .contains_key(&attachment.network)
        {
            continue;
        }
        tracing::info!(container = %ctr.id(), network = %attachment.network, "undoing a network change a crash cut short");
        tear_down_one(rt, ctr, &netns, &attachment)?;
        rt.state()
            .disconnect_network(ctr.id(), &attachment.network)?;
    }
    Ok(())
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
