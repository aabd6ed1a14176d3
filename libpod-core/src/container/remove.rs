//! `remove`: a container and everything it owns (runtime entry, storage, run and static
//! directories, database row, lock); `force` stops it first.

use super::{Container, ContainerStatus, ExitAction, Locked};
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;
use nix::errno::Errno;
use nix::mount::{MntFlags, umount2};

/// How to remove a container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct RemoveOptions {
    /// Stop (and kill) a running container first.
    pub force: bool,
    /// Seconds to wait for the stop signal before SIGKILL (the container's own when `None`).
    pub timeout: Option<u32>,
}

impl RemoveOptions {
    /// Sets `force`.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets the stop timeout.
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = Some(seconds);
        self
    }
}

impl Runtime {
    /// Removes a container (Podman's `RemoveContainer`). A running one is refused unless
    /// `force`; one that others depend on is refused. Every step is attempted once the
    /// container is stopped; failures are reported together.
    pub fn remove_container(&self, ctr: &Container, options: RemoveOptions) -> Result<()> {
        let mut locked = ctr.lock()?;
        let dependents = self.inner.state.dependents(ctr.id())?;
        if !dependents.is_empty() {
            return Err(CoreError::HasDependents {
                id: ctr.id().to_string(),
                dependents,
            });
        }
        if matches!(
            locked.state.status,
            ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping
        ) {
            if !options.force {
                return locked.require("remove without force", &[]);
            }
            let timeout = options.timeout.unwrap_or(locked.config().stop_timeout);
            locked.stop_locked(timeout, ExitAction::Keep)?;
        }
        locked.remove_locked()
    }
}

impl Locked<'_> {
    /// Removes the container, stopped (and without dependents): cleanup if it was not done,
    /// then `Removing` saved (with cleanup's changes and any exit code: one commit) before the
    /// storage, the directories and conmon's exit files go, and the database row and lock
    /// last, only once everything else is gone: a removal that failed half-way is retried
    /// by removing it again.
    pub(crate) fn remove_locked(&mut self) -> Result<()> {
        let mut failures = Vec::new();
        let cleaned = match self.state.status {
            ContainerStatus::Stopped | ContainerStatus::Created => self.cleanup_unsaved(),
            // Not in the runtime, unless an init was killed after its create or an earlier
            // removal failed: then it is deleted (for conmon, a `stat` when it is not there).
            _ => self.runtime().inner.oci.delete(self.id(), true),
        };
        failures.extend(cleaned.err());
        self.state.status = ContainerStatus::Removing;
        self.save()?;
        let rt = self.runtime();
        let id = self.id();
        // The storage (its record and layer directory) and the run and static directories are
        // apart: removed side by side, each a few dozen inode operations and fsyncs.
        let remove_storage = || match &self.config().rootfs {
            Some(super::RootfsSource::Image { .. }) => match rt.storage().remove_container(id) {
                Ok(()) | Err(libpod_storage::StorageError::ContainerNotKnown(_)) => Ok(()),
                Err(e) => Err(CoreError::from(e)),
            },
            _ => Ok(()),
        };
        let remove_dirs = || {
            let dirs = [rt.container_run_dir(id), rt.container_static_dir(id)];
            // Its shm, if an init killed before its save left it mounted and unrecorded.
            let shm = dirs[0].join("shm");
            if let Err(e) = umount2(&shm, MntFlags::MNT_DETACH)
                && !matches!(e, Errno::EINVAL | Errno::ENOENT)
            {
                return vec![CoreError::io("unmount shm", shm, e.into())];
            }
            let mut failed: Vec<CoreError> = dirs
                .into_iter()
                .filter_map(|dir| match std::fs::remove_dir_all(&dir) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                        Some(CoreError::io("remove", &dir, e))
                    }
                    _ => None,
                })
                .collect();
            // conmon's exit files: the database keeps the code.
            failed.extend(rt.inner.oci.clear_exit(id).err());
            failed
        };
        let (storage, dirs) =
            crate::overlap::overlap("remove-storage", remove_storage, remove_dirs);
        failures.extend(storage.err());
        failures.extend(dirs);
        if !failures.is_empty() {
            // The row stays (`Removing`) so that nothing it owns is forgotten.
            return super::cleanup::combine(failures);
        }
        rt.inner.state.remove_container(id)?;
        rt.inner.locks.remove(id);
        self.removed = true;
        Ok(())
    }
}
