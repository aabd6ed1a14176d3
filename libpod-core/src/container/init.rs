//! `init`: Configured|Stopped|Exited -> Created. Mounts storage, writes the generated files,
//! generates and saves config.json, and creates the container under conmon.

use super::{Container, ContainerState, ContainerStatus, Locked};
use crate::container::LogDriver;
use crate::error::{CoreError, Result};
use crate::oci::{CreateArgs, LogTarget};
use crate::runtime::intents::Intent;
use crate::runtime::modes::{create_private_dir, write_private};
use libpod_spec::{NamespaceKind, NamespaceMode, SpecContext};
use std::collections::BTreeMap;

/// The synced states of the containers one depends on or joins namespaces of, by ID.
type OthersStates = BTreeMap<String, ContainerState>;

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

/// OCI runtimes whose delete of a stopped container does not need its root filesystem (only
/// its state directory and cgroup), so that unmounting may overlap it. Podman deletes before
/// unmounting because some runtimes (Kata) object otherwise.
const DELETE_IGNORES_ROOTFS: [&str; 2] = ["runc", "crun"];

/// The namespace kinds a container can join from another.
const JOINABLE: [NamespaceKind; 6] = [
    NamespaceKind::Ipc,
    NamespaceKind::Network,
    NamespaceKind::Pid,
    NamespaceKind::Uts,
    NamespaceKind::User,
    NamespaceKind::Cgroup,
];

