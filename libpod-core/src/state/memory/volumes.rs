//! Named volumes in memory.

use super::{MemoryState, Record, lookup_prefix};
use crate::error::{CoreError, Result};
use crate::record::{VolumeConfig, VolumeState};
use crate::state::VolumeStore;
use crate::state::common::{check_new_volume, encode, volume_exists};

fn not_found(name: &str) -> CoreError {
    CoreError::VolumeNotFound(name.to_string())
}

impl VolumeStore for MemoryState {
    fn add_volume(&self, config: &VolumeConfig, state: &VolumeState) -> Result<()> {
        check_new_volume(config)?;
        let name = config.name.as_str();
        let record = Record {
            name: name.to_string(),
            config: encode("volume config", name, config)?,
            state: encode("volume state", name, state)?,
        };
        let mut inner = self.inner.lock();
        if inner.volumes.contains_key(name) {
            return Err(volume_exists(name));
        }
        inner.volumes.insert(name.to_string(), record);
        Ok(())
    }

    fn remove_volume(&self, name: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        if !inner.volumes.contains_key(name) {
            return Err(not_found(name));
        }
        let containers = users(&inner, name);
        if !containers.is_empty() {
            return Err(CoreError::VolumeInUse {
                name: name.to_string(),
                containers,
            });
        }
        inner.volumes.remove(name);
        Ok(())
    }

    fn volume_config(&self, name: &str) -> Result<VolumeConfig> {
        let inner = self.inner.lock();
        let record = inner.volumes.get(name).ok_or_else(|| not_found(name))?;
        record.config("volume config", name)
    }

    fn volume_state(&self, name: &str) -> Result<VolumeState> {
        let inner = self.inner.lock();
        let record = inner.volumes.get(name).ok_or_else(|| not_found(name))?;
        record.state("volume state", name)
    }

    fn save_volume_state(&self, name: &str, state: &VolumeState) -> Result<()> {
        let json = encode("volume state", name, state)?;
        let mut inner = self.inner.lock();
        inner
            .volumes
            .get_mut(name)
            .ok_or_else(|| not_found(name))?
            .state = json;
        Ok(())
    }

    fn lookup_volume(&self, name_or_prefix: &str) -> Result<String> {
        let inner = self.inner.lock();
        match lookup_prefix(&inner.volumes, name_or_prefix, false) {
            Ok(Some(name)) => Ok(name),
            Ok(None) => Err(not_found(name_or_prefix)),
            Err(()) => Err(CoreError::AmbiguousVolume(name_or_prefix.to_string())),
        }
    }

    fn all_volumes(&self) -> Result<Vec<String>> {
        Ok(self.inner.lock().volumes.keys().cloned().collect())
    }

    fn link_volume(&self, container_id: &str, name: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        inner.container(container_id)?;
        if !inner.volumes.contains_key(name) {
            return Err(not_found(name));
        }
        inner
            .container_mut(container_id)?
            .volumes
            .insert(name.to_string());
        Ok(())
    }

    fn volume_users(&self, name: &str) -> Result<Vec<String>> {
        Ok(users(&self.inner.lock(), name))
    }
}

/// The containers using volume `name`, sorted.
fn users(inner: &super::Inner, name: &str) -> Vec<String> {
    inner
        .containers
        .iter()
        .filter(|(_, c)| c.volumes.contains(name))
        .map(|(id, _)| id.clone())
        .collect()
}
