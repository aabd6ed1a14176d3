//! `init`: Configured|Stopped|Exited -> Created: the container's OCI bundle written and the
//! container created in the OCI runtime, under its monitor.
//!
//! It reads top-down: the monitor is launched first ([`OciRuntime::launch`]), the bundle is
//! written while it starts up (`bundle.rs`, in steps: the root filesystem and /dev/shm in
//! `rootfs.rs` beside the network namespace of `network.rs`, the generated files in
//! `files.rs`, which need its addresses, the volumes in `volumes.rs`), then the pending create
//! goes on. A failure while writing drops the pending create, which stops the monitor.
//!
//! [`OciRuntime::launch`]: crate::oci::OciRuntime::launch

mod bundle;
mod files;
mod network;
mod rootfs;
mod volumes;

use super::{Container, ContainerState, ContainerStatus, Locked};
use crate::container::LogDriver;
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::network::namespace::RestoredNetworks;
use crate::oci::{CreateArgs, LogTarget, RestoreArgs};
use crate::runtime::intents::Intent;
use crate::runtime::modes::create_private_dir;
use std::collections::BTreeMap;

/// The synced states of the containers one depends on or joins namespaces of, by ID.
type OthersStates = BTreeMap<String, ContainerState>;

/// What an init that is a restore needs besides a plain one.
#[derive(Debug)]
pub(crate) struct Restore<'a> {
    /// The runtime's restore (conmon's `--restore`).
    pub(crate) args: RestoreArgs<'a>,
    /// The addresses the checkpoint recorded, given back.
    pub(crate) networks: Option<RestoredNetworks>,
}

impl Container {
    /// Prepares the container to start: storage mounted, spec generated, created (not started)
    /// in the OCI runtime.
    pub fn init(&self) -> Result<()> {
        let mut locked = self.lock()?;
        locked.require(
            "init",
            &[
                ContainerStatus::Configured,
                ContainerStatus::Stopped,
                ContainerStatus::Exited,
            ],
        )?;
        locked.init_locked()
    }
}

