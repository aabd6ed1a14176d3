//! `exec_stop`: SIGTERM, SIGKILL after the timeout (Podman's `ExecStopContainer`), through
//! a pidfd checked against the recorded process.

use super::remove::session_process;
use super::start::{EXIT_CODE_TIMEOUT, own_session, session_state};
use super::{oci_exec, session_dir};
use crate::container::Container;
use crate::error::{CoreError, Result};
use crate::record::{ExecSession, ExecStatus};
use std::time::Duration;

/// How long a SIGKILLed process may take to be gone.
const KILL_TIMEOUT: Duration = Duration::from_secs(5);

impl Container {
    /// Stops running session `session`: SIGTERM, then SIGKILL after `timeout` seconds (the
    /// container's stop timeout when `None`; at once with 0); records its exit code.
    pub fn exec_stop(&self, session: &str, timeout: Option<u32>) -> Result<()> {
        let _locked = self.lock()?;
        let row = own_session(self, session)?;
        if row.status != ExecStatus::Running {
            return Err(session_state(&row, "stop (only running sessions stop)"));
        }
        let grace = Duration::from_secs(u64::from(timeout.unwrap_or(self.config().stop_timeout)));
        kill_session(&row, grace)?;
        let dir = session_dir(self.runtime(), self.id(), session);
        let code = oci_exec(self)?.exec_wait(&dir, self.id(), Some(EXIT_CODE_TIMEOUT))?;
        let mut row = row;
        row.status = ExecStatus::Stopped;
        row.exit_code = Some(code.unwrap_or(-1));
        row.pid = None;
        self.runtime().state().save_exec_session(&row)?;
        Ok(())
    }
}

/// Sends SIGTERM and waits up to `grace` (none with zero), then SIGKILL and waits.
pub(super) fn kill_session(row: &ExecSession, grace: Duration) -> Result<()> {
    let Some(process) = session_process(row) else {
        return Ok(());
    };
    let io = |e| CoreError::io("signal exec session", row.id.clone(), e);
    let Some(handle) = process.open().map_err(io)? else {
        return Ok(());
    };
    if !grace.is_zero() {
        handle.signal(nix::libc::SIGTERM).map_err(io)?;
        if handle.wait(Some(grace)).map_err(io)? {
            return Ok(());
        }
    }
    handle.signal(nix::libc::SIGKILL).map_err(io)?;
    if !handle.wait(Some(KILL_TIMEOUT)).map_err(io)? {
        return Err(CoreError::Timeout {
            id: row.container_id.clone(),
            what: "an exec session's process to die of SIGKILL",
        });
    }
    Ok(())
}
