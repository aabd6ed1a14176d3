//! One healthcheck (Podman's `Runtime.HealthCheck`): the check's command run through the
//! sessionless exec (no database write, the container's lock only to read its state) and
//! killed at its timeout, then the result recorded in the health file under the lock, then
//! the on-failure action. The scheduling is in [`crate::health`].

use super::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::exec::{ExecEnd, ExecStreams};
use crate::health::file::{self, HealthFile};
use crate::record::{
    ExecConfig, HealthCheck, HealthCheckLog, HealthCheckOnFailureAction, HealthCheckResults,
    health_status,
};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A check's timeout when none is set (Podman's `DefaultHealthCheckTimeout`).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// What one check found, as `podman healthcheck run` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HealthCheckOutcome {
    /// The check passed.
    Healthy,
    /// The check failed (the container may not be `unhealthy` yet: see its failing streak).
    Unhealthy,
    /// The startup check failed: the container is still starting.
    Starting,
}

impl HealthCheckOutcome {
    /// Podman's word for it (`healthy`, `unhealthy`, `starting`).
    pub fn as_str(self) -> &'static str {
        match self {
            HealthCheckOutcome::Healthy => health_status::HEALTHY,
            HealthCheckOutcome::Unhealthy => health_status::UNHEALTHY,
            HealthCheckOutcome::Starting => health_status::STARTING,
        }
    }
}

/// What running the command gave: the log's exit code (0, 1, -1 timed out, 125 could not
/// run), the output, and the error to report when it could not run.
struct Ran {
    exit_code: i32,
    output: String,
    error: Option<CoreError>,
}

impl Container {
    /// Runs the container's healthcheck once (its startup check while that has not passed),
    /// records the result and acts on it (Podman's `healthcheck run`). Fails when the
    /// container is not running or has no healthcheck ([`CoreError::NoHealthCheck`]).
    pub fn healthcheck_run(&self) -> Result<HealthCheckOutcome> {
        let regular = self.defined_healthcheck()?;
        let started_at = {
            let locked = self.lock()?;
            if locked.state.status != ContainerStatus::Running {
                return Err(not_running(self.id(), locked.state.status));
            }
            locked.state.started_at.clone().unwrap_or_default()
        };
        let startup = self
            .config()
            .startup_healthcheck
            .as_ref()
            .filter(|_| !file::read(self.runtime(), self.id()).is_ok_and(|f| f.startup_passed));
        let check = startup.map_or(regular, |s| &s.check);
        let command = check.command().ok_or_else(|| no_healthcheck(self.id()))?;
        let start = crate::runtime::now_rfc3339();
        // No timeout set: Podman's default.
        let timeout = match check.timeout_seconds {
            0 => DEFAULT_TIMEOUT,
            seconds => Duration::from_secs(seconds),
        };
        let ran = self.run_check(command, timeout);
        let end = crate::runtime::now_rfc3339();
        let entry = HealthCheckLog::new(start.clone(), end, ran.exit_code, ran.output);
        let in_start_period = startup.is_some() || in_start_period(regular, &started_at, &start);
        let (results, restart_for_startup) = {
            let locked = self.lock()?;
            if locked.state.status != ContainerStatus::Running {
                return Err(not_running(self.id(), locked.state.status));
            }
            let mut health = file::read(self.runtime(), self.id())?;
            let restart = match startup {
                Some(startup) => count_startup(&mut health, startup, entry.exit_code == 0),
                None => false,
            };
            record(&mut health.results, entry, regular.retries, in_start_period);
            file::write(self.runtime(), self.id(), &health)?;
            (health.results, restart)
        };
        // h/events: emit `health_status` here (results.status) once the events wing lands.
        tracing::debug!(container = %self.id(), status = %results.status, "healthcheck");
        if let Some(err) = ran.error {
            return Err(err);
        }
        if restart_for_startup {
            tracing::info!(container = %self.id(), "startup healthcheck failed too often: restarting");
            self.restart()?;
        } else if startup.is_none() && results.status == health_status::UNHEALTHY {
            self.act_on_failure()?;
        }
        Ok(match (ran.exit_code, startup) {
            (0, _) => HealthCheckOutcome::Healthy,
            (_, Some(_)) => HealthCheckOutcome::Starting,
            (_, None) => HealthCheckOutcome::Unhealthy,
        })
    }

    /// The container's health (`State.Health`): `None` without a healthcheck; `starting`
    /// until its first check since it started.
    pub fn health(&self) -> Result<Option<HealthCheckResults>> {
        if self
            .config()
            .healthcheck
            .as_ref()
            .and_then(HealthCheck::command)
            .is_none()
        {
            return Ok(None);
        }
        Ok(Some(file::read(self.runtime(), self.id())?.results))
    }

    /// The time to the next check: the startup check's interval while it has not passed,
    /// else the regular one's; `None` without a healthcheck or with interval 0 (disabled).
    pub fn healthcheck_interval(&self) -> Option<Duration> {
        let regular = self
            .config()
            .healthcheck
            .as_ref()
            .filter(|c| c.command().is_some())?;
        let check = match &self.config().startup_healthcheck {
            Some(startup)
                if !file::read(self.runtime(), self.id()).is_ok_and(|f| f.startup_passed) =>
            {
                &startup.check
            }
            _ => regular,
        };
        (check.interval_seconds > 0).then(|| Duration::from_secs(check.interval_seconds))
    }

