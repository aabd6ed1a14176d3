//! The state database: containers, pods, named volumes, exec sessions and network
//! attachments, behind one small trait per kind, with a SQLite implementation and an
//! in-memory one for unit tests.
//!
//! [`StateStore`] is the union of the per-kind traits ([`ContainerStore`], [`PodStore`],
//! [`VolumeStore`], [`ExecStore`], [`NetworkAttachmentStore`], [`MetaStore`]), implemented
//! for every type that implements them all, so that a store is still one
//! `Box<dyn StateStore>`. Both stores keep every kind in one place (SQLite: one database
//! file, `db.sql`), so that a change spanning kinds (a container and its links) is one
//! transaction.
//!
//! Both follow the same rules, checked by one conformance suite (`suite`, with the
//! `testsuite` feature): an unknown object is its kind's `...NotFound` error, lists are
//! sorted, and a record that does not decode is
//! [`CoreError::Corrupt`](crate::CoreError::Corrupt). Names are unique among containers and
//! pods together; volume names among volumes.

pub(crate) mod common;
#[cfg(test)]
pub(crate) mod faulty;
#[cfg(feature = "testsuite")]
mod fixtures;
mod memory;
mod schema;
mod sqlite;
#[cfg(feature = "testsuite")]
pub mod suite;

pub use common::EXIT_CODE_RETENTION;
pub(crate) use common::volume_names as volume_names_of;
pub use memory::MemoryState;
pub use sqlite::{
    BUSY_TIMEOUT, SYNCHRONOUS, SqliteState, VOLATILE_SYNCHRONOUS, WAL_AUTOCHECKPOINT,
};

use crate::error::Result;
use crate::record::{
    ContainerConfig, ContainerState, ExecSession, NetworkAttachment, PodConfig, PodState,
    VolumeConfig, VolumeState,
};
use std::fmt::Debug;
use std::net::IpAddr;

/// Every kind of record the engine keeps: implemented for any type that implements each
/// per-kind trait. Implementations are safe to share between threads and, for SQLite,
/// between processes.
pub trait StateStore:
    ContainerStore
    + PodStore
    + VolumeStore
    + ExecStore
    + NetworkAttachmentStore
    + MetaStore
    + Send
    + Sync
    + Debug
{
}

impl<T> StateStore for T where
    T: ContainerStore
        + PodStore
        + VolumeStore
        + ExecStore
        + NetworkAttachmentStore
        + MetaStore
        + Send
        + Sync
        + Debug
{
}

/// Containers: their configs, states, dependencies and exit codes.
pub trait ContainerStore {
    /// Adds a container; its ID and name must be unused (by containers and pods).
    ///
    /// Its dependencies are `config.dependencies` and the values of `config.namespaces_from`,
    /// as full IDs of existing containers. Refused: an empty ID or name, an ID in use
    /// (`InvalidOption` "id"), a name in use (`NameInUse`), a dependency on itself
    /// (`InvalidOption` "dependency"), a missing dependency (`ContainerNotFound` naming it), a
    /// pod that does not exist (`InvalidOption` "pod"), a named volume in `config.mounts` that
    /// does not exist (`VolumeNotFound`). The volumes it mounts are linked to it in the same
    /// transaction (see [`VolumeStore::volume_users`]). A refused add stores nothing.
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()>;
    /// Removes a container with its dependency records, exec sessions, network attachments
    /// and volume links; refused with `HasDependents` while other containers depend on it.
    /// Its exit code, if any, stays.
    fn remove_container(&self, id: &str) -> Result<()>;
    /// A container's config.
    fn container_config(&self, id: &str) -> Result<ContainerConfig>;
    /// A container's state.
    fn container_state(&self, id: &str) -> Result<ContainerState>;
    /// Replaces a container's state.
    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()>;
    /// Replaces a container's config with `config` (same ID), as Podman's
    /// `RewriteContainerConfig`: for what may change after create (the resources an update
    /// changed). Its name and pod must stay as they are (else `InvalidOption` "config", and
    /// nothing is stored); its dependencies are not read again.
    fn rewrite_container_config(&self, config: &ContainerConfig) -> Result<()>;
    /// Renames a container: `config` (same ID, same pod) with its new name replaces the
    /// stored one, in one write, as Podman's `SafeRewriteContainerConfig`. A name another
    /// container or a pod has is `NameInUse`, and nothing changes.
    fn rename_container(&self, config: &ContainerConfig) -> Result<()>;
    /// The ID of the container with this full ID, name, or unique ID prefix, tried in that
    /// order (as Podman's `LookupContainer`). A prefix is lower-case hex; one matching several
    /// IDs is `AmbiguousContainer`.
    fn lookup_container(&self, name_or_id: &str) -> Result<String>;
    /// Every container's ID, sorted.
    fn all_containers(&self) -> Result<Vec<String>>;
    /// A container's name, read without decoding its records (for listing a damaged one).
    fn container_name(&self, id: &str) -> Result<String>;
    /// The containers that depend on `id`, sorted (empty for an unknown container).
    fn dependents(&self, id: &str) -> Result<Vec<String>>;
    /// Records a container's exit code (-1 to 255), kept after the container is removed (for
    /// `wait`), and with `state`, replaces the container's state in the same transaction (an
    /// exit is one commit). Also prunes the codes of removed containers older than
    /// [`EXIT_CODE_RETENTION`], as Podman's cleanup does. A refused code, or a state for an
    /// unknown container, stores nothing.
    fn record_exit_code(&self, id: &str, code: i32, state: Option<&ContainerState>) -> Result<()>;
    /// A recorded exit code (`None` if none was recorded, or it was pruned).
    fn exit_code(&self, id: &str) -> Result<Option<i32>>;
}

