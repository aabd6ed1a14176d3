//! Keeps the kernel's cgroup migration lock warm while an OCI runtime moves a process into a
//! container's cgroups (a container's first process at create, each exec's process).
//!
//! Every move of a task between cgroups takes one global lock for writing (the kernel's
//! `cgroup_threadgroup_rwsem`). When no move happened during the last grace period, taking it
//! first waits for an RCU grace period: 6-20 ms on this kind of machine, a third of a `runc
//! exec`. A move within a grace period of the last one skips the wait. The `favordynmods`
//! cgroup mount option removes the wait for good, at a cost to every fork and exit, and hosts
//! rarely set it.
//!
//! So while an operation that will move a process is under way, a thread of ours takes that
//! lock itself, once at once and again every few milliseconds: it writes its own thread ID
//! into its own cgroup (`cgroup.threads` in v2, `tasks` in v1), which moves nothing. The
//! first write pays the grace period while we, conmon and the runtime are still getting
//! ready; the runtime's own move then finds the lock warm. One thread serves every operation
//! of the process, and it ends with the last of them. Nothing depends on it: where the file
//! cannot be written (no cgroupfs, no permission) the operation just runs as before.

use std::fs::File;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// How often the lock is taken again while warm: well within the grace period after which
/// the kernel goes back to the slow path.
const PERIOD: Duration = Duration::from_millis(3);

/// Failed writes in a row after which the warm-up is off for good (the cgroup removed, ...).
const MAX_FAILURES: u32 = 3;

struct Shared {
    /// Operations under way.
    users: usize,
    /// Whether the thread runs.
    running: bool,
    /// The target could not be opened: nothing to do from now on.
    unwritable: bool,
    /// Writes that went through.
    touches: u64,
}

/// The thread's state and the file it writes: one per process ([`WARMER`]).
struct Warmer {
    shared: Mutex<Shared>,
    wake: Condvar,
    target: OnceLock<Option<PathBuf>>,
    /// Where the target is found ([`this_process`] but in the tests).
    find_target: fn() -> Option<PathBuf>,
}

static WARMER: Warmer = Warmer::new(this_process);

/// Held while an operation that moves a process into a cgroup is under way: the migration
/// lock is kept warm until the last one is dropped.
#[must_use = "the lock is kept warm only while this is held"]
#[derive(Debug)]
pub(crate) struct Warmup {
    warmer: Option<&'static Warmer>,
}

impl std::fmt::Debug for Warmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Warmer").finish_non_exhaustive()
    }
}

impl Warmup {
    /// Starts keeping the lock warm (or joins the thread that does).
    pub(crate) fn begin() -> Warmup {
        WARMER.begin()
    }
}

impl Drop for Warmup {
    fn drop(&mut self) {
        if let Some(warmer) = self.warmer {
            let mut shared = warmer.shared();
            shared.users -= 1;
            if shared.users == 0 {
                warmer.wake.notify_all();
            }
        }
    }
}