    fn defined_healthcheck(&self) -> Result<&HealthCheck> {
        self.config()
            .healthcheck
            .as_ref()
            .filter(|c| c.command().is_some())
            .ok_or_else(|| no_healthcheck(self.id()))
    }

    /// Runs `command` through the sessionless exec, killed after `timeout`.
    fn run_check(&self, command: Vec<String>, timeout: Duration) -> Ran {
        let output = SharedBuffer::default();
        let streams = ExecStreams::new(output.clone(), output.clone());
        let mut config = ExecConfig::new(command);
        config.attach_stdout = true;
        config.attach_stderr = true;
        let result = self.exec_sessionless_within(config, streams, Some(timeout));
        let (exit_code, error) = match result {
            Ok((_, true)) => (-1, None),
            Ok((ExecEnd::Exited(0), false)) => (0, None),
            Ok(_) => (1, None),
            // The runtime could not run it: a failed check, as Podman counts it.
            Err(CoreError::ExecCommandNotFound { .. } | CoreError::ExecCannotInvoke { .. }) => {
                (1, None)
            }
            Err(err) => (125, Some(err)),
        };
        let mut output = output.text();
        if exit_code == -1 {
            output = format!(
                "healthcheck command exceeded timeout of {}s",
                timeout.as_secs()
            );
        }
        Ran {
            exit_code,
            output,
            error,
        }
    }

    /// The on-failure action, once the container turned unhealthy.
    fn act_on_failure(&self) -> Result<()> {
        let action = self.config().healthcheck_on_failure;
        if action != HealthCheckOnFailureAction::None {
            tracing::info!(container = %self.id(), %action, "container turned unhealthy");
        }
        match action {
            HealthCheckOnFailureAction::Kill => self.kill(nix::libc::SIGKILL),
            HealthCheckOnFailureAction::Restart => self.restart(),
            HealthCheckOnFailureAction::Stop => self.stop(None),
            _ => Ok(()),
        }
    }
}

/// Appends `entry` and moves the status as Podman does: a pass makes it healthy and ends the
/// streak; a failure outside the start period lengthens it, and at `retries` it is unhealthy.
fn record(
    health: &mut HealthCheckResults,
    entry: HealthCheckLog,
    retries: u32,
    in_start_period: bool,
) {
    if entry.exit_code == 0 {
        health.status = health_status::HEALTHY.to_string();
        health.failing_streak = 0;
    } else {
        if health.status.is_empty() {
            health.status = health_status::HEALTHY.to_string();
        }
        if !in_start_period {
            health.failing_streak += 1;
            if health.failing_streak >= retries {
                health.status = health_status::UNHEALTHY.to_string();
            }
        }
    }
    health.log.push(entry);
    let excess = health.log.len().saturating_sub(HealthCheckResults::MAX_LOG);
    health.log.drain(..excess);
}

/// Counts a startup check: passed after its successes; whether its failures call for a
/// restart.
fn count_startup(
    health: &mut HealthFile,
    startup: &crate::record::StartupHealthCheck,
    passed: bool,
) -> bool {
    if passed {
        health.startup_successes += 1;
        health.startup_failures = 0;
        if health.startup_successes >= startup.successes {
            health.startup_passed = true;
            health.startup_successes = 0;
        }
        false
    } else {
        health.startup_failures += 1;
        health.startup_successes = 0;
        startup.check.retries != 0 && health.startup_failures >= startup.check.retries
    }
}

/// Whether `now` is within the start period after `started_at` (both RFC 3339).
fn in_start_period(check: &HealthCheck, started_at: &str, now: &str) -> bool {
    if check.start_period_seconds == 0 {
        return false;
    }
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
    match (parse(started_at), parse(now)) {
        (Some(started), Some(now)) => {
            let period = chrono::Duration::seconds(
                i64::try_from(check.start_period_seconds).unwrap_or(i64::MAX),
            );
            now < started + period
        }
        _ => false,
    }
}

fn not_running(id: &str, status: ContainerStatus) -> CoreError {
    CoreError::InvalidState {
        id: id.to_string(),
        status,
        operation: "run a healthcheck (the container is not running)",
    }
}

fn no_healthcheck(id: &str) -> CoreError {
    CoreError::NoHealthCheck(id.to_string())
}

/// The check's output, stdout and stderr together, cut as Podman cuts it.
#[derive(Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        let text = text.trim_end_matches('\n');
        let mut cut = text.len().min(HealthCheckResults::MAX_OUTPUT);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text[..cut].to_string()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            // Keep what the log can hold, and a little more to cut at a character.
            let room = (HealthCheckResults::MAX_OUTPUT + 8).saturating_sub(buffer.len());
            buffer.extend_from_slice(&data[..data.len().min(room)]);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
#[path = "healthcheck_tests.rs"]
mod tests;
