//! Images, layers and container root filesystems for libpod-rs.
//!
//! The store keeps content-addressed blobs, layers unpacked once in overlay format, images with
//! names, and per-container root filesystems mounted with overlayfs (or copied, with the vfs
//! driver). Layer tarballs are treated as hostile: no entry can write outside its layer.
//!
//! With the `testsuite` feature, `driver::suite` and `driver_suite!` are the storage drivers'
//! conformance suite (one `#[test]` per case), which any crate can run on a store.

pub mod blob;
pub mod config_changes;
pub mod digest;
pub mod driver;
mod error;
pub mod events;
mod fsutil;
pub mod layer;
pub mod manifest;
pub mod mountinfo;
mod parallel;
pub mod reference;
pub mod registries;
pub mod registry;
pub mod store;
pub mod transport;

pub use digest::Digest;
pub use error::{RegistryFailure, Result, StorageError};
pub use reference::ImageReference;
pub use registries::RegistriesConfig;
pub use store::{
    ContainerOptions, ContainerRecord, ImageRecord, LayerRecord, Store, StoreOptions, StoreProblem,
};
