//! Podman's option strings, parsed: sizes, ulimits, devices, volumes, mounts, tmpfs, sysctls,
//! capabilities, block I/O throttles, signals, restart policies and names.
//!
//! Each parser takes the string as the user typed it and returns a typed value or a
//! [`SpecError`](crate::SpecError) that names the option and the value.
//!
//! ```
//! use libpod_spec::parse::{parse_size, parse_ulimit};
//!
//! assert_eq!(parse_size("memory", "64m").unwrap(), 64 << 20);
//! let u = parse_ulimit("nofile=1024:2048").unwrap();
//! assert_eq!((u.soft, u.hard), (1024, 2048));
//! ```

mod blkio;
mod caps;
mod device;
mod mount;
mod name;
pub(crate) mod paths;
mod restart;
mod signal;
mod sysctl;
mod ulimit;
mod units;

pub use blkio::{parse_throttle_device, parse_weight_device};
pub use caps::{all_capabilities, merge_capabilities, normalize_capability};
pub use device::{DeviceRequest, host_device, parse_device, privileged_host_devices};
pub use mount::{VolumeMount, parse_mount, parse_tmpfs, parse_volume, process_mount_options};
pub use name::check_name;
pub use restart::{RestartPolicy, parse_restart_policy};
pub use signal::parse_signal;
pub use sysctl::{SysctlNamespaces, parse_sysctl, validate_sysctl};
pub use ulimit::{Ulimit, parse_ulimit};
pub use units::parse_size;