/// Pods: their configs and states, and which containers are theirs (a container's
/// `config.pod`).
pub trait PodStore {
    /// Adds a pod; its ID and name must be unused by containers and pods. Refused: an empty
    /// ID or name, an ID in use (`InvalidOption` "id"), a name in use (`NameInUse`).
    fn add_pod(&self, config: &PodConfig, state: &PodState) -> Result<()>;
    /// Removes a pod; refused with `PodHasContainers` while containers are in it.
    fn remove_pod(&self, id: &str) -> Result<()>;
    /// A pod's config.
    fn pod_config(&self, id: &str) -> Result<PodConfig>;
    /// A pod's state.
    fn pod_state(&self, id: &str) -> Result<PodState>;
    /// Replaces a pod's state.
    fn save_pod_state(&self, id: &str, state: &PodState) -> Result<()>;
    /// The ID of the pod with this full ID, name, or unique ID prefix, tried in that order;
    /// a prefix matching several is `AmbiguousPod`.
    fn lookup_pod(&self, name_or_id: &str) -> Result<String>;
    /// Every pod's ID, sorted.
    fn all_pods(&self) -> Result<Vec<String>>;
    /// The IDs of a pod's containers, sorted (`PodNotFound` for an unknown pod).
    fn pod_containers(&self, id: &str) -> Result<Vec<String>>;
}

/// Named volumes: their configs and states, and which containers use them.
pub trait VolumeStore {
    /// Adds a volume; refused: an empty name (`InvalidOption` "name"), a name in use
    /// (`VolumeExists`).
    fn add_volume(&self, config: &VolumeConfig, state: &VolumeState) -> Result<()>;
    /// Removes a volume; refused with `VolumeInUse` while containers use it.
    fn remove_volume(&self, name: &str) -> Result<()>;
    /// A volume's config.
    fn volume_config(&self, name: &str) -> Result<VolumeConfig>;
    /// A volume's state.
    fn volume_state(&self, name: &str) -> Result<VolumeState>;
    /// Replaces a volume's state.
    fn save_volume_state(&self, name: &str, state: &VolumeState) -> Result<()>;
    /// The name of the volume with this full name or unique name prefix (as Podman's
    /// `LookupVolume`); a prefix matching several is `AmbiguousVolume`.
    fn lookup_volume(&self, name_or_prefix: &str) -> Result<String>;
    /// Every volume's name, sorted.
    fn all_volumes(&self) -> Result<Vec<String>>;
    /// Records that container `container_id` uses volume `name` (again is a no-op); the link
    /// goes with the container.
    fn link_volume(&self, container_id: &str, name: &str) -> Result<()>;
    /// The containers using volume `name`, sorted (empty for an unknown volume).
    fn volume_users(&self, name: &str) -> Result<Vec<String>>;
}

/// Exec sessions: processes run in a container, removed with it.
pub trait ExecStore {
    /// Adds a session to its container; refused: an unknown container (`ContainerNotFound`),
    /// an empty ID or one in use (`InvalidOption` "id").
    fn add_exec_session(&self, session: &ExecSession) -> Result<()>;
    /// A session.
    fn exec_session(&self, id: &str) -> Result<ExecSession>;
    /// Replaces where a session stands (its status, PID and exit code; its container and
    /// config never change).
    fn save_exec_session(&self, session: &ExecSession) -> Result<()>;
    /// Removes a session.
    fn remove_exec_session(&self, id: &str) -> Result<()>;
    /// The IDs of a container's sessions, sorted (empty for an unknown container).
    fn exec_sessions(&self, container_id: &str) -> Result<Vec<String>>;
}

/// Containers' network attachments: which networks a container is on, with its options on
/// each. Networks themselves are configuration files, not records here; whoever removes one
/// asks [`network_users`](Self::network_users) first.
pub trait NetworkAttachmentStore {
    /// Connects a container to `attachment.network`; refused: an unknown container, an empty
    /// network name (`InvalidOption` "network"), a network it is on (`NetworkConnected`), an
    /// interface name another of its attachments has (`InvalidOption` "interface name").
    fn connect_network(&self, container_id: &str, attachment: &NetworkAttachment) -> Result<()>;
    /// Disconnects a container from `network` (`NetworkNotConnected` if it is not on it).
    fn disconnect_network(&self, container_id: &str, network: &str) -> Result<()>;
    /// A container's attachments, sorted by network (empty for an unknown container).
    fn container_networks(&self, container_id: &str) -> Result<Vec<NetworkAttachment>>;
    /// The containers on `network`, sorted.
    fn network_users(&self, network: &str) -> Result<Vec<String>>;
    /// Every address reserved on `network`, by any container (IPAM's view of what is taken).
    fn allocated_addresses(&self, network: &str) -> Result<Vec<IpAddr>>;
    /// The addresses a container holds on `network`, sorted (empty when it holds none).
    fn container_addresses(&self, container_id: &str, network: &str) -> Result<Vec<IpAddr>>;
    /// Atomically gives `address` on `network` to the container if nobody holds it: `true`
    /// when it is now the container's (also when it already was), `false` when another
    /// container holds it. Atomic across threads and processes (one transaction under the
    /// database's write lock); the container must be on the network (`NetworkNotConnected`).
    fn reserve_address(&self, container_id: &str, network: &str, address: IpAddr) -> Result<bool>;
    /// Frees every address the container holds on `network`. A disconnect or the container's
    /// removal frees them too.
    fn release_addresses(&self, container_id: &str, network: &str) -> Result<()>;
}

/// Runtime-wide values (the boot marker, schema notes...).
pub trait MetaStore {
    /// A value.
    fn metadata(&self, key: &str) -> Result<Option<String>>;
    /// Sets a value.
    fn set_metadata(&self, key: &str, value: &str) -> Result<()>;
}
