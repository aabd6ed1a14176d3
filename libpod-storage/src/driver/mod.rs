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

/// The driver asked for, or overlay when this kernel and filesystem can mount it, else vfs.
/// The probe's verdict is remembered in the run root (so until the next reboot), because a
/// probe costs a mount and an unmount.
pub(crate) fn select_driver(
    choice: Option<DriverKind>,
    root: &Path,
    run_root: &Path,
) -> Result<Box<dyn Driver>> {
    match choice {
        Some(DriverKind::Overlay) => Ok(Box::new(OverlayDriver::new(root)?)),
        Some(DriverKind::Vfs) => Ok(Box::new(VfsDriver)),
        None => {
            let verdict_path = run_root.join("driver");
            let remembered = std::fs::read_to_string(&verdict_path).ok();
            if let Some(kind) = remembered.and_then(|v| v.trim().parse::<DriverKind>().ok()) {
                return select_driver(Some(kind), root, run_root);
            }
            let driver: Box<dyn Driver> =
                match OverlayDriver::new(root).and_then(|d| d.probe().map(|()| d)) {
                    Ok(d) => Box::new(d),
                    Err(e) => {
                        tracing::info!(error = %e, "overlay is not usable here; using vfs");
                        Box::new(VfsDriver)
                    }
                };
            if let Err(e) = std::fs::write(&verdict_path, driver.kind().name()) {
                tracing::debug!(error = %e, "cannot remember the storage driver");
            }
            Ok(driver)
        }
    }
}
