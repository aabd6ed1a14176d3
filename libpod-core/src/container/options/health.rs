//! Healthcheck options beyond the check itself: the on-failure action, the startup check
//! and the timer process's command.

use super::{CtrCreateOption, invalid};
use crate::record::{HealthCheckOnFailureAction, StartupHealthCheck};

/// What happens when the container turns unhealthy (`--health-on-failure`).
pub fn with_healthcheck_on_failure(action: HealthCheckOnFailureAction) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.healthcheck_on_failure = action;
        Ok(())
    })
}

/// A startup healthcheck (`--health-startup-*`), run until it passed; it needs a regular
/// healthcheck too (checked at create, whichever option came first).
pub fn with_startup_healthcheck(check: StartupHealthCheck) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        if check.check.command().is_none() {
            return Err(invalid("health-startup-cmd", "the test is empty or NONE"));
        }
        d.config.startup_healthcheck = Some(check);
        Ok(())
    })
}

/// The command of the container's healthcheck timer process: started with the container
/// (the container's ID appended), it runs the checks when nothing of ours is open (see
/// [`crate::health`]). Typically the embedder's own binary in its timer mode, as
/// `podctl healthcheck timer` is.
///
/// ```
/// use libpod_core::container::with_healthcheck_timer;
/// let option = with_healthcheck_timer(vec!["/usr/bin/podctl".into(), "healthcheck".into(), "timer".into()]);
/// ```
pub fn with_healthcheck_timer(command: Vec<String>) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        if command.first().is_none_or(|program| program.is_empty()) {
            return Err(invalid("healthcheck timer", "the command is empty"));
        }
        d.config.healthcheck_timer = command;
        Ok(())
    })
}
