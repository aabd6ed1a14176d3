//! Podman's defaults: capabilities, environment, masked paths, default mounts.

use super::built;
use crate::error::Result;
use oci_spec::runtime::{Mount, MountBuilder};

/// The capabilities a container gets by default, as containers.conf (containers-common 0.50)
/// ships them.
pub const DEFAULT_CAPABILITIES: &[&str] = &[
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_NET_BIND_SERVICE",
    "CAP_SETFCAP",
    "CAP_SETGID",
    "CAP_SETPCAP",
    "CAP_SETUID",
    "CAP_SYS_CHROOT",
];

/// The default `PATH` of a container's process.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The value of the `container` environment variable. Podman's own, so that tools inside the
/// container (systemd-detect-virt among them) recognise the engine kind.
pub const CONTAINER_ENV_VALUE: &str = "podman";

/// Paths masked (bind-mounted over with /dev/null or an empty tmpfs) in unprivileged containers.
pub const DEFAULT_MASKED_PATHS: &[&str] = &[
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/fs/selinux",
    "/sys/dev/block",
];

/// Paths mounted read-only in unprivileged containers.
pub const DEFAULT_READONLY_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// Where the init binary is mounted in the container (`--init`).
pub const CONTAINER_INIT_PATH: &str = "/run/podman-init";

/// The value Podman gives `RLIMIT_NOFILE` and `RLIMIT_NPROC` when nothing sets them.
pub const RLIMIT_DEFAULT_VALUE: u64 = 1_048_576;

/// A mount of `typ` from `source` at `destination` with `options`.
pub(super) fn mount(
    destination: &str,
    typ: &str,
    source: &str,
    options: &[impl AsRef<str>],
) -> Result<Mount> {
    built(
        "mounts",
        MountBuilder::default()
            .destination(destination)
            .typ(typ)
            .source(source)
            .options(
                options
                    .iter()
                    .map(|o| o.as_ref().to_string())
                    .collect::<Vec<_>>(),
            )
            .build(),
    )
}

/// The mounts every container gets: /proc, /dev, /sys, /dev/pts, /dev/mqueue and the cgroup
/// filesystem; /sys and the cgroup filesystem read-only unless `privileged`.
pub fn default_mounts(privileged: bool) -> Result<Vec<Mount>> {
    let (sys, cgroup): (&[&str], &[&str]) = if privileged {
        (
            &["rprivate", "nosuid", "noexec", "nodev", "rw"],
            &["rprivate", "nosuid", "noexec", "nodev", "relatime", "rw"],
        )
    } else {
        (
            &["nosuid", "noexec", "nodev", "ro"],
            &["rprivate", "nosuid", "noexec", "nodev", "relatime", "ro"],
        )
    };
    Ok(vec![
        mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"])?,
        mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"],
        )?,
        mount("/sys", "sysfs", "sysfs", sys)?,
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        )?,
        mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        )?,
        mount("/sys/fs/cgroup", "cgroup", "cgroup", cgroup)?,
    ])
}

/// A tmpfs mount with Podman's options for the read-only-rootfs tmpfs mounts (/run, /tmp,
/// /var/tmp).
pub fn read_only_tmpfs(destination: &str) -> Result<Mount> {
    mount(
        destination,
        "tmpfs",
        "tmpfs",
        &["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"],
    )
}

/// A /dev/shm tmpfs of `size` bytes, used when the runtime supplies no shm directory.
pub fn shm_tmpfs(size: u64) -> Result<Mount> {
    let size = format!("size={size}");
    mount(
        "/dev/shm",
        "tmpfs",
        "shm",
        &["nosuid", "noexec", "nodev", "mode=1777", &size],
    )
}

/// A bind mount of a file the runtime generated (hosts, hostname, resolv.conf, .containerenv,
/// the shm directory).
pub fn runtime_bind(destination: &str, source: &str, options: &[&str]) -> Result<Mount> {
    mount(destination, "bind", source, options)
}
