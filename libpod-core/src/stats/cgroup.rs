//! A container's cgroup, found from its process, and the few files `stats` reads: v1
//! controllers (each in its own hierarchy, or co-mounted: `/sys/fs/cgroup/NAME` is a
//! directory or a link to one either way) or the v2 unified tree.

use crate::error::{CoreError, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where cgroup hierarchies are mounted.
const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// Ticks per second of `cpuacct.stat` (the kernel's `USER_HZ`, 100 on every architecture
/// Linux exports it for).
const USER_HZ: u64 = 100;

/// A process's cgroup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Cgroup {
    /// cgroup v1: the directory of each controller.
    V1(BTreeMap<String, PathBuf>),
    /// cgroup v2: the one directory.
    V2(PathBuf),
}

/// The numbers of one sample.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Sample {
    pub cpu_nano: u64,
    pub cpu_system_nano: u64,
    pub mem_usage: u64,
    pub mem_limit: u64,
    pub pids: u64,
    pub block_read: u64,
    pub block_write: u64,
}

impl Cgroup {
    /// The cgroup of process `pid` (host PID), from `/proc/PID/cgroup`.
    pub(super) fn of_process(pid: i32) -> Result<Cgroup> {
        let path = PathBuf::from(format!("/proc/{pid}/cgroup"));
        let text =
            std::fs::read_to_string(&path).map_err(|e| CoreError::io("read cgroup", &path, e))?;
        let unified = nix::sys::statfs::statfs(CGROUP_ROOT)
            .is_ok_and(|fs| fs.filesystem_type() == nix::sys::statfs::CGROUP2_SUPER_MAGIC);
        Ok(Cgroup::parse(&text, unified, Path::new(CGROUP_ROOT)))
    }

    /// Reads `/proc/PID/cgroup`'s `text`, hierarchies under `root`.
    pub(super) fn parse(text: &str, unified: bool, root: &Path) -> Cgroup {
        let mut controllers = BTreeMap::new();
        let mut unified_path = None;
        for line in text.lines() {
            let mut parts = line.splitn(3, ':');
            let (Some(_), Some(names), Some(path)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let relative = path.trim_start_matches('/');
            if names.is_empty() {
                unified_path = Some(root.join(relative));
                continue;
            }
            for name in names.split(',').filter(|n| !n.starts_with("name=")) {
                controllers.insert(name.to_string(), root.join(name).join(relative));
            }
        }
        match unified_path {
            Some(dir) if unified => Cgroup::V2(dir),
            _ => Cgroup::V1(controllers),
        }
    }

    /// The directory of `controller` (v1), or the unified one.
    fn dir(&self, controller: &str) -> Result<&Path> {
        match self {
            Cgroup::V2(dir) => Ok(dir),
            Cgroup::V1(controllers) => controllers
                .get(controller)
                .map(PathBuf::as_path)
                .ok_or_else(|| CoreError::InvalidOption {
                    option: "cgroup",
                    reason: format!("the process is in no {controller} cgroup"),
                }),
        }
    }

    /// The host PIDs of the processes in the cgroup.
    pub(super) fn processes(&self) -> Result<Vec<i32>> {
        let file = self.dir("pids")?.join("cgroup.procs");
        let text = read(&file)?;
        Ok(text.lines().filter_map(|l| l.trim().parse().ok()).collect())
    }

    /// One sample of CPU, memory, PIDs and block I/O.
    pub(super) fn sample(&self) -> Result<Sample> {
        let mut sample = Sample::default();
        match self {
            Cgroup::V2(dir) => {
                let cpu_stat = read(&dir.join("cpu.stat"))?;
                let cpu = keyed(&cpu_stat);
                sample.cpu_nano = cpu.get("usage_usec").copied().unwrap_or(0) * 1_000;
                sample.cpu_system_nano = cpu.get("system_usec").copied().unwrap_or(0) * 1_000;
                sample.mem_usage = keyed(&read(&dir.join("memory.stat"))?)
                    .get("anon")
                    .copied()
                    .unwrap_or(0);
                sample.mem_limit = limit(&read(&dir.join("memory.max"))?);
                sample.pids = number(&read(&dir.join("pids.current"))?);
                (sample.block_read, sample.block_write) =
                    io_stat(&read_or_empty(&dir.join("io.stat"))?);
            }
            Cgroup::V1(_) => {
                let cpuacct = self.dir("cpuacct")?;
                sample.cpu_nano = number(&read(&cpuacct.join("cpuacct.usage"))?);
                sample.cpu_system_nano = keyed(&read(&cpuacct.join("cpuacct.stat"))?)
                    .get("system")
                    .map_or(0, |ticks| ticks * (1_000_000_000 / USER_HZ));
                let memory = self.dir("memory")?;
                sample.mem_usage = number(&read(&memory.join("memory.usage_in_bytes"))?);
                sample.mem_limit = limit(&read(&memory.join("memory.limit_in_bytes"))?);
                sample.pids = number(&read(&self.dir("pids")?.join("pids.current"))?);
                let blkio = self.dir("blkio")?;
                // runc's order: the CFQ/BFQ file, else the throttling one (always kept).
                let mut bytes = blkio_bytes(&read_or_empty(
                    &blkio.join("blkio.io_service_bytes_recursive"),
                )?);
                if bytes.is_none() {
                    bytes = blkio_bytes(&read_or_empty(
                        &blkio.join("blkio.throttle.io_service_bytes_recursive"),
                    )?);
                }
                (sample.block_read, sample.block_write) = bytes.unwrap_or((0, 0));
            }
        }
        Ok(sample)
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| CoreError::io("read cgroup file", path, e))
}

/// A file a kernel without the controller's option lacks: empty then.
fn read_or_empty(path: &Path) -> Result<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(err) => Err(CoreError::io("read cgroup file", path, err)),
    }
}

fn number(text: &str) -> u64 {
    text.trim().parse().unwrap_or(0)
}

/// A limit: a number, or `max` (none).
fn limit(text: &str) -> u64 {
    text.trim().parse().unwrap_or(u64::MAX)
}

/// `KEY VALUE` lines.
pub(super) fn keyed(text: &str) -> BTreeMap<&str, u64> {
    text.lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(' ')?;
            Some((key, value.trim().parse().ok()?))
        })
        .collect()
}

/// v1 `MAJ:MIN Read N` / `MAJ:MIN Write N` lines summed; `None` when there are none.
pub(super) fn blkio_bytes(text: &str) -> Option<(u64, u64)> {
    let mut found = false;
    let (mut read, mut write) = (0u64, 0u64);
    for line in text.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [_, op, value] = fields[..] else { continue };
        let Ok(value) = value.parse::<u64>() else {
            continue;
        };
        match op.to_ascii_lowercase().as_str() {
            "read" => read += value,
            "write" => write += value,
            _ => continue,
        }
        found = true;
    }
    found.then_some((read, write))
}

/// v2 `MAJ:MIN rbytes=N wbytes=N ...` lines summed.
pub(super) fn io_stat(text: &str) -> (u64, u64) {
    let (mut read, mut write) = (0u64, 0u64);
    for field in text.split_whitespace() {
        let Some((key, value)) = field.split_once('=') else {
            continue;
        };
        let value: u64 = value.parse().unwrap_or(0);
        match key {
            "rbytes" => read += value,
            "wbytes" => write += value,
            _ => {}
        }
    }
    (read, write)
}

#[cfg(test)]
#[path = "cgroup_tests.rs"]
mod tests;
