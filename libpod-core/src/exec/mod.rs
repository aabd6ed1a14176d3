//! Exec sessions: processes run in a running container, as Podman's `ExecCreate`,
//! `ExecStart`, `ExecStartAndAttach`, `ExecStop` and `ExecRemove`, and a sessionless exec
//! (Podman 5's `--no-session`).
//!
//! A session is a row in the state database (`ExecStore`) and a directory
//! `RUNROOT/containers/CTR/exec/SESSION` (conmon's bundle for it: process spec, attach
//! socket, pidfiles, exit directory). Every change to the row happens under the container's
//! lock; an attached exec lets the lock go while its process runs, as Podman does, and takes
//! it again to record the end.
//!
//! Sessions end without leaks:
//! - an attached exec removes its session when its process ended ([`Container::exec`]);
//! - a detached one stays until [`Container::exec_wait`] (or [`Container::exec_remove`]) sees
//!   it end; its exit command ([`Container::exec_cleanup`]) records the end meanwhile;
//! - when the container stops or is removed, its cleanup reaps every session: each process is
//!   killed and each monitor waited for (a few seconds, then killed), reached only through
//!   pidfds checked against the recorded process (start time; the monitor's command line
//!   holds the session ID), never a bare PID that may have been reused; then the rows and
//!   directories go;
//! - while a session is being made or attached, an intent file
//!   `RUNROOT/exec-intents/SESSION` (holding the container's ID) is flock'd by its owner; the
//!   next open that finds one whose owner is gone removes the session once its monitor is
//!   gone too.
//!
//! Files: `create.rs`, `start.rs` (attached and detached), `stop.rs`, `remove.rs` (and
//! `exec_wait`), `cleanup.rs` (a detached session's exit command), `resize.rs` (a running session's terminal size), `reap.rs` (the container's
//! cleanup and the open's repair), `sessionless.rs`, `spec.rs` (the process, from the
//! container's spec).

mod cleanup;
mod create;
mod reap;
mod remove;
mod resize;
mod sessionless;
mod spec;
mod start;
mod stop;

pub(crate) use reap::{forget_sessions_after_reboot, reap_sessions, repair_interrupted};

use crate::container::Container;
use crate::error::{CoreError, Result};
use crate::oci::{DetachKeys, TerminalSize};
use crate::record::ExecConfig;
use crate::runtime::Runtime;
use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;

/// Where an attached exec's standard streams go.
///
/// ```
/// use libpod_core::exec::ExecStreams;
/// let streams = ExecStreams::new(Vec::new(), Vec::new()).stdin(std::io::empty());
/// ```
#[non_exhaustive]
pub struct ExecStreams {
    /// Its stdin, if attached.
    pub stdin: Option<Box<dyn Read + Send>>,
    /// Where its stdout goes (with a terminal: all its output).
    pub stdout: Box<dyn Write + Send>,
    /// Where its stderr goes.
    pub stderr: Box<dyn Write + Send>,
    /// The size its terminal is set to once it started (with a terminal).
    pub terminal_size: Option<TerminalSize>,
}

impl ExecStreams {
    /// Output to `stdout` and `stderr`, no stdin.
    pub fn new(stdout: impl Write + Send + 'static, stderr: impl Write + Send + 'static) -> Self {
        ExecStreams {
            stdin: None,
            stdout: Box::new(stdout),
            stderr: Box::new(stderr),
            terminal_size: None,
        }
    }

    /// Attaches `stdin`.
    #[must_use]
    pub fn stdin(mut self, stdin: impl Read + Send + 'static) -> Self {
        self.stdin = Some(Box::new(stdin));
        self
    }

    /// Its terminal (if it has one) set to `size` once it started.
    #[must_use]
    pub fn terminal_size(mut self, size: TerminalSize) -> Self {
        self.terminal_size = Some(size);
        self
    }

    /// Output dropped, no stdin.
    pub fn discard() -> Self {
        ExecStreams::new(std::io::sink(), std::io::sink())
    }
}

