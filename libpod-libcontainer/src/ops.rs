//! The operations on a created container, done in the caller's process on libcontainer's
//! state directory and the container's cgroups: none clones, forks or changes the working
//! directory, so a multi-threaded embedder may call them from any thread.
//!
//! Where libcontainer's own method would not do what runc does, the operation is written
//! here on its parts: `kill` (libcontainer's records the container stopped after any
//! signal), `pause` and `resume` (runc pauses a created container, which resumes to
//! created), `start` (libcontainer's changes the working directory to reach its notify
//! socket) and `update` (libcontainer has none).

use crate::LibcontainerRuntime;
use crate::errors::{self, NOT_EXIST};
use libcgroups::common::{
    AnyCgroupManager, CgroupConfig, CgroupManager, ControllerOpt, FreezerState,
};
use libcontainer::container::{Container, ContainerStatus, State};
use libpod_core::Result;
use libpod_core::oci::RuntimeState;
use nix::sys::signal::Signal;
use nix::unistd::Pid;
use oci_spec::runtime::LinuxResources;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;

/// libcontainer's notify socket in the container's state directory: init waits on it for
/// `start`.
const NOTIFY_SOCKET: &str = "notify.sock";
/// libcontainer's record of the container in its state directory.
const STATE_FILE: &str = "state.json";
/// What `start` writes to the notify socket (libcontainer's message).
const START_MESSAGE: &[u8] = b"start container";
/// The status a paused container had before (`created` or `running`): ours, in the state
/// directory, so that a paused created container resumes to created, as with runc.
const PAUSED_FROM: &str = "libpod-paused-from";

/// An error's message with its sources (libcontainer's errors are layered).
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// libcontainer's status as runc names it.
fn status_name(status: ContainerStatus) -> &'static str {
    match status {
        ContainerStatus::Creating => "creating",
        ContainerStatus::Created => "created",
        ContainerStatus::Running => "running",
        ContainerStatus::Stopped => "stopped",
        ContainerStatus::Paused => "paused",
    }
}

impl LibcontainerRuntime {
    /// Container `id` with its status refreshed from its init process; an error of `op` when
    /// the runtime does not know it.
    fn load(&self, id: &str, op: &'static str) -> Result<Container> {
        let dir = self.container_dir(id);
        if !dir.exists() {
            return Err(errors::oci(id, op, NOT_EXIST));
        }
        let mut container = Container::load(dir).map_err(|err| errors::oci(id, op, chain(&err)))?;
        // A recorded exit is final, whatever a reused PID says.
        if self.exits.read(id)?.is_some() {
            container.set_status(ContainerStatus::Stopped);
        } else if container.status() == ContainerStatus::Created
            && let Some(pid) = container.pid()
            && crate::creating::init_has_started(id, pid.as_raw())
        {
            container.set_status(ContainerStatus::Running);
        }
        Ok(container)
    }

    /// The container's cgroup manager (cgroupfs: v1 on a legacy or hybrid host, else v2).
    fn cgroups(&self, container: &Container, op: &'static str) -> Result<AnyCgroupManager> {
        let id = container.id();
        let spec = container
            .spec()
            .map_err(|err| errors::oci(id, op, chain(&err)))?;
        libcgroups::common::create_cgroup_manager(CgroupConfig {
            cgroup_path: spec.cgroup_path,
            systemd_cgroup: false,
            container_name: id.to_string(),
        })
        .map_err(|err| errors::oci(id, op, chain(&err)))
    }

    /// Writes the container's record whole or not at all (libcontainer's own `save`
    /// truncates the file and then writes it: a kill in between left an empty record, and a
    /// container no operation could read).
    fn save(container: &Container, op: &'static str) -> Result<()> {
        let json = serde_json::to_vec(&container.state)
            .map_err(|err| errors::oci(container.id(), op, err))?;
        libpod_fs::replace(
            &container.root.join(STATE_FILE),
            &json,
            libpod_fs::PRIVATE_FILE_MODE,
            libpod_fs::Durability::Volatile,
        )?;
        Ok(())
    }

