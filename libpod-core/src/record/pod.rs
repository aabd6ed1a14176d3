//! A pod's records, after Podman's `PodConfig` and `podState` (libpod/pod.go): the config is
//! what the pod was created with; the state is the little that changes after. A pod's status
//! is not stored: as in Podman, it is derived from its containers'.

use super::NetworkAttachment;
use libpod_net::types::PortMapping;
use libpod_spec::{NamespaceMode, NetworkMode, RestartPolicy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What a pod does when its last container exits (Podman's `--exit-policy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PodExitPolicy {
    /// Keep the pod (and its infra container) running.
    #[default]
    Continue,
    /// Stop the pod once its last container other than the infra one exits.
    Stop,
}

/// A pod's configuration: nothing in it changes after the pod is created.
///
/// ```
/// use libpod_core::record::PodConfig;
/// let mut pod = PodConfig::new("ab".repeat(32), "web");
/// pod.shared_namespaces = ["ipc", "net", "uts"].map(String::from).into();
/// assert!(!pod.has_infra);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PodConfig {
    /// 64 hex digits, unique among containers and pods.
    pub id: String,
    /// Unique among containers and pods.
    pub name: String,
    /// When it was created, RFC 3339 with nanoseconds.
    pub created: String,
    /// Its members' hostname (`--hostname`).
    pub hostname: Option<String>,
    /// User labels.
    pub labels: BTreeMap<String, String>,
    /// The cgroup parent of its own cgroup.
    pub cgroup_parent: Option<String>,
    /// Whether it has a cgroup its containers go under (Podman's `UsePodCgroup`). Not the
    /// cgroup namespace: sharing that is `cgroup` in
    /// [`shared_namespaces`](Self::shared_namespaces) (the two were one flag once, Podman's
    /// bug #6149).
    pub uses_pod_cgroup: bool,
    /// The namespaces its containers share through the infra container, by their proc names
    /// (`ipc`, `net`, `uts`, `pid`, `user`, `cgroup`).
    pub shared_namespaces: BTreeSet<String>,
    /// Whether it has an infra container (the holder of the shared namespaces), made with it;
    /// its ID is in the state.
    pub has_infra: bool,
    /// Limits on its cgroup, shared by all its containers.
    pub resources: PodResources,
    /// What happens when its last container exits.
    pub exit_policy: PodExitPolicy,
    /// The restart policy its containers get unless they set their own.
    pub restart_policy: Option<RestartPolicy>,
    /// The command line that created it, for `generate` and auto-update.
    pub create_command: Vec<String>,
    /// The network mode of its infra container, which its members share when it shares
    /// `net` (`bridge` on the default network unless told otherwise; `none` without an
    /// infra container; pods of earlier versions read as `none`, which is what their infra
    /// containers have).
    pub network_mode: NetworkMode,
    /// The infra container's options on each network it was created on (bridge mode).
    pub networks: Vec<NetworkAttachment>,
    /// The ports published on the pod, set on its infra container (host ports as asked: a
    /// free one chosen for 0 is in the infra container's config).
    pub port_mappings: Vec<PortMapping>,
    /// The infra container's own settings: its resolv.conf and hosts (which the members
    /// share), its image, command, name and namespace modes.
    pub infra: PodInfraConfig,
}

/// What a pod's infra container is made with beyond the pod's network (Podman's
/// `InfraContainerSpec` as `podman pod create` fills it): DNS and hosts entries go to its
/// /etc/resolv.conf and /etc/hosts, which every member sharing the pod's network
/// bind-mounts; the PID and UTS modes are its own, and the members' when the pod shares
/// that namespace.
///
/// ```
/// use libpod_core::record::PodInfraConfig;
/// let infra = PodInfraConfig::default();
/// assert!(infra.image.is_none() && infra.dns_servers.is_empty());
/// assert_eq!(infra.pid.to_string(), "private");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PodInfraConfig {
    /// `--dns`: the nameservers of its resolv.conf.
    pub dns_servers: Vec<String>,
    /// `--dns-search`: the search domains of its resolv.conf.
    pub dns_search: Vec<String>,
    /// `--dns-option`: the options of its resolv.conf.
    pub dns_options: Vec<String>,
    /// `--add-host`: `NAME:IP` lines of its hosts file.
    pub add_hosts: Vec<String>,
    /// `--infra-image`: an image (name or ID in the store) to run instead of the host's
    /// catatonit in an empty root.
    pub image: Option<String>,
    /// `--infra-command`: its entrypoint (else `/catatonit -P`, or the image's).
    pub command: Option<Vec<String>>,
    /// `--infra-name`: its name (else `ID12-infra`).
    pub name: Option<String>,
    /// `--pid`: its PID namespace (`private`, `host` or `ns:PATH`).
    pub pid: NamespaceMode,
    /// `--uts`: its UTS namespace (`private`, `host` or `ns:PATH`); not private, the pod
    /// sets no hostname.
    pub uts: NamespaceMode,
}

impl PodConfig {
    /// A config with this ID and name and every other setting at its default.
    pub fn new(id: impl Into<String>, name: impl Into<String>) -> Self {
        PodConfig {
            id: id.into(),
            name: name.into(),
            ..PodConfig::default()
        }
    }
}

/// Limits on a pod's cgroup (`podman pod create --cpus --memory`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PodResources {
    /// CPUs (a CFS quota over the default 100 ms period).
    pub cpus: Option<f64>,
    /// Memory in bytes.
    pub memory: Option<u64>,
}

impl PodResources {
    /// The CFS period the CPU limit is a quota over, in microseconds (Podman's 100 ms).
    pub const CPU_PERIOD_US: u64 = 100_000;

    /// The CFS quota for [`cpus`](Self::cpus) over [`CPU_PERIOD_US`](Self::CPU_PERIOD_US),
    /// rounded as Podman rounds it.
    ///
    /// ```
    /// let mut r = libpod_core::record::PodResources::default();
    /// r.cpus = Some(1.5);
    /// assert_eq!(r.cpu_quota(), Some(150_000));
    /// ```
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive float to integer conversion saturates; no real --cpus overflows"
    )]
    pub fn cpu_quota(&self) -> Option<u64> {
        self.cpus.map(|cpus| (cpus * 100_000.0).round() as u64)
    }
}

/// What changes about a pod after it is created (Podman's `podState`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PodState {
    /// The path of its cgroup, once made (`/libpod_parent/pod-ID`: relative to each
    /// hierarchy's root).
    pub cgroup_path: Option<String>,
    /// Its infra container's ID, once made.
    pub infra_container_id: Option<String>,
    /// Its create has not finished: its row came first, its cgroup and infra container
    /// follow. Whoever takes its lock and finds this set (the creator was killed) removes it.
    pub creating: bool,
    /// Its removal has begun: its containers (the infra among them) may be gone already.
    /// Whoever takes its lock and finds this set (the remover was killed) finishes it.
    pub removing: bool,
}

impl PodState {
    /// A new pod's state: nothing made yet.
    pub fn new() -> Self {
        Self::default()
    }
}
