//! runc's `start` and `delete` done in process, in the cases where runc itself only works on
//! files, to spare a Go process (5-7 ms each here) on the path of every container.
//!
//! - **start**: `runc create` leaves the container's init blocked opening
//!   `STATE_DIR/exec.fifo` for writing. `runc start` opens the FIFO for reading, reads the byte
//!   init then writes, and removes the FIFO (its absence is how runc tells a running container
//!   from a created one). [`start`] does the same.
//! - **delete** of a stopped container: runc removes the container's cgroups (each path of
//!   `state.json`'s `cgroup_paths`, sub-cgroups first) and its state directory. [`delete`]
//!   does that only when it is all runc would do: init is gone, the container had a PID
//!   namespace of its own (otherwise runc first kills what is left in the cgroup), and there
//!   are no poststop hooks, no Intel RDT group, no systemd unit and no rootless cgroups.
//!
//! Anything else, or anything unexpected, is a [`Direct::Fallback`]: the caller runs the runtime
//! binary instead, which then does the job or reports runc's own error. Only runc takes this
//! path (crun's start also runs poststart hooks); the layout followed is runc 1.x's, and the
//! conformance suite runs against the real runc both ways.

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The FIFO a created container's init waits on.
const EXEC_FIFO: &str = "exec.fifo";
/// runc's record of the container.
const STATE_FILE: &str = "state.json";
/// How long to wait for init's byte before checking that init still lives (runc: 100 ms).
const START_CHECK: u16 = 100;
/// Pauses before retrying a cgroup that is still busy (processes of the dead PID namespace
/// not yet gone); after them, runc's own delete retries for longer.
const BUSY_RETRIES: [Duration; 3] = [
    Duration::from_millis(1),
    Duration::from_millis(3),
    Duration::from_millis(10),
];
/// Where cgroup hierarchies are mounted: nothing else is ever removed.
const CGROUP_ROOT: &str = "/sys/fs/cgroup/";

/// What a direct operation did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Direct {
    /// Done, as runc would have done it.
    Done,
    /// Not done (or not all of it): run the runtime binary. Says why, for the debug log.
    Fallback(String),
}

