//! Images, layers and container root filesystems for libpod-rs.
//!
//! Not built yet: this crate will hold the content-addressed blob store, the layer store (layers
//! unpacked once in overlay format), the image store, per-container overlay root filesystems and
//! the registry client. See the workspace's ARCHITECTURE.md for the plan.
