//! The cleanup entry point: what conmon's exit command and the exit monitor run for a
//! container whose process exited (Podman's `podman container cleanup`).

use crate::container::ContainerStatus;
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;

/// What [`Runtime::cleanup_container`] found and did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CleanupOutcome {
    /// Cleaned up (deleted from the OCI runtime, storage released), here or before.
    CleanedUp,
    /// Restarted by its restart policy.
    Restarted,
    /// Removed: an auto-remove container, here or before (or removed by someone else).
    Removed,
    /// Its process runs (or is frozen): nothing to clean up. Podman refuses this case; a
    /// cleanup process that comes after a restart by another finds it so.
    Running,
    /// A stop or a removal is under way (or was cut short): whoever does it (or does it
    /// again) finishes the work.
    Stopping,
}

impl Runtime {
    /// Cleans up container `name_or_id` after its process exited, as Podman's cleanup process
    /// does, all under the container's lock: the exit is recorded (if no one did yet), the
    /// container is deleted from the OCI runtime and its storage unmounted, an auto-remove
    /// container removed, and one whose restart policy calls for it started again (its
    /// `RestartCount` one more). Idempotent: whoever comes first (this, another cleanup
    /// process, an exit monitor, a look at the container) records and cleans up; only this
    /// entry point makes a pending restart.
    ///
    /// ```no_run
    /// use libpod_core::monitor::CleanupOutcome;
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// match rt.cleanup_container("web")? {
    ///     CleanupOutcome::Restarted => println!("restarted by its policy"),
    ///     other => println!("{other:?}"),
    /// }
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn cleanup_container(&self, name_or_id: &str) -> Result<CleanupOutcome> {
        let ctr = match self.container(name_or_id) {
            Ok(ctr) => ctr,
            Err(CoreError::ContainerNotFound(_)) => return Ok(CleanupOutcome::Removed),
            Err(e) => return Err(e),
        };
        let outcome = cleanup_under_lock(&ctr)?;
        if matches!(outcome, CleanupOutcome::CleanedUp | CleanupOutcome::Removed)
            && let Err(err) = crate::pod::exit_policy::after_exit(self, ctr.config())
        {
            // The container's own cleanup is done; the pod's policy is its pod's business.
            tracing::warn!(container = %ctr.id(), %err, "applying the pod's exit policy");
        }
        Ok(outcome)
    }
}

/// The cleanup's work under the container's lock (let go before the pod's exit policy,
/// whose pod lock comes first in the order).
fn cleanup_under_lock(ctr: &crate::container::Container) -> Result<CleanupOutcome> {
    let mut locked = match ctr.lock() {
        Ok(locked) => locked,
        // Removed as its exit was handled (auto-remove), here or by another.
        Err(CoreError::ContainerNotFound(_)) => return Ok(CleanupOutcome::Removed),
        Err(e) => return Err(e),
    };
    match locked.state.status {
        ContainerStatus::Running | ContainerStatus::Paused => {
            return Ok(CleanupOutcome::Running);
        }
        ContainerStatus::Stopping | ContainerStatus::Removing => {
            return Ok(CleanupOutcome::Stopping);
        }
        _ => {}
    }
    if locked.state.status == ContainerStatus::Stopped {
        // An earlier cleanup failed half-way: try again.
        locked.cleanup_locked()?;
    }
    if locked.restart_if_pending()? {
        return Ok(CleanupOutcome::Restarted);
    }
    if locked.state.status == ContainerStatus::Created {
        // Its process died before it was started (Podman cleans it up to Configured).
        locked.cleanup_locked()?;
    }
    Ok(CleanupOutcome::CleanedUp)
}
