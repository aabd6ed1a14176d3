//! What [`with_pod`](crate::container::with_pod) sets on a new container: its pod, the pod's
//! shared namespaces joined through the infra container (the host's where the pod's `--pid`
//! or `--uts` is `host`; the pod's hostname with a shared private UTS namespace: in
//! `/etc/hostname` and `/etc/hosts` too), the pod's cgroup as its cgroup
//! parent, the pod's restart policy unless it has one; and the checks at create that a
//! member depends only on containers of its pod and, sharing the pod's network, asks for no
//! networking of its own.

use super::Pod;
use super::options::SHAREABLE;
use crate::container::options::{Draft, join_namespace};
use crate::error::{CoreError, Result};
use crate::record::ContainerConfig;
use crate::runtime::Runtime;
use libpod_spec::{NamespaceKind, NamespaceMode, NetworkMode, RestartPolicy};

/// Makes the draft a member of `pod` (see the module docs). A pod removed since the handle
/// was taken is `PodRemoved`.
pub(crate) fn join(pod: &Pod, d: &mut Draft<'_>) -> Result<()> {
    let state = match pod.lock() {
        Ok(locked) => locked.state.clone(),
        Err(CoreError::PodNotFound(_)) => return Err(CoreError::PodRemoved(pod.id().to_string())),
        Err(e) => return Err(e),
    };
    let config = &mut d.config;
    config.pod = Some(pod.id().to_string());
    let infra_config = &pod.config().infra;
    if let Some(infra) = &state.infra_container_id {
        for kind in SHAREABLE.into_iter().filter(|k| pod.shares(*k)) {
            // The pod in the host's PID or UTS namespace: so are its members, as Podman's
            // (an `ns:PATH` one they join through the infra container).
            match kind {
                NamespaceKind::Pid if infra_config.pid == NamespaceMode::Host => {
                    config.spec.pid = NamespaceMode::Host;
                }
                NamespaceKind::Uts if infra_config.uts == NamespaceMode::Host => {
                    config.spec.uts.mode = NamespaceMode::Host;
                }
                kind => join_namespace(config, kind, infra)?,
            }
        }
    }
    if pod.shares(NamespaceKind::Uts) && infra_config.uts == NamespaceMode::Private {
        match &config.spec.uts.hostname {
            Some(own) if own != pod.hostname() => {
                return Err(CoreError::InvalidOption {
                    option: "hostname",
                    reason: format!(
                        "cannot set hostname {own:?} when joining pod {}'s UTS namespace",
                        pod.name()
                    ),
                });
            }
            _ => config.spec.uts.hostname = Some(pod.hostname().to_string()),
        }
    }
    if let Some(path) = state.cgroup_path.filter(|_| pod.uses_pod_cgroup()) {
        config.spec.cgroup_parent = Some(path);
    }
    if let Some(policy) = pod.config().restart_policy
        && config.restart_policy == RestartPolicy::No
    {
        config.restart_policy = policy;
    }
    Ok(())
}

/// Refuses networking of its own on a member that joins its pod's network namespace (the
/// infra container's): ports are published and networks joined by the pod, at its create.
fn check_member_network(config: &ContainerConfig, pod: &str) -> Result<()> {
    let Some(infra) = config.namespace_from(NamespaceKind::Network) else {
        return Ok(());
    };
    let refused = |what| CoreError::NetworkOnPodMember {
        pod: pod.to_string(),
        what,
    };
    if !config.port_mappings.is_empty() {
        return Err(refused("published or exposed ports"));
    }
    let joined = matches!(&config.spec.network.mode, NetworkMode::Container(id) if id == infra);
    if !config.networks.is_empty() || !joined {
        return Err(refused("networks"));
    }
    Ok(())
}

/// Refuses a pod member that depends on (or joins a namespace of) a container outside its
/// pod, as Podman does: the pod's start and stop order only covers its own.
pub(crate) fn check_member(rt: &Runtime, config: &ContainerConfig) -> Result<()> {
    let Some(pod) = &config.pod else {
        return Ok(());
    };
    check_member_network(config, pod)?;
    for dep in config
        .dependencies
        .iter()
        .chain(config.namespaces_from.values())
    {
        let dep_config = rt.state().container_config(dep)?;
        if dep_config.pod.as_deref() != Some(pod) {
            return Err(CoreError::InvalidOption {
                option: "pod",
                reason: format!(
                    "container {dep} is not in pod {pod}: a pod's containers depend only on its own"
                ),
            });
        }
    }
    Ok(())
}
