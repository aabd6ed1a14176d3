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

/// The pod to join; pods come with a later issue, so naming one is an error for now.
pub fn with_pod(pod: impl Into<String>) -> CtrCreateOption {
    let pod = pod.into();
    CtrCreateOption::new(move |_| {
        Err(invalid(
            "pod",
            format!("pod {pod:?} not found: pods are not supported yet"),
        ))
    })
}

/// The network mode (`bridge` on the default network or named ones, `none`, `host`,
/// `private`, `ns:PATH`); per-network options come with
/// [`with_networks`](super::with_networks).
pub fn with_network_mode(mode: NetworkMode) -> CtrCreateOption {
    CtrCreateOption::new(move |d| {
        d.config.spec.network.mode = mode;
        Ok(())
    })
}

fn ns_from(kind: NamespaceKind, other: &Container) -> CtrCreateOption {
    let id = other.id().to_string();
    CtrCreateOption::new(move |d| {
        let mode = NamespaceMode::Container(id.clone());
        match kind {
            NamespaceKind::Ipc => d.config.spec.ipc = mode,
            NamespaceKind::Pid => d.config.spec.pid = mode,
            NamespaceKind::Uts => d.config.spec.uts.mode = mode,
            NamespaceKind::Network => {
                d.config.spec.network.mode = NetworkMode::Container(id.clone())
            }
            _ => {
                return Err(invalid(
                    "namespace",
                    format!("cannot join the {} namespace", kind.name()),
                ));
            }
        }
        d.config.namespaces_from.insert(kind.name().to_string(), id);
        Ok(())
    })
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
