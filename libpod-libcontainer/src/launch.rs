//! `launch` and `create`: the monitor spawned, then told what to create (see `protocol.rs`).

use crate::LibcontainerRuntime;
use crate::errors::{self, EXISTS, check_id, unsupported};
use crate::protocol::{MonitorReport, MonitorRequest, Request};
use libpod_core::oci::{CreateArgs, Created, LogTarget, PendingCreate};
use libpod_core::{CoreError, Result};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// The files `create` leaves in the container's run directory, as conmon's.
pub(crate) const PIDFILE: &str = "pidfile";
/// The monitor's PID (conmon's name: libpod-core reads it).
pub(crate) const MONITOR_PIDFILE: &str = "conmon.pid";
/// The monitor's own error output.
pub(crate) const MONITOR_LOG: &str = "oci-log";
/// The longest report read.
const REPORT_MAX: usize = 64 * 1024;

impl LibcontainerRuntime {
    /// Spawns the monitor, which waits for its request: nothing is created until
    /// [`create`](PendingCreate::create).
    pub(crate) fn launch_monitor(&self, args: &CreateArgs<'_>) -> Result<MonitorPending<'_>> {
        let id = args.id;
        check_id(id)?;
        let log_path = match &args.log {
            LogTarget::K8sFile(path) => Some(absolute(path)?),
            LogTarget::None => None,
            _ => return Err(unsupported(id, "a log driver other than k8s-file and none")),
        };
        // A failed create deletes what it left in the runtime: never another container's.
        if self.knows(id) {
            return Err(errors::oci(id, "create", EXISTS));
        }
        let request = MonitorRequest {
            id: id.to_string(),
            bundle: absolute(args.bundle)?,
            state_root: self.config.state_root.clone(),
            run_dir: absolute(args.run_dir)?,
            exit_dir: self.config.exit_dir.clone(),
            log_path,
            log_size_max: args.log_size_max,
            terminal: args.terminal,
            stdin: args.stdin,
            exit_command: args.exit_command.to_vec(),
        };
        // A new process: the last one's exit and files are stale.
        self.exits.clear(id)?;
        let run_dir = &request.run_dir;
        libpod_fs::create_private_dir(run_dir, libpod_fs::ExistingDir::Keep)?;
        for stale in [PIDFILE, MONITOR_PIDFILE, MONITOR_LOG] {
            remove_if_present(&run_dir.join(stale))?;
        }
        let log_file_path = run_dir.join(MONITOR_LOG);
        let monitor_log = libpod_fs::private_file()
            .write(true)
            .create_new(true)
            .open(&log_file_path)
            .map_err(|err| errors::io("creating", &log_file_path, err))?;
        let mut command = self.config.monitor.command();
        command
            // Named on its command line, as conmon's `-c ID`: libpod-core recognises an
            // interrupted init's monitor by it (and waits for its create before a delete).
            .args([crate::CONTAINER_FLAG, id])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(monitor_log)
            .env_remove("NOTIFY_SOCKET")
            // Out of the caller's process group: a Ctrl-C at the caller's terminal is not
            // the container's.
            .process_group(0);
        let program = self.config.monitor.program();
        tracing::debug!(id, monitor = %program.display(), "launching the monitor");
        let child = command
            .spawn()
            .map_err(|err| errors::io("running", program, err))?;
        Ok(MonitorPending {
            runtime: self,
            request,
            conmon_pidfile: args.conmon_pidfile.map(Path::to_path_buf),
            child: Some(child),
        })
    }

    /// Deletes what a failed create may have left; returns `primary`, with the cleanup's
    /// failure attached if it failed too.
    fn cleanup_after(&self, id: &str, primary: CoreError) -> CoreError {
        use libpod_core::oci::OciRuntime;
        match self.delete(id, true) {
            Ok(()) => primary,
            Err(cleanup) => CoreError::WithCleanupFailure {
                primary: Box::new(primary),
                cleanup: cleanup.to_string(),
            },
        }
    }
}

/// A monitor launched for a create, waiting for its request. [`create`](PendingCreate::create)
/// sends it; dropping this instead kills and reaps the monitor, which has done nothing.
#[derive(Debug)]
pub(crate) struct MonitorPending<'r> {
    runtime: &'r LibcontainerRuntime,
    request: MonitorRequest,
    conmon_pidfile: Option<PathBuf>,
    /// The monitor's first process; `None` once handed to `create`.
    child: Option<Child>,
}