impl Warmer {
    const fn new(find_target: fn() -> Option<PathBuf>) -> Warmer {
        Warmer {
            shared: Mutex::new(Shared {
                users: 0,
                running: false,
                unwritable: false,
                touches: 0,
            }),
            wake: Condvar::new(),
            target: OnceLock::new(),
            find_target,
        }
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn target(&self) -> Option<&PathBuf> {
        self.target.get_or_init(self.find_target).as_ref()
    }

    fn begin(&'static self) -> Warmup {
        if self.target().is_none() {
            return Warmup { warmer: None };
        }
        let mut shared = self.shared();
        if shared.unwritable {
            return Warmup { warmer: None };
        }
        shared.users += 1;
        if !shared.running {
            let spawned = std::thread::Builder::new()
                .name("cgroup-warmup".into())
                .spawn(|| self.keep_warm());
            match spawned {
                Ok(_) => shared.running = true,
                Err(err) => tracing::debug!(%err, "no cgroup warm-up thread"),
            }
        }
        Warmup { warmer: Some(self) }
    }

    /// The thread: a write, then another each period, until no operation is left.
    fn keep_warm(&self) {
        let tid = nix::unistd::gettid().to_string();
        let mut file = self.target().and_then(|path| {
            File::options()
                .write(true)
                .open(path)
                .map_err(|err| tracing::debug!(path = %path.display(), %err, "no cgroup warm-up"))
                .ok()
        });
        let mut failures = 0;
        loop {
            // One system call per write, as a cgroup file wants it.
            let written = file
                .as_mut()
                .is_some_and(|f| f.write(tid.as_bytes()).is_ok());
            failures = if written { 0 } else { failures + 1 };
            if failures >= MAX_FAILURES {
                file = None;
            }
            let mut shared = self.shared();
            if written {
                shared.touches += 1;
            }
            shared.unwritable |= file.is_none();
            if shared.users > 0 && file.is_some() {
                shared = self
                    .wake
                    .wait_timeout_while(shared, PERIOD, |s| s.users > 0)
                    .unwrap_or_else(|p| p.into_inner())
                    .0;
            }
            if shared.users == 0 || file.is_none() {
                shared.running = false;
                return;
            }
        }
    }
}

/// The file whose write takes the lock and moves nothing, for this process.
fn this_process() -> Option<PathBuf> {
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    resolve(&cgroup, &mountinfo)
}

/// From `/proc/self/cgroup` and `/proc/self/mountinfo`: the `cgroup.threads` of this
/// process's v2 cgroup, else the `tasks` of its cgroup in a v1 hierarchy. Both take a thread
/// ID and move only that thread, into the cgroup it is in already.
fn resolve(cgroup: &str, mountinfo: &str) -> Option<PathBuf> {
    let mounts: Vec<CgroupMount<'_>> = mountinfo.lines().filter_map(CgroupMount::parse).collect();
    let mut v1 = None;
    for line in cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(hierarchy), Some(controllers), Some(path)) =
            (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        if hierarchy == "0" && controllers.is_empty() {
            if let Some(file) = mounts
                .iter()
                .filter(|m| m.v2)
                .find_map(|m| m.file(path, "cgroup.threads"))
            {
                return Some(file);
            }
        } else if v1.is_none() {
            v1 = mounts
                .iter()
                .filter(|m| !m.v2 && m.serves(controllers.split(',')))
                .find_map(|m| m.file(path, "tasks"));
        }
    }
    v1
}

/// A cgroup filesystem mounted here.
struct CgroupMount<'a> {
    /// The cgroup shown at the mount point (`/` but in a container's own view).
    root: &'a str,
    mount_point: &'a str,
    v2: bool,
    /// Its super options: a v1 hierarchy's controllers (`cpu`, `name=systemd`, ...).
    options: &'a str,
}

impl<'a> CgroupMount<'a> {
    fn parse(line: &'a str) -> Option<CgroupMount<'a>> {
        let (before, after) = line.split_once(" - ")?;
        let mut fields = before.split(' ');
        let root = fields.nth(3)?;
        let mount_point = fields.next()?;
        let mut after = after.split(' ');
        let v2 = match after.next()? {
            "cgroup2" => true,
            "cgroup" => false,
            _ => return None,
        };
        let options = after.nth(1).unwrap_or("");
        // Octal escapes (a space in a path): not worth decoding for this.
        if root.contains('\\') || mount_point.contains('\\') {
            return None;
        }
        Some(CgroupMount {
            root,
            mount_point,
            v2,
            options,
        })
    }

    /// Whether this v1 hierarchy holds every one of `controllers`.
    fn serves<'c>(&self, mut controllers: impl Iterator<Item = &'c str>) -> bool {
        controllers.all(|c| !c.is_empty() && self.options.split(',').any(|o| o == c))
    }

    /// `name` in the directory of cgroup `path` under this mount; none when the mount does
    /// not show that cgroup (its root is not an ancestor: another cgroup namespace's view).
    fn file(&self, path: &str, name: &str) -> Option<PathBuf> {
        let path = Path::new(path);
        if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
            return None;
        }
        let relative = path.strip_prefix(self.root).ok()?;
        Some(Path::new(self.mount_point).join(relative).join(name))
    }
}

#[cfg(test)]
#[path = "cgroup_warmup_tests.rs"]
mod tests;
