//! `exec_start` (attached: the caller's streams copied until the process ends) and
//! `exec_start_detached`.

use super::{ExecEnd, ExecIntent, ExecStreams, detach_keys, oci_exec, session_dir};
use crate::container::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::oci::{AttachEnd, ExecArgs, ExecStarted, Identity, TerminalSize};
use crate::record::{ExecSession, ExecStatus};
use std::time::Duration;

/// How long the monitor may take to record the exit code once the output ended.
pub(super) const EXIT_CODE_TIMEOUT: Duration = Duration::from_secs(5);

impl Container {
    /// Starts session `session` attached to `streams` and returns once its process ended
    /// (its exit code, recorded with the session `Stopped`) or the detach keys were typed
    /// (Podman's `ExecStartAndAttach`). The container's lock is let go while it runs.
    pub fn exec_start(&self, session: &str, streams: ExecStreams) -> Result<ExecEnd> {
        let intent = ExecIntent::record(self.runtime(), self.id(), session)?;
        self.start_attached(session, streams, intent, false)
    }

    /// [`exec_start`](Container::exec_start), then the session removed once its process
    /// ended (Podman's `ExecStartAndAttach` and `ExecRemove`, as `podman exec` runs them), in
    /// one step: its end is not recorded first. A detach leaves it, as `exec_start` does.
    ///
    /// ```no_run
    /// # fn run(ctr: &libpod_core::container::Container) -> libpod_core::Result<()> {
    /// use libpod_core::exec::{ExecEnd, ExecStreams};
    /// use libpod_core::record::ExecConfig;
    /// let session = ctr.exec_create(ExecConfig::new(vec!["true".into()]))?;
    /// // ... what needs the session's ID, such as forwarding terminal resizes ...
    /// let end = ctr.exec_start_and_remove(&session, ExecStreams::discard())?;
    /// assert_eq!(end, ExecEnd::Exited(0));
    /// # Ok(()) }
    /// ```
    pub fn exec_start_and_remove(&self, session: &str, streams: ExecStreams) -> Result<ExecEnd> {
        let intent = ExecIntent::record(self.runtime(), self.id(), session)?;
        self.start_attached(session, streams, intent, true)
    }

    /// Starts session `session` and returns once its process runs (Podman's `ExecStart`);
    /// [`exec_wait`](Container::exec_wait) gets its exit code.
    pub fn exec_start_detached(&self, session: &str) -> Result<()> {
        let intent = ExecIntent::record(self.runtime(), self.id(), session)?;
        let launched = self.launch_session(session, false, false, None);
        intent.clear();
        launched.map(drop)
    }

    /// Runs an attached session to its end; with `forget`, its row and directory go at the
    /// end instead of recording `Stopped`.
    pub(super) fn start_attached(
        &self,
        session: &str,
        streams: ExecStreams,
        intent: ExecIntent,
        forget: bool,
    ) -> Result<ExecEnd> {
        let ExecStreams {
            stdin,
            mut stdout,
            mut stderr,
            terminal_size,
        } = streams;
        let launched = self.launch_session(session, true, stdin.is_some(), terminal_size);
        let (mut started, config) = match launched {
            Ok(launched) => launched,
            Err(err) => {
                // The session went with the failure.
                intent.clear();
                return Err(err);
            }
        };
        let attach = started
            .attach
            .take()
            .expect("an attached exec has a connection");
        let stdin = stdin.filter(|_| config.attach_stdin);
        let keys = detach_keys(&config)?;
        let end = attach
            .copy(stdin, &mut *stdout, &mut *stderr, &keys)
            .map_err(|e| CoreError::io("copy the output of", self.id(), e))?;
        if end == AttachEnd::Detached {
            intent.clear();
            return Ok(ExecEnd::Detached);
        }
        let code = started.wait(Some(EXIT_CODE_TIMEOUT))?;
        let code = code.ok_or_else(|| CoreError::Timeout {
            id: self.id().to_string(),
            what: "the exit code of an exec session",
        })?;
        super::exec_event(self, session, Some(code));
        if forget {
            self.forget_session(session)?;
        } else {
            self.record_exit(session, code)?;
        }
        intent.clear();
        Ok(ExecEnd::Exited(code))
    }

