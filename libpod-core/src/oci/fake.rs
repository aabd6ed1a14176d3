//! An in-memory OCI runtime for unit tests of the lifecycle logic. It runs nothing: tests tell
//! it when a "process" exits. Never a stand-in for runc in a test that claims a feature works.
//!
//! It follows runc's rules (checked against runc by the shared conformance suite):
//! - `launch` refuses an ID in use; the pending create's `create` makes a `created` container
//!   (an ID taken meanwhile is refused), and dropping it makes nothing. `start` makes it
//!   `running`, from `created` only.
//! - `kill` works on `created`, `running` and `paused` containers. A signal ends the process
//!   with `128 + signal` unless its default action is to ignore or stop (`SIGCHLD`, `SIGCONT`,
//!   `SIGURG`, `SIGWINCH`, `SIGSTOP`, `SIGTSTP`, `SIGTTIN`, `SIGTTOU`) or the test made the
//!   process ignore it ([`FakeRuntime::ignore_signals`]: a PID 1 without a handler ignores
//!   `SIGTERM`); `SIGKILL` cannot be ignored. A paused process gets `SIGKILL` at once (as
//!   with cgroup v2, and v1 since Linux 6.1), other signals when thawed.
//! - `pause` freezes a `created` or `running` container; `resume` thaws a `paused` one back
//!   to what it was.
//! - `delete` removes a `stopped` or `created` container (killing the latter); a `running` or
//!   `paused` one only with `force` (killed with `SIGKILL`). An unknown ID is deleted already.
//! - A process that ends (killed, or [`FakeRuntime::exit`]) leaves the container `stopped`
//!   with its exit recorded, as conmon's exit file; the record outlives `delete` until
//!   `clear_exit` or the next `create` of the same ID.

use super::{CreateArgs, Created, ExitInfo, OciRuntime, PendingCreate, RuntimeState};
use crate::error::{CoreError, Result};
use oci_spec::runtime::LinuxResources;
use parking_lot::{Condvar, Mutex};
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

/// Signals whose default action does not end the process.
const NON_FATAL: [i32; 8] = [17, 18, 19, 20, 21, 22, 23, 28];
const SIGKILL: i32 = 9;

/// The fake runtime.
#[derive(Debug, Default)]
pub struct FakeRuntime {
    state: Mutex<FakeState>,
    exited: Condvar,
}

#[derive(Debug, Default)]
struct FakeState {
    containers: HashMap<String, FakeContainer>,
    exits: HashMap<String, ExitInfo>,
    ignored: HashMap<String, BTreeSet<i32>>,
    failures: HashMap<&'static str, VecDeque<String>>,
    next_pid: i32,
    /// Pending creates: launched, neither created nor dropped.
    launched: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Created,
    Running,
    /// Frozen; thawing goes back to `created` or `running`.
    Paused {
        was_running: bool,
    },
    Stopped,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused { .. } => "paused",
            Status::Stopped => "stopped",
        }
    }
}

#[derive(Debug)]
struct FakeContainer {
    status: Status,
    pid: i32,
    /// Signals sent while paused, delivered on resume.
    pending: Vec<i32>,
    resources: Option<LinuxResources>,
}

impl FakeRuntime {
    /// A fake runtime with no containers.
    pub fn new() -> Self {
        FakeRuntime::default()
    }

    /// Makes container `id`'s process exit with `code` (as if it ended by itself). Only a
    /// running process can end by itself; for any other container this does nothing.
    pub fn exit(&self, id: &str, code: i32) {
        self.end(id, code, false);
    }

    /// Makes the OOM killer end container `id`'s running process (exit code 137, marked as
    /// OOM-killed).
    pub fn oom_kill(&self, id: &str) {
        self.end(id, 128 + SIGKILL, true);
    }

    /// Makes container `id`'s process ignore `signals` (before or after it is created); it
    /// lasts until the ID is deleted. `SIGKILL` cannot be ignored.
    pub fn ignore_signals(&self, id: &str, signals: &[i32]) {
        let mut state = self.state.lock();
        let set = state.ignored.entry(id.to_string()).or_default();
        set.extend(signals.iter().copied().filter(|&signal| signal != SIGKILL));
    }

    /// Makes the next call of operation `op` (`create`, `start`, `kill`, `delete`, `state`,
    /// `pause`, `resume`, `update`) fail with `message`, as the runtime would, changing
    /// nothing. Calls queue up.
    pub fn fail_next(&self, op: &'static str, message: impl Into<String>) {
        let mut state = self.state.lock();
        state
            .failures
            .entry(op)
            .or_default()
            .push_back(message.into());
    }

