//! An open runtime's healthcheck scheduler: one thread, a due time per container, each check
//! on a short-lived thread of its own (a slow check delays no other), none of a container
//! while its previous one runs. The thread holds only a weak reference to the runtime and
//! stops when the runtime is dropped.

use crate::container::ContainerStatus;
use crate::error::CoreError;
use crate::runtime::{Runtime, WeakRuntime};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The scheduler of one runtime (see the module docs). Its thread starts at the first
/// [`watch`](Scheduler::watch).
#[derive(Debug, Default)]
pub(crate) struct Scheduler {
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug, Default)]
struct Shared {
    schedule: Mutex<Schedule>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct Schedule {
    /// When each watched container's next check is due.
    due: BTreeMap<String, Instant>,
    /// Containers whose check runs now.
    running: BTreeSet<String>,
    stop: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Scheduler {
    /// Checks container `id` every interval, the first after `first`; starts the thread if
    /// it does not run yet.
    pub(crate) fn watch(&self, rt: &Runtime, id: &str, first: Duration) {
        self.shared
            .lock()
            .due
            .insert(id.to_string(), Instant::now() + first);
        self.shared.wake.notify_all();
        let mut thread = self.thread.lock().unwrap_or_else(PoisonError::into_inner);
        if thread.is_none() {
            let shared = self.shared.clone();
            let weak = rt.downgrade();
            let spawned = std::thread::Builder::new()
                .name("healthchecks".into())
                .spawn(move || schedule(&shared, &weak));
            match spawned {
                Ok(handle) => *thread = Some(handle),
                Err(err) => tracing::warn!(%err, "the healthcheck scheduler did not start"),
            }
        }
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_all();
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // The runtime's last handle may go on the scheduler's own thread.
        if let Some(thread) = thread.filter(|t| t.thread().id() != std::thread::current().id()) {
            let _ = thread.join();
        }
    }
}

/// The scheduler's thread: waits for the next due check and hands it to a thread of its own.
fn schedule(shared: &Arc<Shared>, weak: &WeakRuntime) {
    let mut schedule = shared.lock();
    loop {
        if schedule.stop {
            return;
        }
        let now = Instant::now();
        // A container whose check still runs waits for it (its end wakes this thread).
        let next = schedule
            .due
            .iter()
            .filter(|(id, _)| !schedule.running.contains(*id))
            .map(|(_, at)| *at)
            .min();
        match next {
            None => {
                schedule = shared
                    .wake
                    .wait(schedule)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            Some(at) if at > now => {
                schedule = shared
                    .wake
                    .wait_timeout(schedule, at - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
                continue;
            }
            Some(_) => {}
        }
        let due: Vec<String> = schedule
            .due
            .iter()
            .filter(|(id, at)| **at <= now && !schedule.running.contains(*id))
            .map(|(id, _)| id.clone())
            .collect();
        for id in &due {
            schedule.due.remove(id);
            schedule.running.insert(id.clone());
        }
        // Not under the lock: the runtime upgraded here may be its last handle, whose drop
        // takes the lock.
        drop(schedule);
        let Some(rt) = weak.upgrade() else {
            return;
        };
        for id in due {
            let shared = shared.clone();
            let rt = rt.clone();
            let spawned = std::thread::Builder::new()
                .name("healthcheck".into())
                .spawn(move || check(&shared, &rt, &id));
            if let Err(err) = spawned {
                tracing::warn!(%err, "a healthcheck thread did not start");
            }
        }
        drop(rt);
        schedule = shared.lock();
    }
}

/// Runs one check of container `id` and schedules the next, unless the container is gone,
/// not running, or covered by its timer process.
fn check(shared: &Shared, rt: &Runtime, id: &str) {
    let next = match rt.container(id) {
        Ok(ctr) if crate::health::timer_alive(rt, id) => {
            tracing::debug!(container = %ctr.id(), "its timer process runs its checks");
            None
        }
        Ok(ctr) => match ctr.healthcheck_run() {
            Ok(_) => ctr.healthcheck_interval(),
            Err(CoreError::InvalidState {
                status: ContainerStatus::Paused | ContainerStatus::Stopping,
                ..
            }) => ctr.healthcheck_interval(),
            Err(CoreError::InvalidState { .. } | CoreError::NoHealthCheck(_)) => None,
            Err(err) => {
                tracing::warn!(container = %id, %err, "healthcheck failed to run");
                ctr.healthcheck_interval()
            }
        },
        Err(_) => None,
    };
    let mut schedule = shared.lock();
    schedule.running.remove(id);
    if let Some(interval) = next
        && !schedule.stop
    {
        schedule
            .due
            .entry(id.to_string())
            .or_insert(Instant::now() + interval);
    }
    drop(schedule);
    shared.wake.notify_all();
}
