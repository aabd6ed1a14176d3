//! What an init killed between the OCI runtime's create and its save leaves behind: the
//! container in the runtime (with its process waiting and its monitor), its mounts, and a
//! database that says it is not there. The next init deletes it before creating it again, and
//! so does the next open when the init's intent (`runtime/intents.rs`) is left.

use super::{ContainerStatus, Locked};
use crate::error::Result;

/// How long to wait for the monitor of a runtime leftover to record its exit (it does so as
/// soon as the runtime's delete killed the process; longer only if the monitor died too).
const LEFTOVER_EXIT_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// How long an interrupted init's monitor may take to finish the runtime's create.
const ORPHAN_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl Locked<'_> {
    /// After an init that was interrupted before it saved `Created`: deletes what it left in
    /// the runtime and its mounts. A container whose state says it got further (the save
    /// happened) is left alone.
    pub(crate) fn undo_interrupted_init(&mut self) -> Result<()> {
        match self.state.status {
            ContainerStatus::Configured | ContainerStatus::Exited => {
                self.wait_for_orphaned_monitor();
                self.delete_leftover()?;
                // Killed before the runtime's create: only the mounts and the network
                // namespace (with its addresses) were made.
                self.teardown_network()?;
                self.release_leftover_mounts()
            }
            _ => Ok(()),
        }
    }

    /// Deletes what an init killed between the runtime's create and its save left in the
    /// runtime (for conmon, a `stat` finds nothing): else this create is refused as "already
    /// exists". The leftover's conmon then records its process's exit: waited for (up to
    /// [`LEFTOVER_EXIT_WAIT`], while that conmon lives), so that it cannot land on the new
    /// run's exit file.
    pub(crate) fn delete_leftover(&mut self) -> Result<()> {
        let oci = self.oci()?;
        let Some(leftover) = oci.state(self.id())? else {
            return Ok(());
        };
        tracing::warn!(container = %self.id(), status = %leftover.status, "deleting what an interrupted init left in the runtime");
        let monitor = self.monitor_pid().filter(|&pid| self.monitors_this(pid));
        oci.delete(self.id(), true)?;
        self.wait_leftover_exit(monitor)?;
        self.release_leftover_mounts()
    }

    /// Waits for the leftover's monitor to record its exit, while that monitor lives. None
    /// lives, or it goes without recording one: none will come (a restore's conmon exits so
    /// when the process that launched it was killed before it read the PID), and waiting
    /// the full bound only slowed the open down.
    fn wait_leftover_exit(&self, monitor: Option<u32>) -> Result<()> {
        let Some(pid) = monitor else {
            tracing::debug!(container = %self.id(), "the leftover has no monitor to record its exit");
            return Ok(());
        };
        let oci = self.oci()?;
        let deadline = std::time::Instant::now() + LEFTOVER_EXIT_WAIT;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let step = left.min(std::time::Duration::from_millis(50));
            if oci.wait_exit(self.id(), Some(step))?.is_some() {
                return Ok(());
            }
            let gone = !self.monitors_this(pid);
            if gone || left.is_zero() {
                tracing::debug!(container = %self.id(), gone, "the leftover's monitor recorded no exit");
                return Ok(());
            }
        }
    }

    /// The PID in the run directory's `conmon.pid`: the monitor of the last init.
    fn monitor_pid(&self) -> Option<u32> {
        let pidfile = self
            .runtime()
            .container_run_dir(self.id())
            .join("conmon.pid");
        std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|text| text.trim().parse::<u32>().ok())
    }

    /// Whether monitor `pid` still runs the OCI runtime (its create or restore): a child of
    /// it by the runtime's name.
    fn runtime_at_work(&self, pid: u32) -> bool {
        let Ok(oci) = self.oci() else {
            return false;
        };
        // The kernel keeps 15 bytes of a command's name.
        let name: String = oci.name().chars().take(15).collect();
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).is_ok_and(|children| {
            children.split_whitespace().any(|child| {
                std::fs::read_to_string(format!("/proc/{child}/comm"))
                    .is_ok_and(|comm| comm.trim_end() == name)
            })
        })
    }

    /// Whether process `pid` is a monitor of this container (a reused PID runs something
    /// else).
    fn monitors_this(&self, pid: u32) -> bool {
        std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
            cmdline
                .split(|b| *b == 0)
                .any(|arg| arg == self.id().as_bytes())
        })
    }

    /// An init killed after it launched conmon leaves conmon going on: the end of its start
    /// pipe lets it run the runtime's create. Waits (up to [`ORPHAN_WAIT`]) until that create
    /// shows in the runtime or conmon is gone, so that the delete does not look too early and
    /// leave a container the database does not know (crash harness, pod-start seed 83). Only
    /// for an init whose intent was left (at open): a restart's init must not wait for the
    /// monitor of the last run, which may be running this very restart as its exit command.
    fn wait_for_orphaned_monitor(&self) {
        let Some(pid) = self.monitor_pid() else {
            return;
        };
        // The monitor of the container's last run (running its exit command, which may be
        // this very restart) is no interrupted init's.
        if self
            .state
            .conmon_pid
            .is_some_and(|last| u32::try_from(last).ok() == Some(pid))
        {
            return;
        }
        let deadline = std::time::Instant::now() + ORPHAN_WAIT;
        while std::time::Instant::now() < deadline {
            if !self.monitors_this(pid) {
                return;
            }
            // Done once the runtime is: a state it cannot read yet is one it is still making
            // (runc's restore keeps CRIU's work in the state directory), and runc's restore
            // saves `running` before CRIU has finished. A delete under CRIU's feet kills
            // what it restores and leaves CRIU stuck, the state half made.
            match self.oci().and_then(|oci| oci.state(self.id())) {
                Ok(Some(state)) if state.status != "creating" && !self.runtime_at_work(pid) => {
                    return;
                }
                _ => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
        tracing::warn!(container = %self.id(), pid, "an interrupted init's monitor neither created the container nor exited");
    }

    /// The mounts of an init that never saved `Created`: the root filesystem's count and the
    /// shm (neither recorded in the state).
    fn release_leftover_mounts(&self) -> Result<()> {
        if let Some(super::RootfsSource::Image { .. }) = &self.config().rootfs {
            match self.runtime().storage().unmount_container(self.id(), true) {
                Ok(_) | Err(libpod_storage::StorageError::ContainerNotKnown(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        super::storage::unmount_shm(&self.runtime().container_run_dir(self.id()).join("shm"))
    }
}
