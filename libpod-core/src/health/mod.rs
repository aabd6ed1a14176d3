//! Healthchecks that run with no systemd and no daemon of ours.
//!
//! Podman runs each container's checks from a transient systemd timer and does nothing
//! without systemd. Here a check runs in one of three ways, all through
//! [`Container::healthcheck_run`](crate::container::Container::healthcheck_run) (one check:
//! `container/healthcheck.rs`):
//!
//! - **on demand**: the caller runs it (`podctl healthcheck run CTR`);
//! - **a timer process per container** (`timer.rs`), when the container was created with a
//!   timer command ([`with_healthcheck_timer`](crate::container::with_healthcheck_timer)):
//!   its start spawns the command with the container's ID appended (the embedder's own binary
//!   in a timer mode, as conmon's exit command runs the cleanup: `podctl healthcheck timer
//!   CTR`, which calls [`run_timer`]), in its own process group, its PID and start time
//!   recorded in `RUNROOT/containers/CTR/healthcheck-timer.pid`. It sleeps the interval
//!   (the startup check's until that passed), runs the check, and exits once the container
//!   is not running or the PID file no longer names it. The container's cleanup (stop, an
//!   exit seen, removal) kills the recorded timer through a pidfd checked against its start
//!   time, unless the timer is the process cleaning up (its own on-failure action);
//! - **an open runtime's scheduler** (`scheduler.rs`), for containers without a timer
//!   command (an embedder that has no binary to re-execute): one thread per runtime,
//!   started at the first start of such a container (or by
//!   [`Runtime::schedule_healthchecks`](crate::runtime::Runtime::schedule_healthchecks)),
//!   a due time per container, each check on a short-lived thread of its own; it skips
//!   containers whose timer process runs, and stops when the runtime is dropped.
//!
//! A container's health is a small file in its run directory (`file.rs`), not its state row:
//! see there why.

pub(crate) mod file;
mod scheduler;
mod timer;

pub(crate) use scheduler::Scheduler;
pub use timer::run_timer;
pub(crate) use timer::{start_timer, stop_timer, timer_alive};

use crate::container::Container;
use crate::error::Result;
use crate::record::HealthCheck;
use crate::runtime::Runtime;

/// At a container's start (its lock held, the state saved `Running`): forgets the last run's
/// health and has the checks run, by its timer process or else this runtime's scheduler.
/// Costs nothing for a container without a healthcheck.
pub(crate) fn on_start(ctr: &Container) -> Result<()> {
    let config = ctr.config();
    if config
        .healthcheck
        .as_ref()
        .and_then(HealthCheck::command)
        .is_none()
    {
        return Ok(());
    }
    let rt = ctr.runtime();
    file::reset(rt, ctr.id())?;
    // Interval 0: checks on demand only.
    let Some(interval) = ctr.healthcheck_interval() else {
        return Ok(());
    };
    let covered = start_timer(rt, ctr.config()).unwrap_or_else(|err| {
        // The container runs: its checks fall to this runtime while it is open.
        tracing::warn!(container = %ctr.id(), %err, "no healthcheck timer process");
        false
    });
    if !covered {
        rt.health_scheduler().watch(rt, ctr.id(), interval);
    }
    Ok(())
}

impl Runtime {
    /// Has this runtime's scheduler run the checks of every running container with a
    /// healthcheck that no timer process runs (for an embedder that opened a runtime on
    /// containers started earlier); how many it took.
    pub fn schedule_healthchecks(&self) -> Result<usize> {
        let mut count = 0;
        for ctr in self.containers()? {
            let Some(interval) = ctr.healthcheck_interval() else {
                continue;
            };
            if ctr.status()? == crate::container::ContainerStatus::Running
                && !timer_alive(self, ctr.id())
            {
                self.health_scheduler().watch(self, ctr.id(), interval);
                count += 1;
            }
        }
        Ok(count)
    }
}
