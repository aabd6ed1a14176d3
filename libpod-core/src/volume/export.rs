//! `volume export` and `volume import`: a volume's data as a tar stream, out and in. A volume
//! that mounts (tmpfs, `device=`) is mounted for the while, counted as a user.

use super::{Volume, local};
use crate::error::Result;
use std::io::{Read, Write};

impl Volume {
    /// Writes the volume's data as a tar stream (owners, modes, times, xattrs, links; the
    /// data directory itself has no entry), as `podman volume export` does.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let out = std::fs::File::create("/tmp/data.tar").unwrap();
    /// rt.volume("data")?.export(out)?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn export(&self, out: impl Write) -> Result<()> {
        self.while_mounted(|path| {
            libpod_storage::layer::write_tar(
                path,
                out,
                &libpod_storage::layer::TarOptions::default(),
            )?;
            Ok(())
        })
    }

    /// Unpacks a tar stream (plain or compressed) into the volume, over what it holds, as
    /// `podman volume import` does; entries are extracted as safely as image layers (nothing
    /// lands outside the volume).
    pub fn import(&self, tar: impl Read) -> Result<()> {
        self.while_mounted(|path| {
            libpod_storage::layer::apply_layer(tar, path)?;
            Ok(())
        })
    }

    fn while_mounted(&self, f: impl FnOnce(&std::path::Path) -> Result<()>) -> Result<()> {
        let rt = &self.runtime;
        let counted = local::acquire(rt, self.name())?;
        let result = f(&self.config.mount_point);
        let released = if counted {
            local::release(rt, self.name())
        } else {
            Ok(())
        };
        result.and(released)
    }
}
