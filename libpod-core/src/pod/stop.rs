//! `stop`: the containers in reverse dependency order (a wave's side by side), so the infra
//! container last, each with its own stop timeout or the one given; those not running are
//! left so.

use super::Pod;
use crate::error::Result;
use crate::events::EventStatus;

impl Pod {
    /// Stops the pod's containers, dependents before what they depend on (Podman's
    /// `Pod.StopWithTimeout`); `timeout` replaces each container's stop timeout.
    pub fn stop(&self, timeout: Option<u32>) -> Result<()> {
        let locked = self.lock()?;
        let mut waves = locked.waves()?;
        waves.reverse();
        let stopped = locked.each("stop", &waves, |ctr| ctr.stop_by_user(timeout));
        locked.event(EventStatus::Stop);
        stopped
    }
}
