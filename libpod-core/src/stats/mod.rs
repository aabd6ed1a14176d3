//! Resource use of running containers, as `podman stats` and `podman top` report it.
//!
//! Read directly from the cgroup files and /proc, not through `cgroups-rs`: a handful of
//! files (cpuacct/cpu.stat, memory, pids, blkio/io.stat), read-only, for a cgroup the OCI
//! runtime made. `cgroups-rs` is built to create and configure hierarchies; for reading it
//! would bring its own layout detection and a large API for five numbers. The container's
//! cgroup is found from `/proc/PID/cgroup` of its process, which names it as seen from our
//! cgroup namespace whatever cgroup manager placed it: v1 controllers (the hybrid layout of
//! this host included) or the v2 unified tree when `/sys/fs/cgroup` is cgroup2.
//!
//! [`Container::stats`] gives one sample; a stream is samples taken in turn, each passed the
//! previous one, so that the CPU percentage is that of the interval between them (Podman's
//! `calculateCPUPercent`). [`Container::top`] lists the container's processes with psgo's
//! descriptors (see [`top`]).
//!
//! ```no_run
//! # fn f(ctr: &libpod_core::container::Container) -> libpod_core::Result<()> {
//! let first = ctr.stats(None)?;
//! std::thread::sleep(std::time::Duration::from_secs(1));
//! let second = ctr.stats(Some(&first))?;
//! println!("{:.2}% CPU, {} bytes", second.cpu, second.mem_usage);
//! # Ok(()) }
//! ```

mod cgroup;
mod duration;
mod net;
mod procfs;
pub mod top;

pub use duration::go_duration;
pub use top::TopOutput;

use crate::container::{Container, ContainerStatus};
use crate::error::Result;
use serde::Serialize;

/// One sample of a container's resource use: Podman's `define.ContainerStats`, with its
/// field names in JSON.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ContainerStats {
    /// The container's ID.
    #[serde(rename = "ContainerID")]
    pub container_id: String,
    /// Its name.
    pub name: String,
    /// CPU use over the interval since the previous sample (or since the start), in percent
    /// of one CPU.
    #[serde(rename = "CPU")]
    pub cpu: f64,
    /// CPU time used, in nanoseconds.
    #[serde(rename = "CPUNano")]
    pub cpu_nano: u64,
    /// Of which in the kernel.
    #[serde(rename = "CPUSystemNano")]
    pub cpu_system_nano: u64,
    /// When this sample was taken, in nanoseconds since the epoch.
    pub system_nano: u64,
    /// Memory in use, in bytes (v1: `memory.usage_in_bytes`; v2: `anon` of `memory.stat`,
    /// as Podman reads them).
    pub mem_usage: u64,
    /// The memory limit: the cgroup's, or the host's memory when that is lower.
    pub mem_limit: u64,
    /// Usage in percent of the limit.
    pub mem_perc: f64,
    /// Bytes received by the container's network interfaces (not `lo`).
    pub net_input: u64,
    /// Bytes sent.
    pub net_output: u64,
    /// Bytes read from block devices.
    pub block_input: u64,
    /// Bytes written.
    pub block_output: u64,
    /// Processes and threads in the cgroup.
    #[serde(rename = "PIDs")]
    pub pids: u64,
    /// CPU time used, as a duration in nanoseconds (Podman's `UpTime`).
    pub up_time: u64,
    /// The same (Podman's `Duration`).
    pub duration: u64,
    /// CPU use averaged since the container started, in percent.
    #[serde(rename = "AvgCPU")]
    pub avg_cpu: f64,
}

impl Container {
    /// One sample of the container's resource use (see the [module docs](self)).
    /// `previous` is the last sample of this container, for the CPU percentage over the
    /// interval; without it the percentage is since the container started. A container that
    /// is neither running nor paused has all zeros, as Podman reports it.
    pub fn stats(&self, previous: Option<&ContainerStats>) -> Result<ContainerStats> {
        let state = self.state()?;
        let mut stats = ContainerStats {
            container_id: self.id().to_string(),
            name: self.name().to_string(),
            ..ContainerStats::default()
        };
        let pid = match (state.status, state.pid) {
            (ContainerStatus::Running | ContainerStatus::Paused, Some(pid)) => pid,
            _ => return Ok(stats),
        };
        let started = state
            .started_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .and_then(|t| t.timestamp_nanos_opt())
            .and_then(|n| u64::try_from(n).ok())
            .unwrap_or(0);
        let cgroup = cgroup::Cgroup::of_process(pid)?;
        let sample = cgroup.sample()?;
        let now = now_nanos();
        // A lower total than the previous sample's: a restart, in a new cgroup.
        let previous = previous
            .filter(|p| p.cpu_nano <= sample.cpu_nano)
            .map_or((0, started), |p| (p.cpu_nano, p.system_nano));
        stats.cpu = cpu_percent(sample.cpu_nano, previous.0, now, previous.1);
        stats.avg_cpu = cpu_percent(sample.cpu_nano, 0, now, started);
        stats.cpu_nano = sample.cpu_nano;
        stats.cpu_system_nano = sample.cpu_system_nano;
        stats.system_nano = now;
        stats.up_time = sample.cpu_nano;
        stats.duration = sample.cpu_nano;
        stats.mem_usage = sample.mem_usage;
        stats.mem_limit = sample
            .mem_limit
            .min(procfs::host_memory().unwrap_or(u64::MAX));
        stats.mem_perc = ratio(stats.mem_usage, stats.mem_limit) * 100.0;
        stats.pids = sample.pids;
        stats.block_input = sample.block_read;
        stats.block_output = sample.block_write;
        let (received, sent) = net::interface_bytes(pid)?;
        stats.net_input = received;
        stats.net_output = sent;
        Ok(stats)
    }
}

/// Podman's `calculateCPUPercent`: the CPU time used between two samples over the wall
/// time between them, in percent.
///
/// ```
/// use libpod_core::stats::cpu_percent;
/// // Half a second of CPU in one second.
/// assert_eq!(cpu_percent(1_500_000_000, 1_000_000_000, 3_000_000_000, 2_000_000_000), 50.0);
/// assert_eq!(cpu_percent(5, 5, 10, 0), 0.0);
/// ```
pub fn cpu_percent(cpu_now: u64, cpu_before: u64, now: u64, before: u64) -> f64 {
    let cpu = cpu_now.saturating_sub(cpu_before);
    let wall = now.saturating_sub(before);
    if cpu == 0 || wall == 0 {
        return 0.0;
    }
    ratio(cpu, wall) * 100.0
}

#[expect(
    clippy::cast_precision_loss,
    reason = "a percentage: 53 bits of precision are plenty"
)]
fn ratio(part: u64, whole: u64) -> f64 {
    part as f64 / whole as f64
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
