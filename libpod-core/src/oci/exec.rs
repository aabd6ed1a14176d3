//! Exec sessions in the OCI runtime: a trait of its own beside [`OciRuntime`](super::OciRuntime),
//! so that a runtime without exec needs no stub methods.
//!
//! An exec runs in two steps, as a container's create does: [`OciExec::exec_launch`] starts
//! the monitor and returns a [`PendingExec`] naming it, for the caller to record before any
//! process runs in the container; [`PendingExec::start`] then has the runtime exec the
//! process and returns its PID, with the attach connection when asked. The monitor writes
//! the exit code to `DIR/exit/CONTAINER_ID` (conmon's exit directory is the session's own),
//! and [`ExecStarted::wait`] reads it.

use super::attach_socket::{AttachSocket, TerminalSize};
use super::exitfile::ExitFiles;
use super::process::ProcessRef;
use crate::error::Result;
use oci_spec::runtime::Process;
use std::fmt::Debug;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What an exec needs.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ExecArgs<'a> {
    /// The container's ID.
    pub container_id: &'a str,
    /// The container's name (conmon's `-n`).
    pub container_name: &'a str,
    /// The session's ID (conmon's `-u`).
    pub session_id: &'a str,
    /// The session's directory (made by the caller, 0700): the process spec, the attach
    /// socket, the pidfiles and the exit directory go there.
    pub dir: &'a Path,
    /// The process to run.
    pub process: &'a Process,
    /// Give it a terminal.
    pub terminal: bool,
    /// Keep its stdin open (attached, or for a later attach).
    pub stdin: bool,
    /// Connect to its attach socket before it starts, so that no output is lost.
    pub attach: bool,
    /// The size its terminal is set to once it started (with `terminal`).
    pub initial_size: Option<TerminalSize>,
    /// Pass this process's fds 3 .. 3+N on to it.
    pub preserve_fds: u32,
    /// What the monitor runs once the process exited.
    pub exit_command: &'a [String],
}

impl<'a> ExecArgs<'a> {
    /// `process` in container `container_id`, detached, without terminal, stdin or exit
    /// command.
    pub fn new(
        container_id: &'a str,
        container_name: &'a str,
        session_id: &'a str,
        dir: &'a Path,
        process: &'a Process,
    ) -> Self {
        ExecArgs {
            container_id,
            container_name,
            session_id,
            dir,
            process,
            terminal: false,
            stdin: false,
            attach: false,
            initial_size: None,
            preserve_fds: 0,
            exit_command: &[],
        }
    }
}

/// The exit directory of an exec session whose directory is `dir`.
pub fn exec_exit_dir(dir: &Path) -> PathBuf {
    dir.join("exit")
}

/// An exec whose monitor runs, its process not yet started. Dropped without
/// [`start`](PendingExec::start), the monitor is killed and nothing runs.
pub trait PendingExec {
    /// The monitor (for the caller to record: it outlives the caller).
    fn monitor(&self) -> Option<&ProcessRef>;
    /// Runs the process; returns once it runs (or failed to start: 126/127 errors).
    fn start(self: Box<Self>) -> Result<ExecStarted>;
}

/// A started exec's process.
#[derive(Debug)]
#[non_exhaustive]
pub struct ExecStarted {
    /// Its PID on the host.
    pub pid: i32,
    /// It, identified by its start time (`None` if it exited before it was looked at).
    pub process: Option<ProcessRef>,
    /// The attach connection, when asked for.
    pub attach: Option<AttachSocket>,
    /// The monitor's sync pipe, on which it reports the exit code.
    sync: Option<OwnedFd>,
    exit_files: ExitFiles,
    container_id: String,
}

impl ExecStarted {
    /// A started process whose exit code the monitor writes to `exit_dir/CONTAINER_ID` (and
    /// reports on `sync`, if given).
    pub(crate) fn new(
        pid: i32,
        container_id: &str,
        exit_dir: PathBuf,
        sync: Option<OwnedFd>,
    ) -> ExecStarted {
        let process = ProcessRef::of_pid(pid).ok().flatten();
        ExecStarted {
            pid,
            process,
            attach: None,
            sync,
            exit_files: ExitFiles::new(exit_dir, PathBuf::new()),
            container_id: container_id.to_string(),
        }
    }

    /// A started process (PID `pid` on the host) whose monitor writes its exit code to
    /// `exit_dir/CONTAINER_ID`, as conmon does: for runtimes in other crates.
    ///
    /// ```no_run
    /// # use libpod_core::oci::{ExecStarted, exec_exit_dir};
    /// let dir = std::path::Path::new("/run/libpod-rs/containers/abc/exec/s1");
    /// let mut started = ExecStarted::with_exit_dir(42, "abc", exec_exit_dir(dir));
    /// let code = started.wait(None)?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn with_exit_dir(pid: i32, container_id: &str, exit_dir: PathBuf) -> ExecStarted {
        ExecStarted::new(pid, container_id, exit_dir, None)
    }

    /// Waits up to `timeout` (forever with `None`) for the exit code.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<Option<i32>> {
        if let Some(sync) = self.sync.take() {
            let limit = timeout.unwrap_or(Duration::from_secs(u64::from(u32::MAX)));
            if let Ok(super::sync::SyncRead::Message(message)) =
                super::sync::read_sync(&sync, limit)
                && let Ok(code) = i32::try_from(message.data)
            {
                return Ok(Some(code));
            }
        }
        let info = self.exit_files.wait(&self.container_id, timeout)?;
        Ok(info.map(|info| info.code))
    }
}

/// Exec sessions in an OCI runtime.
pub trait OciExec: Send + Sync + Debug {
    /// Starts the monitor of an exec (see the module docs).
    fn exec_launch<'r>(&'r self, args: &ExecArgs<'_>) -> Result<Box<dyn PendingExec + 'r>>;
    /// The exit code of the exec whose directory is `dir` in container `container_id`, once
    /// recorded.
    fn exec_exit_code(&self, dir: &Path, container_id: &str) -> Result<Option<i32>> {
        let files = ExitFiles::new(exec_exit_dir(dir), PathBuf::new());
        Ok(files.read(container_id)?.map(|info| info.code))
    }
    /// Waits up to `timeout` for that exit code.
    fn exec_wait(
        &self,
        dir: &Path,
        container_id: &str,
        timeout: Option<Duration>,
    ) -> Result<Option<i32>> {
        let files = ExitFiles::new(exec_exit_dir(dir), PathBuf::new());
        Ok(files.wait(container_id, timeout)?.map(|info| info.code))
    }
    /// Resizes the terminal of the running exec whose directory is `dir`.
    fn exec_resize(&self, dir: &Path, rows: u16, columns: u16) -> Result<()>;
}
