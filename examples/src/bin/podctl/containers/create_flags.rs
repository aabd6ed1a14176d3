//! The flags `create` and `run` share, named, abbreviated and defaulted as Podman 4.3's; each
//! reaches a field of `libpod_spec::CreateConfig` or a create option (create_config.rs), or is
//! refused by name (unsupported.rs).

use clap::{ArgAction, Args};
use std::path::PathBuf;

use super::unsupported::Unsupported;

// The flags `create` and `run` share. `-h` is `--hostname`, as in Podman: help is `--help`.
#[derive(Args, Debug, Default)]
#[command(disable_help_flag = true)]
pub struct CreateFlags {
    /// Print help.
    #[arg(long, action = ArgAction::Help)]
    help: Option<bool>,
    /// Assign a name to the container.
    #[arg(long)]
    pub name: Option<String>,
    /// Run container in an existing pod.
    #[arg(long)]
    pub pod: Option<String>,
    /// Read the pod ID from the file.
    #[arg(long = "pod-id-file")]
    pub pod_id_file: Option<PathBuf>,
    /// If a container with the same name exists, replace it.
    #[arg(long)]
    pub replace: bool,
    /// Write the container ID to the file.
    #[arg(long)]
    pub cidfile: Option<PathBuf>,
    /// Path to the file that will receive the PID of conmon.
    #[arg(long = "conmon-pidfile")]
    pub conmon_pidfile: Option<PathBuf>,
    /// Pull image policy: always, missing, never, newer.
    #[arg(long, default_value = "missing")]
    pub pull: String,
    /// Suppress output information when pulling images.
    #[arg(short, long)]
    pub quiet: bool,
    /// Path of the authentication file.
    #[arg(long)]
    pub authfile: Option<PathBuf>,
    /// Require HTTPS and verify certificates when contacting registries.
    #[arg(long = "tls-verify", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub tls_verify: Option<bool>,
    /// The first argument is not an image but the rootfs to the exploded container.
    #[arg(long)]
    pub rootfs: bool,
    /// Remove container after exit.
    #[arg(long)]
    pub rm: bool,
    /// Add one or more requirement containers that must be started before this container.
    #[arg(long, value_delimiter = ',')]
    pub requires: Vec<String>,

    // -- process --
    /// Set environment variables in container (KEY=VALUE, or KEY to take the host's).
    #[arg(short, long)]
    pub env: Vec<String>,
    /// Read in a file of environment variables.
    #[arg(long = "env-file")]
    pub env_file: Vec<PathBuf>,
    /// Use all current host environment variables in container.
    #[arg(long = "env-host")]
    pub env_host: bool,
    /// Overwrite the default ENTRYPOINT of the image (a string or a JSON array).
    #[arg(long)]
    pub entrypoint: Option<String>,
    /// Working directory inside the container.
    #[arg(short, long)]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>]).
    #[arg(short, long)]
    pub user: Option<String>,
    /// Add additional groups to the primary container process.
    #[arg(long = "group-add", value_delimiter = ',')]
    pub group_add: Vec<String>,
    /// Keep STDIN open even if not attached.
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY for container.
    #[arg(short, long)]
    pub tty: bool,
    /// Run an init binary inside the container that forwards signals and reaps processes.
    #[arg(long)]
    pub init: bool,
    /// Path to the container-init binary.
    #[arg(long = "init-path")]
    pub init_path: Option<PathBuf>,
    /// Signal to stop a container. Default is SIGTERM.
    #[arg(long = "stop-signal")]
    pub stop_signal: Option<String>,
    /// Timeout (in seconds) that containers stopped by user command have to exit.
    #[arg(long = "stop-timeout")]
    pub stop_timeout: Option<u32>,
    /// Restart policy to apply when a container exits ("always"|"no"|"on-failure[:N]"|"unless-stopped").
    #[arg(long)]
    pub restart: Option<String>,
    /// Run container in systemd mode ("true"|"false"|"always").
    #[arg(long, default_value = "true")]
    pub systemd: String,

