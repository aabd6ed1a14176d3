//! Named volumes, as Podman's: created explicitly ([`Runtime::new_volume`]) or by the first
//! container that names one, listed, inspected, removed (refused while in use unless forced,
//! which removes the users), pruned; and the anonymous volumes a container gets for its
//! image's `VOLUME` entries and its `-v /path` mounts.
//!
//! It reads top-down: `create.rs` (options, then the directory and the row under an intent),
//! `local.rs` (the local driver: directories, tmpfs and `device=` mounts with their mount
//! counts), `image.rs` (anonymous volumes named at create; copy-up and chown at init),
//! `remove.rs`, `prune.rs` (with `filter.rs`), `export.rs` (tar out and in), `repair.rs` (a
//! create or remove a kill interrupted, finished or undone at open).
//!
//! A volume's state changes only under its own lock (`Runtime::lock_volume`), the deepest in
//! the lock order: a container's init and cleanup take it while holding the container's.
//!
//! ```no_run
//! use libpod_core::volume::{with_volume_labels, with_volume_name};
//! # let rt = libpod_core::runtime::Runtime::builder().open()?;
//! let volume = rt.new_volume([
//!     with_volume_name("data"),
//!     with_volume_labels([("app", "db")]),
//! ])?;
//! println!("{}", volume.config().mount_point.display());
//! # Ok::<(), libpod_core::CoreError>(())
//! ```

mod create;
mod export;
pub(crate) mod filter;
pub(crate) mod image;
pub(crate) mod local;
mod prune;
mod remove;
pub(crate) mod repair;

pub use create::{
    VolumeCreateOption, with_volume_driver, with_volume_labels, with_volume_name,
    with_volume_options,
};
pub use filter::VolumeFilter;
pub use remove::VolumeRemoveOptions;

use crate::error::{CoreError, Result};
use crate::record::{VolumeConfig, VolumeState};
use crate::runtime::Runtime;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A named volume: its config (fixed at create) and the runtime it lives in. Its state is
/// read fresh by [`state`](Self::state).
#[derive(Clone, Debug)]
pub struct Volume {
    runtime: Runtime,
    config: Arc<VolumeConfig>,
}

impl Volume {
    pub(crate) fn load(runtime: &Runtime, name: &str) -> Result<Volume> {
        Ok(Volume {
            runtime: runtime.clone(),
            config: Arc::new(runtime.state().volume_config(name)?),
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// Its config, as created.
    pub fn config(&self) -> &VolumeConfig {
        &self.config
    }

    /// Its state now (mount count, copy-up and chown still to do).
    pub fn state(&self) -> Result<VolumeState> {
        self.runtime.state().volume_state(self.name())
    }

    /// The containers using it, sorted by ID.
    pub fn users(&self) -> Result<Vec<String>> {
        self.runtime.state().volume_users(self.name())
    }

    /// What `podman volume inspect` shows of it.
    pub fn inspect(&self) -> Result<VolumeInspect> {
        let state = self.state()?;
        let config = self.config();
        Ok(VolumeInspect {
            name: config.name.clone(),
            driver: config.driver.clone(),
            mountpoint: config.mount_point.clone(),
            created_at: config.created.clone(),
            labels: config.labels.clone(),
            scope: "local".into(),
            options: config.options.clone(),
            uid: config.uid.unwrap_or(0),
            gid: config.gid.unwrap_or(0),
            anonymous: config.anonymous,
            mount_count: state.mount_count,
            needs_copy_up: state.needs_copy_up,
            needs_chown: state.needs_chown,
        })
    }
}

/// A volume as `podman volume inspect` (4.3's `InspectVolumeData`) shows it, with its JSON
/// field names and omissions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct VolumeInspect {
    /// Its name.
    pub name: String,
    /// Its driver (`local`).
    pub driver: String,
    /// Where its data is on the host.
    pub mountpoint: PathBuf,
    /// When it was created (RFC 3339, nanoseconds).
    pub created_at: String,
    /// Its labels.
    pub labels: BTreeMap<String, String>,
    /// Always `local`.
    pub scope: String,
    /// Its driver options (with `UID`/`GID` when `o=uid=`/`o=gid=` set them).
    pub options: BTreeMap<String, String>,
    /// The owner its data directory was given (0 when none was asked).
    #[serde(rename = "UID", skip_serializing_if = "is_zero")]
    pub uid: u32,
    /// The group its data directory was given (0 when none was asked).
    #[serde(rename = "GID", skip_serializing_if = "is_zero")]
    pub gid: u32,
    /// Made for one container and removed with it (`rm -v`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
    /// How many containers have it mounted (tmpfs and `device=` volumes).
    pub mount_count: u32,
    /// Whether the image's files are still to be copied into it at its first use.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_copy_up: bool,
    /// Whether its data directory is still to be given to its first user.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub needs_chown: bool,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde passes a reference"
)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Runtime {
    /// The volume with this name or unique name prefix (Podman's `LookupVolume`).
    pub fn volume(&self, name_or_prefix: &str) -> Result<Volume> {
        let name = self.state().lookup_volume(name_or_prefix)?;
        Volume::load(self, &name)
    }

    /// Every volume, sorted by name.
    pub fn volumes(&self) -> Result<Vec<Volume>> {
        let mut out = Vec::new();
        for name in self.state().all_volumes()? {
            match Volume::load(self, &name) {
                Ok(volume) => out.push(volume),
                // Removed by another process since the listing.
                Err(CoreError::VolumeNotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Whether a volume has exactly this name (`podman volume exists`: no prefixes).
    pub fn volume_exists(&self, name: &str) -> Result<bool> {
        match self.state().volume_config(name) {
            Ok(_) => Ok(true),
            Err(CoreError::VolumeNotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
