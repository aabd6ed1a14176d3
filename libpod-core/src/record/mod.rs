//! The records the engine stores: what a container was created with and where it is in its
//! lifecycle, and the same for pods, named volumes and exec sessions, plus a container's
//! network attachments.
//!
//! Records are plain serde data (`#[serde(default)]`, so that a field added later reads as
//! its default from an older row; `#[non_exhaustive]`, built with their `new` constructors).
//! They sit below the handles (`runtime/`, `container/`) and the state layer (`state/`),
//! import none of them, and are what `state/` and `error.rs` name, so a new wing adds its
//! record here without joining an import cycle.

mod container_config;
mod container_state;
mod exec;
mod health;
mod network;
mod pod;
mod volume;

pub use container_config::{ContainerConfig, HealthCheck, LogDriver, RootfsSource};
pub use container_state::{ContainerState, ContainerStatus};
pub use exec::{ExecConfig, ExecSession, ExecStatus};
pub use health::{
    HealthCheckLog, HealthCheckOnFailureAction, HealthCheckResults, StartupHealthCheck,
    health_status,
};
pub use network::NetworkAttachment;
pub use pod::{PodConfig, PodExitPolicy, PodInfraConfig, PodResources, PodState};
pub use volume::{VolumeConfig, VolumeState};
