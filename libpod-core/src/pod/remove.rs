//! `remove_pod`: a pod's containers (dependents first, a wave's side by side, the infra
//! container last; with `force` running ones are stopped), its cgroup, its own files, its row and lock; and
//! `prune_pods`, which removes the stopped ones.

use super::status::PodStatus;
use super::{LockedPod, Pod, cgroup, infra};
use crate::container::{ContainerStatus, RemoveOptions};
use crate::error::{CoreError, Result};
use crate::events::EventStatus;
use crate::runtime::Runtime;

/// How to remove a pod.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct PodRemoveOptions {
    /// Stop (and kill) running containers first; without it a running one is refused.
    pub force: bool,
    /// Seconds each container gets between its stop signal and SIGKILL (its own when `None`).
    pub timeout: Option<u32>,
    /// Also remove the containers' anonymous volumes.
    pub volumes: bool,
}

impl PodRemoveOptions {
    /// Sets `force`.
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// Sets the stop timeout.
    pub fn timeout(mut self, seconds: u32) -> Self {
        self.timeout = Some(seconds);
        self
    }

    /// Sets `volumes`.
    pub fn volumes(mut self, volumes: bool) -> Self {
        self.volumes = volumes;
        self
    }
}

impl Runtime {
    /// Removes a pod and its containers (Podman's `RemovePod`). Without `force`, a pod with a
    /// running or paused container is refused before anything is removed.
    pub fn remove_pod(&self, pod: &Pod, options: PodRemoveOptions) -> Result<()> {
        let locked = pod.lock()?;
        if !options.force {
            for ctr in pod.containers()? {
                let ctr_locked = ctr.lock_in(&locked.guard)?;
                if matches!(
                    ctr_locked.state.status,
                    ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping
                ) {
                    return ctr_locked.require("remove without force", &[]);
                }
            }
        }
        locked.remove_all(options)
    }

    /// Removes every pod that is stopped or exited (Podman's `pod prune`); returns the IDs
    /// removed, and the failures by ID.
    pub fn prune_pods(&self) -> Result<Vec<(String, Result<()>)>> {
        let mut out = Vec::new();
        for pod in self.pods()? {
            match pod.status() {
                Ok(PodStatus::Stopped | PodStatus::Exited) => {
                    let removed = self.remove_pod(&pod, PodRemoveOptions::default());
                    out.push((pod.id().to_string(), removed));
                }
                Ok(_) | Err(CoreError::PodNotFound(_)) => {}
                Err(e) => out.push((pod.id().to_string(), Err(e))),
            }
        }
        Ok(out)
    }
}

impl LockedPod<'_> {
    /// Removes the containers (in reverse dependency order), the cgroup, the pod's files and
    /// its row. Any step that fails leaves the row, so that a removal again finishes it.
    pub(crate) fn remove_all(mut self, options: PodRemoveOptions) -> Result<()> {
        let rt = self.pod.runtime().clone();
        // Marked first: a removal cut short after some containers went is finished by
        // whoever takes the pod's lock next, rather than leaving a pod without its infra.
        if !self.state.removing {
            self.state.removing = true;
            self.save()?;
        }
        let mut waves = self.waves()?;
        waves.reverse();
        let ctr_options = RemoveOptions {
            force: options.force,
            timeout: options.timeout,
            volumes: false,
        };
        self.each("remove", &waves, |locked| locked.remove_with(ctr_options))?;
        if options.volumes {
            for ctr in waves.iter().flatten() {
                crate::volume::image::remove_anonymous_of(&rt, ctr.config());
            }
        }
        if let Some(path) = &self.state.cgroup_path {
            cgroup::remove(self.pod.config(), path)?;
        }
        let dir = infra::pod_dir(&rt, self.pod.id());
        match std::fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(CoreError::io("remove", &dir, e));
            }
            _ => {}
        }
        rt.state().remove_pod(self.pod.id())?;
        self.guard.remove_file();
        tracing::debug!(pod = %self.pod.id(), "pod removed");
        self.event(EventStatus::Remove);
        Ok(())
    }
}
