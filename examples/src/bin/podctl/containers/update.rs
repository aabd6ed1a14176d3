//! `update [flags] CONTAINER`: Podman 4.3's resource flags (and `--pids-limit`, which later
//! Podman added), applied to a running container and kept for its next start; prints its ID.

use clap::Args;
use libpod_core::runtime::Runtime;
use libpod_spec::CreateResourceConfig;

use super::Result;
use super::create_config::{memory_swap_flag, size_flag, swappiness_flag};

#[derive(Args)]
pub struct UpdateArgs {
    /// Block IO weight (relative weight) accepts a weight value between 10 and 1000.
    #[arg(long = "blkio-weight")]
    blkio_weight: Option<u16>,
    /// Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT).
    #[arg(long = "blkio-weight-device")]
    blkio_weight_device: Vec<String>,
    /// Limit the CPU CFS (Completely Fair Scheduler) period.
    #[arg(long = "cpu-period")]
    cpu_period: Option<u64>,
    /// Limit the CPU CFS (Completely Fair Scheduler) quota.
    #[arg(long = "cpu-quota", allow_negative_numbers = true)]
    cpu_quota: Option<i64>,
    /// Limit the CPU real-time period in microseconds.
    #[arg(long = "cpu-rt-period")]
    cpu_rt_period: Option<u64>,
    /// Limit the CPU real-time runtime in microseconds.
    #[arg(long = "cpu-rt-runtime", allow_negative_numbers = true)]
    cpu_rt_runtime: Option<i64>,
    /// CPU shares (relative weight).
    #[arg(short = 'c', long = "cpu-shares")]
    cpu_shares: Option<u64>,
    /// Number of CPUs. The default is 0.000 which means no limit.
    #[arg(long)]
    cpus: Option<f64>,
    /// CPUs in which to allow execution (0-3, 0,1).
    #[arg(long = "cpuset-cpus")]
    cpuset_cpus: Option<String>,
    /// Memory nodes (MEMs) in which to allow execution (0-3, 0,1).
    #[arg(long = "cpuset-mems")]
    cpuset_mems: Option<String>,
    /// Limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb).
    #[arg(long = "device-read-bps")]
    device_read_bps: Vec<String>,
    /// Limit read rate (IO per second) from a device (e.g. --device-read-iops=/dev/sda:1000).
    #[arg(long = "device-read-iops")]
    device_read_iops: Vec<String>,
    /// Limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb).
    #[arg(long = "device-write-bps")]
    device_write_bps: Vec<String>,
    /// Limit write rate (IO per second) to a device (e.g. --device-write-iops=/dev/sda:1000).
    #[arg(long = "device-write-iops")]
    device_write_iops: Vec<String>,
    /// Memory limit (format: <number>[<unit>], where unit = b, k, m or g).
    #[arg(short, long)]
    memory: Option<String>,
    /// Memory soft limit (format: <number>[<unit>], where unit = b, k, m or g).
    #[arg(long = "memory-reservation")]
    memory_reservation: Option<String>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap.
    #[arg(long = "memory-swap")]
    memory_swap: Option<String>,
    /// Tune container memory swappiness (0 to 100, or -1 for system default).
    #[arg(long = "memory-swappiness", default_value_t = -1, allow_negative_numbers = true)]
    memory_swappiness: i64,
    /// Tune container pids limit (set -1 for unlimited).
    #[arg(long = "pids-limit", allow_negative_numbers = true)]
    pids_limit: Option<i64>,
    /// The container (name or ID).
    container: String,
}

impl UpdateArgs {
    /// The limits given, the others unset (kept as they are).
    fn resources(&self) -> Result<CreateResourceConfig> {
        let mut r = CreateResourceConfig::default();
        r.blkio_weight = self.blkio_weight;
        r.blkio_weight_device.clone_from(&self.blkio_weight_device);
        r.cpu_period = self.cpu_period;
        r.cpu_quota = self.cpu_quota;
        r.cpu_rt_period = self.cpu_rt_period;
        r.cpu_rt_runtime = self.cpu_rt_runtime;
        r.cpu_shares = self.cpu_shares;
        r.cpus = self.cpus;
        r.cpuset_cpus.clone_from(&self.cpuset_cpus);
        r.cpuset_mems.clone_from(&self.cpuset_mems);
        r.device_read_bps.clone_from(&self.device_read_bps);
        r.device_read_iops.clone_from(&self.device_read_iops);
        r.device_write_bps.clone_from(&self.device_write_bps);
        r.device_write_iops.clone_from(&self.device_write_iops);
        r.memory = size_flag("memory", &self.memory)?;
        r.memory_reservation = size_flag("memory-reservation", &self.memory_reservation)?;
        r.memory_swap = memory_swap_flag(&self.memory_swap)?;
        r.memory_swappiness = swappiness_flag(self.memory_swappiness)?;
        r.pids_limit = self.pids_limit;
        Ok(r)
    }
}

pub fn update(rt: &Runtime, args: UpdateArgs) -> Result {
    let resources = args.resources()?;
    let mut ctr = rt.container(&args.container)?;
    ctr.update(&resources)?;
    println!("{}", ctr.id());
    Ok(())
}
