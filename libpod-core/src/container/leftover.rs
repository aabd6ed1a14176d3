//! What an init killed between the OCI runtime's create and its save leaves behind: the
//! container in the runtime (with its process waiting and its monitor), its mounts, and a
//! database that says it is not there. The next init deletes it before creating it again.

use super::Locked;
use crate::error::{CoreError, Result};

/// How long to wait for the monitor of a runtime leftover to record its exit (it does so as
/// soon as the runtime's delete killed the process; longer only if the monitor died too).
const LEFTOVER_EXIT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Locked<'_> {
    /// Deletes what an init killed between the runtime's create and its save left in the
    /// runtime (for conmon, a `stat` finds nothing): else this create is refused as "already
    /// exists". The leftover's conmon then records its process's exit: waited for (up to
    /// [`LEFTOVER_EXIT_WAIT`]), so that it cannot land on the new run's exit file.
    pub(crate) fn delete_leftover(&mut self) -> Result<()> {
        let oci = self.runtime().inner.oci.clone();
        let Some(leftover) = oci.state(self.id())? else {
            return Ok(());
        };
        tracing::warn!(container = %self.id(), status = %leftover.status, "deleting what an interrupted init left in the runtime");
        oci.delete(self.id(), true)?;
        if oci
            .wait_exit(self.id(), Some(LEFTOVER_EXIT_WAIT))?
            .is_none()
        {
            tracing::debug!(container = %self.id(), "the leftover's monitor recorded no exit");
        }
        // Its mounts, never recorded: the root filesystem's count and the shm.
        if let Some(super::RootfsSource::Image { .. }) = &self.config().rootfs {
            match self.runtime().storage().unmount_container(self.id(), true) {
                Ok(_) | Err(libpod_storage::StorageError::ContainerNotKnown(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let shm = self.runtime().container_run_dir(self.id()).join("shm");
        match nix::mount::umount2(&shm, nix::mount::MntFlags::MNT_DETACH) {
            Ok(()) | Err(nix::errno::Errno::EINVAL) | Err(nix::errno::Errno::ENOENT) => Ok(()),
            Err(e) => Err(CoreError::io("unmount shm", shm, e.into())),
        }
    }
}
