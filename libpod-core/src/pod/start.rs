//! `start`: the infra container first, then the others in dependency order (a wave's
//! containers side by side, see `graph.rs`); those running already are left so. A container whose start fails is reported with the others'
//! (`PodPartialFailure`); its dependents then fail too (their dependency is not running).

use super::Pod;
use crate::container::ContainerStatus;
use crate::error::Result;
use crate::events::EventStatus;

impl Pod {
    /// Starts the pod's containers in dependency order (Podman's `Pod.Start`).
    pub fn start(&self) -> Result<()> {
        self.runtime().watch_exits();
        let locked = self.lock()?;
        let waves = locked.waves()?;
        let started = locked.each("start", &waves, |ctr| match ctr.state.status {
            ContainerStatus::Running | ContainerStatus::Paused => Ok(()),
            _ => {
                ctr.require(
                    "start",
                    &[
                        ContainerStatus::Configured,
                        ContainerStatus::Created,
                        ContainerStatus::Stopped,
                        ContainerStatus::Exited,
                    ],
                )?;
                ctr.start_locked(true)
            }
        });
        locked.event(EventStatus::Start);
        started
    }
}
