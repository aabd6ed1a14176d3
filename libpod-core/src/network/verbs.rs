//! The network verbs that touch no namespace: create, remove, prune, and who is on a network.
//! Inspecting and listing are the store's own ([`Runtime::networks`]).

use crate::container::RemoveOptions;
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;
use libpod_net::types::Network;
use std::collections::BTreeSet;

impl Runtime {
    /// Creates a network from a request (c/common's checks and completion: a free subnet and
    /// bridge name unless given; see [`NetworkStore::create`](super::NetworkStore::create)).
    pub fn create_network(&self, request: Network) -> Result<Network> {
        Ok(self.networks()?.create(request)?)
    }

    /// The IDs of the containers attached to network `name_or_id`.
    pub fn network_users(&self, name_or_id: &str) -> Result<Vec<String>> {
        let network = self.networks()?.inspect(name_or_id)?;
        self.state().network_users(&network.name)
    }

    /// Removes a network. One with containers on it is refused ([`CoreError::NetworkInUse`])
    /// unless `force`, which removes those containers first (stopping them), as `podman
    /// network rm -f` does. The default network is never removed.
    pub fn remove_network(&self, name_or_id: &str, force: bool) -> Result<Network> {
        let network = self.networks()?.inspect(name_or_id)?;
        let users = self.state().network_users(&network.name)?;
        if !users.is_empty() {
            if !force {
                return Err(CoreError::NetworkInUse {
                    network: network.name,
                    containers: users,
                });
            }
            for id in users {
                match self.container(&id) {
                    Ok(ctr) => self.remove_container(&ctr, RemoveOptions::default().force(true))?,
                    Err(CoreError::ContainerNotFound(_)) => {}
                    Err(err) => return Err(err),
                }
            }
        }
        Ok(self.networks()?.remove(&network.name)?)
    }

    /// Removes every network no container is attached to (never the default network);
    /// returns their names.
    pub fn prune_networks(&self) -> Result<Vec<String>> {
        let store = self.networks()?;
        let mut in_use = BTreeSet::new();
        for network in store.list()? {
            if !self.state().network_users(&network.name)?.is_empty() {
                in_use.insert(network.name);
            }
        }
        Ok(store.prune(&in_use)?)
    }
}
