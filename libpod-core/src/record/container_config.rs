//! What a container was created with: immutable after create, stored as JSON in the state
//! database.
//!
//! Each fact has one home. The engine's own facts (name, image, labels, restart policy, stop
//! signal and timeout, logging, `--rm`, stdin) are typed fields here, parsed once at create;
//! `spec` holds only what the spec generator reads, and `mounts` the user's mounts parsed.
//! Rows written before that split (through e8ac681) kept copies of the engine's facts in `spec`
//! and the mounts as strings there: they are moved into this shape as they are read (see
//! [`ContainerConfig::upgrade`]).

use crate::error::{CoreError, Result};
use libpod_spec::parse::VolumeMount;
use libpod_spec::{CreateConfig, NamespaceKind, RestartPolicy};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
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

/// Where a container's output goes. Its names (`k8s-file`, `none`, `journald`, `passthrough`)
/// are Podman's, the same in containers.conf, `--log-driver`, the record and `inspect`.
///
/// ```
/// use libpod_core::container::LogDriver;
/// assert_eq!("journald".parse::<LogDriver>().unwrap(), LogDriver::Journald);
/// assert_eq!(LogDriver::K8sFile.to_string(), "k8s-file");
/// assert!("syslog".parse::<LogDriver>().is_err());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
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

impl LogDriver {
    /// Every driver, in the order errors list them.
    const ALL: [LogDriver; 4] = [
        LogDriver::K8sFile,
        LogDriver::Journald,
        LogDriver::None,
        LogDriver::Passthrough,
    ];

    /// Podman's name of the driver.
    pub fn name(self) -> &'static str {
        match self {
            LogDriver::K8sFile => "k8s-file",
            LogDriver::None => "none",
            LogDriver::Journald => "journald",
            LogDriver::Passthrough => "passthrough",
        }
    }
}

impl std::fmt::Display for LogDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for LogDriver {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        LogDriver::ALL
            .into_iter()
            .find(|driver| driver.name() == s)
            .ok_or_else(|| CoreError::InvalidOption {
                option: "log driver",
                reason: format!("{s:?}: use k8s-file, journald, none or passthrough"),
            })
    }
}

/// A container's configuration. Everything the user asked for is here, validated; nothing in
/// it changes after the container is created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// The derived (de)serializers are inherent functions, wrapped below: a row is upgraded as
// it is read.
#[serde(remote = "Self")]
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
    /// What shapes its OCI spec and only that: command, env, user, resources, security... The
    /// engine's facts kept in the typed fields here (`name`, `pod`, `image`, `labels`,
    /// `stop_signal`, `stop_timeout`, `restart_policy`, `rm`, `log_driver`, `log_opts`,
    /// `interactive`) are never set in it, nor the mount strings (`volumes`, `mounts`,
    /// `tmpfs`), which are in [`mounts`](Self::mounts), parsed.
    pub spec: CreateConfig,
    /// The user's mounts (`-v`, `--mount`, `--tmpfs`, in that order), parsed at create.
    pub mounts: Vec<VolumeMount>,
    /// The image's config at create time, which the spec draws on (entrypoint, cmd, env...).
    pub image_config: Option<libpod_spec::ImageConfig>,
    /// The restart policy.
    pub restart_policy: RestartPolicy,
    /// The stop signal (number): the user's, else the image's, else SIGTERM.
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
    /// The name of the OCI runtime it was created with (`runc`, `libcontainer`), which every
    /// operation on it uses; `None` in rows of earlier versions: the runtime's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oci_runtime: Option<String>,
    /// Where conmon writes its PID, in addition to the run directory.
    pub conmon_pidfile: Option<PathBuf>,
    /// Remove the container when it exits.
    pub auto_remove: bool,
    /// Its root filesystem's changes need not survive a crash: mounted without syncs
    /// (Podman's `Volatile`, set for `--rm`).
    pub volatile: bool,
    /// The healthcheck, as the image or user gave it.
    pub healthcheck: Option<HealthCheck>,
    /// What happens when it turns unhealthy.
    pub healthcheck_on_failure: super::HealthCheckOnFailureAction,
    /// The startup healthcheck, run before the regular one until it passed.
    pub startup_healthcheck: Option<super::StartupHealthCheck>,
    /// The command of the healthcheck timer process started with the container (the
    /// container's ID is appended): the embedder's binary in its timer mode, as conmon's exit
    /// command is. Empty: only an open runtime's scheduler runs the checks.
    pub healthcheck_timer: Vec<String>,
    /// The networks it was created on (bridge mode), with its options on each: the create's
    /// request, written as its first attachments (`container_networks` rows) in the same
    /// transaction as its row. Connect and disconnect change the rows, not this.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<crate::record::NetworkAttachment>,
    /// Its published ports (`-p`, and `-P`'s exposed ports), host ports chosen at create.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub port_mappings: Vec<libpod_net::types::PortMapping>,
    /// Its exposed ports with their protocols (Podman's `ExposedPorts`): `--expose` and the
    /// image's `EXPOSE`, checked and merged at create (bridge mode only). The options' are
    /// kept here as given until then.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub exposed_ports: BTreeMap<u16, Vec<String>>,
    /// `-P`: every exposed port was published on a free host port at create (in
    /// [`port_mappings`](Self::port_mappings)).
    pub publish_all: bool,
    /// It is its pod's infra container (Podman's `IsInfra`): made and removed with the pod.
    pub is_infra: bool,
    // auto-update
    /// The image name exactly as the user wrote it (Podman's `RawImageName`), when it is not
    /// the name in [`rootfs`](Self::rootfs) (a CLI that records the image's full name there):
    /// what auto-update checks, pulls and reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_image_name: Option<String>,
}

