//! An in-memory state store, for unit tests of the lifecycle logic.

use super::StateStore;
use super::common::{
    check_exit_code, check_new_container, decode, encode, exit_code_cutoff, is_id_prefix, now_unix,
};
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, ContainerState};
use parking_lot::Mutex;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A state store held in memory, with the semantics of [`SqliteState`](super::SqliteState):
/// the same checks, errors and orderings. Configs and states are kept as JSON, as the database
/// keeps them, so that a field that does not survive serialization shows in unit tests too.
///
/// ```
/// use libpod_core::container::{ContainerConfig, ContainerState, ContainerStatus};
/// use libpod_core::state::{MemoryState, StateStore};
///
/// let store = MemoryState::new();
/// let mut config = ContainerConfig::default();
/// config.id = "ab".repeat(32);
/// config.name = "db".into();
/// store.add_container(&config, &ContainerState::default())?;
/// let mut state = store.container_state(&config.id)?;
/// state.status = ContainerStatus::Configured;
/// store.save_container_state(&config.id, &state)?;
/// assert_eq!(store.container_state("ab".repeat(32).as_str())?.status, ContainerStatus::Configured);
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
#[derive(Debug, Default)]
pub struct MemoryState {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// By ID.
    containers: BTreeMap<String, Record>,
    /// Name to ID.
    names: HashMap<String, String>,
    /// ID to (code, seconds since the epoch).
    exit_codes: HashMap<String, (i32, i64)>,
    metadata: HashMap<String, String>,
}

#[derive(Debug)]
struct Record {
    name: String,
    config: String,
    state: String,
    depends_on: BTreeSet<String>,
}

impl Inner {
    fn record(&self, id: &str) -> Result<&Record> {
        self.containers
            .get(id)
            .ok_or_else(|| CoreError::ContainerNotFound(id.to_string()))
    }

    fn dependents(&self, id: &str) -> Vec<String> {
        self.containers
            .iter()
            .filter(|(_, r)| r.depends_on.contains(id))
            .map(|(dependent, _)| dependent.clone())
            .collect()
    }
}

impl MemoryState {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces a container's stored `config` or `state` JSON, for tests of malformed records.
    #[cfg(test)]
    pub(crate) fn damage(&self, id: &str, what: &str, json: &str) {
        let mut inner = self.inner.lock();
        let record = inner.containers.get_mut(id).expect("no such container");
        match what {
            "config" => record.config = json.to_string(),
            _ => record.state = json.to_string(),
        }
    }

    /// Moves an exit code's timestamp `seconds` into the past, for tests of pruning.
    #[cfg(test)]
    pub(crate) fn age_exit_code(&self, id: &str, seconds: i64) {
        if let Some(entry) = self.inner.lock().exit_codes.get_mut(id) {
            entry.1 -= seconds;
        }
    }
}

impl StateStore for MemoryState {
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()> {
        let depends_on = check_new_container(config)?;
        let id = config.id.as_str();
        let record = Record {
            name: config.name.clone(),
            config: encode("config", id, config)?,
            state: encode("state", id, state)?,
            depends_on,
        };
        let mut inner = self.inner.lock();
        if inner.containers.contains_key(id) {
            return Err(CoreError::InvalidOption {
                option: "id",
                reason: format!("the ID {id} is already in use"),
            });
        }
        if inner.names.contains_key(&config.name) {
            return Err(CoreError::NameInUse(config.name.clone()));
        }
        if let Some(pod) = &config.pod {
            // This store keeps no pods yet.
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
        inner.names.insert(config.name.clone(), id.to_string());
        inner.containers.insert(id.to_string(), record);
        Ok(())
    }

    fn remove_container(&self, id: &str) -> Result<()> {
        let mut inner = self.inner.lock();
        inner.record(id)?;
        let dependents = inner.dependents(id);
        if !dependents.is_empty() {
            return Err(CoreError::HasDependents {
                id: id.to_string(),
                dependents,
            });
        }
        if let Some(record) = inner.containers.remove(id) {
            inner.names.remove(&record.name);
        }
        Ok(())
    }

    fn container_config(&self, id: &str) -> Result<ContainerConfig> {
        let inner = self.inner.lock();
        decode("config", id, &inner.record(id)?.config)
    }

    fn container_state(&self, id: &str) -> Result<ContainerState> {
        let inner = self.inner.lock();
        decode("state", id, &inner.record(id)?.state)
    }

    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        let json = encode("state", id, state)?;
        let mut inner = self.inner.lock();
        let record = inner
            .containers
            .get_mut(id)
            .ok_or_else(|| CoreError::ContainerNotFound(id.to_string()))?;
        record.state = json;
        Ok(())
    }

    fn lookup_container(&self, name_or_id: &str) -> Result<String> {
        let inner = self.inner.lock();
        if inner.containers.contains_key(name_or_id) {
            return Ok(name_or_id.to_string());
        }
        if let Some(id) = inner.names.get(name_or_id) {
            return Ok(id.clone());
        }
        let not_found = || CoreError::ContainerNotFound(name_or_id.to_string());
        if !is_id_prefix(name_or_id) {
            return Err(not_found());
        }
        let mut matches = inner
            .containers
            .range(name_or_id.to_string()..)
            .map(|(id, _)| id)
            .take_while(|id| id.starts_with(name_or_id));
        match (matches.next(), matches.next()) {
            (Some(id), None) => Ok(id.clone()),
            (Some(_), Some(_)) => Err(CoreError::AmbiguousContainer(name_or_id.to_string())),
            (None, _) => Err(not_found()),
        }
    }

    fn all_containers(&self) -> Result<Vec<String>> {
        Ok(self.inner.lock().containers.keys().cloned().collect())
    }

    fn container_name(&self, id: &str) -> Result<String> {
        Ok(self.inner.lock().record(id)?.name.clone())
    }

    fn dependents(&self, id: &str) -> Result<Vec<String>> {
        Ok(self.inner.lock().dependents(id))
    }

    fn record_exit_code(&self, id: &str, code: i32, state: Option<&ContainerState>) -> Result<()> {
        check_exit_code(id, code)?;
        let json = state.map(|state| encode("state", id, state)).transpose()?;
        let mut inner = self.inner.lock();
        if let Some(json) = json {
            inner
                .containers
                .get_mut(id)
                .ok_or_else(|| CoreError::ContainerNotFound(id.to_string()))?
                .state = json;
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

    fn metadata(&self, key: &str) -> Result<Option<String>> {
        Ok(self.inner.lock().metadata.get(key).cloned())
    }

    fn set_metadata(&self, key: &str, value: &str) -> Result<()> {
        self.inner
            .lock()
            .metadata
            .insert(key.to_string(), value.to_string());
        Ok(())
    }
}

#[cfg(test)]
#[path = "memory_tests.rs"]
mod tests;
