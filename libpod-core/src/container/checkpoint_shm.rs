//! A checkpoint's /dev/shm: the contents of the container's own shm tmpfs, which its cleanup
//! unmounts, kept as `devshm-checkpoint.tar` beside CRIU's images (Podman's file of that
//! name, in archives too) and unpacked into the new tmpfs before the runtime restores the
//! processes, whose shared memory and semaphores live there.

use super::Locked;
use crate::error::{CoreError, Result};
use std::io::{BufWriter, Write};
use std::path::Path;

/// The shm's contents beside the images (and in an archive's root).
pub(super) const DEVSHM_TAR: &str = "devshm-checkpoint.tar";

impl Locked<'_> {
    /// The container's own shm directory, if /dev/shm is its own tmpfs (not the host's, not
    /// the one of a container whose IPC namespace it joins).
    fn own_shm(&self) -> Option<std::path::PathBuf> {
        let own = self.own_shm_path();
        (self.state.bind_mounts.get("/dev/shm") == Some(&own)).then_some(own)
    }

    /// Writes the shm's contents to `static_dir/devshm-checkpoint.tar` (none without an own
    /// shm). Written beside and renamed when whole. The checkpoint removed any earlier one
    /// before its dump.
    pub(crate) fn save_shm(&self, static_dir: &Path) -> Result<()> {
        let path = static_dir.join(DEVSHM_TAR);
        let Some(shm) = self.own_shm() else {
            return Ok(());
        };
        let temp = libpod_fs::TempFile::beside(&path, 0o600)?;
        let mut out = BufWriter::new(temp.file());
        libpod_storage::layer::write_tar(
            &shm,
            &mut out,
            &libpod_storage::layer::TarOptions::default(),
        )?;
        out.flush()
            .map_err(|err| CoreError::io("write", &path, err))?;
        drop(out);
        temp.commit(libpod_fs::Durability::Full)?;
        Ok(())
    }

    /// Unpacks `static_dir/devshm-checkpoint.tar`, if there is one, into the shm mounted for
    /// a restore, as safely as an image layer (it may come from an archive).
    pub(super) fn restore_shm(&self, static_dir: &Path) -> Result<()> {
        let Some(shm) = self.own_shm() else {
            return Ok(());
        };
        let tar = match libpod_fs::Root::open(static_dir)?
            .open_regular(DEVSHM_TAR, libpod_fs::Policy::NoSymlinks)
        {
            Ok(file) => file,
            Err(libpod_fs::FsError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                return Ok(());
            }
            Err(err) => return Err(err.into()),
        };
        libpod_storage::layer::apply_layer(std::io::BufReader::new(tar), &shm)?;
        Ok(())
    }
}