    /// Launches session `session` under the container's lock, recording its monitor, then
    /// its process (its terminal set to `terminal_size`); a failure removes the session.
    /// Returns the started process and the session's config.
    fn launch_session(
        &self,
        session: &str,
        attach: bool,
        stdin: bool,
        terminal_size: Option<TerminalSize>,
    ) -> Result<(ExecStarted, crate::record::ExecConfig)> {
        let locked = self.lock()?;
        let rt = self.runtime();
        let mut row = own_session(self, session)?;
        if row.status != ExecStatus::Created {
            return Err(session_state(&row, "start (only created sessions start)"));
        }
        if locked.state.status != ContainerStatus::Running {
            return Err(CoreError::InvalidState {
                id: self.id().to_string(),
                status: locked.state.status,
                operation: "start exec sessions (the container is not running)",
            });
        }
        let dir = session_dir(rt, self.id(), session);
        // The runtime moves the process into the container's cgroups: see cgroup_warmup.
        let warmup = crate::cgroup_warmup::Warmup::begin();
        let launched = (|| {
            let spec_path = locked.state.config_path.clone().unwrap_or_default();
            let rootfs = locked.state.mountpoint.clone().unwrap_or_default();
            let user = self.config().spec.user.user.as_deref();
            let process =
                super::spec::exec_process(self.id(), user, &spec_path, &rootfs, &row.config)?;
            let mut args = ExecArgs::new(self.id(), self.name(), session, &dir, &process);
            args.terminal = row.config.terminal;
            args.stdin = row.config.attach_stdin && (stdin || !attach);
            args.attach = attach;
            args.initial_size = terminal_size;
            args.preserve_fds = row.config.preserve_fds;
            // A detached session's end is recorded by the runtime's exit command, unless
            // its config names one (Podman gives every session its cleanup; an attached one
            // records its own end here).
            let runtime_command = (!attach && row.config.exit_command.is_empty())
                .then(|| rt.exit_handling().exec_exit_command_for(session, self.id()))
                .flatten();
            args.exit_command = runtime_command
                .as_deref()
                .unwrap_or(&row.config.exit_command);
            let exec = oci_exec(self)?;
            let pending = exec.exec_launch(&args)?;
            if let Some(monitor) = pending.monitor() {
                row.monitor_pid = Some(monitor.pid);
                rt.state().save_exec_session(&row)?;
            }
            pending.start()
        })();
        drop(warmup);
        let started = match launched {
            Ok(started) => started,
            Err(err) => {
                // Nothing runs: the session goes (Podman records it stopped with 125/126/127;
                // the error carries that).
                remove_session(rt, self.id(), session);
                return Err(err);
            }
        };
        row.status = ExecStatus::Running;
        row.pid = Some(started.pid);
        row.pid_start_time = started.process.as_ref().and_then(|p| match p.identity {
            Identity::StartTime(ticks) => Some(ticks),
            _ => None,
        });
        rt.state().save_exec_session(&row)?;
        super::exec_event(self, session, None);
        tracing::debug!(
            container = self.id(),
            session,
            pid = started.pid,
            "exec session started"
        );
        Ok((started, row.config))
    }
}

/// Session `session`'s row, which must be container `ctr`'s.
pub(super) fn own_session(ctr: &Container, session: &str) -> Result<ExecSession> {
    let row = ctr.runtime().state().exec_session(session)?;
    if row.container_id != ctr.id() {
        return Err(CoreError::ExecSessionNotFound(session.to_string()));
    }
    Ok(row)
}

/// The error for an operation a session's status refuses.
pub(super) fn session_state(row: &ExecSession, operation: &'static str) -> CoreError {
    CoreError::ExecSessionState {
        id: row.id.clone(),
        status: match row.status {
            ExecStatus::Created => "created",
            ExecStatus::Running => "running",
            ExecStatus::Stopped => "stopped",
            _ => "unknown",
        },
        operation,
    }
}

/// Removes session `session`'s row and directory (either may be gone already); a failure is
/// logged: the container's cleanup tries again.
pub(super) fn remove_session(rt: &crate::runtime::Runtime, container: &str, session: &str) {
    match rt.state().remove_exec_session(session) {
        Ok(()) | Err(CoreError::ExecSessionNotFound(_)) => {}
        Err(err) => tracing::warn!(session, %err, "exec session row left"),
    }
    let dir = session_dir(rt, container, session);
    if let Err(err) = std::fs::remove_dir_all(&dir)
        && err.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(session, %err, "exec session directory left");
    }
}