    /// Lets a created container's init run its process: connects to the notify socket
    /// through `/proc/self/fd` (no `chdir`, no length limit on the path), records it running,
    /// then runs the poststart hooks.
    pub(crate) fn start_container(&self, id: &str) -> Result<()> {
        let op = "start";
        let mut container = self.load(id, op)?;
        if !container.can_start() {
            return Err(errors::oci(id, op, incorrect(container.status())));
        }
        let dir = std::fs::File::open(&container.root)
            .map_err(|err| errors::io("opening", &container.root, err))?;
        let socket = format!("/proc/self/fd/{}/{NOTIFY_SOCKET}", dir.as_raw_fd());
        let mut stream = UnixStream::connect(&socket).map_err(|err| errors::oci(id, op, err))?;
        stream
            .write_all(START_MESSAGE)
            .map_err(|err| errors::oci(id, op, err))?;
        drop(stream);
        container.set_status(ContainerStatus::Running);
        Self::save(&container, op)?;
        let config = container
            .spec()
            .map_err(|err| errors::oci(id, op, chain(&err)))?;
        if let Some(hooks) = &config.hooks {
            libcontainer::hooks::run_hooks(
                hooks.poststart().as_ref(),
                Some(&container.state),
                Some(container.root.as_path()),
                None,
                None,
            )
            .map_err(|err| errors::oci(id, op, chain(&err)))?;
        }
        Ok(())
    }

    /// Sends `signal` to the init, or with `all` to every process in the container's cgroup
    /// (frozen meanwhile, so none forks past it, unless paused already). A SIGKILL to a
    /// paused container under cgroup v1 thaws it after, as runc does.
    pub(crate) fn kill_container(&self, id: &str, signal: i32, all: bool) -> Result<()> {
        let op = "kill";
        let container = self.load(id, op)?;
        let signal = Signal::try_from(signal)
            .map_err(|_| errors::oci(id, op, format!("invalid signal {signal}")))?;
        let status = container.status();
        if !(status.can_kill() || (all && status == ContainerStatus::Stopped)) {
            return Err(errors::oci(id, op, incorrect(status)));
        }
        let paused = status == ContainerStatus::Paused;
        if all {
            let cgroups = self.cgroups(&container, op)?;
            if !paused && let Err(err) = cgroups.freeze(FreezerState::Frozen) {
                tracing::debug!(id, err = chain(&err), "freezing before a kill of all");
            }
            let pids = cgroups
                .get_all_pids()
                .map_err(|err| errors::oci(id, op, chain(&err)))?;
            for pid in pids {
                send(id, pid.as_raw(), signal)?;
            }
            if !paused && let Err(err) = cgroups.freeze(FreezerState::Thawed) {
                tracing::warn!(id, err = chain(&err), "thawing after a kill of all");
            }
        } else {
            let pid = container
                .pid()
                .ok_or_else(|| errors::oci(id, op, "the container has no process"))?;
            send(id, pid.as_raw(), signal)?;
        }
        if paused && signal == Signal::SIGKILL && cgroup_v1() {
            self.cgroups(&container, op)?
                .freeze(FreezerState::Thawed)
                .map_err(|err| errors::oci(id, op, chain(&err)))?;
        }
        Ok(())
    }

    /// Deletes the container: a stopped or created one (its init killed), a running or
    /// paused one only with `force`. A paused one is killed and thawed first (a frozen
    /// process may not die before its cgroup is removed). An unknown ID is deleted already.
    pub(crate) fn delete_container(&self, id: &str, force: bool) -> Result<()> {
        let op = "delete";
        if !self.knows(id) {
            return Ok(());
        }
        let dir = self.container_dir(id);
        if !dir.join(STATE_FILE).exists() {
            // A create that failed before libcontainer recorded anything: no process, no
            // cgroup, only the directory.
            return std::fs::remove_dir_all(&dir).map_err(|err| errors::io("removing", &dir, err));
        }
        let mut container = self.load(id, op)?;
        if force && container.status() == ContainerStatus::Paused {
            // Either may fail because the processes died meanwhile; the delete tells.
            if let Err(err) = self.kill_container(id, nix::libc::SIGKILL, true) {
                tracing::debug!(id, %err, "killing a paused container to delete it");
            }
            if let Ok(cgroups) = self.cgroups(&container, op)
                && let Err(err) = cgroups.freeze(FreezerState::Thawed)
            {
                tracing::debug!(
                    id,
                    err = chain(&err),
                    "thawing a paused container to delete it"
                );
            }
            container
                .refresh_status()
                .map_err(|err| errors::oci(id, op, chain(&err)))?;
        }
        container
            .delete(force)
            .map_err(|err| errors::oci(id, op, chain(&err)))
    }

