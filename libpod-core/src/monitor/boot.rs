//! Start on boot: after a reboot (the run root gone, nothing running), the containers whose
//! restart policy says they run start again, as Podman's `podman-restart.service` does with
//! `podman start --all --filter restart-policy=always`, without systemd.

use crate::container::{Container, ContainerStatus};
use crate::error::{CoreError, Result};
use crate::runtime::Runtime;
use libpod_spec::RestartPolicy;
use std::collections::BTreeSet;

/// The marker in the run root that says this boot's start was done. The refresh after a
/// reboot removes it (`runtime/open.rs`), and a run root on a tmpfs loses it anyway.
pub(crate) const BOOTED: &str = "booted";

/// What [`Runtime::boot`] did.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct BootReport {
    /// The containers started, by ID, in the order they were.
    pub started: Vec<String>,
    /// The containers that should have started and did not, with why.
    pub failed: Vec<(String, CoreError)>,
    /// This boot's start was done before: nothing was started this time.
    pub already_done: bool,
}

impl Runtime {
    /// Starts, once per boot, the containers that run whenever the host does: those whose
    /// restart policy is `always`, and `unless-stopped` ones the user did not stop (Podman's
    /// `podman-restart.service`), dependencies before their dependents. Meant for the host's
    /// boot (an init script or unit running `podctl system boot`, or an embedder's startup);
    /// a second call in the same boot does nothing, so that a user's stop of an `always`
    /// container is not undone by it. One container's failure does not keep the others from
    /// starting. Starts the exit monitor.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let report = rt.boot()?;
    /// for (id, err) in &report.failed {
    ///     eprintln!("{id}: {err}");
    /// }
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn boot(&self) -> Result<BootReport> {
        let marker = self.run_root().join(BOOTED);
        let lock_path = self.run_root().join("booted.lock");
        let _lock = crate::runtime::modes::lock_file(&lock_path)?;
        let mut report = BootReport::default();
        if marker.exists() {
            report.already_done = true;
            return Ok(report);
        }
        let mut candidates = Vec::new();
        for ctr in self.containers()? {
            match ctr.state() {
                Ok(state) if starts_at_boot(&ctr, state.status, state.stopped_by_user) => {
                    candidates.push(ctr);
                }
                Ok(_) | Err(CoreError::ContainerNotFound(_)) => {}
                Err(err) => report.failed.push((ctr.id().to_string(), err)),
            }
        }
        for ctr in in_dependency_order(candidates) {
            match ctr.start() {
                Ok(()) => {
                    tracing::info!(container = %ctr.id(), "started at boot");
                    report.started.push(ctr.id().to_string());
                }
                Err(err) => {
                    tracing::warn!(container = %ctr.id(), %err, "not started at boot");
                    report.failed.push((ctr.id().to_string(), err));
                }
            }
        }
        crate::runtime::modes::write_private(&marker, self.boot_id().as_bytes())?;
        self.watch_exits();
        Ok(report)
    }
}

/// Podman's start-on-boot rule: `always`, or `unless-stopped` not stopped by the user; and
/// not running already.
fn starts_at_boot(ctr: &Container, status: ContainerStatus, stopped_by_user: bool) -> bool {
    let policy = match ctr.config().restart_policy {
        RestartPolicy::Always => true,
        RestartPolicy::UnlessStopped => !stopped_by_user,
        _ => false,
    };
    policy
        && matches!(
            status,
            ContainerStatus::Configured
                | ContainerStatus::Created
                | ContainerStatus::Stopped
                | ContainerStatus::Exited
        )
}

/// `ctrs` with every container after those of them it depends on or joins namespaces of.
fn in_dependency_order(ctrs: Vec<Container>) -> Vec<Container> {
    let ids: BTreeSet<String> = ctrs.iter().map(|c| c.id().to_string()).collect();
    let mut placed = BTreeSet::new();
    let mut ordered = Vec::with_capacity(ctrs.len());
    let mut rest = ctrs;
    while !rest.is_empty() {
        let (ready, later): (Vec<Container>, Vec<Container>) = rest.into_iter().partition(|c| {
            let config = c.config();
            config
                .dependencies
                .iter()
                .chain(config.namespaces_from.values())
                .all(|dep| !ids.contains(dep) || placed.contains(dep))
        });
        if ready.is_empty() {
            // Dependencies predate their dependents, so there is no cycle; if there were,
            // the starts would report it.
            ordered.extend(later);
            break;
        }
        placed.extend(ready.iter().map(|c| c.id().to_string()));
        ordered.extend(ready);
        rest = later;
    }
    ordered
}
