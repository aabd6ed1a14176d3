//! The end of a session: `exec_wait` (its exit code; the session goes), `exec_remove`, and
//! the recording of an exit.

use super::start::{own_session, remove_session, session_state};
use super::{oci_exec, session_dir};
use crate::container::Container;
use crate::error::{CoreError, Result};
use crate::oci::ProcessRef;
use crate::record::{ExecSession, ExecStatus};
use std::time::Duration;

impl Container {
    /// Waits up to `timeout` (forever with `None`) for session `session` to end, then
    /// removes it and returns its exit code; `None` when it still runs.
    pub fn exec_wait(&self, session: &str, timeout: Option<Duration>) -> Result<Option<i32>> {
        let row = {
            let _locked = self.lock()?;
            own_session(self, session)?
        };
        let code = match (row.status, row.exit_code) {
            (ExecStatus::Stopped, Some(code)) => Some(code),
            (ExecStatus::Running, _) => {
                let dir = session_dir(self.runtime(), self.id(), session);
                let oci = oci_exec(self)?;
                let code = match oci.exec_wait(&dir, self.id(), timeout)? {
                    Some(code) => code,
                    // No exit code and no monitor: it was killed before it could write one.
                    None if !monitor_alive(&row) => -1,
                    None => return Ok(None),
                };
                super::exec_event(self, session, Some(code));
                Some(code)
            }
            _ => return Err(session_state(&row, "wait (it never started)")),
        };
        self.forget_session(session)?;
        Ok(code)
    }

    /// Removes session `session` (Podman's `ExecRemove`): a running one only with `force`,
    /// which kills it first.
    pub fn exec_remove(&self, session: &str, force: bool) -> Result<()> {
        let _locked = self.lock()?;
        let row = own_session(self, session)?;
        if row.status == ExecStatus::Running && process_alive(&row) {
            if !force {
                return Err(session_state(&row, "remove (it is still running)"));
            }
            super::stop::kill_session(&row, Duration::ZERO)?;
        }
        remove_session(self.runtime(), self.id(), session);
        Ok(())
    }

    /// Removes session `session`'s row and directory, if the container is still there.
    pub(super) fn forget_session(&self, session: &str) -> Result<()> {
        let _locked = match self.lock() {
            Ok(locked) => locked,
            // Removed meanwhile: its sessions went with it.
            Err(CoreError::ContainerNotFound(_)) => return Ok(()),
            Err(err) => return Err(err),
        };
        remove_session(self.runtime(), self.id(), session);
        Ok(())
    }

    /// Records session `session` as `Stopped` with `code` (gone already: nothing to do) and
    /// removes its directory.
    pub(super) fn record_exit(&self, session: &str, code: i32) -> Result<()> {
        let _locked = match self.lock() {
            Ok(locked) => locked,
            Err(CoreError::ContainerNotFound(_)) => return Ok(()),
            Err(err) => return Err(err),
        };
        let mut row = match own_session(self, session) {
            Ok(row) => row,
            Err(CoreError::ExecSessionNotFound(_)) => return Ok(()),
            Err(err) => return Err(err),
        };
        row.status = ExecStatus::Stopped;
        row.exit_code = Some(code);
        row.pid = None;
        self.runtime().state().save_exec_session(&row)?;
        let dir = session_dir(self.runtime(), self.id(), session);
        let _ = std::fs::remove_dir_all(dir);
        Ok(())
    }

    /// This container's exec sessions.
    pub fn exec_sessions(&self) -> Result<Vec<ExecSession>> {
        let state = self.runtime().state();
        let mut out = Vec::new();
        for id in state.exec_sessions(self.id())? {
            match state.exec_session(&id) {
                Ok(row) => out.push(row),
                Err(CoreError::ExecSessionNotFound(_)) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(out)
    }
}

/// The recorded process of a session, if any.
pub(super) fn session_process(row: &ExecSession) -> Option<ProcessRef> {
    Some(ProcessRef {
        pid: row.pid?,
        identity: crate::oci::Identity::StartTime(row.pid_start_time?),
    })
}

/// Whether a session's process still runs.
pub(super) fn process_alive(row: &ExecSession) -> bool {
    session_process(row).is_some_and(|p| p.alive().unwrap_or(false))
}

/// Whether a session's monitor still runs.
pub(super) fn monitor_alive(row: &ExecSession) -> bool {
    row.monitor_pid.is_some_and(|pid| {
        ProcessRef::with_argument(pid, row.id.clone())
            .alive()
            .unwrap_or(false)
    })
}