/// `runc start` of the created container whose state directory is `state_dir`.
pub(crate) fn start(state_dir: &Path) -> Direct {
    let fifo_path = state_dir.join(EXEC_FIFO);
    // Non-blocking, so that a FIFO nobody writes to any more cannot hang us: init's blocked
    // open completes as soon as we are open, and it writes its byte at once.
    let mut fifo = match OpenOptions::new()
        .read(true)
        .custom_flags(nix::libc::O_NONBLOCK)
        .open(&fifo_path)
    {
        Ok(fifo) => fifo,
        Err(err) => return fallback("opening", &fifo_path, err),
    };
    match fifo.metadata() {
        Ok(meta) if meta.file_type().is_fifo() => {}
        Ok(_) => return Direct::Fallback(format!("{} is not a FIFO", fifo_path.display())),
        Err(err) => return fallback("inspecting", &fifo_path, err),
    }
    let mut init: Option<InitProcess> = None;
    loop {
        let mut fds = [PollFd::new(fifo.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(START_CHECK)) {
            Ok(0) => {
                // No byte yet: a slow init on a loaded machine, or one that died.
                let process = match &init {
                    Some(process) => process,
                    None => match read_state(state_dir) {
                        Ok(state) => init.insert(state.init_process()),
                        Err(reason) => return Direct::Fallback(reason),
                    },
                };
                match process.status() {
                    InitStatus::Gone => {
                        return Direct::Fallback("the container's init is gone".into());
                    }
                    InitStatus::Waiting => {}
                    InitStatus::PastFifo => {
                        // An earlier start read the byte and was killed before it removed the
                        // FIFO: the container runs; only the removal is left to do.
                        tracing::warn!(fifo = %fifo_path.display(), "finishing a start that was interrupted after init went on");
                        break;
                    }
                }
            }
            Ok(_) => break,
            Err(Errno::EINTR) => {}
            Err(errno) => return fallback("waiting on", &fifo_path, errno.into()),
        }
    }
    let mut byte = [0u8; 1];
    let passed = init
        .as_ref()
        .is_some_and(|process| process.status() == InitStatus::PastFifo);
    match fifo.read(&mut byte) {
        Ok(1) => {}
        Ok(_) | Err(_) if passed => {}
        Ok(_) => return Direct::Fallback("init closed its FIFO without a byte".into()),
        Err(err) => return fallback("reading", &fifo_path, err),
    }
    match std::fs::remove_file(&fifo_path) {
        Ok(()) => Direct::Done,
        Err(err) => fallback("removing", &fifo_path, err),
    }
}

/// `runc delete` (without force) of the stopped container whose state directory is
/// `state_dir`. A container the runtime does not know (no state directory) is deleted
/// already, as `runc delete` of an unknown ID is for the caller.
pub(crate) fn delete(state_dir: &Path) -> Direct {
    if !state_dir.exists() {
        return Direct::Done;
    }
    let state = match read_state(state_dir) {
        Ok(state) => state,
        Err(reason) => return Direct::Fallback(reason),
    };
    if let Err(reason) = state.only_files_to_remove() {
        return Direct::Fallback(reason);
    }
    if state.init_process().alive() {
        return Direct::Fallback("the container's init is alive".into());
    }
    if state_dir.join(EXEC_FIFO).exists() {
        return Direct::Fallback("the container was never started".into());
    }
    for path in state.cgroup_paths.values() {
        if let Err(err) = remove_cgroup(path) {
            return fallback("removing cgroup", path, err);
        }
    }
    match std::fs::remove_dir_all(state_dir) {
        Ok(()) => Direct::Done,
        Err(err) if err.kind() == io::ErrorKind::NotFound => Direct::Done,
        Err(err) => fallback("removing", state_dir, err),
    }
}

fn fallback(op: &str, path: &Path, err: io::Error) -> Direct {
    Direct::Fallback(format!("{op} {}: {err}", path.display()))
}

/// The parts of runc's `state.json` that decide and do a delete.
#[derive(Debug, Deserialize)]
struct StateFile {
    init_process_pid: i32,
    init_process_start: u64,
    #[serde(default)]
    rootless: bool,
    #[serde(default)]
    cgroup_paths: BTreeMap<String, PathBuf>,
    #[serde(default)]
    intel_rdt_path: Option<String>,
    config: StateConfig,
}

#[derive(Debug, Deserialize)]
struct StateConfig {
    #[serde(default)]
    namespaces: Vec<StateNamespace>,
    /// Hooks by stage (runc writes `null` when there are none).
    #[serde(default, rename = "Hooks")]
    hooks: Option<BTreeMap<String, serde_json::Value>>,
    cgroups: StateCgroups,
}

#[derive(Debug, Deserialize)]
struct StateNamespace {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    path: String,
}

#[derive(Debug, Deserialize)]
struct StateCgroups {
    #[serde(rename = "Systemd")]
    systemd: bool,
    #[serde(rename = "Rootless")]
    rootless: bool,
}

fn read_state(state_dir: &Path) -> Result<StateFile, String> {
    let path = state_dir.join(STATE_FILE);
    let bytes = std::fs::read(&path).map_err(|err| format!("reading {}: {err}", path.display()))?;
    serde_json::from_slice(&bytes).map_err(|err| format!("parsing {}: {err}", path.display()))
}

impl StateFile {
    /// Whether runc's delete of this container, stopped, is only removing its cgroups and
    /// state directory; else why not.
    fn only_files_to_remove(&self) -> Result<(), String> {
        let own_pid_namespace = self
            .config
            .namespaces
            .iter()
            .any(|ns| ns.kind == "NEWPID" && ns.path.is_empty());
        if !own_pid_namespace {
            return Err("no PID namespace of its own: processes may outlive init".into());
        }
        let has_hooks = self
            .config
            .hooks
            .iter()
            .flatten()
            .any(|(_, hooks)| hooks.as_array().is_some_and(|list| !list.is_empty()));
        if has_hooks {
            return Err("it has hooks".into());
        }
        if self
            .intel_rdt_path
            .as_deref()
            .is_some_and(|p| !p.is_empty())
        {
            return Err("it has an Intel RDT group".into());
        }
        if self.rootless || self.config.cgroups.rootless || self.config.cgroups.systemd {
            return Err("its cgroups are rootless or systemd's".into());
        }
        match self
            .cgroup_paths
            .values()
            .find(|path| !path.starts_with(CGROUP_ROOT) || path.components().any(is_parent))
        {
            Some(path) => Err(format!("unexpected cgroup path {}", path.display())),
            None => Ok(()),
        }
    }

    fn init_process(&self) -> InitProcess {
        InitProcess {
            pid: self.init_process_pid,
            start_time: self.init_process_start,
        }
    }
}

fn is_parent(component: std::path::Component<'_>) -> bool {
    component == std::path::Component::ParentDir
}

/// The container's init, as runc recorded it: a PID and its start time (PIDs get reused).
#[derive(Debug)]
struct InitProcess {
    pid: i32,
    start_time: u64,
}

/// What runc's init is doing, from `/proc/PID/stat`.
#[derive(Debug, PartialEq, Eq)]
enum InitStatus {
    /// Not there (or another process with its PID, or a zombie).
    Gone,
    /// Still runc's init (its command name `runc:[2:INIT]`), before or on the exec FIFO.
    Waiting,
    /// Alive under another name: it passed the FIFO and ran the container's process.
    PastFifo,
}

/// The command name runc 1.x gives its init until it runs the container's process.
const RUNC_INIT_COMM: &str = "runc:[2:INIT]";

impl InitProcess {
    /// runc's rule: alive while `/proc/PID/stat` exists with the recorded start time and the
    /// process is neither a zombie nor dead.
    fn alive(&self) -> bool {
        self.status() != InitStatus::Gone
    }

    fn status(&self) -> InitStatus {
        if self.pid <= 0 {
            return InitStatus::Gone;
        }
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return InitStatus::Gone;
        };
        match parse_stat(&stat) {
            Some((state, start_time))
                if start_time == self.start_time && !matches!(state, 'Z' | 'X' | 'x') =>
            {
                if stat_comm(&stat) == Some(RUNC_INIT_COMM) {
                    InitStatus::Waiting
                } else {
                    InitStatus::PastFifo
                }
            }
            _ => InitStatus::Gone,
        }
    }
}

