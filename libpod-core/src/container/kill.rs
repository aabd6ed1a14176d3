//! `kill`: a signal to the container's process (Running|Stopping|Paused).

use super::{Container, ContainerStatus};
use crate::error::Result;
use crate::events::EventStatus;

impl Container {
    /// Sends `signal` to the container's PID 1. The state changes when the exit is seen.
    pub fn kill(&self, signal: i32) -> Result<()> {
        let locked = self.lock()?;
        locked.require(
            "kill",
            &[
                ContainerStatus::Running,
                ContainerStatus::Stopping,
                ContainerStatus::Paused,
            ],
        )?;
        locked.runtime().oci().kill(self.id(), signal, false)?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Kill);
        Ok(())
    }
}
