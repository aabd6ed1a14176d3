//! Containers' network attachments in memory.

use super::MemoryState;
use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use crate::state::NetworkAttachmentStore;
use crate::state::common::{check_attachment, encode, interface_in_use};
use std::collections::BTreeMap;
use std::net::IpAddr;

impl NetworkAttachmentStore for MemoryState {
    fn connect_network(&self, container_id: &str, attachment: &NetworkAttachment) -> Result<()> {
        let mut inner = self.inner.lock();
        let networks = &mut inner.container_mut(container_id)?.networks;
        insert_attachment(networks, container_id, attachment)
    }

    fn disconnect_network(&self, container_id: &str, network: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        let record = inner.container_mut(container_id)?;
        record.addresses.remove(network);
        match record.networks.remove(network) {
            Some(_) => Ok(()),
            None => Err(CoreError::NetworkNotConnected {
                container: container_id.to_string(),
                network: network.to_string(),
            }),
        }
    }

    fn container_networks(&self, container_id: &str) -> Result<Vec<NetworkAttachment>> {
        let inner = self.inner.lock();
        Ok(inner
            .containers
            .get(container_id)
            .map(|c| c.networks.values().cloned().collect())
            .unwrap_or_default())
    }

    fn network_users(&self, network: &str) -> Result<Vec<String>> {
        let inner = self.inner.lock();
        Ok(inner
            .containers
            .iter()
            .filter(|(_, c)| c.networks.contains_key(network))
            .map(|(id, _)| id.clone())
            .collect())
    }

    fn allocated_addresses(&self, network: &str) -> Result<Vec<IpAddr>> {
        let inner = self.inner.lock();
        Ok(inner
            .containers
            .values()
            .filter_map(|c| c.addresses.get(network))
            .flatten()
            .copied()
            .collect())
    }

    fn container_addresses(&self, container_id: &str, network: &str) -> Result<Vec<IpAddr>> {
        let inner = self.inner.lock();
        Ok(inner
            .containers
            .get(container_id)
            .and_then(|c| c.addresses.get(network))
            .map(|a| a.iter().copied().collect())
            .unwrap_or_default())
    }

    fn reserve_address(&self, container_id: &str, network: &str, address: IpAddr) -> Result<bool> {
        let mut inner = self.inner.lock();
        let holder = inner
            .containers
            .iter()
            .find(|(_, c)| {
                c.addresses
                    .get(network)
                    .is_some_and(|a| a.contains(&address))
            })
            .map(|(id, _)| id.clone());
        if let Some(holder) = holder {
            return Ok(holder == container_id);
        }
        let record = inner.container_mut(container_id)?;
        if !record.networks.contains_key(network) {
            return Err(CoreError::NetworkNotConnected {
                container: container_id.to_string(),
                network: network.to_string(),
            });
        }
        record
            .addresses
            .entry(network.to_string())
            .or_default()
            .insert(address);
        Ok(true)
    }

    fn release_addresses(&self, container_id: &str, network: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        if let Some(record) = inner.containers.get_mut(container_id) {
            record.addresses.remove(network);
        }
        Ok(())
    }
}

/// Adds one attachment to a container's (a connect, or a create's first attachments), with
/// the checks of [`NetworkAttachmentStore::connect_network`].
pub(super) fn insert_attachment(
    networks: &mut BTreeMap<String, NetworkAttachment>,
    container_id: &str,
    attachment: &NetworkAttachment,
) -> Result<()> {
    check_attachment(container_id, attachment)?;
    // Kept as it would come back from JSON, as the database keeps it.
    let json = encode("network attachment", container_id, attachment)?;
    let stored = crate::state::common::decode("network attachment", container_id, &json)?;
    if networks.contains_key(&attachment.network) {
        return Err(CoreError::NetworkConnected {
            container: container_id.to_string(),
            network: attachment.network.clone(),
        });
    }
    let name = &attachment.interface_name;
    if !name.is_empty() && networks.values().any(|a| a.interface_name == *name) {
        return Err(interface_in_use(container_id, name));
    }
    networks.insert(attachment.network.clone(), stored);
    Ok(())
}
