//! `pause` and `unpause`: Running <-> Paused (the cgroup freezer).

use super::{Container, ContainerStatus};
use crate::error::Result;
use crate::events::EventStatus;

impl Container {
    /// Freezes the container's processes.
    pub fn pause(&self) -> Result<()> {
        let mut locked = self.lock()?;
        locked.require("pause", &[ContainerStatus::Running])?;
        locked.runtime().oci().pause(self.id())?;
        locked.state.status = ContainerStatus::Paused;
        locked.save()?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Pause);
        Ok(())
    }

    /// Thaws them.
    pub fn unpause(&self) -> Result<()> {
        let mut locked = self.lock()?;
        locked.require("unpause", &[ContainerStatus::Paused])?;
        locked.runtime().oci().resume(self.id())?;
        locked.state.status = ContainerStatus::Running;
        locked.save()?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Unpause);
        Ok(())
    }
}
