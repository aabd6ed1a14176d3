//! Exec sessions ([`OciExec`]): a monitor per session, as conmon's `-e` (see
//! `monitor/exec.rs` for its side and `protocol.rs` for what is said).
//!
//! [`exec_launch`](OciExec::exec_launch) writes the process spec in the session's
//! directory, spawns the monitor with the session's ID on its command line (libpod-core
//! recognises a session's monitor by it) and returns once the monitor is detached with its
//! attach socket bound; [`start`](PendingExec::start) connects to the socket when attached,
//! lets the monitor run the process and returns its PID, or the error (a command not found
//! is Podman's 127, one that cannot be invoked 126, from libcontainer's message in runc's
//! words). The exit code is written where conmon writes it, `DIR/exit/CONTAINER_ID`.

use crate::LibcontainerRuntime;
use crate::errors::{self, check_id};
use crate::launch::{MONITOR_LOG, absolute, in_runc_words, read_line};
use crate::monitor::exec::PROCESS_SPEC;
use crate::protocol::{EXEC_GO, ExecReport, ExecRequest, Request};
use libpod_core::oci::attach_socket::{self, AttachSocket, TerminalSize};
use libpod_core::oci::{
    ExecArgs, ExecStarted, OciExec, PendingExec, ProcessRef, classify_exec_error, exec_exit_dir,
};
use libpod_core::{CoreError, Result};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Stdio};
use std::time::Duration;

/// How long the monitor may take to bind its socket, or the process to start (conmon's).
const EXEC_TIMEOUT: Duration = Duration::from_secs(240);
/// What the runtime appends to the [`MonitorCommand`](crate::MonitorCommand)'s arguments,
/// followed by the session's ID, for an exec session's monitor: libpod-core recognises a
/// session's monitor by the ID on its command line. The program must accept both (and may
/// ignore them: the request on stdin says the rest).
///
/// ```
/// // podctl's monitor verb: `podctl libcontainer-monitor [--exec-session ID]`.
/// assert_eq!(libpod_libcontainer::EXEC_SESSION_FLAG, "--exec-session");
/// ```
pub const EXEC_SESSION_FLAG: &str = "--exec-session";

impl OciExec for LibcontainerRuntime {
    fn exec_launch<'r>(&'r self, args: &ExecArgs<'_>) -> Result<Box<dyn PendingExec + 'r>> {
        Ok(Box::new(self.launch_exec(args)?))
    }

    fn exec_resize(&self, dir: &Path, rows: u16, columns: u16) -> Result<()> {
        // The monitor reads conmon's control FIFO in the session's directory.
        attach_socket::resize(
            &attach_socket::ctl_path(dir),
            TerminalSize {
                rows,
                cols: columns,
            },
        )
    }
}

impl LibcontainerRuntime {
    fn launch_exec(&self, args: &ExecArgs<'_>) -> Result<LibcontainerExecPending> {
        let id = args.container_id;
        check_id(id)?;
        if !self.knows(id) {
            return Err(errors::oci(id, "exec", errors::NOT_EXIST));
        }
        let dir = absolute(args.dir)?;
        let spec = dir.join(PROCESS_SPEC);
        let json = serde_json::to_vec(args.process)
            .map_err(|err| errors::oci(id, "exec", format!("encoding the process: {err}")))?;
        libpod_fs::private_file()
            .write(true)
            .create_new(true)
            .open(&spec)
            .and_then(|mut file| file.write_all(&json))
            .map_err(|err| errors::io("writing", &spec, err))?;
        libpod_fs::create_private_dir(&exec_exit_dir(&dir), libpod_fs::ExistingDir::Keep)?;
        let log_path = dir.join(MONITOR_LOG);
        let monitor_log = libpod_fs::private_file()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&log_path)
            .map_err(|err| errors::io("creating", &log_path, err))?;
        let request = Request::Exec(ExecRequest {
            container_id: id.to_string(),
            dir: dir.clone(),
            state_root: self.config.state_root.clone(),
            stdin: args.stdin,
            terminal: args.terminal,
            preserve_fds: args.preserve_fds,
            exit_command: args.exit_command.to_vec(),
        });
        let mut line = serde_json::to_vec(&request)
            .map_err(|err| errors::oci(id, "exec", format!("encoding the request: {err}")))?;
        line.push(b'\n');
        let mut command = self.config.monitor.command();
        command
            .args([EXEC_SESSION_FLAG, args.session_id])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(monitor_log)
            .env_remove("NOTIFY_SOCKET")
            .process_group(0);
        let program = self.config.monitor.program();
        tracing::debug!(id, session = args.session_id, "launching an exec's monitor");
        let mut child = command
            .spawn()
            .map_err(|err| errors::io("running", program, err))?;
        let mut stdin = child.stdin.take().expect("spawned with a piped stdin");
        let stdout = child.stdout.take().expect("spawned with a piped stdout");
        if let Err(err) = stdin.write_all(&line) {
            tracing::debug!(id, %err, "writing an exec monitor's request");
        }
        let mut pending = LibcontainerExecPending {
            container_id: id.to_string(),
            dir,
            attach: args.attach,
            initial_size: args.initial_size.filter(|_| args.terminal),
            stdin: Some(stdin),
            stdout,
            received: Vec::new(),
            monitor: None,
        };
        let ready = pending.next_report();
        // The first process exits once the monitor is detached (or failed).
        if let Err(err) = child.wait() {
            tracing::debug!(id, %err, "reaping an exec monitor's first process");
        }
        match ready? {
            ExecReport::Ready { monitor_pid } => {
                pending.monitor = Some(ProcessRef::with_argument(monitor_pid, args.session_id));
                Ok(pending)
            }
            ExecReport::Failed { message } => Err(errors::oci(id, "exec", message)),
            ExecReport::Started { .. } => Err(errors::oci(id, "exec", "started unasked")),
        }
    }
}

