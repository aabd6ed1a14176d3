//! `wait`: blocks until the container's process exits and returns its exit code.

use super::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use std::time::Duration;

/// How often `wait` checks that the container's monitor is still alive.
const MONITOR_CHECK: Duration = Duration::from_secs(1);

impl Container {
    /// Waits for the container to exit and returns the exit code. A container that already
    /// exited returns at once; one removed since (an auto-remove container is removed as its
    /// exit is handled) returns the exit code recorded for it, as Podman's wait does. A
    /// container its policy restarts returns at its exit too (the restart follows).
    pub fn wait(&self) -> Result<i32> {
        self.runtime().watch_exits();
        loop {
            {
                let locked = match self.lock() {
                    Err(CoreError::ContainerNotFound(id)) => {
                        let recorded = self.runtime().state().exit_code(self.id())?;
                        return recorded.ok_or(CoreError::ContainerNotFound(id));
                    }
                    other => other?,
                };
                let exited = matches!(
                    locked.state.status,
                    ContainerStatus::Stopped | ContainerStatus::Exited
                ) || (locked.state.status == ContainerStatus::Configured
                    && locked.state.exit_code.is_some());
                if exited {
                    return Ok(locked.state.exit_code.unwrap_or(-1));
                }
            }
            // Without the lock: others may stop or inspect it meanwhile. Bounded, so that a
            // monitor that died without an exit file is noticed by the next sync.
            self.oci()?.wait_exit(self.id(), Some(MONITOR_CHECK))?;
        }
    }
}
