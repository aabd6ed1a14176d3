//! The default OCI runtime: runc (or crun) under conmon, as Podman drives them.
//!
//! `create` launches conmon with Podman's arguments (see `conmon_create.rs`) and
//! its pipe protocol (see the `sync` module); conmon runs `runtime create`, then stays as the
//! container's monitor: it writes the output to the log, the exit code to `EXIT_DIR/ID` and
//! the OOM marker to `PERSIST_DIR/ID/oom`, and runs the exit command. conmon is not our child
//! (it double-forks into a session of its own), so containers outlive the `ConmonRuntime` and
//! the process that created them. Every other operation calls the runtime binary directly
//! (see the `runc` module), with the engine's private state root; for runc, `start` and the
//! `delete` of a stopped container are done in process where runc would only work on files
//! (see the `direct` module), falling back to the binary otherwise.

use super::direct::{self, Direct};
use super::exitfile::{ExitFiles, check_id};
use super::runc::RuntimeCli;
use super::{CreateArgs, ExitInfo, OciRuntime, PendingCreate, RuntimeState};
use crate::error::{CoreError, Result};
use oci_spec::runtime::LinuxResources;
use std::ffi::OsString;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[path = "conmon_create.rs"]
mod create;
#[path = "conmon_exec.rs"]
pub(crate) mod exec;

/// How long conmon may take to report the container's PID (Podman's
/// `define.ContainerCreateTimeout`).
pub const CREATE_TIMEOUT: Duration = Duration::from_secs(240);

/// Where conmon and the runtime are and where they keep their files.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ConmonRuntimeConfig {
    /// The runtime's name (`runc`, `crun`).
    pub runtime_name: String,
    /// The runtime binary.
    pub runtime_path: PathBuf,
    /// The conmon binary.
    pub conmon_path: PathBuf,
    /// The runtime's state root (`runc --root`), private to this engine's run root.
    pub runtime_root: PathBuf,
    /// Where conmon writes exit files.
    pub exit_dir: PathBuf,
    /// Where conmon keeps per-container files that outlive the process (OOM marker).
    pub persist_dir: PathBuf,
    /// conmon's `--log-level`.
    pub log_level: String,
}

impl ConmonRuntimeConfig {
    /// runc at `/usr/sbin/runc` under conmon at `/usr/bin/conmon`, with everything kept under
    /// `run_root`: the runtime's state in `runc/`, exit files in `exits/`, persist directories
    /// in `persist/`; conmon logs warnings and errors.
    ///
    /// ```
    /// let config = libpod_core::oci::ConmonRuntimeConfig::runc("/run/libpod-rs");
    /// assert_eq!(config.exit_dir, std::path::Path::new("/run/libpod-rs/exits"));
    /// ```
    pub fn runc(run_root: impl AsRef<Path>) -> Self {
        let run_root = run_root.as_ref();
        ConmonRuntimeConfig {
            runtime_name: "runc".into(),
            runtime_path: "/usr/sbin/runc".into(),
            conmon_path: "/usr/bin/conmon".into(),
            runtime_root: run_root.join("runc"),
            exit_dir: run_root.join("exits"),
            persist_dir: run_root.join("persist"),
            log_level: "warning".into(),
        }
    }
}

/// runc or crun under conmon.
#[derive(Debug)]
pub struct ConmonRuntime {
    config: ConmonRuntimeConfig,
    cli: RuntimeCli,
    exits: ExitFiles,
    systemd_cgroup: bool,
    runtime_flags: Vec<OsString>,
    create_timeout: Duration,
    direct: bool,
}