/// An exec whose monitor waits for the go-ahead.
#[derive(Debug)]
struct LibcontainerExecPending {
    container_id: String,
    dir: PathBuf,
    attach: bool,
    /// The size the terminal is set to once the process runs.
    initial_size: Option<TerminalSize>,
    /// The monitor's stdin: the go-ahead goes there; closed unwritten, nothing runs.
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// What was read from the monitor past its last report.
    received: Vec<u8>,
    monitor: Option<ProcessRef>,
}

impl LibcontainerExecPending {
    /// The monitor's next report.
    fn next_report(&mut self) -> Result<ExecReport> {
        let id = &self.container_id;
        let line = read_line(&mut self.stdout, &mut self.received, EXEC_TIMEOUT)
            .map_err(|err| errors::oci(id, "exec", err))?
            .ok_or_else(|| CoreError::Timeout {
                id: id.clone(),
                what: "the libcontainer monitor of an exec session",
            })?;
        serde_json::from_slice(&line).map_err(|_| {
            let said = String::from_utf8_lossy(&line).trim().to_string();
            let log = std::fs::read_to_string(self.dir.join(MONITOR_LOG)).unwrap_or_default();
            let message = format!(
                "the exec's monitor exited without reporting ({said}): {}",
                log.trim()
            );
            errors::oci(id, "exec", message)
        })
    }
}

impl PendingExec for LibcontainerExecPending {
    fn monitor(&self) -> Option<&ProcessRef> {
        self.monitor.as_ref()
    }

    fn start(mut self: Box<Self>) -> Result<ExecStarted> {
        let attach = if self.attach {
            let path = attach_socket::attach_socket_path(&self.dir);
            Some(AttachSocket::connect(&path).map_err(|err| errors::io("connecting", &path, err))?)
        } else {
            None
        };
        let mut stdin = self.stdin.take().expect("started once");
        let go = format!("{EXEC_GO}\n");
        if let Err(err) = stdin.write_all(go.as_bytes()) {
            tracing::debug!(id = self.container_id, %err, "letting an exec's monitor go");
        }
        drop(stdin);
        let id = self.container_id.clone();
        let pid = match self.next_report()? {
            ExecReport::Started { pid } => pid,
            ExecReport::Failed { message } => {
                return Err(classify_exec_error(
                    &id,
                    crate::RUNTIME_NAME,
                    in_runc_words(message),
                ));
            }
            ExecReport::Ready { .. } => return Err(errors::oci(&id, "exec", "ready twice")),
        };
        self.monitor = None;
        // Once the process runs, the monitor holds its terminal (written earlier, the size
        // would be applied to no terminal).
        if let Some(size) = self.initial_size
            && let Err(err) = attach_socket::resize(&attach_socket::ctl_path(&self.dir), size)
        {
            tracing::warn!(%err, "setting the size of an exec session's terminal");
        }
        let mut started = ExecStarted::with_exit_dir(pid, &id, exec_exit_dir(&self.dir));
        started.attach = attach;
        Ok(started)
    }
}

impl Drop for LibcontainerExecPending {
    fn drop(&mut self) {
        // Not started: its stdin closes unwritten, so the monitor exits having run nothing;
        // it is killed too, in case it does not read.
        if let Some(monitor) = &self.monitor
            && let Ok(Some(handle)) = monitor.open()
        {
            let _ = handle.signal(nix::libc::SIGKILL);
        }
    }
}
