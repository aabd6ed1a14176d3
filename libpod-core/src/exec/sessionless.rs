//! A sessionless exec (Podman 5's `podman exec --no-session`): nothing written to the state
//! database, and the container's lock held only to read its synced state. For healthchecks
//! and callers that exec often: two execs at once wait for nothing of each other's.
//!
//! Its directory goes under the container's `exec/` like a session's (named by a fresh ID
//! that no row holds), so that the container's cleanup reaps its monitor like any other.

use super::start::EXIT_CODE_TIMEOUT;
use super::{ExecEnd, ExecStreams, detach_keys, oci_exec, session_dir};
use crate::container::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::oci::ProcessRef;
use crate::oci::attach_socket::AttachSocket;
use crate::oci::{AttachEnd, ExecArgs};
use crate::record::ExecConfig;
use std::sync::mpsc;
use std::time::Duration;

impl Container {
    /// Runs `config` in the container, attached to `streams`, with no session (see the
    /// module docs): its exit code, or `Detached`.
    pub fn exec_sessionless(&self, config: ExecConfig, streams: ExecStreams) -> Result<ExecEnd> {
        self.exec_sessionless_within(config, streams, None)
            .map(|(end, _)| end)
    }

    /// [`exec_sessionless`](Self::exec_sessionless), its process killed (SIGKILL) once it
    /// ran `timeout`: the end, and whether it was killed for that (the healthchecks' timeout).
    pub(crate) fn exec_sessionless_within(
        &self,
        config: ExecConfig,
        streams: ExecStreams,
        timeout: Option<Duration>,
    ) -> Result<(ExecEnd, bool)> {
        let (spec_path, rootfs) = {
            let locked = self.lock()?;
            if locked.state.status != ContainerStatus::Running {
                return Err(CoreError::InvalidState {
                    id: self.id().to_string(),
                    status: locked.state.status,
                    operation: "exec (the container is not running)",
                });
            }
            (
                locked.state.config_path.clone().unwrap_or_default(),
                locked.state.mountpoint.clone().unwrap_or_default(),
            )
        };
        // The runtime moves the process into the container's cgroups: see cgroup_warmup.
        let warmup = crate::cgroup_warmup::Warmup::begin();
        let rt = self.runtime();
        let id = crate::container::create::new_id()?;
        let dir = session_dir(rt, self.id(), &id);
        crate::runtime::modes::create_private_dir(&dir)?;
        let result = (|| {
            let user = self.config().spec.user.user.as_deref();
            let process = super::spec::exec_process(self.id(), user, &spec_path, &rootfs, &config)?;
            let mut args = ExecArgs::new(self.id(), self.name(), &id, &dir, &process);
            args.terminal = config.terminal;
            args.stdin = config.attach_stdin && streams.stdin.is_some();
            args.attach = true;
            args.initial_size = streams.terminal_size;
            args.preserve_fds = config.preserve_fds;
            let exec = oci_exec(self)?;
            let mut started = exec.exec_launch(&args)?.start()?;
            drop(warmup);
            let attach = started.attach.take().expect("attached");
            let watchdog = match timeout {
                Some(limit) => {
                    let handle = attach
                        .try_clone()
                        .map_err(|e| CoreError::io("clone the attach socket of", self.id(), e))?;
                    Some(Watchdog::arm(limit, started.process.clone(), handle))
                }
                None => None,
            };
            let ExecStreams {
                stdin,
                mut stdout,
                mut stderr,
                ..
            } = streams;
            let stdin = stdin.filter(|_| config.attach_stdin);
            let end = attach
                .copy(stdin, &mut *stdout, &mut *stderr, &detach_keys(&config)?)
                .map_err(|e| CoreError::io("copy the output of", self.id(), e))?;
            let timed_out = watchdog.is_some_and(Watchdog::disarm);
            if end == AttachEnd::Detached && !timed_out {
                return Ok((ExecEnd::Detached, false));
            }
            let code = started.wait(Some(EXIT_CODE_TIMEOUT))?;
            match code {
                Some(code) => Ok((ExecEnd::Exited(code), timed_out)),
                // Killed, but its monitor did not report: a timeout all the same.
                None if timed_out => Ok((ExecEnd::Exited(128 + 9), true)),
                None => Err(CoreError::Timeout {
                    id: self.id().to_string(),
                    what: "the exit code of an exec",
                }),
            }
        })();
        if !matches!(result, Ok((ExecEnd::Detached, _))) {
            let _ = std::fs::remove_dir_all(&dir);
        }
        result
    }
}

/// Kills an exec's process once its time is up, and stops reading its output (a child it
/// left behind may hold the output open).
struct Watchdog {
    done: mpsc::Sender<()>,
    thread: std::thread::JoinHandle<bool>,
}

impl Watchdog {
    fn arm(limit: Duration, process: Option<ProcessRef>, attach: AttachSocket) -> Watchdog {
        let (done, finished) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if finished.recv_timeout(limit) != Err(mpsc::RecvTimeoutError::Timeout) {
                return false;
            }
            if let Some(handle) = process.and_then(|p| p.open().ok().flatten()) {
                let _ = handle.signal(nix::libc::SIGKILL);
            }
            let _ = attach.stop_reading();
            true
        });
        Watchdog { done, thread }
    }

    /// Whether it fired.
    fn disarm(self) -> bool {
        let _ = self.done.send(());
        self.thread.join().unwrap_or(false)
    }
}