impl ConmonRuntime {
    /// A runtime with this configuration; checks that the binaries exist and creates the state
    /// root, exits and persist directories (mode 0700 when new). Relative paths are taken
    /// from the current directory now (conmon runs elsewhere).
    pub fn new(config: ConmonRuntimeConfig) -> Result<Self> {
        let mut config = config;
        for path in [
            &mut config.runtime_path,
            &mut config.conmon_path,
            &mut config.runtime_root,
            &mut config.exit_dir,
            &mut config.persist_dir,
        ] {
            *path = absolute(path)?;
        }
        check_executable(&config.runtime_path, "oci runtime")?;
        check_executable(&config.conmon_path, "conmon")?;
        for dir in [&config.runtime_root, &config.exit_dir, &config.persist_dir] {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)
                .map_err(|err| CoreError::io("creating", dir, err))?;
        }
        let exits = ExitFiles::new(&config.exit_dir, &config.persist_dir);
        let direct = config.runtime_name == "runc";
        let mut runtime = ConmonRuntime {
            cli: RuntimeCli {
                name: config.runtime_name.clone(),
                path: config.runtime_path.clone(),
                global_flags: Vec::new(),
            },
            config,
            exits,
            systemd_cgroup: false,
            runtime_flags: Vec::new(),
            create_timeout: CREATE_TIMEOUT,
            direct,
        };
        runtime.cli.global_flags = runtime.global_flags();
        Ok(runtime)
    }

    /// Uses systemd to manage cgroups (conmon's `-s`, the runtime's `--systemd-cgroup`), for
    /// specs whose `cgroupsPath` is `slice:prefix:name`.
    pub fn with_systemd_cgroup(mut self, systemd: bool) -> Self {
        self.systemd_cgroup = systemd;
        self.cli.global_flags = self.global_flags();
        self
    }

    /// Extra global flags for every runtime call (containers.conf `runtime_flags`, each given
    /// with its leading dashes, e.g. `--debug`).
    pub fn with_runtime_flags(
        mut self,
        flags: impl IntoIterator<Item = impl Into<OsString>>,
    ) -> Self {
        self.runtime_flags = flags.into_iter().map(Into::into).collect();
        self.cli.global_flags = self.global_flags();
        self
    }

    /// Whether `start`, and `delete` of a stopped container, may be done in process instead of
    /// by running the runtime binary (default: for runc, without systemd cgroups). Where they
    /// are, runc's own layout is followed: `start` reads the byte init writes to
    /// `RUNTIME_ROOT/ID/exec.fifo` and removes the FIFO; `delete` removes the cgroups and the
    /// state directory, and only when that is all runc would do. Anything else runs the binary.
    pub fn with_direct_runc(mut self, direct: bool) -> Self {
        self.direct = direct && self.config.runtime_name == "runc";
        self
    }

    /// Whether `start` and `delete` of a stopped container are done in process (see
    /// [`with_direct_runc`](Self::with_direct_runc)).
    pub fn direct_runc(&self) -> bool {
        self.direct && !self.systemd_cgroup
    }

    /// How long `create` waits for conmon to report (default [`CREATE_TIMEOUT`]).
    pub fn with_create_timeout(mut self, timeout: Duration) -> Self {
        self.create_timeout = timeout;
        self
    }

    /// The configuration, with absolute paths.
    pub fn config(&self) -> &ConmonRuntimeConfig {
        &self.config
    }

    /// Where the exits are recorded.
    pub fn exit_files(&self) -> &ExitFiles {
        &self.exits
    }

    /// The runtime's global flags: `--root ROOT`, `--systemd-cgroup`, the extra flags.
    fn global_flags(&self) -> Vec<OsString> {
        let mut flags: Vec<OsString> =
            vec!["--root".into(), self.config.runtime_root.clone().into()];
        if self.systemd_cgroup {
            flags.push("--systemd-cgroup".into());
        }
        flags.extend(self.runtime_flags.iter().cloned());
        flags
    }
}

