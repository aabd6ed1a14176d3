//! The state database: containers' configs and states (and, soon, pods, volumes and exec
//! sessions), behind a small trait with a SQLite implementation and an in-memory one for unit
//! tests.

mod common;
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
pub use memory::MemoryState;
pub use sqlite::{
    BUSY_TIMEOUT, SYNCHRONOUS, SqliteState, VOLATILE_SYNCHRONOUS, WAL_AUTOCHECKPOINT,
};

use crate::error::Result;
use crate::record::{ContainerConfig, ContainerState};
use std::fmt::Debug;

/// What the engine keeps about its objects. Implementations are safe to share between threads
/// and, for SQLite, between processes.
///
/// Both implementations follow the same rules, checked by one conformance suite
/// (`suite`, with the `testsuite` feature): unknown
/// containers are [`CoreError::ContainerNotFound`](crate::CoreError::ContainerNotFound), lists
/// are sorted by ID, and a record that does not decode is
/// [`CoreError::Corrupt`](crate::CoreError::Corrupt).
pub trait StateStore: Send + Sync + Debug {
    /// Adds a container; its ID and name must be unused (by containers and pods).
    ///
    /// Its dependencies are `config.dependencies` and the values of `config.namespaces_from`,
    /// as full IDs of existing containers. Refused: an empty ID or name, an ID in use
    /// (`InvalidOption` "id"), a name in use (`NameInUse`), a dependency on itself
    /// (`InvalidOption` "dependency"), a missing dependency (`ContainerNotFound` naming it), a
    /// pod that does not exist (`InvalidOption` "pod"). A refused add stores nothing.
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()>;
    /// Removes a container and its dependency records; refused with `HasDependents` while
    /// other containers depend on it. Its exit code, if any, stays.
    fn remove_container(&self, id: &str) -> Result<()>;
    /// A container's config.
    fn container_config(&self, id: &str) -> Result<ContainerConfig>;
    /// A container's state.
    fn container_state(&self, id: &str) -> Result<ContainerState>;
    /// Replaces a container's state.
    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()>;
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
    /// A runtime-wide value (boot marker, schema notes...).
    fn metadata(&self, key: &str) -> Result<Option<String>>;
    /// Sets a runtime-wide value.
    fn set_metadata(&self, key: &str, value: &str) -> Result<()>;
}
