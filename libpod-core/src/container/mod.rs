//! Containers: their configuration, their state, and the lifecycle, one file per verb.
//!
//! Every change of state happens on a `Locked` container (a guard private to the crate): the
//! object's lock is held and its state was just read from the database and synced with the OCI
//! runtime (a recorded exit becomes `Stopped`). There is no way to change state without that,
//! so "lock, then sync" cannot be forgotten. A state is written only through `write_state`,
//! which takes the container's lock guard as proof: by `Locked::save` and by the refresh
//! after a reboot (`refresh.rs`, the one writer that must not sync).

mod attach;
mod auto_update;
mod checkpoint;
mod checkpoint_archive;
pub(crate) use checkpoint_archive::repair_interrupted_imports;
mod checkpoint_intent;
pub(crate) use checkpoint_intent::repair_interrupted as repair_interrupted_checkpoints;
mod checkpoint_rootfs;
mod checkpoint_shm;
mod cleanup;
mod copy;
mod copy_tree;
pub(crate) mod create;
mod healthcheck;
pub(crate) use cleanup::combine as combine_failures;
pub(crate) use create::new_id;
mod init;
mod inspect;
mod inspect_network;
mod inspect_resources;
mod kill;
mod leftover;
pub(crate) mod options;
mod pause;
mod prune;
pub(crate) mod recreate;
mod refresh;
mod remove;
mod rename;
mod start;
mod stop;
mod storage;
mod sync;
mod update;
mod wait;

pub use crate::record::{ContainerConfig, HealthCheck, LogDriver, RootfsSource};
pub use crate::record::{ContainerState, ContainerStatus};
pub use attach::AttachOptions;
pub use auto_update::{
    AUTO_UPDATE_AUTHFILE_LABEL, AUTO_UPDATE_LABEL, AutoUpdatePolicy, SYSTEMD_UNIT_LABEL,
    raw_image_name, validate_auto_update_reference, with_raw_image_name,
};
pub use checkpoint::{CheckpointOptions, Compression, CriuReport, RestoreOptions};
pub use copy::CopyOptions;
pub use healthcheck::HealthCheckOutcome;
pub use options::{ContainerBuilder, CtrCreateOption, options_from_create_config};
pub use options::{
    with_auto_remove, with_cgroup_parent, with_command, with_conmon_pidfile, with_create_config,
    with_dependencies, with_entrypoint, with_env, with_exit_command, with_group_add,
    with_healthcheck, with_healthcheck_on_failure, with_healthcheck_timer, with_ipc_ns_from,
    with_labels, with_log_driver, with_log_path, with_log_size_max, with_log_tag, with_name,
    with_named_volumes, with_net_ns_from, with_network_mode, with_pid_ns_from, with_pod,
    with_pod_named, with_restart_policy, with_restart_retries, with_rootfs_from_image,
    with_rootfs_path, with_shm_size, with_startup_healthcheck, with_stdin, with_stop_signal,
    with_stop_timeout, with_systemd, with_tty, with_user, with_user_volumes, with_uts_ns_from,
    with_volatile, with_workdir,
};
pub use options::{with_exposed_ports, with_networks, with_port_mappings, with_publish_all};
pub use prune::{PruneFilter, PruneReport};
pub use remove::RemoveOptions;

use crate::error::Result;
use crate::lock::ContainerGuard;
use crate::runtime::Runtime;
use std::sync::Arc;

/// A handle on a container. Cheap to clone; it reads the container's state from the database
/// each time it is asked, so several handles (and processes) agree.
#[derive(Clone, Debug)]
pub struct Container {
    runtime: Runtime,
    config: Arc<ContainerConfig>,
}

impl Container {
    pub(crate) fn load(runtime: &Runtime, id: &str) -> Result<Container> {
        let config = runtime.state().container_config(id)?;
        Ok(Container {
            runtime: runtime.clone(),
            config: Arc::new(config),
        })
    }

    /// The container's ID.
    pub fn id(&self) -> &str {
        &self.config.id
    }

    /// The container's name.
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// What the container was created with.
    pub fn config(&self) -> &ContainerConfig {
        &self.config
    }

    /// The runtime the container belongs to.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The OCI runtime the container was created with (rows of earlier versions: the
    /// runtime's own).
    pub(crate) fn oci(&self) -> Result<Arc<dyn crate::oci::OciRuntime>> {
        let Some(name) = &self.config.oci_runtime else {
            return Ok(self.runtime.oci().clone());
        };
        self.runtime
            .all_oci()
            .find(|oci| oci.name() == name)
            .cloned()
            .ok_or_else(|| crate::CoreError::OciRuntimeMissing {
                id: self.id().to_string(),
                runtime: name.clone(),
            })
    }

