//! An in-memory state store, for unit tests of the lifecycle logic: one file per kind
//! beside this one, all over the one [`Inner`] behind a mutex (so that a change spanning
//! kinds is atomic, as one SQLite transaction is).

mod containers;
mod exec;
mod meta;
mod networks;
mod pods;
mod volumes;

use super::common::{decode, is_id_prefix};
use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use parking_lot::Mutex;
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A state store held in memory, with the semantics of [`SqliteState`](super::SqliteState):
/// the same checks, errors and orderings. Records are kept as JSON, as the database keeps
/// them, so that a field that does not survive serialization shows in unit tests too.
///
/// ```
/// use libpod_core::container::{ContainerConfig, ContainerState, ContainerStatus};
/// use libpod_core::state::{ContainerStore, MemoryState};
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
    /// A failure to inject into container state saves (`state/faulty.rs`).
    #[cfg(test)]
    pub(in crate::state) fault: Option<std::sync::Arc<super::faulty::Fault>>,
}

/// Every kind's records.
#[derive(Debug, Default)]
struct Inner {
    /// By ID.
    containers: BTreeMap<String, ContainerRecord>,
    /// Container and pod names to their IDs (one namespace, as in the database).
    names: HashMap<String, String>,
    /// ID to (code, seconds since the epoch).
    exit_codes: HashMap<String, (i32, i64)>,
    metadata: HashMap<String, String>,
    /// By ID.
    pods: BTreeMap<String, Record>,
    /// By name.
    volumes: BTreeMap<String, Record>,
    /// By ID.
    exec_sessions: BTreeMap<String, ExecRecord>,
}

/// A container's row and its links.
#[derive(Debug)]
struct ContainerRecord {
    row: Record,
    pod: Option<String>,
    depends_on: BTreeSet<String>,
    /// By network name.
    networks: BTreeMap<String, NetworkAttachment>,
    /// IPAM's reservations, by network (dropped with the attachment).
    addresses: BTreeMap<String, BTreeSet<std::net::IpAddr>>,
    volumes: BTreeSet<String>,
}

/// A name, config and state, as JSON.
#[derive(Debug)]
struct Record {
    name: String,
    config: String,
    state: String,
}

#[derive(Debug)]
struct ExecRecord {
    container_id: String,
    config: String,
    state: String,
}

impl Record {
    fn config<T: DeserializeOwned>(&self, what: &'static str, id: &str) -> Result<T> {
        decode(what, id, &self.config)
    }

    fn state<T: DeserializeOwned>(&self, what: &'static str, id: &str) -> Result<T> {
        decode(what, id, &self.state)
    }
}

impl Inner {
    fn container(&self, id: &str) -> Result<&ContainerRecord> {
        self.containers
            .get(id)
            .ok_or_else(|| CoreError::ContainerNotFound(id.to_string()))
    }

    fn container_mut(&mut self, id: &str) -> Result<&mut ContainerRecord> {
        self.containers
            .get_mut(id)
            .ok_or_else(|| CoreError::ContainerNotFound(id.to_string()))
    }

    fn dependents(&self, id: &str) -> Vec<String> {
        self.containers
            .iter()
            .filter(|(_, r)| r.depends_on.contains(id))
            .map(|(dependent, _)| dependent.clone())
            .collect()
    }

    /// Whether a container or a pod has this ID.
    fn id_used(&self, id: &str) -> bool {
        self.containers.contains_key(id) || self.pods.contains_key(id)
    }
}

/// The key of `map` that is `key`, else the one it is a unique prefix of: `ambiguous` when
/// several, `None` when none. `hex_only` keeps prefixes to lower-case hex (IDs).
fn lookup_prefix<V>(
    map: &BTreeMap<String, V>,
    key: &str,
    hex_only: bool,
) -> std::result::Result<Option<String>, ()> {
    if map.contains_key(key) {
        return Ok(Some(key.to_string()));
    }
    if key.is_empty() || (hex_only && !is_id_prefix(key)) {
        return Ok(None);
    }
    let mut matches = map
        .range(key.to_string()..)
        .map(|(k, _)| k)
        .take_while(|k| k.starts_with(key));
    match (matches.next(), matches.next()) {
        (Some(k), None) => Ok(Some(k.clone())),
        (Some(_), Some(_)) => Err(()),
        (None, _) => Ok(None),
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
            "config" => record.row.config = json.to_string(),
            _ => record.row.state = json.to_string(),
        }
    }

    /// Fails as the injected fault says, if there is one.
    #[cfg(test)]
    fn check_fault(&self, id: &str, state: &crate::record::ContainerState) -> Result<()> {
        match &self.fault {
            Some(fault) => fault.check(id, state),
            None => Ok(()),
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

#[cfg(test)]
mod tests;
