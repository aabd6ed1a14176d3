//! Resource limits, as in the seed's `CreateResourceConfig`.

use serde::{Deserialize, Serialize};

/// Resource limits (`--memory`, `--cpus`, `--pids-limit`, `--ulimit`, ...).
///
/// Numbers are already in their unit (bytes, microseconds); `None` means "not set". Device
/// throttles, weight devices and ulimits stay strings, as the user wrote them, and are checked
/// when the spec is generated.
///
/// ```
/// use libpod_spec::CreateResourceConfig;
///
/// let mut r = CreateResourceConfig::default();
/// r.cpus = Some(1.5);
/// r.device_read_bps = vec!["/dev/sda:1mb".into()];
/// r.ulimit = vec!["nofile=1024:2048".into()];
/// assert_eq!(r.memory, None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "snake_case")]
#[non_exhaustive]
pub struct CreateResourceConfig {
    /// `--blkio-weight` (10-1000).
    pub blkio_weight: Option<u16>,
    /// `--blkio-weight-device DEVICE:WEIGHT`.
    pub blkio_weight_device: Vec<String>,
    /// `--cpu-period` in microseconds.
    pub cpu_period: Option<u64>,
    /// `--cpu-quota` in microseconds.
    pub cpu_quota: Option<i64>,
    /// `--cpu-rt-period` in microseconds.
    pub cpu_rt_period: Option<u64>,
    /// `--cpu-rt-runtime` in microseconds.
    pub cpu_rt_runtime: Option<i64>,
    /// `--cpu-shares`.
    pub cpu_shares: Option<u64>,
    /// `--cpus`: a number of CPUs, turned into quota and period.
    pub cpus: Option<f64>,
    /// `--cpuset-cpus`.
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`.
    pub cpuset_mems: Option<String>,
    /// `--device-read-bps DEVICE:RATE` (`/dev/sda:1mb`).
    pub device_read_bps: Vec<String>,
    /// `--device-read-iops DEVICE:RATE`.
    pub device_read_iops: Vec<String>,
    /// `--device-write-bps DEVICE:RATE`.
    pub device_write_bps: Vec<String>,
    /// `--device-write-iops DEVICE:RATE`.
    pub device_write_iops: Vec<String>,
    /// `--oom-kill-disable`.
    pub disable_oom_killer: bool,
    /// `--memory` in bytes.
    pub memory: Option<i64>,
    /// `--memory-reservation` in bytes.
    pub memory_reservation: Option<i64>,
    /// `--memory-swap` in bytes (memory + swap); -1 is unlimited.
    pub memory_swap: Option<i64>,
    /// `--memory-swappiness` (0-100).
    pub memory_swappiness: Option<u64>,
    /// `--oom-score-adj` (-1000 to 1000).
    pub oom_score_adj: Option<i32>,
    /// `--pids-limit`; `None` uses the default, 0 or -1 is unlimited.
    pub pids_limit: Option<i64>,
    /// `--shm-size` in bytes; `None` uses the default (64 MiB).
    pub shm_size: Option<u64>,
    /// `--ulimit TYPE=SOFT[:HARD]`; each replaces the default of its type.
    pub ulimit: Vec<String>,
}