    /// The container's current state, synced with the OCI runtime (an exit that happened since
    /// the last look is recorded, and the container cleaned up, first). A restart the exit
    /// calls for by the policy is left pending (`restart_pending`): the cleanup entry point
    /// makes it (conmon's exit command, or the open runtime's exit monitor; see
    /// [`monitor`](crate::monitor)), never a look.
    pub fn state(&self) -> Result<ContainerState> {
        Ok(self.lock()?.state.clone())
    }

    /// The container's status.
    pub fn status(&self) -> Result<ContainerStatus> {
        Ok(self.state()?.status)
    }

    /// Locks the container and syncs its state.
    pub(crate) fn lock(&self) -> Result<Locked<'_>> {
        let guard = self.runtime.lock_container(self.id())?;
        self.locked_with(guard)
    }

    /// Locks the container through its pod's guard (the pod stays locked meanwhile) and
    /// syncs its state.
    pub(crate) fn lock_in<'a>(&'a self, pod: &'a crate::lock::PodGuard<'_>) -> Result<Locked<'a>> {
        let guard = pod.container(self.id())?;
        self.locked_with(guard)
    }

    fn locked_with<'a>(&'a self, guard: ContainerGuard<'a>) -> Result<Locked<'a>> {
        let state = self.runtime.state().container_state(self.id())?;
        let mut locked = Locked {
            ctr: self,
            state,
            exit_code: None,
            removed: false,
            _guard: guard,
        };
        locked.sync()?;
        if locked.removed {
            // Auto-removed as its exit was handled.
            return Err(crate::CoreError::ContainerNotFound(self.id().to_string()));
        }
        Ok(locked)
    }
}

/// A container whose lock is held and whose state is fresh.
pub(crate) struct Locked<'c> {
    pub ctr: &'c Container,
    pub state: ContainerState,
    /// An exit code recorded in `state` but not saved yet: the next save writes both.
    exit_code: Option<i32>,
    /// The container is gone (removed under this lock).
    removed: bool,
    _guard: ContainerGuard<'c>,
}

/// What handling an exit may do besides the restart policy and cleanup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitAction {
    /// Remove an auto-remove container (an exit seen, or a stop).
    AutoRemove,
    /// Keep it: the caller restarts or removes it itself.
    Keep,
}

impl Locked<'_> {
    pub fn id(&self) -> &str {
        self.ctr.id()
    }

    pub fn config(&self) -> &ContainerConfig {
        &self.ctr.config
    }

    pub fn runtime(&self) -> &Runtime {
        &self.ctr.runtime
    }

    /// The OCI runtime the container was created with.
    pub fn oci(&self) -> Result<Arc<dyn crate::oci::OciRuntime>> {
        self.ctr.oci()
    }

    /// Persists the state (with the exit code recorded since the last save, if any, in the
    /// same transaction).
    pub fn save(&mut self) -> Result<()> {
        write_state(self.runtime(), &self._guard, &self.state, self.exit_code)?;
        self.exit_code = None;
        Ok(())
    }

    /// Fails unless the status is one of `allowed`.
    pub fn require(&self, operation: &'static str, allowed: &[ContainerStatus]) -> Result<()> {
        if allowed.contains(&self.state.status) {
            Ok(())
        } else {
            Err(crate::CoreError::InvalidState {
                id: self.id().to_string(),
                status: self.state.status,
                operation,
            })
        }
    }
}

/// Persists the state of the container whose lock `guard` is (with `exit_code`, if any, in
/// the same transaction): the one writer of containers' states.
fn write_state(
    rt: &Runtime,
    guard: &ContainerGuard<'_>,
    state: &ContainerState,
    exit_code: Option<i32>,
) -> Result<()> {
    match exit_code {
        Some(code) => rt.state().record_exit_code(guard.id(), code, Some(state)),
        None => rt.state().save_container_state(guard.id(), state),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
#[path = "recovery_tests.rs"]
mod recovery_tests;

#[cfg(test)]
#[path = "checkpoint_repair_tests.rs"]
mod checkpoint_repair_tests;

#[cfg(test)]
#[path = "events_tests.rs"]
mod events_tests;

#[cfg(test)]
#[path = "oci_choice_tests.rs"]
mod oci_choice_tests;
