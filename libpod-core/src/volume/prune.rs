//! `volume prune`: every volume no container uses and the filters select, removed.

use super::VolumeFilter;
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;

impl Runtime {
    /// Removes every unused volume that all `filters` select (Podman's `PruneVolumes`;
    /// `volume prune --filter` takes `label`, `label!` and `until`), returning their names.
    /// A volume that gains a user meanwhile is left.
    ///
    /// ```no_run
    /// use libpod_core::volume::VolumeFilter;
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let filters = [VolumeFilter::parse("label=tmp")?];
    /// for name in rt.prune_volumes(&filters)? {
    ///     println!("{name}");
    /// }
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn prune_volumes(&self, filters: &[VolumeFilter]) -> Result<Vec<String>> {
        let mut pruned = Vec::new();
        for volume in self.volumes()? {
            if !volume.users()?.is_empty() || !VolumeFilter::all_match(filters, &volume)? {
                continue;
            }
            match self.remove_volume_named(volume.name(), true) {
                Ok(()) => pruned.push(volume.name().to_string()),
                Err(CoreError::VolumeInUse { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(pruned)
    }
}
