//! The healthcheck timer process of one container (see the module docs of [`crate::health`]).

use crate::container::{ContainerConfig, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::oci::ProcessRef;
use crate::runtime::Runtime;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// The timer's PID file in the container's run directory.
const PID_FILE: &str = "healthcheck-timer.pid";

/// Timers this process spawned and has not reaped yet (reaped at the next spawn; a timer
/// runs as long as its container, so there are few).
static SPAWNED: Mutex<Vec<Child>> = Mutex::new(Vec::new());

fn pid_file(rt: &Runtime, id: &str) -> PathBuf {
    rt.container_run_dir(id).join(PID_FILE)
}

/// The recorded timer of container `id`, if any.
fn recorded(rt: &Runtime, id: &str) -> Option<ProcessRef> {
    let bytes = std::fs::read(pid_file(rt, id)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Whether the recorded timer of container `id` runs.
pub(crate) fn timer_alive(rt: &Runtime, id: &str) -> bool {
    recorded(rt, id).is_some_and(|timer| timer.alive().unwrap_or(false))
}

/// Spawns the container's timer process unless one runs (the container's lock held);
/// whether a timer covers the container. No timer command: `false`.
pub(crate) fn start_timer(rt: &Runtime, config: &ContainerConfig) -> Result<bool> {
    let Some((program, args)) = config.healthcheck_timer.split_first() else {
        return Ok(false);
    };
    if timer_alive(rt, &config.id) {
        return Ok(true);
    }
    let mut spawned = SPAWNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    spawned.retain_mut(|child| matches!(child.try_wait(), Ok(None)));
    let child = {
        use std::os::unix::process::CommandExt;
        Command::new(program)
            .args(args)
            .arg(&config.id)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Not in the caller's process group: a ctrl-c at the caller's terminal is not for it.
            .process_group(0)
            .spawn()
            .map_err(|e| CoreError::io("start the healthcheck timer", program, e))?
    };
    let pid = i32::try_from(child.id()).expect("PIDs fit in i32");
    let timer =
        ProcessRef::of_pid(pid).map_err(|e| CoreError::io("read", format!("/proc/{pid}"), e))?;
    spawned.push(child);
    if let Some(timer) = timer {
        let bytes = serde_json::to_vec(&timer).expect("process refs serialize");
        libpod_fs::replace(
            &pid_file(rt, &config.id),
            &bytes,
            libpod_fs::PRIVATE_FILE_MODE,
            libpod_fs::Durability::Volatile,
        )?;
    }
    tracing::debug!(container = %config.id, pid, "healthcheck timer started");
    Ok(true)
}

/// Ends the container's timer (at its cleanup, the lock held): killed unless it is this
/// process, and forgotten.
pub(crate) fn stop_timer(rt: &Runtime, id: &str) -> Result<()> {
    let path = pid_file(rt, id);
    let Some(timer) = recorded(rt, id) else {
        return Ok(());
    };
    if !is_me(&timer)
        && let Ok(Some(handle)) = timer.open()
    {
        let _ = handle.signal(nix::libc::SIGKILL);
    }
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CoreError::io("remove", path, e)),
        _ => Ok(()),
    }
}

fn is_me(timer: &ProcessRef) -> bool {
    i32::try_from(std::process::id()).is_ok_and(|me| me == timer.pid)
}

/// The timer's loop, for the embedder's binary in its timer mode (`podctl healthcheck timer
/// CTR`): sleeps the interval and runs the check, until the container is not running (or is
/// gone) or another timer took its place. Errors of single checks are logged and the loop
/// goes on.
///
/// ```no_run
/// # fn main() -> libpod_core::Result<()> {
/// let rt = libpod_core::runtime::Runtime::builder().open()?;
/// libpod_core::health::run_timer(&rt, "web")
/// # }
/// ```
pub fn run_timer(rt: &Runtime, id: &str) -> Result<()> {
    let ctr = match rt.container(id) {
        Ok(ctr) => ctr,
        Err(CoreError::ContainerNotFound(_)) => return Ok(()),
        Err(e) => return Err(e),
    };
    let id = ctr.id().to_string();
    let names_me = || recorded(rt, &id).is_some_and(|timer| is_me(&timer));
    loop {
        let Some(interval) = ctr.healthcheck_interval() else {
            return Ok(());
        };
        std::thread::sleep(interval);
        if !names_me() {
            return Ok(());
        }
        match ctr.healthcheck_run() {
            Ok(outcome) => {
                tracing::debug!(container = %id, outcome = outcome.as_str(), "timer's healthcheck")
            }
            Err(CoreError::ContainerNotFound(_) | CoreError::NoHealthCheck(_)) => return Ok(()),
            // Paused or being stopped: the next tick sees where it went.
            Err(CoreError::InvalidState { status, .. })
                if !matches!(status, ContainerStatus::Paused | ContainerStatus::Stopping) =>
            {
                break;
            }
            Err(err) => tracing::warn!(container = %id, %err, "healthcheck failed to run"),
        }
    }
    if names_me() {
        let _ = std::fs::remove_file(pid_file(rt, &id));
    }
    Ok(())
}