impl Locked<'_> {
    pub(crate) fn init_locked(&mut self) -> Result<()> {
        self.init_locked_with(None)
    }

    /// Init, or with `restore` a restore from a checkpoint: the same bundle, but the monitor
    /// runs the runtime's restore, whose process runs at once; `Running` is saved then.
    pub(crate) fn init_locked_with(&mut self, restore: Option<&Restore<'_>>) -> Result<()> {
        if self.state.status == ContainerStatus::Stopped {
            // Still known to the runtime: delete it before creating it again.
            self.oci()?.delete(self.id(), true)?;
        } else {
            self.delete_leftover()?;
        }
        let others = self.check_dependencies()?;
        // Covers the mounts and the runtime's create until `Created` is saved (or undone).
        let intent = Intent::init(self.runtime(), self.id())?;
        let before = self.state.clone();
        let result = self.prepare_and_create(&others, restore);
        if let Err(e) = result {
            // Created in the runtime before the failure (its save failed): deleted from it
            // (its process killed), or every later create of this ID is refused.
            let mut failures = Vec::new();
            if matches!(
                self.state.status,
                ContainerStatus::Created | ContainerStatus::Running
            ) {
                failures.extend(self.oci().and_then(|oci| oci.delete(self.id(), true)).err());
            }
            failures.extend(self.release_storage().err());
            failures.extend(self.teardown_network().err());
            let cleanup = super::cleanup::combine(failures);
            // A failed restore leaves the checkpoint to restore again.
            match restore {
                Some(_) => {
                    self.state.status = before.status;
                    self.state.checkpointed = before.checkpointed;
                    self.state.restored = before.restored;
                    self.state.restored_at = before.restored_at;
                    self.state.finished_at = before.finished_at;
                    self.state.exit_code = before.exit_code;
                }
                None => self.state.status = ContainerStatus::Configured,
            }
            self.state.pid = None;
            self.state.conmon_pid = None;
            let saved = self.save();
            return Err(match (cleanup, saved) {
                (Ok(()), Ok(())) => {
                    intent.clear();
                    e
                }
                // The intent stays: the next open deletes what is left.
                (Err(c), _) | (_, Err(c)) => CoreError::WithCleanupFailure {
                    primary: Box::new(e),
                    cleanup: c.to_string(),
                },
            });
        }
        intent.clear();
        if restore.is_none() {
            self.runtime()
                .events()
                .container(self.config(), EventStatus::Init);
        }
        Ok(())
    }

    /// The states of every container this one depends on or joins a namespace of, each read
    /// under its lock and synced (an exit recorded since is seen, not a stale PID); fails unless
    /// each runs.
    ///
    /// Lock order: this container's lock is held while each of those is locked in turn, one at
    /// a time and only for the read. A container's dependencies and namespace owners existed
    /// before it and never change, so "dependent, then dependency" has no cycle, and no path
    /// takes a dependent's lock while holding a dependency's.
    pub(crate) fn check_dependencies(&self) -> Result<OthersStates> {
        let config = self.config();
        let mut states = OthersStates::new();
        for dep in config
            .dependencies
            .iter()
            .chain(config.namespaces_from.values())
        {
            if states.contains_key(dep) {
                continue;
            }
            let state = Container::load(self.runtime(), dep)?.lock()?.state.clone();
            if state.status != ContainerStatus::Running || state.pid.is_none() {
                return Err(CoreError::DependencyNotRunning {
                    id: self.id().to_string(),
                    dependency: dep.clone(),
                });
            }
            states.insert(dep.clone(), state);
        }
        Ok(states)
    }

    fn prepare_and_create(
        &mut self,
        others: &OthersStates,
        restore: Option<&Restore<'_>>,
    ) -> Result<()> {
        let rt = self.runtime().clone();
        let ctr = self.ctr;
        let config = ctr.config();
        let id = ctr.id();
        let run_dir = rt.container_run_dir(id);
        create_private_dir(&run_dir)?;
        let oci = ctr.oci()?;
        oci.clear_exit(id)?;
        let log = match config.log_driver {
            LogDriver::K8sFile => LogTarget::K8sFile(ctr.log_path()),
            LogDriver::Journald => LogTarget::Journald,
            LogDriver::None | LogDriver::Passthrough => LogTarget::None,
        };
        // conmon opens the log as it starts, before the bundle is written.
        if let LogTarget::K8sFile(path) = &log
            && let Some(dir) = path.parent()
        {
            create_private_dir(dir)?;
        }
        let mut args = CreateArgs::new(id, &config.name, &run_dir, &run_dir);
        args.log = log;
        args.log_tag = config.log_tag.as_deref();
        args.log_size_max = config.log_size_max;
        args.terminal = config.spec.tty;
        args.stdin = config.stdin;
        args.exit_command = &config.exit_command;
        args.conmon_pidfile = config.conmon_pidfile.as_deref();
        args.restore = restore.map(|r| r.args.clone());
        // The runtime moves the container's first process into its cgroups: see
        // cgroup_warmup.
        let warmup = crate::cgroup_warmup::Warmup::begin();
        // conmon starts up while the bundle is written; dropped on a failure, it is stopped.
        let pending = oci.launch(&args)?;
        let networks = restore.and_then(|r| r.networks.as_ref());
        self.write_bundle(&run_dir, others, networks)?;
        if restore.is_some() {
            self.restore_shm(&rt.container_static_dir(id))?;
        }
        let created = pending.create()?;
        drop(warmup);
        self.state.status = match restore {
            Some(_) => ContainerStatus::Running,
            None => ContainerStatus::Created,
        };
        if restore.is_some() {
            // Running and restored are one write: a kill never leaves it running but still
            // checkpointed.
            self.state.checkpointed = false;
            self.state.restored = true;
            self.state.restored_at = Some(crate::runtime::now_rfc3339());
            self.state.finished_at = None;
            self.state.exit_code = None;
        }
        self.state.pid = Some(created.pid);
        self.state.conmon_pid = Some(created.conmon_pid);
        self.state.boot_id = Some(rt.boot_id().to_string());
        self.save()
    }
}

impl Container {
    /// The container's k8s-file log path.
    pub fn log_path(&self) -> std::path::PathBuf {
        self.config().log_path.clone().unwrap_or_else(|| {
            self.runtime()
                .container_static_dir(self.id())
                .join("ctr.log")
        })
    }
}

#[cfg(test)]
mod tests;
