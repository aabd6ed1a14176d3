//! Other containers (dependencies, namespaces joined), the network mode and pods: the
//! options that will grow with pods and networks.

use super::{CtrCreateOption, invalid};
use crate::container::Container;
use libpod_spec::{NamespaceKind, NamespaceMode, NetworkMode};

/// Containers that must run before this one starts.
pub fn with_dependencies(containers: &[&Container]) -> CtrCreateOption {
    let ids: Vec<String> = containers.iter().map(|c| c.id().to_string()).collect();
    CtrCreateOption::new(move |d| {
        d.config.dependencies.extend(ids);
        Ok(())
    })
}

/// Join `pod`: its namespaces through its infra container (with its hostname), its cgroup,
/// its restart policy unless the container sets one. A pod removed meanwhile is
/// [`PodRemoved`](crate::CoreError::PodRemoved).
pub fn with_pod(pod: &crate::pod::Pod) -> CtrCreateOption {
    let pod = pod.clone();
    CtrCreateOption::new(move |d| crate::pod::join(&pod, d))
}

/// Join the pod with this name, ID or unique ID prefix (as [`with_pod`]; `--pod NAME`).
pub fn with_pod_named(pod: impl Into<String>) -> CtrCreateOption {
    let pod = pod.into();
    CtrCreateOption::new(move |d| {
        let pod = d.runtime.pod(&pod)?;
        crate::pod::join(&pod, d)
    })
}

/// The network mode (`bridge` on the default network or named ones, `none`, `host`,
/// `private`, `ns:PATH`); per-network options come with
/// [`with_networks`](super::with_networks). After [`with_pod`], the container's own network
/// instead of the pod's, as Podman's `--pod P --network MODE` (then it may publish ports).
pub fn with_network_mode(mode: NetworkMode) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.spec.network.mode = mode;
        d.config
            .namespaces_from
            .remove(NamespaceKind::Network.name());
        Ok(())
    })
}

fn ns_from(kind: NamespaceKind, other: &Container) -> CtrCreateOption {
    let id = other.id().to_string();
    CtrCreateOption::new(move |d| {
        if matches!(kind, NamespaceKind::User | NamespaceKind::Cgroup) {
            return Err(invalid(
                "namespace",
                format!("cannot join the {} namespace", kind.name()),
            ));
        }
        join_namespace(&mut d.config, kind, &id)
    })
}

/// Sets the config to join container `id`'s namespace of `kind` (the ones a pod shares).
pub(crate) fn join_namespace(
    config: &mut crate::record::ContainerConfig,
    kind: NamespaceKind,
    id: &str,
) -> crate::error::Result<()> {
    let mode = NamespaceMode::Container(id.to_string());
    match kind {
        NamespaceKind::Ipc => config.spec.ipc = mode,
        NamespaceKind::Pid => config.spec.pid = mode,
        NamespaceKind::Uts => config.spec.uts.mode = mode,
        NamespaceKind::User => config.spec.userns = Some(mode),
        NamespaceKind::Cgroup => config.spec.cgroupns = Some(mode),
        NamespaceKind::Network => {
            config.spec.network.mode = NetworkMode::Container(id.to_string());
        }
        _ => {
            return Err(invalid(
                "namespace",
                format!("cannot join the {} namespace", kind.name()),
            ));
        }
    }
    config
        .namespaces_from
        .insert(kind.name().to_string(), id.to_string());
    Ok(())
}

/// Join another container's IPC namespace (and its /dev/shm).
pub fn with_ipc_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(NamespaceKind::Ipc, other)
}

/// Join another container's network namespace.
pub fn with_net_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(NamespaceKind::Network, other)
}

/// Join another container's PID namespace.
pub fn with_pid_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(NamespaceKind::Pid, other)
}

/// Join another container's UTS namespace (and take its hostname).
pub fn with_uts_ns_from(other: &Container) -> CtrCreateOption {
    ns_from(NamespaceKind::Uts, other)
}
