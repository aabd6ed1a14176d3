//! Auto-update for libpod-rs containers.
//!
//! Not built yet: this crate will compare running containers' images with their registries (or
//! the local store), pull, restart and roll back, as `podman auto-update` does.

#![forbid(unsafe_code)]
