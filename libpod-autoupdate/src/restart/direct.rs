//! The restarter that needs no systemd: each container recreated in process.

use super::Restarter;
use crate::check::Group;
use crate::error::{AutoUpdateError, Result};
use libpod_core::container::ContainerStatus;
use libpod_core::runtime::Runtime;

/// Recreates each container of the group on the image now behind its image name, keeping its
/// name and settings (a pod member stays in its pod, joining the namespaces of its infra
/// container, which keeps running), and starts it, whatever state the old one was left in
/// (see [`Runtime::recreate_container`](libpod_core::runtime::Runtime::recreate_container)).
#[derive(Clone, Copy, Debug, Default)]
pub struct DirectRestarter;

impl Restarter for DirectRestarter {
    fn restart(&self, rt: &Runtime, group: &Group) -> Result<()> {
        for task in &group.tasks {
            let restart_failed = |e: libpod_core::CoreError| AutoUpdateError::Restart {
                container: task.container_id.clone(),
                target: format!("container {:?}", task.container_name),
                reason: e.to_string(),
            };
            // By name: a rollback recreates the container an update already recreated.
            let ctr = rt.container(&task.container_name).map_err(restart_failed)?;
            let new = rt
                .recreate_container(&ctr, task.store_name())
                .map_err(restart_failed)?;
            // A rollback recreates a container the failed update left exited: it is to run.
            if !matches!(new.status()?, ContainerStatus::Running) {
                new.start().map_err(restart_failed)?;
            }
        }
        Ok(())
    }
}
