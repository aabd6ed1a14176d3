//! Storage drivers: how a stack of layer directories becomes a container's root filesystem.
//!
//! `overlay` mounts the layers as overlayfs lower directories under a per-container upper and
//! work directory; `vfs` copies them into a plain directory, for filesystems and kernels where
//! overlay cannot be used. `suite` (with the `testsuite` feature) is the conformance suite
//! both pass, which any crate can run on a store with `driver_suite!`.

mod overlay;
#[cfg(feature = "testsuite")]
pub mod suite;
mod vfs;

use crate::error::{Result, StorageError};
use std::fmt::Debug;
use std::path::{Path, PathBuf};

pub(crate) use overlay::OverlayDriver;
pub(crate) use vfs::VfsDriver;

/// The storage drivers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriverKind {
    /// overlayfs.
    Overlay,
    /// Plain copies.
    Vfs,
}

impl DriverKind {
    /// The driver's name, as Podman names it.
    pub fn name(self) -> &'static str {
        match self {
            DriverKind::Overlay => "overlay",
            DriverKind::Vfs => "vfs",
        }
    }
}

impl std::fmt::Display for DriverKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Recorded by name in `store.json`.
impl serde::Serialize for DriverKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for DriverKind {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl std::str::FromStr for DriverKind {
    type Err = StorageError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "overlay" | "overlay2" => Ok(DriverKind::Overlay),
            "vfs" => Ok(DriverKind::Vfs),
            _ => Err(StorageError::invalid(
                "storage driver",
                s,
                "use overlay or vfs",
            )),
        }
    }
}

/// A layer as a driver sees it: its directory and its short link name.
#[derive(Clone, Debug)]
pub(crate) struct LayerDir {
    pub dir: PathBuf,
    pub link: String,
}

/// What a driver does with a container's (or an image mount's) directory.
pub(crate) trait Driver: Send + Sync + Debug {
    fn kind(&self) -> DriverKind;
    /// Prepares `dir` for a container on `layers` (bottom first).
    fn create(&self, dir: &Path, layers: &[LayerDir]) -> Result<()>;
    /// Mounts the container's root filesystem and returns where. `volatile`: the container's
    /// own changes need not survive a crash (overlay skips every sync).
    fn mount(&self, dir: &Path, layers: &[LayerDir], volatile: bool) -> Result<PathBuf>;
    /// Unmounts it.
    fn unmount(&self, dir: &Path) -> Result<()>;
    /// Where the container's own changes live (overlay's upper directory).
    fn rw_dir(&self, dir: &Path) -> PathBuf;
    /// Mounts `layers` read-only at `dir` (an image mount) and returns where.
    fn mount_read_only(&self, dir: &Path, layers: &[LayerDir]) -> Result<PathBuf>;
}

/// The driver object for `kind` on the store at `root`.
pub(crate) fn driver_for(kind: DriverKind, root: &Path) -> Result<Box<dyn Driver>> {
    Ok(match kind {
        DriverKind::Overlay => Box::new(OverlayDriver::new(root)?),
        DriverKind::Vfs => Box::new(VfsDriver),
    })
}

/// The driver for a store that has none yet: the one asked for, or overlay when this kernel
/// and filesystem can mount it (probed in `probe_dir`, a locked staging directory), else vfs.
pub(crate) fn decide_driver(
    choice: Option<DriverKind>,
    root: &Path,
    probe_dir: &Path,
) -> DriverKind {
    if let Some(kind) = choice {
        return kind;
    }
    match OverlayDriver::new(root).and_then(|d| d.probe(probe_dir)) {
        Ok(()) => DriverKind::Overlay,
        Err(e) => {
            tracing::info!(error = %e, "overlay is not usable here; using vfs");
            DriverKind::Vfs
        }
    }
}
