//! What a container was created with: immutable after create, stored as JSON in the state
//! database.

use libpod_spec::{CreateConfig, NamespaceKind, RestartPolicy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Where a container's root filesystem comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RootfsSource {
    /// An image from the store: its ID and the name the user gave.
    Image {
        /// The image ID (config digest).
        id: String,
        /// The name as the user wrote it (`busybox`).
        name: String,
    },
    /// A directory on the host, used as is (`--rootfs`).
    Path(PathBuf),
}

/// Where a container's output goes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LogDriver {
    /// conmon writes Kubernetes-style lines to a file (Podman's default).
    #[default]
    K8sFile,
    /// Output is dropped.
    None,
    /// Output goes to the journal (through conmon).
    Journald,
    /// The container's stdio is the caller's.
    Passthrough,
}

/// A container's configuration. Everything the user asked for is here, validated; nothing in
/// it changes after the container is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ContainerConfig {
    /// 64 hex digits.
    pub id: String,
    /// Unique among containers and pods, `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
    pub name: String,
    /// When it was created (RFC 3339 with nanoseconds).
    pub created: String,
    /// Its root filesystem.
    pub rootfs: Option<RootfsSource>,
    /// What shapes its OCI spec: command, env, user, resources, security, mounts...
    pub spec: CreateConfig,
    /// The image's config at create time, which the spec draws on (entrypoint, cmd, env...).
    pub image_config: Option<libpod_spec::ImageConfig>,
    /// The restart policy.
    pub restart_policy: RestartPolicy,
    /// The stop signal (number).
    pub stop_signal: i32,
    /// Seconds between the stop signal and SIGKILL.
    pub stop_timeout: u32,
    /// The log driver.
    pub log_driver: LogDriver,
    /// The log file (k8s-file).
    pub log_path: Option<PathBuf>,
    /// The log tag.
    pub log_tag: Option<String>,
    /// Maximum log size in bytes before conmon truncates it.
    pub log_size_max: Option<u64>,
    /// Labels.
    pub labels: BTreeMap<String, String>,
    /// The pod it belongs to.
    pub pod: Option<String>,
    /// Containers that must be running before this one starts.
    pub dependencies: Vec<String>,
    /// Namespaces joined from other containers, by kind (`--ipc container:ID`, ...).
    pub namespaces_from: BTreeMap<String, String>,
    /// Keep stdin open.
    pub stdin: bool,
    /// Run systemd as init.
    pub systemd: bool,
    /// The command conmon runs when the container exits, with its arguments.
    pub exit_command: Vec<String>,
    /// Where conmon writes its PID, in addition to the run directory.
    pub conmon_pidfile: Option<PathBuf>,
    /// Remove the container when it exits.
    pub auto_remove: bool,
    /// Its root filesystem's changes need not survive a crash: mounted without syncs
    /// (Podman's `Volatile`, set for `--rm`).
    pub volatile: bool,
    /// The healthcheck, as the image or user gave it.
    pub healthcheck: Option<HealthCheck>,
}

impl Default for ContainerConfig {
    fn default() -> Self {
        ContainerConfig {
            id: String::new(),
            name: String::new(),
            created: String::new(),
            rootfs: None,
            spec: CreateConfig::default(),
            image_config: None,
            restart_policy: RestartPolicy::No,
            stop_signal: 15,
            stop_timeout: 10,
            log_driver: LogDriver::K8sFile,
            log_path: None,
            log_tag: None,
            log_size_max: None,
            labels: BTreeMap::new(),
            pod: None,
            dependencies: Vec::new(),
            namespaces_from: BTreeMap::new(),
            stdin: false,
            systemd: false,
            exit_command: Vec::new(),
            conmon_pidfile: None,
            auto_remove: false,
            volatile: false,
            healthcheck: None,
        }
    }
}

impl ContainerConfig {
    /// The container whose namespace of `kind` this one joins, if any.
    pub fn namespace_from(&self, kind: NamespaceKind) -> Option<&str> {
        self.namespaces_from.get(kind.name()).map(String::as_str)
    }
}

/// A healthcheck (`--health-cmd`, `--health-interval`, ...), as Docker's schema2 config holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct HealthCheck {
    /// `["CMD", ...]` or `["CMD-SHELL", "..."]`; `["NONE"]` disables the image's.
    pub test: Vec<String>,
    /// Seconds between checks.
    pub interval_seconds: u64,
    /// Seconds a check may take.
    pub timeout_seconds: u64,
    /// Seconds after start before failures count.
    pub start_period_seconds: u64,
    /// Failures before unhealthy.
    pub retries: u32,
}
