//! `exec_create`: a session recorded (`Created`) in a running container, not started.

use super::{ExecIntent, session_dir};
use crate::container::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::record::{ExecConfig, ExecSession};

impl Container {
    /// Makes an exec session for `config` in this running container (Podman's `ExecCreate`);
    /// returns its ID. Start it with [`exec_start`](Container::exec_start) or
    /// [`exec_start_detached`](Container::exec_start_detached).
    pub fn exec_create(&self, config: ExecConfig) -> Result<String> {
        let (id, intent) = self.create_session(config)?;
        intent.clear();
        Ok(id)
    }

    /// Makes a session and returns it with its intent still held.
    pub(super) fn create_session(&self, config: ExecConfig) -> Result<(String, ExecIntent)> {
        if config.command.is_empty() {
            return Err(CoreError::InvalidOption {
                option: "exec command",
                reason: "must provide a non-empty command to start an exec session".into(),
            });
        }
        let locked = self.lock()?;
        if locked.state.status != ContainerStatus::Running {
            return Err(CoreError::InvalidState {
                id: self.id().to_string(),
                status: locked.state.status,
                operation: "create exec sessions (can only create exec sessions on running containers)",
            });
        }
        let rt = self.runtime();
        let id = crate::container::create::new_id()?;
        let intent = ExecIntent::record(rt, self.id(), &id)?;
        let dir = session_dir(rt, self.id(), &id);
        crate::runtime::modes::create_private_dir(&dir)?;
        let session = ExecSession::new(id.clone(), self.id(), config);
        rt.state().add_exec_session(&session)?;
        drop(locked);
        tracing::debug!(container = self.id(), session = id, "exec session created");
        Ok((id, intent))
    }
}
