//! `stop`: the stop signal, SIGKILL after the timeout, then cleanup (Running -> Exited).

use super::{Container, ContainerStatus, ExitAction, Locked};
use crate::error::{CoreError, Result};
use std::time::Duration;

/// How long to wait for the exit after SIGKILL, as Podman's 5 s.
const KILL_GRACE: Duration = Duration::from_secs(5);

impl Container {
    /// Stops the container: its stop signal, then SIGKILL after `timeout` seconds (its stop
    /// timeout when `None`). Stopping a container that is not running does nothing.
    pub fn stop(&self, timeout: Option<u32>) -> Result<()> {
        let mut locked = self.lock()?;
        match locked.state.status {
            ContainerStatus::Running
            | ContainerStatus::Stopping
            | ContainerStatus::Paused
            | ContainerStatus::Created => {
                let timeout = timeout.unwrap_or(locked.config().stop_timeout);
                locked.stop_locked(timeout, ExitAction::AutoRemove)
            }
            _ => Ok(()),
        }
    }
}

impl Locked<'_> {
    /// Stops the container and handles its exit as `action` says (an auto-remove container
    /// stopped by the user is removed, as Podman's cleanup process does).
    pub(crate) fn stop_locked(&mut self, timeout: u32, action: ExitAction) -> Result<()> {
        let oci = self.runtime().inner.oci.clone();
        let id = self.id().to_string();
        if self.state.status == ContainerStatus::Paused {
            // A frozen process cannot act on a signal.
            oci.resume(&id)?;
        }
        self.state.status = ContainerStatus::Stopping;
        self.state.stopped_by_user = true;
        self.save()?;
        let signal = self.config().stop_signal;
        let mut exit = None;
        if timeout > 0 {
            match oci.kill(&id, signal, false) {
                Ok(()) => exit = oci.wait_exit(&id, Some(Duration::from_secs(timeout.into())))?,
                // Already gone: its exit will be there.
                Err(e) => tracing::debug!(container = %id, error = %e, "stop signal not delivered"),
            }
        }
        if exit.is_none() {
            exit = oci.exit_info(&id)?;
        }
        if exit.is_none() {
            tracing::info!(container = %id, timeout, "container did not stop in time: SIGKILL");
            if let Err(e) = oci.kill(&id, 9, true) {
                tracing::debug!(container = %id, error = %e, "SIGKILL not delivered");
            }
            exit = oci.wait_exit(&id, Some(KILL_GRACE))?;
        }
        let exit = exit.ok_or_else(|| CoreError::Timeout {
            id: id.clone(),
            what: "the container to exit after SIGKILL",
        })?;
        self.record_exit(exit);
        self.handle_exit(action)
    }
}
