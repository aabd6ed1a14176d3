//! `kill`: a signal to the container's process (Running|Stopping|Paused).

use super::{Container, ContainerStatus, Locked};
use crate::error::Result;
use crate::events::EventStatus;

impl Container {
    /// Sends `signal` to the container's PID 1. The state changes when the exit is seen.
    pub fn kill(&self, signal: i32) -> Result<()> {
        self.lock()?.kill_locked(signal)
    }
}

impl Locked<'_> {
    /// Sends `signal` to the container's PID 1, if it runs (or stops, or is frozen).
    pub(crate) fn kill_locked(&self, signal: i32) -> Result<()> {
        self.require(
            "kill",
            &[
                ContainerStatus::Running,
                ContainerStatus::Stopping,
                ContainerStatus::Paused,
            ],
        )?;
        self.oci()?.kill(self.id(), signal, false)?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Kill);
        Ok(())
    }
}
