//! Containers: their configuration, their state, and the lifecycle.

mod config;
mod state;

pub use config::{ContainerConfig, HealthCheck, LogDriver, RootfsSource};
pub use state::{ContainerState, ContainerStatus};
