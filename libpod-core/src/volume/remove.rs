//! `volume rm`: a volume's row, then its directories, under its lock and an intent (a kill
//! leaves it whole or absent: see `repair.rs`). One in use is refused unless forced; force
//! removes the containers using it first, as Podman's does.

use super::{Volume, local};
use crate::container::RemoveOptions;
use crate::error::{CoreError, Result};
use crate::events::{Event, EventStatus};
use crate::runtime::Runtime;
use crate::runtime::intents::Intent;

/// How to remove a volume.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct VolumeRemoveOptions {
    /// Remove the containers using it first (stopping running ones).
    pub force: bool,
    /// Seconds those containers get to stop before SIGKILL (their own timeout when `None`).
    pub timeout: Option<u32>,
}

impl VolumeRemoveOptions {
    /// Sets `force`.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets the stop timeout of the users removed by `force`.
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = Some(seconds);
        self
    }
}

impl Runtime {
    /// Removes a volume (Podman's `RemoveVolume`): refused with [`CoreError::VolumeInUse`]
    /// while containers use it, unless `force`, which removes them first.
    ///
    /// ```no_run
    /// use libpod_core::volume::VolumeRemoveOptions;
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let volume = rt.volume("data")?;
    /// rt.remove_volume(&volume, VolumeRemoveOptions::default().force(true))?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn remove_volume(&self, volume: &Volume, options: VolumeRemoveOptions) -> Result<()> {
        if options.force {
            for id in volume.users()? {
                let ctr = match self.container(&id) {
                    Ok(ctr) => ctr,
                    Err(CoreError::ContainerNotFound(_)) => continue,
                    Err(e) => return Err(e),
                };
                let mut remove = RemoveOptions::default().force(true);
                remove.timeout = options.timeout;
                match self.remove_container(&ctr, remove) {
                    Ok(()) | Err(CoreError::ContainerNotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        self.remove_volume_named(volume.name(), false)
    }

    /// Removes volume `name` if no container uses it; `missing_ok` makes a volume already
    /// gone no error.
    pub(crate) fn remove_volume_named(&self, name: &str, missing_ok: bool) -> Result<()> {
        let guard = self.lock_volume(name)?;
        if !self.volume_exists(name)? {
            return if missing_ok {
                Ok(())
            } else {
                Err(CoreError::VolumeNotFound(name.to_string()))
            };
        }
        let intent = Intent::volume(self, name)?;
        // The row first (refused in the same transaction while a container uses it), then
        // the files: a kill in between leaves directories the next open removes.
        self.state().remove_volume(name)?;
        local::remove_dirs(self, name)?;
        intent.clear();
        guard.remove_file();
        self.events().emit(Event::volume(EventStatus::Remove, name));
        tracing::debug!(volume = %name, "removed");
        Ok(())
    }
}
