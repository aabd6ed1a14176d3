//! The state database: containers' configs and states (and, soon, pods, volumes and exec
//! sessions), behind a small trait with a SQLite implementation and an in-memory one for unit
//! tests.

mod memory;
mod schema;
mod sqlite;

pub use memory::MemoryState;
pub use sqlite::SqliteState;

use crate::container::{ContainerConfig, ContainerState};
use crate::error::Result;
use std::fmt::Debug;

/// What the engine keeps about its objects. Implementations are safe to share between threads
/// and, for SQLite, between processes.
pub trait StateStore: Send + Sync + Debug {
    /// Adds a container; its ID and name must be unused (by containers and pods).
    fn add_container(&self, config: &ContainerConfig, state: &ContainerState) -> Result<()>;
    /// Removes a container and its dependency records.
    fn remove_container(&self, id: &str) -> Result<()>;
    /// A container's config.
    fn container_config(&self, id: &str) -> Result<ContainerConfig>;
    /// A container's state.
    fn container_state(&self, id: &str) -> Result<ContainerState>;
    /// Replaces a container's state.
    fn save_container_state(&self, id: &str, state: &ContainerState) -> Result<()>;
    /// The ID of the container with this full ID, name, or unique ID prefix.
    fn lookup_container(&self, name_or_id: &str) -> Result<String>;
    /// Every container's ID.
    fn all_containers(&self) -> Result<Vec<String>>;
    /// The containers that depend on `id`.
    fn dependents(&self, id: &str) -> Result<Vec<String>>;
    /// Records a container's exit code, kept after the container is removed (for `wait`).
    fn record_exit_code(&self, id: &str, code: i32) -> Result<()>;
    /// A recorded exit code.
    fn exit_code(&self, id: &str) -> Result<Option<i32>>;
    /// A runtime-wide value (boot marker, schema notes...).
    fn metadata(&self, key: &str) -> Result<Option<String>>;
    /// Sets a runtime-wide value.
    fn set_metadata(&self, key: &str, value: &str) -> Result<()>;
}
