//! Whether an updated container is doing well: the seam the rollback asks.
//!
//! [`StateProbe`] watches the container's state for a grace period: an exit with a non-zero
//! code (or a start that never happened) within it is a failure. When healthchecks land, a
//! probe that also waits for the healthcheck's verdict implements the same trait.

use crate::error::Result;
use libpod_core::container::{Container, ContainerStatus};
use std::time::{Duration, Instant};

/// The verdict on an updated container.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Health {
    /// It runs (or ended well).
    Healthy,
    /// It failed: what was seen.
    Failed(String),
}

/// Decides whether an updated container is doing well (see the module docs).
pub trait HealthProbe: Send + Sync {
    /// Looks at `ctr` (the container after its restart) and says how it does.
    fn probe(&self, ctr: &Container) -> Result<Health>;
}

/// A container is healthy when it has not exited with a non-zero code within `grace`.
#[derive(Clone, Debug)]
pub struct StateProbe {
    /// How long the container must keep going.
    pub grace: Duration,
    /// How often its state is read meanwhile.
    pub interval: Duration,
}

impl Default for StateProbe {
    fn default() -> Self {
        StateProbe {
            grace: Duration::from_secs(10),
            interval: Duration::from_millis(200),
        }
    }
}

impl HealthProbe for StateProbe {
    fn probe(&self, ctr: &Container) -> Result<Health> {
        let deadline = Instant::now() + self.grace;
        loop {
            let state = ctr.state()?;
            match state.status {
                ContainerStatus::Running | ContainerStatus::Paused => {}
                ContainerStatus::Stopped | ContainerStatus::Exited => match state.exit_code {
                    Some(0) => return Ok(Health::Healthy),
                    Some(code) => return Ok(Health::Failed(format!("exited with code {code}"))),
                    None => return Ok(Health::Failed("stopped".into())),
                },
                other => {
                    if Instant::now() >= deadline {
                        return Ok(Health::Failed(format!("{other:?} after the grace period")));
                    }
                }
            }
            if Instant::now() >= deadline {
                return Ok(Health::Healthy);
            }
            std::thread::sleep(self.interval.min(deadline - Instant::now()));
        }
    }
}