impl OciRuntime for ConmonRuntime {
    fn name(&self) -> &str {
        &self.config.runtime_name
    }
    fn launch<'r>(&'r self, args: &CreateArgs<'_>) -> Result<Box<dyn PendingCreate + 'r>> {
        Ok(Box::new(self.launch_conmon(args)?))
    }
    fn start(&self, id: &str) -> Result<()> {
        check_id(id)?;
        if self.direct_runc() {
            match direct::start(&self.config.runtime_root.join(id)) {
                Direct::Done => {
                    tracing::debug!(id, "started in process");
                    return Ok(());
                }
                Direct::Fallback(why) => tracing::debug!(id, why, "running the runtime's start"),
            }
        }
        self.cli.start(id)
    }
    fn kill(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        check_id(id)?;
        self.cli.kill(id, signal, all)
    }
    fn delete(&self, id: &str, force: bool) -> Result<()> {
        check_id(id)?;
        self.delete_container(id, force)
    }
    fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        check_id(id)?;
        // As in `delete`: no state directory, nothing to ask the runtime.
        if !self.config.runtime_root.join(id).exists() {
            return Ok(None);
        }
        self.cli.state(id)
    }
    fn pause(&self, id: &str) -> Result<()> {
        check_id(id)?;
        self.cli.pause(id)
    }
    fn resume(&self, id: &str) -> Result<()> {
        check_id(id)?;
        self.cli.resume(id)
    }
    fn update(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        check_id(id)?;
        self.cli.update(id, resources)
    }
    fn exit_info(&self, id: &str) -> Result<Option<ExitInfo>> {
        self.exits.read(id)
    }
    fn wait_exit(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        self.exits.wait(id, timeout)
    }
    fn clear_exit(&self, id: &str) -> Result<()> {
        self.exits.clear(id)
    }
    fn exec_side(self: std::sync::Arc<Self>) -> Option<std::sync::Arc<dyn super::OciExec>> {
        Some(self)
    }
    fn checkpoint(&self, id: &str, args: &super::CheckpointArgs<'_>) -> Result<()> {
        check_id(id)?;
        self.cli.checkpoint(id, args)
    }
}

impl ConmonRuntime {
    /// `runtime delete`, done in process for a stopped runc container where it can be (see
    /// [`direct`]). Before a forced delete of a paused container, kills its processes
    /// and thaws it: under cgroup v1 before Linux 6.1 a frozen process does not die of
    /// SIGKILL, and runc's forced delete would wait for it in vain (10 s) and fail. Podman
    /// does the same when it removes a paused container on cgroup v1.
    fn delete_container(&self, id: &str, force: bool) -> Result<()> {
        // No state directory: the runtime does not know it (runc and crun both keep one per
        // container), and a delete is done without running anything.
        if !self.config.runtime_root.join(id).exists() {
            return Ok(());
        }
        if !force && self.direct_runc() {
            match direct::delete(&self.config.runtime_root.join(id)) {
                Direct::Done => {
                    tracing::debug!(id, "deleted in process");
                    return Ok(());
                }
                Direct::Fallback(why) => tracing::debug!(id, why, "running the runtime's delete"),
            }
        }
        if force
            && let Some(state) = self.cli.state(id)?
            && state.status == "paused"
        {
            // Either may fail because the process died meanwhile; the delete tells.
            if let Err(err) = self.cli.kill(id, nix::libc::SIGKILL, true) {
                tracing::debug!(%err, id, "killing a paused container to delete it");
            }
            if let Err(err) = self.cli.resume(id) {
                tracing::debug!(%err, id, "thawing a paused container to delete it");
            }
        }
        self.cli.delete(id, force)
    }
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|err| CoreError::io("resolving", path, err))
}

fn check_executable(path: &Path, what: &'static str) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|err| CoreError::io("finding", path, err))?;
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return Err(CoreError::InvalidOption {
            option: what,
            reason: format!("{} is not an executable file", path.display()),
        });
    }
    Ok(())
}

#[cfg(test)]
#[path = "conmon_args_tests.rs"]
mod args_tests;

#[cfg(test)]
#[path = "conmon_fixture_tests.rs"]
mod fixture;

#[cfg(test)]
#[path = "conmon_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "conmon_direct_tests.rs"]
mod direct_tests;

#[cfg(test)]
#[path = "conmon_protocol_tests.rs"]
mod protocol_tests;
