//! Exec sessions under conmon, as Podman 4.3 drives them (`oci_conmon_exec_common.go`):
//! `conmon -e --exec-attach --exec-process-spec DIR/process.json`, the session's directory as
//! conmon's bundle (its attach socket and control FIFO go there) and its own exit directory
//! `DIR/exit` (conmon names the exit file after the container).
//!
//! conmon gets three `SOCK_SEQPACKET` pairs, at fds 3+N, 4+N and 5+N after the N preserved
//! fds: sync, start and attach. The protocol (conmon 2.1.6's `conmon.c`):
//! 1. a byte on the start pipe lets conmon fork its monitor (the first process writes the
//!    monitor's PID to `--conmon-pidfile` and exits: we reap it);
//! 2. the monitor binds the attach socket and writes `{"data": 0}` on the attach pipe;
//! 3. we connect (when attached), then a second byte on the start pipe lets the monitor's
//!    child run `runc exec --detach --pid-file DIR/exec_pid --process ...`;
//! 4. the sync pipe says `{"data": PID}`, or nothing (runc's error is in `DIR/oci-log`) or a
//!    negative `data` with runc's stderr when the exec failed; once it gave the PID, conmon
//!    holds the terminal, and the first size is written to its `ctl` FIFO (written earlier,
//!    conmon may read it before runc passed it the terminal, and drop it);
//! 5. once the process exited and its output is drained, the monitor writes
//!    `DIR/exit/CONTAINER_ID`, reports `{"data": CODE}` on the sync pipe, closes the attach
//!    connections and runs the exit command.

use super::{ConmonRuntime, absolute};
use crate::error::{CoreError, Result};
use crate::oci::attach_socket::{self, AttachSocket, TerminalSize};
use crate::oci::exec::{ExecArgs, ExecStarted, OciExec, PendingExec, exec_exit_dir};
use crate::oci::process::ProcessRef;
use crate::oci::runc;
use crate::oci::spawn::Spawned;
use crate::oci::sync::{self, SyncRead};
use std::ffi::OsString;
use std::io::Write;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long the monitor may take to bind its attach socket, or runc to report the PID.
const EXEC_TIMEOUT: Duration = Duration::from_secs(240);

impl OciExec for ConmonRuntime {
    fn exec_launch<'r>(&'r self, args: &ExecArgs<'_>) -> Result<Box<dyn PendingExec + 'r>> {
        Ok(Box::new(self.launch_exec(args)?))
    }

    fn exec_resize(&self, dir: &Path, rows: u16, columns: u16) -> Result<()> {
        attach_socket::resize(
            &attach_socket::ctl_path(dir),
            TerminalSize {
                rows,
                cols: columns,
            },
        )
    }
}

impl ConmonRuntime {
    /// conmon's command line for an exec (`sharedConmonArgs` + `startExec`).
    fn exec_conmon_args(&self, args: &ExecArgs<'_>, dir: &Path) -> Vec<OsString> {
        let config = &self.config;
        let mut argv: Vec<OsString> = Vec::new();
        let mut add = |items: &[&dyn AsRef<std::ffi::OsStr>]| {
            argv.extend(items.iter().map(|item| item.as_ref().to_os_string()));
        };
        add(&[&"--api-version", &"1", &"-c", &args.container_id]);
        add(&[&"-u", &args.session_id, &"-r", &config.runtime_path]);
        add(&[&"-b", &dir, &"-p", &dir.join("exec_pid")]);
        add(&[
            &"-n",
            &args.container_name,
            &"--exit-dir",
            &exec_exit_dir(dir),
        ]);
        add(&[&"--full-attach", &"--runtime-arg", &"--root"]);
        add(&[&"--runtime-arg", &config.runtime_root]);
        for flag in &self.runtime_flags {
            add(&[&"--runtime-arg", flag]);
        }
        add(&[&"-l", &"none", &"--log-level", &config.log_level]);
        let mut oci_log = OsString::from("--runtime-arg=");
        oci_log.push(dir.join("oci-log"));
        add(&[
            &"--runtime-arg",
            &"--log-format=json",
            &"--runtime-arg",
            &"--log",
        ]);
        add(&[&oci_log]);
        if args.preserve_fds > 0 {
            let count = args.preserve_fds.to_string();
            add(&[
                &"--runtime-opt",
                &"--preserve-fds",
                &"--runtime-opt",
                &count,
            ]);
        }
        if args.terminal {
            add(&[&"-t"]);
        }
        if args.stdin {
            add(&[&"-i"]);
        }
        add(&[&"-e", &"--exec-attach", &"--exec-process-spec"]);
        add(&[&dir.join("process.json")]);
        add(&[&"--conmon-pidfile", &dir.join("conmon.pid")]);
        if let Some((program, rest)) = args.exit_command.split_first() {
            add(&[&"--exit-command", program]);
            for arg in rest {
                add(&[&"--exit-command-arg", arg]);
            }
        }
        argv
    }

