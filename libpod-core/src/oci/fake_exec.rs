//! The fake runtime's exec sessions, for unit tests of the exec state logic: nothing runs; a
//! command `exit N` exits N at once, `missing` is not found (127), `denied` cannot be invoked
//! (126), anything else exits 0. The exit code is written where conmon writes it.

use super::exec::{ExecArgs, ExecStarted, OciExec, PendingExec, exec_exit_dir};
use super::fake::FakeRuntime;
use super::process::ProcessRef;
use crate::error::{CoreError, Result};
use std::path::{Path, PathBuf};

impl OciExec for FakeRuntime {
    fn exec_launch<'r>(&'r self, args: &ExecArgs<'_>) -> Result<Box<dyn PendingExec + 'r>> {
        Ok(Box::new(FakePendingExec {
            container_id: args.container_id.to_string(),
            dir: args.dir.to_path_buf(),
            command: args.process.args().clone().unwrap_or_default(),
        }))
    }

    fn exec_resize(&self, _dir: &Path, _rows: u16, _columns: u16) -> Result<()> {
        Ok(())
    }
}

struct FakePendingExec {
    container_id: String,
    dir: PathBuf,
    command: Vec<String>,
}

impl PendingExec for FakePendingExec {
    fn monitor(&self) -> Option<&ProcessRef> {
        None
    }

    fn start(self: Box<Self>) -> Result<ExecStarted> {
        let error = |message: &str| {
            super::conmon::exec::classify_exec_error(&self.container_id, "fake", message.into())
        };
        let code = match self.command.iter().map(String::as_str).collect::<Vec<_>>()[..] {
            ["missing", ..] => {
                return Err(error(
                    "exec: \"missing\": executable file not found in $PATH",
                ));
            }
            ["denied", ..] => return Err(error("exec: \"denied\": permission denied")),
            ["exit", code, ..] => code.parse().unwrap_or(1),
            _ => 0,
        };
        let exit_dir = exec_exit_dir(&self.dir);
        std::fs::create_dir_all(&exit_dir).map_err(|e| CoreError::io("create", &exit_dir, e))?;
        let file = exit_dir.join(&self.container_id);
        std::fs::write(&file, code.to_string()).map_err(|e| CoreError::io("write", &file, e))?;
        Ok(ExecStarted::new(0, &self.container_id, exit_dir, None))
    }
}
