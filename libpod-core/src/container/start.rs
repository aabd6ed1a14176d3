//! `start`: Configured|Created|Stopped|Exited -> Running (initialising on the way), and
//! `restart`.

use super::{Container, ContainerStatus, ExitAction, Locked};
use crate::error::Result;
use crate::events::EventStatus;

/// The states a start begins from.
pub(super) const STARTABLE: &[ContainerStatus] = &[
    ContainerStatus::Configured,
    ContainerStatus::Created,
    ContainerStatus::Stopped,
    ContainerStatus::Exited,
];

impl Container {
    /// Starts the container, initialising it first if needed. Starting a running container is
    /// an error, as in Podman. Starts the runtime's exit monitor
    /// ([`watch_exits`](crate::runtime::Runtime::watch_exits)) if it is not running yet.
    pub fn start(&self) -> Result<()> {
        self.runtime().watch_exits();
        let mut locked = self.lock()?;
        locked.require("start", STARTABLE)?;
        locked.start_locked(true)
    }

    /// Starts every container it depends on or joins a namespace of that is not running,
    /// dependencies first and recursively (a pod member's infra container among them), as
    /// Podman's recursive start, which `podman start` and `podman run` make for a pod's
    /// members; not the container itself. One started by another process meanwhile is fine.
    ///
    /// ```no_run
    /// # let rt = libpod_core::runtime::Runtime::builder().open()?;
    /// let ctr = rt.container("member")?;
    /// ctr.start_dependencies()?; // the pod's infra container, if it was not running
    /// ctr.start()?;
    /// # Ok::<(), libpod_core::CoreError>(())
    /// ```
    pub fn start_dependencies(&self) -> Result<()> {
        let mut seen = std::collections::BTreeSet::new();
        start_dependencies_of(self, &mut seen)
    }

    /// Stops the container if it runs (with its stop timeout) and starts it again. Another
    /// process that starts it while this waits for its exit does the second half.
    pub fn restart(&self) -> Result<()> {
        self.runtime().watch_exits();
        let mut locked = self.lock()?;
        if matches!(
            locked.state.status,
            ContainerStatus::Running | ContainerStatus::Paused | ContainerStatus::Stopping
        ) {
            let timeout = locked.config().stop_timeout;
            match locked.stop_locked(timeout, ExitAction::Keep) {
                Err(crate::CoreError::InvalidState {
                    operation: super::stop::TAKEN_OVER,
                    status: ContainerStatus::Running,
                    ..
                }) => return Ok(()),
                other => other?,
            }
        }
        locked.start_locked(true)?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Restart);
        Ok(())
    }
}

impl Locked<'_> {
    /// Starts the container. `by_user` resets the restart count and the stopped-by-user mark, as
    /// a start by the user does (a start by the restart policy keeps them).
    ///
    /// This start is the one a pending restart would make: the pending mark is cleared with
    /// its outcome (running, or the failure's state), and kept through init's save of
    /// `Created`, so that a restart cut short there is made by the next cleanup.
    pub(crate) fn start_locked(&mut self, by_user: bool) -> Result<()> {
        let started = self.create_and_start();
        self.state.restart_pending = false;
        let intent = match started {
            Ok(intent) => intent,
            Err(e) => {
                if let Err(save) = self.save() {
                    tracing::warn!(container = %self.id(), error = %save, "clearing a pending restart after a failed start");
                }
                return Err(e);
            }
        };
        if by_user {
            self.state.restart_count = 0;
            self.state.stopped_by_user = false;
        }
        self.mark_started()?;
        intent.clear();
        Ok(())
    }

    /// Saves `Running` for a process the runtime started, with its event, and begins its
    /// healthchecks.
    fn mark_started(&mut self) -> Result<()> {
        self.state.status = ContainerStatus::Running;
        self.state.started_at = Some(crate::runtime::now_rfc3339());
        self.state.finished_at = None;
        self.state.exit_code = None;
        self.state.oom_killed = false;
        self.save()?;
        self.runtime()
            .events()
            .container(self.config(), EventStatus::Start);
        // Its healthchecks begin (nothing to do without one).
        crate::health::on_start(self.ctr)
    }

    /// After a start killed between the runtime's start and its save (its intent left, see
    /// `runtime/intents.rs`): a container still `Created` whose process the runtime runs is
    /// saved `Running`, a pending restart counted as the start would have. Else nothing: the
    /// runtime never started it (a later start does), or it exited and the sync handled it.
    /// Its PID is the one init saved.
    pub(crate) fn finish_interrupted_start(&mut self) -> Result<()> {
        if self.state.status != ContainerStatus::Created {
            return Ok(());
        }
        let Some(in_runtime) = self.oci()?.state(self.id())? else {
            return Ok(());
        };
        // Paused is no start's doing: a pause needs `Running` saved first.
        if in_runtime.status != "running" {
            return Ok(());
        }
        tracing::info!(container = %self.id(), "saving the start a crash cut short");
        if std::mem::take(&mut self.state.restart_pending) {
            self.state.restart_count += 1;
        }
        self.mark_started()
    }

    /// Init (unless created already) and the runtime's start; a failed start is cleaned up.
    /// The start's intent (cleared once `Running` is saved) is returned.
    fn create_and_start(&mut self) -> Result<crate::runtime::intents::Intent> {
        if self.state.status == ContainerStatus::Created {
            self.check_dependencies()?;
        } else {
            // Checks them too.
            self.init_locked()?;
        }
        let intent = crate::runtime::intents::Intent::start(self.runtime(), self.id())?;
        if let Err(e) = self.oci()?.start(self.id()) {
            intent.clear();
            let cleanup = self.cleanup_locked();
            return match cleanup {
                Ok(()) => Err(e),
                Err(c) => Err(crate::CoreError::WithCleanupFailure {
                    primary: Box::new(e),
                    cleanup: c.to_string(),
                }),
            };
        }
        Ok(intent)
    }
}

/// Starts what `ctr` depends on, depth first; `seen` holds the IDs already dealt with (each
/// container's dependencies existed before it, so there is no cycle to guard against beyond
/// shared ones).
fn start_dependencies_of(
    ctr: &Container,
    seen: &mut std::collections::BTreeSet<String>,
) -> Result<()> {
    let config = ctr.config();
    for dep in config
        .dependencies
        .iter()
        .chain(config.namespaces_from.values())
    {
        if !seen.insert(dep.clone()) {
            continue;
        }
        let dep = Container::load(ctr.runtime(), dep)?;
        start_dependencies_of(&dep, seen)?;
        if dep.status()? == ContainerStatus::Running {
            continue;
        }
        match dep.start() {
            Err(crate::CoreError::InvalidState {
                status: ContainerStatus::Running,
                ..
            })
            | Ok(()) => {}
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
