//! What the user asked for: the create configuration, as plain serde data.
//!
//! These types follow the fields of Podman's `CreateConfig` (pkg/spec/createconfig.go), the
//! structure that the CLI and API fill in before a container is created. They hold the user's
//! strings as given (`"64m"` is parsed later, with a typed error naming the field), so that a
//! configuration can be stored, diffed and replayed.

mod namespaces;
mod resources;

pub use namespaces::{NamespaceKind, NamespaceMode, NetworkMode};
pub use resources::CreateResourceConfig;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A container's create configuration: everything `podman create` accepts that shapes the spec.
///
/// Every field has a default, so a configuration is built by naming only what differs:
///
/// ```
/// use libpod_spec::CreateConfig;
///
/// let mut config = CreateConfig::default();
/// config.command = Some(vec!["sleep".into(), "60".into()]);
/// config.resources.memory = Some(64 << 20);
/// config.security.cap_drop = vec!["ALL".into()];
///
/// let json = serde_json::to_string(&config).unwrap();
/// let back: CreateConfig = serde_json::from_str(&json).unwrap();
/// assert_eq!(back.resources.memory, Some(64 << 20));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
#[non_exhaustive]
pub struct CreateConfig {
    /// The container's name (`--name`).
    pub name: Option<String>,
    /// The pod to join (`--pod`).
    pub pod: Option<String>,
    /// The image as the user named it (`busybox`).
    pub image: Option<String>,
    /// The command (`podman create IMAGE CMD...`); `None` takes the image's `Cmd`.
    pub command: Option<Vec<String>>,
    /// The entrypoint (`--entrypoint`); `None` takes the image's, `Some(vec![])` clears it.
    pub entrypoint: Option<Vec<String>>,
    /// Environment variables (`-e KEY=VALUE`), applied over the image's.
    pub env: BTreeMap<String, String>,
    /// The working directory (`-w`); `None` takes the image's, else `/`.
    pub workdir: Option<String>,
    /// Container labels (`--label`); kept in the container's config, not in the spec.
    pub labels: BTreeMap<String, String>,
    /// OCI annotations (`--annotation`).
    pub annotations: BTreeMap<String, String>,
    /// Allocate a terminal (`-t`).
    pub tty: bool,
    /// Keep stdin open (`-i`).
    pub interactive: bool,
    /// Run an init process as PID 1 (`--init`).
    pub init: bool,
    /// The init binary on the host (`--init-path`); `None` uses the generator's default.
    pub init_path: Option<PathBuf>,
    /// The stop signal (`--stop-signal`), a name (`SIGINT`, `INT`) or a number.
    pub stop_signal: Option<String>,
    /// Seconds to wait after the stop signal before SIGKILL (`--stop-timeout`).
    pub stop_timeout: Option<u32>,
    /// The restart policy (`--restart`): `no`, `always`, `on-failure[:N]`, `unless-stopped`.
    pub restart_policy: Option<String>,
    /// Remove the container when it exits (`--rm`).
    pub rm: bool,
    /// The log driver (`--log-driver`).
    pub log_driver: Option<String>,
    /// Log driver options (`--log-opt path=...`, `tag=...`, `max-size=...`).
    pub log_opts: Vec<String>,
    /// Host devices (`--device HOST[:CONTAINER[:PERMS]]`).
    pub devices: Vec<String>,
    /// Tmpfs mounts (`--tmpfs DEST[:OPTIONS]`).
    pub tmpfs: Vec<String>,
    /// Volumes (`-v SRC:DEST[:OPTIONS]`).
    pub volumes: Vec<String>,
    /// Mounts (`--mount type=...,...`).
    pub mounts: Vec<String>,
    /// What to do with the image's `Volumes` (`--image-volume`).
    pub image_volume_mode: ImageVolumeMode,
    /// The cgroup parent (`--cgroup-parent`).
    pub cgroup_parent: Option<String>,
    /// Resource limits.
    pub resources: CreateResourceConfig,
    /// Security settings.
    pub security: SecurityConfig,
    /// The user and groups of the container's process.
    pub user: UserConfig,
    /// Hostname and /etc/hosts settings.
    pub uts: UtsConfig,
    /// Network namespace and DNS settings.
    pub network: NetworkConfig,
    /// The PID namespace (`--pid`).
    pub pid: NamespaceMode,
    /// The IPC namespace (`--ipc`).
    pub ipc: NamespaceMode,
    /// The cgroup namespace (`--cgroupns`); `None` takes the engine's default: private on
    /// cgroup v2 hosts, the host's on cgroup v1, as Podman does.
    pub cgroupns: Option<NamespaceMode>,
    /// The user namespace (`--userns`); `None` runs in the host's. Joining another's
    /// (`container:ID`, `ns:PATH`) is supported; a private one with ID mappings is not yet.
    pub userns: Option<NamespaceMode>,
}