    /// The resources container `id` was last updated with.
    pub fn resources(&self, id: &str) -> Option<LinuxResources> {
        let state = self.state.lock();
        state.containers.get(id)?.resources.clone()
    }

    /// How many creates are launched and pending (neither created nor dropped): a stand-in
    /// for monitors that would be left running.
    pub fn pending_creates(&self) -> usize {
        self.state.lock().launched
    }

    /// The IDs the runtime knows, sorted.
    pub fn ids(&self) -> Vec<String> {
        let state = self.state.lock();
        let mut ids: Vec<String> = state.containers.keys().cloned().collect();
        ids.sort();
        ids
    }

    fn end(&self, id: &str, code: i32, oom_killed: bool) {
        let mut state = self.state.lock();
        match state.containers.get(id).map(|c| c.status) {
            Some(Status::Running) => {
                state.stop(id, code, oom_killed);
                self.exited.notify_all();
            }
            other => tracing::warn!(id, ?other, "fake runtime: only a running process can exit"),
        }
    }

    /// Locks the state for operation `op` on `id`: fails if a failure was queued for `op`.
    fn begin(&self, op: &'static str, id: &str) -> Result<parking_lot::MutexGuard<'_, FakeState>> {
        let mut state = self.state.lock();
        if let Some(message) = state.failures.get_mut(op).and_then(VecDeque::pop_front) {
            return Err(error(id, op, message));
        }
        Ok(state)
    }
}

impl FakeState {
    fn get(&mut self, op: &'static str, id: &str) -> Result<&mut FakeContainer> {
        self.containers
            .get_mut(id)
            .ok_or_else(|| error(id, op, "container does not exist".into()))
    }

    /// The process ended: record the exit, as conmon would.
    fn stop(&mut self, id: &str, code: i32, oom_killed: bool) {
        if let Some(container) = self.containers.get_mut(id) {
            container.status = Status::Stopped;
            container.pending.clear();
        }
        let info = ExitInfo {
            code,
            finished_at: SystemTime::now(),
            oom_killed,
        };
        self.exits.insert(id.to_string(), info);
    }

    /// Delivers `signal` to a created or running process; true when it ended.
    fn deliver(&mut self, id: &str, signal: i32) -> bool {
        let ignored = self
            .ignored
            .get(id)
            .is_some_and(|set| set.contains(&signal));
        if ignored || NON_FATAL.contains(&signal) {
            return false;
        }
        self.stop(id, 128 + signal, false);
        true
    }
}

fn exists(id: &str) -> CoreError {
    error(
        id,
        "create",
        "container with given ID already exists".into(),
    )
}

/// A fake create between `launch` and `create`: nothing exists yet.
struct FakePending<'r> {
    runtime: &'r FakeRuntime,
    id: String,
    done: bool,
}

impl PendingCreate for FakePending<'_> {
    fn create(mut self: Box<Self>) -> Result<Created> {
        self.done = true;
        let mut state = self.runtime.state.lock();
        state.launched -= 1;
        if state.containers.contains_key(&self.id) {
            return Err(exists(&self.id));
        }
        state.exits.remove(&self.id);
        state.next_pid += 2;
        let pid = 1000 + state.next_pid;
        let container = FakeContainer {
            status: Status::Created,
            pid,
            pending: Vec::new(),
            resources: None,
        };
        state.containers.insert(self.id.clone(), container);
        Ok(Created {
            pid,
            conmon_pid: pid - 1,
        })
    }
}

impl Drop for FakePending<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.runtime.state.lock().launched -= 1;
        }
    }
}

fn error(id: &str, op: &'static str, message: String) -> CoreError {
    CoreError::OciRuntime {
        id: id.to_string(),
        runtime: "fake".into(),
        op,
        message,
    }
}

impl OciRuntime for FakeRuntime {
    fn name(&self) -> &str {
        "fake"
    }

    fn launch<'r>(&'r self, args: &CreateArgs<'_>) -> Result<Box<dyn PendingCreate + 'r>> {
        if args.restore.is_some() {
            return Err(CoreError::RuntimeUnsupported {
                id: args.id.to_string(),
                runtime: "fake".into(),
                what: "restore",
            });
        }
        let state = self.begin("create", args.id)?;
        if state.containers.contains_key(args.id) {
            return Err(exists(args.id));
        }
        drop(state);
        self.state.lock().launched += 1;
        Ok(Box::new(FakePending {
            runtime: self,
            id: args.id.to_string(),
            done: false,
        }))
    }
    fn start(&self, id: &str) -> Result<()> {
        let mut state = self.begin("start", id)?;
        let container = state.get("start", id)?;
        match container.status {
            Status::Created => {
                container.status = Status::Running;
                Ok(())
            }
            Status::Stopped => Err(error(
                id,
                "start",
                "cannot start a container that has stopped".into(),
            )),
            Status::Running => Err(error(
                id,
                "start",
                "cannot start an already running container".into(),
            )),
            other => Err(error(
                id,
                "start",
                format!("cannot start a container in the {} state", other.name()),
            )),
        }
    }

