//! Containers' network attachments in memory.

use super::MemoryState;
use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use crate::state::NetworkAttachmentStore;
use crate::state::common::{check_attachment, encode, interface_in_use};

impl NetworkAttachmentStore for MemoryState {
    fn connect_network(&self, container_id: &str, attachment: &NetworkAttachment) -> Result<()> {
        check_attachment(container_id, attachment)?;
        // Kept as it would come back from JSON, as the database keeps it.
        let json = encode("network attachment", container_id, attachment)?;
        let stored = crate::state::common::decode("network attachment", container_id, &json)?;
        let mut inner = self.inner.lock();
        let networks = &mut inner.container_mut(container_id)?.networks;
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

    fn disconnect_network(&self, container_id: &str, network: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        match inner.container_mut(container_id)?.networks.remove(network) {
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
}
