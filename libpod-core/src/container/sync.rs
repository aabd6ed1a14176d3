//! Syncing a container's state with what the OCI runtime and conmon recorded, and the restart
//! policy that an exit may call for.
//!
//! A sync only records the exit and handles it as Podman's cleanup process does (cleanup, or
//! removal of an auto-remove container); when the policy calls for a restart, it marks it
//! pending. The restart itself (init and start: conmon, `runc create`) is made by
//! [`Locked::restart_if_pending`], called only by the cleanup entry point (conmon's exit
//! command, the exit monitor: `crate::monitor`), so that taking the lock (for `ps`,
//! `inspect`, `stop`, `rm`, `wait`) never starts a container.

use super::{ContainerStatus, ExitAction, Locked};
use crate::error::Result;
use crate::monitor::ExitEvent;
use crate::oci::ExitInfo;
use chrono::{DateTime, Utc};
use libpod_spec::RestartPolicy;

impl Locked<'_> {
    /// Records an exit that happened since the state was saved, then handles it (see
    /// [`handle_exit`](Self::handle_exit)). An exit found while a stop is under way is only
    /// cleaned up: the stopper handles the rest once it has the lock again.
    pub(crate) fn sync(&mut self) -> Result<()> {
        self.sync_exit(ExitAction::Keep)
    }

    /// [`sync`](Self::sync), with `while_stopping` as the action for an exit found while the
    /// container is `Stopping` (the stopper passes its own).
    pub(crate) fn sync_exit(&mut self, while_stopping: ExitAction) -> Result<()> {
        let action = match self.state.status {
            ContainerStatus::Stopping => while_stopping,
            ContainerStatus::Running | ContainerStatus::Paused => ExitAction::AutoRemove,
            // A start killed after the runtime's start and before its save leaves `Created`
            // behind (a restart by policy saves `Created` on the way): an exit file, written
            // only once a started process ends (init clears the last one), says it ran.
            ContainerStatus::Created => ExitAction::AutoRemove,
            _ => return Ok(()),
        };
        let exit = match self.oci()?.exit_info(self.id())? {
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
        // The end of processes a checkpoint cut short dumped is no exit: it finishes it.
        if self.state.status != ContainerStatus::Created && self.finish_interrupted_checkpoint()? {
            return Ok(());
        }
        let stopping = self.state.status == ContainerStatus::Stopping;
        self.record_exit(exit);
        // As Podman: a stop's event when its container is found gone, then the exit's.
        if stopping {
            self.runtime()
                .events()
                .container(self.config(), crate::events::EventStatus::Stop);
        }
        crate::monitor::exit_event(self.runtime(), self.config(), ExitEvent::Died(exit.code));
        self.handle_exit(action)
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
        match self.oci().and_then(|oci| oci.state(self.id())) {
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

    /// After an exit: clean up, marking a restart pending when the policy calls for one; else
    /// remove an auto-remove container with its anonymous volumes (as Podman's cleanup
    /// process does for `--rm`; not while others depend on it) when `action` allows; else
    /// clean up.
    pub(crate) fn handle_exit(&mut self, action: ExitAction) -> Result<()> {
        if self.should_restart() {
            tracing::debug!(container = %self.id(), "restart by policy pending");
            self.state.restart_pending = true;
        } else if action == ExitAction::AutoRemove
            && self.config().auto_remove
            && self.runtime().state().dependents(self.id())?.is_empty()
        {
            tracing::debug!(container = %self.id(), "removing an auto-remove container after its exit");
            return self.auto_remove_locked();
        }
        self.cleanup_locked()?;
        crate::monitor::exit_event(self.runtime(), self.config(), ExitEvent::Cleanup);
        Ok(())
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

impl Locked<'_> {
    /// Makes the restart the policy called for at the last exit, if it is still pending (no
    /// stop, start or removal came first; Podman's `handleRestartPolicy`), as the policy
    /// starts (keeping the stopped-by-user mark), with the restart count one more. The count
    /// and the cleared mark are saved with the start's outcome (see
    /// [`start_locked`](Locked::start_locked)): a restart that fails is not tried again, and
    /// one cut short by a crash is made by the next cleanup, counted once. Whether it
    /// restarted; a failed restart leaves the container as the failure did.
    pub(crate) fn restart_if_pending(&mut self) -> Result<bool> {
        // Configured or Created: a restart cut short after its init (undone at the next open,
        // or created and not started).
        let restartable = matches!(
            self.state.status,
            ContainerStatus::Exited
                | ContainerStatus::Stopped
                | ContainerStatus::Configured
                | ContainerStatus::Created
        );
        if !(self.state.restart_pending && restartable) {
            return Ok(false);
        }
        self.state.restart_count += 1;
        tracing::info!(container = %self.id(), count = self.state.restart_count, "restarting by policy");
        crate::monitor::exit_event(self.runtime(), self.config(), ExitEvent::Restart);
        self.start_locked(false)?;
        Ok(true)
    }
}
