//! `cleanup`: after a container stops, delete it from the OCI runtime and release its storage
//! (Stopped -> Exited, Created -> Configured).

use super::{Container, ContainerStatus, Locked};
use crate::error::{CoreError, Result};

impl Container {
    /// Cleans up a stopped or created container: deletes it from the OCI runtime, unmounts its
    /// root filesystem and shm. Every step is attempted; all failures are reported.
    pub fn cleanup(&self) -> Result<()> {
        let mut locked = self.lock()?;
        locked.require(
            "clean up",
            &[
                ContainerStatus::Stopped,
                ContainerStatus::Created,
                ContainerStatus::Exited,
                ContainerStatus::Configured,
            ],
        )?;
        locked.cleanup_locked()
    }
}

impl Locked<'_> {
    pub(crate) fn cleanup_locked(&mut self) -> Result<()> {
        let cleaned = self.cleanup_unsaved();
        self.save()?;
        cleaned
    }

    /// Cleanup's work and state changes, for the caller to save (removal saves them with its
    /// own change of state).
    pub(crate) fn cleanup_unsaved(&mut self) -> Result<()> {
        let mut failures: Vec<CoreError> = Vec::new();
        // Its exec sessions end with it: none outlives it, none is left in the database.
        failures.extend(crate::exec::reap_sessions(self.runtime(), self.id()).err());
        // And its healthcheck timer process.
        failures.extend(crate::health::stop_timer(self.runtime(), self.id()).err());
        // An exited container needs no force (and force costs a `runc state` call); a created
        // one still has a process waiting to start.
        let delete = match self.state.status {
            ContainerStatus::Stopped => Some(false),
            ContainerStatus::Created => Some(true),
            _ => None,
        };
        let delete_and_release = |locked: &mut Self| match delete {
            Some(false) if locked.state.delete_without_rootfs => locked.delete_while_releasing(),
            Some(force) => (
                locked.oci().and_then(|oci| oci.delete(locked.id(), force)),
                locked.release_storage(),
            ),
            None => (Ok(()), locked.release_storage()),
        };
        // Its process is gone: its namespace, interfaces, rules and addresses go too. A bridge
        // container's teardown (netavark, a process of its own and mostly waiting) runs while
        // it is deleted and its storage released, which it shares nothing with.
        let (torn_down, (deleted, released)) = if self.makes_network() {
            let ctr = self.ctr;
            crate::overlap::overlap(
                "network-teardown",
                || crate::network::namespace::teardown(ctr.runtime(), ctr.config()),
                || delete_and_release(self),
            )
        } else {
            (Ok(()), delete_and_release(self))
        };
        failures.extend(deleted.err());
        failures.extend(released.err());
        if delete.is_some() {
            // Its line leaves the hosts file it shares (a pod member's, the infra's).
            failures.extend(self.leave_shared_hosts().err());
        }
        failures.extend(torn_down.and_then(|()| self.teardown_network()).err());
        self.state.status = match self.state.status {
            ContainerStatus::Created => ContainerStatus::Configured,
            ContainerStatus::Stopped => ContainerStatus::Exited,
            other => other,
        };
        self.state.pid = None;
        self.state.conmon_pid = None;
        combine(failures)
    }
}

impl Locked<'_> {
    /// Deletes the stopped container from the OCI runtime (for runc, a few file operations;
    /// else a process to start and wait for) while the shm and root filesystem are
    /// unmounted; for runtimes and specs where the delete does not need them
    /// (`delete_without_rootfs`).
    fn delete_while_releasing(&mut self) -> (Result<()>, Result<()>) {
        let oci = self.oci();
        let id = self.id().to_string();
        crate::overlap::overlap(
            "oci-delete",
            || oci.and_then(|oci| oci.delete(&id, false)),
            || self.release_storage(),
        )
    }
}

/// The first failure, with the others attached.
pub(crate) fn combine(mut failures: Vec<CoreError>) -> Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    let first = failures.remove(0);
    if failures.is_empty() {
        return Err(first);
    }
    let rest: Vec<String> = failures.iter().map(ToString::to_string).collect();
    Err(CoreError::WithCleanupFailure {
        primary: Box::new(first),
        cleanup: rest.join("; "),
    })
}
