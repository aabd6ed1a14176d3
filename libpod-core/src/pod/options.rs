//! `PodCreateOption`: values that each change and validate a pod's draft config, built by the
//! `with_pod_*` functions and applied in order (libpod's `PodCreateOption`).

use crate::error::{CoreError, Result};
use crate::record::NetworkAttachment;
use crate::record::{PodConfig, PodExitPolicy};
use libpod_net::types::PortMapping;
use libpod_spec::{NamespaceKind, NetworkMode, RestartPolicy};
use std::collections::BTreeSet;
use std::fmt;

/// The draft a pod option changes.
#[derive(Debug)]
#[non_exhaustive]
pub struct PodDraft {
    /// The config so far (its ID set; defaults: Podman's shared `ipc`, `net`, `uts`, a pod
    /// cgroup under `/libpod_parent`, exit policy `continue`).
    pub config: PodConfig,
    /// Whether to make an infra container: `None` makes one when a namespace is shared.
    pub infra: Option<bool>,
    /// Whether an option named the shared namespaces (then `infra(false)` cannot clear them).
    pub share_given: bool,
    /// Whether an option named the network (else the pod gets the runtime's default network
    /// mode, containers.conf's `netns`: `bridge` on the default network unless configured).
    pub network_given: bool,
}

type Apply = Box<dyn FnOnce(&mut PodDraft) -> Result<()> + Send>;

/// One pod create option; see the `with_pod_*` functions.
pub struct PodCreateOption(Apply);

impl PodCreateOption {
    /// An option from a closure that changes the draft.
    pub fn new(apply: impl FnOnce(&mut PodDraft) -> Result<()> + Send + 'static) -> Self {
        PodCreateOption(Box::new(apply))
    }

    pub(crate) fn apply(self, draft: &mut PodDraft) -> Result<()> {
        (self.0)(draft)
    }
}

impl fmt::Debug for PodCreateOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PodCreateOption")
    }
}

fn invalid(option: &'static str, reason: impl Into<String>) -> CoreError {
    CoreError::InvalidOption {
        option,
        reason: reason.into(),
    }
}

/// The pod's name (unique among pods and containers).
pub fn with_pod_name(name: impl Into<String>) -> PodCreateOption {
    let name = name.into();
    PodCreateOption::new(move |d| {
        libpod_spec::parse::check_name("pod name", &name)
            .map_err(|e| invalid("pod name", e.to_string()))?;
        d.config.name = name;
        Ok(())
    })
}

/// Its members' hostname (when they share a UTS namespace; else the pod's name).
pub fn with_pod_hostname(hostname: impl Into<String>) -> PodCreateOption {
    let hostname = hostname.into();
    PodCreateOption::new(move |d| {
        if hostname.is_empty() || hostname.len() > 64 {
            return Err(invalid(
                "pod hostname",
                format!("{hostname:?}: 1 to 64 characters"),
            ));
        }
        d.config.hostname = Some(hostname);
        Ok(())
    })
}

/// Labels, added to any given before.
pub fn with_pod_labels<K: Into<String>, V: Into<String>>(
    labels: impl IntoIterator<Item = (K, V)>,
) -> PodCreateOption {
    let labels: Vec<(String, String)> = labels
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    PodCreateOption::new(move |d| {
        d.config.labels.extend(labels);
        Ok(())
    })
}

/// The cgroup parent of the pod's cgroup (cgroupfs: a path such as `/mine`).
pub fn with_pod_cgroup_parent(parent: impl Into<String>) -> PodCreateOption {
    let parent = parent.into();
    PodCreateOption::new(move |d| {
        if !parent.starts_with('/') || parent.split('/').any(|c| c == "..") {
            return Err(invalid(
                "pod cgroup parent",
                format!("{parent:?}: an absolute cgroup path without `..`"),
            ));
        }
        d.config.cgroup_parent = Some(parent);
        Ok(())
    })
}

/// Whether the pod has a cgroup of its own that its containers go under (the default).
pub fn with_pod_cgroup(enabled: bool) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        d.config.uses_pod_cgroup = enabled;
        Ok(())
    })
}

/// The namespaces its containers share (`--share`): `ipc`, `net`, `pid`, `uts`, `user`,
/// `cgroup` (and `none`: no namespace). Replaces the default `ipc`, `net`, `uts`.
pub fn with_pod_share<S: Into<String>>(kinds: impl IntoIterator<Item = S>) -> PodCreateOption {
    let kinds: Vec<String> = kinds.into_iter().map(Into::into).collect();
    PodCreateOption::new(move |d| {
        let mut shared = BTreeSet::new();
        for kind in kinds.iter().filter(|k| k.as_str() != "none") {
            let known = SHAREABLE
                .iter()
                .find(|k| k.proc_name() == kind || k.name() == kind);
            let Some(known) = known else {
                return Err(invalid(
                    "pod share",
                    format!("{kind:?}: use ipc, net, pid, uts, user, cgroup or none"),
                ));
            };
            shared.insert(known.proc_name().to_string());
        }
        d.config.shared_namespaces = shared;
        d.share_given = true;
        Ok(())
    })
}