    /// The runtime's state: `None` for an ID it does not know; no PID once stopped;
    /// `creating`, without a PID, while its monitor creates it (see `creating.rs`).
    pub(crate) fn container_state(&self, id: &str) -> Result<Option<RuntimeState>> {
        let creating = || {
            Ok(Some(RuntimeState::new(
                status_name(ContainerStatus::Creating),
                None,
            )))
        };
        let container = match self.load(id, "state") {
            Ok(container) => container,
            // Deleted meanwhile.
            Err(_) if !self.knows(id) => return Ok(None),
            // Its record not written yet, or half written, as the create begins.
            Err(_)
                if State::load(&self.container_dir(id)).is_err()
                    && crate::creating::monitor_lives(id) =>
            {
                return creating();
            }
            Err(err) => return Err(err),
        };
        let status = container.status();
        // Recorded `Creating` without a PID, which libcontainer reads as stopped.
        if container.pid().is_none() && crate::creating::monitor_lives(id) {
            return creating();
        }
        let pid = match status {
            ContainerStatus::Stopped => None,
            // libcontainer's nix is another version than ours: the PID as a number.
            _ => container.pid().map(|pid| pid.as_raw()),
        };
        Ok(Some(RuntimeState::new(status_name(status), pid)))
    }

    /// Freezes a created or running container, remembering which it was.
    pub(crate) fn pause_container(&self, id: &str) -> Result<()> {
        let op = "pause";
        let mut container = self.load(id, op)?;
        let status = container.status();
        if !matches!(status, ContainerStatus::Created | ContainerStatus::Running) {
            return Err(errors::oci(id, op, incorrect(status)));
        }
        self.cgroups(&container, op)?
            .freeze(FreezerState::Frozen)
            .map_err(|err| errors::oci(id, op, chain(&err)))?;
        let marker = container.root.join(PAUSED_FROM);
        libpod_fs::replace(
            &marker,
            status_name(status).as_bytes(),
            libpod_fs::PRIVATE_FILE_MODE,
            libpod_fs::Durability::Volatile,
        )?;
        container.set_status(ContainerStatus::Paused);
        Self::save(&container, op)
    }

    /// Thaws a paused container, back to created or running.
    pub(crate) fn resume_container(&self, id: &str) -> Result<()> {
        let op = "resume";
        let mut container = self.load(id, op)?;
        let status = container.status();
        if status != ContainerStatus::Paused {
            return Err(errors::oci(id, op, incorrect(status)));
        }
        self.cgroups(&container, op)?
            .freeze(FreezerState::Thawed)
            .map_err(|err| errors::oci(id, op, chain(&err)))?;
        let marker = container.root.join(PAUSED_FROM);
        let before = match std::fs::read_to_string(&marker) {
            Ok(text) if text == "created" => ContainerStatus::Created,
            _ => ContainerStatus::Running,
        };
        match std::fs::remove_file(&marker) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(errors::io("removing", &marker, err)),
        }
        container.set_status(before);
        Self::save(&container, op)
    }

    /// Writes `resources` to the container's cgroups (created, running or paused).
    pub(crate) fn update_container(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        let op = "update";
        let container = self.load(id, op)?;
        let status = container.status();
        if matches!(status, ContainerStatus::Stopped | ContainerStatus::Creating) {
            return Err(errors::oci(id, op, incorrect(status)));
        }
        let options = ControllerOpt {
            resources,
            disable_oom_killer: false,
            oom_score_adj: None,
            freezer_state: None,
        };
        self.cgroups(&container, op)?
            .apply(&options)
            .map_err(|err| errors::oci(id, op, chain(&err)))
    }
}

/// Sends `signal` to `pid`; a process gone already is no error.
fn send(id: &str, pid: i32, signal: Signal) -> Result<()> {
    match nix::sys::signal::kill(Pid::from_raw(pid), signal) {
        Ok(()) | Err(nix::errno::Errno::ESRCH) => Ok(()),
        Err(errno) => Err(errors::oci(
            id,
            "kill",
            format!("signalling {pid}: {errno}"),
        )),
    }
}

/// The message for an operation the container's status does not allow (runc's words).
fn incorrect(status: ContainerStatus) -> String {
    match status {
        ContainerStatus::Stopped => "container not running".to_string(),
        other => format!("container is {}", status_name(other)),
    }
}

/// Whether cgroups are v1 here (legacy or hybrid), where a frozen process does not act on
/// SIGKILL before Linux 6.1.
fn cgroup_v1() -> bool {
    !matches!(
        libcgroups::common::get_cgroup_setup(),
        Ok(libcgroups::common::CgroupSetup::Unified)
    )
}