    // -- metadata --
    /// Set metadata on container (KEY=VALUE).
    #[arg(short, long)]
    pub label: Vec<String>,
    /// Read in a line delimited file of labels.
    #[arg(long = "label-file")]
    pub label_file: Vec<PathBuf>,
    /// Add annotations to container (KEY=VALUE).
    #[arg(long)]
    pub annotation: Vec<String>,
    /// Logging driver for the container (k8s-file, journald, none, passthrough).
    #[arg(long = "log-driver")]
    pub log_driver: Option<String>,
    /// Logging driver options (path=, tag=, max-size=).
    #[arg(long = "log-opt")]
    pub log_opt: Vec<String>,
    /// Set a healthcheck command for the container ('none' disables the image's).
    #[arg(long = "health-cmd")]
    pub health_cmd: Option<String>,
    /// Interval between healthchecks.
    #[arg(long = "health-interval", default_value = "30s")]
    pub health_interval: String,
    /// The number of retries allowed before a healthcheck is considered to be unhealthy.
    #[arg(long = "health-retries", default_value_t = 3)]
    pub health_retries: u32,
    /// The initialization time needed for a container to bootstrap.
    #[arg(long = "health-start-period", default_value = "0s")]
    pub health_start_period: String,
    /// The maximum time allowed to complete the healthcheck before an interval is considered failed.
    #[arg(long = "health-timeout", default_value = "30s")]
    pub health_timeout: String,
    /// Disable healthchecks on container.
    #[arg(long = "no-healthcheck")]
    pub no_healthcheck: bool,
    /// Action to take once the container turns unhealthy (none, kill, restart, stop).
    #[arg(long = "health-on-failure", default_value = "none")]
    pub health_on_failure: String,
    /// Set a startup healthcheck command for the container.
    #[arg(long = "health-startup-cmd")]
    pub health_startup_cmd: Option<String>,
    /// Set an interval for the startup healthcheck.
    #[arg(long = "health-startup-interval", default_value = "30s")]
    pub health_startup_interval: String,
    /// Set the maximum number of retries before the startup healthcheck will restart the container.
    #[arg(long = "health-startup-retries", default_value_t = 0)]
    pub health_startup_retries: u32,
    /// Set the number of consecutive successes before the startup healthcheck is marked as successful.
    #[arg(long = "health-startup-success", default_value_t = 0)]
    pub health_startup_success: u32,
    /// Set the maximum amount of time that the startup healthcheck may take before it is considered failed.
    #[arg(long = "health-startup-timeout", default_value = "30s")]
    pub health_startup_timeout: String,

    // -- resources --
    /// Memory limit (format: <number>[<unit>], where unit = b, k, m or g).
    #[arg(short, long)]
    pub memory: Option<String>,
    /// Memory soft limit.
    #[arg(long = "memory-reservation")]
    pub memory_reservation: Option<String>,
    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap.
    #[arg(long = "memory-swap")]
    pub memory_swap: Option<String>,
    /// Tune container memory swappiness (0 to 100, or -1 for system default).
    #[arg(long = "memory-swappiness", default_value_t = -1, allow_negative_numbers = true)]
    pub memory_swappiness: i64,
    /// Disable OOM Killer.
    #[arg(long = "oom-kill-disable")]
    pub oom_kill_disable: bool,
    /// Tune the host's OOM preferences (-1000 to 1000).
    #[arg(long = "oom-score-adj", allow_negative_numbers = true)]
    pub oom_score_adj: Option<i32>,
    /// Number of CPUs. The default is 0.000 which means no limit.
    #[arg(long)]
    pub cpus: Option<f64>,
    /// CPU shares (relative weight).
    #[arg(short = 'c', long = "cpu-shares")]
    pub cpu_shares: Option<u64>,
    /// Limit the CPU CFS (Completely Fair Scheduler) period.
    #[arg(long = "cpu-period")]
    pub cpu_period: Option<u64>,
    /// Limit the CPU CFS (Completely Fair Scheduler) quota.
    #[arg(long = "cpu-quota", allow_negative_numbers = true)]
    pub cpu_quota: Option<i64>,
    /// Limit the CPU real-time period in microseconds.
    #[arg(long = "cpu-rt-period")]
    pub cpu_rt_period: Option<u64>,
    /// Limit the CPU real-time runtime in microseconds.
    #[arg(long = "cpu-rt-runtime", allow_negative_numbers = true)]
    pub cpu_rt_runtime: Option<i64>,
    /// CPUs in which to allow execution (0-3, 0,1).
    #[arg(long = "cpuset-cpus")]
    pub cpuset_cpus: Option<String>,
    /// Memory nodes (MEMs) in which to allow execution (0-3, 0,1).
    #[arg(long = "cpuset-mems")]
    pub cpuset_mems: Option<String>,
    /// Tune container pids limit (set -1 for unlimited).
    #[arg(long = "pids-limit", allow_negative_numbers = true)]
    pub pids_limit: Option<i64>,
    /// Block IO weight (relative weight) accepts a weight value between 10 and 1000.
    #[arg(long = "blkio-weight")]
    pub blkio_weight: Option<u16>,
    /// Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT).
    #[arg(long = "blkio-weight-device")]
    pub blkio_weight_device: Vec<String>,
    /// Limit read rate (bytes per second) from a device.
    #[arg(long = "device-read-bps")]
    pub device_read_bps: Vec<String>,
    /// Limit read rate (IO per second) from a device.
    #[arg(long = "device-read-iops")]
    pub device_read_iops: Vec<String>,
    /// Limit write rate (bytes per second) to a device.
    #[arg(long = "device-write-bps")]
    pub device_write_bps: Vec<String>,
    /// Limit write rate (IO per second) to a device.
    #[arg(long = "device-write-iops")]
    pub device_write_iops: Vec<String>,
    /// Ulimit options (TYPE=SOFT[:HARD]).
    #[arg(long)]
    pub ulimit: Vec<String>,
    /// Size of /dev/shm.
    #[arg(long = "shm-size")]
    pub shm_size: Option<String>,
    /// Optional parent cgroup for the container.
    #[arg(long = "cgroup-parent")]
    pub cgroup_parent: Option<String>,