    fn kill(&self, id: &str, signal: i32, _all: bool) -> Result<()> {
        let mut state = self.begin("kill", id)?;
        if !(1..=64).contains(&signal) {
            return Err(error(id, "kill", format!("unknown signal {signal:?}")));
        }
        let container = state.get("kill", id)?;
        match container.status {
            Status::Stopped => Err(error(id, "kill", "container not running".into())),
            Status::Paused { .. } if signal != SIGKILL => {
                container.pending.push(signal);
                Ok(())
            }
            Status::Created | Status::Running | Status::Paused { .. } => {
                if state.deliver(id, signal) {
                    self.exited.notify_all();
                }
                Ok(())
            }
        }
    }

    fn delete(&self, id: &str, force: bool) -> Result<()> {
        let mut state = self.begin("delete", id)?;
        let Some(container) = state.containers.get(id) else {
            return Ok(());
        };
        match container.status {
            Status::Stopped => {}
            Status::Created => state.stop(id, 128 + SIGKILL, false),
            Status::Running | Status::Paused { .. } if force => {
                state.stop(id, 128 + SIGKILL, false)
            }
            other => {
                let message = format!(
                    "cannot delete container {id} that is not stopped: {}",
                    other.name()
                );
                return Err(error(id, "delete", message));
            }
        }
        state.containers.remove(id);
        state.ignored.remove(id);
        self.exited.notify_all();
        Ok(())
    }

    fn state(&self, id: &str) -> Result<Option<RuntimeState>> {
        let state = self.begin("state", id)?;
        Ok(state.containers.get(id).map(|container| RuntimeState {
            status: container.status.name().to_string(),
            pid: (container.status != Status::Stopped).then_some(container.pid),
        }))
    }

    fn pause(&self, id: &str) -> Result<()> {
        let mut state = self.begin("pause", id)?;
        let container = state.get("pause", id)?;
        match container.status {
            Status::Created | Status::Running => {
                let was_running = container.status == Status::Running;
                container.status = Status::Paused { was_running };
                Ok(())
            }
            _ => Err(error(id, "pause", "container not running".into())),
        }
    }

    fn resume(&self, id: &str) -> Result<()> {
        let mut state = self.begin("resume", id)?;
        let container = state.get("resume", id)?;
        let Status::Paused { was_running } = container.status else {
            return Err(error(id, "resume", "container not paused".into()));
        };
        container.status = if was_running {
            Status::Running
        } else {
            Status::Created
        };
        let pending = std::mem::take(&mut container.pending);
        for signal in pending {
            if state.deliver(id, signal) {
                self.exited.notify_all();
                break;
            }
        }
        Ok(())
    }

    fn update(&self, id: &str, resources: &LinuxResources) -> Result<()> {
        let mut state = self.begin("update", id)?;
        let container = state.get("update", id)?;
        if container.status == Status::Stopped {
            return Err(error(id, "update", "container not running".into()));
        }
        container.resources = Some(resources.clone());
        Ok(())
    }

    fn exit_info(&self, id: &str) -> Result<Option<ExitInfo>> {
        Ok(self.state.lock().exits.get(id).copied())
    }

    fn wait_exit(&self, id: &str, timeout: Option<Duration>) -> Result<Option<ExitInfo>> {
        let deadline = timeout.map(|timeout| Instant::now() + timeout);
        let mut state = self.state.lock();
        loop {
            if let Some(info) = state.exits.get(id) {
                return Ok(Some(*info));
            }
            match deadline {
                Some(deadline) => {
                    if self.exited.wait_until(&mut state, deadline).timed_out() {
                        return Ok(state.exits.get(id).copied());
                    }
                }
                None => self.exited.wait(&mut state),
            }
        }
    }

    fn clear_exit(&self, id: &str) -> Result<()> {
        self.state.lock().exits.remove(id);
        Ok(())
    }
}

#[cfg(test)]
#[path = "fake_tests.rs"]
mod tests;
