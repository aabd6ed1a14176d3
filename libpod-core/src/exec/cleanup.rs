//! `exec_cleanup`: what a detached session's exit command runs once its process ended
//! (Podman's `ExecCleanup`, `podman container cleanup --exec`).

use super::remove::monitor_alive;
use super::start::{own_session, session_state};
use super::{oci_exec, session_dir};
use crate::container::Container;
use crate::error::{CoreError, Result};
use crate::record::ExecStatus;
use std::time::Duration;

impl Container {
    /// Records the end of session `session`, whose process exited: its exit code (from the
    /// exit file its monitor wrote; -1 when the monitor died without one) and its `exec_died`
    /// event; its directory goes, its row stays `Stopped` until
    /// [`exec_wait`](Container::exec_wait) or [`exec_remove`](Container::exec_remove) takes
    /// it. A session recorded already (or removed) is left as it is; one that still runs is
    /// an error, as in Podman.
    ///
    /// A detached session ([`exec_start_detached`](Container::exec_start_detached)) of a
    /// runtime with an exit command gets that command with `--exec SESSION`, so that its end
    /// is recorded with no program of ours running.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let ctr = rt.container("web")?;
    /// ctr.exec_cleanup("0123abcd")?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn exec_cleanup(&self, session: &str) -> Result<()> {
        let row = {
            let _locked = self.lock()?;
            match own_session(self, session) {
                Ok(row) => row,
                Err(CoreError::ExecSessionNotFound(_)) => return Ok(()),
                Err(err) => return Err(err),
            }
        };
        match row.status {
            ExecStatus::Stopped => return Ok(()),
            ExecStatus::Running => {}
            _ => return Err(session_state(&row, "clean up (it never started)")),
        }
        let dir = session_dir(self.runtime(), self.id(), session);
        let code = match oci_exec(self)?.exec_wait(&dir, self.id(), Some(Duration::ZERO))? {
            Some(code) => code,
            None if !monitor_alive(&row) => -1,
            None => return Err(session_state(&row, "clean up (it is still running)")),
        };
        self.record_exit(session, code)?;
        super::exec_event(self, session, Some(code));
        Ok(())
    }
}
