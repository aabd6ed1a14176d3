//! Pods in memory.

use super::{MemoryState, Record, lookup_prefix};
use crate::error::{CoreError, Result};
use crate::record::{PodConfig, PodState};
use crate::state::PodStore;
use crate::state::common::{check_new_pod, encode, id_in_use};

fn not_found(id: &str) -> CoreError {
    CoreError::PodNotFound(id.to_string())
}

impl PodStore for MemoryState {
    fn add_pod(&self, config: &PodConfig, state: &PodState) -> Result<()> {
        check_new_pod(config)?;
        let id = config.id.as_str();
        let record = Record {
            name: config.name.clone(),
            config: encode("pod config", id, config)?,
            state: encode("pod state", id, state)?,
        };
        let mut inner = self.inner.lock();
        if inner.id_used(id) {
            return Err(id_in_use(id));
        }
        if inner.names.contains_key(&config.name) {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        inner.names.insert(config.name.clone(), id.to_string());
        inner.pods.insert(id.to_string(), record);
        Ok(())
    }

    fn remove_pod(&self, id: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        if !inner.pods.contains_key(id) {
            return Err(not_found(id));
        }
        let containers = members(&inner, id);
        if !containers.is_empty() {
            return Err(CoreError::PodHasContainers {
                id: id.to_string(),
                containers,
            });
        }
        if let Some(record) = inner.pods.remove(id) {
            inner.names.remove(&record.name);
        }
        Ok(())
    }

    fn pod_config(&self, id: &str) -> Result<PodConfig> {
        let inner = self.inner.lock();
        inner
            .pods
            .get(id)
            .ok_or_else(|| not_found(id))?
            .config("pod config", id)
    }

    fn pod_state(&self, id: &str) -> Result<PodState> {
        let inner = self.inner.lock();
        inner
            .pods
            .get(id)
            .ok_or_else(|| not_found(id))?
            .state("pod state", id)
    }

    fn save_pod_state(&self, id: &str, state: &PodState) -> Result<()> {
        let json = encode("pod state", id, state)?;
        let mut inner = self.inner.lock();
        inner.pods.get_mut(id).ok_or_else(|| not_found(id))?.state = json;
        Ok(())
    }

    fn lookup_pod(&self, name_or_id: &str) -> Result<String> {
        let inner = self.inner.lock();
        if inner.pods.contains_key(name_or_id) {
            return Ok(name_or_id.to_string());
        }
        if let Some(id) = inner.names.get(name_or_id)
            && inner.pods.contains_key(id)
        {
            return Ok(id.clone());
        }
        match lookup_prefix(&inner.pods, name_or_id, true) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(not_found(name_or_id)),
            Err(()) => Err(CoreError::AmbiguousPod(name_or_id.to_string())),
        }
    }

    fn all_pods(&self) -> Result<Vec<String>> {
        Ok(self.inner.lock().pods.keys().cloned().collect())
    }

    fn pod_containers(&self, id: &str) -> Result<Vec<String>> {
        let inner = self.inner.lock();
        if !inner.pods.contains_key(id) {
            return Err(not_found(id));
        }
        Ok(members(&inner, id))
    }
}

/// The IDs of pod `id`'s containers, sorted.
fn members(inner: &super::Inner, id: &str) -> Vec<String> {
    inner
        .containers
        .iter()
        .filter(|(_, c)| c.pod.as_deref() == Some(id))
        .map(|(ctr, _)| ctr.clone())
        .collect()
}
