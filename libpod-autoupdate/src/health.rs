//! Whether an updated container is doing well: the seam the rollback asks.
//!
//! [`StateProbe`] watches the container for a grace period through its state, its health
//! included (Podman keeps `Health` in a container's `State`): it fails the container when it
//! exits with a non-zero code, is started again (a restart policy or its healthcheck's
//! `restart` action answering a failure), or its healthcheck reports `unhealthy`. The checks
//! are libpod-core's: the probe runs the container's check on demand
//! ([`Container::healthcheck_run`]) until it passes, and reads the status that every check
//! records, its timer process's and the runtime's scheduler's included
//! ([`Container::health`]).

use crate::error::Result;
use libpod_core::container::{Container, ContainerStatus, HealthCheckOutcome};
use libpod_core::record::health_status;
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

/// A container is healthy when, within `grace`, it has not exited with a non-zero code, not
/// been started again, and its healthcheck (if it has one) has not reported `unhealthy`.
///
/// A healthcheck reports `unhealthy` after its retries' worth of failures in a row outside
/// its start period (Podman's rules): a start period longer than `grace` hides failures.
///
/// ```
/// use libpod_autoupdate::StateProbe;
/// use std::time::Duration;
/// // Checks run on demand every half second until one passes, within 30 seconds.
/// let probe = StateProbe {
///     grace: Duration::from_secs(30),
///     check_every: Some(Duration::from_millis(500)),
///     ..StateProbe::default()
/// };
/// # let _ = probe;
/// ```
#[derive(Clone, Debug)]
pub struct StateProbe {
    /// How long the container must keep going.
    pub grace: Duration,
    /// How often its state (and health) is read meanwhile.
    pub interval: Duration,
    /// How often its healthcheck is run on demand until a check passes; `None`: only the
    /// checks its timer process or the runtime's scheduler runs, at the check's own interval.
    pub check_every: Option<Duration>,
}

impl Default for StateProbe {
    fn default() -> Self {
        StateProbe {
            grace: Duration::from_secs(10),
            interval: Duration::from_millis(200),
            check_every: Some(Duration::from_secs(1)),
        }
    }
}

impl HealthProbe for StateProbe {
    fn probe(&self, ctr: &Container) -> Result<Health> {
        let deadline = Instant::now() + self.grace;
        let has_healthcheck = ctr.health()?.is_some();
        // Checks on demand, the first one interval after the start (as a timer's).
        let mut next_check = self
            .check_every
            .filter(|_| has_healthcheck)
            .map(|every| Instant::now() + every);
        let started_at = ctr.state()?.started_at;
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
            if state.started_at != started_at {
                return Ok(Health::Failed(format!(
                    "started again within the grace period (restarts: {})",
                    state.restart_count
                )));
            }
            if let Some(due) = next_check
                && Instant::now() >= due
            {
                next_check = match ctr.healthcheck_run() {
                    Ok(HealthCheckOutcome::Healthy) => None,
                    Ok(_) => self.check_every.map(|every| Instant::now() + every),
                    // Not running any more: its state says how it ended.
                    Err(err) if !matches!(ctr.status()?, ContainerStatus::Running) => {
                        tracing::debug!(container = %ctr.id(), %err, "healthcheck on a container that stopped");
                        None
                    }
                    Err(err) => {
                        return Ok(Health::Failed(format!(
                            "its healthcheck did not run: {err}"
                        )));
                    }
                };
                continue;
            }
            if let Some(health) = ctr.health()?
                && health.status == health_status::UNHEALTHY
            {
                let output = health.log.last().map(|l| l.output.as_str()).unwrap_or("");
                return Ok(Health::Failed(format!(
                    "its healthcheck reports unhealthy ({} failures in a row; last output: {output:?})",
                    health.failing_streak
                )));
            }
            if Instant::now() >= deadline {
                return Ok(Health::Healthy);
            }
            std::thread::sleep(self.interval.min(deadline - Instant::now()));
        }
    }
}
