//! Containers in memory.

use super::{ContainerRecord, Inner, MemoryState, Record, lookup_prefix};
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, ContainerState};
use crate::state::ContainerStore;
use crate::state::common::{
    check_exit_code, check_new_container, encode, exit_code_cutoff, id_in_use, identity_changed,
    now_unix, volume_names,
};

impl ContainerStore for MemoryState {
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        let depends_on = check_new_container(config)?;
        let id = config.id.as_str();
        let record = ContainerRecord {
            row: Record {
                name: config.name.clone(),
                config: encode("config", id, config)?,
                state: encode("state", id, state)?,
            },
            pod: config.pod.clone(),
            depends_on,
            networks: Default::default(),
            addresses: Default::default(),
            volumes: volume_names(config),
        };
        let mut inner = self.inner.lock();
        if inner.id_used(id) {
            return Err(id_in_use(id));
        }
        if inner.names.contains_key(&config.name) {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        if let Some(pod) = &config.pod
            && !inner.pods.contains_key(pod)
        {
            return Err(CoreError::InvalidOption {
                option: "pod",
                reason: format!("container {id}: no pod with ID {pod}"),
            });
        }
        if let Some(missing) = record
            .depends_on
            .iter()
            .find(|dep| !inner.containers.contains_key(*dep))
        {
            return Err(CoreError::ContainerNotFound(missing.clone()));
        }
        if let Some(missing) = record
            .volumes
            .iter()
            .find(|volume| !inner.volumes.contains_key(*volume))
        {
            return Err(CoreError::VolumeNotFound(missing.clone()));
        }
        let mut record = record;
        for attachment in &config.networks {
            super::networks::insert_attachment(&mut record.networks, id, attachment)?;
        }
        inner.names.insert(config.name.clone(), id.to_string());
        inner.containers.insert(id.to_string(), record);
        Ok(())
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        inner.container(id)?;
        let dependents = inner.dependents(id);
        if !dependents.is_empty() {
            return Err(CoreError::HasDependents {
                id: id.to_string(),
                dependents,
            });
        }
        if let Some(record) = inner.containers.remove(id) {
            inner.names.remove(&record.row.name);
        }
        // Its links went with its record; its exec sessions go with it too.
        inner.exec_sessions.retain(|_, s| s.container_id != id);
        Ok(())
    }

    fn container_config(&self, id: &str) -> Result<ContainerConfig> {
        self.inner.lock().container(id)?.row.config("config", id)
    }

    fn container_state(&self, id: &str) -> Result<ContainerState> {
        self.inner.lock().container(id)?.row.state("state", id)
    }

    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        #[cfg(test)]
        self.check_fault(id, state)?;
        let json = encode("state", id, state)?;
        self.inner.lock().container_mut(id)?.row.state = json;
        Ok(())
    }

    fn rewrite_container_config(&self, config: &ContainerConfig) -> Result<()> {
        let id = config.id.as_str();
        let json = encode("config", id, config)?;
        let mut inner = self.inner.lock();
        let record = inner.container_mut(id)?;
        let old: ContainerConfig = record.row.config("config", id)?;
        if old.name != config.name || old.pod != config.pod {
            return Err(identity_changed(id));
        }
        record.row.config = json;
        Ok(())
    }

    fn rename_container(&self, config: &ContainerConfig) -> Result<()> {
        let id = config.id.as_str();
        let json = encode("config", id, config)?;
        let mut inner = self.inner.lock();
        if inner.names.contains_key(&config.name) {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        let record = inner.container_mut(id)?;
        if record.pod != config.pod {
            return Err(identity_changed(id));
        }
        let old = std::mem::replace(&mut record.row.name, config.name.clone());
        record.row.config = json;
        inner.names.remove(&old);
        inner.names.insert(config.name.clone(), id.to_string());
        Ok(())
    }

    fn lookup_container(&self, name_or_id: &str) -> Result<String> {
        let inner = self.inner.lock();
        if inner.containers.contains_key(name_or_id) {
            return Ok(name_or_id.to_string());
        }
        if let Some(id) = inner.names.get(name_or_id)
            && inner.containers.contains_key(id)
        {
            return Ok(id.clone());
        }
        match lookup_prefix(&inner.containers, name_or_id, true) {
            Ok(Some(id)) => Ok(id),
            Ok(None) => Err(CoreError::ContainerNotFound(name_or_id.to_string())),
            Err(()) => Err(CoreError::AmbiguousContainer(name_or_id.to_string())),
        }
    }

    fn all_containers(&self) -> Result<Vec<String>> {
        Ok(self.inner.lock().containers.keys().cloned().collect())
    }

    fn container_name(&self, id: &str) -> Result<String> {
        Ok(self.inner.lock().container(id)?.row.name.clone())
    }

    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        Ok(self.inner.lock().dependents(id))
    }

    fn record_exit_code(&self, id: &str, code: i32, state: Option<&ContainerState>) -> Result<()> {
        check_exit_code(id, code)?;
        #[cfg(test)]
        if let Some(state) = state {
            self.check_fault(id, state)?;
        }
        let json = state.map(|state| encode("state", id, state)).transpose()?;
        let mut inner = self.inner.lock();
        if let Some(json) = json {
            inner.container_mut(id)?.row.state = json;
        }
        inner.exit_codes.insert(id.to_string(), (code, now_unix()));
        let cutoff = exit_code_cutoff();
        let Inner {
            containers,
            exit_codes,
            ..
        } = &mut *inner;
        exit_codes.retain(|id, (_, at)| *at > cutoff || containers.contains_key(id));
        Ok(())
    }

    fn exit_code(&self, id: &str) -> Result<Option<i32>> {
        Ok(self.inner.lock().exit_codes.get(id).map(|(code, _)| *code))
    }
}