    /// Writes the process spec, launches conmon and lets it fork its monitor.
    fn launch_exec(&self, args: &ExecArgs<'_>) -> Result<ConmonExecPending<'_>> {
        crate::oci::exitfile::check_id(args.container_id)?;
        let dir = absolute(args.dir)?;
        let spec = dir.join("process.json");
        let json = serde_json::to_vec(args.process).map_err(|e| CoreError::Conmon {
            id: args.container_id.into(),
            reason: format!("encoding the exec process: {e}"),
        })?;
        // A fresh directory of the caller's: written in place, volatile as the session.
        crate::runtime::modes::private_file()
            .write(true)
            .create_new(true)
            .open(&spec)
            .and_then(|mut file| file.write_all(&json))
            .map_err(|e| CoreError::io("write", &spec, e))?;
        let exit_dir = exec_exit_dir(&dir);
        crate::runtime::modes::create_private_dir(&exit_dir)?;
        let mut command = Command::new(&self.config.conmon_path);
        command
            .args(self.exec_conmon_args(args, &dir))
            .current_dir(&dir)
            .env_remove("NOTIFY_SOCKET");
        if nix::unistd::geteuid().is_root() {
            command.env_remove("DBUS_SESSION_BUS_ADDRESS");
        }
        let preserved: Vec<RawFd> = (3..)
            .take(usize::try_from(args.preserve_fds).unwrap_or(0))
            .collect();
        let first = 3 + RawFd::try_from(args.preserve_fds).unwrap_or(0);
        let names = ["_OCI_SYNCPIPE", "_OCI_STARTPIPE", "_OCI_ATTACHPIPE"];
        let (child, pipes, output) = sync::launch_with_pipes(command, &names, first, &preserved)
            .map_err(|e| CoreError::io("running", &self.config.conmon_path, e))?;
        let [sync, start, attach_pipe]: [OwnedFd; 3] =
            pipes.try_into().expect("three pipes asked for");
        let mut pending = ConmonExecPending {
            runtime: self,
            container_id: args.container_id.to_string(),
            dir,
            attach: args.attach,
            initial_size: args.initial_size.filter(|_| args.terminal),
            child,
            sync: Some(sync),
            start,
            attach_pipe,
            output,
            monitor: None,
        };
        pending.fork_monitor(args.session_id)?;
        Ok(pending)
    }
}

/// An exec's conmon, its monitor forked, waiting for the second start byte.
#[derive(Debug)]
struct ConmonExecPending<'r> {
    runtime: &'r ConmonRuntime,
    container_id: String,
    dir: PathBuf,
    attach: bool,
    /// The terminal's size, set before the process starts.
    initial_size: Option<TerminalSize>,
    child: Spawned,
    /// `None` once handed to the started exec.
    sync: Option<OwnedFd>,
    start: OwnedFd,
    attach_pipe: OwnedFd,
    output: std::io::PipeReader,
    monitor: Option<ProcessRef>,
}

impl ConmonExecPending<'_> {
    fn conmon_error(&self, reason: String) -> CoreError {
        CoreError::Conmon {
            id: self.container_id.clone(),
            reason,
        }
    }

    /// Step 1: the first start byte; conmon's first process forks the monitor and exits.
    fn fork_monitor(&mut self, session_id: &str) -> Result<()> {
        send_byte(&self.start);
        let status = self
            .child
            .wait()
            .map_err(|e| CoreError::io("waiting for", &self.runtime.config.conmon_path, e))?;
        if !status.success() {
            let output = sync::read_available(&mut self.output);
            return Err(self.conmon_error(format!("exited with {status}: {output}")));
        }
        let pidfile = self.dir.join("conmon.pid");
        let text = std::fs::read_to_string(&pidfile)
            .map_err(|e| CoreError::io("reading conmon pidfile", &pidfile, e))?;
        let pid = text.trim().parse::<i32>().ok().filter(|pid| *pid > 0);
        let pid = pid.ok_or_else(|| self.conmon_error(format!("malformed pidfile {text:?}")))?;
        self.monitor = Some(ProcessRef::with_argument(pid, session_id));
        Ok(())
    }

    /// What the runtime said when the exec failed, as Podman's `getOCIRuntimeError` sorts
    /// it: not found (127), cannot invoke (126), or another runtime error.
    fn exec_error(&self, said: Option<String>) -> CoreError {
        let message = runc::last_error_in_file(&self.dir.join("oci-log"))
            .or(said)
            .unwrap_or_else(|| "exec failed".to_string());
        classify_exec_error(
            &self.container_id,
            &self.runtime.config.runtime_name,
            message,
        )
    }
}

