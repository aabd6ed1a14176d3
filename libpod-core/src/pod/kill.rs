//! `kill`: a signal to each running container of the pod (the infra container included).

use super::Pod;
use crate::container::ContainerStatus;
use crate::error::Result;
use crate::events::EventStatus;

impl Pod {
    /// Sends `signal` to every running container of the pod (Podman's `Pod.Kill`);
    /// containers not running are left out.
    pub fn kill(&self, signal: i32) -> Result<()> {
        let locked = self.lock()?;
        let waves = locked.waves()?;
        let killed = locked.each("kill", &waves, |ctr| match ctr.state.status {
            ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping => {
                ctr.kill_locked(signal)
            }
            _ => Ok(()),
        });
        locked.event(EventStatus::Kill);
        killed
    }
}
