//! What `pod ps` and `pod inspect` show of a pod: its containers (the infra container's
//! included) with their names and Podman's state names, its status from theirs, its infra
//! container's networks.

use super::Result;
use chrono::{DateTime, Utc};
use libpod_core::CoreError;
use libpod_core::container::ContainerStatus;
use libpod_core::pod::{Pod, PodStatus};
use std::collections::BTreeMap;

/// One of a pod's containers.
pub struct PodMember {
    /// Its ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Podman's name of its state (`created`, `running`, `exited`...).
    pub state: &'static str,
}

/// A pod as the listings see it.
pub struct PodRow {
    pub id: String,
    pub name: String,
    pub status: PodStatus,
    /// RFC 3339, as recorded.
    pub created: String,
    /// Empty without an infra container.
    pub infra_id: String,
    /// The cgroup parent (Podman's `CgroupParent()`; `/libpod_parent` by default).
    pub cgroup_parent: String,
    pub labels: BTreeMap<String, String>,
    /// The infra container's networks, by name.
    pub networks: Vec<String>,
    /// By ID, as Podman's BoltDB state lists them.
    pub containers: Vec<PodMember>,
}

/// Podman's name of a container state (libpod's `ContainerStatus.String()`: its Configured
/// is Docker's `created`, its Created `initialized`).
pub fn podman_state(status: ContainerStatus) -> &'static str {
    match status {
        ContainerStatus::Configured => "created",
        ContainerStatus::Created => "initialized",
        other => other.as_str(),
    }
}

impl PodRow {
    /// The pod's row, its containers' states synced under its lock.
    pub fn of(pod: &Pod) -> Result<PodRow> {
        let rt = pod.runtime();
        let mut containers = Vec::new();
        let mut statuses = Vec::new();
        for (id, status) in pod.container_statuses()? {
            let name = match rt.container(&id) {
                Ok(ctr) => ctr.name().to_string(),
                Err(CoreError::ContainerNotFound(_)) => continue,
                Err(err) => return Err(err.into()),
            };
            statuses.push(status);
            containers.push(PodMember {
                id,
                name,
                state: podman_state(status),
            });
        }
        containers.sort_by(|a, b| a.id.cmp(&b.id));
        let infra_id = pod.infra_container_id()?.unwrap_or_default();
        let infra = (!infra_id.is_empty()).then(|| rt.container(&infra_id));
        let mut networks: Vec<String> = match infra {
            None => Vec::new(),
            Some(Ok(infra)) => infra
                .config()
                .networks
                .iter()
                .map(|a| a.network.clone())
                .collect(),
            Some(Err(CoreError::ContainerNotFound(_))) => Vec::new(),
            Some(Err(err)) => return Err(err.into()),
        };
        networks.sort();
        let config = pod.config();
        Ok(PodRow {
            id: pod.id().to_string(),
            name: pod.name().to_string(),
            status: PodStatus::of(&statuses),
            created: config.created.clone(),
            infra_id,
            cgroup_parent: config
                .cgroup_parent
                .clone()
                .unwrap_or_else(|| "/libpod_parent".into()),
            labels: config.labels.clone(),
            networks,
            containers,
        })
    }

    /// When it was created.
    pub fn created_time(&self) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(&self.created)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }
}