impl CreateConfig {
    /// The user's mounts parsed, in the order the spec lists them: `-v` ([`parse_volume`]),
    /// `--mount` ([`parse_mount`]), then `--tmpfs` ([`parse_tmpfs`]). A bind source is
    /// `statfs`'ed: its filesystem decides the default options. Two mounts at one destination
    /// are refused (field `volume`, as Podman's `/x: duplicate mount destination`).
    ///
    /// [`parse_volume`]: crate::parse::parse_volume
    /// [`parse_mount`]: crate::parse::parse_mount
    /// [`parse_tmpfs`]: crate::parse::parse_tmpfs
    ///
    /// ```
    /// use libpod_spec::{CreateConfig, parse::VolumeMount};
    /// let mut config = CreateConfig::default();
    /// config.volumes = vec!["data:/data".into()];
    /// config.tmpfs = vec!["/scratch".into()];
    /// let mounts = config.parse_mounts().unwrap();
    /// assert!(matches!(&mounts[0], VolumeMount::Named { name, .. } if name == "data"));
    /// assert!(matches!(&mounts[1], VolumeMount::Mount(m) if m.typ().as_deref() == Some("tmpfs")));
    /// // Two at one destination: Podman's words.
    /// config.mounts = vec!["type=tmpfs,dst=/data/".into()];
    /// let err = config.parse_mounts().unwrap_err();
    /// assert!(err.to_string().ends_with("/data: duplicate mount destination"), "{err}");
    /// ```
    pub fn parse_mounts(&self) -> crate::Result<Vec<crate::parse::VolumeMount>> {
        use crate::parse::{VolumeMount, parse_mount, parse_tmpfs, parse_volume};
        let volumes = self.volumes.iter().map(|v| parse_volume(v));
        let mounts = self.mounts.iter().map(|m| parse_mount(m));
        let tmpfs = self
            .tmpfs
            .iter()
            .map(|t| parse_tmpfs(t).map(VolumeMount::Mount));
        let volumes = volumes.collect::<crate::Result<Vec<_>>>()?;
        // Podman's words for two named volumes at one place among the `-v` flags.
        let mut named = std::collections::HashSet::new();
        for volume in &volumes {
            if let VolumeMount::Named { destination, .. } = volume {
                let cleaned = crate::parse::paths::clean_path(destination);
                if !named.insert(cleaned.clone()) {
                    return Err(crate::SpecError::InvalidValue {
                        field: "volume",
                        value: destination.clone(),
                        reason: format!(
                            "conflict in specified volumes - multiple volumes at {cleaned:?}: duplicate mount destination"
                        ),
                    });
                }
            }
        }
        let parsed: Vec<VolumeMount> = volumes
            .into_iter()
            .map(Ok)
            .chain(mounts)
            .chain(tmpfs)
            .collect::<crate::Result<_>>()?;
        let mut seen = std::collections::HashSet::new();
        for mount in &parsed {
            let destination = match mount {
                VolumeMount::Mount(m) => m.destination().to_string_lossy().into_owned(),
                VolumeMount::Named { destination, .. }
                | VolumeMount::Anonymous { destination, .. } => destination.clone(),
            };
            let cleaned = crate::parse::paths::clean_path(&destination);
            if !seen.insert(cleaned.clone()) {
                return Err(crate::SpecError::InvalidValue {
                    field: "volume",
                    value: destination,
                    reason: format!("{cleaned}: duplicate mount destination"),
                });
            }
        }
        Ok(parsed)
    }
}

/// Security settings (`--cap-add`, `--security-opt`, `--privileged`, ...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
#[non_exhaustive]
pub struct SecurityConfig {
    /// Capabilities to add (`--cap-add`), with or without `CAP_`, or `ALL`.
    pub cap_add: Vec<String>,
    /// Capabilities to drop (`--cap-drop`), with or without `CAP_`, or `ALL`.
    pub cap_drop: Vec<String>,
    /// `--privileged`: all capabilities, host devices, no masked paths, no seccomp.
    pub privileged: bool,
    /// `--security-opt no-new-privileges`.
    pub no_new_privileges: bool,
    /// `--security-opt seccomp=PATH|unconfined`; `None` uses the default profile.
    pub seccomp_profile: Option<String>,
    /// Other `--security-opt` values: `mask=PATHS`, `unmask=PATHS|ALL`,
    /// `label=disable`, `apparmor=unconfined` (the last two are accepted and ignored: this
    /// host has neither SELinux nor AppArmor enforcement in the spec).
    pub security_opts: Vec<String>,
    /// `--read-only`: the root filesystem is mounted read-only.
    pub read_only_rootfs: bool,
    /// `--read-only-tmpfs` (default true): with `--read-only`, mount tmpfs on /run, /tmp, /var/tmp.
    pub read_only_tmpfs: bool,
    /// `--sysctl NAME=VALUE`.
    pub sysctl: BTreeMap<String, String>,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            privileged: false,
            no_new_privileges: false,
            seccomp_profile: None,
            security_opts: Vec::new(),
            read_only_rootfs: false,
            read_only_tmpfs: true,
            sysctl: BTreeMap::new(),
        }
    }
}

/// The user of the container's process (`--user`, `--group-add`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
#[non_exhaustive]
pub struct UserConfig {
    /// `--user`: `name`, `uid`, `name:group`, `uid:gid`; `None` takes the image's, else root.
    pub user: Option<String>,
    /// `--group-add`: group names or numeric gids.
    pub group_add: Vec<String>,
}

/// Hostname and /etc/hosts settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
#[non_exhaustive]
pub struct UtsConfig {
    /// The UTS namespace (`--uts`).
    pub mode: NamespaceMode,
    /// `--hostname`; `None` uses the first 12 characters of the container ID.
    pub hostname: Option<String>,
    /// `--add-host NAME:IP` entries.
    pub add_hosts: Vec<String>,
    /// `--no-hosts`: leave the image's /etc/hosts alone.
    pub no_hosts: bool,
}

/// Network namespace and DNS settings.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
#[non_exhaustive]
pub struct NetworkConfig {
    /// The network mode (`--network`).
    pub mode: NetworkMode,
    /// `--dns` servers.
    pub dns_servers: Vec<String>,
    /// `--dns-search` domains (`.` means none).
    pub dns_search: Vec<String>,
    /// `--dns-option` options.
    pub dns_options: Vec<String>,
}

/// What happens to the `Volumes` an image declares (`--image-volume`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ImageVolumeMode {
    /// Bind-mount a fresh anonymous volume (its host path comes with the context).
    #[default]
    Bind,
    /// Mount a tmpfs.
    Tmpfs,
    /// Do nothing.
    Ignore,
}
