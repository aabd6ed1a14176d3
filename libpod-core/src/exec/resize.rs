//! `exec_resize`: the size of a running session's terminal (Podman's `ExecResize`).

use super::start::{own_session, session_state};
use super::{oci_exec, session_dir};
use crate::container::Container;
use crate::error::Result;
use crate::oci::TerminalSize;
use crate::record::ExecStatus;

impl Container {
    /// Sets the size of session `session`'s terminal (through its monitor's control FIFO);
    /// the session must be running.
    ///
    /// ```no_run
    /// # use libpod_core::container::Container;
    /// # use libpod_core::oci::TerminalSize;
    /// # fn f(ctr: &Container, session: &str) -> libpod_core::Result<()> {
    /// ctr.exec_resize(session, TerminalSize { rows: 40, cols: 120 })?;
    /// # Ok(()) }
    /// ```
    pub fn exec_resize(&self, session: &str, size: TerminalSize) -> Result<()> {
        let _locked = self.lock()?;
        let row = own_session(self, session)?;
        if row.status != ExecStatus::Running {
            return Err(session_state(&row, "resize (it is not running)"));
        }
        let dir = session_dir(self.runtime(), self.id(), session);
        oci_exec(self)?.exec_resize(&dir, size.rows, size.cols)
    }
}
