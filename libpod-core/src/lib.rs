//! The libpod-rs engine: `Runtime`, containers, pods, volumes and the state database.
//!
//! Not built yet: this crate will hold the `Runtime` builder, `CtrCreateOption`, the SQLite
//! state store, per-object locks and the conmon + runc `OciRuntime`. See the workspace's
//! ARCHITECTURE.md for the plan.
