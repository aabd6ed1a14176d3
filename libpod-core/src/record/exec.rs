//! An exec session's record, after Podman's `ExecSession` and `ExecConfig`
//! (libpod/container_exec.go): a process run in a running container.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where an exec session is in its life (Podman's `define.ContainerExecStatus`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ExecStatus {
    /// Not known (never persisted).
    #[default]
    Unknown,
    /// Made, not started.
    Created,
    /// Its process runs.
    Running,
    /// Its process exited.
    Stopped,
}

/// What an exec session runs, and how: nothing in it changes after the session is made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ExecConfig {
    /// The command and its arguments.
    pub command: Vec<String>,
    /// Environment added to the container's.
    pub env: BTreeMap<String, String>,
    /// Whether it gets a terminal.
    pub terminal: bool,
    /// Whether its standard input is attached.
    pub attach_stdin: bool,
    /// Whether its standard output is attached.
    pub attach_stdout: bool,
    /// Whether its standard error is attached.
    pub attach_stderr: bool,
    /// The key sequence that detaches (Podman's `--detach-keys`).
    pub detach_keys: Option<String>,
    /// Whether it runs with every capability.
    pub privileged: bool,
    /// Its user (`uid[:gid]` or names), else the container's.
    pub user: Option<String>,
    /// Its working directory, else the container's.
    pub workdir: Option<String>,
    /// How many file descriptors past the standard three it inherits.
    pub preserve_fds: u32,
    /// What conmon runs when it exits.
    pub exit_command: Vec<String>,
}

impl ExecConfig {
    /// Runs `command` with every other setting at its default.
    pub fn new(command: Vec<String>) -> Self {
        ExecConfig {
            command,
            ..ExecConfig::default()
        }
    }
}

/// One exec session of a container: its config, and where it stands.
///
/// ```
/// use libpod_core::record::{ExecConfig, ExecSession, ExecStatus};
/// let session = ExecSession::new("e".repeat(64), "c".repeat(64), ExecConfig::new(vec!["sh".into()]));
/// assert_eq!(session.status, ExecStatus::Created);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ExecSession {
    /// 64 hex digits.
    pub id: String,
    /// The container it runs in; the session goes with it.
    pub container_id: String,
    /// What it runs.
    pub config: ExecConfig,
    /// Where it stands.
    pub status: ExecStatus,
    /// Its process, once started.
    pub pid: Option<i32>,
    /// Its process's start time (clock ticks since boot), which tells it from a later
    /// process with the same PID.
    pub pid_start_time: Option<u64>,
    /// Its monitor (conmon), recorded before the process runs; the monitor's command line
    /// holds the session's ID, which tells it from a later process with the same PID.
    pub monitor_pid: Option<i32>,
    /// Its exit code, once it exited.
    pub exit_code: Option<i32>,
}

impl ExecSession {
    /// A session just made (`Created`) in container `container_id`.
    pub fn new(id: impl Into<String>, container_id: impl Into<String>, config: ExecConfig) -> Self {
        ExecSession {
            id: id.into(),
            container_id: container_id.into(),
            config,
            status: ExecStatus::Created,
            pid: None,
            pid_start_time: None,
            monitor_pid: None,
            exit_code: None,
        }
    }
}