/// The command name (field 2, between the first `(` and the last `)`) of a stat line.
fn stat_comm(stat: &str) -> Option<&str> {
    stat.get(stat.find('(')? + 1..stat.rfind(')')?)
}

/// The state letter and start time (field 22) of a `/proc/PID/stat` line. The command name
/// (field 2) is in parentheses and may hold anything, so fields count from the last `)`.
pub(crate) fn parse_stat(stat: &str) -> Option<(char, u64)> {
    let rest = stat.get(stat.rfind(')')? + 1..)?;
    let mut fields = rest.split_ascii_whitespace();
    let state = fields.next()?.chars().next()?;
    // Fields 4..=21 come between the state (3) and the start time (22).
    let start_time = fields.nth(18)?.parse().ok()?;
    Some((state, start_time))
}

/// Removes a cgroup directory and the sub-cgroups under it (cgroupfs directories can only be
/// removed with rmdir, deepest first). Retries briefly while the kernel still counts a task
/// in it; gone already is fine.
fn remove_cgroup(path: &Path) -> io::Result<()> {
    let mut pauses = BUSY_RETRIES.iter();
    loop {
        match remove_cgroup_tree(path) {
            Ok(()) => return Ok(()),
            Err(err) if err.raw_os_error() == Some(nix::libc::EBUSY) => match pauses.next() {
                Some(pause) => std::thread::sleep(*pause),
                None => return Err(err),
            },
            Err(err) => return Err(err),
        }
    }
}

fn remove_cgroup_tree(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir(path) {
        Ok(()) => return Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) if err.raw_os_error() == Some(nix::libc::EBUSY) => {
            // Busy: tasks, or sub-cgroups. Remove the latter and try again.
            let mut children = false;
            for entry in std::fs::read_dir(path)? {
                let entry = entry?;
                if entry.file_type()?.is_dir() {
                    children = true;
                    remove_cgroup_tree(&entry.path())?;
                }
            }
            if !children {
                return Err(err);
            }
        }
        Err(err) => return Err(err),
    }
    match std::fs::remove_dir(path) {
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
#[path = "direct_tests.rs"]
mod tests;
