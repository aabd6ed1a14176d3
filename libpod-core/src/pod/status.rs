//! A pod's status, derived from its containers' as Podman's `createPodStatusResults` does.

use super::Pod;
use crate::container::ContainerStatus;
use crate::error::{CoreError, Result};
use std::fmt;

/// A pod's status (Podman's `define.PodState*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PodStatus {
    /// No container has run yet (or it has none).
    Created,
    /// All its containers run.
    Running,
    /// Some of its containers run, not all.
    Degraded,
    /// Some are stopped or exited, none runs.
    Stopped,
    /// All are stopped or exited.
    Exited,
    /// All are paused.
    Paused,
    /// A container is in a state that fits none of these (being removed, unknown).
    Error,
}

impl PodStatus {
    /// Podman's name (`Running`, `Degraded`...).
    pub fn as_str(self) -> &'static str {
        match self {
            PodStatus::Created => "Created",
            PodStatus::Running => "Running",
            PodStatus::Degraded => "Degraded",
            PodStatus::Stopped => "Stopped",
            PodStatus::Exited => "Exited",
            PodStatus::Paused => "Paused",
            PodStatus::Error => "Error",
        }
    }

    /// The status of a pod whose containers have `statuses` (Podman's rules: running ones
    /// decide first, then all paused, all stopped, some stopped, an error).
    ///
    /// ```
    /// use libpod_core::container::ContainerStatus as C;
    /// use libpod_core::pod::PodStatus;
    /// assert_eq!(PodStatus::of(&[C::Running, C::Exited]), PodStatus::Degraded);
    /// assert_eq!(PodStatus::of(&[C::Exited, C::Stopped]), PodStatus::Exited);
    /// assert_eq!(PodStatus::of(&[C::Exited, C::Created]), PodStatus::Stopped);
    /// assert_eq!(PodStatus::of(&[]), PodStatus::Created);
    /// ```
    pub fn of(statuses: &[ContainerStatus]) -> PodStatus {
        let count = |f: fn(&ContainerStatus) -> bool| statuses.iter().filter(|s| f(s)).count();
        let running = count(|s| matches!(s, ContainerStatus::Running | ContainerStatus::Stopping));
        let paused = count(|s| *s == ContainerStatus::Paused);
        let stopped = count(|s| matches!(s, ContainerStatus::Stopped | ContainerStatus::Exited));
        let errored = count(|s| {
            !matches!(
                s,
                ContainerStatus::Running
                    | ContainerStatus::Stopping
                    | ContainerStatus::Paused
                    | ContainerStatus::Stopped
                    | ContainerStatus::Exited
                    | ContainerStatus::Created
                    | ContainerStatus::Configured
            )
        });
        let all = statuses.len();
        match () {
            () if all == 0 => PodStatus::Created,
            () if running > 0 && running == all => PodStatus::Running,
            () if running > 0 => PodStatus::Degraded,
            () if paused == all => PodStatus::Paused,
            () if stopped == all => PodStatus::Exited,
            () if stopped > 0 => PodStatus::Stopped,
            () if errored > 0 => PodStatus::Error,
            () => PodStatus::Created,
        }
    }
}

impl fmt::Display for PodStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Pod {
    /// Each container's ID and synced status (the infra container's included), under the
    /// pod's lock; a container removed meanwhile is left out.
    pub fn container_statuses(&self) -> Result<Vec<(String, ContainerStatus)>> {
        let locked = self.lock()?;
        let mut out = Vec::new();
        for ctr in self.containers()? {
            match ctr.lock_in(&locked.guard) {
                Ok(ctr_locked) => out.push((ctr.id().to_string(), ctr_locked.state.status)),
                Err(CoreError::ContainerNotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// The pod's status from its containers'.
    pub fn status(&self) -> Result<PodStatus> {
        let statuses: Vec<ContainerStatus> = self
            .container_statuses()?
            .into_iter()
            .map(|(_, status)| status)
            .collect();
        Ok(PodStatus::of(&statuses))
    }
}