impl Locked<'_> {
    pub(crate) fn init_locked(&mut self) -> Result<()> {
        if self.state.status == ContainerStatus::Stopped {
            // Still known to the runtime: delete it before creating it again.
            self.runtime().oci().delete(self.id(), true)?;
        } else {
            self.delete_leftover()?;
        }
        let others = self.check_dependencies()?;
        // Covers the mounts and the runtime's create until `Created` is saved (or undone).
        let intent = Intent::init(self.runtime(), self.id())?;
        let result = self.prepare_and_create(&others);
        if let Err(e) = result {
            // Created in the runtime before the failure (its save failed): deleted from it
            // (its process killed), or every later create of this ID is refused.
            let mut failures = Vec::new();
            if self.state.status == ContainerStatus::Created {
                failures.extend(self.runtime().oci().delete(self.id(), true).err());
            }
            failures.extend(self.release_storage().err());
            let cleanup = super::cleanup::combine(failures);
            self.state.status = ContainerStatus::Configured;
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

    fn prepare_and_create(&mut self, others: &OthersStates) -> Result<()> {
        let rt = self.runtime().clone();
        let ctr = self.ctr;
        let config = ctr.config();
        let id = ctr.id();
        let run_dir = rt.container_run_dir(id);
        create_private_dir(&run_dir)?;
        rt.oci().clear_exit(id)?;
        let log = match config.log_driver {
            LogDriver::K8sFile => LogTarget::K8sFile(ctr.log_path()),
            LogDriver::Journald => LogTarget::Journald,
            _ => LogTarget::None,
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
        let created = rt
            .oci()
            .create_with_setup(&args, &mut || self.write_bundle(&run_dir, others))?;
        self.state.status = ContainerStatus::Created;
        self.state.pid = Some(created.pid);
        self.state.conmon_pid = Some(created.conmon_pid);
        self.state.boot_id = Some(rt.boot_id().to_string());
        self.save()
    }

    /// The bundle in `run_dir`: the root filesystem and shm mounted, the generated files
    /// written, the spec generated and saved as config.json. `others` are the synced states of
    /// the containers whose namespaces it joins.
    fn write_bundle(&mut self, run_dir: &std::path::Path, others: &OthersStates) -> Result<()> {
        let rt = self.runtime().clone();
        let id = self.id().to_string();
        let rootfs = self.mount_rootfs()?;
        let mut bind_mounts = self.write_files(run_dir)?;
        let spec_config = &self.config().spec;
        match (
            &spec_config.ipc,
            self.config().namespace_from(NamespaceKind::Ipc),
        ) {
            (NamespaceMode::Host, _) => {}
            (_, Some(other)) => {
                if let Some(shm) = others
                    .get(other)
                    .and_then(|state| state.bind_mounts.get("/dev/shm"))
                {
                    bind_mounts.insert("/dev/shm".into(), shm.clone());
                }
            }
            _ => {
                let shm = self.mount_shm()?;
                bind_mounts.insert("/dev/shm".into(), shm);
            }
        }
        self.state.bind_mounts = bind_mounts.clone();

        let mut ctx = SpecContext::new(&id, &rootfs);
        ctx.created = Some(self.config().created.clone());
        ctx.bind_mounts = bind_mounts;
        for kind in JOINABLE {
            if let Some(other) = self.config().namespace_from(kind) {
                let pid = others
                    .get(other)
                    .and_then(|state| state.pid)
                    .ok_or_else(|| CoreError::DependencyNotRunning {
                        id: id.clone(),
                        dependency: other.to_string(),
                    })?;
                ctx.namespace_paths
                    .insert(kind, format!("/proc/{pid}/ns/{}", kind.proc_name()).into());
                if kind == NamespaceKind::Uts {
                    let other_config = rt.state().container_config(other)?;
                    ctx.joined_hostname = Some(
                        other_config
                            .spec
                            .uts
                            .hostname
                            .unwrap_or_else(|| other[..12].to_string()),
                    );
                }
            }
        }
        for (destination, name) in named_volumes(self.config()) {
            let path = rt.volume_path(&name)?;
            ctx.volume_paths.insert(destination, path);
        }
        let spec = rt
            .spec_generator()
            .generate(
                &self.config().spec,
                self.config().image_config.as_ref(),
                &ctx,
            )
            .map_err(|source| CoreError::Spec {
                id: id.clone(),
                source,
            })?;
        let poststop_hooks = spec
            .hooks()
            .as_ref()
            .and_then(|hooks| hooks.poststop().as_ref())
            .is_some_and(|hooks| !hooks.is_empty());
        self.state.delete_without_rootfs =
            !poststop_hooks && DELETE_IGNORES_ROOTFS.contains(&rt.oci().name());
        let config_path = run_dir.join("config.json");
        let json = serde_json::to_vec(&spec).expect("an OCI spec serializes");
        write_private(&config_path, &json)?;
        self.state.config_path = Some(config_path);
        self.state.run_dir = Some(run_dir.to_path_buf());
        Ok(())
    }
}

/// (destination, volume name) of the container's named and anonymous volumes: the ones in
/// `-v`, `--mount type=volume` and the image's `Volumes`.
fn named_volumes(config: &super::ContainerConfig) -> Vec<(String, String)> {
    use libpod_spec::parse::{VolumeMount, parse_mount, parse_volume};
    let mut out = Vec::new();
    let requests = config
        .spec
        .volumes
        .iter()
        .filter_map(|v| parse_volume(v).ok())
        .chain(
            config
                .spec
                .mounts
                .iter()
                .filter_map(|m| parse_mount(m).ok()),
        );
    for request in requests {
        match request {
            VolumeMount::Named {
                name, destination, ..
            } => out.push((destination, name)),
            VolumeMount::Anonymous { destination, .. } => out.push((
                destination.clone(),
                anonymous_volume_name(&config.id, &destination),
            )),
            _ => {}
        }
    }
    if config.spec.image_volume_mode == libpod_spec::ImageVolumeMode::Bind {
        for key in config
            .image_config
            .as_ref()
            .and_then(|c| c.volumes().clone())
            .unwrap_or_default()
        {
            // Keyed as the spec generator looks it up: "/data/" and "/data/." are "/data".
            let dest = libpod_spec::generate::image_volume_destination(&key);
            if !out.iter().any(|(d, _)| d == &dest) {
                let name = anonymous_volume_name(&config.id, &dest);
                out.push((dest, name));
            }
        }
    }
    out
}

/// A stable name for a container's anonymous volume at `destination`.
fn anonymous_volume_name(id: &str, destination: &str) -> String {
    let digest = libpod_storage::Digest::of(format!("{id}:{destination}").as_bytes());
    digest.hex()
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
#[path = "init_tests.rs"]
mod tests;
