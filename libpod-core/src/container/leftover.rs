//! What an init killed between the OCI runtime's create and its save leaves behind: the
//! container in the runtime (with its process waiting and its monitor), its mounts, and a
//! database that says it is not there. The next init deletes it before creating it again, and
//! so does the next open when the init's intent (`runtime/intents.rs`) is left.

use super::{ContainerStatus, Locked};
use crate::error::Result;

/// How long to wait for the monitor of a runtime leftover to record its exit (it does so as
/// soon as the runtime's delete killed the process; longer only if the monitor died too).
const LEFTOVER_EXIT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Locked<'_> {
    /// After an init that was interrupted before it saved `Created`: deletes what it left in
    /// the runtime and its mounts. A container whose state says it got further (the save
    /// happened) is left alone.
    pub(crate) fn undo_interrupted_init(&mut self) -> Result<()> {
        match self.state.status {
            ContainerStatus::Configured | ContainerStatus::Exited => {
                self.delete_leftover()?;
                // Killed before the runtime's create: only the mounts and the network
                // namespace (with its addresses) were made.
                self.teardown_network()?;
                self.release_leftover_mounts()
            }
            _ => Ok(()),
        }
    }

    /// Deletes what an init killed between the runtime's create and its save left in the
    /// runtime (for conmon, a `stat` finds nothing): else this create is refused as "already
    /// exists". The leftover's conmon then records its process's exit: waited for (up to
    /// [`LEFTOVER_EXIT_WAIT`]), so that it cannot land on the new run's exit file.
    pub(crate) fn delete_leftover(&mut self) -> Result<()> {
        let oci = self.runtime().oci().clone();
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
        self.release_leftover_mounts()
    }

    /// The mounts of an init that never saved `Created`: the root filesystem's count and the
    /// shm (neither recorded in the state).
    fn release_leftover_mounts(&self) -> Result<()> {
        if let Some(super::RootfsSource::Image { .. }) = &self.config().rootfs {
            match self.runtime().storage().unmount_container(self.id(), true) {
                Ok(_) | Err(libpod_storage::StorageError::ContainerNotKnown(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        super::storage::unmount_shm(&self.runtime().container_run_dir(self.id()).join("shm"))
    }
}