impl PendingCreate for MonitorPending<'_> {
    fn create(mut self: Box<Self>) -> Result<Created> {
        // The bundle is written by now; refused, the monitor goes with `self`, unasked.
        crate::copyup::prepare(&self.request.id, &self.request.bundle)?;
        let mut child = self.child.take().expect("a pending create is created once");
        let id = self.request.id.clone();
        let runtime = self.runtime;
        let read = exchange(&mut child, &self.request, runtime.config.create_timeout);
        // The first process exits as soon as the monitor is detached (or has failed).
        if matches!(read, Ok(Answer::TimedOut)) {
            kill_monitor(&self.request.run_dir);
            let _ = child.kill();
        }
        if let Err(err) = child.wait() {
            tracing::debug!(id, %err, "reaping the monitor's first process");
        }
        let (pid, monitor_pid) = match read {
            Ok(Answer::Report(MonitorReport::Created { pid, monitor_pid })) => (pid, monitor_pid),
            Ok(Answer::Report(MonitorReport::Failed { message, exists })) => {
                let err = errors::oci(&id, "create", in_runc_words(message));
                // Another create of this ID won the race: its container is not ours.
                return Err(if exists {
                    err
                } else {
                    runtime.cleanup_after(&id, err)
                });
            }
            Ok(Answer::TimedOut) => {
                let err = CoreError::Timeout {
                    id: id.clone(),
                    what: "the libcontainer monitor to report the container's PID",
                };
                return Err(runtime.cleanup_after(&id, err));
            }
            Ok(Answer::Eof(text)) => {
                let output = monitor_output(&self.request.run_dir);
                let message = format!("the monitor exited without reporting ({text}): {output}");
                return Err(runtime.cleanup_after(&id, errors::oci(&id, "create", message)));
            }
            Err(err) => return Err(runtime.cleanup_after(&id, err)),
        };
        if let Err(err) = crate::loopback::bring_up(&id, &self.request.bundle, pid) {
            return Err(runtime.cleanup_after(&id, err));
        }
        if let Some(extra) = &self.conmon_pidfile {
            let written = libpod_fs::replace(
                extra,
                monitor_pid.to_string().as_bytes(),
                libpod_fs::PRIVATE_FILE_MODE,
                libpod_fs::Durability::Contents,
            );
            if let Err(err) = written {
                return Err(runtime.cleanup_after(&id, err.into()));
            }
        }
        tracing::debug!(id, pid, monitor_pid, "container created");
        Ok(Created {
            pid,
            conmon_pid: monitor_pid,
        })
    }
}

impl Drop for MonitorPending<'_> {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            tracing::debug!(
                id = self.request.id,
                "create abandoned: stopping the monitor"
            );
            // It waits for its request, so it has made nothing; closing its stdin would end
            // it too, but a kill does not depend on it reading.
            if let Err(err) = child.kill().and_then(|()| child.wait().map(drop)) {
                tracing::warn!(id = self.request.id, %err, "stopping an abandoned monitor");
            }
        }
    }
}

/// What came back from the monitor.
enum Answer {
    Report(MonitorReport),
    /// Its stdout closed without a report; what it said, if anything.
    Eof(String),
    TimedOut,
}