impl std::fmt::Debug for ExecStreams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExecStreams")
            .field("stdin", &self.stdin.is_some())
            .field("terminal_size", &self.terminal_size)
            .finish_non_exhaustive()
    }
}

/// What an attached exec ended with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExecEnd {
    /// The process exited with this code (128+N for signal N).
    Exited(i32),
    /// The caller typed the detach keys: the process goes on, its session stays.
    Detached,
}

impl Container {
    /// Runs `config` in the container, attached to `streams`, and removes its session once
    /// it ended (Podman's `Exec`): the exit code, or `Detached`. The command not found is
    /// [`CoreError::ExecCommandNotFound`] (Podman's 127), not runnable
    /// [`CoreError::ExecCannotInvoke`] (126).
    pub fn exec(&self, config: ExecConfig, streams: ExecStreams) -> Result<ExecEnd> {
        // One intent from the row's making to its removal.
        let (session, intent) = self.create_session(config)?;
        self.start_attached(&session, streams, intent, true)
    }
}

/// A session's directory.
pub(crate) fn session_dir(rt: &Runtime, container: &str, session: &str) -> PathBuf {
    rt.container_run_dir(container).join("exec").join(session)
}

/// The exec side of the OCI runtime container `ctr` was created with (the runtime's own,
/// else, for the runtime of new containers, the one the builder was given), or the error
/// that it has none.
fn oci_exec(ctr: &Container) -> Result<std::sync::Arc<dyn crate::oci::OciExec>> {
    let oci = ctr.oci()?;
    let name = oci.name().to_string();
    let rt = ctr.runtime();
    let is_default = name == rt.oci_runtime_name();
    if let Some(exec) = oci.exec_side() {
        return Ok(exec);
    }
    is_default
        .then(|| rt.oci_exec().cloned())
        .flatten()
        .ok_or_else(|| CoreError::InvalidOption {
            option: "exec",
            reason: format!("the OCI runtime {name} has no exec"),
        })
}

/// The detach keys of `config` (Podman's default when unset; none when empty).
fn detach_keys(config: &ExecConfig) -> Result<DetachKeys> {
    match config.detach_keys.as_deref() {
        None => Ok(DetachKeys::default()),
        Some(keys) => DetachKeys::parse(keys),
    }
}

/// A session's intent file: held (flock'd) by the process making or attaching the session,
/// so that an open elsewhere leaves it alone; left behind by a process killed meanwhile.
#[derive(Debug)]
pub(crate) struct ExecIntent {
    path: PathBuf,
    _file: File,
}

pub(crate) const INTENT_DIR: &str = "exec-intents";

impl ExecIntent {
    /// Records and holds the intent of session `session` of container `container`.
    pub(crate) fn record(rt: &Runtime, container: &str, session: &str) -> Result<ExecIntent> {
        let dir = rt.run_root().join(INTENT_DIR);
        // Locked before it is in place: an open elsewhere never finds it free while we work.
        let file = crate::runtime::held::create_file(
            "record exec intent",
            &dir,
            session,
            container.as_bytes(),
            false,
        )?;
        Ok(ExecIntent {
            path: dir.join(session),
            _file: file,
        })
    }

    /// The session is whole (detached and recorded) or gone: no repair needed.
    pub(crate) fn clear(self) {
        if let Err(err) = std::fs::remove_file(&self.path) {
            tracing::warn!(path = %self.path.display(), %err, "exec intent left for the next open");
        }
    }
}

/// Records an exec session's event as Podman does: `exec` when its process starts,
/// `exec_died` with the exit code when it ends; the session's ID is the `execID` attribute.
fn exec_event(ctr: &Container, session: &str, exit_code: Option<i32>) {
    use crate::events::{Event, EventStatus};
    let event = match exit_code {
        None => Event::container(ctr.config(), EventStatus::Exec),
        Some(code) => Event::container(ctr.config(), EventStatus::ExecDied).with_exit_code(code),
    };
    ctr.runtime()
        .events()
        .emit(event.with_attribute("execID", session));
}
