//! `update`: a container's cgroup resources changed, and kept (Podman's `Update`, as Podman
//! 4.6 keeps them: in the container's config, so that inspect shows them and the next start
//! uses them).

use super::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use libpod_spec::CreateResourceConfig;
use libpod_spec::generate::update_resources;
use std::sync::Arc;

impl Container {
    /// Applies the resource limits set in `update` (see
    /// [`CreateResourceConfig::apply_update`] for how they combine with the current ones):
    /// checked first, then given to the OCI runtime (`runc update`) when the container has
    /// processes (Created, Running, Paused), then saved in its config. A limit the runtime
    /// refuses is not saved. This handle sees the new config; other handles keep the one they
    /// loaded until looked up again.
    ///
    /// ```no_run
    /// # fn f(mut ctr: libpod_core::container::Container) -> libpod_core::Result<()> {
    /// let mut update = libpod_spec::CreateResourceConfig::default();
    /// update.memory = Some(256 << 20);
    /// update.pids_limit = Some(100);
    /// ctr.update(&update)?;
    /// assert_eq!(ctr.config().spec.resources.memory, Some(256 << 20));
    /// # Ok(()) }
    /// ```
    pub fn update(&mut self, update: &CreateResourceConfig) -> Result<()> {
        let updated = {
            let locked = self.lock()?;
            if locked.state.status == ContainerStatus::Removing {
                return Err(CoreError::InvalidState {
                    id: self.id().to_string(),
                    status: locked.state.status,
                    operation: "update",
                });
            }
            // The stored config, not this handle's: another process may have updated it.
            let mut config = locked.runtime().state().container_config(self.id())?;
            config.spec.resources.apply_update(update);
            // A refusal names the flag and the value, as at create.
            let resources = update_resources(&config.spec.resources)?;
            if matches!(
                locked.state.status,
                ContainerStatus::Created | ContainerStatus::Running | ContainerStatus::Paused
            ) {
                locked.oci()?.update(self.id(), &resources)?;
            }
            locked.runtime().state().rewrite_container_config(&config)?;
            tracing::debug!(id = self.id(), "resources updated");
            config
        };
        self.config = Arc::new(updated);
        Ok(())
    }
}
