//! `remove`: a container and everything it owns (runtime entry, storage, run and static
//! directories, database row, lock); `force` stops it first.

use super::{Container, ContainerStatus, ExitAction, Locked};
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::runtime::Runtime;

/// How to remove a container.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct RemoveOptions {
    /// Stop (and kill) a running container first.
    pub force: bool,
    /// Seconds to wait for the stop signal before SIGKILL (the container's own when `None`).
    pub timeout: Option<u32>,
    /// Also remove its anonymous volumes (`rm -v`); named ones always stay, and one another
    /// container uses too stays.
    pub volumes: bool,
}

impl RemoveOptions {
    /// Sets `force`.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets `volumes`.
    pub fn volumes(mut self, volumes: bool) -> Self {
        self.volumes = volumes;
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
    /// container is stopped; failures are reported together. With `force`, one whose state
    /// does not decode is removed as
    /// [`remove_broken_container`](Runtime::remove_broken_container) does.
    pub fn remove_container(&self, ctr: &Container, options: RemoveOptions) -> Result<()> {
        if let Some(pod) = ctr.config().pod.as_ref().filter(|_| ctr.config().is_infra)
            && self.state().pod_config(pod).is_ok()
        {
            return Err(CoreError::PodInfraContainer {
                id: ctr.id().to_string(),
                pod: pod.clone(),
            });
        }
        let mut locked = match ctr.lock() {
            Ok(locked) => locked,
            // A state that does not decode: nothing to stop it by but force.
            Err(CoreError::Corrupt { .. }) if options.force => {
                return self.remove_broken_container(ctr.id());
            }
            Err(e) => return Err(e),
        };
        locked.remove_with(options)?;
        drop(locked);
        if options.volumes {
            crate::volume::image::remove_anonymous_of(self, ctr.config());
        }
        Ok(())
    }
}

impl Locked<'_> {
    /// [`Runtime::remove_container`] on the locked container (its anonymous volumes left to
    /// the caller): refused while others depend on it, or while it runs without `force`.
    pub(crate) fn remove_with(&mut self, options: RemoveOptions) -> Result<()> {
        let dependents = self.runtime().state().dependents(self.id())?;
        if !dependents.is_empty() {
            return Err(CoreError::HasDependents {
                id: self.id().to_string(),
                dependents,
            });
        }
        if matches!(
            self.state.status,
            ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping
        ) {
            if !options.force {
                return self.require("remove without force", &[]);
            }
            let timeout = options.timeout.unwrap_or(self.config().stop_timeout);
            match self.stop_locked(timeout, ExitAction::Keep) {
                // Removed by another process while the stop waited: gone, as asked.
                Err(CoreError::ContainerNotFound(id)) if id == self.id() => return Ok(()),
                other => other?,
            }
        }
        self.remove_locked()
    }
}

impl Locked<'_> {
    /// Removes an auto-remove (`--rm`) container after its exit, with its anonymous volumes,
    /// as Podman's cleanup does (volume locks come after the container's in the lock order).
    pub(crate) fn auto_remove_locked(&mut self) -> Result<()> {
        self.remove_locked()?;
        crate::volume::image::remove_anonymous_of(self.runtime(), self.config());
        Ok(())
    }

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
            _ => self.oci().and_then(|oci| oci.delete(self.id(), true)),
        };
        failures.extend(cleaned.err());
        // Cleanup's teardown when it ran; else what a failed cleanup or removal left (one
        // `stat` when nothing is).
        failures.extend(self.teardown_network().err());
        self.state.status = ContainerStatus::Removing;
        self.save()?;
        let rt = self.runtime();
        let id = self.id();
        // The storage (its record and layer directory) and the run and static directories are
        // apart: removed side by side, each a few dozen inode operations and fsyncs.
        let remove_storage = || match &self.config().rootfs {
            Some(super::RootfsSource::Image { .. }) => remove_storage(rt, id),
            _ => Ok(()),
        };
        let remove_dirs = || remove_files(rt, id);
        let (storage, dirs) =
            crate::overlap::overlap("remove-storage", remove_storage, remove_dirs);
        failures.extend(storage.err());
        failures.extend(dirs);
        if !failures.is_empty() {
            // The row stays (`Removing`) so that nothing it owns is forgotten.
            return super::cleanup::combine(failures).map_err(|e| CoreError::RemovalIncomplete {
                id: id.to_string(),
                source: Box::new(e),
            });
        }
        rt.state().remove_container(id)?;
        self._guard.remove_file();
        rt.events().container(self.config(), EventStatus::Remove);
        self.removed = true;
        Ok(())
    }
}

/// Unmounts and removes container `id`'s storage, if it has any.
fn remove_storage(rt: &Runtime, id: &str) -> Result<()> {
    match rt.storage().remove_container(id) {
        Ok(()) | Err(libpod_storage::StorageError::ContainerNotKnown(_)) => Ok(()),
        Err(e) => Err(CoreError::from(e)),
    }
}

/// Removes container `id`'s run and static directories and conmon's exit files (the
/// database keeps the code); returns what failed.
fn remove_files(rt: &Runtime, id: &str) -> Vec<CoreError> {
    let dirs = [rt.container_run_dir(id), rt.container_static_dir(id)];
    // Its shm, if an init killed before its save left it mounted and unrecorded.
    if let Err(e) = super::storage::unmount_shm(&dirs[0].join("shm")) {
        return vec![e];
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
    // Whichever runtime made it (a broken row does not say): each clears only its own.
    for oci in rt.all_oci() {
        failed.extend(oci.clear_exit(id).err());
    }
    failed
}

impl Runtime {
    /// Removes container `name_or_id` whatever its records say, as `rm -f` of a container
    /// whose config or state does not decode (see
    /// [`list_containers`](Runtime::list_containers)): deleted from the OCI runtime (its
    /// processes killed), its shm and storage unmounted and removed, its directories and
    /// exit files removed, and its row last, once all that is gone (so that a failure can
    /// be retried). Refused while other containers depend on it.
    pub fn remove_broken_container(&self, name_or_id: &str) -> Result<()> {
        let state = &self.state();
        let id = state.lookup_container(name_or_id)?;
        let guard = self.lock_container(&id)?;
        let dependents = state.dependents(&id)?;
        if !dependents.is_empty() {
            return Err(CoreError::HasDependents { id, dependents });
        }
        tracing::info!(container = %id, "removing a container whose records do not decode");
        // Its record does not say which runtime made it: each deletes only what it knows.
        let mut failures: Vec<CoreError> = self
            .all_oci()
            .filter_map(|oci| oci.delete(&id, true).err())
            .collect();
        let (storage, files) = crate::overlap::overlap(
            "remove-storage",
            || remove_storage(self, &id),
            || remove_files(self, &id),
        );
        failures.extend(storage.err());
        failures.extend(files);
        if !failures.is_empty() {
            return super::cleanup::combine(failures);
        }
        state.remove_container(&id)?;
        guard.remove_file();
        Ok(())
    }
}
