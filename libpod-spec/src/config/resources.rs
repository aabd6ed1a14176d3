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

impl CreateResourceConfig {
    /// Applies the limits an update (`podman update`) gives: each one set in `update`
    /// replaces the current one, the rest stay. As Podman's update: `cpus` replaces a CFS
    /// period and quota and they replace it; a new `memory` without `memory_swap` gets swap as
    /// much again. A device list given replaces the list. Ulimits, `shm_size`,
    /// `oom_score_adj` and `disable_oom_killer` are not updatable and are left as they are.
    ///
    /// ```
    /// use libpod_spec::CreateResourceConfig;
    ///
    /// let mut current = CreateResourceConfig::default();
    /// current.cpus = Some(2.0);
    /// current.memory = Some(1 << 30);
    /// current.memory_swap = Some(-1);
    /// let mut update = CreateResourceConfig::default();
    /// update.cpu_quota = Some(50_000);
    /// update.memory = Some(512 << 20);
    /// current.apply_update(&update);
    /// assert_eq!((current.cpus, current.cpu_quota), (None, Some(50_000)));
    /// assert_eq!((current.memory, current.memory_swap), (Some(512 << 20), None));
    /// ```
    pub fn apply_update(&mut self, update: &CreateResourceConfig) {
        fn take<T: Clone>(current: &mut Option<T>, new: &Option<T>) {
            if new.is_some() {
                current.clone_from(new);
            }
        }
        fn take_list(current: &mut Vec<String>, new: &[String]) {
            if !new.is_empty() {
                *current = new.to_vec();
            }
        }
        if update.cpus.is_some() {
            self.cpu_period = None;
            self.cpu_quota = None;
        }
        if update.cpu_period.is_some() || update.cpu_quota.is_some() {
            self.cpus = None;
        }
        if update.memory.is_some() && update.memory_swap.is_none() {
            self.memory_swap = None;
        }
        take(&mut self.blkio_weight, &update.blkio_weight);
        take_list(&mut self.blkio_weight_device, &update.blkio_weight_device);
        take(&mut self.cpu_period, &update.cpu_period);
        take(&mut self.cpu_quota, &update.cpu_quota);
        take(&mut self.cpu_rt_period, &update.cpu_rt_period);
        take(&mut self.cpu_rt_runtime, &update.cpu_rt_runtime);
        take(&mut self.cpu_shares, &update.cpu_shares);
        take(&mut self.cpus, &update.cpus);
        take(&mut self.cpuset_cpus, &update.cpuset_cpus);
        take(&mut self.cpuset_mems, &update.cpuset_mems);
        take_list(&mut self.device_read_bps, &update.device_read_bps);
        take_list(&mut self.device_read_iops, &update.device_read_iops);
        take_list(&mut self.device_write_bps, &update.device_write_bps);
        take_list(&mut self.device_write_iops, &update.device_write_iops);
        take(&mut self.memory, &update.memory);
        take(&mut self.memory_reservation, &update.memory_reservation);
        take(&mut self.memory_swap, &update.memory_swap);
        take(&mut self.memory_swappiness, &update.memory_swappiness);
        take(&mut self.pids_limit, &update.pids_limit);
    }
}
