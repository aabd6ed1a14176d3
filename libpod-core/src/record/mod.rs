//! The records the engine stores: what a container was created with and where it is in its
//! lifecycle (and, as their wings land, pods, volumes, exec sessions and network attachments).
//!
//! Records are plain serde data. They sit below the handles (`runtime/`, `container/`) and the
//! state layer (`state/`), import none of them, and are what `state/` and `error.rs` name, so a
//! new wing adds its record here without joining an import cycle.

mod container_config;
mod container_state;

pub use container_config::{ContainerConfig, HealthCheck, LogDriver, RootfsSource};
pub use container_state::{ContainerState, ContainerStatus};