impl Default for ContainerConfig {
    fn default() -> Self {
        ContainerConfig {
            id: String::new(),
            name: String::new(),
            created: String::new(),
            rootfs: None,
            spec: CreateConfig::default(),
            mounts: Vec::new(),
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
            oci_runtime: None,
            conmon_pidfile: None,
            auto_remove: false,
            volatile: false,
            healthcheck: None,
            healthcheck_on_failure: super::HealthCheckOnFailureAction::None,
            startup_healthcheck: None,
            healthcheck_timer: Vec::new(),
            networks: Vec::new(),
            port_mappings: Vec::new(),
            exposed_ports: BTreeMap::new(),
            publish_all: false,
            is_infra: false,
            raw_image_name: None,
        }
    }
}

impl Serialize for ContainerConfig {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        ContainerConfig::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for ContainerConfig {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let mut config = ContainerConfig::deserialize(deserializer)?;
        config.upgrade();
        Ok(config)
    }
}

impl ContainerConfig {
    /// The container whose namespace of `kind` this one joins, if any.
    pub fn namespace_from(&self, kind: NamespaceKind) -> Option<&str> {
        self.namespaces_from.get(kind.name()).map(String::as_str)
    }

    /// The user's mounts, parsed. Mount strings left in `spec` (a row of an earlier version
    /// whose bind source could not be `statfs`'ed when it was read) are parsed now, after
    /// the parsed ones.
    pub fn user_mounts(&self) -> Result<Cow<'_, [VolumeMount]>> {
        if !has_mount_strings(&self.spec) {
            return Ok(Cow::Borrowed(&self.mounts));
        }
        let mut mounts = self.mounts.clone();
        mounts.extend(self.spec.parse_mounts()?);
        Ok(Cow::Owned(mounts))
    }

    /// Moves the mount strings of `spec` into [`mounts`](Self::mounts), parsed.
    pub(crate) fn parse_spec_mounts(&mut self) -> Result<()> {
        if has_mount_strings(&self.spec) {
            self.mounts.extend(self.spec.parse_mounts()?);
            self.spec.volumes.clear();
            self.spec.mounts.clear();
            self.spec.tmpfs.clear();
        }
        Ok(())
    }

    /// The first of the engine's facts set in `spec` rather than in its typed field, if any.
    pub(crate) fn engine_fact_in_spec(&self) -> Option<&'static str> {
        let spec = &self.spec;
        [
            ("name", spec.name.is_some()),
            ("pod", spec.pod.is_some()),
            ("image", spec.image.is_some()),
            ("labels", !spec.labels.is_empty()),
            ("stop_signal", spec.stop_signal.is_some()),
            ("stop_timeout", spec.stop_timeout.is_some()),
            ("restart_policy", spec.restart_policy.is_some()),
            ("rm", spec.rm),
            ("log_driver", spec.log_driver.is_some()),
            ("log_opts", !spec.log_opts.is_empty()),
            ("interactive", spec.interactive),
        ]
        .into_iter()
        .find_map(|(field, set)| set.then_some(field))
    }

    /// Brings a row written through e8ac681 into the current shape, with the meaning that
    /// version gave it. It kept the engine's facts twice, typed and in `spec`, and read the
    /// typed ones: those stay and the copies go. The exception is labels: that version set
    /// only `spec.labels` from a `CreateConfig` (its bug), so they are merged into `labels`.
    /// Mount strings are parsed into `mounts`; when that fails (a bind source that is gone)
    /// they are left for [`user_mounts`](Self::user_mounts), so that the row still loads and
    /// its init reports the error, as before. A current row has none of these: nothing to do.
    fn upgrade(&mut self) {
        let spec = &mut self.spec;
        for (key, value) in std::mem::take(&mut spec.labels) {
            self.labels.entry(key).or_insert(value);
        }
        spec.name = None;
        spec.pod = None;
        spec.image = None;
        spec.stop_signal = None;
        spec.stop_timeout = None;
        spec.restart_policy = None;
        spec.rm = false;
        spec.log_driver = None;
        spec.log_opts.clear();
        spec.interactive = false;
        if let Err(err) = self.parse_spec_mounts() {
            tracing::warn!(id = %self.id, %err, "the mounts of a row of an earlier version are parsed at init");
        }
    }
}

