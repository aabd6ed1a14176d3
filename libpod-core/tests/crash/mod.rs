//! The crash harness's parts: see `crash_harness.rs`.

pub mod checkpoint_checks;
pub mod checkpoint_ops;
pub mod container_checks;
pub mod fixtures;
pub mod host;
pub mod invariants;
pub mod net_setup;
pub mod network_checks;
pub mod ops;
pub mod pod_checks;
pub mod rng;
pub mod roots;
pub mod run;
pub mod setup;
pub mod store_checks;
pub mod tree;
pub mod trial;
pub mod volume_checks;
