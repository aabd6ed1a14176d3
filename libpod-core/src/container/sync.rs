//! Syncing a container's state with what the OCI runtime and conmon recorded.

use super::{ContainerStatus, ExitAction, Locked};
use crate::error::Result;
use crate::oci::ExitInfo;
use chrono::{DateTime, Utc};
use libpod_spec::RestartPolicy;

impl Locked<'_> {
    /// Records an exit that happened since the state was saved, then handles it as Podman's
    /// cleanup process does: the restart policy first, else cleanup (runtime delete, unmount).
    pub(crate) fn sync(&mut self) -> Result<()> {
        if !matches!(
            self.state.status,
            ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping
        ) {
            return Ok(());
        }
        let exit = match self.runtime().inner.oci.exit_info(self.id())? {
            Some(exit) => exit,
            None if self.monitor_died() => {
                // conmon is gone without writing an exit file: Podman's exit code -1.
                ExitInfo {
                    code: -1,
                    finished_at: std::time::SystemTime::now(),
                    oom_killed: false,
                }
            }
            None => return Ok(()),
        };
        self.record_exit(exit);
        self.handle_exit(ExitAction::AutoRemove)
    }

    /// Whether the container's monitor is gone and, with it, any chance of an exit file: its
    /// process is gone and the runtime no longer has the container running.
    fn monitor_died(&self) -> bool {
        let conmon_gone = match self.state.conmon_pid {
            Some(pid) => nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_err(),
            None => false,
        };
        if !conmon_gone {
            return false;
        }
        match self.runtime().inner.oci.state(self.id()) {
            Ok(Some(state)) => !matches!(
                state.status.as_str(),
                "running" | "paused" | "created" | "creating"
            ),
            Ok(None) => true,
            Err(_) => false,
        }
    }

    /// Marks the container stopped with how it exited. Saved with what handling the exit
    /// changes next (one transaction): until then the exit file still says it, so a crash in
    /// between has the exit handled again.
    pub(crate) fn record_exit(&mut self, exit: ExitInfo) {
        self.state.status = ContainerStatus::Stopped;
        self.state.exit_code = Some(exit.code);
        self.state.oom_killed = exit.oom_killed;
        self.state.finished_at = Some(
            DateTime::<Utc>::from(exit.finished_at)
                .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        );
        self.state.pid = None;
        self.exit_code = Some(exit.code);
    }

    /// After an exit: restart as the policy says, else remove an auto-remove container (as
    /// Podman's cleanup process does for `--rm`; not while others depend on it) when `action`
    /// allows, else clean up.
    pub(crate) fn handle_exit(&mut self, action: ExitAction) -> Result<()> {
        if self.should_restart() {
            self.state.restart_count += 1;
            tracing::info!(container = %self.id(), count = self.state.restart_count, "restarting by policy");
            self.cleanup_locked()?;
            return self.start_locked(false);
        }
        if action == ExitAction::AutoRemove
            && self.config().auto_remove
            && self.runtime().inner.state.dependents(self.id())?.is_empty()
        {
            tracing::debug!(container = %self.id(), "removing an auto-remove container after its exit");
            return self.remove_locked();
        }
        self.cleanup_locked()
    }

    /// Podman's rule: never after the user stopped it; `always` and `unless-stopped` always;
    /// `on-failure[:N]` on a non-zero exit while fewer than N restarts were done (0: no limit).
    fn should_restart(&self) -> bool {
        if self.state.stopped_by_user {
            return false;
        }
        match self.config().restart_policy {
            RestartPolicy::Always | RestartPolicy::UnlessStopped => true,
            RestartPolicy::OnFailure { max_retries } => {
                self.state.exit_code != Some(0)
                    && (max_retries == 0 || self.state.restart_count < max_retries)
            }
            _ => false,
        }
    }
}
