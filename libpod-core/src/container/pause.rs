//! `pause` and `unpause`: Running <-> Paused (the cgroup freezer).

use super::{Container, ContainerStatus, Locked};
use crate::error::Result;
use crate::events::EventStatus;

impl Container {
    /// Freezes the container's processes.
    pub fn pause(&self) -> Result<()> {
        self.lock()?.pause_locked()
    }

    /// Thaws them.
    pub fn unpause(&self) -> Result<()> {
        self.lock()?.unpause_locked()
    }
}

impl Locked<'_> {
    /// Freezes a running container.
    pub(crate) fn pause_locked(&mut self) -> Result<()> {
        self.require("pause", &[ContainerStatus::Running])?;
        self.oci()?.pause(self.id())?;
        self.state.status = ContainerStatus::Paused;
        self.save()?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Pause);
        Ok(())
    }

    /// Thaws a paused container.
    pub(crate) fn unpause_locked(&mut self) -> Result<()> {
        self.require("unpause", &[ContainerStatus::Paused])?;
        self.oci()?.resume(self.id())?;
        self.state.status = ContainerStatus::Running;
        self.save()?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Unpause);
        Ok(())
    }
}
