//! `restart`: the running containers stopped (reverse dependency order), then all started
//! (dependency order), under one hold of the pod's lock.

use super::Pod;
use crate::container::ContainerStatus;
use crate::error::Result;
use crate::events::EventStatus;

impl Pod {
    /// Restarts every container of the pod (Podman's `Pod.Restart`).
    pub fn restart(&self) -> Result<()> {
        self.runtime().watch_exits();
        let locked = self.lock()?;
        let waves = locked.waves()?;
        let mut reversed = waves.clone();
        reversed.reverse();
        locked.each("restart", &reversed, |ctr| ctr.stop_by_user(None))?;
        let started = locked.each("restart", &waves, |ctr| match ctr.state.status {
            ContainerStatus::Running | ContainerStatus::Paused => Ok(()),
            _ => ctr.start_locked(true),
        });
        locked.event(EventStatus::Restart);
        started
    }
}
