//! Reaping: every session of a container that stops or is removed, and at open the sessions
//! a killed process left half made.

use super::remove::process_alive;
use super::start::remove_session;
use super::{INTENT_DIR, session_dir};
use crate::error::{CoreError, Result};
use crate::oci::{ProcessHandle, ProcessRef};
use crate::runtime::{Runtime, held};
use std::path::Path;
use std::time::Duration;

/// How long a session's monitor may take to exit once its process is gone.
const MONITOR_TIMEOUT: Duration = Duration::from_secs(5);

/// Ends every exec session of container `id` (whose lock the caller holds, the container
/// stopped or about to be removed): each process killed, each monitor (of sessions and of
/// sessionless execs alike: every directory under `exec/`) waited for and killed when it
/// lingers, then the rows and directories removed.
pub(crate) fn reap_sessions(rt: &Runtime, id: &str) -> Result<()> {
    let state = rt.state();
    let sessions = state.exec_sessions(id)?;
    for session in &sessions {
        if let Ok(row) = state.exec_session(session)
            && process_alive(&row)
        {
            super::stop::kill_session(&row, Duration::ZERO)?;
        }
    }
    let exec_dir = rt.container_run_dir(id).join("exec");
    let dirs = match std::fs::read_dir(&exec_dir) {
        Ok(entries) => entries.flatten().collect::<Vec<_>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(CoreError::io("list", &exec_dir, e)),
    };
    for entry in &dirs {
        let session = entry.file_name().to_string_lossy().into_owned();
        if let Some(monitor) = dir_monitor(&entry.path(), &session) {
            end_monitor(&monitor);
        }
    }
    for session in &sessions {
        remove_session(rt, id, session);
    }
    match std::fs::remove_dir_all(&exec_dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(CoreError::io("remove", &exec_dir, e))
        }
        _ => Ok(()),
    }
}

/// Removes the rows and directories of container `id`'s sessions after a reboot (Podman's
/// refresh does so too): their processes and monitors went with the boot, and their rows
/// were written without an fsync, so one may even be older than the session's end.
/// A row that cannot be removed fails the refresh (the next open tries again), where a
/// session's own cleanup only logs it.
pub(crate) fn forget_sessions_after_reboot(rt: &Runtime, id: &str) -> Result<()> {
    for session in rt.state().exec_sessions(id)? {
        match rt.state().remove_exec_session(&session) {
            Ok(()) | Err(CoreError::ExecSessionNotFound(_)) => {}
            Err(err) => return Err(err),
        }
        // The reboot emptied the run root the directory was in, unless it is on disk.
        remove_session(rt, id, &session);
    }
    Ok(())
}

/// The running monitor of the session whose directory is `dir`, if any.
fn dir_monitor(dir: &Path, session: &str) -> Option<ProcessHandle> {
    let text = std::fs::read_to_string(dir.join("conmon.pid")).ok()?;
    let pid = text.trim().parse().ok()?;
    ProcessRef::with_argument(pid, session)
        .open()
        .ok()
        .flatten()
}

/// Waits for a monitor to exit, killing it if it lingers.
fn end_monitor(monitor: &ProcessHandle) {
    if monitor.wait(Some(MONITOR_TIMEOUT)).unwrap_or(false) {
        return;
    }
    tracing::warn!("an exec session's monitor lingers: killing it");
    let _ = monitor.signal(nix::libc::SIGKILL);
    let _ = monitor.wait(Some(MONITOR_TIMEOUT));
}

/// Removes the sessions whose maker was killed (their intent is not held) once their monitor
/// is gone; one whose monitor still runs stays, for a later open or its container's cleanup.
/// Failures are logged: the next open tries again.
pub(crate) fn repair_interrupted(rt: &Runtime) {
    let dir = rt.run_root().join(INTENT_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let session = entry.file_name().to_string_lossy().into_owned();
        if held::is_temporary(&session) {
            // An intent not yet in place: its maker's, unless that process is gone.
            if held::abandoned(&session) {
                let _ = std::fs::remove_file(entry.path());
            }
            continue;
        }
        if let Err(err) = repair_one(rt, &entry.path(), &session) {
            tracing::warn!(session, %err, "an interrupted exec session stays for the next open");
        }
    }
}

fn repair_one(rt: &Runtime, intent: &Path, session: &str) -> Result<()> {
    let file = match std::fs::OpenOptions::new().read(true).open(intent) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(CoreError::io("open", intent, e)),
    };
    match file.try_lock() {
        Ok(()) => {}
        // Its maker is alive.
        Err(std::fs::TryLockError::WouldBlock) => return Ok(()),
        Err(std::fs::TryLockError::Error(e)) => return Err(CoreError::io("lock", intent, e)),
    }
    let container =
        std::fs::read_to_string(intent).map_err(|e| CoreError::io("read", intent, e))?;
    let container = container.trim();
    let exists = match rt.state().container_state(container) {
        Ok(_) => true,
        Err(CoreError::ContainerNotFound(_)) => false,
        Err(err) => return Err(err),
    };
    if exists && !container.is_empty() {
        let _guard = rt.lock_container(container)?;
        let dir = session_dir(rt, container, session);
        if dir_monitor(&dir, session).is_some() {
            return Ok(());
        }
        remove_session(rt, container, session);
    }
    std::fs::remove_file(intent).map_err(|e| CoreError::io("remove", intent, e))
}
