//! Container states, as Podman names them, and the persisted state of a container.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Where a container is in its lifecycle (Podman's `define.ContainerStatus`).
///
/// ```text
/// create -> Configured -init-> Created -start-> Running -exit/stop-> Stopped -cleanup-> Exited
///              ^                   |               |  ^                                   |
///              +---- cleanup ------+      pause -> Paused -> unpause                      |
///                                                                   start/init (re-init) -+
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ContainerStatus {
    /// Not known (never persisted).
    #[default]
    Unknown,
    /// Created in the database and storage, not yet in the OCI runtime.
    Configured,
    /// Created in the OCI runtime (`runc create`), not started.
    Created,
    /// Its process runs.
    Running,
    /// Its process exited (or was stopped); the runtime still knows it.
    Stopped,
    /// Frozen.
    Paused,
    /// Cleaned up after it stopped: deleted from the runtime, storage unmounted.
    Exited,
    /// Being removed.
    Removing,
    /// Being stopped: the stop signal was sent.
    Stopping,
}

impl ContainerStatus {
    /// The lower-case name Podman shows (`running`, `exited`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerStatus::Unknown => "unknown",
            ContainerStatus::Configured => "configured",
            ContainerStatus::Created => "created",
            ContainerStatus::Running => "running",
            ContainerStatus::Stopped => "stopped",
            ContainerStatus::Paused => "paused",
            ContainerStatus::Exited => "exited",
            ContainerStatus::Removing => "removing",
            ContainerStatus::Stopping => "stopping",
        }
    }
}

impl fmt::Display for ContainerStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What changes about a container after it is created: persisted in the state database,
/// small, versioned with the database schema. Only ever changed under the container's lock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ContainerState {
    /// The lifecycle status.
    pub status: ContainerStatus,
    /// The container's PID 1 on the host, while it runs.
    pub pid: Option<i32>,
    /// conmon's PID, while the container exists in the OCI runtime.
    pub conmon_pid: Option<i32>,
    /// The exit code of the last run (-1 when the monitor died without recording one).
    pub exit_code: Option<i32>,
    /// Whether the last run was killed by the OOM killer.
    pub oom_killed: bool,
    /// When the last run started (RFC 3339).
    pub started_at: Option<String>,
    /// When the last run ended (RFC 3339).
    pub finished_at: Option<String>,
    /// Restarts done by the restart policy since the last start by the user.
    pub restart_count: u32,
    /// Whether the user stopped it (decides `unless-stopped`).
    pub stopped_by_user: bool,
    /// Whether its last exit called for a restart by its policy that has not been made yet
    /// (Podman's `RestartPolicyMatch`): the sync that sees the exit only records it and cleans
    /// up; the cleanup entry point (conmon's exit command, the exit monitor) makes the
    /// restart and clears the mark with the start's outcome (see `monitor/`).
    pub restart_pending: bool,
    /// Where its root filesystem is mounted, while it is.
    pub mountpoint: Option<PathBuf>,
    /// The bundle's config.json, once generated (`OCIConfigPath`).
    pub config_path: Option<PathBuf>,
    /// Its run directory (bundle, pidfiles, generated files).
    pub run_dir: Option<PathBuf>,
    /// Files bind-mounted into it, by destination (hosts, hostname, resolv.conf, ...).
    pub bind_mounts: BTreeMap<String, PathBuf>,
    /// The network namespace path, when it has one of its own made by the runtime.
    pub netns_path: Option<PathBuf>,
    /// A marker of the boot the state belongs to; a different boot means a reboot happened.
    pub boot_id: Option<String>,
    /// Whether the OCI runtime's delete may run while the root filesystem is being unmounted:
    /// set at init when the runtime is runc or crun and the spec has no poststop hooks (which
    /// run at delete and may look at the root filesystem). False, the safe answer, in states
    /// saved before the field existed.
    pub delete_without_rootfs: bool,
    /// The named volumes its init mounted (a tmpfs or `device=` volume: each holds one of
    /// the volume's mount counts until its cleanup releases it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounted_volumes: Vec<String>,
    /// What the network backend set up, per network (its interfaces, addresses, DNS
    /// servers): while the container has its network namespace.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub network_status: BTreeMap<String, libpod_net::types::StatusBlock>,
    /// Whether its processes were checkpointed and ended, and not restored since (Podman's
    /// `Checkpointed`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub checkpointed: bool,
    /// When the last checkpoint was written (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpointed_at: Option<String>,
    /// Whether its processes run restored from a checkpoint (Podman's `Restored`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub restored: bool,
    /// When they were restored (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restored_at: Option<String>,
}
