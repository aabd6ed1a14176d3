//! The pod's exit policy (`--exit-policy stop`): once the last of its containers other than
//! the infra one has exited, the pod is stopped (its infra container with it), as Podman's
//! `stopPodIfNeeded`. Called by the container's cleanup (`monitor/cleanup.rs`: conmon's exit
//! command and the exit monitor) after the container's lock is let go: the pod's lock comes
//! first in the order.

use super::Pod;
use crate::container::ContainerStatus;
use crate::error::{CoreError, Result};
use crate::record::{ContainerConfig, PodExitPolicy};
use crate::runtime::Runtime;

/// After container `config` exited and was cleaned up: stops its pod if the policy says so
/// and no other member runs.
pub(crate) fn after_exit(rt: &Runtime, config: &ContainerConfig) -> Result<()> {
    let Some(pod_id) = config.pod.as_deref().filter(|_| !config.is_infra) else {
        return Ok(());
    };
    let pod = match Pod::load(rt, pod_id) {
        Ok(pod) => pod,
        Err(CoreError::PodNotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    if pod.config().exit_policy != PodExitPolicy::Stop {
        return Ok(());
    }
    let statuses = pod.container_statuses()?;
    let infra = pod.infra_container_id()?;
    let members_running = statuses.iter().any(|(id, status)| {
        Some(id) != infra.as_ref()
            && matches!(
                status,
                ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping
            )
    });
    if members_running {
        return Ok(());
    }
    tracing::debug!(pod = %pod.id(), "the pod's last container exited: stopping the pod (exit policy stop)");
    pod.stop(None)
}