fn has_mount_strings(spec: &CreateConfig) -> bool {
    !(spec.volumes.is_empty() && spec.mounts.is_empty() && spec.tmpfs.is_empty())
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
    /// Seconds a check may take (0: Podman's 30).
    pub timeout_seconds: u64,
    /// Seconds after start before failures count.
    pub start_period_seconds: u64,
    /// Failures before unhealthy.
    pub retries: u32,
}

impl HealthCheck {
    /// The command to run, from `test` (`CMD` runs the rest as is, `CMD-SHELL` through
    /// `/bin/sh -c`, anything else as given); `None` for `NONE` or an empty test.
    ///
    /// ```
    /// use libpod_core::container::HealthCheck;
    /// let mut check = HealthCheck::default();
    /// check.test = vec!["CMD-SHELL".into(), "curl -f localhost".into()];
    /// assert_eq!(check.command().unwrap(), ["/bin/sh", "-c", "curl -f localhost"]);
    /// check.test = vec!["NONE".into()];
    /// assert!(check.command().is_none());
    /// ```
    pub fn command(&self) -> Option<Vec<String>> {
        let command = match self.test.first().map(String::as_str) {
            None | Some("" | "NONE") => return None,
            Some("CMD") => self.test[1..].to_vec(),
            Some("CMD-SHELL") => vec!["/bin/sh".into(), "-c".into(), self.test[1..].join(" ")],
            Some(_) => self.test.clone(),
        };
        command.first().filter(|c| !c.is_empty())?;
        Some(command)
    }

    /// Docker's schema2 `Healthcheck` from an image config (durations in nanoseconds), with
    /// Podman's defaults for a zero interval or timeout (30 s); `None` when it has no test.
    pub fn from_image_config(value: &serde_json::Value) -> Option<HealthCheck> {
        let test: Vec<String> = serde_json::from_value(value.get("Test")?.clone()).ok()?;
        if test.is_empty() {
            return None;
        }
        let seconds = |key: &str| {
            value
                .get(key)
                .and_then(serde_json::Value::as_u64)
                .map_or(0, |ns| ns / 1_000_000_000)
        };
        let or_default = |s: u64| if s == 0 { 30 } else { s };
        Some(HealthCheck {
            test,
            interval_seconds: or_default(seconds("Interval")),
            timeout_seconds: or_default(seconds("Timeout")),
            start_period_seconds: seconds("StartPeriod"),
            retries: value
                .get("Retries")
                .and_then(serde_json::Value::as_u64)
                .and_then(|r| u32::try_from(r).ok())
                .unwrap_or(0),
        })
    }
}

#[cfg(test)]
#[path = "container_config_tests.rs"]
mod tests;
