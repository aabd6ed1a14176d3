//! A container's refresh after a reboot (Podman's `refresh`): nothing runs and nothing is
//! mounted any more, so its state says so. Done under its lock, without a sync with the OCI
//! runtime (whose state the reboot emptied) and without decoding its config (a damaged
//! config is no reason to keep a `Running` that is not).

use super::write_state;
use crate::error::{CoreError, Result};
use crate::record::ContainerStatus;
use crate::runtime::Runtime;

impl Runtime {
    /// Refreshes container `id` after a reboot: running, paused, stopping or stopped ones are
    /// exited, created ones configured again; their PIDs, mount point and network namespace
    /// are forgotten, and so are its exec sessions. A state that does not decode is left as it is (logged): the container
    /// is listed as broken and removable.
    pub(crate) fn refresh_container(&self, id: &str) -> Result<()> {
        let guard = self.lock_container(id)?;
        // Before the state is decoded: a container listed as broken has no sessions either.
        crate::exec::forget_sessions_after_reboot(self, id)?;
        let mut state = match self.state().container_state(id) {
            Ok(state) => state,
            Err(err @ CoreError::Corrupt { .. }) => {
                tracing::warn!(container = %id, %err, "not refreshed after a reboot");
                return Ok(());
            }
            Err(err) => return Err(err),
        };
        let refreshed = match state.status {
            ContainerStatus::Running
            | ContainerStatus::Stopped
            | ContainerStatus::Paused
            | ContainerStatus::Stopping => ContainerStatus::Exited,
            ContainerStatus::Created => ContainerStatus::Configured,
            other => other,
        };
        if refreshed == state.status
            && state.pid.is_none()
            && state.mountpoint.is_none()
            && state.mounted_volumes.is_empty()
        {
            return Ok(());
        }
        tracing::info!(container = %id, from = %state.status, to = %refreshed, "refreshing after a reboot");
        state.status = refreshed;
        state.pid = None;
        state.conmon_pid = None;
        state.mountpoint = None;
        // The reboot unmounted them; each volume's count is trusted only while it is mounted.
        state.mounted_volumes.clear();
        state.netns_path = None;
        state.boot_id = Some(self.boot_id().to_string());
        write_state(self, &guard, &state, None)
    }
}
