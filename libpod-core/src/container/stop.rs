//! `stop`: the stop signal, SIGKILL after the timeout, then cleanup (Running -> Exited).
//!
//! As Podman does, the signals are sent under the container's lock and the waits for the exit
//! (up to the timeout, then up to [`KILL_GRACE`] after SIGKILL) run with the lock released, so
//! that `ps`, `inspect` and the other verbs answer meanwhile. The state says `Stopping` while
//! the lock is out; after each wait the state is read again and synced, since another process
//! may have handled the exit, removed the container, or started it again.

use super::{Container, ContainerStatus, ExitAction, Locked};
use crate::error::{CoreError, Result};
use std::time::Duration;

/// How long to wait for the exit after SIGKILL, as Podman's 5 s.
const KILL_GRACE: Duration = Duration::from_secs(5);

impl Container {
    /// Stops the container: its stop signal, then SIGKILL after `timeout` seconds (its stop
    /// timeout when `None`). Stopping a container that is not running does nothing but cancel
    /// a restart its policy has pending. Another process that removes the container or starts
    /// it again while this waits for the exit ends the stop (successfully: it did stop).
    pub fn stop(&self, timeout: Option<u32>) -> Result<()> {
        self.lock()?.stop_by_user(timeout)
    }
}

impl Locked<'_> {
    /// [`Container::stop`] on the locked container.
    pub(crate) fn stop_by_user(&mut self, timeout: Option<u32>) -> Result<()> {
        match self.state.status {
            ContainerStatus::Running
            | ContainerStatus::Stopping
            | ContainerStatus::Paused
            | ContainerStatus::Created => {
                let timeout = timeout.unwrap_or(self.config().stop_timeout);
                match self.stop_locked(timeout, ExitAction::AutoRemove) {
                    Err(CoreError::ContainerNotFound(id)) if id == self.id() => Ok(()),
                    Err(CoreError::InvalidState {
                        operation: TAKEN_OVER,
                        status,
                        ..
                    }) => {
                        tracing::warn!(container = %self.id(), %status, "another process acted on the container while it was being stopped");
                        Ok(())
                    }
                    other => other,
                }
            }
            _ if self.state.restart_pending => {
                // As Podman: stopped by the user even with nothing left to stop.
                self.state.restart_pending = false;
                self.state.stopped_by_user = true;
                self.save()
            }
            _ => Ok(()),
        }
    }
}

/// The operation named in the `InvalidState` error of a stop that another process overtook.
pub(crate) const TAKEN_OVER: &str = "finish stopping (another process acted on it meanwhile)";

/// Where a stop stands after a wait.
#[derive(Debug, PartialEq, Eq)]
enum Progress {
    /// The process has not exited yet.
    Waiting,
    /// It exited, and the exit was handled (here or by another process).
    Stopped,
}

impl Locked<'_> {
    /// Stops the container and handles its exit as `action` says (an auto-remove container
    /// stopped by the user is removed, as Podman's cleanup process does). The lock is released
    /// while waiting for the exit. On success the container is stopped (`Exited`), or removed
    /// with `action` `AutoRemove`. `ContainerNotFound` when another process removed it
    /// meanwhile; `InvalidState` with [`TAKEN_OVER`] when another started it again.
    pub(crate) fn stop_locked(&mut self, timeout: u32, action: ExitAction) -> Result<()> {
        let oci = self.oci()?;
        let id = self.id().to_string();
        if self.state.status == ContainerStatus::Paused {
            // A frozen process cannot act on a signal.
            oci.resume(&id)?;
        }
        self.state.status = ContainerStatus::Stopping;
        self.state.stopped_by_user = true;
        self.state.restart_pending = false;
        self.save()?;
        let mut progress = Progress::Waiting;
        if timeout > 0 {
            match oci.kill(&id, self.config().stop_signal, false) {
                Ok(()) => {
                    let wait = Duration::from_secs(timeout.into());
                    progress = self.wait_unlocked(wait, action)?;
                }
                // Already gone: its exit will be there.
                Err(e) => tracing::debug!(container = %id, error = %e, "stop signal not delivered"),
            }
        }
        if progress == Progress::Waiting {
            self.sync_exit(action)?;
            progress = self.progress()?;
        }
        if progress == Progress::Waiting {
            tracing::info!(container = %id, timeout, "container did not stop in time: SIGKILL");
            if let Err(e) = oci.kill(&id, 9, true) {
                tracing::debug!(container = %id, error = %e, "SIGKILL not delivered");
            }
            progress = self.wait_unlocked(KILL_GRACE, action)?;
        }
        if progress == Progress::Waiting {
            return Err(CoreError::Timeout {
                id,
                what: "the container to exit after SIGKILL",
            });
        }
        self.finish_stop(action)
    }

    /// Waits up to `timeout` for the exit with the lock released, then takes the lock again,
    /// reads the state afresh and syncs it (handling an exit found as `action` says).
    fn wait_unlocked(&mut self, timeout: Duration, action: ExitAction) -> Result<Progress> {
        let rt = self.runtime().clone();
        let id = self.id().to_string();
        let oci = self.oci()?;
        self._guard
            .unlocked(|| oci.wait_exit(&id, Some(timeout)))??;
        self.state = rt.state().container_state(&id)?;
        self.exit_code = None;
        self.sync_exit(action)?;
        self.progress()
    }

    /// Where the stop stands by the state: still `Stopping`, stopped (or removed), or
    /// overtaken by another process that started the container again.
    fn progress(&self) -> Result<Progress> {
        if self.removed {
            return Ok(Progress::Stopped);
        }
        match self.state.status {
            ContainerStatus::Stopping => Ok(Progress::Waiting),
            ContainerStatus::Stopped | ContainerStatus::Exited => Ok(Progress::Stopped),
            status => Err(CoreError::InvalidState {
                id: self.id().to_string(),
                status,
                operation: TAKEN_OVER,
            }),
        }
    }

    /// After the exit was handled: removes an auto-remove container if `action` says so and the
    /// exit was handled by a look that left that to the stopper.
    fn finish_stop(&mut self, action: ExitAction) -> Result<()> {
        if self.removed {
            return Ok(());
        }
        if action == ExitAction::AutoRemove
            && self.config().auto_remove
            && self.runtime().state().dependents(self.id())?.is_empty()
        {
            return self.auto_remove_locked();
        }
        if self.state.status == ContainerStatus::Stopped {
            return self.cleanup_locked();
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "stop_tests.rs"]
mod tests;
