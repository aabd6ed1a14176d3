//! `pause` and `unpause`: every running container of the pod frozen, every paused one
//! thawed (the infra container included).

use super::Pod;
use crate::container::ContainerStatus;
use crate::error::Result;
use crate::events::EventStatus;

impl Pod {
    /// Freezes every running container of the pod (Podman's `Pod.Pause`).
    pub fn pause(&self) -> Result<()> {
        let locked = self.lock()?;
        let waves = locked.waves()?;
        let paused = locked.each("pause", &waves, |ctr| match ctr.state.status {
            ContainerStatus::Running => ctr.pause_locked(),
            _ => Ok(()),
        });
        locked.event(EventStatus::Pause);
        paused
    }

    /// Thaws every paused container of the pod (Podman's `Pod.Unpause`).
    pub fn unpause(&self) -> Result<()> {
        let locked = self.lock()?;
        let waves = locked.waves()?;
        let thawed = locked.each("unpause", &waves, |ctr| match ctr.state.status {
            ContainerStatus::Paused => ctr.unpause_locked(),
            _ => Ok(()),
        });
        locked.event(EventStatus::Unpause);
        thawed
    }
}