/// Sorts a runtime's exec error as Podman does (`getOCIRuntimeError`, case-insensitive):
/// "permission denied" or "operation not permitted" cannot invoke (126); "executable file
/// not found in" or "no such file or directory" not found (127); the line that matched is
/// the message. For runtimes in other crates too, whose messages say it in runc's words.
///
/// ```
/// use libpod_core::CoreError;
/// let message = "exec: \"x\": executable file not found in $PATH".to_string();
/// let err = libpod_core::oci::classify_exec_error("ctr", "runc", message);
/// assert!(matches!(err, CoreError::ExecCommandNotFound { .. }));
/// ```
pub fn classify_exec_error(container: &str, runtime: &str, message: String) -> CoreError {
    let line_with = |needles: &[&str]| {
        message
            .lines()
            .find(|line| {
                let lower = line.to_lowercase();
                needles.iter().any(|needle| lower.contains(needle))
            })
            .map(|line| line.trim().to_string())
    };
    if let Some(line) = line_with(&["permission denied", "operation not permitted"]) {
        return CoreError::ExecCannotInvoke {
            container: container.into(),
            runtime: runtime.into(),
            message: line,
        };
    }
    if let Some(line) = line_with(&["executable file not found in", "no such file or directory"]) {
        return CoreError::ExecCommandNotFound {
            container: container.into(),
            runtime: runtime.into(),
            message: line,
        };
    }
    CoreError::OciRuntime {
        id: container.into(),
        runtime: runtime.into(),
        op: "exec",
        message: message.trim().to_string(),
    }
}

fn send_byte(pipe: &OwnedFd) {
    // conmon gone: what it said (or its silence) on the other pipes tells.
    if let Err(err) = nix::sys::socket::send(
        pipe.as_raw_fd(),
        &[0],
        nix::sys::socket::MsgFlags::MSG_NOSIGNAL,
    ) {
        tracing::debug!(%err, "writing conmon's start pipe");
    }
}

impl PendingExec for ConmonExecPending<'_> {
    fn monitor(&self) -> Option<&ProcessRef> {
        self.monitor.as_ref()
    }

    fn start(mut self: Box<Self>) -> Result<ExecStarted> {
        // Step 2: the attach socket is bound.
        match sync::read_sync(&self.attach_pipe, EXEC_TIMEOUT) {
            Ok(SyncRead::Message(_)) => {}
            other => {
                return Err(
                    self.conmon_error(format!("no attach socket: {other:?} on the attach pipe"))
                );
            }
        }
        let attach = if self.attach {
            let path = attach_socket::attach_socket_path(&self.dir);
            Some(AttachSocket::connect(&path).map_err(|e| CoreError::io("connect", path, e))?)
        } else {
            None
        };
        // Step 3: run it.
        send_byte(&self.start);
        let sync = self.sync.take().expect("the sync pipe is taken once");
        let pid = match sync::read_sync(&sync, EXEC_TIMEOUT) {
            Ok(SyncRead::Message(message)) if message.data > 0 => message.data,
            Ok(SyncRead::Message(message)) => return Err(self.exec_error(message.message)),
            Ok(SyncRead::Eof) => return Err(self.exec_error(None)),
            Ok(other) => return Err(self.conmon_error(format!("on the sync pipe: {other:?}"))),
            Err(e) => return Err(CoreError::io("reading the sync pipe of", &self.dir, e)),
        };
        let pid = i32::try_from(pid)
            .map_err(|_| self.conmon_error(format!("reported PID {pid} is out of range")))?;
        self.monitor = None;
        if let Some(size) = self.initial_size
            && let Err(err) = self.runtime.exec_resize(&self.dir, size.rows, size.cols)
        {
            tracing::warn!(%err, "setting the size of an exec session's terminal");
        }
        let mut started = ExecStarted::new(
            pid,
            &self.container_id,
            exec_exit_dir(&self.dir),
            Some(sync),
        );
        started.attach = attach;
        Ok(started)
    }
}

impl Drop for ConmonExecPending<'_> {
    fn drop(&mut self) {
        // Not started: its monitor must not run the process later.
        if let Some(monitor) = &self.monitor
            && let Ok(Some(handle)) = monitor.open()
        {
            let _ = handle.signal(nix::libc::SIGKILL);
        }
    }
}