    // -- security --
    /// Add capabilities to the container.
    #[arg(long = "cap-add", value_delimiter = ',')]
    pub cap_add: Vec<String>,
    /// Drop capabilities from the container.
    #[arg(long = "cap-drop", value_delimiter = ',')]
    pub cap_drop: Vec<String>,
    /// Give extended privileges to container.
    #[arg(long)]
    pub privileged: bool,
    /// Security Options.
    #[arg(long = "security-opt")]
    pub security_opt: Vec<String>,
    /// Make containers root filesystem read-only.
    #[arg(long = "read-only")]
    pub read_only: bool,
    /// When running containers in read-only mode mount a read-write tmpfs on /run, /tmp and /var/tmp.
    #[arg(long = "read-only-tmpfs", num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub read_only_tmpfs: Option<bool>,
    /// Sysctl options (NAME=VALUE).
    #[arg(long, value_delimiter = ',')]
    pub sysctl: Vec<String>,

    // -- namespaces --
    /// PID namespace to use.
    #[arg(long)]
    pub pid: Option<String>,
    /// IPC namespace to use.
    #[arg(long)]
    pub ipc: Option<String>,
    /// UTS namespace to use.
    #[arg(long)]
    pub uts: Option<String>,
    /// cgroup namespace to use.
    #[arg(long)]
    pub cgroupns: Option<String>,
    /// User namespace to use.
    #[arg(long)]
    pub userns: Option<String>,
    /// Network: bridge (the default network), NAME[,NAME...], none, host, private (bridge, as
    /// Podman's as root), container:ID, ns:PATH; without it, containers.conf's `netns`
    /// (bridge).
    #[arg(long = "network", visible_alias = "net")]
    pub network: Option<String>,
    /// Publish a container's port to the host (Podman splits the values at commas).
    #[arg(short = 'p', long = "publish", value_delimiter = ',')]
    pub publish: Vec<String>,
    /// Publish all exposed ports to random ports on the host interfaces.
    #[arg(short = 'P', long = "publish-all")]
    pub publish_all: bool,
    /// Expose a port or a range of ports (PORT[-END][/PROTOCOL]).
    #[arg(long)]
    pub expose: Vec<String>,
    /// The container's IPv4 address on its network.
    #[arg(long)]
    pub ip: Option<String>,
    /// The container's IPv6 address on its network.
    #[arg(long)]
    pub ip6: Option<String>,
    /// The container's MAC address on its network.
    #[arg(long = "mac-address")]
    pub mac_address: Option<String>,
    /// Another name of the container on its network.
    #[arg(long = "network-alias")]
    pub network_alias: Vec<String>,
    /// Set container hostname.
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,
    /// Add a custom host-to-IP mapping (host:ip).
    #[arg(long = "add-host", value_delimiter = ',')]
    pub add_host: Vec<String>,
    /// Do not create /etc/hosts within the container.
    #[arg(long = "no-hosts")]
    pub no_hosts: bool,
    /// Set custom DNS servers.
    #[arg(long, value_delimiter = ',')]
    pub dns: Vec<String>,
    /// Set custom DNS options.
    #[arg(long = "dns-option", value_delimiter = ',')]
    pub dns_option: Vec<String>,
    /// Set custom DNS search domains.
    #[arg(long = "dns-search", value_delimiter = ',')]
    pub dns_search: Vec<String>,

    // -- mounts --
    /// Bind mount a volume into the container (SRC:DEST[:OPTS]).
    #[arg(short, long)]
    pub volume: Vec<String>,
    /// Attach a filesystem mount to the container (type=...,...).
    #[arg(long)]
    pub mount: Vec<String>,
    /// Mount a temporary filesystem (tmpfs) into a container (DEST[:OPTS]).
    #[arg(long)]
    pub tmpfs: Vec<String>,
    /// Add a host device to the container (HOST[:CONTAINER[:PERMS]]).
    #[arg(long)]
    pub device: Vec<String>,
    /// Tells podctl how to handle the builtin image volumes ("bind"|"tmpfs"|"ignore").
    #[arg(long = "image-volume", default_value = "bind")]
    pub image_volume: String,

    #[command(flatten)]
    pub unsupported: Unsupported,

    /// The image (or with --rootfs, the root filesystem's directory).
    pub image: String,
    /// The command and its arguments.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub command: Vec<String>,
}
