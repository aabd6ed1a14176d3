//! Exits handled and restart policies applied with nothing of ours running, as Podman's
//! cleanup process does, and without a daemon or systemd.
//!
//! Three entry points do the same work, under the container's lock, so that whichever comes
//! first does it and the others find it done:
//!
//! - **conmon's exit command** ([`cleanup.rs`](Runtime::cleanup_container)): when a
//!   [`Runtime`] is opened with an [`ExitCommand`], every container it creates gets it (Podman's
//!   `exit_command`, ending with the container's ID), and conmon runs it when the container's
//!   process exits. The embedder's own binary serves it by calling [`run_cleanup`], as podctl
//!   does for `podctl container cleanup ID`: the exit is recorded, the container cleaned up
//!   (runc delete, unmount) or, with `--rm`, removed, and restarted when its policy says so.
//! - **the exit monitor** (`thread.rs`): while a `Runtime` is open, a thread watches the exits
//!   directory (inotify, through `crate::notify`; no polling) and cleans up each container
//!   whose exit file appears, the same way. Started lazily, by the first start or wait of a
//!   container (or [`Runtime::watch_exits`]); stopped when the last handle on the runtime goes.
//! - **boot** (`boot.rs`): after a reboot, [`Runtime::boot`] starts the containers whose
//!   policy is `always`, and `unless-stopped` ones the user did not stop (Podman's
//!   `podman-restart.service`), once per boot.
//!
//! A look at a container (`state()`, `wait()`, `ps`) records an exit it finds and cleans up,
//! but only marks a restart pending: it never starts a container. Restart policies follow
//! Podman's rules (`container/sync.rs`): never after a stop by the user; `always` and
//! `unless-stopped` after any exit; `on-failure[:N]` after a non-zero exit while fewer than N
//! restarts were made (0: no limit). A start by the user resets the count.

mod boot;
mod cleanup;
mod exit_command;
mod thread;

pub(crate) use boot::BOOTED;
pub use boot::BootReport;
pub use cleanup::CleanupOutcome;
pub use exit_command::{CleanupArgs, ExitCommand, run_cleanup};

use crate::runtime::Runtime;
use std::sync::OnceLock;

/// How a runtime handles exits: the exit command its containers get, the flags that reopen
/// it, and its exit monitor (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct ExitHandling {
    /// The program conmon runs at an exit, without the runtime's flags and the ID.
    exit_command: Option<ExitCommand>,
    /// The flags that open this runtime again (`--root R --runroot R ...`).
    reopen_flags: Vec<String>,
    /// Whether an exit monitor may be started.
    monitor_enabled: bool,
    /// The monitor, once started (`None` inside: it could not be).
    monitor: OnceLock<Option<thread::ExitMonitor>>,
}

impl ExitHandling {
    pub(crate) fn new(
        exit_command: Option<ExitCommand>,
        reopen: &CleanupArgs,
        monitor_enabled: bool,
    ) -> Self {
        ExitHandling {
            exit_command,
            reopen_flags: reopen.flags(),
            monitor_enabled,
            monitor: OnceLock::new(),
        }
    }

    /// The exit command of a new container `id`, when the runtime has one.
    pub(crate) fn exit_command_for(&self, id: &str) -> Option<Vec<String>> {
        let command = self.exit_command.as_ref()?;
        Some(command.argv(&self.reopen_flags, id))
    }

    /// The exit command of exec session `session` of container `id`, when the runtime has
    /// one.
    pub(crate) fn exec_exit_command_for(&self, session: &str, id: &str) -> Option<Vec<String>> {
        let command = self.exit_command.as_ref()?;
        Some(command.exec_argv(&self.reopen_flags, session, id))
    }
}

impl Runtime {
    /// Starts this runtime's exit monitor if it is not running yet (see the
    /// [module docs](self)): from now until the last handle on the runtime is dropped, a
    /// container that exits is cleaned up and restarted by its policy in this process, as
    /// conmon's exit command would. Does nothing when the runtime was opened with
    /// [`exit_monitor(false)`](crate::runtime::RuntimeBuilder::exit_monitor).
    pub fn watch_exits(&self) {
        let handling = self.exit_handling();
        if !handling.monitor_enabled {
            return;
        }
        handling
            .monitor
            .get_or_init(|| thread::ExitMonitor::start(self));
    }

    /// Whether the exit monitor runs.
    pub fn exit_monitor_running(&self) -> bool {
        matches!(self.exit_handling().monitor.get(), Some(Some(_)))
    }
}

/// What exit handling did, as Podman's events name it ("died", "cleanup", "restart").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ExitEvent {
    /// The container's process exited with this code.
    Died(i32),
    /// The container was cleaned up after its exit.
    Cleanup,
    /// The restart policy started it again.
    Restart,
}

/// Where exit handling reports what it did: Podman's `died` (with the exit code), `cleanup`
/// and `restart` events.
pub(crate) fn exit_event(rt: &Runtime, config: &crate::record::ContainerConfig, event: ExitEvent) {
    use crate::events::EventStatus;
    tracing::debug!(container = %config.id, ?event, "exit handling");
    let events = rt.events();
    match event {
        ExitEvent::Died(code) => events.died(config, code),
        ExitEvent::Cleanup => events.container(config, EventStatus::Cleanup),
        ExitEvent::Restart => events.container(config, EventStatus::Restart),
    }
}