/// Sends the request and reads the report, within `timeout`.
fn exchange(child: &mut Child, request: &MonitorRequest, timeout: Duration) -> Result<Answer> {
    let id = &request.id;
    let mut stdin = child.stdin.take().expect("spawned with a piped stdin");
    let mut line = serde_json::to_vec(&Request::Create(request.clone()))
        .map_err(|err| errors::oci(id, "create", format!("encoding the request: {err}")))?;
    line.push(b'\n');
    if let Err(err) = stdin.write_all(&line) {
        // The monitor is gone already: its stdout's EOF and its log tell why.
        tracing::debug!(id, %err, "writing the monitor's request");
    }
    drop(stdin);
    let mut stdout = child.stdout.take().expect("spawned with a piped stdout");
    let mut received = Vec::new();
    let line = read_line(&mut stdout, &mut received, timeout)
        .map_err(|err| errors::oci(id, "create", err))?;
    let Some(line) = line else {
        return Ok(Answer::TimedOut);
    };
    Ok(match serde_json::from_slice::<MonitorReport>(&line) {
        Ok(report) => Answer::Report(report),
        Err(_) => Answer::Eof(String::from_utf8_lossy(&line).trim().to_string()),
    })
}

/// Reads the monitor's next line (without its newline) from `stdout` within `timeout`,
/// `received` holding what was read past it; `None` when the time ran out. At EOF (or past
/// [`REPORT_MAX`] bytes), what was read.
pub(crate) fn read_line(
    stdout: &mut (impl Read + AsFd),
    received: &mut Vec<u8>,
    timeout: Duration,
) -> io::Result<Option<Vec<u8>>> {
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = received.iter().position(|&b| b == b'\n') {
            let line = received.drain(..=end).take(end).collect();
            return Ok(Some(line));
        }
        if received.len() >= REPORT_MAX {
            return Ok(Some(std::mem::take(received)));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let millis = i32::try_from(left.as_millis()).unwrap_or(i32::MAX);
        let polled = {
            let mut fds = [PollFd::new(stdout.as_fd(), PollFlags::POLLIN)];
            poll(
                &mut fds,
                PollTimeout::try_from(millis).unwrap_or(PollTimeout::MAX),
            )
        };
        match polled {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(errno) => return Err(errno.into()),
        }
        let n = match stdout.read(&mut buf) {
            Ok(n) => n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if n == 0 {
            return Ok(Some(std::mem::take(received)));
        }
        received.extend_from_slice(&buf[..n]);
    }
}

/// libcontainer's message for a command that cannot run, with runc's words for it appended,
/// which callers classify (Podman's 127 for "executable file not found", 126 for
/// "permission denied"); other messages as they are.
pub(crate) fn in_runc_words(message: String) -> String {
    let lower = message.to_lowercase();
    if lower.contains("not found in $path") || lower.contains("not found in path") {
        format!("{message}: executable file not found in $PATH")
    } else if lower.contains("does not have correct permissions")
        || lower.contains("does not have the correct permission")
    {
        format!("{message}: permission denied")
    } else {
        message
    }
}

/// The monitor's error output so far (its last lines).
fn monitor_output(run_dir: &Path) -> String {
    let text = std::fs::read_to_string(run_dir.join(MONITOR_LOG)).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(5).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join("; ")
}

/// Kills a monitor that does not answer, by the PID it recorded.
fn kill_monitor(run_dir: &Path) {
    let Ok(text) = std::fs::read_to_string(run_dir.join(MONITOR_PIDFILE)) else {
        return;
    };
    if let Ok(pid) = text.trim().parse::<i32>()
        && pid > 1
    {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

pub(crate) fn absolute(path: &Path) -> Result<PathBuf> {
    std::path::absolute(path).map_err(|err| errors::io("resolving", path, err))
}

pub(crate) fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(errors::io("removing", path, err)),
    }
}

#[cfg(test)]
mod tests {
    use super::in_runc_words;

    #[test]
    fn commands_that_cannot_run_get_runcs_words() {
        let missing = in_runc_words("executable 'nosuchcmd' not found in $PATH".into());
        assert!(
            missing.ends_with("executable file not found in $PATH"),
            "{missing}"
        );
        let denied = in_runc_words(
            "executable '/etc/passwd' at path \"/etc/passwd\" does not have correct permissions"
                .into(),
        );
        assert!(denied.ends_with("permission denied"), "{denied}");
        assert_eq!(in_runc_words("other".into()), "other");
    }
}
