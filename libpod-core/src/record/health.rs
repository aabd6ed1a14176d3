//! Healthcheck records: what to do when a container turns unhealthy, the startup healthcheck
//! (Podman 4.4), and the results of the checks (`State.Health` in inspect, with Podman's
//! field names).

use super::HealthCheck;
use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// What happens when a container turns unhealthy (`--health-on-failure`).
///
/// ```
/// use libpod_core::record::HealthCheckOnFailureAction;
/// assert_eq!("kill".parse::<HealthCheckOnFailureAction>().unwrap(), HealthCheckOnFailureAction::Kill);
/// assert_eq!(HealthCheckOnFailureAction::default().to_string(), "none");
/// assert!("reboot".parse::<HealthCheckOnFailureAction>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum HealthCheckOnFailureAction {
    /// Nothing.
    #[default]
    None,
    /// SIGKILL to the container.
    Kill,
    /// Stop and start it again.
    Restart,
    /// Stop it.
    Stop,
}

impl HealthCheckOnFailureAction {
    const ALL: [HealthCheckOnFailureAction; 4] = [
        HealthCheckOnFailureAction::None,
        HealthCheckOnFailureAction::Kill,
        HealthCheckOnFailureAction::Restart,
        HealthCheckOnFailureAction::Stop,
    ];

    /// Podman's name of the action.
    pub fn name(self) -> &'static str {
        match self {
            HealthCheckOnFailureAction::None => "none",
            HealthCheckOnFailureAction::Kill => "kill",
            HealthCheckOnFailureAction::Restart => "restart",
            HealthCheckOnFailureAction::Stop => "stop",
        }
    }
}

impl std::fmt::Display for HealthCheckOnFailureAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for HealthCheckOnFailureAction {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        if s.is_empty() {
            return Ok(HealthCheckOnFailureAction::None);
        }
        Self::ALL
            .into_iter()
            .find(|action| action.name() == s)
            .ok_or_else(|| CoreError::InvalidOption {
                option: "health-on-failure",
                reason: format!(
                    "invalid on-failure action {s:?} for health check: supported actions are none,kill,restart,stop"
                ),
            })
    }
}

/// A startup healthcheck (`--health-startup-*`, Podman 4.4): run instead of the regular one
/// until it passed; the regular one takes over then.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct StartupHealthCheck {
    /// The check; its `retries` is the number of failures in a row after which the
    /// container is restarted (0: never).
    pub check: HealthCheck,
    /// Successes in a row that pass it (0: the first success).
    pub successes: u32,
}

impl StartupHealthCheck {
    /// A startup healthcheck running `check`, passed at its first success.
    pub fn new(check: HealthCheck) -> Self {
        StartupHealthCheck {
            check,
            successes: 0,
        }
    }
}

/// The health status names Podman uses.
pub mod health_status {
    /// The container passed its last checks.
    pub const HEALTHY: &str = "healthy";
    /// It failed as many checks in a row as its retries allow.
    pub const UNHEALTHY: &str = "unhealthy";
    /// No check counted yet (it started; or in its start period, or its startup check).
    pub const STARTING: &str = "starting";
}

/// A container's health (Podman's `HealthCheckResults`, `State.Health` in inspect).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HealthCheckResults {
    /// `starting`, `healthy` or `unhealthy` (see [`health_status`]).
    #[serde(rename = "Status")]
    pub status: String,
    /// Failed checks in a row (outside the start period).
    #[serde(rename = "FailingStreak")]
    pub failing_streak: u32,
    /// The last checks, oldest first (at most [`HealthCheckResults::MAX_LOG`]).
    #[serde(rename = "Log")]
    pub log: Vec<HealthCheckLog>,
}

impl HealthCheckResults {
    /// How many checks the log keeps, as Podman.
    pub const MAX_LOG: usize = 5;
    /// How much of a check's output the log keeps (bytes), as Podman.
    pub const MAX_OUTPUT: usize = 500;

    /// The health of a container that just started: `starting`, no checks.
    pub fn starting() -> Self {
        HealthCheckResults {
            status: health_status::STARTING.to_string(),
            ..HealthCheckResults::default()
        }
    }
}

/// One check's result (Podman's `HealthCheckLog`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HealthCheckLog {
    /// When it started (RFC 3339 with nanoseconds).
    #[serde(rename = "Start")]
    pub start: String,
    /// When it ended.
    #[serde(rename = "End")]
    pub end: String,
    /// 0 passed, 1 failed, -1 timed out (killed), 125 could not run, as Podman.
    #[serde(rename = "ExitCode")]
    pub exit_code: i32,
    /// Its output (stdout and stderr), cut at [`HealthCheckResults::MAX_OUTPUT`] bytes.
    #[serde(rename = "Output")]
    pub output: String,
}

impl HealthCheckLog {
    /// A result.
    pub fn new(start: String, end: String, exit_code: i32, output: String) -> Self {
        HealthCheckLog {
            start,
            end,
            exit_code,
            output,
        }
    }
}