/// The namespaces a pod can share.
pub(crate) const SHAREABLE: [NamespaceKind; 6] = [
    NamespaceKind::Ipc,
    NamespaceKind::Network,
    NamespaceKind::Pid,
    NamespaceKind::Uts,
    NamespaceKind::User,
    NamespaceKind::Cgroup,
];

/// Whether to make an infra container (`--infra`): by default one is made when a namespace
/// is shared. Without one, no namespace can be shared: `false` clears the default set, and
/// is refused with one given by [`with_pod_share`].
pub fn with_pod_infra(infra: bool) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        d.infra = Some(infra);
        Ok(())
    })
}

/// What to do when the pod's last container exits (`--exit-policy`).
pub fn with_pod_exit_policy(policy: PodExitPolicy) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        d.config.exit_policy = policy;
        Ok(())
    })
}

/// The restart policy its containers get unless they set their own (`--restart`).
pub fn with_pod_restart_policy(policy: RestartPolicy) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        d.config.restart_policy = Some(policy);
        Ok(())
    })
}

/// A CPU limit on the pod's cgroup (`--cpus`).
pub fn with_pod_cpus(cpus: f64) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        if !(cpus.is_finite() && cpus > 0.0) {
            return Err(invalid("pod cpus", format!("{cpus}: must be positive")));
        }
        d.config.resources.cpus = Some(cpus);
        Ok(())
    })
}

/// A memory limit on the pod's cgroup in bytes (`--memory`; at least 6 MiB, as Podman).
pub fn with_pod_memory(bytes: u64) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        if bytes < 6 << 20 {
            return Err(invalid("pod memory", "minimum memory limit allowed is 6MB"));
        }
        d.config.resources.memory = Some(bytes);
        Ok(())
    })
}

/// The command line that made the pod (for `inspect`).
pub fn with_pod_create_command<S: Into<String>>(
    command: impl IntoIterator<Item = S>,
) -> PodCreateOption {
    let command: Vec<String> = command.into_iter().map(Into::into).collect();
    PodCreateOption::new(move |d| {
        d.config.create_command = command;
        Ok(())
    })
}

/// The network mode of the pod's infra container, which its members share when the pod
/// shares `net` (`--network none|host|private|bridge|ns:PATH`; `bridge` is the default
/// network). Per-network options come with [`with_pod_networks`]. Refused for a pod without
/// an infra container.
///
/// ```no_run
/// use libpod_core::pod::{with_pod_name, with_pod_network_mode};
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let pod = rt.new_pod([with_pod_name("isolated"), with_pod_network_mode("none".parse()?)])?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn with_pod_network_mode(mode: NetworkMode) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        if let NetworkMode::Container(id) = &mode {
            return Err(invalid(
                "pod network",
                format!("container:{id}: a pod's network cannot be another container's"),
            ));
        }
        d.config.network_mode = mode;
        d.config.networks.clear();
        d.network_given = true;
        Ok(())
    })
}

/// Bridge mode on these networks (by name or ID), with the infra container's options on
/// each (static addresses, MAC, aliases, interface name), as `podman pod create --network
/// NAME --ip ..`: the pod's members are reached at these addresses.
///
/// ```no_run
/// use libpod_core::pod::{with_pod_name, with_pod_networks};
/// use libpod_core::record::NetworkAttachment;
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let mut front = NetworkAttachment::new("front");
/// front.static_ips.push("10.80.0.10".parse().unwrap());
/// let pod = rt.new_pod([with_pod_name("web"), with_pod_networks(vec![front])])?;
/// # Ok::<(), libpod_core::CoreError>(())
/// ```
pub fn with_pod_networks(attachments: Vec<NetworkAttachment>) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        for (i, attachment) in attachments.iter().enumerate() {
            if attachments[..i]
                .iter()
                .any(|a| a.network == attachment.network)
            {
                return Err(invalid(
                    "pod network",
                    format!("network {:?} given twice", attachment.network),
                ));
            }
        }
        d.config.network_mode =
            NetworkMode::Bridge(attachments.iter().map(|a| a.network.clone()).collect());
        d.config.networks = attachments;
        d.network_given = true;
        Ok(())
    })
}

/// Ports published on the pod (`-p`, parsed by [`libpod_net::parse::parse_publish`]): set on
/// its infra container, so they reach whichever member listens; a host port of 0 gets a
/// free one when the pod is created. Bridge mode only, with an infra container.
///
/// ```no_run
/// use libpod_core::pod::{with_pod_name, with_pod_port_mappings};
/// # let rt = libpod_core::runtime::Runtime::builder().open()?;
/// let port = libpod_net::parse::parse_publish("127.0.0.1:8080:80")?;
/// let pod = rt.new_pod([with_pod_name("web"), with_pod_port_mappings(vec![port])])?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn with_pod_port_mappings(ports: Vec<PortMapping>) -> PodCreateOption {
    PodCreateOption::new(move |d| {
        d.config.port_mappings.extend(ports);
        Ok(())
    })
}
